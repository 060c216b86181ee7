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
# (heston-surrogate)=
# # A neural surrogate for the Heston model
#
# The Black–Scholes formula of {ref}`option-pricing` costs microseconds; a network that
# imitates it saves nothing. The Heston stochastic-volatility model is different: each
# price needs a numerical integral, and calibrating the model to a market means pricing
# thousands of options for every trial parameter vector. This chapter trains a network to
# reproduce QuantLib's Heston prices, measures how accurate it is on a held-out grid, and
# times it against the classical pricers at their best (QuantLib with its objects reused, and
# a vectorised NumPy pricer), counting what the network cost to build: the case where a
# surrogate can earn its keep, and the number of prices it takes to do so.
#
# ```{admonition} Simulated data
# :class: warning
# Every price in this chapter is **simulated from a model**: the Heston price computed by
# QuantLib for randomly drawn parameters. No market data are involved; the point is to
# measure how well, and how fast, a network reproduces a known pricing function.
# ```

# %% tags=["parameters"]
SEED = 2024  # seeds the samplers and the networks
N_PARAMETER_SETS = 4_000  # Heston parameter vectors in the training set
OPTIONS_PER_SET = 20  # calls priced for each training parameter vector
EPOCHS = 60  # epochs of every surrogate network
SEEDS = 5  # seeds of the headline surrogate (initial weights and mini-batch order)
BATCH_SIZE = 256  # mini-batch size of every surrogate network
N_TEST_SETS = 50  # parameter vectors on the held-out test grid (88 options each)
TIMING_REPEATS = 3  # timed runs of every pricer on the test grid (after one untimed warm-up run)

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
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from myst_nb import glue

from finbook import inference, options, plots, repro, training
from finbook.book import headline
from finbook.lessons import pricing_network, train_step

repro.set_seed(SEED)
plots.use_book_style()

# %% [markdown]
# ```{admonition} What the article says
# :class: note
# The seed article treats pricing as regression on a table of observed products with a
# `target` column, fitted by a small ReLU network and judged by its "loss" and "accuracy".
# It does not mention the use that made neural networks popular in derivatives pricing: a
# fast **surrogate** for a pricing model that is slow to evaluate, trained offline on the
# model's own prices and then used where speed matters, in calibration and risk runs
# {cite}`horvath2021deep`.
# ```
#
# ## The Heston model
#
# {cite:t}`heston1993closed` lets the variance $v_t$ of the stock's returns move randomly,
# mean-reverting and correlated with the stock:
#
# $$
# \begin{aligned}
# \frac{dS_t}{S_t} &= (r - q)\,dt + \sqrt{v_t}\,dW^1_t,\\
# dv_t &= \kappa(\theta - v_t)\,dt + \sigma\sqrt{v_t}\,dW^2_t, \qquad dW^1_t\,dW^2_t = \rho\,dt.
# \end{aligned}
# $$ (heston-sde)
#
# The five parameters are the initial variance $v_0$, the speed $\kappa$ at which variance
# reverts to its long-run level $\theta$, the volatility of variance $\sigma$ and the
# correlation $\rho$; a negative $\rho$ makes the implied-volatility smile slope down, as in
# equity markets. Heston's price is "closed form" up to an integral of the characteristic
# function, which QuantLib's `AnalyticHestonEngine` {cite}`quantlib2026quantlib` evaluates by Gaussian
# quadrature. `finbook.options.heston_price` wraps it. As in {ref}`option-pricing`, the price
# per unit strike depends on moneyness $m = S/K$ rather than on $S$ and $K$ separately; with
# rates we would use forward moneyness and discount, so we work with zero rates and dividends
# and seven inputs: $m$, maturity $T$ and the five parameters, drawn uniformly from this box:

# %%
domain = pd.DataFrame(options.HESTON_DOMAIN, index=["low", "high"]).T
domain.round(2)

# %% [markdown]
# What the model produces, for one parameter vector: implied volatilities that fall with
# moneyness $K/S$ (the skew that $\rho < 0$ creates) and flatten with maturity.

# %%
example = {"v0": 0.04, "kappa": 1.5, "theta": 0.06, "sigma": 0.7, "rho": -0.7}
fig, ax = plt.subplots()
for days in (37, 182, 730):
    m = np.exp(np.linspace(np.log(0.8), np.log(1.25), 41))
    price = options.heston_price(m, days / 365, **example)
    iv = options.implied_volatility(price, m, 1.0, days / 365, 0.0)
    ax.plot(1 / m, 100 * iv, label=f"{days} days")
ax.set_xlabel("strike / spot (K/S)")
ax.set_ylabel("Black–Scholes implied volatility (%)")
ax.legend(title=", ".join(f"{k}={v}" for k, v in example.items()), title_fontsize=8)
plt.show()

# %% [markdown]
# ## The training data, and what they cost
#
# We draw {glue:text}`n_sets` parameter vectors and, for each, {glue:text}`per_set` calls with random
# moneyness (uniform in log-moneyness) and maturity (a whole number of days between
# {glue:text}`t_lo` and {glue:text}`t_hi` years), and price them with QuantLib: a training
# set of {glue:text}`n_train` prices. A validation set of {glue:text}`n_valid` prices is drawn the same way.
# Generating prices is the expensive part of building a surrogate; the book's time budget
# keeps the training set under a hundred thousand, fewer than the hundreds of
# thousands used in the literature, and we will see what that costs in accuracy.

# %% tags=["nbval-ignore-output"]
# nbval-ignore-output: the generation time is a measured wall-clock time and differs between runs.
start = time.perf_counter()
train = options.heston_training_set(N_PARAMETER_SETS, OPTIONS_PER_SET, seed=SEED + 1)
generation_seconds = time.perf_counter() - start
start = time.perf_counter()
valid = options.heston_training_set(300, 10, seed=SEED + 2)
valid_seconds = time.perf_counter() - start
print(f"{len(train):,} training prices in {generation_seconds:.1f} s")

# %% tags=["remove-cell", "nbval-ignore-output"]
# nbval-ignore-output: the generation time is a measured wall-clock time and differs between runs.
glue("gen_seconds", f"{generation_seconds:.0f}", display=False)

# %%
train.head().round(4)

# %% tags=["remove-cell"]
glue("n_sets", f"{N_PARAMETER_SETS:,}", display=False)
glue("per_set", OPTIONS_PER_SET, display=False)
glue("n_train", f"{len(train):,}", display=False)
glue("n_valid", f"{len(valid):,}", display=False)
glue("t_lo", options.HESTON_DOMAIN["maturity"][0], display=False)
glue("t_hi", options.HESTON_DOMAIN["maturity"][1], display=False)

# %% [markdown]
# On the machine that executed this page, generating the training set took
# {glue:text}`gen_seconds` seconds. The last column, `bs_effective`, is the first idea that
# makes the network's job easier: the Black–Scholes price at the **effective volatility**
# $\bar\sigma(T) = \sqrt{\theta + (v_0 - \theta)(1 - e^{-\kappa T})/(\kappa T)}$, the root
# of the expected average variance over the option's life. It is what the Heston price
# would be if the variance moved deterministically, costs nothing to compute, and is already
# close to the Heston price; the network learns only the difference, a classical
# *control variate*. The second idea is to hand the network the natural scales of the
# problem as extra inputs: $\bar\sigma$, the total volatility $w = \bar\sigma\sqrt{T}$ and
# $\ln m / w$, all known functions of the seven inputs (`options.heston_features`).
#
# The test set is a grid, the kind of surface a calibrator prices: {glue:text}`n_test_sets`
# new parameter vectors, each with 8 moneyness levels from 0.8 to 1.25 and 11 maturities
# from 37 days to two years, {glue:text}`n_test` options in all. QuantLib prices it, one
# option after another, to give the true prices; the timing comparison comes later.

# %% tags=["nbval-ignore-output"]
# nbval-ignore-output: measured wall-clock time of QuantLib pricing; it differs between runs.
test = options.heston_grid(N_TEST_SETS, seed=SEED + 3)
start = time.perf_counter()
test["price"] = options.heston_price(*(test[c] for c in ("moneyness", "maturity", *options.HESTON_PARAMETERS)))
quantlib_seconds = time.perf_counter() - start
print(f"QuantLib: {len(test):,} options in {quantlib_seconds:.2f} s, "
      f"{len(test) / quantlib_seconds:,.0f} options per second")

# %%
test["bs_effective"] = options.heston_control_variate(test)
test_iv = options.implied_volatility(test["price"], test["moneyness"], 1.0, test["maturity"], 0.0, errors="nan")
test["volatility"] = test_iv  # the true implied volatility, for the error reports
test[["moneyness", "maturity", "price", "bs_effective"]].describe().round(4)

# %% tags=["remove-cell"]
glue("n_test", f"{len(test):,}", display=False)
glue("n_test_sets", N_TEST_SETS, display=False)
glue("test_iv_lo", round(100 * float(np.nanmin(test_iv)), 1), display=False)
glue("test_iv_hi", round(100 * float(np.nanmax(test_iv)), 1), display=False)

# %% [markdown]
# The test prices span implied volatilities from {glue:text}`test_iv_lo`% to
# {glue:text}`test_iv_hi`%.
#
# ## A second classical pricer: Lewis's formula in NumPy
#
# A surrogate has to beat the classical pricer at its best, not a slow way of calling it.
# QuantLib is called from Python one option at a time; the same integral can be written for a
# whole batch of options at once. With zero rates, $k = \ln m$ and $\varphi$ the
# characteristic function of $\ln(S_T/S_0)$, {cite:t}`lewis2001simple` writes the call price per
# unit strike as one integral along a line in the complex plane; subtracting the same integral
# for Black–Scholes at the effective volatility (total volatility $w = \bar\sigma\sqrt{T}$)
# leaves a small, quickly decaying integrand,
#
# $$
# \frac{C}{K} = C_{\mathrm{BS}}(w) - \frac{\sqrt{m}}{\pi}\int_0^\infty
# \frac{\operatorname{Re}\bigl[e^{iuk}\bigl(\varphi(u - \tfrac{i}{2})
# - e^{-(u^2 + 1/4)\,w^2/2}\bigr)\bigr]}{u^2 + 1/4}\,du,
# $$ (heston-lewis)
#
# the control variate of the surrogate again, used here inside the integral.
# `options.heston_price_lewis` evaluates Heston's $\varphi$ in its numerically stable form, with
# Gauss–Legendre quadrature on $[0, 32/w]$ ({glue:text}`lewis_nodes` nodes), for all options
# at once; the characteristic function does not depend on the strike, so it is computed once
# per parameter vector and maturity and shared by the strikes. The number of nodes is set by
# the hardest corner of the parameter domain, a short, low-variance option deep in the money
# under a high volatility of variance and a strongly negative $\rho$; the book's seed sweep
# met one on another seed's test grid (`HARD_CORNER` below). Before timing the pricer, we
# check it there and against QuantLib on the whole test grid:

# %%
# tolerance: rtol=0.5, atol=0.0005; the largest quadrature difference is a few 1e-8 of the strike and its last digits move with the CPU's floating-point kernels
LEWIS_NODES = 64  # Gauss-Legendre nodes on [0, 32/w]
FEW_NODES = 48  # the earlier choice, which failed the check below on the test grid of SEED = 5
HARD_CORNER = (1.25, 37 / 365, 0.0125, 1.1789, 0.0133, 0.8849, -0.8279)  # m, T, v0, kappa, theta, sigma, rho
hard_gap_bp = {n: float(abs(options.heston_price_lewis(*HARD_CORNER, nodes=n) - options.heston_price(*HARD_CORNER))[0])
               * 1e4 for n in (FEW_NODES, LEWIS_NODES)}
assert hard_gap_bp[LEWIS_NODES] < 0.1, f"{LEWIS_NODES} nodes miss the hard corner by {hard_gap_bp[LEWIS_NODES]:.3g} bp"
lewis_price = options.heston_price_lewis(*(test[c] for c in ("moneyness", "maturity", *options.HESTON_PARAMETERS)),
                                         nodes=LEWIS_NODES)
lewis_gap_bp = float(np.abs(lewis_price - test["price"]).max() * 1e4)
assert lewis_gap_bp < 0.1, f"NumPy pricer differs from QuantLib by {lewis_gap_bp:.3g} bp of the strike"
print(f"hard corner, |NumPy - QuantLib| with {FEW_NODES} and {LEWIS_NODES} nodes: "
      f"{hard_gap_bp[FEW_NODES]:.3f} and {hard_gap_bp[LEWIS_NODES]:.1e} bp of the strike")
print(f"largest |NumPy - QuantLib| on the test grid: {lewis_gap_bp:.4f} bp of the strike")

# %% tags=["remove-cell"]
# tolerance: rtol=0.5, atol=0.0005; the largest quadrature difference is a few 1e-8 of the strike and its last digits move with the CPU's floating-point kernels
glue("lewis_nodes", LEWIS_NODES, display=False)
glue("lewis_few", FEW_NODES, display=False)
glue("lewis_hard_few", f"{hard_gap_bp[FEW_NODES]:.2f}", display=False)
glue("lewis_hard", f"{hard_gap_bp[LEWIS_NODES]:.1e}", display=False)
glue("lewis_gap", f"{lewis_gap_bp:.4f}", display=False)

# %% [markdown]
# At the hard corner {glue:text}`lewis_few` nodes miss QuantLib by {glue:text}`lewis_hard_few`
# basis points of the strike and {glue:text}`lewis_nodes` nodes by {glue:text}`lewis_hard`. The
# largest difference on the {glue:text}`n_test` options is {glue:text}`lewis_gap` basis points
# of the strike, far below the one-tenth of a basis point we require (the `assert` above) and far below anything a surrogate will reach: as a reference for accuracy the two
# classical pricers are interchangeable.
#
# ## The article's recipe, and two baselines
#
# First, the article's recipe as it would run here: the seven raw inputs standardised, a
# 32-16-1 ReLU network, mean squared error on the price, Adam, batch size 32 (10 epochs, for
# the time budget). Then two baselines that need no network: the control variate alone
# (Black–Scholes at the effective volatility, no learning), and a polynomial fitted by least
# squares to the difference between the Heston price and the control variate, on the same
# ten inputs as the network (a Legendre polynomial, as in {ref}`option-pricing`), its degree
# chosen on the validation set. In ten dimensions the polynomial runs out of room quickly:
# degree 4 already has {glue:text}`terms_4` coefficients, degree 5 would have {glue:text}`terms_5`.

# %%
raw = ["moneyness", "maturity", *options.HESTON_PARAMETERS]
article_net = pricing_network(7, hidden=(32, 16), activation="relu", learning_rate=1e-3,
                              input_mean=train[raw].mean().to_numpy(),
                              input_scale=train[raw].std().to_numpy(), name="article_32_16_relu")
article_net, _ = training.fit(article_net, train[raw], train["price"], epochs=10, batch_size=32,
                              seed=SEED, step=train_step)
article_price = options.network_predict(article_net, test[raw])

x_train, x_valid, x_test = (options.heston_features(f) for f in (train, valid, test))
fits = options.fit_polynomial_degrees(x_train, train["price"] - train["bs_effective"], degrees=[2, 3, 4])
val_rmse = {d: options.pricing_errors(valid["price"], valid["bs_effective"] + m.predict(x_valid))["rmse"]
            for d, m in fits.items()}
degree = min(val_rmse, key=val_rmse.get)
poly_price = test["bs_effective"] + fits[degree].predict(x_test)
pd.DataFrame({"coefficients": {d: len(m.coef_) for d, m in fits.items()},
              "validation RMSE (bp of K)": val_rmse}).rename_axis("polynomial degree").round(2)

# %% tags=["remove-cell"]
glue("poly_degree", degree, display=False)
glue("poly_terms", f"{len(fits[degree].coef_):,}", display=False)
glue("terms_4", f"{len(fits[4].coef_):,}", display=False)
glue("terms_5", f"{math.comb(x_train.shape[1] + 5, 5):,}", display=False)

# %% [markdown]
# ## The surrogate network
#
# The surrogate is chapter 15's pricing network {eq}`pricing-net` on the ten inputs $x$ of
# `options.heston_features`, standardised with the training set's means and standard
# deviations, and it learns only what the control variate misses. With $C$ the Heston price
# per unit strike and $C_{\mathrm{cv}}$ the Black–Scholes price at the effective volatility,
#
# $$
# \hat C(x) = C_{\mathrm{cv}}(x) + f_\theta(x), \qquad
# \mathcal{L}(\theta) = \frac{1}{n}\sum_{i=1}^{n} \Bigl(f_\theta(x_i) - \bigl(C_i - C_{\mathrm{cv}}(x_i)\bigr)\Bigr)^2,
# $$ (heston-surrogate)
#
# the squared error {eq}`pricing-loss` of chapter 15 with the residual $C - C_{\mathrm{cv}}$ as
# the label, minimised by the same `train_step`. The residual is about a hundredth of the
# strike, hence the output scale of 0.01. Three GELU layers of 64 units, trained with Adam
# (batches of {glue:text}`batch_size`, the learning rate decaying from 0.01 along a cosine)
# for {glue:text}`epochs` epochs; the weights with the lowest validation loss are kept. It has
# {glue:text}`net_params` weights: a small network is also a fast one, which is the point of a
# surrogate. Pricing needs no QuantLib call: features, control variate and one batched
# evaluation of the network, compiled by XLA.

# %%
# @save
import math

from finbook import options, training


def fit_heston_surrogate(train, valid, *, hidden=(32, 32, 32), epochs=60, batch_size=128,
                         learning_rate=1e-2, seed=0):
    """Train the Heston surrogate of equation (heston-surrogate); return ``(model, history)`` (chapter 16).

    A GELU :func:`pricing_network` on ``options.heston_features`` (standardised with the
    training set's moments) learns the Heston price minus ``options.heston_control_variate``
    by mean squared error, Adam with a cosine-decaying learning rate, keeping the weights with
    the lowest loss on ``valid``. Frames as made by ``options.heston_frame``.
    """
    from finbook.lessons import pricing_loss, pricing_network, train_step

    x, control = options.heston_inputs(train)
    net = pricing_network(x.shape[1], hidden, activation="gelu", input_mean=x.mean(axis=0),
                          input_scale=x.std(axis=0), output_scale=0.01, learning_rate=learning_rate,
                          decay_steps=epochs * math.ceil(len(x) / batch_size), name=f"heston_{len(train)}")
    x_valid, control_valid = options.heston_inputs(valid)
    return training.fit(net, x, train["price"].to_numpy() - control, epochs=epochs,
                        batch_size=batch_size, seed=seed, step=train_step, val_loss=pricing_loss,
                        validation_data=(x_valid, valid["price"].to_numpy() - control_valid))


def heston_surrogate_price(model, frame):
    """Heston call prices per unit strike, C_cv + f(x) of equation (heston-surrogate) (chapter 16).

    ``model`` from :func:`fit_heston_surrogate`; features, control variate and one batched
    network evaluation compiled by XLA, no QuantLib call.
    """
    features, control = options.heston_inputs(frame)
    return control + options.network_predict(model, features, compiled=True)


# %%
# tolerance: rtol=0.3; networks: CPU-dependent rounding grows through training
seeds = [SEED + 1000 * k for k in range(SEEDS)]
seed_nets, seed_hists, seed_prices, seed_seconds = {}, {}, {}, {}


def fit_seed(seed):
    repro.set_seed(seed)  # initial weights; `seed` also orders the mini-batches
    start = time.perf_counter()
    seed_nets[seed], seed_hists[seed] = fit_heston_surrogate(train, valid, hidden=(64, 64, 64), epochs=EPOCHS,
                                                             batch_size=BATCH_SIZE, seed=seed)
    seed_seconds[seed] = time.perf_counter() - start
    seed_prices[seed] = heston_surrogate_price(seed_nets[seed], test)
    return options.pricing_errors(test["price"], seed_prices[seed])["rmse"]


net_spread = inference.over_seeds(fit_seed, seeds)
net, hist, net_price = seed_nets[seeds[0]], seed_hists[seeds[0]], seed_prices[seeds[0]]  # the first seed's
training_seconds = float(np.mean(list(seed_seconds.values())))  # one surrogate's training, timed below too

fig, ax = plt.subplots()
plots.plot_history({f"seed {k + 1}": {"loss": np.sqrt(seed_hists[s]["loss"]) * 1e4,
                                      "val_loss": np.sqrt(seed_hists[s]["val_loss"]) * 1e4}
                    for k, s in enumerate(seeds)}, ax=ax, ylabel="RMSE of price/strike (bp)")
ax.set_yscale("log")
plt.show()
net_spread.summary().rename("test-grid RMSE over seeds (bp of K)").round(3)

# %% tags=["remove-cell"]
# tolerance: rtol=0.3; networks: CPU-dependent rounding grows through training
glue("batch_size", BATCH_SIZE, display=False)
glue("epochs", EPOCHS, display=False)
glue("n_seeds", SEEDS, display=False)
glue("net_params", f"{net.count_params():,}", display=False)

# %% [markdown]
# The curves show the root mean squared error of the learned correction, in basis points of
# the strike, on the training and validation sets, for each of the {glue:text}`n_seeds`
# seeds (initial weights and order of the mini-batches); training and validation curves
# track each other closely, so the network is limited by its training time and data, not by
# overfitting. One seed is one draw: the headline below is the mean over the seeds, and the
# tables and figures after it show the first seed's network, the one timed.

# %%
# tolerance: rtol=0.3, atol=2; networks: CPU-dependent rounding grows through training: the article recipe's RMSE moved 10% and its share of prices with no implied vol 1.0% -> 1.9% with other kernels
results = pd.DataFrame({
    "article recipe (ReLU 32-16, raw inputs)": options.surrogate_report(test, article_price),
    "control variate alone (no learning)": options.surrogate_report(test, test["bs_effective"]),
    f"control variate + polynomial (degree {degree})": options.surrogate_report(test, poly_price),
    "control variate + GELU 3x64 (first seed)": options.surrogate_report(test, net_price),
})
seed_errors = pd.DataFrame({s: options.pricing_errors(test["price"], p) for s, p in seed_prices.items()}).T
mean_rmse, mean_mae, mean_max = (float(seed_errors[c].mean()) for c in ("rmse", "mae", "max"))
if mean_rmse < 1:
    goal = ("on average over the seeds the network meets it in root mean square"
            + (", though not in the worst case" if mean_max >= 1 else ", and even in the worst case"))
elif mean_mae < 1:
    goal = ("on average over the seeds the network meets it in mean absolute error, not in root mean square "
            "nor in the worst case")
else:
    goal = "the network does not meet it within this page's budget: even its mean absolute error is above one"
# The verdict, decided on the seed distribution: the weakest seed against the polynomial, paired on the
# same test options. The options of one parameter set share its parameters, so the bootstrap resamples
# whole parameter sets (mean squared error per set; the sets are drawn independently).
weakest = net_spread.scores.idxmax()
per_set = test.assign(net=(seed_prices[weakest] - test["price"]) ** 2 * 1e8,
                      poly=(poly_price - test["price"]) ** 2 * 1e8).groupby("set")[["net", "poly"]].mean()
weakest_vs_poly = inference.paired_block_bootstrap(per_set["net"], per_set["poly"], block_size=1, seed=SEED)
results.round(3)

# %% tags=["remove-cell"]
# tolerance: rtol=0.3, atol=2; networks: CPU-dependent rounding grows through training: the article recipe's RMSE moved 10% and its share of prices with no implied vol 1.0% -> 1.9% with other kernels
for key, col in [("article", 0), ("cv", 1), ("poly", 2), ("net", 3)]:
    for stat in ("rmse", "mae", "max"):
        glue(f"{key}_{stat}", round(float(results.loc[f"{stat} error (bp of K)"].iloc[col]), 2), display=False)
glue("net_iv", round(float(results.loc["median |implied vol error| (vol pts)"].iloc[3]), 3), display=False)
for stat in ("mean", "min", "max"):
    glue(f"net_seed_{stat}", round(getattr(net_spread, stat), 2), display=False)
glue("net_seed_mae", round(float(seed_errors["mae"].mean()), 2), display=False)
glue("net_seed_worst", round(float(seed_errors["max"].mean()), 1), display=False)
glue("goal_verdict", goal, display=False)
glue("net_vs_poly_verdict", inference.verdict(
    weakest_vs_poly, better="lower", names=(f"the weakest of the {SEEDS} seeds", f"the degree-{degree} polynomial")),
    display=False)
headline.glue_headline(
    task="Heston pricer surrogate",
    metric="RMSE of price/strike on a held-out test grid (bp of strike)",
    better="lower",
    deep_model=f"MLP 3x64, GELU, on the control-variate residual (mean of {SEEDS} seeds)",
    deep_score=round(net_spread.mean, 4),
    baseline_model=f"control variate + Legendre polynomial of degree {degree} (least squares)",
    baseline_score=round(float(results.iloc[0, 2]), 4),
)

# %% [markdown]
# On the {glue:text}`n_test` options of the test grid, the surrogate network's root mean
# squared error is {glue:text}`net_seed_mean` basis points of the strike on average over the
# {glue:text}`n_seeds` seeds (from {glue:text}`net_seed_min` to {glue:text}`net_seed_max`), its
# mean absolute error {glue:text}`net_seed_mae` and its worst error {glue:text}`net_seed_worst`
# (means over the seeds). The first seed's network, in the table, has a root mean squared error
# of {glue:text}`net_rmse` bp, a worst error of {glue:text}`net_max` and a median error in
# implied volatility of {glue:text}`net_iv` volatility points. The control variate alone is off by
# {glue:text}`cv_rmse` bp, so the network removes most of what Black–Scholes at the effective
# volatility misses; the degree-{glue:text}`poly_degree` polynomial on the same inputs
# ({glue:text}`poly_terms` coefficients) reaches {glue:text}`poly_rmse` bp, and the article's
# recipe {glue:text}`article_rmse` bp. Compared on the same test options (a paired bootstrap
# of the mean squared errors of the {glue:text}`n_test_sets` parameter sets, 2,000 replicates),
# {glue:text}`net_vs_poly_verdict`. Our goal was an error below one basis point of the
# strike: {glue:text}`goal_verdict`. Where the first seed's errors are, averaged over the
# parameter sets at each point of the grid:


# %%
grid_err = test.assign(abs_err=np.abs(net_price - test["price"]) * 1e4).pivot_table(
    "abs_err", "maturity", "moneyness", aggfunc="mean")
fig, ax = plt.subplots()
mesh = ax.pcolormesh(np.arange(grid_err.shape[1] + 1), np.arange(grid_err.shape[0] + 1), grid_err.to_numpy(),
                     cmap="viridis", norm=LogNorm())
fig.colorbar(mesh, ax=ax, label="mean |price error| over parameter sets (bp of K)")
ax.set_xticks(np.arange(grid_err.shape[1]) + 0.5, [f"{m:.2f}" for m in grid_err.columns])
ax.set_yticks(np.arange(grid_err.shape[0]) + 0.5, [f"{round(t * 365)}" for t in grid_err.index])
ax.set_xlabel("moneyness S/K")
ax.set_ylabel("maturity (days)")
ax.grid(False)
plt.show()

# %% [markdown]
# The average error is spread over the whole grid, within a factor of a few everywhere: the
# network has no blind spot. It is larger at the edges of the sampling box (the shortest
# and longest maturities, the extreme moneyness), where each training point has fewer
# neighbours. The worst case is another matter; here are the five largest errors on the grid:

# %%
worst = test.assign(error_bp=(net_price - test["price"]) * 1e4)
worst = worst.loc[worst["error_bp"].abs().nlargest(5).index]
worst = worst.assign(days=(worst["maturity"] * 365).round().astype(int))
negative = test[net_price < 0]  # the options the network prices below zero
otm = negative["moneyness"].max() < 1
worst[["moneyness", "days", *options.HESTON_PARAMETERS, "volatility", "error_bp"]].round(3)

# %% tags=["remove-cell"]
glue("worst_max_days", int(worst["days"].max()), display=False)
glue("worst_min_sigma", round(float(worst["sigma"].min()), 2), display=False)
glue("worst_max_v0_vol", f"{100 * math.sqrt(float(worst['v0'].max())):.0f}", display=False)
glue("net_negative", round(100 * len(negative) / len(test), 1), display=False)
glue("neg_max_true_bp", f"{1e4 * negative['price'].max():.2f}", display=False)
glue("neg_where", ("all of them are out of the money (moneyness S/K at most "
                   f"{negative['moneyness'].max():.2f})") if otm else
     f"their moneyness S/K ranges from {negative['moneyness'].min():.2f} to {negative['moneyness'].max():.2f}",
     display=False)
glue("neg_max_days", int(round(365 * negative["maturity"].max())), display=False)

# %% [markdown]
# All five have a maturity of at most {glue:text}`worst_max_days` days, a volatility of
# variance $\sigma$ of at least {glue:text}`worst_min_sigma` and a low initial variance (a
# volatility of at most {glue:text}`worst_max_v0_vol`%). There the variance can move far in
# a few weeks relative to where it starts, the smile is steep and the price changes fastest
# with the inputs, which is hardest for a smooth network fitted to scattered points.
# Separately, {glue:text}`net_negative`% of the network's prices come out below zero (the
# "negative prices" row of the table above): {glue:text}`neg_where`, with maturities up to
# {glue:text}`neg_max_days` days and a true price of at most {glue:text}`neg_max_true_bp` bp
# of the strike: small absolute errors on tiny prices. A production surrogate would sample
# the corners of the box more densely and floor its prices at the no-arbitrage bounds.
#
# ## More data or more parameters?
#
# How does the error fall as we spend more? We retrain the same design on the first
# {glue:text}`size_1` and {glue:text}`size_2` training prices, with three layers of 32 or of
# 64 units, for the same {glue:text}`epochs` epochs, and set them beside the network above
# (64 units, all {glue:text}`n_train` prices). The narrow network is not trained on all the
# data: at four times the cost of the {glue:text}`size_2`-price run it would take a sixth of
# this page's time budget.

# %%
sizes = [len(train) // 16, len(train) // 4, len(train)]
widths = {"3x32": (32, 32, 32), "3x64": (64, 64, 64)}
scaling, models = {}, {}
for n in sizes:
    for label, hidden in widths.items():
        if n == len(train) and label == "3x32":
            continue  # not trained on all the data: the time budget (see the text)
        if n == len(train):
            model = net
        else:
            model, _ = fit_heston_surrogate(train.iloc[:n], valid, hidden=hidden, epochs=EPOCHS,
                                            batch_size=BATCH_SIZE, seed=SEED)
        models[(n, label)] = model
        errors = options.pricing_errors(test["price"], heston_surrogate_price(model, test))
        scaling[(f"{n:,}", label)] = {"parameters": model.count_params(), **errors}
scaling = pd.DataFrame(scaling).T.rename_axis(["training prices", "network"])
scaling["parameters"] = scaling["parameters"].astype(int)
smallest = scaling.index[scaling["rmse"] < 1]
by_width = {label: scaling.xs(label, level="network")["rmse"] for label in widths}
scaling.round(3)

# %% tags=["remove-cell"]
for label in widths:
    part = scaling.xs(label, level="network")["rmse"]
    glue(f"scale_{label}_small", round(float(part.iloc[0]), 2), display=False)
    glue(f"scale_{label}_big", round(float(part.iloc[-1]), 2), display=False)
glue("size_1", f"{sizes[0]:,}", display=False)
glue("size_2", f"{sizes[1]:,}", display=False)
glue("scale_verdict", f"only the {smallest[0][1]} network trained on {smallest[0][0]} prices gets below it"
     if len(smallest) == 1 else "no network here gets below it" if len(smallest) == 0
     else f"{len(smallest)} of these networks get below it", display=False)
glue("size_ratio", sizes[-1] // sizes[0], display=False)
glue("scale_gain", f"{by_width['3x64'].iloc[0] / by_width['3x64'].iloc[-1]:.1f}", display=False)
glue("width_gain", f"{by_width['3x32'].iloc[-1] / by_width['3x64'].iloc[-2]:.2f}", display=False)

# %%
fig, ax = plt.subplots()
for label in widths:
    part = scaling.xs(label, level="network")
    n_prices = part.index.str.replace(",", "").astype(int)
    ax.plot(n_prices, part["rmse"], marker="o", label=f"{label} RMSE")
    ax.plot(n_prices, part["mae"], marker="s", linestyle="--", label=f"{label} mean absolute")
ax.axhline(1.0, color="grey", linewidth=1)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
ax.set_yticks([0.5, 1, 2, 5], ["0.5", "1", "2", "5"])
ax.minorticks_off()
ax.set_xlabel("training prices")
ax.set_ylabel("test-grid error (bp of strike)")
ax.legend()
plt.show()

# %% [markdown]
# Root mean squared error falls steadily with data: with 32 units per layer from
# {glue:text}`scale_3x32_small` bp ({glue:text}`size_1` prices) to {glue:text}`scale_3x32_big` bp
# ({glue:text}`size_2`), with 64 units from {glue:text}`scale_3x64_small` to
# {glue:text}`scale_3x64_big` bp (all {glue:text}`n_train`).
# The grey line is the one-basis-point goal: {glue:text}`scale_verdict`. With 64 units,
# {glue:text}`size_ratio` times more data divided the error by {glue:text}`scale_gain`; at
# {glue:text}`size_2` prices, doubling the width divided it by {glue:text}`width_gain`: at this size the
# surrogate is limited by data more than by parameters, which is why papers train on hundreds
# of thousands of prices or more. The worst-case error falls too, but stays well above one
# basis point. The cost of data is paid once, offline; every later use is fast.
#
# ## Speed, like for like
#
# The reason to build a surrogate. We price the same {glue:text}`n_test` options of the test
# grid with five pricers, each timed the same way: one untimed warm-up run, then
# {glue:text}`timing_repeats` timed runs, keeping the fastest. The classical side is given its
# best: QuantLib as first called above (a new option object per option), QuantLib as a
# calibrator would use it from Python (one process, model, engine and option object per grid
# point built once; a new parameter vector only updates the model's parameters, so the
# objects are reused), and the vectorised NumPy pricer {eq}`heston-lewis`. The networks' time
# includes the features and the control variate; it does not depend on how much data a network
# was trained on.

# %% tags=["nbval-ignore-output"]
# nbval-ignore-output: measured wall-clock times, their ratios and the break-even built from them differ between runs and machines.
def best_seconds(price, repeats=TIMING_REPEATS):
    """Fastest of ``repeats`` timed runs of ``price()`` after one untimed warm-up run."""
    price()  # warm-up: imports, caches, XLA compilation
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        price()
        times.append(time.perf_counter() - start)
    return min(times)


grid_columns = [test[c].to_numpy() for c in ("moneyness", "maturity", *options.HESTON_PARAMETERS)]
first_set = test[test["set"] == test["set"].iloc[0]]
ql_reused = options.HestonQuantLibPricer(first_set["moneyness"], first_set["maturity"])
set_parameters = test.groupby("set", sort=False)[list(options.HESTON_PARAMETERS)].first().to_numpy()
assert all((part[["moneyness", "maturity"]].to_numpy() == first_set[["moneyness", "maturity"]].to_numpy()).all()
           for _, part in test.groupby("set", sort=False)), "every parameter set must share the grid"
reused_price = np.concatenate([ql_reused.price(*p) for p in set_parameters])
assert np.abs(reused_price - test["price"].to_numpy()).max() < 1e-12  # the same QuantLib prices

pricers = {
    "QuantLib, new option objects per option": lambda: options.heston_price(*grid_columns),
    "QuantLib, objects reused (setParams per parameter set)":
        lambda: np.concatenate([ql_reused.price(*p) for p in set_parameters]),
    "NumPy, Lewis's formula, one batch": lambda: options.heston_price_lewis(*grid_columns, nodes=LEWIS_NODES),
    "surrogate GELU 3x64 (the network above), one batch": lambda: heston_surrogate_price(net, test),
    f"surrogate GELU 3x32 ({sizes[1]:,} prices), one batch":
        lambda: heston_surrogate_price(models[(sizes[1], "3x32")], test),
}
speed = pd.DataFrame({"seconds for the grid": {name: best_seconds(fn) for name, fn in pricers.items()}})
speed["options per second"] = len(test) / speed["seconds for the grid"]
classical = speed.iloc[:3]
best_name = classical["seconds for the grid"].idxmin()
best_seconds_grid = float(classical["seconds for the grid"].min())
speed["speed-up over the best classical"] = best_seconds_grid / speed["seconds for the grid"]
net_seconds_grid = float(speed["seconds for the grid"].iloc[3])
ratio = best_seconds_grid / net_seconds_grid
ratio_small = float(speed["speed-up over the best classical"].iloc[4])
ratio_cold = float(speed["seconds for the grid"].iloc[0]) / net_seconds_grid

# Break-even: building the surrogate (its training data and its training) against pricing with the
# best classical pricer. After n prices the classical pricer has cost n * c_best, the surrogate
# build + n * c_net; the surrogate is cheaper beyond n* = build / (c_best - c_net).
build_seconds = generation_seconds + valid_seconds + training_seconds
per_price_saving = (best_seconds_grid - net_seconds_grid) / len(test)
break_even = build_seconds / per_price_saving
# The same, had the training and validation prices come from the NumPy pricer at its measured speed
numpy_generation = (len(train) + len(valid)) * float(speed["seconds for the grid"].iloc[2]) / len(test)
break_even_numpy = (numpy_generation + training_seconds) / per_price_saving
print(f"building the surrogate: {build_seconds:.1f} s (data {generation_seconds + valid_seconds:.1f} s, "
      f"training {training_seconds:.1f} s); break-even after {break_even:,.0f} prices")
speed.round(4).astype({"options per second": int})

# %% tags=["remove-cell", "nbval-ignore-output"]
# nbval-ignore-output: measured wall-clock times, their ratios and the break-even built from them differ between runs and machines.
glue("timing_repeats", TIMING_REPEATS, display=False)
glue("best_classical", {"QuantLib, new option objects per option": "QuantLib with new objects per option",
                        "QuantLib, objects reused (setParams per parameter set)": "QuantLib with reused objects",
                        "NumPy, Lewis's formula, one batch": "the NumPy pricer"}[best_name], display=False)
glue("speedup", f"{ratio:,.0f}" if ratio < 10 else f"{round(ratio, -1 if ratio < 1000 else -2):,.0f}", display=False)
glue("speedup_small", f"{ratio_small:,.0f}" if ratio_small < 10 else f"{round(ratio_small, -1):,.0f}",
     display=False)
glue("speedup_cold", f"{round(ratio_cold, -1):,.0f}", display=False)
glue("reused_gain", f"{speed['seconds for the grid'].iloc[0] / speed['seconds for the grid'].iloc[1]:.1f}",
     display=False)
glue("numpy_gain", f"{speed['seconds for the grid'].iloc[1] / speed['seconds for the grid'].iloc[2]:.0f}",
     display=False)
glue("speed_verdict", "past the hundredfold we aimed for" if ratio >= 100 else "short of the hundredfold we aimed for",
     display=False)
for key, row in (("ql", 0), ("reused", 1), ("numpy", 2), ("net", 3)):
    glue(f"{key}_per_second", f"{speed['options per second'].iloc[row]:,.0f}", display=False)
glue("build_seconds", f"{build_seconds:.0f}", display=False)
glue("train_seconds", f"{training_seconds:.0f}", display=False)
glue("numpy_generation", f"{numpy_generation:.1f}", display=False)
glue("break_even", f"{float(f'{break_even:.2g}'):,.0f}", display=False)
glue("break_even_grids", f"{float(f'{break_even / 88:.2g}'):,.0f}", display=False)
glue("break_even_numpy", f"{float(f'{break_even_numpy:.2g}'):,.0f}", display=False)
glue("break_even_numpy_grids", f"{float(f'{break_even_numpy / 88:.2g}'):,.0f}", display=False)

# %% [markdown]
# On the machine that executed this page, QuantLib priced {glue:text}`ql_per_second` options
# per second with new objects for every option and {glue:text}`reused_per_second` with its
# objects reused ({glue:text}`reused_gain` times faster): most of QuantLib's time from Python
# is the call per option, not the integral. The NumPy pricer, which does the same integral for
# all options at once, priced {glue:text}`numpy_per_second` options per second, another
# {glue:text}`numpy_gain` times faster, and the network {glue:text}`net_per_second`. Against
# the best classical pricer, {glue:text}`best_classical`, the surrogate is about
# **{glue:text}`speedup` times faster**, {glue:text}`speed_verdict`; the narrower network is
# about {glue:text}`speedup_small` times faster, at the price of the accuracy shown above.
# Against QuantLib called with new objects per option, the comparison this chapter used to
# make, the ratio would be about {glue:text}`speedup_cold`: most of that apparent gain was the
# cost of calling a C++ library option by option from Python, which a batched classical
# pricer removes just as well. A calibrator written in C++, such as QuantLib's own
# `HestonModel.calibrate` over `HestonModelHelper` objects, also loops over options without
# Python in between, so the QuantLib rows overstate what it pays per option. And the network's
# speed comes from batching too; priced one option at a time, its overhead per call would
# erase most of the gain.
#
# **When does the surrogate pay for itself?** Its speed is bought in advance: generating the
# training and validation prices and training the network took {glue:text}`build_seconds` s
# (of which training {glue:text}`train_seconds` s). After $n$ prices, the best classical
# pricer has cost $n\,c_{\mathrm{classical}}$ and the surrogate
# $c_{\mathrm{build}} + n\,c_{\mathrm{net}}$, so the surrogate is cheaper only beyond
#
# $$
# n^\ast = \frac{c_{\mathrm{build}}}{c_{\mathrm{classical}} - c_{\mathrm{net}}},
# $$ (heston-break-even)
#
# here about **{glue:text}`break_even` prices**, some {glue:text}`break_even_grids` surfaces of
# 88 options. Had the training data come from the NumPy pricer (about
# {glue:text}`numpy_generation` s at its measured speed) instead of option-by-option QuantLib,
# the break-even would fall to about {glue:text}`break_even_numpy` prices
# ({glue:text}`break_even_numpy_grids` surfaces), since training the network is then most of the
# cost. A single calibration, a few hundred evaluations of one surface, does not pay for the
# surrogate; a desk that recalibrates many surfaces every day, or a risk run that reprices
# them under many scenarios, does, provided the model and its parameter box stay the same.
#
# ## Comparison with published results
#
# {cite:t}`horvath2021deep` made the surrogate idea standard for stochastic-volatility models,
# including rough volatility where each price needs Monte Carlo. Their network maps the model
# parameters to a whole grid of implied volatilities at once (8 maturities by 11 strikes for
# Heston; our test grid borrows the shape, transposed), trained on the order of ten thousand
# surfaces, and makes calibration to a market surface take milliseconds. They report errors in
# implied volatility relative to the true value. In the Heston error figure of the authors'
# companion code (`Heston/NNHeston.ipynb` in `amuguruza/NN-StochVol-Calibrations`), the
# average relative error at each grid point is about {glue:text}`hmt_avg_typical`% over most of
# the grid and about {glue:text}`hmt_avg_worst`% at the worst point (shortest maturity, lowest
# strike); the largest single relative error reaches about {glue:text}`hmt_max_worst`%. We
# compute the same statistics for our network on our test grid:

# %%
# tolerance: rtol=0.3; one seed of a network: CPU-dependent rounding grows through training (see the results table)
# Read off the colour bars of the authors' Heston error figure (Data/HestonNNErrors.png, companion code)
HMT_HESTON = {"average, most of the grid (%)": "0.1–0.3", "average, worst grid point (%)": 1.0,
              "maximum over all surfaces (%)": 15}
net_iv = options.implied_volatility(np.clip(net_price, 1e-300, None), test["moneyness"], 1.0, test["maturity"],
                                    0.0, errors="nan")
rel_iv = pd.Series(100 * np.abs(net_iv - test["volatility"]) / test["volatility"], index=test.index)
by_point = rel_iv.groupby([test["maturity"], test["moneyness"]]).mean()
ours = {"average, most of the grid (%)": f"{by_point.quantile(0.1):.2f}–{by_point.quantile(0.9):.2f}",
        "average, worst grid point (%)": round(float(by_point.max()), 2),
        "maximum over all surfaces (%)": round(float(rel_iv.max()), 1)}
worst_t, worst_m = by_point.idxmax()
worse = by_point.max() > HMT_HESTON["average, worst grid point (%)"]
pd.DataFrame({"Horvath, Muguruza & Tomas, Heston (grid network)": HMT_HESTON,
              "this chapter, GELU 3x64 (pointwise network)": ours}).rename_axis(
    "relative implied-volatility error")

# %% tags=["remove-cell"]
# tolerance: rtol=0.3; one seed of a network: CPU-dependent rounding grows through training (see the results table)
glue("hmt_avg_typical", HMT_HESTON["average, most of the grid (%)"], display=False)
glue("hmt_avg_worst", HMT_HESTON["average, worst grid point (%)"], display=False)
glue("hmt_max_worst", HMT_HESTON["maximum over all surfaces (%)"], display=False)
glue("our_avg_typical", ours["average, most of the grid (%)"], display=False)
glue("our_avg_worst", ours["average, worst grid point (%)"], display=False)
glue("our_max_worst", ours["maximum over all surfaces (%)"], display=False)
glue("our_rel_mean", round(float(rel_iv.mean()), 2), display=False)
glue("our_no_iv", int(rel_iv.isna().sum()), display=False)
glue("our_worst_days", round(365 * worst_t), display=False)
glue("our_worst_m", f"{worst_m:.2f}", display=False)
glue("hmt_compare", "larger than theirs" if worse else "no larger than theirs", display=False)

# %% [markdown]
# Over the middle 80% of our grid points (10th to 90th percentile) the average relative error
# is {glue:text}`our_avg_typical`%, at the worst grid point ({glue:text}`our_worst_days` days,
# moneyness {glue:text}`our_worst_m`) {glue:text}`our_avg_worst`%, and the largest single error
# {glue:text}`our_max_worst`% (mean over all options {glue:text}`our_rel_mean`%;
# {glue:text}`our_no_iv` network prices have no implied volatility at all and are left out).
# Measured in relative implied volatility, our errors are {glue:text}`hmt_compare`. The reason
# is what each network is trained to get right: ours minimises the price error in basis points
# of the strike, so a deep out-of-the-money option with a price of a fraction of a basis point
# may be off by most of its value (a large relative error in volatility) at almost no cost in
# the loss, while theirs is trained on implied volatilities directly, which weights every
# point of the surface alike. Their grid, parameter box (for example $v_0 \le 0.04$ and
# $\rho \le -0.1$) and training budget also differ from ours, and their network outputs a fixed
# surface while ours prices any strike and maturity; so the comparison is indicative, not a
# contest. A surrogate meant for calibration to implied volatilities should be trained on them,
# or weighted by vega.
#
# ## What we learned
#
# - Speed-ups must be measured like for like. Against the best classical pricer
#   ({glue:text}`best_classical`, checked against QuantLib to {glue:text}`lewis_gap` bp), timed the
#   same way on the same batch, the network was about {glue:text}`speedup` times faster; against
#   QuantLib called option by option from Python it would have looked like {glue:text}`speedup_cold`.
# - Building the surrogate costs model prices and training: {glue:text}`build_seconds` s here, which
#   pays off only after about {glue:text}`break_even` prices ({glue:text}`break_even_grids` surfaces
#   of 88 options). A surrogate is worth it for many repeated pricings of one model, not for one
#   calibration.
# - Learning only the difference from Black–Scholes at the effective volatility (a control
#   variate, off by {glue:text}`cv_rmse` bp on its own) brings the network to {glue:text}`net_seed_mean` bp root
#   mean square on the test grid (mean of {glue:text}`n_seeds` seeds, from {glue:text}`net_seed_min` to
#   {glue:text}`net_seed_max`) and {glue:text}`net_seed_mae` bp mean absolute, worst case {glue:text}`net_seed_worst` bp;
#   the polynomial baseline on the same inputs reaches {glue:text}`poly_rmse` bp, and {glue:text}`net_vs_poly_verdict`.
# - The article's recipe (raw inputs, ReLU, price target) is off by {glue:text}`article_rmse` bp.
# - Error falls steadily with training data. Against the one-basis-point goal, {glue:text}`goal_verdict`;
#   more data and training time would lower it further.
#
# ## Exercises
#
# ```{exercise}
# :label: heston-ex-no-control
# Train the surrogate without the control variate: learn the Heston price itself from the
# seven raw inputs (same network, same training). How much of the final accuracy is due to
# the network, and how much to what we told it?
# ```
#
# ```{solution} heston-ex-no-control
# :class: dropdown
# Without the control variate and the extra features, the same network and budget end
# several times less accurate: the function to learn is larger in scale and more curved.
# The control variate and the features encode what we know (Black–Scholes is nearly right;
# the price varies on the scale of $\bar\sigma\sqrt{T}$), so the network only learns the
# correction. Knowledge built into a surrogate is data you do not have to generate.
# ```
#
# ```{exercise}
# :label: heston-ex-calibrate
# Use the surrogate to calibrate: take one parameter set of the test grid, treat its 88
# QuantLib prices as "market" prices, and find the five parameters that minimise the squared
# price error of the network with `scipy.optimize.least_squares`, starting from the middle
# of the parameter box. Then do the same with QuantLib as the pricer and compare the time and
# the parameters found.
# ```
#
# ```{solution} heston-ex-calibrate
# :class: dropdown
# Each objective evaluation is one batched network call (well under a millisecond) instead of
# 88 QuantLib prices, so the network calibration finishes in a small fraction of the time.
# The fitted prices match the "market" to about the surrogate's error, but the parameters
# need not match the true ones exactly: several Heston parameter vectors produce nearly the
# same 88 prices (for example $\kappa$ and $\theta$ trade off), and the surrogate's error,
# though small, moves the optimum along those flat directions. Calibration error in
# parameters is not the same as pricing error.
# ```
