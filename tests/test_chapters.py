"""Every chapter notebook is executed, clean, paired with its script and in the book.

The notebook check (finbook.book.nbcheck, run by the same `pytest` command)
re-executes each notebook and compares outputs; these tests check how the notebook
was committed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jupytext
import pytest
import yaml

from finbook.book.compare import Tolerance, parse_tolerance
from finbook.book.machine import fingerprint
from finbook.book.pipeline import chapter_paths
from finbook.paths import CHAPTERS_DIR, ROOT

CHAPTERS = chapter_paths()
IDS = [p.stem for p in CHAPTERS]
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:tmp|work|root|home|usr|opt|var)/|site-packages")


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_executed_top_to_bottom_in_one_run(path):
    counts = [c["execution_count"] for c in _code_cells(_nb(path)) if _source(c).strip()]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts}; re-execute with "
        f"`python -m finbook execute {path.stem}`")


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_no_errors_no_stderr_no_machine_paths(path):
    for i, cell in enumerate(_code_cells(_nb(path))):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"{path.name} code cell {i} ends in an error"
            assert out.get("name") != "stderr", (
                f"{path.name} code cell {i} writes to stderr: {''.join(out['text'])[:200]!r}")
            text = json.dumps(out.get("text", "")) + json.dumps(out.get("data", {}))
            match = MACHINE_PATH.search(text)
            assert match is None, f"{path.name} code cell {i} shows a machine path {match}"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_glued_values_are_plain_python(path):
    """A glued NumPy scalar shows as 'np.float64(0.5)' in the prose: glue float(x) instead."""
    for cell in _code_cells(_nb(path)):
        for out in cell["outputs"]:
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            text = "".join(out.get("data", {}).get("application/papermill.record/text/plain", ""))
            assert not (name and re.match(r"np\.\w+\(", text)), (
                f"{path.name}: glue key {name!r} holds a NumPy scalar {text!r}; glue float()/int()")


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_kernelspec_and_parameters_cell(path):
    nb = _nb(path)
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    tagged = [c for c in _code_cells(nb) if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_paired_script_is_in_sync(path):
    script = path.with_suffix(".py")
    assert script.exists(), f"{path.name} has no paired {script.name}"

    def cells(p):
        return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", [])))
                for c in jupytext.read(p).cells]

    a, b = cells(path), cells(script)
    assert a == b, f"{path.name} and {script.name} differ: run `python -m finbook execute {path.stem}`"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_ignored_outputs_say_why(path):
    """A cell excluded from the output comparison must explain, in a comment, why."""
    for cell in _code_cells(_nb(path)):
        if "nbval-ignore-output" in cell["metadata"].get("tags", []):
            assert "# nbval-ignore-output:" in _source(cell), (
                f"{path.name}: a cell tagged nbval-ignore-output lacks the comment "
                f"'# nbval-ignore-output: <why>'")


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chapter_ends_with_exercises_and_solutions(path):
    text = "\n".join(_source(c) for c in _nb(path)["cells"] if c["cell_type"] == "markdown")
    assert "{exercise}" in text and "{solution}" in text, f"{path.name} has no exercises"
    assert ":class: dropdown" in text, f"{path.name}: solutions must be collapsed"


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files += [s["file"] for s in chapter.get("sections", [])]
    return files


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    listed = _toc_files()
    for path in CHAPTERS:
        assert f"chapters/{path.stem}" in listed, f"{path.name} is not in _toc.yml"
    for entry in listed:
        candidates = [ROOT / f"{entry}{ext}" for ext in (".ipynb", ".md")]
        assert any(c.exists() for c in candidates), f"_toc.yml lists {entry}, which does not exist"


def test_no_stray_notebooks_outside_the_numbered_chapters():
    stray = [p.name for p in CHAPTERS_DIR.glob("*.ipynb") if p not in CHAPTERS]
    assert not stray, f"notebooks without an NN_ prefix are not chapters: {stray}"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_notebook_records_the_machine_that_executed_it(path):
    """`finbook execute` stores the machine record the notebook check compares fingerprints with."""
    record = _nb(path)["metadata"].get("finbook", {}).get("executed_on")
    assert record, f"{path.name} records no machine; re-execute with `python -m finbook execute {path.stem}`"
    assert fingerprint(record)["packages"].get("numpy"), f"{path.name}: incomplete machine record {record}"
    assert not MACHINE_PATH.search(json.dumps(record)), f"{path.name}: machine record holds a path"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_every_tolerance_gives_its_reason(path):
    """A `# tolerance:` comment parses, and says why after the semicolon."""
    for i, cell in enumerate(_code_cells(_nb(path))):
        src = _source(cell)
        if parse_tolerance(src) != Tolerance():
            line = next(ln for ln in src.splitlines() if ln.lstrip().startswith("# tolerance:"))
            reason = line.partition(";")[2].strip()
            assert len(reason) >= 15, f"{path.name} code cell {i}: '{line}' needs a reason after ';'"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_colab_setup_cell_is_in_the_notebook_but_not_on_the_page(path):
    """Every notebook keeps its Colab setup cell, tagged remove-cell so the rendered page shows the lesson."""
    setup = [c for c in _code_cells(_nb(path)) if _source(c).startswith("# Setup: in Google Colab only")]
    assert len(setup) == 1, f"{path.name} needs exactly one Colab setup cell"
    assert "remove-cell" in setup[0]["metadata"].get("tags", []), (
        f"{path.name}: tag the Colab setup cell remove-cell (# %% tags=[\"remove-cell\"] in the .py)")
