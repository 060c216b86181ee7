"""Glue cells: glue(...) calls leave the code a reader sees, and only when no value can change."""

from __future__ import annotations

import nbformat
import pytest

from finbook.book import gluecells
from finbook.book.pipeline import chapter_paths


def _nb(*sources, tags=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter")]
    for src in sources:
        cell = nbformat.v4.new_code_cell(src)
        if tags:
            cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
    return nb


def _run(nb):
    """Execute the code cells in order; return the glued values."""
    glued = {}
    scope = {"glue": lambda key, value, display=False: glued.__setitem__(key, value)}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(cell.source, scope)  # noqa: S102 - test notebooks built above
    return glued


def test_moves_glue_after_the_code_and_keeps_the_last_expression_last():
    nb = _nb("x = 2\nglue('x', x, display=False)\ny = x + 1\ny")
    before = _run(nb)
    report = gluecells.tidy(nb)
    assert report.moved == 1 and report.kept == []
    code, glue_cell = nb.cells[1], nb.cells[2]
    assert code.source == "x = 2\ny = x + 1\ny"
    assert glue_cell.source == "glue('x', x, display=False)"
    assert glue_cell.metadata["tags"] == [gluecells.GLUE_TAG]
    assert _run(nb) == before
    assert gluecells.visible_glue(nb) == []


def test_keeps_a_glue_whose_value_a_later_line_would_change():
    for later in ("x = 3", "x += 1", "x['a'] = 1", "x.append(1)", "fit(x, 1)", "x.sort()",
                  "x.drop(columns='a', inplace=True)", "for x in range(2):\n    pass"):
        nb = _nb(f"x = [2]\nglue('x', x, display=False)\n{later}")
        report = gluecells.tidy(nb)
        assert report.moved == 0, later
        assert "reads ['x'], changed later in the cell" in report.kept[0]
        assert len(gluecells.visible_glue(nb)) == 1


def test_keeps_a_glue_loop_whose_variable_a_later_line_reads():
    nb = _nb("for k in range(3):\n    glue(f'k{k}', k)\nprint(k)")
    report = gluecells.tidy(nb)
    assert report.moved == 0 and report.kept


def test_moves_a_loop_of_glue_calls_with_its_assignments():
    nb = _nb("vals = {'a': 1, 'b': 2}\nfor k, v in vals.items():\n    key = k.upper()\n"
             "    glue(key, v * 10)\nz = sum(vals.values())")
    before = _run(nb)
    assert gluecells.tidy(nb).moved == 1
    assert nb.cells[1].source == "vals = {'a': 1, 'b': 2}\nz = sum(vals.values())"
    assert nb.cells[2].source.startswith("for k, v in vals.items():")
    assert _run(nb) == before == {"A": 10, "B": 20}


def test_a_cell_of_glue_only_is_tagged_and_adjacent_glue_cells_merge():
    nb = _nb("a = 1\nglue('a', a)", "glue('b', 2)", "c = 3")
    report = gluecells.tidy(nb)
    assert (report.moved, report.tagged) == (1, 1)
    assert [c.source for c in nb.cells[1:]] == ["a = 1", "glue('a', a)\nglue('b', 2)", "c = 3"]
    assert gluecells.is_glue_cell(nb.cells[2]) and not gluecells.is_glue_cell(nb.cells[3])


def test_comments_on_a_glue_line_move_with_it_and_blank_runs_close():
    nb = _nb("a = 1\n\n# the number the text quotes\nglue('a', a)\n\nb = 2")
    gluecells.tidy(nb)
    assert nb.cells[1].source == "a = 1\n\nb = 2"
    assert nb.cells[2].source == "# the number the text quotes\nglue('a', a)"


def test_cells_it_must_not_touch():
    magic = _nb("%timeit 1\nglue('a', 1)")
    report = gluecells.tidy(magic)
    assert report.moved == 0 and "not plain Python" in report.kept[0]
    for tags in (["parameters"], ["remove-cell"]):
        nb = _nb("a = 1\nglue('a', a)\nb = 2", tags=tags)
        assert gluecells.tidy(nb).moved == 0 and len(nb.cells) == 2
    saved = _nb("# @save\ndef f():\n    return 1\nglue('f', f())\nx = 1")
    assert gluecells.tidy(saved).moved == 0


def test_headline_glue_counts_as_glue():
    nb = _nb("s = 1\nheadline.glue_headline('task', 'AUC', 'higher', deep_model='n', deep_score=s)\nt = 2")
    assert gluecells.tidy(nb).moved == 1


@pytest.mark.parametrize("path", chapter_paths(), ids=lambda p: p.stem)
def test_no_chapter_shows_a_glue_call(path):
    """The rendered page shows the lesson: every glue call is in a cell the page removes."""
    problems = gluecells.twin_problems(path.with_suffix(".py"))
    assert problems == [], "\n".join(problems)


def test_a_split_keeps_its_cells_tolerance_and_a_lost_one_is_reported():
    tol = "# tolerance: rtol=0.01; a trained network"
    nb = _nb(f"{tol}\nx = 2\nglue('x', x)\ny = 3")
    gluecells.tidy(nb)
    assert nb.cells[1].source == f"{tol}\nx = 2\ny = 3"
    assert nb.cells[2].source == f"{tol}\nglue('x', x)"
    assert gluecells.lost_tolerances(nb) == []
    nb.cells[2].source = "glue('x', x)"
    assert "has none; copy its first line" in gluecells.lost_tolerances(nb)[0]


def test_a_split_keeps_the_ignore_tag_of_a_volatile_cell():
    nb = _nb("# nbval-ignore-output: a wall-clock time\nt = 1.5\nglue('t', t)\nu = 2",
             tags=["nbval-ignore-output"])
    gluecells.tidy(nb)
    assert nb.cells[2].metadata["tags"] == [gluecells.GLUE_TAG, "nbval-ignore-output"]
    assert nb.cells[2].source.startswith("# nbval-ignore-output: a wall-clock time")
    assert gluecells.lost_tolerances(nb) == []
    nb.cells[2].metadata["tags"] = [gluecells.GLUE_TAG]
    assert "lacks the tag" in gluecells.lost_tolerances(nb)[0]
