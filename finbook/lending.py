"""Lending: risk-based loan pricing from a probability of default.

:func:`loan_rate` turns a probability of default, a loss given default and the
lender's costs into the break-even annual rate; :func:`basel_retail_capital` is
the Basel II capital requirement for "other retail" exposures; :func:`annualize_pd`
and :func:`risk_based_rate` chain them for a PD observed over a window;
:func:`amortizing_average_life` gives the average life of a level-payment loan;
:func:`out_of_fold_pd` fits a calibrated logistic-regression PD model and returns
cross-validated, out-of-fold probabilities. Rates are decimals per year.

Example
-------
>>> round(float(loan_rate(0.02, 0.9, funding_rate=0.03, operating_cost=0.01)), 6)
0.059184
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

# the array validators shared with the option formulas
from finbook.options import _as_float_array, _non_negative, _positive, _scalar_or_array

__all__ = [
    "amortizing_average_life",
    "annualize_pd",
    "basel_retail_capital",
    "loan_rate",
    "out_of_fold_pd",
    "risk_based_rate",
]


def annualize_pd(pd_window: Any, years: float) -> np.ndarray | float:
    """Convert a probability of default over ``years`` into a one-year probability.

    Assumes a constant default intensity over the window:
    1 - (1 - p)^(1 / years).

    Example
    -------
    >>> round(float(annualize_pd(0.19, 2.0)), 4)
    0.1
    """
    p = _as_float_array(pd_window, "pd_window")
    bad = (p < 0) | (p >= 1)
    if np.any(bad):
        raise ValueError(f"pd_window must be probabilities in [0, 1), got {float(p[bad][0])!r}")
    if not years > 0:
        raise ValueError(f"years must be positive, got {years!r}")
    return _scalar_or_array(-np.expm1(np.log1p(-p) / years))


def basel_retail_capital(pd_annual: Any, lgd: Any) -> np.ndarray | float:
    """Basel II IRB capital requirement K for "other retail" exposures, per unit exposure.

    Correlation R = 0.03 w + 0.16 (1 - w) with w = (1 - e^{-35 PD}) / (1 - e^{-35});
    K = LGD N[(G(PD) + sqrt(R) G(0.999)) / sqrt(1 - R)] - PD LGD (BCBS 2006,
    paragraph 330; no maturity adjustment for retail). The risk weight is
    12.5 K. PD is the one-year probability of default, floored at 0.03%.

    Example
    -------
    >>> round(float(basel_retail_capital(0.01, 0.45)) * 12.5, 4)  # Basel II Annex 5: 45.77%
    0.4577
    """
    p = _as_float_array(pd_annual, "pd_annual")
    loss = _as_float_array(lgd, "lgd")
    if np.any((p < 0) | (p >= 1)):
        raise ValueError(f"pd_annual must be in [0, 1), got {float(p[(p < 0) | (p >= 1)][0])!r}")
    if np.any((loss < 0) | (loss > 1)):
        raise ValueError(f"lgd must be in [0, 1], got {float(loss[(loss < 0) | (loss > 1)][0])!r}")
    p = np.maximum(p, 0.0003)
    w = -np.expm1(-35.0 * p) / -math.expm1(-35.0)
    r = 0.03 * w + 0.16 * (1.0 - w)
    g999 = special.ndtri(0.999)
    cond = special.ndtr((special.ndtri(p) + np.sqrt(r) * g999) / np.sqrt(1.0 - r))
    return _scalar_or_array(loss * cond - p * loss)


def loan_rate(
    pd_annual: Any,
    lgd: Any,
    *,
    funding_rate: Any,
    operating_cost: Any = 0.0,
    capital_ratio: Any = 0.0,
    hurdle_rate: float = 0.0,
) -> np.ndarray | float:
    """The break-even annual interest rate of a loan (decimal per year).

    One year of a loan of 1, funded by debt at ``funding_rate`` and by
    equity ``capital_ratio`` that must earn ``hurdle_rate``, costing
    ``operating_cost`` to run. With probability ``pd_annual`` the borrower
    defaults and the lender recovers 1 - ``lgd`` of the principal; otherwise
    she receives 1 + r. Setting expected receipts equal to costs gives

        r = (funding + capital_ratio (hurdle - funding) + operating_cost + PD LGD) / (1 - PD),

    which is, to first order, cost of funds + expected loss + operating cost
    + the extra return on capital.

    Example
    -------
    >>> round(float(loan_rate(0.02, 0.9, funding_rate=0.03, operating_cost=0.01)), 6)
    0.059184
    """
    p = _as_float_array(pd_annual, "pd_annual")
    if np.any((p < 0) | (p >= 1)):
        raise ValueError(f"pd_annual must be in [0, 1), got {float(p[(p < 0) | (p >= 1)][0])!r}")
    loss = _as_float_array(lgd, "lgd")
    if np.any((loss < 0) | (loss > 1)):
        raise ValueError(f"lgd must be in [0, 1], got {float(loss[(loss < 0) | (loss > 1)][0])!r}")
    k = _as_float_array(capital_ratio, "capital_ratio")
    if np.any((k < 0) | (k > 1)):
        raise ValueError(f"capital_ratio must be in [0, 1], got {float(k[(k < 0) | (k > 1)][0])!r}")
    f = _as_float_array(funding_rate, "funding_rate")
    o = _non_negative(operating_cost, "operating_cost", "a decimal per year")
    return _scalar_or_array((f + k * (hurdle_rate - f) + o + p * loss) / (1.0 - p))


def risk_based_rate(
    pd_window: Any,
    *,
    window_years: float,
    lgd: Any,
    funding_rate: Any,
    operating_cost: Any = 0.0,
    hurdle_rate: float = 0.0,
) -> np.ndarray | float:
    """The break-even annual rate for a default probability observed over a window.

    Chains the three steps of risk-based pricing: :func:`annualize_pd` turns
    the probability over ``window_years`` into a one-year PD, :func:`basel_retail_capital`
    gives the capital to hold against it (Basel II other retail), and
    :func:`loan_rate` the rate that covers funding, expected loss, operating
    cost and the hurdle return on that capital. Decimals per year.

    Example
    -------
    >>> round(float(risk_based_rate(0.05, window_years=1.0, lgd=0.9, funding_rate=0.02,
    ...                             operating_cost=0.01, hurdle_rate=0.12)), 4)
    0.0901
    """
    pd_annual = annualize_pd(pd_window, window_years)
    capital = basel_retail_capital(pd_annual, lgd)
    return loan_rate(pd_annual, lgd, funding_rate=funding_rate, operating_cost=operating_cost,
                     capital_ratio=capital, hurdle_rate=hurdle_rate)


def amortizing_average_life(annual_rate: Any, n_months: Any) -> np.ndarray | float:
    """Weighted-average life (years) of a level-payment loan repaid monthly.

    The average time at which principal comes back, weighted by the
    principal repaid: shorter than the term because a fully amortising loan
    repays some principal every month. ``annual_rate`` is the nominal rate
    (decimal, compounded monthly); use it to pick a matching funding rate.

    Example
    -------
    >>> round(float(amortizing_average_life(0.0, 12)), 4)  # equal principal: mean of 1..12 months
    0.5417
    """
    r = _non_negative(annual_rate, "annual_rate", "a decimal per year") / 12.0
    n_arr = _positive(n_months, "n_months", "months")
    r, n_arr = np.broadcast_arrays(r, n_arr)
    out = np.empty(r.shape, dtype=float)
    for idx in np.ndindex(r.shape):
        rate, n = float(r[idx]), int(round(float(n_arr[idx])))
        months = np.arange(1, n + 1)
        if rate == 0:
            principal = np.full(n, 1.0 / n)
        else:
            payment = rate / (1 - (1 + rate) ** -n)
            principal = payment * (1 + rate) ** (months - n - 1)
        out[idx] = float(np.sum(months * principal) / np.sum(principal)) / 12.0
    return _scalar_or_array(out)


def out_of_fold_pd(
    frame: pd.DataFrame,
    target: str,
    positive: str,
    *,
    exclude: Sequence[str] = (),
    n_splits: int = 5,
    seed: int = 0,
    C: float = 1.0,
) -> np.ndarray:
    """Out-of-fold probabilities of default from a logistic regression in a pipeline.

    Each row's probability comes from a model that never saw that row:
    stratified ``n_splits``-fold cross-validation of
    ``tabular_preprocessor -> LogisticRegression(C)``, the preprocessor (scaling,
    one-hot encoding) fitted inside each training fold. ``exclude`` names
    columns left out of the features besides the target (e.g. the lender's
    own grade and rate). Unweighted classes, so the probabilities are on the
    scale of the observed event rate (calibrated, not re-balanced).
    """
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.model_selection import StratifiedKFold, cross_val_predict  # noqa: PLC0415
    from sklearn.pipeline import make_pipeline  # noqa: PLC0415

    from finbook.features import binary_target, tabular_preprocessor  # noqa: PLC0415

    if target not in frame.columns:
        raise KeyError(f"target {target!r} is not a column; columns are {list(frame.columns)}")
    y = binary_target(frame[target], positive)
    features = frame.drop(columns=[target, *exclude])
    model = make_pipeline(tabular_preprocessor(features),
                          LogisticRegression(C=C, max_iter=5000))
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    # Small dense problems: one BLAS thread is faster (no thread hand-offs) and sums in a fixed order.
    from threadpoolctl import threadpool_limits  # noqa: PLC0415

    with threadpool_limits(limits=1, user_api="blas"):
        return cross_val_predict(model, features, y, cv=folds, method="predict_proba")[:, 1]
