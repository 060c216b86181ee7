# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# (autoencoders)=
# # Autoencoders: compressing the Treasury yield curve
#
# An autoencoder squeezes its input through a narrow layer and tries to rebuild it on the
# other side; whatever survives the squeeze is a compressed description of the data. Fixed
# income has used such descriptions for decades: eleven Treasury yields move together so
# closely that three numbers (level, slope and curvature) describe almost every day's curve.
# This chapter asks whether a neural autoencoder compresses the curve better than that
# classic linear answer, measured in basis points on days the models have never seen, and
# what the days it cannot compress tell a risk manager.

# %% tags=["parameters"]
SEED = 2024  # seeds the data split of the random-split demo and every network's initial weights
VALID_START = "2012-01-01"  # first day of the validation year (early stopping only)
TEST_START = "2013-01-01"  # first out-of-sample day; training ends before VALID_START
ACTIVATION = "tanh"  # hidden-layer activation of the nonlinear autoencoder ("tanh" or "relu")
N_SEEDS = 5  # training runs (different initial weights) of each nonlinear autoencoder
MAX_EPOCHS = 1000  # upper limit; early stopping usually ends training far sooner

# %% tags=["remove-cell"]
# Setup: in Google Colab only, fetch the book's code and data and install its pinned
# requirements (a few minutes, once per session). Elsewhere this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(["git", "clone", "--depth", "1",
                    "https://github.com/finbook-authors/finbook", "/content/finbook"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", "requirements.txt"],
                   cwd="/content/finbook", check=True)
    sys.path.insert(0, "/content/finbook")

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display
from myst_nb import glue
from sklearn.model_selection import train_test_split

from finbook import curves, data, inference, plots, repro
from finbook.book import headline
from finbook.validation import yearly_walk_forward

repro.set_seed(SEED)
plots.use_book_style()

# %% [markdown]
# ```{admonition} What the article says
# :class: note
# The article lists the autoencoder among the core deep-learning algorithms and describes it
# in three steps: an input layer takes the data, a hidden layer encodes it into
# low-dimensional features, and an output layer decodes those features back into the
# original data. Its uses are data compression and feature learning. It gives no code, no
# data and no measure of how good the compression is.
# ```
#
# We supply all three. The data are the daily US Treasury par yield curve; the measure is
# the reconstruction error in basis points (bp, hundredths of a percentage point), the unit
# in which a bond trader thinks; and the yardstick is principal component analysis (PCA),
# the linear compression that fixed-income desks have used since {cite:t}`litterman1991common`.

# %% [markdown]
# ## The data: eleven yields a day
#
# `finbook.data.treasury_curve()` returns the US Treasury's daily par yields, in percent,
# at eleven maturities from one month to thirty years; the data card (`data/README.md`)
# records the source and the gaps, which the loader keeps as missing values. An
# autoencoder needs every input on every day, so we keep the days on which all eleven
# maturities are quoted.

# %%
full = data.treasury_curve()
curve = full.dropna()
dates = curve.index.to_series()
segment = dates.diff().dt.days.gt(5).cumsum()  # a new segment after a gap of more than 5 days
periods = [(d.iloc[0], d.iloc[-1]) for _, d in dates.groupby(segment)]
curve.head()

# %% tags=["remove-cell"]
glue("ae_n_days", len(curve), display=False)
glue("ae_n_maturities", curve.shape[1], display=False)
glue("ae_full_first", f"{full.index[0]:%Y-%m-%d}", display=False)
glue("ae_periods", " and ".join(f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in periods),
     display=False)

# %% [markdown]
# The file starts on {glue:text}`ae_full_first`, but the one-month bill was first quoted
# later and the thirty-year bond was not issued for several years, so the complete curves
# cover {glue:text}`ae_periods`: {glue:text}`ae_n_days` days of
# {glue:text}`ae_n_maturities` yields. We split them in time order: training years,
# one validation year used only to stop training, and a test period the models never see.

# %%
train = curve.loc[curve.index < VALID_START]
valid = curve.loc[(curve.index >= VALID_START) & (curve.index < TEST_START)]
test = curve.loc[curve.index >= TEST_START]
split = pd.DataFrame(
    {"first day": [f"{d.index[0]:%Y-%m-%d}" for d in (train, valid, test)],
     "last day": [f"{d.index[-1]:%Y-%m-%d}" for d in (train, valid, test)],
     "days": [len(d) for d in (train, valid, test)]},
    index=pd.Index(["train", "validation", "test"], name="sample"))
display(split)

# %% tags=["remove-cell"]
for name, part in zip(["train", "valid", "test"], [train, valid, test], strict=True):
    glue(f"ae_{name}_days", len(part), display=False)
    glue(f"ae_{name}_first", f"{part.index[0]:%Y-%m-%d}", display=False)
    glue(f"ae_{name}_last", f"{part.index[-1]:%Y-%m-%d}", display=False)

# %% [markdown]
# {numref}`ae-fig-curve` shows what the models must compress. Short yields follow the
# Federal Reserve's policy rate: high before the financial crisis, pinned near zero for
# most of the test period. Long yields drift down more slowly. The shape of the curve
# changes with them: flat or inverted when short rates are high, steep when they are at
# zero (right panel, the flattest and the steepest day of the sample, by the 10-year
# minus 3-month spread).

# %% mystnb={"figure": {"name": "ae-fig-curve", "caption": "Left: four of the eleven yields over the whole file (lines break where a maturity was not quoted); shading marks the training, validation and test days. Right: the flattest and steepest curves of the sample, and the last one."}}
spread = curve["10y"] - curve["3m"]
snapshots = {"flattest": spread.idxmin(), "steepest": spread.idxmax(), "last": curve.index[-1]}

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [1.6, 1]})
for col in ["3m", "2y", "10y", "30y"]:
    ax1.plot(full.index, full[col], linewidth=0.9, label=col)
for part, colour, label in [(train, "C2", "train"), (valid, "C4", "validation"), (test, "C3", "test")]:
    ax1.axvspan(part.index[0], part.index[-1], color=colour, alpha=0.12, label=label)
ax1.set(xlabel="date", ylabel="yield (percent)", title="Treasury yields through time")
ax1.legend(ncol=2)
years = np.array([data.MATURITY_YEARS[c] for c in curve.columns])
for name, day in snapshots.items():
    ax2.plot(years, curve.loc[day], marker="o", label=f"{name}: {day:%Y-%m-%d}")
ax2.set_xscale("log")
ax2.set_xticks(years, list(curve.columns))
ax2.minorticks_off()
ax2.set(xlabel="maturity (log scale)", ylabel="yield (percent)", title="Three curves")
ax2.legend()
plt.show()

# %% tags=["remove-cell"]
glue("ae_flat_date", f"{snapshots['flattest']:%Y-%m-%d}", display=False)
glue("ae_steep_date", f"{snapshots['steepest']:%Y-%m-%d}", display=False)

# %% [markdown]
# ## Three numbers describe a curve
#
# Write $y_{t,j}$ for the yield on day $t$ at maturity $j$. We standardise each maturity
# with the mean $\mu_j$ and standard deviation $\sigma_j$ of the **training days only**,
# $z_{t,j} = (y_{t,j} - \mu_j) / \sigma_j$, so nothing about the test period leaks into the
# model. PCA finds the orthonormal directions $v_1, v_2, \dots$ (the *loadings*) along
# which the standardised training curves vary most, and rebuilds a curve from its first
# $k$ factor scores:
#
# $$
# \hat z_t = \sum_{i=1}^{k} (v_i^\top z_t)\, v_i , \qquad \hat y_{t,j} = \mu_j + \sigma_j \hat z_{t,j}.
# $$ (ae-pca)
#
# {cite:t}`litterman1991common` found that three factors, which they called level,
# steepness and curvature, explain almost all the variation in the returns of Treasury
# securities. Returns move with *changes* in yields, so we check the claim on daily
# changes as well as on the levels the autoencoders will compress.

# %%
pca_levels = curves.CurvePCA(n_factors=3).fit(train)
pca_changes = curves.CurvePCA(n_factors=3).fit(curves.daily_changes(train))
explained = pd.DataFrame({
    "yield levels": pca_levels.explained_variance_ratio_.cumsum(),
    "daily changes": pca_changes.explained_variance_ratio_.cumsum(),
}).head(4).mul(100).round(2)
explained.index.name = "first k components"
display(explained)

# %% tags=["remove-cell"]
glue("ae_ev3_levels", float(explained.loc["PC3", "yield levels"]), display=False)
glue("ae_ev3_changes", float(explained.loc["PC3", "daily changes"]), display=False)
glue("ae_ev1_levels", float(explained.loc["PC1", "yield levels"]), display=False)
glue("ae_ev1_changes", float(explained.loc["PC1", "daily changes"]), display=False)

# %% [markdown]
# On the training days, the first three components explain {glue:text}`ae_ev3_levels`%
# of the variance of standardised yield levels and {glue:text}`ae_ev3_changes`% of the
# variance of daily changes (the first alone: {glue:text}`ae_ev1_levels`% and
# {glue:text}`ae_ev1_changes`%). Changes are noisier than levels, and the short bills
# move on their own more often than bonds do, which is why three factors leave more of
# the day-to-day variation unexplained. {numref}`ae-fig-loadings` shows the loadings:
# the first is nearly flat (all yields move together: **level**), the second runs from
# short to long maturities (**slope**) and the third bends the middle of the curve against
# its ends (**curvature**), the shapes Litterman and Scheinkman reported. In levels the
# third component also loads heavily on the 30-year yield alone: in this sample the 20-
# and 30-year yields do not always move together, and the factor picks that up too.

# %% mystnb={"figure": {"name": "ae-fig-loadings", "caption": "Loadings of the first three principal components by maturity, fitted on the training days: level, slope and curvature, for yield levels (left) and daily changes (right)."}}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
curves.plot_loadings(pca_levels.loadings, ax=axes[0]).set_title("PCA of yield levels")
curves.plot_loadings(pca_changes.loadings, ax=axes[1]).set_title("PCA of daily changes")
axes[0].legend(["PC1 (level)", "PC2 (slope)", "PC3 (curvature)"])
plt.show()


# %% [markdown]
# ## An autoencoder for the curve
#
# An autoencoder is a pair of functions trained together: an encoder $f_\phi$ that maps the
# eleven standardised yields to $k$ numbers (the *code*, or bottleneck) and a decoder
# $g_\theta$ that maps the code back to eleven yields. Training minimises the
# reconstruction error over the $N$ training days,
#
# $$
# L(\phi, \theta) = \frac{1}{11 N} \sum_{t=1}^{N} \big\lVert z_t - g_\theta\big(f_\phi(z_t)\big) \big\rVert^2 .
# $$ (ae-loss)
#
# With no activation functions, $f$ and $g$ are matrices and the best the network can do is
# the PCA reconstruction {eq}`ae-pca`: {cite:t}`baldi1989neural` proved that a linear
# autoencoder's error surface has no local minima other than the global one, whose decoder
# spans the same subspace as the first $k$ principal components (in some rotated basis).
# Nonlinear activations let the decoder trace a curved surface instead of a flat one; that is
# the only way an autoencoder can beat PCA, and {cite:t}`hinton2006reducing` showed that deep
# ones do, by a wide margin, on images and documents.
#
# We write both in Keras, here on the page: a **linear** autoencoder (yields → $k$ →
# yields) and a **nonlinear** one with two hidden layers on each side of the bottleneck
# (activation set by the parameter `ACTIVATION`), then the loss {eq}`ae-loss` and the
# training loop that minimises it with Adam in mini-batches. PCA, the baseline, stays in
# `finbook.curves` (`CurvePCA`, with the scaler, the error measures and the plots).
#
# ### The linear autoencoder
#
# The encoder is one dense layer without activation, and so is the decoder:
#
# $$
# c_t = W_1 z_t + b_1 \in \mathbb{R}^k, \qquad \hat z_t = W_2 c_t + b_2 \in \mathbb{R}^{11},
# $$ (ae-linear)
#
# with $W_1$ of size $k \times 11$ and $W_2$ of size $11 \times k$: $2 \cdot 11 k + k + 11$
# weights in all. Keras builds each line of {eq}`ae-linear` as a `Dense` layer. The weight
# matrices start from Glorot-uniform random values, each layer's seeded from `seed` (layer
# 0 with `seed`, layer 1 with `seed + 1`, ...), so that a run can be repeated exactly; the
# biases start at zero.

# %%
# @save
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


# %% [markdown]
# ### The nonlinear autoencoder
#
# The nonlinear encoder $f_\phi$ passes the curve through hidden layers with an activation
# $a$ (`ACTIVATION`, applied to each element) before the code layer, and the decoder
# $g_\theta$ mirrors it. With two hidden layers of widths $h_1$ and $h_2$:
#
# $$
# \begin{aligned}
# f_\phi(z) &= W_3\, a\big(W_2\, a(W_1 z + b_1) + b_2\big) + b_3 , \\
# g_\theta(c) &= W_6\, a\big(W_5\, a(W_4 c + b_4) + b_5\big) + b_6 ,
# \end{aligned}
# $$ (ae-dense)
#
# with $W_1$ of size $h_1 \times 11$, $W_2$ of size $h_2 \times h_1$, $W_3$ of size
# $k \times h_2$ and the decoder's matrices the other way round. The code layer and the
# output layer have no activation, so neither the factors nor the yields are squashed into
# a bounded range.

# %%
# @save
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


# %% [markdown]
# ### The loss and the training step
#
# Training minimises {eq}`ae-loss` by stochastic gradient descent: each epoch shuffles the
# training days and walks through them in mini-batches $B$ of `batch_size` days. For each
# batch it computes the loss on the batch alone,
#
# $$
# L_B(\phi, \theta) = \frac{1}{11 |B|} \sum_{t \in B} \big\lVert z_t - g_\theta\big(f_\phi(z_t)\big) \big\rVert^2 ,
# $$ (ae-batch-loss)
#
# its gradient with respect to every weight (TensorFlow's `GradientTape` records the forward
# pass and differentiates it), and lets Adam {cite}`kingma2015adam` move the weights a
# step against that gradient: that is `autoencoder_step` below. The loop around it (shuffle,
# batch, repeat, watch the validation loss) is the book's one training loop,
# `finbook.training.fit`, which compiles each epoch into one TensorFlow graph instead of one
# Python call per batch. After each epoch it records the mean of the epoch's batch losses
# and the loss {eq}`ae-loss` on the validation days.

# %%
# @save
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


# %% [markdown]
# ### Early stopping
#
# A network with two thousand weights can learn the noise of the training years as well as
# their curves. We therefore watch the loss on the validation year after every epoch, stop
# once it has not improved for `patience` epochs and go back to the weights of its best
# epoch (*early stopping*). Without validation days the training loss is watched instead,
# which turns early stopping into a test of convergence; with `patience=None` every epoch
# runs.

# %%
# @save
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


# %% [markdown]
# ### Curves in, curves out
#
# The networks work on standardised yields. `CurveAutoencoder` wraps them with the same
# interface as `curves.CurvePCA`: `fit` standardises with the statistics of the training
# days (`curves.CurveScaler`) and trains; `reconstruct` maps curves in percent to curves in
# percent; `encode` returns the $k$ numbers of the code. Every error is then reported on the
# original scale, in basis points:
#
# $$
# \text{RMSE} = 100 \times \sqrt{\frac{1}{11 T} \sum_{t=1}^{T} \sum_{j=1}^{11} \big(y_{t,j} - \hat y_{t,j}\big)^2 } \ \text{bp}.
# $$ (ae-rmse)

# %%
# @save
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


# %%
HIDDEN = (32, 16)  # widths of the nonlinear encoder; the decoder mirrors them
BATCH, PATIENCE = 256, 50  # days per mini-batch; epochs without improvement before stopping
NONLINEAR = dict(hidden=HIDDEN, activation=ACTIVATION, learning_rate=3e-3, epochs=MAX_EPOCHS,
                 batch_size=BATCH, patience=PATIENCE)
LINEAR = dict(hidden=(), learning_rate=1e-2, epochs=MAX_EPOCHS, batch_size=BATCH, patience=20,
              min_delta=1e-5)
widths = [curve.shape[1], *HIDDEN, "k", *HIDDEN[::-1], curve.shape[1]]
sizes = pd.DataFrame({
    "linear AE": [2 * 11 * k + k + 11 for k in (1, 2, 3)],
    "nonlinear AE": [dense_autoencoder(11, k, hidden=HIDDEN).count_params() for k in (1, 2, 3)],
}, index=pd.Index([1, 2, 3], name="factors k"))
display(sizes)

# %% tags=["remove-cell"]
glue("ae_arch", " → ".join(map(str, widths)), display=False)
glue("ae_batch", BATCH, display=False)
glue("ae_patience", PATIENCE, display=False)
glue("ae_params_nonlinear3", int(sizes.loc[3, "nonlinear AE"]), display=False)
glue("ae_params_linear3", int(sizes.loc[3, "linear AE"]), display=False)

# %% [markdown]
# The nonlinear network ({glue:text}`ae_arch` units, mini-batches of
# {glue:text}`ae_batch` days) has {glue:text}`ae_params_nonlinear3` weights for three
# factors, the linear one {glue:text}`ae_params_linear3`. Both are tiny by deep-learning standards,
# and deliberately so: {glue:text}`ae_train_days` training days of eleven numbers each
# cannot support more.

# %% [markdown]
# ## The article's recipe, and what goes wrong
#
# The article's code for its other applications splits the data with
# `train_test_split(..., test_size=0.2)`, a *random* 20% of rows, and reports the loss of
# the network. Run on the yield curve, that recipe looks excellent. We train the nonlinear
# autoencoder with three factors exactly as we will below, except that the test days are
# drawn at random from the whole sample (and the early-stopping days at random from the
# rest).

# %%
# tolerance: rtol=0.06; one seed of a network: CPU-dependent rounding grows through training
shuffled_train, shuffled_test = train_test_split(curve, test_size=0.2, random_state=SEED)
shuffled_fit, shuffled_valid = train_test_split(shuffled_train, test_size=0.1, random_state=SEED)
shuffled = CurveAutoencoder(3, seed=SEED, **NONLINEAR).fit(shuffled_fit, valid=shuffled_valid)
shuffled_rmse = curves.reconstruction_rmse_bp(shuffled_test, shuffled.reconstruct(shuffled_test))
shuffled_loss = min(shuffled.history_["val_loss"])
pd.DataFrame({"best validation loss (MSE, standardised)": [round(shuffled_loss, 4)],
              "test RMSE (bp)": [round(shuffled_rmse, 1)]}, index=["random split"])

# %% tags=["remove-cell"]
# tolerance: rtol=0.06; one seed of a network: CPU-dependent rounding grows through training
glue("ae_shuffled_rmse", round(shuffled_rmse, 1), display=False)
glue("ae_shuffled_loss", round(shuffled_loss, 4), display=False)

# %% [markdown]
# A validation loss of {glue:text}`ae_shuffled_loss` tells a bond trader nothing: it is a
# mean squared error of *standardised* yields, and one unit of standardised yield is a
# different number of basis points at each maturity. Converted with {eq}`ae-rmse`, the
# error on the random test days is {glue:text}`ae_shuffled_rmse` bp. That number is
# optimistic, and the reason is the split: yields are so persistent that almost every test
# day has a training day on either side with nearly the same curve, so the network is
# tested on days it has, in effect, already seen. A model that compresses tomorrow's curve
# has to work on a period it has not seen, possibly in a different monetary-policy regime.
# The next section measures exactly that.
#
# ## Doing it right: train on the past, test on the future
#
# All models learn from the {glue:text}`ae_train_days` training days
# ({glue:text}`ae_train_first` to {glue:text}`ae_train_last`), standardised with their own
# statistics. The nonlinear autoencoders stop when the error on the validation year
# ({glue:text}`ae_valid_first` to {glue:text}`ae_valid_last`) has not improved for
# {glue:text}`ae_patience` epochs and keep their best weights; the linear autoencoder, which has nothing to overfit
# (its best solution *is* PCA's), trains until its training loss stops falling. Each
# nonlinear network is trained {glue:text}`ae_n_seeds` times from different random
# initial weights, because one run of a small network can be lucky or unlucky. Everything
# is then scored on the {glue:text}`ae_test_days` test days ({glue:text}`ae_test_first` to
# {glue:text}`ae_test_last`).

# %%
# tolerance: rtol=0.15, counts=100; one seed of a network: CPU-dependent rounding grows through training: early stopping's epoch count moved by 49 with other kernels
FACTORS = (1, 2, 3)
models = {}
for k in FACTORS:
    models["PCA", k, 0] = curves.CurvePCA(k).fit(train)
    models["linear AE", k, 0] = CurveAutoencoder(k, seed=SEED, **LINEAR).fit(train)
    for run in range(N_SEEDS):
        models["nonlinear AE", k, run] = CurveAutoencoder(k, seed=SEED + run, **NONLINEAR).fit(
            train, valid=valid)
runs = curves.rmse_table(models, {"train": train, "validation": valid, "test": test})
runs.index.names = ["model", "factors", "run"]
runs["epochs"] = pd.array([len(m.history_["loss"]) if hasattr(m, "history_") else None
                           for m in models.values()], dtype="Int64")
runs.round(1)

# %% tags=["remove-cell"]
# tolerance: rtol=0.15, counts=100; one seed of a network: CPU-dependent rounding grows through training: early stopping's epoch count moved by 49 with other kernels
glue("ae_n_seeds", N_SEEDS, display=False)

# %% [markdown]
# Averaging the runs of each nonlinear network gives the results table: out-of-sample
# RMSE in basis points, with the best and worst of the runs.

# %%
# tolerance: rtol=0.08, atol=0.03, counts=2; five seeds of a network: CPU-dependent rounding grows through training; the DM p-values moved by up to 0.014 with other kernels
results = runs.groupby(level=["model", "factors"], sort=False).agg(
    train=("train", "mean"), test=("test", "mean"), test_best=("test", "min"), test_worst=("test", "max"))
table = results["test"].unstack("factors").round(1)
table.columns = [f"k = {k}" for k in table.columns]
table.columns.name = "test RMSE (bp)"

score = results["test"]
gain = 100 * (1 - score["nonlinear AE"] / score["PCA"])
ALPHA = 0.05  # level of every test in this chapter
MONTH_LAGS = 21  # trading days: a HAC window as long as the error's slow swings, as a check on the default


def daily_sq_error_bp(actual, fitted):
    """Each day's squared reconstruction error in bp^2, averaged over the maturities."""
    return (100 * (actual - fitted)).pow(2).mean(axis=1)


# The verdict is decided on the seed ensemble (the average of the runs' reconstructions),
# by a Diebold-Mariano test with a Newey-West (HAC) variance on the daily squared errors.
verdicts, dm_tests = {}, {}
for k in FACTORS:
    ensemble = sum(models["nonlinear AE", k, run].reconstruct(test) for run in range(N_SEEDS)) / N_SEEDS
    loss_ae = daily_sq_error_bp(test, ensemble)
    loss_pca = daily_sq_error_bp(test, models["PCA", k, 0].reconstruct(test))
    dm = inference.dm_test(loss_ae, loss_pca)
    dm_month = inference.dm_test(loss_ae, loss_pca, lags=MONTH_LAGS)  # robustness: a month of lags
    verdicts[k] = {"seed ensemble (bp)": float(np.sqrt(loss_ae.mean())), "PCA (bp)": float(score["PCA", k]),
                   "DM statistic": dm.statistic, "p-value": dm.pvalue,
                   f"p-value, {MONTH_LAGS} lags": dm_month.pvalue,
                   "verdict": inference.verdict(dm, better="lower", alpha=ALPHA).split(" (")[0]}
    dm_tests[k] = dm, dm_month
assert all(verdicts[k][f"p-value, {MONTH_LAGS} lags"] < ALPHA for k in FACTORS[:-1]), \
    "a one- or two-factor verdict depends on the HAC window; the prose says it does not"
# The sentence that draws the lesson follows the verdicts rather than being typed.
helps = all(verdicts[k]["verdict"] == "significantly better than" for k in FACTORS[:-1])
stops = verdicts[FACTORS[-1]]["verdict"] != "significantly better than"
display(table)
display(pd.DataFrame.from_dict(verdicts, orient="index").rename_axis("factors k").round({"seed ensemble (bp)": 1, "PCA (bp)": 1,
                                                                  "DM statistic": 2, "p-value": 4}))

# %% tags=["remove-cell"]
# tolerance: rtol=0.08, atol=0.03, counts=2; five seeds of a network: CPU-dependent rounding grows through training; the DM p-values moved by up to 0.014 with other kernels
for (model, k), row in results.iterrows():  # e.g. ae_pca3_test, ae_ae3_test_best
    key = {"PCA": "pca", "linear AE": "lin", "nonlinear AE": "ae"}[model]
    for col, value in row.items():
        glue(f"ae_{key}{k}_{col}", round(float(value), 1), display=False)
for k in FACTORS:
    dm, dm_month = dm_tests[k]
    glue(f"ae_gain{k}", int(round(float(gain[k]))), display=False)
    glue(f"ae_verdict{k}", verdicts[k]["verdict"], display=False)
    glue(f"ae_dm_p{k}", inference.format_pvalue(dm.pvalue, alpha=ALPHA), display=False)
    glue(f"ae_ens{k}_test", round(verdicts[k]["seed ensemble (bp)"], 1), display=False)
    glue(f"ae_dm_month_p{k}", inference.format_pvalue(dm_month.pvalue, alpha=ALPHA), display=False)
    glue(f"ae_verdict_month{k}", inference.verdict(dm_month, better="lower", alpha=ALPHA).split(" (")[0],
         display=False)
glue("ae_alpha", f"{ALPHA}", display=False)
glue("ae_dm_lags", dm.lags, display=False)
glue("ae_month_lags", MONTH_LAGS, display=False)
glue("ae_lesson", "So nonlinearity helps when the bottleneck is too narrow for the data and stops helping "
     "once three linear factors already capture almost everything" if helps and stops else
     "So the gain from nonlinearity does not follow the simple pattern of helping only while the "
     "bottleneck is too narrow", display=False)
glue("ae_time_vs_shuffled", round(float(score["nonlinear AE", 3] / shuffled_rmse), 1), display=False)

# %% [markdown]
# {numref}`ae-fig-results` draws the table. With **one** factor the nonlinear autoencoder
# reconstructs the test curves with {glue:text}`ae_ae1_test` bp of error on average over
# its {glue:text}`ae_n_seeds` runs, against PCA's {glue:text}`ae_pca1_test` bp
# ({glue:text}`ae_gain1`% less); with **two**, {glue:text}`ae_ae2_test` against
# {glue:text}`ae_pca2_test` bp ({glue:text}`ae_gain2`% less). The verdicts are decided on
# the *seed ensemble*, the average of the runs' reconstructions
# ({glue:text}`ae_ens1_test`, {glue:text}`ae_ens2_test` and {glue:text}`ae_ens3_test` bp
# for one, two and three factors), by a Diebold-Mariano test on the daily squared errors
# with a Newey-West variance ({glue:text}`ae_dm_lags` lags), which allows for their strong
# autocorrelation, at the {glue:text}`ae_alpha` level. With one factor the network is
# {glue:text}`ae_verdict1` PCA ({glue:text}`ae_dm_p1`), with two
# {glue:text}`ae_verdict2` PCA ({glue:text}`ae_dm_p2`). With the **three** factors that
# fixed-income practice uses, it is {glue:text}`ae_verdict3` PCA
# ({glue:text}`ae_dm_p3`): {glue:text}`ae_ae3_test` bp on average (runs from
# {glue:text}`ae_ae3_test_best` to {glue:text}`ae_ae3_test_worst`) against
# {glue:text}`ae_pca3_test` bp. Reconstruction errors persist for weeks, so the default
# window of {glue:text}`ae_dm_lags` lags may understate the variance. With
# {glue:text}`ae_month_lags` lags (a trading month) the p-values are
# {glue:text}`ae_dm_month_p1`, {glue:text}`ae_dm_month_p2` and {glue:text}`ae_dm_month_p3`
# for one, two and three factors, and the network is {glue:text}`ae_verdict_month1`,
# {glue:text}`ae_verdict_month2` and {glue:text}`ae_verdict_month3` PCA. The one- and
# two-factor p-values stay below the level with either window (the notebook checks this);
# for three factors, read the verdicts of the two windows side by side.
# {glue:text}`ae_lesson`: the remaining error is noise and regime change, which no smooth surface fitted to the
# past can anticipate. Note also how the time-ordered test error of the three-factor
# network is {glue:text}`ae_time_vs_shuffled` times the {glue:text}`ae_shuffled_rmse` bp
# that the random split suggested.

# %% mystnb={"figure": {"name": "ae-fig-results", "caption": "Out-of-sample reconstruction error by number of factors. Bars: test RMSE (for the nonlinear autoencoder, the mean of its runs; the whisker spans the best and the worst run). Dots: error on the training days."}}
fig, ax = plt.subplots()
width = 0.27
for i, model in enumerate(["PCA", "linear AE", "nonlinear AE"]):
    r = results.loc[model]
    x = np.arange(len(FACTORS)) + (i - 1) * width
    ax.bar(x, r["test"], width, label=f"{model} (test)", color=f"C{i}",
           yerr=[r["test"] - r["test_best"], r["test_worst"] - r["test"]], capsize=3)
    ax.plot(x, r["train"], "o", color="black", markersize=4, label="train" if i == 0 else None)
ax.set_xticks(np.arange(len(FACTORS)), [f"k = {k}" for k in FACTORS])
ax.set(xlabel="number of factors (bottleneck size)", ylabel="reconstruction RMSE (bp)")
ax.legend()
plt.show()

# %% [markdown]
# ### Which error?
#
# The models are trained on one error and scored on another. PCA minimises the squared
# error of the *standardised* yields on the training days, and so do the autoencoders
# (the loss {eq}`ae-loss`); a basis point, though, is a basis point at every maturity, so
# the score {eq}`ae-rmse` weighs maturity $j$'s standardised error by $\sigma_j^2$, its
# variance in the training years. The maturities that moved most then (the bills, which
# fell to zero in the crisis) count for more in basis points than in the loss the models
# minimised. PCA is the best rank-$k$ reconstruction in its own loss on its training
# days, not in ours and not on the test days. Scored both ways:

# %%
# tolerance: rtol=0.08, counts=2; five seeds of a network: CPU-dependent rounding grows through training
train_scaler = curves.CurveScaler().fit(train)  # the statistics every model standardised with


def standardised_rmse(actual, fitted):
    """RMSE of standardised yields (training-day means and standard deviations), the models' own loss."""
    return float(np.sqrt(np.mean((train_scaler.transform(actual) - train_scaler.transform(fitted)) ** 2)))


std_rmse = pd.Series([standardised_rmse(test, m.reconstruct(test)) for m in models.values()], index=runs.index)
both = pd.DataFrame({"test RMSE (bp)": runs["test"], "test RMSE (standardised)": std_rmse}).groupby(
    level=["model", "factors"], sort=False).mean()
both.unstack("factors").round(3)

# %% tags=["remove-cell"]
# tolerance: rtol=0.08, counts=2; five seeds of a network: CPU-dependent rounding grows through training
for (model, k), row in both.iterrows():
    key = {"PCA": "pca", "linear AE": "lin", "nonlinear AE": "ae"}[model]
    glue(f"ae_std_{key}{k}", round(float(row["test RMSE (standardised)"]), 3), display=False)

# %% [markdown]
# In standardised units the three-factor errors are {glue:text}`ae_std_pca3` for PCA and
# {glue:text}`ae_std_ae3` for the nonlinear autoencoder (the average run), with one factor
# {glue:text}`ae_std_pca1` and {glue:text}`ae_std_ae1`. Reporting basis points is the
# right choice for a trader, but it means no model here was fitted to the score it is
# judged by; a model trained on errors in basis points (unstandardised yields, or a loss
# weighted by $\sigma_j^2$) would favour the bills at the expense of the long end.

# %% [markdown]
# The training curves ({numref}`ae-fig-history`) show early stopping at work: the
# validation error (dashed) flattens or turns up while the training error keeps falling,
# and the weights of the best validation epoch are kept. The validation year lies *after*
# the training years, so early stopping also guards a little against drift.

# %% mystnb={"figure": {"name": "ae-fig-history", "caption": "Training (solid) and validation (dashed) loss of the first run of each nonlinear autoencoder, in mean squared standardised yield (log scale)."}}
ax = plots.plot_history({f"k = {k}": models["nonlinear AE", k, 0].history_ for k in FACTORS},
                        ylabel="MSE (standardised yields)")
ax.set_yscale("log")
plt.show()

# %% [markdown]
# ### The linear autoencoder is PCA in disguise
#
# The theory says the linear autoencoder's reconstructions lie in the same $k$-dimensional
# subspace as PCA's. We compare the two subspaces by their *principal angles*: 0° means the
# same direction, 90° orthogonal. The decoder's weights span the autoencoder's subspace;
# the first $k$ loadings span PCA's.

# %%
rows = {}
for k in FACTORS:
    linear, pca = models["linear AE", k, 0], models["PCA", k, 0]
    decoder = linear.model_.get_layer("reconstruction").kernel.numpy().T  # 11 x k
    angles = curves.principal_angles(decoder, pca.loadings.to_numpy().T)
    rows[k] = {"largest principal angle (degrees)": angles.max(),
               "train RMSE, linear AE (bp)": runs.loc[("linear AE", k, 0), "train"],
               "train RMSE, PCA (bp)": runs.loc[("PCA", k, 0), "train"]}
agreement = pd.DataFrame(rows).T.rename_axis("factors k").round(2)
MAX_ANGLE = 5  # degrees: a check that can fail, not a word that flips
assert agreement.iloc[:, 0].max() < MAX_ANGLE, "the linear autoencoder did not find PCA's subspace"
display(agreement)

# %% tags=["remove-cell"]
glue("ae_max_angle", round(float(agreement.iloc[:, 0].max()), 2), display=False)

# %% [markdown]
# The largest angle is {glue:text}`ae_max_angle` degrees and the training errors agree to a
# fraction of a basis point: gradient descent on {eq}`ae-loss` found PCA's subspace without
# being told about eigenvectors. (The small differences, here and in the test errors of the
# results table, come from stopping gradient descent a little before the exact optimum.) What it does *not* find are the loadings themselves. Any
# invertible $k \times k$ mixing of the code gives the same reconstruction, so the
# autoencoder's factors are some rotation of level, slope and curvature. Undoing that
# rotation by least squares recovers the PCA loadings ({numref}`ae-fig-rotation`); the
# nonlinear autoencoder's code has no such interpretation at all.

# %% mystnb={"figure": {"name": "ae-fig-rotation", "caption": "Loadings of the three principal components (solid) and the linear autoencoder's decoder directions after the least-squares rotation onto them (dashed, crosses): they coincide."}}
pca3, linear3 = models["PCA", 3, 0], models["linear AE", 3, 0]
decoder = linear3.model_.get_layer("reconstruction").kernel.numpy().T
rotation, *_ = np.linalg.lstsq(decoder, pca3.loadings.to_numpy().T, rcond=None)
rotated = pd.DataFrame((decoder @ rotation).T, index=pca3.loadings.index, columns=curve.columns)
ax = curves.plot_loadings(pca3.loadings)
curves.plot_loadings(rotated, ax=ax, linestyle="--", marker="x", label_suffix=" (linear AE, rotated)")
ax.legend(ncol=2)
plt.show()

# %% [markdown]
# ### Where the error sits
#
# Which maturities are hard to compress? {numref}`ae-fig-maturity` splits the three-factor
# test error by maturity.

# %% mystnb={"figure": {"name": "ae-fig-maturity", "caption": "Out-of-sample RMSE by maturity of the three-factor models (first run of the nonlinear autoencoder)."}}
ae3 = models["nonlinear AE", 3, 0]
by_maturity = pd.DataFrame({
    "PCA": curves.rmse_by_maturity_bp(test, pca3.reconstruct(test)),
    "nonlinear AE": curves.rmse_by_maturity_bp(test, ae3.reconstruct(test)),
})
SHORT_END, MIDDLE = ["1m", "3m", "6m"], ["3y", "5y", "7y"]
assert set(SHORT_END + MIDDLE) <= set(by_maturity.index), "maturity labels changed"
ax = by_maturity.plot.bar(rot=0)
ax.set(xlabel="maturity", ylabel="test RMSE (bp)")
plt.show()

# %% tags=["remove-cell"]
for col, key in [("PCA", "pca"), ("nonlinear AE", "ae")]:
    hardest = by_maturity[col].nlargest(3)
    glue(f"ae_hardest_{key}", ", ".join(f"{m} ({v:.1f} bp)" for m, v in hardest.items()), display=False)
for part, cols in [("short", SHORT_END), ("middle", MIDDLE)]:
    for col, key in [("PCA", "pca"), ("nonlinear AE", "ae")]:
        glue(f"ae_{part}_{key}", round(float(by_maturity.loc[cols, col].mean()), 1), display=False)

# %% [markdown]
# PCA's three largest errors are at {glue:text}`ae_hardest_pca`; the autoencoder's at
# {glue:text}`ae_hardest_ae`. At the short end (1 to 6 months) the network's mean RMSE
# across maturities is {glue:text}`ae_short_ae` bp against PCA's {glue:text}`ae_short_pca`;
# in the middle of the curve (3 to 7 years) it is {glue:text}`ae_middle_ae` against
# {glue:text}`ae_middle_pca` bp. Over the whole curve the seed ensemble is
# {glue:text}`ae_verdict3` PCA ({glue:text}`ae_dm_p3`). In both models a few maturities
# carry most of the error, which is worth knowing before hedging them with factor
# exposures alone.

# %% [markdown]
# ## The code as features
#
# The article names *feature learning* as the autoencoder's second use: the code is a
# compact description of the input that another model can use. Whether the nonlinear
# code is a *better* description than PCA's factors is a question with a test. We give
# the same simple model both and see which forecasts better: an ordinary least-squares
# regression, fitted on the training and validation months, that predicts next month's
# change in the 10-year yield, and next month's change in the slope (10-year minus
# 3-month yield), from this month's three numbers:
#
# $$
# \Delta y_{m+1} = \beta_0 + \beta^\top x_m + \varepsilon_{m+1},
# $$ (ae-feature-ols)
#
# with $x_m$ either PCA's three factor scores or the nonlinear autoencoder's three-number
# code on the last complete day of month $m$, and $\Delta y_{m+1}$ the change to the
# last complete day of the next month, in bp. Both encoders are the ones fitted on the
# training days above; only pairs of consecutive months count (the curve has a gap while
# the 30-year bond was suspended). The networks' codes come from each of the
# {glue:text}`ae_n_seeds` runs; the verdict is decided on the seed ensemble (the average
# of the runs' forecasts) by a Diebold-Mariano test with a Newey-West variance on the
# monthly squared forecast errors of the test months. A forecast of no change beyond the
# training mean, $\hat\beta = 0$, shows whether either set of features predicts at all.

# %%
# tolerance: rtol=0.1, atol=0.02, counts=2; five seeds of a network: the codes move with CPU-dependent rounding
month_end = curve.groupby(curve.index.to_period("M")).tail(1)  # last complete curve of each month
month = month_end.index.to_period("M").asi8  # month numbers, to find consecutive months
has_next = np.append(np.diff(month) == 1, False)
next_day = pd.Series(month_end.index, index=month_end.index).shift(-1)
fit_rows = has_next & (next_day < TEST_START).to_numpy()  # the change, too, ends before the test
test_rows = has_next & (month_end.index >= TEST_START)
TARGETS = {"10-year yield": month_end["10y"], "slope (10y - 3m)": month_end["10y"] - month_end["3m"]}


def ols_forecast(x_fit, y_fit, x_new):
    """Least-squares fit of y on [1, x] (ae-feature-ols); the forecasts for x_new."""
    design = np.column_stack([np.ones(len(x_fit)), x_fit])
    beta, *_ = np.linalg.lstsq(design, y_fit, rcond=None)
    return np.column_stack([np.ones(len(x_new)), x_new]) @ beta


features = {"PCA factors": pca3.transform(month_end).to_numpy()}
for run in range(N_SEEDS):
    features[f"AE code, run {run}"] = models["nonlinear AE", 3, run].encode(month_end).to_numpy()
feature_rows, feature_verdicts = {}, {}
for target, level in TARGETS.items():
    change = (100 * (level.shift(-1) - level)).to_numpy()  # next month's change, bp
    y_fit, y_test = change[fit_rows], change[test_rows]
    forecasts = {name: ols_forecast(x[fit_rows], y_fit, x[test_rows]) for name, x in features.items()}
    forecasts["AE code, seed ensemble"] = np.mean([forecasts[f"AE code, run {r}"] for r in range(N_SEEDS)],
                                                  axis=0)
    forecasts["training mean"] = np.full(len(y_test), y_fit.mean())
    sq_err = {name: (y_test - f) ** 2 for name, f in forecasts.items()}
    rmse = {name: float(np.sqrt(e.mean())) for name, e in sq_err.items()}
    runs_rmse = [rmse[f"AE code, run {r}"] for r in range(N_SEEDS)]
    dm = inference.dm_test(sq_err["AE code, seed ensemble"], sq_err["PCA factors"])
    dm_mean = inference.dm_test(sq_err["PCA factors"], sq_err["training mean"])
    feature_rows[target] = {"PCA factors": rmse["PCA factors"],
                            "AE code, mean of runs": float(np.mean(runs_rmse)),
                            "AE code, best run": min(runs_rmse), "AE code, worst run": max(runs_rmse),
                            "AE code, seed ensemble": rmse["AE code, seed ensemble"],
                            "training mean": rmse["training mean"], "DM p, AE ensemble vs PCA": dm.pvalue,
                            "DM p, PCA vs training mean": dm_mean.pvalue}
    feature_verdicts[target] = (inference.verdict(dm, better="lower", alpha=ALPHA).split(" (")[0],
                                inference.format_pvalue(dm.pvalue, alpha=ALPHA),
                                inference.verdict(dm_mean, better="lower", alpha=ALPHA).split(" (")[0],
                                inference.format_pvalue(dm_mean.pvalue, alpha=ALPHA))
pd.DataFrame(feature_rows).T.round(3)

# %% tags=["remove-cell"]
# tolerance: rtol=0.1, atol=0.02, counts=2; five seeds of a network: the codes move with CPU-dependent rounding
for target, key in [("10-year yield", "10y"), ("slope (10y - 3m)", "slope")]:
    row, (words, p, words_mean, p_mean) = feature_rows[target], feature_verdicts[target]
    row = {name: float(value) for name, value in row.items()}
    glue(f"ae_feat_{key}_pca", round(row["PCA factors"], 1), display=False)
    glue(f"ae_feat_{key}_ae", round(row["AE code, mean of runs"], 1), display=False)
    glue(f"ae_feat_{key}_ae_best", round(row["AE code, best run"], 1), display=False)
    glue(f"ae_feat_{key}_ae_worst", round(row["AE code, worst run"], 1), display=False)
    glue(f"ae_feat_{key}_ens", round(row["AE code, seed ensemble"], 1), display=False)
    glue(f"ae_feat_{key}_mean", round(row["training mean"], 1), display=False)
    glue(f"ae_feat_{key}_verdict", words, display=False)
    glue(f"ae_feat_{key}_p", p, display=False)
    glue(f"ae_feat_{key}_vs_mean", words_mean, display=False)
    glue(f"ae_feat_{key}_p_mean", p_mean, display=False)
glue("ae_feat_fit_months", int(fit_rows.sum()), display=False)
glue("ae_feat_test_months", int(test_rows.sum()), display=False)

# %% [markdown]
# The regressions learn from {glue:text}`ae_feat_fit_months` months and are scored on
# {glue:text}`ae_feat_test_months` test months. For the 10-year yield, the forecast from
# the autoencoder's code misses by {glue:text}`ae_feat_10y_ae` bp on average over the
# runs (from {glue:text}`ae_feat_10y_ae_best` to {glue:text}`ae_feat_10y_ae_worst`; seed
# ensemble {glue:text}`ae_feat_10y_ens` bp), the forecast from PCA's factors by
# {glue:text}`ae_feat_10y_pca` bp: the code is {glue:text}`ae_feat_10y_verdict` the
# factors ({glue:text}`ae_feat_10y_p`). For the slope: {glue:text}`ae_feat_slope_ens` bp
# (runs {glue:text}`ae_feat_slope_ae_best` to {glue:text}`ae_feat_slope_ae_worst`)
# against {glue:text}`ae_feat_slope_pca` bp, {glue:text}`ae_feat_slope_verdict` the
# factors ({glue:text}`ae_feat_slope_p`). Against the plain training mean, which misses by
# {glue:text}`ae_feat_10y_mean` and {glue:text}`ae_feat_slope_mean` bp, PCA's factors are
# {glue:text}`ae_feat_10y_vs_mean` it for the 10-year yield
# ({glue:text}`ae_feat_10y_p_mean`) and {glue:text}`ae_feat_slope_vs_mean` it for the
# slope ({glue:text}`ae_feat_slope_p_mean`). Monthly changes of Treasury yields are close
# to unpredictable from the curve's current shape, and a few dozen test months can only
# detect large differences; but this is the honest test of a learned feature: a code
# that rebuilds the curve well is not, by that fact, a better input for a forecast.

# %% [markdown]
# ## Anomaly scores: the days the model cannot compress
#
# A model that reconstructs ordinary curves well can flag unusual ones. The **anomaly
# score** of day $t$ is its reconstruction error across the eleven maturities,
#
# $$
# s_t = 100 \times \sqrt{\frac{1}{11} \sum_{j=1}^{11} \big(y_{t,j} - \hat y_{t,j}\big)^2 } \ \text{bp}.
# $$ (ae-score)
#
# A high score means an unusual **shape** more than a large move. A day on which every
# yield rises by 20 bp is a pure level shift in basis points, but PCA's level factor is
# nearly flat in *standardised* yields, and one standardised unit is a different number of
# basis points at each maturity. So three factors rebuild a uniform shift well, not
# perfectly. Because PCA is linear, a shift $s$ changes each day's residual by exactly
# the residual of $s$ itself; the autoencoder's change depends on the day. We measure both
# on the test days:

# %%
# tolerance: rtol=0.1, atol=0.05; one seed of a network: CPU-dependent rounding grows through training
SHIFT_BP = 20  # every yield up by 20 bp
shifted = test + SHIFT_BP / 100


def shift_miss_bp(model):
    """Per day and maturity: the shift minus the change it causes in the reconstruction, in bp."""
    return SHIFT_BP - 100 * (model.reconstruct(shifted) - model.reconstruct(test))


pca_miss, ae_miss = shift_miss_bp(pca3), shift_miss_bp(ae3)
pca_miss_rms = float(np.sqrt((pca_miss.iloc[0] ** 2).mean()))  # the same on every day
assert np.allclose(pca_miss.to_numpy(), pca_miss.iloc[0].to_numpy(), atol=1e-8), "PCA should be linear"
ae_miss_rms = np.sqrt((ae_miss**2).mean(axis=1))  # one number per day
score_change = (curves.anomaly_scores(shifted, ae3.reconstruct(shifted))
                - curves.anomaly_scores(test, ae3.reconstruct(test)))
worst_maturity = pca_miss.iloc[0].abs().idxmax()
pd.DataFrame({"PCA": pca_miss.iloc[0], "nonlinear AE (median day)": ae_miss.median()}).T.round(1)

# %% tags=["remove-cell"]
# tolerance: rtol=0.1, atol=0.05; one seed of a network: CPU-dependent rounding grows through training
glue("ae_shift_bp", SHIFT_BP, display=False)
glue("ae_shift_pca_rms", round(pca_miss_rms, 1), display=False)
glue("ae_shift_pca_worst", f"{worst_maturity} ({pca_miss.iloc[0][worst_maturity]:+.1f} bp)", display=False)
glue("ae_shift_ae_rms", round(float(ae_miss_rms.median()), 1), display=False)
glue("ae_shift_ae_score", round(float(score_change.abs().median()), 1), display=False)
glue("ae_shift_pca_median_score", round(float(curves.anomaly_scores(test, pca3.reconstruct(test)).median()), 1),
     display=False)

# %% [markdown]
# PCA misses a uniform {glue:text}`ae_shift_bp` bp shift by {glue:text}`ae_shift_pca_rms`
# bp (root mean square over the maturities; the largest miss is at
# {glue:text}`ae_shift_pca_worst`), on every day; the autoencoder's miss is
# {glue:text}`ae_shift_ae_rms` bp on the median test day, and the shift moves its
# anomaly score by {glue:text}`ae_shift_ae_score` bp on the median day. Both are smaller
# than a typical test-day score (PCA's median: {glue:text}`ae_shift_pca_median_score`
# bp), so a parallel move barely registers; but "parallel" in basis points is not
# "parallel" to a model that works in standardised yields.
#
# To tie scores to history we need dated events with sources. These are the market episodes in
# our sample that we can document, with the dates they cover (we chose them knowing
# roughly which periods the models flag, so the matching below describes; it does not
# test):
#
# - **30-year bond suspended**: on 31 October 2001 the Treasury announced that it would stop
#   issuing the 30-year bond, and the bond's yield fell sharply that afternoon {cite}`cnn2001bond`.
# - **Flight into bills, August 2007**: as the credit turmoil began, money-market funds fled
#   into Treasury bills; on 20 August 2007 the 3-month bill yield fell by the most in a day
#   since the 1987 stock-market crash {cite}`denverpost2007bills`.
# - **Bear Stearns**: the investment bank's rescue and sale to JPMorgan Chase with Federal
#   Reserve support in mid-March 2008 {cite}`fcic2011report`.
# - **Lehman and after**: Lehman Brothers filed for bankruptcy on 15 September 2008, a large
#   money-market fund "broke the buck" the next day, and the panic of the following months
#   drove investors into Treasury bills {cite}`fcic2011report`.
# - **Taper tantrum**: after Chairman Bernanke said on 22 May 2013 that the Fed could slow
#   its bond purchases, the 10-year yield rose from about 2% to about 3% by December
#   {cite}`grittayaphong2021taper`.

# %%
EPISODES = pd.DataFrame([
    ("2001-10-31", "2001-11-09", "30-year bond suspended"),
    ("2007-08-09", "2007-08-31", "flight into bills, Aug 2007"),
    ("2008-03-14", "2008-03-31", "Bear Stearns"),
    ("2008-09-15", "2008-12-31", "Lehman and after"),
    ("2013-05-22", "2013-12-31", "taper tantrum"),
], columns=["start", "end", "label"])
display(EPISODES)

# %% [markdown]
# ### In sample, over the whole period
#
# To describe the history rather than forecast it, we fit PCA and the nonlinear
# autoencoder (three factors, trained for as many epochs as early stopping chose above) on
# **all** {glue:text}`ae_n_days` days and list the worst-reconstructed days, keeping one
# day per episode (no two listed days within {glue:text}`ae_min_sep` calendar days of each
# other).

# %%
pca_all = curves.CurvePCA(3).fit(curve)
ae_all = CurveAutoencoder(3, seed=SEED, **{**NONLINEAR, "epochs": ae3.best_epoch_, "patience": None})
ae_all.fit(curve)
fitted_all = ae_all.reconstruct(curve)
scores_all = pd.DataFrame({"nonlinear AE": curves.anomaly_scores(curve, fitted_all),
                           "PCA": curves.anomaly_scores(curve, pca_all.reconstruct(curve))})
MIN_SEPARATION = 10  # calendar days between two listed days
top_all = curves.top_anomalies(curve, fitted_all, n=10, min_separation_days=MIN_SEPARATION)
top_all.insert(1, "PCA score_bp", scores_all.loc[top_all.index, "PCA"])
top_all["episode"] = curves.label_episodes(top_all.index, EPISODES, none="none documented")
rank_corr_all = scores_all.corr(method="spearman").iloc[0, 1]
matched = int((top_all["episode"] != "none documented").sum())
top_all.round(1)

# %% tags=["remove-cell"]
glue("ae_min_sep", MIN_SEPARATION, display=False)
glue("ae_in_rank_corr", round(float(rank_corr_all), 2), display=False)
glue("ae_in_matched", matched, display=False)
glue("ae_in_n_top", len(top_all), display=False)
glue("ae_in_top1_date", f"{top_all.index[0]:%Y-%m-%d}", display=False)
glue("ae_in_top1_score", round(float(top_all["score_bp"].iloc[0]), 1), display=False)
glue("ae_in_top1_maturity", top_all["worst_maturity"].iloc[0], display=False)
glue("ae_in_top1_resid", round(float(top_all["residual_bp"].iloc[0]), 1), display=False)
glue("ae_in_top1_episode", top_all["episode"].iloc[0], display=False)

# %% [markdown]
# The two models broadly agree on which days are odd (Spearman rank correlation of the
# scores {glue:text}`ae_in_rank_corr`), and {glue:text}`ae_in_matched` of the
# {glue:text}`ae_in_n_top` worst episodes fall inside a documented episode window. The
# worst day of all, {glue:text}`ae_in_top1_date` (score {glue:text}`ae_in_top1_score` bp,
# largest residual {glue:text}`ae_in_top1_resid` bp at {glue:text}`ae_in_top1_maturity`),
# lies in the {glue:text}`ae_in_top1_episode` episode: bill yields collapsed while notes
# and bonds barely moved, a kink at the short end that no smooth three-factor curve
# contains. The autumn of 2008 supplies most of the rest, again with the bills far from
# where the rest of the curve puts them. The days marked "none documented" stay
# unexplained: the score says their shape was unusual, and we found no source that says
# why, so we do not guess.

# %%
window = curve.loc["2007-08-13":"2007-08-21", ["1m", "3m", "6m", "2y", "10y"]]
display(window)

# %% tags=["remove-cell"]
glue("ae_aug07_3m_drop", int(round(100 * (window["3m"].iloc[0] - window["3m"].min()))), display=False)
glue("ae_aug07_10y_drop", int(round(100 * (window["10y"].iloc[0] - window.loc[window["3m"].idxmin(), "10y"]))),
     display=False)

# %% [markdown]
# In our data the 3-month yield fell by {glue:text}`ae_aug07_3m_drop` bp within a week in
# August 2007 while the 10-year fell by {glue:text}`ae_aug07_10y_drop` bp: the curve bent
# at its short end, which is precisely what a level-slope-curvature description cannot do.
#
# Falling inside a documented window is not yet an explanation; the residuals have to
# fit the story. The window of the 30-year bond's suspension holds
# {glue:text}`ae_sus_listed` of the listed days. Here are the in-sample autoencoder's
# residuals (actual minus reconstructed yield, in bp) and both models' scores on the days
# around the announcement of 31 October 2001:

# %%
announcement = pd.Timestamp("2001-10-31")
around = curve.loc[announcement - pd.Timedelta(days=7): announcement + pd.Timedelta(days=5)]
residuals = 100 * (around - ae_all.reconstruct(around))
residuals.insert(0, "PCA score_bp", scores_all.loc[around.index, "PCA"])
residuals.insert(0, "score_bp", scores_all.loc[around.index, "nonlinear AE"])
before, after = residuals.loc[residuals.index < announcement], residuals.loc[residuals.index >= announcement]
moves = 100 * (curve.loc[announcement] - curve.loc[:announcement].iloc[-2])
display(residuals.round(1))

# %% tags=["remove-cell"]
for name, value in {"score_before": before["score_bp"].mean(), "score_after": after["score_bp"].mean(),
                    "pca_before": before["PCA score_bp"].mean(), "pca_after": after["PCA score_bp"].mean(),
                    "30y_before": before["30y"].mean(), "30y_after": after["30y"].mean(),
                    "1m_before": before["1m"].mean(), "1m_after": after["1m"].mean()}.items():
    glue(f"ae_sus_{name}", round(float(value), 1), display=False)
glue("ae_sus_listed", int((top_all["episode"] == "30-year bond suspended").sum()), display=False)
glue("ae_sus_move30", int(round(-moves["30y"])), display=False)
glue("ae_sus_move10", int(round(-moves["10y"])), display=False)
glue("ae_sus_move20", int(round(-moves["20y"])), display=False)

# %% [markdown]
# The autoencoder's score jumps on the day of the announcement, from
# {glue:text}`ae_sus_score_before` bp on average before it to
# {glue:text}`ae_sus_score_after` bp from then on (PCA's: from
# {glue:text}`ae_sus_pca_before` to {glue:text}`ae_sus_pca_after` bp). That day the 30-year
# yield fell {glue:text}`ae_sus_move30` bp, against {glue:text}`ae_sus_move20` bp for the
# 20-year and {glue:text}`ae_sus_move10` bp for the 10-year, the move one would expect from
# the news. Yet the 30-year residual only goes from {glue:text}`ae_sus_30y_before` to
# {glue:text}`ae_sus_30y_after` bp, while the one-month residual goes from
# {glue:text}`ae_sus_1m_before` to {glue:text}`ae_sus_1m_after` bp. The encoder read the
# drop in long yields as a change in its three factors, and the decoder spread the
# consequence over the whole curve, most visibly at the short end. The timing ties the
# jump to the announcement; the residuals alone would have pointed at the bills. The
# maturity with the largest residual is where the model's error shows up, not necessarily
# where the news was.
#
# ### Out of sample, on the test period
#
# The out-of-sample scores come from the models trained before the test period, exactly as
# a risk system would run them.

# %%
scores_oos = pd.DataFrame({"nonlinear AE": curves.anomaly_scores(test, ae3.reconstruct(test)),
                           "PCA": curves.anomaly_scores(test, pca3.reconstruct(test))})
top_oos = curves.top_anomalies(test, ae3.reconstruct(test), n=8, min_separation_days=MIN_SEPARATION)
top_oos.insert(1, "PCA score_bp", scores_oos.loc[top_oos.index, "PCA"])
top_oos["episode"] = curves.label_episodes(top_oos.index, EPISODES, none="none documented")
quarter = scores_oos["nonlinear AE"].groupby(scores_oos.index.to_period("Q")).mean()
resid_top = 100 * (test.loc[top_oos.index] - ae3.reconstruct(test.loc[top_oos.index]))
resid_20y = float(resid_top["20y"].mean())
year = scores_oos["nonlinear AE"].groupby(scores_oos.index.year).mean()
top_oos.round(1)

# %% tags=["remove-cell"]
glue("ae_oos_first_quarter", str(quarter.index[0]), display=False)
glue("ae_oos_first_quarter_score", round(float(quarter.iloc[0]), 1), display=False)
glue("ae_oos_belly_resid", round(float(resid_top[["3y", "5y", "7y"]].mean(axis=1).mean()), 1), display=False)
glue("ae_oos_20y_resid", round(abs(resid_20y), 1), display=False)
glue("ae_oos_20y_side", "below" if resid_20y < 0 else "above", display=False)
glue("ae_oos_first_year", int(year.index[0]), display=False)
glue("ae_oos_first_year_score", round(float(year.iloc[0]), 1), display=False)
glue("ae_oos_last_year", int(year.index[-1]), display=False)
glue("ae_oos_last_year_score", round(float(year.iloc[-1]), 1), display=False)
glue("ae_oos_rank_corr", round(float(scores_oos.corr(method="spearman").iloc[0, 1]), 2), display=False)
glue("ae_oos_worst_quarter", str(quarter.idxmax()), display=False)
glue("ae_oos_worst_quarter_score", round(float(quarter.max()), 1), display=False)
glue("ae_oos_median_score", round(float(scores_oos["nonlinear AE"].median()), 1), display=False)
glue("ae_oos_top_first", f"{top_oos.index.min():%Y-%m-%d}", display=False)
glue("ae_oos_top_last", f"{top_oos.index.max():%Y-%m-%d}", display=False)
glue("ae_oos_matched", int((top_oos["episode"] != "none documented").sum()), display=False)
glue("ae_oos_n_top", len(top_oos), display=False)

# %% [markdown]
# The out-of-sample list looks different ({glue:text}`ae_oos_matched` of its
# {glue:text}`ae_oos_n_top` days fall in a documented episode). Its worst days do not stand
# alone: they belong to long stretches of poorly reconstructed curves. The quarterly mean
# score climbs from {glue:text}`ae_oos_first_quarter_score` bp in
# {glue:text}`ae_oos_first_quarter` to {glue:text}`ae_oos_worst_quarter_score` bp in
# {glue:text}`ae_oos_worst_quarter` (median day: {glue:text}`ae_oos_median_score` bp), and
# on the listed days the residual is a shape, not a kink: the 3- to 7-year yields sit on
# average {glue:text}`ae_oos_belly_resid` bp above the reconstruction and the 20-year
# yield {glue:text}`ae_oos_20y_resid` bp {glue:text}`ae_oos_20y_side` it. A model trained on the earlier years flags a
# **regime** whose curve shapes it has not seen: its mean score is
# {glue:text}`ae_oos_first_year_score` bp in {glue:text}`ae_oos_first_year`, the first
# test year, and {glue:text}`ae_oos_last_year_score` bp in {glue:text}`ae_oos_last_year`,
# the last. We know of no single event behind these dates and
# leave them unexplained. {numref}`ae-fig-scores` shows both views.

# %% mystnb={"figure": {"name": "ae-fig-scores", "caption": "Anomaly scores of the three-factor models. Top: in sample over the whole period; shading marks the documented episodes, dots the listed worst episodes. Bottom: out of sample on the test period."}}
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 5.6))
for col, colour in [("PCA", "C0"), ("nonlinear AE", "C1")]:
    for i, (_, part) in enumerate(scores_all[col].groupby(segment.to_numpy())):  # no line across the gap
        ax1.plot(part.index, part, linewidth=0.6, color=colour, label=col if i == 0 else None)
    ax2.plot(scores_oos.index, scores_oos[col], linewidth=0.6, color=colour, label=col)
for start, end in zip(pd.to_datetime(EPISODES["start"]), pd.to_datetime(EPISODES["end"]), strict=True):
    ax1.axvspan(start, end, color="grey", alpha=0.25)
    if end >= test.index[0]:
        ax2.axvspan(max(start, test.index[0]), end, color="grey", alpha=0.25)
ax1.plot(top_all.index, top_all["score_bp"], "o", color="black", markersize=4, label="worst episodes")
ax1.set(ylabel="score (bp)", title="in sample, all days")
ax2.set(ylabel="score (bp)", xlabel="date", title="out of sample, test days")
ax1.legend(ncol=3)
plt.show()

# %% [markdown]
# What about the taper tantrum? It was one of the largest bond-market moves of the test
# period, yet its days score low.

# %%
tantrum = scores_oos.loc["2013-05-22":"2013-12-31", "nonlinear AE"]
percentile = scores_oos["nonlinear AE"].rank(pct=True).loc[tantrum.index]
ten_year = curve["10y"]
rise = ten_year.loc["2013-05-22":"2013-12-31"].max() - ten_year.loc[:"2013-05-21"].iloc[-1]
pd.Series({"10-year yield, largest rise after 21 May 2013 (bp)": int(round(100 * rise)),
           "median percentile of the tantrum days' scores (%)": int(round(100 * percentile.median()))})

# %% tags=["remove-cell"]
glue("ae_tantrum_rise", int(round(100 * rise)), display=False)
glue("ae_tantrum_pct", int(round(100 * percentile.median())), display=False)

# %% [markdown]
# The 10-year yield rose by up to {glue:text}`ae_tantrum_rise` bp, but the median tantrum
# day sits at the {glue:text}`ae_tantrum_pct`th percentile of the test-period scores. The
# move was a rise in level and slope, exactly the directions the factors describe, so the
# curve stayed easy to compress. Anomaly scores of this kind catch *shape* breaks (funding
# stress at the short end, a supply shock at one maturity), not big moves; a risk manager
# needs both kinds of alarm.

# %% [markdown]
# ## How this compares with published results
#
# - **Three factors.** {cite:t}`litterman1991common` found that level, steepness and
#   curvature explain almost all the variation in Treasury returns; on our training years
#   the first three components explain {glue:text}`ae_ev3_changes`% of the variance of daily
#   yield changes and {glue:text}`ae_ev3_levels`% of that of yield levels, with loadings of
#   the same three shapes: a curve observed decades after theirs, much of it with the
#   policy rate at zero, still has the same three factors.
# - **Linear autoencoder = PCA.** The theorem of {cite:t}`baldi1989neural` holds on real
#   data: largest principal angle {glue:text}`ae_max_angle`°.
# - **Nonlinear autoencoders.** {cite:t}`hinton2006reducing` report that deep autoencoders
#   reconstruct images and documents far better than PCA with the same code size. For
#   yield curves, {cite:t}`sokol2022autoencoder` reports that a (variational) autoencoder
#   trained on curves of several currencies can, in some cases, match the accuracy of
#   classical models that use one more state variable. Our one-factor network
#   ({glue:text}`ae_ae1_test` bp) is indeed close to two-factor PCA
#   ({glue:text}`ae_pca2_test` bp), but the two-factor network
#   ({glue:text}`ae_ae2_test` bp) is far from three-factor PCA ({glue:text}`ae_pca3_test`
#   bp), and at three factors the network is {glue:text}`ae_verdict3` PCA
#   ({glue:text}`ae_dm_p3`). On eleven highly correlated yields the
#   room for a nonlinear gain is small once the bottleneck is wide enough.

# %% tags=["remove-cell"]
# tolerance: rtol=0.03; one seed of a network: CPU-dependent rounding grows through training
headline.glue_headline(
    task="Treasury curve compression (3 factors)",
    metric=f"out-of-sample reconstruction RMSE (bp), test {test.index[0]:%Y}-{test.index[-1]:%Y}",
    better="lower",
    deep_model=f"nonlinear autoencoder ({ACTIVATION}, mean of {N_SEEDS} runs)",
    deep_score=round(float(score["nonlinear AE", 3]), 4),
    baseline_model="PCA (3 factors)",
    baseline_score=round(float(score["PCA", 3]), 4),
)

# %% [markdown]
# ## What we learned
#
# - Three principal components (level, slope, curvature) explain
#   {glue:text}`ae_ev3_levels`% of the variance of standardised Treasury yields and
#   {glue:text}`ae_ev3_changes`% of that of daily changes, as
#   {cite:t}`litterman1991common` found three decades earlier.
# - Out of sample, with three factors, the nonlinear autoencoder (five runs) is
#   {glue:text}`ae_verdict3` PCA ({glue:text}`ae_dm_p3`; with a month of HAC lags,
#   {glue:text}`ae_dm_month_p3`):
#   {glue:text}`ae_ae3_test` bp against {glue:text}`ae_pca3_test` bp of reconstruction
#   error. With one factor it is {glue:text}`ae_verdict1` PCA ({glue:text}`ae_dm_p1`):
#   {glue:text}`ae_ae1_test` bp against {glue:text}`ae_pca1_test` bp.
# - As features for a linear forecast of next month's 10-year yield change, the
#   autoencoder's code is {glue:text}`ae_feat_10y_verdict` PCA's factors
#   ({glue:text}`ae_feat_10y_p`).
# - A linear autoencoder learns PCA's subspace (largest principal angle
#   {glue:text}`ae_max_angle`°) but not its interpretable axes.
# - A random train/test split of days makes the error look
#   {glue:text}`ae_time_vs_shuffled` times smaller than it is on a later period
#   ({glue:text}`ae_shuffled_rmse` bp); losses on standardised data must be converted to
#   basis points before anyone can judge them.
# - Reconstruction errors make an anomaly score for curve *shapes*: in sample the worst
#   day is {glue:text}`ae_in_top1_date` ({glue:text}`ae_in_top1_episode`); out of sample
#   the score mostly flags a regime the model has not seen, and it stays quiet in the
#   taper tantrum, a large but ordinary-shaped move.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ae-ex-relu
# Re-run the chapter with `ACTIVATION = "relu"`
# (`python -m finbook run 06_autoencoders -p ACTIVATION relu --output runs/`). Does the
# conclusion about three factors change? Is the spread between the runs larger or smaller
# than with `tanh`?
# ```
#
# ```{solution} ae-ex-relu
# :class: dropdown
# Compare the results table and the Diebold-Mariano verdicts of the new run with the
# ones above, factor by factor. Because ReLU units can "die" (output zero for every
# training day), a small ReLU network tends to vary more from one initialisation to the
# next; the best-worst whiskers of the results figure show whether that happened here.
# Whatever the activation, a difference smaller than the spread between runs is not a
# finding.
# ```
#
# ```{exercise}
# :label: ae-ex-refit
# Real risk systems refit their factor model regularly. Using
# `finbook.validation.yearly_walk_forward(curve.index, first_test_year=...)`, refit the
# three-factor PCA at the start of each test year on all earlier days and compute the
# out-of-sample RMSE and the anomaly scores again. What happens to the error and to the
# list of anomalous days?
# ```
#
# ````{solution} ae-ex-refit
# :class: dropdown
# A sketch:
#
# ```python
# from finbook.validation import yearly_walk_forward
# pieces = [curves.CurvePCA(3).fit(curve.iloc[tr]).reconstruct(curve.iloc[te])
#           for tr, te in yearly_walk_forward(curve.index, first_test_year=test.index[0].year)]
# refit = pd.concat(pieces)
# print(curves.reconstruction_rmse_bp(curve.loc[refit.index], refit))
# curves.top_anomalies(curve.loc[refit.index], refit, n=8, min_separation_days=10)
# ```
#
# Refitting lets the factors follow the new regime: the error falls from
# {glue:text}`ae_pca3_test` bp for the single fit to {glue:text}`ae_refit_rmse` bp. The worst days still cluster in one part of the test period
# (the listed days run from {glue:text}`ae_refit_top_first` to
# {glue:text}`ae_refit_top_last`): refitting once a year is slower than the changes it
# has to follow.
# ````
#
# ```{exercise}
# :label: ae-ex-rotation
# Show that any invertible $3 \times 3$ matrix $R$ can be inserted between the encoder and
# the decoder of the linear autoencoder without changing its reconstructions. Why does
# this mean that the autoencoder's code cannot be read as level, slope and curvature, and
# what extra constraint would make it so?
# ```
#
# ```{solution} ae-ex-rotation
# :class: dropdown
# The linear autoencoder computes $\hat z = D(Ez + b) + c$ with encoder $E$ ($3 \times
# 11$) and decoder $D$ ($11 \times 3$). Replacing $E, b$ by $RE, Rb$ and $D$ by $DR^{-1}$
# gives $DR^{-1}(REz + Rb) + c = D(Ez + b) + c$: the same reconstruction, hence the same
# loss {eq}`ae-loss`. Training therefore pins down the subspace spanned by $D$'s columns,
# not the columns themselves. PCA removes the freedom by demanding orthonormal loadings
# ordered by explained variance; imposing $D^\top D = I$ and uncorrelated codes with
# decreasing variance on the autoencoder would do the same.
# ```
#
# ```{exercise}
# :label: ae-ex-changes
# Compress daily *changes* instead of levels: fit `CurvePCA(3)` and a three-factor
# nonlinear autoencoder on `curves.daily_changes(train)` and compare their out-of-sample
# RMSE on `curves.daily_changes(test)`. Is a nonlinear model more or less useful for
# changes than for levels, and why?
# ```
#
# ```{solution} ae-ex-changes
# :class: dropdown
# Daily changes are close to a linear factor model plus noise: their distribution does not
# bend with the level of rates the way the curve's shape does near the zero lower bound.
# Three principal components already explain most of their variance (see the table of
# explained variance), and the rest is largely maturity-specific noise, which no
# three-number code can reconstruct. Expect the nonlinear autoencoder to match PCA at best.
# ```

# %% tags=["remove-cell"]
# Numbers quoted in the solutions above, computed here so that the text cannot disagree
# with the code (hidden on the rendered page so as not to give them away).
pieces = [curves.CurvePCA(3).fit(curve.iloc[tr]).reconstruct(curve.iloc[te])
          for tr, te in yearly_walk_forward(curve.index, first_test_year=test.index[0].year)]
refit = pd.concat(pieces)
refit_top = curves.top_anomalies(curve.loc[refit.index], refit, n=8, min_separation_days=10)
glue("ae_refit_rmse", round(curves.reconstruction_rmse_bp(curve.loc[refit.index], refit), 1), display=False)
glue("ae_refit_top_first", f"{refit_top.index.min():%Y-%m-%d}", display=False)
glue("ae_refit_top_last", f"{refit_top.index.max():%Y-%m-%d}", display=False)
