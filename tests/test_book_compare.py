"""The notebook check: numbers within each cell's stated tolerance, everything else exact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from finbook.book import compare, machine
from finbook.book.compare import Tolerance, ToleranceError, compare_text, parse_tolerance, tokenize


# --------------------------------------------------------------------------- the comment
def test_parse_tolerance_reads_keys_and_ignores_the_reason():
    src = "x = 1\n# tolerance: rtol=0.02, atol=1e-3 counts=2; spread over five seeds\nprint(x)"
    assert parse_tolerance(src) == Tolerance(rtol=0.02, atol=0.001, counts=2)
    assert parse_tolerance("print(1)") == Tolerance()


@pytest.mark.parametrize("line, message", [
    ("# tolerance: rtl=0.1", "cannot read 'rtl=0.1'"),
    ("# tolerance: rtol", "cannot read 'rtol'"),
    ("# tolerance: rtol=abc", "rtol must be a float"),
    ("# tolerance: counts=1.5", "counts must be a int"),
    ("# tolerance: rtol=-0.1", "must be a finite number >= 0"),
    ("# tolerance: rtol=0.1 rtol=0.2", "rtol is given twice"),
    ("# tolerance: ; no numbers", "states no tolerance"),
])
def test_parse_tolerance_rejects_what_it_cannot_read(line, message):
    with pytest.raises(ToleranceError, match=message):
        parse_tolerance(f"{line}\nprint(1)")


def test_a_cell_states_one_tolerance():
    with pytest.raises(ToleranceError, match="one '# tolerance:' comment"):
        parse_tolerance("# tolerance: rtol=0.1\n# tolerance: atol=1\n")


# --------------------------------------------------------------------------- tokens
def test_tokenize_tells_numbers_from_words():
    toks = tokenize("AVX2 x32 3f1c0a 0.2063 (n = 1,161; 1.2e-16)  -4.5%")
    numbers = [t.text for t in toks if isinstance(t, compare.Number)]
    assert numbers == ["0.2063", "1,161", "1.2e-16", "-4.5"]
    assert [t.value for t in toks if isinstance(t, compare.Number)][1] == 1161
    assert not any("  " in t for t in toks if isinstance(t, str))


def test_number_unit_is_one_in_the_last_shown_digit():
    toks = tokenize("0.2063 15.4 1.2e-16 7 3.0E+2")
    units = {t.text: t.unit for t in toks if isinstance(t, compare.Number)}
    assert units == pytest.approx({"0.2063": 1e-4, "15.4": 0.1, "1.2e-16": 1e-17, "7": 1, "3.0E+2": 10})


# --------------------------------------------------------------------------- comparison
def test_words_must_match_exactly():
    diffs = compare_text("the LSTM ties HAR at 0.2063", "the LSTM beats HAR at 0.2063", Tolerance(rtol=1))
    assert [d.reason for d in diffs] == ["text differs"]
    assert "ties" in diffs[0].got and "beats" in diffs[0].expected


def test_whitespace_runs_do_not_matter_but_structure_does():
    assert compare_text("a   0.51\nb 2", "a 0.50 b 2", Tolerance()) == []
    assert compare_text("a 0.50 b", "a 0.50 b 2", Tolerance()) != []


def test_last_digit_rounding_is_always_allowed():
    assert compare_text("15.4 bp", "15.5 bp", Tolerance()) == []
    assert compare_text("15.3 bp", "15.5 bp", Tolerance())[0].reason == "number outside tolerance"


def test_change_inside_tolerance_passes_outside_fails_with_the_numbers():
    tol = Tolerance(rtol=0.01)
    assert compare_text("QLIKE 0.2080", "QLIKE 0.2073", tol) == []
    (diff,) = compare_text("QLIKE 0.2120", "QLIKE 0.2073", tol, where="04_cnn cell 22")
    text = str(diff)
    assert "04_cnn cell 22" in text and "0.2120" in text and "0.2073" in text and "rtol=0.01" in text


def test_whole_numbers_are_exact_unless_counts_allow():
    (diff,) = compare_text("71 exceptions", "72 exceptions", Tolerance(rtol=0.5))
    assert diff.reason == "whole number differs"
    assert compare_text("71 exceptions", "72 exceptions", Tolerance(counts=1)) == []
    assert compare_text("2008-09-15", "2008-09-16", Tolerance(rtol=1)) != []


def test_compare_outputs_checks_kinds_glue_names_and_errors():
    ok = [{"output_type": "stream", "name": "stdout", "text": "a 0.5\n"}]
    split = [{"output_type": "stream", "name": "stdout", "text": "a "},
             {"output_type": "stream", "name": "stdout", "text": "0.5\n"}]
    assert compare.compare_outputs(split, ok, Tolerance()) == []
    err = [{"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": []}]
    assert compare.compare_outputs(err, ok, Tolerance())[0].reason == "the cell raised an error"
    stderr = [{"output_type": "stream", "name": "stderr", "text": "Warning"}, *ok]
    assert compare.compare_outputs(stderr, ok, Tolerance())[0].reason == "different outputs"
    glued = {"output_type": "display_data", "metadata": {"scrapbook": {"name": "auc"}},
             "data": {"application/papermill.record/text/plain": "0.8"}}
    renamed = {**glued, "metadata": {"scrapbook": {"name": "auc2"}}}
    assert compare.compare_outputs([renamed], [glued], Tolerance())[0].reason == "glue name differs"
    addr = [{"output_type": "execute_result", "data": {"text/plain": "<Model at 0x7f3a00112233>"}}]
    addr2 = [{"output_type": "execute_result", "data": {"text/plain": "<Model at 0x7f3a99887766>"}}]
    assert compare.compare_outputs(addr, addr2, Tolerance()) == []


# --------------------------------------------------------------------------- machine
def test_machine_record_is_json_ready_and_has_no_paths():
    import json

    record = machine.machine_record(probe_onednn=False)
    text = json.dumps(record)
    assert "/" not in json.dumps(record["openblas"]) and "site-packages" not in text
    assert record["packages"]["numpy"]
    fp = machine.fingerprint(record)
    assert "threads" not in fp and fp["cpu"] == record["cpu"]


# --------------------------------------------------------------------------- the plugin
def _notebook(path: Path, cells: list[tuple[str, list[dict]]], record: dict | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if record is not None:
        nb.metadata["finbook"] = {"executed_on": record}
    for source, outputs in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def _stdout(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _pytest(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "finbook.book.nbcheck", "--nbcheck", "-p", "no:cacheprovider",
         "-q", str(path), *args], capture_output=True, text=True, cwd=path.parent, timeout=300)


@pytest.fixture(scope="module")
def this_machine() -> dict:
    return machine.machine_record()


def test_plugin_passes_within_tolerance_and_names_cell_value_reference_and_tolerance(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb", [
        ("print('AUC', 0.80)", [_stdout("AUC 0.81\n")]),  # last digit: passes
        ("# tolerance: rtol=0.05; seed spread\nprint(f'{0.8:.2f}')", [_stdout("0.83\n")]),  # inside 5%
        ("# tolerance: rtol=0.01\nprint(f'{0.8:.2f}')", [_stdout("0.90\n")]),  # outside 1%
        ("print('the network wins')", [_stdout("the network ties\n")]),  # a word
    ])
    res = _pytest(nb)
    assert res.returncode == 1, res.stdout
    assert "2 failed, 2 passed" in res.stdout
    assert "nb.ipynb cell 2" in res.stdout and "0.80 vs committed 0.90" in res.stdout
    assert "rtol=0.01" in res.stdout
    assert "text differs" in res.stdout and "wins" in res.stdout


def test_plugin_compares_exactly_on_the_machine_that_executed_the_notebook(tmp_path, this_machine):
    cells = [("print(0.80)", [_stdout("0.81\n")])]
    same = _notebook(tmp_path / "same.ipynb", cells, record=this_machine)
    res = _pytest(same)
    assert res.returncode == 1 and "exact" in res.stdout, res.stdout
    other = dict(this_machine, cpu="Some Other CPU")
    elsewhere = _notebook(tmp_path / "other.ipynb", cells, record=other)
    res = _pytest(elsewhere)
    assert res.returncode == 0, res.stdout
    assert _pytest(same, "--nbcheck-mode=tolerant").returncode == 0


def test_plugin_rejects_a_bad_tolerance_comment_at_collection(tmp_path):
    nb = _notebook(tmp_path / "bad.ipynb", [("# tolerance: rtoll=0.1\nprint(1)", [_stdout("1\n")])])
    res = _pytest(nb)
    assert res.returncode != 0 and "cannot read 'rtoll=0.1'" in res.stdout + res.stderr


def test_ignored_cell_still_must_not_raise(tmp_path):
    nb = _notebook(tmp_path / "ign.ipynb", [("raise ValueError('boom')", [])])
    nb_obj = nbformat.read(nb, as_version=4)
    nb_obj.cells[0].metadata["tags"] = ["nbval-ignore-output"]
    nbformat.write(nb_obj, nb)
    res = _pytest(nb)
    assert res.returncode == 1 and "ValueError: boom" in res.stdout
