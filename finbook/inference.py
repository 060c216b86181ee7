"""Verdicts that hold: tests for comparing models, seed spread, and the words the prose uses.

Two models on one history
    :func:`dm_test` (Diebold-Mariano with a Newey-West variance and the
    Harvey-Leybourne-Newbold correction), :func:`paired_block_bootstrap`
    (moving or stationary block bootstrap of any paired statistic).
Two learners over repeated splits
    :func:`corrected_resampled_ttest` (Nadeau & Bengio 2003) and
    :func:`repeated_cv_ttest` (Bouckaert & Frank 2004).
Many models on one history
    :func:`spa_test`, :func:`stepm_test`, :func:`model_confidence_set` (thin
    wrappers over ``arch.bootstrap``), :func:`holm`, and for Sharpe ratios
    :func:`probabilistic_sharpe_ratio`, :func:`expected_max_sharpe`,
    :func:`deflated_sharpe_ratio`.
Seeds
    :func:`over_seeds` runs a fit once per seed and reports the spread and the
    seed-ensemble's score.
Words
    :func:`verdict` turns a pairwise result into "significantly better than",
    "indistinguishable from" or "significantly worse than" with the p-value;
    :func:`format_pvalue` writes a p-value at the precision it has.

Sign convention: every pairwise result describes **A minus B** (``loss_a - loss_b``,
``score_a - score_b``), so with losses a negative statistic means A is better.
Every function raises ``ValueError`` naming what is wrong: unequal lengths, NaNs,
too few observations, zero variance.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from arch.bootstrap import MCS, SPA, MovingBlockBootstrap, StationaryBootstrap, StepM, optimal_block_length
from scipy import stats
from statsmodels.stats.multitest import multipletests

__all__ = [
    "BootstrapComparison",
    "CorrectedTTest",
    "DieboldMarianoHAC",
    "HolmResult",
    "ModelConfidenceSet",
    "SPAResult",
    "SeedSpread",
    "StepMResult",
    "corrected_resampled_ttest",
    "deflated_sharpe_ratio",
    "dm_test",
    "expected_max_sharpe",
    "format_pvalue",
    "holm",
    "model_confidence_set",
    "newey_west_lags",
    "over_seeds",
    "paired_block_bootstrap",
    "probabilistic_sharpe_ratio",
    "repeated_cv_ttest",
    "spa_test",
    "stepm_test",
    "verdict",
    "verdict_kind",
]

EULER_GAMMA = 0.5772156649015329


# --------------------------------------------------------------------------- validation
def _vector(x: object, name: str, *, min_n: int = 2) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {np.shape(x)}")
    n_nan = int(np.isnan(arr).sum())
    if n_nan:
        raise ValueError(f"{name} contains {n_nan} NaN value(s); drop or fill them before testing")
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains infinite value(s)")
    if len(arr) < min_n:
        raise ValueError(f"{name} needs at least {min_n} observations, got {len(arr)}")
    return arr


def _pair(a: object, b: object, names: tuple[str, str], *, min_n: int) -> tuple[np.ndarray, np.ndarray]:
    x = _vector(a, names[0], min_n=1)
    y = _vector(b, names[1], min_n=1)
    if len(x) != len(y):
        raise ValueError(f"{names[0]} and {names[1]} must be paired (same length), got {len(x)} and {len(y)}")
    if len(x) < min_n:
        raise ValueError(f"{names[0]} and {names[1]} need at least {min_n} paired observations, got {len(x)}")
    return x, y


def _check_level(level: float, name: str = "level") -> None:
    if not 0 < level < 1:
        raise ValueError(f"{name} must be in (0, 1), got {level}")


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    return int(seed)


# --------------------------------------------------------------------------- Diebold-Mariano
@dataclass(frozen=True)
class DieboldMarianoHAC:
    """Result of :func:`dm_test`; ``mean_difference`` is mean(loss_a - loss_b) (negative: A better)."""

    statistic: float
    pvalue: float
    mean_difference: float
    lags: int
    n: int
    horizon: int


def newey_west_lags(n: int) -> int:
    """The Newey & West (1994) rule of thumb for the Bartlett kernel: floor(4 (n / 100)^(2/9)).

    >>> newey_west_lags(100), newey_west_lags(1000), newey_west_lags(5000)
    (4, 6, 9)
    """
    if n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    return int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def dm_test(
    loss_a: object,
    loss_b: object,
    *,
    h: int = 1,
    lags: int | Literal["newey-west", "horizon"] = "newey-west",
) -> DieboldMarianoHAC:
    """Diebold-Mariano test of equal predictive accuracy with a Newey-West (Bartlett) variance.

    d_t = loss_a_t - loss_b_t. The variance of mean(d) is the Newey & West (1987)
    HAC estimate with a Bartlett kernel, computed by statsmodels (an OLS of d on a
    constant with ``cov_type="HAC"``, no small-sample correction):
    (gamma_0 + 2 sum_{k=1}^{L} (1 - k/(L+1)) gamma_k) / n with gamma_k the
    autocovariances of d (divided by n). The statistic is multiplied by the
    small-sample correction of Harvey, Leybourne & Newbold (1997),
    sqrt((n + 1 - 2h + h(h - 1)/n) / n), and compared with a Student t with
    n - 1 degrees of freedom; the p-value is two-sided. References: Diebold &
    Mariano (1995), Newey & West (1987), Harvey, Leybourne & Newbold (1997).

    ``h`` is the forecast horizon (used in the HLN correction). ``lags`` is the
    truncation lag L of the Bartlett kernel: an integer, ``"newey-west"`` for
    floor(4 (n/100)^(2/9)) (:func:`newey_west_lags`, the default; losses of
    volatility forecasts are autocorrelated even at h = 1), or ``"horizon"`` for
    h - 1, the lag that h-step forecast errors need at the least.

    Unlike :func:`finbook.metrics.diebold_mariano` (rectangular kernel, h - 1 lags),
    the Bartlett variance cannot be negative. With ``h=1, lags=0`` the two agree.
    """
    a, b = _pair(loss_a, loss_b, ("loss_a", "loss_b"), min_n=3)
    if isinstance(h, bool) or not isinstance(h, int | np.integer) or h < 1:
        raise ValueError(f"h must be a positive integer (the forecast horizon), got {h!r}")
    n = len(a)
    if lags == "newey-west":
        lag = newey_west_lags(n)
    elif lags == "horizon":
        lag = int(h) - 1
    elif isinstance(lags, int | np.integer) and not isinstance(lags, bool) and lags >= 0:
        lag = int(lags)
    else:
        raise ValueError(f"lags must be a non-negative integer, 'newey-west' or 'horizon', got {lags!r}")
    if lag >= n - 1:
        raise ValueError(f"lags={lag} is too many for {n} observations; use fewer lags or more data")
    d = a - b
    if np.ptp(d) == 0:
        what = ("the losses are identical" if d[0] == 0
                else "the losses differ by the same constant every period")
        raise ValueError(f"the loss differential has zero variance ({what}); the DM test is undefined")
    fit = sm.OLS(d, np.ones(n)).fit(cov_type="HAC", cov_kwds={"maxlags": lag, "use_correction": False})
    var = float(fit.cov_params()[0, 0])
    if not var > 0:
        raise ValueError("the HAC variance of the mean loss differential is zero; the DM test is undefined")
    dbar = float(d.mean())
    correction = math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    stat = dbar / math.sqrt(var) * correction
    pvalue = float(2 * stats.t.sf(abs(stat), df=n - 1))
    return DieboldMarianoHAC(float(stat), pvalue, dbar, lag, n, int(h))


# --------------------------------------------------------------------------- block bootstrap
@dataclass(frozen=True)
class BootstrapComparison:
    """Result of :func:`paired_block_bootstrap`: estimate (A vs B), percentile interval, two-sided p."""

    estimate: float
    lower: float
    upper: float
    pvalue: float
    level: float
    block_size: float
    n_boot: int
    n: int
    kind: str
    replicates: np.ndarray = field(repr=False, compare=False)


def _mean_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a) - np.mean(b))


def paired_block_bootstrap(
    a: object,
    b: object,
    statistic: Callable[[np.ndarray, np.ndarray], float] | None = None,
    *,
    block_size: float | None = None,
    kind: Literal["stationary", "moving"] = "stationary",
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> BootstrapComparison:
    """Block bootstrap of a statistic of two paired time series, e.g. a difference in mean loss.

    Periods are resampled in blocks (the same periods for ``a`` and ``b``), which
    keeps both the pairing and the serial dependence. ``kind="stationary"`` is the
    stationary bootstrap of Politis & Romano (1994) (geometric block lengths with
    mean ``block_size``); ``"moving"`` the moving block bootstrap of Kuensch (1989),
    both from ``arch.bootstrap``. ``statistic(a, b)`` defaults to
    mean(a) - mean(b). ``block_size=None`` uses the automatic choice of Politis &
    White (2004) with the correction of Patton, Politis & White (2009)
    (``arch.bootstrap.optimal_block_length`` of a - b: its stationary value for
    the stationary bootstrap, its circular-block value for the moving one), rounded up.

    The interval is the percentile interval of the ``n_boot`` replicates. The
    two-sided p-value for "the statistic is 0" is the one that matches it:
    p = min(1, 2 min((1 + #{theta* <= 0}) / (B + 1), (1 + #{theta* >= 0}) / (B + 1))),
    so the level-``level`` interval excludes 0 about when p < 1 - level. Its
    smallest possible value is 2 / (B + 1).
    """
    x, y = _pair(a, b, ("a", "b"), min_n=10)
    if np.ptp(x - y) == 0:
        raise ValueError("a - b has zero variance (the series are identical or differ by a constant); "
                         "there is nothing to bootstrap")
    _check_level(level)
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 100:
        raise ValueError(f"n_boot must be an integer of at least 100, got {n_boot!r}")
    seed = _check_seed(seed)
    stat = _mean_difference if statistic is None else statistic
    n = len(x)
    if block_size is None:
        opt = optimal_block_length(x - y)
        column = "stationary" if kind == "stationary" else "circular"
        block_size = float(max(1, math.ceil(float(opt[column].iloc[0]))))
    if not np.isfinite(block_size) or not 1 <= block_size <= n // 2:
        raise ValueError(f"block_size must be between 1 and n/2 = {n // 2}, got {block_size}")
    if kind == "stationary":
        bs = StationaryBootstrap(block_size, x, y, seed=seed)
    elif kind == "moving":
        if block_size != int(block_size):
            raise ValueError(f"the moving block bootstrap needs an integer block_size, got {block_size}")
        bs = MovingBlockBootstrap(int(block_size), x, y, seed=seed)
    else:
        raise ValueError(f"kind must be 'stationary' or 'moving', got {kind!r}")
    estimate = float(stat(x, y))
    if not np.isfinite(estimate):
        raise ValueError(f"statistic(a, b) returned {estimate}; it must return a finite number")
    reps = bs.apply(lambda u, v: np.array([stat(u, v)]), int(n_boot))[:, 0]
    lo, hi = np.quantile(reps, [(1 - level) / 2, (1 + level) / 2])
    below = (1 + np.sum(reps <= 0)) / (n_boot + 1)
    above = (1 + np.sum(reps >= 0)) / (n_boot + 1)
    pvalue = float(min(1.0, 2 * min(below, above)))
    return BootstrapComparison(estimate, float(lo), float(hi), pvalue, level, float(block_size),
                               int(n_boot), n, kind, reps)


# --------------------------------------------------------------------------- corrected t-tests
@dataclass(frozen=True)
class CorrectedTTest:
    """Result of a corrected resampled t-test; ``mean_difference`` is mean(score_a - score_b)."""

    statistic: float
    pvalue: float
    mean_difference: float
    df: int
    n_splits: int
    correction: float


def _corrected_t(d: np.ndarray, n_train: int, n_test: int) -> CorrectedTTest:
    for name, value in (("n_train", n_train), ("n_test", n_test)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer (a number of rows), got {value!r}")
    j = len(d)
    var = float(np.var(d, ddof=1))
    if np.ptp(d) == 0:
        raise ValueError("the score differences have zero variance across splits; the t-test is undefined")
    correction = 1.0 / j + n_test / n_train
    stat = float(d.mean() / math.sqrt(correction * var))
    pvalue = float(2 * stats.t.sf(abs(stat), df=j - 1))
    return CorrectedTTest(stat, pvalue, float(d.mean()), j - 1, j, correction)


def corrected_resampled_ttest(differences: object, *, n_train: int, n_test: int) -> CorrectedTTest:
    """Corrected resampled t-test of Nadeau & Bengio (2003) for J repeated random train/test splits.

    ``differences`` holds score_a - score_b on each of the J splits. The ordinary
    paired t-test divides the variance by J, as if the splits were independent;
    they overlap, so Nadeau & Bengio replace 1/J with 1/J + n_test/n_train:
    t = mean(d) / sqrt((1/J + n_test/n_train) s^2), s^2 the sample variance
    (ddof 1), compared with a Student t with J - 1 degrees of freedom (two-sided).
    """
    d = _vector(differences, "differences", min_n=2)
    return _corrected_t(d, n_train, n_test)


def repeated_cv_ttest(differences: object, *, n_train: int, n_test: int) -> CorrectedTTest:
    """Corrected repeated k-fold cross-validation t-test of Bouckaert & Frank (2004).

    ``differences`` is an r-by-k array (repeats by folds) of score_a - score_b on
    each fold. The statistic is the Nadeau & Bengio (2003) correction with all
    k r folds: t = mean(d) / sqrt((1/(k r) + n_test/n_train) s^2), Student t with
    k r - 1 degrees of freedom (two-sided); for k-fold CV n_test/n_train is about
    1/(k - 1).
    """
    arr = np.asarray(differences, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"differences must be a 2-D array (repeats x folds), got shape {arr.shape}")
    if arr.shape[1] < 2:
        raise ValueError(f"differences needs at least 2 folds (columns), got {arr.shape[1]}")
    d = _vector(arr.reshape(-1), "differences", min_n=2)
    return _corrected_t(d, n_train, n_test)


# --------------------------------------------------------------------------- many models
def _loss_table(losses: object, *, min_models: int = 2) -> pd.DataFrame:
    if not isinstance(losses, pd.DataFrame):
        raise ValueError("losses must be a pandas DataFrame with one column of per-period losses per model")
    if losses.shape[1] < min_models:
        raise ValueError(f"losses needs at least {min_models} model columns, got {losses.shape[1]}")
    if losses.columns.duplicated().any():
        dup = list(losses.columns[losses.columns.duplicated()])
        raise ValueError(f"losses has duplicate column names: {dup}")
    try:
        table = losses.astype(float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"losses must be numeric: {err}") from err
    nan = table.isna().sum()
    if nan.any():
        raise ValueError(f"losses contains NaN values in {nan[nan > 0].to_dict()}; "
                         "align or drop the periods first")
    if len(table) < 20:
        raise ValueError(f"losses needs at least 20 periods for a block bootstrap, got {len(table)}")
    values = table.to_numpy()
    cols = list(table.columns)
    for i in range(len(cols)):
        for j in range(i + 1, len(cols)):
            if np.ptp(values[:, i] - values[:, j]) == 0:
                raise ValueError(f"the loss differential of {cols[i]!r} and {cols[j]!r} has zero variance "
                                 "(identical models, or a constant gap); drop one of them")
    return table


def _block(table: pd.DataFrame, block_size: int | None) -> int:
    n = len(table)
    if block_size is None:
        return max(1, int(math.sqrt(n)))
    is_int = isinstance(block_size, int | np.integer) and not isinstance(block_size, bool)
    if not is_int or not 1 <= block_size <= n // 2:
        raise ValueError(f"block_size must be an integer between 1 and n/2 = {n // 2}, got {block_size!r}")
    return int(block_size)


def _reps(reps: int) -> int:
    if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < 100:
        raise ValueError(f"reps must be an integer of at least 100, got {reps!r}")
    return int(reps)


@dataclass(frozen=True)
class SPAResult:
    """Result of :func:`spa_test`: p-values for "no model beats the benchmark" and the models that do."""

    benchmark: Hashable
    pvalue: float
    pvalues: pd.Series
    better: list
    alpha: float


def spa_test(
    losses: pd.DataFrame,
    benchmark: Hashable,
    *,
    alpha: float = 0.05,
    block_size: int | None = None,
    reps: int = 1000,
    bootstrap: Literal["stationary", "circular", "moving block"] = "stationary",
    seed: int = 0,
) -> SPAResult:
    """Hansen's (2005) test of superior predictive ability: does any model beat the benchmark?

    ``losses`` has one column per model (lower is better), one row per period;
    ``benchmark`` names a column. Wraps ``arch.bootstrap.SPA`` (studentized,
    stationary bootstrap by default, block size sqrt(n) unless given). ``pvalue``
    is the consistent p-value; ``pvalues`` holds the lower, consistent and upper
    ones. A small p-value rejects "no model is better than the benchmark";
    ``better`` lists the models whose mean loss beats the benchmark at ``alpha``
    (consistent critical value). With one alternative this is a bootstrap DM test.
    """
    table = _loss_table(losses)
    _check_level(alpha, "alpha")
    if benchmark not in table.columns:
        raise ValueError(f"benchmark {benchmark!r} is not a column of losses {list(table.columns)}")
    models = table.drop(columns=[benchmark])
    spa = SPA(table[benchmark], models, block_size=_block(table, block_size), reps=_reps(reps),
              bootstrap=bootstrap, seed=_check_seed(seed))
    spa.compute()
    pvalues = spa.pvalues.astype(float)
    better = [models.columns[i] for i in spa.better_models(pvalue=alpha, pvalue_type="consistent")]
    return SPAResult(benchmark, float(pvalues["consistent"]), pvalues, better, alpha)


@dataclass(frozen=True)
class StepMResult:
    """Result of :func:`stepm_test`: the models shown to beat the benchmark, and the rest."""

    benchmark: Hashable
    superior: list
    not_superior: list
    alpha: float


def stepm_test(
    losses: pd.DataFrame,
    benchmark: Hashable,
    *,
    alpha: float = 0.05,
    block_size: int | None = None,
    reps: int = 1000,
    bootstrap: Literal["stationary", "circular", "moving block"] = "stationary",
    seed: int = 0,
) -> StepMResult:
    """Romano & Wolf (2005) StepM: which models beat the benchmark, controlling the familywise error rate.

    Wraps ``arch.bootstrap.StepM`` (studentized, stationary bootstrap by default,
    block size sqrt(n) unless given); ``losses`` as in :func:`spa_test`.
    ``superior`` lists the models whose lower loss than the benchmark survives at
    familywise level ``alpha``.
    """
    table = _loss_table(losses)
    _check_level(alpha, "alpha")
    if benchmark not in table.columns:
        raise ValueError(f"benchmark {benchmark!r} is not a column of losses {list(table.columns)}")
    models = table.drop(columns=[benchmark])
    step = StepM(table[benchmark], models, size=alpha, block_size=_block(table, block_size), reps=_reps(reps),
                 bootstrap=bootstrap, seed=_check_seed(seed))
    step.compute()
    superior = list(step.superior_models)
    rest = [c for c in models.columns if c not in superior]
    return StepMResult(benchmark, superior, rest, alpha)


@dataclass(frozen=True)
class ModelConfidenceSet:
    """Result of :func:`model_confidence_set`: MCS p-values and the models kept and eliminated."""

    pvalues: pd.Series
    included: list
    excluded: list
    alpha: float


def model_confidence_set(
    losses: pd.DataFrame,
    *,
    alpha: float = 0.10,
    method: Literal["R", "max"] = "R",
    block_size: int | None = None,
    reps: int = 1000,
    bootstrap: Literal["stationary", "circular", "moving block"] = "stationary",
    seed: int = 0,
) -> ModelConfidenceSet:
    """Model confidence set of Hansen, Lunde & Nason (2011): the models not shown worse than the best.

    Wraps ``arch.bootstrap.MCS``. ``included`` is the set that contains the best
    model with probability at least 1 - ``alpha``; ``pvalues`` are the MCS p-values
    (a model is in the set at level alpha when its p-value exceeds alpha), in the
    order of ``losses``' columns.
    """
    table = _loss_table(losses)
    _check_level(alpha, "alpha")
    if method not in ("R", "max"):
        raise ValueError(f"method must be 'R' or 'max', got {method!r}")
    mcs = MCS(table, size=alpha, reps=_reps(reps), block_size=_block(table, block_size), method=method,
              bootstrap=bootstrap, seed=_check_seed(seed))
    mcs.compute()
    pvalues = mcs.pvalues["Pvalue"].astype(float).reindex(table.columns).rename("pvalue")
    order = list(table.columns)
    included = [c for c in order if c in set(mcs.included)]
    excluded = [c for c in order if c in set(mcs.excluded)]
    return ModelConfidenceSet(pvalues, included, excluded, alpha)


@dataclass(frozen=True)
class HolmResult:
    """Result of :func:`holm`: a table of raw and adjusted p-values and which hypotheses are rejected."""

    table: pd.DataFrame
    alpha: float

    @property
    def rejected(self) -> list:
        """Names of the rejected hypotheses."""
        return list(self.table.index[self.table["reject"]])


def holm(
    pvalues: Mapping[Hashable, float] | pd.Series | Sequence[float], *, alpha: float = 0.05
) -> HolmResult:
    """Holm's (1979) step-down correction of a family of p-values (familywise error rate ``alpha``).

    Sort the m p-values, multiply the i-th smallest by m - i + 1, take running
    maxima and cap at 1; reject while the adjusted value is at most ``alpha``.
    Backed by ``statsmodels.stats.multitest.multipletests(method="holm")``.
    Accepts a mapping or Series (names kept) or a sequence (numbered from 0).
    """
    _check_level(alpha, "alpha")
    series = pd.Series(pvalues, dtype=float) if not isinstance(pvalues, pd.Series) else pvalues.astype(float)
    if len(series) < 1:
        raise ValueError("pvalues is empty")
    if series.isna().any():
        raise ValueError(f"pvalues contains NaN for {list(series.index[series.isna()])}")
    if ((series < 0) | (series > 1)).any():
        raise ValueError(f"p-values must lie in [0, 1], got {series[(series < 0) | (series > 1)].to_dict()}")
    reject, adjusted, _, _ = multipletests(series.to_numpy(), alpha=alpha, method="holm")
    table = pd.DataFrame({"pvalue": series.to_numpy(), "adjusted": adjusted, "reject": reject},
                         index=series.index)
    return HolmResult(table, alpha)


# --------------------------------------------------------------------------- Sharpe ratios
def _sharpe_inputs(sharpe: float, n_obs: int, skew: float, kurtosis: float) -> float:
    for name, value in (("sharpe", sharpe), ("skew", skew), ("kurtosis", kurtosis)):
        if not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value}")
    if isinstance(n_obs, bool) or not isinstance(n_obs, int | np.integer) or n_obs < 2:
        raise ValueError(f"n_obs must be an integer of at least 2 (the number of returns), got {n_obs!r}")
    if kurtosis < 1:
        raise ValueError(f"kurtosis must be the raw (not excess) kurtosis, at least 1; got {kurtosis} "
                         "(a normal distribution has 3)")
    inner = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if inner <= 0:
        raise ValueError(f"1 - skew*SR + (kurtosis-1)/4*SR^2 = {inner:.4g} is not positive; check that "
                         "sharpe is per period (not annualised) and the moments are right")
    return inner


def probabilistic_sharpe_ratio(
    sharpe: float, n_obs: int, *, benchmark: float = 0.0, skew: float = 0.0, kurtosis: float = 3.0
) -> float:
    """Probabilistic Sharpe ratio of Bailey & Lopez de Prado (2012): P(true SR > benchmark).

    PSR = Phi((SR - SR*) sqrt(T - 1) / sqrt(1 - skew SR + (kurtosis - 1)/4 SR^2)),
    with SR and SR* per period (not annualised: divide an annualised ratio by
    sqrt(periods per year)), T the number of returns, and ``kurtosis`` the raw
    kurtosis (3 for a normal distribution).
    """
    if not np.isfinite(benchmark):
        raise ValueError(f"benchmark must be a finite number, got {benchmark}")
    inner = _sharpe_inputs(sharpe, n_obs, skew, kurtosis)
    z = (sharpe - benchmark) * math.sqrt(n_obs - 1) / math.sqrt(inner)
    return float(stats.norm.cdf(z))


def expected_max_sharpe(n_trials: int, var_trials: float, *, mean_trials: float = 0.0) -> float:
    """Expected maximum of ``n_trials`` Sharpe ratio estimates whose true value is ``mean_trials``.

    From Bailey & Lopez de Prado (2014), after Bailey, Borwein, Lopez de Prado & Zhu (2014):

    E[max SR] ~ mean + sqrt(V) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e))),
    gamma the Euler-Mascheroni constant, V the variance of the trials' Sharpe
    ratios (same units as the Sharpe ratio: per period).
    """
    if isinstance(n_trials, bool) or not isinstance(n_trials, int | np.integer) or n_trials < 2:
        raise ValueError(f"n_trials must be an integer of at least 2, got {n_trials!r}; with one trial "
                         "there is no selection, use probabilistic_sharpe_ratio against 0")
    if not np.isfinite(var_trials) or var_trials <= 0:
        raise ValueError("var_trials must be a positive variance of the trials' Sharpe ratios, "
                         f"got {var_trials}")
    z = ((1 - EULER_GAMMA) * stats.norm.ppf(1 - 1 / n_trials)
         + EULER_GAMMA * stats.norm.ppf(1 - 1 / (n_trials * math.e)))
    return float(mean_trials + math.sqrt(var_trials) * z)


def deflated_sharpe_ratio(
    sharpe: float,
    n_obs: int,
    *,
    n_trials: int,
    var_trials: float,
    skew: float = 0.0,
    kurtosis: float = 3.0,
) -> float:
    """Deflated Sharpe ratio of Bailey & Lopez de Prado (2014).

    The probabilistic Sharpe ratio of the selected strategy against the Sharpe
    ratio its selection alone would produce: PSR with benchmark
    :func:`expected_max_sharpe` (``n_trials``, ``var_trials``). All Sharpe ratios
    and ``var_trials`` per period. The paper's example: annualised SR 2.5 over
    T = 1250 daily returns (250 a year), skew -3, kurtosis 10, N = 100 trials
    whose annualised Sharpe ratios have variance 1/2, gives a benchmark of
    0.1132 per day and DSR 0.9004.
    """
    sr0 = expected_max_sharpe(n_trials, var_trials)
    return probabilistic_sharpe_ratio(sharpe, n_obs, benchmark=sr0, skew=skew, kurtosis=kurtosis)


# --------------------------------------------------------------------------- seeds
@dataclass(frozen=True)
class SeedSpread:
    """Result of :func:`over_seeds`: per-seed scores, their summary, and the seed-ensemble's score."""

    scores: pd.Series
    ensemble_score: float | None = None

    @property
    def mean(self) -> float:
        return float(self.scores.mean())

    @property
    def std(self) -> float:
        """Sample standard deviation (ddof 1) of the per-seed scores."""
        return float(self.scores.std(ddof=1))

    @property
    def min(self) -> float:
        return float(self.scores.min())

    @property
    def max(self) -> float:
        return float(self.scores.max())

    @property
    def n(self) -> int:
        return len(self.scores)

    def summary(self) -> pd.Series:
        """One row of a table: mean, std, min, max, seeds and (if any) the ensemble's score."""
        out = {"mean": self.mean, "std": self.std, "min": self.min, "max": self.max, "seeds": self.n}
        if self.ensemble_score is not None:
            out["ensemble"] = self.ensemble_score
        return pd.Series(out)


def over_seeds(
    fit_score: Callable[[int], Any],
    seeds: Iterable[int],
    *,
    score_predictions: Callable[[np.ndarray], float] | None = None,
) -> SeedSpread:
    """Run ``fit_score(seed)`` once per seed; report the spread of the scores and the seed-ensemble.

    ``fit_score(seed)`` returns either a score, or a pair ``(score, predictions)``.
    With predictions, pass ``score_predictions``: the predictions are averaged over
    seeds (a seed ensemble) and ``score_predictions(mean_predictions)`` is the
    ensemble's score, usually better than the average single seed. A difference
    between two models smaller than the seed spread is not a finding.
    """
    if callable(seeds) or isinstance(seeds, str | bytes):
        raise ValueError("seeds must be an iterable of integers, e.g. range(5)")
    seed_list = [_check_seed(s) for s in seeds]
    if len(seed_list) < 2:
        raise ValueError(f"need at least 2 seeds to measure a spread, got {len(seed_list)}")
    dup = sorted({s for s in seed_list if seed_list.count(s) > 1})
    if dup:
        raise ValueError(f"seeds must be distinct; repeated: {dup}")
    scores: list[float] = []
    preds: list[np.ndarray] = []
    for seed in seed_list:
        out = fit_score(seed)
        if isinstance(out, tuple):
            if len(out) != 2:
                raise ValueError(f"fit_score({seed}) must return a score or (score, predictions), "
                                 f"got a tuple of length {len(out)}")
            score, pred = out
            pred = np.asarray(pred, dtype=float)
            if preds and pred.shape != preds[0].shape:
                raise ValueError(f"fit_score({seed}) returned predictions of shape {pred.shape}, "
                                 f"but seed {seed_list[0]} returned {preds[0].shape}")
            if np.isnan(pred).any():
                raise ValueError(f"fit_score({seed}) returned predictions with NaN values")
            preds.append(pred)
        else:
            if preds:
                raise ValueError(f"fit_score({seed}) returned no predictions, but earlier seeds did")
            score = out
        try:
            score = float(score)
        except (TypeError, ValueError) as err:
            raise ValueError(f"fit_score({seed}) must return a number as its score, got {score!r}") from err
        if not np.isfinite(score):
            raise ValueError(f"fit_score({seed}) returned a non-finite score {score}")
        scores.append(score)
    ensemble = None
    if preds:
        if len(preds) != len(seed_list):
            raise ValueError("fit_score returned predictions for some seeds but not for others")
        if score_predictions is None:
            raise ValueError("fit_score returns predictions; pass score_predictions=... (a function of the "
                             "averaged predictions) to score the seed ensemble")
        ensemble = float(score_predictions(np.mean(preds, axis=0)))
    elif score_predictions is not None:
        raise ValueError("score_predictions was given but fit_score returns no predictions; "
                         "return (score, predictions) from fit_score")
    return SeedSpread(pd.Series(scores, index=pd.Index(seed_list, name="seed"), name="score"), ensemble)


# --------------------------------------------------------------------------- words
def format_pvalue(p: float, *, alpha: float | None = None) -> str:
    """A p-value as prose writes it: "p < 0.001" below 0.001, else two significant digits.

    When ``alpha`` is given, more digits are used if rounding would put the
    written value on the other side of alpha (0.0496 is written 0.0496, not 0.05).

    >>> format_pvalue(0.0004), format_pvalue(0.003), format_pvalue(0.41), format_pvalue(0.0496, alpha=0.05)
    ('p < 0.001', 'p = 0.003', 'p = 0.41', 'p = 0.0496')
    """
    try:
        p = float(p)
    except (TypeError, ValueError) as err:
        raise ValueError(f"p must be a number in [0, 1], got {p!r}") from err
    if not 0 <= p <= 1:
        raise ValueError(f"p must be a number in [0, 1], got {p}")
    if p < 0.001:
        return "p < 0.001"
    for digits in (2, 3, 4, 5, 6):
        text = f"{p:.{digits}g}"
        if alpha is None or (float(text) < alpha) == (p < alpha):
            break
    return f"p = {text}"


def _direction(result: object) -> tuple[float, float]:
    if isinstance(result, tuple) and len(result) == 2:
        diff, p = result
        return float(diff), float(p)
    if not hasattr(result, "pvalue"):
        raise ValueError("verdict needs a test result with a .pvalue (e.g. from dm_test) or a pair "
                         f"(difference A - B, p-value); got {type(result).__name__}")
    for attr in ("mean_difference", "estimate", "statistic"):
        if hasattr(result, attr):
            return float(getattr(result, attr)), float(result.pvalue)
    raise ValueError(f"{type(result).__name__} has a p-value but no direction "
                     "(mean_difference, estimate or statistic)")


def verdict(
    result: object,
    *,
    better: Literal["lower", "higher"],
    alpha: float = 0.05,
    names: tuple[str, str] | None = None,
) -> str:
    """The words for a two-model comparison at level ``alpha``, with the p-value.

    ``result`` is a pairwise result describing A minus B (:func:`dm_test`,
    :func:`paired_block_bootstrap`, the corrected t-tests, or
    ``finbook.metrics.diebold_mariano``) or a pair ``(difference, pvalue)``.
    ``better`` says which direction is good for the compared quantity: "lower"
    for losses, "higher" for scores such as accuracy. Returns
    "significantly better than (p = 0.003)", "indistinguishable from (p = 0.41)"
    or "significantly worse than (p = 0.01)"; with ``names=("the LSTM", "HAR")``
    the sentence is complete: "the LSTM is significantly better than HAR (p = 0.003)".
    "Indistinguishable" means not distinguished by this test on this data, not equal.
    """
    if better not in ("lower", "higher"):
        raise ValueError(f"better must be 'lower' (losses) or 'higher' (scores), got {better!r}")
    _check_level(alpha, "alpha")
    if names is not None and (not isinstance(names, tuple | list) or len(names) != 2
                              or not all(isinstance(s, str) and s for s in names)):
        raise ValueError(f"names must be two non-empty strings (model A, model B), got {names!r}")
    diff, p = _direction(result)
    if not np.isfinite(diff) or not 0 <= p <= 1:
        raise ValueError(f"the result has difference {diff} and p-value {p}; "
                         "need a finite difference and p in [0, 1]")
    ptext = format_pvalue(p, alpha=alpha)
    if p >= alpha:
        words = "indistinguishable from"
    elif diff == 0:
        raise ValueError("the result is significant but its difference is exactly 0; "
                         "cannot tell the direction")
    else:
        a_better = diff < 0 if better == "lower" else diff > 0
        words = "significantly better than" if a_better else "significantly worse than"
    if names is None:
        return f"{words} ({ptext})"
    return f"{names[0]} is {words} {names[1]} ({ptext})"


#: The three kinds of verdict :func:`verdict` can return, as they start its words.
VERDICT_KINDS = ("significantly better", "significantly worse", "indistinguishable")
_KIND = re.compile("|".join(VERDICT_KINDS))


def verdict_kind(words: object) -> str:
    """The kind of verdict in a sentence made by :func:`verdict`.

    Returns "significantly better", "significantly worse" or "indistinguishable"
    (:data:`VERDICT_KINDS`). Raises ``ValueError`` when the text holds none of them,
    or more than one kind (the sentence is then not one verdict).

    >>> verdict_kind("the LSTM is indistinguishable from HAR (p = 0.41)")
    'indistinguishable'
    """
    found = set(_KIND.findall(str(words)))
    if len(found) != 1:
        what = "no verdict" if not found else f"{len(found)} verdicts ({', '.join(sorted(found))})"
        raise ValueError(f"{what} in {words!r}: expected the words of inference.verdict, "
                         f"with exactly one of {', '.join(VERDICT_KINDS)}")
    return found.pop()
