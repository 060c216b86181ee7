"""Metrics that fit the task: ranking, calibration and cost for credit; losses and tests for forecasts.

Every function validates its inputs and raises ``ValueError`` naming the bad
value: labels that are not 0/1, probabilities outside [0, 1], arrays of unequal
length, non-positive variances.

Classification (``y`` is 0/1 with 1 = the event, e.g. default; ``p`` the
predicted probability of the event):
``roc_auc``, ``gini``, ``ks_statistic``, ``pr_auc``, ``brier_score``, ``log_loss``,
``classification_summary``, ``calibration_table``, ``bootstrap_ci``, ``paired_bootstrap_ci``,
``paired_bootstrap_test``, ``expected_cost``, ``bayes_threshold``, ``cost_optimal_threshold``.

Forecasts: ``mse``, ``qlike``, ``oos_r2``, ``pinball_loss``, ``diebold_mariano``.

Example
-------
>>> import numpy as np
>>> y = np.array([0, 0, 1, 1]); p = np.array([0.1, 0.4, 0.35, 0.8])
>>> roc_auc(y, p)
0.75
>>> gini(y, p)
0.5
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn import metrics as skm

__all__ = [
    "DieboldMariano",
    "bayes_threshold",
    "bootstrap_ci",
    "brier_score",
    "calibration_table",
    "check_binary",
    "check_probabilities",
    "classification_summary",
    "cost_optimal_threshold",
    "diebold_mariano",
    "expected_cost",
    "gini",
    "ks_statistic",
    "log_loss",
    "mse",
    "oos_r2",
    "paired_bootstrap_ci",
    "PairedBootstrapTest",
    "paired_bootstrap_test",
    "pinball_loss",
    "pr_auc",
    "qlike",
    "roc_auc",
]


# --------------------------------------------------------------------------- validation
def _as_1d(x: object, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1:
        arr = arr.reshape(-1) if arr.ndim == 2 and 1 in arr.shape else arr
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {np.shape(x)}")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains {int(np.isnan(arr).sum())} NaN value(s)")
    return arr


def _same_length(a: np.ndarray, b: np.ndarray, names: str) -> None:
    if len(a) != len(b):
        raise ValueError(f"{names} must have the same length, got {len(a)} and {len(b)}")
    if len(a) == 0:
        raise ValueError(f"{names} are empty")


def check_binary(y: object, name: str = "y") -> np.ndarray:
    """Return ``y`` as an integer 0/1 array; raise if it holds anything else.

    Example
    -------
    >>> check_binary([0, 1, 1]).tolist()
    [0, 1, 1]
    """
    arr = _as_1d(y, name)
    bad = np.setdiff1d(np.unique(arr), [0.0, 1.0])
    if bad.size:
        raise ValueError(f"{name} must contain only 0 and 1 (1 = the event), found {bad[:5].tolist()}")
    return arr.astype(np.int64)


def check_probabilities(p: object, name: str = "p") -> np.ndarray:
    """Return ``p`` as a float array; raise if any value lies outside [0, 1]."""
    arr = _as_1d(p, name)
    outside = arr[(arr < 0) | (arr > 1)]
    if outside.size:
        raise ValueError(f"{name} must be probabilities in [0, 1], found {outside[:5].tolist()}")
    return arr


def _binary_pair(y: object, p: object) -> tuple[np.ndarray, np.ndarray]:
    yy, pp = check_binary(y), check_probabilities(p)
    _same_length(yy, pp, "y and p")
    return yy, pp


def _scores_pair(y: object, score: object) -> tuple[np.ndarray, np.ndarray]:
    yy, ss = check_binary(y), _as_1d(score, "score")
    _same_length(yy, ss, "y and score")
    if yy.min() == yy.max():
        raise ValueError("y holds only one class; ranking metrics need both 0s and 1s")
    return yy, ss


# --------------------------------------------------------------------------- ranking
def roc_auc(y: object, score: object) -> float:
    """Area under the ROC curve: the probability that a random event outranks a random non-event.

    ``score`` may be any real-valued score (higher = more likely the event).
    Computed from ranks (the Mann-Whitney statistic, ties counted half), which
    equals scikit-learn's ``roc_auc_score`` and is fast enough for bootstraps.
    """
    yy, ss = _scores_pair(y, score)
    ranks = stats.rankdata(ss)
    n1 = int(yy.sum())
    n0 = len(yy) - n1
    return float((ranks[yy == 1].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def gini(y: object, score: object) -> float:
    """Gini coefficient (accuracy ratio) used in credit scoring: 2 * AUC - 1."""
    return 2.0 * roc_auc(y, score) - 1.0


def ks_statistic(y: object, score: object) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the score CDFs of events and non-events."""
    yy, ss = _scores_pair(y, score)
    return float(stats.ks_2samp(ss[yy == 1], ss[yy == 0]).statistic)


def pr_auc(y: object, score: object) -> float:
    """Area under the precision-recall curve (average precision); its no-skill level is the base rate."""
    yy, ss = _scores_pair(y, score)
    return float(skm.average_precision_score(yy, ss))


# --------------------------------------------------------------------------- calibration
def brier_score(y: object, p: object) -> float:
    """Mean squared error of probabilities: mean((p - y)^2); 0 is perfect."""
    yy, pp = _binary_pair(y, p)
    return float(np.mean((pp - yy) ** 2))


def log_loss(y: object, p: object, eps: float = 1e-15) -> float:
    """Binary cross-entropy: -mean(y log p + (1 - y) log(1 - p)), with p clipped to [eps, 1 - eps]."""
    yy, pp = _binary_pair(y, p)
    pp = np.clip(pp, eps, 1 - eps)
    return float(-np.mean(yy * np.log(pp) + (1 - yy) * np.log(1 - pp)))


def calibration_table(y: object, p: object, bins: int = 10, strategy: str = "quantile") -> pd.DataFrame:
    """Predicted against observed event rates by bin of predicted probability.

    ``strategy="quantile"`` makes bins of equal size; ``"uniform"`` bins of equal
    width on [0, 1]. Returns one row per non-empty bin: ``n``, ``mean_predicted``,
    ``observed_rate``.
    """
    yy, pp = _binary_pair(y, p)
    if bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins}")
    if strategy == "quantile":
        edges = np.unique(np.quantile(pp, np.linspace(0, 1, bins + 1)))
    elif strategy == "uniform":
        edges = np.linspace(0, 1, bins + 1)
    else:
        raise ValueError(f"strategy must be 'quantile' or 'uniform', got {strategy!r}")
    idx = np.clip(np.searchsorted(edges, pp, side="right") - 1, 0, len(edges) - 2)
    frame = pd.DataFrame({"bin": idx, "y": yy, "p": pp})
    out = frame.groupby("bin").agg(n=("y", "size"), mean_predicted=("p", "mean"),
                                   observed_rate=("y", "mean"))
    return out.reset_index(drop=True)


def classification_summary(y: object, p: object) -> pd.Series:
    """The book's standard scorecard of a probability forecast.

    ROC AUC, Gini, KS, PR AUC, Brier score and log loss, plus the base rate.
    """
    yy, pp = _binary_pair(y, p)
    return pd.Series(
        {
            "ROC AUC": roc_auc(yy, pp),
            "Gini": gini(yy, pp),
            "KS": ks_statistic(yy, pp),
            "PR AUC": pr_auc(yy, pp),
            "Brier": brier_score(yy, pp),
            "log loss": log_loss(yy, pp),
            "base rate": float(yy.mean()),
        }
    )


def bootstrap_ci(
    metric: Callable[[np.ndarray, np.ndarray], float],
    y: object,
    p: object,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Point estimate and percentile bootstrap interval of ``metric(y, p)``.

    Rows are resampled with replacement ``n_boot`` times; resamples holding a
    single class are drawn again. Returns ``(estimate, lower, upper)``.
    """
    yy = _as_1d(y, "y")
    pp = _as_1d(p, "p")
    _same_length(yy, pp, "y and p")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    rng = np.random.default_rng(seed)
    n = len(yy)
    values = []
    while len(values) < n_boot:
        idx = rng.integers(0, n, n)
        ys = yy[idx]
        if ys.min() == ys.max():
            continue
        values.append(metric(ys, pp[idx]))
    lo, hi = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(metric(yy, pp)), float(lo), float(hi)


def paired_bootstrap_ci(
    metric: Callable[[np.ndarray, np.ndarray], float],
    y: object,
    p_a: object,
    p_b: object,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Difference ``metric(y, p_a) - metric(y, p_b)`` with a paired percentile bootstrap interval.

    Both models are scored on the *same* resampled cases in every replicate, so
    the interval reflects the uncertainty of the difference, which is much
    smaller than the two separate intervals suggest when the models agree on
    most cases. Resamples holding a single class are drawn again (with the
    same generator as :func:`bootstrap_ci`, so the resamples are the same).
    Returns ``(difference, lower, upper)``; an interval excluding 0 means the
    difference is unlikely to be an accident of this test set.

    Example
    -------
    >>> y = np.array([0, 0, 1, 1, 0, 1]); a = np.array([.1, .2, .8, .7, .3, .9])
    >>> paired_bootstrap_ci(roc_auc, y, a, a, n_boot=20)
    (0.0, 0.0, 0.0)
    """
    yy = check_binary(y)
    pa, pb = _as_1d(p_a, "p_a"), _as_1d(p_b, "p_b")
    if not len(yy) == len(pa) == len(pb):
        raise ValueError(f"y, p_a and p_b must have the same length, got {len(yy)}, {len(pa)}, {len(pb)}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot}")
    diffs = _paired_replicates(metric, yy, pa, pb, n_boot, seed)
    lo, hi = np.quantile(diffs, [(1 - level) / 2, (1 + level) / 2])
    return float(metric(yy, pa) - metric(yy, pb)), float(lo), float(hi)


def _paired_replicates(metric: Callable[[np.ndarray, np.ndarray], float], yy: np.ndarray, pa: np.ndarray,
                       pb: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """``n_boot`` replicates of metric(A) - metric(B) on the same resampled cases.

    A resample holding a single class is drawn again.
    """
    rng = np.random.default_rng(seed)
    n = len(yy)
    diffs: list[float] = []
    while len(diffs) < n_boot:
        idx = rng.integers(0, n, n)
        ys = yy[idx]
        if ys.min() == ys.max():
            continue
        diffs.append(metric(ys, pa[idx]) - metric(ys, pb[idx]))
    return np.asarray(diffs, dtype=float)


@dataclass(frozen=True)
class PairedBootstrapTest:
    """Result of :func:`paired_bootstrap_test`: estimate = metric(A) - metric(B), interval, two-sided p."""

    estimate: float
    lower: float
    upper: float
    pvalue: float
    level: float
    n_boot: int


def paired_bootstrap_test(
    metric: Callable[[np.ndarray, np.ndarray], float],
    y: object,
    p_a: object,
    p_b: object,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> PairedBootstrapTest:
    """:func:`paired_bootstrap_ci` with a two-sided p-value for "the difference is 0".

    Independent cases (not a time series: for those use
    :func:`finbook.inference.paired_block_bootstrap`) are resampled with
    replacement, the same resample for both models, exactly as
    :func:`paired_bootstrap_ci` does with the same ``seed`` (so the interval is
    the same). With replicates ``d*_1..d*_B`` of metric(A) - metric(B),
    p = min(1, 2 min((1 + #{d* <= 0}) / (B + 1), (1 + #{d* >= 0}) / (B + 1))),
    the p-value that matches the percentile interval (the level-``level``
    interval excludes 0 about when p < 1 - level); its smallest value is
    2 / (B + 1). The result has ``estimate`` and ``pvalue``, so
    :func:`finbook.inference.verdict` turns it into words.

    Example
    -------
    >>> y = np.array([0, 1] * 10); a = np.where(y == 1, 0.9, 0.1); b = np.where(y == 1, 0.1, 0.9)
    >>> r = paired_bootstrap_test(roc_auc, y, a, b, n_boot=99)
    >>> r.estimate, r.lower, r.upper, r.pvalue
    (1.0, 1.0, 1.0, 0.02)
    """
    yy = check_binary(y)
    pa, pb = _as_1d(p_a, "p_a"), _as_1d(p_b, "p_b")
    if not len(yy) == len(pa) == len(pb):
        raise ValueError(f"y, p_a and p_b must have the same length, got {len(yy)}, {len(pa)}, {len(pb)}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 99:
        raise ValueError(f"n_boot must be an integer of at least 99, got {n_boot!r}")
    if yy.min() == yy.max():
        raise ValueError("y holds a single class; the metric cannot be bootstrapped")
    d = _paired_replicates(metric, yy, pa, pb, n_boot, seed)
    lo, hi = np.quantile(d, [(1 - level) / 2, (1 + level) / 2])
    below = (1 + np.sum(d <= 0)) / (n_boot + 1)
    above = (1 + np.sum(d >= 0)) / (n_boot + 1)
    return PairedBootstrapTest(float(metric(yy, pa) - metric(yy, pb)), float(lo), float(hi),
                               float(min(1.0, 2 * min(below, above))), float(level), int(n_boot))


# --------------------------------------------------------------------------- decisions and cost
def expected_cost(y: object, flag: object, *, cost_fn: float, cost_fp: float) -> float:
    """Average cost per case of binary decisions.

    ``flag`` = 1 means "treat as the event" (e.g. reject the applicant as a likely
    default). A missed event (y=1, flag=0) costs ``cost_fn``; a false alarm
    (y=0, flag=1) costs ``cost_fp``. For the German credit data, cost_fn=5
    (a bad applicant accepted) and cost_fp=1 (a good applicant rejected).

    Example
    -------
    >>> expected_cost([1, 0, 0, 1], [0, 0, 1, 1], cost_fn=5, cost_fp=1)
    1.5
    """
    yy = check_binary(y)
    ff = check_binary(flag, "flag")
    _same_length(yy, ff, "y and flag")
    if cost_fn < 0 or cost_fp < 0:
        raise ValueError(f"costs must be non-negative, got cost_fn={cost_fn}, cost_fp={cost_fp}")
    fn = np.sum((yy == 1) & (ff == 0))
    fp = np.sum((yy == 0) & (ff == 1))
    return float((cost_fn * fn + cost_fp * fp) / len(yy))


def bayes_threshold(*, cost_fn: float, cost_fp: float) -> float:
    """The probability above which flagging minimises expected cost, for calibrated p.

    Flag when p * cost_fn > (1 - p) * cost_fp, i.e. p > cost_fp / (cost_fp + cost_fn).
    For German credit (5 and 1) the threshold is 1/6.
    """
    if cost_fn <= 0 or cost_fp <= 0:
        raise ValueError(f"costs must be positive, got cost_fn={cost_fn}, cost_fp={cost_fp}")
    return cost_fp / (cost_fp + cost_fn)


def cost_optimal_threshold(y: object, p: object, *, cost_fn: float, cost_fp: float) -> tuple[float, float]:
    """The threshold on ``p`` with the lowest expected cost on (y, p), and that cost.

    Searches every distinct predicted value. Choose it on training or validation
    data and apply it to test data; choosing it on the test data is optimistic.
    """
    yy, pp = _binary_pair(y, p)
    candidates = np.concatenate([[0.0], np.unique(pp), [1.0 + 1e-12]])
    costs = [expected_cost(yy, (pp >= t).astype(int), cost_fn=cost_fn, cost_fp=cost_fp)
             for t in candidates]
    best = int(np.argmin(costs))
    return float(min(candidates[best], 1.0)), float(costs[best])


# --------------------------------------------------------------------------- forecasts
def mse(y: object, forecast: object) -> float:
    """Mean squared error."""
    yy, ff = _as_1d(y, "y"), _as_1d(forecast, "forecast")
    _same_length(yy, ff, "y and forecast")
    return float(np.mean((yy - ff) ** 2))


def qlike(realized_var: object, forecast_var: object) -> np.ndarray:
    """QLIKE loss of variance forecasts, per observation: rv/h - log(rv/h) - 1.

    Zero when the forecast ``h`` equals the realised variance ``rv``; robust to
    noise in the variance proxy in the sense of Patton (2011), and it punishes
    under-prediction of variance more than over-prediction. Both arguments must
    be positive (variances, not volatilities). Average it for a score.
    """
    rv, h = _as_1d(realized_var, "realized_var"), _as_1d(forecast_var, "forecast_var")
    _same_length(rv, h, "realized_var and forecast_var")
    if (rv <= 0).any() or (h <= 0).any():
        raise ValueError("QLIKE needs positive variances; got "
                         f"{int((rv <= 0).sum())} non-positive realised and "
                         f"{int((h <= 0).sum())} non-positive forecast value(s)")
    ratio = rv / h
    return ratio - np.log(ratio) - 1.0


def oos_r2(y: object, forecast: object, benchmark: object | float = 0.0) -> float:
    """Out-of-sample R^2 against a benchmark forecast: 1 - SSE(model) / SSE(benchmark).

    ``benchmark=0`` is the convention of Gu, Kelly & Xiu (2020) for returns
    (the zero forecast); pass the historical mean to use Campbell & Thompson's.
    Negative values mean the model did worse than the benchmark.
    """
    yy, ff = _as_1d(y, "y"), _as_1d(forecast, "forecast")
    _same_length(yy, ff, "y and forecast")
    bb = np.broadcast_to(np.asarray(benchmark, dtype=float), yy.shape)
    denom = np.sum((yy - bb) ** 2)
    if denom == 0:
        raise ValueError("the benchmark forecasts y perfectly; R^2 against it is undefined")
    return float(1.0 - np.sum((yy - ff) ** 2) / denom)


def pinball_loss(y: object, quantile_forecast: object, alpha: float) -> float:
    """Average pinball (quantile) loss of a forecast of the ``alpha`` quantile.

    max(alpha * (y - q), (alpha - 1) * (y - q)); minimised in expectation by the
    true alpha-quantile. For a 99% VaR of returns forecast the 1% quantile (alpha=0.01).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    yy, qq = _as_1d(y, "y"), _as_1d(quantile_forecast, "quantile_forecast")
    _same_length(yy, qq, "y and quantile_forecast")
    u = yy - qq
    return float(np.mean(np.maximum(alpha * u, (alpha - 1) * u)))


@dataclass(frozen=True)
class DieboldMariano:
    """Result of a Diebold-Mariano test: the statistic, its p-value and the mean loss difference."""

    statistic: float
    pvalue: float
    mean_difference: float


def diebold_mariano(loss_a: object, loss_b: object, *, h: int = 1) -> DieboldMariano:
    """Test equal predictive accuracy of two forecasts from their per-period losses.

    d_t = loss_a_t - loss_b_t; the statistic is mean(d) over its HAC standard
    error (autocovariances up to lag h - 1), with the small-sample correction of
    Harvey, Leybourne & Newbold (1997) and a Student-t reference with n - 1
    degrees of freedom; two-sided p-value. A negative statistic means forecast
    A has the smaller loss.
    """
    a, b = _as_1d(loss_a, "loss_a"), _as_1d(loss_b, "loss_b")
    _same_length(a, b, "loss_a and loss_b")
    if h < 1:
        raise ValueError(f"h must be a positive integer (the forecast horizon), got {h}")
    d = a - b
    n = len(d)
    if n < 3:
        raise ValueError(f"need at least 3 paired losses, got {n}")
    dbar = d.mean()
    dc = d - dbar
    gamma = [np.dot(dc[k:], dc[: n - k]) / n for k in range(h)]
    var = (gamma[0] + 2 * sum(gamma[1:])) / n
    if var <= 0:
        raise ValueError("the loss differences have zero variance; the forecasts are identical")
    dm = dbar / np.sqrt(var)
    correction = np.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    stat = float(dm * correction)
    pvalue = float(2 * stats.t.sf(abs(stat), df=n - 1))
    return DieboldMariano(stat, pvalue, float(dbar))
