"""Definitions taught in the chapters, exported for reuse by later chapters.

GENERATED FROM THE CHAPTERS by ``python -m finbook export``; do not edit: change the
chapter's cell marked ``# @save`` and export again (a test fails when this file and
the chapters disagree). Each block names the chapter and cell it comes from; each
definition's docstring names the chapter that teaches it.
"""

# ruff: noqa: E402, F811, I001

# ----------------------------------------------------------------------
# chapters/09_market_risk.py, code cell 6
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
# chapters/09_market_risk.py, code cell 7
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
# chapters/09_market_risk.py, code cell 8
import numpy as np  # noqa: F811 (a saved cell imports what it uses)


def refit_quantile_network(model, x, y, past, *, seed, validation_fraction=0.2, max_epochs=100,
                           patience=10, batch_size=256):
    """One yearly refit of the quantile network on the rows ``past`` of ``x`` and ``y`` (chapter 9).

    A random ``validation_fraction`` of those rows, drawn with ``seed``, is held out (at random
    rather than the latest days, so that the most recent year, the most informative, is trained
    on). Training continues from the current weights, with mini-batches in an order drawn from
    ``seed`` and the pinball loss the model was compiled with, until the held-out loss has not
    improved for ``patience`` epochs; the best epoch's weights are kept. Returns
    ``(model, history)``.
    """
    from finbook.scorecard import fit_with_early_stopping

    held_out = np.random.default_rng(seed).random(len(past)) < validation_fraction
    fit_rows, val_rows = past[~held_out], past[held_out]
    return fit_with_early_stopping(
        model, x[fit_rows], y[fit_rows], validation_data=(x[val_rows], y[val_rows]),
        loss=model.loss, max_epochs=max_epochs, patience=patience, batch_size=batch_size, seed=seed)

# ----------------------------------------------------------------------
# chapters/21_data_security.py, code cell 5
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
# chapters/21_data_security.py, code cell 6
import numpy as np

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

    There are ``dp_sgd_steps(n, expected_batch_size, epochs)`` steps; ``gradient(net, xb, yb)``
    gives each batch's summed gradient. ``history`` holds the mean training loss (``loss``) and,
    with ``validation_data``, ``val_loss`` after each epoch (nats). ``seed`` fixes the batches.
    """
    tf = import_tensorflow()
    if np.ndim(x) != 2:
        raise ValueError(f"x must be a 2-d array (rows, features), got shape {np.shape(x)}")
    n = len(x)
    steps = dp_sgd_steps(n, expected_batch_size, epochs)
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    xt, yt = net.tensors(x, y)
    bad = np.setdiff1d(np.unique(yt.numpy()), [0.0, 1.0])
    if bad.size:
        raise ValueError(f"y must contain only 0 and 1, found {bad[:5].tolist()}")
    val = None if validation_data is None else net.tensors(*validation_data)
    q, rng = expected_batch_size / n, np.random.default_rng(seed)
    update = adam(net.variables, float(learning_rate))
    spec = [tf.TensorSpec([None, net.n_inputs], tf.float32), tf.TensorSpec([None], tf.float32)]

    @tf.function(input_signature=spec)
    def step(xb, yb):
        update([g / float(expected_batch_size) for g in gradient(net, xb, yb)])

    @tf.function(input_signature=spec)
    def mean_loss(xb, yb):
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=yb, logits=net.forward(xb)[0]))

    history = {"loss": [], "val_loss": []} if val is not None else {"loss": []}
    steps_per_epoch, next_epoch = steps / epochs, 1  # an epoch is n / L steps
    for k in range(1, steps + 1):
        idx = np.flatnonzero(rng.random(n) < q)  # Poisson sampling
        step(tf.gather(xt, idx), tf.gather(yt, idx))
        if k >= round(next_epoch * steps_per_epoch):
            history["loss"].append(float(mean_loss(xt, yt)))
            if val is not None:
                history["val_loss"].append(float(mean_loss(*val)))
            next_epoch += 1
    return history

# ----------------------------------------------------------------------
# chapters/21_data_security.py, code cell 13
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
# chapters/21_data_security.py, code cell 14
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
# chapters/21_data_security.py, code cell 15
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
