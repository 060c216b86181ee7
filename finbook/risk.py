"""Market risk: one-day Value-at-Risk and Expected Shortfall forecasts, and the backtests regulators use.

Conventions. Returns are daily, in percent (100 x log price ratio, as
:func:`finbook.volatility.log_returns` gives them). VaR and ES are reported
as **positive losses** in the same units: a 99% VaR of 2.5 means "on 99% of
days the return should be above -2.5%". A forecast table has one row per
forecast day t, made with information up to the close of day t-1, and
columns ``VaR`` (at ``var_level``, e.g. 0.99), ``VaR_es`` (the VaR at
``es_level``, e.g. 0.975) and ``ES`` (the Expected Shortfall at ``es_level``:
the average loss on the days beyond ``VaR_es``). Basel's FRTB pairs a 99% VaR
(for backtesting) with a 97.5% ES (for capital).

Models: :func:`historical_simulation`, :func:`ewma_forecasts` (RiskMetrics),
:func:`garch_t_forecasts` (GARCH(1,1) with Student-t errors, refitted
periodically with ``arch``; it also returns filtered historical simulation),
and :func:`quantile_network_forecasts` (the walk-forward run of chapter 9's
quantile network, trained with the pinball loss; the network, its loss and its
yearly refit are taught in the chapter and imported from :mod:`finbook.lessons`).
CAViaR (Engle & Manganelli 2004): :func:`caviar_quantiles`, :func:`fit_caviar`.
Closed forms: :func:`normal_var`, :func:`normal_es`, :func:`student_t_var`,
:func:`student_t_es`.

Backtests: :func:`var_exceptions`, :func:`kupiec_pof_test` (Kupiec 1995),
:func:`christoffersen_independence_test` and
:func:`christoffersen_conditional_coverage_test` (Christoffersen 1998),
:func:`basel_traffic_light` (Basel Committee 1996), :func:`es_exceedance_ratio`,
the Expected Shortfall backtest :func:`acerbi_szekely_z2_test` (Acerbi & Szekely
2014), and the tables :func:`backtest_summary` and :func:`exceptions_by_year`.

Example
-------
>>> round(float(normal_var(1.0, 0.99)), 4)
2.3263
>>> basel_traffic_light(4), basel_traffic_light(5), basel_traffic_light(10)
('green', 'yellow', 'red')
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from finbook.metrics import pinball_loss

__all__ = [
    "CaviarFit",
    "ZTest",
    "acerbi_szekely_z2",
    "acerbi_szekely_z2_test",
    "caviar_quantiles",
    "fit_caviar",
    "z2_null_distribution",
    "LikelihoodRatioTest",
    "QuantileNetworkEnsemble",
    "backtest_summary",
    "basel_traffic_light",
    "christoffersen_conditional_coverage_test",
    "christoffersen_independence_test",
    "es_exceedance_ratio",
    "ewma_forecasts",
    "ewma_variance",
    "exceptions_by_year",
    "garch_t_forecasts",
    "garch_variance_path",
    "historical_simulation",
    "kupiec_pof_test",
    "normal_es",
    "normal_forecasts",
    "normal_var",
    "plot_var_backtest",
    "quantile_features",
    "quantile_levels_for",
    "quantile_network_ensemble",
    "quantile_network_forecasts",
    "rolling_exceptions",
    "student_t_es",
    "student_t_var",
    "traffic_light_boundaries",
    "var_exceptions",
]

_COLUMNS = ["VaR", "VaR_es", "ES"]


# --------------------------------------------------------------------------- validation
def _check_level(level: float, name: str = "level") -> float:
    if isinstance(level, bool) or not isinstance(level, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a confidence level in (0, 1), e.g. 0.99, got {level!r}")
    if not 0.0 < float(level) < 1.0:
        raise ValueError(f"{name} must be a confidence level in (0, 1), e.g. 0.99, got {level!r}")
    return float(level)


def _returns(returns: object, name: str = "returns") -> pd.Series:
    if not isinstance(returns, pd.Series) or not isinstance(returns.index, pd.DatetimeIndex):
        raise TypeError(f"{name} must be a pandas Series with a DatetimeIndex (daily returns in "
                        f"percent), got {type(returns).__name__}")
    if returns.isna().any():
        raise ValueError(f"{name} has {int(returns.isna().sum())} NaN value(s); drop them first "
                         "(the first log return is always NaN)")
    if not returns.index.is_monotonic_increasing:
        raise ValueError(f"{name} must be sorted in time")
    return returns.astype(float)


def _first_position(index: pd.DatetimeIndex, start: object, minimum: int) -> int:
    pos = int(index.searchsorted(pd.Timestamp(start)))
    if pos >= len(index):
        raise ValueError(f"start {start!r} is after the last date {index[-1].date()}")
    if pos < minimum:
        raise ValueError(f"start {start!r} leaves {pos} day(s) of history before it; need at "
                         f"least {minimum}")
    return pos


def _frame(index: pd.DatetimeIndex, var: np.ndarray, var_es: np.ndarray, es: np.ndarray,
           var_level: float, es_level: float) -> pd.DataFrame:
    out = pd.DataFrame({"VaR": var, "VaR_es": var_es, "ES": es}, index=index)
    out.attrs.update(var_level=var_level, es_level=es_level)
    return out


def _arrays(*pairs: tuple[object, str]) -> list[np.ndarray]:
    out = []
    for value, name in pairs:
        arr = np.asarray(value, dtype=float).reshape(-1)
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains {int(np.isnan(arr).sum())} NaN value(s)")
        out.append(arr)
    lengths = {len(a) for a in out}
    if len(lengths) > 1:
        names = " and ".join(name for _, name in pairs)
        raise ValueError(f"{names} must have the same length, got {[len(a) for a in out]}")
    return out


# --------------------------------------------------------------------------- closed forms
def normal_var(sigma: object, level: float = 0.99, mu: object = 0.0) -> np.ndarray:
    """VaR (positive loss) of a normal return with mean ``mu`` and standard deviation ``sigma``.

    VaR = -(mu + sigma * z_{1-level}); at 99%, z = -2.3263, so VaR = 2.3263 sigma - mu.

    Example
    -------
    >>> round(float(normal_var(2.0, 0.99)), 4)
    4.6527
    """
    level = _check_level(level)
    return -(np.asarray(mu, dtype=float) + np.asarray(sigma, dtype=float) * stats.norm.ppf(1 - level))


def normal_es(sigma: object, level: float = 0.975, mu: object = 0.0) -> np.ndarray:
    """Expected Shortfall (positive loss) of a normal return: sigma * phi(z) / (1 - level) - mu.

    At 97.5% the normal ES is 2.3378 sigma, close to the 99% VaR (2.3263
    sigma): the reason the FRTB could swap one for the other for normal tails.

    Example
    -------
    >>> round(float(normal_es(1.0, 0.975)), 4)
    2.3378
    """
    level = _check_level(level)
    z = stats.norm.ppf(1 - level)
    return np.asarray(sigma, dtype=float) * stats.norm.pdf(z) / (1 - level) - np.asarray(mu, dtype=float)


def _check_nu(nu: object) -> np.ndarray:
    n = np.asarray(nu, dtype=float)
    if (n <= 2).any() or np.isnan(n).any():
        raise ValueError(f"nu (degrees of freedom) must exceed 2 for a finite variance, got {nu!r}")
    return n


def student_t_var(sigma: object, nu: object, level: float = 0.99, mu: object = 0.0) -> np.ndarray:
    """VaR of ``mu + sigma * e`` where ``e`` is Student-t with ``nu`` degrees of freedom and unit variance.

    The standardised t (the form ``arch`` estimates) is t_nu * sqrt((nu - 2) / nu).

    Example
    -------
    >>> round(float(student_t_var(1.0, 5.0, 0.99)), 4)
    2.6065
    """
    level = _check_level(level)
    n = _check_nu(nu)
    q = stats.t.ppf(1 - level, n) * np.sqrt((n - 2) / n)
    return -(np.asarray(mu, dtype=float) + np.asarray(sigma, dtype=float) * q)


def student_t_es(sigma: object, nu: object, level: float = 0.975, mu: object = 0.0) -> np.ndarray:
    """Expected Shortfall of ``mu + sigma * e`` with unit-variance Student-t ``e`` (``nu`` > 2).

    For a standard t_nu with tail probability a = 1 - level and quantile
    q = t_nu^{-1}(a): E[-T | T <= q] = f(q) (nu + q^2) / ((nu - 1) a); scale by
    sqrt((nu - 2) / nu) for unit variance.

    Example
    -------
    >>> round(float(student_t_es(1.0, 5.0, 0.975)), 4)  # 3.5216 for the standard t, times sqrt(3/5)
    2.7278
    """
    level = _check_level(level)
    n = _check_nu(nu)
    a = 1 - level
    q = stats.t.ppf(a, n)
    es_std_t = stats.t.pdf(q, n) * (n + q**2) / ((n - 1) * a)
    return np.asarray(sigma, dtype=float) * es_std_t * np.sqrt((n - 2) / n) - np.asarray(mu, dtype=float)


def _empirical(sample: np.ndarray, var_level: float, es_level: float) -> tuple[float, float, float]:
    var = -np.quantile(sample, 1 - var_level)
    var_es = -np.quantile(sample, 1 - es_level)
    es = -sample[sample <= -var_es].mean()
    return float(var), float(var_es), float(es)


# --------------------------------------------------------------------------- models
def historical_simulation(returns: pd.Series, *, start: object, window: int = 500,
                          min_window: int = 250, var_level: float = 0.99,
                          es_level: float = 0.975) -> pd.DataFrame:
    """Historical-simulation VaR and ES: the empirical quantile and tail mean of the last ``window`` days.

    The forecast for day t uses returns t - window ... t - 1 (fewer, but at
    least ``min_window``, near the start of the data). Quantiles use numpy's
    default linear interpolation between order statistics. Returns a forecast
    table (see the module docstring) from ``start`` on.
    """
    r = _returns(returns)
    var_level, es_level = _check_level(var_level, "var_level"), _check_level(es_level, "es_level")
    if not 1 <= min_window <= window:
        raise ValueError(f"need 1 <= min_window <= window, got min_window={min_window}, window={window}")
    first = _first_position(r.index, start, min_window)
    values = r.to_numpy()
    out = np.array([_empirical(values[max(0, i - window):i], var_level, es_level)
                    for i in range(first, len(values))])
    return _frame(r.index[first:], out[:, 0], out[:, 1], out[:, 2], var_level, es_level)


def ewma_variance(returns: pd.Series, lam: float = 0.94, init_obs: int = 20) -> pd.Series:
    """RiskMetrics exponentially weighted variance forecasts, in percent squared.

    sigma^2_t = lam * sigma^2_{t-1} + (1 - lam) * r^2_{t-1} (zero mean, as in
    RiskMetrics), started at the mean of r^2 over the first ``init_obs`` days.
    Row t is the forecast for day t made at the close of day t - 1; the first
    ``init_obs`` rows are NaN. RiskMetrics uses lam = 0.94 for daily data.
    """
    r = _returns(returns)
    if not 0.0 < lam < 1.0:
        raise ValueError(f"lam (the decay factor) must be in (0, 1), got {lam!r}")
    if not isinstance(init_obs, (int, np.integer)) or not 1 <= init_obs < len(r):
        raise ValueError(f"init_obs must be an integer in [1, {len(r) - 1}], got {init_obs!r}")
    x = r.to_numpy()
    out = np.full(len(x), np.nan)
    var = float(np.mean(x[:init_obs] ** 2))
    for t in range(init_obs, len(x)):
        out[t] = var  # forecast for day t, from returns up to t - 1
        var = lam * var + (1 - lam) * x[t] ** 2
    return pd.Series(out, index=r.index, name="ewma_variance")


def normal_forecasts(sigma: pd.Series, *, mu: float = 0.0, var_level: float = 0.99,
                     es_level: float = 0.975) -> pd.DataFrame:
    """A forecast table from volatility forecasts under normality: normal VaR and ES of ``sigma``.

    ``sigma`` holds the volatility forecast (percent) for each day; NaN not allowed.

    Example
    -------
    >>> idx = pd.date_range("2020-01-01", periods=2, freq="D")
    >>> normal_forecasts(pd.Series([1.0, 2.0], idx))["VaR"].round(4).tolist()
    [2.3263, 4.6527]
    """
    var_level, es_level = _check_level(var_level, "var_level"), _check_level(es_level, "es_level")
    if not isinstance(sigma, pd.Series):
        raise TypeError(f"sigma must be a pandas Series of volatilities, got {type(sigma).__name__}")
    s = sigma.to_numpy(dtype=float)
    if np.isnan(s).any() or (s <= 0).any():
        raise ValueError("sigma must be positive volatilities without NaN; "
                         f"found {int(np.isnan(s).sum())} NaN and {int((s <= 0).sum())} non-positive")
    return _frame(sigma.index, normal_var(s, var_level, mu), normal_var(s, es_level, mu),
                  normal_es(s, es_level, mu), var_level, es_level)


def ewma_forecasts(returns: pd.Series, *, start: object, lam: float = 0.94,
                   var_level: float = 0.99, es_level: float = 0.975) -> pd.DataFrame:
    """RiskMetrics VaR and ES: normal quantiles of the EWMA volatility (:func:`ewma_variance`)."""
    sigma = np.sqrt(ewma_variance(returns, lam))
    first = _first_position(sigma.index, start, int(sigma.isna().sum()))
    return normal_forecasts(sigma.iloc[first:], var_level=var_level, es_level=es_level)


def garch_variance_path(resid: object, omega: float, alpha: float, beta: float,
                        sigma2_init: float) -> np.ndarray:
    """Filter GARCH(1,1) variances: sigma^2_{t+1} = omega + alpha * e_t^2 + beta * sigma^2_t.

    ``resid`` are the residuals e_0 ... e_{n-1} (returns minus the mean);
    ``sigma2_init`` is sigma^2_0. Returns n + 1 variances sigma^2_0 ... sigma^2_n,
    the last being the forecast for the day after the data. Stationarity
    (alpha + beta < 1) is not required: estimates on the boundary
    alpha + beta = 1 (integrated GARCH, as RiskMetrics) filter just as well.

    Example
    -------
    >>> garch_variance_path([1.0, -2.0], 0.1, 0.1, 0.8, 1.0).round(4).tolist()
    [1.0, 1.0, 1.3]
    """
    e = np.asarray(resid, dtype=float).reshape(-1)
    if not (omega > 0 and alpha >= 0 and beta >= 0):
        raise ValueError(f"need omega > 0, alpha >= 0 and beta >= 0 for positive variances, "
                         f"got omega={omega}, alpha={alpha}, beta={beta}")
    if sigma2_init <= 0:
        raise ValueError(f"sigma2_init must be a positive variance, got {sigma2_init}")
    out = np.empty(len(e) + 1)
    out[0] = sigma2_init
    for t, et in enumerate(e):
        out[t + 1] = omega + alpha * et * et + beta * out[t]
    return out


@dataclass(frozen=True)
class GarchForecasts:
    """Output of :func:`garch_t_forecasts`: the two forecast tables and the parameters of every refit."""

    garch_t: pd.DataFrame
    fhs: pd.DataFrame
    params: pd.DataFrame


def garch_t_forecasts(returns: pd.Series, *, start: object, refit_every: int = 20,
                      min_obs: int = 250, var_level: float = 0.99,
                      es_level: float = 0.975) -> GarchForecasts:
    """GARCH(1,1)-t and filtered-historical-simulation VaR/ES, refitted every ``refit_every`` days.

    At each refit date the model (constant mean, GARCH(1,1) variance,
    standardised Student-t errors; Bollerslev 1986) is estimated by maximum
    likelihood with ``arch`` on all returns before that date (an expanding
    window), warm-started from the previous estimates. Between refits the
    parameters are held fixed and the variance is filtered day by day with
    the new returns (:func:`garch_variance_path`), so every forecast uses
    only past data.

    Two forecasts share the same volatility: ``garch_t`` takes the quantile
    and tail mean of the fitted t distribution; ``fhs`` (filtered historical
    simulation) those of the empirical standardised residuals of the fit.
    ``params`` holds mu, omega, alpha, beta, nu of every refit, indexed by the
    first day it was used.
    """
    from arch.utility.exceptions import StartingValueWarning  # noqa: PLC0415

    from finbook.volatility import fit_arch  # noqa: PLC0415

    r = _returns(returns)
    var_level, es_level = _check_level(var_level, "var_level"), _check_level(es_level, "es_level")
    if not isinstance(refit_every, (int, np.integer)) or refit_every < 1:
        raise ValueError(f"refit_every must be a positive integer (days), got {refit_every!r}")
    first = _first_position(r.index, start, min_obs)
    x = r.to_numpy()
    n = len(x)
    rows, garch_out, fhs_out = [], np.empty((n - first, 3)), np.empty((n - first, 3))
    start_values = None
    for block in range(first, n, refit_every):
        with warnings.catch_warnings():
            # arch falls back to its own starting values when the previous estimates sit on the
            # boundary of its constraints (alpha + beta = 1) and says so; that fallback is harmless
            warnings.simplefilter("ignore", StartingValueWarning)
            # 1,000 SLSQP iterations, not arch's default 100: on other CPUs' BLAS kernels a
            # refit was measured to stop at the limit, unconverged
            res = fit_arch(x[:block], model="GARCH", dist="t", starting_values=start_values,
                           maxiter=1000, rescale=None)
        start_values = res.params.to_numpy()
        mu, omega, alpha, beta, nu = (float(res.params[k]) for k in ("mu", "omega", "alpha[1]",
                                                                      "beta[1]", "nu"))
        rows.append({"date": r.index[block], "mu": mu, "omega": omega, "alpha": alpha, "beta": beta,
                     "nu": nu})
        cond_vol = np.asarray(res.conditional_volatility)
        z = np.asarray(res.resid) / cond_vol
        end = min(block + refit_every, n)
        # sigma^2 for days block-1 ... end-1 given the fit's last variance, then forecasts block ... end-1
        path = garch_variance_path(x[block - 1:end - 1] - mu, omega, alpha, beta, cond_vol[-1] ** 2)
        sigma = np.sqrt(path[1:])
        k = slice(block - first, end - first)
        garch_out[k] = np.column_stack([
            student_t_var(sigma, nu, var_level, mu), student_t_var(sigma, nu, es_level, mu),
            student_t_es(sigma, nu, es_level, mu)])
        zvar, zvar_es, zes = _empirical(z, var_level, es_level)  # losses of the standardised residuals
        fhs_out[k] = np.column_stack([sigma * zvar - mu, sigma * zvar_es - mu, sigma * zes - mu])
    index = r.index[first:]
    params = pd.DataFrame(rows).set_index("date")
    return GarchForecasts(
        garch_t=_frame(index, *garch_out.T, var_level, es_level),
        fhs=_frame(index, *fhs_out.T, var_level, es_level),
        params=params,
    )


# --------------------------------------------------------------------------- the quantile network
def quantile_levels_for(var_level: float = 0.99, es_level: float = 0.975,
                        es_points: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Tail probabilities a quantile network must predict to give VaR at ``var_level`` and ES at ``es_level``.

    ES at level c is the average of the quantiles q_u over u in (0, 1 - c);
    it is approximated by the midpoint rule with ``es_points`` quantiles.
    Returns ``(levels, es_weights)``: the sorted tail probabilities (including
    1 - var_level and 1 - es_level) and the weight of each in the ES average.

    Example
    -------
    >>> levels, w = quantile_levels_for(0.99, 0.975, 5)
    >>> levels.round(4).tolist()
    [0.0025, 0.0075, 0.01, 0.0125, 0.0175, 0.0225, 0.025]
    """
    var_level, es_level = _check_level(var_level, "var_level"), _check_level(es_level, "es_level")
    if not isinstance(es_points, (int, np.integer)) or es_points < 1:
        raise ValueError(f"es_points must be a positive integer, got {es_points!r}")
    a = 1 - es_level
    mids = a * (np.arange(es_points) + 0.5) / es_points
    levels = np.unique(np.round(np.concatenate([mids, [1 - var_level, a]]), 12))
    weights = np.array([1.0 / es_points if np.isclose(mids, u).any() else 0.0 for u in levels])
    return levels, weights


def quantile_features(returns: pd.Series, lam: float = 0.94) -> pd.DataFrame:
    """Inputs of the quantile network, each known at the close of day t - 1, in row t.

    Scale-free by construction, so one network serves calm and turbulent
    years: ``log_var`` (log EWMA variance forecast for day t), ``z_last``
    (yesterday's return over its EWMA volatility), ``z_neg`` (the same, if
    negative, else 0: the leverage effect), and ``log_rv5``, ``log_rv22``,
    ``log_rv66`` (log of the mean squared return over the last 5, 22, 66 days
    relative to the EWMA variance). Also ``sigma`` (the EWMA volatility
    forecast for day t, in percent), which scales the network's output.
    Rows without a full history are NaN.
    """
    r = _returns(returns)
    var = ewma_variance(r, lam)
    sigma = np.sqrt(var)
    z_prev = (r / sigma).shift(1)
    sq = (r**2).shift(1)
    out = pd.DataFrame({
        "log_var": np.log(var),
        "z_last": z_prev,
        "z_neg": z_prev.clip(upper=0.0),
        "log_rv5": np.log(sq.rolling(5).mean() / var),
        "log_rv22": np.log(sq.rolling(22).mean() / var),
        "log_rv66": np.log(sq.rolling(66).mean() / var),
        "sigma": sigma,
    }, index=r.index)
    return out


@dataclass(frozen=True)
class QuantileNetworkForecasts:
    """Output of :func:`quantile_network_forecasts`: forecasts, the trained network and its histories."""

    forecasts: pd.DataFrame
    quantiles: pd.DataFrame
    model: Any
    histories: dict[int, dict[str, list[float]]]


_FEATURES = ["log_var", "z_last", "z_neg", "log_rv5", "log_rv22", "log_rv66"]


def quantile_network_forecasts(
    returns: pd.Series, *, start: object, var_level: float = 0.99, es_level: float = 0.975,
    es_points: int = 5, hidden: Sequence[int] = (16, 16), validation_fraction: float = 0.2,
    learning_rate: float = 1e-2, max_epochs: int = 100, patience: int = 10, batch_size: int = 256,
    seed: int = 0, features: Sequence[str] = ("z_last", "z_neg", "log_rv5", "log_rv22", "log_rv66"),
) -> QuantileNetworkForecasts:
    """Walk-forward VaR/ES from a quantile network refitted at the start of every calendar year.

    The network (``quantile_network`` of chapter 9, in :mod:`finbook.lessons`) maps
    :func:`quantile_features` to
    quantiles of the standardised return r_t / sigma_t (sigma_t the EWMA
    volatility); multiplying by sigma_t gives return quantiles. It is trained
    with the pinball loss averaged over the levels of
    :func:`quantile_levels_for`. Each January the network continues training
    (warm start) on all earlier days, the last ``validation_fraction`` of them
    held out as a time-ordered validation block for early stopping, with a gap
    of 66 days between training rows and the block (chapter 9's
    ``refit_quantile_network``, seeded with ``seed + year``), and then
    forecasts every day of the year. ``features`` are columns of
    :func:`quantile_features`; the default leaves out the volatility level
    ``log_var`` so that the network sees only scale-free inputs and cannot
    extrapolate from a level it has never seen.
    VaR is minus the 1 - var_level quantile; ES minus the average of the
    es_points midpoint quantiles below 1 - es_level. ``seed`` seeds the
    initial weights and the order of the batches; a
    result that matters should rest on several seeds
    (:func:`quantile_network_ensemble`).
    """
    from finbook.lessons import quantile_network, refit_quantile_network  # noqa: PLC0415

    r = _returns(returns)
    var_level, es_level = _check_level(var_level, "var_level"), _check_level(es_level, "es_level")
    levels, weights = quantile_levels_for(var_level, es_level, es_points)
    feats = quantile_features(r)
    features = list(features)
    unknown = sorted(set(features) - set(_FEATURES))
    if unknown or not features:
        raise ValueError(f"features must be a non-empty subset of {_FEATURES}, got {features!r}")
    if not 0.0 < validation_fraction < 0.5:
        raise ValueError(f"validation_fraction must be in (0, 0.5), got {validation_fraction!r}")
    ok = feats.notna().all(axis=1).to_numpy()
    x_all = feats[features].to_numpy(dtype="float32")
    sigma = feats["sigma"].to_numpy()
    target = (r / feats["sigma"]).to_numpy(dtype="float32")
    first = _first_position(r.index, start, 1)
    years = r.index.year
    model = quantile_network(len(features), levels, hidden=hidden, learning_rate=learning_rate,
                             seed=seed)
    q_std = np.full((len(r), len(levels)), np.nan)
    histories: dict[int, dict[str, list[float]]] = {}
    for year in range(int(years[first]), int(years[-1]) + 1):
        test = np.flatnonzero((years == year) & (np.arange(len(r)) >= first))
        if test.size == 0:
            continue
        past = np.flatnonzero(ok[: test[0]])
        if len(past) < 100:
            raise ValueError(f"{year}: only {len(past)} usable days before it; need at least 100")
        model, hist = refit_quantile_network(
            model, x_all, target, past, seed=seed + year, validation_fraction=validation_fraction,
            max_epochs=max_epochs, patience=patience, batch_size=batch_size)
        histories[year] = hist
        q_std[test] = np.asarray(model(x_all[test], training=False))
    rows = np.arange(first, len(r))
    q = q_std[rows] * sigma[rows, None]
    idx = {round(u, 12): k for k, u in enumerate(levels)}
    var = -q[:, idx[round(1 - var_level, 12)]]
    var_es = -q[:, idx[round(1 - es_level, 12)]]
    es = -(q * weights).sum(axis=1)
    index = r.index[first:]
    quantiles = pd.DataFrame(q, index=index, columns=[f"q{u:.4f}" for u in levels])
    return QuantileNetworkForecasts(
        forecasts=_frame(index, var, var_es, es, var_level, es_level),
        quantiles=quantiles, model=model, histories=histories)


@dataclass(frozen=True)
class QuantileNetworkEnsemble:
    """Output of :func:`quantile_network_ensemble`: the seed-averaged forecasts and each seed's run."""

    forecasts: pd.DataFrame
    quantiles: pd.DataFrame
    members: dict[int, QuantileNetworkForecasts]


def quantile_network_ensemble(returns: pd.Series, *, start: object, seeds: Sequence[int],
                              **kwargs: Any) -> QuantileNetworkEnsemble:
    """Seed ensemble of :func:`quantile_network_forecasts`: one network per seed, forecasts averaged.

    Each seed trains its own network (initial weights and
    batch order all follow the seed); the ensemble's quantiles, VaR and ES are
    the averages over the seeds of the members' (the average of non-crossing
    quantiles does not cross, and since ES is linear in the quantiles, the ES
    of the averaged quantiles is the average ES). ``kwargs`` go to
    :func:`quantile_network_forecasts`. ``members`` maps each seed to its run,
    so the spread over seeds can be shown next to the ensemble.
    """
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be a non-empty sequence of distinct integers, got {seeds!r}")
    if "seed" in kwargs:
        raise TypeError("pass the seeds as seeds=..., not seed=")
    members = {s: quantile_network_forecasts(returns, start=start, seed=s, **kwargs) for s in seeds}
    runs = list(members.values())
    first = runs[0]
    mean = np.mean([m.forecasts[_COLUMNS].to_numpy() for m in runs], axis=0)
    forecasts = _frame(first.forecasts.index, *mean.T, first.forecasts.attrs["var_level"],
                       first.forecasts.attrs["es_level"])
    quantiles = pd.DataFrame(np.mean([m.quantiles.to_numpy() for m in runs], axis=0),
                             index=first.quantiles.index, columns=first.quantiles.columns)
    return QuantileNetworkEnsemble(forecasts=forecasts, quantiles=quantiles, members=members)


# --------------------------------------------------------------------------- backtests
@dataclass(frozen=True)
class LikelihoodRatioTest:
    """A likelihood-ratio backtest: the LR statistic, its chi-squared p-value and degrees of freedom."""

    statistic: float
    pvalue: float
    df: int


def var_exceptions(returns: object, var: object) -> np.ndarray:
    """1 on days when the loss exceeded the VaR (return < -VaR), else 0.

    ``returns`` and ``var`` are aligned arrays or Series of equal length (VaR
    as a positive loss). Pandas inputs must share the same index.

    Example
    -------
    >>> var_exceptions([-3.0, 1.0, -2.0], [2.5, 2.5, 2.5]).tolist()
    [1, 0, 0]
    """
    if isinstance(returns, pd.Series) and isinstance(var, pd.Series) and not returns.index.equals(var.index):
        raise ValueError("returns and var have different indexes; align them first "
                         "(e.g. returns.loc[var.index])")
    r, v = _arrays((returns, "returns"), (var, "var"))
    return (r < -v).astype(np.int64)


def _check_hits(exceptions: object) -> np.ndarray:
    hits = np.asarray(exceptions)
    if hits.ndim != 1 or hits.size == 0:
        raise ValueError(f"exceptions must be a non-empty 1-d sequence of 0/1, got shape {hits.shape}")
    bad = np.setdiff1d(np.unique(hits.astype(float)), [0.0, 1.0])
    if bad.size:
        raise ValueError(f"exceptions must contain only 0 and 1 (1 = VaR exceeded), found {bad[:5].tolist()}")
    return hits.astype(np.int64)


def _xlogy(x: float, y: float) -> float:
    """x * log(y) with the convention 0 * log(0) = 0."""
    return 0.0 if x == 0 else float(x * np.log(y))


def _bernoulli_loglik(n0: int, n1: int, p: float) -> float:
    return _xlogy(n0, 1.0 - p) + _xlogy(n1, p)


def kupiec_pof_test(exceptions: object, level: float = 0.99) -> LikelihoodRatioTest:
    """Kupiec's (1995) proportion-of-failures test of unconditional coverage.

    With n days, x exceptions and p = 1 - level,
    LR = -2 ln[(1 - p)^(n - x) p^x] + 2 ln[(1 - x/n)^(n - x) (x/n)^x],
    asymptotically chi-squared with 1 degree of freedom under H0: the
    exception probability is p. A small p-value rejects the VaR model
    (too many exceptions, or too few).

    Example
    -------
    >>> round(kupiec_pof_test([0] * 250, 0.99).statistic, 4)  # -500 ln 0.99
    5.0252
    """
    level = _check_level(level)
    hits = _check_hits(exceptions)
    n, x = len(hits), int(hits.sum())
    p = 1.0 - level
    stat = -2.0 * (_bernoulli_loglik(n - x, x, p) - _bernoulli_loglik(n - x, x, x / n))
    stat = max(stat, 0.0)
    return LikelihoodRatioTest(stat, float(stats.chi2.sf(stat, 1)), 1)


def _transitions(hits: np.ndarray) -> tuple[int, int, int, int]:
    if len(hits) < 2:
        raise ValueError(f"need at least 2 days to count transitions, got {len(hits)}")
    prev, cur = hits[:-1], hits[1:]
    n00 = int(np.sum((prev == 0) & (cur == 0)))
    n01 = int(np.sum((prev == 0) & (cur == 1)))
    n10 = int(np.sum((prev == 1) & (cur == 0)))
    n11 = int(np.sum((prev == 1) & (cur == 1)))
    return n00, n01, n10, n11


def _markov_loglik(n00: int, n01: int, n10: int, n11: int) -> float:
    pi01 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi11 = n11 / (n10 + n11) if n10 + n11 else 0.0
    return _bernoulli_loglik(n00, n01, pi01) + _bernoulli_loglik(n10, n11, pi11)


def christoffersen_independence_test(exceptions: object) -> LikelihoodRatioTest:
    """Christoffersen's (1998) test that exceptions do not cluster (first-order Markov alternative).

    Counts transitions n_ij from state i (0 = no exception, 1 = exception)
    yesterday to state j today, and compares a Markov chain with
    pi01 = n01 / (n00 + n01) and pi11 = n11 / (n10 + n11) against independence
    with pi = (n01 + n11) / (n - 1): LR_ind = -2 ln[L(pi) / L(pi01, pi11)],
    chi-squared with 1 degree of freedom. A small p-value means exceptions
    follow exceptions: the VaR does not react to volatility.
    """
    hits = _check_hits(exceptions)
    n00, n01, n10, n11 = _transitions(hits)
    pi = (n01 + n11) / (n00 + n01 + n10 + n11)
    restricted = _bernoulli_loglik(n00 + n10, n01 + n11, pi)
    stat = max(-2.0 * (restricted - _markov_loglik(n00, n01, n10, n11)), 0.0)
    return LikelihoodRatioTest(stat, float(stats.chi2.sf(stat, 1)), 1)


def christoffersen_conditional_coverage_test(exceptions: object, level: float = 0.99) -> LikelihoodRatioTest:
    """Christoffersen's (1998) joint test of correct coverage and independence.

    LR_cc = -2 ln[L(p) / L(pi01, pi11)] with p = 1 - level, on the n - 1
    transitions; it equals the Kupiec statistic computed on days 2..n plus
    LR_ind. Chi-squared with 2 degrees of freedom.
    """
    level = _check_level(level)
    hits = _check_hits(exceptions)
    n00, n01, n10, n11 = _transitions(hits)
    restricted = _bernoulli_loglik(n00 + n10, n01 + n11, 1.0 - level)
    stat = max(-2.0 * (restricted - _markov_loglik(n00, n01, n10, n11)), 0.0)
    return LikelihoodRatioTest(stat, float(stats.chi2.sf(stat, 2)), 2)


def traffic_light_boundaries(n_obs: int = 250, level: float = 0.99) -> tuple[int, int]:
    """First exception counts of the yellow and red zones of the Basel traffic light.

    The Basel Committee (1996) puts a count x in the green zone if a correct
    model gives at most x exceptions with probability below 95%, in the red
    zone if that cumulative probability reaches 99.99%, and in the yellow zone
    between. For 250 days of a 99% VaR: yellow from 5, red from 10.

    Example
    -------
    >>> traffic_light_boundaries(250, 0.99)
    (5, 10)
    """
    level = _check_level(level)
    if not isinstance(n_obs, (int, np.integer)) or n_obs < 1:
        raise ValueError(f"n_obs must be a positive integer (days), got {n_obs!r}")
    cdf = stats.binom.cdf(np.arange(n_obs + 1), n_obs, 1.0 - level)
    # float guard: binomial CDF values that equal 0.95 or 0.9999 in exact arithmetic
    yellow = int(np.argmax(cdf >= 0.95 - 1e-12))
    red = int(np.argmax(cdf >= 0.9999 - 1e-12))
    return yellow, red


def basel_traffic_light(n_exceptions: int, n_obs: int = 250, level: float = 0.99) -> str:
    """Basel zone ('green', 'yellow' or 'red') of ``n_exceptions`` in ``n_obs`` days of a VaR at ``level``.

    For the standard 250 days of 99% VaR: green 0-4, yellow 5-9, red 10 or more.
    """
    if isinstance(n_exceptions, bool) or not isinstance(n_exceptions, (int, np.integer)):
        raise ValueError(f"n_exceptions must be a whole number of days, got {n_exceptions!r}")
    if not 0 <= n_exceptions <= n_obs:
        raise ValueError(f"n_exceptions must be between 0 and n_obs={n_obs}, got {n_exceptions}")
    yellow, red = traffic_light_boundaries(n_obs, level)
    return "green" if n_exceptions < yellow else ("yellow" if n_exceptions < red else "red")


def es_exceedance_ratio(returns: object, var: object, es: object) -> tuple[float, int]:
    """A simple ES check: mean loss on the days beyond VaR over the mean ES forecast on those days.

    ``var`` and ``es`` must be at the same level (e.g. both 97.5%). A ratio
    near 1 means the ES forecasts the size of tail losses correctly; above 1,
    tail losses are larger than forecast. Returns ``(ratio, number of days)``;
    the ratio is NaN when no day exceeded the VaR.
    """
    r, v, e = _arrays((returns, "returns"), (var, "var"), (es, "es"))
    hit = r < -v
    if not hit.any():
        return float("nan"), 0
    return float(np.mean(-r[hit]) / np.mean(e[hit])), int(hit.sum())


def backtest_summary(returns: pd.Series, forecasts: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per model: exceptions, Kupiec and Christoffersen tests, pinball loss and the ES check.

    ``forecasts`` maps a model name to its forecast table (same index for
    all). Columns: ``days``, ``exceptions``, ``rate %`` (of the ``VaR``
    column), ``Kupiec LR``, ``Kupiec p``, ``indep. p``, ``cond. cov. p``,
    ``pinball`` (pinball loss of -VaR as the 1 - var_level quantile, x 100),
    ``ES ratio`` (:func:`es_exceedance_ratio` at the ES level) and
    ``mean VaR`` (average forecast, percent).
    """
    r = _returns(returns)
    rows = {}
    for name, table in forecasts.items():
        if not set(_COLUMNS) <= set(table.columns):
            raise ValueError(f"forecasts[{name!r}] must have columns {_COLUMNS}, got {list(table.columns)}")
        level = float(table.attrs.get("var_level", 0.99))
        y = r.loc[table.index]
        hits = var_exceptions(y, table["VaR"])
        pof = kupiec_pof_test(hits, level)
        rows[name] = {
            "days": len(hits),
            "exceptions": int(hits.sum()),
            "rate %": 100.0 * hits.mean(),
            "Kupiec LR": pof.statistic,
            "Kupiec p": pof.pvalue,
            "indep. p": christoffersen_independence_test(hits).pvalue,
            "cond. cov. p": christoffersen_conditional_coverage_test(hits, level).pvalue,
            "pinball": 100.0 * pinball_loss(y.to_numpy(), -table["VaR"].to_numpy(), 1.0 - level),
            "ES ratio": es_exceedance_ratio(y, table["VaR_es"], table["ES"])[0],
            "mean VaR": float(table["VaR"].mean()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def exceptions_by_year(returns: pd.Series, forecasts: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Exceptions of each model's ``VaR`` per calendar year, with the year's Basel zone.

    Returns one row per year with ``days`` and, for every model, the number
    of exceptions and a ``<model> zone`` column (:func:`basel_traffic_light`
    for that year's number of days at the forecasts' ``var_level``).
    """
    r = _returns(returns)
    out = None
    for name, table in forecasts.items():
        level = float(table.attrs.get("var_level", 0.99))
        hits = pd.Series(var_exceptions(r.loc[table.index], table["VaR"]), index=table.index)
        grouped = hits.groupby(hits.index.year)
        frame = pd.DataFrame({"days": grouped.size(), name: grouped.sum()})
        frame[f"{name} zone"] = [basel_traffic_light(int(x), int(d), level)
                                 for x, d in zip(frame[name], frame["days"], strict=True)]
        out = frame if out is None else out.join(frame.drop(columns="days"))
    if out is None:
        raise ValueError("forecasts is empty")
    out.index.name = "year"
    return out


# --------------------------------------------------------------------------- CAViaR
_CAVIAR_SPECS = {"sav": 3, "asymmetric": 4}


def _caviar_spec(spec: str) -> int:
    if spec not in _CAVIAR_SPECS:
        raise ValueError(f"spec must be one of {sorted(_CAVIAR_SPECS)}, got {spec!r}")
    return _CAVIAR_SPECS[spec]


def caviar_quantiles(params: object, returns: object, q0: float, *, spec: str = "sav") -> np.ndarray:
    """The CAViaR recursion of Engle & Manganelli (2004) for the return quantile q_t, t = 0 .. n - 1.

    ``spec="sav"`` (symmetric absolute value), params (b0, b1, b2):
    q_t = b0 + b1 q_{t-1} + b2 |r_{t-1}|.
    ``spec="asymmetric"`` (asymmetric slope), params (b0, b1, b2, b3):
    q_t = b0 + b1 q_{t-1} + b2 max(r_{t-1}, 0) + b3 max(-r_{t-1}, 0).
    q_0 = ``q0``; q_t uses returns up to t - 1 only. Quantiles are of the return
    (negative in the lower tail): the VaR is -q_t. A linear filter, so it is fast.

    Example
    -------
    >>> caviar_quantiles([-0.1, 0.5, -0.2], [1.0, -2.0, 0.0], q0=-1.0).round(3).tolist()
    [-1.0, -0.8, -0.9]
    """
    from scipy.signal import lfilter  # noqa: PLC0415

    k = _caviar_spec(spec)
    p = np.asarray(params, dtype=float)
    if p.shape != (k,) or not np.isfinite(p).all():
        raise ValueError(f"spec {spec!r} needs {k} finite parameters, got {params!r}")
    r = _arrays((returns, "returns"))[0]
    if not np.isfinite(q0):
        raise ValueError(f"q0 must be a finite number, got {q0!r}")
    prev = r[:-1]
    if spec == "sav":
        x = p[0] + p[2] * np.abs(prev)
    else:
        x = p[0] + p[2] * np.maximum(prev, 0.0) + p[3] * np.maximum(-prev, 0.0)
    q = np.empty(len(r))
    q[0] = q0
    if len(r) > 1:
        q[1:] = lfilter([1.0], [1.0, -p[1]], x, zi=[p[1] * q0])[0]
    return q


@dataclass(frozen=True)
class CaviarFit:
    """Result of :func:`fit_caviar`: parameters, the minimised mean pinball loss, q0 and the spec."""

    params: np.ndarray
    loss: float
    q0: float
    spec: str
    level: float


def _pinball_mean(r: np.ndarray, q: np.ndarray, u: float) -> float:
    e = r - q
    return float(np.mean(np.maximum(u * e, (u - 1.0) * e)))


def fit_caviar(returns: object, level: float, *, spec: str = "sav", loss_from: int = 0,
               n_random: int = 300, n_starts: int = 3, init: object = None, q0_obs: int = 300,
               seed: int = 0) -> CaviarFit:
    """Fit a CAViaR model (:func:`caviar_quantiles`) by minimising the pinball loss, from several starts.

    ``level`` is the tail probability u of the quantile (0.01 for a 99% VaR).
    As in Engle & Manganelli (2004): q0 is the empirical u-quantile of the first
    ``q0_obs`` returns; ``n_random`` parameter vectors are drawn at random (with
    ``seed``), the ``n_starts`` with the lowest loss, plus ``init`` if given (e.g.
    last year's optimum), start a Nelder-Mead search, and the best end point
    is returned. The loss is the mean pinball loss over days ``loss_from`` on
    (a burn-in for the recursion). Parameters with |b1| >= 1 (an explosive
    recursion) are excluded.
    """
    from scipy.optimize import minimize  # noqa: PLC0415

    k = _caviar_spec(spec)
    u = float(level)
    if not 0.0 < u < 0.5:
        raise ValueError(f"level must be a lower-tail probability in (0, 0.5), got {level!r}")
    r = _arrays((returns, "returns"))[0]
    if not 0 <= loss_from < len(r) - 50:
        raise ValueError(f"need at least 50 returns after loss_from={loss_from}, got {len(r)} returns")
    if n_starts < 1 or n_random < n_starts:
        raise ValueError(f"need 1 <= n_starts <= n_random, got n_starts={n_starts}, n_random={n_random}")
    q0 = float(np.quantile(r[:q0_obs], u))
    scale = float(np.std(r))

    def objective(p: np.ndarray) -> float:
        if not np.isfinite(p).all() or abs(p[1]) >= 1.0:
            return 1e10
        return _pinball_mean(r[loss_from:], caviar_quantiles(p, r, q0, spec=spec)[loss_from:], u)

    rng = np.random.default_rng(seed)
    draws = np.column_stack([rng.uniform(-0.5, 0.5, n_random) * scale,
                             rng.uniform(0.0, 0.99, n_random),
                             *[rng.uniform(-1.0, 0.5, n_random) for _ in range(k - 2)]])
    losses = np.array([objective(p) for p in draws])
    starts = [draws[i] for i in np.argsort(losses, kind="stable")[:n_starts]]
    if init is not None:
        init = np.asarray(init, dtype=float)
        if init.shape != (k,):
            raise ValueError(f"init must have {k} parameters for spec {spec!r}, got shape {init.shape}")
        starts.insert(0, init)
    best = None
    for start in starts:
        res = minimize(objective, start, method="Nelder-Mead",
                       options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 4000, "maxfev": 8000})
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    return CaviarFit(params=np.asarray(best.x), loss=float(best.fun), q0=q0, spec=spec, level=u)


# --------------------------------------------------------------------------- ES backtest
@dataclass(frozen=True)
class ZTest:
    """Result of :func:`acerbi_szekely_z2_test`: Z2, its simulated p-value and critical value."""

    statistic: float
    pvalue: float
    critical_value: float
    significance: float
    n_exceptions: int


def acerbi_szekely_z2(returns: object, var: object, es: object, level: float = 0.975) -> float:
    """The unconditional ES backtest statistic Z2 of Acerbi & Szekely (2014).

    Z2 = sum_t r_t I_t / (T (1 - level) ES_t) + 1, with I_t = 1 when
    r_t < -VaR_t (VaR and ES at ``level``, positive losses). Its expectation
    is 0 when the ES (and VaR) are right; it is negative when the tail losses
    are larger than forecast, or the exceptions more frequent.

    Example
    -------
    >>> # one exception: 1 + (-3 / 2.5) / (4 * 0.5)
    >>> round(acerbi_szekely_z2([-3.0, 1.0, 0.5, -0.2], [2.0] * 4, [2.5] * 4, 0.5), 4)
    0.4
    """
    level = _check_level(level)
    r, v, e = _arrays((returns, "returns"), (var, "var"), (es, "es"))
    if (e <= 0).any():
        raise ValueError("es must be positive (a loss)")
    hit = r < -v
    return float(np.sum(r[hit] / e[hit]) / (len(r) * (1.0 - level)) + 1.0)


def z2_null_distribution(n_obs: int, level: float = 0.975, *, nu: float | None = None,
                         n_sims: int = 5000, seed: int = 0) -> np.ndarray:
    """Simulated values of Z2 (:func:`acerbi_szekely_z2`) over ``n_obs`` days when the forecasts are right.

    Returns are drawn i.i.d. from a normal (``nu=None``) or a Student-t with
    ``nu`` > 1 degrees of freedom, and VaR and ES are that distribution's
    own; Z2 does not depend on the scale, so this is its null distribution
    for any forecasts of that shape. Acerbi & Szekely (2014) find its
    quantiles change little with the tail's shape.
    """
    level = _check_level(level)
    if not isinstance(n_obs, (int, np.integer)) or n_obs < 10:
        raise ValueError(f"n_obs must be an integer >= 10, got {n_obs!r}")
    if not isinstance(n_sims, (int, np.integer)) or n_sims < 100:
        raise ValueError(f"n_sims must be an integer >= 100, got {n_sims!r}")
    a = 1.0 - level
    if nu is None:
        dist = stats.norm()
        q = dist.ppf(a)
        es = dist.pdf(q) / a
    else:
        if not nu > 1:
            raise ValueError(f"nu must be > 1 for a finite ES, got {nu!r}")
        dist = stats.t(nu)
        q = dist.ppf(a)
        es = dist.pdf(q) * (nu + q**2) / ((nu - 1) * a)
    rng = np.random.default_rng(seed)
    out = np.empty(n_sims)
    chunk = max(1, 2_000_000 // n_obs)
    for i in range(0, n_sims, chunk):
        m = min(chunk, n_sims - i)
        x = (rng.standard_normal((m, n_obs)) if nu is None
             else rng.standard_t(nu, size=(m, n_obs)))
        out[i:i + m] = np.where(x < q, x, 0.0).sum(axis=1) / (n_obs * a * es) + 1.0
    return out


def acerbi_szekely_z2_test(returns: object, var: object, es: object, level: float = 0.975, *,
                           significance: float = 0.05, nu: float | None = None, n_sims: int = 5000,
                           seed: int = 0) -> ZTest:
    """One-sided Z2 backtest: p-value and critical value from :func:`z2_null_distribution`.

    H0: the ES forecasts are right; the alternative is that they understate
    the risk (Z2 < 0). The p-value is the share of simulated Z2 at or below the
    observed one; the test rejects when Z2 is below the ``significance``
    quantile of the simulated values.
    """
    if not 0.0 < significance < 0.5:
        raise ValueError(f"significance must be in (0, 0.5), got {significance!r}")
    z = acerbi_szekely_z2(returns, var, es, level)
    r, v = _arrays((returns, "returns"), (var, "var"))
    sims = z2_null_distribution(len(r), level, nu=nu, n_sims=n_sims, seed=seed)
    return ZTest(statistic=z, pvalue=float((np.sum(sims <= z) + 1) / (len(sims) + 1)),
                 critical_value=float(np.quantile(sims, significance)), significance=significance,
                 n_exceptions=int(np.sum(r < -v)))


# --------------------------------------------------------------------------- figures
def plot_var_backtest(returns: pd.Series, var: pd.Series, *, ax: Any = None, label: str = "VaR",
                      color: str = "#0072B2") -> Any:
    """Daily returns (grey), minus the VaR forecast (a line) and the exceptions (red dots) on one axis.

    ``returns`` and ``var`` are aligned Series in percent; returns below
    ``-var`` are exceptions. Returns the matplotlib axis.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415

    if not returns.index.equals(var.index):
        raise ValueError("returns and var have different indexes; align them first "
                         "(e.g. returns.loc[var.index])")
    if ax is None:
        _, ax = plt.subplots()
    hits = var_exceptions(returns, var).astype(bool)
    ax.plot(returns.index, returns.to_numpy(), color="0.7", linewidth=0.5, label="daily return")
    ax.plot(var.index, -var.to_numpy(), color=color, linewidth=0.9, label=f"minus {label}")
    ax.scatter(returns.index[hits], returns.to_numpy()[hits], color="#D55E00", s=9, zorder=3,
               label=f"exceptions ({int(hits.sum())})")
    ax.set_ylabel("return (%)")
    return ax


def rolling_exceptions(returns: pd.Series, var: pd.Series, window: int = 250) -> pd.Series:
    """Number of exceptions in the last ``window`` days, the quantity the Basel traffic light judges.

    NaN until ``window`` forecasts have been made.
    """
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be a positive integer (days), got {window!r}")
    if not returns.index.equals(var.index):
        raise ValueError("returns and var have different indexes; align them first")
    hits = pd.Series(var_exceptions(returns, var), index=var.index, dtype=float)
    return hits.rolling(window).sum()
