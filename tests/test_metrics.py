"""finbook.metrics against hand-computed and published values, and their error messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss as sk_log_loss

from finbook import metrics as m

Y = np.array([0, 0, 1, 1])
P = np.array([0.1, 0.4, 0.35, 0.8])


def test_ranking_metrics_on_the_textbook_example():
    # the example of scikit-learn's roc_auc_score documentation: AUC = 0.75
    assert m.roc_auc(Y, P) == pytest.approx(0.75)
    assert m.gini(Y, P) == pytest.approx(0.5)
    # KS: the event scores {0.35, 0.8} and non-event scores {0.1, 0.4}; largest CDF gap = 0.5
    assert m.ks_statistic(Y, P) == pytest.approx(0.5)
    # average precision: ranks 0.8 (hit), 0.4 (miss), 0.35 (hit) -> (1 + 2/3) / 2
    assert m.pr_auc(Y, P) == pytest.approx((1 + 2 / 3) / 2)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 5)), min_size=4, max_size=80))
def test_rank_auc_equals_scikit_learn_with_ties(pairs):
    from sklearn.metrics import roc_auc_score

    y = np.array([a for a, _ in pairs])
    s = np.array([b for _, b in pairs], dtype=float)  # few distinct values: many ties
    if y.min() == y.max():
        return
    assert m.roc_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_probability_scores_by_hand():
    assert m.brier_score(Y, P) == pytest.approx(np.mean([0.01, 0.16, 0.4225, 0.04]))
    assert m.log_loss(Y, P) == pytest.approx(sk_log_loss(Y, P))


def test_summary_has_the_standard_rows():
    s = m.classification_summary(Y, P)
    assert list(s.index) == ["ROC AUC", "Gini", "KS", "PR AUC", "Brier", "log loss", "base rate"]
    assert s["base rate"] == 0.5


@pytest.mark.parametrize(("y", "p", "match"), [
    ([0, 2, 1], [0.1, 0.2, 0.3], "only 0 and 1"),
    ([0, 1, 1], [0.1, 1.2, 0.3], r"probabilities in \[0, 1\], found \[1.2\]"),
    ([0, 1], [0.1, 0.2, 0.3], "same length, got 2 and 3"),
    ([0, 1, np.nan], [0.1, 0.2, 0.3], "NaN"),
])
def test_bad_inputs_get_clear_errors(y, p, match):
    with pytest.raises(ValueError, match=match):
        m.brier_score(y, p)


def test_ranking_needs_both_classes():
    with pytest.raises(ValueError, match="only one class"):
        m.roc_auc([1, 1, 1], [0.2, 0.3, 0.4])


def test_calibration_table_of_perfectly_calibrated_bins():
    y = np.array([0] * 9 + [1] + [0] * 5 + [1] * 5)
    p = np.array([0.1] * 10 + [0.5] * 10)
    table = m.calibration_table(y, p, bins=2, strategy="uniform")
    assert table["n"].tolist() == [10, 10]
    assert table["observed_rate"].tolist() == pytest.approx([0.1, 0.5])
    assert table["mean_predicted"].tolist() == pytest.approx([0.1, 0.5])


def test_bootstrap_interval_contains_estimate_and_narrows_with_data():
    rng = np.random.default_rng(1)
    p = rng.uniform(size=2000)
    y = (rng.uniform(size=2000) < p).astype(int)
    est, lo, hi = m.bootstrap_ci(m.roc_auc, y[:200], p[:200], n_boot=300)
    est2, lo2, hi2 = m.bootstrap_ci(m.roc_auc, y, p, n_boot=300)
    assert lo <= est <= hi and lo2 <= est2 <= hi2
    assert hi2 - lo2 < hi - lo


def test_paired_bootstrap_of_a_model_against_itself_is_zero_and_of_a_better_model_positive():
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.2).astype(int)
    good = np.clip(0.2 + 0.5 * y + rng.normal(0, 0.2, 400), 0, 1)
    noise = rng.random(400)
    assert m.paired_bootstrap_ci(m.roc_auc, y, good, good, n_boot=50) == (0.0, 0.0, 0.0)
    diff, lo, hi = m.paired_bootstrap_ci(m.roc_auc, y, good, noise, n_boot=200)
    assert lo <= diff <= hi and lo > 0.2
    with pytest.raises(ValueError, match="same length"):
        m.paired_bootstrap_ci(m.roc_auc, y, good, noise[:10])
    with pytest.raises(ValueError, match="level must be in"):
        m.paired_bootstrap_ci(m.roc_auc, y, good, noise, level=1.5)


def test_paired_bootstrap_test_p_values_by_hand_and_same_interval_as_the_ci():
    y = np.array([0, 1] * 10)
    perfect, inverse = np.where(y == 1, 0.9, 0.1), np.where(y == 1, 0.1, 0.9)
    # every replicate of AUC(perfect) - AUC(inverse) is +1: p = 2 (1 + 0) / (99 + 1) = 0.02
    r = m.paired_bootstrap_test(m.roc_auc, y, perfect, inverse, n_boot=99)
    assert (r.estimate, r.lower, r.upper, r.pvalue) == (1.0, 1.0, 1.0, 0.02)
    # a model against itself: every replicate is 0, so both tails count all of them: p = 1
    assert m.paired_bootstrap_test(m.roc_auc, y, perfect, perfect, n_boot=99).pvalue == 1.0
    # same resamples as paired_bootstrap_ci with the same seed, so the same interval
    rng = np.random.default_rng(1)
    yy = (rng.random(300) < 0.2).astype(int)
    a = np.clip(0.2 + 0.3 * yy + rng.normal(0, 0.3, 300), 0, 1)
    b = rng.random(300)
    t = m.paired_bootstrap_test(m.roc_auc, yy, a, b, n_boot=200, seed=3)
    assert (t.estimate, t.lower, t.upper) == m.paired_bootstrap_ci(m.roc_auc, yy, a, b, n_boot=200, seed=3)
    assert t.pvalue < 0.05
    # a sum metric (profit per loan): the difference of totals
    total = m.paired_bootstrap_test(lambda _y, v: float(np.sum(v)), y, np.ones(20), np.zeros(20), n_boot=99)
    assert total.estimate == 20.0 and total.pvalue == 0.02


def test_paired_bootstrap_test_rejects_bad_input():
    y = np.array([0, 1] * 10)
    a = np.linspace(0, 1, 20)
    with pytest.raises(ValueError, match="same length"):
        m.paired_bootstrap_test(m.roc_auc, y, a, a[:5])
    with pytest.raises(ValueError, match="level must be in"):
        m.paired_bootstrap_test(m.roc_auc, y, a, a, level=0)
    with pytest.raises(ValueError, match="n_boot"):
        m.paired_bootstrap_test(m.roc_auc, y, a, a, n_boot=10)
    with pytest.raises(ValueError, match="single class"):
        m.paired_bootstrap_test(m.roc_auc, np.zeros(20, dtype=int), a, a)
    with pytest.raises(ValueError):
        m.paired_bootstrap_test(m.roc_auc, np.full(20, 2), a, a)


def test_expected_cost_and_thresholds():
    assert m.expected_cost([1, 0, 0, 1], [0, 0, 1, 1], cost_fn=5, cost_fp=1) == 1.5
    assert m.bayes_threshold(cost_fn=5, cost_fp=1) == pytest.approx(1 / 6)
    # flag everyone: cost = share of goods * 1; flag no one: share of bads * 5
    y = np.array([1, 0, 0, 0, 0, 0])
    assert m.expected_cost(y, np.ones(6, int), cost_fn=5, cost_fp=1) == pytest.approx(5 / 6)
    assert m.expected_cost(y, np.zeros(6, int), cost_fn=5, cost_fp=1) == pytest.approx(5 / 6)


def test_cost_optimal_threshold_finds_the_separating_cut():
    y = np.array([0, 0, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.6, 0.9])
    threshold, cost = m.cost_optimal_threshold(y, p, cost_fn=5, cost_fp=1)
    assert cost == 0.0
    assert 0.3 < threshold <= 0.6


def test_qlike_is_zero_only_at_the_truth_and_asymmetric():
    assert m.qlike([2.0], [2.0])[0] == 0.0
    under, over = m.qlike([2.0], [1.0])[0], m.qlike([2.0], [4.0])[0]
    assert under > over > 0  # under-predicting variance by half costs more than doubling it
    assert under == pytest.approx(2 - np.log(2) - 1)
    with pytest.raises(ValueError, match="positive variances"):
        m.qlike([1.0, 0.0], [1.0, 1.0])


def test_oos_r2_reference_points():
    y = np.array([1.0, -1.0, 2.0])
    assert m.oos_r2(y, y) == 1.0
    assert m.oos_r2(y, np.zeros(3)) == 0.0
    assert m.oos_r2(y, np.full(3, 5.0)) < 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-10, 10, allow_nan=False), min_size=5, max_size=60),
       st.sampled_from([0.01, 0.1, 0.5, 0.9]))
def test_the_empirical_quantile_minimises_pinball_loss(values, alpha):
    y = np.array(values)
    q = float(np.quantile(y, alpha, method="inverted_cdf"))
    best = m.pinball_loss(y, np.full_like(y, q), alpha)
    for other in np.linspace(y.min() - 1, y.max() + 1, 25):
        assert best <= m.pinball_loss(y, np.full_like(y, other), alpha) + 1e-9


def test_diebold_mariano_by_hand_for_one_step():
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    b = np.array([2.0, 2.0, 5.0, 4.0, 8.0, 6.0])
    d = a - b  # [-1, 0, -2, 0, -3, 0]
    n = len(d)
    dm = d.mean() / np.sqrt(np.mean((d - d.mean()) ** 2) / n)
    hln = dm * np.sqrt((n + 1 - 2 + 0) / n)
    res = m.diebold_mariano(a, b, h=1)
    assert res.statistic == pytest.approx(hln)
    assert res.mean_difference == pytest.approx(-1.0)
    assert res.statistic < 0 and 0 < res.pvalue < 1


def test_diebold_mariano_rejects_identical_forecasts():
    with pytest.raises(ValueError, match="identical"):
        m.diebold_mariano([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])


def test_diebold_mariano_detects_a_real_difference():
    rng = np.random.default_rng(0)
    e = rng.normal(size=500)
    good, bad = e**2, (e + 0.5) ** 2
    assert m.diebold_mariano(good, bad).pvalue < 0.01
