"""finbook.explain: permutation importance, partial dependence, integrated gradients, rank agreement.

Known values: integrated gradients of a linear model are (x - baseline) * weights
exactly; they add up to f(x) - f(baseline) on a small nonlinear network
(completeness); a feature the model ignores has permutation importance 0 and
attribution 0; partial dependence matches scikit-learn's brute-force
computation; rank correlations of hand-made rankings match their formulas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.inspection import partial_dependence as sk_partial_dependence
from sklearn.metrics import roc_auc_score
from sklearn.tree import DecisionTreeRegressor

from finbook import explain, metrics, repro


@pytest.fixture(scope="module")
def keras():
    repro.import_tensorflow()
    import keras as _keras

    return _keras


def _linear_model(keras, weights, bias=0.0, activation=None):
    d = len(weights)
    inputs = keras.Input(shape=(d,))
    layer = keras.layers.Dense(1, activation=activation)
    model = keras.Model(inputs, layer(inputs))
    layer.set_weights([np.asarray(weights, dtype="float32").reshape(d, 1), np.array([bias], dtype="float32")])
    return model


def _toy_credit(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"signal": rng.normal(size=n), "ignored": rng.normal(size=n),
                      "grade": pd.Categorical(rng.choice(["A", "B", "C"], n), categories=["A", "B", "C"])})
    y = (X["signal"] + 0.3 * rng.normal(size=n) > 0).astype(int).to_numpy()
    return X, y


# --------------------------------------------------------------------------- permutation importance
def test_a_feature_the_model_ignores_has_importance_exactly_zero():
    X, y = _toy_credit()
    imp = explain.permutation_importance(lambda d: d["signal"].to_numpy(), X, y, n_repeats=4, seed=3)
    assert imp.loc["ignored", "importance"] == 0.0
    assert imp.loc["grade", "importance"] == 0.0
    assert imp.loc["ignored", "std"] == 0.0
    assert imp.index[0] == "signal" and imp.loc["signal", "importance"] > 0.2
    assert imp.attrs["baseline_score"] == pytest.approx(roc_auc_score(y, X["signal"]))


def test_importance_is_the_mean_auc_drop_over_the_same_permutations():
    X, y = _toy_credit(40, seed=1)
    imp = explain.permutation_importance(lambda d: d["signal"].to_numpy(), X, y, n_repeats=3, seed=7)
    rng = np.random.default_rng(7)
    perms = [rng.permutation(len(X)) for _ in range(3)]
    base = roc_auc_score(y, X["signal"])
    drops = [base - roc_auc_score(y, X["signal"].to_numpy()[p]) for p in perms]
    assert imp.loc["signal", "importance"] == pytest.approx(np.mean(drops), abs=1e-12)
    assert imp.loc["signal", "std"] == pytest.approx(np.std(drops, ddof=1), abs=1e-12)


def test_a_group_is_shuffled_jointly_with_one_permutation():
    X, y = _toy_credit(50, seed=2)
    X["copy"] = X["signal"]  # a perfectly correlated twin that the model never reads
    f = lambda d: d["signal"].to_numpy()  # noqa: E731
    single = explain.permutation_importance(f, X, y, n_repeats=5, seed=0)
    grouped = explain.permutation_importance(f, X, y, columns=[["signal", "copy"], "copy"],
                                             n_repeats=5, seed=0)
    assert single.loc["copy", "importance"] == 0.0
    assert grouped.loc["signal + copy", "importance"] == pytest.approx(single.loc["signal", "importance"])
    named = explain.permutation_importance(f, X, y, columns={"both": ["signal", "copy"]}, n_repeats=5, seed=0)
    assert named.loc["both", "importance"] == pytest.approx(single.loc["signal", "importance"])


def test_categorical_columns_stay_categorical_when_shuffled():
    X, y = _toy_credit()

    def predict(d):
        assert isinstance(d["grade"].dtype, pd.CategoricalDtype)
        return d["signal"].to_numpy() + d["grade"].cat.codes.to_numpy()

    imp = explain.permutation_importance(predict, X, y, columns=["grade"], n_repeats=2, seed=0)
    assert list(imp.index) == ["grade"]


def test_a_loss_metric_counts_a_useful_feature_as_positive():
    X, y = _toy_credit(80, seed=4)
    p = lambda d: 1 / (1 + np.exp(-3 * d["signal"].to_numpy()))  # noqa: E731
    imp = explain.permutation_importance(p, X, y, metric=metrics.log_loss, greater_is_better=False,
                                         n_repeats=3, seed=0)
    assert imp.loc["signal", "importance"] > 0
    assert imp.loc["ignored", "importance"] == 0.0


def test_permutation_importance_errors():
    X, y = _toy_credit()
    f = lambda d: d["signal"].to_numpy()  # noqa: E731
    with pytest.raises(TypeError, match="DataFrame"):
        explain.permutation_importance(f, X.to_numpy(), y)
    with pytest.raises(ValueError, match="same length"):
        explain.permutation_importance(f, X, y[:-1])
    with pytest.raises(KeyError, match="not in X"):
        explain.permutation_importance(f, X, y, columns=["income"])
    with pytest.raises(ValueError, match="n_repeats must be a positive integer, got 0"):
        explain.permutation_importance(f, X, y, n_repeats=0)
    with pytest.raises(ValueError, match="one score per row"):
        explain.permutation_importance(lambda d: np.zeros(3), X, y)
    with pytest.raises(ValueError, match="lists no column"):
        explain.permutation_importance(f, X, y, columns={"empty": []})


# --------------------------------------------------------------------------- partial dependence
def test_partial_dependence_of_a_linear_model_by_hand():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 5.0], "b": [1.0, 2.0, 3.0, 6.0]})
    pd_a = explain.partial_dependence(lambda d: 2 * d["a"] + 3 * d["b"], X, "a", grid=[0.0, 1.0, 10.0])
    assert pd_a.tolist() == pytest.approx([2 * v + 3 * X["b"].mean() for v in (0.0, 1.0, 10.0)])
    assert pd_a.index.name == "a"


def test_partial_dependence_matches_scikit_learn_brute_force():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["x0", "x1", "x2"])
    yy = np.sin(X["x0"]) + X["x1"] * X["x2"]
    tree = DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, yy)
    grid = np.array([-1.5, -0.3, 0.2, 1.1])
    ours = explain.partial_dependence(tree.predict, X, "x1", grid=grid)
    theirs = sk_partial_dependence(tree, X, ["x1"], method="brute", custom_values={"x1": grid})
    np.testing.assert_allclose(ours.to_numpy(), theirs["average"][0], rtol=1e-12)


def test_partial_dependence_default_grids():
    X, _ = _toy_credit(100)
    num = explain.partial_dependence(lambda d: d["signal"].to_numpy(), X, "signal", n_grid=5)
    assert len(num) == 5 and num.index.is_monotonic_increasing
    assert num.index[0] == pytest.approx(np.quantile(X["signal"], 0.01))
    cat = explain.partial_dependence(lambda d: d["grade"].cat.codes.to_numpy(), X, "grade")
    assert cat.index.tolist() == ["A", "B", "C"]
    assert cat.tolist() == [0.0, 1.0, 2.0]


def test_partial_dependence_errors():
    X, _ = _toy_credit()
    f = lambda d: d["signal"].to_numpy()  # noqa: E731
    with pytest.raises(KeyError, match="income"):
        explain.partial_dependence(f, X, "income")
    with pytest.raises(ValueError, match="not categories"):
        explain.partial_dependence(f, X, "grade", grid=["A", "Z"])
    with pytest.raises(ValueError, match="grid is empty"):
        explain.partial_dependence(f, X, "signal", grid=[])
    with pytest.raises(ValueError, match="quantile_range"):
        explain.partial_dependence(f, X, "signal", quantile_range=(0.9, 0.1))


# --------------------------------------------------------------------------- integrated gradients
def test_integrated_gradients_of_a_linear_model_are_input_times_weight(keras):
    w = np.array([2.0, -1.0, 0.5, 0.0])
    model = _linear_model(keras, w, bias=0.3)
    rng = np.random.default_rng(0)
    x, base = rng.normal(size=(7, 4)), rng.normal(size=4)
    for steps in (1, 5, 50):
        att = explain.integrated_gradients(model, x, base, steps=steps)
        np.testing.assert_allclose(att.values, (x - base) * w, atol=1e-5)
        np.testing.assert_allclose(att.gap, 0.0, atol=1e-5)
    assert np.all(att.values[:, 3] == 0.0)  # an input with zero weight gets nothing


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=3, max_size=3), st.integers(0, 2**31 - 1))
def test_linear_attributions_hold_for_any_weights(weights, seed):
    _keras = pytest.importorskip("keras")
    repro.import_tensorflow()
    model = _linear_model(_keras, weights)
    rng = np.random.default_rng(seed)
    x, base = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    att = explain.integrated_gradients(model, x, base, steps=3)
    np.testing.assert_allclose(att.values, (x - base) * np.asarray(weights), atol=1e-4)


def test_logit_output_of_a_logistic_model_is_linear_in_the_inputs(keras):
    w = np.array([1.5, -0.7, 0.2])
    model = _linear_model(keras, w, bias=-2.0, activation="sigmoid")
    x = np.array([[0.5, 1.0, -1.0], [2.0, -1.0, 0.0]])
    base = np.array([0.1, 0.2, 0.3])
    att = explain.integrated_gradients(model, x, base, steps=2, output="logit")
    np.testing.assert_allclose(att.values, (x - base) * w, atol=1e-4)
    np.testing.assert_allclose(att.prediction, x @ w - 2.0, atol=1e-4)
    np.testing.assert_allclose(att.baseline_prediction, base @ w - 2.0, atol=1e-4)


def test_completeness_on_a_small_nonlinear_network(keras):
    repro.set_seed(0)
    inputs = keras.Input(shape=(5,))
    h = keras.layers.Dense(8, activation="tanh")(inputs)
    h = keras.layers.Dense(8, activation="relu")(h)
    net = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(h))
    rng = np.random.default_rng(1)
    x, base = rng.normal(size=(20, 5)), np.zeros(5)
    coarse = explain.integrated_gradients(net, x, base, steps=4, output="logit", batch_size=6)
    fine = explain.integrated_gradients(net, x, base, steps=512, output="logit", batch_size=6)
    spread = np.abs(fine.prediction - fine.baseline_prediction).mean()
    assert np.abs(fine.gap).max() < 1e-2 * max(spread, 1e-3)
    assert np.abs(fine.gap).mean() < np.abs(coarse.gap).mean()
    # the exact outputs do not depend on the discretisation
    np.testing.assert_allclose(fine.prediction, coarse.prediction, atol=1e-6)
    np.testing.assert_allclose(fine.values.sum(axis=1), fine.prediction - fine.baseline_prediction, atol=2e-3)


def test_attributions_vanish_at_the_baseline_and_accept_a_callable(keras):
    model = lambda t: 3.0 * t[:, 0] - t[:, 1] ** 2  # noqa: E731
    att = explain.integrated_gradients(model, [[1.0, 2.0]], [1.0, 2.0])
    assert np.all(att.values == 0.0)
    att = explain.integrated_gradients(model, [1.0, 2.0], [0.0, 0.0], steps=64)
    assert att.values[0, 0] == pytest.approx(3.0, abs=1e-5)
    assert att.values[0, 1] == pytest.approx(-4.0, abs=1e-3)  # trapezoidal error on x^2, O(1/steps^2)


def test_integrated_gradients_errors(keras):
    model = _linear_model(keras, [1.0, 2.0])
    with pytest.raises(ValueError, match="output must be one of"):
        explain.integrated_gradients(model, [[1.0, 2.0]], [0.0, 0.0], output="probit")
    with pytest.raises(ValueError, match=r"baseline must have shape \(2,\) or \(1, 2\)"):
        explain.integrated_gradients(model, [[1.0, 2.0]], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="steps must be a positive integer, got 0"):
        explain.integrated_gradients(model, [[1.0, 2.0]], [0.0, 0.0], steps=0)
    with pytest.raises(ValueError, match="finite"):
        explain.integrated_gradients(model, [[np.nan, 2.0]], [0.0, 0.0])
    with pytest.raises(ValueError, match="non-empty"):
        explain.integrated_gradients(model, np.empty((0, 2)), [0.0, 0.0])


def test_group_columns_adds_one_hot_attributions():
    values = np.array([[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 1.0, 0.0]])
    out = explain.group_columns(values, ["x", "c_a", "c_b", "z"], ["x", "c", "c", "z"])
    assert out.columns.tolist() == ["x", "c", "z"]
    assert out.to_numpy().tolist() == [[1.0, 5.0, 4.0], [0.5, 0.0, 0.0]]
    np.testing.assert_allclose(out.sum(axis=1), values.sum(axis=1))
    with pytest.raises(ValueError, match="one name and one group per column"):
        explain.group_columns(values, ["x"], ["x"])


# --------------------------------------------------------------------------- rank agreement
def test_rank_agreement_known_values():
    t = pd.DataFrame({"m1": [4.0, 3.0, 2.0, 1.0], "m2": [4.0, 2.0, 3.0, 1.0],
                      "m3": [40.0, 30.0, 20.0, 10.0], "rev": [1.0, 2.0, 3.0, 4.0]})
    rho = explain.rank_agreement(t, "spearman")
    tau = explain.rank_agreement(t, "kendall")
    # one swapped pair among four: rho = 1 - 6 * 2 / (4 * 15) = 0.8, tau = (5 - 1) / 6
    assert rho.loc["m1", "m2"] == pytest.approx(0.8)
    assert tau.loc["m1", "m2"] == pytest.approx(2 / 3)
    assert rho.loc["m1", "m3"] == pytest.approx(1.0)  # units do not matter, only order
    assert rho.loc["m1", "rev"] == pytest.approx(-1.0) and tau.loc["m1", "rev"] == pytest.approx(-1.0)
    assert np.allclose(rho.to_numpy(), rho.to_numpy().T) and np.all(np.diag(rho) == 1.0)


def test_rank_agreement_errors():
    t = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, np.nan]})
    with pytest.raises(ValueError, match="method must be one of"):
        explain.rank_agreement(t.fillna(0), "pearson")
    with pytest.raises(ValueError, match=r"NaN in columns \['b'\]"):
        explain.rank_agreement(t)
    with pytest.raises(ValueError, match="at least 3 features"):
        explain.rank_agreement(t.iloc[:2].fillna(0))
    with pytest.raises(TypeError, match="DataFrame"):
        explain.rank_agreement(t.to_numpy())


# --------------------------------------------------------------------------- scorecard points
@pytest.fixture(scope="module")
def german_card():
    from finbook import data, features
    from finbook import scorecard as sc

    credit = data.german_credit()
    X = credit.drop(columns="class")
    y = features.binary_target(credit["class"].astype(str), "bad")
    return sc.ScorecardClassifier().fit(X, y), X


def test_scorecard_points_add_up_to_the_score(german_card):
    card, X = german_card
    pts = explain.scorecard_points(card, X.iloc[:50])
    assert pts.shape == (50, X.shape[1])
    np.testing.assert_allclose(pts.sum(axis=1).to_numpy(), card.points(X.iloc[:50]), atol=1e-9)


def test_scorecard_shortfall_is_the_gap_to_the_best_bin(german_card):
    card, X = german_card
    pts = explain.scorecard_points(card, X)
    short = explain.scorecard_points(card, X, relative_to="maximum")
    assert (short.to_numpy() >= 0).all()
    np.testing.assert_allclose(short.min(axis=0).to_numpy(), 0.0, atol=1e-9)  # someone is in the best bin
    best = pts + short  # points + shortfall = the best points of the variable, for every applicant
    np.testing.assert_allclose((best.max(axis=0) - best.min(axis=0)).to_numpy(), 0.0, atol=1e-9)


def test_scorecard_points_errors(german_card):
    card, X = german_card
    with pytest.raises(ValueError, match="relative_to must be"):
        explain.scorecard_points(card, X, relative_to="minimum")
    with pytest.raises(TypeError, match="fitted ScorecardClassifier"):
        explain.scorecard_points(object(), X)


# --------------------------------------------------------------------------- accumulated local effects
def _correlated_frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-2, 2, n)
    return pd.DataFrame({"a": a, "b": a + 0.1 * rng.standard_normal(n)})  # b almost equals a


def test_ale_of_an_additive_function_is_its_component_exactly():
    # f = a**3 + 5 b: the ALE of a is g(z) - g(z_0) minus the centring constant, whatever corr(a, b)
    X = _correlated_frame()
    ale = explain.accumulated_local_effects(lambda d: d["a"] ** 3 + 5 * d["b"], X, "a", n_bins=10)
    z = ale.index.to_numpy()
    uncentred = z**3 - z[0] ** 3
    k = np.clip(np.searchsorted(z, X["a"].to_numpy(), side="left"), 1, len(z) - 1)
    n_k = np.bincount(k, minlength=len(z))[1:]
    centre = np.sum(n_k * (uncentred[:-1] + uncentred[1:]) / 2) / n_k.sum()
    np.testing.assert_allclose(ale.to_numpy(), uncentred - centre, atol=1e-12)
    # the increments do not pick up the correlated b, which partial dependence of f on a would not either,
    # but a marginal plot would (slope 3a^2 + 5)
    np.testing.assert_allclose(np.diff(ale.to_numpy()), np.diff(z**3), atol=1e-12)


def test_ale_of_a_linear_function_by_hand():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0], "b": [0.0, 1.0, 0.0, 1.0, 0.0]})
    ale = explain.accumulated_local_effects(lambda d: 2 * d["a"] + d["b"], X, "a", n_bins=2)
    # edges 0, 2, 4; bins hold {0, 1, 2} and {3, 4}; uncentred 0, 4, 8; centre (3 * 2 + 2 * 6) / 5 = 3.6
    assert ale.index.tolist() == [0.0, 2.0, 4.0]
    np.testing.assert_allclose(ale.to_numpy(), [-3.6, 0.4, 4.4])
    # a feature the model ignores has a flat ALE at zero
    assert np.allclose(explain.accumulated_local_effects(lambda d: d["b"], X, "a", n_bins=2), 0.0)


def test_ale_differs_from_partial_dependence_with_an_interaction_on_correlated_data():
    # f = a * b with b = a: PD of a averages over all b (mean 0) and is flat; ALE follows d(a^2)
    a = np.linspace(-1, 1, 201)
    X = pd.DataFrame({"a": a, "b": a})
    ale = explain.accumulated_local_effects(lambda d: d["a"] * d["b"], X, "a", n_bins=20)
    pd_curve = explain.partial_dependence(lambda d: d["a"] * d["b"], X, "a", grid=ale.index.tolist())
    assert np.ptp(pd_curve.to_numpy()) < 1e-12
    assert ale.iloc[0] > ale.iloc[10] < ale.iloc[-1]  # U-shaped, like a^2


def test_ale_errors():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "c": pd.Categorical(["x", "y", "x"]), "k": [1.0, 1.0, 1.0]})
    f = lambda d: d["a"].to_numpy()  # noqa: E731
    with pytest.raises(KeyError, match="not a column"):
        explain.accumulated_local_effects(f, X, "zzz")
    with pytest.raises(TypeError, match="must be numeric"):
        explain.accumulated_local_effects(f, X, "c")
    with pytest.raises(ValueError, match="single value"):
        explain.accumulated_local_effects(f, X, "k")
    with pytest.raises(ValueError, match="n_bins"):
        explain.accumulated_local_effects(f, X, "a", n_bins=0)
    with pytest.raises(ValueError, match="quantile_range"):
        explain.accumulated_local_effects(f, X, "a", quantile_range=(0.5, 0.2))
    with pytest.raises(TypeError, match="DataFrame"):
        explain.accumulated_local_effects(f, X.to_numpy(), "a")
    with pytest.raises(ValueError, match="missing"):
        explain.accumulated_local_effects(f, pd.DataFrame({"a": [0.0, np.nan, 1.0]}), "a")


# --------------------------------------------------------------------------- group fairness
def test_group_fairness_by_hand():
    # protected: 10 applicants, 8 good, 5 approved of which 4 good; reference: 10, 6 good, 8 approved, 6 good
    y_good = [1] * 8 + [0] * 2 + [1] * 6 + [0] * 4
    approved = [1, 1, 1, 1, 0, 0, 0, 0, 1, 0] + [1] * 6 + [1, 1, 0, 0]
    group = ["p"] * 10 + ["r"] * 10
    t = explain.group_fairness(y_good, approved, group, protected="p", reference="r", n_boot=500, seed=1)
    assert t.loc["approval rate, protected", "estimate"] == pytest.approx(0.5)
    assert t.loc["approval rate, reference", "estimate"] == pytest.approx(0.8)
    assert t.loc["disparate impact ratio", "estimate"] == pytest.approx(0.5 / 0.8)
    assert t.loc["TPR among good, protected", "estimate"] == pytest.approx(0.5)
    assert t.loc["TPR among good, reference", "estimate"] == pytest.approx(1.0)
    assert t.loc["equal opportunity difference", "estimate"] == pytest.approx(-0.5)
    assert t.loc["equal opportunity difference", "n"] == 14
    assert (t["low"] <= t["estimate"] + 1e-12).all() and (t["estimate"] <= t["high"] + 1e-12).all()
    assert 0 < t.loc["equal opportunity difference", "pvalue"] < 0.05  # every reference good is approved


def test_group_fairness_parity_and_pooled_labels():
    rng = np.random.default_rng(0)
    n = 2000
    group = rng.choice(["a", "b", "c"], n)
    y_good = rng.integers(0, 2, n)
    approved = rng.integers(0, 2, n)  # independent of group: parity up to noise
    t = explain.group_fairness(y_good, approved, group, protected="a", reference=["b", "c"], n_boot=400)
    assert t.loc["disparate impact ratio", "low"] < 1 < t.loc["disparate impact ratio", "high"]
    assert t.loc["approval rate, reference", "n"] == int(np.isin(group, ["b", "c"]).sum())
    # rows of other groups are ignored
    t2 = explain.group_fairness(y_good, approved, group, protected="a", reference="b", n_boot=50)
    assert t2.loc["approval rate, reference", "n"] == int((group == "b").sum())


def test_group_fairness_errors():
    y, a, g = [1, 0, 1, 1], [1, 0, 1, 0], ["p", "p", "r", "r"]
    with pytest.raises(ValueError, match="same length"):
        explain.group_fairness(y, a[:3], g, protected="p", reference="r")
    with pytest.raises(ValueError, match="has no rows"):
        explain.group_fairness(y, a, g, protected="x", reference="r")
    with pytest.raises(ValueError, match="disjoint"):
        explain.group_fairness(y, a, g, protected=["p", "r"], reference="r")
    with pytest.raises(ValueError, match="no good applicant"):
        explain.group_fairness([0, 0, 1, 1], a, g, protected="p", reference="r")
    with pytest.raises(ValueError, match="no approval"):
        explain.group_fairness(y, [1, 0, 0, 0], g, protected="p", reference="r")
    with pytest.raises(ValueError, match="level"):
        explain.group_fairness(y, a, g, protected="p", reference="r", level=1.5)
    with pytest.raises(ValueError, match="y_good"):
        explain.group_fairness([2, 0, 1, 1], a, g, protected="p", reference="r")
