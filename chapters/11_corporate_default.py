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
DEBT_TO_EQUITY = 1.0  # leverage of the "index firm": face value of one-year debt / equity value
LEVERAGE = 0.40  # like-for-like firm: risk-free present value of its debt / its assets (an assumption)
DEBT_MATURITY = 20.0  # like-for-like firm: years to the debt's maturity, as Moody's long bonds
FIRST_FIT = 60  # learning: months in the first fit of the walk-forward regressions
ALPHA = 0.05  # level of every test

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
from scipy import optimize

from finbook import credit, data, inference, plots, repro

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
example.round(4).to_frame()

# %% tags=["remove-cell"]
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
# the sections on the market's spread.
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
# every published figure is reproduced to half a unit of its last printed digit
assert ((published["A ours"] - published["A published"]).abs() <= 0.5e3 + 1e-6).all()
assert (published["DD ours"] - published["DD published"]).abs().max() <= 0.5e-4 + 1e-12
assert (published["PD ours"] - published["PD published"]).abs().max() <= 0.5e-4 + 1e-12
shown = published.assign(**{"A published": published["A published"] / 1e7, "A ours": published["A ours"] / 1e7})
shown[["A published", "A ours", "DD published", "DD ours", "PD published", "PD ours"]].round(4)

# %% tags=["remove-cell"]
glue("max_dd_gap", f"{max_dd_gap:.1e}", display=False)

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
pd.DataFrame({f"asset vol {s:.0%}": {f"D/V {lev:.0%}": round(100 * pd_grid[(lev, s)], 4) for lev in (0.5, 0.7)}
              for s in (0.2, 0.4)}).rename_axis("PD (%)")

# %% tags=["remove-cell"]
glue("pd_50_20", f"{100 * pd_grid[(0.5, 0.2)]:.4f}", display=False)
glue("pd_50_40", f"{100 * pd_grid[(0.5, 0.4)]:.2f}", display=False)
glue("pd_70_20", f"{100 * pd_grid[(0.7, 0.2)]:.2f}", display=False)
glue("pd_70_40", f"{100 * pd_grid[(0.7, 0.4)]:.1f}", display=False)

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
# NBER recessions that began within the bond sample (the list runs on to 2020)
in_sample = [(p, t) for p, t in data.NBER_RECESSIONS
             if pd.Period(p, "M") <= spread.index[-1].to_period("M")]
pd.DataFrame({"months": [int(in_recession.sum()), int((~in_recession).sum())],
              "mean spread (pp)": [spread[in_recession].mean(), spread[~in_recession].mean()],
              "median spread (pp)": [spread[in_recession].median(), spread[~in_recession].median()]},
             index=["recession", "expansion"]).round(2)

# %% tags=["remove-cell"]
glue("bond_start", spread.index[0].strftime("%B %Y"), display=False)
glue("bond_end", spread.index[-1].strftime("%B %Y"), display=False)
glue("n_months", f"{len(spread):,}", display=False)
glue("spread_mean", round(float(spread.mean()), 2), display=False)
glue("spread_median", round(float(spread.median()), 2), display=False)
glue("spread_rec", round(float(spread[in_recession].mean()), 2), display=False)
glue("spread_exp", round(float(spread[~in_recession].mean()), 2), display=False)
glue("n_recessions", len(in_sample), display=False)

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
# Read the figure from left to right. In {glue:text}`n_rose` of the {glue:text}`n_windows`
# recession windows in the table below the spread rose above its value at the start of the
# window, and it often
# kept rising for months after the NBER's trough, when the defaults of the downturn were being
# realised. The **Great Depression**'s peak is {glue:text}`dep_ratio` times the highest spread
# of any later recession; the **Great Recession** of
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
before_gfc = spread[spread.index < row_gfc["max date"]]
n_rose = int((peaks["max value"] > peaks["start value"]).sum())
# the Depression's peak is the highest of all the windows'
assert row_dep["max value"] == peaks["max value"].max()
after_gfc = spread["2010":]
oil = data.wti()["wti"].resample("MS").mean()
peaks_table.set_index(["peak", "trough"]).round(2)

# %% tags=["remove-cell"]
glue("dep_max", f"{row_dep['max value']:.2f}", display=False)
glue("dep_date", row_dep["max date"].strftime("%B %Y"), display=False)
glue("dep_start", f"{row_dep['start value']:.2f}", display=False)
glue("gfc_max", f"{row_gfc['max value']:.2f}", display=False)
glue("gfc_date", row_gfc["max date"].strftime("%B %Y"), display=False)
glue("gfc_start", f"{row_gfc['start value']:.2f}", display=False)
glue("gfc_last_higher", before_gfc[before_gfc >= row_gfc["max value"]].index[-1].strftime("%B %Y"),
     display=False)
glue("n_rose", n_rose, display=False)
glue("n_windows", len(peaks), display=False)
glue("dep_ratio", f"{row_dep['max value'] / peaks.loc[peaks['peak'] != '1929-08', 'max value'].max():.1f}",
     display=False)
glue("oil_2014", f"{oil['2014-06-01']:.0f}", display=False)
glue("oil_at_peak", f"{oil[after_gfc.idxmax()]:.0f}", display=False)
glue("post_gfc_max", round(float(after_gfc.max()), 2), display=False)
glue("post_gfc_date", after_gfc.idxmax().strftime("%B %Y"), display=False)

# %% [markdown]
# The spread peaked at {glue:text}`dep_max` percentage points in {glue:text}`dep_date`, in the
# depth of the Depression, up from {glue:text}`dep_start` before it; in the Great Recession it
# rose from {glue:text}`gfc_start` to {glue:text}`gfc_max` in {glue:text}`gfc_date`, after the
# failure of Lehman Brothers in September 2008. What this says about default is that it is
# **systematic**: firms do not default one at a time but in clusters, when the economy turns,
# and investors demand compensation for that risk in advance and most of all when it is
# realised. Not all peaks come with a recession: from 2010 on the highest spread,
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
corr.round(2)

# %% tags=["remove-cell"]
glue("idx_de", DEBT_TO_EQUITY, display=False)
glue("idx_start", monthly.index[0].strftime("%B %Y"), display=False)
glue("idx_end", monthly.index[-1].strftime("%B %Y"), display=False)
glue("corr_vol_spread", round(float(corr.loc["equity vol", "spread"]), 2), display=False)
glue("corr_dd_spread", round(float(corr.loc["distance to default", "spread"]), 2), display=False)
glue("merton_spread_median", round(float(monthly["Merton spread (bp)"].median()), 2) + 0.0, display=False)
glue("merton_spread_max", round(float(monthly["Merton spread (bp)"].max()), 1), display=False)
glue("market_spread_median_bp", round(100 * float(monthly["spread"].median())), display=False)

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
# The *levels* seem to tell a different story. The Merton spread of the index firm has a median
# of {glue:text}`merton_spread_median` basis points and stays at or below
# {glue:text}`merton_spread_max`, while the market's BAA-AAA spread has a median of
# {glue:text}`market_spread_median_bp` basis points. But these two numbers are not like for
# like, for three reasons. The index firm's debt matures in **one year**, while Moody's
# seasoned bonds have twenty years or more to run; in a diffusion model a firm far from its
# default point cannot get there within a year, so short-dated spreads vanish by construction.
# Its leverage was set by a round rule, not measured. And the Merton spread is a spread over
# the **risk-free rate**, while BAA-AAA is a spread between two ratings. The next section puts
# each side on the same footing.

# %% [markdown]
# ## Like with like: benchmark, maturity and leverage
#
# **The benchmark.** A spread over the risk-free rate is compared with a spread over the
# risk-free rate: Moody's BAA yield minus the yield of a Treasury of matching maturity. Moody's
# seasoned bonds have remaining maturities of twenty years or more, so we take the 20-year
# Treasury from the book's curve (`finbook.data.treasury_curve()`, monthly averages of daily
# par yields, as Moody's yields are monthly averages; the 30-year bond was not issued from
# 2002 to 2006). The same subtraction for AAA bonds shows the part of the spread that has
# little to do with default, since AAA firms rarely default: taxes (corporate coupons
# are taxed by US states, Treasury coupons are not), liquidity and call features
# {cite}`elton2001explaining`.
#
# **Maturity and leverage.** The model firm now has debt maturing in
# {glue:text}`lfl_maturity` years and a leverage of {glue:text}`lfl_leverage_pct`%: the
# risk-free present value of its debt, $De^{-rT}$, is that share of its assets (an assumption,
# a round value for an investment-grade borrower; change `LEVERAGE`). Its equity volatility is
# again the S&P 500's trailing one-year volatility and $r$ the 20-year Treasury yield,
# continuously compounded. With $V = 1$ and $D = L e^{rT}$, the spread {eq}`merton-spread` and
# the equity volatility {eq}`merton-vol` are closed-form functions of the asset volatility, so
# one bracketed root search per month finds the asset volatility that reproduces the equity
# volatility.

# %%
def lfl_debt(rate, maturity=DEBT_MATURITY, leverage=LEVERAGE):
    """Face value of debt whose risk-free present value is `leverage` times assets of 1."""
    return leverage * np.exp(rate * maturity)


def lfl_spread_bp(asset_vol, rate, maturity=DEBT_MATURITY, leverage=LEVERAGE):
    return 1e4 * credit.merton_credit_spread(1.0, lfl_debt(rate, maturity, leverage), asset_vol, rate, maturity)


def lfl_equity_vol(asset_vol, rate, maturity=DEBT_MATURITY, leverage=LEVERAGE):
    return credit.merton_equity_volatility(1.0, lfl_debt(rate, maturity, leverage), asset_vol, rate, maturity)


def asset_vol_for(target, function, rate, maturity=DEBT_MATURITY):
    """The asset volatility at which `function(asset_vol, rate, maturity)` equals `target` (bracketed)."""
    return optimize.brentq(lambda s: function(s, rate, maturity) - target, 1e-4, 3.0, xtol=1e-10)


treasury = data.treasury_curve().resample("MS").mean()
like = pd.DataFrame({"BAA - AAA": bonds["BAA"] - bonds["AAA"],
                     "BAA - Treasury": bonds["BAA"] - treasury["20y"],
                     "AAA - Treasury": bonds["AAA"] - treasury["20y"],
                     "equity vol": realised.resample("MS").last(),
                     "rate": 2 * np.log1p(treasury["20y"] / 200)}).dropna()  # semi-annual % -> continuous
like["asset vol"] = [asset_vol_for(v, lfl_equity_vol, r) for v, r in zip(like["equity vol"], like["rate"],
                                                                          strict=True)]
like["Merton, 1-year debt"] = [lfl_spread_bp(s, r, 1.0) for s, r in zip(like["asset vol"], like["rate"],
                                                                         strict=True)]
like["Merton, 20-year debt"] = lfl_spread_bp(like["asset vol"].to_numpy(), like["rate"].to_numpy())
old_setup = monthly.loc[like.index, "Merton spread (bp)"]
medians_bp = pd.Series({
    "market: BAA - AAA": 100 * like["BAA - AAA"].median(),
    "market: BAA - 20-year Treasury": 100 * like["BAA - Treasury"].median(),
    "market: AAA - 20-year Treasury": 100 * like["AAA - Treasury"].median(),
    f"Merton: 1-year debt, debt = {DEBT_TO_EQUITY:g} x equity (above)": old_setup.median(),
    f"Merton: 1-year debt, leverage {LEVERAGE:.0%}": like["Merton, 1-year debt"].median(),
    f"Merton: {DEBT_MATURITY:g}-year debt, leverage {LEVERAGE:.0%}": like["Merton, 20-year debt"].median(),
}, name="median over the months (basis points)")
medians_bp.round(1).to_frame()

# %% tags=["remove-cell"]
glue("lfl_maturity", f"{DEBT_MATURITY:g}", display=False)
glue("lfl_leverage_pct", f"{100 * LEVERAGE:.0f}", display=False)
glue("lfl_start", like.index[0].strftime("%B %Y"), display=False)
glue("lfl_end", like.index[-1].strftime("%B %Y"), display=False)
glue("lfl_baa_aaa", f"{medians_bp.iloc[0]:.0f}", display=False)
glue("lfl_baa_t", f"{medians_bp.iloc[1]:.0f}", display=False)
glue("lfl_aaa_t", f"{medians_bp.iloc[2]:.0f}", display=False)
glue("lfl_aaa_share", f"{100 * medians_bp.iloc[2] / medians_bp.iloc[1]:.0f}", display=False)
glue("lfl_m1", f"{medians_bp.iloc[4]:.1f}", display=False)
glue("lfl_m20", f"{medians_bp.iloc[5]:.1f}", display=False)
glue("lfl_m20_max", f"{like['Merton, 20-year debt'].max():.0f}", display=False)
glue("lfl_m20_max_date", like["Merton, 20-year debt"].idxmax().strftime("%B %Y"), display=False)

# %% [markdown]
# From {glue:text}`lfl_start` to {glue:text}`lfl_end` the BAA bonds paid a median
# {glue:text}`lfl_baa_t` basis points over the 20-year Treasury, and AAA bonds
# {glue:text}`lfl_aaa_t`: about {glue:text}`lfl_aaa_share`% of the spread over Treasuries is
# paid even by issuers that rarely default, so it is not a price of default. The
# BAA-AAA difference ({glue:text}`lfl_baa_aaa` basis points) is the closer target for a
# model of default alone, the BAA-Treasury spread an upper bound.
#
# On the model side, giving the firm a realistic leverage changes nothing while its debt is
# short: with one-year debt the median spread is {glue:text}`lfl_m1` basis points. Twenty-year
# debt raises it to {glue:text}`lfl_m20` (and to {glue:text}`lfl_m20_max` in
# {glue:text}`lfl_m20_max_date`). The figure shows why, for three equity volatilities:

# %%
maturities = np.linspace(0.25, 30, 120)
rate_typical = float(like["rate"].median())
vol_levels = {"median": like["equity vol"].median(), "90th percentile": like["equity vol"].quantile(0.9),
              "highest (crisis)": like["equity vol"].max()}
fig, ax = plt.subplots(figsize=(9, 4))
term_structure = {}
for (label, vol), color in zip(vol_levels.items(), plots.PALETTE, strict=False):
    curve = [lfl_spread_bp(asset_vol_for(vol, lfl_equity_vol, rate_typical, t), rate_typical, t)
             for t in maturities]
    term_structure[label] = pd.Series(curve, index=maturities)
    ax.plot(maturities, curve, color=color, label=f"equity vol {vol:.0%} ({label})")
for level, style, text in [(medians_bp.iloc[1], "--", "market: BAA - Treasury (median)"),
                           (medians_bp.iloc[0], ":", "market: BAA - AAA (median)")]:
    ax.axhline(level, color="0.3", linestyle=style, linewidth=1, label=text)
ax.set_xlabel("maturity of the firm's debt (years)")
ax.set_ylabel("Merton spread (basis points)")
ax.set_title(f"The Merton spread grows with the debt's maturity (leverage {LEVERAGE:.0%})")
ax.legend(fontsize=8)
plt.show()

# %%
# equity volatility the model needs to produce the market's spread, month by month
like["vol for BAA - AAA"] = [lfl_equity_vol(asset_vol_for(100 * s, lfl_spread_bp, r), r)
                             for s, r in zip(like["BAA - AAA"], like["rate"], strict=True)]
like["vol for BAA - Treasury"] = [lfl_equity_vol(asset_vol_for(100 * s, lfl_spread_bp, r), r)
                                  for s, r in zip(like["BAA - Treasury"], like["rate"], strict=True)]
crisis = term_structure["highest (crisis)"]
one_year = float(np.interp(1.0, maturities, crisis))
twenty = float(np.interp(DEBT_MATURITY, maturities, crisis))
assert one_year < 1.0 < twenty  # the short-maturity artefact: even the crisis volatility prices 1-year debt near 0
like[["equity vol", "vol for BAA - AAA", "vol for BAA - Treasury"]].describe().loc[
    ["mean", "min", "50%", "max"]].round(3)

# %% tags=["remove-cell"]
glue("ts_vol_crisis", f"{100 * vol_levels['highest (crisis)']:.0f}", display=False)
glue("ts_crisis_1y", f"{one_year:.1f}", display=False)
glue("ts_crisis_20y", f"{twenty:.0f}", display=False)
glue("ts_vol_median", f"{100 * vol_levels['median']:.0f}", display=False)
glue("need_vol_baa_aaa", f"{100 * like['vol for BAA - AAA'].median():.0f}", display=False)
glue("need_vol_baa_t", f"{100 * like['vol for BAA - Treasury'].median():.0f}", display=False)
glue("need_ratio", f"{(like['vol for BAA - AAA'] / like['equity vol']).median():.1f}", display=False)

# %% [markdown]
# The figure separates the two effects the first comparison mixed up. The **short-maturity
# artefact**: at the highest volatility of the sample ({glue:text}`ts_vol_crisis`%), one-year
# debt still gets {glue:text}`ts_crisis_1y` basis points, twenty-year debt
# {glue:text}`ts_crisis_20y`. A diffusion needs time to reach the default point, so the model's
# spreads start at zero and grow with maturity (for very risky firms they would hump and fall
# again). Most of the "0.0 basis points" was this artefact, not a finding about credit.
#
# The **credit spread puzzle** is what is left at the right maturity. At the index's median
# volatility ({glue:text}`ts_vol_median`%) even twenty-year debt gets
# {glue:text}`lfl_m20` basis points. The table above asks the question the other way round:
# which equity volatility would make the model's twenty-year spread equal the market's each
# month? A median {glue:text}`need_vol_baa_aaa`% to match BAA-AAA, about
# {glue:text}`need_ratio` times the index's volatility that month, and
# {glue:text}`need_vol_baa_t`% to match BAA-Treasury. A single company's shares are more
# volatile than the index (the index averages away firm-specific risk), so the index
# understates the volatility of a typical BAA firm; whether that firm's volatility is high
# enough cannot be settled with market-wide data. The studies that can settle it calibrate
# the model firm by firm to historical default rates: {cite:t}`huang2012much` find that credit
# risk explains only a small part of investment-grade spreads, and a smaller part the
# shorter the maturity, and {cite:t}`chen2009relation` explain the rest by a risk premium that
# is highest in recessions, when defaults cluster.

# %% [markdown]
# ## The naive distance to default
#
# {cite:t}`bharath2008forecasting` asked whether solving Merton's two equations is worth the
# trouble. Their **naive** distance to default keeps the model's functional form but replaces
# each unobserved input by a rule: the debt's market value is its face value $F$, the debt's
# volatility is $0.05 + 0.25\,\sigma_E$, the assets' volatility is the value-weighted average
#
# $$
# \sigma_V^{\text{naive}} = \frac{E}{E+F}\,\sigma_E + \frac{F}{E+F}\,(0.05 + 0.25\,\sigma_E),
# $$
#
# and the expected asset return is the stock's return over the past year, $r_{t-1}$:
#
# $$
# \text{DD}^{\text{naive}} = \frac{\ln\frac{E+F}{F} + (r_{t-1} - \tfrac12 (\sigma_V^{\text{naive}})^2)\,T}
#   {\sigma_V^{\text{naive}} \sqrt T}.
# $$ (naive-dd)
#
# `finbook.credit.naive_distance_to_default` computes it. For the index firm of the previous
# sections (one-year debt of {glue:text}`idx_de` times equity) the past-year return is the
# S&P 500's:

# %%
naive = pd.DataFrame({"equity vol": realised.resample("MS").last(),
                      "past-year return": prices.pct_change(252).resample("MS").last()}).dropna()
naive = naive.join(monthly[["distance to default", "spread"]], how="inner")
naive["naive distance to default"] = credit.naive_distance_to_default(
    1.0, DEBT_TO_EQUITY, naive["equity vol"].to_numpy(), naive["past-year return"].to_numpy(), maturity=HORIZON)
naive_corr = naive[["distance to default", "naive distance to default", "spread"]].corr(method="spearman")
assert naive["naive distance to default"].median() < naive["distance to default"].median()
naive_corr.round(2)

# %% tags=["remove-cell"]
glue("naive_corr_dd", f"{naive_corr.loc['distance to default', 'naive distance to default']:.2f}", display=False)
glue("naive_corr_spread", f"{naive_corr.loc['naive distance to default', 'spread']:.2f}", display=False)
glue("naive_dd_median", f"{naive['naive distance to default'].median():.2f}", display=False)
glue("merton_dd_median", f"{naive['distance to default'].median():.2f}", display=False)

# %% [markdown]
# The two distances rank the months alike (rank correlation {glue:text}`naive_corr_dd`), but
# the naive one sits lower (median {glue:text}`naive_dd_median` against
# {glue:text}`merton_dd_median`): its rule gives the debt a volatility of its own, so the assets
# look riskier. It also moves with the past year's return, which the solved model ignores; its
# rank correlation with the BAA-AAA spread is {glue:text}`naive_corr_spread`, against
# {glue:text}`corr_dd_spread` for the solved distance. For one index firm this is an
# illustration; Bharath and Shumway's test of the two as forecasters of actual defaults is
# summarised in the last section.

# %% [markdown]
# ## Learning the spread from Merton's inputs
#
# The structural model names three inputs that should move a firm's credit spread: its
# leverage (which falls when its shares rise), its volatility and the risk-free rate.
# {cite:t}`collin2001determinants` regressed monthly changes in corporate bond spreads on
# changes in these inputs and found that they explain only a limited part. We do the same on
# the market-wide series, and test it **out of sample**: can a regression learnt from
# Merton's inputs tell what the BAA-Treasury spread did in months it has not seen?
#
# - Target: the change in the BAA minus 20-year Treasury spread from one month to the next
#   (percentage points).
# - Inputs, all for the same month: the S&P 500's log return (monthly average levels, the
#   leverage channel), the change in its realised volatility within the month (annualised),
#   the change in the 20-year Treasury yield, and last month's change in the spread (monthly
#   averages make changes autocorrelated).
# - Baseline: the same regression without the three Merton inputs, an AR(1) in changes. It
#   sees the same rows and everything else the model sees, so the comparison isolates what the
#   Merton inputs add. The random walk (no change) is shown for reference.
# - Walk-forward: each month is predicted by a least-squares fit on all earlier months (the
#   first fit uses {glue:text}`first_fit` months). Nothing is tuned, so no validation set is
#   needed and no choice sees the test months.
# - A second model uses the inputs of the *previous* month: a true forecast.
#
# The model and its baseline are nested (the baseline is the model with three coefficients set
# to zero). A plain Diebold-Mariano test is then undersized; {cite:t}`clark2007approximately`
# adjust the larger model's squared error by the squared gap between the two forecasts, and
# we apply the HAC Diebold-Mariano test (`inference.dm_test`) to the adjusted losses. The two
# tests (same-month and forecast) are corrected together by Holm's method at the
# {glue:text}`alpha_pct`% level.

# %%
month_level = np.log(prices.resample("MS").mean())
month_vol = np.log(prices).diff().resample("MS").std() * np.sqrt(252)
levels = pd.DataFrame({"spread": bonds["BAA"] - treasury["20y"], "log S&P": month_level,
                       "vol": month_vol, "rate": treasury["20y"]}).dropna()
changes = pd.DataFrame({"spread change": levels["spread"].diff(),
                        "last spread change": levels["spread"].diff().shift(1),
                        "equity return": levels["log S&P"].diff(), "vol change": levels["vol"].diff(),
                        "rate change": levels["rate"].diff()})
MERTON_INPUTS = ["equity return", "vol change", "rate change"]
for col in MERTON_INPUTS:
    changes[f"{col}, last month"] = changes[col].shift(1)
changes = changes.dropna()


def walk_forward(columns, first=FIRST_FIT):
    """Predict each month from a least-squares fit (with intercept) on all earlier months."""
    X = np.column_stack([np.ones(len(changes)), changes[list(columns)].to_numpy()])
    y = changes["spread change"].to_numpy()
    preds = [X[t] @ np.linalg.lstsq(X[:t], y[:t], rcond=None)[0] for t in range(first, len(changes))]
    return pd.Series(preds, index=changes.index[first:])


actual = changes["spread change"].iloc[FIRST_FIT:]
forecasts = {
    "random walk (no change)": pd.Series(0.0, index=actual.index),
    "AR(1) baseline": walk_forward(["last spread change"]),
    "Merton inputs, same month": walk_forward(["last spread change", *MERTON_INPUTS]),
    "Merton inputs, last month": walk_forward(["last spread change", *[f"{c}, last month" for c in MERTON_INPUTS]]),
}
base = forecasts["AR(1) baseline"]
mse_rw = float((actual**2).mean())
rows, tests = {}, {}
for name, pred in forecasts.items():
    mse = float(((actual - pred) ** 2).mean())
    rows[name] = {"RMSE (bp)": 100 * np.sqrt(mse), "out-of-sample R2 vs no change": 1 - mse / mse_rw,
                  "R2 vs AR(1)": 1 - mse / float(((actual - base) ** 2).mean())}
    if name.startswith("Merton"):
        adjusted = (actual - pred) ** 2 - (base - pred) ** 2  # Clark-West adjustment of the larger model
        tests[name] = inference.dm_test(adjusted, (actual - base) ** 2)
family = inference.holm({k: t.pvalue for k, t in tests.items()}, alpha=ALPHA)
learn = pd.DataFrame.from_dict(rows, orient="index")
for name, t in tests.items():
    learn.loc[name, "Clark-West p"] = t.pvalue
    learn.loc[name, "Holm p"] = family.table.loc[name, "adjusted"]
assert len(actual) == len(forecasts["Merton inputs, same month"]) == len(base)  # same rows for every model
learn_words = {name: inference.verdict((tests[name].mean_difference, family.table.loc[name, "adjusted"]),
                                       better="lower", alpha=ALPHA)
               for name in tests}
learn.round(3)

# %% tags=["remove-cell"]
glue("first_fit", FIRST_FIT, display=False)
glue("alpha_pct", f"{100 * ALPHA:g}", display=False)
glue("learn_test_start", actual.index[0].strftime("%B %Y"), display=False)
glue("learn_test_end", actual.index[-1].strftime("%B %Y"), display=False)
glue("learn_n", len(actual), display=False)
glue("learn_r2_same", f"{learn.loc['Merton inputs, same month', 'out-of-sample R2 vs no change']:.2f}", display=False)
glue("learn_r2_ar", f"{learn.loc['AR(1) baseline', 'out-of-sample R2 vs no change']:.2f}", display=False)
glue("learn_r2_last", f"{learn.loc['Merton inputs, last month', 'out-of-sample R2 vs no change']:.2f}", display=False)
glue("learn_r2_same_vs_ar", f"{learn.loc['Merton inputs, same month', 'R2 vs AR(1)']:.2f}", display=False)
glue("learn_r2_last_vs_ar", f"{learn.loc['Merton inputs, last month', 'R2 vs AR(1)']:.2f}", display=False)
glue("learn_verdict_same", learn_words["Merton inputs, same month"], display=False)
glue("learn_verdict_last", learn_words["Merton inputs, last month"], display=False)

# %%
last_fit = np.linalg.lstsq(np.column_stack([np.ones(len(changes)), changes[["last spread change", *MERTON_INPUTS]]]),
                           changes["spread change"].to_numpy(), rcond=None)[0]
coefs = pd.Series(last_fit, index=["intercept", "last spread change", *MERTON_INPUTS], name="coefficient")
# the signs the structural model (and Collin-Dufresne et al. for the rate) lead us to expect
assert coefs["equity return"] < 0 and coefs["vol change"] > 0 and coefs["rate change"] < 0
coefs.round(3).to_frame()

# %% tags=["remove-cell"]
glue("coef_ret", f"{coefs['equity return']:.2f}", display=False)
glue("coef_vol", f"{coefs['vol change']:.2f}", display=False)
glue("coef_rate", f"{coefs['rate change']:.2f}", display=False)

# %% [markdown]
# Over the {glue:text}`learn_n` test months, {glue:text}`learn_test_start` to
# {glue:text}`learn_test_end`, the regression on same-month Merton inputs has an out-of-sample
# $R^2$ of {glue:text}`learn_r2_same` against no change (the AR(1) baseline:
# {glue:text}`learn_r2_ar`) and cuts the baseline's squared error by a share of
# {glue:text}`learn_r2_same_vs_ar`; it is {glue:text}`learn_verdict_same` the AR(1)
# baseline (Clark-West, Holm-adjusted). With last month's inputs, a true forecast, the share
# is {glue:text}`learn_r2_last_vs_ar` and the model is {glue:text}`learn_verdict_last` the
# baseline. The Clark-West test asks whether the inputs' coefficients are zero, so a
# significant result with a small share means that the inputs carry information, but little
# of it. The fit on all months (the table above) has the signs the model predicts (the
# cell asserts them): a rise in share prices ({glue:text}`coef_ret` percentage points of spread per unit of log
# return) lowers the spread and a rise in volatility ({glue:text}`coef_vol` per unit of
# annualised volatility) raises it; a rise in the Treasury yield comes with a lower spread
# ({glue:text}`coef_rate` per point), as {cite:t}`collin2001determinants` also found.
#
# What the learning adds is a measured answer to a question the structural model only poses:
# Merton's inputs carry information about the spread's *changes* in months the regression
# has not seen, while its *level* is far above what the model prices. Even the same-month
# regression leaves most of the variation unexplained, as in {cite:t}`collin2001determinants`,
# who found that the rest of the spread changes share a common factor of their own.

# %% [markdown]
# ## How this compares with published results
#
# - Our solver reproduces the published MATLAB example to its printed precision (table
#   above), and the unit tests check it against the Black-Scholes call price of QuantLib.
# - {cite:t}`bharath2008forecasting` tested the Merton distance to default as a forecaster
#   of actual defaults of US firms. They found that it does not capture all the information
#   in its own inputs: a naive version that keeps the functional form but skips solving the
#   equations forecasts slightly better in their tests, and that a hazard model adding other
#   predictors forecasts defaults better out of sample than the Merton probabilities. They
#   conclude that its functional form (leverage over volatility) is what is useful; treat
#   $N(-\text{DD})$ as a ranking, not as a calibrated probability. The naive distance above
#   follows their definition.
# - {cite:t}`huang2012much` calibrate structural models to historical default rates and find
#   that credit risk explains a small part of investment-grade spreads over Treasuries, the
#   smaller the shorter the maturity: the pattern of our like-for-like section, where the
#   model needs {glue:text}`need_vol_baa_aaa`% equity volatility, far above the index's, to
#   match even the BAA-AAA spread at twenty years.
# - {cite:t}`collin2001determinants` found that structural variables explain only a limited
#   part of monthly spread changes for individual bonds; on the market-wide series our
#   same-month regression reaches an out-of-sample $R^2$ of {glue:text}`learn_r2_same`.
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
#   correlation {glue:text}`corr_dd_spread` with the distance to default). Its level must be
#   compared like with like: with one-year debt the Merton spread is near zero
#   ({glue:text}`lfl_m1` basis points at {glue:text}`lfl_leverage_pct`% leverage), an artefact
#   of the maturity; with twenty-year debt it is {glue:text}`lfl_m20`, against
#   {glue:text}`lfl_baa_t` for BAA over the 20-year Treasury, of which AAA bonds also earn
#   {glue:text}`lfl_aaa_t`. What remains is the credit spread puzzle: to match even the BAA-AAA spread the model needs
#   an equity volatility of {glue:text}`need_vol_baa_aaa`%, about {glue:text}`need_ratio` times the index's.
# - The naive distance to default of Bharath and Shumway ranks the months like the solved one
#   (rank correlation {glue:text}`naive_corr_dd`) without solving anything.
# - Learnt out of sample, month by month, Merton's inputs explain part of the spread's changes:
#   the same-month regression is {glue:text}`learn_verdict_same` an AR(1) baseline, and with
#   last month's inputs it is {glue:text}`learn_verdict_last` it.

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
