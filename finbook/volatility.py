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
    "forward_mean",
    "garman_klass",
    "har_design",
    "log_returns",
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
