"""finbook.scorecard: PDO points by hand, the optbinning scorecard, honest CV scoring, the Keras loop."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finbook import data, metrics
from finbook import scorecard as sc


@pytest.fixture(scope="module")
def credit() -> tuple[pd.DataFrame, np.ndarray]:
    frame = data.german_credit()
    X = frame.drop(columns=["class", "personal_status_sex"])
    y = (frame["class"] == "bad").to_numpy().astype(int)
    return X, y


@pytest.fixture(scope="module")
def card(credit):
    X, y = credit
    return sc.ScorecardClassifier(base_score=600, base_odds=50, pdo=20).fit(X, y)


# --------------------------------------------------------------------------- points
def test_pdo_scaling_by_hand():
    factor, offset = sc.score_scaling(base_score=600, base_odds=50, pdo=20)
    assert factor == pytest.approx(20 / math.log(2))  # 28.8539...
    assert offset == pytest.approx(600 - 20 / math.log(2) * math.log(50))  # 487.1229...
    # odds 50:1 -> 600 points; doubling to 100:1 adds PDO = 20 points; halving to 25:1 removes 20
    scores = sc.probability_to_score([1 / 51, 1 / 101, 1 / 26], base_score=600, base_odds=50, pdo=20)
    assert scores == pytest.approx([600.0, 620.0, 580.0])
    # even odds (p = 1/2): 600 + 20 * log2(1/50)
    assert sc.probability_to_score([0.5])[0] == pytest.approx(600 + 20 * math.log2(1 / 50))


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=1e-6, max_value=1 - 1e-6),
       st.floats(min_value=300, max_value=900), st.floats(min_value=0.5, max_value=200),
       st.floats(min_value=5, max_value=100))
def test_score_and_probability_are_inverse(p, base_score, base_odds, pdo):
    kw = dict(base_score=base_score, base_odds=base_odds, pdo=pdo)
    s = sc.probability_to_score([p], **kw)
    assert sc.score_to_probability(s, **kw)[0] == pytest.approx(p, rel=1e-9, abs=1e-12)


def test_higher_probability_of_bad_means_fewer_points():
    scores = sc.probability_to_score([0.01, 0.1, 0.5, 0.9])
    assert np.all(np.diff(scores) < 0)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"pdo": 0.0}, "pdo"),
    ({"pdo": -20.0}, "pdo"),
    ({"base_odds": 0.0}, "base_odds"),
    ({"base_score": float("nan")}, "base_score"),
])
def test_bad_scaling_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sc.score_scaling(**kwargs)


@pytest.mark.parametrize(("p", "match"), [
    ([0.0], "strictly between 0 and 1"),
    ([1.0], "strictly between 0 and 1"),
    ([1.2], r"probabilities in \[0, 1\]"),
    ([-0.1], r"probabilities in \[0, 1\]"),
])
def test_probabilities_outside_the_open_interval_are_refused(p, match):
    with pytest.raises(ValueError, match=match):
        sc.probability_to_score(p)


# --------------------------------------------------------------------------- the scorecard
def test_scorecard_points_are_the_pdo_scale_of_its_probabilities(credit, card):
    X, _ = credit
    p_bad = card.predict_proba(X)[:, 1]
    assert card.points(X) == pytest.approx(sc.probability_to_score(p_bad), abs=1e-8)


def test_points_table_reads_like_a_scorecard(credit, card):
    X, y = credit
    table = card.points_table()
    assert list(table.columns) == ["variable", "bin", "count", "event_rate", "woe", "points"]
    assert set(table["variable"]) == set(X.columns)
    # every variable's bins cover all applicants exactly once
    assert (table.groupby("variable")["count"].sum() == len(X)).all()
    # the bad rate of each bin is what the data say
    checking = table[table["variable"] == "checking_status"].set_index("bin")
    overdrawn = X["checking_status"].astype(str) == "< 0 DM"
    assert checking.loc["< 0 DM", "event_rate"] == pytest.approx(y[overdrawn].mean(), abs=1e-4)
    # under the corrected code table (Grömping 2019): no account at this bank is the
    # riskiest group, 200 DM or more or a salary account the safest
    assert checking["points"].idxmin() == "no checking account"
    assert checking["points"].idxmax() == ">= 200 DM or salary account"
    # numeric attributes are binned with a monotone bad rate (scorecards require it)
    duration = table[table["variable"] == "duration_months"]["event_rate"].to_numpy()
    assert np.all(np.diff(duration) >= 0) or np.all(np.diff(duration) <= 0)


def test_scorecard_refuses_arrays_and_mismatched_lengths(credit):
    X, y = credit
    with pytest.raises(TypeError, match="DataFrame"):
        sc.ScorecardClassifier().fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match="same length"):
        sc.ScorecardClassifier().fit(X, y[:-1])
    with pytest.raises(ValueError, match="only 0 and 1"):
        sc.ScorecardClassifier().fit(X, y * 2)


def test_scorecard_fits_when_tensorflow_was_imported_first():
    """OR-Tools crashes (segfault) if TensorFlow's runtime is loaded first (or-tools issue 3230)."""
    code = (
        "from finbook import repro; repro.import_tensorflow()\n"
        "from finbook import data, scorecard as sc\n"
        "f = data.german_credit().iloc[:300]\n"
        "card = sc.ScorecardClassifier().fit(f.drop(columns='class'), (f['class'] == 'bad').astype(int))\n"
        "print('fitted', len(card.points_table()) > 0)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip().endswith("fitted True")


# --------------------------------------------------------------------------- cross-validation
def _base_rate(X_train, y_train, X_test):
    return np.full(len(X_test), y_train.mean())


def _column_p(X_train, y_train, X_test):
    return X_test["p"].to_numpy()


def test_out_of_fold_probabilities_by_hand():
    X = pd.DataFrame({"x": np.arange(6.0)})
    y = np.array([1, 0, 0, 1, 1, 0])
    splits = [(np.array([0, 1, 2]), np.array([3, 4, 5])), (np.array([3, 4, 5]), np.array([0, 1, 2]))]
    oof = sc.cross_validated_probabilities(_base_rate, X, y, splits)
    assert oof["split"].tolist() == [0, 0, 0, 1, 1, 1]
    assert oof["row"].tolist() == [3, 4, 5, 0, 1, 2]
    assert oof["y"].tolist() == [1, 1, 0, 1, 0, 0]
    assert oof["p"].tolist() == pytest.approx([1 / 3] * 3 + [2 / 3] * 3)


def test_cross_validation_refuses_leaks_and_bad_predictions():
    X = pd.DataFrame({"x": np.arange(4.0)})
    y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="both the training and the test part"):
        sc.cross_validated_probabilities(_base_rate, X, y, [(np.array([0, 1, 2]), np.array([2, 3]))])
    with pytest.raises(ValueError, match="returned 1 probabilities for 2 test rows"):
        sc.cross_validated_probabilities(lambda a, b, c: np.array([0.5]), X, y,
                                         [(np.array([0, 1]), np.array([2, 3]))])
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        sc.cross_validated_probabilities(lambda a, b, c: np.array([0.5, 1.5]), X, y,
                                         [(np.array([0, 1]), np.array([2, 3]))])
    with pytest.raises(ValueError, match="same length"):
        sc.cross_validated_probabilities(_base_rate, X, y[:3], [])
    with pytest.raises(TypeError, match="DataFrame"):
        sc.cross_validated_probabilities(_base_rate, X.to_numpy(), y, [])


def test_fold_scores_cost_by_hand():
    # split 0: y = 1 1 0 0 with p = .9 .1 .2 .05 -> at 1/6 reject rows 0 and 2:
    #   one bad accepted (row 1, cost 5) and one good rejected (row 2, cost 1) -> 6 / 4 = 1.5
    # split 1: y = 0 1 with p = .5 .6 -> both rejected: one good rejected -> 1 / 2 = 0.5
    oof = pd.DataFrame({"split": [0, 0, 0, 0, 1, 1], "y": [1, 1, 0, 0, 0, 1],
                        "p": [0.9, 0.1, 0.2, 0.05, 0.5, 0.6]})
    scores = sc.fold_scores(oof, cost_fn=5, cost_fp=1)
    assert scores["threshold"].tolist() == pytest.approx([1 / 6, 1 / 6])
    assert scores["cost"].tolist() == pytest.approx([1.5, 0.5])
    assert scores["reject rate"].tolist() == pytest.approx([0.5, 1.0])
    assert scores.loc[1, "ROC AUC"] == pytest.approx(1.0)
    # one threshold per split
    per_split = sc.fold_scores(oof, cost_fn=5, cost_fp=1, threshold=[0.95, 0.0])
    assert per_split["cost"].tolist() == pytest.approx([10 / 4, 0.5])
    summary = sc.summarize_folds({"m": scores})
    assert summary.loc["m", "cost"] == pytest.approx(1.0)
    assert summary.loc["m", "cost sd"] == pytest.approx(np.std([1.5, 0.5], ddof=1))


def test_fold_scores_refuses_bad_thresholds():
    oof = pd.DataFrame({"split": [0, 0], "y": [0, 1], "p": [0.2, 0.7]})
    with pytest.raises(ValueError, match=r"\[0, 1\], got 1.5"):
        sc.fold_scores(oof, cost_fn=5, cost_fp=1, threshold=1.5)
    with pytest.raises(ValueError, match="2 values for 1 splits"):
        sc.fold_scores(oof, cost_fn=5, cost_fp=1, threshold=[0.1, 0.2])
    with pytest.raises(ValueError, match="columns"):
        sc.fold_scores(oof.drop(columns="p"), cost_fn=5, cost_fp=1)


def test_tuned_threshold_is_chosen_on_the_training_part_only():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=200)
    y = (rng.uniform(size=200) < p).astype(int)
    X = pd.DataFrame({"p": p})
    train, test = np.arange(150), np.arange(150, 200)
    (t,) = sc.tuned_thresholds(_column_p, X, y, [(train, test)], cost_fn=5, cost_fp=1)
    # the inner out-of-fold "predictions" are the column itself, so the threshold is the
    # cost-optimal one on the 150 training rows, whatever the 50 test rows hold
    expected, _ = metrics.cost_optimal_threshold(y[train], p[train], cost_fn=5, cost_fp=1)
    assert t == pytest.approx(expected)
    y_flipped = y.copy()
    y_flipped[test] = 1 - y_flipped[test]
    (t2,) = sc.tuned_thresholds(_column_p, X, y_flipped, [(train, test)], cost_fn=5, cost_fp=1)
    assert t2 == pytest.approx(t)


# --------------------------------------------------------------------------- Keras
def test_network_fit_predict_returns_probabilities_for_the_test_rows(credit):
    from finbook import repro

    X, y = credit
    repro.set_seed(1)
    histories = []
    p = sc.mlp_fit_predict(X.iloc[:400], y[:400], X.iloc[400:450], seed=1, histories=histories)
    assert p.shape == (50,)
    assert ((p > 0) & (p < 1)).all()
    assert len(histories) == 1 and histories[0]["best_epoch"] >= 1
    with pytest.raises(ValueError, match="validation_fraction"):
        sc.mlp_fit_predict(X.iloc[:400], y[:400], X.iloc[400:450], validation_fraction=0.7)


def test_schema_preprocessor_keeps_columns_when_a_category_is_missing(credit):
    X, _ = credit
    rare = X["purpose"] == X["purpose"].value_counts().idxmin()
    full = sc.schema_preprocessor(X).fit(X)
    without = sc.schema_preprocessor(X).fit(X[~rare])
    assert list(full.get_feature_names_out()) == list(without.get_feature_names_out())
    assert without.transform(X[rare]).shape[1] == full.transform(X).shape[1]
