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
# (model-scale)=
# # Does a bigger model help? Scaling curves for pricing and credit
#
# The article expects AI models in finance to keep growing and, because they grow, to
# become more accurate. This chapter puts that claim to the test on our own models: we
# make networks larger, from a few dozen weights to a million, and measure their error on
# data they have never seen, on two problems at opposite ends of finance: pricing an option
# (a smooth function, with as much data as we care to simulate) and predicting which loan
# applicants turn bad (a small, noisy table). It then sets our results beside what is known
# about the large language models that finance now builds.

# %% tags=["parameters"]
SEED = 2024  # seeds the simulated options, the splits and every network's initial weights
N_TRAIN = 16_384  # simulated options in the largest training set of the pricing surrogate
STEPS = 1_920  # optimizer steps (mini-batches of 256) for every pricing network
PRICING_WIDTHS = (4, 16, 64, 256)  # units in each of the two hidden layers of the pricing networks
MILLION_WIDTH = 1_024  # the million-parameter pricing network, trained on the compute of the widest one
TRAINING_SIZES = (256, 1_024, 4_096, 16_384)  # training-set sizes of the data-scaling curve
CREDIT_WIDTHS = (8, 64, 1_024)  # units in each of the two hidden layers of the credit networks
CV_FOLDS = 5  # stratified cross-validation folds on German credit

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
from functools import partial

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from IPython.display import display
from myst_nb import glue
from sklearn.model_selection import StratifiedKFold

from finbook import data, features, options, plots, repro, scaling
from finbook import scorecard as sc

repro.set_seed(SEED)
plots.use_book_style()

# %% [markdown]
# ````{admonition} What the article says
# :class: note
# Looking ahead (section 1.5), the article names three trends. The first is that models
# will get bigger (模型规模的扩大): as computing power grows, AI models will keep growing in
# scale, *and so their predictions will become more accurate*. The other two are that models
# will become more varied, and that explaining them will get harder as they get more
# complex (the subject of {ref}`interpretability`). Among the challenges it lists the
# stability of models as they grow. It gives no evidence, no data and no measure of
# accuracy for the first claim.
# ````
#
# "Bigger, and so more accurate" is a testable statement. We test it the way the
# machine-learning literature does: by drawing a **scaling curve**, out-of-sample error
# against the number of parameters, with everything else held fixed.

# %% [markdown]
# ## What a scaling law says
#
# {cite:t}`kaplan2020scaling` trained Transformer language models over many orders of
# magnitude of size and found that, when neither data nor compute holds a model back, its
# test loss $L$ falls as a power of its number of parameters $N$,
#
# $$
# L(N) = \left(\frac{N_c}{N}\right)^{\alpha_N},
# $$ (scale-power-law)
#
# with $\alpha_N \approx$ {glue:text}`kaplan_alpha_n` for their models, and similar laws in the size of the
# dataset $D$ and in the training compute $C$. On log–log axes {eq}`scale-power-law` is a
# straight line of slope $-\alpha_N$; a small exponent means that each halving of the loss
# costs an enormous factor in size. Compute is counted in floating-point operations (FLOPs),
# about
#
# $$
# C \approx 6 N D
# $$ (scale-compute)
#
# for a network with $N$ parameters that processes $D$ training examples: two operations
# per parameter and example forward, four backward. The three resources trade off: a large
# model needs data to learn from and compute to be trained, and a scaling curve measures
# only the resource it varies. `finbook.scaling` holds the pieces:
# `dense_parameter_count`, `training_flops` for {eq}`scale-compute` and `fit_power_law`.
#
# The law was found for text, where data are practically unlimited. Our two problems sit at
# the two ends of what finance offers:
#
# | | (a) option-pricing surrogate | (b) credit default |
# |---|---|---|
# | data | **simulated** Black–Scholes prices | {glue:text}`cr_n` real applicants (German credit) |
# | size of the data | as many examples as we simulate | fixed, small |
# | noise in the target | none: the price is a deterministic function | large: two applicants alike on paper can end differently |
# | the question | how closely can a network learn a known smooth function? | how well can a model rank applicants by risk? |
# | out-of-sample measure | RMSE of price/strike, basis points | ROC AUC, stratified cross-validation |

# %%
# Figures reported by Kaplan et al. (2020) and Wu et al. (2023): quoted, not computed here.
KAPLAN_ALPHA_N = 0.076  # exponent of the loss in the number of non-embedding parameters
BLOOMBERGGPT = {"parameters": 50e9, "financial tokens": 363e9, "general tokens": 345e9}
glue("kaplan_alpha_n", KAPLAN_ALPHA_N, display=False)
glue("bbg_params_bn", f"{BLOOMBERGGPT['parameters'] / 1e9:.0f}", display=False)
glue("bbg_fin_tokens_bn", f"{BLOOMBERGGPT['financial tokens'] / 1e9:.0f}", display=False)
glue("bbg_pub_tokens_bn", f"{BLOOMBERGGPT['general tokens'] / 1e9:.0f}", display=False)

# %% [markdown]
# ## (a) A smooth function with abundant data: the option-pricing surrogate
#
# ```{admonition} Simulated data
# :class: warning
# Every option price in this section is **simulated from the Black–Scholes model**
# {cite}`black1973pricing`, not observed in a market. That is the point: we know the true
# price of every option, so the network's error can be measured exactly and the only limit
# on the data is the time to generate them.
# ```
#
# As in {ref}`option-pricing`, the surrogate learns the price of a European call per unit
# strike, $C/K$, from four inputs: moneyness $S/K$, maturity, volatility and the interest
# rate, drawn uniformly from `options.BLACK_SCHOLES_DOMAIN` and priced with
# `options.black_scholes_price`. Separate samples serve for validation (keeping the best
# weights) and for the test.

# %%
train_full = options.black_scholes_training_set(N_TRAIN, seed=SEED + 1)
valid = options.black_scholes_training_set(4_096, seed=SEED + 2)
test = options.black_scholes_training_set(20_000, seed=SEED + 3)
glue("n_train", f"{N_TRAIN:,}", display=False)
glue("n_test_options", f"{len(test):,}", display=False)
glue("steps", f"{STEPS:,}", display=False)
train_full.head(3).round(4)

# %% [markdown]
# Every network has two hidden layers of equal width with the smooth GELU activation,
# the architecture of {ref}`option-pricing` scaled up and down, and every network gets
# **the same training budget**: {glue:text}`steps` steps of Adam on mini-batches of 256
# options, with a learning rate that falls along a cosine from 0.03 to 1% of that. This is
# `scaling.surrogate_run`, which builds the network with chapter 15's `pricing_network`, trains
# it with the book's training loop (`training.fit`, by steps) and reports its size, its training compute
# {eq}`scale-compute` and its error on the {glue:text}`n_test_options` test options. The
# classical baseline, a polynomial in the four inputs fitted by least squares
# (`options.polynomial_pricer`), is also a family of models of growing size: its degree
# sets its number of coefficients.

# %%
width_runs = []
for width in PRICING_WIDTHS:
    repro.set_seed(SEED)  # the same seed for every size: only the width differs
    width_runs.append(scaling.surrogate_run(train_full, valid, test, hidden=(width, width),
                                            steps=STEPS, seed=SEED))
width_curve = pd.DataFrame(width_runs).set_index("hidden")
poly_curve = pd.DataFrame([scaling.polynomial_run(train_full, test, d) for d in range(2, 7)]
                          ).set_index("degree")
width_law = scaling.fit_power_law(width_curve["parameters"], width_curve["test RMSE (bp)"])
display(width_curve.drop(columns="training options").round(2))
poly_curve.drop(columns="training options").round(2)

# %%
small, large = width_curve.iloc[0], width_curve.iloc[-1]
glue("pw_small_params", f"{int(small['parameters']):,}", display=False)
glue("pw_large_params", f"{int(large['parameters']):,}", display=False)
glue("pw_small_rmse", round(float(small["test RMSE (bp)"]), 1), display=False)
glue("pw_large_rmse", round(float(large["test RMSE (bp)"]), 1), display=False)
glue("pw_ratio", round(float(small["test RMSE (bp)"] / large["test RMSE (bp)"]), 1), display=False)
glue("pw_size_ratio", f"{large['parameters'] / small['parameters']:,.0f}", display=False)
glue("pw_alpha", round(width_law.exponent, 2), display=False)
glue("pw_r2", round(width_law.r_squared, 3), display=False)
glue("pw_halve", f"{2 ** (1 / width_law.exponent):,.0f}", display=False)
glue("pw_flops_large", f"{large['compute (FLOPs)']:.1e}", display=False)
rmse = width_curve["test RMSE (bp)"].to_numpy()
glue("pw_first_gain", round(float(rmse[0] / rmse[1]), 1), display=False)
glue("pw_last_gain", round(float(rmse[-2] / rmse[-1]), 1), display=False)
best_poly = poly_curve["test RMSE (bp)"].idxmin()
glue("poly_best_degree", int(best_poly), display=False)
glue("poly_best_params", int(poly_curve.loc[best_poly, "parameters"]), display=False)
glue("poly_best_rmse", round(float(poly_curve.loc[best_poly, "test RMSE (bp)"]), 1), display=False)
glue("poly2_rmse", round(float(poly_curve.loc[2, "test RMSE (bp)"]), 1), display=False)

# %% [markdown]
# Here the article is right. The smallest network, {glue:text}`pw_small_params` weights,
# misprices the test options by {glue:text}`pw_small_rmse` basis points of the strike (root
# mean square); the largest, {glue:text}`pw_large_params` weights, by
# {glue:text}`pw_large_rmse`: {glue:text}`pw_size_ratio` times the parameters,
# {glue:text}`pw_ratio` times less error. On log–log axes the points lie close to a line
# (below, {numref}`scale-fig-curves`): a power law {eq}`scale-power-law` with exponent
# $\alpha \approx$ {glue:text}`pw_alpha` ($R^2$ = {glue:text}`pw_r2`), so halving the error
# takes about {glue:text}`pw_halve` times the parameters. The polynomial improves with its
# size too, from {glue:text}`poly2_rmse` bp (degree 2) to {glue:text}`poly_best_rmse` bp with
# {glue:text}`poly_best_params` coefficients (degree {glue:text}`poly_best_degree`): with a
# smooth target and abundant data, "more capacity, less error" holds for any flexible
# family, not only for networks. Per parameter, the polynomial is in fact far more
# economical on this four-input function; its number of coefficients, though, grows
# combinatorially with the number of inputs, which is where networks earn their keep.
#
# The returns diminish, and the budget shows. The first step up in width cuts the error
# {glue:text}`pw_first_gain` times, the last only {glue:text}`pw_last_gain` times, although
# each multiplies the parameters roughly tenfold. Every network had the same
# {glue:text}`steps` steps, so the largest, with {glue:text}`pw_flops_large` FLOPs of
# training {eq}`scale-compute`, is the furthest from convergence: the interplay between size
# and compute that {cite:t}`kaplan2020scaling` describe.
#
# ### A million parameters
#
# Push the width to {glue:text}`mil_width` and the network has {glue:text}`mil_params`
# parameters, {glue:text}`mil_ratio` times the 256-wide one, and each training step costs
# about that many times as much {eq}`scale-compute`. Scaling laws compare models at equal
# training **compute**, so we give it the compute the 256-wide network had: the same
# mini-batches of 256, but {glue:text}`mil_steps` steps instead of {glue:text}`steps`.

# %%
repro.set_seed(SEED)
million_params = scaling.dense_parameter_count(4, (MILLION_WIDTH, MILLION_WIDTH))
million_steps = round(STEPS * large["parameters"] / million_params)  # equal compute, C ~ 6ND
million_run = scaling.surrogate_run(train_full, valid, test, hidden=(MILLION_WIDTH, MILLION_WIDTH),
                                    steps=million_steps, seed=SEED)
glue("mil_steps", f"{million_steps:,}", display=False)
million = pd.DataFrame([large, pd.Series(million_run)]).set_index("hidden")
mil_rmse = float(million_run["test RMSE (bp)"])
glue("mil_width", f"{MILLION_WIDTH:,}", display=False)
glue("mil_params", f"{million_run['parameters']:,}", display=False)
glue("mil_ratio", f"{million_run['parameters'] / large['parameters']:,.0f}", display=False)
glue("mil_rmse", round(mil_rmse, 1), display=False)
glue("mil_verdict", "worse than" if mil_rmse > float(large["test RMSE (bp)"]) else "better than", display=False)
million.drop(columns="training options").round(2)

# %% [markdown]
# On the same compute the million-parameter network misprices by {glue:text}`mil_rmse` bp,
# **{glue:text}`mil_verdict`** the 256-wide network's {glue:text}`pw_large_rmse` bp. Size
# alone does not buy accuracy: a larger network needs more steps (and more data) to reach
# what its size allows, so a fixed compute budget has a best model size, the
# compute-optimal trade-off that {cite:t}`kaplan2020scaling` and, for language models,
# {cite:t}`hoffmann2022training` quantify. The million-parameter point is drawn apart in
# {numref}`scale-fig-curves` and left out of the power-law fit. Giving it the same number
# of *steps* instead, sixteen times the compute, is {ref}`scale-ex-million`.
#
# ### Scaling the data
#
# The other axis of {eq}`scale-power-law` is data. We keep the 64-64 network and the
# {glue:text}`steps` training steps, and train it on the first {glue:text}`pd_sizes`
# simulated options (a smaller set is simply cycled through more often, so every run gets
# the same number of updates); the polynomial of degree {glue:text}`poly_best_degree` is
# refitted on the same sets.

# %%
runs_by_width = dict(zip(PRICING_WIDTHS, width_runs, strict=True))
data_runs, poly_data_runs = [], []
for n in TRAINING_SIZES:
    if n == N_TRAIN and 64 in runs_by_width:  # this run is already part of the width curve
        data_runs.append(runs_by_width[64])
    else:
        repro.set_seed(SEED)
        data_runs.append(scaling.surrogate_run(train_full.iloc[:n], valid, test, hidden=(64, 64),
                                               steps=STEPS, seed=SEED))
    poly_data_runs.append(scaling.polynomial_run(train_full.iloc[:n], test, int(best_poly)))
data_curve = pd.DataFrame(data_runs).set_index("training options")
poly_data_curve = pd.DataFrame(poly_data_runs).set_index("training options")
net_rmse, poly_rmse = data_curve["test RMSE (bp)"], poly_data_curve["test RMSE (bp)"]
glue("pd_sizes", ", ".join(f"{n:,}" for n in TRAINING_SIZES[:-1]) + f" and {TRAINING_SIZES[-1]:,}",
     display=False)
glue("pd_first_n", f"{TRAINING_SIZES[0]:,}", display=False)
glue("pd_second_n", f"{TRAINING_SIZES[1]:,}", display=False)
glue("pd_first_rmse", round(float(net_rmse.iloc[0]), 1), display=False)
glue("pd_second_rmse", round(float(net_rmse.iloc[1]), 1), display=False)
glue("pd_best_rmse", round(float(net_rmse.min()), 1), display=False)
glue("pd_last_rmse", round(float(net_rmse.iloc[-1]), 1), display=False)
glue("pd_passes_first", f"{data_curve['passes over the data'].iloc[0]:,.0f}", display=False)
glue("pd_poly_second", round(float(poly_rmse.iloc[1]), 1), display=False)
glue("pd_poly_last", round(float(poly_rmse.iloc[-1]), 1), display=False)
pd.DataFrame({"network 64-64": net_rmse, "passes over the data": data_curve["passes over the data"],
              f"polynomial, degree {best_poly}": poly_rmse}).round(2)

# %% [markdown]
# Data help, up to a point. With {glue:text}`pd_first_n` options, seen
# {glue:text}`pd_passes_first` times each, the network misprices by
# {glue:text}`pd_first_rmse` bp; with {glue:text}`pd_second_n` by
# {glue:text}`pd_second_rmse` bp: in four dimensions a few hundred points leave wide gaps
# for the network to guess across. Beyond that the error stays around
# {glue:text}`pd_best_rmse` to {glue:text}`pd_last_rmse` bp: the network is no longer
# short of examples but of **training**, since its {glue:text}`steps` steps are the same
# whatever the data. The polynomial, which least squares fits exactly and which therefore
# has no training budget to run out of, keeps improving with data
# ({glue:text}`pd_poly_second` bp at {glue:text}`pd_second_n` options,
# {glue:text}`pd_poly_last` at {glue:text}`n_train`). Each axis of a scaling law is
# measured with the other two in plentiful supply; hold one back and it becomes the limit.

# %% [markdown]
# ## (b) A small, noisy table: credit default
#
# Now the other end. The German credit data {cite}`hofmann1994statlog` hold
# {glue:text}`cr_n` applicants, {glue:text}`cr_bad` of them bad, described by
# {glue:text}`cr_attributes` attributes; whatever we do, there will be no more of them. We
# compare, on the same {glue:text}`cv_folds` stratified cross-validation folds:
#
# - **logistic regression** (L2 penalty, $C = 1$) on standardised and one-hot encoded
#   attributes, the scorecard's engine;
# - **gradient boosting** (`HistGradientBoostingClassifier`, shallow trees, early stopping),
#   the usual winner on tabular data {cite}`grinsztajn2022tree`;
# - **networks** with two ReLU hidden layers of width {glue:text}`cr_widths`, trained by
#   `scorecard.mlp_fit_predict`: Adam, mini-batches of 256, early stopping on a validation
#   fifth of each training fold, the best weights kept.
#
# Everything that is fitted (scaling, encoding, trees, weights) is fitted inside the training
# folds only.

# %%
credit = data.german_credit()
y = features.binary_target(credit["class"].astype(str), "bad")
X = credit.drop(columns="class")
splits = list(StratifiedKFold(CV_FOLDS, shuffle=True, random_state=SEED).split(X, y))
n_inputs = len(sc.schema_preprocessor(X).fit(X).get_feature_names_out())
glue("cr_n", f"{len(y):,}", display=False)
glue("cr_bad", int(y.sum()), display=False)
glue("cr_attributes", X.shape[1], display=False)
glue("cr_inputs", n_inputs, display=False)
glue("cv_folds", CV_FOLDS, display=False)
glue("cr_widths", ", ".join(f"{w:,}" for w in CREDIT_WIDTHS), display=False)

candidates = {"logistic regression": scaling.logistic_fit_predict,
              "gradient boosting": partial(scaling.boosting_fit_predict, seed=SEED)}
for width in CREDIT_WIDTHS:
    candidates[f"network {width}-{width}"] = partial(sc.mlp_fit_predict, hidden=(width, width),
                                                     batch_size=256, patience=10, seed=SEED)
fold_auc = pd.DataFrame({name: scaling.fold_aucs(f, X, y, splits) for name, f in candidates.items()})
fold_auc.round(4)

# %%
params = {"logistic regression": n_inputs + 1, "gradient boosting": pd.NA}  # trees: no fixed count
params |= {f"network {w}-{w}": scaling.dense_parameter_count(n_inputs, (w, w)) for w in CREDIT_WIDTHS}
gap = fold_auc.sub(fold_auc["logistic regression"], axis=0)  # paired: the same test fold
credit_curve = pd.DataFrame({
    "parameters": pd.Series(params, dtype="Int64"), "mean AUC": fold_auc.mean(), "sd across folds": fold_auc.std(),
    "AUC minus logistic (mean)": gap.mean(), "(sd)": gap.std(),
})
networks = [f"network {w}-{w}" for w in CREDIT_WIDTHS]
glue("cr_lr_auc", round(float(credit_curve.loc["logistic regression", "mean AUC"]), 3), display=False)
glue("cr_hgb_auc", round(float(credit_curve.loc["gradient boosting", "mean AUC"]), 3), display=False)
glue("cr_fold_sd", round(float(credit_curve["sd across folds"].mean()), 3), display=False)
glue("cr_small_params", f"{params[networks[0]]:,}", display=False)
glue("cr_large_params", f"{params[networks[-1]]:,}", display=False)
glue("cr_small_auc", round(float(credit_curve.loc[networks[0], "mean AUC"]), 3), display=False)
glue("cr_large_auc", round(float(credit_curve.loc[networks[-1], "mean AUC"]), 3), display=False)
glue("cr_best_net", credit_curve.loc[networks, "mean AUC"].idxmax(), display=False)
best_gap = float(credit_curve.loc[networks, "AUC minus logistic (mean)"].max())
glue("cr_best_net_gap", round(abs(best_gap), 3), display=False)
glue("cr_best_net_verdict", "trails" if best_gap < 0 else "leads", display=False)
glue("cr_net_range", round(float(np.ptp(credit_curve.loc[networks, "mean AUC"])), 3), display=False)
glue("cr_size_ratio", f"{params[networks[-1]] / params[networks[0]]:,.0f}", display=False)
glue("cr_fit_rows", int(0.8 * len(splits[0][0])), display=False)  # mlp_fit_predict keeps a fifth for stopping
glue("bbg_vs_ours", f"{BLOOMBERGGPT['parameters'] / params[networks[-1]]:,.0f}", display=False)
credit_curve.round(4)

# %% [markdown]
# Logistic regression, with {glue:text}`cr_inputs` weights and an intercept, reaches a mean
# AUC of {glue:text}`cr_lr_auc` across the folds, gradient boosting {glue:text}`cr_hgb_auc`.
# The networks grow {glue:text}`cr_size_ratio`-fold, from {glue:text}`cr_small_params` to
# {glue:text}`cr_large_params` parameters, and their mean AUC moves from
# {glue:text}`cr_small_auc` to {glue:text}`cr_large_auc`; the spread between the three
# network sizes is {glue:text}`cr_net_range`, far inside the typical fold-to-fold standard
# deviation of {glue:text}`cr_fold_sd`. The best network ({glue:text}`cr_best_net`)
# {glue:text}`cr_best_net_verdict` logistic regression by {glue:text}`cr_best_net_gap` in
# mean AUC, a paired comparison on the same folds. **On a thousand applicants a larger network buys nothing.**
# A million weights fitted to {glue:text}`cr_fit_rows` training rows do not overfit catastrophically only because
# early stopping halts them after a few epochs, while their predictions are still close to
# those of a much simpler model.

# %% [markdown]
# ## Both curves in one picture

# %% mystnb={"figure": {"name": "scale-fig-curves", "caption": "Out-of-sample error against model size. Top left: option-pricing surrogate on simulated Black–Scholes prices (log–log; dashed: fitted power law). Top right: the 64-64 network and the polynomial as the training set grows. Bottom: German credit, mean ROC AUC over the cross-validation folds with ±1 standard deviation (bars and bands); networks of growing width against logistic regression and gradient boosting."}}
fig = plt.figure(figsize=(10, 7.6))
ax1, ax2, ax3 = fig.add_subplot(2, 2, 1), fig.add_subplot(2, 2, 2), fig.add_subplot(2, 1, 2)
ax1.loglog(width_curve["parameters"], width_curve["test RMSE (bp)"], "o-", label="network (two layers)")
ax1.loglog(poly_curve["parameters"], poly_curve["test RMSE (bp)"], "s-", label="polynomial (degree 2–6)")
grid = np.geomspace(width_curve["parameters"].min(), width_curve["parameters"].max(), 50)
ax1.loglog(grid, width_law.predict(grid), "--", color="0.5", label=f"power law, α = {width_law.exponent:.2f}")
ax1.loglog(million_run["parameters"], mil_rmse, "D", color=plots.PALETTE[3],
           label=f"{MILLION_WIDTH}-{MILLION_WIDTH}, same compute (not fitted)")
ax1.set(xlabel="parameters", ylabel="test RMSE (bp of strike)", title="(a) pricing: error vs size")
ax1.legend()
ax2.loglog(data_curve.index, data_curve["test RMSE (bp)"], "o-", label="network 64-64")
ax2.loglog(poly_data_curve.index, poly_data_curve["test RMSE (bp)"], "s-",
           label=f"polynomial, degree {best_poly}")
ax2.set(xlabel="simulated training options", ylabel="test RMSE (bp of strike)", title="(a) pricing: error vs data")
ax2.legend()
for ax in (ax1, ax2):  # plain numbers at 1, 2, 5 x 10^k on the log-scaled error axes
    ax.yaxis.set_major_locator(mticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(mticker.ScalarFormatter())
    ax.yaxis.set_minor_formatter(mticker.NullFormatter())
nets = credit_curve.loc[networks]
ax3.errorbar(nets["parameters"].astype(float), nets["mean AUC"], yerr=nets["sd across folds"], fmt="o-", capsize=3,
             label="network (two layers)")
for name, colour in [("logistic regression", plots.PALETTE[1]), ("gradient boosting", plots.PALETTE[2])]:
    mean, sd = credit_curve.loc[name, "mean AUC"], credit_curve.loc[name, "sd across folds"]
    ax3.axhline(mean, color=colour, label=name)
    ax3.axhspan(mean - sd, mean + sd, color=colour, alpha=0.12)
ax3.set_xscale("log")
ax3.set(xlabel="parameters", ylabel="ROC AUC (out of fold)", title="(b) credit: AUC vs size")
ax3.legend(loc="lower center")
plt.show()

# %% [markdown]
# {numref}`scale-fig-curves` is the chapter in one picture. At the top, the error of the
# pricing surrogate falls steadily as the model grows, as long as the training budget keeps
# up (the million-parameter diamond sits above the line), and, up to a point, as the data grow:
# that is the world the article imagines, and it exists where the target is a smooth,
# noiseless function and examples are free. At the bottom the credit curve is flat: every
# network, from a few hundred to a million weights, sits inside the band of logistic
# regression, and the fold-to-fold spread is far larger than any effect of size.
#
# Why the difference? The pricing network's error is **approximation error**: the price is
# a deterministic function of the inputs and a larger network approximates it better. The
# credit model's error is dominated by **noise**: whether an applicant repays depends on
# things no attribute records, so even the true probability of default ranks applicants
# imperfectly, and with {glue:text}`cr_bad` bad cases there is little signal for extra
# capacity to find and much noise for it to fit. Capacity helps only when approximation
# error is the bottleneck; on small tabular credit data it is not. That agrees with the
# large benchmark of credit-scoring classifiers of {cite:t}`lessmann2015benchmarking`, where
# simple and ensemble methods lead and the networks do not, and with
# {cite:t}`grinsztajn2022tree`, who find tree-based models ahead of deep networks across
# medium-sized tabular datasets.

# %% [markdown]
# ## What "large models" means in finance today
#
# When the article speaks of models growing in scale, the models in question are today's
# foundation models: networks trained on broad data, mostly text, and adapted to many
# tasks (see {ref}`ai-in-finance`). Four published works mark the range, with what each
# reports and no more:
#
# - **Scaling laws.** {cite:t}`kaplan2020scaling` measured the power laws
#   {eq}`scale-power-law` for language models over many orders of magnitude and found that,
#   for a fixed compute budget, it pays to train large models on a relatively modest amount
#   of data and stop before convergence. Their exponent $\alpha_N \approx$ {glue:text}`kaplan_alpha_n` is for the
#   cross-entropy of text, in nats, with data practically unlimited; it is not a property of
#   networks in general, and our pricing exponent ({glue:text}`pw_alpha`, on RMSE) is not
#   comparable with it beyond the shape of the law.
# - **BloombergGPT** {cite}`wu2023bloomberggpt`: a language model of about
#   {glue:text}`bbg_params_bn` billion parameters, trained on a corpus of
#   {glue:text}`bbg_fin_tokens_bn` billion tokens of financial documents from Bloomberg's
#   archives plus {glue:text}`bbg_pub_tokens_bn` billion tokens of general text, some
#   {glue:text}`bbg_vs_ours` times the parameters of our largest credit network. Its authors report that
#   it outperforms similarly sized open models on financial language tasks (sentiment,
#   named entities, question answering) without losing ground on general benchmarks. That is
#   scale paying off where the data are enormous and the task is language.
# - **FinGPT** {cite}`yang2023fingpt`: an open-source alternative built on a different bet.
#   Rather than training a financial model from scratch, it curates financial text from
#   public sources and adapts existing open language models with lightweight low-rank
#   adaptation (LoRA); its authors emphasise the curation of data and cheap adaptation
#   rather than training ever larger models from scratch.
# - **FinBERT** {cite}`araci2019finbert`: a BERT model, small by today's standards,
#   further pre-trained on financial news and fine-tuned to classify the sentiment of
#   financial sentences; it improved on the best previous results on two financial sentiment
#   datasets, even when fine-tuned on a fraction of the labelled data.
#
# Notice what these are: models of **text**, where data are plentiful and the mapping from
# input to label is rich. None of them is a credit-scoring model, and none of the papers
# claims that size improves default prediction on an applicant table. Our two curves
# suggest where scale pays: on problems that, like text and like the pricing surrogate,
# offer a great deal of signal; and where it does not: on a thousand rows of credit
# history, where the limit is the information in the data, not the size of the model.

# %% [markdown]
# ## What we learned
#
# - On a smooth function with abundant (simulated) data, bigger is better: the pricing
#   surrogate's test error falls from {glue:text}`pw_small_rmse` to
#   {glue:text}`pw_large_rmse` bp of the strike as the network grows from
#   {glue:text}`pw_small_params` to {glue:text}`pw_large_params` parameters, close to a
#   power law with exponent {glue:text}`pw_alpha`, but only while the training budget keeps
#   up: on the same compute, a {glue:text}`mil_params`-parameter network is
#   {glue:text}`mil_verdict` the 256-wide one ({glue:text}`mil_rmse` bp). More data help the
#   same network only until its fixed training budget becomes the limit ({glue:text}`pd_first_rmse` bp with
#   {glue:text}`pd_first_n` options, about {glue:text}`pd_best_rmse` from
#   {glue:text}`pd_second_n` on).
# - The polynomial baseline improves with size too ({glue:text}`poly2_rmse` to
#   {glue:text}`poly_best_rmse` bp): the gain comes from capacity on a smooth target, not
#   from anything special to neural networks.
# - On German credit, networks from {glue:text}`cr_small_params` to
#   {glue:text}`cr_large_params` parameters all score a mean AUC within
#   {glue:text}`cr_net_range` of each other, beside logistic regression
#   ({glue:text}`cr_lr_auc`) and gradient boosting ({glue:text}`cr_hgb_auc`), with a
#   fold-to-fold spread of about {glue:text}`cr_fold_sd`: scale does not help where data are
#   small and noisy.
# - Scale is a budget of three resources (parameters, data, compute,
#   $C \approx 6ND$); the published successes of large models in finance (BloombergGPT,
#   FinGPT, FinBERT) are models of text, where all three are plentiful.
#
# ## Exercises
#
# ```{exercise}
# :label: scale-ex-million
# On equal compute the {glue:text}`mil_width`-wide network lost to the 256-wide one. Give it
# equal *steps* instead by adding it to the width curve, whose networks all get
# {glue:text}`steps` steps: `python -m finbook run 18_model_scale -p PRICING_WIDTHS "(4, 16,
# 64, 256, 1024)" --output runs/`. How long does its training take, and does it now beat the
# 256-wide network? What if every network also gets four times the steps (`-p STEPS 7680`)?
# ```
#
# ```{solution} scale-ex-million
# :class: dropdown
# Each step of the {glue:text}`mil_width`-wide network costs about {glue:text}`mil_ratio`
# times as much as one of the 256-wide network {eq}`scale-compute`, so {glue:text}`steps`
# steps take over half a minute on two CPU cores. When we ran it, the million-parameter
# network was still worse than the 256-wide one at equal steps, with almost twice its
# error. With four times the steps every network improved, the largest most (its error fell
# about threefold, the 256-wide network's about 2.5-fold), yet it still trailed: at these
# budgets the best size stays below a million parameters. This is the point of
# {cite:t}`kaplan2020scaling` and {cite:t}`hoffmann2022training`: parameters, data and
# compute must grow together, and each compute budget has its own best model size.
# ```
#
# ```{exercise}
# :label: scale-ex-seeds
# The credit curve rests on one partition into {glue:text}`cv_folds` folds. Re-run it with
# two other seeds (`-p SEED 7`, `-p SEED 11`). Does the order of the models change? How
# large is the seed-to-seed change of a model's mean AUC compared with the differences
# between network sizes?
# ```
#
# ```{solution} scale-ex-seeds
# :class: dropdown
# The mean AUCs move by around a hundredth from one partition to another, as much as or more
# than the differences between network sizes, and the order of the networks among
# themselves changes from seed to seed; logistic regression and boosting stay at or near
# the top. An ordering that a different random partition reverses is not a finding. To claim
# that a model is better, compare it with the baseline on the *same* folds (the paired
# column of the table) and over several repetitions.
# ```
#
# ```{exercise}
# :label: scale-ex-lending
# Draw the credit curve on Lending Club instead (`data.lending_club()`, target `Class`, with
# `positive="bad"`): about ten times as many loans as German credit, about one in twenty of
# them bad. Use the same `candidates`. Does ten times more data change the verdict?
# ```
#
# ````{solution} scale-ex-lending
# :class: dropdown
# Replace the data cell by
#
# ```python
# loans = data.lending_club()
# y = features.binary_target(loans["Class"], positive="bad")
# X = loans.drop(columns="Class")
# ```
#
# and re-run the cells that follow. There are more rows but fewer bad loans than rows of
# German credit, so the signal is still thin and the label (bad within the observation window) is noisy. The
# networks again land within a few hundredths of AUC of logistic regression, with no trend
# in size, and Lending Club's own grade (see {ref}`default-prediction`) already carries most
# of the information. More rows of the same kind of table do not turn credit scoring into a
# problem that rewards scale.
# ````
#
# ```{exercise}
# :label: scale-ex-noise
# Make the pricing problem noisy: add independent Gaussian noise with a standard deviation of
# 0.01 (100 bp of the strike) to the training and validation prices only, and redraw the width
# curve against the *true* test prices. What happens to the power law, and why?
# ```
#
# ````{solution} scale-ex-noise
# :class: dropdown
# For example:
#
# ```python
# rng = np.random.default_rng(SEED)
# noisy = train_full.assign(price=train_full["price"] + rng.normal(0, 0.01, len(train_full)))
# noisy_valid = valid.assign(price=valid["price"] + rng.normal(0, 0.01, len(valid)))
# ```
#
# then call `scaling.surrogate_run(noisy, noisy_valid, test, ...)` for each width. The small
# networks are hardly affected, because their error is approximation error far above the
# noise's effect on the fit. The larger ones stop improving: their error is now dominated by
# the noise they partly fit, and the curve flattens well above the noiseless one. Noise,
# not the function, becomes the bottleneck, the situation of the credit problem.
# ````
