"""finbook.backtest: hand-computed returns, costs and risk measures; the look-ahead check; bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finbook import backtest as bt

IDX = pd.date_range("2024-01-01", periods=5, freq="B")


# --------------------------------------------------------------------------- returns and positions
def test_simple_returns_by_hand():
    prices = pd.Series([100.0, 110.0, 99.0, 99.0], IDX[:4])
    r = bt.simple_returns(prices)
    assert r.index.equals(IDX[1:4])
    np.testing.assert_allclose(r.to_numpy(), [0.1, -0.1, 0.0])


@pytest.mark.parametrize(("values", "match"), [
    ([100.0, 0.0, 101.0], "must be positive"),
    ([100.0, -5.0, 101.0], "must be positive"),
    ([100.0, np.nan, 101.0], "NaN"),
])
def test_simple_returns_rejects_bad_prices(values, match):
    with pytest.raises(ValueError, match=match):
        bt.simple_returns(pd.Series(values, IDX[:3]))


def test_long_flat_positions_threshold_is_strict():
    f = pd.Series([0.51, 0.5, 0.49, 0.9], IDX[:4])
    assert bt.long_flat_positions(f, 0.5).tolist() == [1.0, 0.0, 0.0, 1.0]
    assert bt.long_flat_positions(pd.Series([-0.1, 0.0, 0.2]), 0.0).tolist() == [0.0, 0.0, 1.0]


def test_strategy_returns_by_hand_with_costs():
    # positions are chosen at the close of each date and earn the next date's return
    pos = pd.Series([0.0, 1.0, 1.0, 0.0, 1.0], IDX)
    asset = pd.Series([0.5, 0.01, 0.02, -0.01, 0.03], IDX)   # the first return is never earned
    net = bt.strategy_returns(pos, asset, cost_bps=10)
    assert net.index.equals(IDX[1:])
    # day 2: flat (no trade); day 3: enter (cost 10 bp); day 4: stay long; day 5: exit (cost)
    np.testing.assert_allclose(net.to_numpy(), [0.0, 0.02 - 0.001, -0.01, -0.001])


def test_buy_and_hold_pays_the_cost_once():
    asset = pd.Series([0.0, 0.01, -0.02, 0.03, 0.01], IDX)
    net = bt.strategy_returns(pd.Series(1.0, IDX), asset, cost_bps=5)
    gross = bt.strategy_returns(pd.Series(1.0, IDX), asset, cost_bps=0)
    np.testing.assert_allclose(gross.to_numpy(), asset.iloc[1:].to_numpy())
    np.testing.assert_allclose((gross - net).to_numpy(), [0.0005, 0, 0, 0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=3, max_size=40),
       st.floats(0.0, 50.0))
def test_costs_are_charged_exactly_once_per_switch(positions, cost_bps):
    idx = pd.date_range("2020-01-01", periods=len(positions), freq="B")
    pos = pd.Series(positions, idx)
    asset = pd.Series(np.linspace(-0.02, 0.02, len(positions)), idx)
    gross = bt.strategy_returns(pos, asset, cost_bps=0)
    paid = (gross - bt.strategy_returns(pos, asset, cost_bps=cost_bps)).sum()
    held = np.asarray(positions[:-1])
    switches = abs(held[0]) + np.abs(np.diff(held)).sum()   # from flat, then every change
    assert paid == pytest.approx(cost_bps / 1e4 * switches, abs=1e-12)


def test_strategy_returns_rejects_misaligned_or_bad_input():
    pos = pd.Series([1.0, 1.0, 0.0], IDX[:3])
    with pytest.raises(ValueError, match="not aligned"):
        bt.strategy_returns(pos, pd.Series([0.0, 0.01, 0.02], IDX[1:4]))
    with pytest.raises(ValueError, match="NaN"):
        bt.strategy_returns(pos, pd.Series([0.0, np.nan, 0.02], IDX[:3]))
    with pytest.raises(ValueError, match="cost_bps must be non-negative"):
        bt.strategy_returns(pos, pd.Series([0.0, 0.01, 0.02], IDX[:3]), cost_bps=-1)
    with pytest.raises(TypeError, match="pandas Series"):
        bt.strategy_returns([1.0, 1.0], pd.Series([0.0, 0.01], IDX[:2]))
    with pytest.raises(ValueError, match="sorted"):
        rev = IDX[:3][::-1]
        bt.strategy_returns(pd.Series([1.0, 1.0, 0.0], rev), pd.Series([0.0, 0.01, 0.02], rev))


def test_turnover_counts_switches_per_year():
    # enter, hold, exit, enter again: 3 switches in 6 periods, 12 periods a year -> 6 a year
    pos = pd.Series([1.0, 1.0, 0.0, 0.0, 1.0, 1.0])
    assert bt.turnover(pos, periods_per_year=12) == pytest.approx(6.0)
    assert bt.turnover(pd.Series([0.0, 0.0, 0.0])) == 0.0


# --------------------------------------------------------------------------- risk and reward
def test_max_drawdown_of_a_hand_made_equity_curve():
    equity = pd.Series([1.0, 1.2, 0.9, 1.1, 0.6, 1.3])
    # peak 1.2 before the trough 0.6: 0.6 / 1.2 - 1 = -50%
    assert bt.max_drawdown(equity) == pytest.approx(-0.5)
    np.testing.assert_allclose(bt.drawdowns(equity).to_numpy(), [0, 0, -0.25, -1 / 12, -0.5, 0])


def test_drawdown_counts_the_initial_capital_when_given():
    equity = pd.Series([0.9, 1.0, 0.95])
    assert bt.max_drawdown(equity) == pytest.approx(0.95 / 1.0 - 1)
    assert bt.max_drawdown(equity, start=1.0) == pytest.approx(-0.1)


def test_equity_curve_and_annualised_return():
    r = pd.Series([0.1, -0.5, 0.2])
    np.testing.assert_allclose(bt.equity_curve(r).to_numpy(), [1.1, 0.55, 0.66])
    # twelve monthly returns of 1% compound to 1.01^12 - 1 a year
    assert bt.annualised_return(pd.Series([0.01] * 12), periods_per_year=12) == pytest.approx(1.01**12 - 1)
    # two years of 252 days at +10% a year
    daily = (1.1) ** (1 / 252) - 1
    assert bt.annualised_return(pd.Series([daily] * 504)) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="> -1"):
        bt.equity_curve(pd.Series([0.1, -1.2]))


def test_sharpe_ratio_by_hand_and_undefined_for_constant_returns():
    r = pd.Series([0.02, 0.0] * 6)
    # mean 0.01, standard deviation (ddof 1) 0.01 * sqrt(12 / 11), 12 periods a year
    expected = 0.01 / (0.01 * np.sqrt(12 / 11)) * np.sqrt(12)
    assert bt.sharpe_ratio(r, periods_per_year=12) == pytest.approx(expected)
    # the risk-free rate is subtracted per period
    assert bt.sharpe_ratio(r, risk_free=0.01, periods_per_year=12) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="constant"):
        bt.sharpe_ratio(pd.Series([0.001] * 250))
    with pytest.raises(ValueError, match="at least 2"):
        bt.sharpe_ratio(pd.Series([0.01]))


def test_annualised_volatility_scales_with_sqrt_time():
    r = pd.Series([0.01, -0.01] * 50)
    assert bt.annualised_volatility(r) == pytest.approx(r.std() * np.sqrt(252))
    with pytest.raises(ValueError, match="periods_per_year must be positive"):
        bt.annualised_volatility(r, periods_per_year=0)


def test_performance_summary_rows_and_units():
    idx = pd.date_range("2020-01-01", periods=6, freq="B")
    r = pd.Series([0.01, -0.02, 0.015, 0.0, 0.01, -0.005], idx)
    pos = pd.Series([1.0, 1.0, 0.0, 1.0, 1.0, 1.0], idx)
    table = bt.performance_summary({"s": r}, {"s": pos})
    assert list(table.columns) == ["annual return (%)", "volatility (%)", "Sharpe ratio",
                                   "max drawdown (%)", "turnover (switches/yr)"]
    assert table.loc["s", "annual return (%)"] == pytest.approx(100 * bt.annualised_return(r))
    assert table.loc["s", "max drawdown (%)"] == pytest.approx(-2.0)
    with pytest.raises(KeyError, match="no positions"):
        bt.performance_summary({"s": r}, {"other": pos})


# --------------------------------------------------------------------------- cash and the risk-free rate
def test_cash_earns_the_risk_free_rate_by_hand():
    idx = pd.date_range("2024-01-01", periods=4, freq="B")
    r = pd.Series([0.0, 0.02, -0.01, 0.03], idx)
    rf = pd.Series([0.0, 0.001, 0.002, 0.003], idx)
    pos = pd.Series([0.0, 1.0, 0.5, 0.5], idx)
    # day 2: flat, earns rf 0.001; day 3: long, earns -0.01, pays 10 bp to enter;
    # day 4: half long: 0.5 * 0.03 + 0.5 * 0.003, pays 10 bp * 0.5 to halve
    got = bt.strategy_returns(pos, r, cost_bps=10, risk_free=rf)
    assert got.tolist() == pytest.approx([0.001, -0.01 - 0.001, 0.0165 - 0.0005])
    # without a risk-free series cash earns nothing, as before
    assert bt.strategy_returns(pos, r, cost_bps=10).tolist() == pytest.approx([0.0, -0.011, 0.0145])
    with pytest.raises(ValueError, match="positions and risk_free are not aligned"):
        bt.strategy_returns(pos, r, risk_free=rf.iloc[1:])
    with pytest.raises(ValueError, match="NaN"):
        bt.strategy_returns(pos, r, risk_free=rf.where(rf > 0))


def test_sharpe_ratio_subtracts_a_risk_free_series():
    idx = pd.date_range("2024-01-01", periods=4, freq="B")
    r = pd.Series([0.03, 0.01, 0.03, 0.01], idx)
    rf = pd.Series([0.01, 0.01, 0.0, 0.0], idx)
    # excess returns 0.02, 0.0, 0.03, 0.01: mean 0.015, sd (ddof 1) sqrt(5/3) / 100
    expected = 0.015 / (np.sqrt(5 / 3) / 100) * np.sqrt(252)
    assert bt.sharpe_ratio(r, rf) == pytest.approx(expected)
    table = bt.performance_summary({"s": r}, risk_free=rf)
    assert table.loc["s", "Sharpe ratio"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="not aligned"):
        bt.sharpe_ratio(r, rf.iloc[:3])


def test_daily_risk_free_compounds_to_the_monthly_rate():
    monthly = pd.Series([0.21, 0.42], pd.DatetimeIndex(["2020-01-31", "2020-02-29"]))
    days = pd.bdate_range("2020-01-01", "2020-02-29")           # 23 days in January, 20 in February
    daily = bt.daily_risk_free(monthly, days)
    assert daily.loc["2020-01"].iloc[0] == pytest.approx(1.0021 ** (1 / 23) - 1)
    assert daily.loc["2020-02"].iloc[0] == pytest.approx(1.0042 ** (1 / 20) - 1)
    assert (1 + daily.loc["2020-02"]).prod() - 1 == pytest.approx(0.0042)
    assert daily.index.equals(days)


def test_daily_risk_free_extends_only_when_asked_and_checks_input():
    monthly = pd.Series([0.3], pd.DatetimeIndex(["2020-01-31"]))
    days = pd.bdate_range("2020-01-01", "2020-02-29")
    with pytest.raises(ValueError, match="no risk-free rate for 1 month"):
        bt.daily_risk_free(monthly, days)
    extended = bt.daily_risk_free(monthly, days, extend_months=1)
    assert extended.loc["2020-02"].iloc[0] == pytest.approx(1.003 ** (1 / 20) - 1)
    with pytest.raises(TypeError, match="DatetimeIndex"):
        bt.daily_risk_free(monthly, list(days))
    with pytest.raises(ValueError, match="extend_months"):
        bt.daily_risk_free(monthly, days, extend_months=-1)
    with pytest.raises(ValueError, match="more than one rate"):
        bt.daily_risk_free(pd.Series([0.1, 0.2], pd.DatetimeIndex(["2020-01-15", "2020-01-31"])), days)


# --------------------------------------------------------------------------- look-ahead
def _prices(n: int = 120) -> pd.DataFrame:
    idx = pd.date_range("2021-01-01", periods=n, freq="B")
    close = 100 * np.exp(np.cumsum(np.random.default_rng(1).normal(0, 0.01, n)))
    return pd.DataFrame({"close": close, "high": close * 1.01, "low": close * 0.99,
                         "volume": np.arange(1, n + 1) * 1000}, idx)


def test_trailing_signal_passes_and_reports_dates_checked():
    px = _prices()
    cutoff = px.index[59]

    def momentum(p):
        return bt.long_flat_positions(p["close"].pct_change(5).fillna(0.0), 0.0)

    assert bt.assert_no_lookahead(momentum, px, cutoff) == 60


def test_centred_moving_average_is_caught_at_the_first_changed_date():
    px = _prices()
    cutoff = px.index[59]

    def centred(p):  # a classic bug: a centred window uses the next two days
        return p["close"].rolling(5, center=True).mean()

    with pytest.raises(bt.LookAheadError, match=f"signal on {px.index[58].date()} changed"):
        bt.assert_no_lookahead(centred, px, cutoff)


def test_lookahead_check_rejects_bad_arguments():
    px = _prices()
    with pytest.raises(ValueError, match="must fall inside"):
        bt.assert_no_lookahead(lambda p: p["close"], px, "2030-01-01")
    with pytest.raises(TypeError, match="must return a pandas Series"):
        bt.assert_no_lookahead(lambda p: p["close"].to_numpy(), px, px.index[50])
    with pytest.raises(TypeError, match="DataFrame"):
        bt.assert_no_lookahead(lambda p: p, px["close"], px.index[50])


def test_the_books_walk_forward_signal_uses_only_past_data():
    """The pipeline of the trading chapter, from prices to positions, never looks ahead."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from finbook import data
    from finbook import forecast as fc

    prices = data.sp500().loc[:"2006"]

    def positions(p):
        prob, _ = fc.walk_forward_forecasts(
            p, lambda: make_pipeline(StandardScaler(), LogisticRegression()),
            target="next_up", method="predict_proba", first_test_year=2001, years_per_refit=2)
        return bt.long_flat_positions(prob, 0.5)

    # cutoffs inside a block, on a block's last day and just before a refit
    for cutoff in ["2002-06-28", "2002-12-31", "2004-12-30"]:
        assert bt.assert_no_lookahead(positions, prices, cutoff, n_trials=1) > 0
