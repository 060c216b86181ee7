"""Definitions taught in the chapters, exported for reuse by later chapters.

GENERATED FROM THE CHAPTERS by ``python -m finbook export``; do not edit: change the
chapter's cell marked ``# @save`` and export again (a test fails when this file and
the chapters disagree). Each block names the chapter and cell it comes from; each
definition's docstring names the chapter that teaches it.
"""

# ruff: noqa: E402, F811, I001

# ----------------------------------------------------------------------
# chapters/06_autoencoders.py, code cell 8
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
# chapters/06_autoencoders.py, code cell 9
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
# chapters/06_autoencoders.py, code cell 10
import numpy as np

from finbook import repro


def reconstruction_loss(model, x, training=False):
    """The loss (ae-loss): mean squared difference between ``x`` and ``model(x)`` (chapter 6)."""
    tf = repro.import_tensorflow()
    return tf.reduce_mean(tf.square(model(x, training=training) - x))


def make_autoencoder_epoch(model, x_train, x_valid, batch_size):
    """One epoch of mini-batch training on ``x_train``, compiled as one TensorFlow graph (chapter 6).

    The returned function takes an ordering of the training rows, takes one optimizer step on
    the batch loss (ae-batch-loss) of each batch of ``batch_size`` rows in that order, and returns
    the loss (ae-loss) on all of ``x_train`` and on ``x_valid`` (NaN when None) after the epoch.
    """
    tf = repro.import_tensorflow()
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError("the model has no optimizer; compile it first (the builders here do)")
    n = len(x_train)
    batch = min(int(batch_size), n)
    n_batches = -(-n // batch)  # ceil(n / batch): the last batch may be smaller
    xt = tf.constant(x_train)
    xv = tf.constant(x_valid) if x_valid is not None else None
    weights = model.trainable_variables
    if not optimizer.built:
        optimizer.build(weights)

    @tf.function
    def train_epoch(order):
        for i in tf.range(n_batches):
            xb = tf.gather(xt, order[i * batch: tf.minimum((i + 1) * batch, n)])
            with tf.GradientTape() as tape:
                loss = reconstruction_loss(model, xb, training=True)
            optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights, strict=True))
        return (reconstruction_loss(model, xt),
                reconstruction_loss(model, xv) if xv is not None else tf.constant(np.nan))

    return train_epoch

# ----------------------------------------------------------------------
# chapters/06_autoencoders.py, code cell 11
import numpy as np

from finbook import curves, repro


def fit_autoencoder(model, x_train, x_valid=None, *, epochs=500, batch_size=256, patience=30,
                    min_delta=0.0, seed=0):
    """Train an autoencoder to reproduce its input, with early stopping (chapter 6).

    Returns ``(model, history)``.

    Each epoch (make_autoencoder_epoch) visits the rows in an order drawn from
    ``numpy.random.default_rng(seed)``. Training stops once the monitored loss (validation
    if ``x_valid`` is given, else training) has not fallen by more than ``min_delta`` for
    ``patience`` epochs; the best epoch's weights are restored. ``history["loss"]`` and
    ``history["val_loss"]`` hold the losses after each epoch, in squared input units.
    """
    tf = repro.import_tensorflow()
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
    train_epoch = make_autoencoder_epoch(model, x_train, x_valid, batch_size)

    rng = np.random.default_rng(seed)
    history = {"loss": []} if x_valid is None else {"loss": [], "val_loss": []}
    monitored = history.get("val_loss", history["loss"])
    best, best_weights, waited = np.inf, None, 0
    for _ in range(int(epochs)):
        train_loss, valid_loss = train_epoch(tf.constant(rng.permutation(len(x_train))))
        history["loss"].append(float(train_loss))
        if x_valid is not None:
            history["val_loss"].append(float(valid_loss))
        if monitored[-1] < best - min_delta:  # an improvement: remember these weights
            best, best_weights, waited = monitored[-1], model.get_weights(), 0
        else:
            waited += 1
            if patience is not None and waited >= patience:
                break
    if best_weights is not None:
        model.set_weights(best_weights)  # back to the best epoch
    return model, history

# ----------------------------------------------------------------------
# chapters/06_autoencoders.py, code cell 12
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
