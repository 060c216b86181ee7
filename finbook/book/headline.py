"""Glued values across chapters: each chapter's headline, and reading glued values back.

A chapter glues its headline (its best deep model against its best classical
baseline) with :func:`glue_headline`; the cross-book pages (model diversity, FAQ,
summary) read the committed chapters back with :func:`glued_values` and
:func:`headline_table`. Only those cross-book pages may read another chapter's
committed notebook.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

from finbook.book.pipeline import chapter_paths

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HEADLINE_KEYS", "SweepAgreement", "glue_headline", "glued_values", "headline_table",
           "sweep_agreement"]


_GLUE_MIME = "application/papermill.record/text/plain"


def glued_values(path: Path) -> dict[str, Any]:
    """Read the values a committed notebook glued with ``myst_nb.glue``.

    Returns ``{key: value}``; numbers, strings, booleans, lists and dicts come
    back as Python objects (from their text representation), anything else as
    its text. Used by chapters that gather other chapters' results (e.g. the
    model-diversity table), so that no number is retyped.

    Example
    -------
    >>> glued_values(find_chapter("90_reproducibility"))["repro_seed"]  # doctest: +SKIP
    2024
    """
    nb = nbformat.read(Path(path), as_version=4)
    values: dict[str, Any] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            data = out.get("data", {})
            text = data.get(_GLUE_MIME, data.get("text/plain"))
            if text is None:
                continue
            try:
                values[meta["name"]] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                values[meta["name"]] = text
    return values


HEADLINE_KEYS = ("task", "metric", "better", "deep_model", "deep_score", "baseline_model",
                 "baseline_score")


def glue_headline(task: str, metric: str, better: str, *, deep_model: str, deep_score: float,
                  baseline_model: str, baseline_score: float) -> None:
    """Glue a chapter's headline: its best deep model against its best classical baseline.

    Writes the seven ``headline_*`` values (see :data:`HEADLINE_KEYS`) with
    ``myst_nb.glue`` from inside the calling notebook cell, in a form
    :func:`headline_table` reads back from the committed notebook. ``better``
    says which way the metric points: ``"higher"`` or ``"lower"``. Scores are
    glued as given; round them first as the chapter reports them.

    Raises ``ValueError`` for an unknown ``better`` or a score that is not a
    finite number, before anything is glued.

    Example
    -------
    >>> glue_headline("German credit", "ROC AUC", "higher", deep_model="MLP",  # doctest: +SKIP
    ...               deep_score=0.78, baseline_model="logistic regression", baseline_score=0.79)
    """
    import math  # noqa: PLC0415
    import numbers  # noqa: PLC0415

    from myst_nb import glue  # noqa: PLC0415

    if better not in {"higher", "lower"}:
        raise ValueError(f"better must be 'higher' or 'lower' (the way the metric improves), got {better!r}")
    for name, score in {"deep_score": deep_score, "baseline_score": baseline_score}.items():
        if isinstance(score, bool) or not isinstance(score, numbers.Real) or not math.isfinite(score):
            raise ValueError(f"{name} must be a finite number, got {score!r}")
    values = {"task": task, "metric": metric, "better": better, "deep_model": deep_model,
              "deep_score": float(deep_score), "baseline_model": baseline_model,
              "baseline_score": float(baseline_score)}
    for key in HEADLINE_KEYS:
        glue(f"headline_{key}", values[key], display=False)


def headline_table(notebooks: Sequence[Path] | None = None) -> pd.DataFrame:
    """One row per chapter that glued ``headline_*`` values: its best deep model against its baseline.

    Reads the committed notebooks (:func:`glued_values`), so no number is retyped.
    Adds ``log_ratio``, a symmetric measure of the deep model's advantage: the
    natural log of the ratio of the two scores, oriented so that a positive value
    means the deep model is better whichever way the metric points
    (``log(deep / baseline)`` for higher-is-better metrics,
    ``log(baseline / deep)`` for lower-is-better ones). A win and a loss by the
    same factor have the same size and opposite signs, unlike a relative
    difference, which caps wins at 100% and leaves losses unbounded. The table
    calls no verdict: whether a difference is real is decided by the test each
    chapter ran.

    Raises ``ValueError`` naming the chapter when a headline is incomplete,
    ``headline_better`` is neither ``"higher"`` nor ``"lower"``, or a score is
    not positive (the log ratio needs positive scores).

    Example
    -------
    A deep model with QLIKE 0.20 against a baseline with 0.25 (lower is better)
    has ``log_ratio = log(0.25 / 0.20) = 0.223``.
    """
    import math  # noqa: PLC0415

    import pandas as pd  # noqa: PLC0415

    rows = []
    for path in chapter_paths() if notebooks is None else notebooks:
        glued = glued_values(path)
        found = {k.removeprefix("headline_"): v for k, v in glued.items() if k.startswith("headline_")}
        if not found:
            continue
        missing = [k for k in HEADLINE_KEYS if k not in found]
        if missing:
            raise ValueError(f"{Path(path).stem}: headline glue is missing {missing}")
        if found["better"] not in {"higher", "lower"}:
            raise ValueError(f"{Path(path).stem}: headline_better must be 'higher' or 'lower', "
                             f"got {found['better']!r}")
        deep, base = float(found["deep_score"]), float(found["baseline_score"])
        if not (deep > 0 and base > 0):
            raise ValueError(f"{Path(path).stem}: scores must be positive for the log ratio, "
                             f"got deep {deep} and baseline {base}")
        sign = 1.0 if found["better"] == "higher" else -1.0
        log_ratio = sign * math.log(deep / base)
        rows.append({"chapter": Path(path).stem, **{k: found[k] for k in HEADLINE_KEYS},
                     "log_ratio": log_ratio})
    return pd.DataFrame(rows)


#: The committed seed sweep, relative to ``chapters/`` (where the chapters run).
SEED_SWEEP = Path("sweeps") / "seed_sweep.csv"
_PREPOSITION = {"significantly better": "than", "significantly worse": "than",
                "indistinguishable": "from"}


@dataclass(frozen=True)
class SweepAgreement:
    """How often one chapter's verdict came back over the seeds of the book's seed sweep."""

    counts: pd.Series  #: seeds per verdict kind, most common first
    n: int  #: seeds swept
    book_kind: str  #: the verdict kind at the chapter's own seed
    same: int  #: seeds whose verdict is the book's
    common: str  #: the most common kind and its count, e.g. "significantly worse in 15"
    reading: str  #: what the agreement means for the chapter's verdict, in words

    def table(self, label: str) -> pd.DataFrame:
        """The counts as a one-column table, its index named ``label``."""
        return self.counts.rename_axis(label).to_frame(f"seeds (of {self.n})")

    def glue(self, prefix: str) -> None:
        """Glue ``{prefix}_n``, ``_same``, ``_common`` and ``_reading`` for the chapter's prose."""
        from myst_nb import glue  # noqa: PLC0415

        for key, value in (("n", self.n), ("same", self.same), ("common", self.common),
                           ("reading", self.reading)):
            glue(f"{prefix}_{key}", value, display=False)


def sweep_agreement(chapter: str, column: str, book_verdict: str, *, subject: str, against: str,
                    table: str | Path = SEED_SWEEP) -> SweepAgreement:
    """Count the verdicts of ``chapter``'s seed sweep and say how its own verdict stands among them.

    ``column`` is the glued verdict the sweep collected for the chapter (words made by
    :func:`finbook.inference.verdict`), ``book_verdict`` the verdict the chapter computed at
    its own seed, ``subject`` and ``against`` name the two sides for the reading
    ("the network", "the classical model"). The reading says whether the book's verdict is
    also the most common one; if not, that the comparison is seed-dependent and what most
    seeds found. Raises ``ValueError`` when the table has no row for the chapter, lacks the
    column, or a row holds no verdict.
    """
    import pandas as pd  # noqa: PLC0415

    from finbook.inference import verdict_kind  # noqa: PLC0415

    table = Path(table)
    if not table.is_file():
        raise ValueError(f"no seed-sweep table at {table}: run the sweep (README, 'Seed sweeps') "
                         "or run the chapter from chapters/")
    runs = pd.read_csv(table)
    if column not in runs.columns:
        raise ValueError(f"{table} has no column {column!r}: add '--collect {column}' to the "
                         "chapter's sweep command and re-run it")
    runs = runs[runs["chapter"] == chapter]
    if runs.empty or runs[column].isna().any():
        raise ValueError(f"{table} has {'no' if runs.empty else 'an incomplete'} {column!r} for "
                         f"chapter {chapter!r}: sweep the chapter with '--collect {column}'")
    kinds = pd.Series([verdict_kind(v) for v in runs[column]])
    counts = kinds.value_counts()
    book_kind = verdict_kind(book_verdict)
    top = counts[counts == counts.max()].index.tolist()
    if len(top) > 1:
        common = f"{' and '.join(top)} in {counts.max()} each"
    else:
        common = f"{top[0]} in {counts.max()}"
    if top == [book_kind]:
        reading = "the verdict at this seed is also the most common one"
    elif book_kind in top:
        reading = ("the verdict at this seed is tied for the most common one, so read the "
                   "comparison as seed-dependent")
    else:
        found = " or ".join(f"{kind} {_PREPOSITION[kind]}" for kind in top)
        reading = ("the verdict at this seed is the exception, so read the comparison as "
                   f"seed-dependent: most draws find {subject} {found} {against}")
    return SweepAgreement(counts=counts, n=len(runs), book_kind=book_kind,
                          same=int(counts.get(book_kind, 0)), common=common, reading=reading)
