"""Daily volatility from prices: range-based estimators, forward targets and HAR regressors.

Returns are in percent (100 x log price ratio), so daily variances are in
percent squared and volatilities in percent per day.

Example
-------
>>> import pandas as pd
>>> idx = pd.date_range("2020-01-01", periods=2, freq="D")
>>> hi, lo = pd.Series([101.0, 102.0], idx), pd.Series([99.0, 100.0], idx)
>>> round(float(parkinson(hi, lo).iloc[0]), 4)
1.4428
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "ARCH_MODELS",
    "arch_variance",
    "fit_arch",
    "forward_mean",
    "garman_klass",
    "har_design",
    "har_ols",
    "log_returns",
    "negative_return_design",
    "parkinson",
]

_LOG2 = np.log(2.0)


def _check_prices(**series: pd.Series) -> None:
    first = next(iter(series.values()))
    for name, s in series.items():
        if not isinstance(s, pd.Series):
            raise TypeError(f"{name} must be a pandas Series, got {type(s).__name__}")
        if not s.index.equals(first.index):
            raise ValueError(f"{name} is not aligned with {next(iter(series))}: the indexes differ; "
                             "align them first (e.g. select the columns of one DataFrame)")
        if s.isna().any():
            raise ValueError(f"{name} has {int(s.isna().sum())} NaN value(s); drop or fill them first")
        if (s <= 0).any():
            raise ValueError(f"{name} must be positive prices, found {int((s <= 0).sum())} value(s) <= 0")


def log_returns(close: pd.Series) -> pd.Series:
    """Daily log returns in percent: 100 * ln(close_t / close_{t-1}); the first value is NaN."""
    _check_prices(close=close)
    return 100.0 * np.log(close / close.shift(1))


def parkinson(high: pd.Series, low: pd.Series) -> pd.Series:
    """Parkinson (1980) daily variance from the high-low range, in percent squared.

    sigma^2 = (100 ln(H/L))^2 / (4 ln 2). Uses no opening or closing prices,
    so it ignores overnight gaps.
    """
    _check_prices(high=high, low=low)
    if (high < low).any():
        raise ValueError(f"high < low on {int((high < low).sum())} day(s)")
    return (100.0 * np.log(high / low)) ** 2 / (4.0 * _LOG2)


def garman_klass(open_: pd.Series, high: pd.Series, low: pd.Series, close: pd.Series) -> pd.Series:
    """Garman-Klass (1980) daily variance from open, high, low and close, in percent squared.

    sigma^2 = 0.5 (100 ln(H/L))^2 - (2 ln 2 - 1) (100 ln(C/O))^2. About seven
    times as efficient as the squared close-to-close return for a driftless
    Brownian motion.
    """
    _check_prices(open_=open_, high=high, low=low, close=close)
    if (high < low).any():
        raise ValueError(f"high < low on {int((high < low).sum())} day(s)")
    hl = 100.0 * np.log(high / low)
    co = 100.0 * np.log(close / open_)
    return 0.5 * hl**2 - (2 * _LOG2 - 1) * co**2


def forward_mean(series: pd.Series, horizon: int) -> pd.Series:
    """The average of the *next* ``horizon`` values: mean(x_{t+1}, ..., x_{t+horizon}), at row t.

    The forecasting target for "next day" (horizon=1) or "next week"
    (horizon=5) variance, aligned so that row t holds what is to be predicted
    with information up to the end of day t. The last ``horizon`` rows are NaN.
    """
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
    return series[::-1].rolling(horizon).mean()[::-1].shift(-1)


def har_design(variance: pd.Series, *, log: bool = True) -> pd.DataFrame:
    """Regressors of the HAR model of Corsi (2009), known at the end of day t.

    Columns ``daily`` (day t), ``weekly`` (mean of days t-4..t) and ``monthly``
    (mean of days t-21..t) of the daily ``variance``; with ``log=True`` their
    logarithms (the usual choice for variance, which is skewed). The first 21
    rows are NaN.
    """
    if (variance <= 0).any():
        raise ValueError("variance must be positive to take logs; "
                         f"found {int((variance <= 0).sum())} value(s) <= 0")
    out = pd.DataFrame(
        {
            "daily": variance,
            "weekly": variance.rolling(5).mean(),
            "monthly": variance.rolling(22).mean(),
        }
    )
    return np.log(out) if log else out


def har_ols(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """The book's one HAR fit: OLS of ``y`` on a constant and the columns of ``x``.

    ``x`` holds the regressors (e.g. :func:`har_design`, with or without the leverage
    columns of :func:`negative_return_design`) of the training rows and ``y`` the target
    (a log variance). Returns the coefficients (constant first) and the residual variance
    s^2 with its degrees of freedom (n - k), which turns a log forecast into a variance
    (exp(fitted + s^2 / 2) under lognormal errors). Chapter 14 writes this fit out as its
    lesson; chapters 4, 5, 7 (through :mod:`finbook.sequence`) and 22 (through
    :mod:`finbook.stability`) call it here.

    >>> beta, s2 = har_ols(np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0]))
    >>> beta.round(6).tolist(), round(s2, 12)
    ([1.0, 2.0], 0.0)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"x must be (rows, regressors) and y (rows,) with the same rows; "
                         f"got shapes {x.shape} and {y.shape}")
    if len(y) <= x.shape[1] + 1:
        raise ValueError(f"{len(y)} rows cannot fit a constant and {x.shape[1]} regressor(s); "
                         "give it more training rows")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must be finite: drop the first 21 rows of a HAR design (NaN) first")
    design = np.column_stack([np.ones(len(x)), x])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ beta
    return beta, float(resid.var(ddof=design.shape[1]))


def negative_return_design(returns: pd.Series) -> pd.DataFrame:
    """Leverage regressors of the LHAR model of Corsi & Renò (2012), known at the end of day t.

    With r-_t = min(r_t, 0) (the day's return when negative, else zero), the
    columns ``neg_daily`` (r-_t), ``neg_weekly`` (mean of r- over days t-4..t)
    and ``neg_monthly`` (mean over days t-21..t): the same cascade of horizons
    as :func:`har_design`, for the sign of returns. The first 21 rows (and any
    window containing a NaN return) are NaN.

    >>> r = pd.Series([1.0, -2.0, 3.0, -4.0, 0.5])
    >>> negative_return_design(r)["neg_weekly"].iloc[-1]
    np.float64(-1.2)
    """
    if not isinstance(returns, pd.Series):
        raise TypeError(f"returns must be a pandas Series, got {type(returns).__name__}")
    if np.isinf(returns.to_numpy(dtype=float)).any():
        raise ValueError("returns contain infinite value(s)")
    neg = returns.clip(upper=0.0)
    return pd.DataFrame({
        "neg_daily": neg,
        "neg_weekly": neg.rolling(5).mean(),
        "neg_monthly": neg.rolling(22).mean(),
    })


#: The conditional-variance models :func:`arch_variance` fits, as ``arch_model`` keywords.
ARCH_MODELS: dict[str, dict[str, object]] = {
    "GARCH": {"vol": "GARCH", "p": 1, "o": 0, "q": 1},
    "GJR-GARCH": {"vol": "GARCH", "p": 1, "o": 1, "q": 1},
    "EGARCH": {"vol": "EGARCH", "p": 1, "o": 1, "q": 1},
}


def fit_arch(returns: pd.Series | np.ndarray, *, model: str = "GARCH", dist: str = "normal",
             starting_values: np.ndarray | None = None, maxiter: int | None = None,
             rescale: bool | None = False):
    """The book's one GARCH fit: a constant-mean (1,1) model of ``returns`` by maximum likelihood.

    ``model`` names a row of :data:`ARCH_MODELS` (GARCH, GJR-GARCH, EGARCH) and
    ``dist`` the error distribution (``"normal"`` or ``"t"``, Student-t), both fitted
    with the ``arch`` package. ``starting_values`` warm-starts the optimiser (e.g.
    from the previous refit) and ``maxiter`` raises its iteration limit. Returns
    ``arch``'s fitted result (``.params``, ``.conditional_volatility``, ``.resid``).
    :func:`arch_variance` (chapters 4, 14), :func:`finbook.forecast.garch_forecasts`
    and :func:`finbook.risk.garch_t_forecasts` (chapter 9) all fit through it.
    """
    from arch import arch_model  # noqa: PLC0415

    if model not in ARCH_MODELS:
        raise ValueError(f"model must be one of {sorted(ARCH_MODELS)}, got {model!r}")
    if dist not in ("normal", "t"):
        raise ValueError(f"dist must be 'normal' or 't' (Student-t), got {dist!r}")
    options = {} if maxiter is None else {"options": {"maxiter": int(maxiter)}}
    spec = arch_model(returns, mean="Constant", dist=dist, rescale=rescale, **ARCH_MODELS[model])
    if starting_values is None and not options:
        return spec.fit(disp="off")
    return spec.fit(disp="off", update_freq=0, starting_values=starting_values, **options)


def arch_variance(returns: pd.Series, train: object, end: int, *,
                  model: str = "GARCH") -> tuple[pd.Series, pd.Series]:
    """One-day-ahead conditional variances of a (1,1) GARCH-family model, estimated on ``train``.

    ``model`` is ``"GARCH"`` (Bollerslev 1986), ``"GJR-GARCH"`` (Glosten,
    Jagannathan & Runkle 1993: a negative surprise adds gamma eps^2) or
    ``"EGARCH"`` (Nelson 1991: log variance, sign term gamma z), each with a
    constant mean and normal errors, fitted by maximum likelihood with the
    ``arch`` package on ``returns.iloc[train]`` (positions). With the parameters
    fixed, the variance is filtered through rows 0 ... ``end``: value t is
    h_{t+1|t}, the forecast of day t+1's variance made with returns up to day t,
    so test rows after the training window use no future data.

    Returns the variances (index ``returns.index[: end + 1]``) and the
    estimated parameters. ``returns`` are in percent; no rescaling is done.
    """
    from arch import arch_model  # noqa: PLC0415

    if model not in ARCH_MODELS:
        raise ValueError(f"model must be one of {sorted(ARCH_MODELS)}, got {model!r}")
    if not isinstance(returns, pd.Series):
        raise TypeError(f"returns must be a pandas Series, got {type(returns).__name__}")
    train = np.asarray(train)
    if train.ndim != 1 or train.size < 100 or not np.issubdtype(train.dtype, np.integer):
        raise ValueError("train must be a one-dimensional array of at least 100 integer positions, "
                         f"got shape {train.shape} and dtype {train.dtype}")
    if isinstance(end, bool) or not isinstance(end, int | np.integer) or not 0 <= end < len(returns):
        raise ValueError(f"end must be a position in returns (0 ... {len(returns) - 1}), got {end!r}")
    if train.min() < 0 or train.max() > end:
        raise ValueError(f"training positions must lie in 0 ... end={end}; "
                         f"got {train.min()} ... {train.max()}")
    upto = returns.iloc[: end + 1]
    if upto.isna().any():
        raise ValueError(f"returns has {int(upto.isna().sum())} NaN value(s) up to end; drop them first")
    fit = fit_arch(returns.iloc[train], model=model)
    fixed = arch_model(upto, mean="Constant", dist="normal", rescale=False,
                       **ARCH_MODELS[model]).fix(fit.params)
    h = fixed.forecast(horizon=1, start=0, reindex=False).variance["h.1"]
    return h.rename(model), fit.params.rename(model)
