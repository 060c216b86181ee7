"""finbook.credit against published and hand-computed values, properties, and its error messages."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finbook import credit as c
from finbook import metrics

# --------------------------------------------------------------------------- scoring


def test_undo_class_weighting_by_hand_and_as_the_inverse_of_weighting():
    # weighted odds 1 (p = 0.5) with events weighted 4x: true odds 1/4 -> p = 0.2
    assert c.undo_class_weighting([0.5], 4.0) == pytest.approx([0.2])
    p = np.array([0.01, 0.05, 0.3, 0.9])
    w = 17.0
    weighted = p * w / (p * w + 1 - p)  # odds multiplied by w
    assert c.undo_class_weighting(weighted, w) == pytest.approx(p)
    assert c.undo_class_weighting(p, 1.0) == pytest.approx(p)


def test_undo_class_weighting_recovers_a_logistic_model_fitted_without_weights():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    x = rng.normal(size=(20_000, 1))
    y = (rng.random(20_000) < 1 / (1 + np.exp(-(-3 + 1.0 * x[:, 0])))).astype(int)
    plain = LogisticRegression(C=1e6).fit(x, y).predict_proba(x)[:, 1]
    w = (y == 0).sum() / (y == 1).sum()
    weighted = LogisticRegression(C=1e6, class_weight={0: 1, 1: w}).fit(x, y).predict_proba(x)[:, 1]
    assert weighted.mean() > 3 * plain.mean()  # weighting inflates the probabilities
    assert c.undo_class_weighting(weighted, w) == pytest.approx(plain, abs=1e-3)


@pytest.mark.parametrize("w", [0.0, -1.0, math.inf])
def test_undo_class_weighting_rejects_bad_weights(w):
    with pytest.raises(ValueError, match="positive finite"):
        c.undo_class_weighting([0.5], w)


def test_undo_class_weighting_rejects_non_probabilities():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        c.undo_class_weighting([1.5], 2.0)


def test_prior_correction_scales_the_odds_by_the_ratio_of_prior_odds():
    # the sample's base rate maps onto the population's base rate
    assert c.prior_correction([0.3], sample_rate=0.3, population_rate=0.05) == pytest.approx([0.05])
    p = np.array([0.02, 0.3, 0.5, 0.9])
    q = c.prior_correction(p, sample_rate=0.3, population_rate=0.05)
    odds_ratio = (q / (1 - q)) / (p / (1 - p))
    assert odds_ratio == pytest.approx(np.full(4, (0.05 / 0.95) / (0.3 / 0.7)))
    assert (np.argsort(q) == np.argsort(p)).all()  # ranking unchanged
    assert c.prior_correction(p, 0.2, 0.2) == pytest.approx(p)


def test_prior_correction_recovers_population_probabilities_from_an_outcome_stratified_sample():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(5)
    x = rng.normal(size=(200_000, 1))
    p_true = 1 / (1 + np.exp(-(-3.2 + 1.0 * x[:, 0])))
    y = (rng.random(len(x)) < p_true).astype(int)
    bad, good = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    keep = np.concatenate([bad, rng.choice(good, size=len(bad) * 7 // 3, replace=False)])
    fitted = LogisticRegression(C=1e6).fit(x[keep], y[keep])  # 30% bad, as in German credit
    sample_rate, population_rate = y[keep].mean(), y.mean()
    grid = np.array([[-1.0], [0.0], [1.0], [2.0]])
    corrected = c.prior_correction(fitted.predict_proba(grid)[:, 1], sample_rate, population_rate)
    assert corrected == pytest.approx(1 / (1 + np.exp(-(-3.2 + grid[:, 0]))), rel=0.1)


@pytest.mark.parametrize("rate", [0.0, 1.0, -0.1, 5, "5%", True])
def test_prior_correction_rejects_rates_outside_0_1(rate):
    with pytest.raises(ValueError, match="population_rate must be a number strictly between 0 and 1"):
        c.prior_correction([0.5], sample_rate=0.3, population_rate=rate)


# --------------------------------------------------------------------------- embeddings
def test_embedding_encoder_codes_unseen_categories_as_zero_and_scales_on_training_rows():
    train = pd.DataFrame({"state": ["CA", "NY", "CA", "TX"], "income": [1.0, 2.0, 3.0, 4.0]})
    enc = c.EmbeddingEncoder(["state"], ["income"]).fit(train)
    assert enc.cardinalities_ == {"state": 3}
    out = enc.transform(pd.DataFrame({"state": ["TX", "WA"], "income": [2.5, 4.0]}))
    assert out.dtype == np.float32
    assert out[:, 0].tolist() == [3.0, 0.0]  # CA=1, NY=2, TX=3; WA unseen -> 0
    sd = np.std([1.0, 2.0, 3.0, 4.0])
    assert out[:, 1] == pytest.approx([0.0, 1.5 / sd])


def test_embedding_encoder_errors():
    frame = pd.DataFrame({"a": ["x"], "b": [1.0]})
    with pytest.raises(RuntimeError, match="not fitted"):
        c.EmbeddingEncoder(["a"], ["b"]).transform(frame)
    with pytest.raises(KeyError, match=r"\['zzz'\]"):
        c.EmbeddingEncoder(["zzz"], ["b"]).fit(frame)
    with pytest.raises(ValueError, match="at least one"):
        c.EmbeddingEncoder([], []).fit(frame)


def test_log1p_columns():
    out = c.log1p_columns(pd.DataFrame({"m": [0.0, math.e - 1], "k": [5, 6]}), ["m"])
    assert out["m"].tolist() == pytest.approx([0.0, 1.0]) and out["k"].tolist() == [5, 6]
    with pytest.raises(ValueError, match="negative values"):
        c.log1p_columns(pd.DataFrame({"m": [-1.0]}), ["m"])


# --------------------------------------------------------------------------- money
def _schedule(principal, annual_rate_pct, term_months):
    """Month-by-month amortisation table, the slow way: (opening balance, interest) per month."""
    r = annual_rate_pct / 1200
    payment = principal * r / (1 - (1 + r) ** -term_months) if r > 0 else principal / term_months
    balance, rows = principal, []
    for _ in range(term_months):
        interest = balance * r
        rows.append((balance, interest))
        balance = balance + interest - payment
    return rows


def test_amortized_interest_by_hand():
    # 10,000 at 12% a year over 36 months: payment 332.1431 a month (1% monthly rate)
    payment = 10_000 * 0.01 / (1 - 1.01**-36)
    assert c.amortized_interest(10_000, 12.0, 36) == pytest.approx(36 * payment - 10_000)
    assert c.amortized_interest(10_000, 0.0, 36) == pytest.approx(0.0)
    # first month: 1% of the full balance; first two months: 1% of 10,000 and of what is left
    assert c.amortized_interest(10_000, 12.0, 36, months=1) == pytest.approx(100.0)
    assert c.amortized_interest(10_000, 12.0, 36, months=2) == pytest.approx(
        100.0 + 0.01 * (10_000 + 100.0 - payment))
    # months past the term count as the whole term
    assert c.amortized_interest(10_000, 12.0, 36, months=99) == pytest.approx(36 * payment - 10_000)


@pytest.mark.parametrize(("rate", "term", "months"), [(13.99, 36, 12), (24.5, 60, 12), (6.0, 60, 60)])
def test_amortized_interest_and_margin_match_a_month_by_month_schedule(rate, term, months):
    rows = _schedule(15_000, rate, term)[:months]
    interest = sum(i for _, i in rows)
    funding = sum(b * 2.0 / 1200 for b, _ in rows)
    assert c.amortized_interest(15_000, rate, term, months=months) == pytest.approx(interest)
    assert c.loan_margin(15_000, rate, term, funding_rate_pct=2.0, months=months) == pytest.approx(
        interest - funding)


def test_loan_margin_rises_with_the_rate_and_errors():
    m = c.loan_margin([10_000, 10_000], [8.0, 20.0], [36, 36], funding_rate_pct=2.0, months=12)
    assert m[1] > m[0] > 0
    assert c.loan_margin(10_000, 12.0, 36, funding_rate_pct=0.0) == pytest.approx(
        c.amortized_interest(10_000, 12.0, 36))
    with pytest.raises(ValueError, match="funding_rate_pct must be non-negative"):
        c.loan_margin(1.0, 5.0, 36, funding_rate_pct=-1.0)
    with pytest.raises(ValueError, match="term_months must be positive"):
        c.amortized_interest(1.0, 5.0, 0)
    with pytest.raises(ValueError, match=r"annual_rate_pct must be non-negative, got \[-5.0\]"):
        c.amortized_interest(1.0, -5.0, 36)


def test_expected_profit_and_break_even():
    assert c.expected_profit([0.1, 0.5], 100.0, 400.0).tolist() == pytest.approx([50.0, -150.0])
    # at p = gain / (gain + loss) the expected profit is zero
    assert c.expected_profit([0.2], 100.0, 400.0) == pytest.approx([0.0])
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        c.expected_profit([-0.1], 1.0, 1.0)
    with pytest.raises(ValueError, match="loss must be non-negative"):
        c.expected_profit([0.1], 1.0, -1.0)


def test_profit_curve_on_a_tiny_hand_example():
    # four applicants ranked by p; the third defaults. Accept when p < cutoff.
    y = [0, 0, 1, 0]
    p = [0.1, 0.2, 0.3, 0.4]
    curve = c.profit_curve(y, p, gain=10.0, loss=50.0)
    assert curve["cutoff"].tolist() == [0.1, 0.2, 0.3, 0.4, np.inf]
    assert curve["profit"].tolist() == [0.0, 10.0, 20.0, -30.0, -20.0]
    assert curve["accepted"].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert curve["defaults_accepted"].tolist() == [0, 0, 0, 1, 1]
    assert curve["profit_per_loan"].tolist() == [0.0, 2.5, 5.0, -7.5, -5.0]
    assert c.best_cutoff(y, p, gain=10.0, loss=50.0) == (0.3, 20.0)


def test_profit_curve_with_per_loan_amounts_and_given_cutoffs():
    curve = c.profit_curve([0, 1, 0], [0.3, 0.1, 0.2], gain=[1.0, 2.0, 3.0], loss=[7.0, 8.0, 9.0],
                           cutoffs=[0.15, 0.5, 0.0])
    # cutoffs sorted: 0 accepts nobody; 0.15 accepts the defaulter (-8); 0.5 accepts all (-8 + 3 + 1)
    assert curve["cutoff"].tolist() == [0.0, 0.15, 0.5]
    assert curve["profit"].tolist() == [0.0, -8.0, -4.0]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=1, max_size=30))
def test_profit_curve_matches_a_direct_count(cases):
    y = np.array([int(b) for b, _ in cases])
    p = np.array([q for _, q in cases])
    curve = c.profit_curve(y, p, gain=2.0, loss=5.0)
    for cut, profit in zip(curve["cutoff"], curve["profit"], strict=True):
        accepted = p < cut
        assert profit == pytest.approx(2.0 * np.sum(accepted & (y == 0)) - 5.0 * np.sum(accepted & (y == 1)))


def test_decision_profit_by_hand():
    out = c.decision_profit([0, 1, 0, 1], [1, 1, 0, 0], gain=[10.0, 20.0, 30.0, 40.0],
                            loss=[50.0, 60.0, 70.0, 80.0])
    assert out["profit"] == pytest.approx(10.0 - 60.0)
    assert out["profit_per_loan"] == pytest.approx(-50.0 / 4)
    assert out["accepted"] == 0.5
    assert (out["defaults_accepted"], out["defaults_declined"]) == (1, 1)
    with pytest.raises(ValueError, match="accept must contain only 0 and 1"):
        c.decision_profit([0, 1], [0, 2], 1.0, 1.0)


def test_model_scorecard_columns_and_values():
    rng = np.random.default_rng(5)
    y = (rng.random(300) < 0.2).astype(int)
    p = np.clip(0.2 + 0.3 * y + rng.normal(0, 0.15, 300), 0.01, 0.99)
    card = c.model_scorecard(y, {"good": p, "coin": np.full(300, 0.2)}, n_boot=100)
    assert card.columns.tolist() == ["ROC AUC", "AUC low", "AUC high", "PR AUC", "Brier", "log loss"]
    assert card.loc["good", "ROC AUC"] == pytest.approx(metrics.roc_auc(y, p))
    assert card.loc["good", "AUC low"] < card.loc["good", "ROC AUC"] < card.loc["good", "AUC high"]
    assert card.loc["coin", "ROC AUC"] == 0.5
    assert card.loc["coin", "Brier"] == pytest.approx(np.mean((0.2 - y) ** 2))


def test_profit_curve_errors():
    with pytest.raises(ValueError, match="only 0 and 1"):
        c.profit_curve([0, 3], [0.1, 0.2], 1.0, 1.0)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\], found \[1.5\]"):
        c.profit_curve([0, 1], [0.1, 1.5], 1.0, 1.0)
    with pytest.raises(ValueError, match="same length"):
        c.profit_curve([0, 1], [0.1], 1.0, 1.0)
    with pytest.raises(ValueError, match="gain must be non-negative"):
        c.profit_curve([0, 1], [0.1, 0.2], -1.0, 1.0)


# --------------------------------------------------------------------------- reason codes
def test_reason_codes_on_a_two_feature_hand_example():
    # log-odds = 2 * income_gap - 1 * savings ; reference applicant at (0, 0)
    coef = [2.0, -1.0]
    x = [[1.0, 1.0],    # +2 from income_gap, -1 from savings -> only income_gap is a reason
         [-1.0, -3.0],  # -2 from income_gap, +3 from savings -> only savings
         [1.0, -0.5],   # +2 and +0.5 -> income_gap first, then savings
         [-1.0, 2.0]]   # both lower the risk -> no reasons
    contrib = c.linear_contributions(coef, x, [0.0, 0.0], ["income_gap", "savings"])
    assert contrib.to_numpy().tolist() == [[2.0, -1.0], [-2.0, 3.0], [2.0, 0.5], [-2.0, -2.0]]
    codes = c.reason_codes(contrib, top=2)
    assert codes.columns.tolist() == ["reason 1", "reason 2"]
    assert codes.values.tolist() == [["income_gap", None], ["savings", None],
                                     ["income_gap", "savings"], [None, None]]


def test_linear_contributions_add_up_to_the_log_odds_gap_and_group_one_hot_columns():
    coef = np.array([0.5, 1.0, -1.0, 2.0])
    x = np.array([[1.0, 0.0, 1.0, 0.3], [0.0, 1.0, 0.0, -0.2]])
    ref = np.array([0.5, 0.5, 0.5, 0.0])
    names = ["state_CA", "state_NY", "state_TX", "income"]
    grouped = c.linear_contributions(coef, x, ref, names, groups=["state", "state", "state", "income"])
    assert grouped.columns.tolist() == ["state", "income"]
    assert grouped.sum(axis=1).to_numpy() == pytest.approx((x - ref) @ coef)
    assert grouped["state"].tolist() == pytest.approx([0.25 - 0.5 - 0.5, -0.25 + 0.5 + 0.5])


def test_feature_groups_of_the_book_preprocessor():
    from finbook.features import tabular_preprocessor

    frame = pd.DataFrame({"income": [1.0, 2.0, 3.0], "state": pd.Categorical(["CA", "NY", "TX"]),
                          "term": pd.Categorical(["36", "60", "36"])})
    prep = tabular_preprocessor(frame).fit(frame)
    groups = c.feature_groups(prep)
    assert groups == ["income", "state", "state", "state", "term", "term"]
    assert len(groups) == prep.transform(frame).shape[1]
    with pytest.raises(TypeError, match="fitted ColumnTransformer"):
        c.feature_groups(tabular_preprocessor(frame))


def test_reason_code_errors():
    with pytest.raises(ValueError, match="same length"):
        c.linear_contributions([1.0], [[1.0, 2.0]], [0.0], ["a"])
    with pytest.raises(ValueError, match="one entry per feature"):
        c.linear_contributions([1.0], [[1.0]], [0.0], ["a"], groups=["a", "b"])
    with pytest.raises(ValueError, match="top must be a positive integer"):
        c.reason_codes(pd.DataFrame({"a": [1.0]}), top=0)
    with pytest.raises(TypeError, match="DataFrame"):
        c.reason_codes(np.array([[1.0]]))


# --------------------------------------------------------------------------- Merton
def test_equity_value_is_the_black_scholes_call_of_hulls_example():
    # Hull, Options, Futures and Other Derivatives: S=42, K=40, r=10%, sigma=20%, T=0.5 -> c = 4.76
    assert c.merton_equity_value(42.0, 40.0, 0.2, 0.1, 0.5) == pytest.approx(4.7594, abs=1e-4)


def test_equity_value_by_hand():
    v, d, s, r, t = 100.0, 80.0, 0.25, 0.05, 1.0
    d1 = (math.log(v / d) + (r + s * s / 2) * t) / (s * math.sqrt(t))
    d2 = d1 - s * math.sqrt(t)
    n = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    assert c.merton_equity_value(v, d, s, r, t) == pytest.approx(v * n(d1) - d * math.exp(-r * t) * n(d2))


def test_equity_value_agrees_with_quantlib():
    ql = pytest.importorskip("QuantLib")
    today = ql.Date(2, 1, 2020)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()
    for v, d, s, r in [(120.0, 100.0, 0.3, 0.03), (60.0, 100.0, 0.5, 0.01), (300.0, 50.0, 0.15, 0.05)]:
        maturity = today + 365
        t = dc.yearFraction(today, maturity)
        process = ql.BlackScholesProcess(
            ql.QuoteHandle(ql.SimpleQuote(v)),
            ql.YieldTermStructureHandle(ql.FlatForward(today, r, dc)),
            ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), s, dc)))
        option = ql.VanillaOption(ql.PlainVanillaPayoff(ql.Option.Call, d), ql.EuropeanExercise(maturity))
        option.setPricingEngine(ql.AnalyticEuropeanEngine(process))
        assert c.merton_equity_value(v, d, s, r, t) == pytest.approx(option.NPV(), rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(1.0, 500.0), st.floats(1.0, 500.0), st.floats(0.02, 1.0), st.floats(0.0, 0.1),
       st.floats(0.1, 10.0))
def test_equity_bounds_and_debt_below_the_riskless_value(v, d, s, r, t):
    e = c.merton_equity_value(v, d, s, r, t)
    assert max(0.0, v - d * math.exp(-r * t)) - 1e-9 <= e <= v + 1e-9
    spread = c.merton_credit_spread(v, d, s, r, t)
    assert spread >= -1e-9  # risky debt never yields less than the risk-free rate
    assert c.merton_equity_volatility(v, d, s, r, t) >= s * (1 - 1e-9)


# The example of MATLAB's mertonmodel documentation (Risk Management Toolbox): five firms,
# one-year horizon, r = 5%; published asset values (x 1e7), distances to default and PDs.
MATLAB_FIRMS = [
    # equity, equity vol, liability, drift, A / 1e7, DD, PD
    (2.6406e7, 0.7103, 4.0e7, 0.0306, 6.4210, 1.5237, 0.0638),
    (2.6817e7, 0.3929, 3.5e7, 0.0300, 6.0109, 3.1679, 0.0008),
    (3.9770e7, 0.3121, 3.5e7, 0.0310, 7.3063, 4.4298, 0.0000),
    (2.9470e7, 0.4595, 3.2e7, 0.0302, 5.9906, 2.7916, 0.0026),
    (2.5280e7, 0.6181, 4.0e7, 0.0305, 6.3231, 1.8196, 0.0344),
]


@pytest.mark.parametrize(("equity", "equity_vol", "debt", "drift", "assets", "dd", "pd_"), MATLAB_FIRMS)
def test_solve_merton_reproduces_the_published_matlab_example(equity, equity_vol, debt, drift,
                                                              assets, dd, pd_):
    sol = c.solve_merton(equity, equity_vol, debt, 0.05, 1.0)
    assert sol.asset_value / 1e7 == pytest.approx(assets, abs=1e-4)
    got_dd = c.distance_to_default(sol.asset_value, debt, sol.asset_vol, drift=drift, maturity=1.0)
    assert got_dd == pytest.approx(dd, abs=1e-4)
    got_pd = c.probability_of_default(sol.asset_value, debt, sol.asset_vol, drift=drift, maturity=1.0)
    assert got_pd == pytest.approx(pd_, abs=1e-4)


def test_solve_merton_on_hulls_example_and_round_trip():
    # Hull: E = 3, sigma_E = 80%, D = 10, r = 5%, T = 1 -> V = 12.40, sigma_V = 21.23%, PD = 12.7%
    sol = c.solve_merton(3.0, 0.80, 10.0, 0.05, 1.0)
    assert sol.asset_value == pytest.approx(12.40, abs=0.005)
    assert sol.asset_vol == pytest.approx(0.2123, abs=5e-5)
    assert c.probability_of_default(sol.asset_value, 10.0, sol.asset_vol, drift=0.05,
                                    maturity=1.0) == pytest.approx(0.127, abs=5e-4)
    assert sol.equity_value == pytest.approx(3.0, rel=1e-10)
    assert sol.equity_vol == pytest.approx(0.80, rel=1e-10)


@settings(max_examples=40, deadline=None)
@given(st.floats(5.0, 200.0), st.floats(0.05, 0.8), st.floats(0.0, 0.08), st.floats(0.25, 5.0))
def test_solve_merton_inverts_the_forward_model(v, s, r, t):
    d = 100.0
    e = c.merton_equity_value(v, d, s, r, t)
    se = c.merton_equity_volatility(v, d, s, r, t)
    if e < 1e-6 * v:  # equity worthless to machine precision: not invertible
        return
    sol = c.solve_merton(e, se, d, r, t)
    assert sol.asset_value == pytest.approx(v, rel=1e-6)
    assert sol.asset_vol == pytest.approx(s, rel=1e-5)


def test_distance_to_default_and_pd_by_hand_and_monotone():
    dd = c.distance_to_default(100.0, 80.0, 0.25, drift=0.05, maturity=1.0)
    assert dd == pytest.approx((math.log(1.25) + 0.05 - 0.03125) / 0.25)
    pd_ = c.probability_of_default(100.0, 80.0, 0.25, drift=0.05, maturity=1.0)
    assert pd_ == pytest.approx(0.5 * math.erfc(dd / math.sqrt(2)))
    # more debt or more asset risk -> higher PD; a higher drift -> lower PD
    pds = c.probability_of_default(100.0, np.array([40.0, 60.0, 80.0]), 0.25, drift=0.05, maturity=1.0)
    assert np.all(np.diff(pds) > 0)
    assert c.probability_of_default(100.0, 60.0, 0.4, drift=0.05, maturity=1.0) > c.probability_of_default(
        100.0, 60.0, 0.2, drift=0.05, maturity=1.0)
    assert c.probability_of_default(100.0, 80.0, 0.25, drift=0.10, maturity=1.0) < pd_


def test_credit_spread_by_hand():
    v, d, s, r, t = 100.0, 80.0, 0.25, 0.05, 1.0
    debt = v - c.merton_equity_value(v, d, s, r, t)
    assert c.merton_credit_spread(v, d, s, r, t) == pytest.approx(-math.log(debt / d) / t - r)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"asset_value": -1.0}, r"asset_value must be positive, got \[-1.0\]"),
    ({"asset_value": 0.0}, "asset_value must be positive"),
    ({"asset_vol": -0.2}, r"asset_vol must be positive, got \[-0.2\]"),
    ({"debt_face": 0.0}, "debt_face must be positive"),
    ({"maturity": 0.0}, "maturity must be positive"),
    ({"asset_value": np.nan}, "asset_value contains NaN"),
])
def test_merton_functions_reject_bad_inputs(kwargs, match):
    args = {"asset_value": 100.0, "debt_face": 80.0, "asset_vol": 0.25, "maturity": 1.0} | kwargs
    with pytest.raises(ValueError, match=match):
        c.merton_equity_value(args["asset_value"], args["debt_face"], args["asset_vol"], 0.05,
                              args["maturity"])
    with pytest.raises(ValueError, match=match):
        c.probability_of_default(args["asset_value"], args["debt_face"], args["asset_vol"],
                                 drift=0.05, maturity=args["maturity"])


@pytest.mark.parametrize(("args", "match"), [
    ((-3.0, 0.8, 10.0, 0.05, 1.0), r"equity_value must be positive, got \[-3.0\]"),
    ((3.0, -0.8, 10.0, 0.05, 1.0), r"equity_vol must be positive, got \[-0.8\]"),
    ((3.0, 0.8, 0.0, 0.05, 1.0), "debt_face must be positive"),
    ((3.0, 0.8, 10.0, np.nan, 1.0), "rate must be a finite number"),
])
def test_solve_merton_rejects_bad_inputs(args, match):
    with pytest.raises(ValueError, match=match):
        c.solve_merton(*args)


def test_naive_distance_to_default_by_hand():
    # Bharath & Shumway (2008): s_D = 0.05 + 0.25 s_E = 0.1625; s_V = 0.4 * 0.45 + 0.6 * 0.1625 = 0.2775
    dd = c.naive_distance_to_default(4.0, 6.0, 0.45, 0.07)
    assert dd == pytest.approx((math.log(10.0 / 6.0) + 0.07 - 0.5 * 0.2775**2) / 0.2775, rel=1e-12)
    assert round(dd, 6) == 1.954315
    # two years: drift and variance scale with T, the denominator with sqrt(T)
    dd2 = c.naive_distance_to_default(4.0, 6.0, 0.45, 0.07, maturity=2.0)
    expected = (math.log(10.0 / 6.0) + 2 * (0.07 - 0.5 * 0.2775**2)) / (0.2775 * math.sqrt(2))
    assert dd2 == pytest.approx(expected)
    # broadcasts; more debt or more volatility -> closer to default, a better past year -> farther
    dds = c.naive_distance_to_default(4.0, np.array([2.0, 6.0, 12.0]), 0.45, 0.07)
    assert dds.shape == (3,) and np.all(np.diff(dds) < 0)
    assert c.naive_distance_to_default(4.0, 6.0, 0.60, 0.07) < dd
    assert c.naive_distance_to_default(4.0, 6.0, 0.45, 0.20) > dd


@pytest.mark.parametrize(("args", "match"), [
    ((0.0, 6.0, 0.45, 0.07), "equity_value must be positive"),
    ((4.0, -6.0, 0.45, 0.07), r"debt_face must be positive, got \[-6.0\]"),
    ((4.0, 6.0, 0.0, 0.07), "equity_vol must be positive"),
    ((4.0, 6.0, 0.45, np.nan), "past_return must be finite"),
    ((4.0, 6.0, 0.45, np.inf), "past_return must be finite"),
])
def test_naive_distance_to_default_rejects_bad_inputs(args, match):
    with pytest.raises(ValueError, match=match):
        c.naive_distance_to_default(*args)
    with pytest.raises(ValueError, match="maturity must be positive"):
        c.naive_distance_to_default(4.0, 6.0, 0.45, 0.07, maturity=0.0)


def test_reliability_diagram_draws_one_line_per_model_and_the_diagonal():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y = np.array([0, 0, 1, 1] * 10)
    p = np.array([0.1, 0.2, 0.7, 0.8] * 10)
    ax = c.reliability_diagram({"a": (y, p), "b": (y, 1 - p)}, bins=2)
    assert len(ax.lines) == 3
    plt.close(ax.figure)


def test_every_lending_club_predictor_has_a_plain_language_reason():
    from finbook import data

    predictors = [col for col in data.lending_club().columns if col != "Class"]
    assert sorted(c.LENDING_CLUB_REASONS) == sorted(predictors)


# --------------------------------------------------------------------------- credit cycles
def test_recession_months_counts_peak_exclusive_trough_inclusive():
    idx = pd.date_range("2007-01-01", "2010-12-01", freq="MS")
    mask = c.recession_months(idx)
    assert mask.sum() == 18  # January 2008 to June 2009
    assert idx[mask][0] == pd.Timestamp("2008-01-01") and idx[mask][-1] == pd.Timestamp("2009-06-01")
    with pytest.raises(TypeError, match="DatetimeIndex"):
        c.recession_months(pd.Index([1, 2]))
    with pytest.raises(ValueError, match="trough must follow its peak"):
        c.recession_months(idx, [("2009-06", "2008-01")])


def test_episode_maxima_finds_the_peak_inside_each_window():
    idx = pd.date_range("2000-01-01", "2010-12-01", freq="MS")
    s = pd.Series(1.0, index=idx)
    s["2002-10-01"] = 3.0  # 11 months after the 2001 trough: inside a 12-month tail
    s["2008-12-01"] = 4.0
    s["2005-06-01"] = 9.0  # an expansion: must not be picked up
    table = c.episode_maxima(s, [("2001-03", "2001-11"), ("2007-12", "2009-06"), ("1929-08", "1933-03")])
    assert table["peak"].tolist() == ["2001-03", "2007-12"]  # no data for 1929: skipped
    assert table["max value"].tolist() == [3.0, 4.0]
    assert table["max date"].tolist() == [pd.Timestamp("2002-10-01"), pd.Timestamp("2008-12-01")]
    assert c.episode_maxima(s, [("2001-03", "2001-11")], months_after=6)["max value"].tolist() == [1.0]
    with pytest.raises(ValueError, match="must be >= 0"):
        c.episode_maxima(s, months_before=-1)


def test_lending_club_value_text():
    assert c.lending_club_value_text("emp_length", "emp_6") == "6 years"
    assert c.lending_club_value_text("emp_length", "emp_1") == "1 year"
    assert c.lending_club_value_text("emp_length", "emp_ge_10") == "10 years or more"
    assert c.lending_club_value_text("term", "term_60") == "60 months"
    assert c.lending_club_value_text("annual_inc", 120000.0) == "120,000"
    assert c.lending_club_value_text("revol_util", 67.4) == "67.4"
    assert c.lending_club_value_text("inq_fi", np.int64(12)) == "12"
    assert c.lending_club_value_text("verification_status", "Source_Verified") == "Source Verified"
    with pytest.raises(KeyError, match="not a Lending Club predictor"):
        c.lending_club_value_text("fico", 700)
