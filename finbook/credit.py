"""Credit risk: default models, decisions priced in money, reasons for a decline, Merton's model.

The tools of the default-prediction chapters, in six groups:

* **Scoring and evaluation.** :func:`model_scorecard` (AUC with bootstrap
  interval, PR AUC, Brier score, log loss; the paired interval of a difference
  between two models is :func:`finbook.metrics.paired_bootstrap_ci`),
  :func:`undo_class_weighting` (turn probabilities learnt with re-weighted or
  re-sampled classes back into probabilities), :func:`prior_correction` (from a
  sample's event rate to a population's), :func:`reliability_diagram`.
* **Inputs for entity embeddings.** :class:`EmbeddingEncoder` turns a table into
  integer codes plus standardised numbers, the layout of the network of Guo &
  Berkhahn (2016) that chapter 10 teaches (``finbook.lessons.embedding_network``);
  :func:`log1p_columns` tames skewed money amounts.
* **Money.** :func:`amortized_interest`, :func:`loan_margin`,
  :func:`expected_profit`, :func:`profit_curve`, :func:`best_cutoff`,
  :func:`decision_profit`: what a lending decision earns or loses under stated
  assumptions.
* **Adverse-action reasons.** :func:`linear_contributions`, :func:`feature_groups`
  and :func:`reason_codes`: the factors that pushed an applicant's predicted
  default probability up, relative to a reference applicant;
  :data:`LENDING_CLUB_REASONS` and :func:`lending_club_value_text` word them.
* **Merton (1974).** :func:`merton_equity_value`, :func:`merton_equity_volatility`,
  :func:`solve_merton`, :func:`distance_to_default`, :func:`probability_of_default`,
  :func:`merton_credit_spread`: equity as a call option on the firm's assets;
  :func:`naive_distance_to_default`: Bharath & Shumway's (2008) shortcut.
* **Credit cycles.** :func:`recession_months`, with the dates of
  :data:`finbook.data.NBER_RECESSIONS`,
  :func:`episode_maxima`: when recessions happened and how high a series rose
  around each.

Conventions: ``y`` is 0/1 with 1 = default; ``p`` a predicted probability of
default; money in the currency of the inputs (US dollars for Lending Club);
rates and volatilities as decimal fractions per year (0.05 = 5%) unless a
name says ``_pct``; maturities in years.

Example
-------
>>> round(probability_of_default(100.0, 80.0, 0.25, drift=0.05, maturity=1.0), 4)
0.1666
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import StandardScaler

from finbook.data import NBER_RECESSIONS
from finbook.metrics import calibration_table, check_binary, check_probabilities

__all__ = [
    "LENDING_CLUB_REASONS",
    "EmbeddingEncoder",
    "MertonSolution",
    "amortized_interest",
    "best_cutoff",
    "decision_profit",
    "distance_to_default",
    "episode_maxima",
    "expected_profit",
    "feature_groups",
    "lending_club_value_text",
    "linear_contributions",
    "loan_margin",
    "log1p_columns",
    "merton_credit_spread",
    "merton_equity_value",
    "merton_equity_volatility",
    "model_scorecard",
    "naive_distance_to_default",
    "prior_correction",
    "probability_of_default",
    "profit_curve",
    "reason_codes",
    "recession_months",
    "reliability_diagram",
    "solve_merton",
    "undo_class_weighting",
]


# --------------------------------------------------------------------------- validation
def _positive(value: Any, name: str, *, allow_zero: bool = False) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; expected {'non-negative' if allow_zero else 'positive'} "
                         f"numbers, got {value!r}")
    bad = arr < 0 if allow_zero else arr <= 0
    if bad.any():
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be {kind}, got {np.atleast_1d(arr)[np.atleast_1d(bad)][:5].tolist()}")
    return arr


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if np.ndim(x) == 0 else x


# --------------------------------------------------------------------------- scoring
def model_scorecard(
    y: object, forecasts: Mapping[str, object], *, n_boot: int = 1000, level: float = 0.95, seed: int = 0,
) -> pd.DataFrame:
    """Ranking and calibration of several probability forecasts of the same cases, one row per model.

    Columns: ``ROC AUC`` with its percentile bootstrap interval (``AUC low``,
    ``AUC high``, from :func:`finbook.metrics.bootstrap_ci` with
    :func:`finbook.metrics.roc_auc`), ``PR AUC``, ``Brier`` and ``log loss``. Every model is
    bootstrapped with the same seed, hence on the same resamples.

    Example
    -------
    >>> y = np.array([0, 0, 1, 1] * 5); p = np.array([0.1, 0.4, 0.35, 0.8] * 5)
    >>> float(model_scorecard(y, {"m": p}, n_boot=50).loc["m", "ROC AUC"])
    0.75
    """
    from finbook import metrics  # noqa: PLC0415

    rows = {}
    for name, p in forecasts.items():
        est, lo, hi = metrics.bootstrap_ci(metrics.roc_auc, y, p, n_boot=n_boot, level=level, seed=seed)
        rows[name] = {"ROC AUC": est, "AUC low": lo, "AUC high": hi, "PR AUC": metrics.pr_auc(y, p),
                      "Brier": metrics.brier_score(y, p), "log loss": metrics.log_loss(y, p)}
    return pd.DataFrame.from_dict(rows, orient="index")


def undo_class_weighting(p: object, positive_weight: float) -> np.ndarray:
    """Map probabilities learnt with re-weighted classes back to the original base rate.

    Training with the events weighted ``w`` times the non-events (class weights,
    or over-sampling the events ``w``-fold, or keeping only a fraction ``1/w``
    of the non-events) multiplies the odds the model learns by ``w``. Dividing
    the odds by ``w`` undoes it (the *prior correction* of King & Zeng 2001):
    ``p = p_w / (p_w + w (1 - p_w))``. Ranking is unchanged; calibration is
    restored, to the extent that the weighted model was calibrated for the
    weighted data.

    Example
    -------
    >>> undo_class_weighting([0.5], positive_weight=4.0).tolist()
    [0.2]
    """
    pw = check_probabilities(p)
    w = float(positive_weight)
    if not w > 0 or math.isinf(w):
        raise ValueError(f"positive_weight must be a positive finite number, got {positive_weight!r}")
    return pw / (pw + w * (1.0 - pw))


def prior_correction(p: object, sample_rate: float, population_rate: float) -> np.ndarray:
    """Move probabilities fitted on a sample with one event rate to a population with another.

    A model fitted on a sample whose event rate ``sample_rate`` was set by the
    design (bad credits over-represented, say) learns the sample's odds. For
    the population, whose event rate is ``population_rate``, scale the odds by
    ``(pi_pop / (1 - pi_pop)) / (pi_sample / (1 - pi_sample))``. This assumes
    that within each class the sample is representative (sampling depended
    only on the outcome). Ranking is unchanged; only the level moves.

    Example
    -------
    >>> prior_correction([0.3], sample_rate=0.3, population_rate=0.05).round(4).tolist()
    [0.05]
    """
    rates = {"sample_rate": sample_rate, "population_rate": population_rate}
    for name, rate in rates.items():
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < 1:
            raise ValueError(f"{name} must be a number strictly between 0 and 1 (a rate such as "
                             f"0.05 for 5%), got {rate!r}")
    odds_factor = (sample_rate / (1 - sample_rate)) / (population_rate / (1 - population_rate))
    return undo_class_weighting(p, odds_factor)


def reliability_diagram(
    forecasts: Mapping[str, tuple[object, object]],
    *,
    bins: int = 10,
    ax: Any = None,
    max_probability: float | None = None,
) -> Any:
    """Plot observed default rates against predicted probabilities, one line per model.

    ``forecasts`` maps a label to ``(y, p)``. Cases are grouped into ``bins``
    bins of equal size by predicted probability (:func:`finbook.metrics.calibration_table`);
    a calibrated model's points lie on the diagonal. ``max_probability`` caps
    both axes (useful when every prediction is small). Returns the axes.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415

    if ax is None:
        _, ax = plt.subplots()
    top = 0.0
    for label, (y, p) in forecasts.items():
        table = calibration_table(y, p, bins=bins)
        ax.plot(table["mean_predicted"], table["observed_rate"], marker="o", markersize=4, label=label)
        top = max(top, float(table["mean_predicted"].max()), float(table["observed_rate"].max()))
    top = max_probability if max_probability is not None else min(1.0, top * 1.05)
    ax.plot([0, top], [0, top], color="0.5", linestyle=":", linewidth=1, label="perfect calibration")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted probability of default (bin mean)")
    ax.set_ylabel("observed default rate in the bin")
    ax.legend()
    return ax


# --------------------------------------------------------------------------- entity embeddings
def log1p_columns(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return a copy of ``frame`` with ``log(1 + x)`` applied to ``columns`` (skewed money amounts).

    Raises if a column is missing or holds negative values.

    Example
    -------
    >>> log1p_columns(pd.DataFrame({"income": [0.0, np.e - 1]}), ["income"])["income"].tolist()
    [0.0, 1.0]
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the frame (it has {list(frame.columns)})")
    out = frame.copy()
    for col in columns:
        values = out[col].astype(float)
        if (values < 0).any():
            raise ValueError(f"column {col!r} has negative values (min {values.min()}); log1p expects >= 0")
        out[col] = np.log1p(values)
    return out


class EmbeddingEncoder(TransformerMixin, BaseEstimator):
    """Encode a table for ``finbook.lessons.embedding_network`` (chapter 10): codes, then numbers.

    ``fit`` learns, from the training rows only, the categories of each column
    in ``categorical`` (coded 1, 2, ... in sorted order; 0 is kept for a category
    never seen in training) and the mean and standard deviation of each column
    in ``numeric``. ``transform`` returns a float32 array whose first
    ``len(categorical)`` columns are the codes and whose remaining columns are
    the standardised numbers, the layout ``finbook.lessons.embedding_network`` expects.

    Example
    -------
    >>> frame = pd.DataFrame({"state": ["CA", "NY", "CA"], "income": [1.0, 2.0, 3.0]})
    >>> enc = EmbeddingEncoder(["state"], ["income"]).fit(frame)
    >>> enc.cardinalities_
    {'state': 2}
    >>> enc.transform(pd.DataFrame({"state": ["NY", "TX"], "income": [2.0, 2.0]})).tolist()
    [[2.0, 0.0], [0.0, 0.0]]
    """

    def __init__(self, categorical: Sequence[str] = (), numeric: Sequence[str] = ()) -> None:
        self.categorical = categorical
        self.numeric = numeric

    def _check_columns(self, frame: pd.DataFrame) -> None:
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
        missing = [c for c in [*self.categorical, *self.numeric] if c not in frame.columns]
        if missing:
            raise KeyError(f"columns {missing} are not in the frame (it has {list(frame.columns)})")

    def fit(self, frame: pd.DataFrame, y: object = None) -> EmbeddingEncoder:
        self._check_columns(frame)
        if not list(self.categorical) and not list(self.numeric):
            raise ValueError("EmbeddingEncoder needs at least one categorical or numeric column")
        self.categories_ = {c: sorted(pd.Series(frame[c]).dropna().astype(str).unique())
                            for c in self.categorical}
        self.cardinalities_ = {c: len(v) for c, v in self.categories_.items()}
        self.scaler_ = StandardScaler().fit(frame[list(self.numeric)]) if self.numeric else None
        return self

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "categories_"):
            raise RuntimeError("EmbeddingEncoder is not fitted; call fit on the training rows first")
        self._check_columns(frame)
        parts = []
        for col in self.categorical:
            lookup = {cat: i + 1 for i, cat in enumerate(self.categories_[col])}
            codes = pd.Series(frame[col]).astype(str).map(lookup).fillna(0).to_numpy(dtype=float)
            parts.append(codes[:, None])
        if self.scaler_ is not None:
            parts.append(self.scaler_.transform(frame[list(self.numeric)]))
        return np.hstack(parts).astype("float32")


# --------------------------------------------------------------------------- money
def amortized_interest(
    principal: object, annual_rate_pct: object, term_months: object, months: object = None
) -> np.ndarray:
    """Interest paid over the first ``months`` payments of a fully amortising loan (all by default).

    Equal monthly payments ``A = P r / (1 - (1 + r)^-n)`` with monthly rate
    ``r = annual_rate_pct / 1200`` and ``n = term_months``. After ``h`` payments
    the balance is ``B_h = P (1 + r)^h - A ((1 + r)^h - 1) / r``, and the interest
    paid so far is ``h A - (P - B_h)``; ``months`` beyond the term count as the
    whole term. A zero rate gives zero interest. Money in the principal's
    currency.

    Example
    -------
    >>> round(float(amortized_interest(10_000, 12.0, 36)), 2)
    1957.15
    >>> round(float(amortized_interest(10_000, 12.0, 36, months=1)), 2)  # one month at 1%
    100.0
    """
    p = _positive(principal, "principal", allow_zero=True)
    rate = _positive(annual_rate_pct, "annual_rate_pct", allow_zero=True)
    n = _positive(term_months, "term_months")
    h = n if months is None else np.minimum(_positive(months, "months"), n)
    r = rate / 1200.0
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (1.0 + r) ** h
        payment = np.where(r > 0, p * r / (1.0 - (1.0 + r) ** (-n)), p / n)
        balance = np.where(r > 0, p * growth - payment * (growth - 1.0) / np.where(r > 0, r, 1.0),
                           p * (1.0 - h / n))
    return np.asarray(np.where(r > 0, h * payment - (p - balance), 0.0), dtype=float)


def loan_margin(
    principal: object, annual_rate_pct: object, term_months: object, *, funding_rate_pct: float,
    months: object = None,
) -> np.ndarray:
    """What a lender earns on a loan that keeps paying: interest received minus the cost of funding it.

    Over the first ``months`` payments (the whole term by default) the borrower
    pays interest ``r B_k`` on each month's outstanding balance ``B_k``
    (:func:`amortized_interest`); the lender pays ``f B_k`` to fund that balance,
    with ``f = funding_rate_pct / 1200``. The margin is therefore the interest
    times ``(1 - f / r)``. Assumes no prepayment, no fees and no discounting: a
    stated simplification, not an accounting of profit.

    Example
    -------
    >>> round(float(loan_margin(10_000, 12.0, 36, funding_rate_pct=3.0)), 2)
    1467.86
    >>> round(float(loan_margin(10_000, 12.0, 36, funding_rate_pct=3.0, months=1)), 2)
    75.0
    """
    if funding_rate_pct < 0:
        raise ValueError(f"funding_rate_pct must be non-negative, got {funding_rate_pct}")
    rate = _positive(annual_rate_pct, "annual_rate_pct", allow_zero=True)
    interest = amortized_interest(principal, rate, term_months, months)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(rate > 0, 1.0 - funding_rate_pct / np.where(rate > 0, rate, 1.0), 0.0)
    if np.any((rate == 0) & (funding_rate_pct > 0)):
        raise ValueError("loan_margin needs positive loan rates when funding costs are positive "
                         f"(a zero-rate loan's funding cost is not modelled), got {annual_rate_pct!r}")
    return np.asarray(interest * share, dtype=float)


def expected_profit(p: object, gain: object, loss: object) -> np.ndarray:
    """Expected profit of accepting each loan: ``(1 - p) * gain - p * loss``.

    ``gain`` is what a repaid loan earns, ``loss`` what a defaulted one loses
    (a positive number, e.g. loss given default x principal). Accepting is
    worthwhile when this is positive, i.e. when ``p < gain / (gain + loss)``,
    the loan's break-even probability of default; the rule needs calibrated ``p``.

    Example
    -------
    >>> expected_profit([0.1, 0.5], [100.0, 100.0], [400.0, 400.0]).tolist()
    [50.0, -150.0]
    """
    pp = check_probabilities(p)
    g = _positive(gain, "gain", allow_zero=True)
    ls = _positive(loss, "loss", allow_zero=True)
    return (1.0 - pp) * g - pp * ls


def profit_curve(
    y: object, p: object, gain: object, loss: object, cutoffs: object | None = None
) -> pd.DataFrame:
    """Realised profit of the rule "accept when p < cutoff" for every cutoff.

    ``gain`` (earned on each repaid loan) and ``loss`` (lost on each defaulted
    loan, positive) are per-loan amounts or scalars. By default the cutoffs are
    every distinct predicted value plus ``inf`` (accept everyone); the smallest
    accepts nobody. Returns one row per cutoff: ``cutoff``, ``accepted`` (share
    of applicants), ``defaults_accepted`` (number), ``profit`` (total) and
    ``profit_per_loan`` (total / number of applicants).

    Example
    -------
    >>> curve = profit_curve([0, 1, 0], [0.1, 0.2, 0.3], gain=10.0, loss=50.0)
    >>> curve["profit"].tolist()
    [0.0, 10.0, -40.0, -30.0]
    """
    yy = check_binary(y)
    pp = check_probabilities(p)
    if len(yy) != len(pp):
        raise ValueError(f"y and p must have the same length, got {len(yy)} and {len(pp)}")
    g = np.broadcast_to(_positive(gain, "gain", allow_zero=True), yy.shape).astype(float)
    ls = np.broadcast_to(_positive(loss, "loss", allow_zero=True), yy.shape).astype(float)
    value = np.where(yy == 1, -ls, g)  # what each loan contributes if accepted
    if cutoffs is None:
        cuts = np.concatenate([np.unique(pp), [np.inf]])
    else:
        cuts = np.sort(np.asarray(cutoffs, dtype=float).reshape(-1))
        if np.isnan(cuts).any():
            raise ValueError("cutoffs contain NaN")
    order = np.argsort(pp, kind="mergesort")
    sorted_p = pp[order]
    cum_value = np.concatenate([[0.0], np.cumsum(value[order])])
    cum_bad = np.concatenate([[0], np.cumsum(yy[order])])
    k = np.searchsorted(sorted_p, cuts, side="left")  # number of loans with p < cutoff
    n = len(yy)
    return pd.DataFrame({
        "cutoff": cuts,
        "accepted": k / n,
        "defaults_accepted": cum_bad[k],
        "profit": cum_value[k],
        "profit_per_loan": cum_value[k] / n,
    })


def best_cutoff(y: object, p: object, gain: object, loss: object) -> tuple[float, float]:
    """The cutoff with the highest realised profit on (y, p), and that profit (total).

    Choose it on training or validation data and apply it to the test data;
    chosen on the test data it flatters the model. Ties go to the lowest cutoff.

    Example
    -------
    >>> best_cutoff([0, 0, 1, 0], [0.1, 0.2, 0.3, 0.4], gain=10.0, loss=50.0)
    (0.3, 20.0)
    """
    curve = profit_curve(y, p, gain, loss)
    i = int(np.argmax(curve["profit"].to_numpy()))
    return float(curve["cutoff"].iloc[i]), float(curve["profit"].iloc[i])


def decision_profit(y: object, accept: object, gain: object, loss: object) -> pd.Series:
    """Outcome in money of a set of accept/decline decisions.

    ``accept`` is 1 (or True) for each loan granted. A granted loan that is
    repaid earns ``gain``, a granted loan that defaults loses ``loss``; a
    declined one contributes nothing. Returns ``accepted`` (share),
    ``defaults_accepted`` and ``defaults_declined`` (numbers), ``profit``
    (total) and ``profit_per_loan`` (per applicant).

    Example
    -------
    >>> float(decision_profit([0, 1, 0], [1, 1, 0], gain=10.0, loss=50.0)["profit"])
    -40.0
    """
    yy = check_binary(y)
    acc = check_binary(np.asarray(accept, dtype=float), "accept")
    if len(yy) != len(acc):
        raise ValueError(f"y and accept must have the same length, got {len(yy)} and {len(acc)}")
    g = np.broadcast_to(_positive(gain, "gain", allow_zero=True), yy.shape)
    ls = np.broadcast_to(_positive(loss, "loss", allow_zero=True), yy.shape)
    value = np.where(acc == 1, np.where(yy == 1, -ls, g), 0.0)
    return pd.Series({
        "accepted": float(acc.mean()),
        "defaults_accepted": int(np.sum((acc == 1) & (yy == 1))),
        "defaults_declined": int(np.sum((acc == 0) & (yy == 1))),
        "profit": float(value.sum()),
        "profit_per_loan": float(value.sum() / len(yy)),
    })


# --------------------------------------------------------------------------- reason codes
#: Plain-language reason for each Lending Club predictor (``finbook.data.lending_club``), as a
#: decline letter would state it.
LENDING_CLUB_REASONS: dict[str, str] = {
    "sub_grade": "credit grade", "int_rate": "interest rate offered", "term": "loan term",
    "addr_state": "state of residence", "verification_status": "income verification",
    "annual_inc": "income", "emp_length": "length of employment", "funded_amnt": "loan amount",
    "delinq_2yrs": "delinquencies in the last 2 years",
    "inq_last_6mths": "credit inquiries in the last 6 months",
    "inq_last_12m": "credit inquiries in the last 12 months",
    "inq_fi": "personal-finance inquiries", "revol_util": "revolving credit utilisation",
    "all_util": "utilisation of all credit lines", "acc_now_delinq": "accounts now delinquent",
    "delinq_amnt": "amount past due", "open_il_6m": "instalment accounts currently open",
    "open_il_12m": "instalment accounts opened in the last 12 months",
    "open_il_24m": "instalment accounts opened in the last 24 months",
    "total_bal_il": "balance of instalment accounts", "num_il_tl": "number of instalment accounts",
    "total_il_high_credit_limit": "credit limit of instalment accounts",
}


def lending_club_value_text(column: str, value: object) -> str:
    """An applicant's value of a Lending Club predictor, written as a decline letter would.

    Employment-length and term codes become words; whole numbers get thousands separators.

    Example
    -------
    >>> lending_club_value_text("emp_length", "emp_6"), lending_club_value_text("annual_inc", 120000.0)
    ('6 years', '120,000')
    """
    if column not in LENDING_CLUB_REASONS:
        raise KeyError(f"{column!r} is not a Lending Club predictor; "
                       f"expected one of {sorted(LENDING_CLUB_REASONS)}")
    if column == "emp_length":
        special_codes = {"emp_lt_1": "less than 1 year", "emp_ge_10": "10 years or more",
                         "emp_unk": "not reported", "emp_1": "1 year"}
        return special_codes.get(str(value), str(value).removeprefix("emp_") + " years")
    if column == "term":
        return str(value).removeprefix("term_") + " months"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return f"{float(value):,.0f}"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return str(value).replace("_", " ")


def linear_contributions(
    coef: object,
    x: object,
    reference: object,
    feature_names: Sequence[str],
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Each feature's push on the log-odds of default, relative to a reference applicant.

    For a model that is linear in its (transformed) inputs, the log-odds of
    applicant *i* minus those of the reference is ``sum_j coef_j (x_ij - ref_j)``;
    term *j* is feature *j*'s contribution. ``groups`` (same length as
    ``feature_names``) adds up the terms of columns that come from one original
    variable, such as the one-hot columns of a categorical. Returns an
    applicants x features (or groups) frame; a positive value raises the
    probability of default.

    Example
    -------
    >>> linear_contributions([2.0, -1.0], [[1.0, 1.0]], [0.0, 0.0], ["a", "b"]).to_dict("records")
    [{'a': 2.0, 'b': -1.0}]
    """
    b = np.asarray(coef, dtype=float).reshape(-1)
    xx = np.atleast_2d(np.asarray(x, dtype=float))
    ref = np.asarray(reference, dtype=float).reshape(-1)
    names = list(feature_names)
    if not (len(b) == xx.shape[1] == len(ref) == len(names)):
        raise ValueError(f"coef ({len(b)}), the columns of x ({xx.shape[1]}), reference ({len(ref)}) "
                         f"and feature_names ({len(names)}) must have the same length")
    terms = pd.DataFrame((xx - ref) * b, columns=names)
    if groups is None:
        return terms
    groups = list(groups)
    if len(groups) != len(names):
        raise ValueError(f"groups must have one entry per feature ({len(names)}), got {len(groups)}")
    order = list(dict.fromkeys(groups))
    return terms.T.groupby(groups, sort=False).sum().T[order]


def feature_groups(preprocessor: Any) -> list[str]:
    """For each output column of a fitted ColumnTransformer, the input column it came from.

    Works with :func:`finbook.features.tabular_preprocessor` (scaled numeric
    columns, then one-hot categorical columns): a numeric column maps to
    itself, each one-hot column to its categorical variable. Pass the result as
    ``groups`` to :func:`linear_contributions`.

    Example
    -------
    >>> from finbook.features import tabular_preprocessor
    >>> frame = pd.DataFrame({"x": [1.0, 2.0], "c": pd.Categorical(["a", "b"])})
    >>> feature_groups(tabular_preprocessor(frame).fit(frame))
    ['x', 'c', 'c']
    """
    if not hasattr(preprocessor, "transformers_"):
        raise TypeError("feature_groups needs a fitted ColumnTransformer (call fit first), got "
                        f"{type(preprocessor).__name__}")
    groups: list[str] = []
    for _name, transformer, columns in preprocessor.transformers_:
        if transformer == "drop" or len(columns) == 0:
            continue
        if hasattr(transformer, "categories_"):
            for col, cats in zip(columns, transformer.categories_, strict=True):
                groups += [col] * len(cats)
        elif transformer == "passthrough" or hasattr(transformer, "transform"):
            groups += list(columns)
    return groups


def reason_codes(contributions: pd.DataFrame, top: int = 4) -> pd.DataFrame:
    """The ``top`` features that raised each applicant's default risk the most, largest first.

    Only positive contributions are reasons (a factor that lowered the risk is
    not a reason for a decline); missing places are ``None``. US lenders give
    the principal reasons for an adverse action under ECOA / Regulation B
    (12 CFR 1002.9); four is the customary maximum.

    Example
    -------
    >>> c = pd.DataFrame({"a": [2.0, -2.0], "b": [-1.0, 3.0], "c": [0.5, 1.0]})
    >>> reason_codes(c, top=2).values.tolist()
    [['a', 'c'], ['b', 'c']]
    """
    if not isinstance(contributions, pd.DataFrame):
        raise TypeError(f"contributions must be a DataFrame, got {type(contributions).__name__}")
    if not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"top must be a positive integer, got {top!r}")
    names = np.asarray(contributions.columns, dtype=object)
    values = contributions.to_numpy(dtype=float)
    order = np.argsort(-values, axis=1, kind="mergesort")
    rows = []
    for i in range(len(values)):
        picked = [names[j] for j in order[i, :top] if values[i, j] > 0]
        rows.append(picked + [None] * (top - len(picked)))
    return pd.DataFrame(np.array(rows, dtype=object).reshape(len(rows), top), index=contributions.index,
                        columns=[f"reason {k}" for k in range(1, top + 1)], dtype=object)


# --------------------------------------------------------------------------- Merton (1974)
def _merton_inputs(asset_value, debt_face, asset_vol, maturity):
    v = _positive(asset_value, "asset_value")
    d = _positive(debt_face, "debt_face")
    s = _positive(asset_vol, "asset_vol")
    t = _positive(maturity, "maturity")
    return v, d, s, t


def _d1_d2(v, d, s, r, t):
    sq = s * np.sqrt(t)
    d1 = (np.log(v / d) + (r + 0.5 * s * s) * t) / sq
    return d1, d1 - sq


def merton_equity_value(
    asset_value: object, debt_face: object, asset_vol: object, rate: object, maturity: object
) -> float | np.ndarray:
    """Equity as a European call on the firm's assets (Merton 1974): the Black-Scholes price.

    ``E = V N(d1) - D exp(-r T) N(d2)``, ``d1 = [ln(V/D) + (r + s^2/2) T] / (s sqrt T)``,
    ``d2 = d1 - s sqrt T``, with asset value ``V`` and debt face value ``D``
    (same currency), asset volatility ``s`` and risk-free rate ``r`` (decimal,
    per year, continuously compounded) and the debt's maturity ``T`` (years).
    Broadcasts over arrays.

    Example
    -------
    >>> round(merton_equity_value(42.0, 40.0, 0.2, 0.1, 0.5), 2)  # Hull's call example
    4.76
    """
    v, d, s, t = _merton_inputs(asset_value, debt_face, asset_vol, maturity)
    r = np.asarray(rate, dtype=float)
    d1, d2 = _d1_d2(v, d, s, r, t)
    return _scalar_or_array(v * special.ndtr(d1) - d * np.exp(-r * t) * special.ndtr(d2))


def merton_equity_volatility(
    asset_value: object, debt_face: object, asset_vol: object, rate: object, maturity: object
) -> float | np.ndarray:
    """The equity volatility the Merton model implies: ``s_E = N(d1) s V / E`` (decimal per year).

    Equity is a levered claim on the assets, so its volatility exceeds the
    assets' (``N(d1) V / E >= 1``); equity worth zero to machine precision gives ``inf``.

    Example
    -------
    >>> round(merton_equity_volatility(100.0, 50.0, 0.2, 0.05, 1.0), 4)
    0.3814
    """
    v, d, s, t = _merton_inputs(asset_value, debt_face, asset_vol, maturity)
    r = np.asarray(rate, dtype=float)
    d1, _ = _d1_d2(v, d, s, r, t)
    e = np.asarray(merton_equity_value(v, d, s, r, t))
    with np.errstate(divide="ignore", invalid="ignore"):  # worthless equity: infinitely volatile
        out = np.where(e > 0, special.ndtr(d1) * s * v / np.where(e > 0, e, 1.0), np.inf)
    return _scalar_or_array(out)


@dataclass(frozen=True)
class MertonSolution:
    """Asset value and volatility implied by equity data, with the equity they reproduce."""

    asset_value: float
    asset_vol: float
    equity_value: float
    equity_vol: float


def solve_merton(
    equity_value: float, equity_vol: float, debt_face: float, rate: float, maturity: float,
    *, xtol: float = 1e-12,
) -> MertonSolution:
    """Asset value ``V`` and asset volatility ``s`` implied by the equity's value and volatility.

    Solves the two Merton equations ``E = C(V, s)`` (:func:`merton_equity_value`)
    and ``s_E E = N(d1) s V`` (:func:`merton_equity_volatility`) for ``V`` and
    ``s``. For a given ``s`` the first has exactly one root ``V`` in
    ``[E, E + D exp(-rT)]`` (a call is worth between its intrinsic value and
    the underlying); the implied equity volatility then rises with ``s`` and
    exceeds it, so ``s`` is bracketed by ``(0, s_E]``. Both roots are found by
    Brent's method, so the solver cannot wander. Inputs are scalars: equity and
    debt in the same currency, volatilities and rate as decimals per year,
    maturity in years.

    Example
    -------
    >>> sol = solve_merton(3.0, 0.80, 10.0, 0.05, 1.0)  # Hull's example
    >>> round(sol.asset_value, 2), round(sol.asset_vol, 4)
    (12.4, 0.2123)
    """
    e = float(_positive(equity_value, "equity_value"))
    se = float(_positive(equity_vol, "equity_vol"))
    d = float(_positive(debt_face, "debt_face"))
    t = float(_positive(maturity, "maturity"))
    r = float(rate)
    if not np.isfinite(r):
        raise ValueError(f"rate must be a finite number, got {rate!r}")
    pv_debt = d * math.exp(-r * t)

    def asset_for(s: float) -> float:
        lo, hi = e, e + pv_debt
        if merton_equity_value(lo, d, s, r, t) - e >= 0:  # equity is (numerically) the whole firm
            return lo
        if merton_equity_value(hi, d, s, r, t) - e <= 0:  # the call is (numerically) its intrinsic value
            return hi
        return optimize.brentq(lambda v: merton_equity_value(v, d, s, r, t) - e, lo, hi,
                               xtol=xtol * max(1.0, hi), maxiter=500)

    def gap(s: float) -> float:
        v = asset_for(s)
        return merton_equity_volatility(v, d, s, r, t) - se

    s_lo, s_hi = se * 1e-9, se
    if gap(s_hi) < 0:  # cannot happen for a call, kept as a guard with a clear message
        raise ValueError(f"no asset volatility reproduces equity_vol={se}; check the inputs")
    if gap(s_lo) > 0:
        raise ValueError(f"equity_vol={se} is too small to be produced by any positive asset "
                         f"volatility with equity {e} and debt {d}")
    s = optimize.brentq(gap, s_lo, s_hi, xtol=xtol, maxiter=500)
    v = asset_for(s)
    return MertonSolution(asset_value=float(v), asset_vol=float(s),
                          equity_value=float(merton_equity_value(v, d, s, r, t)),
                          equity_vol=float(merton_equity_volatility(v, d, s, r, t)))


def distance_to_default(
    asset_value: object, debt_face: object, asset_vol: object, *, drift: object, maturity: object
) -> float | np.ndarray:
    """Distance to default: how many standard deviations the log asset value at T lies above the debt.

    ``DD = [ln(V/D) + (mu - s^2/2) T] / (s sqrt T)``. With ``drift`` = the
    risk-free rate it is Black-Scholes' ``d2`` (risk-neutral); with the expected
    asset return it is the physical distance. Units as in
    :func:`merton_equity_value`.

    Example
    -------
    >>> round(distance_to_default(100.0, 80.0, 0.25, drift=0.05, maturity=1.0), 4)
    0.9676
    """
    v, d, s, t = _merton_inputs(asset_value, debt_face, asset_vol, maturity)
    mu = np.asarray(drift, dtype=float)
    return _scalar_or_array((np.log(v / d) + (mu - 0.5 * s * s) * t) / (s * np.sqrt(t)))


def probability_of_default(
    asset_value: object, debt_face: object, asset_vol: object, *, drift: object, maturity: object
) -> float | np.ndarray:
    """Probability that the assets end below the debt at maturity: ``N(-DD)``.

    ``drift`` = the risk-free rate gives the risk-neutral probability (the one
    in prices); the expected asset return gives the physical (real-world)
    probability, lower when the asset risk premium is positive.

    Example
    -------
    >>> round(probability_of_default(12.40, 10.0, 0.2123, drift=0.05, maturity=1.0), 3)
    0.127
    """
    return _scalar_or_array(special.ndtr(-np.asarray(
        distance_to_default(asset_value, debt_face, asset_vol, drift=drift, maturity=maturity))))


def merton_credit_spread(
    asset_value: object, debt_face: object, asset_vol: object, rate: object, maturity: object
) -> float | np.ndarray:
    """Yield spread of the firm's zero-coupon debt over the risk-free rate (decimal per year).

    Debt is worth ``B = V - E`` (assets minus the equity call), computed as
    ``D exp(-rT) N(d2) + V N(-d1)`` to avoid the cancellation in ``V - E`` for safe
    firms; its yield is ``-ln(B / D) / T``; the spread subtracts ``r`` and is never
    negative.

    Example
    -------
    >>> round(merton_credit_spread(100.0, 80.0, 0.25, 0.05, 1.0) * 1e4, 1)  # basis points
    200.5
    """
    v, d, s, t = _merton_inputs(asset_value, debt_face, asset_vol, maturity)
    r = np.asarray(rate, dtype=float)
    d1, d2 = _d1_d2(v, d, s, r, t)
    debt = d * np.exp(-r * t) * special.ndtr(d2) + v * special.ndtr(-d1)
    return _scalar_or_array(np.maximum(-np.log(debt / d) / t - r, 0.0))


def naive_distance_to_default(
    equity_value: object, debt_face: object, equity_vol: object, past_return: object, *,
    maturity: object = 1.0,
) -> float | np.ndarray:
    """The "naive" distance to default of Bharath & Shumway (2008): Merton's form without solving it.

    No equations are solved. The debt's market value is taken to be its face
    value ``F``; the debt's volatility is set by the rule ``s_D = 0.05 + 0.25 s_E``;
    the assets' volatility is the value-weighted average
    ``s_V = E / (E + F) s_E + F / (E + F) s_D``; the expected asset return is the
    firm's stock return over the past year, ``past_return``. Then
    ``DD = [ln((E + F) / F) + (past_return - s_V^2 / 2) T] / (s_V sqrt T)`` and
    the naive probability of default is ``N(-DD)``. Equity and debt in the same
    currency, volatility and return as decimals per year, ``maturity`` ``T`` in
    years (Bharath and Shumway use one year). Broadcasts over arrays.

    Example
    -------
    >>> round(naive_distance_to_default(4.0, 6.0, 0.45, 0.07), 4)  # s_V = 0.2775
    1.9543
    """
    e = _positive(equity_value, "equity_value")
    f = _positive(debt_face, "debt_face")
    se = _positive(equity_vol, "equity_vol")
    t = _positive(maturity, "maturity")
    mu = np.asarray(past_return, dtype=float)
    if not np.isfinite(mu).all():
        raise ValueError("past_return must be finite numbers (a decimal return, 0.07 = 7%), "
                         f"got {past_return!r}")
    sigma_v = e / (e + f) * se + f / (e + f) * (0.05 + 0.25 * se)
    return _scalar_or_array((np.log((e + f) / f) + (mu - 0.5 * sigma_v**2) * t) / (sigma_v * np.sqrt(t)))


# --------------------------------------------------------------------------- credit cycles


def recession_months(index: pd.DatetimeIndex,
                     recessions: Sequence[tuple[str, str]] = NBER_RECESSIONS) -> np.ndarray:
    """Boolean mask: True for the dates of ``index`` that fall in a recession (peak, trough].

    A date counts by its calendar month; the peak month itself is the last month of the
    expansion, so the recession starts the month after it and ends with the trough month.

    Example
    -------
    >>> idx = pd.DatetimeIndex(["2007-12-01", "2008-01-01", "2009-06-01", "2009-07-01"])
    >>> recession_months(idx).tolist()
    [False, True, True, False]
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"index must be a DatetimeIndex, got {type(index).__name__}")
    months = index.to_period("M")
    mask = np.zeros(len(index), dtype=bool)
    for peak, trough in recessions:
        p, t = pd.Period(peak, "M"), pd.Period(trough, "M")
        if t <= p:
            raise ValueError(f"a recession's trough must follow its peak, got peak {peak}, trough {trough}")
        mask |= np.asarray((months > p) & (months <= t))
    return mask


def episode_maxima(series: pd.Series, recessions: Sequence[tuple[str, str]] = NBER_RECESSIONS, *,
                   months_before: int = 6, months_after: int = 12) -> pd.DataFrame:
    """The highest value of a monthly series around each recession, and when it occurred.

    The window of a recession runs from ``months_before`` months before its peak to
    ``months_after`` months after its trough (credit spreads often peak after the trough
    of activity). Recessions whose window has no data are skipped. Returns one row per
    recession: ``peak``, ``trough``, ``start value`` (at the start of the window),
    ``max value``, ``max date``.

    Example
    -------
    >>> s = pd.Series([1.0, 3.0, 2.0], index=pd.date_range("2008-01-01", periods=3, freq="MS"))
    >>> episode_maxima(s, [("2007-12", "2009-06")])["max value"].tolist()
    [3.0]
    """
    if not isinstance(series.index, pd.DatetimeIndex):
        raise TypeError(f"series must be indexed by dates, got {type(series.index).__name__}")
    if months_before < 0 or months_after < 0:
        raise ValueError(f"months_before and months_after must be >= 0, got {months_before}, {months_after}")
    months = series.index.to_period("M")
    rows = []
    for peak, trough in recessions:
        lo = pd.Period(peak, "M") - months_before
        hi = pd.Period(trough, "M") + months_after
        window = series[(months >= lo) & (months <= hi)].dropna()
        if window.empty:
            continue
        rows.append({"peak": peak, "trough": trough, "start value": float(window.iloc[0]),
                     "max value": float(window.max()), "max date": window.idxmax()})
    return pd.DataFrame(rows)
