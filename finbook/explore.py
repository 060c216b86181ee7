"""Exploring the book's data: event rates, honest spreads of a score, tails, spells, recessions.

The helpers of Part I (the data tour and the background chapter), each small and
pure: a table or a number in, a table or a number out. Nothing here fits a deep
network; everything here is what a credit or market-risk analyst looks at first.

* :data:`APPLICATIONS` and :func:`application_map`: the article's four application
  families and the datasets this book uses for each;
* :func:`wilson_interval`, :func:`event_rate_table`, :func:`plot_event_rates`: default
  (or any event) rates by group, with the uncertainty a small group deserves;
* :func:`repeated_split_scores` and :func:`hanley_mcneil_se`: how much an out-of-sample
  score moves from one random train/test split to the next;
* :func:`sigma_exceedances`: k-sigma days observed against a normal's expectation;
* :func:`spells_below`: runs of a series below a threshold (yield-curve inversions);
* :data:`NBER_RECESSIONS`, :func:`recessions`, :func:`shade_recessions`,
  :func:`next_recession_peak`: the US business-cycle dates, for context on time plots.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"grade": ["A", "A", "B", "B"], "status": ["good", "bad", "bad", "bad"]})
>>> event_rate_table(frame, "grade", "status", "bad")["rate"].tolist()
[0.5, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.model_selection import StratifiedShuffleSplit
from threadpoolctl import threadpool_limits

from finbook.data import NBER_RECESSIONS  # noqa: F401  (re-exported: part of this module's API)

__all__ = [
    "APPLICATIONS",
    "NBER_RECESSIONS",
    "application_map",
    "event_rate_table",
    "hanley_mcneil_se",
    "next_recession_peak",
    "plot_event_rates",
    "recessions",
    "repeated_split_scores",
    "shade_recessions",
    "sigma_exceedances",
    "spells_below",
    "wilson_interval",
]

#: The article's four application families (section 1.2), their Chinese names, the
#: question each asks, and the datasets of ``finbook.data`` this book uses for it.
APPLICATIONS: dict[str, dict[str, object]] = {
    "risk assessment": {
        "chinese": "金融风险评估",
        "question": "How risky is this applicant? Score, rank and decide at a cost.",
        "datasets": ("german_credit", "credit_data"),
    },
    "default prediction": {
        "chinese": "金融违约预测",
        "question": "Will this loan default? A probability, beside the lender's own grade.",
        "datasets": ("lending_club", "german_credit"),
    },
    "market prediction": {
        "chinese": "金融市场预测",
        "question": "What will returns or volatility be tomorrow? Out of sample, in time order.",
        "datasets": ("sp500", "nasdaq", "islr_smarket", "vix", "wti", "fama_french"),
    },
    "product pricing": {
        "chinese": "金融产品定价",
        "question": "What is this bond or option worth? Curves, spreads and volatility.",
        "datasets": ("treasury_curve", "bond_yields", "sp500", "vix"),
    },
}



# --------------------------------------------------------------------------- the map
def application_map(catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (application, dataset): the article's families joined to the catalogue.

    ``catalogue`` is :func:`finbook.data.list_datasets` (the default) or a frame with
    the same ``name``, ``rows``, ``period`` and ``description`` columns. A dataset
    named in :data:`APPLICATIONS` but missing from the catalogue raises ``ValueError``.

    Example
    -------
    >>> application_map()["application"].unique().tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['risk assessment', 'default prediction', 'market prediction', 'product pricing']
    """
    if catalogue is None:
        from finbook import data

        catalogue = data.list_datasets()
    needed = {"name", "rows", "period", "description"}
    if not needed <= set(catalogue.columns):
        raise ValueError(f"catalogue must have columns {sorted(needed)}, got {list(catalogue.columns)}")
    known = catalogue.set_index("name")
    rows = []
    for family, spec in APPLICATIONS.items():
        for name in spec["datasets"]:  # type: ignore[attr-defined]
            if name not in known.index:
                raise ValueError(f"application {family!r} uses dataset {name!r}, which is not in "
                                 f"the catalogue; expected one of {sorted(known.index)}")
            entry = known.loc[name]
            rows.append({"application": family, "中文": spec["chinese"], "dataset": name,
                         "rows": int(entry["rows"]), "period": entry["period"],
                         "description": entry["description"]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- event rates
def wilson_interval(events: object, n: object, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion ``events / n`` (Wilson 1927).

    Unlike the normal ("Wald") interval it stays inside [0, 1] and does not collapse to
    a point when ``events`` is 0 or ``n``, which matters for small groups such as
    Lending Club's G sub-grades. Vectorised; returns ``(lower, upper)`` arrays.

    Example
    -------
    >>> lo, hi = wilson_interval(0, 10)
    >>> float(lo[0]), round(float(hi[0]), 4)   # z^2 / (n + z^2) with z = 1.96
    (0.0, 0.2775)
    """
    k = np.atleast_1d(np.asarray(events, dtype=float))
    m = np.atleast_1d(np.asarray(n, dtype=float))
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if k.shape != m.shape:
        raise ValueError(f"events and n must have the same shape, got {k.shape} and {m.shape}")
    if np.any(m < 1) or np.any(m != np.round(m)):
        raise ValueError(f"n must be positive integers, got {m[(m < 1) | (m != np.round(m))][:5].tolist()}")
    if np.any(k < 0) or np.any(k > m) or np.any(k != np.round(k)):
        raise ValueError(f"events must be integers between 0 and n, got {k.tolist()[:5]} "
                         f"for n {m.tolist()[:5]}")
    z = stats.norm.ppf(0.5 + level / 2)
    p = k / m
    centre = (p + z**2 / (2 * m)) / (1 + z**2 / m)
    half = z / (1 + z**2 / m) * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def event_rate_table(frame: pd.DataFrame, by: str, target: str, positive: object,
                     level: float = 0.95) -> pd.DataFrame:
    """Count, events and event rate (with a Wilson interval) of ``target == positive`` by group.

    One row per value of ``by`` (in category order for categoricals; empty categories
    are dropped): ``n``, ``events``, ``rate``, ``lower``, ``upper``. Rates are
    fractions, not percent.

    Example
    -------
    >>> frame = pd.DataFrame({"g": ["a", "a", "b"], "y": [1, 0, 1]})
    >>> event_rate_table(frame, "g", "y", 1)[["n", "events", "rate"]].to_dict("list")
    {'n': [2, 1], 'events': [1, 1], 'rate': [0.5, 1.0]}
    """
    for col in (by, target):
        if col not in frame.columns:
            raise KeyError(f"column {col!r} not in the frame; it has {list(frame.columns)}")
    values = set(frame[target].dropna().unique())
    if positive not in values:
        raise ValueError(f"positive value {positive!r} not found in {target!r}; "
                         f"it holds {sorted(map(str, values))}")
    if frame[target].isna().any():
        raise ValueError(f"{target!r} has missing values; drop or label them first")
    event = (frame[target] == positive).astype(np.int64)
    grouped = event.groupby(frame[by], observed=True)
    out = pd.DataFrame({"n": grouped.size(), "events": grouped.sum()})
    out["rate"] = out["events"] / out["n"]
    out["lower"], out["upper"] = wilson_interval(out["events"].to_numpy(), out["n"].to_numpy(), level)
    out.index.name = by
    return out


def plot_event_rates(table: pd.DataFrame, *, ax: plt.Axes | None = None,
                     base_rate: float | None = None, color: str | None = None,
                     ylabel: str = "event rate (%)") -> plt.Axes:
    """Bar chart of an :func:`event_rate_table` in percent, with its Wilson intervals.

    A dashed line marks ``base_rate`` (a fraction) when given. Returns the axes.
    """
    missing = {"rate", "lower", "upper"} - set(table.columns)
    if missing:
        raise ValueError(f"table needs columns rate, lower and upper (see event_rate_table); "
                         f"missing {sorted(missing)}")
    if ax is None:
        _, ax = plt.subplots()
    x = np.arange(len(table))
    rate = 100 * table["rate"].to_numpy()
    err = np.vstack([rate - 100 * table["lower"].to_numpy(), 100 * table["upper"].to_numpy() - rate])
    ax.bar(x, rate, color=color, yerr=err, capsize=2, ecolor="0.3", error_kw={"linewidth": 0.8})
    ax.set_xticks(x, [str(v) for v in table.index])
    ax.set_xlabel(str(table.index.name or ""))
    ax.set_ylabel(ylabel)
    if base_rate is not None:
        ax.axhline(100 * base_rate, color="0.2", linestyle="--", linewidth=1,
                   label=f"all rows: {100 * base_rate:.1f}%")
        ax.legend(loc="upper left")
    return ax


# --------------------------------------------------------------------------- split-to-split spread
def repeated_split_scores(
    models: Mapping[str, object],
    X: pd.DataFrame,
    y: object,
    *,
    n_splits: int = 100,
    test_size: float = 0.3,
    seed: int = 0,
    metric: Callable[[np.ndarray, np.ndarray], float] | None = None,
) -> pd.DataFrame:
    """Out-of-sample scores of several models over the same random stratified splits.

    Each split holds out ``test_size`` of the rows (keeping the event rate); every
    model in ``models`` (name -> unfitted scikit-learn classifier or pipeline, which
    selects its own columns if it needs to) is cloned, fitted on the training rows
    and scored on the test rows with ``metric(y_test, p_test)`` (default ROC AUC
    of ``predict_proba(...)[:, 1]``). All models see the same splits, so the
    differences between columns are paired.

    BLAS runs single-threaded here: for models this small, threads only add overhead,
    and one thread gives the same digits on every machine.

    Returns a frame with one row per split (``split`` 0 .. n_splits - 1) and one
    column per model.

    Example
    -------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = pd.DataFrame({"x": np.arange(40.0)}); y = (X["x"] > 19).astype(int)
    >>> scores = repeated_split_scores({"lr": LogisticRegression()}, X, y, n_splits=3)
    >>> scores["lr"].tolist()
    [1.0, 1.0, 1.0]
    """
    from finbook.metrics import check_binary, roc_auc

    if not models:
        raise ValueError("models is empty; pass a mapping of name -> unfitted classifier")
    if not isinstance(n_splits, (int, np.integer)) or n_splits < 1:
        raise ValueError(f"n_splits must be a positive integer, got {n_splits!r}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    yy = check_binary(y, "y")
    if len(yy) != len(X):
        raise ValueError(f"X and y must have the same number of rows, got {len(X)} and {len(yy)}")
    score = metric or roc_auc
    splitter = StratifiedShuffleSplit(n_splits=n_splits, test_size=test_size, random_state=seed)
    rows = []
    with threadpool_limits(limits=1):
        for train, test in splitter.split(X, yy):
            row = {}
            for name, model in models.items():
                fitted = clone(model).fit(X.iloc[train], yy[train])
                row[name] = float(score(yy[test], fitted.predict_proba(X.iloc[test])[:, 1]))
            rows.append(row)
    out = pd.DataFrame(rows, columns=list(models))
    out.index.name = "split"
    return out


def hanley_mcneil_se(auc: float, n_pos: int, n_neg: int) -> float:
    """Approximate standard error of an ROC AUC (Hanley & McNeil 1982, eq. 2).

    With ``A`` the AUC, ``Q1 = A / (2 - A)`` and ``Q2 = 2 A^2 / (1 + A)``:
    ``SE^2 = [A(1 - A) + (n_pos - 1)(Q1 - A^2) + (n_neg - 1)(Q2 - A^2)] / (n_pos n_neg)``.
    It measures the sampling error of one test set of that size, not the extra spread
    that comes from refitting the model on a different training set.

    Example
    -------
    >>> round(hanley_mcneil_se(0.5, 1, 1), 4)   # A(1 - A) = 0.25, and only that term
    0.5
    """
    if not 0 <= auc <= 1:
        raise ValueError(f"auc must be in [0, 1], got {auc!r}")
    for name, value in {"n_pos": n_pos, "n_neg": n_neg}.items():
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    q1 = auc / (2 - auc)
    q2 = 2 * auc**2 / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (n_pos * n_neg)
    return float(np.sqrt(max(var, 0.0)))


# --------------------------------------------------------------------------- tails
def sigma_exceedances(returns: object, k: float = 4.0) -> pd.Series:
    """How many observations lie more than ``k`` standard deviations from the mean.

    Returns ``n``, ``observed`` (count of ``|r - mean| > k * sd``, with the sample mean
    and standard deviation), ``expected`` (``n * 2 * (1 - Phi(k))``, the count a normal
    distribution with the same mean and variance would give) and ``ratio``
    (observed / expected).

    Example
    -------
    >>> r = np.r_[np.zeros(98), -10.0, 10.0]
    >>> s = sigma_exceedances(r, k=4)
    >>> int(s["observed"]), round(float(s["expected"]), 5)
    (2, 0.00633)
    """
    arr = np.asarray(returns, dtype=float).ravel()
    if not np.isfinite(k) or k <= 0:
        raise ValueError(f"k must be a positive number of standard deviations, got {k!r}")
    if np.isnan(arr).any():
        raise ValueError(f"returns contain {int(np.isnan(arr).sum())} NaN value(s); drop them first")
    if arr.size < 3:
        raise ValueError(f"need at least 3 returns, got {arr.size}")
    sd = arr.std(ddof=1)
    if sd == 0:
        raise ValueError("returns are constant (standard deviation 0); no tail to measure")
    observed = int(np.sum(np.abs(arr - arr.mean()) > k * sd))
    expected = float(arr.size * 2 * stats.norm.sf(k))
    return pd.Series({"n": arr.size, "observed": observed, "expected": expected,
                      "ratio": observed / expected})


# --------------------------------------------------------------------------- spells
def spells_below(series: pd.Series, threshold: float = 0.0) -> pd.DataFrame:
    """Runs of consecutive observations strictly below ``threshold``.

    One row per run: ``start`` and ``end`` (index labels of its first and last
    observation), ``periods`` (its length in observations) and ``minimum``. Missing
    values end a run. Used for yield-curve inversions: ``spells_below(ten_year -
    three_month)``.

    Example
    -------
    >>> s = pd.Series([1.0, -0.5, -1.0, 2.0, -0.1])
    >>> spells_below(s).to_dict("list")
    {'start': [1, 4], 'end': [2, 4], 'periods': [2, 1], 'minimum': [-1.0, -0.1]}
    """
    if not isinstance(series, pd.Series):
        raise TypeError(f"series must be a pandas Series, got {type(series).__name__}")
    if not series.index.is_monotonic_increasing:
        raise ValueError("series must be sorted by its index (oldest first)")
    below = (series < threshold).to_numpy()  # NaN compares False: it ends a run
    columns = ["start", "end", "periods", "minimum"]
    if not below.any():
        return pd.DataFrame(columns=columns)
    edges = np.diff(np.r_[0, below.astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    values = series.to_numpy(dtype=float)
    return pd.DataFrame({
        "start": series.index[starts], "end": series.index[ends],
        "periods": (ends - starts + 1).astype(np.int64),
        "minimum": [float(values[a:b + 1].min()) for a, b in zip(starts, ends, strict=True)],
    }, columns=columns)


# --------------------------------------------------------------------------- recessions
def recessions(start: object = None, end: object = None) -> pd.DataFrame:
    """NBER recessions overlapping ``[start, end]``, as timestamps.

    Columns: ``peak`` and ``trough`` (first day of the peak and trough months) and,
    following the NBER's convention that a recession's first month is the month after
    the peak and its last month the trough month, ``first_day`` (first day of the
    month after the peak) and ``last_day`` (last day of the trough month). ``start``
    and ``end`` are anything :class:`pandas.Timestamp` accepts.

    Example
    -------
    >>> recessions("2005", "2012")[["first_day", "last_day"]].astype(str).values.tolist()
    [['2008-01-01', '2009-06-30']]
    """
    lo = pd.Timestamp(start) if start is not None else pd.Timestamp.min
    hi = pd.Timestamp(end) if end is not None else pd.Timestamp.max
    if lo > hi:
        raise ValueError(f"start must not be after end, got start={start!r}, end={end!r}")
    peaks = pd.to_datetime([p for p, _ in NBER_RECESSIONS], format="%Y-%m")
    troughs = pd.to_datetime([t for _, t in NBER_RECESSIONS], format="%Y-%m")
    table = pd.DataFrame({"peak": peaks, "trough": troughs,
                          "first_day": peaks + pd.offsets.MonthBegin(1),
                          "last_day": troughs + pd.offsets.MonthEnd(0)})
    keep = (table["last_day"] >= lo) & (table["first_day"] <= hi)
    return table[keep].reset_index(drop=True)


def shade_recessions(ax: plt.Axes, start: object = None, end: object = None, *,
                     label: str | None = "NBER recession", color: str = "0.85") -> int:
    """Shade the NBER recessions between ``start`` and ``end`` on a time axis; return how many.

    Each band runs from ``first_day`` to ``last_day`` of :func:`recessions`. Only the
    first band carries ``label``, so the legend shows it once.
    """
    periods = recessions(start, end)
    for i, (first, last) in enumerate(zip(periods["first_day"], periods["last_day"], strict=True)):
        ax.axvspan(first, last, color=color, zorder=0, linewidth=0, label=label if i == 0 else None)
    return len(periods)


def next_recession_peak(date: object) -> pd.Timestamp | None:
    """The first NBER peak (first day of the month) strictly after ``date``, or None.

    Example
    -------
    >>> str(next_recession_peak("2006-08-31").date())
    '2007-12-01'
    """
    when = pd.Timestamp(date)
    later = recessions()["peak"]
    later = later[later > when]
    return later.iloc[0] if len(later) else None
