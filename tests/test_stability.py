"""Tests of finbook.stability: PSI and drift, seed variance and decision flips, frozen HAR forecasts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from finbook import stability

# --------------------------------------------------------------------------- PSI by hand


def test_psi_hand_computed_example():
    # expected 25% in each of four bins, actual 10/20/30/40%:
    #   (0.10-0.25) ln(0.10/0.25) = (-0.15)(-0.916291) = 0.137444
    #   (0.20-0.25) ln(0.20/0.25) = (-0.05)(-0.223144) = 0.011157
    #   (0.30-0.25) ln(0.30/0.25) = ( 0.05)( 0.182322) = 0.009116
    #   (0.40-0.25) ln(0.40/0.25) = ( 0.15)( 0.470004) = 0.070501
    #   sum                                              = 0.228218
    value = stability.psi_from_shares([0.25] * 4, [0.1, 0.2, 0.3, 0.4])
    assert value == pytest.approx(0.228218, abs=1e-6)
    assert stability.psi_rating(value) == "moderate shift"


def test_psi_of_samples_matches_the_hand_computed_shares():
    # reference 1..20: decile edges 2, 4, ..., 18, each bin (e_{k-1}, e_k] holds two values (10%).
    reference = np.arange(1.0, 21.0)
    # current: two values in each of bins 1-5, six in bin 6 (11, 11, 11, 12, 12, 12), two in bins 7-8,
    # none in bins 9-10: shares 10/10/10/10/10/30/10/10/0/0 %
    current = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 11, 12, 12, 12, 13, 14, 15, 16], float)
    table = stability.psi_table(reference, current)
    assert table["reference_share"].tolist() == pytest.approx([0.1] * 10)
    assert table["current_share"].tolist() == pytest.approx([0.1] * 5 + [0.3, 0.1, 0.1, 0.0, 0.0])
    floor = 1e-4
    by_hand = (0.3 - 0.1) * math.log(3) + 2 * (floor - 0.1) * math.log(floor / 0.1)
    assert stability.psi(reference, current) == pytest.approx(by_hand)
    assert table["contribution"].sum() == pytest.approx(by_hand)


def test_a_value_on_an_edge_belongs_to_the_lower_bin():
    table = stability.psi_table([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0], bins=4)
    assert table["upper"].tolist()[:3] == [1.0, 2.0, 3.0]
    assert table["current_share"].tolist() == [0.0, 1.0, 0.0, 0.0]


def test_empty_current_bins_are_floored_or_refused():
    reference, current = [1.0, 2.0, 3.0, 4.0], [4.0, 4.0, 4.0, 4.0]
    by_hand = 3 * (1e-4 - 0.25) * math.log(1e-4 / 0.25) + (1 - 0.25) * math.log(1 / 0.25)
    assert stability.psi(reference, current, bins=4) == pytest.approx(by_hand)
    smaller_floor = stability.psi(reference, current, bins=4, floor=1e-6)
    assert smaller_floor > by_hand  # a smaller floor punishes empty bins harder
    with pytest.raises(ValueError, match=r"bins \[0, 1, 2\] are empty"):
        stability.psi(reference, current, bins=4, floor=None)


@settings(max_examples=60)
@given(hnp.arrays(float, st.integers(2, 300), elements=st.floats(-1e6, 1e6)), st.integers(2, 20))
def test_identical_samples_have_zero_psi(x, bins):
    assert stability.psi(x, x, bins) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=60)
@given(hnp.arrays(float, st.integers(1, 200), elements=st.integers(-5, 5).map(float)),
       st.integers(2, 20))
def test_no_reference_bin_is_ever_empty(x, bins):
    """Bins come from the reference, so only the current sample can leave a bin empty (even with ties)."""
    edges = stability.psi_edges(x, bins)
    assert edges[0] == -np.inf and edges[-1] == np.inf
    assert np.all(np.diff(edges) > 0)
    assert len(edges) - 1 <= bins
    table = stability.psi_table(x, x, bins)
    assert (table["reference_share"] > 0).all()


@given(st.lists(st.floats(0.01, 1.0), min_size=2, max_size=12),
       st.lists(st.floats(0.01, 1.0), min_size=2, max_size=12))
def test_psi_is_symmetric_and_non_negative(a, b):
    n = min(len(a), len(b))
    e = np.array(a[:n]) / sum(a[:n])
    c = np.array(b[:n]) / sum(b[:n])
    forward = stability.psi_from_shares(e, c)
    assert forward >= -1e-12
    assert forward == pytest.approx(stability.psi_from_shares(c, e))


def test_psi_rating_thresholds():
    assert stability.PSI_THRESHOLDS == (0.10, 0.25)
    assert stability.psi_rating(0.0999) == "stable"
    assert stability.psi_rating(0.10) == "moderate shift"
    assert stability.psi_rating(0.2499) == "moderate shift"
    assert stability.psi_rating(0.25) == "significant shift"
    with pytest.raises(ValueError, match="non-negative PSI"):
        stability.psi_rating(-0.1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stability.psi([], [1.0]), "reference is empty"),
        (lambda: stability.psi([1.0, np.nan], [1.0]), "NaN"),
        (lambda: stability.psi([1.0, 2.0], [1.0], bins=1), "bins must be an integer >= 2"),
        (lambda: stability.psi([1.0, 2.0], [1.0], floor=0.0), "floor"),
        (lambda: stability.psi_from_shares([0.5, 0.5], [1.0]), "one share per bin"),
        (lambda: stability.psi_from_shares([0.5, 0.6], [0.5, 0.5]), "sum to 1"),
        (lambda: stability.psi_from_shares([1.5, -0.5], [0.5, 0.5]), "non-negative"),
    ],
)
def test_psi_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_drift_table_pairs_psi_with_the_ks_test():
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"a": rng.normal(size=500), "b": rng.normal(size=500)})
    later = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(loc=1.0, size=400)})
    table = stability.drift_table(ref, {"later": later})
    assert list(table.columns) == ["period", "feature", "PSI", "rating", "KS", "KS p-value"]
    row_b = table.set_index("feature").loc["b"]
    assert row_b["KS"] == pytest.approx(stats.ks_2samp(ref["b"], later["b"]).statistic)
    assert row_b["PSI"] == pytest.approx(stability.psi(ref["b"], later["b"]))
    assert row_b["rating"] == "significant shift"
    assert table.set_index("feature").loc["a", "rating"] == "stable"
    with pytest.raises(KeyError, match="lacks columns"):
        stability.drift_table(ref, {"later": later[["a"]]})


# --------------------------------------------------------------------------- decisions across seeds


def test_decision_flips_hand_example():
    p = np.array([[0.1, 0.5, 0.9], [0.1, 0.2, 0.9], [0.1, 0.6, 0.9]])
    # rejections (p > 0.3): model 0 [no, yes, yes], model 1 [no, no, yes], model 2 [no, yes, yes]
    out = stability.decision_flips(p, 0.3)
    assert out["ambiguity"] == pytest.approx(1 / 3)
    assert out["discrepancy"] == pytest.approx(1 / 3)
    assert out["mean pairwise disagreement"] == pytest.approx(2 / 9)  # pairs (0,1), (0,2), (1,2)
    assert out["flipped applicants"] == 1
    assert (out["rejection rate (min)"], out["rejection rate (max)"]) == pytest.approx((1 / 3, 2 / 3))


def test_identical_models_never_flip():
    p = np.tile(np.linspace(0.01, 0.99, 30), (5, 1))
    out = stability.decision_flips(p, 0.5)
    assert out["ambiguity"] == out["discrepancy"] == out["mean pairwise disagreement"] == 0.0


def test_decision_flips_rejects_bad_input():
    with pytest.raises(ValueError, match="at least two models"):
        stability.decision_flips(np.ones((1, 3)) / 2, 0.5)
    with pytest.raises(ValueError, match="threshold"):
        stability.decision_flips(np.ones((2, 3)) / 2, 1.5)
    with pytest.raises(ValueError, match="reference"):
        stability.decision_flips(np.ones((2, 3)) / 2, 0.5, reference=2)


@pytest.fixture(scope="module")
def seed_data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(240, 5)).astype("float32")
    y = (x[:, 0] - x[:, 1] + rng.normal(size=240) > 0).astype("float32")
    return x[:160], y[:160], x[160:200], y[160:200], x[200:]


def _build():
    from finbook import models

    return models.mlp(5, hidden=(8,), learning_rate=1e-2)


def test_each_seed_trains_as_if_alone(seed_data):
    """Reusing one model across seeds must not leak weights or optimizer state from seed to seed."""
    alone, epochs_alone = stability.fit_over_seeds(_build, *seed_data, seeds=[5], epochs=15, batch_size=64,
                                                   patience=3)
    after_other, epochs = stability.fit_over_seeds(_build, *seed_data, seeds=[3, 5], epochs=15,
                                                   batch_size=64, patience=3)
    assert after_other.shape == (2, 40)
    assert np.array_equal(after_other[1], alone[0])
    assert epochs[1] == epochs_alone[0]
    assert not np.array_equal(after_other[0], after_other[1])
    assert ((after_other > 0) & (after_other < 1)).all()


def test_fit_over_seeds_rejects_bad_input(seed_data):
    with pytest.raises(ValueError, match="seeds is empty"):
        stability.fit_over_seeds(_build, *seed_data, seeds=[])
    x, y, xv, yv, xe = seed_data
    with pytest.raises(ValueError, match="same length"):
        stability.fit_over_seeds(_build, x, y[:-1], xv, yv, xe, seeds=[0])


# --------------------------------------------------------------------------- frozen and refitted HAR


@pytest.fixture(scope="module")
def variance():
    """A positive, persistent daily variance series (a log-AR(1) simulation; a fixture, not data)."""
    rng = np.random.default_rng(7)
    n = 1500
    logv = np.empty(n)
    logv[0] = 0.0
    for t in range(1, n):
        logv[t] = 0.95 * logv[t - 1] + 0.3 * rng.normal()
    return pd.Series(np.exp(logv), index=pd.bdate_range("2000-01-03", periods=n))


def test_har_frame_uses_only_the_previous_days(variance):
    frame = stability.har_frame(variance)
    day = frame.index[10]
    pos = variance.index.get_loc(day)
    assert frame.loc[day, "target"] == pytest.approx(math.log(variance.iloc[pos]))
    assert frame.loc[day, "daily"] == pytest.approx(math.log(variance.iloc[pos - 1]))
    assert frame.loc[day, "weekly"] == pytest.approx(math.log(variance.iloc[pos - 5:pos].mean()))
    assert frame.loc[day, "monthly"] == pytest.approx(math.log(variance.iloc[pos - 22:pos].mean()))


def test_frozen_har_matches_statsmodels_ols(variance):
    out = stability.har_forecasts(variance, fit_end="2002-12-31", start="2003-01-01", end="2003-12-31")
    frame = stability.har_frame(variance)
    train = frame.loc[:"2002-12-31"]
    cols = list(stability.HAR_COLUMNS)
    fit = sm.OLS(train["target"], sm.add_constant(train[cols])).fit()
    test = frame.loc["2003-01-01":"2003-12-31"]
    expected = np.exp(fit.predict(sm.add_constant(test[cols], has_constant="add")) + fit.scale / 2)
    assert out["forecast"].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-10)
    assert out["realized"].to_numpy() == pytest.approx(variance.loc["2003-01-01":"2003-12-31"].to_numpy())


def test_forecasts_never_see_the_day_they_forecast(variance):
    kw = dict(fit_end="2002-12-31", start="2003-01-01", end="2003-12-31")
    day = pd.Timestamp("2003-06-16")
    shocked = variance.copy()
    shocked.loc[day] *= 50.0
    for refit in (None, "quarter"):
        a = stability.har_forecasts(variance, refit=refit, **kw)
        b = stability.har_forecasts(shocked, refit=refit, **kw)
        assert b.loc[day, "forecast"] == pytest.approx(a.loc[day, "forecast"])
        assert b.loc[day, "realized"] == pytest.approx(50 * a.loc[day, "realized"])


def test_refitting_changes_the_coefficients_only_at_quarter_starts(variance):
    kw = dict(fit_end="2002-12-31", start="2003-01-01", end="2003-12-31")
    frozen = stability.har_forecasts(variance, **kw)
    refit = stability.har_forecasts(variance, refit="quarter", **kw)
    first_quarter = frozen.index < "2003-04-01"
    # the first quarter's refit uses exactly the frozen model's training days
    assert refit.loc[first_quarter, "forecast"].to_numpy() == pytest.approx(
        frozen.loc[first_quarter, "forecast"].to_numpy())
    assert not np.allclose(refit.loc[~first_quarter, "forecast"], frozen.loc[~first_quarter, "forecast"])


def test_har_var_is_calibrated_in_sample(variance):
    rng = np.random.default_rng(3)
    returns = pd.Series(np.sqrt(variance.to_numpy()) * rng.standard_t(5, len(variance)), variance.index)
    out = stability.har_forecasts(variance, fit_end="2003-12-31", start="2004-01-01", end="2005-09-30",
                                  returns=returns, level=0.95)
    assert (out["VaR"] > 0).all()
    rate = stability.var_exceedances(returns, out["VaR"], "Y")["exceedances"].sum() / len(out)
    assert 0.02 < rate < 0.09  # about 5%, as the in-sample quantile promises


def test_har_forecasts_reject_bad_input(variance):
    with pytest.raises(ValueError, match="refit"):
        stability.har_forecasts(variance, fit_end="2002-12-31", start="2003-01-01", end="2003-12-31",
                                refit="monthly")
    with pytest.raises(ValueError, match="must come after fit_end"):
        stability.har_forecasts(variance, fit_end="2003-12-31", start="2003-01-01", end="2003-12-31")
    with pytest.raises(ValueError, match="DatetimeIndex"):
        stability.har_frame(pd.Series([1.0, 2.0]))


def test_var_exceedances_counts_by_period():
    idx = pd.to_datetime(["2008-03-31", "2008-04-01", "2008-04-02", "2009-01-02"])
    returns = pd.Series([-3.0, 1.0, -2.5, -1.0], idx)
    var = pd.Series(2.0, idx)
    out = stability.var_exceedances(returns, var, "Q")
    assert out["exceedances"].tolist() == [1, 1, 0]
    assert out["days"].tolist() == [1, 2, 1]
    with pytest.raises(ValueError, match="positive loss"):
        stability.var_exceedances(returns, -var)


# --------------------------------------------------------------------------- PSI under no shift


@pytest.mark.parametrize(("n", "m", "bins"), [(500, 250, 10), (2000, 500, 20)])
def test_psi_critical_value_matches_simulation_under_no_shift(n, m, bins):
    rng = np.random.default_rng(11)
    values = [stability.psi(rng.normal(size=n), rng.normal(size=m), bins) for _ in range(1500)]
    assert np.mean(values) == pytest.approx((bins - 1) * (1 / n + 1 / m), rel=0.1)
    assert stability.psi_critical_value(n, m, bins) == pytest.approx(np.quantile(values, 0.95), rel=0.1)


def test_psi_critical_value_rejects_bad_input():
    with pytest.raises(ValueError, match="n_current"):
        stability.psi_critical_value(100, 0)
    with pytest.raises(ValueError, match="bins"):
        stability.psi_critical_value(100, 100, bins=1)
    with pytest.raises(ValueError, match="level"):
        stability.psi_critical_value(100, 100, level=1.5)


def test_psi_block_chance_level_matches_independent_case_and_grows_with_clustering():
    rng = np.random.default_rng(3)
    iid = rng.normal(size=750)
    level_iid, block = stability.psi_block_critical_value(iid, 250, block=1, n_boot=1999, seed=1)
    assert block == 1
    assert level_iid == pytest.approx(stability.psi_critical_value(750, 250), rel=0.15)
    ar = np.empty(750)
    ar[0] = 0.0
    for t in range(1, 750):  # AR(1) with phi = 0.97: long calm and stormy spells
        ar[t] = 0.97 * ar[t - 1] + rng.normal()
    level_ar, block_ar = stability.psi_block_critical_value(ar, 250, n_boot=999, seed=1)
    assert block_ar > 10  # the automatic block length sees the persistence
    assert level_ar > 3 * stability.psi_critical_value(750, 250)
    again = stability.psi_block_critical_value(ar, 250, n_boot=999, seed=1)
    assert again == (level_ar, block_ar)  # seeded


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_current": 0}, "n_current must be a positive integer"),
    ({"n_current": 10, "level": 1.5}, "level must be in"),
    ({"n_current": 10, "n_boot": 10}, "n_boot must be an integer >= 99"),
    ({"n_current": 10, "block": 0}, "block must be an integer from 1"),
])
def test_psi_block_chance_level_names_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        stability.psi_block_critical_value(np.arange(100.0), **kwargs)


def test_the_resampling_loop_computes_the_same_psi():
    rng = np.random.default_rng(4)
    for _ in range(20):
        x, y = rng.normal(size=300), rng.normal(0.3, 1.2, size=200)
        assert stability._psi_fast(x, y, 10) == stability.psi(x, y, 10)
