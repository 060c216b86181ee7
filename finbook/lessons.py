"""Definitions taught in the chapters, exported for reuse by later chapters.

GENERATED FROM THE CHAPTERS by ``python -m finbook export``; do not edit: change the
chapter's cell marked ``# @save`` and export again (a test fails when this file and
the chapters disagree). Each block names the chapter and cell it comes from; each
definition's docstring names the chapter that teaches it.
"""

# ruff: noqa: E402, F811, I001

# ----------------------------------------------------------------------
# chapters/03_deep_learning_basics.py, code cell 7
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
# chapters/03_deep_learning_basics.py, code cell 12
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
# chapters/03_deep_learning_basics.py, code cell 16
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
# chapters/03_deep_learning_basics.py, code cell 17
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
# chapters/03_deep_learning_basics.py, code cell 18
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
# chapters/03_deep_learning_basics.py, code cell 26
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
# chapters/03_deep_learning_basics.py, code cell 27
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
# chapters/03_deep_learning_basics.py, code cell 28
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
# chapters/03_deep_learning_basics.py, code cell 29
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

# ----------------------------------------------------------------------
# chapters/04_cnn.py, code cell 13
from finbook.repro import import_tensorflow
from finbook.sequence import positive_int


def compile_forecaster(model, learning_rate=1e-2):
    """Prepare a forecaster for training (chapter 4): Adam on the mean squared error of its output.

    The rate 1e-2 suits the small networks of Part II, trained with batch size 256 and
    early stopping; lower it for larger models. Returns ``model``.
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    import_tensorflow()  # quietly, with the book's settings, before Keras
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mean_squared_error")
    return model


def conv1d_forecaster(lookback, n_features, *, filters=8, kernel_size=5, pool_size=2,
                      dense_units=16, learning_rate=1e-2):
    """A small 1-D CNN (chapter 4): Conv1D (ReLU) -> average pooling -> flatten -> Dense (ReLU) -> 1.

    Reads windows of ``lookback`` days (oldest first) of ``n_features`` inputs and returns a
    model compiled by :func:`compile_forecaster`. E.g. ``conv1d_forecaster(22, 2)`` has
    8*(5*2+1) + (9*8*16+16) + (16+1) = 1273 parameters.
    """
    lookback, n_features = positive_int(lookback, "lookback"), positive_int(n_features, "n_features")
    filters, kernel_size = positive_int(filters, "filters"), positive_int(kernel_size, "kernel_size")
    pool_size, dense_units = positive_int(pool_size, "pool_size"), positive_int(dense_units, "dense_units")
    if kernel_size > lookback:
        raise ValueError(f"kernel_size must be at most lookback={lookback}, got {kernel_size}")
    import_tensorflow()  # quietly, with the book's settings, before Keras
    import keras

    inputs = keras.Input(shape=(lookback, n_features), name="window")  # 1. the input window
    x = keras.layers.Conv1D(filters, kernel_size, activation="relu", name="conv")(inputs)  # 2. eq. conv1d
    x = keras.layers.AveragePooling1D(pool_size, name="pool")(x)  # 3. pooling halves the time axis
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense_units, activation="relu", name="dense")(x)  # 4. fully connected
    outputs = keras.layers.Dense(1, name="forecast")(x)  # next week's log variance (standardised)
    return compile_forecaster(keras.Model(inputs, outputs, name="conv1d_forecaster"), learning_rate)

# ----------------------------------------------------------------------
# chapters/05_rnn.py, code cell 5
import numpy as np  # noqa: F811  (imported again: this cell is exported on its own)


def rnn_jacobian_norms(inputs, recurrent_kernel, input_kernel, bias=None, h0=None):
    """Spectral norms of dh_T/dh_t, t = 0 ... T, of the RNN h_t = tanh(W h_{t-1} + U x_t + b) (chapter 5).

    ``inputs`` is (T, n_inputs); W = ``recurrent_kernel`` is (units, units) and U =
    ``input_kernel`` (units, n_inputs), acting on column vectors; h_0 = ``h0`` (default 0).
    Entry t is the norm of D_T W D_{T-1} W ... D_{t+1} W, D_k = diag(1 - h_k^2); entry T is 1.
    """
    x, w, u = (np.asarray(a, dtype=float) for a in (inputs, recurrent_kernel, input_kernel))
    if x.ndim != 2:
        raise ValueError(f"inputs must be 2-D (time steps, n_inputs), got shape {x.shape}")
    units = w.shape[0]
    if w.shape != (units, units):
        raise ValueError(f"recurrent_kernel must be square (units, units), got shape {w.shape}")
    if u.shape != (units, x.shape[1]):
        raise ValueError(f"input_kernel must have shape (units, n_inputs) = {(units, x.shape[1])}, "
                         f"got {u.shape}")
    b = np.zeros(units) if bias is None else np.asarray(bias, dtype=float).reshape(units)
    h = np.zeros(units) if h0 is None else np.asarray(h0, dtype=float).reshape(units)
    states = []
    for x_t in x:  # forward: h_1, ..., h_T
        h = np.tanh(w @ h + u @ x_t + b)
        states.append(h)
    jac, norms = np.eye(units), [1.0]
    for h_k in reversed(states):  # backward: k = T, ..., 1, multiplying D_k W on the right
        jac = jac @ (np.diag(1.0 - h_k**2) @ w)
        norms.append(float(np.linalg.norm(jac, 2)))
    return np.array(norms[::-1])

# ----------------------------------------------------------------------
# chapters/05_rnn.py, code cell 13
from finbook.lessons import compile_forecaster
from finbook.repro import import_tensorflow
from finbook.sequence import positive_int


def recurrent_forecaster(kind, lookback, n_features, *, units=16, learning_rate=1e-2):
    """One recurrent layer reads the window; its last state h_T feeds one linear unit (chapter 5).

    ``kind`` is "simple_rnn" (the tanh recurrence), "lstm" or "gru"; the output is
    v'h_T + c. Compiled by chapter 4's compile_forecaster (Adam, mean squared error).
    """
    lookback, n_features = positive_int(lookback, "lookback"), positive_int(n_features, "n_features")
    units = positive_int(units, "units")
    import_tensorflow()  # quietly, with the book's settings, before Keras
    import keras

    layers = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
    if kind not in layers:
        raise ValueError(f"kind must be one of {list(layers)}, got {kind!r}")
    inputs = keras.Input(shape=(lookback, n_features), name="window")  # x_1, ..., x_T
    h_last = layers[kind](units, name=kind)(inputs)  # runs the recurrence, returns h_T
    outputs = keras.layers.Dense(1, name="forecast")(h_last)  # v'h_T + c
    return compile_forecaster(keras.Model(inputs, outputs, name=f"{kind}_forecaster"), learning_rate)


def simple_rnn_forecaster(lookback, n_features, *, units=16, learning_rate=1e-2):
    """A plain tanh (Elman) RNN and a linear output (chapter 5): u(n_features + u + 1) + u + 1 parameters."""
    return recurrent_forecaster("simple_rnn", lookback, n_features, units=units, learning_rate=learning_rate)


def lstm_forecaster(lookback, n_features, *, units=16, learning_rate=1e-2):
    """An LSTM and a linear output (chapter 5): 4u(n_features + u + 1) + u + 1 parameters (u = units)."""
    return recurrent_forecaster("lstm", lookback, n_features, units=units, learning_rate=learning_rate)


def gru_forecaster(lookback, n_features, *, units=16, learning_rate=1e-2):
    """A GRU and a linear output (chapter 5): 3u(n_features + u + 2) + u + 1 parameters (u = units).

    Keras' GRU has separate input and recurrent biases (``reset_after=True``), hence the 2.
    """
    return recurrent_forecaster("gru", lookback, n_features, units=units, learning_rate=learning_rate)

# ----------------------------------------------------------------------
# chapters/06_autoencoders.py, code cell 12
import numpy as np

from finbook import curves, repro


def seeded_glorot(seed, layer):
    """Glorot-uniform initial weights for dense layer number ``layer`` (0, 1, ...) (chapter 6).

    Seeded ``seed + layer``, or unseeded when ``seed`` is None.
    """
    repro.import_tensorflow()  # quietly and with the book's CPU settings, before Keras loads
    import keras

    return keras.initializers.GlorotUniform(seed=None if seed is None else int(seed) + layer)


def check_autoencoder_sizes(n_inputs, n_factors):
    """``(n_inputs, n_factors)`` as ints if 2 <= n_inputs and 1 <= n_factors <= n_inputs (chapter 6)."""
    if not isinstance(n_inputs, (int, np.integer)) or n_inputs < 2:
        raise ValueError(f"n_inputs must be an integer >= 2, got {n_inputs!r}")
    return int(n_inputs), curves.check_n_factors(n_factors, int(n_inputs))


def compile_autoencoder(model, learning_rate):
    """Give ``model`` the Adam optimizer and the squared-error loss (ae-loss) (chapter 6)."""
    import keras

    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mean_squared_error")
    return model


def linear_autoencoder(n_inputs, n_factors, *, learning_rate=1e-2, seed=None):
    """The linear autoencoder (ae-linear), ``n_inputs -> n_factors -> n_inputs`` (chapter 6).

    Its reconstruction lies in an ``n_factors``-dimensional affine subspace; trained on
    squared error, that subspace tends to the span of the first ``n_factors`` principal
    components (Baldi and Hornik, 1989). With 11 maturities and 3 factors: 80 weights.
    """
    n_inputs, n_factors = check_autoencoder_sizes(n_inputs, n_factors)
    repro.import_tensorflow()
    import keras

    z = keras.Input(shape=(n_inputs,), name="curve")
    code = keras.layers.Dense(n_factors, kernel_initializer=seeded_glorot(seed, 0), name="code")(z)
    z_hat = keras.layers.Dense(n_inputs, kernel_initializer=seeded_glorot(seed, 1),
                               name="reconstruction")(code)
    model = keras.Model(z, z_hat, name=f"linear_autoencoder_{n_factors}")
    return compile_autoencoder(model, learning_rate)

# ----------------------------------------------------------------------
# chapters/06_autoencoders.py, code cell 13
import numpy as np

from finbook import repro


def dense_autoencoder(n_inputs, n_factors, *, hidden=(32, 16), activation="tanh", learning_rate=1e-2,
                      seed=None):
    """The nonlinear autoencoder (ae-dense): inputs, hidden, code, mirrored hidden, inputs (chapter 6).

    Layers ``encoder1, encoder2, ...``, ``code``, ``decoder1, ...``, ``reconstruction``; the
    hidden ones use ``activation``. With ``hidden=(32, 16)``, 11 maturities and 3 factors:
    1,934 weights. Compiled with Adam and squared error; ``seed`` as in linear_autoencoder.
    """
    n_inputs, n_factors = check_autoencoder_sizes(n_inputs, n_factors)
    hidden = tuple(hidden)
    if not hidden or any(not isinstance(h, (int, np.integer)) or h < 1 for h in hidden):
        raise ValueError(f"hidden must be a non-empty sequence of positive layer widths, got {hidden!r}; "
                         f"use linear_autoencoder for no hidden layer")
    activations = ("tanh", "relu", "sigmoid", "elu", "linear")
    if activation not in activations:
        raise ValueError(f"activation must be one of {activations}, got {activation!r}")
    repro.import_tensorflow()
    import keras

    layers = ([(f"encoder{i}", units, activation) for i, units in enumerate(hidden, 1)]  # f_phi
              + [("code", n_factors, None)]  # the code c, no activation
              + [(f"decoder{i}", units, activation) for i, units in enumerate(reversed(hidden), 1)]  # g_theta
              + [("reconstruction", n_inputs, None)])  # the output z_hat, no activation
    x = z = keras.Input(shape=(n_inputs,), name="curve")
    for layer, (name, units, act) in enumerate(layers):
        x = keras.layers.Dense(int(units), activation=act, kernel_initializer=seeded_glorot(seed, layer),
                               name=name)(x)
    model = keras.Model(z, x, name=f"dense_autoencoder_{'_'.join(map(str, hidden))}_{n_factors}_{activation}")
    return compile_autoencoder(model, learning_rate)

# ----------------------------------------------------------------------
# chapters/06_autoencoders.py, code cell 14
import numpy as np

from finbook import repro


def reconstruction_loss(model, x, training=False):
    """The loss (ae-loss): mean squared difference between ``x`` and ``model(x)`` (chapter 6)."""
    tf = repro.import_tensorflow()
    return tf.reduce_mean(tf.square(model(x, training=training) - x))


def autoencoder_step(model, x_batch, y_batch):
    """One optimizer step on the batch loss (ae-batch-loss); ``y_batch`` is ``x_batch`` (chapter 6).

    ``GradientTape`` records the forward pass, its gradient with respect to every trainable
    weight is taken, and the model's optimizer (Adam) moves the weights against it. Returns the
    batch loss before the step. Handed to ``finbook.training.fit`` as ``step=``.
    """
    tf = repro.import_tensorflow()
    weights = model.trainable_variables
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x_batch, training=True) - y_batch))
    model.optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights, strict=True))
    return loss


def autoencoder_val_loss(model, x, y):
    """The loss (ae-loss) on validation days, for ``finbook.training.fit``'s ``val_loss=`` (chapter 6)."""
    return reconstruction_loss(model, x)

# ----------------------------------------------------------------------
# chapters/06_autoencoders.py, code cell 15
import numpy as np

from finbook import curves, training


def fit_autoencoder(model, x_train, x_valid=None, *, epochs=500, batch_size=256, patience=30,
                    min_delta=0.0, seed=0):
    """Train an autoencoder to reproduce its input, with early stopping (chapter 6).

    Returns ``(model, history)``.

    The book's training loop ``finbook.training.fit`` runs autoencoder_step on mini-batches
    of ``batch_size`` rows, in an order drawn from ``numpy.random.default_rng(seed)``, with the
    input as its own target. Training stops once the monitored loss (validation if ``x_valid``
    is given, else training) has not fallen by more than ``min_delta`` for ``patience``
    epochs; the best epoch's weights are restored. ``history["loss"]`` holds the mean batch
    loss of each epoch and ``history["val_loss"]`` the loss (ae-loss) on ``x_valid`` after it,
    in squared input units; ``history["best_epoch"]`` is the restored epoch (1-based).
    """
    n_inputs = int(model.input_shape[-1])
    x_train = curves.check_matrix(x_train, "x_train", n_inputs)
    x_valid = None if x_valid is None else curves.check_matrix(x_valid, "x_valid", n_inputs)
    for name, value in {"epochs": epochs, "batch_size": batch_size}.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if patience is not None and (not isinstance(patience, (int, np.integer)) or patience < 1):
        raise ValueError(f"patience must be a positive integer or None, got {patience!r}")
    if not min_delta >= 0:
        raise ValueError(f"min_delta must be >= 0, got {min_delta!r}")
    if getattr(model, "optimizer", None) is None:
        raise ValueError("the model has no optimizer; compile it first (the builders here do)")
    return training.fit(model, x_train, x_train, epochs=int(epochs), batch_size=int(batch_size),
                        step=autoencoder_step,
                        validation_data=None if x_valid is None else (x_valid, x_valid),
                        val_loss=autoencoder_val_loss, patience=patience, min_delta=min_delta,
                        seed=seed)

# ----------------------------------------------------------------------
# chapters/06_autoencoders.py, code cell 16
import numpy as np
import pandas as pd

from finbook import curves


class CurveAutoencoder:
    """A yield-curve autoencoder with the interface of finbook.curves.CurvePCA (chapter 6).

    ``hidden=()`` builds linear_autoencoder, else dense_autoencoder; ``fit`` keeps ``model_``,
    ``history_`` and ``best_epoch_``. ``seed`` fixes the initial weights and the batch order.
    """

    def __init__(self, n_factors=3, *, hidden=(32, 16), activation="tanh", learning_rate=1e-2, epochs=500,
                 batch_size=256, patience=30, min_delta=0.0, seed=0):
        self.n_factors = curves.check_n_factors(n_factors)
        self.hidden, self.activation, self.learning_rate = tuple(hidden), activation, learning_rate
        self.epochs, self.batch_size, self.patience = epochs, batch_size, patience
        self.min_delta, self.seed = min_delta, seed

    def fit(self, curve, valid=None):
        curve = curves.check_curve(curve)
        n = curve.shape[1]
        curves.check_n_factors(self.n_factors, n)
        self.scaler_ = curves.CurveScaler().fit(curve)
        x = self.scaler_.transform(curve)
        x_valid = None if valid is None else self.scaler_.transform(valid)
        if self.hidden:
            model = dense_autoencoder(n, self.n_factors, hidden=self.hidden, activation=self.activation,
                                      learning_rate=self.learning_rate, seed=self.seed)
        else:
            model = linear_autoencoder(n, self.n_factors, learning_rate=self.learning_rate, seed=self.seed)
        self.model_, self.history_ = fit_autoencoder(
            model, x, x_valid, epochs=self.epochs, batch_size=self.batch_size, patience=self.patience,
            min_delta=self.min_delta, seed=self.seed)
        self.best_epoch_ = int(np.argmin(self.history_.get("val_loss", self.history_["loss"]))) + 1
        return self

    def _fitted_model(self):
        if not hasattr(self, "model_"):
            raise RuntimeError("this CurveAutoencoder is not fitted yet; call fit(curve) first")
        return self.model_

    @property
    def n_params(self):
        """Number of trainable weights."""
        return int(self._fitted_model().count_params())

    def reconstruct(self, curve):
        """The reconstruction of each day's curve, in percent."""
        z_hat = self._fitted_model()(self.scaler_.transform(curve).astype("float32"), training=False)
        return self.scaler_.inverse_transform(z_hat.numpy(), index=curve.index)

    def encode(self, curve):
        """The code: the bottleneck's ``n_factors`` numbers for each day."""
        import keras

        model = self._fitted_model()
        encoder = keras.Model(model.inputs[0], model.get_layer("code").output)
        code = encoder(self.scaler_.transform(curve).astype("float32"), training=False).numpy()
        names = [f"code{i}" for i in range(1, self.n_factors + 1)]
        return pd.DataFrame(code, index=curve.index, columns=names)

# ----------------------------------------------------------------------
# chapters/07_attention.py, code cell 5
import numpy as np  # noqa: F811  (imported again: this cell is exported on its own)


def scaled_dot_product_attention(query, key, value, mask=None):
    """Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V in NumPy (chapter 7); returns (output, weights).

    Shapes: ``query`` (..., n_q, d_k), ``key`` (..., n_k, d_k), ``value`` (..., n_k, d_v), leading
    batch dimensions alike. ``mask``, broadcast to (..., n_q, n_k), is True where a query may attend
    to a key (the Keras convention). Each row of the weights (..., n_q, n_k) sums to 1.
    """
    q, k, v = (np.asarray(a, dtype=float) for a in (query, key, value))
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"query, key and value must be at least 2-D (positions, features), got "
                         f"shapes {q.shape}, {k.shape}, {v.shape}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"query and key must have the same last dimension d_k, got {q.shape[-1]} "
                         f"and {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"key and value must have the same number of positions, got {k.shape[-2]} "
                         f"and {v.shape[-2]}")
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])  # Q K^T / sqrt(d_k)
    if mask is not None:
        m = np.broadcast_to(np.asarray(mask, dtype=bool), scores.shape)
        if not m.any(axis=-1).all():
            raise ValueError("mask leaves a query with no key to attend to; every row needs a True")
        scores = np.where(m, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))  # softmax over the keys (shifted: no overflow)
    weights = e / e.sum(axis=-1, keepdims=True)
    return weights @ v, weights

# ----------------------------------------------------------------------
# chapters/07_attention.py, code cell 10
import numpy as np


def multi_head_attention(query, value, weights, key=None):
    """Multi-head attention in NumPy with the weights of a keras.layers.MultiHeadAttention (chapter 7).

    ``weights`` is ``layer.get_weights()``: query, key and value kernels (d_model, heads, key_dim)
    with biases (heads, key_dim), then the output kernel (heads, key_dim, d_out) and bias (d_out,).
    ``query`` is (batch, n_q, d_model), ``value`` (and ``key``, default ``value``) (batch, n_k,
    d_model). Returns the output (batch, n_q, d_out) and the weights (batch, heads, n_q, n_k).
    """
    if len(weights) != 8:
        raise ValueError(f"expected the 8 weight arrays of a MultiHeadAttention layer with biases "
                         f"(Wq, bq, Wk, bk, Wv, bv, Wo, bo), got {len(weights)}")
    wq, bq, wk, bk, wv, bv, wo, bo = (np.asarray(w, dtype=float) for w in weights)
    key = value if key is None else key
    q_in, k_in, v_in = (np.asarray(a, dtype=float) for a in (query, key, value))
    for name, arr in {"query": q_in, "key": k_in, "value": v_in}.items():
        if arr.ndim != 3 or arr.shape[-1] != wq.shape[0]:
            raise ValueError(f"{name} must have shape (batch, positions, {wq.shape[0]}), got {arr.shape}")
    q = np.einsum("bnd,dhk->bhnk", q_in, wq) + bq[None, :, None, :]  # X W_Q^h, all heads h at once
    k = np.einsum("bnd,dhk->bhnk", k_in, wk) + bk[None, :, None, :]
    v = np.einsum("bnd,dhk->bhnk", v_in, wv) + bv[None, :, None, :]
    heads, att = scaled_dot_product_attention(q, k, v)  # head_h, (batch, heads, n_q, key_dim)
    out = np.einsum("bhnk,hko->bno", heads, wo) + bo  # [head_1, ..., head_H] W_O
    return out, att

# ----------------------------------------------------------------------
# chapters/07_attention.py, code cell 13
import numpy as np

from finbook.sequence import positive_int


def positional_encoding(length, d_model):
    """Sinusoidal positions of Vaswani et al. (2017), shape (length, d_model) (chapter 7).

    PE[p, 2i] = sin(p / 10000^(2i/d_model)) and PE[p, 2i+1] = cos(p / 10000^(2i/d_model)).
    """
    length = positive_int(length, "length")
    d_model = positive_int(d_model, "d_model", minimum=2)
    if d_model % 2:
        raise ValueError(f"d_model must be even (sine and cosine pairs), got {d_model}")
    pos = np.arange(length)[:, None]
    rate = 1.0 / 10000 ** (np.arange(0, d_model, 2) / d_model)
    pe = np.zeros((length, d_model))
    pe[:, 0::2] = np.sin(pos * rate)
    pe[:, 1::2] = np.cos(pos * rate)
    return pe

# ----------------------------------------------------------------------
# chapters/07_attention.py, code cell 15
from finbook.lessons import compile_forecaster
from finbook.repro import import_tensorflow
from finbook.sequence import positive_int  # noqa: F811


def encoder_block(x, b, *, num_heads, ff_units):
    """One post-norm Transformer encoder block on the days of x, its layers numbered b (chapter 7).

    X' = LayerNorm(X + MultiHead(X)), X'' = LayerNorm(X' + max(0, X' W_1 + b_1) W_2 + b_2).
    """
    import keras  # loaded, with the book's settings, by transformer_forecaster

    d_model = x.shape[-1]
    att = keras.layers.MultiHeadAttention(num_heads, d_model // num_heads, name=f"attention{b}")(x, x)
    x = keras.layers.LayerNormalization(name=f"norm{b}a")(x + att)  # X'
    ff = keras.layers.Dense(ff_units, activation="relu", name=f"ff{b}a")(x)  # max(0, X' W_1 + b_1)
    ff = keras.layers.Dense(d_model, name=f"ff{b}b")(ff)  # ... W_2 + b_2
    return keras.layers.LayerNormalization(name=f"norm{b}b")(x + ff)  # X''


def transformer_forecaster(lookback, n_features, *, d_model=16, num_heads=2, ff_units=32,
                           num_blocks=1, positional=True, learning_rate=1e-2):
    """A small Transformer encoder (Vaswani et al. 2017) with a linear output (chapter 7).

    Each day's inputs are projected to ``d_model`` numbers, plus the positional_encoding
    if ``positional``; ``num_blocks`` encoder blocks follow, and the last day's row feeds one
    linear unit. Compiled by chapter 4's compile_forecaster (Adam, mean squared error).
    """
    lookback, n_features = positive_int(lookback, "lookback"), positive_int(n_features, "n_features")
    d_model, num_heads = positive_int(d_model, "d_model"), positive_int(num_heads, "num_heads")
    if d_model % num_heads:
        raise ValueError(f"d_model must be a multiple of num_heads={num_heads}, got {d_model}")
    num_blocks, ff_units = positive_int(num_blocks, "num_blocks"), positive_int(ff_units, "ff_units")
    import_tensorflow()  # quietly, with the book's settings, before Keras
    import keras

    inputs = keras.Input(shape=(lookback, n_features), name="window")
    x = keras.layers.Dense(d_model, name="embed")(inputs)  # X: one row of d_model numbers per day
    if positional:
        x = x + positional_encoding(lookback, d_model).astype("float32")
    for b in range(1, num_blocks + 1):
        x = encoder_block(x, b, num_heads=num_heads, ff_units=ff_units)
    outputs = keras.layers.Dense(1, name="forecast")(x[:, -1, :])  # the last day's row of X''
    return compile_forecaster(keras.Model(inputs, outputs, name="transformer_forecaster"), learning_rate)

# ----------------------------------------------------------------------
# chapters/09_market_risk.py, code cell 8
import numpy as np  # noqa: F811 (a saved cell imports what it uses)


def quantile_pinball_loss(levels):
    """The pinball loss of equation (pinball), averaged over days and levels, as a Keras loss (chapter 9).

    ``y_true`` holds one standardised return per day, shape (n, 1); ``y_pred`` its K quantile
    forecasts, shape (n, K), at the tail probabilities ``levels``.
    """
    from finbook.repro import import_tensorflow

    import_tensorflow()  # TensorFlow with the book's settings, before Keras loads it
    import keras

    u = keras.ops.convert_to_tensor(np.asarray(levels, dtype="float32")[None, :])

    def loss(y_true, y_pred):
        e = y_true - y_pred  # y_true (n, 1) broadcasts against the K quantiles
        return keras.ops.mean(keras.ops.maximum(u * e, (u - 1.0) * e))

    return loss

# ----------------------------------------------------------------------
# chapters/09_market_risk.py, code cell 9
import numpy as np  # noqa: F811 (a saved cell imports what it uses)
from scipy import stats


def quantile_network(n_features, levels, *, hidden=(16, 16), learning_rate=1e-3, seed=None):
    """A Keras network giving non-crossing quantiles of a standardised return (chapter 9).

    ``n_features`` inputs -> ReLU layers ``hidden`` -> the K = len(levels) quantiles of equation
    (qnet-quantiles), at the increasing tail probabilities ``levels``; untrained, it predicts the
    normal quantiles. Compiled with Adam and :func:`quantile_pinball_loss`. ``seed`` seeds the
    hidden layers' initial weights (Glorot uniform); ``None`` uses the global Keras seed.
    """
    from finbook.repro import import_tensorflow

    import_tensorflow()
    import keras

    lv = np.asarray(levels, dtype=float)
    if lv.ndim != 1 or len(lv) < 1 or (lv <= 0).any() or (lv >= 1).any() or (np.diff(lv) <= 0).any():
        raise ValueError(f"levels must be increasing probabilities in (0, 1), got {list(levels)!r}")
    if n_features < 1:
        raise ValueError(f"n_features must be a positive integer, got {n_features}")
    z = stats.norm.ppf(lv)
    bias = np.concatenate([[z[0]], np.log(np.expm1(np.diff(z)))])  # softplus^{-1} of the normal gaps
    inputs = keras.Input(shape=(n_features,), name="state")
    h = inputs
    for i, units in enumerate(hidden, 1):
        init = "glorot_uniform" if seed is None else keras.initializers.GlorotUniform(seed=seed + i)
        h = keras.layers.Dense(units, activation="relu", name=f"hidden{i}", kernel_initializer=init)(h)
    raw = keras.layers.Dense(len(lv), name="raw", kernel_initializer="zeros",
                             bias_initializer=lambda shape, dtype=None: keras.ops.convert_to_tensor(
                                 bias.reshape(shape), dtype=dtype))(h)
    first = raw[:, :1]
    gaps = keras.ops.softplus(raw[:, 1:])
    quantiles = keras.layers.Concatenate(name="quantiles")(
        [first, first + keras.ops.cumsum(gaps, axis=1)])
    model = keras.Model(inputs, quantiles, name="quantile_network")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=quantile_pinball_loss(lv))
    return model

# ----------------------------------------------------------------------
# chapters/09_market_risk.py, code cell 10
import numpy as np  # noqa: F811 (a saved cell imports what it uses)


def refit_quantile_network(model, x, y, past, *, seed, validation_fraction=0.2, gap=66,
                           max_epochs=100, patience=10, batch_size=256):
    """One yearly refit of the quantile network on the rows ``past`` of ``x`` and ``y`` (chapter 9).

    ``past`` are time-ordered row numbers. The last ``validation_fraction`` of them is a
    validation block; the ``gap`` rows before it are dropped (their rolling inputs overlap the
    block's), and the network is fitted on the rows before those. Training continues from the
    current weights, with mini-batches in an order drawn from ``seed`` and the pinball loss the
    model was compiled with, until the block's loss has not improved for ``patience`` epochs.
    Then, from the same starting weights, the network is trained on all of ``past`` for the
    best epoch's number of epochs. Returns ``(model, history)``, the history of the first run.
    """
    from finbook import training

    past = np.asarray(past)
    if past.ndim != 1 or (np.diff(past) <= 0).any():
        raise ValueError("past must be increasing row numbers (days in time order)")
    n_val = max(1, int(round(validation_fraction * len(past))))
    fit_rows, val_rows = past[: len(past) - n_val - gap], past[len(past) - n_val:]
    if len(fit_rows) < 50:
        raise ValueError(f"only {len(fit_rows)} training rows before the gap and the validation "
                         f"block; need at least 50")
    start = model.get_weights()
    model, history = training.fit(
        model, x[fit_rows], y[fit_rows], validation_data=(x[val_rows], y[val_rows]),
        epochs=max_epochs, patience=patience, batch_size=batch_size, seed=seed)
    # the epoch count is chosen; now train that many epochs from the same start on all the rows,
    # so that the latest days, the most informative ones, are learned from as well
    epochs = history["best_epoch"]
    model.set_weights(start)
    model, _ = training.fit(model, x[past], y[past], epochs=epochs, batch_size=batch_size, seed=seed,
                            restore_best=False)
    return model, history

# ----------------------------------------------------------------------
# chapters/10_default_prediction.py, code cell 23
import math

import numpy as np

from finbook.repro import import_tensorflow


def embedding_dims(cardinalities, *, max_dim=10):
    """Embedding width per column, d = ceil(sqrt(K)) capped at max_dim (chapter 10).

    Guo & Berkhahn (2016) chose the widths by experiment; a rule that grows slowly with the
    number of categories K is a common start. E.g. {"sub_grade": 35} gives {"sub_grade": 6}.
    """
    out = {}
    for col, k in cardinalities.items():
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"cardinality of {col!r} must be a positive integer, got {k!r}")
        out[col] = int(min(max_dim, math.ceil(math.sqrt(k))))
    return out


def embedding_network(cardinalities, n_numeric, *, dims=None, hidden=(32, 16), dropout=0.2, l2=1e-4,
                      learning_rate=1e-3, name="entity_embedding_net"):
    """Keras network with one embedding eq. entity-embedding per categorical column (chapter 10).

    Input: ``len(cardinalities)`` code columns (0 = unseen, 1..K), then ``n_numeric`` numbers.
    Output: the probability of default. Compiled with Adam and binary cross-entropy.
    """
    if not cardinalities:
        raise ValueError("embedding_network needs at least one categorical column")
    if not isinstance(n_numeric, (int, np.integer)) or n_numeric < 0:
        raise ValueError(f"n_numeric must be a non-negative integer, got {n_numeric!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    widths = embedding_dims(cardinalities) if dims is None else dict(dims)
    unknown = sorted(set(widths) ^ set(cardinalities))
    if unknown:
        raise ValueError(f"dims and cardinalities must name the same columns; mismatched: {unknown}")
    import_tensorflow()  # quietly, with the book's settings, before Keras
    import keras

    n_cat = len(cardinalities)
    inputs = keras.Input(shape=(n_cat + n_numeric,), name="features")
    parts = []
    for i, (col, k) in enumerate(cardinalities.items()):  # e_k = E[k] for each embedded column
        codes = keras.layers.Lambda(lambda t, i=i: t[:, i], name=f"codes_{col}")(inputs)
        parts.append(keras.layers.Embedding(int(k) + 1, widths[col], name=f"embed_{col}")(codes))
    if n_numeric:  # the standardised numbers join the vectors unchanged
        parts.append(keras.layers.Lambda(lambda t: t[:, n_cat:], name="numeric")(inputs))
    x = keras.layers.Concatenate(name="concat")(parts) if len(parts) > 1 else parts[0]
    reg = keras.regularizers.L2(l2) if l2 > 0 else None
    for j, units in enumerate(hidden, 1):  # dense ReLU layers with weight decay and dropout
        x = keras.layers.Dense(units, activation="relu", kernel_regularizer=reg, name=f"hidden{j}")(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout, name=f"dropout{j}")(x)
    out = keras.layers.Dense(1, activation="sigmoid", name="output")(x)  # P(default)
    model = keras.Model(inputs, out, name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy")
    return model

# ----------------------------------------------------------------------
# chapters/15_option_pricing.py, code cell 10
import numpy as np


def pricing_network(n_inputs, hidden=(64, 64, 64), *, activation="softplus", input_mean=None,
                    input_scale=None, output_scale=1.0, learning_rate=1e-3, decay_steps=None, name=None):
    """The pricing network of equation (pricing-net), a compiled Keras model (chapter 15).

    ``n_inputs`` raw inputs, standardised inside the model as ``(x - input_mean) / input_scale``
    (default 0 and 1), -> Dense layers of ``hidden`` widths with ``activation`` -> one linear
    output times ``output_scale``. Adam at ``learning_rate``; with ``decay_steps`` the rate
    follows a cosine decay to 1% of its start over that many steps.
    """
    from finbook.repro import import_tensorflow

    import_tensorflow()  # TensorFlow with the book's settings, before Keras loads it
    import keras

    if n_inputs < 1:
        raise ValueError(f"n_inputs must be a positive integer, got {n_inputs}")
    if not hidden or any(int(u) < 1 for u in hidden):
        raise ValueError(f"hidden must list positive layer widths, got {hidden!r}")
    mean = np.zeros(n_inputs) if input_mean is None else np.asarray(input_mean, dtype=float)
    scale = np.ones(n_inputs) if input_scale is None else np.asarray(input_scale, dtype=float)
    if mean.shape != (n_inputs,) or scale.shape != (n_inputs,):
        raise ValueError(f"input_mean and input_scale must have {n_inputs} values, "
                         f"got shapes {mean.shape} and {scale.shape}")
    if np.any(scale <= 0):
        raise ValueError(f"input_scale must be positive, got {scale.tolist()}")
    inputs = keras.Input(shape=(n_inputs,), name="inputs")
    z = keras.layers.Normalization(mean=mean.tolist(), variance=(scale ** 2).tolist(),
                                   name="standardise")(inputs)
    for i, units in enumerate(hidden, 1):
        z = keras.layers.Dense(int(units), activation=activation, name=f"hidden{i}")(z)
    z = keras.layers.Dense(1, name="output")(z)
    outputs = keras.layers.Rescaling(float(output_scale), name="scale")(z)
    model = keras.Model(inputs, outputs, name=name or f"pricer_{'_'.join(map(str, hidden))}_{activation}")
    lr = learning_rate
    if decay_steps:
        lr = keras.optimizers.schedules.CosineDecay(learning_rate, int(decay_steps), alpha=0.01)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="mean_squared_error")
    return model

# ----------------------------------------------------------------------
# chapters/15_option_pricing.py, code cell 11
def pricing_loss(model, x, y, *, training=False):
    """The mean squared error of equation (pricing-loss) on a batch, a TensorFlow scalar (chapter 15).

    ``y`` has shape (n, 1), like the network's output; ``training`` is passed to the model.
    """
    from finbook.repro import import_tensorflow

    tf = import_tensorflow()
    return tf.reduce_mean(tf.square(model(x, training=training) - y))


def train_step(model, x, y):
    """One step of the model's optimizer down the gradient of :func:`pricing_loss` (chapter 15).

    Returns the mini-batch's loss before the step.
    """
    from finbook.repro import import_tensorflow

    tf = import_tensorflow()
    weights = model.trainable_variables
    with tf.GradientTape() as tape:
        loss = pricing_loss(model, x, y, training=True)
    model.optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights, strict=True))
    return loss

# ----------------------------------------------------------------------
# chapters/15_option_pricing.py, code cell 37
import numpy as np


def network_derivatives(model, x, column):
    """A network's output and its first and second derivatives in one input column (chapter 15).

    Two nested ``tf.GradientTape``s: automatic differentiation, exact for the network as
    trained. Returns ``(f, df/dx_col, d2f/dx_col2)`` as float64 arrays, one value per row of
    ``x``. For a pricer of price/strike in moneyness m = S/K, delta = df/dm and
    gamma = d2f/dm2 / K.
    """
    from finbook.repro import import_tensorflow

    tf = import_tensorflow()
    arr = np.asarray(x, dtype="float32")
    if arr.ndim != 2 or not 0 <= column < arr.shape[1]:
        raise ValueError(f"x must be 2-D and column in [0, {arr.shape[1] if arr.ndim == 2 else '?'}), "
                         f"got shape {arr.shape} and column {column}")
    xt = tf.constant(arr)
    with tf.GradientTape() as outer:
        outer.watch(xt)
        with tf.GradientTape() as inner:
            inner.watch(xt)
            value = model(xt, training=False)
        first = inner.gradient(value, xt)[:, column]
    # a network linear in x has no second derivative: report zeros, not None
    second = outer.gradient(first, xt, unconnected_gradients=tf.UnconnectedGradients.ZERO)[:, column]
    return (np.asarray(value, dtype=float).reshape(-1), np.asarray(first, dtype=float),
            np.asarray(second, dtype=float))

# ----------------------------------------------------------------------
# chapters/15_option_pricing.py, code cell 46
import math

import numpy as np


def network_delta(model, strike):
    """Delta function of a network that maps (S/K, tau) to price/strike, for :func:`delta_hedge` (chapter 15).

    Delta = d price / d S = d(price/K) / d(S/K), by automatic differentiation.
    """
    if not (np.isfinite(strike) and strike > 0):
        raise ValueError(f"strike must be positive and finite (a price), got {strike!r}")

    def delta(spot, tau):
        x = np.column_stack([(np.asarray(spot) / strike).ravel(), np.asarray(tau).ravel()])
        return network_derivatives(model, x, 0)[1].reshape(np.shape(spot))

    return delta


def delta_hedge(paths, strike, maturity, rate, delta, price0):
    """Terminal errors V_T of equation (hedge-error): a sold call, delta-hedged along each path (chapter 15).

    ``paths`` has shape (n_paths, N + 1) over [0, ``maturity``]; ``delta(spot, tau)`` takes arrays
    of spot prices and times to expiry (years) and returns deltas of the same shape (Black-Scholes'
    N(d1), or a network's derivative); ``price0`` is the price charged. Positive: the hedge made money.
    """
    paths = np.asarray(paths, dtype=float)
    if paths.ndim != 2 or paths.shape[1] < 2:
        raise ValueError(f"paths must have shape (n_paths, n_steps + 1), got {paths.shape}")
    for name, value, unit in [("strike", strike, "a price"), ("maturity", maturity, "years")]:
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be positive and finite ({unit}), got {value!r}")
    n_steps = paths.shape[1] - 1
    dt = maturity / n_steps
    tau = maturity - dt * np.arange(n_steps)
    deltas = np.asarray(delta(paths[:, :-1], np.broadcast_to(tau, paths[:, :-1].shape)), dtype=float)
    if deltas.shape != paths[:, :-1].shape:
        raise ValueError(f"delta returned shape {deltas.shape}, expected {paths[:, :-1].shape}")
    growth = math.exp(rate * dt)
    bank = price0 - deltas[:, 0] * paths[:, 0]
    for j in range(1, n_steps):
        bank = bank * growth - (deltas[:, j] - deltas[:, j - 1]) * paths[:, j]
    bank = bank * growth
    return deltas[:, -1] * paths[:, -1] + bank - np.maximum(paths[:, -1] - strike, 0.0)

# ----------------------------------------------------------------------
# chapters/16_heston_surrogate.py, code cell 16
import math

from finbook import options, training


def fit_heston_surrogate(train, valid, *, hidden=(32, 32, 32), epochs=60, batch_size=128,
                         learning_rate=1e-2, seed=0):
    """Train the Heston surrogate of equation (heston-surrogate); return ``(model, history)`` (chapter 16).

    A GELU :func:`pricing_network` on ``options.heston_features`` (standardised with the
    training set's moments) learns the Heston price minus ``options.heston_control_variate``
    by mean squared error, Adam with a cosine-decaying learning rate, keeping the weights with
    the lowest loss on ``valid``. Frames as made by ``options.heston_frame``.
    """
    from finbook.lessons import pricing_loss, pricing_network, train_step

    x, control = options.heston_inputs(train)
    net = pricing_network(x.shape[1], hidden, activation="gelu", input_mean=x.mean(axis=0),
                          input_scale=x.std(axis=0), output_scale=0.01, learning_rate=learning_rate,
                          decay_steps=epochs * math.ceil(len(x) / batch_size), name=f"heston_{len(train)}")
    x_valid, control_valid = options.heston_inputs(valid)
    return training.fit(net, x, train["price"].to_numpy() - control, epochs=epochs,
                        batch_size=batch_size, seed=seed, step=train_step, val_loss=pricing_loss,
                        validation_data=(x_valid, valid["price"].to_numpy() - control_valid))


def heston_surrogate_price(model, frame):
    """Heston call prices per unit strike, C_cv + f(x) of equation (heston-surrogate) (chapter 16).

    ``model`` from :func:`fit_heston_surrogate`; features, control variate and one batched
    network evaluation compiled by XLA, no QuantLib call.
    """
    features, control = options.heston_inputs(frame)
    return control + options.network_predict(model, features, compiled=True)

# ----------------------------------------------------------------------
# chapters/21_data_security.py, code cell 7
import math

import numpy as np

from finbook.repro import import_tensorflow


class DenseNetwork:
    """A ReLU network with one logit output, held in TensorFlow variables (chapter 21).

    ``n_inputs`` -> ``hidden`` ReLU layers -> 1 logit. Weights start He-uniform from
    ``np.random.default_rng(seed)``, biases at zero, so the same seed gives the same network.
    """

    def __init__(self, n_inputs, hidden=(64,), *, seed=0):
        hidden = tuple(hidden)
        for size, name in [(n_inputs, "n_inputs"), *((h, "each hidden layer size") for h in hidden)]:
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"{name} must be a positive integer, got {size!r}")
        tf = import_tensorflow()
        rng = np.random.default_rng(seed)
        self.n_inputs, self.hidden = int(n_inputs), tuple(int(h) for h in hidden)
        sizes = [self.n_inputs, *self.hidden, 1]
        self.weights, self.biases = [], []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            limit = math.sqrt(6.0 / a)  # He-uniform
            w = rng.uniform(-limit, limit, size=(a, b)).astype("float32")
            self.weights.append(tf.Variable(w, name=f"W{i + 1}"))
            self.biases.append(tf.Variable(np.zeros(b, "float32"), name=f"b{i + 1}"))

    @property
    def variables(self):
        """Weights then biases, layer by layer: [W1, ..., WL, b1, ..., bL]."""
        return [*self.weights, *self.biases]

    def forward(self, x):
        """(logits, each layer's input a, each layer's pre-activation z = aW + b) for a float32 tensor."""
        tf = import_tensorflow()
        a, inputs, pre = x, [], []
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            inputs.append(a)
            z = tf.matmul(a, w) + b
            pre.append(z)
            a = tf.nn.relu(z) if i < last else z
        return tf.squeeze(a, -1), inputs, pre

    def tensors(self, x, y=None):
        """``x`` (and ``y``) as float32 tensors, after checking their shapes against the network."""
        tf = import_tensorflow()
        xx = np.asarray(x, dtype="float32")
        if xx.ndim != 2 or xx.shape[1] != self.n_inputs:
            raise ValueError(f"x must have shape (rows, {self.n_inputs}), got {xx.shape}")
        if y is None:
            return tf.constant(xx)
        yy = np.asarray(y, dtype="float32").reshape(-1)
        if len(xx) != len(yy):
            raise ValueError(f"x and y must have the same length, got {len(xx)} and {len(yy)}")
        return tf.constant(xx), tf.constant(yy)

    def logits(self, x):
        """Logits (float64) for the rows of ``x``."""
        return self.forward(self.tensors(x))[0].numpy().astype(float)

    def predict_proba(self, x):
        """Predicted probability of the event (label 1) for the rows of ``x``."""
        return 1.0 / (1.0 + np.exp(-self.logits(x)))

# ----------------------------------------------------------------------
# chapters/21_data_security.py, code cell 8
import numpy as np

from finbook import training
from finbook.privacy import dp_sgd_steps
from finbook.repro import import_tensorflow  # noqa: F811 (an exported cell imports what it uses)


def summed_gradient(net, x, y):
    """The batch's summed cross-entropy gradient by back-propagation, graph code (chapter 21)."""
    tf = import_tensorflow()
    with tf.GradientTape() as tape:
        logits = net.forward(x)[0]
        total = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    return tape.gradient(total, net.variables)


def adam(variables, learning_rate, b1=0.9, b2=0.999, eps=1e-7):
    """Adam (Kingma and Ba 2015): return ``update(grads)``, one step on ``variables`` (chapter 21)."""
    tf = import_tensorflow()
    m = [tf.Variable(tf.zeros_like(v)) for v in variables]
    v2 = [tf.Variable(tf.zeros_like(v)) for v in variables]
    t = tf.Variable(0.0)

    def update(grads):
        t.assign_add(1.0)
        for var, g, mi, vi in zip(variables, grads, m, v2, strict=True):
            mi.assign(b1 * mi + (1 - b1) * g)
            vi.assign(b2 * vi + (1 - b2) * g * g)
            m_hat = mi / (1 - b1 ** t)
            v_hat = vi / (1 - b2 ** t)
            var.assign_sub(learning_rate * m_hat / (tf.sqrt(v_hat) + eps))

    return update


def train_network(net, x, y, gradient=summed_gradient, *, epochs=30, expected_batch_size=256,
                  learning_rate=1e-3, seed=0, validation_data=None):
    """Train ``net`` on Poisson-sampled mini-batches with Adam; return the history (chapter 21).

    ``gradient(net, xb, yb)`` gives each batch's summed gradient; the step divides it by the
    expected batch size L and takes an Adam step. ``training.fit`` draws the batches (``seed``) and
    runs ``epochs`` passes of round(n / L) steps each, every epoch to the end (no early stopping,
    no restored weights). ``history`` holds the mean loss of each epoch's batches (``loss``), with
    ``validation_data`` the loss there after each epoch (``val_loss``, nats), and ``steps``, the
    number of steps taken (``dp_sgd_steps(n, L, epochs)``, what the privacy accounting counts).
    """
    tf = import_tensorflow()
    if np.ndim(x) != 2:
        raise ValueError(f"x must be a 2-d array (rows, features), got shape {np.shape(x)}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    planned = dp_sgd_steps(len(x), expected_batch_size, epochs)
    yt = net.tensors(x, y)[1]
    bad = np.setdiff1d(np.unique(yt.numpy()), [0.0, 1.0])
    if bad.size:
        raise ValueError(f"y must contain only 0 and 1, found {bad[:5].tolist()}")
    update = adam(net.variables, float(learning_rate))
    taken = tf.Variable(0, dtype=tf.int64)

    def mean_loss(net, xb, yb):
        logits = net.forward(xb)[0]
        labels = tf.reshape(yb, [-1])
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))

    def step(net, xb, yb):  # the chapter's update: gradient -> divide by L -> Adam
        loss = mean_loss(net, xb, yb)
        update([g / float(expected_batch_size) for g in gradient(net, xb, tf.reshape(yb, [-1]))])
        taken.assign_add(1)
        return loss

    _, history = training.fit(net, x, y, epochs=epochs, batch_size=expected_batch_size, batches="poisson",
                              step=step, val_loss=mean_loss, validation_data=validation_data,
                              restore_best=False, monitor="loss", seed=seed)
    history["steps"] = int(taken.numpy())
    if history["steps"] > planned:  # an empty Poisson batch takes no step: fewer, never more
        raise RuntimeError(f"took {history['steps']} steps but the accounting counts {planned}")
    return history

# ----------------------------------------------------------------------
# chapters/21_data_security.py, code cell 19
import math  # noqa: F811 (an exported cell imports what it uses)

import numpy as np

from finbook.repro import import_tensorflow  # noqa: F811 (an exported cell imports what it uses)


def per_example_gradients(net, x, y):
    """Each example's gradient of its own loss: per variable, shape (rows, *var.shape) (chapter 21)."""
    tf = import_tensorflow()
    xx, yy = net.tensors(x, y)

    def one(pair):
        xi, yi = pair
        with tf.GradientTape() as tape:
            z = net.forward(xi[None, :])[0]
            loss = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=yi[None], logits=z))
        return tape.gradient(loss, net.variables)

    return [g.numpy() for g in tf.vectorized_map(one, (xx, yy))]


def clip_per_example(grads, clip_norm):
    """Scale each example's gradient, over all variables together, to norm at most ``clip_norm`` (chapter 21).

    ``grads`` holds one array per variable, each of shape (rows, ...), as from ``per_example_gradients``.
    """
    if isinstance(clip_norm, bool) or not clip_norm > 0 or math.isinf(clip_norm):
        raise ValueError(f"clip_norm must be a positive finite number, got {clip_norm!r}")
    arrs = [np.asarray(g, dtype=float) for g in grads]
    if not arrs:
        raise ValueError("grads is empty; expected one array per variable")
    rows = {a.shape[0] for a in arrs}
    if len(rows) != 1:
        raise ValueError(f"every array in grads must have the same number of rows, got {sorted(rows)}")
    norms = np.sqrt(sum(np.sum(a.reshape(a.shape[0], -1) ** 2, axis=1) for a in arrs))  # ||g_i||
    scale = np.minimum(1.0, clip_norm / np.maximum(norms, 1e-300))  # min(1, C / ||g_i||)
    return [a * scale.reshape((-1,) + (1,) * (a.ndim - 1)) for a in arrs]

# ----------------------------------------------------------------------
# chapters/21_data_security.py, code cell 20
import math  # noqa: F811 (an exported cell imports what it uses)

from finbook.repro import import_tensorflow  # noqa: F811 (an exported cell imports what it uses)


def clipped_sum(net, x, y, clip_norm):
    """Sum of per-example gradients clipped to ``clip_norm``, and their norms; graph code (chapter 21)."""
    tf = import_tensorflow()
    with tf.GradientTape() as tape:
        logits, inputs, pre = net.forward(x)
        total = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    deltas = tape.gradient(total, pre)  # row i is delta_i: the other rows do not depend on z_i
    sq = tf.add_n([(tf.reduce_sum(a * a, axis=1) + 1.0) * tf.reduce_sum(d * d, axis=1)
                   for a, d in zip(inputs, deltas, strict=True)])
    norms = tf.sqrt(sq)
    scale = tf.minimum(1.0, clip_norm / tf.maximum(norms, 1e-30))
    gw = [tf.matmul(a, d * scale[:, None], transpose_a=True) for a, d in zip(inputs, deltas, strict=True)]
    gb = [tf.reduce_sum(d * scale[:, None], axis=0) for d in deltas]
    return gw + gb, norms


def clipped_gradient_sum(net, x, y, clip_norm):
    """``clipped_sum`` for arrays: (one summed array per variable, each example's norm) (chapter 21).

    Equal to ``[g.sum(axis=0) for g in clip_per_example(per_example_gradients(net, x, y), C)]``.
    """
    tf = import_tensorflow()
    if isinstance(clip_norm, bool) or not clip_norm > 0 or math.isinf(clip_norm):
        raise ValueError(f"clip_norm must be a positive finite number, got {clip_norm!r}")
    sums, norms = clipped_sum(net, *net.tensors(x, y), tf.constant(float(clip_norm)))
    return [s.numpy() for s in sums], norms.numpy()

# ----------------------------------------------------------------------
# chapters/21_data_security.py, code cell 21
import math  # noqa: F811 (an exported cell imports what it uses)

from finbook.repro import import_tensorflow  # noqa: F811 (an exported cell imports what it uses)


def dp_sgd_gradient(clip_norm, noise_multiplier, *, seed=0):
    """DP-SGD's batch gradient for ``train_network``: clipped sum plus N(0, (sigma C)^2) noise (chapter 21).

    ``clip_norm=None`` (with ``noise_multiplier=0``) gives ``summed_gradient``. ``seed`` fixes the noise.
    """
    tf = import_tensorflow()
    if isinstance(noise_multiplier, bool) or not noise_multiplier >= 0:
        raise ValueError(f"noise_multiplier must be a non-negative number, got {noise_multiplier!r}")
    if clip_norm is None and noise_multiplier > 0:
        raise ValueError("noise without clipping protects nothing: set clip_norm (e.g. 1.0) when "
                         f"noise_multiplier > 0, got noise_multiplier={noise_multiplier}")
    if clip_norm is None:
        return summed_gradient
    if not clip_norm > 0 or math.isinf(clip_norm):
        raise ValueError(f"clip_norm must be a positive finite number or None, got {clip_norm!r}")
    clip, sigma = tf.constant(float(clip_norm)), float(noise_multiplier)
    noise_rng = tf.random.Generator.from_seed(seed)

    def gradient(net, x, y):
        grads, _ = clipped_sum(net, x, y, clip)
        if sigma > 0:
            grads = [g + noise_rng.normal(tf.shape(g)) * (sigma * clip) for g in grads]
        return grads

    return gradient
