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
# (loan-pricing)=
# # Risk-based loan pricing on Lending Club
#
# What interest rate should a lender charge? Enough to pay for its money, the losses it
# expects, the cost of running the loan and a return on the capital it must hold against the
# losses it does not expect. This chapter builds that rate loan by loan from a default model
# fitted to {glue:text}`n_loans` Lending Club loans of early 2016, compares it with the rate Lending Club
# actually charged, and asks where the lender's price under- or over-stated the risk.

# %% tags=["parameters"]
SEED = 2024  # seeds the test split, the cross-validation folds and the bootstrap
LGD = 0.90  # loss given default, share of the exposure lost: the book's one value (chapters 8, 10, 17)
LGD_LOW = 0.60  # the optimistic loss given default of the book's sensitivity check (default-prediction chapter)
C_GRID = (0.01, 0.03, 0.1, 1.0)  # L2 strengths of the PD models, chosen by validation log loss
TEST_SHARE = 0.25  # share of the loans held out to test the chosen PD model (never used for a choice)
N_BOOT = 1000  # bootstrap resamples for the paired comparisons on the test loans
FUNDING_SPREAD = 0.01  # lender's funding cost above the Treasury yield (decimal per year)
OPERATING_COST = 0.01  # servicing and collection cost (decimal of the balance per year)
HURDLE_RATE = 0.12  # return required on the capital held against the loan (per year)
OBS_YEARS = 1.0  # assumed length (years) of the window over which "bad" was observed

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
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

from finbook import data, explore, features, inference, lending, metrics, plots, repro

repro.set_seed(SEED, keras=False)
plots.use_book_style()

# %% [markdown]
# ```{admonition} What the article says
# :class: note
# The seed article names loan pricing and insurance pricing as the two main kinds of
# financial product pricing, and shows one recipe for both: regress a column called `target`
# on the other columns of a table with a 32-16-1 ReLU network, and print a "loss" and an
# "accuracy". For a loan the obvious "target" is the interest rate the lender charged.
# ```
#
# ## The data
#
# `finbook.data.lending_club()` holds one row per personal loan funded through Lending Club
# in the first quarter of 2016: amount, term (36 or 60 months), the interest rate charged,
# Lending Club's own risk grade (A1, best, to G5), and the borrower's income, employment,
# credit utilisation, inquiries and delinquencies. The outcome `Class` is `bad` if the loan
# was charged off, in default or 21 to 120 days late when the data were collected.

# %%
loans = data.lending_club()
loans["bad"] = (loans["Class"] == "bad").astype(int)
loans["grade"] = loans["sub_grade"].astype(str).str[0]
loans[["funded_amnt", "term", "int_rate", "sub_grade", "annual_inc", "revol_util", "Class"]].head()

# %% tags=["remove-cell"]
glue("n_loans", f"{len(loans):,}", display=False)
glue("base_rate", round(100 * float(loans["bad"].mean()), 2), display=False)

# %%
by_term = loans.groupby("term", observed=True).agg(loans=("bad", "size"), bad_rate=("bad", "mean"),
                                                   mean_rate=("int_rate", "mean"))
by_term.round(4)

# %% tags=["remove-cell"]
glue("bad_36", round(100 * float(by_term.loc["term_36", "bad_rate"]), 1), display=False)
glue("bad_60", round(100 * float(by_term.loc["term_60", "bad_rate"]), 1), display=False)

# %% [markdown]
# {glue:text}`base_rate`% of the {glue:text}`n_loans` loans are bad: {glue:text}`bad_36`% of
# the 36-month loans and {glue:text}`bad_60`% of the 60-month ones. Two caveats from the data
# card (`data/README.md`) shape everything below. First, "bad" is not lifetime default: loans
# still running when the data were collected counted as good, and the collection date is not
# documented, so the bad rate is the share of loans that went bad within an unknown window,
# which understates lifetime default, more so for 60-month loans. Second, `int_rate` and
# `sub_grade` are Lending Club's own price and grade, the output of its model.
#
# ## The article's recipe: learning the rate card
#
# Regressing `int_rate` on the other columns, as the article would, learns how Lending Club
# priced, not what the loans were worth. Lending Club's rate is a table lookup: within one
# quarter, the sub-grade fixes the rate.

# %%
grade_means = loans.groupby("sub_grade", observed=True)["int_rate"].transform("mean")
r2_grade = 1 - np.sum((loans["int_rate"] - grade_means) ** 2) / np.sum(
    (loans["int_rate"] - loans["int_rate"].mean()) ** 2)
loans.groupby("sub_grade", observed=True)["int_rate"].agg(["count", "mean", "std"]).head(8).round(3)

# %% tags=["remove-cell"]
glue("r2_grade", round(100 * float(r2_grade), 2), display=False)

# %% [markdown]
# The sub-grade alone explains {glue:text}`r2_grade`% of the variance of the rate. A network
# fitted to `int_rate` would at best rediscover that table, mispricings included: its target
# *is* the lender's decision. It cannot say whether the {glue:text}`rate_g`% charged on a
# G-grade loan pays for its risk. Pricing needs a different question, answered with the outcome column: how likely is
# each loan to go bad, and what rate covers that?
#
# ## Doing it right: the rate a lender needs
#
# Lend 1 for a year. The lender funds it with debt at rate $f$ and with equity $k$ (the capital
# held against unexpected losses) on which shareholders want a return $h$; running the loan
# costs $c$. With probability $p$ (the one-year probability of default) the borrower defaults
# and the lender loses a fraction $\mathrm{LGD}$ of the loan; otherwise it receives $1 + r$.
# Setting expected receipts equal to costs,
#
# $$
# \begin{aligned}
# r &= \frac{f + k\,(h - f) + c + p\,\mathrm{LGD}}{1 - p}\\
#   &\approx \underbrace{f}_{\text{funding}} + \underbrace{p\,\mathrm{LGD}}_{\text{expected loss}}
#   + \underbrace{c}_{\text{operating cost}} + \underbrace{k\,(h - f)}_{\text{return on capital}}.
# \end{aligned}
# $$ (loan-rate)
#
# Every term needs an assumption. The cost of funds comes from real data: the US Treasury
# curve averaged over the first quarter of 2016, read at the loan's average life (an
# amortising loan repays principal every month, so its money comes back well before the end
# of the term), plus a funding spread.

# %%
curve = data.treasury_curve().loc["2016-01-01":"2016-03-31"].mean()
maturity_years = np.array([data.MATURITY_YEARS[c] for c in curve.index])
loans["average_life"] = lending.amortizing_average_life(loans["int_rate"] / 100,
                                                        np.where(loans["term"] == "term_36", 36, 60))
loans["funding"] = np.interp(loans["average_life"], maturity_years, curve.to_numpy()) / 100 + FUNDING_SPREAD
funding = loans.groupby("term", observed=True)[["average_life", "funding"]].mean()
curve.to_frame("Treasury yield, 2016Q1 average (%)").T.round(2)

# %% tags=["remove-cell"]
glue("life_36", round(float(funding.loc["term_36", "average_life"]), 2), display=False)
glue("life_60", round(float(funding.loc["term_60", "average_life"]), 2), display=False)
glue("fund_36", round(100 * float(funding.loc["term_36", "funding"]), 2), display=False)
glue("fund_60", round(100 * float(funding.loc["term_60", "funding"]), 2), display=False)
for name, value in {"spread_pct": FUNDING_SPREAD, "lgd_pct": LGD, "opex_pct": OPERATING_COST,
                    "hurdle_pct": HURDLE_RATE}.items():
    glue(name, f"{100 * value:g}", display=False)
glue("obs_years", OBS_YEARS, display=False)
glue("lgd_low_pct", f"{100 * LGD_LOW:g}", display=False)
glue("lgd_low_recovered_pct", f"{100 * (1 - LGD_LOW):g}", display=False)

# %% [markdown]
# | Input | Assumption | Why |
# |---|---|---|
# | cost of funds $f$ | Treasury yield at the loan's average life + {glue:text}`spread_pct` pp: {glue:text}`fund_36`% for 36-month loans (average life {glue:text}`life_36` years), {glue:text}`fund_60`% for 60-month loans ({glue:text}`life_60` years) | what the lender pays for money of that horizon |
# | loss given default | {glue:text}`lgd_pct`% of the exposure | unsecured consumer loans: Lending Club states that recoveries on charged-off loans are infrequent {cite}`lendingclub_chargedoff`; the credit-risk and default-prediction chapters use the same value, and the book's one sensitivity value, {glue:text}`lgd_low_pct`%, is tried below |
# | operating cost $c$ | {glue:text}`opex_pct`% of the balance a year | servicing and collection |
# | capital $k$ | Basel II IRB, "other retail" | the regulatory capital a bank would hold against the loan |
# | hurdle rate $h$ | {glue:text}`hurdle_pct`% a year | the return shareholders require on that capital |
# | PD horizon | the bad flag covers {glue:text}`obs_years` year(s) | the collection date is not documented: an assumption, varied below |
#
# Capital follows the Basel II formula for "other retail" exposures {cite}`bcbs2006international`:
# the loss in a one-in-a-thousand year, given the one-year PD and a correlation that falls as
# PD rises, minus the expected loss already charged for. `finbook.lending.basel_retail_capital`
# reproduces the risk weights published in the framework's Annex 5 (tested). The one-year PD
# comes from the probability of going bad within the observation window,
# $p_{1y} = 1 - (1 - p_{\text{window}})^{1/\text{years}}$ (a constant default intensity).
#
# ## A calibrated model of default, chosen on validation data
#
# The PD model is a logistic regression in a scikit-learn pipeline (numeric columns
# standardised, categorical ones one-hot encoded), as in the book's default-prediction
# chapter: $p = \sigma(\beta_0 + \beta^\top x)$, fitted by minimising the log loss
# $-\frac1n\sum_i [y_i \log p_i + (1 - y_i)\log(1 - p_i)]$ plus an L2 penalty
# $\lVert\beta\rVert^2 / (2Cn)$. Without class re-weighting its probabilities are on the scale of
# the observed bad rate, which is what pricing needs. Which columns should it see, and how
# strong should the penalty be? A fair contest needs the strongest simple rivals on the same
# rows, so the candidates include Lending Club's own risk measures used alone:
#
# - **interest rate alone** and **sub-grade alone**: Lending Club's price and grade, the
#   output of its model; the baselines any default model must beat;
# - **borrower data**: the borrower's own columns, without the lender's grade or price;
# - **borrower data + sub-grade rank**: adds the sub-grade as a number (1 for A1 to 35 for G5),
#   so the log-odds are *linear* in the grade;
# - **borrower data + sub-grade rank + grade**: adds one level per grade letter A–G, so each
#   grade gets its own intercept and the log-odds can follow the bad rate's uneven climb.
#
# The decisions are made on validation data; the loans that judge them play no part in them.
# We hold out {glue:text}`test_pct`% of the loans as a test set (stratified by the outcome).
# On the other {glue:text}`dev_pct`%, the development loans, every candidate is fitted for
# each penalty `C` = {glue:text}`c_grid` by stratified five-fold cross-validation
# (`lending.out_of_fold_pd`: each loan's probability comes from a model fitted on the other
# four folds), and the out-of-fold predictions, the validation data, choose both the `C` of
# each candidate and the candidate: the one with the lowest log loss is chosen, since pricing
# needs probabilities, not only a ranking. The strongest baseline is whichever of the two
# Lending Club columns has the higher validation AUC.

# %%
loans["grade_rank"] = loans["sub_grade"].cat.codes + 1
borrower = [c for c in loans.columns
            if c not in ("Class", "bad", "int_rate", "sub_grade", "grade", "grade_rank", "average_life", "funding")]
CANDIDATES = {  # the columns each candidate PD model sees
    "interest rate alone": ["int_rate"],
    "sub-grade alone": ["sub_grade"],
    "borrower data": borrower,
    "borrower data + sub-grade rank": [*borrower, "grade_rank"],
    "borrower data + sub-grade rank + grade": [*borrower, "grade_rank", "grade"],
}
BASELINES = ["interest rate alone", "sub-grade alone"]
dev_rows, test_rows = train_test_split(loans.index, test_size=TEST_SHARE, stratify=loans["bad"], random_state=SEED)
dev, test = loans.loc[dev_rows], loans.loc[test_rows]

validation = {(name, C): lending.out_of_fold_pd(dev[[*cols, "Class"]], "Class", "bad", seed=SEED, C=C)
              for name, cols in CANDIDATES.items() for C in C_GRID}
val_loss = pd.DataFrame({name: {C: metrics.log_loss(dev["bad"], validation[(name, C)]) for C in C_GRID}
                         for name in CANDIDATES}).rename_axis("C")
best_c = val_loss.idxmin()
candidates = pd.DataFrame({
    "C": best_c,
    "validation log loss": val_loss.min(),
    "validation AUC": [metrics.roc_auc(dev["bad"], validation[(name, best_c[name])]) for name in CANDIDATES]})
chosen = candidates["validation log loss"].idxmin()
baseline = candidates.loc[BASELINES, "validation AUC"].idxmax()
# pricing from Lending Club's own price would be circular: the rate may only serve as a baseline
assert chosen != "interest rate alone", candidates
candidates.round(4)

# %% tags=["remove-cell"]
glue("test_pct", round(100 * TEST_SHARE), display=False)
glue("dev_pct", round(100 * (1 - TEST_SHARE)), display=False)
glue("c_grid", ", ".join(f"{c:g}" for c in C_GRID), display=False)
glue("n_bad", int(loans["bad"].sum()), display=False)
glue("chosen", chosen, display=False)
glue("baseline", baseline, display=False)
glue("best_c_chosen", f"{best_c[chosen]:g}", display=False)
glue("val_auc_borrower", round(float(candidates.loc["borrower data", "validation AUC"]), 3), display=False)
glue("val_auc_rate", round(float(candidates.loc["interest rate alone", "validation AUC"]), 3), display=False)
glue("val_auc_sub", round(float(candidates.loc["sub-grade alone", "validation AUC"]), 3), display=False)
glue("val_ll_chosen", round(float(candidates.loc[chosen, "validation log loss"]), 4), display=False)
glue("val_ll_rate", round(float(candidates.loc["interest rate alone", "validation log loss"]), 4), display=False)

# %% [markdown]
# The validation loans choose **{glue:text}`chosen`** (`C` = {glue:text}`best_c_chosen`); the
# strongest baseline is the **{glue:text}`baseline`** (validation AUC
# {glue:text}`val_auc_rate` for the rate, {glue:text}`val_auc_sub` for the sub-grade). The
# borrower's own data reach a validation AUC of only {glue:text}`val_auc_borrower`:
# the lender knew more than this file holds (credit scores, debt-to-income, the full credit
# report), and its grade and price carry that knowledge.
#
# Now the test: both the chosen model and the baseline are refitted on all development loans
# with their chosen `C` and scored once on the {glue:text}`n_test` test loans, which played no
# part in any choice. A paired bootstrap resamples the test loans
# ({glue:text}`n_boot` times, the same resample for both models) to put an interval and a
# p-value on the differences in AUC and in log loss.

# %%
def fit_and_predict(columns, C):
    """Fit the PD pipeline on the development loans; return its probabilities for the test loans."""
    model = make_pipeline(features.tabular_preprocessor(dev[columns]), LogisticRegression(C=C, max_iter=5000))
    with threadpool_limits(limits=1, user_api="blas"):  # one BLAS thread: sums in a fixed order
        model.fit(dev[columns], dev["bad"])
        return model.predict_proba(test[columns])[:, 1]


pd_test = {name: fit_and_predict(CANDIDATES[name], best_c[name]) for name in dict.fromkeys([chosen, *BASELINES])}
test_scores = pd.DataFrame({name: metrics.classification_summary(test["bad"], p) for name, p in pd_test.items()}).T
vs_baseline_auc = metrics.paired_bootstrap_test(metrics.roc_auc, test["bad"], pd_test[chosen], pd_test[baseline],
                                                n_boot=N_BOOT, seed=SEED)
vs_baseline_loss = metrics.paired_bootstrap_test(metrics.log_loss, test["bad"], pd_test[chosen], pd_test[baseline],
                                                 n_boot=N_BOOT, seed=SEED)
# the next paragraph reads the AUC comparison as inconclusive: it must be
assert vs_baseline_auc.pvalue >= 0.05, vs_baseline_auc
test_scores[["ROC AUC", "log loss", "Brier", "base rate"]].round(4)

# %% tags=["remove-cell"]
glue("n_test", f"{len(test):,}", display=False)
glue("n_test_bad", int(test["bad"].sum()), display=False)
glue("n_boot", f"{N_BOOT:,}", display=False)
glue("auc_grade", round(float(test_scores.loc[chosen, "ROC AUC"]), 3), display=False)
glue("auc_rate", round(float(test_scores.loc["interest rate alone", "ROC AUC"]), 3), display=False)
glue("auc_sub", round(float(test_scores.loc["sub-grade alone", "ROC AUC"]), 3), display=False)
glue("diff_vs_rate", round(vs_baseline_auc.estimate, 4), display=False)
glue("diff_vs_rate_lo", round(vs_baseline_auc.lower, 4), display=False)
glue("diff_vs_rate_hi", round(vs_baseline_auc.upper, 4), display=False)
glue("verdict_vs_rate", inference.verdict(vs_baseline_auc, better="higher",
                                          names=("in AUC, the chosen model", f"the {baseline}")), display=False)
glue("verdict_loss_vs_rate", inference.verdict(vs_baseline_loss, better="lower",
                                               names=("in log loss, the chosen model", f"the {baseline}")),
     display=False)

# %% [markdown]
# On the test loans the chosen model's AUC is {glue:text}`auc_grade`, against
# {glue:text}`auc_rate` for the interest rate alone and {glue:text}`auc_sub` for the
# sub-grade alone. The difference from the {glue:text}`baseline` is {glue:text}`diff_vs_rate`
# (95% paired bootstrap interval {glue:text}`diff_vs_rate_lo` to {glue:text}`diff_vs_rate_hi`):
# {glue:text}`verdict_vs_rate`; {glue:text}`verdict_loss_vs_rate`. With only
# {glue:text}`n_test_bad` bad loans among the test loans, an AUC difference of a hundredth
# cannot be told from noise. The honest reading: for *ranking* loans, the borrower data in this
# file, even with the grade beside them, add nothing we can detect to what Lending Club's own
# price already knew. What the model
# offers the pricing below is different: a probability for each loan that does not read the
# price being judged, and, as the next checks show, one that is calibrated grade by grade.
#
# For pricing, every loan needs a PD from a model that never saw it. With the candidate and
# `C` now fixed, we refit the chosen specification by five-fold cross-validation on *all*
# loans (`lending.out_of_fold_pd`), and do the same for the candidate with the linear
# sub-grade rank, to see what the grade levels change. The calibration plot checks the
# probabilities decile by decile:

# %%
pd_model = lending.out_of_fold_pd(loans[[*CANDIDATES[chosen], "Class"]], "Class", "bad", seed=SEED, C=best_c[chosen])
linear = "borrower data + sub-grade rank"
pd_linear = lending.out_of_fold_pd(loans[[*CANDIDATES[linear], "Class"]], "Class", "bad", seed=SEED,
                                   C=best_c[linear])
calibration = metrics.calibration_table(loans["bad"], pd_model, bins=10)
fig, ax = plt.subplots()
ax.plot([0, 0.3], [0, 0.3], color="grey", linewidth=1, label="perfect calibration")
ax.plot(calibration["mean_predicted"], calibration["observed_rate"], marker="o",
        label=f"{chosen} (out of fold)")
ax.set_xlabel("mean predicted probability of going bad (decile)")
ax.set_ylabel("observed bad rate")
ax.legend()
plt.show()

# %% tags=["remove-cell"]
glue("mean_pd", round(100 * float(pd_model.mean()), 2), display=False)
glue("cal9_pred", round(100 * float(calibration["mean_predicted"].iloc[8]), 1), display=False)
glue("cal9_obs", round(100 * float(calibration["observed_rate"].iloc[8]), 1), display=False)

# %% [markdown]
# The mean PD is {glue:text}`mean_pd`%, the base rate, as a calibrated model's should be, and
# the deciles lie close to the diagonal: in the ninth decile, for example, the model predicts
# {glue:text}`cal9_pred`% on average and {glue:text}`cal9_obs`% of the loans went bad.
# Pricing is done grade by grade, so the check that matters most is by grade, and above all
# in the thin grades F and G. Below, each grade's mean PD under both models beside the
# observed bad rate and its 95% Wilson interval (`explore.wilson_interval`), which, unlike
# the textbook $\hat p \pm 1.96\sqrt{\hat p(1-\hat p)/n}$, stays inside $[0, 1]$ and keeps close
# to its stated coverage when a grade holds few loans, as grade G does:

# %%
by_letter = loans.assign(linear=pd_linear, chosen=pd_model).groupby("grade").agg(
    loans=("bad", "size"), bad=("bad", "sum"), observed=("bad", "mean"),
    linear=("linear", "mean"), chosen=("chosen", "mean"))
by_letter["95% low"], by_letter["95% high"] = explore.wilson_interval(by_letter["bad"].to_numpy(),
                                                                      by_letter["loans"].to_numpy())
excess = by_letter[["linear", "chosen"]].sub(by_letter["observed"], axis=0)  # predicted minus observed
outside = {m: by_letter.index[(by_letter[m] < by_letter["95% low"]) | (by_letter[m] > by_letter["95% high"])].tolist()
           for m in ("linear", "chosen")}
# the claims of the next paragraph: the linear-rank model over-predicts F and G; the grade levels bring
# both closer to the observed rate, and the chosen model's mean PD lies inside every grade's interval
assert (excess.loc[["F", "G"], "linear"] > 0).all() and (
    excess.loc[["F", "G"], "chosen"].abs() < excess.loc[["F", "G"], "linear"]).all(), excess
assert not outside["chosen"] and not {"F", "G"} & set(outside["linear"]), outside
shown = 100 * by_letter[["observed", "95% low", "95% high", "linear", "chosen"]]
shown.columns = ["observed bad %", "95% low", "95% high", "mean PD %, linear rank", "mean PD %, chosen"]
shown.join(by_letter[["loans", "bad"]]).round(2)

# %% tags=["remove-cell"]
glue("outside_linear", ", ".join(outside["linear"]) or "none", display=False)
for g in ("A", "F", "G"):
    glue(f"pd_{g}", round(100 * float(by_letter.loc[g, "chosen"]), 1), display=False)
    glue(f"pd_lin_{g}", round(100 * float(by_letter.loc[g, "linear"]), 1), display=False)
    glue(f"excess_lin_{g}", round(100 * float(excess.loc[g, "linear"]), 1), display=False)
    glue(f"excess_{g}", round(100 * float(excess.loc[g, "chosen"]), 1), display=False)
    glue(f"obs_{g}", round(100 * float(by_letter.loc[g, "observed"]), 1), display=False)
    glue(f"obs_{g}_lo", round(100 * float(by_letter.loc[g, "95% low"]), 1), display=False)
    glue(f"obs_{g}_hi", round(100 * float(by_letter.loc[g, "95% high"]), 1), display=False)

# %% [markdown]
# The model that is linear in the sub-grade rank over-predicts the worst grades: in grade F
# it predicts {glue:text}`pd_lin_F`% against an observed {glue:text}`obs_F`% (95% interval
# {glue:text}`obs_F_lo`–{glue:text}`obs_F_hi`%), {glue:text}`excess_lin_F` points too high;
# in grade G {glue:text}`pd_lin_G`% against {glue:text}`obs_G`%
# ({glue:text}`obs_G_lo`–{glue:text}`obs_G_hi`%), {glue:text}`excess_lin_G` points too high;
# and in grade A {glue:text}`pd_lin_A`% against {glue:text}`obs_A`%
# ({glue:text}`obs_A_lo`–{glue:text}`obs_A_hi`%). Grades where its mean PD falls outside the
# interval: {glue:text}`outside_linear`. The cause is the functional form: one slope in the
# rank cannot follow a bad rate that climbs slowly from A to B, then steeply, and a logistic
# curve fitted to the middle grades overshoots at both ends. Giving each grade its own level
# removes it: the chosen model predicts {glue:text}`pd_F`% in F (predicted minus observed:
# {glue:text}`excess_F` points), {glue:text}`pd_G`% in G ({glue:text}`excess_G` points) and
# {glue:text}`pd_A`% in A, and its mean PD lies inside the interval in each of the seven
# grades (the cell asserts both). In F and G the over-prediction of the linear model was inside the intervals
# too, so the data alone could not have proved it; but it was systematic, the same sign at
# both ends, and a lender would have charged it to the worst borrowers (the next section
# measures how much). We price with the chosen model.
#
# ## The model's rate against the rate charged
#
# Each loan now gets its own break-even rate from {eq}`loan-rate`: its out-of-fold PD,
# annualised, its Basel capital, its funding cost (`lending.risk_based_rate`). Beside it, for
# each sub-grade, the rate that the *realised* bad rate would have required, with hindsight,
# and Lending Club's rate.

# %%
rate_args = {"window_years": OBS_YEARS, "lgd": LGD, "operating_cost": OPERATING_COST,
             "hurdle_rate": HURDLE_RATE}
loans["pd"] = pd_model
loans["model_rate"] = 100 * lending.risk_based_rate(loans["pd"], funding_rate=loans["funding"], **rate_args)
by_sub = loans.groupby("sub_grade", observed=True).agg(
    loans=("bad", "size"), bad=("bad", "sum"), bad_rate=("bad", "mean"), mean_pd=("pd", "mean"),
    lc_rate=("int_rate", "mean"), funding=("funding", "mean"))
by_sub["model_rate"] = 100 * lending.risk_based_rate(by_sub["mean_pd"], funding_rate=by_sub["funding"],
                                                     **rate_args)
interval = np.array([stats.binomtest(int(k), int(n)).proportion_ci(0.95) for k, n in
                     zip(by_sub["bad"], by_sub["loans"], strict=True)])
for name, p in [("hindsight_rate", by_sub["bad_rate"]), ("hindsight_lo", interval[:, 0]),
                ("hindsight_hi", interval[:, 1])]:
    by_sub[name] = 100 * lending.risk_based_rate(np.minimum(p, 0.99), funding_rate=by_sub["funding"], **rate_args)

fig, axes = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True, height_ratios=[2, 1])
x = np.arange(len(by_sub))
axes[0].plot(x, by_sub["lc_rate"], marker="o", label="Lending Club's rate (int_rate)")
axes[0].plot(x, by_sub["model_rate"], marker="s", label="break-even at the model's mean PD")
axes[0].errorbar(x, by_sub["hindsight_rate"], yerr=[by_sub["hindsight_rate"] - by_sub["hindsight_lo"],
                 by_sub["hindsight_hi"] - by_sub["hindsight_rate"]], fmt="none", ecolor="grey", alpha=0.6)
axes[0].plot(x, by_sub["hindsight_rate"], "k.", label="break-even at the realised bad rate (95% interval)")
axes[0].set_ylabel("annual rate (%)")
axes[0].set_ylim(0, 60)
axes[0].legend()
axes[1].bar(x, 100 * by_sub["bad_rate"], color=plots.PALETTE[2])
axes[1].set_ylabel("realised bad rate (%)")
axes[1].set_xticks(x, by_sub.index.astype(str), rotation=90, fontsize=7)
axes[1].set_xlabel("Lending Club sub-grade")
plt.show()

# %% tags=["remove-cell"]
glue("lc_min", round(float(by_sub["lc_rate"].min()), 1), display=False)
glue("lc_max", round(float(by_sub["lc_rate"].max()), 1), display=False)
glue("n_sub", len(by_sub), display=False)

# %% [markdown]
# Top: Lending Club's rate climbs steadily from {glue:text}`lc_min`% to {glue:text}`lc_max`%
# across the {glue:text}`n_sub` sub-grades. The break-even rate, whether from the model's PD
# (squares) or from the realised bad rate (dots, with 95% intervals that widen where loans
# are few), climbs faster: below Lending Club's rate for the best grades, above it for the
# worst. Bottom: the realised bad rate, from {glue:text}`bad_a`% in grade A to
# {glue:text}`bad_g`% in grade G. By grade:

# %%
by_grade = loans.groupby("grade").agg(loans=("bad", "size"), bad_rate=("bad", "mean"), mean_pd=("pd", "mean"),
                                      lc_rate=("int_rate", "mean"), funding=("funding", "mean"))
by_grade["model_rate"] = 100 * lending.risk_based_rate(by_grade["mean_pd"], funding_rate=by_grade["funding"],
                                                       **rate_args)
by_grade["hindsight_rate"] = 100 * lending.risk_based_rate(by_grade["bad_rate"], funding_rate=by_grade["funding"],
                                                           **rate_args)
by_grade["lc_minus_hindsight"] = by_grade["lc_rate"] - by_grade["hindsight_rate"]
# what the model linear in the sub-grade rank, with its over-predicted F and G, would have charged
linear_rate = pd.Series(100 * lending.risk_based_rate(by_letter.loc[by_grade.index, "linear"].to_numpy(),
                                                      funding_rate=by_grade["funding"].to_numpy(), **rate_args),
                        index=by_grade.index)
by_grade[["bad_rate", "mean_pd"]] *= 100
under = by_grade.index[by_grade["lc_minus_hindsight"] < 0].tolist()
margins = by_grade.loc[[g for g in by_grade.index if g not in under], "lc_minus_hindsight"]
by_grade.drop(columns="funding").rename(columns={
    "bad_rate": "bad %", "mean_pd": "mean PD %", "lc_rate": "LC rate %", "model_rate": "model rate %",
    "hindsight_rate": "hindsight %", "lc_minus_hindsight": "LC − hindsight"}).round(2)

# %% tags=["remove-cell"]
glue("under_grades", " and ".join(under) if under else "none", display=False)
glue("margin_lo", round(float(margins.min()), 1), display=False)
glue("margin_hi", round(float(margins.max()), 1), display=False)
glue("gap_g", round(float(-by_grade.loc["G", "lc_minus_hindsight"]), 1), display=False)
glue("rate_g", round(float(by_grade.loc["G", "lc_rate"]), 1), display=False)
glue("hind_g", round(float(by_grade.loc["G", "hindsight_rate"]), 1), display=False)
glue("bad_a", round(float(by_grade.loc["A", "bad_rate"]), 2), display=False)
glue("bad_g", round(float(by_grade.loc["G", "bad_rate"]), 1), display=False)
glue("lin_gap_F", round(float(linear_rate["F"] - by_grade.loc["F", "model_rate"]), 1), display=False)
glue("lin_gap_G", round(float(linear_rate["G"] - by_grade.loc["G", "model_rate"]), 1), display=False)
glue("model_cheaper", ", ".join(by_grade.index[by_grade["model_rate"] < by_grade["lc_rate"]]) or "none",
     display=False)
glue("model_dearer", ", ".join(by_grade.index[by_grade["model_rate"] >= by_grade["lc_rate"]]) or "none",
     display=False)

# %% [markdown]
# Under our assumptions, Lending Club's rate exceeded the break-even rate by between
# {glue:text}`margin_lo` and {glue:text}`margin_hi` percentage points in each of the grades
# it priced above break-even, a fairly steady margin, and fell short of it in grade(s)
# {glue:text}`under_grades`: grade G loans paid {glue:text}`rate_g`% when their realised bad
# rate required {glue:text}`hind_g`%, a shortfall of {glue:text}`gap_g` points. Lending
# Club's price curve is flatter than the risk curve, and at the bottom of the scale the price
# under-stated the risk. The model's break-even rate, at the grade's mean out-of-fold PD,
# tells the same story before the fact: a lender with this model would have charged less
# than Lending Club in grades {glue:text}`model_cheaper` and more in grades
# {glue:text}`model_dearer`. Had it priced with the model that is linear in the sub-grade
# rank, its over-predicted PDs would have added {glue:text}`lin_gap_F` points to the
# break-even rate of grade F and {glue:text}`lin_gap_G` points to that of grade G: the
# expected loss, the capital and the $1/(1-p)$ of {eq}`loan-rate` all grow with the PD.
#
# How much of that depends on our assumptions? The biggest one is the length of the window
# over which "bad" was observed: a longer window means the same bad rate is spread over more
# years, a lower annual PD and a lower break-even rate.

# %%
windows = (0.5, 1.0, 2.0)
sensitivity = pd.DataFrame({
    f"break-even, {years:g}-year window": 100 * lending.risk_based_rate(
        by_grade["bad_rate"].to_numpy() / 100, funding_rate=by_grade["funding"].to_numpy(),
        **{**rate_args, "window_years": years}) for years in windows}, index=by_grade.index)
sensitivity[f"break-even, 1-year window, LGD {100 * LGD_LOW:.0f}%"] = 100 * lending.risk_based_rate(
    by_grade["bad_rate"].to_numpy() / 100, funding_rate=by_grade["funding"].to_numpy(), **{**rate_args, "lgd": LGD_LOW})
sensitivity.insert(0, "Lending Club's rate", by_grade["lc_rate"])
markup = sensitivity.iloc[:, 1:].rdiv(sensitivity["Lending Club's rate"], axis=0)
# the next paragraph's claim: under each window and both LGDs the mark-up of grade G is below that of grade A
assert (markup.loc["G"] < markup.loc["A"]).all(), markup
sensitivity.round(2)

# %% tags=["remove-cell"]
for years, column in zip(windows, markup.columns[:len(windows)], strict=True):
    key = str(years).replace(".", "_")
    below = markup.index[markup[column] < 1].tolist()
    glue(f"below_{key}", ", ".join(below) if below else "none", display=False)
    glue(f"markup_a_{key}", round(float(markup.loc["A", column]), 2), display=False)
    glue(f"markup_g_{key}", round(float(markup.loc["G", column]), 2), display=False)
glue("n_windows", len(windows), display=False)
below_low = markup.index[markup.iloc[:, -1] < 1].tolist()
glue("below_lgd_low", ", ".join(below_low) if below_low else "none", display=False)
glue("markup_a_lgd_low", round(float(markup.iloc[:, -1].loc["A"]), 2), display=False)
glue("markup_g_lgd_low", round(float(markup.iloc[:, -1].loc["G"]), 2), display=False)

# %% [markdown]
# The level moves a great deal. If the flag covered half a year, the grades priced below
# break-even would be {glue:text}`below_0_5`; over one year {glue:text}`below_1_0`; over two
# years {glue:text}`below_2_0`. What does not move is the shape. The ratio of Lending Club's
# rate to the break-even rate is lower in grade G than in grade A under each of the
# {glue:text}`n_windows` windows (the cell asserts it): from
# {glue:text}`markup_a_0_5` to {glue:text}`markup_g_0_5` (half a year), from
# {glue:text}`markup_a_1_0` to {glue:text}`markup_g_1_0` (one year), from
# {glue:text}`markup_a_2_0` to {glue:text}`markup_g_2_0` (two years). The loss given default
# is the next-largest assumption. This chapter, the credit-risk chapter and the
# default-prediction chapter all use one value, {glue:text}`lgd_pct`%, from the same source
# (recoveries on charged-off Lending Club loans are infrequent); the default-prediction chapter
# also tries {glue:text}`lgd_low_pct`%, as if {glue:text}`lgd_low_recovered_pct`% of every bad
# loan were recovered, and so does the last column. With it the grades below break-even
# (one-year window) are {glue:text}`below_lgd_low`, and the ratio still falls from
# {glue:text}`markup_a_lgd_low` in grade A to {glue:text}`markup_g_lgd_low` in grade G. Other
# assumptions shift the level too (costs, capital, and the fact that some "bad" loans were
# only late and later paid), and none of them changes that ordering. What the data support is a statement
# about relative pricing: the lender's mark-up over the cost of the risk shrank from the best
# grades to the worst, and whether it turned negative depends on facts this snapshot does not
# record.
#
# **The term matters.** A 60-month loan has more years in which to default, repays its
# principal later, and in this sample was watched over the same short window as a 36-month
# loan. Its observed bad rate is higher, and its lifetime risk higher still:

# %%
by_term = loans.groupby("term", observed=True).agg(
    loans=("bad", "size"), bad_rate=("bad", "mean"), mean_pd=("pd", "mean"), lc_rate=("int_rate", "mean"),
    average_life=("average_life", "mean"), funding=("funding", "mean"))
by_term["model_rate"] = 100 * lending.risk_based_rate(by_term["mean_pd"], funding_rate=by_term["funding"],
                                                      **rate_args)
by_term["hindsight_rate"] = 100 * lending.risk_based_rate(by_term["bad_rate"], funding_rate=by_term["funding"],
                                                          **rate_args)
by_term[["bad_rate", "mean_pd", "funding"]] *= 100
by_term.round(3)

# %% tags=["remove-cell"]
glue("lc_36", round(float(by_term.loc["term_36", "lc_rate"]), 2), display=False)
glue("lc_60", round(float(by_term.loc["term_60", "lc_rate"]), 2), display=False)

# %% [markdown]
# Lending Club charged {glue:text}`lc_60`% on average for 60-month loans against
# {glue:text}`lc_36`% for 36-month ones (a mix of worse grades and a term premium). Because
# the bad flag was observed over the same short window for both, the longer loans' lifetime
# default rate is understated more than the shorter ones', so a one-year break-even rate
# flatters the 60-month loans: a lender pricing them would need a term-specific model of
# default over time (a survival model), which this snapshot cannot support (the next section
# says what such a model would estimate).

# %% [markdown]
# ## Lifetime PD and expected-loss provisions
#
# Pricing needs the one-year PD of {eq}`loan-rate`. The accounts need more. Think of a loan's
# life month by month: the **hazard** $h_m$ is the probability that a loan still performing
# at the start of month $m$ defaults during it; the **survival curve**
# $S(m) = \prod_{j \le m} (1 - h_j)$ is the probability that it is still performing after
# month $m$; and the probability of default over any horizon follows from it. The 12-month PD
# is $1 - S(12)$; the **lifetime PD** of a 36-month loan is $1 - S(36)$, and the probability
# of defaulting in month $m$ is $S(m-1)\,h_m$. A survival model estimates the hazards from the
# *timing* of defaults, treating loans still running at the data's cut-off as censored (known
# to have survived so far) rather than good. That is exactly what the bad flag of this
# snapshot, one undated flag per loan with running loans counted as good, cannot supply.
#
# The accounting standards use this curve. Under IFRS 9 {cite}`iasb2014ifrs9` a loan whose
# credit risk has not risen substantially since it was made (stage 1) carries an allowance of
# *12-month* expected credit loss (ECL): the loss from defaults possible in the next twelve
# months. Once its credit risk has risen substantially (stage 2; more than 30 days past due
# is the standard's rebuttable presumption of such a rise) or it is credit-impaired
# (stage 3), the allowance becomes *lifetime* ECL. The US standard, CECL (FASB ASU 2016-13,
# {cite}`fasb2016credit`), has no stages: all loans carry lifetime ECL from the day they are
# made. Either way, for a loan of 1 repaid monthly at rate $r$ over $T$ months,
#
# $$
# \mathrm{ECL}(H) = \sum_{m=1}^{\min(H, T)} S(m-1)\,h_m \cdot \mathrm{LGD} \cdot B_{m-1} \cdot (1 + r/12)^{-m},
# $$ (ecl)
#
# with $B_{m-1}$ the balance still owed at the start of month $m$ and the discount at the
# loan's own (effective) rate; $H = 12$ gives the 12-month ECL, $H = T$ the lifetime ECL.
# The snapshot gives no timing, so we use the same stand-in as the pricing: a constant hazard,
# set so that the 12-month PD equals the annualised bad rate of each grade's 36-month loans.
# Under it the 36-month lifetime PD is $1 - (1 - p_{1y})^3$.

# %%
def expected_credit_loss(pd_12m, annual_rate, *, term_months, horizon_months, lgd):
    """ECL at origination per unit lent, from a constant monthly hazard (equation ecl)."""
    months = np.arange(1, term_months + 1)
    hazard = -np.expm1(np.log1p(-pd_12m) / 12)  # 1 - (1 - h)^12 = pd_12m
    default_in_month = (1 - hazard) ** (months - 1) * hazard  # S(m - 1) h
    r = annual_rate / 12
    balance = ((1 + r) ** term_months - (1 + r) ** (months - 1)) / ((1 + r) ** term_months - 1)  # B_{m-1}
    loss = default_in_month * lgd * balance * (1 + r) ** -months
    return float(loss[months <= horizon_months].sum())


short = loans[loans["term"] == "term_36"]
ecl = short.groupby("grade").agg(loans=("bad", "size"), bad_rate=("bad", "mean"), rate=("int_rate", "mean"),
                                 amount=("funded_amnt", "sum"))
ecl["pd_12m"] = lending.annualize_pd(ecl["bad_rate"].to_numpy(), OBS_YEARS)
ecl["pd_lifetime"] = 1 - (1 - ecl["pd_12m"]) ** 3
for name, horizon in [("ecl_12m", 12), ("ecl_lifetime", 36)]:
    ecl[name] = [expected_credit_loss(p, r / 100, term_months=36, horizon_months=horizon, lgd=LGD)
                 for p, r in zip(ecl["pd_12m"], ecl["rate"], strict=True)]
ecl["lifetime / 12m"] = ecl["ecl_lifetime"] / ecl["ecl_12m"]
allowance = {h: float((ecl["amount"] * ecl[f"ecl_{h}"]).sum()) for h in ("12m", "lifetime")}
pd_12m_all = float(lending.annualize_pd(short["bad"].mean(), OBS_YEARS))
# the next paragraph's claims: lifetime ECL exceeds 12-month ECL in every grade, by less than the
# ratio of the lifetime to the 12-month PD (the balance amortises and later losses are discounted)
assert (ecl["lifetime / 12m"] > 1).all() and (ecl["lifetime / 12m"] < ecl["pd_lifetime"] / ecl["pd_12m"]).all(), ecl
shown = ecl[["loans", "bad_rate", "pd_12m", "pd_lifetime", "ecl_12m", "ecl_lifetime"]].copy()
shown.iloc[:, 1:] *= 100
shown.columns = ["loans", "bad %", "12-month PD %", "36-month PD %", "12-month ECL %", "lifetime ECL %"]
shown.join(ecl["lifetime / 12m"]).round(2)

# %% tags=["remove-cell"]
glue("n_36", f"{len(short):,}", display=False)
glue("pd12_all", round(100 * pd_12m_all, 2), display=False)
glue("pdlife_all", round(100 * (1 - (1 - pd_12m_all) ** 3), 1), display=False)
for g in ("A", "G"):
    glue(f"ecl12_{g}", round(100 * float(ecl.loc[g, "ecl_12m"]), 2), display=False)
    glue(f"ecllife_{g}", round(100 * float(ecl.loc[g, "ecl_lifetime"]), 2), display=False)
    glue(f"pdlife_{g}", round(100 * float(ecl.loc[g, "pd_lifetime"]), 1), display=False)
glue("ecl_ratio_lo", round(float(ecl["lifetime / 12m"].min()), 2), display=False)
glue("ecl_ratio_hi", round(float(ecl["lifetime / 12m"].max()), 2), display=False)
glue("allow_12m", round(allowance["12m"] / 1e6, 1), display=False)
glue("allow_life", round(allowance["lifetime"] / 1e6, 1), display=False)
glue("book_36", round(float(short["funded_amnt"].sum()) / 1e6, 1), display=False)
glue("n_36_G", int(ecl.loc["G", "loans"]), display=False)

# %% [markdown]
# For the {glue:text}`n_36` 36-month loans, a 12-month PD of {glue:text}`pd12_all`% (the
# bad rate over the assumed {glue:text}`obs_years`-year window) implies a lifetime PD of
# {glue:text}`pdlife_all`% over the three years, from {glue:text}`pdlife_A`% in grade A to
# {glue:text}`pdlife_G`% in grade G (a rate from only {glue:text}`n_36_G` loans). Expected loss grows by less than the PD: the balance
# amortises, so a default in year three costs less than one in year one, and later losses are
# discounted. Lifetime ECL is {glue:text}`ecl_ratio_lo` to {glue:text}`ecl_ratio_hi` times
# the 12-month ECL across the grades: {glue:text}`ecl12_A`% against {glue:text}`ecllife_A`%
# of the amount lent in grade A, {glue:text}`ecl12_G`% against {glue:text}`ecllife_G`% in
# grade G. For the US\${glue:text}`book_36` million of 36-month loans, an IFRS 9 lender would
# book an allowance of about US\${glue:text}`allow_12m` million on the day they are made (all
# in stage 1), a CECL lender about US\${glue:text}`allow_life` million, and the IFRS 9 lender
# would move to lifetime ECL loan by loan as credit risk rose. Three cautions. The constant
# hazard is a stand-in: a real loan's hazard changes with its age, and only a survival model
# fitted to dated defaults can say how. Prepayments, which both
# standards ask the lender to expect, shorten the exposure and lower the lifetime figure.
# And the whole table scales with the assumed window: like the break-even rates, the level is
# an assumption; what holds is that lifetime provisions are a multiple of 12-month ones, and
# the multiple is set by the term, the amortisation and the shape of the hazard.
#
# ## Comparison with published results
#
# {cite:t}`emekter2015evaluating`, studying Lending Club loans of 2007–2012 with their full
# outcomes, reached the same conclusion: default rates rise steeply with worse grades, and
# "the higher interest rates charged on the high-risk borrowers are not enough to compensate
# for the higher probability of the loan default". {cite:t}`serrano2015determinants`
# found, as we did, that Lending Club's grade (here equally its rate, which the grade fixes) is
# the single most predictive variable for default, and that adding the borrower's other
# information improves the model. Here the borrower data with the grade had a lower validation
# log loss than the rate alone ({glue:text}`val_ll_chosen` against {glue:text}`val_ll_rate`),
# but on the held-out loans the difference was too small to tell from noise: confirming a gain
# of that size needs more loans than one quarter's {glue:text}`n_loans`.
#
# ## What we learned
#
# - Fitting a network to the interest rate learns the lender's rate card (the sub-grade alone
#   explains {glue:text}`r2_grade`% of it), not the risk; pricing starts from a default model.
# - The PD model and its penalty are chosen on validation data (out-of-fold predictions on the
#   development loans) among candidates that include Lending Club's rate alone and grade alone;
#   the choice, {glue:text}`chosen`, is then tested once on held-out loans against the strongest
#   of those baselines, test AUC {glue:text}`auc_grade` against {glue:text}`auc_rate` for the
#   rate alone: {glue:text}`verdict_vs_rate`. The borrower data in this file add little to
#   the lender's own price for ranking; the model's use is a calibrated probability that does
#   not read the price it judges.
# - Calibration is checked where pricing needs it, grade by grade with Wilson intervals. A
#   model linear in the sub-grade rank over-predicted grades F and G (by
#   {glue:text}`excess_lin_F` and {glue:text}`excess_lin_G` points) and A; one level per
#   grade removes the error.
# - One loss given default, {glue:text}`lgd_pct`%, with one source, serves this chapter, the
#   credit-risk and the default-prediction chapters; at {glue:text}`lgd_low_pct`% the level of
#   the break-even rates falls, the shrinking mark-up from A to G stays.
# - Provisions need a lifetime PD, the survival curve over the loan's term: under a constant
#   hazard the 36-month loans' 12-month PD of {glue:text}`pd12_all`% becomes a lifetime PD of
#   {glue:text}`pdlife_all`%, and lifetime ECL (CECL from day one, IFRS 9 from stage 2) is
#   {glue:text}`ecl_ratio_lo`–{glue:text}`ecl_ratio_hi` times the 12-month ECL of IFRS 9's
#   stage 1. Dated defaults and a survival model would replace the constant hazard.
# - Risk-based pricing adds funding, expected loss, operating cost and a return on Basel
#   capital {eq}`loan-rate`; every input is an assumption and the page states each one.
# - Lending Club's rates were flatter than the risk: {glue:text}`margin_lo`–{glue:text}`margin_hi` points
#   above break-even in most grades, {glue:text}`gap_g` points below it in grade G under our assumptions;
#   the level depends on the undocumented observation window, the shrinking mark-up from A to G does not.
#
# ## Exercises
#
# ```{exercise}
# :label: loan-ex-lgd
# Re-run the page with `LGD = 0.6` and `OBS_YEARS = 1.5`
# (`python -m finbook run 17_loan_pricing -p LGD 0.6 -p OBS_YEARS 1.5 --output runs/`).
# Which grades are now priced below break-even? Which conclusion of the chapter survives?
# ```
#
# ```{solution} loan-ex-lgd
# :class: dropdown
# A lower loss given default and a longer window both lower the break-even rate, so fewer
# grades (perhaps none but G, or none at all) fall below Lending Club's rate, and the
# margins of the best grades grow. What survives is the shape: the break-even rate still
# rises far more steeply across grades than Lending Club's rate, so relative to risk the best
# borrowers still pay the most.
# ```
#
# ```{exercise}
# :label: loan-ex-profit
# Instead of comparing rates, compute each grade's expected one-year return to an investor who
# lends at Lending Club's rate: $(1 - p)(1 + r) + p(1 - \mathrm{LGD}) - 1$ with $p$ the
# realised bad rate (annualised as above). Plot it against the grade. What would a
# risk-neutral investor have bought?
# ```
#
# ```{solution} loan-ex-profit
# :class: dropdown
# The expected return falls across the grades: the extra interest of the riskier grades does
# not make up for their losses, and for the worst grades it is close to zero or negative under
# our assumptions. A risk-neutral investor would have preferred the better grades; that
# investors nevertheless bought grade G loans suggests they expected lower losses than the
# ones realised, or valued something else (diversification, the headline rate).
# ```
#
# ```{exercise}
# :label: loan-ex-hazard
# The lifetime ECL above assumes a constant monthly hazard. Suppose instead that a 36-month
# loan's hazard is twice as high in its first twelve months as in the other 24, scaled so that
# the 36-month lifetime PD of each grade is unchanged. Change `expected_credit_loss` to take
# a vector of 36 monthly hazards and recompute the 12-month and lifetime ECL. Which moves
# more, the IFRS 9 stage-1 allowance or the CECL allowance, and why?
# ```
#
# ```{solution} loan-ex-hazard
# :class: dropdown
# Keeping $\prod_m (1 - h_m)$ fixed with 24 months at $h$ and 12 at $2h$ needs
# $24h + 24h \approx 36 h_0$, so $h \approx 0.75\,h_0$. The first twelve months then carry about
# $12 \times 1.5 = 18$ months' worth of the old hazard instead of 12: the 12-month PD, and
# the stage-1 allowance, rise by about half. The lifetime PD is fixed by construction; only
# the timing of the defaults moves (out of the last two years, into the first, when more of
# the balance is still owed), so the lifetime (CECL) allowance rises by far less, about a
# sixth. The 12-month figure depends on the shape of the hazard far more than the lifetime
# figure does, which is why the shape is worth estimating from dated defaults.
# ```
#
# ```{exercise}
# :label: loan-ex-within
# Lending Club charges one rate per sub-grade. Within each sub-grade, how widely do the
# model's break-even rates spread (say, the 10th and 90th percentiles)? What would a lender
# gain by pricing loan by loan, and what would it need to be sure of first?
# ```
#
# ```{solution} loan-ex-within
# :class: dropdown
# `loans.groupby("sub_grade")["model_rate"].quantile([0.1, 0.9])` shows a spread of several
# percentage points within most sub-grades: the borrower data separate better and worse risks
# that the grade lumps together. Pricing loan by loan would attract the better risks in each
# grade and lose the worse ones to other lenders, but only if the model's extra
# discrimination is real: it must be validated out of time (on later loans), not only out of
# fold, and it must not rest on variables that proxy for protected attributes (the data card
# warns about `addr_state`).
# ```
