"""Chapters export what they teach (cells marked '# @save') into finbook.lessons, defined once."""

from __future__ import annotations

import importlib

import pytest

from finbook.book import export
from finbook.book.export import ExportError

GOOD = '''# %% [markdown]
# # A chapter

# %%
import numpy as np

# %%
# @save
import numpy as np


def double(x):
    """Twice x (chapter 4)."""
    return 2 * np.asarray(x)


class Net:
    """A tiny model (Chapter 4)."""

# %%
double(3)
'''


def test_marked_cells_are_found_without_their_marker(tmp_path):
    cells = export.saved_cells(GOOD)
    assert [i for i, _ in cells] == [1]
    assert not cells[0][1].startswith("# @save")
    assert export.saved_definitions(cells[0][1], chapter="04_cnn") == [("double", "function"),
                                                                      ("Net", "class")]


def test_generated_module_names_chapter_and_cell_and_runs(tmp_path):
    script = tmp_path / "04_cnn.py"
    script.write_text(GOOD)
    text = export.generate([script])
    assert "do not edit" in text and "# chapters/04_cnn.py, code cell 1" in text
    namespace: dict = {}
    exec(compile(text, "lessons", "exec"), namespace)  # noqa: S102 - the generated module runs
    assert namespace["double"](3) == 6


@pytest.mark.parametrize("body, message", [
    ("def f():\n    return 1\n", "docstring does not name its chapter"),
    ('def f():\n    """Chapter 5."""\n', r"add e.g. '\(chapter 4\)'"),
    ("print('training...')\n", "may define and import, not run code"),
    ("def f(:\n", "does not parse"),
])
def test_bad_marked_cells_are_refused(body, message):
    with pytest.raises(ExportError, match=message):
        export.saved_definitions(body, chapter="04_cnn")


def test_a_name_exported_by_two_chapters_is_refused(tmp_path):
    (tmp_path / "04_cnn.py").write_text(GOOD)
    later = GOOD.replace("chapter 4", "chapter 5").replace("Chapter 4", "chapter 5")
    (tmp_path / "05_rnn.py").write_text(later)
    with pytest.raises(ExportError, match="double is exported twice: by 04_cnn and by 05_rnn"):
        export.generate([tmp_path / "04_cnn.py", tmp_path / "05_rnn.py"])


def test_lessons_module_agrees_with_the_chapters():
    """Fails when a '# @save' cell changed without `python -m finbook export`, or the file was edited."""
    assert export.lessons_path().read_text(encoding="utf-8") == export.generate(), (
        "finbook/lessons.py disagrees with the chapters: run `python -m finbook export`")
    importlib.import_module("finbook.lessons")
