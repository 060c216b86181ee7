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
# (attention)=
# # Attention and Transformers
#
# The Transformer of {cite:t}`vaswani2017attention` replaced recurrence with *attention*:
# every position of a sequence looks at every other position directly and takes a
# weighted average of what it finds, with weights computed from the data. It is the
# building block of today's large language models, the "large models" of the article's
# title. This chapter builds attention from scratch in NumPy, checks it against
# Keras, shows the one thing attention cannot see without help (the order of the days),
# and trains a small Transformer encoder on the volatility task of the two previous
# chapters, ending with a comparison against HAR, HAR with leverage and the naive forecast
# on the same test days.

# %% tags=["parameters"]
SEED = 2024  # seed of every network's initial weights and mini-batch order
LOOKBACK = 22  # trading days in each input window (about one month)
FIRST_TEST_YEAR = 2004  # the first year forecast out of sample
YEARS_PER_REFIT = 5  # the models are refitted every this many years
D_MODEL = 16  # width of each day's representation inside the Transformer
NUM_HEADS = 2  # attention heads
FF_UNITS = 32  # hidden units of the feed-forward sublayer
EPOCHS = 40  # upper limit; early stopping usually ends training sooner
PATIENCE = 4  # epochs without a better validation loss before training stops
N_SEEDS = 5  # the Transformer is trained with this many seeds; the verdict is on their ensemble

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

from finbook import data, inference, metrics, plots, repro, sequence
from finbook.book import headline
from finbook.repro import import_tensorflow

repro.set_seed(SEED)
import_tensorflow()
import keras  # noqa: E402  (imported quietly by finbook above)

plots.use_book_style()

# %% [markdown]
# ````{admonition} What the article says
# :class: note
# The article never explains attention. Its reference list cites "Attention Is All You
# Need" by Vaswani et al., but names only four of the paper's eight authors and gives
# page numbers that do not match the proceedings; the correct reference is in this
# book's bibliography. What the article does say, that large models learn complex features
# from data, is true of the Transformer; whether that helps on a financial series of a
# few thousand days is what this chapter tests.
# ````

# %% [markdown]
# ## The task, again
#
# As in {ref}`cnn-task`: windows of the last {glue:text}`att_lookback` days of log
# Garman–Klass variance and daily return, the log of next week's average variance as
# target, walk-forward refits every {glue:text}`att_years_per_refit` years from
# {glue:text}`att_first_test_year`, scored by QLIKE, $v/h - \ln(v/h) - 1$.

# %%
prices = data.sp500()
task = sequence.volatility_task(prices, lookback=LOOKBACK, horizon=5)
task.summary()

# %% tags=["remove-cell"]
glue("att_lookback", LOOKBACK, display=False)
glue("att_years_per_refit", YEARS_PER_REFIT, display=False)
glue("att_first_test_year", FIRST_TEST_YEAR, display=False)

# %% [markdown]
# ## Scaled dot-product attention
#
# Give each of $n$ positions a *query* $q_i$, a *key* $k_j$ and a *value* $v_j$ (rows of
# matrices $Q$, $K$, $V$). Position $i$ scores every position $j$ by the dot product
# $q_i \cdot k_j$, turns the scores into weights with a softmax, and returns the weighted
# average of the values:
#
# $$
# \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\Bigl(\frac{Q K^\top}{\sqrt{d_k}}\Bigr) V ,
# $$ (attention)
#
# with the softmax taken over $j$ in each row. Dividing by $\sqrt{d_k}$, the square root
# of the key length, keeps the scores of long keys from growing so large that the softmax
# puts all its weight on one position and its gradient vanishes. In *self*-attention all
# three come from the same sequence through learned projections:
# $Q = X W_Q$, $K = X W_K$, $V = X W_V$.
#
# In NumPy, {eq}`attention` is a few lines, for any number of leading batch dimensions.
# An optional mask forbids some query–key pairs: their scores are set to $-\infty$, so
# their weights are zero.

# %%
# @save
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


# %% [markdown]
# Attention is a soft look-up. To see it on our data, take the window that ends on
# {glue:text}`att_demo_date`, in the worst week of the crisis, and let the last day query
# the other days of the past month: queries and keys are the days' two features
# (standardised), without any projection, and the values are the days' log variances. A
# mask stops the day from attending to itself.

# %%
demo_date = pd.Timestamp("2008-10-10")
window_end = task.dates.get_loc(demo_date)
days = task.dates[window_end - LOOKBACK + 1:window_end + 1]
features = task.x[window_end].astype(float)
z = (features - features.mean(axis=0)) / features.std(axis=0)
not_itself = np.arange(LOOKBACK)[None, :] < LOOKBACK - 1
out, weights = scaled_dot_product_attention(z[-1:], z, features[:, :1], mask=not_itself)

fig, ax = plt.subplots()
ax.bar(days, weights[0], width=0.8)
ax.set_xlabel("day in the window")
ax.set_ylabel("attention weight of the last day")
ax.set_title(f"Which past days resemble {demo_date:%-d %B %Y}?")
fig.autofmt_xdate()
plt.show()

# %% tags=["remove-cell"]
glue("att_demo_date", f"{demo_date:%A %-d %B %Y}", display=False)
glue("att_demo_top_day", f"{days[weights[0].argmax()]:%-d %B}", display=False)
glue("att_demo_top_weight", round(float(weights[0].max()), 2), display=False)
glue("att_demo_output", round(float(out[0, 0]), 2), display=False)
glue("att_demo_mean", round(float(features[:-1, 0].mean()), 2), display=False)
glue("att_demo_last", round(float(features[-1, 0]), 2), display=False)

# %% [markdown]
# The last day, whose log variance is {glue:text}`att_demo_last`, puts the largest
# weight, {glue:text}`att_demo_top_weight`, on {glue:text}`att_demo_top_day`, and its
# output, the attention-weighted log variance, is {glue:text}`att_demo_output` against a
# plain mean of {glue:text}`att_demo_mean` over the other days: attention leans towards
# the other turbulent days.
#
# "Days that resemble the query" is not quite what a dot product measures, though.
# $q \cdot k = \lVert q\rVert\,\lVert k\rVert \cos\theta$ scores a key's *length* as
# well as its alignment with the query: of two keys pointing the same way, the longer one
# gets the larger weight, even when the shorter one is identical to the query. A
# similarity in the sense of "which days looked like me" is a *distance kernel*, such as
# $\exp(-\lVert q - k\rVert^2)$, which is largest when the key equals the query. Three
# keys along the query's direction make the difference plain: one equal to the query, one
# twice as long and one half as long.

# %%
q_toy = np.array([[1.0, 0.0]])
k_toy = np.array([[1.0, 0.0], [2.0, 0.0], [0.5, 0.0]])  # equal to q, twice and half as long
_, dot_toy = scaled_dot_product_attention(q_toy, k_toy, np.eye(3))
kernel = np.exp(-((q_toy - k_toy) ** 2).sum(axis=1))  # exp(-||q - k||^2)
toy = pd.DataFrame({"q . k": (k_toy @ q_toy[0]), "dot-product weight": dot_toy[0],
                    "distance-kernel weight": kernel / kernel.sum()},
                   index=pd.Index(["k = q", "k = 2q", "k = q/2"], name="key"))
assert toy["dot-product weight"].idxmax() == "k = 2q"  # a check that can fail: length wins
assert toy["distance-kernel weight"].idxmax() == "k = q"  # ... and the kernel prefers the match
# the same two weightings on the crisis window
sq_dist = ((z[:-1] - z[-1]) ** 2).sum(axis=1)
near = np.exp(-(sq_dist - sq_dist.min()))  # exp(-||q - k||^2), shifted: no underflow
near /= near.sum()
crisis = pd.DataFrame({
    "dot product": [f"{days[weights[0].argmax()]:%-d %b}", float(weights[0] @ features[:, 0])],
    "distance kernel": [f"{days[near.argmax()]:%-d %b}", float(near @ features[:-1, 0])]},
    index=["day of largest weight", "weighted log variance"])
display(toy.round(3))
crisis.map(lambda v: f"{v:.2f}" if isinstance(v, float) else v)

# %% tags=["remove-cell"]
glue("att_toy_dot_long", round(float(toy.loc["k = 2q", "dot-product weight"]), 2), display=False)
glue("att_toy_dot_equal", round(float(toy.loc["k = q", "dot-product weight"]), 2), display=False)
glue("att_toy_kernel_equal", round(float(toy.loc["k = q", "distance-kernel weight"]), 2), display=False)
glue("att_kernel_top_day", f"{days[near.argmax()]:%-d %B}" + (", the dot product's favourite too"
     if near.argmax() == weights[0].argmax() else ""), display=False)
glue("att_kernel_output", round(float(near @ features[:-1, 0]), 2), display=False)

# %% [markdown]
# The dot product gives the longer key {glue:text}`att_toy_dot_long` of the weight and the
# key equal to the query only {glue:text}`att_toy_dot_equal`; the distance kernel gives
# the equal key {glue:text}`att_toy_kernel_equal`. On the crisis window the kernel's
# favourite day is {glue:text}`att_kernel_top_day` and its weighted log variance
# {glue:text}`att_kernel_output`. In general, dot-product attention on standardised
# features favours days that are far from the window's average *in the query's
# direction*, extreme days, rather than days like the query. In a Transformer this matters less than it seems: the
# learned projections $W_Q$ and $W_K$ decide what lengths and directions mean. A
# Transformer learns the
# projections $W_Q, W_K, W_V$ that decide what "resemble" means, and runs several such
# look-ups in parallel, each in its own subspace (*heads*), then mixes them:
#
# $$
# \operatorname{MultiHead}(X) = \bigl[\operatorname{head}_1, \ldots, \operatorname{head}_H\bigr] W_O,
# \qquad \operatorname{head}_h = \operatorname{Attention}(X W_Q^{h}, X W_K^{h}, X W_V^{h}).
# $$ (multi-head)
#
# ## Our NumPy attention against Keras
#
# The function below computes {eq}`multi-head` in NumPy from the eight weight arrays of a
# `keras.layers.MultiHeadAttention` layer, which stores the projections $W_Q^h$ (and
# $W_K^h$, $W_V^h$) of all heads in one array of shape (model width, heads, key size), with
# a bias for each.

# %%
# @save
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


# %% [markdown]
# We build such a layer, apply it to a batch of real windows (their two features mapped to
# {glue:text}`att_d_model` dimensions by a random projection), and compare both the outputs
# and the attention weights.

# %%
mha = keras.layers.MultiHeadAttention(num_heads=NUM_HEADS, key_dim=D_MODEL // NUM_HEADS)
projection = np.random.default_rng(SEED).normal(size=(2, D_MODEL))
batch = (task.x[window_end - 7:window_end + 1].astype(float) @ projection).astype("float32")
keras_out, keras_weights = mha(batch, batch, return_attention_scores=True)
numpy_out, numpy_weights = multi_head_attention(batch, batch, mha.get_weights())
check = pd.Series({
    "largest |difference| in outputs": np.abs(numpy_out - np.asarray(keras_out)).max(),
    "largest |difference| in weights": np.abs(numpy_weights - np.asarray(keras_weights)).max(),
    "largest |output|": np.abs(numpy_out).max(),
})
agree = bool(check.iloc[0] < 1e-4 * check.iloc[2] and check.iloc[1] < 1e-5)
assert agree, check  # a check that can fail: our NumPy attention is Keras' layer
check.map(lambda v: "below 1e-5" if v < 1e-5 else f"{v:.3g}").to_frame("value")

# %% tags=["remove-cell"]
glue("att_d_model", D_MODEL, display=False)
glue("att_keras_agree", "agree" if agree else "disagree", display=False)

# %% [markdown]
# The two {glue:text}`att_keras_agree` to float32 precision: the layer does exactly
# what {eq}`attention` and {eq}`multi-head` say.
#
# ## What goes wrong: attention cannot see the order of the days
#
# Nothing in {eq}`attention` refers to positions. Shuffle the keys and values together
# and each query gets the same weighted average; shuffle a whole sequence and self-attention
# returns the same rows, shuffled. For a time series that is a defect: a network that
# cannot tell yesterday from three weeks ago cannot learn that recent days matter more.
# The original Transformer therefore adds to each position's representation a fixed
# pattern of sines and cosines of different frequencies,
#
# $$
# \mathrm{PE}_{p,\,2i} = \sin\bigl(p / 10000^{2i/d}\bigr), \qquad
# \mathrm{PE}_{p,\,2i+1} = \cos\bigl(p / 10000^{2i/d}\bigr),
# $$ (positional-encoding)
#
# for position $p$ and dimension pair $i$ of a $d$-dimensional representation.

# %%
# @save
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


# %% [markdown]
# Each position gets a distinct code, and nearby positions similar codes. Over a window of
# {glue:text}`att_lookback` days only the first few dimensions vary; the slow ones are
# there for sequences thousands of positions long.

# %%
pe = positional_encoding(LOOKBACK, D_MODEL)
fig, ax = plt.subplots(figsize=(7, 3))
image = ax.imshow(pe.T, cmap="RdBu_r", aspect="auto", vmin=-1, vmax=1)
ax.set_xlabel("position in the window (0 = oldest day)")
ax.set_ylabel("dimension")
ax.grid(False)
fig.colorbar(image, ax=ax, label="value")
plt.show()

# %% [markdown]
# ## A small Transformer encoder
#
# Our encoder maps each day's two features to {glue:text}`att_d_model` numbers, adds
# {eq}`positional-encoding`, and applies one encoder block as in the original paper:
# multi-head self-attention with {glue:text}`att_num_heads` heads, then a feed-forward
# network of {glue:text}`att_ff_units` ReLU units applied to each day separately, each
# sublayer wrapped in a residual connection and layer normalisation,
#
# $$
# X' = \operatorname{LayerNorm}\bigl(X + \operatorname{MultiHead}(X)\bigr), \qquad
# X'' = \operatorname{LayerNorm}\bigl(X' + \max(0, X' W_1 + b_1) W_2 + b_2\bigr).
# $$ (encoder-block)
#
# The forecast is a linear function of the last day's row of $X''$, which through
# attention has looked at the whole month. In the code, `encoder_block` is
# {eq}`encoder-block` in Keras layers (its attention is the `MultiHeadAttention` layer
# checked against our NumPy version above), and `transformer_forecaster` stacks the
# embedding, the positions, the blocks and the output; it is compiled with the Adam
# optimiser and mean squared error of {ref}`the CNN chapter <cnn>` (`compile_forecaster`).

# %%
# @save
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


# %% [markdown]
# Before training it, we check the defect on an untrained encoder, which reads its
# forecast from the last day's representation: we shuffle the first
# {glue:text}`att_n_shuffled` days of each window, keep the last day in place, and compare
# the forecasts, with and without the positional encoding.

# %%
def transformer_builder(positional=True):
    return transformer_forecaster(LOOKBACK, len(task.feature_names), d_model=D_MODEL,
                                  num_heads=NUM_HEADS, ff_units=FF_UNITS, positional=positional)


sample = task.x[-256:]
order = np.random.default_rng(SEED).permutation(LOOKBACK - 1)
shuffled = np.concatenate([sample[:, order], sample[:, -1:]], axis=1)
change = {}
for positional in (False, True):
    repro.set_seed(SEED)
    net = transformer_builder(positional)
    before = net.predict(sample, verbose=0).ravel()
    after = net.predict(shuffled, verbose=0).ravel()
    change["with positions" if positional else "without positions"] = np.abs(after - before).max()
assert change["without positions"] < 1e-5, change  # a check that can fail: order-blind without positions
pd.Series(change).map(lambda v: "below 1e-5" if v < 1e-5 else f"{v:.3f}").to_frame(
    "largest change of the forecast")

# %% tags=["remove-cell"]
glue("att_n_shuffled", LOOKBACK - 1, display=False)
glue("att_change_with", round(float(change["with positions"]), 3), display=False)
glue("att_change_without_bound", "10⁻⁵", display=False)

# %% [markdown]
# Without positional information, reordering the month moves the forecasts by less than
# {glue:text}`att_change_without_bound` (float rounding; the cell asserts it); with it,
# forecasts move by up to {glue:text}`att_change_with`: the sinusoids tell the days apart.

# %%
net = transformer_builder()
pd.DataFrame([(layer.name, type(layer).__name__, layer.count_params()) for layer in net.layers
              if layer.count_params() > 0], columns=["layer", "type", "parameters"])

# %% tags=["remove-cell"]
glue("att_num_heads", NUM_HEADS, display=False)
glue("att_ff_units", FF_UNITS, display=False)
glue("att_n_params", net.count_params(), display=False)

# %% [markdown]
# That is {glue:text}`att_n_params` parameters. It is trained exactly like the CNN and
# the recurrent networks, beside HAR, HAR with leverage terms (LHAR, the baseline that
# sees the networks' return input; see {ref}`cnn`) and the naive forecast on the same
# schedule. LHAR, the strongest classical model on the task, is the baseline of the
# verdicts, fitted on each whole training window. Like the networks of chapters 4 and 5,
# the Transformer is early-stopped on the last year of each window (after
# {glue:text}`att_patience` epochs without improvement) and then retrained for the best
# epoch count on the whole window (`refit_full=True`), the baseline's rows. It is
# trained with {glue:text}`att_n_seeds` seeds (refit $k$ of seed $s$ is seeded $s + k$);
# the verdict is decided on the **seed ensemble**, the average of the seeds' variance
# forecasts. Training the seeds is most of the chapter's run time.

# %%
# tolerance: rtol=0.01, atol=0.001; networks: CPU-dependent rounding grows through training
kwargs = dict(first_test_year=FIRST_TEST_YEAR, years_per_refit=YEARS_PER_REFIT, epochs=EPOCHS,
              patience=PATIENCE)
har = sequence.walk_forward_forecast(task, "har", name="HAR", **kwargs)
lhar = sequence.walk_forward_forecast(task, "har_leverage", name="LHAR", **kwargs)
naive = sequence.walk_forward_forecast(task, "naive", name="naive", **kwargs)
seeds = [SEED + 10 * i for i in range(N_SEEDS)]
realised = har.forecasts["target_variance"].to_numpy()
runs = {}


def fit_transformer(seed):
    res = sequence.walk_forward_forecast(task, transformer_builder, name=f"Transformer, seed {seed}",
                                         seed=seed, refit_full=True, **kwargs)
    runs[seed] = res
    return float(res.qlike.mean()), res.forecasts["forecast_variance"].to_numpy()


spread = inference.over_seeds(fit_transformer, seeds,
                              score_predictions=lambda v: float(metrics.qlike(realised, v).mean()))
# the seed ensemble: the mean of the seeds' variance forecasts and of their log forecasts
ensemble = runs[seeds[0]].forecasts.copy()
for column in ("forecast_variance", "forecast_log"):
    ensemble[column] = np.mean([r.forecasts[column].to_numpy() for r in runs.values()], axis=0)
transformer = sequence.WalkForwardResult(name="Transformer", forecasts=ensemble)
assert np.isclose(transformer.qlike.mean(), spread.ensemble_score, rtol=1e-12)
ENSEMBLE = f"Transformer ({N_SEEDS}-seed ensemble)"
results = {"naive": naive, "HAR": har, "LHAR": lhar, ENSEMBLE: transformer}
table = sequence.forecast_table(results, baseline="LHAR", h=5)
spread.summary().round(4)

# %%
# tolerance: rtol=0.15, atol=0.01, counts=2; networks: CPU-dependent rounding grows through training
years = har.forecasts.index.year
period = f"{years.min()}\u2013{years.max()}"
dm = inference.dm_test(transformer.qlike, lhar.qlike, h=5)  # HAC (Newey-West), HLN-corrected
verdict = inference.verdict(dm, better="lower", names=("the Transformer's seed ensemble", "LHAR"))
per_seed = pd.DataFrame({
    seed: {"QLIKE": float(res.qlike.mean()),
           "DM vs LHAR": (d := inference.dm_test(res.qlike, lhar.qlike, h=5)).statistic,
           "p-value": d.pvalue,
           "verdict vs LHAR": inference.verdict(d, better="lower").split(" (")[0],
           "epochs run (early stopping)": ", ".join(str(h["epochs"]) for h in res.histories),
           "best epoch = epochs of the refit": ", ".join(map(str, res.best_epochs))}
    for seed, res in runs.items()}).T.rename_axis("seed")
seed_words = per_seed["verdict vs LHAR"]
best_epochs = [e for r in runs.values() for e in r.best_epochs]
train_sizes = [int((task.dates.year < y).sum()) for y in
               range(FIRST_TEST_YEAR, years.max() + 1, YEARS_PER_REFIT)]

display(table.round(4))
per_seed

# %% tags=["remove-cell"]
# tolerance: rtol=0.15, atol=0.01, counts=2; networks: CPU-dependent rounding grows through training
glue("att_period", period, display=False)
glue("att_n_seeds", N_SEEDS, display=False)
glue("att_patience", PATIENCE, display=False)
glue("att_tr_qlike", round(float(transformer.qlike.mean()), 4), display=False)
glue("att_seed_mean", round(spread.mean, 4), display=False)
glue("att_seed_min", round(spread.min, 4), display=False)
glue("att_seed_max", round(spread.max, 4), display=False)
glue("att_tr_dm", round(dm.statistic, 4), display=False)
glue("att_tr_p", round(dm.pvalue, 4), display=False)
glue("att_har_qlike", round(float(table.loc["HAR", "QLIKE"]), 4), display=False)
glue("att_lhar_qlike", round(float(table.loc["LHAR", "QLIKE"]), 4), display=False)
glue("att_naive_qlike", round(float(table.loc["naive", "QLIKE"]), 4), display=False)
glue("att_verdict", verdict, display=False)
glue("att_seeds_same", int((seed_words == seed_words.iloc[0]).sum()), display=False)
glue("att_seed_word", seed_words.iloc[0], display=False)
glue("att_best_min", min(best_epochs), display=False)
glue("att_best_max", max(best_epochs), display=False)
glue("att_best_le3", sum(e <= 3 for e in best_epochs), display=False)
glue("att_n_refits", len(best_epochs), display=False)
glue("att_train_min", f"{min(train_sizes):,}", display=False)
glue("att_train_max", f"{max(train_sizes):,}", display=False)
# headline numbers for the book's cross-chapter table
headline.glue_headline(
    task="S&P 500 next-week volatility",
    metric=f"mean QLIKE, walk-forward {period}",
    better="lower",
    deep_model=f"Transformer encoder ({N_SEEDS}-seed ensemble)",
    deep_score=round(float(transformer.qlike.mean()), 4),
    baseline_model="HAR with leverage (LHAR)",
    baseline_score=round(float(table.loc["LHAR", "QLIKE"]), 4),
)

# %% [markdown]
# Over {glue:text}`att_period` the Transformer's mean QLIKE averages
# {glue:text}`att_seed_mean` over {glue:text}`att_n_seeds` seeds (from
# {glue:text}`att_seed_min` to {glue:text}`att_seed_max`), and its seed ensemble scores
# {glue:text}`att_tr_qlike`, against {glue:text}`att_lhar_qlike` for HAR with leverage,
# {glue:text}`att_har_qlike` for HAR and {glue:text}`att_naive_qlike` for the naive
# forecast. The verdict is decided on the seed ensemble's forecasts: the Diebold–Mariano
# statistic against LHAR (Newey–West variance for the overlapping five-day targets,
# Harvey–Leybourne–Newbold correction, `finbook.inference.dm_test`) is
# {glue:text}`att_tr_dm:.2f`, so at the 5 % level **{glue:text}`att_verdict`**. Seed by
# seed, {glue:text}`att_seeds_same` of the {glue:text}`att_n_seeds` Transformers are
# "{glue:text}`att_seed_word`" LHAR, as the first seed is (table above, with each refit's
# epochs run and best validation epoch). The best epochs range from
# {glue:text}`att_best_min` to {glue:text}`att_best_max`; {glue:text}`att_best_le3` of the
# {glue:text}`att_n_refits` refits stop at epoch 3 or earlier.

# %%
fig, ax = plt.subplots()
sequence.plot_forecasts({"HAR": har, "Transformer": transformer}, "2008-07", "2009-06", ax=ax)
ax.set_xlabel("forecast date")
ax.set_title("Next-week volatility: realised and forecast")
plt.show()

# %% [markdown]
# ## Where does the trained Transformer look?
#
# The attention weights of the last day's query, the row that feeds the forecast, say
# which days of the month the model reads. We recompute them with our NumPy functions from
# the trained weights of the first seed's last refit, for every test window of its block,
# and average.

# %%
first_run = runs[seeds[0]]
last = first_run.models[-1]
last_block = task.dates.year >= years.max() - YEARS_PER_REFIT + 1
inputs = first_run.prepare[-1](task.x[last_block]).astype(float)
w_embed, b_embed = last.get_layer("embed").get_weights()
embedded = inputs @ w_embed + b_embed + positional_encoding(LOOKBACK, D_MODEL)
_, att = multi_head_attention(embedded, embedded, last.get_layer("attention1").get_weights())
last_row = att[:, :, -1, :].mean(axis=0)  # (heads, days): the forecast day's query
recent_share = last_row[:, -5:].sum(axis=1)

fig, ax = plt.subplots()
lags = np.arange(LOOKBACK - 1, -1, -1)
for h in range(NUM_HEADS):
    ax.plot(lags, last_row[h], marker="o", ms=3, label=f"head {h + 1}")
ax.axhline(1 / LOOKBACK, color="0.4", ls=":", lw=1, label="uniform")
ax.invert_xaxis()
ax.set_xlabel("days before the forecast date")
ax.set_ylabel("mean attention weight")
ax.set_title(f"Attention of the forecast day, test years {transformer.forecasts['block'].iloc[-1]}")
ax.legend()
plt.show()

# %%
uniform = 5 / LOOKBACK  # the last week's share under uniform weights
recent_heads = [h + 1 for h in range(NUM_HEADS) if recent_share[h] > uniform]
older_heads = [h + 1 for h in range(NUM_HEADS) if recent_share[h] <= uniform]
if recent_heads and older_heads:
    reading = (f"Head {' and '.join(map(str, recent_heads))} leans towards the last week and head "
               f"{' and '.join(map(str, older_heads))} towards the older part of the month: the heads "
               "divide the work, a learned version of HAR's split into a weekly and a monthly term.")
else:
    reading = (f"Every head leans towards {'the last week' if recent_heads else 'the older part of the month'}"
               ": in this refit the heads do not divide the month between them.")
pd.DataFrame({"share of the last five days": recent_share, "uniform share": uniform},
             index=pd.Index(range(1, NUM_HEADS + 1), name="head")).round(2)

# %% tags=["remove-cell"]
glue("att_recent_share", ", ".join(f"{100 * s:.0f} % for head {h + 1}" for h, s in enumerate(recent_share)),
     display=False)
glue("att_uniform_share", round(100 * uniform), display=False)
glue("att_heads_reading", reading, display=False)


# %% [markdown]
# The share of the heads' attention on the last five days (a trading week) is
# {glue:text}`att_recent_share`, against
# {glue:text}`att_uniform_share` % for a uniform spread. {glue:text}`att_heads_reading`
# These are the weights of one seed's last refit, not of the ensemble. Attention weights are
# not a full explanation: the values they average are themselves learned mixtures of
# the days, and the feed-forward layer and the residual path add their own processing.
#
# (att-causal)=
# ## Does a causal mask change the forecast?
#
# In the encoder every day of the window attends to every other, later days of the window
# included. That is not look-ahead (every day of the window is at or before the forecast
# date, the target after it), but language models use a *causal mask*, each position
# attending only to itself and earlier positions, and it is fair to ask what one would do
# here. The argument says: nothing, with one block. The mask leaves the last day's row of
# attention weights as it is (the last day may attend to every day either way); the
# values that row averages are the embedded inputs, computed before attention; and the
# forecast reads only the last row, so the rows the mask does change, those of the earlier
# days, are not read by anything. A second block would read them, and so would a model that
# forecasts from every position.
#
# An argument is not a measurement, so we run the model both ways with the same weights.
# `encoder_rows` recomputes every day's row of the encoder's output $X''$ in NumPy from a
# trained `transformer_forecaster`, with our `scaled_dot_product_attention` and an optional
# mask, block by block as in {eq}`encoder-block`; the cell first checks that without a
# mask it reproduces Keras' forecasts. We apply it to the first seed's last refit on its
# test windows, with no mask and with a causal (lower-triangular) one, and to a two-block
# encoder built with the same seed (untrained: any weights show the point).

# %%
# tolerance: rtol=0.2, atol=0.01; networks: CPU-dependent rounding grows through training
def layer_norm(x, layer):  # LayerNorm with a Keras LayerNormalization layer's gain, shift and epsilon
    gain, shift = layer.get_weights()
    return gain * (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True)
                                                                  + layer.epsilon) + shift


def encoder_rows(model, windows, mask=None):
    """Every day's row of the last block's X'' of a transformer_forecaster, in NumPy.

    ``mask`` (days, days) is True where day i may attend to day j; None lets every day see every day.
    """
    w, b = model.get_layer("embed").get_weights()
    x = windows @ w + b + positional_encoding(windows.shape[1], w.shape[1])  # X
    n_blocks = sum(layer.name.startswith("attention") for layer in model.layers)
    for k in range(1, n_blocks + 1):
        wq, bq, wk, bk, wv, bv, wo, bo = model.get_layer(f"attention{k}").get_weights()
        q, key, v = (np.einsum("bnd,dhk->bhnk", x, wt) + bias[None, :, None, :]
                     for wt, bias in ((wq, bq), (wk, bk), (wv, bv)))
        heads, _ = scaled_dot_product_attention(q, key, v, mask=mask)
        x = layer_norm(x + np.einsum("bhnk,hko->bno", heads, wo) + bo, model.get_layer(f"norm{k}a"))  # X'
        (w1, b1), (w2, b2) = model.get_layer(f"ff{k}a").get_weights(), model.get_layer(f"ff{k}b").get_weights()
        x = layer_norm(x + np.maximum(0, x @ w1 + b1) @ w2 + b2, model.get_layer(f"norm{k}b"))  # X''
    return x


def forecast_from(model, rows):  # the output layer on the last day's row
    w, b = model.get_layer("forecast").get_weights()
    return rows[:, -1] @ w[:, 0] + b[0]


causal = np.tril(np.ones((LOOKBACK, LOOKBACK), dtype=bool))  # day i attends to days j <= i
repro.set_seed(SEED)
two_blocks = transformer_forecaster(LOOKBACK, len(task.feature_names), d_model=D_MODEL,
                                    num_heads=NUM_HEADS, ff_units=FF_UNITS, num_blocks=2)
mask_effect = {}
for label, model in (("one block (trained)", last), ("two blocks (untrained)", two_blocks)):
    full, masked = encoder_rows(model, inputs), encoder_rows(model, inputs, mask=causal)
    keras_forecast = model.predict(inputs.astype("float32"), verbose=0).ravel()
    gap = np.abs(forecast_from(model, full) - keras_forecast).max()
    assert gap < 1e-4 * max(1.0, np.abs(keras_forecast).max()), (label, gap)  # a check: NumPy is Keras
    mask_effect[label] = {
        "forecast (last day's row)": np.abs(forecast_from(model, masked) - forecast_from(model, full)).max(),
        "earlier days' rows": np.abs(masked[:, :-1] - full[:, :-1]).max()}
mask_effect = pd.DataFrame(mask_effect).T.rename_axis("encoder")
# checks that can fail: with one block the mask leaves the forecast exactly as it is ...
assert mask_effect.loc["one block (trained)", "forecast (last day's row)"] == 0.0, mask_effect
# ... but changes the rows a second block, or a forecast from every position, would read
assert (mask_effect["earlier days' rows"] > 1e-3).all(), mask_effect
assert mask_effect.loc["two blocks (untrained)", "forecast (last day's row)"] > 1e-3, mask_effect
print(f"largest |difference|, causal mask against none, over {len(inputs):,} test windows")
mask_effect.map(lambda v: "0 (exactly)" if v == 0 else f"{v:.3f}")

# %% tags=["remove-cell"]
# tolerance: rtol=0.2, atol=0.01; networks: CPU-dependent rounding grows through training
glue("att_mask_n_windows", f"{len(inputs):,}", display=False)
glue("att_mask_one", f"{mask_effect.loc['one block (trained)', 'forecast (last day' + chr(39) + 's row)']:g}",
     display=False)
glue("att_mask_rows_one", round(float(mask_effect.loc["one block (trained)", "earlier days' rows"]), 2),
     display=False)
glue("att_mask_two", round(float(mask_effect.loc["two blocks (untrained)", "forecast (last day's row)"]), 3),
     display=False)

# %% [markdown]
# Over the {glue:text}`att_mask_n_windows` test windows of the last block, the causal mask
# leaves the one-block encoder's forecast exactly as it is: the largest difference is
# {glue:text}`att_mask_one`, not a rounding error (the cell asserts equality). It does
# change the earlier days' rows of $X''$, by up to {glue:text}`att_mask_rows_one`, so a model that forecast from every
# position would feel it; and in the two-block encoder, whose second block reads those
# rows, it moves the forecast by up to {glue:text}`att_mask_two` (in standardised
# log-variance units). A causal mask is a statement about which positions a model's
# *outputs* may depend on; it matters when outputs are read from more than the last
# position, directly or through a later block.
#
# ## This chapter's models on one table
#
# The Transformer's seed ensemble, HAR, LHAR and the naive forecast, scored on the same
# test days. The CNN of {ref}`cnn` and the LSTM and GRU of {ref}`rnn` are scored on the
# same days against the same LHAR in their own chapters; no chapter reads another's
# results, so the comparison of the Part II networks side by side is on the cross-book
# page {doc}`19_model_diversity`.

# %%
# tolerance: rtol=0.01, atol=0.001; networks: CPU-dependent rounding grows through training
def word(sentence):  # "the X is significantly worse than LHAR (p = 0.01)" -> "significantly worse than"
    for w in ("significantly better than", "indistinguishable from", "significantly worse than"):
        if w in sentence:
            return w
    raise ValueError(f"no verdict in {sentence!r}")


rows = {name: {"QLIKE": float(table.loc[name, "QLIKE"]),
               "DM vs LHAR": float(table.loc[name, "DM vs LHAR"]),
               "verdict vs LHAR": "" if name == "LHAR" else
               word(inference.verdict(inference.dm_test(res.qlike, lhar.qlike, h=5), better="lower")),
               "seeds": "" if name != ENSEMBLE else str(N_SEEDS)}
        for name, res in results.items()}
overview = pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
gain = 100 * (1 - overview["QLIKE"] / float(overview.loc["LHAR", "QLIKE"]))
overview.round(4)

# %% tags=["remove-cell"]
# tolerance: rtol=0.01, atol=0.001; networks: CPU-dependent rounding grows through training
glue("att_gain_vs_lhar", round(float(gain[ENSEMBLE]), 1), display=False)
glue("att_closing", {"significantly better than": "improves on",
                     "indistinguishable from": "is not distinguishable from",
                     "significantly worse than": "is significantly worse than"}[overview.loc[ENSEMBLE, "verdict vs LHAR"]],
     display=False)
glue("att_lhar_params", len(lhar.models[0]), display=False)

# %%
fig, ax = plt.subplots(figsize=(7, 2.6))
colours = [sequence.MODEL_COLOURS.get(m.split(" (")[0], "0.5") for m in gain.index]
ax.barh(gain.index[::-1], gain[::-1], color=colours[::-1])
ax.axvline(0, color="0.3", lw=0.8)
ax.set_xlabel("QLIKE reduction relative to LHAR (%)")
ax.set_title(f"Out of sample, {period}: positive = better than HAR with leverage")
plt.show()

# %% [markdown]
# Read the table with its verdicts: only a Diebold–Mariano p-value below 0.05 is evidence
# of a difference from the baseline, HAR with leverage. The Transformer's seed ensemble
# changes LHAR's QLIKE by {glue:text}`att_gain_vs_lhar` % (positive: lower). A small
# Transformer, trained with care (relative inputs, walk-forward refits, early stopping,
# bias correction, a seed ensemble), {glue:text}`att_closing` a
# {glue:text}`att_lhar_params`-parameter linear model that reads the same two inputs; on
# this task the evaluation matters more than the architecture.
#
# ## How this compares with published results
#
# {cite:t}`vaswani2017attention` designed the Transformer for machine translation, with
# millions of sentence pairs and sequences whose words interact over long distances. Our
# problem is the opposite: each refit trains on {glue:text}`att_train_min` to
# {glue:text}`att_train_max` heavily overlapping windows of one noisy series, and most of
# the signal sits in a slowly moving level that HAR captures with three averages. With
# intraday data, {cite:t}`christensen2023machine` report gains over HAR for neural
# networks even when their only inputs are HAR's daily, weekly and monthly averages; the
# Transformer's own strength, attention over long and rich contexts, has little to work
# with in a one-month window of two features.
#
# ## What we learned
#
# - Scaled dot-product attention {eq}`attention` is a soft look-up: a softmax of query–key
#   dot products weights an average of values. Our NumPy version and Keras'
#   `MultiHeadAttention` {glue:text}`att_keras_agree` to float32 precision.
# - Attention ignores order: without positional encoding, shuffling the first
#   {glue:text}`att_n_shuffled` days of a window leaves the forecast unchanged. Sinusoidal
#   positions {eq}`positional-encoding` fix it.
# - A dot product scores a key's length as well as its direction: the key twice as long as
#   the query takes {glue:text}`att_toy_dot_long` of the weight, the key equal to it
#   {glue:text}`att_toy_dot_equal`. "Which days looked like me" is a distance kernel's
#   question, not raw dot-product attention's.
# - A causal mask changes nothing in a one-block encoder read at the last position (largest
#   difference {glue:text}`att_mask_one`, run both ways with the same weights); it moves
#   the forecast of a two-block encoder by up to {glue:text}`att_mask_two`.
# - A {glue:text}`att_n_params`-parameter Transformer encoder scores QLIKE
#   {glue:text}`att_tr_qlike` over {glue:text}`att_period`, against
#   {glue:text}`att_lhar_qlike` for HAR with leverage and {glue:text}`att_har_qlike` for
#   HAR: {glue:text}`att_verdict`.
# - Part II's networks side by side, each a seed ensemble tested against LHAR in its own
#   chapter, are compared on the cross-book page {doc}`19_model_diversity`.
#
# ## Exercises
#
# ```{exercise}
# :label: att-ex-scale
# Multiply the queries and keys of the attention demo by 10 before calling
# `scaled_dot_product_attention`. What happens to the weights, and what would happen to
# the gradient of the output with respect to the scores?
# ```
#
# ```{solution} att-ex-scale
# :class: dropdown
# The scores grow a hundredfold (both factors scale), the softmax approaches a one-hot
# vector on the most similar day, and the output becomes that day's value. A saturated
# softmax has gradients near zero with respect to all scores, so learning through it
# stalls: that is why {eq}`attention` divides by $\sqrt{d_k}$, which keeps the scores of
# random unit-variance vectors of length $d_k$ at unit variance.
# ```
#
# ```{exercise}
# :label: att-ex-causal
# In the encoder, every day of the window may attend to every other, including later days
# *of the window*. Is this look-ahead? Would a causal mask (each day attends only to itself
# and earlier days) change the forecast?
# ```
#
# ```{solution} att-ex-causal
# :class: dropdown
# It is not look-ahead: every day of the window is at or before the forecast date $t$, and
# the target lies after $t$. A causal mask matters when a model's outputs are read from
# every position of a sequence (as a language model predicts every next word), directly
# or through a later block, not when one block's output is read at the last position.
# The section {ref}`att-causal` runs both: with one block the mask leaves the forecast
# exactly unchanged (largest difference {glue:text}`att_mask_one` over
# {glue:text}`att_mask_n_windows` test windows), because the last day's row of attention weights is unmasked, the values it
# averages come before the attention, and no later layer reads the other days' rows, the
# only ones the mask changes (by up to {glue:text}`att_mask_rows_one`). With two blocks
# the second block reads those rows, and the forecast moves by up to
# {glue:text}`att_mask_two`. To see it in Keras, call the attention layers with
# `use_causal_mask=True` in a copy of `encoder_block` and load the same weights.
# ```
#
# ```{exercise}
# :label: att-ex-nopos
# Train the Transformer without positional encoding
# (`transformer_builder(positional=False)`) and compare its QLIKE with the one above. Why
# might the loss be smaller than the order-blindness demonstration suggests?
# ```
#
# ```{solution} att-ex-nopos
# :class: dropdown
# The forecast is read from the last day's row, so the model still knows which day is the
# most recent, and the inputs are relative to the window's mean, which does not depend on
# order. What it loses is the distinction among the other days: it sees the month as an
# unordered set, a bag of days. Since much of the information sits in the level of the
# month and in the last day, the cost can be small; it would grow with longer windows in
# which the recency of a shock matters.
# ```
