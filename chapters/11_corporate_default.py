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
# (corporate-default)=
# # Corporate default: Merton's structural model and the market price of credit risk
#
# How far is a company from default, and what does the market charge for the risk that it
# gets there? Firms default rarely, and the records of who defaulted when are proprietary, so
# no public firm-level default dataset ships with this book. Instead of learning from default
# labels, this chapter reads default risk from market prices: the **Merton (1974) structural
# model** turns a firm's equity value and volatility into a distance to default and a
# probability of default, and a century of Moody's corporate bond yields shows how the market
# has priced default risk through the Depression, 2008 and the crises in between.

# %% tags=["parameters"]
SEED = 2024  # nothing here is random; set for the book's convention
EQUITY = 4.0  # illustrative firm: market value of equity, US$ billion
EQUITY_VOL = 0.45  # illustrative firm: equity volatility, decimal per year
DEBT = 6.0  # illustrative firm: face value of debt due at the horizon, US$ billion
RATE = 0.02  # risk-free rate, continuously compounded, decimal per year
ASSET_DRIFT = 0.07  # expected return on the firm's assets, decimal per year
HORIZON = 1.0  # years to the debt's maturity (the default horizon)
DEBT_TO_EQUITY = 1.0  # leverage of the "index firm" in the last section

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

from finbook import credit, data, plots, repro

repro.set_seed(SEED, keras=False)
plots.use_book_style()

# %% [markdown]
# ````{admonition} What the article says
# :class: note
# The article names corporate default prediction (企业违约预测) next to personal default
# prediction and covers both with one code example: a small network fitted to a file of
# labelled borrowers. It says nothing about where firm-level default labels would come from,
# how rare they are, or what the market already knows about a firm's credit risk.
# ````

# %% [markdown]
# ## Why a structural model
#
# A learning approach needs labelled defaults. For companies they are scarce, because large
# firms rarely default, and the databases that record them (rating agencies' default studies,
# bankruptcy filings matched to accounting and stock data) are licensed, not public. What *is* public, every day, is the price of the firm's shares and how
# much they move. {cite:t}`merton1974pricing` showed how to read default risk from them.
#
# Suppose the firm's assets are worth $V$, follow a geometric Brownian motion with drift $\mu$
# and volatility $\sigma_V$,
#
# $$
# dV_t = \mu V_t\, dt + \sigma_V V_t\, dW_t,
# $$ (merton-assets)
#
# and are financed by equity and by a single zero-coupon debt with face value $D$ due at
# $T$. At $T$ the shareholders repay the debt if $V_T > D$ and keep the rest; otherwise they
# walk away (limited liability) and the creditors take the assets. Equity is therefore a
# European **call option on the firm's assets** with strike $D$, worth the Black-Scholes price
# {cite}`black1973pricing`
#
# $$
# E = V N(d_1) - D e^{-rT} N(d_2), \qquad
# d_1 = \frac{\ln(V/D) + (r + \tfrac12 \sigma_V^2) T}{\sigma_V \sqrt T}, \qquad
# d_2 = d_1 - \sigma_V \sqrt T,
# $$ (merton-equity)
#
# and, by Itô's lemma, equity volatility and asset volatility are linked by
#
# $$
# \sigma_E E = N(d_1)\, \sigma_V V.
# $$ (merton-vol)
#
# The firm defaults when $V_T < D$. The **distance to default** is the number of standard
# deviations by which the expected log asset value at $T$ exceeds the debt, and the
# probability of default follows:
#
# $$
# \text{DD} = \frac{\ln(V/D) + (\mu - \tfrac12 \sigma_V^2) T}{\sigma_V \sqrt T}, \qquad
# \text{PD} = N(-\text{DD}).
# $$ (merton-dd)
#
# With $\mu = r$, $\text{DD} = d_2$ and $N(-d_2)$ is the **risk-neutral** probability, the one
# embedded in prices; with $\mu$ the expected asset return it is the **physical** (real-world)
# probability, lower whenever investors earn a risk premium. The debt is worth
# $B = V - E$, so its yield spread over the risk-free rate is
#
# $$
# s = -\frac{1}{T} \ln\frac{B}{D} - r.
# $$ (merton-spread)
#
# The catch: $V$ and $\sigma_V$ are not observed. Equity value $E$ (market capitalisation) and
# equity volatility $\sigma_E$ are, so {eq}`merton-equity` and {eq}`merton-vol` are two
# equations in the two unknowns. `finbook.credit.solve_merton` solves them with nested
# bracketed root searches that cannot fail to converge: for a given $\sigma_V$ the equity
# equation has exactly one root $V$ between $E$ and $E + De^{-rT}$, and the implied equity
# volatility rises with $\sigma_V$ from zero to above $\sigma_E$.

# %% [markdown]
# ## A worked example
#
# ```{note}
# The firm below is **illustrative**: stylised numbers chosen to show the mechanics, not a
# real company. Change them in the parameters cell.
# ```
#
# A firm has equity worth US\$ {glue:text}`ex_equity` billion with a volatility of
# {glue:text}`ex_equity_vol_pct`% a year, and debt with a face value of US\$ {glue:text}`ex_debt`
# billion due in {glue:text}`ex_horizon` year; the risk-free rate is {glue:text}`ex_rate_pct`%
# and the assets are expected to return {glue:text}`ex_drift_pct`% a year.

# %%
firm = credit.solve_merton(EQUITY, EQUITY_VOL, DEBT, RATE, HORIZON)
V, sV = firm.asset_value, firm.asset_vol
dd_phys = credit.distance_to_default(V, DEBT, sV, drift=ASSET_DRIFT, maturity=HORIZON)
dd_rn = credit.distance_to_default(V, DEBT, sV, drift=RATE, maturity=HORIZON)
pd_phys = credit.probability_of_default(V, DEBT, sV, drift=ASSET_DRIFT, maturity=HORIZON)
pd_rn = credit.probability_of_default(V, DEBT, sV, drift=RATE, maturity=HORIZON)
spread_bp = 1e4 * credit.merton_credit_spread(V, DEBT, sV, RATE, HORIZON)
example = pd.Series({
    "asset value V (US$ bn)": V, "asset volatility": sV, "market leverage D / V": DEBT / V,
    "distance to default (physical)": dd_phys, "PD, physical (%)": 100 * pd_phys,
    "distance to default (risk-neutral)": dd_rn, "PD, risk-neutral (%)": 100 * pd_rn,
    "credit spread (basis points)": spread_bp,
    "check: equity from (V, asset vol)": firm.equity_value, "check: equity vol": firm.equity_vol,
}, name="illustrative firm")
for key, value in [("ex_equity", EQUITY), ("ex_debt", DEBT), ("ex_horizon", HORIZON)]:
    glue(key, value, display=False)
glue("ex_equity_vol_pct", round(100 * EQUITY_VOL, 1), display=False)
glue("ex_rate_pct", round(100 * RATE, 1), display=False)
glue("ex_drift_pct", round(100 * ASSET_DRIFT, 1), display=False)
glue("ex_V", round(V, 2), display=False)
glue("ex_sV_pct", round(100 * sV, 1), display=False)
glue("ex_lev", round(DEBT / V, 3), display=False)
glue("ex_dd", round(float(dd_phys), 2), display=False)
glue("ex_pd_phys_pct", round(100 * float(pd_phys), 3), display=False)
glue("ex_pd_rn_pct", round(100 * float(pd_rn), 3), display=False)
glue("ex_spread_bp", round(float(spread_bp), 1), display=False)
example.round(4).to_frame()

# %% [markdown]
# The firm's assets are worth US\$ {glue:text}`ex_V` billion with a volatility of
# {glue:text}`ex_sV_pct`%: much calmer than its shares, because equity is a levered claim
# (market leverage {glue:text}`ex_lev`). Its assets would have to fall by
# {glue:text}`ex_dd` standard deviations within the year for it to default: a physical
# probability of default of {glue:text}`ex_pd_phys_pct`%, and a risk-neutral one of
# {glue:text}`ex_pd_rn_pct`%. The last two rows check the solution: plugging $V$ and
# $\sigma_V$ back into {eq}`merton-equity` and {eq}`merton-vol` returns the equity value and
# volatility we started from. The model prices the firm's debt at a spread of
# {glue:text}`ex_spread_bp` basis points over the risk-free rate; keep that number in mind for
# the last section.
#
# **A published check.** The documentation of MATLAB's `mertonmodel` function
# ([Risk Management Toolbox](https://mathworks.com/help/risk/mertonmodel.html)) solves five
# example firms (one-year horizon, $r$ = 5%) and prints the asset values, distances to
# default and probabilities of default. Our solver reproduces all of them to the printed
# precision:

# %%
published = pd.DataFrame(
    [[2.6406e7, 0.7103, 4.0e7, 0.0306, 6.4210e7, 1.5237, 0.0638],
     [2.6817e7, 0.3929, 3.5e7, 0.0300, 6.0109e7, 3.1679, 0.0008],
     [3.9770e7, 0.3121, 3.5e7, 0.0310, 7.3063e7, 4.4298, 0.0000],
     [2.9470e7, 0.4595, 3.2e7, 0.0302, 5.9906e7, 2.7916, 0.0026],
     [2.5280e7, 0.6181, 4.0e7, 0.0305, 6.3231e7, 1.8196, 0.0344]],
    columns=["equity", "equity vol", "liability", "drift", "A published", "DD published",
             "PD published"], index=[f"firm {i}" for i in range(1, 6)])
ours = [credit.solve_merton(r["equity"], r["equity vol"], r["liability"], 0.05, 1.0)
        for _, r in published.iterrows()]
published["A ours"] = [s.asset_value for s in ours]
published["DD ours"] = [credit.distance_to_default(s.asset_value, r["liability"], s.asset_vol,
                                                   drift=r["drift"], maturity=1.0)
                        for s, (_, r) in zip(ours, published.iterrows(), strict=True)]
published["PD ours"] = [credit.probability_of_default(s.asset_value, r["liability"], s.asset_vol,
                                                      drift=r["drift"], maturity=1.0)
                        for s, (_, r) in zip(ours, published.iterrows(), strict=True)]
max_dd_gap = float((published["DD ours"] - published["DD published"]).abs().max())
glue("max_dd_gap", f"{max_dd_gap:.1e}", display=False)
shown = published.assign(**{"A published": published["A published"] / 1e7, "A ours": published["A ours"] / 1e7})
shown[["A published", "A ours", "DD published", "DD ours", "PD published", "PD ours"]].round(4)

# %% [markdown]
# Asset values are in units of $10^7$, as MATLAB prints them. The largest difference in the
# distance to default is {glue:text}`max_dd_gap`, below the rounding of the published table.

# %% [markdown]
# ## What moves the probability of default
#
# Two things drive a firm towards default in the model: **leverage** (how much of the assets
# the debt claims) and **asset volatility** (how far the assets can fall in a year). The
# figure varies each in turn for a firm with assets of 100, with the drift and horizon of the
# example.

# %%
leverage = np.linspace(0.05, 0.98, 200)
vols = np.linspace(0.02, 0.8, 200)
fig, (ax_l, ax_v) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for s in [0.10, 0.20, 0.30, 0.40]:
    ax_l.plot(100 * leverage, credit.probability_of_default(100.0, 100.0 * leverage, s, drift=ASSET_DRIFT,
                                                            maturity=HORIZON),
              label=f"asset volatility {s:.0%}")
for lev in [0.3, 0.5, 0.7, 0.9]:
    ax_v.plot(100 * vols, credit.probability_of_default(100.0, 100.0 * lev, vols, drift=ASSET_DRIFT,
                                                        maturity=HORIZON),
              label=f"leverage D/V = {lev:.0%}")
for ax in (ax_l, ax_v):
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 1)
    ax.legend(fontsize=8)
ax_l.set_xlabel("leverage: face value of debt / asset value (%)")
ax_l.set_ylabel("probability of default within the horizon (log scale)")
ax_v.set_xlabel("asset volatility (% a year)")
ax_l.set_title("PD against leverage")
ax_v.set_title("PD against asset volatility")
plt.show()

# %%
pd_grid = {(lev, s): float(credit.probability_of_default(100.0, 100.0 * lev, s, drift=ASSET_DRIFT,
                                                         maturity=HORIZON))
           for lev in (0.5, 0.7) for s in (0.2, 0.4)}
glue("pd_50_20", f"{100 * pd_grid[(0.5, 0.2)]:.4f}", display=False)
glue("pd_50_40", f"{100 * pd_grid[(0.5, 0.4)]:.2f}", display=False)
glue("pd_70_20", f"{100 * pd_grid[(0.7, 0.2)]:.2f}", display=False)
glue("pd_70_40", f"{100 * pd_grid[(0.7, 0.4)]:.1f}", display=False)
pd.DataFrame({f"asset vol {s:.0%}": {f"D/V {lev:.0%}": round(100 * pd_grid[(lev, s)], 4) for lev in (0.5, 0.7)}
              for s in (0.2, 0.4)}).rename_axis("PD (%)")

# %% [markdown]
# The relation is violently non-linear. At a leverage of 50% and an asset volatility of 20%
# the probability of default is {glue:text}`pd_50_20`%; doubling the volatility makes it
# {glue:text}`pd_50_40`%. At a leverage of 70% the same doubling takes it from
# {glue:text}`pd_70_20`% to {glue:text}`pd_70_40`%. A firm far from default is almost
# untouchable, until its leverage or the volatility of its business rises; then its risk
# explodes. This is why default risk arrives in waves: in a recession asset values fall
# (leverage rises) and uncertainty rises (volatility rises) for many firms at once.

# %% [markdown]
# ## The market's price of default risk over a century
#
# Moody's publishes the average yield of seasoned corporate bonds rated Aaa (the safest) and
# Baa (the lowest investment grade). Both are corporate bonds with similar tax treatment and
# maturity, so the gap between them, the **BAA-AAA spread**, is a clean market measure of the
# extra compensation investors demand for default risk. `finbook.data.bond_yields()` holds the
# monthly series from {glue:text}`bond_start` to {glue:text}`bond_end`. The shaded months are
# US recessions as dated by the NBER {cite}`nber2021business`.

# %%
bonds = data.bond_yields()
spread = bonds["spread"]
in_recession = credit.recession_months(spread.index)
glue("bond_start", spread.index[0].strftime("%B %Y"), display=False)
glue("bond_end", spread.index[-1].strftime("%B %Y"), display=False)
glue("n_months", f"{len(spread):,}", display=False)
glue("spread_mean", round(float(spread.mean()), 2), display=False)
glue("spread_median", round(float(spread.median()), 2), display=False)
glue("spread_rec", round(float(spread[in_recession].mean()), 2), display=False)
glue("spread_exp", round(float(spread[~in_recession].mean()), 2), display=False)
# NBER recessions that began within the bond sample (the list runs on to 2020)
in_sample = [(p, t) for p, t in data.NBER_RECESSIONS
             if pd.Period(p, "M") <= spread.index[-1].to_period("M")]
glue("n_recessions", len(in_sample), display=False)
pd.DataFrame({"months": [int(in_recession.sum()), int((~in_recession).sum())],
              "mean spread (pp)": [spread[in_recession].mean(), spread[~in_recession].mean()],
              "median spread (pp)": [spread[in_recession].median(), spread[~in_recession].median()]},
             index=["recession", "expansion"]).round(2)

# %%
peaks = credit.episode_maxima(spread, months_before=6, months_after=12)
LABELS = {"1929-08": "Great Depression", "1937-05": "1937-38", "1973-11": "1973-75",
          "1981-07": "1981-82", "1990-07": "1990-91", "2001-03": "2001",
          "2007-12": "Great Recession"}
fig, ax = plt.subplots(figsize=(10, 4.2))
ax.plot(spread.index, spread, color=plots.PALETTE[0], linewidth=1)
for peak, trough in in_sample:
    ax.axvspan(pd.Period(peak, "M").to_timestamp(), pd.Period(trough, "M").to_timestamp(),
               color="0.8", alpha=0.6, linewidth=0)
for _, row in peaks[peaks["peak"].isin(LABELS)].iterrows():
    ax.annotate(f"{LABELS[row['peak']]}\n{row['max value']:.2f}", (row["max date"], row["max value"]),
                textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
ax.set_ylim(0, spread.max() * 1.2)
ax.set_xlabel("month")
ax.set_ylabel("Moody's BAA - AAA yield (percentage points)")
ax.set_title("The price of default risk; grey: NBER recessions")
plt.show()

# %% [markdown]
# Read the figure from left to right. The spread rose in almost every recession and often
# kept rising for months after the NBER's trough, when the defaults of the downturn were being
# realised. The **Great Depression** dwarfs everything since; the **Great Recession** of
# 2007-09 produced the largest spread since {glue:text}`gfc_last_higher`. Between crises the
# spread sits near its median of {glue:text}`spread_median` percentage points. Over the
# {glue:text}`n_months` months it averaged {glue:text}`spread_rec` points in recession months
# and {glue:text}`spread_exp` in expansions. The table lists the highest spread in a window
# from six months before each of the {glue:text}`n_recessions` recessions to a year after it:

# %%
peaks_table = peaks.assign(**{"max date": peaks["max date"].dt.strftime("%Y-%m"),
                              "rise (pp)": peaks["max value"] - peaks["start value"]})
row_dep = peaks[peaks["peak"] == "1929-08"].iloc[0]
row_gfc = peaks[peaks["peak"] == "2007-12"].iloc[0]
glue("dep_max", f"{row_dep['max value']:.2f}", display=False)
glue("dep_date", row_dep["max date"].strftime("%B %Y"), display=False)
glue("dep_start", f"{row_dep['start value']:.2f}", display=False)
glue("gfc_max", f"{row_gfc['max value']:.2f}", display=False)
glue("gfc_date", row_gfc["max date"].strftime("%B %Y"), display=False)
glue("gfc_start", f"{row_gfc['start value']:.2f}", display=False)
before_gfc = spread[spread.index < row_gfc["max date"]]
glue("gfc_last_higher", before_gfc[before_gfc >= row_gfc["max value"]].index[-1].strftime("%B %Y"),
     display=False)
after_gfc = spread["2010":]
oil = data.wti()["wti"].resample("MS").mean()
glue("oil_2014", f"{oil['2014-06-01']:.0f}", display=False)
glue("oil_at_peak", f"{oil[after_gfc.idxmax()]:.0f}", display=False)
glue("post_gfc_max", round(float(after_gfc.max()), 2), display=False)
glue("post_gfc_date", after_gfc.idxmax().strftime("%B %Y"), display=False)
peaks_table.set_index(["peak", "trough"]).round(2)

# %% [markdown]
# The spread peaked at {glue:text}`dep_max` percentage points in {glue:text}`dep_date`, in the
# depth of the Depression, up from {glue:text}`dep_start` before it; in the Great Recession it
# rose from {glue:text}`gfc_start` to {glue:text}`gfc_max` in {glue:text}`gfc_date`, after the
# failure of Lehman Brothers in September 2008. What this says about default is that it is
# **systematic**: firms do not default one at a time but in clusters, when the economy turns,
# and investors demand compensation for that risk in advance and most of all when it is
# realised. Not every peak is a recession: from 2010 on the highest spread,
# {glue:text}`post_gfc_max` in {glue:text}`post_gfc_date`, came with the collapse of oil
# prices (WTI averaged US\$ {glue:text}`oil_2014` a barrel in June 2014 and
# US\$ {glue:text}`oil_at_peak` in that month, `finbook.data.wti()`) and the distress of energy
# firms, without an NBER recession.

# %% [markdown]
# ## The structural model meets the market
#
# The structural model says that default risk moves with leverage and volatility. The book's
# data have no firm balance sheets, but they have the market's volatility: the S&P 500. As a
# stylised experiment, consider an **index firm** whose equity has the volatility of the S&P 500
# (trailing one-year realised volatility of daily log returns) and whose debt is fixed at
# {glue:text}`idx_de` times its equity, one year to maturity. Solving the Merton model each
# month gives its distance to default, which we set beside the BAA-AAA spread.

# %%
prices = data.sp500()["adj_close"]
realised = np.log(prices).diff().rolling(252).std() * np.sqrt(252)
monthly = pd.DataFrame({"equity vol": realised.resample("MS").last(), "spread": spread}).dropna()


def index_firm(vol):
    """Distance to default (risk-neutral) and Merton spread of a firm with the given equity vol."""
    sol = credit.solve_merton(1.0, vol, DEBT_TO_EQUITY, RATE, HORIZON)
    return (credit.distance_to_default(sol.asset_value, DEBT_TO_EQUITY, sol.asset_vol, drift=RATE,
                                       maturity=HORIZON),
            1e4 * credit.merton_credit_spread(sol.asset_value, DEBT_TO_EQUITY, sol.asset_vol, RATE, HORIZON))


monthly[["distance to default", "Merton spread (bp)"]] = [index_firm(v) for v in monthly["equity vol"]]
corr = monthly.corr(method="spearman")
glue("idx_de", DEBT_TO_EQUITY, display=False)
glue("idx_start", monthly.index[0].strftime("%B %Y"), display=False)
glue("idx_end", monthly.index[-1].strftime("%B %Y"), display=False)
glue("corr_vol_spread", round(float(corr.loc["equity vol", "spread"]), 2), display=False)
glue("corr_dd_spread", round(float(corr.loc["distance to default", "spread"]), 2), display=False)
glue("merton_spread_median", round(float(monthly["Merton spread (bp)"].median()), 2) + 0.0, display=False)
glue("merton_spread_max", round(float(monthly["Merton spread (bp)"].max()), 1), display=False)
glue("market_spread_median_bp", round(100 * float(monthly["spread"].median())), display=False)
corr.round(2)

# %%
fig, ax = plt.subplots(figsize=(10, 4))
ax.plot(monthly.index, monthly["distance to default"], color=plots.PALETTE[0],
        label="index firm: distance to default (left, inverted)")
ax.invert_yaxis()
ax.set_ylabel("distance to default (standard deviations)")
ax.set_xlabel("month")
ax2 = ax.twinx()
ax2.plot(monthly.index, monthly["spread"], color=plots.PALETTE[1], label="BAA - AAA spread (right)")
ax2.set_ylabel("BAA - AAA spread (percentage points)")
ax2.grid(False)
fig.legend(loc="upper left", bbox_to_anchor=(0.08, 0.92), fontsize=8)
ax.set_title("Distance to default from market volatility, against the bond market's spread")
plt.show()

# %% [markdown]
# From {glue:text}`idx_start` to {glue:text}`idx_end` the two series move together: the rank
# correlation between the index firm's distance to default and the BAA-AAA spread is
# {glue:text}`corr_dd_spread`. (It is the rank correlation of the market's volatility with the
# spread, {glue:text}`corr_vol_spread`, with the sign reversed: with its leverage fixed, the
# index firm's distance to default is a decreasing function of volatility alone.) This is in
# line with {cite:t}`campbell2003equity`, who found that a firm's own (idiosyncratic) equity
# volatility explains as much of the cross-sectional variation in corporate bond yields as its
# credit rating; here the same mechanism shows up over time, market-wide. The
# dot-com bust, the financial crisis, the euro-area debt crisis and the oil slump all show up
# in both.
#
# The *levels* tell a different story. The Merton spread of the index firm has a median of
# {glue:text}`merton_spread_median` basis points and never exceeds
# {glue:text}`merton_spread_max`, while the market's BAA-AAA spread has a median of
# {glue:text}`market_spread_median_bp` basis points; the worked example above gave a similar
# {glue:text}`ex_spread_bp`. This is the *credit spread puzzle*: structural models attribute to
# expected default only a small part of what corporate bonds pay. {cite:t}`elton2001explaining`
# found that expected default explains a surprisingly small fraction of corporate spreads over
# Treasuries, and that the rest reflects taxes and a risk premium of the kind that equities
# earn. The model's timing is informative, its level is not a price.

# %% [markdown]
# ## How this compares with published results
#
# - Our solver reproduces the published MATLAB example to its printed precision (table
#   above), and the unit tests check it against the Black-Scholes call price of QuantLib.
# - {cite:t}`bharath2008forecasting` tested the Merton distance to default as a forecaster
#   of actual defaults of US firms. They found that it does not capture all the information
#   in its own inputs: a naive version that keeps the functional form but skips solving the
#   equations forecasts about as well, and a hazard model adding other predictors beats it out
#   of sample. Its functional form (leverage over volatility) is what matters; treat
#   $N(-\text{DD})$ as a ranking, not as a calibrated probability.
# - The BAA-AAA spread's rise in the major recessions, and its peaks in {glue:text}`dep_date`
#   and {glue:text}`gfc_date`, can be read directly off FRED's series (AAA and BAA); the
#   recession dates are the NBER's.

# %% [markdown]
# ## What we learned
#
# - Equity is a call option on the firm's assets; from its value and volatility the Merton
#   model recovers the assets' value and volatility. Our illustrative firm sits
#   {glue:text}`ex_dd` standard deviations from default, a one-year physical PD of
#   {glue:text}`ex_pd_phys_pct`% (risk-neutral {glue:text}`ex_pd_rn_pct`%).
# - The probability of default is extremely non-linear in leverage and asset volatility: at
#   70% leverage, doubling asset volatility from 20% to 40% takes it from
#   {glue:text}`pd_70_20`% to {glue:text}`pd_70_40`%.
# - The bond market prices default risk in waves: the BAA-AAA spread averaged
#   {glue:text}`spread_rec` percentage points in recession months against
#   {glue:text}`spread_exp` in expansions, and peaked at {glue:text}`dep_max` in
#   {glue:text}`dep_date` and {glue:text}`gfc_max` in {glue:text}`gfc_date`.
# - A structural model fed only the market's volatility tracks the timing of the spread (rank
#   correlation {glue:text}`corr_dd_spread` with the distance to default) but not its level:
#   a median Merton spread of {glue:text}`merton_spread_median` basis points against a market
#   spread of {glue:text}`market_spread_median_bp`.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: corporate-ex-horizon
# Re-run the worked example with `HORIZON = 5` (five-year debt). How do the distance to
# default and the two probabilities of default change? Why does a longer horizon raise the
# probability of default for a firm that is far from default today?
# ```
#
# ```{solution} corporate-ex-horizon
# :class: dropdown
# The uncertainty about the asset value at maturity grows with $\sigma_V \sqrt{T}$ while the
# drift term grows only with $T$, so for a firm whose assets comfortably exceed its debt the
# distance to default shrinks as the horizon lengthens and the cumulative probability of
# default rises steeply. (The equity value and volatility also imply a different $V$ and
# $\sigma_V$ when the debt's maturity changes, since equity is a longer option.) This is why
# rating agencies and the model agree that cumulative default rates rise with the horizon
# even for safe issuers.
# ```
#
# ```{exercise}
# :label: corporate-ex-drift
# The physical probability of default needs the expected asset return $\mu$, which is hard to
# estimate. Compute the example firm's physical PD for $\mu$ between 0% and 15%. How much
# does it vary, compared with the effect of a 10-point change in equity volatility?
# ```
#
# ```{solution} corporate-ex-drift
# :class: dropdown
# Over one year the drift enters the distance to default only through $\mu T / (\sigma_V
# \sqrt T)$, so a 15-point range of $\mu$ shifts this firm's DD by less than one standard
# deviation, while a 10-point change in equity volatility changes the implied asset
# volatility, and hence the denominator of the DD, much more: the PD moves by a far larger
# factor. The PD is more sensitive to
# volatility than to the drift, which is one reason practitioners often use the risk-neutral
# probability, or a simple rule for $\mu$, and calibrate the DD to observed default rates
# afterwards, as Moody's KMV does.
# ```
#
# ```{exercise}
# :label: corporate-ex-levels
# In the last section, raise `DEBT_TO_EQUITY` from 1 to 5. The index firm now owes five times
# its equity, yet its distance to default falls far less than a fivefold debt suggests. Why?
# What does this say about using equity volatility alone to measure default risk?
# ```
#
# ```{solution} corporate-ex-levels
# :class: dropdown
# The equity's value and volatility are held fixed. With more debt behind the same equity,
# {eq}`merton-vol` implies a much *calmer* asset base, $\sigma_V \approx \sigma_E E / V$ for
# a safe firm, so that $\text{DD} \approx \ln(V/D) / \sigma_V \approx (V/E) \ln(V/D) /
# \sigma_E$. With $V \approx E + D$ this is about $1.39 / \sigma_E$ when $D = E$ and tends to
# $1 / \sigma_E$ as the debt grows: the equity volatility pins the distance to default.
# Equity volatility already *contains* the leverage, because levered equity is more volatile.
# To tell a safe, highly levered firm from a risky, lightly levered one you need the balance
# sheet as well as the share price, which is why practical versions of the model (and the
# naive distance to default of Bharath and Shumway) combine both.
# ```
