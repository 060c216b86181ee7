"""Tests of finbook.lending: Basel II retail capital against published risk weights, the
break-even loan rate by hand, PD annualisation, average life and out-of-fold PDs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finbook import lending as P


@pytest.mark.parametrize(("pd_", "lgd", "published"), [
    # Basel II (BCBS 2006), Annex 5, illustrative risk weights, other retail exposures
    (0.0003, 0.45, 0.0445), (0.001, 0.45, 0.1116), (0.01, 0.45, 0.4577), (0.02, 0.45, 0.5799),
    (0.01, 0.85, 0.8646),
])
def test_basel_retail_capital_reproduces_published_risk_weights(pd_, lgd, published):
    assert round(12.5 * P.basel_retail_capital(pd_, lgd), 4) == published


def test_basel_retail_capital_properties_and_errors():
    assert P.basel_retail_capital(0.0, 0.45) == P.basel_retail_capital(0.0003, 0.45)  # PD floor
    k = P.basel_retail_capital(np.array([0.005, 0.02, 0.05]), 0.9)
    assert np.all(np.diff(k) > 0)
    with pytest.raises(ValueError, match="lgd must be in"):
        P.basel_retail_capital(0.01, 1.5)


def test_loan_rate_by_hand_and_properties():
    # (0.03 + 0.1 * (0.15 - 0.03) + 0.01 + 0.05 * 0.9) / (1 - 0.05) = 0.097 / 0.95
    r = P.loan_rate(0.05, 0.9, funding_rate=0.03, operating_cost=0.01, capital_ratio=0.1, hurdle_rate=0.15)
    assert r == pytest.approx(0.097 / 0.95)
    assert P.loan_rate(0.0, 0.9, funding_rate=0.03) == pytest.approx(0.03)
    rates = P.loan_rate(np.array([0.01, 0.05, 0.1]), 0.9, funding_rate=0.03)
    assert np.all(np.diff(rates) > 0)
    # the break-even condition holds: expected receipts = funding cost
    p, lgd, f = 0.08, 0.6, 0.04
    r = P.loan_rate(p, lgd, funding_rate=f)
    assert (1 - p) * (1 + r) + p * (1 - lgd) == pytest.approx(1 + f)
    with pytest.raises(ValueError, match="pd_annual must be in"):
        P.loan_rate(1.0, 0.5, funding_rate=0.03)
    with pytest.raises(ValueError, match="capital_ratio must be in"):
        P.loan_rate(0.1, 0.5, funding_rate=0.03, capital_ratio=2.0)


def test_annualize_pd():
    assert P.annualize_pd(0.19, 2.0) == pytest.approx(0.1)
    assert P.annualize_pd(0.1, 1.0) == pytest.approx(0.1)
    p = np.array([0.01, 0.2])
    np.testing.assert_allclose(1 - (1 - P.annualize_pd(p, 0.5)) ** 0.5, p)
    with pytest.raises(ValueError, match="years must be positive"):
        P.annualize_pd(0.1, 0.0)


def test_amortizing_average_life():
    assert P.amortizing_average_life(0.0, 12) == pytest.approx(6.5 / 12)
    assert P.amortizing_average_life(0.12, 1) == pytest.approx(1 / 12)
    # with interest, early payments are mostly interest: principal comes back later
    assert P.amortizing_average_life(0.15, 36) > P.amortizing_average_life(0.0, 36)
    assert P.amortizing_average_life(0.15, 60) > P.amortizing_average_life(0.15, 36)


def test_out_of_fold_pd_is_calibrated_and_discriminates():
    rng = np.random.default_rng(0)
    n = 4000
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    p_true = 1 / (1 + np.exp(-(-2.5 + 1.2 * x1 - 0.8 * x2)))
    y = np.where(rng.uniform(size=n) < p_true, "bad", "good")
    frame = pd.DataFrame({"x1": x1, "x2": x2, "noise": rng.normal(size=n), "grade": x1 * 0, "y": y})
    p = P.out_of_fold_pd(frame, "y", "bad", exclude=["grade"], seed=1)
    assert p.shape == (n,) and np.all((p > 0) & (p < 1))
    assert p.mean() == pytest.approx((y == "bad").mean(), abs=0.01)
    from finbook.metrics import roc_auc

    assert roc_auc((y == "bad").astype(int), p) > roc_auc((y == "bad").astype(int), p_true) - 0.02
    with pytest.raises(KeyError, match="target 'z'"):
        P.out_of_fold_pd(frame, "z", "bad")

def test_risk_based_rate_chains_the_steps():
    p_window, years, lgd = 0.12, 1.5, 0.8
    p1 = P.annualize_pd(p_window, years)
    k = P.basel_retail_capital(p1, lgd)
    expected = P.loan_rate(p1, lgd, funding_rate=0.02, operating_cost=0.01, capital_ratio=k, hurdle_rate=0.12)
    got = P.risk_based_rate(p_window, window_years=years, lgd=lgd, funding_rate=0.02, operating_cost=0.01,
                            hurdle_rate=0.12)
    assert got == pytest.approx(expected)
    rates = P.risk_based_rate(np.array([0.01, 0.05, 0.2]), window_years=1.0, lgd=0.9, funding_rate=0.02)
    assert np.all(np.diff(rates) > 0)
