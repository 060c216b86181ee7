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
DECIMALS = 3  # decimals shown for the log ratio in the table

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
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

from finbook import plots, repro
from finbook.book import headline
from finbook.book.pipeline import chapter_paths

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
# changes with it when the book is re-executed.

# %%
table = headline.headline_table()
pd.set_option("display.max_colwidth", None)
chapter = table["chapter"].str[:2].rename("ch.")
table.set_index(chapter)[["task", "metric", "better"]]

# %% [markdown]
# ## Measuring the gap symmetrically
#
# A relative difference, (baseline − deep) / baseline, is a lopsided yardstick: a deep model
# can be at most 100% better on an error metric, but any amount worse. We use instead the
# **log ratio** of the two scores, oriented so that a positive value means the deep model
# did better whichever way the metric points:
#
# $$
# \ell = \log\frac{\text{deep}}{\text{baseline}} \text{ (higher is better)}, \qquad
# \ell = \log\frac{\text{baseline}}{\text{deep}} \text{ (lower is better)}.
# $$
#
# A win and a loss by the same factor now have the same size: halving the error gives
# $\ell = \log 2 \approx 0.69$, doubling it $-0.69$. For small gaps $\ell$ is close to the
# relative difference ($\ell = 0.05$ is about 5%).
#
# The log ratio says how large a gap is, not whether it is real: that depends on the test
# set's size and on how noisy the metric is, which differ from chapter to chapter. So this
# table calls **no verdict of its own**. Where a chapter tested its headline comparison
# and glued the outcome, we read that sentence back verbatim (with the chapter's own test,
# level and p-value) and sort it into *deep model significantly better*, *baseline
# significantly better* or *no significant difference*; where a chapter glued no test of
# its headline, the row says so and the chapter is the place to look.

# %%
# The glue key under which each chapter states the test of its headline comparison.
# Every sentence names the deep model first (checked below).
VERDICT_KEY = {
    "03_deep_learning_basics": "dl_auc_verdict_adam",  # paired bootstrap of the AUC difference, seed ensemble
    "04_cnn": "cnn_verdict",                          # HAC Diebold–Mariano on QLIKE, seed ensemble vs LHAR
    "05_rnn": "rnn_lstm_verdict",                     # HAC Diebold–Mariano on QLIKE, seed ensemble vs LHAR
    "06_autoencoders": "ae_verdict3",                 # HAC Diebold–Mariano on monthly RMSE, 3 factors
    "07_attention": "att_verdict",                    # HAC Diebold–Mariano on QLIKE, seed ensemble vs LHAR
    "08_credit_risk": "net_verdict",                  # corrected resampled t-test over the CV folds
    "09_market_risk": "verdict_fhs",                  # Diebold–Mariano on the pinball loss
    "10_default_prediction": "verdict_headline",      # paired test of the AUC difference
    "12_market_prediction": "mp12_verdict_best",      # test of the hit rates on the test year
    "13_trading_backtest": "bt13_ens_verdict",        # Diebold–Mariano, walk-forward hits
    "14_volatility_forecasting": "vol14_verdict_lstm",  # Diebold–Mariano on QLIKE
    "15_option_pricing": "head_verdict",              # paired bootstrap of squared errors, seed ensemble
    "16_heston_surrogate": "net_vs_poly_verdict",     # paired bootstrap over parameter sets, weakest seed
    "23_pretraining": "pt_ft_vs_lhar_small",          # HAC Diebold–Mariano, fine-tuned seed ensemble vs LHAR
}
NO_TEST = "no test of the headline glued; see the chapter"


def outcome(sentence: str) -> str:
    """Sort a chapter's glued verdict sentence (deep model named first) into one of three outcomes."""
    text = sentence.lower()
    if "significantly better" in text or "lying above zero" in text:
        return "deep model significantly better"
    if "significantly worse" in text or "lies below zero" in text:
        return "baseline significantly better"
    if "indistinguishable" in text or "cannot be told apart" in text or "exactly as" in text:
        return "no significant difference"
    raise ValueError(f"cannot read a verdict from {sentence!r}")


notebook_of = {Path(path).stem: path for path in chapter_paths()}
sentences, outcomes = [], []
for stem in table["chapter"]:
    key = VERDICT_KEY.get(stem)
    if key is None:
        sentences.append(NO_TEST)
        outcomes.append("not tested here")
        continue
    glued = headline.glued_values(notebook_of[stem])
    assert key in glued, f"{stem} no longer glues {key}: update VERDICT_KEY"
    sentences.append(str(glued[key]))
    outcomes.append(outcome(str(glued[key])))
table["chapter's test"] = sentences
table["outcome"] = outcomes
assert set(VERDICT_KEY) <= set(table["chapter"]), "a chapter in VERDICT_KEY glues no headline"

results = table.set_index(chapter)[["deep_model", "deep_score", "baseline_model",
                                     "baseline_score"]].copy()
results["log ratio"] = table["log_ratio"].round(DECIMALS).to_numpy()
results["chapter's test"] = table["chapter's test"].to_numpy()
results

# %% [markdown]
# ## The pattern
#
# We group the tasks into four families by the kind of data behind them: tabular credit
# data (a few thousand applicants with a noisy outcome), market *direction* and returns,
# market *volatility and risk*, and *smooth functions* (a pricing formula or a yield
# curve, with as much clean data as one cares to generate).

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
    "23_pretraining": "volatility and risk",
}
unknown = sorted(set(table["chapter"]) - set(FAMILY))
if unknown:
    raise ValueError(f"chapters without a family in this chapter's map: {unknown}")
table["family"] = table["chapter"].map(FAMILY)
OUTCOMES = ["deep model significantly better", "no significant difference",
            "baseline significantly better", "not tested here"]
summary = (table.groupby("family", sort=False)["outcome"].value_counts().unstack(fill_value=0)
           .reindex(columns=OUTCOMES, fill_value=0))
summary

# %%
counts = table["outcome"].value_counts()
credit = table[table["family"] == "tabular credit"]
best = table.loc[table["log_ratio"].idxmax()]
worst = table.loc[table["log_ratio"].idxmin()]

# %% tags=["remove-cell"]
glue("div_n_tasks", len(table), display=False)
glue("div_n_tested", int(len(table) - counts.get("not tested here", 0)), display=False)
glue("div_n_sig_deep", int(counts.get("deep model significantly better", 0)), display=False)
glue("div_n_nodiff", int(counts.get("no significant difference", 0)), display=False)
glue("div_n_sig_base", int(counts.get("baseline significantly better", 0)), display=False)
glue("div_n_untested", int(counts.get("not tested here", 0)), display=False)
glue("div_n_positive", int((table["log_ratio"] > 0).sum()), display=False)
glue("div_credit_n", len(credit), display=False)
glue("div_credit_positive", int((credit["log_ratio"] > 0).sum()), display=False)
glue("div_best_task", best["task"], display=False)
glue("div_best_chapter", best["chapter"][:2], display=False)
glue("div_best_model", best["deep_model"], display=False)
glue("div_best_family", best["family"], display=False)
glue("div_best_logratio", round(float(best["log_ratio"]), 2), display=False)
glue("div_best_factor", round(float(np.exp(best["log_ratio"])), 1), display=False)
glue("div_worst_task", worst["task"], display=False)
glue("div_worst_chapter", worst["chapter"][:2], display=False)
glue("div_worst_logratio", round(float(worst["log_ratio"]), 2), display=False)
glue("div_worst_factor", round(float(np.exp(-worst["log_ratio"])), 2), display=False)
for stem, sentence in zip(table["chapter"], table["chapter's test"], strict=True):
    if stem in VERDICT_KEY:
        glue(f"div_test_{stem[:2]}", sentence, display=False)

# %% [markdown]
# Across {glue:text}`div_n_tasks` head-to-head comparisons the deep model's score was the
# better one in {glue:text}`div_n_positive` (a positive log ratio). That count ignores
# noise; the tests are what decide. Of the {glue:text}`div_n_tested` comparisons whose
# chapter glued a test of the headline, the deep model was significantly better in
# {glue:text}`div_n_sig_deep`, the baseline significantly better in
# {glue:text}`div_n_sig_base`, and the test could not tell them apart in
# {glue:text}`div_n_nodiff`; {glue:text}`div_n_untested` chapters glue no such test (their
# own pages discuss how far to trust the gap). The largest gap in the deep model's favour
# was on the {glue:text}`div_best_task` task (chapter {glue:text}`div_best_chapter`,
# {glue:text}`div_best_model`; log ratio {glue:text}`div_best_logratio`, a factor of
# {glue:text}`div_best_factor` in the metric); the largest in the baseline's favour on
# {glue:text}`div_worst_task` (chapter {glue:text}`div_worst_chapter`; log ratio
# {glue:text}`div_worst_logratio`, a factor of {glue:text}`div_worst_factor`).

# %%
colours = dict(zip(["tabular credit", "market direction", "volatility and risk",
                    "smooth functions"], plots.PALETTE, strict=False))
marks = {"deep model significantly better": "+", "baseline significantly better": "−",
         "no significant difference": "=", "not tested here": "?"}
order = table.sort_values(["family", "log_ratio"])
fig, ax = plt.subplots(figsize=(7.5, 5.0))
labels = order["task"] + " (" + order["chapter"].str[:2] + ")"
ax.barh(labels, order["log_ratio"], color=order["family"].map(colours))
for y, (value, result) in enumerate(zip(order["log_ratio"], order["outcome"], strict=True)):
    ax.text(value + (0.03 if value >= 0 else -0.03), y, marks[result], va="center",
            ha="left" if value >= 0 else "right", fontsize=10)
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel("log ratio of scores (positive: deep model better)")
handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
ax.legend(handles, colours.keys(), loc="lower right", fontsize=8)
ax.set_title("+ / − / = : the chapter's own test; ? : no test glued", fontsize=9)
plt.show()

# %% [markdown]
# Bars to the right of zero are tasks where the deep model's score was better; the mark at
# the end of each bar is the outcome of the chapter's own test. Family by family, in the
# chapters' own words:
#
# - **Tabular credit.** The deep model's score was better in
#   {glue:text}`div_credit_positive` of {glue:text}`div_credit_n` comparisons. On German
#   credit, for the paired AUC interval, {glue:text}`div_test_03` ({doc}`03_deep_learning_basics`);
#   on Lending Club {glue:text}`div_test_10` ({doc}`10_default_prediction`); chapter 8
#   compares expected cost over cross-validation folds ({doc}`08_credit_risk`). Large
#   benchmarks find the same on tabular data: well-specified linear models and scorecards
#   are hard to beat {cite:p}`lessmann2015benchmarking,grinsztajn2022tree`.
# - **Market direction.** On the Smarket test year {glue:text}`div_test_12`
#   ({doc}`12_market_prediction`); walking forward over two decades,
#   {glue:text}`div_test_13` ({doc}`13_trading_backtest`). Weak-form efficiency
#   {cite:p}`fama1970efficient` says there should be little to find in past returns.
# - **Volatility and risk.** Volatility clusters, and every model here forecasts it; the
#   question is whether a network adds to the HAR family of {cite:t}`corsi2009har`. In the
#   volatility chapter, {glue:text}`div_test_14` ({doc}`14_volatility_forecasting`); for
#   the 1% Value-at-Risk quantile, {glue:text}`div_test_09` ({doc}`09_market_risk`). The
#   CNN, RNN and attention chapters compare their networks with HAR in their own pages
#   ({doc}`04_cnn`, {doc}`05_rnn`, {doc}`07_attention`).
# - **Smooth functions.** Where the target is a deterministic function and data can be
#   simulated without limit, the comparison is against a classical approximation (a
#   polynomial, PCA). These chapters glue no test of their headline; the size of the gap is
#   in the table and the figure, and the chapters discuss it ({doc}`06_autoencoders`,
#   {doc}`15_option_pricing`, {doc}`16_heston_surrogate`).
#
# This is the diversity the article foresees, stated as a procedure rather than a
# forecast: which model to use is decided task by task, by an out-of-sample test against
# the strongest classical model on the same data, not by the fashion.

# %% [markdown]
# ## How far to trust the table
#
# - Each row is one chapter's headline on its own data, split and metric. The log ratio
#   compares sizes of gaps across metrics, but not their reliability: a log ratio of 0.05
#   on a few hundred test days can be noise, and the same on a large simulated test grid
#   cannot. The intervals and tests are in the chapters; we repeat only the test sentences
#   they glue.
# - The chapters' tests differ (paired bootstrap, Diebold–Mariano with HAC variance) and so
#   do their levels and what "better" means; read each sentence with its chapter.
# - The table is only as complete as the chapters: every chapter that glues a headline is
#   included automatically, and a chapter without one is simply absent.

# %% [markdown]
# ## What we learned
#
# - Out of {glue:text}`div_n_tasks` comparisons the deep model's score was the better one
#   in {glue:text}`div_n_positive`; of the {glue:text}`div_n_tested` whose chapter tested
#   the headline, the deep model was significantly better in {glue:text}`div_n_sig_deep`,
#   the baseline in {glue:text}`div_n_sig_base`, and no difference was detected in
#   {glue:text}`div_n_nodiff`.
# - A symmetric measure (the log ratio) keeps wins and losses on the same scale; whether a
#   gap is real is a question for a test, not for a fixed tie band.
# - The largest gap in the deep model's favour, a factor of {glue:text}`div_best_factor`
#   in the metric, came on {glue:text}`div_best_task` (family: {glue:text}`div_best_family`).
# - Model diversity is not a trend to follow but a decision to make, task by task, with an
#   out-of-sample test against a strong baseline.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: div-ex-tie
# Earlier versions of this chapter called a "tie" whenever the two scores differed by less
# than 2%. Using the table above, which rows would such a band call a tie, and which of
# those did the chapter's own test call otherwise? Why can no single band serve an AUC on
# 250 applicants and a QLIKE over fifteen years of days?
# ```
#
# ```{solution} div-ex-tie
# :class: dropdown
# A 2% band corresponds to a log ratio within about ±0.02. Compare each such row with its
# test sentence: a gap of that size can be significant on a long daily series (many
# observations, a paired loss differential with small variance) and insignificant on a
# small test set. The noise in a metric depends on the number of test observations, on
# their dependence and on the metric itself, so the band that separates signal from noise
# is different for every row; the chapter's paired test (bootstrap for AUC,
# Diebold–Mariano for forecast losses) measures it directly.
# ```
#
# ```{exercise}
# :label: div-ex-new
# Add a row: pick any chapter without a headline comparison (say, loan pricing), decide on
# a deep model, a baseline and a metric, glue the seven `headline_*` values there, and
# re-execute both chapters. Which family does your task belong to? Glue a test of the
# comparison too, and add its key to `VERDICT_KEY`.
# ```
#
# ```{solution} div-ex-new
# :class: dropdown
# Glue `headline_task`, `headline_metric`, `headline_better` (`"higher"` or `"lower"`),
# `headline_deep_model`, `headline_deep_score`, `headline_baseline_model` and
# `headline_baseline_score` with `display=False`, then add the chapter to this chapter's
# `FAMILY` map (the chapter refuses to run with an unmapped row, so nothing is silently
# mis-grouped). For the test, glue `inference.verdict(result, better=..., names=(deep,
# baseline))` from a paired test of the two models on the same rows, and add the key to
# `VERDICT_KEY`: the sentence names the deep model first, as `outcome` expects.
# ```
