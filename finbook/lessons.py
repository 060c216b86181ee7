"""Definitions taught in the chapters, exported for reuse by later chapters.

GENERATED FROM THE CHAPTERS by ``python -m finbook export``; do not edit: change the
chapter's cell marked ``# @save`` and export again (a test fails when this file and
the chapters disagree). Each block names the chapter and cell it comes from; each
definition's docstring names the chapter that teaches it.
"""

# ruff: noqa: E402, F811, I001

# ----------------------------------------------------------------------
# chapters/03_deep_learning_basics.py, code cell 5
import numpy as np
from scipy.special import expit

from finbook.checks import check_labels, check_pair, check_probabilities


def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)) of eq. dl-sigmoid, without overflow (chapter 3)."""
    return expit(np.asarray(z, dtype=np.float64))


def mean_squared_error(y, p):
    """Mean squared error mean((p - y)^2) of eq. dl-mse (chapter 3)."""
    y, p = check_pair(y, p, "p")
    return float(np.mean((p - y) ** 2))


def binary_cross_entropy(y, p, eps=1e-15):
    """Mean binary cross-entropy of eq. dl-ce, in nats, from probabilities p (chapter 3).

    p is clipped to [eps, 1 - eps], so a confident mistake costs -log(eps), not infinity.
    """
    y, p = check_pair(y, p, "p")
    check_labels(y)
    p = np.clip(check_probabilities(p), eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def binary_cross_entropy_with_logits(y, z):
    """Mean binary cross-entropy, in nats, from logits z, p = sigmoid(z) (chapter 3).

    log(1 + e^z) - y z is exact for any finite z: no probability is rounded to 0 or 1.
    """
    y, z = check_pair(y, z, "z")
    check_labels(y)
    return float(np.mean(np.logaddexp(0.0, z) - y * z))

# ----------------------------------------------------------------------
# chapters/03_deep_learning_basics.py, code cell 8
from finbook.checks import check_choice, check_pair

LOSSES = ("cross_entropy", "mse")  # the two losses of eqs. dl-ce and dl-mse


def logit_gradient(y, z, loss="cross_entropy"):
    """Derivative of each example's loss with respect to its logit z, eq. dl-logit-grad (chapter 3).

    With p = sigmoid(z): cross-entropy gives p - y; the squared error 2 (p - y) p (1 - p), which
    vanishes when the sigmoid saturates (p near 0 or 1) even if the prediction is completely wrong.
    """
    check_choice(loss, LOSSES, "loss")
    y, z = check_pair(y, z, "z")
    p = sigmoid(z)
    if loss == "cross_entropy":
        return p - y
    return 2.0 * (p - y) * p * (1.0 - p)

# ----------------------------------------------------------------------
# chapters/03_deep_learning_basics.py, code cell 11
import numpy as np
from scipy.special import expit

from finbook.checks import check_features, check_labels


def _logistic_loss_and_gradient(w, b, X, y):
    """Mean cross-entropy of p = sigmoid(X w + b) and its gradient, eq. dl-lr-grad (chapter 3).

    Returns (loss, gradient for w, derivative for b); the inputs are not checked.
    """
    z = X @ w + b
    residual = expit(z) - y  # p - y
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    return loss, X.T @ residual / len(X), float(residual.mean())


def _squared_loss_and_gradient(w, b, X, y):
    """Mean squared error of p = sigmoid(X w + b) and its gradient, by eq. dl-logit-grad (chapter 3)."""
    p = expit(X @ w + b)
    g = 2.0 * (p - y) * p * (1.0 - p)
    return float(np.mean((p - y) ** 2)), X.T @ g / len(X), float(g.mean())


def logistic_loss_and_gradient(coef, intercept, X, y):
    """Mean cross-entropy of logistic regression and its gradient, inputs checked (chapter 3)."""
    X = check_features(X)
    y = check_labels(y, len(X))
    w = np.asarray(coef, dtype=np.float64).reshape(-1)
    if w.shape != (X.shape[1],):
        raise ValueError(f"coef must have one entry per column of X ({X.shape[1]}), got {w.shape}")
    return _logistic_loss_and_gradient(w, float(intercept), X, y)

# ----------------------------------------------------------------------
# chapters/03_deep_learning_basics.py, code cell 12
from dataclasses import dataclass

import numpy as np

from finbook.checks import check_choice, check_features, check_gd_settings, check_labels


@dataclass(frozen=True)
class GradientDescentResult:
    """A logistic regression fitted by gradient descent (chapter 3).

    loss_history[k] is the mean loss after k steps (entry 0 is the start), n_iter the number of
    steps taken, converged whether the gradient's norm fell below the tolerance.
    """

    coef: np.ndarray
    intercept: float
    loss_history: np.ndarray
    n_iter: int
    converged: bool

    def decision_function(self, X):
        """Logits X @ coef + intercept."""
        return check_features(X) @ self.coef + self.intercept

    def predict_proba(self, X):
        """Probabilities of the event, sigmoid(X @ coef + intercept)."""
        return sigmoid(self.decision_function(X))


def logistic_regression_gd(X, y, *, learning_rate, max_iter=10_000, tol=1e-10, loss="cross_entropy",
                           intercept0=0.0):
    """Fit an unpenalised logistic regression by full-batch gradient descent, eq. dl-gd (chapter 3).

    Starts from zero coefficients and intercept intercept0; stops when the gradient's norm is below
    tol (converged), after max_iter steps, or when the loss is no longer finite. loss is the mean
    cross-entropy or "mse", the squared error of the probabilities, there to show why nobody uses it.
    """
    X = check_features(X)
    y = check_labels(y, len(X))
    check_gd_settings(learning_rate=learning_rate, max_iter=max_iter, tol=tol, intercept0=intercept0)
    check_choice(loss, LOSSES, "loss")
    loss_and_gradient = (_logistic_loss_and_gradient if loss == "cross_entropy"
                         else _squared_loss_and_gradient)
    w, b = np.zeros(X.shape[1]), float(intercept0)
    history, converged = [], False
    for step in range(int(max_iter) + 1):
        value, g_w, g_b = loss_and_gradient(w, b, X, y)
        history.append(value)
        if not np.isfinite(value):
            break
        if np.sqrt(g_w @ g_w + g_b * g_b) < tol:  # the gradient's Euclidean norm
            converged = True
            break
        if step == max_iter:
            break
        w = w - learning_rate * g_w
        b = b - learning_rate * g_b
    return GradientDescentResult(w, float(b), np.asarray(history), step, converged)

# ----------------------------------------------------------------------
# chapters/03_deep_learning_basics.py, code cell 13
import numpy as np

from finbook.checks import check_features


def logistic_smoothness(X):
    """The curvature bound L = lambda_max(A^T A) / (4 n), A = [1, X], of the logistic loss (chapter 3).

    Gradient descent on the mean cross-entropy converges for any learning rate below 2 / L.
    """
    X = check_features(X)
    A = np.column_stack([np.ones(len(X)), X])
    top = np.linalg.svd(A, compute_uv=False)[0]
    return float(top**2 / (4 * len(X)))

# ----------------------------------------------------------------------
# chapters/03_deep_learning_basics.py, code cell 18
import numpy as np

from finbook.checks import check_choice, check_features, check_labels, check_two_layer_params

ACTIVATIONS = ("relu", "tanh")  # the hidden layer's activation: max(z, 0) or tanh(z)


def init_two_layer(n_inputs, n_hidden, *, seed=0):
    """Random float64 weights of a network n_inputs -> n_hidden -> 1 (chapter 3).

    Kernels are drawn from Glorot's uniform distribution U(-a, a), a = sqrt(6 / (fan_in + fan_out)),
    as in Keras; biases start at zero. Shapes as in Keras: W1 (d, h), b1 (h,), W2 (h, 1), b2 (1,).
    """
    for name, value in (("n_inputs", n_inputs), ("n_hidden", n_hidden)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    rng = np.random.default_rng(seed)
    a1, a2 = np.sqrt(6.0 / (n_inputs + n_hidden)), np.sqrt(6.0 / (n_hidden + 1))
    return {"W1": rng.uniform(-a1, a1, size=(n_inputs, n_hidden)), "b1": np.zeros(n_hidden),
            "W2": rng.uniform(-a2, a2, size=(n_hidden, 1)), "b2": np.zeros(1)}


def _act(z, activation):
    """The hidden layer's activation, relu or tanh (chapter 3)."""
    return np.maximum(z, 0.0) if activation == "relu" else np.tanh(z)


def two_layer_forward(params, X, activation="relu"):
    """Forward pass of eq. dl-forward (chapter 3).

    Returns the probabilities p and the cache (X, z1, a1, z2) that the backward pass needs.
    """
    P, X = check_two_layer_params(params), check_features(X)
    check_choice(activation, ACTIVATIONS, "activation")
    if X.shape[1] != P["W1"].shape[0]:
        raise ValueError(f"X has {X.shape[1]} columns but W1 expects {P['W1'].shape[0]} inputs")
    z1 = X @ P["W1"] + P["b1"]
    a1 = _act(z1, activation)
    z2 = (a1 @ P["W2"] + P["b2"]).reshape(-1)
    return sigmoid(z2), {"X": X, "z1": z1, "a1": a1, "z2": z2}


def two_layer_loss(params, X, y, activation="relu"):
    """Mean binary cross-entropy (nats) of the two-layer network on (X, y) (chapter 3)."""
    _, cache = two_layer_forward(params, X, activation)
    return binary_cross_entropy_with_logits(check_labels(y, len(cache["X"])), cache["z2"])

# ----------------------------------------------------------------------
# chapters/03_deep_learning_basics.py, code cell 19
import numpy as np

from finbook.checks import check_choice, check_labels, check_two_layer_params


def _act_derivative(z, a, activation):
    """Derivative of the activation at z, given a = act(z); relu'(0) = 0, as in TensorFlow (chapter 3)."""
    return (z > 0).astype(np.float64) if activation == "relu" else 1.0 - a**2


def two_layer_backward(params, cache, y, activation="relu"):
    """Backward pass of eq. dl-backward: the gradient of the mean cross-entropy (chapter 3).

    cache is the second output of two_layer_forward; returns one gradient per weight array.
    """
    P = check_two_layer_params(params)
    check_choice(activation, ACTIVATIONS, "activation")
    n = len(cache["X"])
    y = check_labels(y, n)
    delta2 = ((sigmoid(cache["z2"]) - y) / n).reshape(-1, 1)
    delta1 = (delta2 @ P["W2"].T) * _act_derivative(cache["z1"], cache["a1"], activation)
    return {"W1": cache["X"].T @ delta1, "b1": delta1.sum(axis=0),
            "W2": cache["a1"].T @ delta2, "b2": delta2.sum(axis=0)}

# ----------------------------------------------------------------------
# chapters/03_deep_learning_basics.py, code cell 20
import numpy as np

from finbook.checks import check_gradients


def central_difference_gradient(f, params, eps=1e-6):
    """Numerical gradient of a scalar function f of named arrays, by central differences (chapter 3).

    Entry i is (f(theta + eps e_i) - f(theta - eps e_i)) / (2 eps), two evaluations of f per
    parameter; its error is O(eps^2) plus rounding of order 1e-16 / eps. params is not modified.
    """
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    work = {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}
    grads = {}
    for name, arr in work.items():
        g = np.zeros_like(arr)
        flat, g_flat = arr.reshape(-1), g.reshape(-1)  # views: setting flat[i] moves work[name]
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = f(work)
            flat[i] = old - eps
            down = f(work)
            flat[i] = old
            g_flat[i] = (up - down) / (2 * eps)
        grads[name] = g
    return grads


def relative_error(a, b):
    """Relative difference ||a - b|| / (||a|| + ||b||) of two gradients, Euclidean norms (chapter 3).

    a and b are arrays of one shape, or mappings with the same keys (compared all together). 0 means
    identical, about 1e-16 agreement to float64 rounding, 1 unrelated; two zero gradients give 0.
    """
    a, b = check_gradients(a, b)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)

# ----------------------------------------------------------------------
# chapters/03_deep_learning_basics.py, code cell 21
from finbook.checks import check_choice, check_features, check_labels, check_two_layer_params
from finbook.repro import import_tensorflow


def two_layer_gradients_tape(params, X, y, activation="relu"):
    """The gradients of two_layer_backward, by TensorFlow's GradientTape, in float64 (chapter 3)."""
    P = check_two_layer_params(params)
    X = check_features(X)
    y = check_labels(y, len(X))
    check_choice(activation, ACTIVATIONS, "activation")
    tf = import_tensorflow()
    weights = {k: tf.Variable(v, dtype=tf.float64) for k, v in P.items()}
    x = tf.constant(X, dtype=tf.float64)
    labels = tf.constant(y.reshape(-1, 1), dtype=tf.float64)
    act = tf.nn.relu if activation == "relu" else tf.tanh
    with tf.GradientTape() as tape:
        hidden = act(x @ weights["W1"] + weights["b1"])
        logits = hidden @ weights["W2"] + weights["b2"]
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
    grads = tape.gradient(loss, weights)
    return {k: grads[k].numpy() for k in ("W1", "b1", "W2", "b2")}
