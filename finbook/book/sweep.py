"""Seed sweeps: run chapters over a grid of parameters on Dask and gather their headlines.

``python -m finbook sweep CHAPTER... -p SEED 0..19 [-p NAME VALUE ...] --workers N
[--scheduler ADDRESS] --output DIR [--table CSV] [--collect KEY ...]`` executes every
chapter once per point of the Cartesian product of the ``-p`` values (papermill, through
:func:`finbook.book.pipeline.execute_notebook`) on a Dask cluster: a ``LocalCluster`` of N
single-threaded worker processes on this machine, or the cluster behind a scheduler
address. Each run writes ``DIR/<chapter>/<NAME>=<value>_....ipynb`` (never into
``chapters/``); a run that fails is reported and the others go on. The glued
``headline_*`` values of every run (and any ``--collect`` key) come back as one table,
one row per run, sorted by chapter and parameters whatever order the runs finished in.

Example
-------
>>> expand_values("0..3")
['0', '1', '2', '3']
>>> expand_values("1,5,9")
['1', '5', '9']
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import math
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finbook import paths
from finbook.book import headline, pipeline

if TYPE_CHECKING:  # pandas and dask are imported lazily: the CLI must start fast
    import pandas as pd

__all__ = [
    "Run",
    "RunResult",
    "SweepError",
    "command",
    "expand_values",
    "plan",
    "results_table",
    "run_sweep",
]

_RANGE = re.compile(r"^\s*([+-]?[\w.]+?)\s*\.\.\s*([+-]?[\w.]+)\s*$")
_OPEN, _CLOSE, _QUOTES = "([{", ")]}", "'\""


#: Whether the local cluster's workers are processes (True: N processes of 1 thread each).
#: The tests set it to False: each new worker process probes the machine once
#: (:func:`finbook.book.pipeline.record_machine`, about 20 s), threads share the probe.
LOCAL_PROCESSES = True


class SweepError(ValueError):
    """Bad sweep input (a range, a repeated value or parameter, an output folder, a scheduler)."""


# --------------------------------------------------------------------------- values
def _split_top_level(text: str) -> list[str]:
    """Split at commas outside brackets and quotes, so ``(1, 2),(3, 4)`` is two values."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in _QUOTES:
            quote = ch
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def expand_values(text: str, name: str = "the parameter") -> list[str]:
    """The values one ``-p NAME VALUES`` stands for, as strings (typed later by the chapter).

    ``A..B`` is every whole number from A to B inclusive; ``x,y,z`` is a list (commas
    inside brackets or quotes do not split, so ``(1, 2),(3, 4)`` is two tuples); the two
    combine (``0..4,10``); anything else is one value, as ``python -m finbook run`` takes it.

    Raises :class:`SweepError` for a range whose bounds are not whole numbers or whose
    start exceeds its end, and for an empty item in a list.
    """
    items = _split_top_level(text)
    values: list[str] = []
    for item in items:
        if not item.strip():
            raise SweepError(f"-p {name} {text!r}: empty value in the list; write values separated "
                             "by single commas, e.g. 1,5,9")
        found = _RANGE.match(item)
        if found is None:
            values.append(item.strip() if len(items) > 1 else item)
            continue
        lo_text, hi_text = found.groups()
        try:
            lo, hi = int(lo_text), int(hi_text)
        except ValueError:
            raise SweepError(f"-p {name} {item.strip()!r}: a range A..B needs whole numbers A and B "
                             "(inclusive), e.g. 0..19") from None
        if lo > hi:
            raise SweepError(f"-p {name} {item.strip()!r}: the range is empty because {lo} > {hi}; "
                             f"write the smaller bound first, e.g. {hi}..{lo}")
        values.extend(str(v) for v in range(lo, hi + 1))
    return values


# --------------------------------------------------------------------------- the grid
@dataclass(frozen=True)
class Run:
    """One chapter with one point of the grid, and where its executed copy goes."""

    chapter: Path
    parameters: dict[str, Any]
    output: Path

    @property
    def label(self) -> str:
        shown = " ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"{self.chapter.stem} {shown or '(default parameters)'}"


def _file_part(name: str, value: Any) -> str:
    text = str(value)
    safe = re.sub(r"[^A-Za-z0-9.+-]+", "-", text).strip("-")
    if safe != text:  # two values must never share a file name once cleaned
        safe = f"{safe}-{hashlib.sha1(repr(value).encode()).hexdigest()[:6]}".lstrip("-")
    return f"{name}={safe}"


def _output_name(parameters: dict[str, Any]) -> str:
    return "_".join(_file_part(k, v) for k, v in parameters.items()) or "defaults"


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value)):
        return (0, value)
    return (1, repr(value))


def _run_key(run: Run) -> tuple:
    return (run.chapter.stem, tuple(_sort_key(v) for v in run.parameters.values()))


def plan(chapters: Sequence[str], pairs: Sequence[tuple[str, str]], output: str | Path, *,
         force: bool = False) -> list[Run]:
    """Resolve the chapters, type-check every value and lay out the grid, before anything runs.

    ``pairs`` are the ``-p NAME VALUES`` as given. Every value is checked against each
    chapter's ``parameters`` cell with :func:`finbook.book.pipeline.coerce_parameters`
    (its :class:`~finbook.book.pipeline.ParameterError` names the valid parameters). The
    grid is the Cartesian product of all values, per chapter; runs come sorted by
    chapter, then parameters.

    Raises :class:`SweepError` for a parameter given twice, a value repeated, a chapter
    named twice, an output folder in ``chapters/``, or executed copies that already
    exist (unless ``force``).
    """
    if not chapters:
        raise SweepError("name at least one chapter to sweep, e.g. "
                         "`python -m finbook sweep 90 -p SEED 0..19 --output runs/`")
    out_dir = Path(output)
    chapters_dir = paths.CHAPTERS_DIR.resolve()
    if out_dir.resolve() == chapters_dir or chapters_dir in out_dir.resolve().parents:
        raise SweepError("--output must not be in the chapters/ folder: a sweep never writes beside the "
                         "committed notebooks; choose another folder, e.g. --output runs/")
    names = [name for name, _ in pairs]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SweepError(f"parameter {repeated[0]} is given with -p more than once; list all its values "
                         f"in one -p, e.g. -p {repeated[0]} 0..4,10")
    expanded = [(name, expand_values(text, name)) for name, text in pairs]

    paths_ = [pipeline.find_chapter(c) for c in chapters]
    stems = [p.stem for p in paths_]
    twice = sorted({s for s in stems if stems.count(s) > 1})
    if twice:
        raise SweepError(f"chapter {twice[0]} is named more than once; name each chapter once")

    runs: list[Run] = []
    for path in paths_:
        typed: list[list[tuple[str, Any]]] = []
        for name, values in expanded:
            column = [(name, pipeline.coerce_parameters(path, [(name, v)])[name]) for v in values]
            seen: list[Any] = []
            for (_, value), raw in zip(column, values, strict=True):
                if value in seen:
                    raise SweepError(f"-p {name}: the value {raw!r} repeats an earlier one ({value!r} "
                                     "as the chapter reads it); give each value once")
                seen.append(value)
            typed.append(column)
        for point in itertools.product(*typed):
            params = dict(point)
            runs.append(Run(path, params, out_dir / path.stem / f"{_output_name(params)}.ipynb"))
    runs.sort(key=_run_key)

    existing = [r.output for r in runs if r.output.exists()]
    if existing and not force:
        raise SweepError(f"{len(existing)} executed cop{'y' if len(existing) == 1 else 'ies'} already "
                         f"exist in {out_dir} (e.g. {existing[0]}); choose another --output or pass --force")
    return runs


# --------------------------------------------------------------------------- one run (on a worker)
@dataclass
class RunResult:
    """What one run came to: its values when it succeeded, the error's last line when not."""

    run: Run
    ok: bool
    seconds: float
    values: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    partial: str = ""


def _last_line(exc: BaseException) -> str:
    """The line that says what went wrong: the notebook's exception, else the error's last line."""
    seen: BaseException | None = exc
    while seen is not None:
        if hasattr(seen, "ename") and hasattr(seen, "evalue"):  # papermill's PapermillExecutionError
            return f"{seen.ename}: {seen.evalue}".strip().splitlines()[-1] if seen.evalue else seen.ename
        seen = seen.__cause__
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[-1] if lines else ''}".rstrip(": ")


_PARTIAL = re.compile(r"the partly executed notebook is at (\S+\.ipynb)")
#: Runs in threads of one process take turns: papermill launching two kernels at once from
#: one process failed to start one of them (two of four runs, in the test suite's threaded
#: cluster). Process workers (the default) each hold their own lock, so they run in parallel.
_ONE_KERNEL_PER_PROCESS = threading.Lock()


def execute_run(run: Run) -> RunResult:
    """Execute one run and read back its glued values; never raises for a failing notebook.

    Runs on a Dask worker, so the values are read there: the machine that submitted
    the sweep need not see the worker's disk. A failed run's partly executed notebook
    is moved beside the others as ``<name>.failed.ipynb``.
    """
    start = time.perf_counter()
    try:
        with _ONE_KERNEL_PER_PROCESS:
            seconds = pipeline.execute_notebook(run.chapter, output=run.output, parameters=run.parameters,
                                                 progress=False)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a reported run
        partial = ""
        found = _PARTIAL.search(str(exc))
        if found and Path(found.group(1)).exists():
            target = run.output.with_suffix(".failed.ipynb")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(found.group(1), target)
            partial = str(target)
        return RunResult(run, False, time.perf_counter() - start, error=_last_line(exc), partial=partial)
    stale = run.output.with_suffix(".failed.ipynb")
    if stale.exists():  # a --force rerun that succeeded: the old failure no longer applies
        stale.unlink()
    return RunResult(run, True, seconds, values=headline.glued_values(run.output))


# --------------------------------------------------------------------------- the cluster
def _client(scheduler: str | None, workers: int):
    from distributed import Client, LocalCluster  # noqa: PLC0415

    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=LOCAL_PROCESSES,
                               protocol="tcp://", host="127.0.0.1", dashboard_address=None)
        return Client(cluster), cluster
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise SweepError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with "
                         "`dask scheduler` and give its address, e.g. --scheduler tcp://HOST:8786, "
                         "or leave --scheduler out to run on this machine") from None
    return client, None


def run_sweep(runs: Sequence[Run], *, workers: int = 2, scheduler: str | None = None,
              on_result: Callable[[RunResult, int], None] | None = None) -> list[RunResult]:
    """Run every run on Dask; return their results in the order of ``runs``.

    ``on_result(result, done)`` is called as each run finishes (``done`` runs so far).
    A run that fails, even by taking its worker down, becomes a failed :class:`RunResult`.
    """
    from distributed import as_completed  # noqa: PLC0415

    if scheduler is None and workers < 1:
        raise SweepError(f"--workers must be at least 1, got {workers}")
    client, cluster = _client(scheduler, workers)
    try:
        if scheduler is not None and not client.scheduler_info().get("workers"):
            print(f"the scheduler at {scheduler} has no worker yet; waiting for one to join "
                  "(`dask worker " + scheduler + "`)", file=sys.stderr, flush=True)
            client.wait_for_workers(1)
        futures = {client.submit(execute_run, run, pure=False): i for i, run in enumerate(runs)}
        results: list[RunResult | None] = [None] * len(runs)
        for done, future in enumerate(as_completed(futures), 1):
            i = futures[future]
            if future.status == "finished":
                result = future.result()
            else:  # the task itself died (e.g. its worker was killed): report it like any failure
                exc = future.exception()
                result = RunResult(runs[i], False, float("nan"), error=_last_line(exc))
            results[i] = result
            if on_result is not None:
                on_result(result, done)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [r for r in results if r is not None]


# --------------------------------------------------------------------------- the table
def results_table(results: Iterable[RunResult], collect: Sequence[str] = ()) -> pd.DataFrame:
    """One row per successful run: chapter, its parameters, the ``headline_*`` and collected values.

    Rows are sorted by chapter, then parameters (numbers in numeric order), so the table
    is the same whatever order the runs finished in. A value a run did not glue is missing (NaN).
    """
    import pandas as pd  # noqa: PLC0415

    ok = sorted((r for r in results if r.ok), key=lambda r: _run_key(r.run))
    names: list[str] = []
    for r in ok:
        names += [k for k in r.run.parameters if k not in names]
    keys = [f"headline_{k}" for k in headline.HEADLINE_KEYS] + [k for k in collect if
                                                                 not k.startswith("headline_")]
    reserved = {"chapter", *names}
    rows = []
    for r in ok:
        row: dict[str, Any] = {"chapter": r.run.chapter.stem, **r.run.parameters}
        for key in keys:
            row[key if key not in reserved else f"glued_{key}"] = r.values.get(key)
        rows.append(row)
    columns = ["chapter", *names, *[k if k not in reserved else f"glued_{k}" for k in keys]]
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------- the command
def _shown(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={v!r}" for k, v in params.items()) or "(default parameters)"


def command(args: argparse.Namespace) -> int:
    """``python -m finbook sweep``: plan, run, report, tabulate. Returns the exit status.

    0 when every run succeeded, 1 when any run failed (or a ``--collect`` key was glued
    by no run), 2 for bad input (found before anything runs).
    """
    import pandas as pd  # noqa: PLC0415

    try:
        if args.scheduler is not None and args.workers is not None:
            raise SweepError("--workers sets the size of the cluster started on this machine; with "
                             "--scheduler the workers that joined that scheduler run the chapters, "
                             "so leave --workers out")
        if args.workers is not None and args.workers < 1:
            raise SweepError(f"--workers must be at least 1 (worker processes on this machine), "
                             f"got {args.workers}")
        runs = plan(args.chapters, args.param or [], args.output, force=args.force)
        where = args.scheduler or f"a local Dask cluster of {args.workers or 2} worker process(es)"
        print(f"sweeping {len(runs)} run(s) of {len({r.chapter for r in runs})} chapter(s) on {where} "
              f"-> {args.output}", flush=True)
        width = len(str(len(runs)))

        def show(result: RunResult, done: int) -> None:
            status = "ok" if result.ok else f"failed: {result.error}"
            print(f"[{done:{width}d}/{len(runs)}] {result.run.chapter.stem} {_shown(result.run.parameters)} "
                  f"{result.seconds:.1f} s {status}", flush=True)

        results = run_sweep(runs, workers=args.workers or 2, scheduler=args.scheduler, on_result=show)
    except (SweepError, pipeline.ChapterError, pipeline.ParameterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    collect = list(dict.fromkeys(args.collect or []))
    table = results_table(results, collect)
    print()
    with pd.option_context("display.width", 250, "display.max_columns", None, "display.max_colwidth", 40):
        print(table.to_string(index=False) if len(table) else "(no run succeeded: the table is empty)")
    if args.table:
        target = Path(args.table)
        target.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(target, index=False)
        print(f"wrote {target}")

    status = 0
    glued = sorted({k for r in results if r.ok for k in r.values})
    for key in collect:
        if any(r.ok for r in results) and not any(key in r.values for r in results if r.ok):
            print(f"error: --collect {key}: no run glued it; the runs glued: "
                  f"{', '.join(glued) or '(nothing)'}", file=sys.stderr)
            status = 1
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"\n{len(failed)} of {len(results)} run(s) failed:", file=sys.stderr)
        for r in sorted(failed, key=lambda r: _run_key(r.run)):
            kept = f" (partly executed notebook: {r.partial})" if r.partial else ""
            print(f"  {r.run.chapter.stem} {_shown(r.run.parameters)}: {r.error}{kept}", file=sys.stderr)
        status = 1
    else:
        print(f"all {len(results)} run(s) succeeded")
    return status

