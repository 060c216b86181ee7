"""finbook.volatility: estimators against hand-computed values; alignment; bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finbook import volatility as v

IDX = pd.date_range("2020-01-01", periods=3, freq="D")


def test_parkinson_by_hand():
    high, low = pd.Series([101.0, 110.0, 100.0], IDX), pd.Series([99.0, 100.0, 100.0], IDX)
    expected = (100 * np.log(high / low)) ** 2 / (4 * np.log(2))
    pd.testing.assert_series_equal(v.parkinson(high, low), expected)
    assert v.parkinson(high, low).iloc[2] == 0.0


def test_garman_klass_by_hand_and_reduces_to_range_when_open_equals_close():
    o = pd.Series([100.0, 100.0, 100.0], IDX)
    h = pd.Series([102.0, 105.0, 101.0], IDX)
    lo = pd.Series([99.0, 97.0, 99.5], IDX)
    c = pd.Series([101.0, 100.0, 100.5], IDX)
    gk = v.garman_klass(o, h, lo, c)
    first = 0.5 * (100 * np.log(102 / 99)) ** 2 - (2 * np.log(2) - 1) * (100 * np.log(1.01)) ** 2
    assert gk.iloc[0] == pytest.approx(first)
    assert gk.iloc[1] == pytest.approx(0.5 * (100 * np.log(105 / 97)) ** 2)


def test_forward_mean_is_aligned_to_the_next_days():
    s = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0])
    fwd = v.forward_mean(s, 2)
    assert fwd.tolist()[:3] == [2.5, 3.5, 4.5]
    assert fwd.iloc[3:].isna().all()


def test_har_design_uses_trailing_means():
    s = pd.Series(np.arange(1.0, 31.0))
    design = v.har_design(s, log=False)
    assert design.loc[29, "daily"] == 30.0
    assert design.loc[29, "weekly"] == pytest.approx(np.mean(np.arange(26.0, 31.0)))
    assert design.loc[29, "monthly"] == pytest.approx(np.mean(np.arange(9.0, 31.0)))
    assert design.iloc[:21]["monthly"].isna().all()


def test_log_returns_in_percent():
    close = pd.Series([100.0, 110.0, 99.0], IDX)
    r = v.log_returns(close)
    assert r.iloc[1] == pytest.approx(100 * np.log(1.1))


@pytest.mark.parametrize(("high", "low", "match"), [
    ([101.0, 100.0, -1.0], [99.0, 99.0, 99.0], "positive prices"),
    ([101.0, 98.0, 100.0], [99.0, 99.0, 99.0], "high < low"),
    ([101.0, np.nan, 100.0], [99.0, 99.0, 99.0], "NaN"),
])
def test_bad_prices_are_rejected(high, low, match):
    with pytest.raises(ValueError, match=match):
        v.parkinson(pd.Series(high, IDX), pd.Series(low, IDX))


def test_misaligned_series_are_rejected():
    other = pd.Series([99.0, 99.0, 99.0], pd.date_range("2021-01-01", periods=3, freq="D"))
    with pytest.raises(ValueError, match="not aligned"):
        v.parkinson(pd.Series([101.0, 100.0, 100.0], IDX), other)


def test_negative_return_design_by_hand():
    r = pd.Series(np.r_[np.zeros(17), [1.0, -2.0, 3.0, -4.0, 0.5]])
    d = v.negative_return_design(r)
    assert d["neg_daily"].iloc[-5:].tolist() == [0.0, -2.0, 0.0, -4.0, 0.0]
    assert d["neg_weekly"].iloc[-1] == pytest.approx(-6.0 / 5)
    assert d["neg_monthly"].iloc[-1] == pytest.approx(-6.0 / 22)
    assert d["neg_monthly"].iloc[:21].isna().all()


def test_negative_return_design_rejects_bad_input():
    with pytest.raises(TypeError, match="pandas Series"):
        v.negative_return_design(np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="infinite"):
        v.negative_return_design(pd.Series([1.0, -np.inf]))


@pytest.fixture(scope="module")
def simulated_returns():
    rng = np.random.default_rng(0)
    n, h, r = 1500, np.empty(1500), np.empty(1500)
    h[0] = 1.0
    for t in range(n):  # a GJR-GARCH path, so every model has an asymmetry to find
        r[t] = np.sqrt(h[t]) * rng.standard_normal()
        if t + 1 < n:
            h[t + 1] = 0.05 + (0.03 + 0.10 * (r[t] < 0)) * r[t] ** 2 + 0.88 * h[t]
    return pd.Series(r, index=pd.date_range("2000-01-03", periods=n, freq="B"))


@pytest.mark.parametrize("model", sorted(v.ARCH_MODELS))
def test_arch_variance_follows_the_model_recursion(simulated_returns, model):
    """h_t (forecast of day t+1) from h_{t-1} and r_t, recomputed by hand from the fitted parameters."""
    r = simulated_returns
    end = 1399
    h, p = v.arch_variance(r, np.arange(1000), end, model=model)
    assert len(h) == end + 1 and h.index.equals(r.index[: end + 1])
    eps = (r.iloc[1 : end + 1] - p["mu"]).to_numpy()
    prev = h.iloc[:-1].to_numpy()
    if model == "EGARCH":
        z = eps / np.sqrt(prev)
        expected = np.exp(p["omega"] + p["alpha[1]"] * (np.abs(z) - np.sqrt(2 / np.pi))
                          + p["gamma[1]"] * z + p["beta[1]"] * np.log(prev))
    else:
        gamma = p.get("gamma[1]", 0.0)
        expected = p["omega"] + (p["alpha[1]"] + gamma * (eps < 0)) * eps**2 + p["beta[1]"] * prev
    np.testing.assert_allclose(h.iloc[1:].to_numpy(), expected, rtol=1e-10)
    if model != "GARCH":  # the simulated asymmetry is found: negative surprises raise variance more
        assert p["gamma[1]"] > 0 if model == "GJR-GARCH" else p["gamma[1]"] < 0


def test_arch_variance_rejects_bad_input(simulated_returns):
    r = simulated_returns
    with pytest.raises(ValueError, match="model must be one of"):
        v.arch_variance(r, np.arange(500), 600, model="FIGARCH")
    with pytest.raises(ValueError, match="must lie in"):
        v.arch_variance(r, np.arange(500), 400)
    with pytest.raises(ValueError, match="at least 100 integer"):
        v.arch_variance(r, np.arange(50), 400)
    with pytest.raises(ValueError, match="end must be"):
        v.arch_variance(r, np.arange(500), len(r))
    bad = r.copy()
    bad.iloc[10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        v.arch_variance(bad, np.arange(500), 600)


def test_arch_variance_does_not_look_ahead(simulated_returns):
    """Changing a return after day t leaves every forecast made at or before day t unchanged."""
    r = simulated_returns
    shocked = r.copy()
    shocked.iloc[1200] = -25.0
    a, _ = v.arch_variance(r, np.arange(1000), 1399, model="GJR-GARCH")
    b, _ = v.arch_variance(shocked, np.arange(1000), 1399, model="GJR-GARCH")
    np.testing.assert_array_equal(a.iloc[:1200].to_numpy(), b.iloc[:1200].to_numpy())
    assert b.iloc[1200] > 5 * a.iloc[1200]


def test_har_ols_is_least_squares_with_a_constant_and_its_residual_variance():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = 0.5 + x @ np.array([0.3, -0.2, 0.1]) + rng.normal(scale=0.1, size=200)
    beta, s2 = v.har_ols(x, y)
    design = np.column_stack([np.ones(200), x])
    expected = np.linalg.solve(design.T @ design, design.T @ y)
    np.testing.assert_allclose(beta, expected, rtol=1e-10)
    resid = y - design @ expected
    assert s2 == pytest.approx(resid @ resid / (200 - 4), rel=1e-10)


@pytest.mark.parametrize(("x", "y", "message"), [
    (np.ones((5, 2)), np.ones(4), "same rows"),
    (np.ones((3, 2)), np.ones(3), "cannot fit a constant"),
    (np.array([[np.nan], [1.0], [2.0], [3.0]]), np.ones(4), "must be finite"),
])
def test_har_ols_names_bad_input(x, y, message):
    with pytest.raises(ValueError, match=message):
        v.har_ols(x, y)


def test_fit_arch_names_bad_model_or_distribution():
    r = pd.Series(np.random.default_rng(1).normal(size=300))
    with pytest.raises(ValueError, match="model must be one of"):
        v.fit_arch(r, model="FIGARCH")
    with pytest.raises(ValueError, match="dist must be 'normal' or 't'"):
        v.fit_arch(r, dist="skewt")


def test_fit_arch_student_t_estimates_degrees_of_freedom():
    rng = np.random.default_rng(2)
    r = pd.Series(rng.standard_t(5, size=2000))
    res = v.fit_arch(r, dist="t", maxiter=1000)
    assert {"mu", "omega", "alpha[1]", "beta[1]", "nu"} <= set(res.params.index)
    assert 3 < res.params["nu"] < 10
