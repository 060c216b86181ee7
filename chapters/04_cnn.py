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
# (cnn)=
# # Convolutional networks: learned filters on a volatility series
#
# A convolutional network (CNN, 卷积神经网络) slides small learned filters along its input
# and so detects the same local pattern wherever it occurs. On a price series, a filter is
# a weighted moving window, the same kind of tool as the moving averages traders have
# always used, except that its weights are learned. This chapter asks whether a small 1-D
# CNN forecasts next week's volatility of the S&P 500 better than the linear HAR model
# that the volatility literature uses as its yardstick. Volatility forecasts feed
# value-at-risk limits, option prices and position sizes, so a better one is worth money;
# and unlike the direction of tomorrow's return, volatility is predictable, so the
# question is a fair test of the network. The same task returns in
# {ref}`the chapter on recurrent networks <rnn>` and {ref}`the chapter on attention <attention>`.

# %% tags=["parameters"]
SEED = 2024  # seed of every network's initial weights and mini-batch order
LOOKBACK = 22  # trading days in each input window (about one month)
FIRST_TEST_YEAR = 2004  # the first year forecast out of sample
YEARS_PER_REFIT = 5  # the models are refitted every this many years
FILTERS = 8  # number of learned filters in the convolution layer
KERNEL_SIZE = 5  # days each filter spans (one trading week)
EPOCHS = 40  # upper limit; early stopping usually ends training sooner

# %%
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
from myst_nb import glue

from finbook import data, plots, repro, sequence
from finbook.book import headline
from finbook.repro import import_tensorflow

repro.set_seed(SEED)
import_tensorflow()
import keras  # noqa: E402  (imported quietly by finbook above)

plots.use_book_style()

# %% [markdown]
# ````{admonition} What the article says
# :class: note
# The article lists the convolutional network among the core algorithms of "large AI
# models" in finance and describes it in four steps: an input layer that formats the data,
# convolution layers whose kernels extract local features, pooling layers that shrink the
# feature maps, and fully connected layers that produce the output. It says CNNs are used
# mainly for images and language, and it gives no financial data set, no target, no
# validation scheme and no result. This chapter supplies all four.
# ````

# %% [markdown]
# (cnn-task)=
# ## The task: next week's volatility of the S&P 500
#
# We use the daily open, high, low and close of the S&P 500 index
# (`finbook.data.sp500`, read from the `arch` package; see the data card).

# %%
prices = data.sp500()
glue("cnn_n_days", len(prices), display=False)
glue("cnn_first_day", f"{prices.index[0]:%-d %B %Y}", display=False)
glue("cnn_last_day", f"{prices.index[-1]:%-d %B %Y}", display=False)
prices.head().round(2)

# %% [markdown]
# The file holds {glue:text}`cnn_n_days` trading days, from {glue:text}`cnn_first_day`
# to {glue:text}`cnn_last_day`. Daily variance is not observed, so we estimate it from
# each day's range with the estimator of {cite:t}`garman1980estimation`, in percent
# squared:
#
# $$
# \hat\sigma^2_t = \tfrac12\,\bigl[100\ln(H_t/L_t)\bigr]^2 - (2\ln 2 - 1)\,\bigl[100\ln(C_t/O_t)\bigr]^2 ,
# $$ (gk-variance)
#
# where $O_t, H_t, L_t, C_t$ are the open, high, low and close of day $t$. It is several
# times less noisy than the squared daily return, though far noisier than a realised
# variance from intraday returns, which these data do not have.
#
# The **target** at the close of day $t$ is next week's average variance, in logs,
#
# $$
# y_t = \ln\Bigl(\tfrac15 \textstyle\sum_{j=1}^{5} \hat\sigma^2_{t+j}\Bigr),
# $$ (next-week-target)
#
# and the **inputs** are the last $L$ days (here $L$ = {glue:text}`cnn_lookback`) of two
# series: the log variance $\ln\hat\sigma^2$ and the daily return in percent. A window
# ends on day $t$ itself, so no input looks ahead. `finbook.sequence.volatility_task`
# builds the windows, the targets and the inputs of the baselines once, for this chapter
# and the next two.

# %%
task = sequence.volatility_task(prices, lookback=LOOKBACK, horizon=5)
annualised = np.sqrt(252 * task.target_variance)
glue("cnn_lookback", LOOKBACK, display=False)
glue("cnn_first_test_year", FIRST_TEST_YEAR, display=False)
glue("cnn_years_per_refit", YEARS_PER_REFIT, display=False)
glue("cnn_n_samples", len(task), display=False)
glue("cnn_median_vol", round(float(np.median(annualised)), 1), display=False)
glue("cnn_max_vol", round(float(annualised.max()), 1), display=False)
glue("cnn_max_vol_date", f"{task.dates[annualised.argmax()]:%B %Y}", display=False)
task.summary()

# %% [markdown]
# There are {glue:text}`cnn_n_samples` windows. Expressed as an annualised volatility,
# $\sqrt{252\,\hat\sigma^2}$, next week's variance has a median of
# {glue:text}`cnn_median_vol` % and peaks at {glue:text}`cnn_max_vol` % in
# {glue:text}`cnn_max_vol_date`. The figure shows why the problem has signal: volatility
# comes in long calm and turbulent spells (volatility clustering), so the recent past says
# a lot about the next week.

# %%
fig, ax = plt.subplots()
ax.plot(task.dates, annualised, lw=0.6)
ax.set_yscale("log")
for year in range(FIRST_TEST_YEAR, task.dates.year.max() + 1, YEARS_PER_REFIT):
    ax.axvline(pd.Timestamp(f"{year}-01-01"), color="0.3", ls=":", lw=1)
ax.set_xlabel("forecast date")
ax.set_ylabel("next-week volatility, annualised (%)")
ax.set_title("S&P 500: realised next-week volatility (dotted lines: refits)")
plt.show()

# %% [markdown]
# **Evaluation.** Every model is evaluated walk-forward
# (`finbook.sequence.walk_forward_forecast`): it is fitted on all data before
# {glue:text}`cnn_first_test_year`, forecasts the next {glue:text}`cnn_years_per_refit`
# years, is refitted on everything up to then, and so on. A gap of four days between the
# last training sample and the first test day makes sure no training target (which spans
# five days) reaches into the test period. Inputs and target are standardised with
# statistics of the training rows only. The score is QLIKE on the variance scale,
#
# $$
# \mathrm{QLIKE}(v, h) = \frac{v}{h} - \ln\frac{v}{h} - 1 ,
# $$ (qlike)
#
# averaged over test days, where $v$ is next week's realised variance and $h$ the
# forecast. QLIKE is zero for a perfect forecast, punishes under-prediction of risk more
# than over-prediction, and ranks forecasts correctly even though $v$ is a noisy proxy
# {cite}`patton2011volatility`. We also report the mean squared error of the log
# forecast, and a Diebold–Mariano test {cite}`diebold1995comparing` of equal QLIKE
# against the baseline, with a HAC variance allowing for the overlap of five-day targets.
#
# A model forecasts $\ln v$; turning $\hat y$ into a variance as $e^{\hat y}$ would
# forecast the median, not the mean, and QLIKE would punish the downward bias. Each
# refit therefore multiplies by Duan's smearing factor {cite}`duan1983smearing`, the
# average of $e^{\text{residual}}$ over its training window.

# %% [markdown]
# ## A convolution is a filter sliding along the series
#
# A 1-D convolution layer with kernel size $k$ computes, for each filter $f$ and each
# position $t$ of the window,
#
# $$
# z^{(f)}_t = \phi\Bigl(b_f + \sum_{j=0}^{k-1} \sum_{c} w^{(f)}_{j,c}\; x_{t-k+1+j,\,c}\Bigr),
# $$ (conv1d)
#
# a weighted sum of the last $k$ days of every input channel $c$, plus a bias, passed
# through an activation $\phi$. The same weights are used at every position: the filter
# looks for one pattern everywhere. Before letting a network learn the weights, we set
# two by hand and apply them to the daily log variance from {glue:text}`cnn_demo_period`: a
# five-day average, $w = (\tfrac15, \ldots, \tfrac15)$, which smooths; and a four-day
# change, $w = (-1, 0, 0, 0, 1)$, which detects a rise.

# %%
log_var = np.log(task.daily_variance.loc["2008-07":"2008-12"])
kernels = {"5-day average": np.full(5, 0.2), "4-day change": np.array([-1.0, 0, 0, 0, 1])}
by_numpy = {name: np.correlate(log_var.to_numpy(), k, mode="valid") for name, k in kernels.items()}
glue("cnn_demo_period", f"{log_var.index[0]:%B} to {log_var.index[-1]:%B %Y}", display=False)

conv = keras.layers.Conv1D(filters=2, kernel_size=5, use_bias=False)
conv.build((None, len(log_var), 1))
conv.set_weights([np.stack(list(kernels.values()), axis=1)[:, None, :]])  # (k, channels, filters)
by_keras = conv(log_var.to_numpy(dtype="float32")[None, :, None]).numpy()[0]

comparison = pd.DataFrame({
    "log variance": log_var.to_numpy()[4:],
    **{f"{n} (NumPy)": v for n, v in by_numpy.items()},
    **{f"{n} (Keras)": by_keras[:, i] for i, n in enumerate(kernels)},
}, index=log_var.index[4:].date)
same = all(np.allclose(by_numpy[n], by_keras[:, i], atol=1e-5) for i, n in enumerate(kernels))
glue("cnn_filters_agree", "agree" if same else "disagree", display=False)
comparison.tail(4).round(4)

# %% [markdown]
# NumPy's `correlate` and Keras' `Conv1D` {glue:text}`cnn_filters_agree` to five decimals
# (Keras computes in 32-bit floats). Note the function: a Keras "convolution" is, in
# signal-processing terms, a cross-correlation. It does not flip the kernel, which is why
# we compare with `np.correlate` and not `np.convolve` (see {ref}`the first exercise
# <cnn-ex-flip>`). The figure shows what the two filters see: the average follows the
# level of volatility with a lag; the change spikes when volatility jumps, as in the week
# Lehman Brothers failed.

# %%
fig, axes = plt.subplots(2, 1, figsize=(7, 4.6), sharex=True)
axes[0].plot(log_var.index, log_var, color="0.6", lw=1, label="daily log variance")
axes[0].plot(log_var.index[4:], by_keras[:, 0], label="5-day average filter")
axes[0].set_ylabel("log variance (log %²)")
axes[0].legend()
axes[1].plot(log_var.index[4:], by_keras[:, 1], color=plots.PALETTE[1], label="4-day change filter")
axes[1].axhline(0, color="0.3", lw=0.8)
axes[1].set_ylabel("filter output")
axes[1].legend()
plt.show()

# %% [markdown]
# A CNN learns such filters from the data. Ours follows the article's four steps: the
# input is a window of {glue:text}`cnn_lookback` days with two features; a convolution
# layer with {glue:text}`cnn_n_filters` filters of {glue:text}`cnn_kernel_size` days and
# ReLU activation; average pooling that halves the time axis; and a small fully connected
# layer before the single output. It is deliberately small. The code below is the whole
# model, one line per step, the convolution being {eq}`conv1d` with $\phi$ = ReLU. It is
# trained to minimise the mean squared error of the standardised log variance over each
# mini-batch of $n$ windows,
#
# $$
# \mathcal{L} = \frac1n \sum_{i=1}^{n} \bigl(y_i - \hat y_i\bigr)^2 ,
# $$ (mse-loss)
#
# with the Adam optimiser. The first line of the cell, `# @save`, exports its functions
# to `finbook.lessons`, from where the next two chapters import them instead of copying them.

# %%
# @save
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


# %%
def cnn_builder():
    return conv1d_forecaster(LOOKBACK, len(task.feature_names), filters=FILTERS, kernel_size=KERNEL_SIZE)


net = cnn_builder()
glue("cnn_n_filters", FILTERS, display=False)
glue("cnn_kernel_size", KERNEL_SIZE, display=False)
glue("cnn_n_params", net.count_params(), display=False)
pd.DataFrame([(layer.name, type(layer).__name__, str(layer.output.shape), layer.count_params())
              for layer in net.layers],
             columns=["layer", "type", "output shape", "parameters"])

# %% [markdown]
# That is {glue:text}`cnn_n_params` parameters, against four for HAR.
#
# ## The article's recipe, and what goes wrong
#
# Run as the article describes it, the network reads the window as it is, absolute
# levels of log variance included, and outputs the log variance of next week. We train it
# walk-forward exactly as above.

# %%
kwargs = dict(first_test_year=FIRST_TEST_YEAR, years_per_refit=YEARS_PER_REFIT, epochs=EPOCHS,
              seed=SEED)
cnn_raw = sequence.walk_forward_forecast(task, cnn_builder, name="CNN, raw levels",
                                         relative=False, **kwargs)
cnn = sequence.walk_forward_forecast(task, cnn_builder, name="CNN", **kwargs)

# %%
# tolerance: rtol=0.25, atol=0.01; mean log errors of one seed of a network: CPU-dependent rounding grows through training
bias = pd.DataFrame({
    res.name: (res.forecasts["forecast_log"] - res.forecasts["target_log"])
    .groupby(res.forecasts["block"]).mean()
    for res in (cnn_raw, cnn)
}).rename_axis("test years")
first_block = bias.index[0]
glue("cnn_raw_bias_pct", round(100 * float(np.expm1(bias.iloc[0, 0])), 1), display=False)
glue("cnn_raw_bias_last_pct", round(100 * float(np.expm1(bias.iloc[-1, 0])), 1), display=False)
glue("cnn_last_block", bias.index[-1], display=False)
glue("cnn_first_block", first_block, display=False)
glue("cnn_first_train", f"{task.dates[0].year}\u2013{FIRST_TEST_YEAR - 1}", display=False)
bias.round(3)

# %% [markdown]
# The table shows the mean error of the log forecast in each block of test years. Trained
# on {glue:text}`cnn_first_train`, the years of the dot-com crash, the raw-level network
# over-predicts the variance of {glue:text}`cnn_first_block` by
# {glue:text}`cnn_raw_bias_pct` % on average, and after the last refit it over-predicts
# the calm of {glue:text}`cnn_last_block` by {glue:text}`cnn_raw_bias_last_pct` %.
# Calm years lie below most of what it saw in training, and a ReLU network does not extrapolate: outside its
# training range it continues flat or linearly in directions fitted to other data. The HAR
# model, a linear regression, has no such trouble.
#
# The fix used from here on (`relative=True`, the default) keeps the network's job
# within the range it was trained on: the log-variance inputs and the target are
# expressed relative to the window's own mean log variance, which is added back to the
# output. The network learns how next week differs from the past month, a pattern that
# repeats across calm and turbulent regimes; the second column shows its bias nearly
# gone.
#
# ## Doing it right: baselines first
#
# Two baselines stand beside the network. The **naive** forecast says next week will be
# like last week: $h_t = \frac15\sum_{j=0}^{4}\hat\sigma^2_{t-j}$. The **HAR** model of
# {cite:t}`corsi2009har` regresses the target on the log of the average variance over
# the last day, week and month,
#
# $$
# y_t = \beta_0 + \beta_d \ln\hat\sigma^2_t + \beta_w \ln\bar\sigma^2_{t-4:t}
#       + \beta_m \ln\bar\sigma^2_{t-21:t} + \varepsilon_t ,
# $$ (har)
#
# a cascade of three horizons that mimics the long memory of volatility with four
# parameters. It is refitted by OLS on the same schedule as the network.

# %%
# tolerance: rtol=0.5; one seed of a network: CPU-dependent rounding grows through training: with other kernels its QLIKE moved 0.5%, its DM statistic and p-value by a fifth
har = sequence.walk_forward_forecast(task, "har", name="HAR", **kwargs)
naive = sequence.walk_forward_forecast(task, "naive", name="naive", **kwargs)
results = {"naive": naive, "HAR": har, "CNN, raw levels": cnn_raw, "CNN": cnn}
table = sequence.forecast_table(results, baseline="HAR", h=5)
table.round(4)

# %%
# tolerance: rtol=0.5, counts=4; one seed of a network: CPU-dependent rounding grows through training: DM statistic and p-value move by a fifth, early-stopping epochs by one
years = har.forecasts.index.year
period = f"{years.min()}\u2013{years.max()}"
row = table.loc["CNN"]
if row["p-value"] < 0.05:
    verdict = "beats HAR" if row["DM vs HAR"] < 0 else "loses to HAR"
else:
    verdict = "is statistically indistinguishable from HAR"
glue("cnn_period", period, display=False)
glue("cnn_har_beta_sum", round(float(har.models[-1].iloc[1:].sum()), 2), display=False)
for name, key in [("naive", "naive"), ("HAR", "har"), ("CNN, raw levels", "cnn_raw"), ("CNN", "cnn")]:
    glue(f"cnn_{key}_qlike", round(float(table.loc[name, "QLIKE"]), 4), display=False)
    glue(f"cnn_{key}_mse", round(float(table.loc[name, "MSE log"]), 4), display=False)
for name, key in [("naive", "naive"), ("CNN, raw levels", "cnn_raw"), ("CNN", "cnn")]:
    glue(f"cnn_{key}_dm", round(float(table.loc[name, "DM vs HAR"]), 4), display=False)
    glue(f"cnn_{key}_p", round(float(table.loc[name, "p-value"]), 4), display=False)
glue("cnn_verdict", verdict, display=False)
glue("cnn_smearing", round(float(np.mean(cnn.smearing)), 3), display=False)
glue("cnn_epochs", ", ".join(str(len(h["loss"])) for h in cnn.histories), display=False)
glue("cnn_max_epochs", EPOCHS, display=False)
second_block = cnn.forecasts["block"].unique()[1]
glue("cnn_second_block", second_block, display=False)
glue("cnn_second_validation_year", int(second_block[:4]) - 1, display=False)

# headline numbers for the book's cross-chapter table
headline.glue_headline(
    task="S&P 500 next-week volatility",
    metric=f"mean QLIKE, walk-forward {period}",
    better="lower",
    deep_model="1-D CNN",
    deep_score=round(float(table.loc["CNN", "QLIKE"]), 4),
    baseline_model="HAR",
    baseline_score=round(float(table.loc["HAR", "QLIKE"]), 4),
)

# %% [markdown]
# Over {glue:text}`cnn_period` the mean QLIKE is {glue:text}`cnn_naive_qlike` for the
# naive forecast, {glue:text}`cnn_har_qlike` for HAR, {glue:text}`cnn_cnn_raw_qlike` for
# the article's raw-level CNN and {glue:text}`cnn_cnn_qlike` for the CNN on relative
# inputs. The Diebold–Mariano statistic of the CNN against HAR is
# {glue:text}`cnn_cnn_dm:.2f` (p = {glue:text}`cnn_cnn_p:.3f`; negative favours the CNN): the CNN
# **{glue:text}`cnn_verdict`**. HAR beats the naive forecast clearly
# (DM {glue:text}`cnn_naive_dm:.2f`): averaging over a month, as HAR does, matters. The
# smearing factors average {glue:text}`cnn_smearing`, so the uncorrected forecasts
# would have been about that much too low. The HAR coefficients of the last refit on
# the daily, weekly and monthly terms sum to {glue:text}`cnn_har_beta_sum`, below one:
# volatility reverts towards its long-run mean, which the intercept pins down.
#
# One block of years can hide another's failure, so here is QLIKE by block of test years:

# %%
# tolerance: rtol=0.05; one seed of a network: CPU-dependent rounding grows through training
sequence.qlike_by_block(results).round(4)

# %% [markdown]
# The next figure shows the forecasts from {glue:text}`cnn_zoom`, through the financial
# crisis, on the scale traders quote: annualised volatility in percent. Every forecast lags
# the jump of {glue:text}`cnn_max_vol_date`,
# as any forecast from past prices must; they differ in how fast they catch up and come
# back down. The CNN's forecast is jumpier than HAR's: it reacts more to single days,
# which helps when a shock persists and hurts when it does not.

# %%
zoom = ("2008-07", "2009-06")
glue("cnn_zoom", f"{pd.Timestamp(zoom[0]):%B %Y} to {pd.Timestamp(zoom[1]):%B %Y}", display=False)
fig, ax = plt.subplots()
sequence.plot_forecasts({"naive": naive, "HAR": har, "CNN": cnn}, *zoom, ax=ax)
ax.set_xlabel("forecast date")
ax.set_title("Next-week volatility: realised and forecast")
plt.show()

# %% [markdown]
# Early stopping ended the three refits after {glue:text}`cnn_epochs` epochs (the limit
# was {glue:text}`cnn_max_epochs`): the validation loss, on the last year of each training
# window, stops improving within a few passes. For the refit that forecasts
# {glue:text}`cnn_second_block` that year is {glue:text}`cnn_second_validation_year`,
# the crisis, hence its high validation loss. The curves are in units of
# the standardised target.

# %%
ax = plots.plot_history({f"refit for {b}": h for b, h in
                         zip(cnn.forecasts["block"].unique(), cnn.histories, strict=True)},
                        ylabel="MSE (standardised log variance)")
ax.legend(ncol=3, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18))
ax.set_title("CNN training curves")
plt.show()

# %% [markdown]
# ## What did the filters learn?
#
# The first layer of the last refit has {glue:text}`cnn_n_filters` filters, each with
# {glue:text}`cnn_kernel_size` weights per input feature. The heat maps show them (the
# right-most column is the most recent day of each five-day stretch). Unlike our
# hand-made filters they are not easy to name: some weigh a level (weights of one sign),
# others a change (weights that switch sign). The return channel carries weights as large
# as the log-variance channel, so the network uses the signs of recent returns, which HAR
# ignores; falling prices tend to raise volatility more than rising prices do (the
# leverage effect), one thing a nonlinear model could exploit.

# %%
kernel = cnn.models[-1].get_layer("conv").get_weights()[0]  # (days, features, filters)
fig, axes = plt.subplots(1, 2, figsize=(7, 3.4), sharey=True, layout="constrained")
limit = np.abs(kernel).max()
for i, (ax, feature) in enumerate(zip(axes, task.feature_names, strict=True)):
    image = ax.imshow(kernel[:, i, :].T, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(KERNEL_SIZE), [f"t-{KERNEL_SIZE - 1 - j}" if j < KERNEL_SIZE - 1 else "t"
                                       for j in range(KERNEL_SIZE)])
    ax.set_title(f"input: {feature.replace('_', ' ')}")
    ax.set_xlabel("day within the filter")
    ax.grid(False)
axes[0].set_ylabel("filter")
fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
plt.show()

# %% [markdown]
# ## How this compares with published results
#
# The HAR model is the benchmark of the realised-volatility literature because it is
# hard to beat {cite}`corsi2009har`. With intraday realised variances of the Dow Jones
# stocks, {cite:t}`christensen2023machine` find that machine-learning methods, neural
# networks among them, beat the HAR family out of sample, with larger gains at longer
# horizons; {cite:t}`reisenhofer2022harnet` build a CNN of dilated convolutions, started
# from the HAR forecast, and report substantial improvements over HAR for three stock
# indexes, with training on QLIKE made stable by that start. Our setting is harder in one way and easier in another: a daily
# range estimator is a much noisier proxy than an intraday realised variance, which hides
# small gains; but the index and the weekly horizon are smooth targets. Our numbers are not
# comparable to theirs in level (different proxies and assets), only in kind: a small
# CNN can match HAR, and the burden of proof lies with the network.
#
# ## What we learned
#
# - A 1-D convolution is a filter sliding along the series; Keras' `Conv1D` with
#   hand-set weights reproduces NumPy's cross-correlation exactly.
# - Fed raw levels, as in the article's recipe, a CNN trained on {glue:text}`cnn_first_train` over-predicts
#   the variance of {glue:text}`cnn_first_block` by {glue:text}`cnn_raw_bias_pct` %:
#   networks do not extrapolate to regimes they have not seen. Inputs relative to the
#   window's own level fix it.
# - Out of sample over {glue:text}`cnn_period`, mean QLIKE is {glue:text}`cnn_cnn_qlike`
#   for the CNN against {glue:text}`cnn_har_qlike` for HAR and
#   {glue:text}`cnn_naive_qlike` for the naive forecast; the CNN
#   {glue:text}`cnn_verdict` (Diebold–Mariano p = {glue:text}`cnn_cnn_p:.3f`).
# - {glue:text}`cnn_n_params` parameters against HAR's four buy no significant
#   improvement here. Whether other architectures do better with the same budget is the
#   question of the next two chapters.
#
# ## Exercises
#
# ```{exercise}
# :label: cnn-ex-flip
# Replace `np.correlate` by `np.convolve` in the hand-made filter cell. Which of the two
# filters gives a different result, and why? What kernel would you give `np.convolve` to
# reproduce Keras?
# ```
#
# ```{solution} cnn-ex-flip
# :class: dropdown
# Convolution flips the kernel before sliding it; cross-correlation (what `Conv1D`
# computes) does not. The 5-day average is symmetric, so flipping changes nothing. The
# 4-day change $(-1, 0, 0, 0, 1)$ becomes $(1, 0, 0, 0, -1)$: `np.convolve` returns the
# negative of the Keras output. Passing the reversed kernel, `k[::-1]`, to `np.convolve`
# reproduces Keras.
# ```
#
# ```{exercise}
# :label: cnn-ex-random-split
# The article's example code splits its data with `train_test_split(test_size=0.2,
# random_state=42)`. Train the CNN on a random 80 % of the windows and score QLIKE on the
# other 20 %. Why is the score optimistic?
# ```
#
# ```{solution} cnn-ex-random-split
# :class: dropdown
# Neighbouring windows share all but one of their input days and all but one of their
# target days, so almost every test window has near-twins in the training set, and the network is
# partly graded on data it has seen. A random split also lets the network learn from 2008
# to forecast 2007. The test loss of such a split is lower than the walk-forward loss and
# means nothing for a forecaster who only has the past. Use
# `sequence.walk_forward_forecast`, which keeps time in order and leaves a gap of
# `horizon - 1` days.
# ```
#
# ```{exercise}
# :label: cnn-ex-smearing
# Run the CNN with `bias_correction=False`. Which of the two metrics changes, in which
# direction, and why does the other not change at all?
# ```
#
# ```{solution} cnn-ex-smearing
# :class: dropdown
# Only QLIKE changes, and it gets worse. Without the smearing factor the variance forecast
# is $e^{\hat y}$, an estimate of the conditional *median* of next week's variance, which is
# below its mean because the distribution is skewed; QLIKE is minimised by the mean and
# punishes under-prediction more than over-prediction. The MSE of the log forecast is
# computed from $\hat y$ itself, which the correction does not touch, so it is identical.
# ```
#
# ```{exercise}
# :label: cnn-ex-lookback
# Re-run the chapter with a two-month window:
# `python -m finbook run 04_cnn -p LOOKBACK 44 --output runs/`. Does the CNN improve?
# How many parameters does it have now, and which layer grew?
# ```
#
# ```{solution} cnn-ex-lookback
# :class: dropdown
# The convolution layer keeps its size (its weights do not depend on the window length);
# the dense layer after flattening grows, because the pooled feature map is twice as long.
# Whether QLIKE improves depends on the seed, and any change is small: HAR's monthly
# term already summarises a month, and volatility beyond a month adds little information
# about next week compared with the noise in the proxy. A longer window also removes the
# first months of training data, since every sample needs a full window.
# ```
