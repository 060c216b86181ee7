"""The chapter pipeline: find chapters, keep each notebook and its script in sync,
execute them deterministically, run them with other parameters, and time them.

Each chapter is ``chapters/NN_slug.ipynb`` (executed, with outputs) paired by
jupytext with ``chapters/NN_slug.py`` (py:percent). The command line in
:mod:`finbook.book.cli` is a thin layer over the functions here; the glued
headline values the chapters share are in :mod:`finbook.book.headline`.

Example
-------
>>> from finbook.book import pipeline
>>> [p.name for p in pipeline.chapter_paths()][:1]  # doctest: +SKIP
['01_background.ipynb']
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from finbook import paths
from finbook.paths import ROOT

__all__ = [
    "BenchResult",
    "ChapterError",
    "ParameterError",
    "SyncConflict",
    "benchmark",
    "chapter_parameters",
    "chapter_paths",
    "coerce_parameters",
    "execute_notebook",
    "find_chapter",
    "kernel_environment",
    "pair_problems",
    "record_machine",
    "strip_execution_metadata",
    "sync_pair",
]

#: Seconds a single chapter may take before the benchmark flags it.
NOTEBOOK_BUDGET_S = 120.0
#: Seconds the whole book may take before the benchmark flags it.
BOOK_BUDGET_S = 900.0
#: Keys that papermill and Jupyter add on every run and that change every run.
_VOLATILE_CELL_METADATA = ("papermill", "execution")
_VOLATILE_NOTEBOOK_METADATA = ("papermill",)


class ChapterError(ValueError):
    """A chapter name that matches no chapter, or matches several."""


class ParameterError(ValueError):
    """An unknown parameter, or a value that does not fit the parameter's type."""


class SyncConflict(RuntimeError):
    """Both sides of a notebook/script pair were edited; syncing would lose work."""


# --------------------------------------------------------------------------- chapters
def chapter_paths(directory: Path | None = None) -> list[Path]:
    """Return every chapter notebook (``NN_slug.ipynb``) in book order."""
    directory = paths.CHAPTERS_DIR if directory is None else Path(directory)
    return sorted(
        p
        for p in directory.glob("[0-9][0-9]_*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )


def _chapter_names(chapters: Sequence[Path]) -> str:
    return ", ".join(p.stem for p in chapters) or "(none)"


def find_chapter(name: str | os.PathLike[str], directory: Path | None = None) -> Path:
    """Resolve a chapter given as ``03``, ``03_cnn``, ``cnn``, or a path.

    Raises :class:`ChapterError` naming every valid chapter when ``name`` matches
    none of them or more than one.

    Example
    -------
    >>> find_chapter("nonexistent")  # doctest: +SKIP
    Traceback (most recent call last):
    ChapterError: unknown chapter 'nonexistent'; valid chapters are: 01_background, ...
    """
    directory = paths.CHAPTERS_DIR if directory is None else Path(directory)
    found = chapter_paths(directory)
    raw = str(name)
    candidate = Path(raw)
    if candidate.suffix in {".ipynb", ".py"} and candidate.with_suffix(".ipynb").exists():
        resolved = candidate.with_suffix(".ipynb").resolve()
        for p in found:
            if p.resolve() == resolved:
                return p
        raise ChapterError(
            f"{raw!r} is a notebook but not a chapter of the book (chapters live in "
            f"{directory.name}/ and are named NN_slug.ipynb); valid chapters are: "
            f"{_chapter_names(found)}"
        )
    key = candidate.stem if candidate.suffix in {".ipynb", ".py"} else raw
    exact = [p for p in found if p.stem == key]
    if exact:
        return exact[0]
    matches = [p for p in found if p.stem.split("_", 1)[0] == key or p.stem.split("_", 1)[1] == key]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ChapterError(f"chapter {raw!r} is ambiguous: it matches {_chapter_names(matches)}")
    raise ChapterError(f"unknown chapter {raw!r}; valid chapters are: {_chapter_names(found)}")


# --------------------------------------------------------------------------- parameters
def chapter_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """Return the parameters a chapter declares in its ``parameters`` cell.

    Each entry maps the parameter's name to ``{"type": ..., "default": ...,
    "help": ...}``, as papermill infers them from the cell.
    """
    import papermill  # noqa: PLC0415 - slow import, only when needed

    found = papermill.inspect_notebook(str(path))
    return {
        name: {
            "type": _type_of(info["inferred_type_name"], info["default"]),
            "default": info["default"],
            "help": info["help"],
        }
        for name, info in found.items()
    }


def _type_of(annotated: str, default: str) -> str:
    """The parameter's type: its annotation if any, else the type of its default value."""
    if annotated and annotated != "None":
        return annotated
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError):
        return "str"
    return type(value).__name__


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _coerce(name: str, kind: str, default: str, value: str) -> Any:
    expected = f"parameter {name} expects {kind} (default {default})"
    if kind == "int":
        try:
            return int(value)
        except ValueError:
            raise ParameterError(f"{expected}, got {value!r}") from None
    if kind == "float":
        try:
            return float(value)
        except ValueError:
            raise ParameterError(f"{expected}, got {value!r}") from None
    if kind == "bool":
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ParameterError(f"{expected}: use true or false, got {value!r}")
    if kind in {"list", "tuple", "dict"}:
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = None
        if isinstance(parsed, list | tuple) and kind in {"list", "tuple"}:
            return list(parsed) if kind == "list" else tuple(parsed)
        if isinstance(parsed, dict) and kind == "dict":
            return parsed
        raise ParameterError(f"{expected}: write a Python {kind} literal, e.g. "
                             f"{'(1, 2)' if kind == 'tuple' else '[1, 2]' if kind == 'list' else '{}'}"
                             f", got {value!r}")
    return value


def coerce_parameters(path: Path, pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Check ``(name, value)`` pairs against a chapter's parameters and convert them.

    Raises :class:`ParameterError` for an unknown name (listing the valid ones
    with their types and defaults) or a value that does not parse as the
    parameter's type.

    Example
    -------
    >>> coerce_parameters(find_chapter("99_appendix_reproducibility"), [("SEED", "7")])  # doctest: +SKIP
    {'SEED': 7}
    """
    declared = chapter_parameters(path)
    valid = ", ".join(
        f"{n} ({d['type']}, default {d['default']})" for n, d in declared.items()
    ) or "(this chapter has no parameters cell)"
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name not in declared:
            raise ParameterError(
                f"unknown parameter {name!r} for chapter {path.stem}; valid parameters: {valid}"
            )
        info = declared[name]
        out[name] = _coerce(name, info["type"], info["default"], value)
    return out


# --------------------------------------------------------------------------- sync
def _cells_of(path: Path) -> list[tuple[str, str]]:
    import jupytext  # noqa: PLC0415

    nb = jupytext.read(path)
    return [(c.cell_type, c.source.strip(), tuple(sorted(c.metadata.get("tags", [])))) for c in nb.cells]


def _copy_tags(py_path: Path, nb_path: Path) -> None:
    """Give each notebook cell the tags of its .py cell (``jupytext --update`` keeps the old ones)."""
    import jupytext  # noqa: PLC0415

    script = jupytext.read(py_path)
    nb = nbformat.read(nb_path, as_version=4)
    if len(script.cells) != len(nb.cells):
        return
    changed = False
    for src, cell in zip(script.cells, nb.cells, strict=True):
        tags = list(src.metadata.get("tags", []))
        if sorted(tags) != sorted(cell.metadata.get("tags", [])):
            if tags:
                cell.metadata["tags"] = tags
            else:
                cell.metadata.pop("tags", None)
            changed = True
    if changed:
        nbformat.write(nb, nb_path)


def _git_modified(path: Path) -> bool | None:
    """True if git tracks ``path`` and it has uncommitted edits; None if git cannot tell.

    An untracked file (a chapter being written, whose notebook was generated
    from its script) does not count as edited: syncing it from the newer side
    loses nothing that was ever committed.
    """
    try:
        res = subprocess.run(
            ["git", "status", "--porcelain", "--", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    status = res.stdout.strip()
    return bool(status) and not status.startswith("??")


def sync_pair(path: Path) -> str:
    """Bring a chapter's ``.ipynb`` and ``.py`` into agreement, in the safe direction.

    * contents already agree: nothing is written (``"in sync"``);
    * the ``.py`` is missing: it is created from the notebook;
    * they disagree: the side edited more recently wins and the other is
      updated (outputs of unchanged cells are kept);
    * they disagree and git shows uncommitted edits on *both* sides: nothing is
      written and :class:`SyncConflict` says how to resolve it.

    Returns a short description of what was done.
    """
    from jupytext.cli import jupytext as jupytext_cli  # noqa: PLC0415

    nb_path = Path(path).with_suffix(".ipynb")
    py_path = nb_path.with_suffix(".py")
    if not nb_path.exists() and not py_path.exists():
        raise ChapterError(f"neither {nb_path.name} nor {py_path.name} exists")
    if not py_path.exists():
        jupytext_cli(["--quiet", "--to", "py:percent", str(nb_path)])
        return f"created {py_path.name} from {nb_path.name}"
    if not nb_path.exists():
        jupytext_cli(["--quiet", "--to", "ipynb", str(py_path)])
        _ensure_kernelspec(nb_path)
        return f"created {nb_path.name} from {py_path.name}"
    if _cells_of(nb_path) == _cells_of(py_path):
        return "in sync"
    if _git_modified(nb_path) and _git_modified(py_path):
        raise SyncConflict(
            f"{nb_path.name} and {py_path.name} differ and both have uncommitted edits; "
            f"keep one side (e.g. `git checkout -- {py_path.name}`) or merge by hand, "
            "then run the command again"
        )
    newer_py = py_path.stat().st_mtime >= nb_path.stat().st_mtime
    if newer_py:
        jupytext_cli(["--quiet", "--to", "ipynb", "--update", str(py_path)])
        _copy_tags(py_path, nb_path)
        _ensure_kernelspec(nb_path)
        return f"updated {nb_path.name} from {py_path.name} (the newer side)"
    jupytext_cli(["--quiet", "--to", "py:percent", str(nb_path)])
    return f"updated {py_path.name} from {nb_path.name} (the newer side)"


def pair_problems(notebooks: Sequence[Path]) -> list[str]:
    """Describe every chapter whose ``.ipynb`` and ``.py`` disagree, without writing anything.

    Returns one line per problem (a missing twin, or differing cells); an empty
    list means every pair is in sync. Used by ``python -m finbook check`` and
    the pre-commit hook.
    """
    problems = []
    for nb_path in notebooks:
        py_path = nb_path.with_suffix(".py")
        if not py_path.exists():
            problems.append(f"{nb_path.name}: no paired {py_path.name}")
        elif _cells_of(nb_path) != _cells_of(py_path):
            problems.append(f"{nb_path.name} and {py_path.name} differ: run "
                            f"`python -m finbook execute {nb_path.stem}`")
    return problems


def _ensure_kernelspec(nb_path: Path) -> None:
    nb = nbformat.read(nb_path, as_version=4)
    if "kernelspec" not in nb.metadata:
        nb.metadata["kernelspec"] = {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        }
        nbformat.write(nb, nb_path)


# --------------------------------------------------------------------------- execution
def kernel_environment() -> dict[str, str]:
    """Environment variables every kernel must run with for identical outputs.

    ``PYTHONHASHSEED`` fixes the iteration order of sets of strings;
    ``TF_CPP_MIN_LOG_LEVEL`` keeps TensorFlow's C++ log lines out of outputs;
    ``ONEDNN_MAX_CPU_ISA`` caps TensorFlow's oneDNN kernels at AVX2 (unless it is
    already set), so that machines with and without AVX-512 run the same kernels
    (see :data:`finbook.repro.ONEDNN_ISA`). The test suite (conftest.py) sets the
    same values before it starts any kernel.
    """
    from finbook.repro import ONEDNN_ISA  # noqa: PLC0415

    return {"PYTHONHASHSEED": "0", "TF_CPP_MIN_LOG_LEVEL": "3",
            "ONEDNN_MAX_CPU_ISA": os.environ.get("ONEDNN_MAX_CPU_ISA", ONEDNN_ISA)}


def strip_execution_metadata(path: Path) -> None:
    """Remove the run-specific metadata papermill writes (timestamps, durations)."""
    nb = nbformat.read(path, as_version=4)
    for key in _VOLATILE_NOTEBOOK_METADATA:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in _VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    nbformat.write(nb, path)



def _register_tuple_translator() -> None:
    """Make papermill write a tuple parameter as a tuple literal (it writes ``"(4, 16)"``, a string).

    ``run -p WIDTHS "(8, 32)"`` type-checks the value as a tuple; without this the chapter
    would receive the string. Lists, dicts and scalars are written as papermill writes them.
    """
    from papermill.translators import PythonTranslator, papermill_translators  # noqa: PLC0415

    class TupleAwareTranslator(PythonTranslator):
        @classmethod
        def translate(cls, val: Any) -> str:
            if isinstance(val, tuple):
                return "(" + "".join(f"{cls.translate(v)}, " for v in val).rstrip(" ") + ")"
            return super().translate(val)

    papermill_translators.register("python", TupleAwareTranslator)


def execute_notebook(
    path: Path,
    output: Path | None = None,
    parameters: dict[str, Any] | None = None,
    *,
    progress: bool = True,
) -> float:
    """Execute a notebook top to bottom with papermill and return the wall time (s).

    With ``output=None`` the notebook is executed in place: it runs into a
    temporary file first, and the committed notebook is replaced only when every
    cell succeeded. On failure the partly executed copy is kept beside the
    error message and the original is left untouched.
    """
    import papermill  # noqa: PLC0415

    path = Path(path)
    for key, value in kernel_environment().items():
        os.environ[key] = value
    in_place = output is None
    target = Path(output) if output is not None else path
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".ipynb", prefix=f"{path.stem}-")
    os.close(fd)
    tmp = Path(tmp_name)
    start = time.perf_counter()
    _register_tuple_translator()
    try:
        papermill.execute_notebook(
            str(path),
            str(tmp),
            parameters=parameters or {},
            kernel_name="python3",
            progress_bar=progress,
            request_save_on_cell_execute=False,
            cwd=str(path.parent),
        )
    except Exception as exc:
        raise RuntimeError(
            f"{path.name} failed to execute ({type(exc).__name__}); the partly executed "
            f"notebook is at {tmp} and {target.name} was not changed"
        ) from exc
    elapsed = time.perf_counter() - start
    if in_place:
        strip_execution_metadata(tmp)
    record_machine(tmp)
    shutil.move(str(tmp), str(target))
    return elapsed


_MACHINE: dict[str, Any] = {}


def record_machine(path: Path) -> None:
    """Store where the notebook was executed in ``metadata.finbook.executed_on``.

    CPU, instruction sets and kernels in use, thread counts and package versions
    (:func:`finbook.book.machine.machine_record`, probed once per process): in
    the metadata, not the outputs, so that a difference can be traced and the
    notebook check knows when it may compare exactly.
    """
    from finbook.book.machine import machine_record  # noqa: PLC0415

    if not _MACHINE:
        _MACHINE.update(machine_record())
    nb = nbformat.read(path, as_version=4)
    nb.metadata.setdefault("finbook", {})["executed_on"] = dict(_MACHINE)
    nbformat.write(nb, path)


# --------------------------------------------------------------------------- benchmark
@dataclass(frozen=True)
class BenchResult:
    """Wall time (s) and peak resident memory (MiB) of one chapter's execution."""

    chapter: str
    seconds: float
    peak_mib: float
    ok: bool


def _run_measured(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, peak RSS MiB of it and its children, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        proc.stderr.close()
    # On Linux ru_maxrss is in KiB and covers the largest waited-for descendant.
    return elapsed, usage.ru_maxrss / 1024.0, proc.returncode


def benchmark(
    notebooks: Sequence[Path],
    *,
    on_result: Callable[[BenchResult], None] | None = None,
) -> list[BenchResult]:
    """Re-execute each notebook into a temporary folder and measure it.

    Each notebook runs in its own process (papermill and its kernel), so the
    peak memory is that chapter's alone. Committed notebooks are not touched.
    """
    env = {**os.environ, **kernel_environment()}
    results = []
    with tempfile.TemporaryDirectory(prefix="finbook-bench-") as tmpdir:
        for path in notebooks:
            out = Path(tmpdir) / path.name
            argv = [
                sys.executable,
                "-m",
                "papermill",
                str(path),
                str(out),
                "--kernel",
                "python3",
                "--cwd",
                str(path.parent),
                "--no-progress-bar",
                "--no-request-save-on-cell-execute",
            ]
            seconds, peak, code = _run_measured(argv, env)
            result = BenchResult(path.stem, seconds, peak, code == 0)
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results
