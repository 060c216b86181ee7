"""Export the definitions the chapters teach, so later chapters can reuse them (d2l's ``#@save``).

A model, a loss or a training step is written in the chapter that teaches it, beside
its equations. When a later chapter needs it again, the defining cell is marked by a
first line ``# @save``; ``python -m finbook export`` copies every marked cell, in book
order, into :mod:`finbook.lessons` (headed "generated from the chapters; do not edit"),
and later chapters import it from there. A test fails when the generated module and
the chapters disagree, so each definition lives in exactly one place: its chapter.

Rules for a marked cell, checked here with clear errors:

* it is self-contained: it imports what it uses (the generated module is imported and
  linted like any other);
* every top-level ``def`` and ``class`` has a docstring that names its chapter, e.g.
  "(chapter 4)", so a reader of :mod:`finbook.lessons` knows where it is taught;
* nothing else in the book defines the same name in :mod:`finbook.lessons` twice.

Example
-------
>>> src = '# @save\\ndef f(x):\\n    \"\"\"Double x (chapter 4).\"\"\"\\n    return 2 * x\\n'
>>> [name for name, _ in saved_definitions(src, chapter="04_cnn")]
['f']
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from pathlib import Path

from finbook import paths

__all__ = ["MARKER", "ExportError", "generate", "lessons_path", "saved_cells", "saved_definitions",
           "write"]

#: The first line of a cell whose code is exported.
MARKER = "# @save"
_HEADER = '''"""Definitions taught in the chapters, exported for reuse by later chapters.

GENERATED FROM THE CHAPTERS by ``python -m finbook export``; do not edit: change the
chapter's cell marked ``# @save`` and export again (a test fails when this file and
the chapters disagree). Each block names the chapter and cell it comes from; each
definition's docstring names the chapter that teaches it.
"""

# ruff: noqa: E402, F811, I001
'''


class ExportError(ValueError):
    """A cell marked ``# @save`` that cannot be exported as it is."""


def lessons_path() -> Path:
    """Where the generated module lives: ``finbook/lessons.py``."""
    return paths.ROOT / "finbook" / "lessons.py"


def _cells(script: str) -> list[str]:
    """The code cells of a py:percent script (markdown cells dropped)."""
    parts = re.split(r"^# %%(.*)$", script, flags=re.MULTILINE)
    cells = []
    for header, body in zip(parts[1::2], parts[2::2], strict=True):
        if "[markdown]" not in header:
            cells.append(body.strip("\n"))
    return cells


def saved_cells(script: str) -> list[tuple[int, str]]:
    """``(code cell index, code without the marker)`` for each cell marked ``# @save``."""
    out = []
    for i, cell in enumerate(_cells(script)):
        lines = cell.splitlines()
        if lines and lines[0].strip() == MARKER:
            out.append((i, "\n".join(lines[1:]).strip("\n")))
    return out


def _chapter_number(chapter: str) -> int:
    match = re.match(r"(\d+)_", chapter)
    if not match:
        raise ExportError(f"{chapter!r} is not a chapter name (NN_slug)")
    return int(match.group(1))


def saved_definitions(source: str, *, chapter: str) -> list[tuple[str, str]]:
    """``(name, kind)`` of the top-level definitions of one marked cell, after checking them."""
    number = _chapter_number(chapter)
    body = "\n".join(source.splitlines()[1:]) if source.lstrip().startswith(MARKER) else source
    try:
        tree = ast.parse(body)
    except SyntaxError as exc:
        raise ExportError(f"{chapter}: a cell marked {MARKER!r} does not parse: {exc}") from None
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            doc = ast.get_docstring(node) or ""
            if not re.search(rf"\bchapter {number}\b", doc, flags=re.IGNORECASE):
                raise ExportError(
                    f"{chapter}: {node.name} is exported ({MARKER}) but its docstring does not name "
                    f"its chapter; add e.g. '(chapter {number})' to the docstring")
            found.append((node.name, "class" if isinstance(node, ast.ClassDef) else "function"))
        elif isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):
            raise ExportError(f"{chapter}: a cell marked {MARKER!r} may define and import, not run "
                              f"code (line {node.lineno}: {ast.unparse(node)[:60]!r})")
    return found


def generate(scripts: Sequence[Path] | None = None) -> str:
    """The text of :mod:`finbook.lessons` for the given chapter scripts (default: all, in order)."""
    if scripts is None:
        scripts = sorted(paths.CHAPTERS_DIR.glob("[0-9][0-9]_*.py"))
    blocks, seen = [_HEADER], {}
    for script in scripts:
        chapter = Path(script).stem
        for index, code in saved_cells(Path(script).read_text(encoding="utf-8")):
            for name, _ in saved_definitions(code, chapter=chapter):
                if name in seen:
                    raise ExportError(f"{name} is exported twice: by {seen[name]} and by {chapter}; "
                                      "define it once and import it in the later chapter")
                seen[name] = chapter
            blocks.append(f"\n# {'-' * 70}\n# chapters/{chapter}.py, code cell {index}\n{code}\n")
    return "".join(blocks)


def write(scripts: Sequence[Path] | None = None) -> Path:
    """Regenerate :mod:`finbook.lessons`; return its path."""
    path = lessons_path()
    path.write_text(generate(scripts), encoding="utf-8")
    return path
