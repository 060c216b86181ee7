"""finbook.book.sweep and ``python -m finbook sweep``: value ranges, the grid, and runs on Dask."""

from __future__ import annotations

import random
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import pytest

from finbook import paths
from finbook.book import cli, headline, pipeline, sweep

_GLUE = """\
from myst_nb import glue
from finbook.book.headline import glue_headline
if FAIL_ON is not None and SEED == FAIL_ON:
    raise ValueError(f"seed {SEED} is cursed")
glue_headline("toy task", "score", "higher", deep_model="net", deep_score=0.5 + SEED / 10,
              baseline_model="mean", baseline_score=0.5)
glue("toy_twice_seed", SEED * 2, display=False)
"""


def _write_chapter(folder: Path, stem: str, fail_on: int | None = None) -> Path:
    """A three-cell chapter: title, parameters (SEED, LABEL), a cell that glues a SEED-dependent score."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {stem}"),
        nbformat.v4.new_code_cell("SEED = 0\nLABEL = 'x'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(f"FAIL_ON = {fail_on!r}\n" + _GLUE),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"{stem}.ipynb"
    nbformat.write(nb, path)
    jupytext.write(nb, path.with_suffix(".py"), fmt="py:percent")
    return path


@pytest.fixture
def chapters(tmp_path, monkeypatch):
    # execute_notebook records the machine in each notebook; probing it (oneDNN in a
    # TensorFlow subprocess) takes 20 s or more and is not what these tests are about.
    monkeypatch.setattr(pipeline, "_MACHINE", {"cpu": "stand-in for the sweep tests"})
    folder = tmp_path / "chapters"
    folder.mkdir()
    _write_chapter(folder, "01_toy")
    _write_chapter(folder, "02_cursed", fail_on=2)
    monkeypatch.setattr(paths, "CHAPTERS_DIR", folder)
    return folder


# --------------------------------------------------------------------------- values
@pytest.mark.parametrize(("text", "expected"), [
    ("0..19", [str(i) for i in range(20)]),
    ("1,5,9", ["1", "5", "9"]),
    ("3..3", ["3"]),
    ("-2..1", ["-2", "-1", "0", "1"]),
    ("0..2,10", ["0", "1", "2", "10"]),
    ("(1, 2),(3, 4)", ["(1, 2)", "(3, 4)"]),
    ("7", ["7"]),
    ("../data", ["../data"]),
])
def test_values_expand_ranges_and_lists(text, expected):
    assert sweep.expand_values(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("5..2", r"-p SEED '5\.\.2': the range is empty because 5 > 2; write the smaller bound first, "
             r"e\.g\. 2\.\.5"),
    ("a..b", r"-p SEED 'a\.\.b': a range A\.\.B needs whole numbers A and B \(inclusive\), e\.g\. 0\.\.19"),
    ("0.5..2", r"needs whole numbers"),
    ("1,,5", r"empty value in the list"),
])
def test_bad_ranges_say_what_is_wrong(text, message):
    with pytest.raises(sweep.SweepError, match=message):
        sweep.expand_values(text, "SEED")


# --------------------------------------------------------------------------- the grid
def test_grid_is_the_product_per_chapter_sorted_and_typed(chapters, tmp_path):
    out = tmp_path / "runs"
    runs = sweep.plan(["02", "01"], [("SEED", "10,2,0"), ("LABEL", "a,b")], out)
    assert [(r.chapter.stem, r.parameters) for r in runs] == [
        (stem, {"SEED": seed, "LABEL": label})
        for stem in ("01_toy", "02_cursed") for seed in (0, 2, 10) for label in ("a", "b")
    ]
    assert runs[0].output == out / "01_toy" / "SEED=0_LABEL=a.ipynb"
    assert len({r.output for r in runs}) == len(runs)
    assert not out.exists(), "planning must not write anything"


def test_grid_without_parameters_is_one_run_with_the_defaults(chapters, tmp_path):
    (run,) = sweep.plan(["01"], [], tmp_path)
    assert run.parameters == {} and run.output == tmp_path / "01_toy" / "defaults.ipynb"


def test_file_names_stay_distinct_for_values_with_odd_characters(chapters, tmp_path):
    runs = sweep.plan(["01"], [("LABEL", "a b,a/b,a-b")], tmp_path)
    names = [r.output.name for r in runs]
    assert len(set(names)) == 3 and all("/" not in n and " " not in n for n in names)


def test_unknown_parameter_fails_with_the_message_of_coerce_parameters(chapters, tmp_path):
    with pytest.raises(pipeline.ParameterError,
                       match=r"unknown parameter 'SEEDS' for chapter 01_toy; valid parameters: "
                             r"SEED \(int, default 0\), LABEL \(str, default 'x'\)"):
        sweep.plan(["01"], [("SEEDS", "0..3")], tmp_path)


def test_wrongly_typed_value_fails_before_anything_runs(chapters, tmp_path):
    with pytest.raises(pipeline.ParameterError, match=r"parameter SEED expects int \(default 0\), got 'x'"):
        sweep.plan(["01"], [("SEED", "0,1,x")], tmp_path)


@pytest.mark.parametrize(("chapter_names", "pairs", "message"), [
    (["01"], [("SEED", "0..2"), ("SEED", "5")], "parameter SEED is given with -p more than once"),
    (["01"], [("SEED", "1,2,01")], r"the value '01' repeats an earlier one \(1 as the chapter reads it\)"),
    (["01", "01_toy"], [("SEED", "1")], "chapter 01_toy is named more than once"),
    ([], [("SEED", "1")], "name at least one chapter"),
])
def test_repeated_or_missing_input_is_refused(chapters, tmp_path, chapter_names, pairs, message):
    with pytest.raises(sweep.SweepError, match=message):
        sweep.plan(chapter_names, pairs, tmp_path)


def test_output_never_goes_into_chapters(chapters):
    for target in (chapters, chapters / "sub"):
        with pytest.raises(sweep.SweepError, match="--output must not be in the chapters/ folder"):
            sweep.plan(["01"], [("SEED", "1")], target)


def test_existing_copies_need_force(chapters, tmp_path):
    (tmp_path / "01_toy").mkdir()
    (tmp_path / "01_toy" / "SEED=1.ipynb").write_text("{}")
    with pytest.raises(sweep.SweepError, match="1 executed copy already exist.*pass --force"):
        sweep.plan(["01"], [("SEED", "0..2")], tmp_path)
    assert len(sweep.plan(["01"], [("SEED", "0..2")], tmp_path, force=True)) == 3


def test_table_rows_are_sorted_whatever_order_runs_finish_in(chapters, tmp_path):
    runs = sweep.plan(["02", "01"], [("SEED", "0..11")], tmp_path)
    results = [sweep.RunResult(r, True, 1.0, values={"headline_deep_score": r.parameters["SEED"], "extra": 1})
               for r in runs]
    random.Random(0).shuffle(results)
    table = sweep.results_table(results, ["extra"])
    assert list(table["chapter"]) == ["01_toy"] * 12 + ["02_cursed"] * 12
    assert list(table["SEED"]) == list(range(12)) * 2  # numeric, not text, order
    assert list(table.columns) == ["chapter", "SEED", *[f"headline_{k}" for k in headline.HEADLINE_KEYS],
                                   "extra"]
    assert table["headline_metric"].isna().all()  # not glued: missing, not invented


@pytest.mark.parametrize("argv", [
    ["sweep", "01", "-p", "SEED", "5..2", "--output", "OUT"],
    ["sweep", "01", "-p", "SEEDS", "0..3", "--output", "OUT"],
    ["sweep", "nope", "-p", "SEED", "0..3", "--output", "OUT"],
    ["sweep", "01", "-p", "SEED", "0..3", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1",
     "--output", "OUT"],
    ["sweep", "01", "-p", "SEED", "0..3", "--workers", "0", "--output", "OUT"],
])
def test_command_refuses_bad_input_before_running(chapters, tmp_path, capsys, argv):
    out = tmp_path / "out"
    assert cli.main([a if a != "OUT" else str(out) for a in argv]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert not out.exists()


# --------------------------------------------------------------------------- on Dask
def test_sweep_on_a_local_cluster_of_two_workers(chapters, tmp_path, capsys, monkeypatch):
    # Two workers of one thread each, as threads rather than processes: a new process
    # would not see the stand-in machine record and would probe the machine first.
    monkeypatch.setattr(sweep, "LOCAL_PROCESSES", False)
    out, csv = tmp_path / "runs", tmp_path / "table.csv"
    status = cli.main(["sweep", "01", "-p", "SEED", "0..3", "--workers", "2", "--output", str(out),
                       "--table", str(csv), "--collect", "toy_twice_seed"])
    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert sum(line.startswith("[") and " ok" in line for line in printed.out.splitlines()) == 4
    table = pd.read_csv(csv)
    assert list(table["SEED"]) == [0, 1, 2, 3]
    assert list(table["chapter"]) == ["01_toy"] * 4
    assert table["headline_deep_score"].tolist() == pytest.approx([0.5, 0.6, 0.7, 0.8])
    assert table["headline_baseline_score"].tolist() == [0.5] * 4
    assert table["toy_twice_seed"].tolist() == [0, 2, 4, 6]
    assert sorted(p.name for p in (out / "01_toy").iterdir()) == [f"SEED={s}.ipynb" for s in range(4)]
    glued = headline.glued_values(out / "01_toy" / "SEED=3.ipynb")
    assert glued["headline_deep_score"] == pytest.approx(0.8)
    assert not list(chapters.glob("*SEED*")), "a sweep must never write into chapters/"


@pytest.fixture
def scheduler():
    """A two-worker Dask cluster listening on localhost only, reached by its address like a remote one."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_a_failed_run_is_reported_the_others_kept_and_the_status_is_nonzero(chapters, tmp_path, capsys,
                                                                           scheduler):
    out, csv = tmp_path / "runs", tmp_path / "table.csv"
    status = cli.main(["sweep", "02", "-p", "SEED", "0..3", "--scheduler", scheduler, "--output", str(out),
                       "--table", str(csv)])
    printed = capsys.readouterr()
    assert status == 1
    assert "02_cursed SEED=2" in printed.out and "failed: ValueError: seed 2 is cursed" in printed.out
    assert "1 of 4 run(s) failed" in printed.err
    assert "02_cursed SEED=2: ValueError: seed 2 is cursed" in printed.err
    table = pd.read_csv(csv)
    assert list(table["SEED"]) == [0, 1, 3]
    assert table["headline_deep_score"].tolist() == pytest.approx([0.5, 0.6, 0.8])
    assert (out / "02_cursed" / "SEED=2.failed.ipynb").exists()
    assert not (out / "02_cursed" / "SEED=2.ipynb").exists()


def test_a_collect_key_that_no_run_glued_is_an_error(chapters, tmp_path, capsys, scheduler):
    status = cli.main(["sweep", "01", "-p", "SEED", "1", "--scheduler", scheduler, "--output",
                       str(tmp_path / "runs"), "--collect", "toy_twice_sed"])
    assert status == 1
    assert "--collect toy_twice_sed: no run glued it; the runs glued: " in capsys.readouterr().err
