"""Stability: do a model's results survive another seed, another period, another market?

Three kinds of check, used by the stability chapter:

* **Seeds.** :func:`fit_over_seeds` trains the same Keras network once per seed
  and returns every seed's predictions; :func:`decision_flips` counts the
  applicants whose accept/reject decision changes from one seed to another
  (the *ambiguity* and *discrepancy* of Marx, Calmon & Ustun 2020).
* **Drift.** :func:`psi` is the population stability index between a reference
  sample and a current one, with bins taken from the reference sample;
  :func:`psi_table` shows the bins; :func:`drift_table` adds the two-sample
  Kolmogorov-Smirnov test for several features and periods;
  :func:`psi_rating` applies the industry's rule of thumb (below 0.10 stable,
  0.10-0.25 moderate shift, above 0.25 significant shift).
* **A frozen model in a new regime.** :func:`har_forecasts` fits the HAR model
  of daily variance once (frozen) or refits it every quarter;
  :func:`var_exceedances` counts the days a normal Value-at-Risk built on a
  variance forecast was breached.

Example
-------
>>> round(psi_from_shares([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]), 4)
0.2282
>>> psi_rating(0.05), psi_rating(0.2), psi_rating(0.3)
('stable', 'moderate shift', 'significant shift')
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from finbook.volatility import har_design, har_ols

__all__ = [
    "HAR_COLUMNS",
    "PSI_THRESHOLDS",
    "decision_flips",
    "drift_table",
    "fit_over_seeds",
    "har_forecasts",
    "har_frame",
    "psi",
    "psi_block_bootstrap",
    "psi_block_critical_value",
    "psi_critical_value",
    "psi_edges",
    "psi_from_shares",
    "psi_rating",
    "psi_table",
    "var_exceedances",
]

#: Rule-of-thumb PSI thresholds: below the first "stable", between them "moderate
#: shift", above the second "significant shift" (see Yurdakul 2018).
PSI_THRESHOLDS: tuple[float, float] = (0.10, 0.25)

#: Share given to an empty bin when ``floor`` is left at its default (1 in 10,000).
DEFAULT_FLOOR = 1e-4


# --------------------------------------------------------------------------- PSI
def _sample(values: object, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float).reshape(-1)
    if arr.size == 0:
        raise ValueError(f"{name} is empty; expected at least one value")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains {int(np.isnan(arr).sum())} NaN value(s); drop them first")
    return arr


def psi_from_shares(expected: object, actual: object, *, floor: float | None = DEFAULT_FLOOR) -> float:
    """PSI from bin shares: sum over bins of (a_i - e_i) ln(a_i / e_i).

    ``expected`` are the reference sample's shares of each bin and ``actual``
    the current sample's; each must be non-negative and sum to 1. A zero share
    makes the logarithm undefined: with ``floor`` set, zero (and smaller)
    shares are raised to ``floor`` before the sum; with ``floor=None`` a
    ``ValueError`` names the empty bins. The index is symmetric in its two
    arguments and zero only when the shares agree.

    Example
    -------
    >>> psi_from_shares([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> round(psi_from_shares([0.5, 0.5], [0.6, 0.4]), 4)
    0.0405
    """
    e = _sample(expected, "expected")
    a = _sample(actual, "actual")
    if e.shape != a.shape:
        raise ValueError(f"expected and actual must have one share per bin, got {e.size} and {a.size}")
    for arr, name in ((e, "expected"), (a, "actual")):
        if (arr < 0).any():
            raise ValueError(f"{name} shares must be non-negative, got {arr[arr < 0][:3].tolist()}")
        if not np.isclose(arr.sum(), 1.0, atol=1e-6):
            raise ValueError(f"{name} shares must sum to 1, got {arr.sum():.6f}")
    empty = np.flatnonzero((e == 0) | (a == 0))
    if floor is None:
        if empty.size:
            raise ValueError(f"bins {empty.tolist()} are empty in one sample; PSI is infinite. "
                             "Pass floor (e.g. 1e-4) to give empty bins a small share, or use fewer bins")
    else:
        if not 0 < floor < 1:
            raise ValueError(f"floor must be a share in (0, 1), e.g. 1e-4, got {floor!r}")
        e, a = np.maximum(e, floor), np.maximum(a, floor)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_edges(reference: object, bins: int = 10) -> np.ndarray:
    """Bin edges for the PSI, taken from the reference sample only.

    Interior edges are the reference's 1/bins, 2/bins, ... quantiles, taken as
    observed values (``method="inverted_cdf"``); the outer edges are -inf and
    +inf, so every current value, however extreme, falls in some bin. Bins are
    closed on the right: (e_{k-1}, e_k]. Repeated edges (ties, discrete
    variables) are merged and an edge at the reference maximum is dropped, so
    fewer than ``bins`` bins may result, but **no bin is empty in the
    reference sample**. Empty bins can then only occur in the current sample
    (see :func:`psi`).

    Example
    -------
    >>> psi_edges([1, 2, 3, 4], bins=4).tolist()
    [-inf, 1.0, 2.0, 3.0, inf]
    >>> psi_edges([0, 0, 0, 1], bins=4).tolist()
    [-inf, 0.0, inf]
    """
    ref = _sample(reference, "reference")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
        raise ValueError(f"bins must be an integer >= 2, got {bins!r}")
    probs = np.arange(1, bins) / bins
    inner = np.unique(np.quantile(ref, probs, method="inverted_cdf"))
    inner = inner[inner < ref.max()]
    return np.concatenate([[-np.inf], inner, [np.inf]])


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(edges[1:-1], values, side="left")  # bin k holds (e_{k-1}, e_k]
    counts = np.bincount(idx, minlength=len(edges) - 1)
    return counts / counts.sum()


def psi_table(reference: object, current: object, bins: int = 10, *,
              floor: float | None = DEFAULT_FLOOR) -> pd.DataFrame:
    """The PSI bin by bin: edges, the two samples' shares and each bin's contribution.

    One row per bin (see :func:`psi_edges`): ``lower``, ``upper``,
    ``reference_share``, ``current_share`` and ``contribution`` =
    (current - reference) ln(current / reference), after flooring empty
    shares as :func:`psi_from_shares` does. The contributions sum to
    :func:`psi`.
    """
    ref = _sample(reference, "reference")
    cur = _sample(current, "current")
    edges = psi_edges(ref, bins)
    e, a = _shares(ref, edges), _shares(cur, edges)
    if floor is None:
        psi_from_shares(e, a, floor=None)  # raises, naming the empty bins
        ef, af = e, a
    else:
        if not 0 < floor < 1:
            raise ValueError(f"floor must be a share in (0, 1), e.g. 1e-4, got {floor!r}")
        ef, af = np.maximum(e, floor), np.maximum(a, floor)
    return pd.DataFrame({
        "lower": edges[:-1], "upper": edges[1:], "reference_share": e, "current_share": a,
        "contribution": (af - ef) * np.log(af / ef),
    })


def psi(reference: object, current: object, bins: int = 10, *,
        floor: float | None = DEFAULT_FLOOR) -> float:
    """Population stability index of ``current`` against ``reference`` (dimensionless, >= 0).

    PSI = sum over bins of (a_i - e_i) ln(a_i / e_i), where e_i and a_i are the
    reference and current shares of bin i. Bins come from the reference
    sample's quantiles (:func:`psi_edges`), so that each holds about 1/bins of
    it. A bin empty in the current sample gets share ``floor`` (default 1e-4)
    instead of 0, whose logarithm is undefined; ``floor=None`` raises instead.
    Rule of thumb (:func:`psi_rating`): < 0.10 stable, 0.10-0.25 moderate
    shift, > 0.25 significant shift.

    Example
    -------
    >>> x = np.arange(100.0)
    >>> psi(x, x)
    0.0
    >>> round(psi(x, x + 50), 2)
    4.35
    """
    return float(psi_table(reference, current, bins, floor=floor)["contribution"].sum())


def psi_critical_value(n_reference: int, n_current: int, bins: int = 10, level: float = 0.95) -> float:
    """The PSI that sampling noise alone exceeds with probability 1 - ``level``.

    With no shift, each bin's share difference a_i - e_i has variance about
    e_i (1 - e_i)(1/n + 1/m), and the PSI (a symmetric Kullback-Leibler
    divergence) is close to sum (a_i - e_i)^2 / e_i, so

        PSI ~ (1/n + 1/m) * chi-square with (bins - 1) degrees of freedom,

    for n reference and m current observations drawn independently. Its mean
    is (bins - 1)(1/n + 1/m): with small samples the rule-of-thumb 0.10 is
    crossed by chance. Observations that cluster in time (daily market data)
    make the real noise larger still.

    Example
    -------
    >>> round(psi_critical_value(500, 250, bins=10), 4)
    0.1015
    """
    for value, name in ((n_reference, "n_reference"), (n_current, "n_current"), (bins, "bins")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if bins < 2:
        raise ValueError(f"bins must be an integer >= 2, got {bins!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), e.g. 0.95, got {level!r}")
    return float((1 / n_reference + 1 / n_current) * stats.chi2.ppf(level, bins - 1))


def _psi_fast(reference: np.ndarray, current: np.ndarray, bins: int) -> float:
    """:func:`psi` with the default floor, without its checks and table (for resampling loops)."""
    edges = psi_edges(reference, bins)
    e = np.maximum(_shares(reference, edges), DEFAULT_FLOOR)
    a = np.maximum(_shares(current, edges), DEFAULT_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_block_bootstrap(reference: object, n_current: int, bins: int = 10, *,
                        block: int | None = None, n_boot: int = 999,
                        seed: int = 0) -> tuple[np.ndarray, int]:
    """PSIs of two samples of the *same* market, for data that cluster in time.

    :func:`psi_critical_value` assumes independent observations; daily market data
    cluster, so two periods of the same market differ by more than that. Here the
    ``reference`` series (in time order) stands for a market without a shift: each
    replication draws a circular block bootstrap path (Politis & Romano 1992) of
    len(reference) + ``n_current`` days from it, in blocks of ``block`` consecutive days,
    splits it into a pseudo-reference (the first len(reference) days) and a pseudo-current
    sample (the rest) and computes their PSI. Returns the ``n_boot`` PSIs and the block
    length used. ``block=None`` takes the Politis & White (2004) automatic length for a
    circular bootstrap (``arch.bootstrap.optimal_block_length``, with the correction of
    Patton, Politis & White 2009), the larger of the lengths for the series and for its
    distance from the median (returns barely autocorrelate, their size does);
    ``block=1`` reproduces the independent case. :func:`psi_block_critical_value` takes
    a quantile of them; the share of them at or above an observed PSI is its p-value.
    """
    from arch.bootstrap import optimal_block_length  # noqa: PLC0415

    ref = _sample(reference, "reference")
    if isinstance(n_current, bool) or not isinstance(n_current, (int, np.integer)) or n_current < 1:
        raise ValueError(f"n_current must be a positive integer, got {n_current!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 99:
        raise ValueError(f"n_boot must be an integer >= 99, got {n_boot!r}")
    n = len(ref)
    if block is None:  # the dependence of the level and of the spread (volatility clustering)
        spread = np.abs(ref - np.median(ref))
        block = max(1, *(int(np.ceil(optimal_block_length(x)["circular"].iloc[0])) for x in (ref, spread)))
    if isinstance(block, bool) or not isinstance(block, (int, np.integer)) or not 1 <= block <= n:
        raise ValueError(f"block must be an integer from 1 to len(reference) = {n}, got {block!r}")
    rng = np.random.default_rng(seed)
    length = n + int(n_current)
    n_blocks = -(-length // block)
    offsets = np.arange(block)
    values = np.empty(n_boot)
    for i in range(n_boot):
        idx = ((rng.integers(0, n, size=n_blocks)[:, None] + offsets) % n).ravel()[:length]
        path = ref[idx]
        values[i] = _psi_fast(path[:n], path[n:], bins)
    return values, int(block)


def psi_block_critical_value(reference: object, n_current: int, bins: int = 10, *,
                             level: float = 0.95, block: int | None = None, n_boot: int = 999,
                             seed: int = 0) -> tuple[float, int]:
    """The PSI's chance level for data that cluster in time: the ``level`` quantile of
    :func:`psi_block_bootstrap`'s PSIs, and the block length used.

    Example
    -------
    >>> x = np.random.default_rng(0).normal(size=500)
    >>> level, b = psi_block_critical_value(x, 250, block=1, n_boot=2000)
    >>> b, abs(level - psi_critical_value(500, 250)) < 0.02
    (1, True)
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), e.g. 0.95, got {level!r}")
    values, used = psi_block_bootstrap(reference, n_current, bins, block=block, n_boot=n_boot, seed=seed)
    return float(np.quantile(values, level)), used


def psi_rating(value: float) -> str:
    """'stable' (< 0.10), 'moderate shift' (0.10 to 0.25) or 'significant shift' (>= 0.25).

    The industry's rule of thumb for the population stability index
    (Yurdakul 2018); a heuristic, not a statistical test.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not value >= 0:
        raise ValueError(f"value must be a non-negative PSI, got {value!r}")
    low, high = PSI_THRESHOLDS
    if value < low:
        return "stable"
    if value < high:
        return "moderate shift"
    return "significant shift"


def drift_table(reference: pd.DataFrame, periods: Mapping[str, pd.DataFrame],
                columns: Sequence[str] | None = None, bins: int = 10) -> pd.DataFrame:
    """PSI and the two-sample Kolmogorov-Smirnov test of each column, for each period.

    ``reference`` is the development sample; ``periods`` maps a label to a
    later sample with the same columns. One row per (period, column):
    ``PSI``, its ``rating``, the KS statistic (the largest gap between the two
    empirical CDFs) and its p-value. NaNs are dropped column by column. The KS
    p-value assumes independent observations; for daily market data, which
    cluster, it overstates the evidence.
    """
    cols = list(reference.columns if columns is None else columns)
    missing = [c for c in cols if c not in reference.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the reference frame ({list(reference.columns)})")
    rows = []
    for label, frame in periods.items():
        absent = [c for c in cols if c not in frame.columns]
        if absent:
            raise KeyError(f"period {label!r} lacks columns {absent}")
        for col in cols:
            ref = reference[col].dropna().to_numpy(float)
            cur = frame[col].dropna().to_numpy(float)
            value = psi(ref, cur, bins)
            ks = stats.ks_2samp(ref, cur)
            rows.append({"period": label, "feature": col, "PSI": value, "rating": psi_rating(value),
                         "KS": float(ks.statistic), "KS p-value": float(ks.pvalue)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- seeds
def fit_over_seeds(
    build: Callable[[], Any],
    x_train: object,
    y_train: object,
    x_valid: object,
    y_valid: object,
    x_eval: object,
    seeds: Sequence[int],
    *,
    epochs: int = 200,
    batch_size: int = 256,
    patience: int = 10,
) -> tuple[np.ndarray, list[int]]:
    """Train a fresh Keras network for each seed; return its predictions on ``x_eval`` and its epochs.

    For each seed: :func:`finbook.repro.set_seed` (seed), ``build()`` a new
    compiled model (its initial weights come from that seed), then Adam on
    shuffled mini-batches of ``batch_size`` (the order drawn from the seed) with
    early stopping on the validation loss (``patience`` epochs, best weights
    restored), by the book's training loop :func:`finbook.training.fit`. Every
    seed's weights are trained in one model whose optimizer state is reset
    between seeds, so the loop's traced step is reused.

    Returns ``(predictions, epochs)``: an array (seeds x rows of ``x_eval``)
    of the model's outputs and the number of epochs each seed trained.
    """
    from finbook import repro, training  # noqa: PLC0415

    repro.import_tensorflow()
    if len(seeds) < 1:
        raise ValueError("seeds is empty; expected at least one seed")
    if patience < 1 or epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs, batch_size and patience must be positive, got {epochs}, "
                         f"{batch_size}, {patience}")
    xt = np.asarray(x_train, dtype="float32")
    yt = np.asarray(y_train, dtype="float32").reshape(-1, 1)
    xv = np.asarray(x_valid, dtype="float32")
    yv = np.asarray(y_valid, dtype="float32").reshape(-1, 1)
    xe = np.asarray(x_eval, dtype="float32")
    if len(xt) != len(yt):
        raise ValueError(f"x_train and y_train must have the same length, got {len(xt)} and {len(yt)}")
    model = None
    preds, used = [], []
    for seed in seeds:
        repro.set_seed(int(seed))
        fresh = build()
        if model is None:
            model = fresh
        else:  # the same network with the seed's initial weights and a reset optimizer
            model.set_weights(fresh.get_weights())
            for var in model.optimizer.variables:
                if "learning_rate" not in var.path:
                    var.assign(np.zeros(var.shape, dtype=var.dtype))
        model, history = training.fit(model, xt, yt, epochs=epochs, batch_size=batch_size,
                                      validation_data=(xv, yv), patience=patience, seed=int(seed))
        preds.append(model(xe, training=False).numpy().reshape(-1))
        used.append(history["epochs"])
    return np.vstack(preds), used


def decision_flips(probabilities: object, threshold: float, *, reference: int = 0) -> pd.Series:
    """How many decisions change between models that differ only in their seed.

    ``probabilities`` is an array (models x applicants) of predicted default
    probabilities; an applicant is rejected when p > ``threshold``. Returns:

    * ``ambiguity``: share of applicants whose decision under some model
      differs from the ``reference`` model's (Marx, Calmon & Ustun 2020);
    * ``discrepancy``: the largest share of decisions any one model changes
      relative to the reference model (same source);
    * ``mean pairwise disagreement``: share of applicants decided differently
      by two models, averaged over all pairs;
    * ``flipped applicants``: the count behind ``ambiguity``;
    * ``rejection rate (min/max)``: the lowest and highest share rejected by a model.

    Example
    -------
    >>> p = np.array([[0.1, 0.5, 0.9], [0.1, 0.2, 0.9], [0.1, 0.6, 0.9]])
    >>> int(decision_flips(p, 0.3)["flipped applicants"])
    1
    """
    p = np.asarray(probabilities, dtype=float)
    if p.ndim != 2 or p.shape[0] < 2:
        raise ValueError(f"probabilities must be a 2-d array (models x applicants) with at least "
                         f"two models, got shape {p.shape}")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be a probability in (0, 1), got {threshold!r}")
    if not 0 <= reference < p.shape[0]:
        raise ValueError(f"reference must index a model in [0, {p.shape[0]}), got {reference}")
    reject = p > threshold
    differs = reject != reject[reference]
    pairs = [np.mean(reject[i] != reject[j]) for i, j in itertools.combinations(range(len(p)), 2)]
    rates = reject.mean(axis=1)
    return pd.Series({
        "models": float(p.shape[0]),
        "applicants": float(p.shape[1]),
        "ambiguity": float(differs.any(axis=0).mean()),
        "discrepancy": float(differs.mean(axis=1).max()),
        "mean pairwise disagreement": float(np.mean(pairs)),
        "flipped applicants": float(differs.any(axis=0).sum()),
        "rejection rate (min)": float(rates.min()),
        "rejection rate (max)": float(rates.max()),
    })


# --------------------------------------------------------------------------- frozen models
HAR_COLUMNS: tuple[str, ...] = ("daily", "weekly", "monthly")


def har_frame(variance: pd.Series) -> pd.DataFrame:
    """The log-HAR regression table, one row per **forecast day**.

    Row d holds the target ``target`` = log variance on day d and the
    regressors known at the close of the previous trading day:
    ``daily``, ``weekly``, ``monthly`` = logs of that day's variance and of
    its 5- and 22-day averages (:func:`finbook.volatility.har_design`).
    Rows with a missing value (the first 22 days) are dropped.

    Example
    -------
    >>> idx = pd.bdate_range("2020-01-01", periods=30)
    >>> har_frame(pd.Series(1.0, idx)).iloc[0].tolist()
    [0.0, 0.0, 0.0, 0.0]
    """
    if not isinstance(variance, pd.Series) or not isinstance(variance.index, pd.DatetimeIndex):
        raise ValueError("variance must be a pandas Series indexed by dates (a DatetimeIndex)")
    if not variance.index.is_monotonic_increasing:
        raise ValueError("variance must be sorted in time")
    x = har_design(variance, log=True).shift(1)
    frame = x.assign(target=np.log(variance))
    return frame.dropna()[[*HAR_COLUMNS, "target"]]


def har_forecasts(variance: pd.Series, *, fit_end: str, start: str, end: str,
                  refit: str | None = None, returns: pd.Series | None = None,
                  level: float = 0.99) -> pd.DataFrame:
    """One-day-ahead variance forecasts of the log-HAR model (Corsi 2009), frozen or refitted.

    The model regresses log variance on the logs of the previous day's, the
    previous week's and the previous month's average variance
    (:func:`har_frame`) by OLS; the forecast is exp(fitted + s^2 / 2), with
    s^2 the residual variance (the mean of a lognormal).

    * ``refit=None``: fitted once on the days up to ``fit_end`` and frozen;
    * ``refit="quarter"``: refitted at the start of every calendar quarter on
      all days before it (an expanding window).

    With ``returns`` (daily returns in percent), a Value-at-Risk at ``level``
    is added: VaR = c * sqrt(forecast), where c is the ``level`` quantile of
    the past standardised losses -r / sqrt(fitted variance) in the same
    training window (so fat tails and the overnight gap that a range-based
    variance misses are learned from the data, and frozen or refitted with
    the model).

    Returns a frame indexed by forecast day, for the trading days from
    ``start`` to ``end`` inclusive, with columns ``forecast`` and ``realized``
    (units of ``variance``, e.g. percent squared) and, with returns, ``VaR``
    (a positive loss, units of ``returns``).
    """
    if refit not in (None, "quarter"):
        raise ValueError(f"refit must be None (frozen) or 'quarter', got {refit!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), e.g. 0.99, got {level!r}")
    frame = har_frame(variance)
    if returns is not None:
        frame = frame.join(returns.rename("ret"), how="inner").dropna()
    fit_end_ts, start_ts, end_ts = pd.Timestamp(fit_end), pd.Timestamp(start), pd.Timestamp(end)
    if start_ts <= fit_end_ts:
        raise ValueError(f"start ({start}) must come after fit_end ({fit_end})")
    test = frame.loc[start_ts:end_ts]
    if test.empty:
        raise ValueError(f"no forecast days between {start} and {end}")
    cols = list(HAR_COLUMNS)
    if refit is None:
        blocks = [(frame.loc[:fit_end_ts], test)]
    else:
        quarters = test.index.to_period("Q")
        blocks = [(frame.loc[frame.index < q.start_time], test[quarters == q]) for q in quarters.unique()]
    pieces = []
    for train, rows in blocks:
        if len(train) < 30:
            raise ValueError(f"only {len(train)} training days before {rows.index[0].date()}; need 30")
        beta, s2 = har_ols(train[cols].to_numpy(), train["target"].to_numpy())
        piece = pd.DataFrame({
            "forecast": np.exp(beta[0] + rows[cols].to_numpy() @ beta[1:] + s2 / 2),
            "realized": np.exp(rows["target"].to_numpy()),
        }, index=rows.index)
        if returns is not None:
            fitted = np.exp(beta[0] + train[cols].to_numpy() @ beta[1:] + s2 / 2)
            c = float(np.quantile(-train["ret"].to_numpy() / np.sqrt(fitted), level))
            piece["VaR"] = c * np.sqrt(piece["forecast"])
        pieces.append(piece)
    out = pd.concat(pieces)
    out.index.name = "date"
    return out


def var_exceedances(returns: pd.Series, var: pd.Series, freq: str = "Q") -> pd.DataFrame:
    """Count the days a loss exceeded the Value-at-Risk, per period.

    ``var`` is the VaR forecast for each day as a **positive loss** in the
    units of ``returns`` (e.g. percent); an exceedance is a day with
    return < -VaR. Returns one row per period (``freq``, e.g. ``"Q"`` or
    ``"Y"``) with ``days``, ``exceedances`` and ``rate``.

    Example
    -------
    >>> idx = pd.date_range("2008-01-01", periods=4, freq="D")
    >>> r = pd.Series([-3.0, 1.0, -0.5, -2.5], idx); v = pd.Series(2.0, idx)
    >>> var_exceedances(r, v)["exceedances"].tolist()
    [2]
    """
    if not isinstance(returns.index, pd.DatetimeIndex):
        raise ValueError("returns must be indexed by date (a DatetimeIndex)")
    common = returns.index.intersection(var.index)
    if common.empty:
        raise ValueError("returns and var share no dates")
    if (var.loc[common] <= 0).any():
        raise ValueError("var must be a positive loss on every day (VaR as a loss, not a return)")
    hit = (returns.loc[common] < -var.loc[common]).astype(int)
    grouped = hit.groupby(common.to_period(freq))
    out = pd.DataFrame({"days": grouped.size(), "exceedances": grouped.sum()})
    out["rate"] = out["exceedances"] / out["days"]
    out.index.name = "period"
    return out
