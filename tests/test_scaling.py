"""finbook.scaling: parameter counts, compute, power-law fits and the runs of a scaling curve.

Known values: parameter counts by hand and from Keras; C = 6 N D; a power law
recovered exactly from points on it; a fixed-step trainer that learns a line;
fold AUCs against scikit-learn's roc_auc_score.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline

from finbook import data, features, models, options, repro, scaling
from finbook import scorecard as sc


# --------------------------------------------------------------------------- size and cost
def test_parameter_count_by_hand():
    assert scaling.dense_parameter_count(4, (8, 8)) == (4 * 8 + 8) + (8 * 8 + 8) + (8 + 1)
    assert scaling.dense_parameter_count(3, ()) == 4  # logistic regression: 3 weights + intercept
    assert scaling.dense_parameter_count(2, (5,), n_outputs=3) == (2 * 5 + 5) + (5 * 3 + 3)


@pytest.mark.parametrize("hidden", [(), (3,), (16, 8), (64, 64)])
def test_parameter_count_equals_keras(hidden):
    repro.set_seed(0)
    assert scaling.dense_parameter_count(10, hidden) == models.mlp(10, hidden=hidden).count_params()


def test_parameter_count_errors():
    with pytest.raises(ValueError, match="positive integers"):
        scaling.dense_parameter_count(0, (4,))
    with pytest.raises(ValueError, match="positive integers"):
        scaling.dense_parameter_count(4, (4, 0))
    with pytest.raises(ValueError, match="positive integers"):
        scaling.dense_parameter_count(True, (4,))


def test_training_flops_is_six_n_d():
    assert scaling.training_flops(1e6, 1e3) == 6e9
    assert scaling.training_flops(45, 1920 * 256) == 6 * 45 * 1920 * 256
    with pytest.raises(ValueError, match="must be positive"):
        scaling.training_flops(0, 10)
    with pytest.raises(ValueError, match="must be positive"):
        scaling.training_flops(10, float("inf"))


@given(st.floats(0.05, 3.0), st.floats(0.01, 100.0))
def test_power_law_is_recovered_exactly(exponent, scale):
    size = np.array([10.0, 100.0, 1_000.0, 50_000.0])
    fit = scaling.fit_power_law(size, scale * size ** -exponent)
    assert fit.exponent == pytest.approx(exponent, rel=1e-9)
    assert fit.scale == pytest.approx(scale, rel=1e-9)
    assert fit.r_squared == pytest.approx(1.0)
    np.testing.assert_allclose(fit.predict([20.0]), scale * 20.0 ** -exponent, rtol=1e-9)


def test_power_law_fit_of_noisy_points_has_r_squared_below_one():
    fit = scaling.fit_power_law([1, 2, 4, 8], [10.0, 6.0, 2.0, 1.5])
    assert 0 < fit.r_squared < 1 and fit.exponent > 0


def test_power_law_errors():
    with pytest.raises(ValueError, match="positive finite"):
        scaling.fit_power_law([1, 2], [1.0, -1.0])
    with pytest.raises(ValueError, match="two distinct sizes"):
        scaling.fit_power_law([3, 3], [1.0, 2.0])
    with pytest.raises(ValueError, match="same length"):
        scaling.fit_power_law([1, 2, 3], [1.0, 2.0])


@settings(deadline=None, max_examples=50)
@given(st.floats(0.1, 1.0), st.floats(5.0, 100.0), st.floats(0.0, 5.0))
def test_saturating_power_law_is_recovered_from_points_on_it(exponent, scale, floor):
    size = np.array([10.0, 100.0, 1_000.0, 10_000.0, 1e5])
    fit = scaling.fit_saturating_power_law(size, floor + scale * size ** -exponent)
    np.testing.assert_allclose(fit.predict(size), floor + scale * size ** -exponent, rtol=1e-6)
    assert fit.exponent == pytest.approx(exponent, rel=1e-3, abs=1e-3)


def test_saturating_power_law_by_hand():
    # L = 2 + 50 N^-0.5 at N = 100, 400, 10_000: 7, 4.5, 2.5 (hand-computed)
    fit = scaling.fit_saturating_power_law([100, 400, 10_000], [7.0, 4.5, 2.5])
    assert (fit.floor, fit.scale, fit.exponent) == pytest.approx((2.0, 50.0, 0.5), rel=1e-6)
    # a pure power law has floor 0 and the straight-line exponent
    fit = scaling.fit_saturating_power_law([1, 4, 16, 64], [8.0, 4.0, 2.0, 1.0])
    assert fit.floor == pytest.approx(0.0, abs=1e-6) and fit.exponent == pytest.approx(0.5, rel=1e-6)


def test_saturating_power_law_errors():
    with pytest.raises(ValueError, match="three distinct sizes"):
        scaling.fit_saturating_power_law([1, 2, 2], [3.0, 2.0, 2.1])
    with pytest.raises(ValueError, match="positive finite"):
        scaling.fit_saturating_power_law([1, 2, 3], [3.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="same length"):
        scaling.fit_saturating_power_law([1, 2, 3], [3.0, 2.0])
    with pytest.raises(ValueError, match="do not fall with size"):
        scaling.fit_saturating_power_law([1, 2, 3], [1.0, 2.0, 3.0])


# --------------------------------------------------------------------------- training for a fixed budget
def _line_model():
    repro.set_seed(0)
    import keras

    inputs = keras.Input(shape=(1,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mean_squared_error")
    return model


def test_steps_mode_learns_a_line_with_chapter_15s_step_and_keeps_the_best_weights():
    """The scaling study trains by steps (training.fit(steps=...)) with chapter 15's train_step."""
    from finbook import training
    from finbook.lessons import pricing_loss, train_step

    x = np.linspace(-1, 1, 50)[:, None]
    y = 2.0 * x[:, 0] + 1.0
    model, hist = training.fit(_line_model(), x, y, steps=400, batch_size=16, eval_every=50, step=train_step,
                               validation_data=(x, y), val_loss=pricing_loss, seed=0)
    w, b = model.get_weights()
    assert w[0, 0] == pytest.approx(2.0, abs=1e-2) and b[0] == pytest.approx(1.0, abs=1e-2)
    assert hist["step"] == [50, 100, 150, 200, 250, 300, 350, 400]
    final = float(np.mean((model.predict(x, verbose=0)[:, 0] - y) ** 2))
    assert final == pytest.approx(min(hist["val_loss"]), rel=1e-4, abs=1e-9)


def test_steps_mode_cycles_a_small_set_and_handles_a_partial_chunk():
    from finbook import training
    from finbook.lessons import train_step

    x = np.arange(5.0)[:, None]
    _, hist = training.fit(_line_model(), x, 3 * x[:, 0], steps=7, batch_size=256, eval_every=3,
                           step=train_step, validation_data=(x, 3 * x[:, 0]))
    assert hist["step"] == [3, 6, 7]


# --------------------------------------------------------------------------- pricing surrogate
@pytest.fixture(scope="module")
def option_sets():
    return tuple(options.black_scholes_training_set(n, seed=s) for n, s in [(2_048, 1), (512, 2), (1_000, 3)])


def test_surrogate_run_reports_size_cost_and_error(option_sets):
    train, valid, test = option_sets
    repro.set_seed(0)
    run = scaling.surrogate_run(train, valid, test, hidden=(8, 8), steps=40, seed=0)
    assert run["hidden"] == "8-8"
    assert run["parameters"] == scaling.dense_parameter_count(4, (8, 8))
    assert run["passes over the data"] == pytest.approx(40 * 256 / 2048)
    assert run["compute (FLOPs)"] == scaling.training_flops(run["parameters"], 40 * 256)
    assert 0 < run["test RMSE (bp)"] <= run["test max error (bp)"]
    assert run["steps run"] == 40 and 0 < run["best step"] <= 40 and run["learning rate"] == 3e-2


def test_surrogate_run_details_and_early_stopping(option_sets):
    train, valid, test = option_sets
    repro.set_seed(0)
    run, det = scaling.surrogate_run(train, valid, test, hidden=(8,), steps=640, seed=0, patience=1,
                                     learning_rate=1e-2, details=True)
    curve = det["curve"]
    assert curve["step"].iloc[-1] == run["steps run"] <= 640 and run["steps run"] % 64 == 0
    assert run["compute (FLOPs)"] == scaling.training_flops(run["parameters"], run["steps run"] * 256)
    np.testing.assert_allclose(curve["compute (FLOPs)"], 6 * run["parameters"] * curve["step"] * 256)
    assert run["validation RMSE (bp)"] == pytest.approx(curve["validation RMSE (bp)"].min())
    assert run["best step"] == curve["step"].iloc[int(curve["validation RMSE (bp)"].argmin())]
    # the kept weights are those of the best step: their test error is the reported one
    err = options.pricing_errors(test["price"], det["test predictions"])
    assert err["rmse"] == pytest.approx(run["test RMSE (bp)"])
    assert det["test predictions"].shape == (len(test),)


def test_surrogate_run_is_repeatable(option_sets):
    train, valid, test = option_sets
    runs = []
    for _ in range(2):
        repro.set_seed(5)
        runs.append(scaling.surrogate_run(train, valid, test, hidden=(4,), steps=20, seed=5))
    assert runs[0] == runs[1]


def test_surrogate_run_errors(option_sets):
    train, valid, test = option_sets
    with pytest.raises(ValueError, match="lacks columns"):
        scaling.surrogate_run(train.drop(columns="rate"), valid, test, hidden=(4,), steps=5)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        scaling.surrogate_run(train, valid, test, hidden=(4,), steps=0)
    with pytest.raises(TypeError, match="DataFrame"):
        scaling.surrogate_run(train.to_numpy(), valid, test, hidden=(4,), steps=5)
    with pytest.raises(ValueError, match="learning_rate must be a positive"):
        scaling.surrogate_run(train, valid, test, hidden=(4,), steps=5, learning_rate=0.0)
    with pytest.raises(ValueError, match="patience must be a positive"):
        scaling.surrogate_run(train, valid, test, hidden=(4,), steps=5, patience=0)


def test_polynomial_run_counts_coefficients_and_improves_with_degree(option_sets):
    train, _, test = option_sets
    runs = [scaling.polynomial_run(train, test, d) for d in (1, 2, 4)]
    assert [r["parameters"] for r in runs] == [math.comb(4 + d, d) for d in (1, 2, 4)] == [5, 15, 70]
    errors = [r["test RMSE (bp)"] for r in runs]
    assert errors[0] > errors[1] > errors[2]


# --------------------------------------------------------------------------- credit default
def test_fold_aucs_match_scikit_learn():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=60)})
    y = (X["x"] + rng.normal(size=60) > 0).astype(int).to_numpy()
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    rule = lambda Xtr, ytr, Xte: 1 / (1 + np.exp(-Xte["x"].to_numpy()))  # noqa: E731
    aucs = scaling.fold_aucs(rule, X, y, splits)
    expected = [roc_auc_score(y[te], X["x"].to_numpy()[te]) for _, te in splits]
    np.testing.assert_allclose(aucs.to_numpy(), expected, rtol=1e-12)
    assert aucs.index.tolist() == [0, 1, 2]


@pytest.fixture(scope="module")
def german():
    credit = data.german_credit()
    return credit.drop(columns="class"), features.binary_target(credit["class"].astype(str), "bad")


def test_logistic_fit_predict_equals_the_pipeline(german):
    X, y = german
    p = scaling.logistic_fit_predict(X.iloc[:800], y[:800], X.iloc[800:], C=0.5)
    ref = make_pipeline(sc.schema_preprocessor(X.iloc[:800]), LogisticRegression(C=0.5, max_iter=5000))
    np.testing.assert_allclose(p, ref.fit(X.iloc[:800], y[:800]).predict_proba(X.iloc[800:])[:, 1])
    with pytest.raises(ValueError, match="C .* must be positive"):
        scaling.logistic_fit_predict(X.iloc[:800], y[:800], X.iloc[800:], C=0.0)


def test_boosting_fit_predict_gives_repeatable_probabilities(german):
    X, y = german
    p1 = scaling.boosting_fit_predict(X.iloc[:800], y[:800], X.iloc[800:], seed=3)
    p2 = scaling.boosting_fit_predict(X.iloc[:800], y[:800], X.iloc[800:], seed=3)
    assert p1.shape == (200,) and ((p1 > 0) & (p1 < 1)).all()
    np.testing.assert_array_equal(p1, p2)
    assert roc_auc_score(y[800:], p1) > 0.6  # better than chance on held-out applicants
