"""Trading backtests without look-ahead: positions from forecasts, returns after costs, risk and reward.

Conventions, used by every function here:

* Prices and returns are :class:`pandas.Series` on a sorted DatetimeIndex.
  Returns are **decimal fractions** per period (0.01 = 1%), not percent.
* A *position* chosen at the close of day t (with information up to day t)
  earns the asset's return of day t + 1. :func:`strategy_returns` does this
  shift; callers never shift by hand.
* A *transaction cost* of ``cost_bps`` basis points is charged on every
  change of position, in proportion to its size (going from flat to long
  costs ``cost_bps``/10,000 of capital once; staying long costs nothing).
* Cash earns the risk-free return when a ``risk_free`` series is given
  (:func:`daily_risk_free` turns a monthly T-bill rate into one); without
  it, cash earns nothing.
* Annualisation assumes 252 trading days a year.

Example
-------
>>> import pandas as pd
>>> idx = pd.date_range("2024-01-01", periods=4, freq="B")
>>> asset = pd.Series([0.0, 0.01, -0.02, 0.03], idx)
>>> pos = pd.Series([1.0, 1.0, 0.0, 0.0], idx)      # long for two days, then flat
>>> strategy_returns(pos, asset, cost_bps=0).round(4).tolist()
[0.01, -0.02, 0.0]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

__all__ = [
    "TRADING_DAYS",
    "LookAheadError",
    "annualised_return",
    "annualised_volatility",
    "assert_no_lookahead",
    "daily_risk_free",
    "drawdowns",
    "equity_curve",
    "long_flat_positions",
    "max_drawdown",
    "performance_summary",
    "sharpe_ratio",
    "simple_returns",
    "strategy_returns",
    "turnover",
]

#: Trading days per year used to annualise daily figures.
TRADING_DAYS = 252


class LookAheadError(AssertionError):
    """A signal changed on a date before the cutoff when only later data changed."""


# --------------------------------------------------------------------------- checks
def _check_series(x: object, name: str, *, allow_nan: bool = False) -> pd.Series:
    if not isinstance(x, pd.Series):
        raise TypeError(f"{name} must be a pandas Series, got {type(x).__name__}")
    if len(x) == 0:
        raise ValueError(f"{name} is empty")
    if not allow_nan and x.isna().any():
        first = x.index[x.isna().to_numpy()][0]
        raise ValueError(f"{name} has {int(x.isna().sum())} NaN value(s), the first on {first!r}; "
                         "drop or fill them first")
    if not pd.api.types.is_numeric_dtype(x):
        raise TypeError(f"{name} must be numeric, got dtype {x.dtype}")
    return x.astype(float)


def _check_aligned(a: pd.Series, b: pd.Series, names: str) -> None:
    if not a.index.equals(b.index):
        only_a = a.index.difference(b.index)
        only_b = b.index.difference(a.index)
        raise ValueError(
            f"{names} are not aligned: expected the same index, got {len(a)} and {len(b)} rows "
            f"({len(only_a)} dates only in the first, e.g. {list(only_a[:2])}; {len(only_b)} only in "
            f"the second, e.g. {list(only_b[:2])}); align them first (e.g. .reindex or .loc)")
    if not a.index.is_monotonic_increasing:
        raise ValueError(f"{names} must be sorted in time (an increasing index)")


def _check_periods(periods_per_year: float) -> None:
    if not periods_per_year > 0:
        raise ValueError(f"periods_per_year must be positive, got {periods_per_year!r}")


# --------------------------------------------------------------------------- returns and positions
def simple_returns(prices: pd.Series) -> pd.Series:
    """Period returns as decimal fractions, p_t / p_{t-1} - 1, from the second date on.

    Raises ``ValueError`` for NaN or non-positive prices.

    Example
    -------
    >>> import pandas as pd
    >>> simple_returns(pd.Series([100.0, 110.0, 99.0])).round(4).tolist()
    [0.1, -0.1]
    """
    p = _check_series(prices, "prices")
    if (p <= 0).any():
        bad = p[p <= 0]
        raise ValueError(f"prices must be positive, found {len(bad)} value(s) <= 0, the first "
                         f"{bad.iloc[0]!r} on {bad.index[0]!r}")
    return (p / p.shift(1) - 1.0).iloc[1:]


def long_flat_positions(forecast: pd.Series, threshold: float = 0.0) -> pd.Series:
    """Long (1.0) when ``forecast`` exceeds ``threshold``, flat (0.0) otherwise.

    Use ``threshold=0`` for a return forecast and ``threshold=0.5`` for a
    probability that the market goes up. The position keeps the forecast's
    index: it is decided at the close of each date.

    Example
    -------
    >>> import pandas as pd
    >>> long_flat_positions(pd.Series([0.6, 0.4, 0.5]), threshold=0.5).tolist()
    [1.0, 0.0, 0.0]
    """
    f = _check_series(forecast, "forecast")
    return (f > threshold).astype(float)


def strategy_returns(positions: pd.Series, asset_returns: pd.Series, *, cost_bps: float = 5.0,
                     risk_free: pd.Series | None = None) -> pd.Series:
    """Returns of a strategy after transaction costs, with cash earning the risk-free rate.

    ``positions[t]`` is the fraction of capital in the asset chosen at the close
    of day t; it earns ``asset_returns[t + 1]``, and the rest of the capital,
    1 - positions[t], earns ``risk_free[t + 1]`` (the return on cash over day
    t + 1, known when the position is chosen; zero when ``risk_free`` is None).
    The strategy starts flat, and each change of position costs ``cost_bps``
    basis points times its size, charged on the day the new position starts
    earning:

    net[t + 1] = positions[t] * asset_returns[t + 1] + (1 - positions[t]) * risk_free[t + 1]
                 - cost * |positions[t] - positions[t - 1]|

    All series must share the same sorted index. The result is indexed by the
    dates ``t + 1`` (one row fewer than the inputs).

    Example
    -------
    >>> import pandas as pd
    >>> idx = pd.date_range("2024-01-01", periods=3, freq="B")
    >>> r = pd.Series([0.0, 0.02, 0.01], idx)
    >>> strategy_returns(pd.Series([1.0, 1.0, 1.0], idx), r, cost_bps=10).round(4).tolist()
    [0.019, 0.01]
    >>> rf = pd.Series(0.001, idx)                      # cash earns 0.1% a day
    >>> strategy_returns(pd.Series([0.0, 1.0, 1.0], idx), r, cost_bps=0, risk_free=rf).round(4).tolist()
    [0.001, 0.01]
    """
    pos = _check_series(positions, "positions")
    ret = _check_series(asset_returns, "asset_returns")
    _check_aligned(pos, ret, "positions and asset_returns")
    if risk_free is not None:
        rf = _check_series(risk_free, "risk_free")
        _check_aligned(pos, rf, "positions and risk_free")
    if cost_bps < 0:
        raise ValueError(f"cost_bps must be non-negative, got {cost_bps!r}")
    if len(pos) < 2:
        raise ValueError(f"need at least 2 dates to earn one return, got {len(pos)}")
    held = pos.shift(1).iloc[1:]                      # chosen at t, held over t + 1
    trades = held.diff().abs()
    trades.iloc[0] = abs(held.iloc[0])                # the strategy starts flat
    cash = 0.0 if risk_free is None else (1.0 - held) * rf.iloc[1:]
    return held * ret.iloc[1:] + cash - cost_bps / 1e4 * trades


def daily_risk_free(monthly_percent: pd.Series, dates: pd.DatetimeIndex, *,
                    extend_months: int = 0) -> pd.Series:
    """Daily risk-free returns (decimal fractions) from a monthly rate quoted in percent per month.

    ``monthly_percent`` holds one rate per calendar month (e.g. the one-month
    T-bill return ``RF`` of :func:`finbook.data.fama_french`, indexed by any
    date within the month). Each month's rate is spread over the trading days
    of that month in ``dates`` as the simple daily rate that compounds to it:

    rf_day = (1 + RF_month / 100) ** (1 / n_month) - 1,

    with n_month the number of dates of that month. Pass the full trading
    calendar (whole months), then select the days you need: a month cut short
    in ``dates`` would get too few days and too high a daily rate.
    ``extend_months`` lets that many months after the last monthly rate reuse
    it (the rate of a T-bill bought at the end of the last month is a fair
    guess for the next); any other month without a rate is an error.

    Example
    -------
    >>> import pandas as pd
    >>> rf = pd.Series([0.21], pd.DatetimeIndex(["2020-01-31"]))
    >>> days = pd.bdate_range("2020-01-01", "2020-01-31")          # 23 weekdays
    >>> round(float((1 + daily_risk_free(rf, days)).prod() - 1), 6)
    0.0021
    """
    m = _check_series(monthly_percent, "monthly_percent")
    if not isinstance(m.index, pd.DatetimeIndex):
        raise TypeError("monthly_percent must have a DatetimeIndex (one date per month)")
    if not isinstance(dates, pd.DatetimeIndex) or len(dates) == 0:
        raise TypeError("dates must be a non-empty DatetimeIndex (the trading calendar)")
    if not dates.is_monotonic_increasing or dates.has_duplicates:
        raise ValueError("dates must be sorted and without duplicates")
    if isinstance(extend_months, bool) or not isinstance(extend_months, int) or extend_months < 0:
        raise ValueError(f"extend_months must be a non-negative integer, got {extend_months!r}")
    if (m <= -100).any():
        raise ValueError(f"monthly rates must exceed -100%, got {m.min()!r}")
    rates = m.groupby(m.index.to_period("M")).last()
    if len(rates) != len(m):
        raise ValueError("monthly_percent has more than one rate for some month")
    months = dates.to_period("M")
    last = rates.index.max()
    for k in range(1, extend_months + 1):
        rates.loc[last + k] = rates.loc[last]
    missing = sorted(set(months) - set(rates.index))
    if missing:
        raise ValueError(f"no risk-free rate for {len(missing)} month(s) of dates, the first {missing[0]} "
                         f"(rates run from {rates.index.min()} to {last}; extend_months={extend_months})")
    n_days = pd.Series(months).map(pd.Series(months).value_counts()).to_numpy()
    monthly = rates.reindex(months).to_numpy() / 100.0
    return pd.Series((1.0 + monthly) ** (1.0 / n_days) - 1.0, index=dates, name="risk_free")


def turnover(positions: pd.Series, periods_per_year: float = TRADING_DAYS) -> float:
    """Average number of full one-way switches per year (sum of |change of position| per year).

    Counts the first entry from flat. A strategy that goes long and back to flat
    once a month has a turnover of about 24.

    Example
    -------
    >>> import pandas as pd
    >>> turnover(pd.Series([0.0, 1.0, 1.0, 0.0]), periods_per_year=4)
    2.0
    """
    pos = _check_series(positions, "positions")
    _check_periods(periods_per_year)
    changes = pos.diff().abs()
    changes.iloc[0] = abs(pos.iloc[0])
    return float(changes.sum() / len(pos) * periods_per_year)


# --------------------------------------------------------------------------- risk and reward
def equity_curve(returns: pd.Series, start: float = 1.0) -> pd.Series:
    """Wealth after each period when ``start`` is invested: start * cumprod(1 + r).

    Example
    -------
    >>> import pandas as pd
    >>> equity_curve(pd.Series([0.1, -0.5])).round(4).tolist()
    [1.1, 0.55]
    """
    r = _check_series(returns, "returns")
    if (r <= -1).any():
        raise ValueError(f"returns must be > -1 (a loss of more than 100%), found {r.min()!r}")
    return start * (1.0 + r).cumprod()


def drawdowns(equity: pd.Series, start: float | None = None) -> pd.Series:
    """Drawdown at each date: equity / running peak - 1 (0 at a new peak, -0.25 = 25% below it).

    With ``start`` (the initial wealth), the starting value counts as the first
    peak, so a loss on the first day is a drawdown too.
    """
    eq = _check_series(equity, "equity")
    if (eq <= 0).any():
        raise ValueError(f"equity must be positive, found {int((eq <= 0).sum())} value(s) <= 0")
    peak = eq.cummax()
    if start is not None:
        peak = peak.clip(lower=start)
    return eq / peak - 1.0


def max_drawdown(equity: pd.Series, start: float | None = None) -> float:
    """The largest fall from a running peak, as a negative fraction (-0.5 = lost half from the top).

    Example
    -------
    >>> import pandas as pd
    >>> max_drawdown(pd.Series([1.0, 1.2, 0.9, 1.1, 0.6, 1.3]))
    -0.5
    """
    return float(drawdowns(equity, start).min())


def annualised_return(returns: pd.Series, periods_per_year: float = TRADING_DAYS) -> float:
    """Compound annual growth rate: prod(1 + r) ** (periods_per_year / n) - 1.

    Example
    -------
    >>> import pandas as pd
    >>> round(annualised_return(pd.Series([0.01] * 12), periods_per_year=12), 4)
    0.1268
    """
    _check_periods(periods_per_year)
    eq = equity_curve(returns)
    return float(eq.iloc[-1] ** (periods_per_year / len(eq)) - 1.0)


def annualised_volatility(returns: pd.Series, periods_per_year: float = TRADING_DAYS) -> float:
    """Standard deviation of period returns (ddof = 1) times sqrt(periods_per_year)."""
    r = _check_series(returns, "returns")
    _check_periods(periods_per_year)
    if len(r) < 2:
        raise ValueError(f"need at least 2 returns for a volatility, got {len(r)}")
    return float(r.std(ddof=1) * np.sqrt(periods_per_year))


def sharpe_ratio(returns: pd.Series, risk_free: float = 0.0,
                 periods_per_year: float = TRADING_DAYS) -> float:
    """Annualised Sharpe ratio: mean(r - rf) / std(r - rf) * sqrt(periods_per_year).

    ``risk_free`` is the risk-free return per period (same units as ``returns``):
    a number, or a Series on the same index as ``returns``.
    Raises ``ValueError`` when the excess returns do not vary (the ratio is then
    undefined), e.g. for a constant-return series.

    Example
    -------
    >>> import pandas as pd
    >>> round(sharpe_ratio(pd.Series([0.02, 0.0] * 6), periods_per_year=12), 4)
    3.3166
    """
    r = _check_series(returns, "returns")
    _check_periods(periods_per_year)
    if isinstance(risk_free, pd.Series):
        rf = _check_series(risk_free, "risk_free")
        _check_aligned(r, rf, "returns and risk_free")
        excess = r - rf
    else:
        if not np.isfinite(risk_free):
            raise ValueError(f"risk_free must be a finite number or a Series, got {risk_free!r}")
        excess = r - risk_free
    if len(excess) < 2:
        raise ValueError(f"need at least 2 returns for a Sharpe ratio, got {len(excess)}")
    sd = excess.std(ddof=1)
    if not sd > 1e-15 * max(1.0, float(excess.abs().max())):
        raise ValueError("the excess returns are constant (standard deviation 0), so the Sharpe "
                         f"ratio is undefined; got the constant {float(excess.iloc[0])!r}")
    return float(excess.mean() / sd * np.sqrt(periods_per_year))


def performance_summary(
    returns: Mapping[str, pd.Series],
    positions: Mapping[str, pd.Series] | None = None,
    *,
    periods_per_year: float = TRADING_DAYS,
    risk_free: pd.Series | float = 0.0,
) -> pd.DataFrame:
    """One row per strategy: annual return, volatility, Sharpe ratio, maximum drawdown, turnover.

    ``returns`` maps a strategy's name to its (net) period returns; ``positions``
    optionally maps the same names to their positions, for the turnover column.
    Percent columns are in percent; the Sharpe ratio is that of the returns in
    excess of ``risk_free`` (a number or a Series on the returns' index; 0 by
    default); turnover is one-way switches per year.
    """
    rows = {}
    for name, r in returns.items():
        row = {
            "annual return (%)": 100 * annualised_return(r, periods_per_year),
            "volatility (%)": 100 * annualised_volatility(r, periods_per_year),
            "Sharpe ratio": sharpe_ratio(r, risk_free, periods_per_year=periods_per_year),
            "max drawdown (%)": 100 * max_drawdown(equity_curve(r), start=1.0),
        }
        if positions is not None:
            if name not in positions:
                raise KeyError(f"no positions for strategy {name!r}; positions has {sorted(positions)}")
            row["turnover (switches/yr)"] = turnover(positions[name], periods_per_year)
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------- look-ahead check
def _plain(value: object) -> str:
    """A NumPy scalar as plain Python text (0.0, not np.float64(0.0))."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def assert_no_lookahead(
    signal_fn: Callable[[pd.DataFrame], pd.Series],
    prices: pd.DataFrame,
    cutoff: object,
    *,
    n_trials: int = 2,
    scale: float = 0.05,
    seed: int = 0,
) -> int:
    """Check that a signal uses only past data: perturbing prices after ``cutoff`` changes nothing up to it.

    ``signal_fn`` maps a price table (DatetimeIndex, numeric columns) to a
    Series of signals or positions indexed by decision date. Every row strictly
    after ``cutoff`` is multiplied by a random factor (the same for all columns
    of a day, so high >= low still holds), ``n_trials`` times; each time the
    signals on dates up to and including ``cutoff`` must be exactly equal to
    the unperturbed ones. Returns the number of dates checked; raises
    :class:`LookAheadError` naming the first date that changed.

    Example
    -------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.date_range("2024-01-01", periods=30, freq="B")
    >>> px = pd.DataFrame({"close": np.linspace(100, 130, 30)}, idx)
    >>> assert_no_lookahead(lambda p: p["close"].pct_change(), px, idx[19])
    20
    """
    if not isinstance(prices, pd.DataFrame):
        raise TypeError(f"prices must be a DataFrame, got {type(prices).__name__}")
    if not isinstance(prices.index, pd.DatetimeIndex) or not prices.index.is_monotonic_increasing:
        raise ValueError("prices must have a sorted DatetimeIndex")
    cutoff = pd.Timestamp(cutoff)
    future = prices.index > cutoff
    if not future.any() or future.all():
        raise ValueError(f"cutoff {cutoff.date()} must fall inside the price history "
                         f"({prices.index[0].date()} to {prices.index[-1].date()})")
    base = signal_fn(prices)
    if not isinstance(base, pd.Series):
        raise TypeError(f"signal_fn must return a pandas Series, got {type(base).__name__}")
    past = base.loc[:cutoff]
    if past.empty:
        raise ValueError(f"signal_fn returned no signal on or before the cutoff {cutoff.date()}")
    rng = np.random.default_rng(seed)
    numeric = prices.select_dtypes("number").columns
    for trial in range(n_trials):
        shocked = prices.copy()
        shocked[numeric] = shocked[numeric].astype(float)
        factor = np.exp(rng.normal(0.0, scale, size=int(future.sum())))
        shocked.loc[future, numeric] = shocked.loc[future, numeric].mul(factor, axis=0)
        again = signal_fn(shocked).loc[:cutoff]
        if not again.index.equals(past.index):
            raise LookAheadError(f"trial {trial}: the signal's dates up to {cutoff.date()} changed when "
                                 "only later prices changed")
        same = (again.to_numpy() == past.to_numpy()) | (again.isna().to_numpy() & past.isna().to_numpy())
        if not same.all():
            first = past.index[~same][0]
            raise LookAheadError(
                f"trial {trial}: the signal on {first.date()} changed from {_plain(past.loc[first])} to "
                f"{_plain(again.loc[first])} when only prices after {cutoff.date()} changed: it looks ahead")
    return int(len(past))
