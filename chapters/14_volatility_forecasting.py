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
# (volatility-forecasting)=
# # Forecasting volatility: where prediction works
#
# {ref}`trading-backtest` found tomorrow's *return* on the S&P 500 next to unpredictable.
# Tomorrow's *risk* is another matter. This chapter measures daily volatility from the
# day's price range, forecasts it one day ahead with the workhorse GARCH model, the HAR
# regression and an LSTM network, and scores the forecasts out of sample with a loss made
# for the job. Risk managers, option traders and anyone who sizes positions by volatility
# live on such forecasts.

# %% tags=["parameters"]
SEED = 2024  # seeds NumPy, Python and Keras (each LSTM refit is reseeded with SEED + refit)
EPOCHS = 40  # maximum training epochs of each LSTM refit (early stopping usually ends sooner)
FIRST_TEST_YEAR = 2004  # out-of-sample forecasts from this year to 2018
REFIT_YEARS = 5  # refit every model every REFIT_YEARS calendar years
LOOKBACK = 22  # days of history the LSTM reads (about one month)
UNITS = 16  # LSTM units

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
from myst_nb import glue

from finbook import data, metrics, plots, repro, sequence, validation, volatility
from finbook import forecast as fc
from finbook.book import headline
from finbook.lessons import lstm_forecaster  # chapter 5's LSTM

repro.set_seed(SEED)
plots.use_book_style()

# %% [markdown]
# ````{admonition} What the article says
# :class: note
# Under market prediction the article promises forecasts of "market trends and price
# fluctuations" (价格波动) from large AI models, with one dense network as its example. It
# does not separate the two: the *direction* of prices, which efficient markets make hard
# to forecast, and the *size* of their fluctuations, volatility, which is among the most
# forecastable quantities in finance.
# ````

# %% [markdown]
# ## Measuring daily volatility from the price range
#
# Volatility is never observed; it must be estimated. The squared daily return is an
# unbiased but very noisy estimate of the day's variance. The day's high and low carry far
# more information, because they record the whole path of the price, not just where it
# ended. With returns in percent, {cite:t}`parkinson1980extreme` uses the range alone,
#
# $$
# \hat\sigma^2_{P,t} = \frac{\left(100 \ln (H_t / L_t)\right)^2}{4 \ln 2},
# $$ (vol14-parkinson)
#
# and {cite:t}`garman1980estimation` add the open and close,
#
# $$
# \hat\sigma^2_{GK,t} = \tfrac12 \left(100 \ln (H_t / L_t)\right)^2
#   - (2 \ln 2 - 1) \left(100 \ln (C_t / O_t)\right)^2 ,
# $$ (vol14-gk)
#
# about seven times as efficient as the squared return when the price follows a Brownian
# motion. Both are in `finbook.volatility`, in percent squared per day.

# %%
sp500 = data.sp500()
returns = volatility.log_returns(sp500["close"])
estimates = pd.DataFrame({
    "squared return": returns**2,
    "Parkinson": volatility.parkinson(sp500["high"], sp500["low"]),
    "Garman-Klass": volatility.garman_klass(sp500["open"], sp500["high"], sp500["low"], sp500["close"]),
}).dropna()
STALE_UNTIL = 2006  # the first year in which the file records real opening prices
stale_open = (sp500["open"] == sp500["close"].shift(1)).groupby(sp500.index.year >= STALE_UNTIL).mean()
gk_to_parkinson = (estimates["Garman-Klass"] / estimates["Parkinson"]).groupby(
    estimates.index.year >= STALE_UNTIL).mean()
by_year = estimates.groupby(estimates.index.year).mean()
cc_ratio = by_year["squared return"] / by_year["Garman-Klass"]
glue("vol14_cc_min", round(float(cc_ratio.min()), 2), display=False)
glue("vol14_cc_max", round(float(cc_ratio.max()), 2), display=False)
glue("vol14_stale_before", round(float(stale_open[False]), 4), display=False)
glue("vol14_stale_after", round(float(stale_open[True]), 4), display=False)
glue("vol14_stale_year", STALE_UNTIL, display=False)
glue("vol14_ratio_before", round(float(gk_to_parkinson[False]), 3), display=False)
glue("vol14_ratio_after", round(float(gk_to_parkinson[True]), 3), display=False)
estimates.describe().loc[["mean", "50%", "std", "max"]].round(3)

# %% [markdown]
# A defect of the data matters here. Before {glue:text}`vol14_stale_year` the file's
# "open" equals the previous day's close on {glue:text}`vol14_stale_before:.0%` of days
# (afterwards on {glue:text}`vol14_stale_after:.1%`): the early opening prices are, in
# effect, missing, and the file repeats the last close. For those years the Garman–Klass
# open-to-close term is really a close-to-close return. We checked that this does not shift
# the estimator much: the average ratio of Garman–Klass to Parkinson variance is
# {glue:text}`vol14_ratio_before` before {glue:text}`vol14_stale_year` and
# {glue:text}`vol14_ratio_after` after. As in the Part II chapters, the target is the
# Garman–Klass variance.
#
# ## Why volatility is predictable and returns are not
#
# The autocorrelations tell the story of this part of the book. Returns are nearly
# uncorrelated with their own past; the log of the daily variance is strongly and
# persistently correlated with its past, a month back and more. Calm days follow calm days,
# turbulent days follow turbulent days: *volatility clustering*, the most robust stylised
# fact of asset returns {cite}`cont2001empirical`.

# %%
def autocorrelations(series, lags):
    return [series.autocorr(k) for k in lags]


lags = np.arange(1, 23)
acf = pd.DataFrame({"daily return": autocorrelations(returns.dropna(), lags),
                    "log Garman-Klass variance": autocorrelations(np.log(estimates["Garman-Klass"]), lags)},
                   index=lags)
glue("vol14_acf_ret1", round(float(acf.loc[1, "daily return"]), 3), display=False)
glue("vol14_acf_var1", round(float(acf.loc[1, "log Garman-Klass variance"]), 3), display=False)
glue("vol14_acf_var22", round(float(acf.loc[22, "log Garman-Klass variance"]), 3), display=False)
fig, ax = plt.subplots()
width = 0.4
ax.bar(lags - width / 2, acf["daily return"], width, label="daily return")
ax.bar(lags + width / 2, acf["log Garman-Klass variance"], width, label="log daily variance (Garman–Klass)")
ax.axhline(0, color="black", linewidth=0.8)
ax.set(xlabel="lag (trading days)", ylabel="autocorrelation", title="S&P 500, 1999–2018")
ax.legend()
plt.show()

# %% [markdown]
# Yesterday's return is correlated {glue:text}`vol14_acf_ret1` with today's; yesterday's
# log variance {glue:text}`vol14_acf_var1` with today's, and still
# {glue:text}`vol14_acf_var22` a month later. The first is what market efficiency implies
# {cite}`fama1970efficient`: a predictable return would be traded away. Nothing in that
# argument forbids predictable *risk*, and the data show plenty.
#
# ## The forecasting task
#
# We forecast the variance of the *next* day. `finbook.sequence.volatility_task`, which the
# Part II chapters use for next-week volatility (see {ref}`rnn`), builds the task with
# `horizon=1`: at each day's close, the inputs are the last {glue:text}`vol14_lookback`
# days of log variance and return, and the target is the next day's Garman–Klass variance.
# Every model is refitted on all data before each block of {glue:text}`vol14_refit_years`
# years from {glue:text}`vol14_first_year` and forecasts the block, one day at a time.

# %%
task = sequence.volatility_task(sp500, lookback=LOOKBACK, horizon=1)
glue("vol14_lookback", LOOKBACK, display=False)
glue("vol14_refit_years", REFIT_YEARS, display=False)
glue("vol14_first_year", FIRST_TEST_YEAR, display=False)
glue("vol14_n_samples", len(task), display=False)
kwargs = dict(first_test_year=FIRST_TEST_YEAR, years_per_refit=REFIT_YEARS)
splits = list(validation.yearly_walk_forward(task.dates, gap=0, **kwargs))
pd.DataFrame({"training from": [str(task.dates[tr[0]].date()) for tr, _ in splits],
              "training to": [str(task.dates[tr[-1]].date()) for tr, _ in splits],
              "test from": [str(task.dates[te[0]].date()) for _, te in splits],
              "test to": [str(task.dates[te[-1]].date()) for _, te in splits]})

# %% [markdown]
# ## The models
#
# **GARCH(1,1)** {cite}`bollerslev1986garch` models the conditional variance of the daily
# return $r_t$ as
#
# $$
# \sigma^2_{t+1} = \omega + \alpha\, (r_t - \mu)^2 + \beta\, \sigma^2_t ,
# $$ (vol14-garch)
#
# yesterday's variance updated by today's surprise. We estimate $\omega, \alpha, \beta$ by
# maximum likelihood (the `arch` package) at each refit and then, with the parameters
# fixed, filter the variance forward day by day through the test block
# (`finbook.forecast.garch_forecasts`). GARCH models close-to-close returns, whose variance
# includes the overnight move and is larger than the intraday Garman–Klass variance, so its
# forecasts are rescaled by the constant that minimises QLIKE on the training years
# (`finbook.forecast.qlike_scale`).
#
# **HAR** {cite}`corsi2009har` regresses the log of tomorrow's variance on the log of
# today's, of the last week's average and of the last month's average,
#
# $$
# \ln \sigma^2_{t+1} = b_0 + b_d \ln \bar\sigma^2_{t} + b_w \ln \bar\sigma^2_{t-4:t}
#   + b_m \ln \bar\sigma^2_{t-21:t} + \varepsilon_{t+1},
# $$ (vol14-har)
#
# a cascade of three horizons that mimics long memory with three coefficients.
#
# **LSTM** {cite}`hochreiter1997long`: one layer of {glue:text}`vol14_units` units reads
# the {glue:text}`vol14_lookback`-day window and a linear unit outputs the log variance,
# trained exactly as in {ref}`rnn` (early stopping on the last year of each training
# window, inputs relative to the window's own level). HAR and the LSTM forecast the log
# variance; both are converted back with the smearing factor mean(exp(residual)) of the
# training years, which is the same QLIKE-optimal constant applied to GARCH. The **naive**
# forecast is last week's average variance.

# %%
glue("vol14_units", UNITS, display=False)
target = pd.Series(task.target_variance, index=task.dates)
garch, garch_params = fc.garch_forecasts(returns.loc[task.dates], target, splits)
garch_params.round(4)

# %% [markdown]
# The estimates show the two features of every equity-index GARCH: $\alpha + \beta$
# (persistence) close to one, so shocks to volatility decay slowly, and a small $\alpha$,
# so each day's surprise moves the forecast only a little. The scale factor below one is
# the gap between close-to-close and intraday variance.

# %%
def lstm_builder():
    return lstm_forecaster(LOOKBACK, len(task.feature_names), units=UNITS)


har = sequence.walk_forward_forecast(task, "har", name="HAR", **kwargs)
naive = sequence.walk_forward_forecast(task, "naive", name="naive", **kwargs)
lstm = sequence.walk_forward_forecast(task, lstm_builder, name="LSTM", epochs=EPOCHS, seed=SEED, **kwargs)
histories = {f"refit {i + 1}": h for i, h in enumerate(lstm.histories)}
ax = plots.plot_history(histories, ylabel="mean squared error (standardised log variance)")
ax.set_title("LSTM: training and validation loss per refit")
plt.show()

# %% [markdown]
# ## Out-of-sample results
#
# Variance forecasts are scored with QLIKE {cite}`patton2011volatility`,
#
# $$
# \text{QLIKE}(\hat\sigma^2_{t+1}, h_{t+1}) = \frac{\hat\sigma^2_{t+1}}{h_{t+1}}
#   - \ln \frac{\hat\sigma^2_{t+1}}{h_{t+1}} - 1 ,
# $$ (vol14-qlike)
#
# where $\hat\sigma^2_{t+1}$ is the measured variance and $h_{t+1}$ the forecast. It is
# zero for a perfect forecast and, unlike the mean squared error, ranks forecasts correctly
# even though the measured variance is itself a noisy estimate; it also punishes
# under-prediction of risk more than over-prediction. We report the mean squared error of
# the variance too, and a *skill score*: the percentage by which a model lowers the QLIKE
# of the historical average variance (the constant forecast, refitted with the models),
#
# $$
# \text{skill} = 1 - \frac{\overline{\text{QLIKE}}_{\text{model}}}{\overline{\text{QLIKE}}_{\text{historical average}}} ,
# $$ (vol14-skill)
#
# the volatility counterpart of the out-of-sample R² of returns in {ref}`trading-backtest`.

# %%
realised = pd.Series(har.forecasts["target_variance"], name="realised")
historical = pd.Series(np.nan, index=realised.index)
for train, test in splits:  # the mean variance of all training days, refitted with the models
    historical.loc[task.dates[test]] = float(task.target_variance[train].mean())
forecasts = pd.DataFrame({
    "historical average": historical,
    "naive": naive.forecasts["forecast_variance"],
    "GARCH(1,1)": garch,
    "HAR": har.forecasts["forecast_variance"],
    "LSTM": lstm.forecasts["forecast_variance"],
})
assert forecasts.index.equals(realised.index)
losses = {name: metrics.qlike(realised, f) for name, f in forecasts.items()}
scores = pd.DataFrame({
    "mean QLIKE": {n: float(loss.mean()) for n, loss in losses.items()},
    "MSE of variance": {n: metrics.mse(realised, f) for n, f in forecasts.items()},
})
scores.insert(1, "QLIKE skill (%)", 100 * (1 - scores["mean QLIKE"] / scores.loc["historical average", "mean QLIKE"]))
baseline = scores.loc[["GARCH(1,1)", "HAR"], "mean QLIKE"].idxmin()
for name in scores.index:
    if name != baseline:
        dm = metrics.diebold_mariano(losses[name], losses[baseline])
        scores.loc[name, f"DM vs {baseline} (QLIKE)"] = dm.statistic
        scores.loc[name, "p-value"] = dm.pvalue
glue("vol14_baseline", baseline, display=False)
for key, name in [("hist", "historical average"), ("naive", "naive"), ("garch", "GARCH(1,1)"),
                  ("har", "HAR"), ("lstm", "LSTM")]:
    glue(f"vol14_qlike_{key}", round(float(scores.loc[name, "mean QLIKE"]), 4), display=False)
    glue(f"vol14_skill_{key}", round(float(scores.loc[name, "QLIKE skill (%)"]), 1), display=False)
glue("vol14_lstm_gain", round(float(100 * (1 - scores.loc["LSTM", "mean QLIKE"] / scores.loc[baseline, "mean QLIKE"])), 1),
     display=False)
glue("vol14_test_from", str(realised.index[0].date()), display=False)
glue("vol14_test_to", str(realised.index[-1].date()), display=False)
scores.round(4)

# %%
others = [n for n in ["GARCH(1,1)", "HAR"] if n != baseline]
dm_lstm = metrics.diebold_mariano(losses["LSTM"], losses[baseline])
dm_other = metrics.diebold_mariano(losses[others[0]], losses[baseline])


def verdict(dm, name, against):
    if dm.pvalue >= 0.05:
        return f"{name} and {against} are statistically indistinguishable"
    return f"{name} {'beats' if dm.statistic < 0 else 'loses to'} {against}"


glue("vol14_verdict_lstm", verdict(dm_lstm, "the LSTM", baseline), display=False)
glue("vol14_p_lstm", fc.format_pvalue(dm_lstm.pvalue), display=False)
glue("vol14_verdict_other", verdict(dm_other, others[0], baseline), display=False)
glue("vol14_p_other", fc.format_pvalue(dm_other.pvalue), display=False)
by_block = pd.DataFrame({n: pd.Series(loss, index=realised.index).groupby(har.forecasts["block"]).mean()
                         for n, loss in losses.items()})
by_block.round(4)

# %% [markdown]
# From {glue:text}`vol14_test_from` to {glue:text}`vol14_test_to`, the mean QLIKE is
# {glue:text}`vol14_qlike_hist` for the historical average, {glue:text}`vol14_qlike_naive`
# for the naive forecast, {glue:text}`vol14_qlike_garch` for GARCH,
# {glue:text}`vol14_qlike_har` for HAR and {glue:text}`vol14_qlike_lstm` for the LSTM. The
# better classical model is {glue:text}`vol14_baseline`; by Diebold–Mariano tests on the
# daily QLIKE losses, {glue:text}`vol14_verdict_other` (p-value
# {glue:text}`vol14_p_other`) and {glue:text}`vol14_verdict_lstm` (p-value
# {glue:text}`vol14_p_lstm`), lowering its mean QLIKE by {glue:text}`vol14_lstm_gain`%. The
# second table splits the losses by refit block, so one can see whether a ranking holds in
# calm and in turbulent years alike.
#
# Most striking are the skill scores: {glue:text}`vol14_skill_har`% for HAR and
# {glue:text}`vol14_skill_lstm`% for the LSTM, where the return forecasts of the previous
# chapter could not beat a forecast of zero. GARCH(1,1) lags the range-based models
# ({glue:text}`vol14_skill_garch`%) for a reason of measurement, not of dynamics: it models
# close-to-close returns, whose variance includes the overnight move, and the yearly ratio
# of squared returns to Garman–Klass variance drifts between {glue:text}`vol14_cc_min` and
# {glue:text}`vol14_cc_max` over the sample, which one constant scale per refit cannot
# follow. The figure shows the forecasts through the crisis of 2008.

# %%
window = slice("2008-06-01", "2009-06-30")
annualised = np.sqrt(252 * forecasts.loc[window])
fig, ax = plt.subplots(figsize=(8.0, 4.2))
ax.plot(np.sqrt(252 * realised.loc[window]), color="0.7", linewidth=0.9, label="realised (Garman–Klass)")
for name in ["GARCH(1,1)", "HAR", "LSTM"]:
    ax.plot(annualised[name], linewidth=1.2, label=f"{name} forecast")
ax.set(ylabel="annualised volatility (%)", xlabel="date", title="S&P 500, one-day-ahead volatility forecasts")
ax.legend()
glue("vol14_summer_vol", round(float(np.sqrt(252 * realised.loc["2008-06":"2008-08"].mean())), 0), display=False)
glue("vol14_peak_har", round(float(annualised.loc["2008-10":"2008-11", "HAR"].max()), 0), display=False)
plt.show()

# %% [markdown]
# All three models track the surge of autumn 2008, from an average realised volatility of
# {glue:text}`vol14_summer_vol`% (annualised) in June–August to HAR forecasts above
# {glue:text}`vol14_peak_har`% in October–November. Each follows a day late: none can see a
# shock coming, but all learn within days that the regime has changed, and then bring their
# forecasts down with the calming market. The grey line shows how noisy even a good
# one-day variance estimate is: no forecast can follow its daily jumps, and QLIKE does not
# ask it to.

# %% [markdown]
# ## How this compares with published results
#
# {cite:t}`corsi2009har` introduced HAR as a simple model that reproduces the long memory
# of volatility and reported that it forecasts better than standard short-memory models;
# here it is {glue:text}`vol14_verdict_other_short` GARCH(1,1) estimated on daily
# returns. Why range-based proxies and QLIKE make such comparisons trustworthy despite the
# noise in any measured variance is the subject of {cite:t}`patton2011volatility`. The
# Part II chapters ({ref}`rnn`) run the same comparison for next-week volatility, with the
# same task, schedule and training rules, and are the natural check on the one-day result
# here. One plausible source of the LSTM's edge over HAR and GARCH(1,1): it reads the
# *signs* of past returns, and falling markets raise volatility more than rising ones (the
# leverage effect), an asymmetry that both classical models, symmetric in returns, cannot
# express. {ref}`vol14-ex-leverage` tests this idea.

# %%
glue("vol14_verdict_other_short",
     ("level with" if dm_other.pvalue >= 0.05 else ("ahead of" if baseline == "HAR" else "behind")),
     display=False)
headline.glue_headline(
    task="S&P 500 one-day volatility",
    metric=f"mean QLIKE, out of sample {realised.index[0].year}–{realised.index[-1].year}",
    better="lower",
    deep_model=f"LSTM ({UNITS} units, {LOOKBACK}-day window)",
    deep_score=round(float(scores.loc["LSTM", "mean QLIKE"]), 4),
    baseline_model=baseline,
    baseline_score=round(float(scores.loc[baseline, "mean QLIKE"]), 4),
)

# %% [markdown]
# ## What we learned
#
# - Volatility clusters: the log daily variance has a one-day autocorrelation of
#   {glue:text}`vol14_acf_var1` against {glue:text}`vol14_acf_ret1` for returns, and that
#   persistence is what every model here exploits.
# - Out of sample, one day ahead, HAR lowers the QLIKE of the historical average by
#   {glue:text}`vol14_skill_har`%, where return forecasts could not beat zero; GARCH(1,1)
#   reaches a mean QLIKE of {glue:text}`vol14_qlike_garch`, HAR
#   {glue:text}`vol14_qlike_har`.
# - The LSTM scores {glue:text}`vol14_qlike_lstm`: {glue:text}`vol14_verdict_lstm`
#   (p-value {glue:text}`vol14_p_lstm`, a {glue:text}`vol14_lstm_gain`% lower QLIKE). This
#   is where deep learning helped in Part III: on a target with real, stable structure, a
#   flexible model can add to what a good classical model captures; on next-day returns
#   ({ref}`trading-backtest`) there was nothing for it to add.
# - This is what theory predicts: efficient markets remove predictable returns, not
#   predictable risk {cite}`fama1970efficient`, and volatility clustering
#   {cite}`cont2001empirical` is the structure every model here exploits.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: vol14-ex-parkinson
# Replace the target by the Parkinson variance (build the task from a price table whose
# `open` column is set equal to `close`, so that the Garman–Klass formula reduces to a
# multiple of Parkinson's) and re-run the comparison. Do the rankings change? What does
# that say about the choice of proxy?
# ```
#
# ```{solution} vol14-ex-parkinson
# :class: dropdown
# With open = close the open-to-close term vanishes and the Garman–Klass formula becomes
# 0.5 × (100 ln H/L)², which is 2 ln 2 times the Parkinson variance. The constant does not
# matter (every model's forecasts are rescaled to the proxy, and QLIKE is unchanged when
# proxy and forecast are multiplied by the same number), but the proxy itself is now a
# different, noisier estimate of the day's variance, so every loss changes. Patton (2011)
# shows that with a robust loss such as QLIKE the *ranking* of forecasts is the same for
# any conditionally unbiased proxy, in expectation; a ranking that flips between proxies
# signals differences within sampling noise.
# ```
#
# ```{exercise}
# :label: vol14-ex-refit
# Set `REFIT_YEARS = 1`. GARCH and HAR become cheap yearly refits; the LSTM is trained
# fifteen times. Does more frequent refitting help any model? Which one gains most, and is
# the gain worth the training time?
# ```
#
# ```{solution} vol14-ex-refit
# :class: dropdown
# The classical models have few parameters, estimated from years of data, so one more year
# moves them little. The LSTM may gain from seeing recent regimes sooner, but each refit
# costs seconds to minutes of training against milliseconds for HAR; compare any gain in
# mean QLIKE with its Diebold–Mariano p-value before concluding that it is real.
# ```
#
# ```{exercise}
# :label: vol14-ex-var
# Use the GARCH forecasts to compute a one-day 99% value-at-risk for a long position in
# the index, assuming normal returns: VaR = 2.326 × forecast volatility (remember the
# forecasts are rescaled to the intraday variance; undo the scale first). Over
# 2004–2018, on what fraction of days did the loss exceed the VaR?
# ```
#
# ```{solution} vol14-ex-var
# :class: dropdown
# Divide each block's forecasts by its `scale` (in `garch_params`) to recover the
# close-to-close variance, take the square root, multiply by 2.326 and compare with the
# next day's return. Compare the breach rate with the nominal 1%: daily returns have
# fatter tails than the normal distribution, which pushes breaches above the nominal rate,
# and crises produce them in clusters. Value-at-risk backtests such as Kupiec's test turn
# that count into a formal verdict.
# ```
#
# ```{exercise}
# :label: vol14-ex-leverage
# Add a leverage term to HAR: regress the log of tomorrow's variance on the three HAR
# regressors and on $\min(r_t, 0)$, today's return when negative (fit it with
# `np.linalg.lstsq` on each training block, as `sequence.walk_forward_forecast` does for
# HAR, and apply the same smearing factor). Does the gap between HAR and the LSTM close?
# ```
#
# ```{solution} vol14-ex-leverage
# :class: dropdown
# The coefficient on the negative return comes out negative in every block: a fall in the
# index raises tomorrow's expected variance. The extended HAR beats the plain one clearly
# (Diebold–Mariano on QLIKE) and closes most of the gap to the LSTM; what remains is what
# the network extracts from the finer shape of the last month's path. This is the right way
# to learn from a deep model: find what it captures, then test whether a simple,
# interpretable term captures the same.
# ```
