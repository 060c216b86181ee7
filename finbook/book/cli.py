"""Command line: ``python -m finbook COMMAND`` (or ``finbook COMMAND``).

Commands
--------
chapters                         list the chapters and the parameters each accepts
execute [CHAPTER ...]            sync each .ipynb/.py pair, re-execute in place (all when none named)
run CHAPTER -p NAME VALUE ...     run one chapter with other parameters into --output DIR
bench [CHAPTER ...]              re-execute into a temporary folder; time and peak memory per chapter
data                             list the datasets and verify every committed file
check                            check (without writing) that every .ipynb/.py pair agrees
crosscheck [CHAPTER ...]         re-execute with other CPU kernels forced; compare within tolerance
export [--check]                 write finbook/lessons.py from the chapters' cells marked "# @save"
glue [CHAPTER ...] [--check]     move glue(...) calls out of the code a reader sees into glue cells
sweep CHAPTER... -p NAME 0..19    run chapters over a parameter grid on Dask; tabulate their headlines
pretrain NAME [--seeds 0..4]     pretrain a chapter's model (23: patch, pfn; 18: scale_w4..256;
                                 15: option_plain, option_2d, option_dml, option_poly4)
build [--edition full|student|pdf|student-pdf]
                                 build the book (student: every exercise, no solution; pdf: one PDF)

Every error names what was wrong and what would be valid, and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from finbook import paths
from finbook.book import pipeline as notebooks
from finbook.book.export import ExportError
from finbook.paths import ROOT

__all__ = ["crosscheck_environment", "main"]


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _resolve(names: Sequence[str]) -> list[Path]:
    return [notebooks.find_chapter(n) for n in names] if names else notebooks.chapter_paths()


def _cmd_chapters(args: argparse.Namespace) -> int:
    for path in notebooks.chapter_paths():
        params = notebooks.chapter_parameters(path)
        shown = ", ".join(f"{n}={d['default']} ({d['type']})" for n, d in params.items())
        print(f"{path.stem:40s} {shown or '-'}")
    return 0


def _cmd_execute(args: argparse.Namespace) -> int:
    paths = _resolve(args.chapters)
    total = 0.0
    for i, path in enumerate(paths, 1):
        print(f"[{i}/{len(paths)}] {_rel(path)}: {notebooks.sync_pair(path)}", flush=True)
        seconds = notebooks.execute_notebook(path, progress=not args.quiet)
        total += seconds
        print(f"[{i}/{len(paths)}] {_rel(path)}: executed in {seconds:.1f} s", flush=True)
    print(f"executed {len(paths)} notebook(s) in {total:.1f} s")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    path = notebooks.find_chapter(args.chapter)
    params = notebooks.coerce_parameters(path, args.param or [])
    out_dir = Path(args.output)
    if out_dir.resolve() == paths.CHAPTERS_DIR.resolve():
        raise notebooks.ParameterError(
            "--output must not be the chapters/ folder: `run` never overwrites the committed "
            "notebooks (use `execute` to re-execute them)"
        )
    target = out_dir / path.name
    if target.exists() and not args.force:
        raise FileExistsError(f"{_rel(target)} exists; choose another --output or pass --force")
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "default parameters"
    print(f"running {path.stem} with {shown} -> {_rel(target)}", flush=True)
    seconds = notebooks.execute_notebook(path, output=target, parameters=params, progress=not args.quiet)
    print(f"done in {seconds:.1f} s: {_rel(target)}")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    paths = _resolve(args.chapters)
    print(f"{'chapter':40s} {'seconds':>8s} {'peak MiB':>9s}  flag", flush=True)

    def show(r: notebooks.BenchResult) -> None:
        flag = "FAILED" if not r.ok else ("OVER 120 s" if r.seconds > notebooks.NOTEBOOK_BUDGET_S else "")
        print(f"{r.chapter:40s} {r.seconds:8.1f} {r.peak_mib:9.0f}  {flag}", flush=True)

    results = notebooks.benchmark(paths, on_result=show)
    total = sum(r.seconds for r in results)
    over = total > notebooks.BOOK_BUDGET_S
    print(f"{'total':40s} {total:8.1f} {max((r.peak_mib for r in results), default=0):9.0f}  "
          f"{f'OVER {notebooks.BOOK_BUDGET_S / 60:.0f} min' if over else ''}")
    if args.save:
        _save_bench(results, Path(args.save))
        print(f"saved {_rel(Path(args.save))}")
    failed = [r.chapter for r in results if not r.ok]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _save_bench(results: Sequence[notebooks.BenchResult], path: Path) -> None:
    import pandas as pd  # noqa: PLC0415

    from finbook.repro import environment_report  # noqa: PLC0415

    env = environment_report(("tensorflow-cpu",)).set_index("item")["value"]
    table = pd.DataFrame(
        {
            "chapter": [r.chapter for r in results],
            "seconds": [round(r.seconds, 1) for r in results],
            "peak_mib": [round(r.peak_mib) for r in results],
            "cpu": env["CPU"],
            "cores": env["CPU cores (logical)"],
            "python": env["Python"],
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)


def _cmd_check(args: argparse.Namespace) -> int:
    from finbook.book import gluecells  # noqa: PLC0415

    chapters = notebooks.chapter_paths()
    problems = notebooks.pair_problems(chapters)
    for path in chapters:
        problems += gluecells.twin_problems(path.with_suffix(".py"))
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        return 1
    print(f"all {len(chapters)} chapter pairs in sync; no glue call in the code a reader sees")
    return 0


def _cmd_glue(args: argparse.Namespace) -> int:
    from finbook.book import gluecells  # noqa: PLC0415

    paths_ = _resolve(args.chapters)
    status = 0
    for path in paths_:
        twin = path.with_suffix(".py")
        if args.check:
            problems = gluecells.twin_problems(twin)
            for line in problems:
                print(line, file=sys.stderr)
            status = status or int(bool(problems))
            continue
        report = gluecells.tidy_twin(twin)
        for line in report.kept:
            print(f"kept: {line} (move it by hand)", file=sys.stderr)
            status = 1
        if report.moved or report.tagged:
            print(f"{_rel(twin)}: moved {report.moved} glue statement(s), tagged {report.tagged} "
                  f"cell(s); now run `python -m finbook execute {path.stem}`")
    if args.check and not status:
        print(f"no glue call in the code a reader sees ({len(paths_)} chapter(s))")
    return status


def crosscheck_environment(onednn: str, openblas: str) -> dict[str, str]:
    """Environment variables that make this CPU compute as another one would.

    ``onednn`` is a oneDNN ISA name (e.g. ``SSE41``); ``openblas`` an OpenBLAS
    core name, or ``auto``: ``SkylakeX`` where the CPU has AVX-512 and OpenBLAS
    runs another family, else ``Sandybridge`` (AVX, no FMA: every AVX2 CPU runs it).
    """
    from finbook.book.machine import machine_record  # noqa: PLC0415

    if openblas == "auto":
        record = machine_record(probe_onednn=False)
        families = " ".join(record["openblas"].values())
        openblas = ("SkylakeX" if "avx512f" in record["simd"] and "SkylakeX" not in families
                    else "Sandybridge")
    return {"ONEDNN_MAX_CPU_ISA": onednn, "OPENBLAS_CORETYPE": openblas}


def _cmd_crosscheck(args: argparse.Namespace) -> int:
    import os  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    paths_ = _resolve(args.chapters)
    env = crosscheck_environment(args.onednn, args.openblas)
    shown = " ".join(f"{k}={v}" for k, v in env.items())
    print(f"re-executing {len(paths_)} chapter(s) with {shown}; comparing within each cell's tolerance",
          flush=True)
    argv = [sys.executable, "-m", "pytest", "--nbcheck-mode=tolerant", "-q", "-p", "no:cacheprovider",
            *[str(p) for p in paths_]]
    return subprocess.run(argv, cwd=ROOT, env={**os.environ, **env}, check=False).returncode


def _cmd_export(args: argparse.Namespace) -> int:
    from finbook.book import export  # noqa: PLC0415

    text = export.generate()
    path = export.lessons_path()
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if args.check:
        if text != current:
            print(f"{_rel(path)} disagrees with the chapters' '# @save' cells: run "
                  "`python -m finbook export`", file=sys.stderr)
            return 1
        print(f"{_rel(path)} agrees with the chapters")
        return 0
    if text == current:
        print(f"{_rel(path)} is up to date")
    else:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {_rel(path)}")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from finbook.book import sweep  # noqa: PLC0415 - imports Dask only when needed

    return sweep.command(args)


def _cmd_build(args: argparse.Namespace) -> int:
    from finbook.book import build  # noqa: PLC0415

    if args.edition in ("pdf", "student-pdf"):
        return _build_pdf(args)
    print(f"building the {args.edition} edition (from the committed notebooks; nothing is re-executed)",
          flush=True)
    result = build.build(args.edition, strict=not args.lenient)
    if result.returncode != 0:
        print((result.stdout + result.stderr)[-4000:], file=sys.stderr)
        print(f"the {args.edition} edition failed to build", file=sys.stderr)
        return 1
    print(f"built {_rel(build.output_dir(args.edition) / 'index.html')}")
    return 0


def _build_pdf(args: argparse.Namespace) -> int:
    from finbook.book import pdf  # noqa: PLC0415

    print(f"building the {args.edition} edition: single-page HTML from the committed notebooks, printed "
          "by headless Chromium (offline)", flush=True)
    result = pdf.build_pdf(args.edition, strict=not args.lenient)
    if result.sphinx.returncode != 0:
        print((result.sphinx.stdout + result.sphinx.stderr)[-4000:], file=sys.stderr)
        print(f"the {args.edition} edition failed to build", file=sys.stderr)
        return 1
    printed = result.printed
    if printed.blocked or printed.errors:
        for line in printed.blocked:
            print(f"blocked request (the PDF must build offline): {line}", file=sys.stderr)
        for line in printed.errors:
            print(f"JavaScript error: {line}", file=sys.stderr)
        return 1
    report = pdf.inspect_pdf(result.pdf)
    print(f"HTML in {result.html_seconds:.1f} s, printed in {printed.seconds:.1f} s: "
          f"{printed.documents} pages of the book, {printed.equations} equations; "
          f"{report.pages} PDF pages, {report.images} images")
    print(f"built {_rel(result.pdf)} ({result.pdf.stat().st_size / 2**20:.1f} MiB)")
    return 0


def _cmd_data(args: argparse.Namespace) -> int:
    import pandas as pd  # noqa: PLC0415

    from finbook import data  # noqa: PLC0415

    table = data.list_datasets()[["name", "rows", "columns", "period", "licence", "description"]]
    with pd.option_context("display.width", 250, "display.max_colwidth", 60):
        print(table.to_string(index=False))
    print()
    report = data.verify_all()
    for line in report:
        print(line)
    return 0


def _cmd_pretrain(args: argparse.Namespace) -> int:
    from finbook import pretrain  # noqa: PLC0415

    if args.name not in pretrain.PRETRAINED:
        raise ValueError(f"unknown pretrained model {args.name!r}; known: {sorted(pretrain.PRETRAINED)}")
    if args.seeds is None:  # five seeds, or the one fit of a model with no random seed
        args.seeds = "0" if args.name in pretrain.SEEDLESS else "0..4"
    lo, sep, hi = args.seeds.partition("..")
    try:
        seeds = list(range(int(lo), int(hi) + 1)) if sep else [int(s) for s in args.seeds.split(",")]
    except ValueError as err:
        raise ValueError(f"--seeds must look like 0..4 or 0,2,5, got {args.seeds!r}") from err
    print(f"pretraining {args.name} (chapter {pretrain.PRETRAINED[args.name]}) for seeds {seeds}", flush=True)
    pretrain.run_pretraining(args.name, seeds)
    print(f"wrote weights/{args.name}_seed*.npz, weights/{args.name}_log.csv and weights/manifest.csv")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m finbook",
        description="Build, run and check the chapters of finbook.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("chapters", help="list chapters and their parameters")
    p.set_defaults(func=_cmd_chapters)

    p = sub.add_parser("execute", help="sync and re-execute chapters in place")
    p.add_argument("chapters", nargs="*", metavar="CHAPTER", help="e.g. 03 or 03_cnn (default: all)")
    p.add_argument("--quiet", action="store_true", help="no per-cell progress bar")
    p.set_defaults(func=_cmd_execute)

    p = sub.add_parser("run", help="run one chapter with other parameters into another folder")
    p.add_argument("chapter", metavar="CHAPTER")
    p.add_argument(
        "-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
        help="override a parameter (repeatable), e.g. -p EPOCHS 5",
    )
    p.add_argument("--output", required=True, metavar="DIR", help="folder for the executed copy")
    p.add_argument("--force", action="store_true", help="overwrite an earlier copy in DIR")
    p.add_argument("--quiet", action="store_true", help="no per-cell progress bar")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("bench", help="time every chapter (wall time, peak memory)")
    p.add_argument("chapters", nargs="*", metavar="CHAPTER")
    p.add_argument("--save", metavar="CSV", help="also write the table to this CSV file")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("data", help="list the datasets and verify their checksums")
    p.set_defaults(func=_cmd_data)

    p = sub.add_parser("check", help="check that every notebook agrees with its .py twin")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("build", help="build the book: the full or the student edition, as HTML or one PDF")
    p.add_argument("--edition", choices=("full", "student", "pdf", "student-pdf"), default="full",
                   help="full (default): with solutions, into _build/html; student: without solutions, "
                        "into _build/student/_build/html; pdf: the full edition as one PDF, "
                        "_build/pdf/finbook.pdf; student-pdf: the student edition as one PDF, "
                        "_build/student-pdf/finbook-student.pdf")
    p.add_argument("--lenient", action="store_true", help="do not treat Sphinx warnings as errors")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("export", help="write finbook/lessons.py from the chapters' '# @save' cells")
    p.add_argument("--check", action="store_true", help="only check that it is up to date (exit 1 if not)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("glue", help="move glue(...) calls out of the code a reader sees into glue cells "
                       "(tagged remove-cell) in the chapters' .py twins")
    p.add_argument("chapters", nargs="*", metavar="CHAPTER", help="default: every chapter")
    p.add_argument("--check", action="store_true", help="only report glue calls the page would show (exit 1)")
    p.set_defaults(func=_cmd_glue)

    p = sub.add_parser("crosscheck", help="re-execute with another CPU's kernels forced; compare "
                       "every output within its stated tolerance")
    p.add_argument("chapters", nargs="*", metavar="CHAPTER", help="default: every chapter")
    p.add_argument("--onednn", default="SSE41", metavar="ISA",
                   help="ONEDNN_MAX_CPU_ISA for TensorFlow (default SSE41)")
    p.add_argument("--openblas", default="auto", metavar="CORE",
                   help="OPENBLAS_CORETYPE for NumPy/SciPy (default auto: a family other than this CPU's)")
    p.set_defaults(func=_cmd_crosscheck)

    p = sub.add_parser("pretrain", help="pretrain a chapter's model once per seed; commit its weights, "
                       "log and checksums (weights/)")
    p.add_argument("name", metavar="NAME", help="patch (chapter 23's patch Transformer), pfn (its "
                   "prior-fitted network), scale_w4, scale_w16, scale_w64, scale_w256 (chapter 18's "
                   "pricing networks of that width, trained to convergence), or option_plain, option_2d, "
                   "option_dml (chapter 15's networks trained to convergence), or option_poly4 (its "
                   "four-input polynomial, degree search run to its end)")
    p.add_argument("--seeds", default=None,
                   help="seeds to pretrain: 0..4 (inclusive) or 0,2,5 (default 0..4; 0 for option_poly4, "
                   "which has no random seed)")
    p.set_defaults(func=_cmd_pretrain)

    p = sub.add_parser("sweep", help="run chapters over a grid of parameters on Dask; tabulate their "
                       "headline values")
    p.add_argument("chapters", nargs="+", metavar="CHAPTER", help="e.g. 90 or 90_reproducibility")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUES"),
                   help="values to sweep (repeatable; the grid is their product): 0..19 (inclusive), "
                        "1,5,9, or one value as for `run`")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes of the Dask cluster started on this machine (default 2)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on the Dask cluster behind this scheduler instead, e.g. tcp://HOST:8786")
    p.add_argument("--output", required=True, metavar="DIR",
                   help="folder for the executed copies: DIR/<chapter>/<NAME>=<value>_....ipynb")
    p.add_argument("--table", metavar="CSV", help="also write the table of values to this CSV file")
    p.add_argument("--collect", action="append", metavar="KEY",
                   help="also collect this glued value (repeatable); the headline_* values always are")
    p.add_argument("--force", action="store_true", help="overwrite executed copies of an earlier sweep")
    p.set_defaults(func=_cmd_sweep)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (
        ExportError,
        notebooks.ChapterError,
        notebooks.ParameterError,
        notebooks.SyncConflict,
        FileExistsError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # data errors carry their own advice
        from finbook.data import DataError  # noqa: PLC0415

        if isinstance(exc, DataError):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
