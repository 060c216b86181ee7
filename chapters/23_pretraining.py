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
# (pretraining)=
# # Large models, in miniature and for real: pretraining, transfer and in-context learning
#
# What makes a model "large" in today's sense is less its number of weights than the way it
# is made: it is **pretrained** once, on a broad body of data and with an objective that needs
# no labels for the task at hand, and then **used** on problems it was not trained for, as it
# is (zero-shot), after a little further training (fine-tuning), or by reading a few examples
# of the new task in its input (in-context learning). The time-series foundation models
# (TimesFM, Chronos, Moirai), the tabular in-context learner TabPFN and the financial
# language models (FinBERT, BloombergGPT) all rest on that step. Their weights cannot be
# downloaded here and their pretraining needs a data centre; the ideas can be run on a laptop,
# on the book's own data, and measured against the book's baselines. This chapter does that
# twice: a small patch Transformer pretrained on a panel of daily financial series and used
# on a series it never saw, and a small prior-fitted network pretrained only on synthetic
# tables and used to score German credit applicants without a single gradient step on them.

# %% tags=["parameters"]
SEED = 2024  # seeds the cross-validation folds and the target-data networks
SEEDS = 5  # pretrained networks per model (seeds 0..SEEDS-1 of `python -m finbook pretrain`); seeds per fit
TARGET_DAYS = (250, 1_000)  # days of S&P 500 history given to the fine-tuned and from-scratch networks
CV_FOLDS = 5  # stratified folds on German credit

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

# %% tags=["pretrain"]
# The pieces `python -m finbook pretrain NAME` runs (cells tagged "pretrain"): the models,
# their data and their pretraining loops, exactly as the reader sees them.
import numpy as np
import pandas as pd

from finbook import data, pretrain, repro, training, volatility

repro.import_tensorflow()
import keras  # noqa: E402
from keras import layers, ops  # noqa: E402

LOOKBACK, HORIZON, PATCH = 40, 5, 5  # 40 days in, next week's mean variance out; tokens of 5 days
CUTOFF = pd.Timestamp("2013-01-01")  # pretraining sees nothing from this day on
VALID_FROM = pd.Timestamp("2012-01-01")  # the last pretraining year: validation (early stopping)


def pretraining_panel():
    """Daily (variance, return) pairs of every daily series the book ships except the S&P 500."""
    panel = {}
    nasdaq = data.nasdaq()
    panel["NASDAQ"] = (volatility.garman_klass(nasdaq["open"], nasdaq["high"], nasdaq["low"], nasdaq["close"]),
                       volatility.log_returns(nasdaq["close"]))
    oil = volatility.log_returns(data.wti()["wti"].dropna())
    panel["WTI crude oil"] = (oil**2, oil)
    for maturity, yields in data.treasury_curve().items():
        change = 100 * yields.dropna().diff()  # daily change in basis points
        panel[f"Treasury {maturity}"] = (change**2, change)
    # a squared change is 0 on quiet days; floor it at 5% of the series' mean so that its log exists
    return {name: (v.clip(lower=0.05 * v.mean()) if name != "NASDAQ" else v, r)
            for name, (v, r) in panel.items()}


def panel_windows(panel, start, end):
    """Every series' windows with origin in [start, end) and target before ``end``: scaled, in patches."""
    xs, ys = [], []
    for variance, returns in panel.values():
        inside = variance.index < end
        x, y, dates = pretrain.variance_panel_windows(variance[inside], returns[inside],
                                                      lookback=LOOKBACK, horizon=HORIZON)
        keep = dates >= start if start is not None else np.ones(len(y), bool)
        xs.append(x[keep])
        ys.append(y[keep])
    scaled = pretrain.scale_windows(np.concatenate(xs))
    return pretrain.patches(scaled.x, PATCH), scaled.target(np.concatenate(ys))


# %% tags=["pretrain"]
def patch_transformer(d_model=32, heads=4, blocks=2):
    """A PatchTST-style encoder: patch embedding + position, pre-norm Transformer blocks, linear head."""
    n_patches, patch_values = LOOKBACK // PATCH, 2 * PATCH
    tokens = keras.Input((n_patches, patch_values))
    h = layers.Dense(d_model)(tokens)  # each 5-day patch (log variance and return) -> one token
    h = h + layers.Embedding(n_patches, d_model)(ops.arange(n_patches))  # learned position of the patch
    for _ in range(blocks):
        a = layers.LayerNormalization()(h)
        h = h + layers.MultiHeadAttention(heads, d_model // heads)(a, a)  # every patch attends to every patch
        a = layers.LayerNormalization()(h)
        h = h + layers.Dense(d_model)(layers.Dense(2 * d_model, activation="gelu")(a))
    h = layers.Flatten()(layers.LayerNormalization()(h))
    return keras.Model(tokens, layers.Dense(1)(h)[:, 0])  # next week's log variance, on the window's scale


PATCH_EPOCHS = 6


def pretrain_patch(seed, epochs=PATCH_EPOCHS):
    """Pretrain on the panel before VALID_FROM; stop early on the panel's last year; return (net, log)."""
    panel = pretraining_panel()
    x, y = panel_windows(panel, None, VALID_FROM)
    x, y = x[::2], y[::2]  # every other window: neighbours overlap by 39 of 40 days
    x_valid, y_valid = panel_windows(panel, VALID_FROM, CUTOFF)
    repro.set_seed(seed)
    net = patch_transformer()
    net.compile(keras.optimizers.Adam(1e-3), loss="mse")
    net, history = training.fit(net, x, y, epochs=epochs, batch_size=256, validation_data=(x_valid, y_valid),
                                patience=2, seed=seed)
    log = pd.DataFrame({"epoch": np.arange(1, history["epochs"] + 1), "windows": len(y),
                        "loss": history["loss"], "val_loss": history["val_loss"]})
    return net, log


# %% tags=["pretrain"]
PFN_FEATURES = 10  # columns a task may have (fewer are padded with zeros)
PFN_CONTEXTS = (32, 64, 128)  # labelled rows in the context, drawn anew for every round of pretraining
PFN_MAX_CONTEXT = max(PFN_CONTEXTS)
PFN_QUERIES = 32  # rows of each task whose label the network must predict
PFN_TASKS_PER_STEP, PFN_STEPS_PER_ROUND, PFN_ROUNDS = 16, 100, 15
PFN_VALID_SEED = 1_000_003  # the fixed synthetic tasks on which pretraining is monitored


def prior_fitted_network(d_model=32, heads=4, blocks=2):
    """A Transformer over a table: context rows (x, y) attend to each other, query rows attend to the context."""
    x_context = keras.Input((None, PFN_FEATURES))
    y_context = keras.Input((None,))
    x_query = keras.Input((None, PFN_FEATURES))
    embed_x = layers.Dense(d_model)
    c = embed_x(x_context) + layers.Embedding(2, d_model)(ops.cast(y_context, "int32"))  # a row and its label
    q = embed_x(x_query)  # a row whose label is unknown
    for _ in range(blocks):
        attend = layers.MultiHeadAttention(heads, d_model // heads)
        norm1, norm2 = layers.LayerNormalization(), layers.LayerNormalization()
        hidden, out = layers.Dense(2 * d_model, activation="gelu"), layers.Dense(d_model)
        nc = norm1(c)
        c, q = c + attend(nc, nc), q + attend(norm1(q), nc)  # no positions: the rows are a set
        c, q = c + out(hidden(norm2(c))), q + out(hidden(norm2(q)))
    logit = layers.Dense(1)(layers.LayerNormalization()(q))[..., 0]
    return keras.Model([x_context, y_context, x_query], logit)  # log-odds of y = 1 for every query row


def split_tasks(x, y, n_context):
    """Tasks (tasks, rows, features) -> the network's inputs [context x, context y, query x] and query labels."""
    return [x[:, :n_context], y[:, :n_context], x[:, n_context:]], y[:, n_context:]


def cross_entropy_logits(y, logit):
    """Mean binary cross-entropy from log-odds: mean(log(1 + e^z) - y z)."""
    return float(np.mean(np.logaddexp(0.0, logit) - y * logit))


def pretrain_pfn(seed, rounds=PFN_ROUNDS):
    """Each round: draw fresh tasks from the prior, take one pass over them; log the loss on fixed tasks."""
    rng = np.random.default_rng(seed)
    valid_inputs, valid_y = split_tasks(*pretrain.sample_classification_tasks(
        np.random.default_rng(PFN_VALID_SEED), 512, 128 + PFN_QUERIES, PFN_FEATURES), 128)
    repro.set_seed(seed)
    net = prior_fitted_network()
    net.compile(keras.optimizers.Adam(1e-3), loss=keras.losses.BinaryCrossentropy(from_logits=True))
    log = []
    for r in range(rounds):
        n_context = int(rng.choice(PFN_CONTEXTS))
        tasks = pretrain.sample_classification_tasks(rng, PFN_TASKS_PER_STEP * PFN_STEPS_PER_ROUND,
                                                     n_context + PFN_QUERIES, PFN_FEATURES)
        inputs, targets = split_tasks(*tasks, n_context)
        net, history = training.fit(net, inputs, targets, epochs=1, batch_size=PFN_TASKS_PER_STEP,
                                    seed=seed * 1_000 + r, restore_best=False)
        valid_loss = cross_entropy_logits(valid_y, net.predict(valid_inputs, batch_size=64, verbose=0))
        log.append({"step": (r + 1) * PFN_STEPS_PER_ROUND, "tasks": (r + 1) * len(targets),
                    "context": n_context, "loss": history["loss"][0], "val_loss": valid_loss})
    return net, pd.DataFrame(log)


# %%
import matplotlib.pyplot as plt
from IPython.display import display
from myst_nb import glue
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split

from finbook import features, inference, metrics, plots, scaling, sequence
from finbook import scorecard as sc
from finbook.book import headline

repro.set_seed(SEED)
plots.use_book_style()
seeds = list(range(SEEDS))

# %% [markdown]
# ````{admonition} What the article says
# :class: note
# The article calls the models it expects to transform finance "AI large models" (大模型)
# and credits them with learning general knowledge from massive data that carries over to
# new tasks. It shows no model that is pretrained on one body of data and used on another,
# and no measurement of what the transfer is worth.
# ````
#
# Transfer is a measurable claim. A pretrained model is useful on a new problem if its
# forecasts are more accurate than what the new problem's own data can support: a classical model fitted to that data, and a
# network of the same design trained on that data alone. Both comparisons are made below,
# with the book's tests for verdicts (`finbook.inference`): each network over
# {glue:text}`pt_seeds` seeds, the verdict decided on the seed ensemble (the average of the
# seeds' forecasts), Diebold–Mariano tests with a Newey–West variance for forecasts over time
# and a paired bootstrap for scores over applicants.
#
# ## What a foundation model does, in three steps
#
# 1. **Tokens.** The input is cut into pieces the network reads as a sequence: words or
#    sub-words for text; for a time series, short **patches** of consecutive values
#    {cite}`nie2023patchtst`; for a table, whole rows.
# 2. **Pretraining.** A Transformer {cite}`vaswani2017attention` is trained on a large and
#    varied corpus with an objective the corpus supplies by itself: the next word, the next
#    stretch of the series, a masked piece, or, for a prior-fitted network, the label of a row
#    in a synthetic table whose generating rule it never sees {cite}`muller2022transformers`.
# 3. **Use.** The same weights then serve a new task **zero-shot** (as they are), after
#    **fine-tuning** (a few more gradient steps on the new task's data), or **in context**
#    (the new task's examples are part of the input, and no weight changes).
#
# The published time-series foundation models differ in their details: TimesFM is a
# decoder-only patch Transformer of about 200 million parameters trained on a mix of real and
# synthetic series {cite}`das2024timesfm`; Chronos scales and quantises values into a
# vocabulary and trains language-model architectures on the tokens {cite}`ansari2024chronos`;
# Moirai is a masked encoder trained on an archive of some 27 billion observations from nine
# domains {cite}`woo2024moirai`. All three report zero-shot forecasts that compete with models
# trained on the target dataset itself. Our version keeps the skeleton and shrinks everything
# else by four orders of magnitude or more.
#
# ## Part 1 · Pretrain on many series, forecast a new one
#
# ### The corpus and the held-out series
#
# The target is the book's volatility task ({ref}`volatility-forecasting`): at each close,
# forecast the log of the mean Garman–Klass variance of the S&P 500 over the next five
# days, from the last {glue:text}`pt_lookback` days of log variance and return. The
# pretraining corpus is all the *other* daily series the book ships, up to the end of 2012:

# %%
panel = pretraining_panel()
x_pre, y_pre = panel_windows(panel, None, VALID_FROM)
x_val, y_val = panel_windows(panel, VALID_FROM, CUTOFF)
panel_table = pd.DataFrame({
    name: {"daily variance": "Garman–Klass (range)" if name == "NASDAQ" else "squared daily change",
           "first day": f"{v.dropna().index[0]:%Y-%m-%d}", "days before 2013": int((v.dropna().index < CUTOFF).sum())}
    for name, (v, _) in panel.items()}).T
panel_table

# %% tags=["remove-cell"]
glue("pt_seeds", SEEDS, display=False)
glue("pt_lookback", LOOKBACK, display=False)
glue("pt_patch", PATCH, display=False)
glue("pt_tokens", LOOKBACK // PATCH, display=False)
glue("pt_series", len(panel), display=False)
glue("pt_windows", f"{len(y_pre):,}", display=False)
glue("pt_valid_windows", f"{len(y_val):,}", display=False)
glue("pt_fit_windows", f"{len(y_pre[::2]):,}", display=False)

# %% [markdown]
# These {glue:text}`pt_series` series are of three kinds, a stock index, a commodity and
# interest rates, in three units (percent, percent, basis points), with volatilities that
# differ by orders of magnitude. One network can read them all only after **per-series
# normalisation**: each 40-day window is put on its own scale (`pretrain.scale_windows`): its
# log variance minus the window's mean, divided by the window's standard deviation, and its
# returns divided by the window's own volatility; the target is expressed on the same scale
# and mapped back at the end. This is the instance normalisation of PatchTST and of the
# foundation models. The S&P 500 is **not** in the corpus, and nothing from 2013 or later is:
# the test period, 2013–2018, and the target series are both new to the pretrained network.
# The NASDAQ is a close relative of the S&P 500, and its presence in the corpus is part of
# what is being tested: a foundation model is only as useful as its corpus is relevant.
#
# ### The model
#
# `patch_transformer` (defined in the first code cells above, where `python -m finbook
# pretrain` reads it) cuts the {glue:text}`pt_lookback`-day window into
# {glue:text}`pt_tokens` patches of {glue:text}`pt_patch` days; a linear layer turns each
# patch (five log variances, five returns) into a 32-number token and adds a learned
# position; two pre-norm Transformer blocks let each patch attend to all the others; a linear
# head reads all tokens and forecasts next week's log variance on the window's scale. The
# pretraining objective is that forecast, by mean squared error, on all windows of all
# series: self-supervised, since the series supply their own targets, as in TimesFM.
#
# ### Pretraining, once, outside the chapter
#
# Pretraining {glue:text}`pt_seeds` networks on {glue:text}`pt_fit_windows` windows (every
# other one of {glue:text}`pt_windows`, since neighbours share 39 of 40 days) takes a few
# minutes, more than a chapter's budget. It was run once with `python -m finbook pretrain
# patch`, which executes this chapter's cells tagged `pretrain` and nothing else, stops each
# network early on the {glue:text}`pt_valid_windows` windows of 2012 (the last pretraining
# year), and commits the weights with their SHA-256 in `weights/manifest.csv` and the
# training log in `weights/patch_log.csv`. `pretrain.load_weights` refuses a file whose
# checksum differs. A short run of the same code reproduces the log's first epoch to the
# digits logged (`tests/test_pretrain.py`).

# %%
patch_log = pd.read_csv(pretrain.WEIGHTS_DIR / "patch_log.csv")
pretrained = [pretrain.load_weights(patch_transformer(), "patch", s) for s in seeds]
best = patch_log.loc[patch_log.groupby("seed")["val_loss"].idxmin()]
patch_log.pivot(index="epoch", columns="seed", values="val_loss").round(4)

# %% tags=["remove-cell"]
glue("pt_params", f"{pretrained[0].count_params():,}", display=False)
glue("pt_epochs", f"{int(best['epoch'].min())}–{int(best['epoch'].max())}", display=False)

# %% [markdown]
# Each network has {glue:text}`pt_params` weights. The table shows the validation loss
# (mean squared error on the windows' own scale) after each epoch of pretraining, one column
# per seed; the best epochs, whose weights were kept, are {glue:text}`pt_epochs`.
#
# ### Three ways to use it, and the baselines
#
# On the S&P 500 we compare, over the same test days (2013–2018):
#
# - **zero-shot**: the pretrained networks as they are; they have never seen an S&P 500 day;
# - **fine-tuned**: the pretrained networks trained further on the last $n$ days of S&P 500
#   history before 2013, with a smaller learning rate;
# - **from scratch**: the same architecture from random weights, trained on the same $n$ days;
# - **LHAR**: the HAR model with leverage of {cite:t}`corsi2012leverage`, the book's strongest
#   classical forecaster for this task, fitted by least squares on the same $n$ days;
# - **naive**: next week's variance equals the last week's.
#
# Both networks trained on target data keep the last fifth of their $n$ days for early
# stopping (a gap of four days, so that no training target overlaps it) and restore the
# weights of the best epoch; LHAR, which has no such decision to make, uses all $n$ days.
# The loss is the squared error of the log-variance forecast, the measure the networks are
# trained on; the Diebold–Mariano tests use a horizon of five days (the targets overlap) and
# Holm's correction over the family of comparisons.

# %%
task = sequence.volatility_task(lookback=LOOKBACK, horizon=HORIZON)
scaled = pretrain.scale_windows(task.x)
tokens, y_scaled = pretrain.patches(scaled.x, PATCH), scaled.target(task.y)
test = np.flatnonzero(task.dates >= CUTOFF)
history = np.flatnonzero(task.dates < CUTOFF)[:-HORIZON]  # the last targets would reach into 2013
y_test = task.y[test]


def log_forecast(net, rows):
    """The network's forecast of log variance for the given task rows, back on the log-variance scale."""
    return scaled.loc[rows] + scaled.scale[rows] * net.predict(tokens[rows], batch_size=2048, verbose=0)


def squared_log_error(log_f):
    return (log_f - y_test) ** 2


har_design = np.column_stack([np.ones(len(task.y)), task.har, task.leverage])


def lhar_forecast(rows):
    """LHAR (Corsi & Renò 2012) fitted by least squares on ``rows``; log-variance forecasts of the test days."""
    beta = np.linalg.lstsq(har_design[rows], task.y[rows], rcond=None)[0]
    return har_design[test] @ beta


zero_shot = [log_forecast(net, test) for net in pretrained]

# %% tags=["remove-cell"]
glue("pt_test_days", f"{len(test):,}", display=False)
glue("pt_history_days", f"{len(history):,}", display=False)

# %% [markdown]
# The fine-tuned and from-scratch networks are trained {glue:text}`pt_n_fits` times in all
# ({glue:text}`pt_seeds` seeds, each amount of target data, both ways). Each uses
# `training.fit`, the book's one training loop, with the network's loss (mean squared error)
# and Adam; one network object per way is re-used, its weights and optimizer state reset
# before each fit, so that the training step is traced once rather than once per fit.

# %%
fine_tune_net, scratch_net = patch_transformer(), patch_transformer()
fine_tune_net.compile(keras.optimizers.Adam(3e-4), loss="mse")  # small steps: start from what pretraining learned
scratch_net.compile(keras.optimizers.Adam(1e-3), loss="mse")
scratch_start = []
for s in seeds:
    repro.set_seed(SEED + s)
    scratch_start.append(patch_transformer().get_weights())


def fit_on_target(net, start_weights, rows, seed):
    """Train ``net`` from ``start_weights`` on task ``rows``; early stopping on their last fifth."""
    net.set_weights(start_weights)
    pretrain.reset_optimizer(net)
    cut = int(0.8 * len(rows))
    fit_rows, valid_rows = rows[:cut - (HORIZON - 1)], rows[cut:]
    net, fitted = training.fit(net, tokens[fit_rows], y_scaled[fit_rows], epochs=30, batch_size=64,
                               validation_data=(tokens[valid_rows], y_scaled[valid_rows]), patience=4, seed=seed)
    return log_forecast(net, test)


forecasts, spreads = {}, {}
for days in TARGET_DAYS:
    rows = history[-days:]
    for method, net, starts in [("fine-tuned", fine_tune_net, [p.get_weights() for p in pretrained]),
                                ("from scratch", scratch_net, scratch_start)]:
        per_seed = []

        def fit_score(s, net=net, starts=starts, rows=rows, per_seed=per_seed):
            f = fit_on_target(net, starts[s], rows, SEED + s)
            per_seed.append(f)
            return float(squared_log_error(f).mean()), f

        spreads[(method, days)] = inference.over_seeds(fit_score, seeds,
                                                       score_predictions=lambda f: float(squared_log_error(f).mean()))
        forecasts[(method, days)] = np.mean(per_seed, axis=0)  # the seed ensemble
    forecasts[("LHAR", days)] = lhar_forecast(rows)
forecasts[("zero-shot", 0)] = np.mean(zero_shot, axis=0)
spreads[("zero-shot", 0)] = inference.over_seeds(
    lambda s: (float(squared_log_error(zero_shot[s]).mean()), zero_shot[s]), seeds,
    score_predictions=lambda f: float(squared_log_error(f).mean()))
forecasts[("LHAR", len(history))] = lhar_forecast(history)
forecasts[("naive", 0)] = np.log(task.naive[test])

# %% tags=["remove-cell"]
glue("pt_n_fits", 2 * SEEDS * len(TARGET_DAYS), display=False)

# %%
# tolerance: rtol=0.03, atol=0.002; networks trained on a few hundred days: last digits move with the CPU's kernels
table = []
for (method, days), f in forecasts.items():
    spread = spreads.get((method, days))
    table.append({"model": method, "target days": days,
                  "MSE, seed ensemble": float(squared_log_error(f).mean()),
                  "seed mean": spread.mean if spread else np.nan,
                  "seed min": spread.min if spread else np.nan, "seed max": spread.max if spread else np.nan})
results = pd.DataFrame(table).set_index(["model", "target days"]).sort_index()
small, large = min(TARGET_DAYS), max(TARGET_DAYS)
family = {f"zero-shot vs LHAR (n = {small})": (("zero-shot", 0), ("LHAR", small)),
          "zero-shot vs LHAR (all history)": (("zero-shot", 0), ("LHAR", len(history))),
          "zero-shot vs naive": (("zero-shot", 0), ("naive", 0))}
for days in TARGET_DAYS:
    family[f"fine-tuned vs from scratch (n = {days})"] = (("fine-tuned", days), ("from scratch", days))
    family[f"fine-tuned vs LHAR (n = {days})"] = (("fine-tuned", days), ("LHAR", days))
dm = {name: inference.dm_test(squared_log_error(forecasts[a]), squared_log_error(forecasts[b]), h=HORIZON)
      for name, (a, b) in family.items()}
holm = inference.holm({name: r.pvalue for name, r in dm.items()}, alpha=0.05)
tests = pd.DataFrame({"mean loss difference (A - B)": {n: r.mean_difference for n, r in dm.items()},
                      "DM statistic": {n: r.statistic for n, r in dm.items()},
                      "p": holm.table["pvalue"], "p (Holm)": holm.table["adjusted"]})
tests["verdict, A is ..."] = [inference.verdict((dm[n].mean_difference, holm.table.loc[n, "adjusted"]),
                                                better="lower").split(" (")[0] for n in tests.index]
display(results.round(4))
tests.round(4)

# %%
def said(name, a, b):
    """The verdict of comparison ``name`` as a sentence, from the Holm-adjusted p-value."""
    return inference.verdict((dm[name].mean_difference, holm.table.loc[name, "adjusted"]), better="lower",
                             names=(a, b))


def mse(method, days):
    return round(float(results.loc[(method, days), "MSE, seed ensemble"]), 3)


# %% tags=["remove-cell"]
glue("pt_small", f"{small:,}", display=False)
glue("pt_large", f"{large:,}", display=False)
glue("pt_zero_mse", mse("zero-shot", 0), display=False)
glue("pt_zero_range", f"{spreads[('zero-shot', 0)].min:.3f}–{spreads[('zero-shot', 0)].max:.3f}", display=False)
glue("pt_naive_mse", mse("naive", 0), display=False)
glue("pt_lhar_all_mse", mse("LHAR", len(history)), display=False)
for size, days in [("small", small), ("large", large)]:
    for method, key in [("fine-tuned", "ft"), ("from scratch", "sc"), ("LHAR", "lhar")]:
        glue(f"pt_{key}_{size}_mse", mse(method, days), display=False)
    for method, key in [("fine-tuned", "ft"), ("from scratch", "sc")]:
        s = spreads[(method, days)]
        glue(f"pt_{key}_{size}_range", f"{s.min:.3f}–{s.max:.3f}", display=False)
    glue(f"pt_ft_vs_sc_{size}", said(f"fine-tuned vs from scratch (n = {days})",
                                     "the fine-tuned ensemble", "the from-scratch ensemble"), display=False)
    glue(f"pt_ft_vs_lhar_{size}", said(f"fine-tuned vs LHAR (n = {days})", "the fine-tuned ensemble",
                                       "LHAR fitted to the same days"), display=False)
    wins = sum(int(a < b) for a, b in zip(spreads[("fine-tuned", days)].scores, spreads[("from scratch", days)].scores,
                                          strict=True))
    glue(f"pt_ft_seed_wins_{size}", f"{wins} of {SEEDS}", display=False)
glue("pt_n_tests", len(family), display=False)
glue("pt_zero_vs_lhar_small", said(f"zero-shot vs LHAR (n = {small})", "the zero-shot ensemble",
                                   f"LHAR fitted to {small:,} days"), display=False)
glue("pt_zero_vs_lhar_all", said("zero-shot vs LHAR (all history)", "the zero-shot ensemble",
                                 f"LHAR fitted to all {len(history):,} days"), display=False)
glue("pt_zero_vs_naive", said("zero-shot vs naive", "the zero-shot ensemble", "the naive forecast"), display=False)
headline.glue_headline(f"S&P 500 next-week log variance, {small} days of target data", "MSE of log variance",
                       "lower", deep_model="pretrained patch Transformer, fine-tuned (5-seed ensemble)",
                       deep_score=mse("fine-tuned", small), baseline_model="LHAR on the same days",
                       baseline_score=mse("LHAR", small))

# %% [markdown]
# ### What pretraining bought
#
# **Zero-shot**, the pretrained networks forecast the S&P 500's next-week log variance with
# a mean squared error of {glue:text}`pt_zero_mse` (seed ensemble; single seeds
# {glue:text}`pt_zero_range`). The naive forecast scores {glue:text}`pt_naive_mse`: {glue:text}`pt_zero_vs_naive`.
# Against LHAR fitted to the last {glue:text}`pt_small` days of S&P 500 history
# ({glue:text}`pt_lhar_small_mse`), {glue:text}`pt_zero_vs_lhar_small`; against LHAR fitted
# to all {glue:text}`pt_history_days` days before 2013 ({glue:text}`pt_lhar_all_mse`),
# {glue:text}`pt_zero_vs_lhar_all`. (All p-values here are adjusted by Holm's method for the
# {glue:text}`pt_n_tests` comparisons of the table.)
#
# **With a little target data**, {glue:text}`pt_small` days (about a year):
#
# - fine-tuned: {glue:text}`pt_ft_small_mse` (single seeds {glue:text}`pt_ft_small_range`);
#   from scratch: {glue:text}`pt_sc_small_mse` ({glue:text}`pt_sc_small_range`); LHAR on the
#   same days: {glue:text}`pt_lhar_small_mse`;
# - {glue:text}`pt_ft_vs_sc_small`; the fine-tuned network had the lower error of the pair in
#   {glue:text}`pt_ft_seed_wins_small` seeds;
# - {glue:text}`pt_ft_vs_lhar_small`.
#
# **With more**, {glue:text}`pt_large` days (about four years):
#
# - fine-tuned: {glue:text}`pt_ft_large_mse` ({glue:text}`pt_ft_large_range`); from scratch:
#   {glue:text}`pt_sc_large_mse` ({glue:text}`pt_sc_large_range`); LHAR: {glue:text}`pt_lhar_large_mse`;
# - {glue:text}`pt_ft_vs_sc_large` (lower error than from scratch in
#   {glue:text}`pt_ft_seed_wins_large` seeds);
# - {glue:text}`pt_ft_vs_lhar_large`.

# %% mystnb={"figure": {"name": "pretrain-fig-curve", "caption": "Learning curve on the S&P 500, test period 2013\u20132018: mean squared error of the log-variance forecast against the days of S&P 500 history the model was given (log scale). Networks: seed ensembles (points), with the range of the single seeds as bars; an ensemble can beat every seed it averages. The zero-shot networks saw no S&P 500 data (dashed line); LHAR is refitted for every amount of data; the naive forecast needs none (dotted)."}}
lhar_days = sorted({*TARGET_DAYS, 125, 500, 2_000, len(history)})
lhar_curve = [float(squared_log_error(lhar_forecast(history[-d:])).mean()) for d in lhar_days]
fig, ax = plt.subplots(figsize=(7.5, 4.4))
ax.plot(lhar_days, lhar_curve, "s-", color=sequence.MODEL_COLOURS["LHAR"], label="LHAR on the same days")
for method, colour, shift in [("fine-tuned", plots.PALETTE[5], 0.97), ("from scratch", plots.PALETTE[1], 1.03)]:
    ens = [results.loc[(method, d), "MSE, seed ensemble"] for d in TARGET_DAYS]
    lo = [results.loc[(method, d), "seed min"] for d in TARGET_DAYS]
    hi = [results.loc[(method, d), "seed max"] for d in TARGET_DAYS]
    x = np.array(TARGET_DAYS) * shift
    ax.plot(x, ens, "o-", color=colour, label=f"patch Transformer, {method}")
    ax.vlines(x, lo, hi, color=colour, lw=2, alpha=0.5)  # the single seeds' range (the ensemble may beat them all)
ax.axhline(results.loc[("zero-shot", 0), "MSE, seed ensemble"], color=plots.PALETTE[5], ls="--",
           label="patch Transformer, zero-shot")
ax.axhline(results.loc[("naive", 0), "MSE, seed ensemble"], color=sequence.MODEL_COLOURS["naive"], ls=":",
           label="naive (last week)")
ax.set_xscale("log")
ax.set(xlabel="days of S&P 500 history used for training", ylabel="test MSE of log variance")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The curve answers the chapter's first question in {numref}`pretrain-fig-curve`. Read it from
# the left: with little S&P 500 history, the question is what a model can know before seeing
# the series at all; with more, the series' own data take over, and the classical model,
# with its seven coefficients, needs little of it to be estimated well.
#
# ## Part 2 · Learning in context: a prior-fitted network for credit
#
# A **prior-fitted network** (PFN) {cite}`muller2022transformers` turns the training of a
# classifier into a single forward pass. During pretraining it sees millions of small
# *synthetic* classification tasks, each drawn from a **prior**, a recipe for random
# datasets. Each task is split into labelled **context** rows and **query** rows; the network
# reads the context with its labels and must predict the labels of the queries. It never sees
# the rule that generated a task, so to do well on average it must learn to infer the rule
# from the context: it learns to learn. Trained on enough tasks, its prediction approximates
# the Bayesian posterior predictive under the prior. TabPFN {cite}`hollmann2023tabpfn` made
# this work for real tables, with a prior of random structural causal models, and its
# successor {cite}`hollmann2025accurate` extended it to larger tables and regression.
#
# Our prior (`pretrain.sample_classification_tasks`) is deliberately simple. A task has
# between 2 and {glue:text}`pfn_features` correlated Gaussian features and a latent score
# from one of three families: a sparse **logistic** function, a small **tree** (one to three
# levels of splits with random leaf values) or a random **one-hidden-layer network**; the
# score gets logistic noise and a random signal strength; the labels are cut at a random
# quantile so that between 5% and 50% are positive; a random share of up to a quarter of the
# labels is flipped. The network (`prior_fitted_network`, above) embeds each row, adds a
# learned embedding of its label for context rows, and in each Transformer block lets the
# context rows attend to each other and the query rows attend to the context only, not to each
# other. It has no positional encoding: a table's rows are a set, and the prediction must not
# depend on their order.
#
# Pretraining ({glue:text}`pfn_steps` steps of {glue:text}`pfn_tasks_per_step` tasks,
# {glue:text}`pfn_tasks` tasks in all, with contexts of {glue:text}`pfn_contexts` rows) ran
# once per seed with `python -m finbook pretrain pfn`. Its loop is written out in
# `pretrain_pfn` above: each round draws fresh tasks and hands them to `training.fit` for one
# pass. The loop sits outside `fit` because the data are not a fixed table `(x, y)`: they are
# drawn anew from the prior, round after round, and their shape (the size of the context)
# changes from round to round.

# %%
pfn_log = pd.read_csv(pretrain.WEIGHTS_DIR / "pfn_log.csv")
pfn_params = prior_fitted_network().count_params()
final = pfn_log.groupby("seed").tail(1)
rows_seen = (pfn_log.groupby("seed")["tasks"].diff().fillna(pfn_log["tasks"])
             * (pfn_log["context"] + PFN_QUERIES)).groupby(pfn_log["seed"]).cumsum()
pfn_log["compute (FLOPs)"] = 6.0 * pfn_params * rows_seen  # C ~ 6 N D with D the rows read (chapter 18)

valid_x, valid_y = pretrain.sample_classification_tasks(np.random.default_rng(PFN_VALID_SEED), 512,
                                                        128 + PFN_QUERIES, PFN_FEATURES)
reference = {"logistic regression fitted to each task's context": [], "the context's share of positives": []}
for x, y in zip(valid_x, valid_y, strict=True):
    p_lr = LogisticRegression(max_iter=1_000).fit(x[:128], y[:128]).predict_proba(x[128:])[:, 1]
    reference["logistic regression fitted to each task's context"].append(metrics.log_loss(y[128:], p_lr))
    reference["the context's share of positives"].append(metrics.log_loss(y[128:], np.full(PFN_QUERIES, y[:128].mean())))
reference = {k: float(np.mean(v)) for k, v in reference.items()}

# %% tags=["remove-cell"]
glue("pfn_features", PFN_FEATURES, display=False)
glue("pfn_params", f"{pfn_params:,}", display=False)
glue("pfn_steps", f"{int(final['step'].iloc[0]):,}", display=False)
glue("pfn_tasks_per_step", PFN_TASKS_PER_STEP, display=False)
glue("pfn_tasks", f"{int(final['tasks'].iloc[0]):,}", display=False)
glue("pfn_contexts", ", ".join(map(str, PFN_CONTEXTS[:-1])) + f" or {PFN_CONTEXTS[-1]}", display=False)
glue("pfn_flops", f"{pfn_log['compute (FLOPs)'].max():.1e}", display=False)
glue("pfn_val_first", round(float(pfn_log.groupby("seed")["val_loss"].first().mean()), 3), display=False)
glue("pfn_val_last", f"{final['val_loss'].mean():.3f} (seeds {final['val_loss'].min():.3f}–{final['val_loss'].max():.3f})",
     display=False)
glue("pfn_ref_lr", round(reference["logistic regression fitted to each task's context"], 3), display=False)
glue("pfn_ref_rate", round(reference["the context's share of positives"], 3), display=False)

# %% mystnb={"figure": {"name": "pretrain-fig-pfn", "caption": "Pretraining the prior-fitted network: cross-entropy on 512 fixed synthetic tasks (128 context rows, 32 queries) against the tasks seen and the approximate training compute, one line per seed. Horizontal lines: logistic regression fitted to each task's context, and the context's share of positives."}}
fig, ax = plt.subplots(figsize=(7.5, 4.2))
for s, part in pfn_log.groupby("seed"):
    ax.plot(part["tasks"], part["val_loss"], color=plots.PALETTE[5], alpha=0.7, label="prior-fitted network" if s == 0 else None)
for (name, value), colour, ls in zip(reference.items(), [plots.PALETTE[1], plots.PALETTE[4]], ["-", ":"], strict=True):
    ax.axhline(value, color=colour, ls=ls, label=name)
ax.set_xscale("log")
ax.set(xlabel="synthetic tasks seen in pretraining", ylabel="cross-entropy on held-out synthetic tasks")
top = ax.secondary_xaxis("top", functions=(lambda t: t * 6.0 * pfn_params * (np.mean(PFN_CONTEXTS) + PFN_QUERIES),
                                           lambda c: c / (6.0 * pfn_params * (np.mean(PFN_CONTEXTS) + PFN_QUERIES))))
top.set_xlabel("approximate training compute (FLOPs)")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# On held-out synthetic tasks the network's cross-entropy falls from
# {glue:text}`pfn_val_first` after the first round to {glue:text}`pfn_val_last` at the end of
# pretraining ({glue:text}`pfn_flops` FLOPs, {glue:text}`pfn_params` weights). Two references
# frame it: predicting each query with the context's share of positives scores
# {glue:text}`pfn_ref_rate`, and a logistic regression fitted to each task's context
# {glue:text}`pfn_ref_lr`. The network has learned to use the context, but most of the fall
# comes in the first few thousand tasks; by the end the curve is flat within the noise of
# the rounds, still above the logistic-regression line: more of the same pretraining would buy
# little, and a closer approach needs a larger network or a richer prior as much as steps.
#
# ### German credit, with no gradient step
#
# The network reads at most {glue:text}`pfn_max_context` context rows and
# {glue:text}`pfn_features` numeric features. A German credit applicant has
# {glue:text}`cr_attributes` attributes, most of them categorical, so inside each
# cross-validation fold we one-hot encode and standardise them (fitted on the training rows),
# keep the first {glue:text}`pfn_features` principal components and standardise those. The
# training fold, about 800 applicants, is split at random into contexts of at most
# {glue:text}`pfn_max_context` rows, the network predicts the test applicants from each, and
# the probabilities are averaged: nothing is fitted to the real data but the encoding and the
# components. The baselines are fitted on the same folds: logistic regression and gradient
# boosting on all attributes (the book's strongest classical models for this table, as in
# {ref}`model-scale`), and logistic regression on the same {glue:text}`pfn_features`
# components the network reads.

# %%
# tolerance: rtol=0.01, atol=0.003; the network reads principal components (BLAS-dependent); measured on another CPU: AUC 0.0004, Brier 0.0007, mean probability 0.0009
credit = data.german_credit()
y_credit = features.binary_target(credit["class"].astype(str), "bad")
x_credit = credit.drop(columns="class")
folds = list(StratifiedKFold(CV_FOLDS, shuffle=True, random_state=SEED).split(x_credit, y_credit))


def components(x_train, x_test):
    """One-hot/standardise (fitted on the training rows), keep PFN_FEATURES principal components, standardise."""
    encode = sc.schema_preprocessor(x_train).fit(x_train)
    pca = PCA(PFN_FEATURES, random_state=0).fit(np.asarray(encode.transform(x_train), dtype=float))
    a, b = (pca.transform(np.asarray(encode.transform(x), dtype=float)) for x in (x_train, x_test))
    mean, sd = a.mean(axis=0), a.std(axis=0)
    return ((a - mean) / sd).astype("float32"), ((b - mean) / sd).astype("float32")


pfn_net = prior_fitted_network()  # one network object: each seed's weights are loaded into it in turn
tf = repro.import_tensorflow()


@tf.function(reduce_retracing=True)
def pfn_logit(x_context, y_context, x_query):
    return pfn_net([x_context, y_context, x_query], training=False)  # traced once, not run eagerly per call


def pfn_predict(x_context, y_context, x_query, rng):
    """Average the network's probabilities over random contexts of at most PFN_MAX_CONTEXT labelled rows."""
    probabilities = []
    for rows in pretrain.context_chunks(len(y_context), PFN_MAX_CONTEXT, rng):
        pretrain.check_context(len(rows), PFN_MAX_CONTEXT)
        logit = pfn_logit(x_context[None, rows], np.asarray(y_context, "float32")[None, rows], x_query[None])
        probabilities.append(1.0 / (1.0 + np.exp(-logit.numpy()[0])))
    return np.mean(probabilities, axis=0)


def credit_predictions(x, y, splits):
    """Out-of-fold probabilities of every model: baselines once, the network once per pretrained seed."""
    y = np.asarray(y)
    out = {name: np.zeros(len(y)) for name in ["logistic regression", "gradient boosting",
                                               "logistic regression, same inputs"]}
    inputs = []
    for train, test in splits:
        x_train, x_test = x.iloc[train], x.iloc[test]
        out["logistic regression"][test] = scaling.logistic_fit_predict(x_train, y[train], x_test)
        out["gradient boosting"][test] = scaling.boosting_fit_predict(x_train, y[train], x_test, seed=SEED)
        a, b = components(x_train, x_test)
        out["logistic regression, same inputs"][test] = (
            LogisticRegression(max_iter=1_000).fit(a, y[train]).predict_proba(b)[:, 1])
        inputs.append((train, test, a, b))
    pfn_out = np.zeros((len(seeds), len(y)))
    for s in seeds:
        pretrain.load_weights(pfn_net, "pfn", s)  # checks the file's SHA-256 against weights/manifest.csv
        for k, (train, test, a, b) in enumerate(inputs):
            pfn_out[s, test] = pfn_predict(a, y[train], b, np.random.default_rng([SEED, k, s]))
    return out, pfn_out


def auc_table(y, out, pfn_out):
    """AUC (95% bootstrap interval), Brier score and mean predicted probability of every model."""
    y = np.asarray(y)
    spread = inference.over_seeds(lambda s: (metrics.roc_auc(y, pfn_out[s]), pfn_out[s]), seeds,
                                  score_predictions=lambda p: metrics.roc_auc(y, p))
    everything = {"prior-fitted network (seed ensemble)": pfn_out.mean(axis=0), **out}
    rows = {}
    for name, p in everything.items():
        auc, lo, hi = metrics.bootstrap_ci(metrics.roc_auc, y, p, n_boot=1_000, seed=SEED)
        rows[name] = {"AUC": auc, "95% interval": f"{lo:.3f}–{hi:.3f}", "Brier": metrics.brier_score(y, p),
                      "mean predicted": float(np.mean(p)), "observed rate": float(y.mean())}
    return pd.DataFrame(rows).T, spread, everything


credit_out, credit_pfn = credit_predictions(x_credit, y_credit, folds)
credit_table, credit_spread, credit_p = auc_table(y_credit, credit_out, credit_pfn)
credit_table

# %%
# tolerance: rtol=0.02, atol=0.02; bootstrap p-values count replicates on either side of 0 and move with the network's
# probabilities across CPUs (measured: Holm p 0.012 vs 0.020, p 0.006 vs 0.010; verdict words unchanged)
y_arr = np.asarray(y_credit)
pfn_tests = {name: metrics.paired_bootstrap_test(metrics.roc_auc, y_arr, credit_p["prior-fitted network (seed ensemble)"],
                                                 credit_p[name], n_boot=1_000, seed=SEED)
             for name in credit_out}
pfn_holm = inference.holm({name: r.pvalue for name, r in pfn_tests.items()}, alpha=0.05)
pfn_test_table = pd.DataFrame({"AUC difference (network - model)": {n: r.estimate for n, r in pfn_tests.items()},
                               "95% interval": {n: f"{r.lower:.3f} to {r.upper:.3f}" for n, r in pfn_tests.items()},
                               "p": pfn_holm.table["pvalue"], "p (Holm)": pfn_holm.table["adjusted"]})
pfn_test_table["verdict: the network is ..."] = [
    inference.verdict((pfn_tests[n].estimate, pfn_holm.table.loc[n, "adjusted"]), better="higher").split(" (")[0]
    for n in pfn_test_table.index]
pfn_test_table

# %% tags=["remove-cell"]
# tolerance: rtol=0.02, atol=0.02; bootstrap p-values count replicates on either side of 0 and move with the network's
glue("pfn_max_context", PFN_MAX_CONTEXT, display=False)
glue("cr_attributes", x_credit.shape[1], display=False)
glue("pfn_auc", round(float(credit_table.loc["prior-fitted network (seed ensemble)", "AUC"]), 3), display=False)
glue("pfn_auc_ci", credit_table.loc["prior-fitted network (seed ensemble)", "95% interval"], display=False)
glue("pfn_auc_seeds", f"{credit_spread.min:.3f}–{credit_spread.max:.3f}", display=False)
glue("pfn_auc_seed_mean", round(credit_spread.mean, 3), display=False)
for name, key in [("logistic regression", "lr"), ("gradient boosting", "hgb"), ("logistic regression, same inputs", "lrpc")]:
    glue(f"pfn_{key}_auc", round(float(credit_table.loc[name, "AUC"]), 3), display=False)
    glue(f"pfn_{key}_auc_ci", credit_table.loc[name, "95% interval"], display=False)
    glue(f"pfn_vs_{key}", inference.verdict((pfn_tests[name].estimate, pfn_holm.table.loc[name, "adjusted"]),
                                            better="higher", names=("the prior-fitted network", name)), display=False)
    glue(f"pfn_gap_{key}", round(float(pfn_tests[name].estimate), 3), display=False)
glue("pfn_brier", round(float(credit_table.loc["prior-fitted network (seed ensemble)", "Brier"]), 3), display=False)
glue("pfn_lr_brier", round(float(credit_table.loc["logistic regression", "Brier"]), 3), display=False)
glue("pfn_mean_p", round(float(credit_table.loc["prior-fitted network (seed ensemble)", "mean predicted"]), 3),
     display=False)
glue("cr_bad_rate", round(float(y_arr.mean()), 3), display=False)

# %% [markdown]
# On German credit the prior-fitted network, five pretrained seeds averaged, reaches an
# out-of-fold AUC of {glue:text}`pfn_auc` (95% bootstrap interval {glue:text}`pfn_auc_ci`;
# single seeds {glue:text}`pfn_auc_seeds`, mean {glue:text}`pfn_auc_seed_mean`). Logistic
# regression on all attributes reaches {glue:text}`pfn_lr_auc` ({glue:text}`pfn_lr_auc_ci`),
# gradient boosting {glue:text}`pfn_hgb_auc` ({glue:text}`pfn_hgb_auc_ci`), and logistic
# regression on the network's own {glue:text}`pfn_features` inputs {glue:text}`pfn_lrpc_auc`.
# Paired on the same applicants, with Holm's correction over the three comparisons:
#
# - {glue:text}`pfn_vs_lr` (difference {glue:text}`pfn_gap_lr`);
# - {glue:text}`pfn_vs_hgb` (difference {glue:text}`pfn_gap_hgb`);
# - {glue:text}`pfn_vs_lrpc` (difference {glue:text}`pfn_gap_lrpc`).
#
# Its probabilities are on a sensible scale without any calibration step: their mean is
# {glue:text}`pfn_mean_p` against an observed bad rate of {glue:text}`cr_bad_rate`, because
# the network reads the base rate from the context's labels; its Brier score is
# {glue:text}`pfn_brier` against logistic regression's {glue:text}`pfn_lr_brier`.
#
# ### Lending Club: ten times the rows, one bad loan in twenty
#
# The same network, unchanged, on Lending Club ({ref}`default-prediction`): a stratified
# {glue:text}`lc_train`/{glue:text}`lc_test` split, the training loans read as
# {glue:text}`lc_chunks` contexts per seed.

# %%
# tolerance: rtol=0.01, atol=0.003; principal components (BLAS-dependent) feed the network and one baseline; measured
# on another CPU: 1.1e-05 (logistic regression on the components); the network moved by up to 0.0009 on German credit
loans = data.lending_club()
y_loans = features.binary_target(loans["Class"], positive="bad")
x_loans = loans.drop(columns="Class")
lc_train, lc_test = train_test_split(np.arange(len(y_loans)), test_size=0.3, stratify=y_loans, random_state=SEED)
loan_out, loan_pfn = credit_predictions(x_loans, y_loans, [(lc_train, lc_test)])
y_lc = np.asarray(y_loans)[lc_test]
loan_table, loan_spread, loan_p = auc_table(y_lc, {k: v[lc_test] for k, v in loan_out.items()}, loan_pfn[:, lc_test])
loan_test = metrics.paired_bootstrap_test(metrics.roc_auc, y_lc, loan_p["prior-fitted network (seed ensemble)"],
                                          loan_p["logistic regression"], n_boot=1_000, seed=SEED)
loan_table

# %% tags=["remove-cell"]
# tolerance: rtol=0.01, atol=0.003; principal components (BLAS-dependent) feed the network and one baseline; measured
glue("lc_train", f"{len(lc_train):,}", display=False)
glue("lc_test", f"{len(lc_test):,}", display=False)
glue("lc_chunks", -(-len(lc_train) // PFN_MAX_CONTEXT), display=False)
glue("lc_pfn_auc", round(float(loan_table.loc["prior-fitted network (seed ensemble)", "AUC"]), 3), display=False)
glue("lc_pfn_auc_ci", loan_table.loc["prior-fitted network (seed ensemble)", "95% interval"], display=False)
glue("lc_lr_auc", round(float(loan_table.loc["logistic regression", "AUC"]), 3), display=False)
glue("lc_hgb_auc", round(float(loan_table.loc["gradient boosting", "AUC"]), 3), display=False)
glue("lc_pfn_vs_lr", inference.verdict(loan_test, better="higher",
                                       names=("the prior-fitted network", "logistic regression")), display=False)
glue("lc_bad_rate", f"{float(np.mean(y_lc)):.1%}", display=False)

# %% [markdown]
# On Lending Club's {glue:text}`lc_test` test loans ({glue:text}`lc_bad_rate` bad) the
# network's AUC is {glue:text}`lc_pfn_auc` ({glue:text}`lc_pfn_auc_ci`), logistic
# regression's {glue:text}`lc_lr_auc` and gradient boosting's {glue:text}`lc_hgb_auc`:
# {glue:text}`lc_pfn_vs_lr` (paired bootstrap, one comparison). A context of
# {glue:text}`pfn_max_context` loans holds only a handful of bad ones, so each context tells
# the network little, and averaging many weak contexts is not the same as learning from all
# the loans at once.
#
# ### Beside TabPFN
#
# | | this chapter's network | TabPFN (2023) {cite}`hollmann2023tabpfn` | TabPFN v2 (2025) {cite}`hollmann2025accurate` |
# |---|---|---|---|
# | prior | logistic, tree and random-network tasks | structural causal models and Bayesian neural networks | richer structural causal models |
# | synthetic tasks seen | {glue:text}`pfn_tasks` | orders of magnitude more | more than 100 million |
# | largest context | {glue:text}`pfn_max_context` rows, {glue:text}`pfn_features` features | 1,000 rows, 100 numerical features | 10,000 rows, 500 features |
# | reported | see above | matched tuned boosted trees and AutoML systems on small numerical benchmark tables in about a second | ahead of tuned baselines on tables up to 10,000 rows |
#
# The gap between our network and logistic regression is not evidence against the idea; it
# is the size of the investment. TabPFN's prior is far richer (causal graphs, categorical
# features, many kinds of noise), its network far larger, its pretraining many orders of
# magnitude longer, and it reads a whole table of a thousand rows and all its features at
# once, where ours reads {glue:text}`pfn_max_context`-row slices of
# {glue:text}`pfn_features` principal components. {numref}`pretrain-fig-pfn` shows that
# our pretraining has nearly run its course at this size; how far more compute, a larger
# network and a richer prior carry to a real credit table is the question TabPFN answers at
# scale and the exercises take up in miniature.
#
# ## Part 3 · Language models in finance, without an experiment
#
# The third family of large models in finance reads text. A financial language model is
# pretrained on a corpus of documents with a self-supervised objective (predict a masked or
# the next word) and then fine-tuned or prompted for a task such as classifying the tone of
# a news sentence. FinBERT {cite}`araci2019finbert` further pretrained BERT on financial news
# and fine-tuned it for sentiment; BloombergGPT {cite}`wu2023bloomberggpt`, discussed in
# {ref}`model-scale`, trained a 50-billion-parameter model on a mix of financial and general
# text. The classical baseline any such model must beat is a **dictionary**: count the words
# of a finance-specific list of negative (or positive, uncertain, litigious) words.
# {cite:t}`loughran2011liability` showed that general-purpose sentiment lists misclassify
# financial text (in a 10-K, "liability" and "tax" are not negative) and built the word lists
# that became the standard for finance.
#
# We run no experiment here, and say why: the book runs offline on data it can redistribute,
# and no labelled financial text corpus with a licence that allows redistribution is installed
# with it. The labelled financial sentiment datasets we know of come with licences that
# restrict their use, and the Loughran–McDonald word lists are provided for use by individual
# researchers. A small Transformer classifier trained from scratch on a few thousand
# sentences, set beside a dictionary count, is the natural experiment for a reader who has
# such a corpus; the tools of this chapter (patching aside) and of {ref}`attention` are all
# it needs.
#
# ## What we learned
#
# - Pretraining on a panel of {glue:text}`pt_series` financial series, with each window put
#   on its own scale, gives a patch Transformer that forecasts the S&P 500, a series it never
#   saw, with a mean squared error of {glue:text}`pt_zero_mse` in log variance, against
#   {glue:text}`pt_naive_mse` for the naive forecast and {glue:text}`pt_lhar_all_mse` for LHAR
#   on all the history it could use: {glue:text}`pt_zero_vs_lhar_all`.
# - With {glue:text}`pt_small` days of target data, {glue:text}`pt_ft_vs_sc_small`, and
#   {glue:text}`pt_ft_vs_lhar_small`; with {glue:text}`pt_large` days,
#   {glue:text}`pt_ft_vs_sc_large`, and {glue:text}`pt_ft_vs_lhar_large`.
# - A prior-fitted network pretrained only on synthetic tables scores German credit
#   applicants with no gradient step on them, at an AUC of {glue:text}`pfn_auc`;
#   {glue:text}`pfn_vs_lr`. Its loss on synthetic tasks levels off within our budget; the
#   published TabPFN shows where many orders of magnitude more compute and a richer prior lead.
# - Every verdict above is computed, over {glue:text}`pt_seeds` pretrained seeds, with the
#   p-value adjusted for the number of comparisons: "helps" and "does not help" are results
#   of tests, not impressions.
#
# ## Exercises
#
# ```{exercise}
# :label: pretrain-ex-curve
# Extend the learning curve: `python -m finbook run 23_pretraining -p TARGET_DAYS "(125, 250,
# 500, 1000, 2000)" --output runs/`. Where do the fine-tuned and from-scratch networks meet,
# and where does each cross LHAR? How long does the run take, and why?
# ```
#
# ```{solution} pretrain-ex-curve
# :class: dropdown
# Each amount of data adds ten fits (five seeds, two ways), and a fit's cost grows with the
# days it is given, so the run takes several times as long as the chapter. Expect the
# from-scratch network to improve fastest with data, because it has everything to learn,
# while the fine-tuned one starts from the zero-shot forecast and moves less; in the chapter's
# own run the two were already indistinguishable at {glue:text}`pt_large` days. LHAR, with
# seven coefficients, needs the least data of the three to settle. Read the crossing points
# off the seed ensembles and their tests, not off one seed: the single from-scratch seeds
# spread widely (the table above).
# ```
#
# ```{exercise}
# :label: pretrain-ex-corpus
# Remove the NASDAQ from the pretraining corpus (delete it in `pretraining_panel`), re-train
# with `python -m finbook pretrain patch`, and re-run the chapter. How much of the zero-shot
# skill on the S&P 500 came from its close relative?
# ```
#
# ```{solution} pretrain-ex-corpus
# :class: dropdown
# Without the NASDAQ, the corpus holds no equity index at all, only oil and interest rates,
# whose volatility has different dynamics (interest-rate volatility, for instance, reacts
# less to falling prices). Expect the zero-shot error to rise: a foundation model transfers
# what its corpus has in common with the target, and here the NASDAQ is the part that is most
# alike. This is the reason the published time-series foundation models pretrain on corpora
# as varied as they can gather. Remember to restore the committed weights afterwards
# (`git checkout weights/`).
# ```
#
# ```{exercise}
# :label: pretrain-ex-pfn-compute
# Pretrain the prior-fitted network for twice as long (`PFN_ROUNDS = 30` in the `pretrain`
# cell, then `python -m finbook pretrain pfn --seeds 0..4`) and re-run the chapter. Does the
# lower synthetic loss carry over to German credit? What does that tell you about the prior?
# ```
#
# ```{solution} pretrain-ex-pfn-compute
# :class: dropdown
# The synthetic loss may fall a little further ({numref}`pretrain-fig-pfn` is nearly flat at
# the end). Whether the
# German credit AUC follows is the point of the exercise: the network learns the
# *prior* more closely, and the prior (Gaussian features, three families of rules) is not German credit.
# If the real-data AUC moves much less than the synthetic loss, the limit is the prior, not
# the compute; the gains that TabPFN reports come from a prior of structural causal models
# built to resemble real tables as well as from its compute.
# ```
#
# ```{exercise}
# :label: pretrain-ex-context
# Try to give the network the whole training fold as one context:
# `pfn_predict(a, y_train, b, rng)` with `PFN_MAX_CONTEXT` replaced by 800 in its loop. What
# happens, and why does `pretrain.check_context` refuse?
# ```
#
# ```{solution} pretrain-ex-context
# :class: dropdown
# `check_context` raises an error naming the largest context the network was pretrained on.
# Nothing in the architecture stops a longer context (attention works on sets of any size),
# but the network has never seen one: its attention weights were learned on contexts of at
# most {glue:text}`pfn_max_context` rows, and what it does beyond is untested extrapolation.
# Splitting into contexts it knows and averaging is the safe use.
# ```
