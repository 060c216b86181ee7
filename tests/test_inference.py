"""Tests for finbook.inference, against hand-computed values and the papers' worked numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from arch.bootstrap import MCS, SPA, StationaryBootstrap, optimal_block_length
from scipy import stats

from finbook import inference as inf
from finbook import metrics

# --------------------------------------------------------------------------- Diebold-Mariano
# A tiny loss differential worked by hand: d = [2, 0, 1, 3, -1, 1], n = 6, mean 1,
# centred [1, -1, 0, 2, -2, 0]; gamma_0 = 10/6, gamma_1 = (-1 + 0 + 0 - 4 + 0)/6 = -5/6.
D = np.array([2.0, 0.0, 1.0, 3.0, -1.0, 1.0])
LOSS_B = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
LOSS_A = LOSS_B + D


def test_dm_one_lag_bartlett_by_hand():
    # var(mean d) = (gamma_0 + 2 * (1/2) * gamma_1) / n = (10/6 - 5/6) / 6 = 5/36, so DM = 6 / sqrt(5);
    # HLN with h = 1: sqrt((n + 1 - 2) / n) = sqrt(5/6); statistic = 6/sqrt(5) * sqrt(5/6) = sqrt(6).
    res = inf.dm_test(LOSS_A, LOSS_B, h=1, lags=1)
    assert res.statistic == pytest.approx(math.sqrt(6), rel=1e-12)
    assert res.pvalue == pytest.approx(2 * stats.t.sf(math.sqrt(6), df=5), rel=1e-12)
    assert res.mean_difference == pytest.approx(1.0)
    assert (res.lags, res.n, res.horizon) == (1, 6, 1)


def test_dm_no_lags_by_hand_and_agrees_with_metrics_version():
    # var = gamma_0 / n = 10/36; DM = 6/sqrt(10); times sqrt(5/6) gives sqrt(3).
    res = inf.dm_test(LOSS_A, LOSS_B, lags=0)
    assert res.statistic == pytest.approx(math.sqrt(3), rel=1e-12)
    old = metrics.diebold_mariano(LOSS_A, LOSS_B, h=1)
    assert res.statistic == pytest.approx(old.statistic, rel=1e-12)
    assert res.pvalue == pytest.approx(old.pvalue, rel=1e-12)


def test_dm_horizon_rule_uses_h_minus_one_lags_and_hln_for_h():
    # h = 2: lag 1 (variance 5/36 as above), HLN sqrt((6 + 1 - 4 + 2/6) / 6) = sqrt(5/9): statistic 2.
    res = inf.dm_test(LOSS_A, LOSS_B, h=2, lags="horizon")
    assert res.lags == 1
    assert res.statistic == pytest.approx(2.0, rel=1e-12)


def test_dm_newey_west_rule():
    assert inf.newey_west_lags(100) == 4  # floor(4 * 1^(2/9))
    assert inf.newey_west_lags(1000) == 6  # floor(4 * 10^(2/9)) = floor(6.68)
    assert inf.newey_west_lags(6) == 2  # floor(4 * 0.06^(2/9)) = floor(2.14)
    assert inf.dm_test(LOSS_A, LOSS_B).lags == 2


def test_dm_sign_convention_and_power():
    rng = np.random.default_rng(0)
    e = rng.normal(size=500)
    good, bad = e**2, (e + 0.5) ** 2
    res = inf.dm_test(good, bad)
    assert res.statistic < 0 and res.mean_difference < 0 and res.pvalue < 0.01
    swapped = inf.dm_test(bad, good)
    assert swapped.statistic == pytest.approx(-res.statistic)
    assert swapped.pvalue == pytest.approx(res.pvalue)


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "match"),
    [
        ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0], {}, "same length"),
        ([1.0, np.nan, 3.0, 4.0], [1.0, 2.0, 3.0, 5.0], {}, "NaN"),
        ([1.0, 2.0], [2.0, 1.0], {}, "at least 3"),
        ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], {}, "zero variance.*identical"),
        ([2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0], {}, "zero variance.*constant"),
        (LOSS_A, LOSS_B, {"h": 0}, "h must be a positive integer"),
        (LOSS_A, LOSS_B, {"lags": -1}, "lags must be"),
        (LOSS_A, LOSS_B, {"lags": "auto"}, "lags must be"),
        (LOSS_A, LOSS_B, {"lags": 5}, "too many"),
    ],
)
def test_dm_rejects_bad_input(a, b, kwargs, match):
    with pytest.raises(ValueError, match=match):
        inf.dm_test(a, b, **kwargs)


# --------------------------------------------------------------------------- block bootstrap
def _pair(n=300, shift=0.3, seed=1):
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n)
    return e**2, (e + shift) ** 2


def test_bootstrap_matches_arch_run_directly():
    a, b = _pair()
    res = inf.paired_block_bootstrap(a, b, block_size=5, n_boot=500, seed=7)
    bs = StationaryBootstrap(5, a, b, seed=7)
    reps = bs.apply(lambda u, v: np.array([u.mean() - v.mean()]), 500)[:, 0]
    assert res.estimate == pytest.approx(a.mean() - b.mean())
    assert (res.lower, res.upper) == pytest.approx(tuple(np.quantile(reps, [0.025, 0.975])))
    assert res.block_size == 5 and res.kind == "stationary" and res.n == 300


def test_bootstrap_is_reproducible_and_seed_matters():
    a, b = _pair()
    r1 = inf.paired_block_bootstrap(a, b, n_boot=300, seed=3)
    r2 = inf.paired_block_bootstrap(a, b, n_boot=300, seed=3)
    r3 = inf.paired_block_bootstrap(a, b, n_boot=300, seed=4)
    np.testing.assert_array_equal(r1.replicates, r2.replicates)
    assert not np.array_equal(r1.replicates, r3.replicates)


def test_bootstrap_default_block_size_is_politis_white():
    a, b = _pair()
    res = inf.paired_block_bootstrap(a, b, n_boot=200)
    expected = max(1, math.ceil(float(optimal_block_length(a - b)["stationary"].iloc[0])))
    assert res.block_size == expected


def test_bootstrap_clear_difference_gets_the_smallest_p():
    # a - b = 1 + small noise: no replicate of the mean difference reaches 0, so
    # p = 2 (1 + 0) / (B + 1), the smallest value the rule can give.
    rng = np.random.default_rng(0)
    b = rng.normal(size=200)
    a = b + 1.0 + 0.1 * rng.normal(size=200)
    res = inf.paired_block_bootstrap(a, b, block_size=4, kind="moving", n_boot=999)
    assert res.pvalue == pytest.approx(2 / 1000)
    assert res.lower > 0.9 and res.upper < 1.1


def test_bootstrap_is_antisymmetric_in_a_and_b():
    a, b = _pair(shift=0.1)
    ab = inf.paired_block_bootstrap(a, b, block_size=3, n_boot=400, seed=5)
    ba = inf.paired_block_bootstrap(b, a, block_size=3, n_boot=400, seed=5)
    assert ba.estimate == pytest.approx(-ab.estimate)
    assert (ba.lower, ba.upper) == pytest.approx((-ab.upper, -ab.lower))
    assert ba.pvalue == pytest.approx(ab.pvalue)


def test_bootstrap_with_unit_blocks_matches_the_iid_standard_error():
    # Block size 1 is the ordinary bootstrap: the 95% interval is close to
    # mean(d) +- 1.96 sd(d) / sqrt(n) for independent data.
    a, b = _pair(n=800, shift=0.2, seed=2)
    d = a - b
    res = inf.paired_block_bootstrap(a, b, block_size=1, n_boot=2000, seed=0)
    half = 1.96 * d.std(ddof=1) / math.sqrt(len(d))
    assert (res.upper - res.lower) / 2 == pytest.approx(half, rel=0.1)


def test_bootstrap_custom_statistic():
    a, b = _pair()
    med = inf.paired_block_bootstrap(a, b, lambda u, v: float(np.median(u - v)), block_size=2, n_boot=200)
    assert med.estimate == pytest.approx(float(np.median(a - b)))


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "match"),
    [
        (np.arange(20.0), np.arange(19.0), {}, "same length"),
        (np.r_[np.nan, np.arange(19.0)], np.arange(20.0) ** 2, {}, "NaN"),
        (np.arange(5.0), np.arange(5.0) ** 2, {}, "at least 10"),
        (np.arange(20.0), np.arange(20.0) + 1, {}, "zero variance"),
        (np.arange(20.0), np.arange(20.0) ** 2, {"block_size": 11}, "block_size"),
        (np.arange(20.0), np.arange(20.0) ** 2, {"block_size": 2.5, "kind": "moving"}, "integer block_size"),
        (np.arange(20.0), np.arange(20.0) ** 2, {"kind": "circular", "block_size": 2}, "kind"),
        (np.arange(20.0), np.arange(20.0) ** 2, {"n_boot": 10}, "n_boot"),
        (np.arange(20.0), np.arange(20.0) ** 2, {"level": 95}, "level"),
    ],
)
def test_bootstrap_rejects_bad_input(a, b, kwargs, match):
    with pytest.raises(ValueError, match=match):
        inf.paired_block_bootstrap(a, b, **kwargs)


# --------------------------------------------------------------------------- corrected t-tests
def test_nadeau_bengio_by_hand():
    # d = [.01, .03, .02, .04, .00]: mean .02, s^2 = .001/4 = .00025; J = 5, n_test/n_train = 10/90.
    # t^2 = .0004 / (.00025 (1/5 + 1/9)) = 1.6 * 45/14 = 36/7, so t = 6/sqrt(7) with 4 df.
    d = [0.01, 0.03, 0.02, 0.04, 0.00]
    res = inf.corrected_resampled_ttest(d, n_train=90, n_test=10)
    assert res.statistic == pytest.approx(6 / math.sqrt(7), rel=1e-12)
    assert res.df == 4 and res.n_splits == 5
    assert res.correction == pytest.approx(1 / 5 + 1 / 9)
    assert res.pvalue == pytest.approx(2 * stats.t.sf(6 / math.sqrt(7), 4), rel=1e-12)
    naive = stats.ttest_1samp(d, 0.0)  # the uncorrected test is overconfident
    assert naive.statistic == pytest.approx(2 * math.sqrt(2)) and naive.pvalue < res.pvalue


def test_repeated_cv_by_hand():
    # 2 repeats x 3 folds, d in units of 0.01: [[1, 2, 3], [2, 3, 4]]: mean 2.5, s^2 = 5.5/5 = 1.1;
    # k r = 6, n_test/n_train = 100/200: t^2 = 6.25 / (1.1 (1/6 + 1/2)) = 18.75/2.2, 5 df.
    d = np.array([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0]]) * 0.01
    res = inf.repeated_cv_ttest(d, n_train=200, n_test=100)
    assert res.statistic == pytest.approx(math.sqrt(18.75 / 2.2), rel=1e-12)
    assert res.df == 5 and res.mean_difference == pytest.approx(0.025)


@pytest.mark.parametrize(
    ("func", "d", "kwargs", "match"),
    [
        (inf.corrected_resampled_ttest, [0.1], {}, "at least 2"),
        (inf.corrected_resampled_ttest, [0.1, np.nan, 0.2], {}, "NaN"),
        (inf.corrected_resampled_ttest, [0.1, 0.1, 0.1], {}, "zero variance"),
        (inf.corrected_resampled_ttest, [0.1, 0.2], {"n_train": 0}, "n_train"),
        (inf.corrected_resampled_ttest, [0.1, 0.2], {"n_test": 2.5}, "n_test"),
        (inf.repeated_cv_ttest, [0.1, 0.2, 0.3], {}, "2-D"),
        (inf.repeated_cv_ttest, [[0.1], [0.2]], {}, "2 folds"),
    ],
)
def test_corrected_ttests_reject_bad_input(func, d, kwargs, match):
    sizes = {"n_train": 90, "n_test": 10} | kwargs
    with pytest.raises(ValueError, match=match):
        func(d, **sizes)


# --------------------------------------------------------------------------- many models
@pytest.fixture(scope="module")
def losses():
    rng = np.random.default_rng(42)
    e = rng.normal(size=500)
    return pd.DataFrame({
        "good": e**2,
        "also good": e**2 + 0.01 * rng.normal(size=500),
        "bad": (e + 0.7) ** 2,
        "worse": (e + 1.2) ** 2,
    })


def test_spa_finds_the_better_models_and_matches_arch(losses):
    res = inf.spa_test(losses, "worse", reps=500, seed=1)
    assert res.pvalue < 0.05
    assert set(res.better) == {"good", "also good", "bad"}
    direct = SPA(losses["worse"], losses.drop(columns="worse"), block_size=22, reps=500, seed=1)
    direct.compute()
    pd.testing.assert_series_equal(res.pvalues, direct.pvalues.astype(float))


def test_spa_does_not_reject_a_benchmark_nothing_beats(losses):
    res = inf.spa_test(losses[["good", "bad", "worse"]], "good", reps=500, seed=1)
    assert res.pvalue > 0.5 and res.better == []


def test_stepm_superior_models(losses):
    res = inf.stepm_test(losses, "bad", reps=500, seed=2)
    assert sorted(res.superior) == ["also good", "good"]
    assert res.not_superior == ["worse"]
    assert inf.stepm_test(losses[["good", "bad", "worse"]], "good", reps=500, seed=2).superior == []


def test_mcs_keeps_the_indistinguishable_best_and_matches_arch(losses):
    res = inf.model_confidence_set(losses, alpha=0.1, reps=500, seed=3)
    assert res.included == ["good", "also good"]
    assert res.excluded == ["bad", "worse"]
    assert list(res.pvalues.index) == list(losses.columns)
    direct = MCS(losses, size=0.1, reps=500, block_size=22, seed=3)
    direct.compute()
    np.testing.assert_allclose(res.pvalues.to_numpy(),
                               direct.pvalues["Pvalue"].reindex(losses.columns).to_numpy())


def test_many_model_wrappers_are_reproducible(losses):
    a = inf.model_confidence_set(losses, reps=200, seed=9)
    b = inf.model_confidence_set(losses, reps=200, seed=9)
    pd.testing.assert_series_equal(a.pvalues, b.pvalues)


def test_loss_table_validation(losses):
    with pytest.raises(ValueError, match="DataFrame"):
        inf.model_confidence_set(losses.to_numpy())
    with pytest.raises(ValueError, match="at least 2 model columns"):
        inf.model_confidence_set(losses[["good"]])
    with pytest.raises(ValueError, match="NaN.*bad"):
        inf.model_confidence_set(losses.assign(bad=np.r_[np.nan, losses["bad"].to_numpy()[1:]]))
    with pytest.raises(ValueError, match="at least 20 periods"):
        inf.model_confidence_set(losses.head(10))
    with pytest.raises(ValueError, match="'good' and 'copy' has zero variance"):
        inf.model_confidence_set(losses.assign(copy=losses["good"]))
    with pytest.raises(ValueError, match="benchmark 'HAR' is not a column"):
        inf.spa_test(losses, "HAR")
    with pytest.raises(ValueError, match="block_size"):
        inf.stepm_test(losses, "bad", block_size=0)
    with pytest.raises(ValueError, match="reps"):
        inf.spa_test(losses, "bad", reps=10)


def test_holm_by_hand():
    # sorted: .005*4 = .02, .01*3 = .03, .03*2 = .06, .04*1 = .04 -> running max .02, .03, .06, .06
    res = inf.holm({"w": 0.01, "x": 0.04, "y": 0.03, "z": 0.005}, alpha=0.05)
    assert res.table["adjusted"].to_dict() == pytest.approx({"w": 0.03, "x": 0.06, "y": 0.06, "z": 0.02})
    assert res.rejected == ["w", "z"]
    # a sequence is numbered from 0; .9 * 1 stays above .01 * 2, and .5 * 2 is capped at 1 by the running max
    assert inf.holm([0.01, 0.9]).table["adjusted"].tolist() == pytest.approx([0.02, 0.9])
    assert inf.holm([0.5, 0.9]).table["adjusted"].tolist() == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize(("p", "match"), [([], "empty"), ([0.1, np.nan], "NaN"), ([0.1, 1.2], r"\[0, 1\]")])
def test_holm_rejects_bad_input(p, match):
    with pytest.raises(ValueError, match=match):
        inf.holm(p)


# --------------------------------------------------------------------------- Sharpe ratios
def test_deflated_sharpe_ratio_paper_example():
    # Bailey & Lopez de Prado (2014), numerical example: annualised SR 2.5 over 5 years of daily
    # returns (T = 1250, 250 a year), skew -3, kurtosis 10, N = 100 trials with annualised
    # V[SR] = 1/2. The paper reports SR_0 = 0.1132 (per day) and DSR = 0.9004.
    sr0 = inf.expected_max_sharpe(100, 0.5 / 250)
    assert sr0 == pytest.approx(0.1132, abs=5e-5)
    dsr = inf.deflated_sharpe_ratio(2.5 / math.sqrt(250), 1250, n_trials=100, var_trials=0.5 / 250,
                                    skew=-3, kurtosis=10)
    assert dsr == pytest.approx(0.9004, abs=5e-5)


def test_probabilistic_sharpe_ratio_by_hand():
    # SR = 0.1, T = 101, normal returns: z = 0.1 * 10 / sqrt(1 + (3 - 1)/4 * 0.01) = 1 / sqrt(1.005)
    assert inf.probabilistic_sharpe_ratio(0.1, 101) == pytest.approx(stats.norm.cdf(1 / math.sqrt(1.005)))
    assert inf.probabilistic_sharpe_ratio(0.1, 101) == pytest.approx(0.84074, abs=1e-5)
    # negative skew and fat tails widen the Sharpe ratio's error: lower PSR
    fat_left_tail = inf.probabilistic_sharpe_ratio(0.1, 101, skew=-1, kurtosis=6)
    assert fat_left_tail < inf.probabilistic_sharpe_ratio(0.1, 101)
    assert inf.probabilistic_sharpe_ratio(0.1, 101, benchmark=0.1) == pytest.approx(0.5)


def test_more_trials_deflate_more():
    kw = {"var_trials": 0.001, "skew": 0.0, "kurtosis": 3.0}
    assert (inf.deflated_sharpe_ratio(0.1, 1000, n_trials=1000, **kw)
            < inf.deflated_sharpe_ratio(0.1, 1000, n_trials=10, **kw))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: inf.probabilistic_sharpe_ratio(0.1, 1), "n_obs"),
        (lambda: inf.probabilistic_sharpe_ratio(np.nan, 100), "sharpe"),
        (lambda: inf.probabilistic_sharpe_ratio(0.1, 100, kurtosis=0.0), "excess"),
        (lambda: inf.probabilistic_sharpe_ratio(3.0, 100, skew=1.0, kurtosis=1.0), "not positive"),
        (lambda: inf.expected_max_sharpe(1, 0.1), "n_trials"),
        (lambda: inf.expected_max_sharpe(10, 0.0), "var_trials"),
    ],
)
def test_sharpe_functions_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------- seeds
Y = np.array([1.0, 2.0, 3.0])
OFFSET = {0: 1.0, 1: -1.0, 2: 2.0, 3: -2.0}


def _toy_fit(seed):
    pred = Y + OFFSET[seed]
    return float(np.mean((pred - Y) ** 2)), pred


def test_over_seeds_summary_and_ensemble():
    res = inf.over_seeds(_toy_fit, [0, 1, 2, 3], score_predictions=lambda p: float(np.mean((p - Y) ** 2)))
    assert res.scores.tolist() == [1.0, 1.0, 4.0, 4.0]
    assert list(res.scores.index) == [0, 1, 2, 3]
    assert (res.mean, res.min, res.max, res.n) == (2.5, 1.0, 4.0, 4)
    assert res.std == pytest.approx(math.sqrt(3.0))  # deviations +-1.5, sum of squares 9, ddof 1
    assert res.ensemble_score == pytest.approx(0.0)  # the offsets cancel in the average
    assert res.summary()["ensemble"] == pytest.approx(0.0)


def test_over_seeds_scores_only():
    res = inf.over_seeds(lambda s: float(s) ** 2, range(3))
    assert res.scores.tolist() == [0.0, 1.0, 4.0] and res.ensemble_score is None
    assert "ensemble" not in res.summary()


@pytest.mark.parametrize(
    ("fit", "seeds", "kwargs", "match"),
    [
        (lambda s: 1.0, [0], {}, "at least 2 seeds"),
        (lambda s: 1.0, [0, 1, 0], {}, "distinct; repeated: \\[0\\]"),
        (lambda s: 1.0, [0, 1.5], {}, "integer"),
        (_toy_fit, [0, 1], {}, "score_predictions"),
        (lambda s: 1.0, [0, 1], {"score_predictions": np.mean}, "returns no predictions"),
        (lambda s: float("nan"), [0, 1], {}, "non-finite"),
        (lambda s: (1.0, np.zeros(s + 1)), [0, 1], {"score_predictions": np.mean}, "shape"),
    ],
)
def test_over_seeds_rejects_bad_input(fit, seeds, kwargs, match):
    with pytest.raises(ValueError, match=match):
        inf.over_seeds(fit, seeds, **kwargs)


# --------------------------------------------------------------------------- words
@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0004, "p < 0.001"), (0.001, "p = 0.001"), (0.003, "p = 0.003"), (0.0123, "p = 0.012"),
     (0.41, "p = 0.41"), (1.0, "p = 1")],
)
def test_format_pvalue(p, text):
    assert inf.format_pvalue(p) == text


def test_format_pvalue_does_not_round_across_alpha():
    assert inf.format_pvalue(0.0496) == "p = 0.05"
    assert inf.format_pvalue(0.0496, alpha=0.05) == "p = 0.0496"
    assert inf.format_pvalue(0.04996, alpha=0.05) == "p = 0.04996"


def test_verdict_branches_for_losses():
    assert inf.verdict((-0.2, 0.003), better="lower") == "significantly better than (p = 0.003)"
    assert inf.verdict((0.2, 0.01), better="lower") == "significantly worse than (p = 0.01)"
    assert inf.verdict((-0.2, 0.41), better="lower") == "indistinguishable from (p = 0.41)"
    assert inf.verdict((-0.2, 0.05), better="lower") == "indistinguishable from (p = 0.05)"  # p = alpha


def test_verdict_sign_convention_for_scores():
    assert inf.verdict((0.02, 0.003), better="higher") == "significantly better than (p = 0.003)"
    assert inf.verdict((-0.02, 0.003), better="higher") == "significantly worse than (p = 0.003)"


def test_verdict_on_real_results_with_names():
    rng = np.random.default_rng(0)
    e = rng.normal(size=500)
    lstm, har = e**2, (e + 0.5) ** 2
    assert inf.verdict(inf.dm_test(lstm, har), better="lower", names=("the LSTM", "HAR")) == (
        "the LSTM is significantly better than HAR (p < 0.001)")
    assert inf.verdict(inf.dm_test(har, lstm), better="lower", names=("HAR", "the LSTM")).startswith(
        "HAR is significantly worse than the LSTM")
    # the existing finbook.metrics result works too, and a stricter alpha changes the words
    old = metrics.diebold_mariano(LOSS_A, LOSS_B)  # statistic sqrt(3) with 5 df: p = 0.14
    assert inf.verdict(old, better="lower") == "indistinguishable from (p = 0.14)"
    assert inf.verdict(old, better="lower", alpha=0.2) == "significantly worse than (p = 0.14)"
    cv = inf.corrected_resampled_ttest([0.01, 0.03, 0.02, 0.04, 0.00], n_train=90, n_test=10)
    assert inf.verdict(cv, better="higher") == "indistinguishable from (p = 0.086)"


@pytest.mark.parametrize(
    ("result", "kwargs", "match"),
    [
        ((-0.1, 0.01), {"better": "smaller"}, "better must be"),
        ((-0.1, 0.01), {"better": "lower", "alpha": 5}, "alpha"),
        ((-0.1, 0.01), {"better": "lower", "names": ("A",)}, "names"),
        ((-0.1, 1.5), {"better": "lower"}, r"\[0, 1\]"),
        ((0.0, 0.01), {"better": "lower"}, "direction"),
        ("DM", {"better": "lower"}, "pvalue"),
    ],
)
def test_verdict_rejects_bad_input(result, kwargs, match):
    with pytest.raises(ValueError, match=match):
        inf.verdict(result, **kwargs)


@pytest.mark.parametrize("better", ["lower", "higher"])
@pytest.mark.parametrize("diff, p", [(-1.0, 0.01), (1.0, 0.01), (0.5, 0.4)])
def test_verdict_kind_reads_back_every_verdict(better, diff, p):
    words = inf.verdict((diff, p), better=better, names=("the LSTM", "HAR"))
    kind = inf.verdict_kind(words)
    assert kind in inf.VERDICT_KINDS
    assert words.startswith(f"the LSTM is {kind}")


@pytest.mark.parametrize("words, match", [
    ("the LSTM did well", "no verdict"),
    (None, "no verdict"),
    ("significantly better than A and significantly worse than B", "2 verdicts"),
])
def test_verdict_kind_rejects_text_without_one_verdict(words, match):
    with pytest.raises(ValueError, match=match):
        inf.verdict_kind(words)
