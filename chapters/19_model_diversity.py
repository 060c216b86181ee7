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
# (model-diversity)=
# # Model diversity: one table across the book
#
# Every chapter of Parts II and III put its best deep model beside a simple baseline on
# the same data, split and metric. This chapter gathers those head-to-head results into
# one table and asks the question a head of modelling at a bank would ask: *for which
# kinds of financial problem does deep learning earn its place, and for which is a simpler
# model the better choice?*

# %% tags=["parameters"]
TIE = 0.02  # relative difference below which a comparison counts as a tie (2%)

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
import pandas as pd
from myst_nb import glue

from finbook import plots, repro
from finbook.book import headline

repro.set_seed(0, keras=False)  # nothing random happens here; set for uniformity
plots.use_book_style()

# %% [markdown]
# ```{admonition} What the article says
# :class: note
# The article expects AI models in finance to become *more diverse* (模型的多样性):
# as they spread to more applications, different scenarios will call for different
# models. It does not say which scenarios call for which models. The chapters of this
# book give us the evidence to answer that, task by task.
# ```
#
# ## The table
#
# Each application chapter glued, once, its headline comparison: the task, the metric and
# its direction, the best deep model and the baseline it had to beat, with both scores.
# `finbook.book.headline.headline_table` reads those values back **from the committed
# notebooks**, so nothing below is retyped; if a chapter's result changes, this table
# changes with it when the book is re-executed. The *advantage* is the deep model's
# relative improvement over the baseline, oriented so that a positive number always means
# the deep model did better; a difference smaller than {glue:text}`div_tie_pct:.0f`% counts
# as a tie.

# %%
table = headline.headline_table(tie=TIE)
glue("div_tie_pct", 100 * TIE, display=False)
pd.set_option("display.max_colwidth", None)
chapter = table["chapter"].str[:2].rename("ch.")
table.set_index(chapter)[["task", "metric", "better"]]

# %% [markdown]
# The scores, with the deep model's advantage (in percent of the baseline's score) and the
# verdict:

# %%
results = table.set_index(chapter)[["deep_model", "deep_score", "baseline_model",
                                     "baseline_score"]].copy()
results["advantage (%)"] = (100 * table["advantage"]).round(1).to_numpy()
results["verdict"] = table["verdict"].to_numpy()
results

# %% [markdown]
# ## The pattern
#
# We group the tasks into four families by the kind of data behind them: tabular credit
# data (a few thousand applicants with a noisy outcome), market *direction* and returns
# (nearly unpredictable by theory), market *volatility* (persistent and predictable), and
# *smooth functions* (a pricing formula or a yield curve, with as much clean data as one
# cares to generate).

# %%
FAMILY = {
    "03_deep_learning_basics": "tabular credit",
    "08_credit_risk": "tabular credit",
    "10_default_prediction": "tabular credit",
    "12_market_prediction": "market direction",
    "13_trading_backtest": "market direction",
    "04_cnn": "volatility and risk",
    "05_rnn": "volatility and risk",
    "07_attention": "volatility and risk",
    "09_market_risk": "volatility and risk",
    "14_volatility_forecasting": "volatility and risk",
    "06_autoencoders": "smooth functions",
    "15_option_pricing": "smooth functions",
    "16_heston_surrogate": "smooth functions",
}
unknown = sorted(set(table["chapter"]) - set(FAMILY))
if unknown:
    raise ValueError(f"chapters without a family in this chapter's map: {unknown}")
table["family"] = table["chapter"].map(FAMILY)
summary = (table.groupby("family", sort=False)["verdict"].value_counts().unstack(fill_value=0)
           .reindex(columns=["deep model", "tie", "baseline"], fill_value=0))
summary

# %%
counts = table["verdict"].value_counts()
glue("div_n_tasks", len(table), display=False)
glue("div_n_deep", int(counts.get("deep model", 0)), display=False)
glue("div_n_tie", int(counts.get("tie", 0)), display=False)
glue("div_n_base", int(counts.get("baseline", 0)), display=False)
by_family = table.groupby("family")["verdict"]
glue("div_credit_deep", int((by_family.get_group("tabular credit") == "deep model").sum()),
     display=False)
glue("div_credit_n", int(by_family.get_group("tabular credit").size), display=False)
best = table.loc[table["advantage"].idxmax()]
worst = table.loc[table["advantage"].idxmin()]
glue("div_best_task", best["task"], display=False)
glue("div_best_model", best["deep_model"], display=False)
glue("div_best_adv", round(float(100 * best["advantage"]), 1), display=False)
glue("div_worst_task", worst["task"], display=False)
glue("div_worst_adv", round(float(-100 * worst["advantage"]), 1), display=False)

# %% [markdown]
# Across {glue:text}`div_n_tasks` head-to-head comparisons the deep model won
# {glue:text}`div_n_deep`, tied {glue:text}`div_n_tie` and lost {glue:text}`div_n_base`.
# On tabular credit data it won {glue:text}`div_credit_deep` of
# {glue:text}`div_credit_n`. Its largest win was on the {glue:text}`div_best_task` task
# ({glue:text}`div_best_model`, {glue:text}`div_best_adv:.1f`% better than the baseline);
# its largest loss on {glue:text}`div_worst_task` ({glue:text}`div_worst_adv:.1f`% worse).

# %%
colours = dict(zip(["tabular credit", "market direction", "volatility and risk",
                    "smooth functions"], plots.PALETTE, strict=False))
order = table.sort_values(["family", "advantage"])
fig, ax = plt.subplots(figsize=(7.5, 5.0))
ax.barh(order["task"] + " (" + order["chapter"].str[:2] + ")", 100 * order["advantage"],
        color=order["family"].map(colours))
ax.axvline(0, color="black", linewidth=0.8)
for edge in (-100 * TIE, 100 * TIE):
    ax.axvline(edge, color="grey", linewidth=0.6, linestyle=":")
ax.set_xscale("symlog", linthresh=10)
ax.set_xlabel("deep model's advantage over the baseline (%, symmetric log scale)")
handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
ax.legend(handles, colours.keys(), loc="lower right")
plt.show()

# %% [markdown]
# Read the figure from left to right: bars to the left of zero are tasks where the
# baseline won; the dotted lines mark the tie band. The families separate cleanly:
#
# - **Tabular credit.** Logistic regression, a points scorecard or the lender's own grade
#   matched or beat every network. A few thousand applicants with a noisy outcome do not
#   contain the complex interactions a network could exploit, and the regulator-friendly
#   model is also the accurate one (the same finding as the large benchmark of
#   {cite:t}`lessmann2015benchmarking` and, for tabular data in general,
#   {cite:t}`grinsztajn2022tree`).
# - **Market direction.** Nothing beat the naive rules by a margin that survives a
#   significance test: daily index returns are close to unpredictable from their own past,
#   as weak-form efficiency {cite:p}`fama1970efficient` says they should be. A network
#   that "wins" a single test year (the Smarket lab) does so on a few hundred days; the
#   walk-forward chapter shows the win does not last.
# - **Volatility and risk.** Volatility clusters, so it is predictable, and here recurrent
#   networks beat the HAR benchmark of {cite:t}`corsi2009har` out of sample — but by a few
#   percent, not by multiples, and not every architecture: the CNN and the Transformer tied
#   with HAR, and the quantile network lost to a GARCH-t model for Value-at-Risk.
# - **Smooth functions.** Where the target is a deterministic function and data are
#   unlimited (option prices from a pricing model, a yield curve), a network is a fast and
#   accurate surrogate; whether it beats a well-chosen classical approximation (a
#   polynomial, PCA) depends on how smooth and low-dimensional the function is — the
#   Heston surrogate is the case where it clearly does.
#
# This is the diversity the article foresees, stated precisely: the choice of model should
# follow the *signal-to-noise ratio and the amount of data*, not the fashion. Deep models
# pay where the function is complex, the data abundant or simulated, and the noise low;
# simple models win where data are small and noisy, and where theory says there is little
# to find.

# %% [markdown]
# ## How far to trust the table
#
# - Each row is one chapter's headline on its own split and seed; most chapters also report
#   confidence intervals or Diebold–Mariano tests, which this table does not repeat. A
#   difference of a few percent is often within noise: read the chapter before quoting it.
# - Baselines differ in strength by design: in each chapter the baseline is the standard a
#   practitioner would use (HAR for volatility, the scorecard for credit), not a straw man.
# - The table is only as complete as the chapters: every chapter that glues a headline is
#   included automatically, and a chapter without one is simply absent.

# %% [markdown]
# ## What we learned
#
# - Out of {glue:text}`div_n_tasks` comparisons, the deep model won
#   {glue:text}`div_n_deep`, tied {glue:text}`div_n_tie` and lost
#   {glue:text}`div_n_base` (ties within {glue:text}`div_tie_pct:.0f`%).
# - On tabular credit data the deep model won {glue:text}`div_credit_deep` of
#   {glue:text}`div_credit_n` comparisons: logistic regression and scorecards remain the
#   models to beat.
# - The largest win, {glue:text}`div_best_adv:.1f`%, came on {glue:text}`div_best_task`,
#   a smooth function with unlimited simulated data.
# - Model diversity is not a trend to follow but a decision to make, task by task, with an
#   out-of-sample comparison against a strong baseline.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: div-ex-tie
# Re-run this chapter with a wider tie band, `python -m finbook run 19_model_diversity
# -p TIE 0.05 --output runs/`. Which verdicts change? What tie band would you defend, and
# how would you set it from the chapters' own confidence intervals instead?
# ```
#
# ```{solution} div-ex-tie
# :class: dropdown
# Widening the band turns the small wins and losses (a few percent, typically the
# volatility networks against HAR and the networks against logistic regression on credit)
# into ties, while the large differences (the Heston surrogate, the VaR network against
# GARCH-t) keep their verdicts. A fixed band ignores that noise differs by task: a better
# rule calls a tie whenever the chapter's confidence interval for the difference (the
# paired bootstrap interval for AUC, or the Diebold–Mariano test for forecast losses)
# contains zero.
# ```
#
# ```{exercise}
# :label: div-ex-new
# Add a row: pick any chapter without a headline comparison (say, loan pricing), decide on
# a deep model, a baseline and a metric, glue the seven `headline_*` values there, and
# re-execute both chapters. Which family does your task belong to, and does the result fit
# the pattern?
# ```
#
# ```{solution} div-ex-new
# :class: dropdown
# Glue `headline_task`, `headline_metric`, `headline_better` (`"higher"` or `"lower"`),
# `headline_deep_model`, `headline_deep_score`, `headline_baseline_model` and
# `headline_baseline_score` with `display=False`, then add the chapter to this chapter's
# `FAMILY` map (the chapter refuses to run with an unmapped row, so nothing is silently
# mis-grouped). A loan-pricing comparison is tabular credit data: expect the calibrated
# logistic model to be as good as any network.
# ```
