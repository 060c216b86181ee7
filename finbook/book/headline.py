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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

from finbook.book.pipeline import chapter_paths

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HEADLINE_KEYS", "glue_headline", "glued_values", "headline_table"]


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
