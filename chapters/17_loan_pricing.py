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
SEED = 2024  # seeds the cross-validation folds
LGD = 0.90  # loss given default: share of the exposure lost (the same value as the default-prediction chapter)
C_GRID = (0.01, 0.03, 0.1, 1.0)  # L2 strengths of the PD model, chosen by out-of-fold log loss
N_BOOT = 1000  # bootstrap resamples for the paired AUC comparison
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

from finbook import data, inference, lending, metrics, plots, repro

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

# %% [markdown]
# | Input | Assumption | Why |
# |---|---|---|
# | cost of funds $f$ | Treasury yield at the loan's average life + {glue:text}`spread_pct` pp: {glue:text}`fund_36`% for 36-month loans (average life {glue:text}`life_36` years), {glue:text}`fund_60`% for 60-month loans ({glue:text}`life_60` years) | what the lender pays for money of that horizon |
# | loss given default | {glue:text}`lgd_pct`% of the exposure | unsecured consumer loans: Lending Club states that recoveries on charged-off loans are infrequent {cite}`lendingclub_chargedoff`; the default-prediction chapter uses the same value |
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
# ## A calibrated model of default
#
# The PD model mirrors the one in the book's default-prediction chapter: a logistic
# regression in a scikit-learn pipeline (numeric columns standardised, categorical ones
# one-hot encoded, both fitted inside each training fold), evaluated by stratified five-fold
# cross-validation, so every loan's PD comes from a model that never saw it
# (`lending.out_of_fold_pd`). Without class re-weighting, logistic regression's probabilities
# are on the scale of the observed bad rate, which is what pricing needs. We fit two versions:
# one on the borrower's data only, and one that also sees Lending Club's sub-grade (as its
# rank, 1 for A1 to 35 for G5). Neither sees the interest rate, the price being judged.
#
# The strength of the L2 penalty matters: the one-hot state column alone adds fifty
# coefficients for {glue:text}`n_bad` bad loans. For each version we try
# `C` = {glue:text}`c_grid` and keep the value with the lowest out-of-fold log loss. (The
# folds both choose `C` and score the model, which flatters the chosen model slightly; with
# one parameter and four values the effect is small.)

# %%
loans["grade_rank"] = loans["sub_grade"].cat.codes + 1
features = loans.drop(columns=["bad", "grade", "average_life", "funding"])
VERSIONS = {"borrower data": ["int_rate", "sub_grade", "grade_rank"],  # columns each version leaves out
            "borrower data + sub-grade": ["int_rate", "sub_grade"]}
oof = {(name, C): lending.out_of_fold_pd(features, "Class", "bad", exclude=drop, seed=SEED, C=C)
       for name, drop in VERSIONS.items() for C in C_GRID}
c_search = pd.DataFrame({name: {C: metrics.log_loss(loans["bad"], oof[(name, C)]) for C in C_GRID}
                         for name in VERSIONS}).rename_axis("C")
best_c = c_search.idxmin()
pd_borrower = oof[("borrower data", best_c["borrower data"])]
pd_with_grade = oof[("borrower data + sub-grade", best_c["borrower data + sub-grade"])]
c_search.round(5)

# %% tags=["remove-cell"]
glue("c_grid", ", ".join(f"{c:g}" for c in C_GRID), display=False)
glue("n_bad", int(loans["bad"].sum()), display=False)
glue("best_c_grade", f"{best_c['borrower data + sub-grade']:g}", display=False)
glue("auc_grade_c1", round(metrics.roc_auc(loans["bad"], oof[("borrower data + sub-grade", 1.0)]), 3),
     display=False)

# %%
scorecard = pd.DataFrame({
    "borrower data": metrics.classification_summary(loans["bad"], pd_borrower),
    "borrower data + sub-grade": metrics.classification_summary(loans["bad"], pd_with_grade),
}).T
scorecard.insert(0, "C", best_c)
auc_rate = metrics.roc_auc(loans["bad"], loans["int_rate"])
vs_rate = metrics.paired_bootstrap_test(metrics.roc_auc, loans["bad"], pd_with_grade, loans["int_rate"],
                                        n_boot=N_BOOT, seed=SEED)
c1_vs_rate = metrics.paired_bootstrap_test(metrics.roc_auc, loans["bad"], oof[("borrower data + sub-grade", 1.0)],
                                           loans["int_rate"], n_boot=N_BOOT, seed=SEED)
# the next paragraph's claim: lightly penalised, the model ranked worse than the rate alone
assert metrics.roc_auc(loans["bad"], oof[("borrower data + sub-grade", 1.0)]) < auc_rate
scorecard.round(4)

# %% tags=["remove-cell"]
for key, col in [("auc_borrower", "borrower data"), ("auc_grade", "borrower data + sub-grade")]:
    glue(key, round(float(scorecard.loc[col, "ROC AUC"]), 3), display=False)
glue("auc_rate", round(auc_rate, 3), display=False)
glue("diff_vs_rate", round(vs_rate.estimate, 4), display=False)
glue("diff_vs_rate_lo", round(vs_rate.lower, 4), display=False)
glue("diff_vs_rate_hi", round(vs_rate.upper, 4), display=False)
glue("verdict_vs_rate", inference.verdict(vs_rate, better="higher",
                                          names=("the model with the sub-grade", "the interest rate alone")),
     display=False)
glue("verdict_c1_vs_rate", inference.verdict(c1_vs_rate, better="higher", names=(
    "the lightly penalised model", "the interest rate alone")), display=False)
glue("mean_pd", round(100 * float(pd_with_grade.mean()), 2), display=False)

# %% [markdown]
# Lightly penalised (`C` = 1), the model with the sub-grade ranked the loans with an AUC of
# only {glue:text}`auc_grade_c1`, below the {glue:text}`auc_rate` of Lending Club's interest
# rate alone ({glue:text}`verdict_c1_vs_rate`): the extra coefficients bought nothing. The log loss chooses `C` =
# {glue:text}`best_c_grade`. The borrower's own data then rank the loans with a ROC AUC of
# {glue:text}`auc_borrower`; the lender knew more than this file holds (credit scores,
# debt-to-income, the full credit report), and its grade carries that knowledge. With the
# sub-grade the AUC is {glue:text}`auc_grade`, a difference from the rate alone of
# {glue:text}`diff_vs_rate` (paired bootstrap interval {glue:text}`diff_vs_rate_lo` to
# {glue:text}`diff_vs_rate_hi`): {glue:text}`verdict_vs_rate`. Its mean PD is
# {glue:text}`mean_pd`%, the base rate, as a calibrated model's should be. We price with it.
# The calibration plot checks the probabilities decile by decile:

# %%
calibration = metrics.calibration_table(loans["bad"], pd_with_grade, bins=10)
fig, ax = plt.subplots()
ax.plot([0, 0.3], [0, 0.3], color="grey", linewidth=1, label="perfect calibration")
ax.plot(calibration["mean_predicted"], calibration["observed_rate"], marker="o",
        label="borrower data + sub-grade (out of fold)")
ax.set_xlabel("mean predicted probability of going bad (decile)")
ax.set_ylabel("observed bad rate")
ax.legend()
plt.show()

# %% tags=["remove-cell"]
glue("cal9_pred", round(100 * float(calibration["mean_predicted"].iloc[8]), 1), display=False)
glue("cal9_obs", round(100 * float(calibration["observed_rate"].iloc[8]), 1), display=False)

# %% [markdown]
# The deciles lie close to the diagonal: in the ninth decile, for example, the model predicts
# {glue:text}`cal9_pred`% on average and {glue:text}`cal9_obs`% of the loans went bad.
# Pricing is done grade by grade, so the check that matters most is by grade, and above all
# in the thin grades F and G, where a logistic regression that is linear in the grade's rank
# can overshoot:

# %%
by_letter = loans.assign(pd_=pd_with_grade).groupby("grade").agg(
    loans=("bad", "size"), bad=("bad", "sum"), observed=("bad", "mean"), mean_pd=("pd_", "mean"))
ci = np.array([stats.binomtest(int(k), int(n)).proportion_ci(0.95) for k, n in
               zip(by_letter["bad"], by_letter["loans"], strict=True)])
by_letter["95% low"], by_letter["95% high"] = ci[:, 0], ci[:, 1]
inside = (by_letter["mean_pd"] >= by_letter["95% low"]) & (by_letter["mean_pd"] <= by_letter["95% high"])
# in the worst grades, F and G, the mean PD lies inside the exact 95% interval of the observed bad rate
assert inside[["F", "G"]].all(), by_letter.loc[["F", "G"]]
(100 * by_letter.drop(columns=["loans", "bad"])).join(by_letter[["loans", "bad"]]).round(2)

# %% tags=["remove-cell"]
glue("grades_outside", ", ".join(by_letter.index[~inside]) or "none", display=False)
for g in ("A", "F", "G"):
    glue(f"pd_{g}", round(100 * float(by_letter.loc[g, "mean_pd"]), 1), display=False)
    glue(f"obs_{g}", round(100 * float(by_letter.loc[g, "observed"]), 1), display=False)
    glue(f"obs_{g}_lo", round(100 * float(by_letter.loc[g, "95% low"]), 1), display=False)
    glue(f"obs_{g}_hi", round(100 * float(by_letter.loc[g, "95% high"]), 1), display=False)

# %% [markdown]
# In grade F the model predicts {glue:text}`pd_F`% against an observed {glue:text}`obs_F`%
# (exact 95% interval {glue:text}`obs_F_lo`–{glue:text}`obs_F_hi`%), in grade G
# {glue:text}`pd_G`% against {glue:text}`obs_G`% ({glue:text}`obs_G_lo`–{glue:text}`obs_G_hi`%).
# The model still leans high in the worst grades, but there its mean PD lies inside the
# interval of the observed rate (an `assert` checks it): with a few hundred loans in F and G
# the data cannot say more. The grades whose mean PD falls *outside* the interval are:
# {glue:text}`grades_outside`. In grade A the model predicts {glue:text}`pd_A`% against an
# observed {glue:text}`obs_A`% ({glue:text}`obs_A_lo`–{glue:text}`obs_A_hi`%): a logistic
# regression that is linear in the grade's rank cannot follow the bad rate's steep climb from
# A to B, so it over-states the risk of the very best loans, and its break-even rate there is
# too high by the difference times the LGD, a fraction of a point. A model with one level per
# grade, or a calibration step fitted out of fold, would remove it.
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
loans["pd"] = pd_with_grade
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
# {glue:text}`model_dearer`.
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
sensitivity.insert(0, "Lending Club's rate", by_grade["lc_rate"])
markup = sensitivity.iloc[:, 1:].rdiv(sensitivity["Lending Club's rate"], axis=0)
# the next paragraph's claim: under each window the mark-up of grade G is below that of grade A
assert (markup.loc["G"] < markup.loc["A"]).all(), markup
sensitivity.round(2)

# %% tags=["remove-cell"]
for years, column in zip(windows, markup.columns, strict=True):
    key = str(years).replace(".", "_")
    below = markup.index[markup[column] < 1].tolist()
    glue(f"below_{key}", ", ".join(below) if below else "none", display=False)
    glue(f"markup_a_{key}", round(float(markup.loc["A", column]), 2), display=False)
    glue(f"markup_g_{key}", round(float(markup.loc["G", column]), 2), display=False)
glue("n_windows", len(windows), display=False)

# %% [markdown]
# The level moves a great deal. If the flag covered half a year, the grades priced below
# break-even would be {glue:text}`below_0_5`; over one year {glue:text}`below_1_0`; over two
# years {glue:text}`below_2_0`. What does not move is the shape. The ratio of Lending Club's
# rate to the break-even rate is lower in grade G than in grade A under each of the
# {glue:text}`n_windows` windows (the cell asserts it): from
# {glue:text}`markup_a_0_5` to {glue:text}`markup_g_0_5` (half a year), from
# {glue:text}`markup_a_1_0` to {glue:text}`markup_g_1_0` (one year), from
# {glue:text}`markup_a_2_0` to {glue:text}`markup_g_2_0` (two years). Other assumptions shift
# the level too (LGD, costs, capital, and the fact that some "bad" loans were only late and
# later paid), and none of them changes that ordering. What the data support is a statement
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
# default over time (a survival model), which this snapshot cannot support.
#
# **Lifetime PD and expected-loss provisions.** Pricing needs the one-year PD of
# {eq}`loan-rate`, but the accounts need more. Under IFRS 9 a lender provisions twelve months
# of expected loss for a loan whose credit risk has not increased significantly since it was
# made, and *lifetime* expected loss once it has; under the US CECL standard it provisions
# lifetime expected loss from the first day. Lifetime expected loss is the sum over the
# remaining months of the probability of defaulting in that month (the survival curve's
# decrements), times the loss given default, times the balance still owed then, discounted.
# Estimating that curve needs the timing of defaults, which a survival model (a hazard per
# month since origination) would supply and which this snapshot, with one undated flag per
# loan, does not record; the constant-intensity annualisation used here is the simplest
# stand-in and the reason the 60-month loans are the least reliable part of the page.
#
# ## Comparison with published results
#
# {cite:t}`emekter2015evaluating`, studying Lending Club loans of 2007–2012 with their full
# outcomes, reached the same conclusion: default rates rise steeply with worse grades, and
# "the higher interest rates charged on the high-risk borrowers are not enough to compensate
# for the higher probability of the loan default". {cite:t}`serrano2015determinants`
# found, as we did, that Lending Club's grade is the single most predictive variable for
# default, and that adding the borrower's other information improves the model.
#
# ## What we learned
#
# - Fitting a network to the interest rate learns the lender's rate card (the sub-grade alone
#   explains {glue:text}`r2_grade`% of it), not the risk; pricing starts from a default model.
# - A calibrated logistic regression, its penalty chosen by out-of-fold log loss, reaches an
#   out-of-fold AUC of {glue:text}`auc_borrower` on the borrower's data and {glue:text}`auc_grade`
#   with Lending Club's grade, against {glue:text}`auc_rate` for the lender's rate alone:
#   {glue:text}`verdict_vs_rate`. With `C` = 1 its AUC was {glue:text}`auc_grade_c1`:
#   {glue:text}`verdict_c1_vs_rate`. Its mean PD lies inside the observed bad rate's 95% interval
#   in grades F and G; it over-states grade A.
# - One loss given default, {glue:text}`lgd_pct`%, serves this chapter and the
#   default-prediction chapter; expected-loss provisioning (IFRS 9, CECL) would need a
#   lifetime PD, which only a survival model of default timing can give.
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
