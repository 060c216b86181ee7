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
# (ai-in-finance)=
# # What "AI large models" means in finance, and what it does not
#
# The article this book follows calls AI large models (人工智能大模型) a core technology of
# financial technology. This chapter asks what the phrase means, where deep learning is
# actually at work in banks, markets and insurers, and why a book about it starts from
# small models on modest tables. It is written for anyone who will build, validate or buy
# a model in a financial institution, and it ends with a map of the book and its data.

# %% tags=["parameters"]
SEED = 2024  # seed of the random train/test splits
N_SPLITS = 100  # how many random splits of the German credit data to score
TEST_SIZE = 0.3  # share of the applicants held out in each split

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
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from finbook import data, explore, features, inference, plots, repro

repro.set_seed(SEED, keras=False)
plots.use_book_style()

# %% [markdown]
# ```{admonition} What the article says
# :class: note
# Sections 1.1 and 1.2 of the article define an AI large model as a machine-learning model
# trained on a large dataset, usually built with deep learning and neural networks. As
# computing power and data have grown, it says, such models have become a core technology
# of fintech and a support for the digital transformation of the financial industry. It
# names four uses: assessing the credit risk of customers from their credit and loan
# history (金融风险评估, risk assessment), predicting whether a borrower will default
# (金融违约预测, default prediction), forecasting market trends and price moves
# (金融市场预测, market prediction), and pricing financial products from their price
# history and market conditions (金融产品定价, product pricing). It gives no data, no sizes
# and no sources for these claims.
# ```
#
# ## Two meanings of "large model"
#
# The article's definition is broad: "trained on a large dataset, with deep learning and
# neural networks" covers almost every neural network ever fitted. More recently,
# 大模型 in Chinese and *large model* in English have come to mean something narrower, a
# **foundation model** {cite}`bommasani2021opportunities`: a network trained on broad data
# at scale, mostly by self-supervision on text, and then adapted to many downstream tasks.
# Large language models (LLMs) are the best-known kind.
#
# Finance has its own examples, and they show what "large" means in practice.
# BloombergGPT {cite}`wu2023bloomberggpt` is a language model with about
# {glue:text}`bbg_params_bn` billion parameters, trained on
# {glue:text}`bbg_fin_tokens_bn` billion tokens of financial text from Bloomberg's archives
# plus {glue:text}`bbg_pub_tokens_bn` billion tokens of general text. FinBERT
# {cite}`araci2019finbert` is far smaller: a BERT model further pre-trained on financial
# news and fine-tuned to read the sentiment of financial sentences. Both read **text**.
# The cell below puts BloombergGPT's training corpus beside the most used credit-scoring
# table, the German credit data of this book.

# %%
# Figures reported by Wu et al. (2023) for BloombergGPT: quoted, not computed here.
BLOOMBERGGPT = {"parameters": 50e9, "financial tokens": 363e9, "general tokens": 345e9}

credit = data.german_credit()
credit_values = credit.shape[0] * (credit.shape[1] - 1)  # applicants x attributes
tokens_per_value = (BLOOMBERGGPT["financial tokens"] + BLOOMBERGGPT["general tokens"]) / credit_values

quoted = {  # numbers quoted in the text
    "bbg_params_bn": f"{BLOOMBERGGPT['parameters'] / 1e9:.0f}",
    "bbg_fin_tokens_bn": f"{BLOOMBERGGPT['financial tokens'] / 1e9:.0f}",
    "bbg_pub_tokens_bn": f"{BLOOMBERGGPT['general tokens'] / 1e9:.0f}",
    "german_values": f"{credit_values:,}", "tokens_per_value_m": f"{tokens_per_value / 1e6:.0f}",
}
pd.Series({"German credit applicants": credit.shape[0], "attributes": credit.shape[1] - 1,
           "values": credit_values, "BloombergGPT tokens per value": round(tokens_per_value)})

# %% tags=["remove-cell"]
for key, value in quoted.items():
    glue(key, value, display=False)

# %% [markdown]
# The German credit table holds {glue:text}`german_values` values; BloombergGPT was trained
# on about {glue:text}`tokens_per_value_m` million tokens for each of them. That gap, more
# than any architecture, is what separates a foundation model from the models a credit
# team can build on its own applicants.
#
# ## Where deep learning is actually used
#
# Outside language models, deep learning in finance is a set of specific tools, each
# earning its place where the data are large, unstructured or simulated. The survey of
# {cite:t}`ozbayoglu2020deep` sorts the published work by financial application and by
# network type; the table keeps a few well-documented examples.
#
# | Where | Task | Data | A published example |
# |---|---|---|---|
# | Banks, lenders | credit scoring and default | applicant, bureau and transaction records (tables) | machine-learning delinquency forecasts from a bank's transaction and credit-bureau records {cite}`khandani2010consumer`; a benchmark of classifiers on credit-scoring data {cite}`lessmann2015benchmarking`; a deep network on a large panel of US mortgages {cite}`sirignano2016mortgage` |
# | Banks, card issuers | fraud detection | streams of card transactions, labels that arrive late | {cite}`dalpozzolo2018credit` |
# | Asset managers | return prediction, trading | firm characteristics and prices, monthly | neural networks and trees for the cross-section of US stock returns {cite}`gu2020empirical` |
# | Trading desks | pricing and hedging derivatives | option prices, simulated markets | learning networks that recover an option-pricing formula {cite}`hutchinson1994nonparametric`; deep hedging with transaction costs {cite}`buehler2019deep` |
# | Insurers | pricing and claims reserving | policy and claims tables | neural networks in actuarial models {cite}`wuthrich2023statistical` |
# | Everyone | reading documents and news | text | FinBERT {cite}`araci2019finbert`, BloombergGPT {cite}`wu2023bloomberggpt` |
#
# Two patterns stand out. Where the data are big or unstructured (text, transaction
# streams, a panel of mortgages observed month by month) or can be simulated at will (a
# hedging problem in a model market), deep networks do well. Where the data are a
# modest table, as in most credit files, careful comparisons find the older tools hard
# to beat: in the large credit-scoring benchmark of {cite:t}`lessmann2015benchmarking`,
# the classifiers that rank highest are *heterogeneous* ensembles, which combine models of
# different kinds (logistic regressions, trees, networks and others) rather than many
# trees alone, and logistic regression, the industry's standard scorecard, remains the
# reference every new method is measured against; across many tabular datasets of medium size {cite:t}`grinsztajn2022tree` find
# tree-based models still ahead of deep learning.
#
# Supervision points the same way. The US banking supervisors' guidance on model risk
# management, SR 11-7, is supervisory guidance rather than a regulation, but examiners
# expect banks to follow it: models should be validated by staff independent of their
# development, with an "effective challenge" of their conceptual soundness, ongoing
# monitoring and outcome analysis {cite}`federalreserve2011model`. The EU's AI
# Act classes systems that evaluate the creditworthiness of natural persons, or price
# life and health insurance, as *high-risk*, with duties of documentation, human
# oversight and transparency {cite}`europeanunion2024aiact`. A model that cannot be
# validated and explained should not be used for these decisions, however large it is.
#
# ## Why this book starts with small models
#
# The data a credit or market-risk team works with are tabular, modest and noisy. Here
# are the credit files of this book. Even the largest is small by any modern standard,
# and what a model of default learns from is not the rows but the defaults among them.

# %%
credit_files = {"german_credit": (credit, "class"), "credit_data": (data.credit_data(), "Status"),
                "lending_club": (data.lending_club(), "Class")}
sizes = pd.DataFrame({name: {"rows": len(frame), "bad": int((frame[target] == "bad").sum())}
                      for name, (frame, target) in credit_files.items()}).T
sizes["bad rate (%)"] = (100 * sizes["bad"] / sizes["rows"]).round(1)
display(sizes)

# %% tags=["remove-cell"]
for name, row in sizes.iterrows():
    glue(f"{name}_rows", f"{int(row['rows']):,}", display=False)
    glue(f"{name}_bad", f"{int(row['bad']):,}", display=False)
    glue(f"{name}_bad_rate", f"{row['bad rate (%)']:.1f}", display=False)

# %% [markdown]
# Lending Club's {glue:text}`lending_club_rows` loans contain
# {glue:text}`lending_club_bad` bad ones ({glue:text}`lending_club_bad_rate`%); the German
# credit data have {glue:text}`german_credit_bad` bad applicants out of
# {glue:text}`german_credit_rows`. With so few events, the first question is not which
# model to fit but how precisely *any* model's performance can be measured.
#
# ### How much does an out-of-sample score move?
#
# The book's main score for a credit model is the area under the ROC curve, the
# probability that the model ranks a randomly chosen bad applicant above a randomly
# chosen good one {cite}`hanley1982meaning`:
#
# $$
# \mathrm{AUC} = \Pr\left(s(x_{\text{bad}}) > s(x_{\text{good}})\right)
#   + \tfrac{1}{2}\Pr\left(s(x_{\text{bad}}) = s(x_{\text{good}})\right),
# $$ (auc-definition)
#
# where $s(x)$ is the model's score. An AUC of 0.5 is a coin toss, 1 a perfect ranking.
#
# We fit the simplest serious credit model, a logistic regression on all
# {glue:text}`n_attributes` attributes (numeric ones standardised and categorical ones one-hot encoded *inside*
# the pipeline, so that each split's test rows never touch the preprocessing), and score
# it on {glue:text}`n_splits` different random splits, each holding out
# {glue:text}`test_share`% of the applicants with the same bad rate. Beside it, on the
# very same splits, a logistic regression on only {glue:text}`n_scorecard` attributes:
# checking account, loan duration and credit history, the kind of short scorecard a bank
# could have written by hand.

# %%
X = credit.drop(columns="class")
y = (credit["class"] == "bad").astype(int)
SCORECARD = ["checking_status", "duration_months", "credit_history"]


def logistic(columns):
    """Preprocessing + logistic regression on the given columns, as one unfitted pipeline."""
    return make_pipeline(features.tabular_preprocessor(X[columns]),
                         LogisticRegression(solver="newton-cholesky", max_iter=1000))


models = {"all 20 attributes": logistic(list(X.columns)), "3 attributes": logistic(SCORECARD)}
scores = explore.repeated_split_scores(models, X, y, n_splits=N_SPLITS, test_size=TEST_SIZE, seed=SEED)
scores["difference"] = scores["all 20 attributes"] - scores["3 attributes"]
summary = scores.describe(percentiles=[0.05, 0.95]).T[["mean", "std", "min", "5%", "95%", "max"]]
summary.round(3)

# %%
full, diff = summary.loc["all 20 attributes"], summary.loc["difference"]
n_test = int(np.ceil(TEST_SIZE * len(y)))
n_test_bad = int(round(n_test * y.mean()))
hm_se = explore.hanley_mcneil_se(round(float(full["mean"]), 3), n_test_bad, n_test - n_test_bad)

counts = {"n_splits": N_SPLITS, "n_attributes": X.shape[1], "n_scorecard": len(SCORECARD),
          "test_share": round(100 * TEST_SIZE), "n_test": n_test, "n_test_bad": n_test_bad,
          "diff_losses": round(100 * (scores["difference"] < 0).mean())}
aucs = {"auc_mean": full["mean"], "auc_sd": full["std"], "auc_p5": full["5%"], "auc_p95": full["95%"],
        "auc_min": full["min"], "auc_max": full["max"], "auc_band": 1.96 * full["std"],
        "hm_se": hm_se, "hm_band": 1.96 * hm_se, "small_auc_mean": summary.loc["3 attributes", "mean"],
        "diff_mean": diff["mean"], "diff_sd": diff["std"],
        "pair_corr": scores["all 20 attributes"].corr(scores["3 attributes"])}

# Is the mean difference more than split-to-split noise? The splits overlap, so the naive
# paired t-test (which divides the variance by the number of splits) is far too confident;
# the corrected resampled t-test of Nadeau and Bengio adds n_test / n_train to 1 / J.
n_train = len(y) - n_test
naive = stats.ttest_1samp(scores["difference"], 0.0)
corrected = inference.corrected_resampled_ttest(scores["difference"], n_train=n_train, n_test=n_test)
ALPHA = 0.05
diff_words = inference.verdict(corrected, better="higher", alpha=ALPHA)
significant = corrected.pvalue < ALPHA
tests = {"naive_p": inference.format_pvalue(naive.pvalue), "naive_t": f"{naive.statistic:.1f}",
         "corrected_p": inference.format_pvalue(corrected.pvalue, alpha=ALPHA),
         "corrected_t": f"{corrected.statistic:.2f}", "alpha": f"{ALPHA}",
         "n_train": f"{n_train}", "inflation": f"{np.sqrt(corrected.correction * N_SPLITS):.1f}",
         "diff_verdict": diff_words.split(" (")[0],  # e.g. "indistinguishable from"
         "diff_real": "a difference the corrected test confirms" if significant
         else "a difference the corrected test cannot tell from split-to-split noise",
         "diff_gain": "a real gain" if significant else "a gain that the corrected test cannot confirm"}
pd.DataFrame({"t statistic": [naive.statistic, corrected.statistic],
              "p-value": [naive.pvalue, corrected.pvalue]},
             index=["naive paired t-test", "corrected resampled t-test"]).round(4)

# %% tags=["remove-cell"]
for key, value in counts.items():
    glue(key, f"{value}", display=False)
for key, value in aucs.items():
    glue(key, round(float(value), 3), display=False)
for key, value in tests.items():
    glue(key, value, display=False)

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
bins = np.linspace(scores[list(models)].min().min(), scores[list(models)].max().max(), 25)
for name in models:
    left.hist(scores[name], bins=bins, alpha=0.6, label=name)
left.set_xlabel("test AUC")
left.set_ylabel("number of splits")
left.set_title("The same models, different random splits")
left.legend()
right.hist(scores["difference"], bins=25, color=plots.PALETTE[2])
right.axvline(0, color="0.2", linestyle="--", linewidth=1)
right.set_xlabel("AUC(all 20) - AUC(3 attributes), same split")
right.set_ylabel("number of splits")
right.set_title("The paired difference")
plt.show()

# %% [markdown]
# The left panel is the same logistic regression on the same {glue:text}`german_credit_rows`
# applicants: only the random split changes. Its test AUC averages
# {glue:text}`auc_mean:.3f`, but a twentieth of the splits report less than
# {glue:text}`auc_p5:.3f` and another twentieth more than {glue:text}`auc_p95:.3f` (the full
# range is {glue:text}`auc_min:.3f` to {glue:text}`auc_max:.3f`). A paper or a vendor
# reporting a single split of these data could honestly report any of those numbers.
#
# Each test set holds {glue:text}`n_test` applicants, {glue:text}`n_test_bad` of them bad.
# The classic approximation of {cite:t}`hanley1982meaning` for the standard error of an
# AUC measured on such a sample,
#
# $$
# \mathrm{SE}^2 = \frac{A(1-A) + (n_1 - 1)(Q_1 - A^2) + (n_0 - 1)(Q_2 - A^2)}{n_1 n_0},
# \qquad Q_1 = \frac{A}{2 - A},\quad Q_2 = \frac{2A^2}{1 + A},
# $$ (hanley-mcneil)
#
# with $A$ the AUC, $n_1$ the bad and $n_0$ the good applicants in the test set, gives
# {glue:text}`hm_se:.3f`. The split-to-split standard deviation, {glue:text}`auc_sd:.3f`,
# is smaller because every split draws its test rows from the same
# {glue:text}`german_credit_rows` applicants, while {eq}`hanley-mcneil` treats the test
# set as a fresh sample of applicants, which is what a model meets in use. Either way, a
# single split pins this AUC down only to about ±{glue:text}`auc_band:.3f` (95%, from the
# splits) or ±{glue:text}`hm_band:.3f` (from the formula).
#
# That bounds what any model can be *shown* to gain on these data. The right panel
# compares the two models on the same splits. The full model scores
# {glue:text}`diff_mean:.3f` of AUC more than the short scorecard on average
# ({glue:text}`auc_mean:.3f` against {glue:text}`small_auc_mean:.3f`), and still the
# short scorecard wins in {glue:text}`diff_losses`% of the splits.
#
# Is that average gain real? The tempting test is a paired t-test on the
# {glue:text}`n_splits` differences, $t = \bar d / (s / \sqrt{J})$ with $J$ splits and $s$
# the standard deviation of the differences $d_j$. It gives $t =$
# {glue:text}`naive_t` and {glue:text}`naive_p`. It is wrong because it treats the splits
# as independent samples, and they are not: any two splits share most of their
# {glue:text}`n_train` training applicants and many test applicants, so their
# differences are positively correlated, and averaging {glue:text}`n_splits` correlated
# numbers removes far less noise than averaging {glue:text}`n_splits` independent ones.
# Adding more splits makes the naive $t$ grow without limit even though no new
# applicants are seen. {cite:t}`nadeau2003inference` correct the variance for this
# overlap:
#
# $$
# t = \frac{\bar d}{\sqrt{\left(\frac{1}{J} + \frac{n_{\text{test}}}{n_{\text{train}}}\right) s^2}},
# $$ (corrected-resampled-t)
#
# compared with a Student $t$ with $J - 1$ degrees of freedom. The second term does not
# shrink as $J$ grows; here it makes the standard error {glue:text}`inflation` times the
# naive one. The corrected test gives $t =$ {glue:text}`corrected_t` and
# {glue:text}`corrected_p`: at the {glue:text}`alpha` level the full model is
# {glue:text}`diff_verdict` the short scorecard, {glue:text}`diff_real`. A deep network that gains a
# point or two of AUC over a logistic regression on a table like this one has not
# shown anything unless it was compared on many paired splits, with the spread reported
# and a test that allows for the overlap.
# This is why the book's credit chapters use repeated cross-validation, paired
# comparisons and confidence intervals rather than one split, and why they always show
# a logistic regression beside the deep model.

# %% [markdown]
# ## A map of the book
#
# Every dataset of the book is real, ships with the book (or, for market series whose
# licence forbids redistribution, with an installed package) and is checked against a
# checksum before it is used; `data/README.md` gives each one's source, licence and known
# defects. `finbook.data.list_datasets()` is the catalogue:

# %%
catalogue = data.list_datasets().set_index("name")
with pd.option_context("display.max_colwidth", None):
    display(catalogue[["description", "rows", "period"]])

# %% [markdown]
# Each of the article's four application families gets its chapter in Part III, and
# each has its data. The question each family asks and the datasets that answer it:

# %%
book_map = pd.DataFrame([{"application": family, "中文": spec["chinese"], "question": spec["question"],
                          "datasets": ", ".join(spec["datasets"])}
                         for family, spec in explore.APPLICATIONS.items()]).set_index("application")
with pd.option_context("display.max_colwidth", None):
    display(book_map)

# %% [markdown]
# - **Risk assessment** (金融风险评估) scores loan applicants and decides at a cost: the
#   German credit data, with their published cost matrix, and a second credit sample,
#   `credit_data`.
# - **Default prediction** (金融违约预测) estimates a probability of default: Lending Club
#   loans, where the lender's own grade is the model to beat.
# - **Market prediction** (金融市场预测) forecasts returns and, more usefully, volatility:
#   daily S&P 500 and NASDAQ prices, the rebuilt ISLR `Smarket` table, the VIX, oil
#   prices and the Fama-French factors.
# - **Product pricing** (金融产品定价) values bonds and options: the US Treasury yield curve,
#   Moody's corporate bond yields, and the S&P 500 and VIX as the market behind
#   option prices (option prices themselves are simulated from a model, and labelled
#   so).
#
# The next chapter tours these data, one telling figure for each family. Part II then
# builds the article's algorithms (deep networks, CNNs, RNNs, autoencoders) on them, and
# Part III applies them to the four families, each time beside a simple baseline.
#
# ## What we learned
#
# - The article's "large model" means any deep network trained on a lot of data; today the
#   phrase means foundation models such as BloombergGPT, trained on about
#   {glue:text}`tokens_per_value_m` million tokens for each value in the German credit
#   table.
# - Deep learning is used in finance where data are large, unstructured or simulated
#   (text, transaction streams, mortgage panels, hedging in model markets); on modest
#   tables, benchmark studies find ensembles and logistic regression hard to beat
#   {cite:p}`lessmann2015benchmarking,grinsztajn2022tree`, and supervisors expect every
#   credit model to be validated and explained.
# - Our credit files are small: {glue:text}`german_credit_bad` bad applicants in German
#   credit, {glue:text}`lending_club_bad` bad loans ({glue:text}`lending_club_bad_rate`%) in
#   Lending Club.
# - On German credit, the same logistic regression scores anywhere from
#   {glue:text}`auc_p5:.3f` to {glue:text}`auc_p95:.3f` (5th to 95th percentile) across
#   random splits; a single split measures AUC only to about ±{glue:text}`auc_band:.3f`.
# - Model comparisons must be paired, repeated and tested with a test that knows the
#   splits overlap: a mean gain of {glue:text}`diff_mean:.3f` AUC over
#   {glue:text}`n_splits` splits looks overwhelming to the naive t-test
#   ({glue:text}`naive_p`) but is {glue:text}`diff_gain` ({glue:text}`corrected_p`), and
#   it reverses in {glue:text}`diff_losses`% of single splits.
#
# ## Exercises
#
# ```{exercise}
# :label: ai-ex-test-size
# Re-run this chapter with a smaller and a larger test share, for example
# `python -m finbook run 01_ai_in_finance -p TEST_SIZE 0.5 --output runs/` and the same
# with `0.2`. How do the mean and the spread of the test AUC change, and why do they move
# in the directions they do?
# ```
#
# ```{solution} ai-ex-test-size
# :class: dropdown
# A larger test share gives each AUC more test applicants, so it is measured more
# precisely: the spread across splits shrinks, roughly like one over the square root of
# the number of bad applicants in the test set, as {eq}`hanley-mcneil` predicts. At the
# same time the model is trained on fewer applicants, so its mean test AUC drops a
# little. A smaller test share does the opposite: a slightly better model, measured much
# less precisely. Repeated splits (or repeated cross-validation) get both: every
# applicant is used for training in most repetitions and for testing in some.
# ```
#
# ```{exercise}
# :label: ai-ex-paired
# Why is the standard deviation of the paired difference smaller than you would expect
# from the two models' own spreads? Compute the correlation between the two columns of
# `scores` and use the identity
# $\operatorname{Var}(A - B) = \operatorname{Var}A + \operatorname{Var}B - 2\operatorname{Cov}(A, B)$.
# ```
#
# ```{solution} ai-ex-paired
# :class: dropdown
# `scores["all 20 attributes"].corr(scores["3 attributes"])` is
# {glue:text}`pair_corr:.2f`: a split whose test set happens to be easy is easy for both
# models, and a hard one is hard for both. The covariance term removes that shared part,
# so the difference has a standard deviation of {glue:text}`diff_sd:.3f`, well below
# what two independent sets of splits would give. Comparing models on the same splits is
# a paired experiment, and pairing is what makes small gains detectable at all.
# ```
#
# ```{exercise}
# :label: ai-ex-boosting
# Add gradient-boosted trees to `models`, for example
# `make_pipeline(features.tabular_preprocessor(X), HistGradientBoostingClassifier(random_state=SEED))`
# from `sklearn.ensemble`, and run `explore.repeated_split_scores` again. Does the
# boosted model beat the full logistic regression on average, and in what share of the
# splits?
# ```
#
# ````{solution} ai-ex-boosting
# :class: dropdown
# ```python
# from sklearn.ensemble import HistGradientBoostingClassifier
#
# models["boosted trees"] = make_pipeline(features.tabular_preprocessor(X),
#                                         HistGradientBoostingClassifier(random_state=SEED))
# scores = explore.repeated_split_scores(models, X, y, n_splits=N_SPLITS,
#                                        test_size=TEST_SIZE, seed=SEED)
# gain = scores["boosted trees"] - scores["all 20 attributes"]
# gain.mean(), (gain > 0).mean()
# ```
# Decide with the corrected resampled t-test of this chapter, not with the mean alone:
# `inference.corrected_resampled_ttest(gain, n_train=n_train, n_test=n_test)`. On a
# thousand rows, expect the flexible model's extra variance to cost about as much as its
# extra flexibility buys: a mean gain near zero (or below it), a win in only some of the
# splits, and a p-value that cannot separate the two models. Run it and see whether
# your numbers agree; that is the starting point of the credit chapters.
# ````
