"""finbook.book.pipeline and .headline, and the command line: chapters, parameters, sync, execution."""

from __future__ import annotations

import os
import time
from pathlib import Path

import jupytext
import nbformat
import numpy as np
import pytest

from finbook import paths
from finbook.book import cli, headline
from finbook.book import pipeline as notebooks

PARAMS = {"SEED": 3, "EPOCHS": 2, "RATE": 0.5, "LABEL": "demo", "FAST": True,
          "LEVELS": (0.5, 1.0)}


def _write_chapter(folder: Path, stem: str, body: str = "print(SEED * EPOCHS)") -> Path:
    nb = nbformat.v4.new_notebook()
    params = "\n".join(f"{k} = {v!r}" for k, v in PARAMS.items())
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {stem}"),
        nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(body),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / f"{stem}.ipynb"
    nbformat.write(nb, path)
    jupytext.write(nb, path.with_suffix(".py"), fmt="py:percent")
    return path


@pytest.fixture
def chapters(tmp_path, monkeypatch):
    folder = tmp_path / "chapters"
    folder.mkdir()
    _write_chapter(folder, "01_alpha")
    _write_chapter(folder, "02_beta_gamma")
    _write_chapter(folder, "03_beta")
    monkeypatch.setattr(paths, "CHAPTERS_DIR", folder)
    return folder


# --------------------------------------------------------------------------- chapters
def test_find_chapter_by_number_slug_full_name_and_path(chapters):
    assert notebooks.find_chapter("01").name == "01_alpha.ipynb"
    assert notebooks.find_chapter("alpha").name == "01_alpha.ipynb"
    assert notebooks.find_chapter("02_beta_gamma").name == "02_beta_gamma.ipynb"
    assert notebooks.find_chapter(chapters / "03_beta.py").name == "03_beta.ipynb"
    assert notebooks.find_chapter("beta").name == "03_beta.ipynb"


def test_unknown_chapter_lists_the_valid_ones(chapters):
    with pytest.raises(notebooks.ChapterError,
                       match="unknown chapter 'omega'; valid chapters are: 01_alpha, "
                             "02_beta_gamma, 03_beta"):
        notebooks.find_chapter("omega")


def test_real_book_chapters_are_found():
    found = notebooks.chapter_paths()
    assert found, "the book has no chapter notebooks"
    assert all(p.name[:2].isdigit() for p in found)
    assert notebooks.find_chapter(found[0].stem) == found[0]


# --------------------------------------------------------------------------- parameters
def test_parameters_are_read_and_coerced(chapters):
    path = notebooks.find_chapter("01")
    declared = notebooks.chapter_parameters(path)
    assert {k: v["type"] for k, v in declared.items()} == {
        "SEED": "int", "EPOCHS": "int", "RATE": "float", "LABEL": "str", "FAST": "bool",
        "LEVELS": "tuple"}
    got = notebooks.coerce_parameters(
        path, [("SEED", "7"), ("RATE", "2"), ("LABEL", "x"), ("FAST", "no"),
               ("LEVELS", "(1, 2, 4)")])
    assert got == {"SEED": 7, "RATE": 2.0, "LABEL": "x", "FAST": False, "LEVELS": (1, 2, 4)}


def test_unknown_parameter_lists_valid_ones_with_types(chapters):
    path = notebooks.find_chapter("01")
    with pytest.raises(notebooks.ParameterError) as err:
        notebooks.coerce_parameters(path, [("EPOCH", "5")])
    msg = str(err.value)
    assert "unknown parameter 'EPOCH'" in msg
    assert "EPOCHS (int, default 2)" in msg and "RATE (float, default 0.5)" in msg


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("EPOCHS", "five", "expects int"), ("RATE", "high", "expects float"),
    ("FAST", "maybe", "use true or false"),
    ("LEVELS", "(1, 2", "write a Python tuple literal"),
])
def test_wrongly_typed_values_are_rejected(chapters, name, value, expected):
    path = notebooks.find_chapter("01")
    with pytest.raises(notebooks.ParameterError, match=expected):
        notebooks.coerce_parameters(path, [(name, value)])


# --------------------------------------------------------------------------- sync
def _bump(path: Path, seconds: float = 5.0) -> None:
    t = time.time() + seconds
    os.utime(path, (t, t))


def test_sync_leaves_agreeing_pairs_alone(chapters):
    nb = chapters / "01_alpha.ipynb"
    before = nb.read_bytes()
    assert notebooks.sync_pair(nb) == "in sync"
    assert nb.read_bytes() == before


def test_sync_updates_the_notebook_from_a_newer_script(chapters):
    nb = chapters / "01_alpha.ipynb"
    py = nb.with_suffix(".py")
    py.write_text(py.read_text().replace("print(SEED * EPOCHS)", "print(SEED + EPOCHS)"))
    _bump(py)
    assert "updated 01_alpha.ipynb" in notebooks.sync_pair(nb)
    assert "print(SEED + EPOCHS)" in nb.read_text()


def test_sync_updates_the_script_from_a_newer_notebook(chapters):
    nb = chapters / "01_alpha.ipynb"
    book = nbformat.read(nb, as_version=4)
    book.cells[2].source = "print('edited in Jupyter')"
    nbformat.write(book, nb)
    _bump(nb)
    assert "updated 01_alpha.py" in notebooks.sync_pair(nb)
    assert "edited in Jupyter" in nb.with_suffix(".py").read_text()


def test_sync_refuses_when_both_sides_were_edited(chapters, monkeypatch):
    nb = chapters / "01_alpha.ipynb"
    py = nb.with_suffix(".py")
    py.write_text(py.read_text().replace("print(SEED * EPOCHS)", "print('script side')"))
    monkeypatch.setattr(notebooks, "_git_modified", lambda path: True)
    before = (nb.read_bytes(), py.read_bytes())
    with pytest.raises(notebooks.SyncConflict, match="both have uncommitted edits"):
        notebooks.sync_pair(nb)
    assert (nb.read_bytes(), py.read_bytes()) == before


def test_sync_creates_a_missing_script(chapters):
    nb = chapters / "01_alpha.ipynb"
    nb.with_suffix(".py").unlink()
    assert notebooks.sync_pair(nb).startswith("created 01_alpha.py")
    assert nb.with_suffix(".py").exists()


# --------------------------------------------------------------------------- execution
def test_execute_in_place_runs_and_strips_run_metadata(chapters):
    nb = chapters / "01_alpha.ipynb"
    seconds = notebooks.execute_notebook(nb, progress=False)
    assert seconds > 0
    book = nbformat.read(nb, as_version=4)
    assert book.cells[2].outputs[0]["text"] == "6\n"
    assert "papermill" not in book.metadata
    assert all("papermill" not in c.metadata and "execution" not in c.metadata
               for c in book.cells)
    record = book.metadata["finbook"]["executed_on"]  # where it ran, in the metadata
    assert record["cpu"] and record["packages"]["numpy"] == np.__version__
    assert notebooks.sync_pair(nb) == "in sync"


def test_failed_execution_leaves_the_committed_notebook_untouched(chapters):
    nb = _write_chapter(chapters, "04_broken", body="raise ValueError('boom')")
    before = nb.read_bytes()
    with pytest.raises(RuntimeError, match="04_broken.ipynb failed to execute") as err:
        notebooks.execute_notebook(nb, progress=False)
    assert nb.read_bytes() == before
    kept = Path(str(err.value).split("notebook is at ")[1].split(" and ")[0])
    assert kept.exists()
    kept.unlink()


def test_run_writes_a_parameterised_copy_and_never_the_original(chapters, tmp_path, capsys):
    nb = chapters / "01_alpha.ipynb"
    before = nb.read_bytes()
    out = tmp_path / "runs"
    code = cli.main(["run", "01", "-p", "SEED", "10", "-p", "EPOCHS", "4", "--output", str(out),
                     "--quiet"])
    assert code == 0
    assert nb.read_bytes() == before
    copy = nbformat.read(out / "01_alpha.ipynb", as_version=4)
    printed = [o["text"] for c in copy.cells if c.cell_type == "code" for o in c.outputs
               if o.get("name") == "stdout"]
    assert printed == ["40\n"]
    # a second run into the same folder must not silently overwrite
    assert cli.main(["run", "01", "--output", str(out), "--quiet"]) == 2
    assert "exists" in capsys.readouterr().err


def test_bench_measures_time_and_memory(chapters):
    results = notebooks.benchmark([chapters / "01_alpha.ipynb"])
    (r,) = results
    assert r.ok and r.chapter == "01_alpha"
    assert 0 < r.seconds < 120
    assert 30 < r.peak_mib < 4000


# --------------------------------------------------------------------------- cli errors
def test_cli_unknown_chapter_exits_2_and_lists_chapters(chapters, capsys):
    assert cli.main(["execute", "omega"]) == 2
    err = capsys.readouterr().err
    assert "unknown chapter 'omega'" in err and "01_alpha" in err


def test_cli_unknown_parameter_exits_2(chapters, tmp_path, capsys):
    assert cli.main(["run", "01", "-p", "SPEED", "1", "--output", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'SPEED'" in err and "SEED (int, default 3)" in err


def test_cli_wrong_type_exits_2(chapters, tmp_path, capsys):
    assert cli.main(["run", "01", "-p", "EPOCHS", "lots", "--output", str(tmp_path)]) == 2
    assert "parameter EPOCHS expects int" in capsys.readouterr().err


def test_cli_refuses_to_run_into_the_chapters_folder(chapters, capsys):
    assert cli.main(["run", "01", "--output", str(chapters)]) == 2
    assert "never overwrites the committed notebooks" in capsys.readouterr().err


def test_cli_chapters_lists_parameters(chapters, capsys):
    assert cli.main(["chapters"]) == 0
    out = capsys.readouterr().out
    assert "01_alpha" in out and "EPOCHS=2 (int)" in out


def test_cli_check_reports_pairs_out_of_sync(chapters, capsys):
    assert cli.main(["check"]) == 0
    assert "all 3 chapter pairs in sync" in capsys.readouterr().out
    py = chapters / "02_beta_gamma.py"
    py.write_text(py.read_text().replace("print(SEED * EPOCHS)", "print(0)"))
    before = (chapters / "02_beta_gamma.ipynb").read_bytes()
    assert cli.main(["check"]) == 1
    assert "02_beta_gamma.ipynb and 02_beta_gamma.py differ" in capsys.readouterr().err
    assert (chapters / "02_beta_gamma.ipynb").read_bytes() == before  # nothing written


def test_a_chapter_outside_the_repository_still_finds_its_data(tmp_path):
    """Data paths come from the installed package, not the working directory."""
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    nb = _write_chapter(elsewhere, "01_elsewhere", body=(
        "from finbook import data\nprint(data.german_credit().shape)"))
    notebooks.execute_notebook(nb, progress=False)
    out = nbformat.read(nb, as_version=4).cells[2].outputs[0]["text"]
    assert out == "(1000, 21)\n"


def test_glued_values_are_read_back_from_a_committed_notebook(chapters):
    nb = _write_chapter(chapters, "05_glue", body=(
        "from myst_nb import glue\n"
        "glue('auc', 0.8123, display=False)\nglue('model', 'logistic', display=False)\n"
        "glue('flags', [1, 2], display=False)"))
    notebooks.execute_notebook(nb, progress=False)
    assert headline.glued_values(nb) == {"auc": 0.8123, "model": "logistic", "flags": [1, 2]}


def _headline_chapter(folder, stem, better, deep, base):
    body = ("import numpy as np\nfrom finbook.book import headline\n"
            f"headline.glue_headline('t', 'm', {better!r}, deep_model='net',"
            f" deep_score=np.float32({deep!r}), baseline_model='lin', baseline_score={base!r})")
    nb = _write_chapter(folder, stem, body=body)
    notebooks.execute_notebook(nb, progress=False)
    return nb


def test_glue_headline_round_trips_through_the_committed_notebook(chapters):
    nb = _headline_chapter(chapters, "05_round", "higher", 0.75, 0.7)
    glued = headline.glued_values(nb)
    assert {k: v for k, v in glued.items() if k.startswith("headline_")} == {
        "headline_task": "t", "headline_metric": "m", "headline_better": "higher",
        "headline_deep_model": "net", "headline_deep_score": float(np.float32(0.75)),
        "headline_baseline_model": "lin", "headline_baseline_score": 0.7}


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"better": "up"}, "better must be 'higher' or 'lower'"),
    ({"deep_score": float("nan")}, "deep_score must be a finite number"),
    ({"baseline_score": "0.7"}, "baseline_score must be a finite number"),
    ({"baseline_score": True}, "baseline_score must be a finite number"),
])
def test_glue_headline_rejects_bad_values_before_gluing(kwargs, message, monkeypatch):
    import myst_nb

    glued = []
    monkeypatch.setattr(myst_nb, "glue", lambda *a, **k: glued.append(a))
    args = {"task": "t", "metric": "m", "better": "lower", "deep_model": "net", "deep_score": 0.3,
            "baseline_model": "lin", "baseline_score": 0.2, **kwargs}
    with pytest.raises(ValueError, match=message):
        headline.glue_headline(**args)
    assert glued == []
    args.update({"better": "lower", "deep_score": 0.3, "baseline_score": 0.2})
    headline.glue_headline(**args)
    assert [a[0] for a in glued] == [f"headline_{k}" for k in headline.HEADLINE_KEYS]


def test_headline_table_orients_a_symmetric_log_ratio(chapters):
    a = _headline_chapter(chapters, "06_auc", "higher", 0.80, 0.75)   # deep better
    b = _headline_chapter(chapters, "07_loss", "lower", 0.30, 0.20)   # deep worse by 1.5x
    c = _headline_chapter(chapters, "08_gain", "lower", 0.20, 0.30)   # deep better by 1.5x
    table = headline.headline_table([a, b, c])
    assert "verdict" not in table.columns
    # hand-computed: ln(0.80/0.75) = 0.064539, ln(0.20/0.30) = -0.405465
    assert table["log_ratio"].tolist() == pytest.approx([0.064539, -0.405465, 0.405465], abs=1e-6)


def test_headline_table_rejects_non_positive_scores(chapters):
    nb = _headline_chapter(chapters, "10_zero", "lower", 0.3, 0.0)
    with pytest.raises(ValueError, match="10_zero: scores must be positive"):
        headline.headline_table([nb])


def test_headline_table_rejects_incomplete_headlines(chapters):
    nb = _write_chapter(chapters, "09_half", body=(
        "from myst_nb import glue\nglue('headline_task', 'x', display=False)"))
    notebooks.execute_notebook(nb, progress=False)
    with pytest.raises(ValueError, match="09_half: headline glue is missing"):
        headline.headline_table([nb])


def test_cli_data_verifies_everything(capsys):
    assert cli.main(["data"]) == 0
    out = capsys.readouterr().out
    assert "german_credit" in out and "datasets verified" in out


def test_python_dash_m_finbook_reports_errors_cleanly():
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "finbook", "run", "no_such_chapter",
                          "--output", "unused"], capture_output=True, text=True)
    assert res.returncode == 2
    assert res.stderr.startswith("error: unknown chapter 'no_such_chapter'")
    assert "Traceback" not in res.stderr


def test_crosscheck_forces_other_kernels(monkeypatch):
    from finbook.book.cli import crosscheck_environment

    assert crosscheck_environment("SSE41", "Sandybridge") == {
        "ONEDNN_MAX_CPU_ISA": "SSE41", "OPENBLAS_CORETYPE": "Sandybridge"}
    auto = crosscheck_environment("AVX2", "auto")
    assert auto["OPENBLAS_CORETYPE"] in {"SkylakeX", "Sandybridge"}
    from finbook.book.machine import machine_record

    families = " ".join(machine_record(probe_onednn=False)["openblas"].values())
    assert auto["OPENBLAS_CORETYPE"] not in families.split(), "the forced family must differ from this CPU's"


def test_a_tuple_parameter_reaches_the_chapter_as_a_tuple():
    """`run -p PRICING_WIDTHS "(8, 32)"` must inject a tuple, not the string papermill writes."""
    import ast

    from papermill.translators import papermill_translators

    from finbook.book import pipeline

    pipeline._register_tuple_translator()
    code = papermill_translators.find_translator("python3", "python").codify(
        {"W": (8, 32), "ONE": (5,), "NONE": (), "L": [1, (2, 3)], "S": "(4, 16)"})
    values = {}
    exec(compile(ast.parse(code), "<parameters>", "exec"), values)  # noqa: S102 - our own literal code
    assert values["W"] == (8, 32) and values["ONE"] == (5,) and values["NONE"] == ()
    assert values["L"] == [1, (2, 3)] and values["S"] == "(4, 16)"
