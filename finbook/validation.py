"""Validation without look-ahead: walk-forward splits and windowed samples from time series.

A random split of a time series lets a model learn from tomorrow while being
tested on today. Everything here keeps time in order: every test date follows
every training date, and a window never includes the value it predicts.

Example
-------
>>> splits = list(walk_forward_splits(10, initial_train=4, test_size=3))
>>> [(tr.tolist(), te.tolist()) for tr, te in splits]
[([0, 1, 2, 3], [4, 5, 6]), ([0, 1, 2, 3, 4, 5, 6], [7, 8, 9])]
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

__all__ = ["make_windows", "walk_forward_splits", "yearly_walk_forward"]


def walk_forward_splits(
    n: int,
    *,
    initial_train: int,
    test_size: int,
    step: int | None = None,
    expanding: bool = True,
    gap: int = 0,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(train_idx, test_idx)`` positions for a walk-forward evaluation.

    The first model trains on positions ``[0, initial_train)`` and is tested on
    the next ``test_size`` positions after ``gap`` skipped ones; then the origin
    moves forward by ``step`` (default ``test_size``). With ``expanding=True`` the
    training window grows from position 0; otherwise it rolls with fixed length
    ``initial_train``. The last test block may be shorter. Test positions never
    overlap and always come after every training position (+ ``gap``).

    Use ``gap`` >= horizon - 1 when targets span several periods (a 5-day-ahead
    target at t uses data up to t + 5), so that no training target overlaps the
    test period.
    """
    for name, value in {"n": n, "initial_train": initial_train, "test_size": test_size}.items():
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    step = test_size if step is None else step
    if step < 1 or gap < 0:
        raise ValueError(f"step must be >= 1 and gap >= 0, got step={step}, gap={gap}")
    if initial_train + gap >= n:
        raise ValueError(f"initial_train + gap ({initial_train + gap}) leaves no test data in n={n}")
    origin = initial_train
    while origin + gap < n:
        start = 0 if expanding else origin - initial_train
        train = np.arange(start, origin)
        test = np.arange(origin + gap, min(origin + gap + test_size, n))
        yield train, test
        origin += step


def yearly_walk_forward(
    index: pd.DatetimeIndex,
    *,
    first_test_year: int,
    last_test_year: int | None = None,
    years_per_refit: int = 1,
    gap: int = 0,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Walk forward by calendar year: train on everything before the block, test on the block.

    Yields ``(train_idx, test_idx)`` integer positions into ``index`` (which must
    be sorted). Each block is ``years_per_refit`` calendar years starting at
    ``first_test_year``; the model is refitted at the start of each block. The
    last ``gap`` training positions before each block are dropped (see
    :func:`walk_forward_splits`).
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"index must be a DatetimeIndex, got {type(index).__name__}")
    if not index.is_monotonic_increasing:
        raise ValueError("index must be sorted in time")
    years = index.year
    last = int(years.max()) if last_test_year is None else last_test_year
    if first_test_year <= int(years.min()):
        raise ValueError(f"first_test_year {first_test_year} leaves no training data "
                         f"(data start in {int(years.min())})")
    for start in range(first_test_year, last + 1, years_per_refit):
        end = min(start + years_per_refit - 1, last)
        test = np.flatnonzero((years >= start) & (years <= end))
        if test.size == 0:
            continue
        train = np.arange(0, max(test[0] - gap, 0))
        yield train, test


def make_windows(
    features: np.ndarray | pd.DataFrame | pd.Series,
    target: np.ndarray | pd.Series,
    lookback: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack past windows of ``features`` as model inputs for ``target``.

    Sample *t* uses feature rows ``t - lookback + 1 ... t`` (inclusive) and the
    target value at row *t*. Align the target so that row *t* holds what is to
    be predicted from information available at the end of day *t* (e.g. next
    week's volatility); then no window contains its own future.

    Returns ``(X, y, rows)``: ``X`` of shape (samples, lookback, n_features),
    ``y`` of shape (samples,), and the row positions *t* of each sample.
    Samples whose window or target holds NaN are dropped.
    """
    x = np.asarray(features, dtype="float32")
    if x.ndim == 1:
        x = x[:, None]
    y = np.asarray(target, dtype="float32").reshape(-1)
    if len(x) != len(y):
        raise ValueError(f"features and target must have the same length, got {len(x)} and {len(y)}")
    if not isinstance(lookback, (int, np.integer)) or not 1 <= lookback <= len(x):
        raise ValueError(f"lookback must be an integer in [1, {len(x)}], got {lookback!r}")
    view = np.lib.stride_tricks.sliding_window_view(x, lookback, axis=0)  # (n-lb+1, f, lb)
    windows = np.transpose(view, (0, 2, 1))
    rows = np.arange(lookback - 1, len(x))
    yy = y[rows]
    ok = ~np.isnan(windows).any(axis=(1, 2)) & ~np.isnan(yy)
    return np.ascontiguousarray(windows[ok]), yy[ok], rows[ok]
