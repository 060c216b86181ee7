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
# (rnn)=
# # Recurrent networks: RNN, LSTM and GRU
#
# A recurrent network (RNN, 循环神经网络) reads a sequence one step at a time and carries a
# hidden state from each step to the next, a running summary of everything it has seen.
# That sounds made for financial time series. This chapter writes the recurrence out,
# shows numerically why a plain RNN forgets within a few weeks (vanishing gradients), and
# then puts the two gated remedies, the LSTM and the GRU, to work on the task of
# {ref}`the previous chapter <cnn>`: forecasting next week's volatility of the S&P 500,
# with the same data, splits and metric, beside the HAR, HAR-with-leverage and naive baselines.

# %% tags=["parameters"]
SEED = 2024  # seed of every network's initial weights and mini-batch order
LOOKBACK = 22  # trading days in each input window (about one month)
FIRST_TEST_YEAR = 2004  # the first year forecast out of sample
YEARS_PER_REFIT = 5  # the models are refitted every this many years
UNITS = 16  # size of the hidden state of the LSTM and the GRU
EPOCHS = 40  # upper limit; early stopping usually ends training sooner
PATIENCE = 4  # epochs without a better validation loss before training stops
N_SEEDS = 5  # the plain RNN, the LSTM and the GRU are each trained with this many seeds; verdicts on their ensembles
RNN_STEPS = 100  # length of the sequence in the vanishing-gradient experiment
CLIP_RHO = 2.0  # norm of the recurrent matrix in the exploding-gradient experiment
CLIP_LR = 0.5  # its plain SGD learning rate
CLIP_NORM = 1.0  # the clipping threshold c
CLIP_STEPS = 100  # SGD steps with and without clipping
DIAG_EPOCHS = 20  # epochs of the first refit trained without early stopping (the early-stop diagnosis)

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
import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

from finbook import data, inference, metrics, plots, repro, sequence, training, validation, volatility
from finbook.book import headline
from finbook.repro import import_tensorflow

repro.set_seed(SEED)
tf = import_tensorflow()
import keras  # noqa: E402  (imported quietly by finbook above)

plots.use_book_style()

# %% [markdown]
# ````{admonition} What the article says
# :class: note
# The article presents the recurrent network as the second core deep-learning algorithm,
# for sequence data: an input layer, a hidden layer whose "recurrent connection ... lets
# the network process long sequences", and an output layer. It writes no equation, names
# neither the LSTM nor the GRU, and does not mention that plain RNNs are notoriously hard
# to train on long sequences, which is the reason both were invented.
# ````

# %% [markdown]
# ## The task, again
#
# We reuse the task defined in {ref}`cnn-task`, built by the same function: inputs are
# the last {glue:text}`rnn_lookback` days of log Garman–Klass variance and daily return;
# the target is the log of next week's average variance; models are refitted every
# {glue:text}`rnn_years_per_refit` years from {glue:text}`rnn_first_test_year` and scored
# out of sample by QLIKE, the loss $v/h - \ln(v/h) - 1$ of a variance forecast $h$ when
# $v$ is realised.

# %%
prices = data.sp500()
task = sequence.volatility_task(prices, lookback=LOOKBACK, horizon=5)
task.summary()

# %% tags=["remove-cell"]
glue("rnn_lookback", LOOKBACK, display=False)
glue("rnn_years_per_refit", YEARS_PER_REFIT, display=False)
glue("rnn_first_test_year", FIRST_TEST_YEAR, display=False)

# %% [markdown]
# ## The recurrence
#
# A plain (Elman) RNN with hidden state $h_t \in \mathbb{R}^u$ reads inputs
# $x_1, \ldots, x_T$ and updates
#
# $$
# h_t = \tanh\bigl(W h_{t-1} + U x_t + b\bigr), \qquad t = 1, \ldots, T,
# $$ (rnn-state)
#
# from $h_0 = 0$; the forecast is read from the last state,
#
# $$
# \hat y = v^\top h_T + c .
# $$ (rnn-output)
#
# The same $W$, $U$ and $b$ serve at every step, so the network has as many parameters
# for a month of data as for a year. It is trained by back-propagation through time: the
# gradient of the loss with respect to an early state passes through every later step,
#
# $$
# \frac{\partial h_T}{\partial h_t} = \prod_{k=t+1}^{T} \frac{\partial h_k}{\partial h_{k-1}}
#   = \prod_{k=t+1}^{T} D_k W, \qquad D_k = \operatorname{diag}\bigl(1 - h_k^2\bigr),
# $$ (rnn-jacobian)
#
# a product of $T - t$ matrices. Since $|\tanh'| \le 1$, its norm is at most
# $\|W\|^{T-t}$: if $W$ shrinks vectors, the product dies out geometrically with the lag,
# and if it stretches them, it may blow up. This is the vanishing (or exploding) gradient
# problem analysed by {cite:t}`bengio1994learning`.
#
# The function below computes {eq}`rnn-jacobian` exactly: it runs the recurrence
# {eq}`rnn-state` forward and keeps the states, then multiplies the step Jacobians
# $D_k W$ from the last step backwards, recording the spectral norm (largest singular
# value) of the product after each step.

# %%
# @save
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


# %% [markdown]
# ## The article's claim, checked: how long does a plain RNN remember?
#
# We compute {eq}`rnn-jacobian` with `rnn_jacobian_norms` for a
# tanh RNN of {glue:text}`rnn_units` units reading the {glue:text}`rnn_steps` trading
# days up to {glue:text}`rnn_segment_end` (log variance and return, standardised). Its recurrent matrix is a
# random rotation scaled by $\rho$, so that $\|W\| = \rho$; we try four values.

# %%
returns = volatility.log_returns(prices["close"])
daily = pd.DataFrame({"log variance": np.log(task.daily_variance), "return": returns}).dropna()
segment = daily.loc[:"2008-12-31"].tail(RNN_STEPS)
x_seq = ((segment - segment.mean()) / segment.std()).to_numpy()

rng = np.random.default_rng(SEED)
rotation, _ = np.linalg.qr(rng.normal(size=(UNITS, UNITS)))
input_kernel = rng.normal(scale=0.5, size=(UNITS, 2))
scales = [0.5, 0.9, 1.2, 2.0]
norms = {rho: rnn_jacobian_norms(x_seq, rho * rotation, input_kernel) for rho in scales}
lags = [1, 5, 22, 66]
norm_table = pd.DataFrame({f"rho = {rho}": [norms[rho][-1 - lag] for lag in lags] for rho in scales},
                          index=pd.Index(lags, name="lag T - t (days)"))
norm_table.map(lambda v: f"{v:.1e}")

# %% tags=["remove-cell"]
glue("rnn_segment_end", f"{segment.index[-1]:%-d %B %Y}", display=False)
glue("rnn_units", UNITS, display=False)
glue("rnn_steps", RNN_STEPS, display=False)
glue("rnn_norm_09_22", f"{norms[0.9][-23]:.1e}", display=False)
glue("rnn_norm_09_66", f"{norms[0.9][-67]:.0e}", display=False)
glue("rnn_norm_2_66", f"{norms[2.0][-67]:.0e}", display=False)

# %% [markdown]
# The table gives the spectral norm $\|\partial h_T / \partial h_t\|$. With
# $\rho = 0.9$ a state one month back (22 days) still reaches the last state with weight
# {glue:text}`rnn_norm_09_22`; a quarter back (66 days), {glue:text}`rnn_norm_09_66`.
# At the start of training, then, the error of the forecast reaches a state a month back
# only through a factor that small: a gradient step barely sees what happened then. This
# is a statement about an *untrained* recurrence. Whether a plain RNN trained on the task
# ends up worse than the gated networks is an empirical question, and we answer it below
# by training one with the same protocol and seeds as the LSTM and the GRU. With
# $\rho = 2$ the product instead grows to {glue:text}`rnn_norm_2_66` at a lag of 66 days:
# the gradient explodes, the problem of the section after next. The figure shows the whole
# profile on a log scale.

# %%
fig, ax = plt.subplots()
lag_axis = np.arange(RNN_STEPS, -1, -1)
for rho in scales:
    ax.plot(lag_axis, norms[rho], label=f"rho = {rho}")
ax.set_yscale("log")
ax.axvline(22, color="0.3", ls=":", lw=1)
ax.text(23, 1e-12, "one month", fontsize=8)
ax.set_xlabel("lag T - t (trading days)")
ax.set_ylabel(r"$\|\partial h_T / \partial h_t\|$")
ax.set_title("A tanh RNN forgets geometrically (or explodes)")
ax.legend()
plt.show()

# %% [markdown]
# The formula is easy to get wrong, so we check it against TensorFlow's automatic
# differentiation: a Keras `SimpleRNN` given the same weights, differentiated with
# `GradientTape` with respect to its initial state, over the last
# {glue:text}`rnn_tape_steps` days.

# %%
rho, steps = 0.9, 22
layer = keras.layers.SimpleRNN(UNITS)
layer.build((None, steps, 2))
layer.set_weights([input_kernel.T.astype("float32"), (rho * rotation).T.astype("float32"),
                   np.zeros(UNITS, dtype="float32")])  # Keras multiplies row vectors: x U^T
h0 = tf.zeros((1, UNITS))
with tf.GradientTape() as tape:
    tape.watch(h0)
    h_last = layer(x_seq[None, -steps:].astype("float32"), initial_state=[h0])
jacobian = tape.batch_jacobian(h_last, h0).numpy()[0]
by_tape = np.linalg.norm(jacobian, 2)
by_formula = rnn_jacobian_norms(x_seq[-steps:], rho * rotation, input_kernel)[0]
pd.DataFrame({"norm of dh_T/dh_0": [by_formula, by_tape]},
             index=["product of Jacobians (NumPy)", "GradientTape (Keras)"]).map(lambda v: f"{v:.4e}")

# %% tags=["remove-cell"]
glue("rnn_tape_steps", steps, display=False)
glue("rnn_tape_agree", "agree" if np.isclose(by_tape, by_formula, rtol=1e-4) else "disagree",
     display=False)

# %% [markdown]
# The two {glue:text}`rnn_tape_agree` to four significant digits.
#
# ## Exploding gradients and clipping
#
# When the product {eq}`rnn-jacobian` grows instead of shrinking, a single gradient can be
# so large that one step throws the weights far from where they were, and the loss with
# them. {cite:t}`pascanu2013difficulty` proposed a simple remedy: when the norm of the
# gradient $g$ of all the weights together exceeds a threshold $c$, rescale it,
#
# $$
# g \leftarrow g \cdot \min\bigl(1,\ c / \|g\|\bigr),
# $$ (clip)
#
# which keeps the direction of the step and caps its length at the learning rate times
# $c$. Keras optimisers offer it as `global_clipnorm=`; here we write the training step
# ourselves to see what it does. A plain RNN of {glue:text}`rnn_units` units, its
# recurrent matrix the rotation above scaled to $\|W\| = \rho$ = {glue:text}`rnn_clip_rho`,
# is trained by plain stochastic gradient descent (learning rate
# {glue:text}`rnn_clip_lr`, batches of 64) on the first 1,000 samples of the task, once
# without clipping and once with $c$ = {glue:text}`rnn_clip_norm`. The step records the
# norm of the gradient before clipping, and the loss.

# %%
def sgd_step(optimizer, clip_norm, log):
    """One SGD step on the mean squared error; the gradient's global norm clipped to clip_norm (None: not)."""
    def step(net, x_batch, y_batch):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((y_batch - net(x_batch, training=True)[:, 0]) ** 2)
        grads = tape.gradient(loss, net.trainable_variables)
        norm = tf.linalg.global_norm(grads)  # ||g|| over all the weights together
        if clip_norm is not None:
            grads, _ = tf.clip_by_global_norm(grads, clip_norm, use_norm=norm)  # eq. (clip)
        optimizer.apply_gradients(zip(grads, net.trainable_variables, strict=True))
        log["norm"].scatter_nd_update([[log["steps"]]], [norm])  # record, inside the traced loop
        log["loss"].scatter_nd_update([[log["steps"]]], [loss])
        log["steps"].assign_add(1)
        return loss
    return step


x_clip = task.x[:1000].astype(float)
x_clip = ((x_clip - x_clip.mean(axis=(0, 1))) / x_clip.std(axis=(0, 1))).astype("float32")
y_clip = task.y[:1000].astype(float)
y_clip = ((y_clip - y_clip.mean()) / y_clip.std()).astype("float32")
clip_logs, blew_up = {}, {}
for clip in (None, CLIP_NORM):
    repro.set_seed(SEED)
    inputs = keras.Input(shape=(LOOKBACK, 2))
    recurrence = keras.layers.SimpleRNN(UNITS)
    net = keras.Model(inputs, keras.layers.Dense(1)(recurrence(inputs)))
    kernel, _, bias = recurrence.get_weights()
    recurrence.set_weights([kernel, (CLIP_RHO * rotation).T.astype("float32"), bias])  # ||W|| = rho
    optimizer = keras.optimizers.SGD(learning_rate=CLIP_LR)
    optimizer.build(net.trainable_variables)
    log = {"norm": tf.Variable(tf.fill([CLIP_STEPS], np.nan)), "loss": tf.Variable(tf.fill([CLIP_STEPS], np.nan)),
           "steps": tf.Variable(0)}
    try:
        training.fit(net, x_clip, y_clip, steps=CLIP_STEPS, eval_every=1, batch_size=64,
                     step=sgd_step(optimizer, clip, log), loss="mse", seed=SEED)
        blew_up[clip] = None
    except FloatingPointError:  # fit stops when the loss is no longer a finite number
        blew_up[clip] = int(log["steps"].numpy())
    clip_logs["no clipping" if clip is None else f"clipped at c = {clip}"] = (
        pd.DataFrame({"gradient norm": log["norm"].numpy(), "loss": log["loss"].numpy()},
                     index=pd.RangeIndex(1, CLIP_STEPS + 1, name="step")))
assert blew_up[None] is not None and blew_up[CLIP_NORM] is None, blew_up  # the text says so

fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
for label, frame in clip_logs.items():
    finite = frame[np.isfinite(frame["loss"])]
    axes[0].plot(finite.index, finite["gradient norm"], label=label)
    axes[1].plot(finite.index, finite["loss"], label=label)
for ax, ylabel in zip(axes, ["gradient norm $\\|g\\|$ (before clipping)", "training loss (MSE)"], strict=True):
    ax.set_yscale("log")
    ax.set_xlabel("SGD step")
    ax.set_ylabel(ylabel)
axes[0].axhline(CLIP_NORM, color="0.3", ls=":", lw=1)
axes[1].legend()
fig.suptitle(f"A plain RNN with $\\|W\\| = {CLIP_RHO}$: exploding gradients, with and without clipping")
plt.show()

# %% tags=["remove-cell"]
# tolerance: rtol=0.5, atol=0.05; exploding gradients amplify CPU-dependent rounding
glue("rnn_clip_rho", CLIP_RHO, display=False)
glue("rnn_clip_lr", CLIP_LR, display=False)
glue("rnn_clip_norm", CLIP_NORM, display=False)
glue("rnn_clip_first_norm", round(float(clip_logs["no clipping"]["gradient norm"].iloc[0]), 1), display=False)
clipped = clip_logs[f"clipped at c = {CLIP_NORM}"]
glue("rnn_clip_final_loss", round(float(clipped["loss"].iloc[-20:].mean()), 2), display=False)
glue("rnn_clip_steps", CLIP_STEPS, display=False)

# %% [markdown]
# Both runs start from the same weights and the same first gradient, of norm
# {glue:text}`rnn_clip_first_norm`. Without clipping, the large steps feed on themselves:
# the gradient norm shoots up by orders of magnitude, and within the
# {glue:text}`rnn_clip_steps` steps the loss is no longer a finite number
# (`finbook.training.fit` stops with an error; the step at which it happens depends on
# the CPU's rounding, a sign of how unstable the run is). With clipping, no step is
# longer than {glue:text}`rnn_clip_lr` $\times$ {glue:text}`rnn_clip_norm`, and the loss
# stays finite, averaging {glue:text}`rnn_clip_final_loss` over the last 20 steps. The targets are standardised, so 1 is the loss of forecasting their mean: this
# small experiment (plain SGD, a deliberately bad initialisation, 1,000 samples) is about
# stability, not accuracy; clipping keeps training alive, it does not make it good.
# Clipping does not cure vanishing gradients either, and with Adam, which divides each
# step by a running scale of the gradient, it matters less; the networks below are
# trained with Adam and without clipping.
#
# ## Gates: the LSTM and the GRU
#
# The long short-term memory (LSTM) of {cite:t}`hochreiter1997long` adds a second state,
# the cell $c_t$, which is updated additively and guarded by gates, sigmoid-valued
# vectors in $(0, 1)$ that decide what to forget, what to write and what to show:
#
# $$
# \begin{aligned}
# f_t &= \sigma(W_f x_t + U_f h_{t-1} + b_f) && \text{forget gate} \\
# i_t &= \sigma(W_i x_t + U_i h_{t-1} + b_i) && \text{input gate} \\
# o_t &= \sigma(W_o x_t + U_o h_{t-1} + b_o) && \text{output gate} \\
# \tilde c_t &= \tanh(W_c x_t + U_c h_{t-1} + b_c) && \text{candidate} \\
# c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t \\
# h_t &= o_t \odot \tanh(c_t)
# \end{aligned}
# $$ (lstm)
#
# Along the cell, $\partial c_t / \partial c_{t-1} = \operatorname{diag}(f_t)$ (plus terms
# through the gates): no squashing nonlinearity and no weight matrix. When the network
# learns to hold $f_t$ near one, the product over many steps stays near one and the
# gradient survives. That is a capacity the LSTM must *learn*: Keras starts the forget
# bias at one, so an untrained LSTM keeps about $\sigma(1)$ =
# {glue:text}`rnn_sigmoid_one` of its cell per step, and forgets about as fast as the plain
# RNN above.
#
# The gated recurrent unit (GRU) of {cite:t}`cho2014learning` merges the cell into the
# hidden state and uses two gates, update $z_t$ and reset $r_t$:
#
# $$
# \begin{aligned}
# z_t &= \sigma(W_z x_t + U_z h_{t-1} + b_z) && \text{update gate} \\
# r_t &= \sigma(W_r x_t + U_r h_{t-1} + b_r) && \text{reset gate} \\
# \tilde h_t &= \tanh\bigl(W_h x_t + U_h (r_t \odot h_{t-1}) + b_h\bigr) \\
# h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t
# \end{aligned}
# $$ (gru)
#
# With $z_t$ near one the state is copied forward unchanged, the GRU's route around the
# vanishing gradient. (Keras, by default, applies the reset gate after the matrix product,
# $r_t \odot (U_h h_{t-1})$, a variant with an extra bias vector per gate.)
#
# Keras implements the three recurrences as layers (`SimpleRNN`, `LSTM`, `GRU`). Each of
# our networks is one such layer reading the window, oldest day first, with its last
# state $h_T$ fed to the linear output {eq}`rnn-output`; it is compiled with the Adam
# optimiser and mean squared error of {ref}`the previous chapter <cnn>`
# (`compile_forecaster`, imported from `finbook.lessons` with that chapter's CNN).

# %%
# @save
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


# %%
def rnn_builder():
    return simple_rnn_forecaster(LOOKBACK, len(task.feature_names), units=UNITS)


def lstm_builder():
    return lstm_forecaster(LOOKBACK, len(task.feature_names), units=UNITS)


def gru_builder():
    return gru_forecaster(LOOKBACK, len(task.feature_names), units=UNITS)


n_params = {"LSTM": lstm_builder().count_params(), "GRU": gru_builder().count_params(),
            "plain RNN": rnn_builder().count_params()}
pd.Series(n_params, name="parameters").to_frame()

# %% tags=["remove-cell"]
glue("rnn_sigmoid_one", round(float(1 / (1 + np.exp(-1.0))), 2), display=False)
glue("rnn_lstm_params", n_params["LSTM"], display=False)
glue("rnn_gru_params", n_params["GRU"], display=False)
glue("rnn_plain_params", n_params["plain RNN"], display=False)

# %% [markdown]
# With {glue:text}`rnn_units` units each, the LSTM has {glue:text}`rnn_lstm_params`
# parameters (four gates' worth), the GRU {glue:text}`rnn_gru_params` (three) and the
# plain RNN {glue:text}`rnn_plain_params`.
#
# ## Doing it right: the same walk-forward, the same baselines
#
# The three networks, the plain RNN, the LSTM and the GRU, are trained exactly like the
# CNN of {ref}`cnn`: three refits, early
# stopping on the last year of each training window (here after
# {glue:text}`rnn_patience` epochs without improvement), Adam with batch size 256, inputs
# relative to the window's own level, the smearing correction, and then a retraining for
# the chosen number of epochs on the whole window (`refit_full=True`), so that the
# networks learn from the same rows as the baselines. Each network is trained with
# {glue:text}`rnn_n_seeds` seeds (refit $k$ of seed $s$ is seeded $s + k$); its score is
# reported as the mean and range over seeds, and its verdict is decided on the **seed
# ensemble**, the average of the seeds' variance forecasts. HAR, HAR with leverage terms
# (LHAR, the baseline that sees the networks' return input; see {ref}`cnn`) and the naive
# forecast are refitted on the same schedule. The baseline of the verdicts is LHAR, the
# strongest classical model on the task, fitted on each whole training window. Training
# the fifteen networks is most of the chapter's run time.

# %%
# tolerance: rtol=0.01, atol=0.001; networks: CPU-dependent rounding grows through training
kwargs = dict(first_test_year=FIRST_TEST_YEAR, years_per_refit=YEARS_PER_REFIT, epochs=EPOCHS,
              patience=PATIENCE)
har = sequence.walk_forward_forecast(task, "har", name="HAR", **kwargs)
lhar = sequence.walk_forward_forecast(task, "har_leverage", name="LHAR", **kwargs)
naive = sequence.walk_forward_forecast(task, "naive", name="naive", **kwargs)
seeds = [SEED + 10 * i for i in range(N_SEEDS)]
realised = har.forecasts["target_variance"].to_numpy()
builders = {"plain RNN": rnn_builder, "LSTM": lstm_builder, "GRU": gru_builder}
runs = {name: {} for name in builders}  # model -> seed -> WalkForwardResult
spreads, ensembles = {}, {}
for name, builder in builders.items():
    def fit_seed(seed, name=name, builder=builder):
        res = sequence.walk_forward_forecast(task, builder, name=f"{name}, seed {seed}", seed=seed,
                                             refit_full=True, **kwargs)
        runs[name][seed] = res
        return float(res.qlike.mean()), res.forecasts["forecast_variance"].to_numpy()

    spreads[name] = inference.over_seeds(
        fit_seed, seeds, score_predictions=lambda v: float(metrics.qlike(realised, v).mean()))
    # the seed ensemble: the mean of the seeds' variance forecasts and of their log forecasts
    forecasts = runs[name][seeds[0]].forecasts.copy()
    for column in ("forecast_variance", "forecast_log"):
        forecasts[column] = np.mean([r.forecasts[column].to_numpy() for r in runs[name].values()], axis=0)
    ensembles[name] = sequence.WalkForwardResult(name=name, forecasts=forecasts)
    assert np.isclose(ensembles[name].qlike.mean(), spreads[name].ensemble_score, rtol=1e-12)
plain, lstm, gru = ensembles["plain RNN"], ensembles["LSTM"], ensembles["GRU"]
results = {"naive": naive, "HAR": har, "LHAR": lhar, f"plain RNN ({N_SEEDS}-seed ensemble)": plain,
           f"LSTM ({N_SEEDS}-seed ensemble)": lstm, f"GRU ({N_SEEDS}-seed ensemble)": gru}
table = sequence.forecast_table(results, baseline="LHAR", h=5)
table.round(4)

# %%
# tolerance: rtol=0.01, atol=0.001; networks: CPU-dependent rounding grows through training
pd.DataFrame({name: spread.summary() for name, spread in spreads.items()}).T.round(4)

# %% [markdown]
# The table above is the spread over the {glue:text}`rnn_n_seeds` seeds of each network's
# QLIKE (`finbook.inference.over_seeds`), with the score of its seed ensemble. The one
# below is the training record, seed by seed: the verdict of each single seed against
# LHAR, and for each of the three refits the epochs run before early stopping and the
# best validation epoch, which is also the number of epochs of the retraining on the
# whole window.

# %%
# tolerance: rtol=0.15, atol=0.01, counts=2; networks: CPU-dependent rounding grows through training
per_seed = pd.DataFrame({
    (name, seed): {"QLIKE": float(res.qlike.mean()),
                   "DM vs LHAR": (d := inference.dm_test(res.qlike, lhar.qlike, h=5)).statistic,
                   "p-value": d.pvalue,
                   "verdict vs LHAR": inference.verdict(d, better="lower").split(" (")[0],
                   "epochs run (early stopping)": ", ".join(str(h["epochs"]) for h in res.histories),
                   "best epoch = epochs of the refit": ", ".join(map(str, res.best_epochs))}
    for name in runs for seed, res in runs[name].items()}).T.rename_axis(["model", "seed"])
years = har.forecasts.index.year
period = f"{years.min()}\u2013{years.max()}"

per_seed

# %% tags=["remove-cell"]
# tolerance: rtol=0.05, atol=0.005, counts=3; networks: CPU-dependent rounding grows through training
glue("rnn_period", period, display=False)
glue("rnn_n_seeds", N_SEEDS, display=False)
glue("rnn_patience", PATIENCE, display=False)
for name, key in [("naive", "naive"), ("HAR", "har"), ("LHAR", "lhar")]:
    glue(f"rnn_{key}_qlike", round(float(table.loc[name, "QLIKE"]), 4), display=False)
    glue(f"rnn_{key}_mse", round(float(table.loc[name, "MSE log"]), 4), display=False)
for name, key, res in [("plain RNN", "plain", plain), ("LSTM", "lstm", lstm), ("GRU", "gru", gru)]:
    glue(f"rnn_{key}_qlike", round(float(res.qlike.mean()), 4), display=False)
    glue(f"rnn_{key}_mse", round(float(res.squared_log_error.mean()), 4), display=False)
    glue(f"rnn_{key}_seed_mean", round(spreads[name].mean, 4), display=False)
    glue(f"rnn_{key}_seed_min", round(spreads[name].min, 4), display=False)
    glue(f"rnn_{key}_seed_max", round(spreads[name].max, 4), display=False)
    dm = inference.dm_test(res.qlike, lhar.qlike, h=5)  # HAC (Newey-West), HLN-corrected
    glue(f"rnn_{key}_dm", round(dm.statistic, 4), display=False)
    glue(f"rnn_{key}_p", round(dm.pvalue, 4), display=False)
    glue(f"rnn_{key}_verdict", inference.verdict(
        dm, better="lower", names=(f"the {name}'s seed ensemble", "LHAR")), display=False)
    glue(f"rnn_{key}_vs_har", inference.verdict(
        inference.dm_test(res.qlike, har.qlike, h=5), better="lower",
        names=(f"the {name}'s seed ensemble", "HAR")), display=False)
    seed_words = per_seed.loc[name, "verdict vs LHAR"]
    glue(f"rnn_{key}_seeds_same", int((seed_words == seed_words.iloc[0]).sum()), display=False)
    glue(f"rnn_{key}_seed_word", seed_words.iloc[0], display=False)
    best = [e for r in runs[name].values() for e in r.best_epochs]
    glue(f"rnn_{key}_best_min", min(best), display=False)
    glue(f"rnn_{key}_best_max", max(best), display=False)
    glue(f"rnn_{key}_best_le3", sum(e <= 3 for e in best), display=False)
    glue(f"rnn_{key}_best_le3_first", sum(r.best_epochs[0] <= 3 for r in runs[name].values()),
         display=False)
glue("rnn_n_refits", len(best), display=False)
for key, res in [("lstm", lstm), ("gru", gru)]:  # the gated networks against the plain RNN
    glue(f"rnn_{key}_vs_plain", inference.verdict(
        inference.dm_test(res.qlike, plain.qlike, h=5), better="lower",
        names=(f"the {key.upper()}'s seed ensemble", "the plain RNN's")), display=False)
# headline numbers for the book's cross-chapter table
headline.glue_headline(
    task="S&P 500 next-week volatility",
    metric=f"mean QLIKE, walk-forward {period}",
    better="lower",
    deep_model=f"LSTM ({N_SEEDS}-seed ensemble)",
    deep_score=round(float(lstm.qlike.mean()), 4),
    baseline_model="HAR with leverage (LHAR)",
    baseline_score=round(float(table.loc["LHAR", "QLIKE"]), 4),
)

# %% [markdown]
# Over {glue:text}`rnn_period` the LSTM's mean QLIKE averages
# {glue:text}`rnn_lstm_seed_mean` over seeds (from {glue:text}`rnn_lstm_seed_min` to
# {glue:text}`rnn_lstm_seed_max`) and the GRU's {glue:text}`rnn_gru_seed_mean` (from
# {glue:text}`rnn_gru_seed_min` to {glue:text}`rnn_gru_seed_max`); their seed ensembles
# score {glue:text}`rnn_lstm_qlike` and {glue:text}`rnn_gru_qlike`, against
# {glue:text}`rnn_lhar_qlike` for HAR with leverage (LHAR), {glue:text}`rnn_har_qlike`
# for HAR and {glue:text}`rnn_naive_qlike` for the naive forecast. The verdicts are
# decided on the seed ensembles' forecasts, with the Diebold–Mariano test against LHAR
# (Newey–West variance for the overlapping five-day targets, Harvey–Leybourne–Newbold
# correction, `finbook.inference.dm_test`) at the 5 % level: the statistic is
# {glue:text}`rnn_lstm_dm:.2f` for the LSTM and {glue:text}`rnn_gru_dm:.2f` for the GRU,
# so **{glue:text}`rnn_lstm_verdict`** and **{glue:text}`rnn_gru_verdict`**. Seed by
# seed, {glue:text}`rnn_lstm_seeds_same` of the {glue:text}`rnn_n_seeds` LSTMs are
# "{glue:text}`rnn_lstm_seed_word`" LHAR, as the first seed is, and
# {glue:text}`rnn_gru_seeds_same` of the GRUs are "{glue:text}`rnn_gru_seed_word`" it.
#
# The plain RNN, trained with the same protocol and seeds, averages
# {glue:text}`rnn_plain_seed_mean` over seeds (from {glue:text}`rnn_plain_seed_min` to
# {glue:text}`rnn_plain_seed_max`) and its seed ensemble scores
# {glue:text}`rnn_plain_qlike` (DM statistic against LHAR
# {glue:text}`rnn_plain_dm:.2f`): **{glue:text}`rnn_plain_verdict`**. That p-value sits
# close to the 5 % line, so this verdict word can change with the seeds or the machine;
# the single seeds, each tested on its own in the training record, are the firmer
# evidence here. Against the plain
# RNN's ensemble, {glue:text}`rnn_lstm_vs_plain`, and {glue:text}`rnn_gru_vs_plain`. This,
# not the untrained recurrence of the first experiment, is the test of whether the gates
# earn their extra parameters on this task. Seed by seed,
# {glue:text}`rnn_plain_seeds_same` of the {glue:text}`rnn_n_seeds` plain RNNs are
# "{glue:text}`rnn_plain_seed_word`" LHAR, as the first seed is.
#
# By block of test years:

# %%
# tolerance: rtol=0.01, atol=0.001; networks: CPU-dependent rounding grows through training
sequence.qlike_by_block(results).round(4)

# %% [markdown]
# Forecasts from {glue:text}`rnn_zoom`, in annualised volatility:

# %%
zoom = ("2008-07", "2009-06")
fig, ax = plt.subplots()
sequence.plot_forecasts({"HAR": har, "LSTM": lstm, "GRU": gru}, *zoom, ax=ax)
ax.set_xlabel("forecast date")
ax.set_title("Next-week volatility: realised and forecast")
plt.show()

# %% tags=["remove-cell"]
glue("rnn_zoom", f"{pd.Timestamp(zoom[0]):%B %Y} to {pd.Timestamp(zoom[1]):%B %Y}", display=False)

# %% [markdown]
# ## Early best epochs: under-training or over-fitting?
#
# The training record shows each refit's best validation epoch: from
# {glue:text}`rnn_lstm_best_min` to {glue:text}`rnn_lstm_best_max` for the LSTM, from
# {glue:text}`rnn_gru_best_min` to {glue:text}`rnn_gru_best_max` for the GRU and from
# {glue:text}`rnn_plain_best_min` to {glue:text}`rnn_plain_best_max` for the plain RNN. In
# {glue:text}`rnn_lstm_best_le3` of the {glue:text}`rnn_n_refits` LSTM refits,
# {glue:text}`rnn_gru_best_le3` of the GRU's and {glue:text}`rnn_plain_best_le3` of the
# plain RNN's the best epoch is 3 or earlier; of these, {glue:text}`rnn_lstm_best_le3_first`
# (LSTM), {glue:text}`rnn_gru_best_le3_first` (GRU) and
# {glue:text}`rnn_plain_best_le3_first` (plain RNN) are in the first refit, validated on
# {glue:text}`rnn_first_val_year`. An epoch is a coarse unit there: the first training
# window, less its validation year, holds {glue:text}`rnn_first_fit_rows` samples, so one
# epoch is only {glue:text}`rnn_first_steps` Adam steps with batches of 256.
#
# A best epoch of 1 has two possible causes. Either the networks are under-trained (the
# validation loss would still fall, but the patience of {glue:text}`rnn_patience` epochs
# ran out on a noisy stretch), or the validation loss really is lowest early, because
# further training fits features of the training years that do not carry over to the
# validation year. The experiment below tells them apart. It trains the first refit of
# each network (first seed) for {glue:text}`rnn_diag_epochs` epochs with no early stopping
# and records the training and validation losses after every epoch (in units of the
# standardised target); the best epoch is still chosen on the validation year alone.

# %%
# tolerance: rtol=0.2, atol=0.02, counts=3; networks: CPU-dependent rounding grows through training
first_train, _ = next(iter(validation.yearly_walk_forward(
    task.dates, first_test_year=FIRST_TEST_YEAR, years_per_refit=YEARS_PER_REFIT, gap=task.horizon - 1)))
first_fit_rows = len(first_train) - 252 - (task.horizon - 1)  # less the validation year and the gap
first_val_year = str(task.dates[first_train[-1]].year)
n_first = int((task.dates.year < FIRST_TEST_YEAR + YEARS_PER_REFIT).sum())  # up to the first block's end
first_block = dataclasses.replace(
    task, x=task.x[:n_first], y=task.y[:n_first], target_variance=task.target_variance[:n_first],
    dates=task.dates[:n_first], har=task.har.iloc[:n_first], naive=task.naive[:n_first],
    leverage=task.leverage.iloc[:n_first])
curves = {}
for name, builder in builders.items():
    res = sequence.walk_forward_forecast(first_block, builder, name=name, seed=seeds[0],
                                         first_test_year=FIRST_TEST_YEAR, years_per_refit=YEARS_PER_REFIT,
                                         epochs=DIAG_EPOCHS, patience=None)  # no early stopping
    curves[name] = pd.DataFrame({"training loss": res.histories[0]["loss"],
                                 "validation loss": res.histories[0]["val_loss"]},
                                index=pd.RangeIndex(1, DIAG_EPOCHS + 1, name="epoch"))


def early_stop_choice(val_loss, patience):
    """The epoch (1-based) early stopping with ``patience`` would have kept, replayed on a curve."""
    best, chosen, waited = np.inf, 0, 0
    for epoch, value in enumerate(val_loss, 1):
        if value < best:
            best, chosen, waited = value, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                break
    return chosen


diagnosis = pd.DataFrame({
    name: {"best epoch (of all)": int(c["validation loss"].idxmin()),
           f"kept with patience {PATIENCE}": early_stop_choice(c["validation loss"], PATIENCE),
           "validation loss, epoch 1": c["validation loss"].iloc[0],
           "validation loss, best": c["validation loss"].min(),
           f"validation loss, epoch {DIAG_EPOCHS}": c["validation loss"].iloc[-1],
           "training loss, best epoch": c["training loss"].loc[c["validation loss"].idxmin()],
           f"training loss, epoch {DIAG_EPOCHS}": c["training loss"].iloc[-1]}
    for name, c in curves.items()}).T
# the text reads the curves as over-fitting: the validation loss ends higher than at its best
# epoch while the training loss ends lower
assert (diagnosis[f"validation loss, epoch {DIAG_EPOCHS}"] > diagnosis["validation loss, best"]).all()
assert (diagnosis[f"training loss, epoch {DIAG_EPOCHS}"] < diagnosis["training loss, best epoch"]).all()

fig, ax = plt.subplots()
for (name, c), colour in zip(curves.items(), plots.PALETTE[1:], strict=False):
    ax.plot(c.index, c["validation loss"], color=colour, label=f"{name}, validation {first_val_year}")
    ax.plot(c.index, c["training loss"], color=colour, ls="--", label=f"{name}, training")
    ax.plot(c["validation loss"].idxmin(), c["validation loss"].min(), "o", color=colour)
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared error (standardised target)")
ax.set_title("First refit without early stopping (dots: best validation epoch)")
ax.legend(fontsize=7, ncol=2)
plt.show()
diagnosis.round(3)

# %% tags=["remove-cell"]
# tolerance: rtol=0.2, atol=0.02, counts=3; networks: CPU-dependent rounding grows through training
glue("rnn_first_val_year", first_val_year, display=False)
glue("rnn_first_fit_rows", first_fit_rows, display=False)
glue("rnn_first_steps", int(np.ceil(first_fit_rows / 256)), display=False)
glue("rnn_diag_epochs", DIAG_EPOCHS, display=False)
glue("rnn_diag_best_max", int(diagnosis["best epoch (of all)"].max()), display=False)
same_choice = diagnosis["best epoch (of all)"] == diagnosis[f"kept with patience {PATIENCE}"]
glue("rnn_patience_words", "so a longer patience would not have changed the choice" if same_choice.all()
     else "and a longer patience would have changed the choice for the "
     + " and the ".join(diagnosis.index[~same_choice]), display=False)
rise = 100 * (diagnosis[f"validation loss, epoch {DIAG_EPOCHS}"] / diagnosis["validation loss, best"] - 1)
glue("rnn_diag_rise_min", round(float(rise.min())), display=False)
glue("rnn_diag_rise_max", round(float(rise.max())), display=False)
gain = 100 * (1 - diagnosis["validation loss, best"] / diagnosis["validation loss, epoch 1"])
glue("rnn_diag_gain_max", round(float(gain.max()), 1), display=False)
block1 = har.forecasts["block"] == har.forecasts["block"].iloc[0]
glue("rnn_block1", har.forecasts["block"].iloc[0], display=False)
for key, res in [("plain", plain), ("lstm", lstm), ("gru", gru)]:
    glue(f"rnn_{key}_block1_verdict", inference.verdict(
        inference.dm_test(res.qlike[block1], lhar.qlike[block1], h=5), better="lower"), display=False)

# %% [markdown]
# The curves answer the question. Over all {glue:text}`rnn_diag_epochs` epochs the best
# validation epoch is never later than epoch {glue:text}`rnn_diag_best_max`,
# {glue:text}`rnn_patience_words` (the column "kept with patience" replays early stopping
# on each curve). After it the training loss keeps falling
# while the validation loss climbs, ending {glue:text}`rnn_diag_rise_min` to
# {glue:text}`rnn_diag_rise_max` % above its best: the networks go on learning the
# training years, and what they learn does not carry over to the validation year. That is
# over-fitting, not under-training. Between epoch 1 and the best epoch the validation
# loss falls by at most {glue:text}`rnn_diag_gain_max` %, the few epochs of useful
# learning that early stopping keeps. So little is useful because the inputs and the
# target are relative to the window's own level: even a barely trained network forecasts
# the month's average variance, and not much of what the first window's
# {glue:text}`rnn_first_fit_rows` samples add beyond that carries over to another year.
# If the early stops had starved the networks, it would show in the
# first block of test years, {glue:text}`rnn_block1`, where the first refit forecasts;
# there the seed ensembles of the plain RNN, the LSTM and the GRU are
# {glue:text}`rnn_plain_block1_verdict`, {glue:text}`rnn_lstm_block1_verdict` and
# {glue:text}`rnn_gru_block1_verdict` LHAR (Diebold–Mariano at 5 % on that block alone).
#
# ## How far back do the trained networks look?
#
# The vanishing-gradient experiment says what a plain RNN *cannot* use. What do the
# trained LSTM and GRU actually use? For the first seed's networks we nudge the log variance of one day of each test
# window of the last block and measure how much the log forecast moves
# (`finbook.sequence.lag_elasticity`). The answer is an elasticity: the percentage change
# of the variance forecast per percent change of that day's variance. For HAR it is known
# in closed form: its daily, weekly and monthly terms give a staircase.

# %%
last_block = task.dates.year >= har.forecasts.index.year.max() - YEARS_PER_REFIT + 1
windows = task.x[last_block]
first_seed = {"HAR": har, "LSTM": runs["LSTM"][seeds[0]], "GRU": runs["GRU"][seeds[0]]}
elasticity = pd.DataFrame({name: sequence.lag_elasticity(res.predictors[-1], windows)
                           for name, res in first_seed.items()},
                          index=pd.Index(np.arange(LOOKBACK - 1, -1, -1), name="days before t"))
persistence = elasticity.sum()
beyond_week = elasticity.loc[elasticity.index >= 5].sum() / persistence

fig, ax = plt.subplots()
for name in elasticity:
    ax.plot(elasticity.index, elasticity[name], marker="o", ms=3, color=sequence.MODEL_COLOURS[name],
            drawstyle="steps-mid" if name == "HAR" else "default", label=name)
ax.invert_xaxis()
ax.set_xlabel("days before the forecast date")
ax.set_ylabel("elasticity of the forecast")
ax.set_title("Weight of each past day's variance in next week's forecast")
ax.legend()
plt.show()

# %% tags=["remove-cell"]
for name in elasticity:
    glue(f"rnn_persistence_{name.lower()}", round(float(persistence[name]), 2), display=False)
    glue(f"rnn_beyond_week_{name.lower()}", round(100 * float(beyond_week[name])), display=False)
for name in ("LSTM", "GRU"):
    glue(f"rnn_beyond_week_cmp_{name.lower()}",
         "more" if beyond_week[name] > beyond_week["HAR"] else "less", display=False)

# %% [markdown]
# The share of the weight placed more than a week back is
# {glue:text}`rnn_beyond_week_har` % for HAR, {glue:text}`rnn_beyond_week_lstm` % for the
# LSTM and {glue:text}`rnn_beyond_week_gru` % for the GRU: the LSTM puts
# {glue:text}`rnn_beyond_week_cmp_lstm` of its weight beyond the last week than HAR does,
# the GRU {glue:text}`rnn_beyond_week_cmp_gru`. (These are the first seed's networks of
# the last refit; other seeds give other profiles.)
#
# The sums of the elasticities differ in an instructive way. A sum is the persistence of
# the forecast: how much a 1 % rise of the variance on every day of the month moves it.
# HAR's is {glue:text}`rnn_persistence_har`, below one, so HAR pulls its forecasts
# towards a long-run mean. The networks' sums are {glue:text}`rnn_persistence_lstm` and
# {glue:text}`rnn_persistence_gru`, one by construction: their inputs are relative to the
# window's own level, so a shift of the level passes one-for-one into the forecast. They
# give up mean reversion beyond the month in exchange for never extrapolating a level
# they have not seen. Whether the trade pays off is a test, not a reading of the
# figure: against HAR, which keeps the mean reversion, {glue:text}`rnn_lstm_vs_har` and
# {glue:text}`rnn_gru_vs_har` (seed ensembles, Diebold–Mariano at 5 %).
#
# ## How this compares with published results
#
# {cite:t}`rodikov2022lstm` start from the observation that deep networks still have a
# hard time beating strong econometric volatility models, and analyse LSTMs against them;
# {cite:t}`christensen2023machine` find machine-learning methods, neural networks among
# them, ahead of the HAR family for realised variances of individual stocks, more so at
# longer horizons. Our result sits between the two, with a noisier
# daily proxy than either paper uses; a ranking among the networks of Part II is
# not a finding when their differences are smaller than the spread over seeds.
#
# ## What we learned
#
# - The recurrence {eq}`rnn-state` reuses one set of weights at every step; its gradient
#   {eq}`rnn-jacobian` is a product of Jacobians. For a tanh RNN with $\|W\| = 0.9$ the
#   influence of a state one month back is {glue:text}`rnn_norm_09_22` at
#   initialisation. The formula agrees with `GradientTape`. Trained on the task with the
#   same protocol and seeds, {glue:text}`rnn_plain_verdict`, and
#   {glue:text}`rnn_lstm_vs_plain`.
# - When the product explodes instead, one SGD step can wreck training (the loss was no
#   longer finite within {glue:text}`rnn_clip_steps` steps); clipping the gradient's norm
#   {eq}`clip` {cite:p}`pascanu2013difficulty` kept the same run stable.
# - The LSTM {eq}`lstm` and the GRU {eq}`gru` route the state around the squashing
#   nonlinearity through gates that can learn to stay open.
# - On next-week S&P 500 volatility, out of sample over {glue:text}`rnn_period`, QLIKE is
#   {glue:text}`rnn_lstm_qlike` (LSTM), {glue:text}`rnn_gru_qlike` (GRU),
#   {glue:text}`rnn_lhar_qlike` (HAR with leverage) and {glue:text}`rnn_har_qlike` (HAR):
#   {glue:text}`rnn_lstm_verdict`; {glue:text}`rnn_gru_verdict` (seed ensembles of
#   {glue:text}`rnn_n_seeds` seeds each).
# - Early stopping picked epochs as early as 1 in the first refit. Trained on without
#   stopping, the networks' validation loss rose while their training loss fell: the
#   early epochs avoid over-fitting a small first window; they are not under-training.
# - The trained networks' forecasts have a persistence of
#   {glue:text}`rnn_persistence_lstm` (LSTM) against {glue:text}`rnn_persistence_har`
#   (HAR): with relative inputs a forecast moves one-for-one with the window's level,
#   where HAR's reverts towards a long-run mean.
#
# ## Exercises
#
# ```{exercise}
# :label: rnn-ex-rho
# In the vanishing-gradient experiment, find (roughly) the scale $\rho$ at which the norm
# at lag 66 stops shrinking and starts growing. Why is it above 1, although $\|W\|^{66}$
# would already grow for any $\rho > 1$?
# ```
#
# ```{solution} rnn-ex-rho
# :class: dropdown
# Loop over `np.linspace(1, 2, 21)` and print `norms[-67]`; the crossover lies between the
# values 1.2 and 2 of the table. The bound $\|W\|^{T-t}$ ignores the factors
# $D_k = \operatorname{diag}(1 - h_k^2)$ in {eq}`rnn-jacobian`, which are below one and
# shrink further as the units saturate. A recurrence must stretch vectors by more than the
# saturation squeezes them before its gradients explode.
# ```
#
# ```{exercise}
# :label: rnn-ex-plain
# The plain RNN above reads a 22-day window. Re-run the chapter with `LOOKBACK = 66`
# (`python -m finbook run 05_rnn -p LOOKBACK 66 --output runs/`). Does the gap between the
# plain RNN and the LSTM widen? Why might it, and why might it not?
# ```
#
# ```{solution} rnn-ex-plain
# :class: dropdown
# With 66 days the informative lags can sit far back, where an untrained plain RNN's
# gradient is of the order of {glue:text}`rnn_norm_09_66` (the table of the first
# experiment), while an LSTM can learn to hold its forget gate near one. Against that, the
# elasticity figure shows most of the signal in the last week, and the inputs are anchored
# at the window's mean log variance, which hands every model the window's level without
# any memory. Which effect is larger is an empirical question: answer it with the
# Diebold–Mariano test on the seed ensembles, not by reading the QLIKE table.
# ```
#
# ```{exercise}
# :label: rnn-ex-params
# Derive the LSTM's parameter count, {glue:text}`rnn_lstm_params`, from {eq}`lstm` for
# 2 inputs and {glue:text}`rnn_units` units, including the output layer.
# ```
#
# ```{solution} rnn-ex-params
# :class: dropdown
# Each of the four blocks ($f$, $i$, $o$, $\tilde c$) has an input matrix $u \times 2$,
# a recurrent matrix $u \times u$ and a bias of length $u$: $4u(2 + u + 1)$ parameters.
# The output layer adds $u + 1$. For $u$ = {glue:text}`rnn_units` the total is
# {glue:text}`rnn_lstm_params`.
# ```
#
# ```{exercise}
# :label: rnn-ex-seed
# Re-run this chapter with another first seed (`python -m finbook run 05_rnn -p SEED 1
# --output runs/`). Do the seed ensembles' verdicts hold?
# ```
#
# ```{solution} rnn-ex-seed
# :class: dropdown
# The initial weights and the order of mini-batches change, and with early stopping on a
# single validation year so does the number of epochs. Single seeds move by about the
# range in the seed table; the ensembles move less, because averaging five forecasts
# cancels much of each seed's noise. A verdict near the 5 % line may still change; HAR
# and the naive forecast do not depend on the seed.
# ```
