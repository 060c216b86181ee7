"""finbook.risk: closed forms, VaR models without look-ahead, and the regulators' backtests by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from finbook import data, risk, volatility


@pytest.fixture(scope="module")
def sp_returns() -> pd.Series:
    return volatility.log_returns(data.sp500()["adj_close"]).dropna()


def _series(values, start="2020-01-01") -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float),
                     index=pd.bdate_range(start, periods=len(values)))


# --------------------------------------------------------------------------- closed forms
def test_normal_var_and_es_published_values():
    # z_{0.99} = 2.326348 (any normal table); ES_{97.5%} = phi(1.959964) / 0.025 = 2.337803
    assert float(risk.normal_var(1.0, 0.99)) == pytest.approx(2.326348, abs=1e-6)
    phi = math.exp(-1.959964**2 / 2) / math.sqrt(2 * math.pi)
    assert float(risk.normal_es(1.0, 0.975)) == pytest.approx(phi / 0.025, abs=1e-5)
    # location and scale: VaR of N(mu, sigma^2) is 2.326 sigma - mu
    assert float(risk.normal_var(2.0, 0.99, mu=0.1)) == pytest.approx(2 * 2.326348 - 0.1, abs=1e-5)


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=2.5, max_value=60), st.floats(min_value=0.9, max_value=0.995))
def test_student_t_es_is_the_average_of_the_tail_quantiles(nu, level):
    # ES_c = (1 / (1 - c)) * integral over u in (0, 1 - c) of VaR at level 1 - u
    a = 1 - level
    integral, _ = integrate.quad(lambda u: float(risk.student_t_var(1.0, nu, 1 - u)), 0, a, limit=200)
    assert float(risk.student_t_es(1.0, nu, level)) == pytest.approx(integral / a, rel=1e-5)
    assert float(risk.student_t_es(1.0, nu, level)) > float(risk.student_t_var(1.0, nu, level))


def test_student_t_tends_to_the_normal_and_has_unit_variance():
    assert float(risk.student_t_var(1.0, 1e6, 0.99)) == pytest.approx(float(risk.normal_var(1.0, 0.99)),
                                                                       rel=1e-4)
    # the standardised t has variance 1: check by integrating x^2 against its density
    nu = 5.0
    scale = math.sqrt((nu - 2) / nu)
    var, _ = integrate.quad(lambda x: x**2 * stats.t.pdf(x / scale, nu) / scale, -np.inf, np.inf)
    assert var == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.2, True, "0.99"])
def test_levels_outside_the_open_unit_interval_are_refused(level):
    with pytest.raises(ValueError, match=r"confidence level in \(0, 1\)"):
        risk.normal_var(1.0, level)
    with pytest.raises(ValueError, match=r"confidence level in \(0, 1\)"):
        risk.kupiec_pof_test([0, 1, 0], level)


def test_student_t_needs_more_than_two_degrees_of_freedom():
    with pytest.raises(ValueError, match="exceed 2"):
        risk.student_t_var(1.0, 2.0, 0.99)


# --------------------------------------------------------------------------- models
def test_historical_simulation_by_hand():
    # the window holds the returns 0, -1, ..., -100 (shuffled): numpy's linear quantile at 1% is
    # the order statistic at position 0.01 * 100 = 1, i.e. -99, so VaR = 99; at 2.5% it is
    # -97.5; the ES averages the losses 98, 99, 100 beyond it = 99
    rng = np.random.default_rng(0)
    window = -rng.permutation(101).astype(float)
    r = _series(np.concatenate([window, [0.0]]))
    out = risk.historical_simulation(r, start=r.index[101], window=101, min_window=101)
    assert out.loc[r.index[101]].tolist() == pytest.approx([99.0, 97.5, 99.0])


def test_ewma_recursion_by_hand():
    r = _series([1.0, -2.0, 3.0, 0.5])
    var = risk.ewma_variance(r, lam=0.94, init_obs=1)
    # day 1: the initial variance 1^2; day 2: .94 * 1 + .06 * (-2)^2; day 3: .94 * 1.18 + .06 * 9
    assert np.isnan(var.iloc[0])
    assert var.iloc[1:].tolist() == pytest.approx([1.0, 1.18, 0.94 * 1.18 + 0.06 * 9])


def test_garch_filter_reproduces_arch(sp_returns):
    from arch import arch_model

    x = sp_returns.iloc[:1500].to_numpy()
    res = arch_model(x, mean="Constant", vol="GARCH", p=1, q=1, dist="t").fit(disp="off")
    mu, omega, alpha, beta = (float(res.params[k]) for k in ("mu", "omega", "alpha[1]", "beta[1]"))
    cond_var = np.asarray(res.conditional_volatility) ** 2
    path = risk.garch_variance_path(x - mu, omega, alpha, beta, cond_var[0])
    assert path[:-1] == pytest.approx(cond_var, rel=1e-9)
    # and the last value is arch's one-step-ahead forecast
    assert path[-1] == pytest.approx(float(res.forecast(horizon=1).variance.iloc[-1, 0]), rel=1e-9)


def test_garch_filter_refuses_negative_variances():
    with pytest.raises(ValueError, match="omega > 0"):
        risk.garch_variance_path([0.1], omega=-0.1, alpha=0.1, beta=0.8, sigma2_init=1.0)
    with pytest.raises(ValueError, match="sigma2_init"):
        risk.garch_variance_path([0.1], omega=0.1, alpha=0.1, beta=0.8, sigma2_init=0.0)


def test_forecasts_use_no_future_data(sp_returns):
    r = sp_returns.iloc[:700]
    short, long = r.iloc[:650], r
    start = r.index[500]
    for model in (lambda s: risk.historical_simulation(s, start=start, window=250),
                  lambda s: risk.ewma_forecasts(s, start=start),
                  lambda s: risk.garch_t_forecasts(s, start=start, refit_every=50).garch_t,
                  lambda s: risk.garch_t_forecasts(s, start=start, refit_every=50).fhs):
        a, b = model(short), model(long)
        pd.testing.assert_frame_equal(a, b.loc[a.index])


def test_garch_t_and_fhs_forecasts_are_coherent(sp_returns):
    out = risk.garch_t_forecasts(sp_returns.iloc[:800], start=sp_returns.index[600], refit_every=40)
    assert len(out.params) == 5  # 200 forecast days, a refit every 40
    for table in (out.garch_t, out.fhs):
        assert list(table.columns) == ["VaR", "VaR_es", "ES"]
        assert (table["VaR"] > table["VaR_es"]).all()  # 99% beyond 97.5%
        assert (table["ES"] > table["VaR_es"]).all()  # the tail mean lies beyond its quantile


def test_quantile_levels_and_es_weights():
    levels, weights = risk.quantile_levels_for(0.99, 0.975, 5)
    assert levels.tolist() == pytest.approx([0.0025, 0.0075, 0.01, 0.0125, 0.0175, 0.0225, 0.025])
    assert weights.sum() == pytest.approx(1.0)
    assert weights[2] == 0.0 and weights[-1] == 0.0  # the VaR levels are not ES midpoints


def test_untrained_quantile_network_is_the_normal_model():
    from finbook import repro
    from finbook.lessons import quantile_network

    repro.set_seed(0)
    levels, _ = risk.quantile_levels_for()
    net = quantile_network(3, levels)
    out = np.asarray(net(np.random.default_rng(0).normal(size=(4, 3)).astype("float32")))
    assert out == pytest.approx(np.tile(stats.norm.ppf(levels), (4, 1)), abs=1e-5)
    with pytest.raises(ValueError, match="increasing probabilities"):
        quantile_network(3, [0.05, 0.01])
    with pytest.raises(ValueError, match="n_features"):
        quantile_network(0, levels)


def test_quantile_pinball_loss_is_the_mean_of_the_levels_pinball_losses():
    from finbook import metrics
    from finbook.lessons import quantile_pinball_loss

    levels = np.array([0.01, 0.025, 0.5])
    rng = np.random.default_rng(0)
    y = rng.normal(size=(50, 1)).astype("float32")
    q = rng.normal(size=(50, 3)).astype("float32")
    value = float(quantile_pinball_loss(levels)(y, q))
    by_level = [metrics.pinball_loss(y[:, 0], q[:, k], u) for k, u in enumerate(levels)]
    assert value == pytest.approx(np.mean(by_level), rel=1e-5)


def test_refit_quantile_network_is_reproducible_from_its_seed():
    from finbook import repro
    from finbook.lessons import quantile_network, refit_quantile_network

    repro.set_seed(0)
    levels, _ = risk.quantile_levels_for()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 3)).astype("float32")
    y = rng.standard_t(5, size=500).astype("float32")
    past = np.arange(400)  # rows 400-499 are never seen
    runs = []
    for _ in range(2):
        net = quantile_network(3, levels, learning_rate=1e-2, seed=0)
        net, hist = refit_quantile_network(net, x, y, past, seed=7, max_epochs=3, patience=5)
        runs.append((np.asarray(net(x[400:], training=False)), hist))
    assert len(runs[0][1]["val_loss"]) == 3 and runs[0][1]["best_epoch"] in (1, 2, 3)
    # same seed, same held-out rows and batch order: the same network
    assert runs[0][0] == pytest.approx(runs[1][0], abs=1e-6)
    assert runs[0][1]["val_loss"] == pytest.approx(runs[1][1]["val_loss"], abs=1e-6)


def test_refit_quantile_network_validates_on_the_latest_block_after_a_gap():
    from finbook import repro
    from finbook.lessons import quantile_network, refit_quantile_network

    repro.set_seed(0)
    levels, _ = risk.quantile_levels_for()
    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, 3)).astype("float32")
    y = rng.standard_t(5, size=400).astype("float32")
    net = quantile_network(3, levels, seed=0)
    # the block is the last 20% of past (rows 320-399); its loss at the best epoch is recorded
    net, hist = refit_quantile_network(net, x, y, np.arange(400), seed=1, max_epochs=2, patience=5)
    block = float(net.loss(y[320:, None], net(x[320:], training=False)))
    assert np.isfinite(block) and len(hist["val_loss"]) == 2
    # 100 rows: 20 for validation and a 66-day gap leave 14 to train on, too few
    with pytest.raises(ValueError, match="training rows"):
        refit_quantile_network(net, x, y, np.arange(100), seed=1)
    with pytest.raises(ValueError, match="time order"):
        refit_quantile_network(net, x, y, np.arange(400)[::-1], seed=1)


def test_quantile_network_forecasts_are_coherent(sp_returns):
    from finbook import repro

    repro.set_seed(0)
    out = risk.quantile_network_forecasts(sp_returns.loc[:"2001-12-31"], start="2001-01-01",
                                          max_epochs=3, seed=0)
    table = out.forecasts
    assert table.index[0] == pd.Timestamp("2001-01-02") and table.index[-1].year == 2001
    assert not table.isna().any().any()
    # non-crossing quantiles: VaR(99%) > VaR(97.5%), and the ES averages quantiles below 2.5%
    assert (table["VaR"] > table["VaR_es"]).all()
    assert (table["ES"] > table["VaR_es"]).all()
    assert list(out.histories) == [2001]
    with pytest.raises(ValueError, match="features must be a non-empty subset"):
        risk.quantile_network_forecasts(sp_returns.loc[:"2001-12-31"], start="2001-01-01",
                                        features=("volume",))


def test_quantile_network_ensemble_averages_its_seeds(sp_returns):
    from finbook import repro

    repro.set_seed(0)
    short = sp_returns.loc[:"2001-12-31"]
    ens = risk.quantile_network_ensemble(short, start="2001-01-01", seeds=(0, 1), max_epochs=3)
    assert list(ens.members) == [0, 1]
    a, b = ens.members[0].forecasts, ens.members[1].forecasts
    assert not np.allclose(a["VaR"], b["VaR"])  # different seeds, different networks
    pd.testing.assert_frame_equal(ens.forecasts, (a + b) / 2)
    assert ens.forecasts.attrs == a.attrs
    assert np.allclose(ens.quantiles, (ens.members[0].quantiles + ens.members[1].quantiles) / 2)
    # the same seed gives the same network, whatever was trained before
    again = risk.quantile_network_forecasts(short, start="2001-01-01", seed=1, max_epochs=3)
    pd.testing.assert_frame_equal(again.forecasts, b)
    with pytest.raises(ValueError, match="distinct integers"):
        risk.quantile_network_ensemble(short, start="2001-01-01", seeds=(1, 1))
    with pytest.raises(TypeError, match="seeds="):
        risk.quantile_network_ensemble(short, start="2001-01-01", seeds=(1,), seed=2)


def test_models_refuse_bad_input(sp_returns):
    with pytest.raises(ValueError, match="NaN"):
        risk.historical_simulation(volatility.log_returns(data.sp500()["adj_close"]), start="2000-01-01")
    with pytest.raises(TypeError, match="DatetimeIndex"):
        risk.ewma_forecasts(sp_returns.reset_index(drop=True), start=0)
    with pytest.raises(ValueError, match="history before it"):
        risk.historical_simulation(sp_returns, start="1999-02-01", min_window=250)
    with pytest.raises(ValueError, match="after the last date"):
        risk.ewma_forecasts(sp_returns, start="2030-01-01")


# --------------------------------------------------------------------------- backtests
def test_kupiec_by_hand():
    # no exception in 250 days of a 99% VaR: LR = -2 * 250 * ln(0.99)
    zero = risk.kupiec_pof_test([0] * 250, 0.99)
    assert zero.statistic == pytest.approx(-500 * math.log(0.99))  # 5.0252
    assert zero.pvalue == pytest.approx(stats.chi2.sf(5.0251679, 1), rel=1e-6)
    # 8 exceptions in 250 days
    lr8 = -2 * (242 * math.log(0.99) + 8 * math.log(0.01)) + 2 * (242 * math.log(242 / 250)
                                                                   + 8 * math.log(8 / 250))
    assert risk.kupiec_pof_test([1] * 8 + [0] * 242, 0.99).statistic == pytest.approx(lr8)
    assert lr8 == pytest.approx(7.7336, abs=1e-4)
    # exactly the expected number of exceptions: no evidence against the model
    exact = risk.kupiec_pof_test([1] * 10 + [0] * 990, 0.99)
    assert exact.statistic == pytest.approx(0.0, abs=1e-12) and exact.pvalue == pytest.approx(1.0)
    # every day an exception: the second term vanishes (x/n = 1)
    assert risk.kupiec_pof_test([1] * 5, 0.99).statistic == pytest.approx(-10 * math.log(0.01))


def test_christoffersen_independence_by_hand():
    # transitions of 0 0 1 1 0 0 0 1 0 0: n00 = 4, n01 = 2, n10 = 2, n11 = 1, so
    # pi01 = 2/6 = pi11 = 1/3 = pi: the Markov chain is no better than independence, LR = 0
    hits = [0, 0, 1, 1, 0, 0, 0, 1, 0, 0]
    assert risk.christoffersen_independence_test(hits).statistic == pytest.approx(0.0, abs=1e-12)
    # a cluster 0 0 0 0 1 1 1 0 0 0: n00 = 5, n01 = 1, n10 = 1, n11 = 2; pi = 3/9
    clustered = [0, 0, 0, 0, 1, 1, 1, 0, 0, 0]
    restricted = 6 * math.log(2 / 3) + 3 * math.log(1 / 3)
    markov = 5 * math.log(5 / 6) + math.log(1 / 6) + math.log(1 / 3) + 2 * math.log(2 / 3)
    lr = -2 * (restricted - markov)
    result = risk.christoffersen_independence_test(clustered)
    assert result.statistic == pytest.approx(lr)
    assert result.pvalue == pytest.approx(stats.chi2.sf(lr, 1))
    # never two exceptions in a row (n11 = 0) is handled with 0 * log 0 = 0
    assert np.isfinite(risk.christoffersen_independence_test([0, 1, 0, 0, 1, 0]).statistic)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=1), min_size=3, max_size=300),
       st.floats(min_value=0.8, max_value=0.995))
def test_conditional_coverage_is_kupiec_plus_independence(hits, level):
    cc = risk.christoffersen_conditional_coverage_test(hits, level)
    pof = risk.kupiec_pof_test(hits[1:], level)
    ind = risk.christoffersen_independence_test(hits)
    assert cc.statistic == pytest.approx(pof.statistic + ind.statistic, rel=1e-9, abs=1e-9)
    assert cc.df == 2 and 0.0 <= cc.pvalue <= 1.0


@pytest.mark.parametrize("bad", [[0, 2, 1], [0.5, 1], []])
def test_backtests_refuse_anything_but_zeros_and_ones(bad):
    with pytest.raises(ValueError, match="0 and 1|non-empty"):
        risk.kupiec_pof_test(bad)


def test_basel_traffic_light_zones_for_250_days():
    # Basel Committee (1996): green 0-4, yellow 5-9, red 10 or more exceptions in 250 days
    assert risk.traffic_light_boundaries(250, 0.99) == (5, 10)
    assert [risk.basel_traffic_light(x) for x in range(12)] == (
        ["green"] * 5 + ["yellow"] * 5 + ["red"] * 2)
    # the zones are cumulative binomial probabilities below 95% (green) and from 99.99% (red)
    assert stats.binom.cdf(4, 250, 0.01) < 0.95 <= stats.binom.cdf(5, 250, 0.01)
    assert stats.binom.cdf(9, 250, 0.01) < 0.9999 <= stats.binom.cdf(10, 250, 0.01)


def test_traffic_light_refuses_impossible_counts():
    with pytest.raises(ValueError, match="between 0 and n_obs=250"):
        risk.basel_traffic_light(251)
    with pytest.raises(ValueError, match="between 0 and n_obs"):
        risk.basel_traffic_light(-1)
    with pytest.raises(ValueError, match="whole number"):
        risk.basel_traffic_light(2.5)


def test_exceptions_and_es_ratio_by_hand():
    r = np.array([-3.0, 1.0, -4.0, -1.0])
    assert risk.var_exceptions(r, [2.0, 2.0, 2.0, 2.0]).tolist() == [1, 0, 1, 0]
    # losses beyond VaR: 3 and 4 (mean 3.5); ES forecast on those days: 2.5 and 3.5 (mean 3)
    ratio, n = risk.es_exceedance_ratio(r, [2.0] * 4, [2.5, 9.0, 3.5, 9.0])
    assert (ratio, n) == (pytest.approx(3.5 / 3.0), 2)
    assert np.isnan(risk.es_exceedance_ratio(r, [10.0] * 4, [11.0] * 4)[0])


def test_unequal_lengths_and_misaligned_series_are_refused():
    with pytest.raises(ValueError, match="same length"):
        risk.var_exceptions([1.0, 2.0, 3.0], [1.0, 2.0])
    a = _series([1.0, 2.0])
    b = pd.Series([1.0, 1.0], index=a.index + pd.Timedelta(days=1))
    with pytest.raises(ValueError, match="different indexes"):
        risk.var_exceptions(a, b)


def test_backtest_tables_count_what_they_should():
    r = _series([-3.0, 0.5, -0.2, -2.5] * 125)  # 500 days, exceptions on 2 of every 4 at VaR 2
    fc = risk.normal_forecasts(pd.Series(2.0 / 2.326348, index=r.index))
    summary = risk.backtest_summary(r, {"const": fc})
    assert summary.loc["const", "exceptions"] == 250
    assert summary.loc["const", "rate %"] == pytest.approx(50.0)
    assert summary.loc["const", "Kupiec p"] < 1e-10
    by_year = risk.exceptions_by_year(r, {"const": fc})
    assert by_year["const"].sum() == 250
    assert set(by_year["const zone"]) == {"red"}


def test_normal_forecasts_from_volatilities():
    sigma = _series([1.0, 2.0])
    out = risk.normal_forecasts(sigma)
    assert out["VaR"].tolist() == pytest.approx([2.326348, 4.652696], abs=1e-5)
    assert out["ES"].tolist() == pytest.approx([2.337803, 4.675606], abs=1e-5)
    assert out.attrs == {"var_level": 0.99, "es_level": 0.975}
    with pytest.raises(ValueError, match="positive volatilities"):
        risk.normal_forecasts(_series([1.0, 0.0]))
    with pytest.raises(TypeError, match="Series"):
        risk.normal_forecasts(np.array([1.0]))


def test_quantile_features_use_only_the_past(sp_returns):
    r = sp_returns.iloc[:400]
    full, short = risk.quantile_features(r), risk.quantile_features(r.iloc[:300])
    pd.testing.assert_frame_equal(short.iloc[70:], full.iloc[70:300])
    # row t: yesterday's return over yesterday's volatility forecast
    sigma = np.sqrt(risk.ewma_variance(r))
    t = 250
    assert full["z_last"].iloc[t] == pytest.approx(r.iloc[t - 1] / sigma.iloc[t - 1])
    assert full["z_neg"].iloc[t] == pytest.approx(min(r.iloc[t - 1] / sigma.iloc[t - 1], 0.0))
    assert full["log_rv5"].iloc[t] == pytest.approx(
        math.log(np.mean(r.iloc[t - 5:t] ** 2) / sigma.iloc[t] ** 2))


def test_rolling_exceptions_by_hand():
    r = _series([-3.0, 0.0, -3.0, -3.0, 0.0])
    var = _series([2.0] * 5)
    counts = risk.rolling_exceptions(r, var, window=3)
    assert counts.isna().sum() == 2
    assert counts.iloc[2:].tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(ValueError, match="window"):
        risk.rolling_exceptions(r, var, window=0)


def test_var_backtest_figure_marks_the_exceptions():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = _series([-3.0, 0.5, -1.0, -4.0])
    ax = risk.plot_var_backtest(r, _series([2.0] * 4), label="99% VaR")
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["daily return", "minus 99% VaR", "exceptions (2)"]
    assert len(ax.collections[0].get_offsets()) == 2
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="different indexes"):
        risk.plot_var_backtest(r, _series([2.0] * 4, start="2021-01-01"))


# --------------------------------------------------------------------------- CAViaR
def _avgarch(n: int, seed: int, a0: float = 0.05, a1: float = 0.85, a2: float = 0.12) -> np.ndarray:
    """r_t = s_t e_t, s_t = a0 + a1 s_{t-1} + a2 |r_{t-1}|, e_t ~ N(0, 1): its u-quantile is z_u s_t."""
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal(n)
    s, r = np.empty(n), np.empty(n)
    s[0] = 1.0
    for t in range(n):
        if t:
            s[t] = a0 + a1 * s[t - 1] + a2 * abs(r[t - 1])
        r[t] = s[t] * eps[t]
    return r


def test_caviar_recursion_by_hand():
    # q1 = -0.1 + 0.5 * (-1) - 0.2 * |1| = -0.8; q2 = -0.1 + 0.5 * (-0.8) - 0.2 * |-2| = -0.9
    q = risk.caviar_quantiles([-0.1, 0.5, -0.2], [1.0, -2.0, 0.0], q0=-1.0)
    assert q.tolist() == pytest.approx([-1.0, -0.8, -0.9])
    # asymmetric slope: q1 = -0.1 + 0.5 * (-1) - 0.1 * 1 = -0.7; q2 = -0.1 - 0.35 - 0.3 * 2 = -1.05
    q = risk.caviar_quantiles([-0.1, 0.5, -0.1, -0.3], [1.0, -2.0, 0.0], q0=-1.0, spec="asymmetric")
    assert q.tolist() == pytest.approx([-1.0, -0.7, -1.05])


def test_fit_caviar_recovers_known_parameters_on_simulated_data():
    # the 10% quantile of the AVGARCH process above follows a SAV CAViaR with
    # b0 = z a0, b1 = a1, b2 = z a2 (z the standard normal 10% quantile)
    r = _avgarch(20_000, seed=7)
    z = stats.norm.ppf(0.10)
    true = np.array([z * 0.05, 0.85, z * 0.12])
    fit = risk.fit_caviar(r, 0.10, spec="sav", loss_from=100, seed=1)
    assert fit.params == pytest.approx(true, abs=0.05)
    # the optimiser finds a loss at least as low as the true parameters'
    q_true = risk.caviar_quantiles(true, r, fit.q0)
    e = r[100:] - q_true[100:]
    assert fit.loss <= np.mean(np.maximum(0.1 * e, -0.9 * e)) + 1e-9
    hits = r < risk.caviar_quantiles(fit.params, r, fit.q0)
    assert hits.mean() == pytest.approx(0.10, abs=0.005)


def test_caviar_bad_input():
    with pytest.raises(ValueError, match="spec"):
        risk.caviar_quantiles([0, 0.5, 0], [1.0, 2.0], -1.0, spec="garch")
    with pytest.raises(ValueError, match="3 finite parameters"):
        risk.caviar_quantiles([0, 0.5], [1.0, 2.0], -1.0)
    with pytest.raises(ValueError, match="level"):
        risk.fit_caviar(np.ones(100), 0.99)
    with pytest.raises(ValueError, match="50 returns"):
        risk.fit_caviar(np.ones(60), 0.01, loss_from=20)


# --------------------------------------------------------------------------- ES backtest
def test_z2_by_hand():
    # two exceptions of four days at level 0.5: 1 + (-3/2.5 - 4/2) / (4 * 0.5) = -0.6
    z = risk.acerbi_szekely_z2([-3.0, 1.0, -4.0, -0.2], [2.0] * 4, [2.5, 2.5, 2.0, 2.5], 0.5)
    assert z == pytest.approx(-0.6)
    # no exception: Z2 = 1
    assert risk.acerbi_szekely_z2([1.0, 2.0], [1.0, 1.0], [1.5, 1.5], 0.975) == pytest.approx(1.0)


def test_z2_critical_values_match_published_ones():
    # MathWorks Risk Toolbox (esbacktest unconditionalNormal / unconditionalT), 1966 days of a
    # 97.5% ES, test level 99%: critical values -0.34639 (normal) and -0.42986 (t, 3 df)
    normal = risk.z2_null_distribution(1966, 0.975, n_sims=20_000, seed=1)
    assert np.quantile(normal, 0.01) == pytest.approx(-0.34639, abs=0.015)
    t3 = risk.z2_null_distribution(1966, 0.975, nu=3, n_sims=20_000, seed=1)
    assert np.quantile(t3, 0.01) == pytest.approx(-0.42986, abs=0.02)
    # under H0 Z2 has mean 0
    assert normal.mean() == pytest.approx(0.0, abs=0.005)


def test_z2_test_rejects_understated_es_and_checks_input():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(2000)
    var, es = float(risk.normal_var(1.0, 0.975)), float(risk.normal_es(1.0, 0.975))
    right = risk.acerbi_szekely_z2_test(x, [var] * 2000, [es] * 2000, n_sims=2000)
    assert right.pvalue > 0.05
    wrong = risk.acerbi_szekely_z2_test(1.5 * x, [var] * 2000, [es] * 2000, n_sims=2000)
    assert wrong.pvalue < 0.01 and wrong.statistic < wrong.critical_value
    with pytest.raises(ValueError, match="positive"):
        risk.acerbi_szekely_z2([1.0], [1.0], [0.0])
    with pytest.raises(ValueError, match="nu"):
        risk.z2_null_distribution(100, nu=1.0)
    with pytest.raises(ValueError, match="significance"):
        risk.acerbi_szekely_z2_test(x, [var] * 2000, [es] * 2000, significance=0.7)
