"""pytest plugin: re-execute every notebook and compare its outputs with the committed ones.

``pytest --nbcheck`` collects each ``.ipynb`` it is pointed at (the book's
``chapters/``), executes it once in a fresh kernel (nbclient, the notebook's own
folder as working directory, the current environment) and makes one test per
code cell that compares the new outputs with the committed ones:

* **exact** when this machine's :func:`finbook.book.machine.fingerprint` equals
  the one stored in the notebook's metadata when it was executed (same CPU,
  same kernels, same packages): every output must agree character for
  character, as nbval's strict mode did;
* **within tolerance** otherwise: words, table structure, counts and dates
  exactly; numbers within the tolerance the cell states in a
  ``# tolerance:`` comment, plus one unit in their last shown digit
  (:mod:`finbook.book.compare`).

``--nbcheck-mode=exact|tolerant`` forces one of the two. A cell tagged
``nbval-ignore-output`` (a timing, say; its source must say why) is executed
but not compared. Images and HTML are not compared; the text beside them is.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from finbook.book import compare, machine

IGNORE_TAG = "nbval-ignore-output"
_RECORD = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nbcheck", "re-execute notebooks and compare their outputs")
    group.addoption("--nbcheck", action="store_true",
                    help="collect .ipynb files: re-execute each and compare every cell's outputs")
    group.addoption("--nbcheck-mode", choices=("auto", "exact", "tolerant"), default="auto",
                    help="exact: every character; tolerant: numbers within each cell's "
                         "'# tolerance:'; auto (default): exact when the notebook was executed "
                         "on a machine with this machine's fingerprint")
    group.addoption("--nbcheck-timeout", type=float, default=900.0,
                    help="seconds one cell may run (default 900)")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if (parent.config.getoption("nbcheck") and file_path.suffix == ".ipynb"
            and ".ipynb_checkpoints" not in file_path.parts):
        return NotebookFile.from_parent(parent, path=file_path)
    return None


def current_record(config: pytest.Config) -> dict[str, Any]:
    """This machine's record, probed once per test session."""
    if _RECORD not in config.stash:
        config.stash[_RECORD] = machine.machine_record()
    return config.stash[_RECORD]


def committed_record(nb: nbformat.NotebookNode) -> dict[str, Any] | None:
    return nb.metadata.get("finbook", {}).get("executed_on")


def comparison_mode(config: pytest.Config, nb: nbformat.NotebookNode) -> tuple[str, str]:
    """``("exact" | "tolerant", why)`` for this notebook on this machine."""
    forced = config.getoption("nbcheck_mode")
    if forced != "auto":
        return forced, f"--nbcheck-mode={forced}"
    stored = committed_record(nb)
    if stored is None:
        return "tolerant", "the notebook records no machine (metadata.finbook.executed_on)"
    mine, theirs = machine.fingerprint(current_record(config)), machine.fingerprint(stored)
    if mine == theirs:
        return "exact", "executed on a machine with this machine's fingerprint"
    changed = [k for k in mine if mine[k] != theirs.get(k)]
    return "tolerant", "this machine differs from the one that executed it in: " + ", ".join(changed)


class NotebookFile(pytest.File):
    """One notebook: executed once, on first use, by the first of its cells' tests."""

    def collect(self):
        self.committed = nbformat.read(self.path, as_version=4)
        self._executed: nbformat.NotebookNode | None = None
        self._failure: str | None = None
        for index, cell in enumerate(self.committed.cells):
            if cell.cell_type == "code" and cell.source.strip():
                compare.parse_tolerance(cell.source)  # a bad comment fails at collection
                yield CellItem.from_parent(self, name=f"Cell {index}", index=index)

    def executed(self) -> nbformat.NotebookNode:
        if self._executed is None and self._failure is None:
            from nbclient import NotebookClient  # noqa: PLC0415
            from nbclient.exceptions import CellTimeoutError, DeadKernelError  # noqa: PLC0415

            nb = copy.deepcopy(self.committed)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs = []
            client = NotebookClient(
                nb, timeout=self.config.getoption("nbcheck_timeout"), kernel_name="python3",
                allow_errors=True, resources={"metadata": {"path": str(self.path.parent)}})
            try:
                client.execute()
            except (CellTimeoutError, DeadKernelError, RuntimeError) as exc:
                self._failure = f"{self.path.name} could not be executed: {type(exc).__name__}: {exc}"
            self._executed = nb
            self.mode, self.mode_reason = comparison_mode(self.config, self.committed)
        if self._failure is not None:
            pytest.fail(self._failure, pytrace=False)
        assert self._executed is not None
        return self._executed


class CellMismatch(AssertionError):
    """The re-executed cell's outputs do not match the committed ones."""


class CellItem(pytest.Item):
    def __init__(self, *, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index

    def runtest(self) -> None:
        parent: NotebookFile = self.parent  # type: ignore[assignment]
        executed = parent.executed()
        expected = parent.committed.cells[self.index]
        got = executed.cells[self.index]
        where = f"{self.path.name} cell {self.index} ({_first_line(expected.source)})"
        if IGNORE_TAG in expected.metadata.get("tags", []):
            errors = [o for o in got.outputs if o.output_type == "error"]
            if errors:
                raise CellMismatch(f"{where}: raised {errors[0].ename}: {errors[0].evalue}")
            return
        if parent.mode == "exact":
            diffs = _exact(got, expected, where)
        else:
            diffs = compare.compare_cell(got, expected, where)
        if diffs:
            raise CellMismatch(
                f"{len(diffs)} difference(s), compared {parent.mode}ly ({parent.mode_reason}); "
                f"tolerance: {compare.parse_tolerance(expected.source).describe()}\n"
                + "\n".join(f"  - {d}" for d in diffs[:20]))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:
        if isinstance(excinfo.value, CellMismatch):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}::{self.name}"


def _first_line(source: str) -> str:
    line = next((ln for ln in source.splitlines() if ln.strip()), "")
    return line[:60] + ("..." if len(line) > 60 else "")


def _exact(got: nbformat.NotebookNode, expected: nbformat.NotebookNode,
           where: str) -> list[compare.Difference]:
    a, b = compare.normalise_outputs(got.outputs), compare.normalise_outputs(expected.outputs)
    if [(o.kind, o.glue, o.text) for o in a] == [(o.kind, o.glue, o.text) for o in b]:
        return []
    if len(a) != len(b):
        return [compare.Difference(where, "different outputs", json.dumps([o.kind for o in a]),
                                   json.dumps([o.kind for o in b]))]
    out = []
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        if (x.kind, x.glue, x.text) != (y.kind, y.glue, y.text):
            g, e = compare._shorten(x.text, y.text)  # noqa: SLF001
            out.append(compare.Difference(f"{where}, output {k + 1}", "differs (exact comparison)", g, e))
    return out
