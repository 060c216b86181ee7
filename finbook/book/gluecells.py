"""Glue cells: keep ``glue(...)`` calls out of the code a reader follows.

Every number the prose quotes is glued (``myst_nb.glue``). Written inline, those calls
interrupt the model code a student is meant to read. The rule of the book is that a
code cell a reader sees holds no top-level glue statement: they live in the *glue cell*
right after it, tagged ``remove-cell``. The rendered page drops that cell (myst-nb
collects glued values before it removes cells, so the prose still finds them); the
notebook and its ``.py`` twin keep it, so a student can see where every number comes from.

``tidy`` performs the move on a notebook; ``visible_glue`` lists what breaks the rule
(the test suite and ``python -m finbook tidy-glue --check`` use it). A move is made only
when it cannot change a glued value: a glue statement is moved to the end of its cell
only if no later statement of that cell rebinds or visibly mutates a name it reads, and
a cell whose source cannot be parsed (IPython magics) is reported, never rewritten.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

__all__ = ["GLUE_TAG", "TOLERANCE", "TidyReport", "is_glue_cell", "lost_tolerances", "tidy", "visible_glue"]

GLUE_TAG = "remove-cell"
IGNORE = "nbval-ignore-output"  # the tag of a cell whose outputs are volatile by nature
TOLERANCE = "# tolerance:"  # the first line of a cell whose numbers depend on CPU rounding
_GLUE_FUNCS = {"glue", "glue_headline"}
_MUTATORS = {"append", "extend", "update", "pop", "insert", "remove", "clear", "sort",
             "setdefault", "add", "discard", "popitem", "fit", "partial_fit", "set_weights",
             "compile", "reset_states", "shuffle"}
_SKIP_TAGS = {"parameters", "remove-cell", "raises-exception"}


def _is_glue_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name in _GLUE_FUNCS


def _is_glue_stmt(stmt: ast.stmt) -> bool:
    """A statement whose only effect is to glue: ``glue(...)``, or a loop/if of glue calls
    and the plain assignments that prepare them."""
    if isinstance(stmt, ast.Expr):
        return _is_glue_call(stmt.value)
    if isinstance(stmt, (ast.For, ast.If)) and not (isinstance(stmt, ast.For) and stmt.orelse):
        body = stmt.body + (stmt.orelse if isinstance(stmt, ast.If) else [])
        return _contains_glue(stmt) and all(
            _is_glue_stmt(s) or (isinstance(s, ast.Assign) and not _touched_names(s) - _stored_names(s))
            for s in body)
    return False


def _stored_names(node: ast.AST) -> set[str]:
    """Names a statement binds (assignment targets, loop variables, comprehension variables)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _contains_glue(stmt: ast.stmt) -> bool:
    return any(_is_glue_call(n) for n in ast.walk(stmt))


def _loaded_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _base_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _touched_names(stmt: ast.stmt) -> set[str]:
    """Names a statement may rebind or mutate (an over-approximation)."""
    names: set[str] = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            base = _base_name(node)
            if base:
                names.add(base)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
                base = _base_name(func.value)
                if base:
                    names.add(base)
            if any(k.arg == "inplace" for k in node.keywords) and isinstance(func, ast.Attribute):
                base = _base_name(func.value)
                if base:
                    names.add(base)
            # the book's training loop and Keras' own update the model passed to them
            name = (func.id if isinstance(func, ast.Name)
                    else func.attr if isinstance(func, ast.Attribute) else "")
            if name in {"fit", "fit_autoencoder", "train"} and node.args:
                base = _base_name(node.args[0])
                if base:
                    names.add(base)
    return names


@dataclass
class TidyReport:
    """What ``tidy`` did to one notebook."""

    moved: int = 0                      # glue statements moved into glue cells
    tagged: int = 0                     # cells of glue only, tagged as glue cells
    kept: list[str] = field(default_factory=list)   # why a glue statement stayed where it was


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def is_glue_cell(cell) -> bool:
    """A code cell tagged as a glue cell."""
    return cell.get("cell_type") == "code" and GLUE_TAG in _tags(cell)


def _parse(cell) -> ast.Module | None:
    try:
        return ast.parse(cell["source"])
    except SyntaxError:
        return None


def _segments(lines: list[str], body: list[ast.stmt]) -> list[tuple[int, int]]:
    """Line range [start, end) of each statement, with the comment lines just above it."""
    spans = []
    for stmt in body:
        start, end = stmt.lineno - 1, stmt.end_lineno
        while start > 0 and lines[start - 1].lstrip().startswith("#") and (
                not spans or start - 1 >= spans[-1][1]):
            start -= 1
        spans.append((start, end))
    return spans


def _split(source: str, tree: ast.Module, where: str, report: TidyReport) -> tuple[str, str] | None:
    """(code, glue) sources of a cell, or None when nothing can move safely."""
    body = tree.body
    lines = source.split("\n")
    if len({s.lineno for s in body}) < len(body):
        report.kept.append(f"{where}: two statements on one line")
        return None
    glue_idx = [i for i, s in enumerate(body) if _is_glue_stmt(s)]
    if not glue_idx:
        return None
    movable = []
    for i in glue_idx:
        later = [s for j, s in enumerate(body) if j > i and j not in glue_idx]
        reads = _loaded_names(body[i]) - _stored_names(body[i])
        clash = (reads & set().union(*(_touched_names(s) for s in later))) | (
            _stored_names(body[i]) & set().union(*(_loaded_names(s) for s in later)))
        if clash:
            report.kept.append(f"{where}: line {body[i].lineno} reads {sorted(clash)}, "
                               "changed later in the cell")
        else:
            movable.append(i)
    if not movable:
        return None
    spans = _segments(lines, body)
    glue_lines, code_lines, cursor = [], [], 0
    for i, (start, end) in enumerate(spans):
        code_lines.extend(lines[cursor:start])
        (glue_lines if i in movable else code_lines).extend(lines[start:end])
        cursor = end
    code_lines.extend(lines[cursor:])
    report.moved += len(movable)
    code = "\n".join(code_lines).strip("\n")
    return _tidy_blanks(code), "\n".join(glue_lines).strip("\n")


def _tidy_blanks(code: str) -> str:
    """Collapse the blank runs a move leaves: two blank lines around a def or class, else one."""
    lines = code.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].strip():
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and not lines[j].strip():
            j += 1
        after = lines[j] if j < len(lines) else ""
        before = out[-1] if out else ""
        top_level = after.startswith(("def ", "class ", "@", "async def ")) or before[:1] in (" ", "\t")
        out.extend([""] * min(j - i, 2 if top_level else 1))
        i = j
    return "\n".join(out)


def _only_glue(tree: ast.Module) -> bool:
    return bool(tree.body) and all(_is_glue_stmt(s) for s in tree.body)


def tidy(nb, name: str = "notebook") -> TidyReport:
    """Move the top-level glue statements of ``nb``'s visible code cells into glue cells.

    Edits ``nb`` (an ``nbformat`` notebook) in place; outputs are cleared from every
    cell it splits (the notebook must be executed again). Adjacent glue cells merge.
    """
    import nbformat

    report = TidyReport()
    cells = []
    for index, cell in enumerate(nb.cells):
        where = f"{name} cell {index}"
        if cell.cell_type != "code" or set(_tags(cell)) & _SKIP_TAGS or "# @save" in cell.source:
            cells.append(cell)
            continue
        tree = _parse(cell)
        if tree is None:
            if "glue(" in cell.source:
                report.kept.append(f"{where}: source is not plain Python")
            cells.append(cell)
            continue
        if _only_glue(tree):
            cell.metadata["tags"] = _tags(cell) + [GLUE_TAG]
            report.tagged += 1
            cells.append(cell)
            continue
        split = _split(cell.source, tree, where, report)
        if split is None:
            cells.append(cell)
            continue
        code, glue_src = split
        first = cell.source.lstrip().split("\n", 1)[0]
        if first.startswith(TOLERANCE) and not glue_src.startswith(TOLERANCE):
            glue_src = first + "\n" + glue_src  # the moved values keep their cell's tolerance
        tags = [GLUE_TAG]
        if IGNORE in _tags(cell):  # volatile values (timings) stay unchecked where they move
            tags.append(IGNORE)
            why = [line for line in cell.source.split("\n") if line.startswith(f"# {IGNORE}")]
            if why and not glue_src.startswith(f"# {IGNORE}"):
                glue_src = why[0] + "\n" + glue_src
        cell.source = code
        cell.outputs = []
        cell.execution_count = None
        cells.append(cell)
        cells.append(nbformat.v4.new_code_cell(glue_src, metadata={"tags": tags}))
    merged = []
    for cell in cells:
        if merged and is_glue_cell(cell) and is_glue_cell(merged[-1]) and _tags(merged[-1]) == [GLUE_TAG]:
            merged[-1].source = merged[-1].source.rstrip("\n") + "\n" + cell.source
            merged[-1].outputs = []
            merged[-1].execution_count = None
            continue
        merged.append(cell)
    nb.cells = merged
    return report


def visible_glue(nb, name: str = "notebook") -> list[str]:
    """Top-level glue statements in code cells the rendered page shows."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or set(_tags(cell)) & _SKIP_TAGS:
            continue
        tree = _parse(cell)
        if tree is None:
            continue
        for stmt in tree.body:
            if _is_glue_stmt(stmt):
                found.append(f"{name} cell {index}, line {stmt.lineno}: "
                             f"{ast.get_source_segment(cell.source, stmt).splitlines()[0]}")
    return found


def tidy_twin(py_path) -> TidyReport:
    """Tidy a chapter's ``.py`` twin in place (run ``python -m finbook execute`` after)."""
    from pathlib import Path  # noqa: PLC0415

    import jupytext  # noqa: PLC0415

    path = Path(py_path)
    nb = jupytext.read(path)
    report = tidy(nb, path.name)
    if report.moved or report.tagged:
        jupytext.write(nb, path, fmt="py:percent")
    return report


def twin_problems(py_path) -> list[str]:
    """``visible_glue`` of a chapter's ``.py`` twin, each with the command that fixes it."""
    from pathlib import Path  # noqa: PLC0415

    import jupytext  # noqa: PLC0415

    path = Path(py_path)
    nb = jupytext.read(path)
    return [f"{line} -- a glue call in code the page shows: run `python -m finbook glue {path.stem}`"
            for line in visible_glue(nb, path.name)] + lost_tolerances(nb, path.name)


def lost_tolerances(nb, name: str = "notebook") -> list[str]:
    """Glue cells that follow a cell with a tolerance comment but state none themselves.

    The notebook check compares a cell's outputs within the tolerance on its first line;
    a glue cell split from a cell with one must keep it, or another CPU's last digits fail.
    """
    found, previous = [], None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            previous = None
            continue
        if is_glue_cell(cell):
            if previous is not None and IGNORE in _tags(previous) and IGNORE not in _tags(cell):
                found.append(f"{name} cell {index}: a glue cell after a cell tagged {IGNORE} lacks the "
                             "tag; copy it (and its '# nbval-ignore-output:' reason)")
            if (previous is not None and previous.source.lstrip().startswith(TOLERANCE)
                    and not cell.source.lstrip().startswith(TOLERANCE)):
                first = previous.source.lstrip().splitlines()[0][:60]
                found.append(f"{name} cell {index}: a glue cell after a cell with a tolerance comment "
                             f"has none; copy its first line ({first}...)")
        else:
            previous = cell
    return found
