"""Chapter 3's losses, gradient descent and backpropagation against hand values and references.

The code is written in chapters/03_deep_learning_basics.py (cells marked '# @save') and
imported here from finbook.lessons; its input checks are in finbook.checks. The gradient
checks are the chapter's claims made executable: the hand-written
backward pass must agree with central finite differences (relative error
< 1e-7) and with TensorFlow's automatic differentiation in float64 (< 1e-10)
on random inputs and weights.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss as sk_log_loss

from finbook import lessons as gr

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def _random_problem(seed: int, n: int = 9, d: int = 5, h: int = 4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, 2, size=n)
    params = {"W1": rng.normal(size=(d, h)), "b1": rng.normal(size=h),
              "W2": rng.normal(size=(h, 1)), "b2": rng.normal(size=1)}
    return X, y, params


# --------------------------------------------------------------------------- losses
def test_sigmoid_known_values_and_no_overflow():
    assert gr.sigmoid(0.0) == 0.5
    assert gr.sigmoid(np.log(3.0)) == pytest.approx(0.75)  # odds 3 -> probability 3/4
    with np.errstate(all="raise"):
        out = gr.sigmoid(np.array([-1000.0, 1000.0]))
    assert out.tolist() == [0.0, 1.0]


@given(st.floats(min_value=-30, max_value=30))
def test_sigmoid_is_symmetric(z):
    assert gr.sigmoid(-z) == pytest.approx(1.0 - gr.sigmoid(z), abs=1e-15)


def test_losses_by_hand():
    assert gr.mean_squared_error([0, 1], [0.5, 0.5]) == 0.25
    assert gr.mean_squared_error([1.0, 2.0], [1.5, 1.0]) == pytest.approx((0.25 + 1.0) / 2)
    assert gr.binary_cross_entropy([1, 0], [0.5, 0.5]) == pytest.approx(np.log(2))
    assert gr.binary_cross_entropy([1], [0.8]) == pytest.approx(-np.log(0.8))


def test_cross_entropy_is_minus_the_mean_bernoulli_log_likelihood():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.01, 0.99, size=50)
    y = rng.integers(0, 2, size=50)
    assert gr.binary_cross_entropy(y, p) == pytest.approx(-stats.bernoulli.logpmf(y, p).mean())
    assert gr.binary_cross_entropy(y, p) == pytest.approx(sk_log_loss(y, p))


@given(SEEDS)
@settings(max_examples=25)
def test_cross_entropy_from_logits_matches_probabilities(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=5, size=20)
    y = rng.integers(0, 2, size=20)
    assert gr.binary_cross_entropy_with_logits(y, z) == pytest.approx(
        gr.binary_cross_entropy(y, gr.sigmoid(z)), rel=1e-10)


def test_cross_entropy_from_logits_is_exact_where_probabilities_round_off():
    # sigmoid(-800) underflows to 0, but the loss of a confident mistake is exactly 800 nats
    assert gr.binary_cross_entropy_with_logits([1], [-800.0]) == 800.0
    assert gr.binary_cross_entropy_with_logits([0], [-800.0]) == 0.0


def test_logit_gradient_by_hand():
    assert gr.logit_gradient([1, 0], [0.0, 0.0]).tolist() == [-0.5, 0.5]
    # MSE through a sigmoid at z = 0: 2 (0.5 - 1) * 0.5 * 0.5
    assert gr.logit_gradient([1], [0.0], "mse").tolist() == [-0.25]


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_logit_gradient_matches_finite_differences(loss):
    y = np.array([1.0, 0.0, 1.0, 0.0])
    z = np.array([-3.0, -0.5, 0.7, 4.0])

    def per_example(zz):
        p = gr.sigmoid(zz)
        if loss == "mse":
            return (p - y) ** 2
        return np.logaddexp(0.0, zz) - y * zz

    eps = 1e-6
    numeric = (per_example(z + eps) - per_example(z - eps)) / (2 * eps)
    np.testing.assert_allclose(gr.logit_gradient(y, z, loss), numeric, rtol=1e-7, atol=1e-10)


def test_mse_gradient_vanishes_on_a_confident_mistake_and_cross_entropy_does_not():
    # y = 1 but z = -10 (p ~ 4.5e-5): cross-entropy pushes with ~1, squared error with ~1e-4
    ce = abs(gr.logit_gradient([1], [-10.0])[0])
    mse = abs(gr.logit_gradient([1], [-10.0], "mse")[0])
    assert ce > 0.999
    assert mse < 1e-4


@pytest.mark.parametrize(("call", "match"), [
    (lambda: gr.binary_cross_entropy([0, 2], [0.1, 0.2]), r"only 0 and 1.*\[2.0\]"),
    (lambda: gr.binary_cross_entropy([0, 1], [0.1, 1.5]), r"probabilities in \[0, 1\], found \[1.5\]"),
    (lambda: gr.mean_squared_error([0, 1], [0.1]), "same length, got 2 and 1"),
    (lambda: gr.logit_gradient([1], [0.0], "hinge"), "loss must be one of .* got 'hinge'"),
    (lambda: gr.binary_cross_entropy_with_logits([], []), "empty"),
])
def test_loss_errors_name_the_bad_value(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------- logistic regression
def test_logistic_loss_and_gradient_at_zero_by_hand():
    X = np.array([[1.0, 2.0], [-1.0, 0.0], [3.0, 1.0]])
    y = np.array([1, 0, 0])
    loss, g, g0 = gr.logistic_loss_and_gradient(np.zeros(2), 0.0, X, y)
    assert loss == pytest.approx(np.log(2))
    # p = 1/2 everywhere: grad = X^T (1/2 - y) / 3
    np.testing.assert_allclose(g, X.T @ (0.5 - y) / 3)
    assert g0 == pytest.approx(0.5 - 1 / 3)


@given(SEEDS)
@settings(max_examples=20)
def test_logistic_gradient_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(12, 3)), rng.integers(0, 2, size=12)
    w, b = rng.normal(size=3), float(rng.normal())
    _, g, g0 = gr.logistic_loss_and_gradient(w, b, X, y)
    numeric = gr.central_difference_gradient(
        lambda q: gr.logistic_loss_and_gradient(q["w"], q["b"][0], X, y)[0],
        {"w": w, "b": np.array([b])})
    assert gr.relative_error({"w": g, "b": np.array([g0])}, numeric) < 1e-7


def test_smoothness_constant_by_hand():
    # A = [1, x] with x = (1, -1): A^T A = 2 I, so L = 2 / (4 * 2)
    assert gr.logistic_smoothness(np.array([[1.0], [-1.0]])) == pytest.approx(0.25)


@given(SEEDS)
@settings(max_examples=15)
def test_gradient_descent_with_step_one_over_L_never_increases_the_loss(seed):
    # the descent lemma: for an L-smooth loss and step 1/L every step lowers the loss
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 4)) * rng.uniform(0.1, 5, size=4)
    y = rng.integers(0, 2, size=40)
    fit = gr.logistic_regression_gd(X, y, learning_rate=1 / gr.logistic_smoothness(X), max_iter=200)
    assert np.all(np.diff(fit.loss_history) <= 1e-12)


def test_intercept_only_model_converges_to_the_log_odds_of_the_base_rate():
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0])  # base rate 0.2
    fit = gr.logistic_regression_gd(np.zeros((10, 1)), y, learning_rate=4.0)
    assert fit.converged
    assert fit.intercept == pytest.approx(np.log(0.2 / 0.8), abs=1e-9)
    # its loss is the entropy of a Bernoulli(0.2) variable, in nats
    assert fit.loss_history[-1] == pytest.approx(-(0.2 * np.log(0.2) + 0.8 * np.log(0.8)))


def test_gradient_descent_agrees_with_scikit_learn_unpenalised():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 4))
    z = X @ np.array([1.0, -0.5, 0.25, 0.0]) - 0.5
    y = (rng.uniform(size=300) < gr.sigmoid(z)).astype(int)
    fit = gr.logistic_regression_gd(X, y, learning_rate=1 / gr.logistic_smoothness(X),
                                    max_iter=50_000, tol=1e-12)
    sk = LogisticRegression(C=np.inf, solver="newton-cg", tol=1e-12, max_iter=1000).fit(X, y)
    assert fit.converged
    np.testing.assert_allclose(fit.coef, sk.coef_[0], atol=1e-8)
    assert fit.intercept == pytest.approx(sk.intercept_[0], abs=1e-8)
    np.testing.assert_allclose(fit.predict_proba(X), sk.predict_proba(X)[:, 1], atol=1e-9)


def test_too_large_a_learning_rate_makes_the_loss_go_up():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(100, 3)) * 3
    y = rng.integers(0, 2, size=100)
    L = gr.logistic_smoothness(X)
    fit = gr.logistic_regression_gd(X, y, learning_rate=50 / L, max_iter=50)
    assert not fit.converged
    assert fit.n_iter == 50 and len(fit.loss_history) == 51
    assert fit.loss_history.max() > fit.loss_history[0]  # worse than doing nothing


def test_squared_error_option_starts_where_it_should_and_has_the_right_gradient():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(30, 3)), rng.integers(0, 2, size=30)
    fit = gr.logistic_regression_gd(X, y, learning_rate=0.5, max_iter=1, loss="mse", intercept0=1.0)
    assert fit.loss_history[0] == pytest.approx(gr.mean_squared_error(y, np.full(30, gr.sigmoid(1.0))))
    # one step from (0, 1) moves along minus the finite-difference gradient of the MSE
    numeric = gr.central_difference_gradient(
        lambda q: gr.mean_squared_error(y, gr.sigmoid(X @ q["w"] + q["b"][0])),
        {"w": np.zeros(3), "b": np.array([1.0])})
    np.testing.assert_allclose(fit.coef, -0.5 * numeric["w"], rtol=1e-6)
    assert fit.intercept == pytest.approx(1.0 - 0.5 * numeric["b"][0], rel=1e-6)


def test_squared_error_stalls_from_a_saturated_start_and_cross_entropy_does_not():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(200, 3))
    y = (rng.uniform(size=200) < 0.3).astype(int)
    step = 1 / gr.logistic_smoothness(X)
    mse = gr.logistic_regression_gd(X, y, learning_rate=step, max_iter=50, loss="mse", intercept0=-8.0)
    ce = gr.logistic_regression_gd(X, y, learning_rate=step, max_iter=50, intercept0=-8.0)
    assert mse.loss_history[-1] > 0.99 * mse.loss_history[0]  # less than 1% progress
    assert ce.loss_history[-1] < 0.5 * ce.loss_history[0]  # more than half the loss gone


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"learning_rate": 0.0}, "learning_rate must be a positive number, got 0.0"),
    ({"learning_rate": -1.0}, "learning_rate must be a positive number"),
    ({"learning_rate": 0.1, "max_iter": -5}, "max_iter must be a non-negative integer, got -5"),
    ({"learning_rate": 0.1, "tol": 0.0}, "tol must be positive"),
    ({"learning_rate": 0.1, "loss": "hinge"}, "loss must be one of .* got 'hinge'"),
    ({"learning_rate": 0.1, "intercept0": np.inf}, "intercept0 must be a finite number, got inf"),
])
def test_gradient_descent_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gr.logistic_regression_gd(np.ones((3, 1)), [0, 1, 0], **kwargs)


def test_gradient_descent_rejects_bad_data():
    with pytest.raises(ValueError, match="same number of rows, got 3 and 2"):
        gr.logistic_regression_gd(np.ones((3, 1)), [0, 1], learning_rate=0.1)
    with pytest.raises(ValueError, match="2-D array"):
        gr.logistic_regression_gd(np.ones(3), [0, 1, 0], learning_rate=0.1)
    with pytest.raises(ValueError, match="NaN/inf"):
        gr.logistic_regression_gd(np.array([[1.0], [np.nan]]), [0, 1], learning_rate=0.1)
    with pytest.raises(ValueError, match="one entry per column of X"):
        gr.logistic_loss_and_gradient(np.zeros(3), 0.0, np.ones((2, 2)), [0, 1])


# --------------------------------------------------------------------------- two-layer network
@pytest.mark.parametrize("activation", ["relu", "tanh"])
@given(seed=SEEDS)
@settings(max_examples=20, deadline=None)
def test_backprop_matches_central_finite_differences(activation, seed):
    X, y, params = _random_problem(seed)
    _, cache = gr.two_layer_forward(params, X, activation)
    analytic = gr.two_layer_backward(params, cache, y, activation)
    numeric = gr.central_difference_gradient(lambda q: gr.two_layer_loss(q, X, y, activation), params)
    assert gr.relative_error(analytic, numeric) < 1e-7


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_backprop_matches_tensorflow_gradient_tape(activation, seed):
    X, y, params = _random_problem(seed, n=30, d=6, h=5)
    _, cache = gr.two_layer_forward(params, X, activation)
    analytic = gr.two_layer_backward(params, cache, y, activation)
    taped = gr.two_layer_gradients_tape(params, X, y, activation)
    assert gr.relative_error(analytic, taped) < 1e-10


def test_a_wrong_backward_pass_is_caught_by_the_check():
    # the check must be able to fail: drop the ReLU derivative and the error becomes large
    X, y, params = _random_problem(11)
    _, cache = gr.two_layer_forward(params, X, "relu")
    good = gr.two_layer_backward(params, cache, y, "relu")
    wrong = dict(good)
    delta2 = ((gr.sigmoid(cache["z2"]) - y) / len(X)).reshape(-1, 1)
    wrong["W1"] = X.T @ (delta2 @ params["W2"].T)  # relu'(z1) forgotten
    numeric = gr.central_difference_gradient(lambda q: gr.two_layer_loss(q, X, y), params)
    assert gr.relative_error(good, numeric) < 1e-7
    assert gr.relative_error(wrong, numeric) > 1e-3


def test_forward_pass_by_hand():
    params = {"W1": np.array([[1.0, -1.0]]), "b1": np.array([0.0, 0.5]),
              "W2": np.array([[2.0], [1.0]]), "b2": np.array([-1.0])}
    p, cache = gr.two_layer_forward(params, np.array([[1.0], [-1.0]]))
    # row 1: z1 = (1, -0.5) -> a1 = (1, 0) -> z2 = 2 - 1 = 1
    # row 2: z1 = (-1, 1.5) -> a1 = (0, 1.5) -> z2 = 1.5 - 1 = 0.5
    np.testing.assert_allclose(cache["z2"], [1.0, 0.5])
    np.testing.assert_allclose(p, gr.sigmoid(np.array([1.0, 0.5])))
    assert gr.two_layer_loss(params, np.array([[1.0], [-1.0]]), [1, 0]) == pytest.approx(
        (np.logaddexp(0, -1.0) + np.logaddexp(0, 0.5)) / 2)


def test_init_follows_glorot_uniform_and_is_seeded():
    params = gr.init_two_layer(60, 16, seed=5)
    assert np.abs(params["W1"]).max() <= np.sqrt(6 / 76)
    assert np.abs(params["W2"]).max() <= np.sqrt(6 / 17)
    assert not params["b1"].any() and not params["b2"].any()
    again = gr.init_two_layer(60, 16, seed=5)
    assert all(np.array_equal(params[k], again[k]) for k in params)


def test_numpy_network_computes_what_the_keras_network_computes():
    from finbook import models, repro

    repro.set_seed(0)
    net = models.mlp(n_inputs=4, hidden=(3,), output="sigmoid")
    params = dict(zip(["W1", "b1", "W2", "b2"], (w.astype(np.float64) for w in net.get_weights()),
                      strict=True))
    X = np.random.default_rng(0).normal(size=(10, 4))
    p, _ = gr.two_layer_forward(params, X)
    np.testing.assert_allclose(p, net.predict(X.astype("float32"), verbose=0).ravel(), atol=1e-6)


@pytest.mark.parametrize(("call", "match"), [
    (lambda p, X: gr.two_layer_forward(p, X, "sigmoid"), "activation must be one of .* got 'sigmoid'"),
    (lambda p, X: gr.two_layer_forward({k: v for k, v in p.items() if k != "b2"}, X),
     r"missing \['b2'\]"),
    (lambda p, X: gr.two_layer_forward({**p, "W2": np.ones((4, 2))}, X),
     r"W2 must have shape \(4, 1\).*got \(4, 2\)"),
    (lambda p, X: gr.two_layer_forward(p, X[:, :3]), "X has 3 columns but W1 expects 5 inputs"),
    (lambda p, X: gr.init_two_layer(0, 3), "n_inputs must be a positive integer, got 0"),
])
def test_network_errors_name_the_bad_value(call, match):
    X, _, params = _random_problem(0)
    with pytest.raises(ValueError, match=match):
        call(params, X)


# --------------------------------------------------------------------------- gradient checking tools
def test_central_differences_of_a_known_function_and_params_untouched():
    params = {"a": np.array([1.0, -2.0]), "B": np.array([[0.5, 3.0]])}
    before = {k: v.copy() for k, v in params.items()}
    # f = sum(a^3) + sum(B^2): gradient 3 a^2 and 2 B
    g = gr.central_difference_gradient(lambda q: float(np.sum(q["a"] ** 3) + np.sum(q["B"] ** 2)), params)
    np.testing.assert_allclose(g["a"], [3.0, 12.0], rtol=1e-8)
    np.testing.assert_allclose(g["B"], [[1.0, 6.0]], rtol=1e-8)
    assert all(np.array_equal(params[k], before[k]) for k in params)
    with pytest.raises(ValueError, match="eps must be a positive number, got 0"):
        gr.central_difference_gradient(lambda q: 0.0, params, eps=0)


def test_relative_error_by_hand_and_its_properties():
    assert gr.relative_error(np.array([3.0, 4.0]), np.array([3.0, 4.0])) == 0.0
    assert gr.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # ||(1,0) - (0,1)|| = sqrt 2, norms 1 + 1
    assert gr.relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(np.sqrt(2) / 2)
    assert gr.relative_error(np.array([1.0]), np.array([-1.0])) == 1.0
    a = {"x": np.array([1.0, 2.0]), "y": np.array([[3.0]])}
    b = {"x": np.array([1.0, 2.5]), "y": np.array([[3.0]])}
    assert gr.relative_error(a, b) == gr.relative_error(b, a)


def test_relative_error_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        gr.relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="same keys"):
        gr.relative_error({"a": np.zeros(2)}, {"b": np.zeros(2)})
    with pytest.raises(ValueError, match="same keys"):
        gr.relative_error({"a": np.zeros(2)}, np.zeros(2))
