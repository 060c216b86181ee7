"""Losses, gradient descent and backpropagation written out in NumPy.

The chapter on deep-learning basics builds every step of training by hand so
that it can be inspected and checked: the loss functions and their gradients,
logistic regression fitted by plain (full-batch) gradient descent, and the
forward and backward pass of a two-layer network, verified against central
finite differences and against TensorFlow's automatic differentiation.

Conventions: ``X`` is an ``(n, d)`` float array of features (one row per
applicant), ``y`` a length-``n`` array of 0/1 labels (1 = the event, e.g.
default), ``z`` a logit (log-odds) and ``p = sigmoid(z)`` a probability. Every
loss is a *mean* over the ``n`` rows, in nats for the cross-entropy.

Example
-------
>>> import numpy as np
>>> X = np.zeros((4, 1)); y = np.array([0, 0, 0, 1])  # no information: p = base rate
>>> fit = logistic_regression_gd(X, y, learning_rate=4.0)
>>> bool(fit.converged), round(fit.intercept, 4), round(float(np.log(1 / 3)), 4)
(True, -1.0986, -1.0986)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

__all__ = [
    "ACTIVATIONS",
    "GradientDescentResult",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "central_difference_gradient",
    "init_two_layer",
    "logistic_loss_and_gradient",
    "logistic_regression_gd",
    "logistic_smoothness",
    "logit_gradient",
    "mean_squared_error",
    "relative_error",
    "sigmoid",
    "two_layer_backward",
    "two_layer_forward",
    "two_layer_gradients_tape",
    "two_layer_loss",
]

#: Hidden-layer activations the two-layer network supports.
ACTIVATIONS: tuple[str, ...] = ("relu", "tanh")
_PARAM_NAMES: tuple[str, ...] = ("W1", "b1", "W2", "b2")
_LOSSES: tuple[str, ...] = ("cross_entropy", "mse")


# --------------------------------------------------------------------------- validation
def _features(X: object) -> np.ndarray:
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"X must be a 2-D array (rows x features), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"X must be finite, found {int((~np.isfinite(arr)).sum())} NaN/inf value(s)")
    return arr


def _labels(y: object, n: int | None = None) -> np.ndarray:
    arr = np.asarray(y, dtype=np.float64).reshape(-1)
    bad = np.setdiff1d(np.unique(arr), [0.0, 1.0])
    if bad.size:
        raise ValueError(f"y must contain only 0 and 1 (1 = the event), found {bad[:5].tolist()}")
    if n is not None and len(arr) != n:
        raise ValueError(f"X and y must have the same number of rows, got {n} and {len(arr)}")
    return arr


def _pair(y: object, other: object, name: str) -> tuple[np.ndarray, np.ndarray]:
    yy = np.asarray(y, dtype=np.float64).reshape(-1)
    oo = np.asarray(other, dtype=np.float64).reshape(-1)
    if len(yy) != len(oo):
        raise ValueError(f"y and {name} must have the same length, got {len(yy)} and {len(oo)}")
    if len(yy) == 0:
        raise ValueError(f"y and {name} are empty")
    return yy, oo


def _activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")
    return name


def _params(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    missing = [k for k in _PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params must hold {list(_PARAM_NAMES)}, missing {missing}")
    out = {k: np.asarray(params[k], dtype=np.float64) for k in _PARAM_NAMES}
    d, h = out["W1"].shape if out["W1"].ndim == 2 else (None, None)
    expected = {"W1": (d, h), "b1": (h,), "W2": (h, 1), "b2": (1,)}
    if d is None:
        raise ValueError(f"W1 must be 2-D (inputs x hidden units), got shape {out['W1'].shape}")
    for k, shape in expected.items():
        if out[k].shape != shape:
            raise ValueError(f"{k} must have shape {shape} to match W1 {out['W1'].shape}, "
                             f"got {out[k].shape}")
    return out


# --------------------------------------------------------------------------- losses
def sigmoid(z: object) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-z)), computed without overflow.

    Maps a logit (log-odds) to a probability in (0, 1).

    Example
    -------
    >>> sigmoid(np.array([0.0, np.log(3.0)])).tolist()
    [0.5, 0.75]
    """
    return expit(np.asarray(z, dtype=np.float64))


def mean_squared_error(y: object, p: object) -> float:
    """Mean squared error mean((p - y)^2) of predictions ``p`` of targets ``y``.

    Example
    -------
    >>> mean_squared_error([0, 1], [0.5, 0.5])
    0.25
    """
    yy, pp = _pair(y, p, "p")
    return float(np.mean((pp - yy) ** 2))


def binary_cross_entropy(y: object, p: object, eps: float = 1e-15) -> float:
    """Mean binary cross-entropy -mean(y log p + (1 - y) log(1 - p)), in nats.

    ``p`` must be probabilities in [0, 1]; they are clipped to [eps, 1 - eps]
    so that a confident mistake costs -log(eps) rather than infinity. It is
    minus the average Bernoulli log-likelihood of the labels under ``p``.

    Example
    -------
    >>> round(binary_cross_entropy([1, 0], [0.5, 0.5]), 6)  # log 2
    0.693147
    """
    yy, pp = _pair(y, p, "p")
    _labels(yy)
    outside = pp[(pp < 0) | (pp > 1) | np.isnan(pp)]
    if outside.size:
        raise ValueError(f"p must be probabilities in [0, 1], found {outside[:5].tolist()}")
    pp = np.clip(pp, eps, 1 - eps)
    return float(-np.mean(yy * np.log(pp) + (1 - yy) * np.log1p(-pp)))


def binary_cross_entropy_with_logits(y: object, z: object) -> float:
    """Mean binary cross-entropy computed from logits ``z`` (p = sigmoid(z)), in nats.

    Uses log(1 + exp(z)) - y z, which is exact for any finite ``z``: no
    probability is ever rounded to 0 or 1, so no clipping is needed.

    Example
    -------
    >>> round(binary_cross_entropy_with_logits([1], [0.0]), 6)  # log 2
    0.693147
    >>> round(binary_cross_entropy_with_logits([1], [-50.0]), 6)  # a confident mistake
    50.0
    """
    yy, zz = _pair(y, z, "z")
    _labels(yy)
    return float(np.mean(np.logaddexp(0.0, zz) - yy * zz))


def logit_gradient(y: object, z: object, loss: str = "cross_entropy") -> np.ndarray:
    """Derivative of each example's loss with respect to its logit ``z``.

    For p = sigmoid(z): cross-entropy gives ``p - y``; the squared error
    (p - y)^2 gives ``2 (p - y) p (1 - p)``, which vanishes when the sigmoid
    saturates (p near 0 or 1) even if the prediction is completely wrong.

    Example
    -------
    >>> logit_gradient([1], [0.0]).tolist(), logit_gradient([1], [0.0], "mse").tolist()
    ([-0.5], [-0.25])
    """
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
    yy, zz = _pair(y, z, "z")
    p = sigmoid(zz)
    if loss == "cross_entropy":
        return p - yy
    return 2.0 * (p - yy) * p * (1.0 - p)


# --------------------------------------------------------------------------- logistic regression
def logistic_loss_and_gradient(
    coef: object, intercept: float, X: object, y: object
) -> tuple[float, np.ndarray, float]:
    """Mean cross-entropy of logistic regression and its gradient.

    The model is p = sigmoid(X @ coef + intercept). Returns ``(loss,
    grad_coef, grad_intercept)`` with grad_coef = X^T (p - y) / n and
    grad_intercept = mean(p - y).

    Example
    -------
    >>> loss, g, g0 = logistic_loss_and_gradient(np.zeros(1), 0.0, np.array([[1.0], [-1.0]]), [1, 0])
    >>> round(loss, 6), g.tolist(), g0
    (0.693147, [-0.5], 0.0)
    """
    XX = _features(X)
    yy = _labels(y, len(XX))
    w = np.asarray(coef, dtype=np.float64).reshape(-1)
    if w.shape != (XX.shape[1],):
        raise ValueError(f"coef must have one entry per column of X ({XX.shape[1]}), got {w.shape}")
    return _logistic_loss_and_gradient(w, float(intercept), XX, yy)


def _logistic_loss_and_gradient(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray, float]:
    # the unchecked core, called once per step of gradient descent
    z = X @ w + b
    residual = expit(z) - y
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    return loss, X.T @ residual / len(X), float(residual.mean())


def logistic_smoothness(X: object) -> float:
    """The largest curvature L of the mean logistic loss over ``X`` (with an intercept).

    L = lambda_max(A^T A) / (4 n) with A = [1, X]: the Hessian of the mean
    cross-entropy is A^T diag(p(1-p)) A / n and p(1-p) <= 1/4. Gradient
    descent converges for any learning rate below 2 / L; 1 / L is the
    textbook safe choice.

    Example
    -------
    >>> round(logistic_smoothness(np.array([[1.0], [-1.0]])), 12)  # A^T A = 2 I
    0.25
    """
    XX = _features(X)
    A = np.column_stack([np.ones(len(XX)), XX])
    top = np.linalg.svd(A, compute_uv=False)[0]
    return float(top**2 / (4 * len(XX)))


@dataclass(frozen=True)
class GradientDescentResult:
    """A logistic regression fitted by gradient descent.

    ``loss_history[k]`` is the mean cross-entropy (nats) after ``k`` steps
    (entry 0 is the starting point); ``n_iter`` the number of steps taken;
    ``converged`` whether the gradient norm fell below the tolerance.
    """

    coef: np.ndarray
    intercept: float
    loss_history: np.ndarray
    n_iter: int
    converged: bool

    def decision_function(self, X: object) -> np.ndarray:
        """Logits X @ coef + intercept."""
        return _features(X) @ self.coef + self.intercept

    def predict_proba(self, X: object) -> np.ndarray:
        """Probabilities of the event, sigmoid(X @ coef + intercept)."""
        return sigmoid(self.decision_function(X))


def logistic_regression_gd(
    X: object,
    y: object,
    *,
    learning_rate: float,
    max_iter: int = 10_000,
    tol: float = 1e-10,
    loss: str = "cross_entropy",
    intercept0: float = 0.0,
) -> GradientDescentResult:
    """Fit an unpenalised logistic regression by full-batch gradient descent.

    Starts from zero coefficients and intercept ``intercept0`` and repeats
    w <- w - learning_rate * grad J(w) (intercept included) until the
    Euclidean norm of the gradient is below ``tol`` or ``max_iter`` steps have
    been taken. ``loss`` is the mean cross-entropy (nats, the default) or the
    mean squared error of the probabilities (``"mse"``), which is there to show
    why nobody uses it. Stops early, with ``converged=False``, if the loss
    becomes non-finite. Returns the trained weights and the loss after every step.

    Example
    -------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 1, 0, 1])
    >>> fit = logistic_regression_gd(X, y, learning_rate=1.0, max_iter=5000)
    >>> bool(fit.loss_history[0] > fit.loss_history[-1]), fit.n_iter < 5000
    (True, True)
    """
    XX = _features(X)
    yy = _labels(y, len(XX))
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if int(max_iter) != max_iter or max_iter < 0:
        raise ValueError(f"max_iter must be a non-negative integer, got {max_iter!r}")
    if not tol > 0:
        raise ValueError(f"tol must be positive, got {tol!r}")
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
    if not np.isfinite(intercept0):
        raise ValueError(f"intercept0 must be a finite number, got {intercept0!r}")
    step_of = _logistic_loss_and_gradient if loss == "cross_entropy" else _squared_loss_and_gradient
    w = np.zeros(XX.shape[1])
    b = float(intercept0)
    history = []
    converged = False
    steps = 0
    for steps in range(int(max_iter) + 1):  # noqa: B007 - steps is reported after the loop
        value, g, g0 = step_of(w, b, XX, yy)
        history.append(value)
        if not np.isfinite(value):
            break
        if np.sqrt(g @ g + g0 * g0) < tol:
            converged = True
            break
        if steps == max_iter:
            break
        w = w - learning_rate * g
        b = b - learning_rate * g0
    return GradientDescentResult(w, float(b), np.asarray(history), steps, converged)


def _squared_loss_and_gradient(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray, float]:
    # mean (sigmoid(z) - y)^2 and its gradient 2 (p - y) p (1 - p) pushed through z = X w + b
    p = expit(X @ w + b)
    g = 2.0 * (p - y) * p * (1.0 - p)
    return float(np.mean((p - y) ** 2)), X.T @ g / len(X), float(g.mean())


# --------------------------------------------------------------------------- two-layer network
def init_two_layer(n_inputs: int, n_hidden: int, *, seed: int = 0) -> dict[str, np.ndarray]:
    """Random float64 weights of a network ``n_inputs`` -> ``n_hidden`` -> 1.

    Kernels are drawn from Glorot's uniform distribution (Keras's default),
    U(-a, a) with a = sqrt(6 / (fan_in + fan_out)); biases start at zero.
    Shapes follow Keras's ``Dense`` layers: W1 (d, h), b1 (h,), W2 (h, 1), b2 (1,).

    Example
    -------
    >>> {k: v.shape for k, v in init_two_layer(3, 4).items()}
    {'W1': (3, 4), 'b1': (4,), 'W2': (4, 1), 'b2': (1,)}
    """
    for name, value in (("n_inputs", n_inputs), ("n_hidden", n_hidden)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    rng = np.random.default_rng(seed)
    a1 = np.sqrt(6.0 / (n_inputs + n_hidden))
    a2 = np.sqrt(6.0 / (n_hidden + 1))
    return {
        "W1": rng.uniform(-a1, a1, size=(n_inputs, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.uniform(-a2, a2, size=(n_hidden, 1)),
        "b2": np.zeros(1),
    }


def _act(z: np.ndarray, activation: str) -> np.ndarray:
    return np.maximum(z, 0.0) if activation == "relu" else np.tanh(z)


def _act_derivative(z: np.ndarray, a: np.ndarray, activation: str) -> np.ndarray:
    # relu'(0) is taken as 0, as TensorFlow does
    return (z > 0).astype(np.float64) if activation == "relu" else 1.0 - a**2


def two_layer_forward(
    params: Mapping[str, np.ndarray], X: object, activation: str = "relu"
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Forward pass: z1 = X W1 + b1, a1 = act(z1), z2 = a1 W2 + b2, p = sigmoid(z2).

    Returns ``(p, cache)``: the length-n probabilities and the intermediate
    arrays (``X``, ``z1``, ``a1``, ``z2``) that the backward pass needs.

    Example
    -------
    >>> p, cache = two_layer_forward(init_two_layer(3, 4), np.zeros((2, 3)))
    >>> p.tolist(), sorted(cache)
    ([0.5, 0.5], ['X', 'a1', 'z1', 'z2'])
    """
    P = _params(params)
    XX = _features(X)
    _activation(activation)
    if XX.shape[1] != P["W1"].shape[0]:
        raise ValueError(f"X has {XX.shape[1]} columns but W1 expects {P['W1'].shape[0]} inputs")
    z1 = XX @ P["W1"] + P["b1"]
    a1 = _act(z1, activation)
    z2 = (a1 @ P["W2"] + P["b2"]).reshape(-1)
    return sigmoid(z2), {"X": XX, "z1": z1, "a1": a1, "z2": z2}


def two_layer_loss(
    params: Mapping[str, np.ndarray], X: object, y: object, activation: str = "relu"
) -> float:
    """Mean binary cross-entropy (nats) of the two-layer network on ``(X, y)``.

    Example
    -------
    >>> round(two_layer_loss(init_two_layer(3, 4), np.zeros((2, 3)), [0, 1]), 6)  # log 2
    0.693147
    """
    _, cache = two_layer_forward(params, X, activation)
    return binary_cross_entropy_with_logits(_labels(y, len(cache["X"])), cache["z2"])


def two_layer_backward(
    params: Mapping[str, np.ndarray],
    cache: Mapping[str, np.ndarray],
    y: object,
    activation: str = "relu",
) -> dict[str, np.ndarray]:
    """Backward pass: the gradient of the mean cross-entropy for every parameter.

    With n rows: delta2 = (p - y) / n; dW2 = a1^T delta2; db2 = sum(delta2);
    delta1 = (delta2 W2^T) * act'(z1); dW1 = X^T delta1; db1 = sum(delta1).
    ``cache`` is the second output of :func:`two_layer_forward`.

    Example
    -------
    >>> params = init_two_layer(3, 4); X = np.ones((2, 3))
    >>> p, cache = two_layer_forward(params, X)
    >>> {k: v.shape for k, v in two_layer_backward(params, cache, [0, 1]).items()}
    {'W1': (3, 4), 'b1': (4,), 'W2': (4, 1), 'b2': (1,)}
    """
    P = _params(params)
    _activation(activation)
    n = len(cache["X"])
    yy = _labels(y, n)
    delta2 = ((sigmoid(cache["z2"]) - yy) / n).reshape(-1, 1)
    delta1 = (delta2 @ P["W2"].T) * _act_derivative(cache["z1"], cache["a1"], activation)
    return {
        "W1": cache["X"].T @ delta1,
        "b1": delta1.sum(axis=0),
        "W2": cache["a1"].T @ delta2,
        "b2": delta2.sum(axis=0),
    }


def two_layer_gradients_tape(
    params: Mapping[str, np.ndarray], X: object, y: object, activation: str = "relu"
) -> dict[str, np.ndarray]:
    """The same gradients as :func:`two_layer_backward`, by TensorFlow's ``GradientTape``, in float64.

    An independent check of the hand-written backward pass: TensorFlow
    records the forward computation and differentiates it automatically.

    Example
    -------
    >>> g = two_layer_gradients_tape(init_two_layer(3, 4), np.ones((2, 3)), [0, 1])  # doctest: +SKIP
    >>> sorted(g)  # doctest: +SKIP
    ['W1', 'W2', 'b1', 'b2']
    """
    from finbook.repro import import_tensorflow  # noqa: PLC0415 - TensorFlow only when asked

    P = _params(params)
    XX = _features(X)
    yy = _labels(y, len(XX))
    _activation(activation)
    tf = import_tensorflow()
    variables = {k: tf.Variable(v, dtype=tf.float64) for k, v in P.items()}
    x = tf.constant(XX, dtype=tf.float64)
    labels = tf.constant(yy.reshape(-1, 1), dtype=tf.float64)
    act = tf.nn.relu if activation == "relu" else tf.tanh
    with tf.GradientTape() as tape:
        hidden = act(x @ variables["W1"] + variables["b1"])
        logits = hidden @ variables["W2"] + variables["b2"]
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
    grads = tape.gradient(loss, variables)
    return {k: grads[k].numpy() for k in _PARAM_NAMES}


# --------------------------------------------------------------------------- checking gradients
def central_difference_gradient(
    f: Callable[[dict[str, np.ndarray]], float],
    params: Mapping[str, np.ndarray],
    eps: float = 1e-6,
) -> dict[str, np.ndarray]:
    """Numerical gradient of a scalar function of named arrays by central differences.

    For each entry theta_i: (f(theta + eps e_i) - f(theta - eps e_i)) / (2 eps),
    whose error is O(eps^2) plus rounding of order machine-epsilon / eps. Costs
    two evaluations of ``f`` per parameter; ``params`` is not modified.

    Example
    -------
    >>> g = central_difference_gradient(lambda q: float(np.sum(q["x"] ** 2)), {"x": np.array([1.0, -2.0])})
    >>> np.round(g["x"], 6).tolist()
    [2.0, -4.0]
    """
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    work = {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}
    grads = {}
    for name, arr in work.items():
        g = np.zeros_like(arr)
        flat, gflat = arr.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = f(work)
            flat[i] = old - eps
            down = f(work)
            flat[i] = old
            gflat[i] = (up - down) / (2 * eps)
        grads[name] = g
    return grads


def relative_error(a: object, b: object) -> float:
    """Relative difference ||a - b|| / (||a|| + ||b||) of two gradients (Euclidean norms).

    ``a`` and ``b`` are arrays of the same shape, or mappings with the same
    keys (all arrays are then compared together). 0 means identical, about
    1e-16 agreement to float64 rounding, 1 means unrelated. Two zero gradients
    have relative error 0.

    Example
    -------
    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    >>> relative_error({"w": np.array([1.0])}, {"w": np.array([3.0])})
    0.5
    """
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        if not (isinstance(a, Mapping) and isinstance(b, Mapping)) or set(a) != set(b):
            raise ValueError("relative_error needs two arrays or two mappings with the same keys, got "
                             f"{sorted(a) if isinstance(a, Mapping) else type(a).__name__} and "
                             f"{sorted(b) if isinstance(b, Mapping) else type(b).__name__}")
        keys = sorted(a)
        aa = np.concatenate([np.asarray(a[k], dtype=np.float64).reshape(-1) for k in keys])
        bb = np.concatenate([np.asarray(b[k], dtype=np.float64).reshape(-1) for k in keys])
        if aa.shape != bb.shape:
            raise ValueError(f"the arrays of a and b differ in size: {aa.size} and {bb.size} entries")
    else:
        aa, bb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if aa.shape != bb.shape:
            raise ValueError(f"a and b must have the same shape, got {aa.shape} and {bb.shape}")
    scale = np.linalg.norm(aa) + np.linalg.norm(bb)
    return 0.0 if scale == 0 else float(np.linalg.norm(aa - bb) / scale)
