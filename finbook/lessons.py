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
