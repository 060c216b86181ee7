"""Definitions taught in the chapters, exported for reuse by later chapters.

GENERATED FROM THE CHAPTERS by ``python -m finbook export``; do not edit: change the
chapter's cell marked ``# @save`` and export again (a test fails when this file and
the chapters disagree). Each block names the chapter and cell it comes from; each
definition's docstring names the chapter that teaches it.
"""

# ruff: noqa: E402, F811, I001

# ----------------------------------------------------------------------
# chapters/15_option_pricing.py, code cell 7
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
# chapters/15_option_pricing.py, code cell 8
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
# chapters/15_option_pricing.py, code cell 15
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
# chapters/15_option_pricing.py, code cell 20
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
# chapters/16_heston_surrogate.py, code cell 10
from finbook import options


def fit_heston_surrogate(train, valid, *, hidden=(32, 32, 32), epochs=60, batch_size=128,
                         learning_rate=1e-2, seed=0):
    """Train the Heston surrogate of equation (heston-surrogate); return ``(model, history)`` (chapter 16).

    A GELU :func:`pricing_network` on ``options.heston_features`` (standardised with the
    training set's moments) learns the Heston price minus ``options.heston_control_variate``
    by mean squared error, Adam with a cosine-decaying learning rate, keeping the weights with
    the lowest loss on ``valid``. Frames as made by ``options.heston_frame``.
    """
    from finbook.lessons import pricing_network

    x, control = options.heston_inputs(train)
    net = pricing_network(x.shape[1], hidden, activation="gelu", input_mean=x.mean(axis=0),
                          input_scale=x.std(axis=0), output_scale=0.01, learning_rate=learning_rate,
                          decay_steps=epochs * (len(x) // batch_size), name=f"heston_{len(train)}")
    x_valid, control_valid = options.heston_inputs(valid)
    return options.train_network(net, x, train["price"].to_numpy() - control, epochs=epochs,
                                 batch_size=batch_size, seed=seed,
                                 validation_data=(x_valid, valid["price"].to_numpy() - control_valid))


def heston_surrogate_price(model, frame):
    """Heston call prices per unit strike, C_cv + f(x) of equation (heston-surrogate) (chapter 16).

    ``model`` from :func:`fit_heston_surrogate`; features, control variate and one batched
    network evaluation compiled by XLA, no QuantLib call.
    """
    features, control = options.heston_inputs(frame)
    return control + options.network_predict(model, features, compiled=True)
