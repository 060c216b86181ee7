# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,mystnb,-papermill,-execution
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
STEPS = 1_920  # most optimizer steps (mini-batches of 256) a pricing network may take
PATIENCE = 8  # early stopping: evaluations (every 64 steps) without a lower validation error
LEARNING_RATES = (0.01, 0.03, 0.1, 0.3, 1.0)  # peak learning rates, climbed from the bottom until validation error turns up
N_SEEDS = 3  # seeds (initial weights and batch order) per width at its tuned learning rate
NARROW_SEEDS = 8  # seeds of the narrowest width, whose runs scatter most
DATA_SEEDS = 3  # seeds of each smaller training set of the data-scaling curve
STILL_IMPROVING = 0.01  # a budgeted run whose last quarter lowered its validation error by this much was still improving
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

from finbook import data, features, inference, options, plots, pretrain, repro, scaling
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
# magnitude of size. Their law in the number of parameters $N$ describes models **trained
# close to convergence on a dataset large enough not to hold them back** (in practice, with
# early stopping on held-out text): the test loss $L$ then falls as a power of $N$,
#
# $$
# L(N) = \left(\frac{N_c}{N}\right)^{\alpha_N},
# $$ (scale-power-law)
#
# with $\alpha_N \approx$ {glue:text}`kaplan_alpha_n` for their models, and similar laws in the size of the
# dataset $D$ and in the training compute $C$. On log–log axes {eq}`scale-power-law` is a
# straight line of slope $-\alpha_N$; a small exponent means that each halving of the loss
# costs an enormous factor in size. A finite problem cannot follow a pure power law
# forever: some error is left however large the model (noise in the target, or the limits of
# the optimiser), so we fit the form with a floor $E$,
#
# $$
# L(N) = E + A\,N^{-\alpha},
# $$ (scale-saturating-law)
#
# which {cite:t}`hoffmann2022training` use (with a second term in $D$) for their language
# models. Its curvature on log–log axes is the floor showing through; a straight line drawn
# through such points underestimates $\alpha$. Compute is counted in floating-point operations (FLOPs),
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
# `dense_parameter_count`, `training_flops` for {eq}`scale-compute` and
# `fit_saturating_power_law` for {eq}`scale-saturating-law` (nonlinear least squares on
# $\log L$ with `scipy.optimize.least_squares`).
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

# %% tags=["remove-cell"]
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

# %% tags=["pretrain"]
# Cells tagged "pretrain" are also what `python -m finbook pretrain scale_wW` runs (the converged runs below).
import numpy as np
import pandas as pd

from finbook import options, repro, training
from finbook.lessons import pricing_loss, pricing_network, train_step

INPUTS = list(options.BLACK_SCHOLES_DOMAIN)  # moneyness, maturity, volatility, rate


def pricing_data(seed, n_train):
    """Training, validation and test options of one seed: three separate draws, priced by Black–Scholes."""
    return (options.black_scholes_training_set(n_train, seed=seed + 1),
            options.black_scholes_training_set(4_096, seed=seed + 2),
            options.black_scholes_training_set(20_000, seed=seed + 3))


def surrogate(width, learning_rate, decay_steps=None):
    """Chapter 15's pricing network with two GELU layers of ``width`` units, inputs scaled to the domain."""
    lo, hi = np.array([options.BLACK_SCHOLES_DOMAIN[c] for c in INPUTS]).T
    return pricing_network(len(INPUTS), hidden=(width, width), activation="gelu", input_mean=(lo + hi) / 2,
                           input_scale=(hi - lo) / 2, output_scale=0.1, learning_rate=learning_rate,
                           decay_steps=decay_steps)


def last_quarter_gain(curve):
    """How much a run lowered its validation error over the last quarter of its evaluations (a fraction)."""
    v = curve["validation RMSE (bp)"].to_numpy()
    return 1 - v.min() / v[: max(1, int(0.75 * len(v)))].min()


# %%
train_full, valid, test = pricing_data(SEED, N_TRAIN)
train_full.head(3).round(4)

# %% tags=["remove-cell"]
glue("n_train", f"{N_TRAIN:,}", display=False)
glue("n_test_options", f"{len(test):,}", display=False)
glue("steps", f"{STEPS:,}", display=False)
glue("patience", PATIENCE, display=False)
glue("lr_grid", ", ".join(f"{lr:g}" for lr in LEARNING_RATES), display=False)
glue("n_seeds", N_SEEDS, display=False)
glue("narrow_seeds", NARROW_SEEDS, display=False)


# %% [markdown]
# Every network has two hidden layers of equal width with the smooth GELU activation,
# the architecture of {ref}`option-pricing` scaled up and down. A scaling law compares
# models that are each **trained as well as they can be**, so each width gets its own
# learning rate and, budget allowing, runs until it stops improving:
#
# - Adam on mini-batches of 256 options, with a learning rate that falls along a cosine to
#   1% of its peak over at most {glue:text}`steps` steps;
# - **early stopping** on the validation options: the run ends once {glue:text}`patience`
#   evaluations in a row (one each 64 steps) bring no lower validation error, and the
#   weights with the lowest validation error are kept;
# - the peak learning rate is **tuned per width** by the validation error of a first seed,
#   not the test error: the rates {glue:text}`lr_grid` are tried from the lowest up, and
#   the climb stops at the first rate whose validation error is higher than that of the
#   rate below it (or whose loss diverges). The notebook asserts that each width's choice is
#   interior, with a lower rate tried and a higher one giving a higher validation error, so no choice is an artefact of where the grid ends
#   (a grid search, not a width-aware parametrisation such as muP);
# - at the chosen rate, {glue:text}`n_seeds` seeds in all (initial weights and batch
#   order) per width, {glue:text}`narrow_seeds` for the narrowest, whose runs scatter
#   most: the table shows their mean and range.
#
# `scaling.surrogate_run` builds the network with chapter 15's `pricing_network`, trains it
# with the book's training loop (`training.fit`, by steps) and reports its size, its
# training compute {eq}`scale-compute`, where it stopped and its error on the
# {glue:text}`n_test_options` test options. The classical baseline, a polynomial in the
# four inputs fitted by least squares (`options.polynomial_pricer`), is also a family of
# models of growing size: its degree sets its number of coefficients.

# %%
def tuned_runs(width, n_seeds):
    """Tune a width's peak learning rate on the validation error of the first seed, then run the other seeds.

    The rates are tried from the lowest up, and the climb stops at the first rate whose
    validation error is higher than the one before (or whose loss diverges): the error has
    turned up, so the best rate tried lies below the top of what was tried.
    """
    trials, last = {}, np.inf
    for lr in LEARNING_RATES:
        repro.set_seed(SEED)
        try:
            trials[lr] = scaling.surrogate_run(train_full, valid, test, hidden=(width, width), steps=STEPS,
                                               learning_rate=lr, patience=PATIENCE, seed=SEED, details=True)
        except FloatingPointError:  # the loss diverged: this rate is too high for this width
            break
        if trials[lr][0]["validation RMSE (bp)"] > last:  # the error turned up: stop climbing
            break
        last = trials[lr][0]["validation RMSE (bp)"]
    best_lr = min(trials, key=lambda lr: trials[lr][0]["validation RMSE (bp)"])
    # the choice is interior: a lower rate was tried, and a higher one was worse (or diverged)
    assert LEARNING_RATES[0] < best_lr < LEARNING_RATES[-1] and len(trials) < len(LEARNING_RATES), (width, trials)
    runs = [trials[best_lr]]
    for seed in range(SEED + 1, SEED + n_seeds):
        repro.set_seed(seed)
        runs.append(scaling.surrogate_run(train_full, valid, test, hidden=(width, width), steps=STEPS,
                                          learning_rate=best_lr, patience=PATIENCE, seed=seed, details=True))
    return {lr: run for lr, (run, _) in trials.items()}, runs



lr_search, seed_runs, curves, test_preds = {}, [], {}, {}
for width in PRICING_WIDTHS:
    trials, runs = tuned_runs(width, NARROW_SEEDS if width == PRICING_WIDTHS[0] else N_SEEDS)
    lr_search[f"{width}-{width}"] = {lr: run["validation RMSE (bp)"] for lr, run in trials.items()}
    seed_runs += [run | {"seed": SEED + k, "last-quarter gain (%)": 100 * last_quarter_gain(det["curve"])}
                  for k, (run, det) in enumerate(runs)]
    curves[width] = [det["curve"] for _, det in runs]
    test_preds[width] = [det["test predictions"] for _, det in runs]
seed_runs = pd.DataFrame(seed_runs)
by_width = seed_runs.groupby("hidden", sort=False)
width_curve = pd.DataFrame({
    "parameters": by_width["parameters"].first(),
    "learning rate": by_width["learning rate"].first(), "seeds": by_width.size(),
    "steps run (mean)": by_width["steps run"].mean(),
    "last-quarter gain, largest (%)": by_width["last-quarter gain (%)"].max(),
    "test RMSE (bp)": by_width["test RMSE (bp)"].mean(),
    "lowest": by_width["test RMSE (bp)"].min(), "highest": by_width["test RMSE (bp)"].max(),
})
width_curve.index.name = "hidden"
lr_table = pd.DataFrame(lr_search).T.rename(columns=lambda lr: f"validation RMSE, lr {lr:g}")
poly_curve = pd.DataFrame([scaling.polynomial_run(train_full, test, d) for d in range(2, 7)]
                          ).set_index("degree")
display(lr_table.round(2))
display(width_curve.round(2))
poly_curve.drop(columns="training options").round(2)

# %% [markdown]
# The first table is the learning-rate search (validation error of the first seed, bp; a
# blank is a rate the climb did not reach); the second the seeds at each width's chosen
# rate: mean, lowest and highest test error, and the largest **last-quarter gain** of its
# runs, how much a run lowered its validation error over the last quarter of its
# evaluations (a sign that a run was still improving, used below). Now the law
# {eq}`scale-saturating-law`, fitted by least squares on $\log L$ to the seed means. Four
# sizes leave one degree of freedom for three parameters, so its uncertainty matters: a
# **bootstrap** redraws the seeds of each width (its own number of them) with replacement, {glue:text}`n_boot` times, and refits; the 2.5% and 97.5%
# percentiles of the refitted exponents are the interval.

# %%
# tolerance: rtol=3e-4; the least-squares fit runs on BLAS kernels that differ between CPUs: with other kernels A and E moved by 9e-5 (relative), alpha and its interval not at all
N_BOOT = 300  # bootstrap resamples of the seeds
params_by_width = width_curve["parameters"].to_numpy(dtype=float)
width_law = scaling.fit_saturating_power_law(params_by_width, width_curve["test RMSE (bp)"])
rmse_by_seed = [by_width.get_group(h)["test RMSE (bp)"].to_numpy() for h in width_curve.index]
rng = np.random.default_rng(SEED)
boot_alpha = []
for _ in range(N_BOOT):  # resample the seeds within each width, refit on the resampled means
    means = [rng.choice(r, size=len(r)).mean() for r in rmse_by_seed]
    boot_alpha.append(scaling.fit_saturating_power_law(params_by_width, means).exponent)
alpha_lo, alpha_hi = np.percentile(boot_alpha, [2.5, 97.5])
line_alpha = scaling.fit_power_law(params_by_width, width_curve["test RMSE (bp)"]).exponent
assert alpha_lo <= width_law.exponent <= alpha_hi  # the point estimate lies inside its own interval
pd.Series({"alpha": width_law.exponent, "alpha, 2.5%": alpha_lo, "alpha, 97.5%": alpha_hi,
           "A": width_law.scale, "floor E (bp)": width_law.floor,
           "alpha of a straight line (for comparison)": line_alpha}).round(3)

# %% tags=["remove-cell"]
# tolerance: rtol=3e-4; the least-squares fit runs on BLAS kernels that differ between CPUs: with other kernels A and E moved by 9e-5 (relative), alpha and its interval not at all
glue("n_boot", N_BOOT, display=False)

# %%
small, large = width_curve.iloc[0], width_curve.iloc[-1]
stopped = int((seed_runs["steps run"] < STEPS).sum())
tail_gain = seed_runs["last-quarter gain (%)"] / 100
flat = seed_runs[tail_gain < STILL_IMPROVING]  # runs whose tail had flattened
narrow = seed_runs[seed_runs["hidden"] == width_curve.index[0]]
rmse = width_curve["test RMSE (bp)"].to_numpy()
best_poly = poly_curve["test RMSE (bp)"].idxmin()

# %% tags=["remove-cell"]
glue("pw_small_params", f"{int(small['parameters']):,}", display=False)
glue("pw_large_params", f"{int(large['parameters']):,}", display=False)
glue("pw_small_rmse", round(float(small["test RMSE (bp)"]), 1), display=False)
glue("pw_large_rmse", round(float(large["test RMSE (bp)"]), 1), display=False)
glue("pw_small_range", f"{small['lowest']:.1f} to {small['highest']:.1f}", display=False)
glue("pw_large_range", f"{large['lowest']:.1f} to {large['highest']:.1f}", display=False)
glue("pw_ratio", round(float(small["test RMSE (bp)"] / large["test RMSE (bp)"]), 1), display=False)
glue("pw_size_ratio", f"{large['parameters'] / small['parameters']:,.0f}", display=False)
glue("pw_alpha", round(width_law.exponent, 2), display=False)
glue("pw_alpha_lo", round(float(alpha_lo), 2), display=False)
glue("pw_alpha_hi", round(float(alpha_hi), 2), display=False)
glue("pw_floor", round(width_law.floor, 1), display=False)
glue("pw_line_alpha", round(float(line_alpha), 2), display=False)
glue("pw_halve", f"{2 ** (1 / width_law.exponent):,.1f}", display=False)
glue("pw_lrs", ", ".join(f"{lr:g}" for lr in width_curve["learning rate"]), display=False)
glue("pw_tail_gain", f"{100 * max(tail_gain):.0f}", display=False)
glue("pw_converged_pct", f"{100 * STILL_IMPROVING:g}", display=False)
glue("pw_n_converged", len(flat), display=False)
glue("pw_n_improving", len(seed_runs) - len(flat), display=False)
glue("pw_converged_widths", ", ".join(dict.fromkeys(flat["hidden"])) or "none", display=False)
glue("pw_narrow_seeds", len(narrow), display=False)
glue("pw_narrow_gain", f"{narrow['last-quarter gain (%)'].max():.1f}", display=False)
glue("pw_stopped", stopped, display=False)
glue("pw_large_gain", f"{large['last-quarter gain, largest (%)']:.0f}", display=False)
glue("pw_small_gain", f"{small['last-quarter gain, largest (%)']:.1f}", display=False)
glue("pw_n_runs", len(seed_runs), display=False)
glue("pw_first_gain", round(float(rmse[0] / rmse[1]), 1), display=False)
glue("pw_last_gain", round(float(rmse[-2] / rmse[-1]), 1), display=False)
glue("poly_best_degree", int(best_poly), display=False)
glue("poly_best_params", int(poly_curve.loc[best_poly, "parameters"]), display=False)
glue("poly_best_rmse", round(float(poly_curve.loc[best_poly, "test RMSE (bp)"]), 1), display=False)
glue("poly2_rmse", round(float(poly_curve.loc[2, "test RMSE (bp)"]), 1), display=False)

# %% [markdown]
# Here the article's expectation is borne out. The smallest network, {glue:text}`pw_small_params`
# weights, misprices the test options by {glue:text}`pw_small_rmse` basis points of the
# strike (root mean square, mean of {glue:text}`pw_narrow_seeds` seeds, range
# {glue:text}`pw_small_range`); the largest, {glue:text}`pw_large_params` weights, by
# {glue:text}`pw_large_rmse` (mean of {glue:text}`n_seeds` seeds, range {glue:text}`pw_large_range`): {glue:text}`pw_size_ratio`
# times the parameters, {glue:text}`pw_ratio` times less error. The tuned peak learning rates
# are {glue:text}`pw_lrs` from the narrowest to the widest, each below a rate with a
# higher validation error. The fitted law {eq}`scale-saturating-law` has exponent $\alpha \approx$ {glue:text}`pw_alpha`
# (bootstrap 95% interval {glue:text}`pw_alpha_lo` to {glue:text}`pw_alpha_hi`) and a floor
# $E \approx$ {glue:text}`pw_floor` bp; a straight line through the same four points would
# give {glue:text}`pw_line_alpha`. Halving the part of the error above the floor takes
# about {glue:text}`pw_halve` times the parameters. The first step up in width cuts the
# error {glue:text}`pw_first_gain` times, the last {glue:text}`pw_last_gain` times, although
# each multiplies the parameters roughly tenfold.
#
# The polynomial's error also falls with its size, from {glue:text}`poly2_rmse` bp (degree 2)
# to {glue:text}`poly_best_rmse` bp with {glue:text}`poly_best_params` coefficients (degree
# {glue:text}`poly_best_degree`): with a smooth target and abundant data, capacity lowers the
# error of any flexible family, not only of networks. The polynomial's number of
# coefficients, though, grows combinatorially with the number of inputs, which is where
# networks earn their keep.
#
# ### Are the runs converged?
#
# {cite:t}`kaplan2020scaling` state their law in $N$ for models trained close to
# convergence. Most of ours are not, and the table says so. Early stopping ended
# {glue:text}`pw_stopped` of the {glue:text}`pw_n_runs` runs before the budget of
# {glue:text}`steps` steps: with the learning rate decaying towards 1% of its peak at the
# end of the budget, no run went {glue:text}`patience` evaluations without a new best before
# it ran out. A run whose last quarter of evaluations still lowered its validation error by
# {glue:text}`pw_converged_pct`% or more was still improving when the budget ended, and so
# was certainly not converged: {glue:text}`pw_n_improving` of the {glue:text}`pw_n_runs`
# runs are in that state. The other {glue:text}`pw_n_converged` (width
# {glue:text}`pw_converged_widths`) had flattened, which a converged run must have done but
# which does not prove convergence (a run can flatten because its rate has decayed, not
# because it has arrived; the converged runs below are held to a stricter test). The largest
# last-quarter gain grows with the width, from {glue:text}`pw_small_gain`% for the narrowest
# to {glue:text}`pw_large_gain`% for the widest. So what we fitted is a law **at a fixed
# budget of {glue:text}`steps` steps**, not at convergence: it describes what each width
# reaches in this budget. The wide networks are the furthest from their end point, so more
# steps should lower the right end of the curve most, and the fitted floor $E$ is probably
# too high. Training all widths to a standstill (the widest needs many times the steps, at
# many times the cost) does not fit in this chapter's time on two CPU cores; it was done
# once, outside the chapter, and the law at convergence follows below.
#
# The narrowest width is a different story. Its {glue:text}`pw_narrow_seeds` seeds
# range from {glue:text}`pw_small_range` bp, because they end in two different places:

# %%
wide_gain = seed_runs.loc[seed_runs["hidden"] == width_curve.index[-1], "last-quarter gain (%)"]
assert wide_gain.max() >= 100 * STILL_IMPROVING  # the text says the widest runs were still improving: check it
stuck = narrow["test RMSE (bp)"] > 2 * narrow["test RMSE (bp)"].min()  # far above the best seed: another minimum
# the narrow runs that end far above the others had flattened: they are stuck, not unfinished
assert stuck.any() and (narrow.loc[stuck, "last-quarter gain (%)"] < 100 * STILL_IMPROVING).all()
narrow.assign(**{"worse minimum": stuck}).set_index("seed")[
    ["test RMSE (bp)", "best step", "last-quarter gain (%)", "worse minimum"]].round(2)

# %% tags=["remove-cell"]
glue("nw_n_stuck", int(stuck.sum()), display=False)
glue("nw_stuck_range", f"{narrow.loc[stuck, 'test RMSE (bp)'].min():.0f} to "
     f"{narrow.loc[stuck, 'test RMSE (bp)'].max():.0f}", display=False)
glue("nw_good_range", f"{narrow.loc[~stuck, 'test RMSE (bp)'].min():.1f} to "
     f"{narrow.loc[~stuck, 'test RMSE (bp)'].max():.1f}", display=False)
glue("nw_stuck_gain", f"{narrow.loc[stuck, 'last-quarter gain (%)'].max():.1f}", display=False)

# %% [markdown]
# {glue:text}`nw_n_stuck` of the {glue:text}`pw_narrow_seeds` seeds end at
# {glue:text}`nw_stuck_range` bp, the others at {glue:text}`nw_good_range` bp. The runs
# that end high are not unfinished: their last quarter lowered their validation error by at
# most {glue:text}`nw_stuck_gain`%, below the {glue:text}`pw_converged_pct`% of a run still improving, and they ran at the
# same tuned rate as the others. With four units per layer, some initial weights lead the
# optimiser into a poorer minimum, which it then settles in; more steps at a learning rate
# that has already decayed are unlikely to move them out of it.
# This is why the narrowest width gets more seeds: its mean over seeds mixes two
# outcomes, and with three seeds it would depend heavily on how many of them happened to
# get stuck.

# %% [markdown]
# ### The law at convergence
#
# To measure $L(N)$ as {cite:t}`kaplan2020scaling` define it, each width has to be trained
# until it stops improving. A longer cosine is not the way: its rate stays high for most of
# a long budget, and early stopping can end a run on a noisy plateau long before the rate
# has come down ({ref}`scale-ex-converge` tries it). The converged runs use
# a **schedule that decays on a plateau** instead:
#
# - Adam at a constant peak rate until {glue:text}`cv_plateau` evaluations in a row (one
#   each 64 steps) bring no lower validation error: early stopping, with twice the patience
#   of the budgeted runs; the weights with the lowest validation error so far are kept;
# - then from those weights at a tenth of the rate, and so on, each **stage** ending the same
#   way;
# - the **gain of a stage** is how much it lowered the run's lowest validation error,
#
#   $$
#   g = 1 - \frac{v_{\text{after}}}{v_{\text{before}}},
#   $$ (scale-stage-gain)
#
#   with $v_{\text{before}}$ and $v_{\text{after}}$ the lowest validation error of the run
#   before the stage and at its end (`stage_gains` in the cell below);
# - the run has **converged**, and stops, at the end of the first stage whose gain is below
#   {glue:text}`cv_stop_gain_pct`%, counting only the stages after at least
#   {glue:text}`cv_min_cuts` cuts of the rate (to 1% of its peak, where the cosine of the
#   budgeted runs ends): a tenfold cut of the rate, trained on until it too reaches a plateau,
#   no longer lowers the error by a meaningful amount. A run that still gains that much after {glue:text}`cv_max_cuts` cuts
#   stops there and is **not** converged; a cap of {glue:text}`cv_max_steps` steps is there as
#   a safeguard only.
#
# Why judge a whole stage? An earlier version of this page asked instead that the last
# quarter of a run's evaluations lower its validation error by less than 1%. Runs whose last
# stage gained almost nothing did not pass, because that quarter reached back into earlier
# stages that still gained; appending stages at ever smaller rates would have made them pass
# without training them any further. A test that idle evaluations can satisfy measures the
# length of a run's tail, not whether it has arrived. A stage's gain cannot be padded that
# way: a stage is a whole annealing step, a tenfold cut followed by training to a new
# plateau, and all it gains counts; and with at most {glue:text}`cv_max_cuts` cuts a run
# cannot reach a pass through ever smaller rates, it must come to a stage that gains little
# while the rate is still at least {glue:text}`cv_last_rate` of its peak. Nor does the rule
# hold by construction. A cut of the rate
# takes away the noise of the larger steps, and the error often drops sharply after one:
# the stage-gain table below shows, from the committed logs, that the stage after the first
# cut lowered the best validation error by {glue:text}`cv_gain_cut1` and the stage after
# the second by {glue:text}`cv_gain_cut2` (the smallest and largest over the runs), so the
# rule refused to stop {glue:text}`cv_n_refused` of the {glue:text}`cv_n_runs` runs at the
# first stage where it was checked.
#
# A constant rate has a different best value from a cosine over {glue:text}`steps` steps,
# so the peak rate is **tuned again**, on validation data only: the grid {glue:text}`cv_lr_grid`
# (one rate lower than above) is climbed as above, each trial being the whole converged run of
# a first seed, and the other seeds then run at the chosen rate. For the narrowest width, whose
# runs can settle in a poorer minimum, a rate is judged by the median of
# {glue:text}`cv_narrow_tuning` seeds, so that one stuck seed does not decide it. Network,
# training options ({glue:text}`n_train`) and validation options are the same as above; the
# test options play no part.
#
# Tuning and training them takes far longer than this chapter's budget (most of it the
# widest width's tuning), so they ran once, with `python -m finbook pretrain scale_w4` (and `scale_w16`, `scale_w64`,
# `scale_w256`), as for the pretrained models of {ref}`pretraining`. The command executes
# this chapter's cells tagged `pretrain` and nothing else (the cell below, and the one that
# defines the data and the network at the start of this section) and commits the weights,
# with their SHA-256 in `weights/manifest.csv`, and each run's validation curve in
# `weights/scale_w4_log.csv` and its siblings. `pretrain.load_weights` refuses a file whose
# checksum differs, and a short run of the same code reproduces the first evaluations of
# the logs (`tests/test_scale_pretrain.py`).

# %% tags=["pretrain"]
PRETRAIN_SEED, PRETRAIN_N_TRAIN = 2024, 16_384  # the data of the converged runs: the default SEED and N_TRAIN
PRETRAIN_RATES = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)  # peak rates, climbed from the bottom as above, one lower
TUNING_SEED = 0  # the seed whose validation error chooses a width's peak rate (see TUNING_SEEDS)
PLATEAU = 16  # evaluations (each 64 steps) without a lower validation error that end a stage
STOP_GAIN = 0.01  # converged: a whole stage at a cut rate lowered the best validation error by less than 1%
MIN_CUTS, MAX_CUTS = 2, 4  # at least two tenfold cuts of the rate (to 1% of its peak), at most four
MAX_STEPS = 60_000  # a cap that is not meant to bind: the runs stop on their own


def stage_gains(log):
    """How much each stage lowered the run's best validation error so far (a fraction), by the stage's rate.

    A stage is the evaluations at one learning rate; its gain is 1 - (best after it) / (best before it),
    NaN for the first stage, which has no before.
    """
    stage = (log["learning rate"] != log["learning rate"].shift()).cumsum()
    best = log["validation RMSE (bp)"].cummin().groupby(stage).last()
    return (1 - best / best.shift(1)).set_axis(log.groupby(stage)["learning rate"].first().to_numpy())


def converged_run(width, seed, learning_rate, max_steps=MAX_STEPS):
    """Train at a constant rate until the validation error stops falling, cut the rate tenfold, repeat.

    Each stage is early stopping: it ends after PLATEAU evaluations without a lower validation
    error; the run keeps the weights with the lowest validation error so far, and the next stage
    starts from them at a tenth of the rate. The run has converged, and stops, at the end of the
    first stage after at least MIN_CUTS cuts (the rate down to 1% of its peak, where the cosine
    above ends) that lowered the best validation error by less than STOP_GAIN: cutting the rate
    and training on no longer helps. Otherwise it stops after MAX_CUTS cuts (not converged), or at
    max_steps. Returns the network and its log: one row per evaluation.
    """
    train, valid, _ = pricing_data(PRETRAIN_SEED, PRETRAIN_N_TRAIN)
    repro.set_seed(seed)
    net = surrogate(width, learning_rate)  # no decay_steps: the rate is constant within a stage
    log, done, best, kept = [], 0, np.inf, None
    for cut in range(MAX_CUTS + 1):
        rate = learning_rate / 10**cut
        net.optimizer.learning_rate.assign(rate)
        net, hist = training.fit(net, train[INPUTS], train["price"], steps=max_steps - done, step=train_step,
                                 validation_data=(valid[INPUTS], valid["price"]), val_loss=pricing_loss,
                                 eval_every=64, patience=PLATEAU, seed=1_000 * seed + cut)
        log += [{"step": done + s, "learning rate": rate, "loss": loss, "validation RMSE (bp)": 1e4 * np.sqrt(v)}
                for s, loss, v in zip(hist["step"], hist["loss"], hist["val_loss"], strict=True)]
        done += hist["step"][-1]
        if min(hist["val_loss"]) < best:  # fit put back the stage's best weights: the best so far
            best, kept = min(hist["val_loss"]), net.get_weights()
        else:  # the stage found nothing better: go back to the best weights from before it
            net.set_weights(kept)
        if (cut >= MIN_CUTS and stage_gains(pd.DataFrame(log)).iloc[-1] < STOP_GAIN) or done >= max_steps:
            break
    return net, pd.DataFrame(log)


TUNING_SEEDS = {4: (0, 1, 2)}  # the narrowest width's seeds may settle in a poorer minimum: it is tuned on three
_TRIALS = {}  # width -> {peak rate: {seed: (net, log)}} of the tuning seeds, computed once per process


def tuning_score(runs):
    """A rate's validation error: the median over the tuning seeds of each run's lowest validation RMSE."""
    return float(np.median([log["validation RMSE (bp)"].min() for _, log in runs.values()]))


def pretrain_scale(width, seed, learning_rate=None, max_steps=MAX_STEPS):
    """A converged run of ``width``; without ``learning_rate``, the peak rate is tuned on validation first.

    The tuning climbs PRETRAIN_RATES, the whole converged run of the tuning seed(s) at each
    rate, and stops at the first rate whose validation error is higher than the one before (or
    whose loss diverges), as the chapter's search does; every seed then runs at the chosen rate.
    The log records the choice and the validation error of every rate tried.
    """
    if learning_rate is not None:
        return converged_run(width, seed, learning_rate, max_steps)
    seeds = TUNING_SEEDS.get(width, (TUNING_SEED,))
    if width not in _TRIALS:
        trials, last = {}, np.inf
        for lr in PRETRAIN_RATES:
            try:
                trials[lr] = {s: converged_run(width, s, lr, max_steps) for s in seeds}
            except FloatingPointError:  # the loss diverged: this rate is too high for this width
                break
            if tuning_score(trials[lr]) > last:  # the error turned up: stop climbing
                break
            last = tuning_score(trials[lr])
        _TRIALS[width] = trials
    trials = _TRIALS[width]
    best_lr = min(trials, key=lambda lr: tuning_score(trials[lr]))
    net, log = trials[best_lr][seed] if seed in seeds else converged_run(width, seed, best_lr, max_steps)
    tried = {f"tuning {lr:g}": tuning_score(trials[lr]) for lr in trials}
    return net, log.assign(**{"peak learning rate": best_lr}, **tried)


def pretrain_scale_w4(seed, **kwargs):
    return pretrain_scale(4, seed, **kwargs)


def pretrain_scale_w16(seed, **kwargs):
    return pretrain_scale(16, seed, **kwargs)


def pretrain_scale_w64(seed, **kwargs):
    return pretrain_scale(64, seed, **kwargs)


def pretrain_scale_w256(seed, **kwargs):
    return pretrain_scale(256, seed, **kwargs)


# %% tags=["remove-cell"]
glue("cv_plateau", PLATEAU, display=False)
glue("cv_lr_grid", ", ".join(f"{lr:g}" for lr in PRETRAIN_RATES), display=False)
glue("cv_narrow_tuning", len(TUNING_SEEDS[4]), display=False)
glue("cv_max_cuts", MAX_CUTS, display=False)
glue("cv_min_cuts", MIN_CUTS, display=False)
glue("cv_stop_gain_pct", f"{100 * STOP_GAIN:g}", display=False)
glue("cv_last_rate", f"1/{10**MAX_CUTS:,}", display=False)
glue("cv_max_steps", f"{MAX_STEPS:,}", display=False)

# %% [markdown]
# The chapter loads the committed weights (a clear error if one is missing or altered) and
# evaluates each converged network on the {glue:text}`n_test_options` test options itself;
# the logs give where each run stopped and the gain of each of its stages
# {eq}`scale-stage-gain`, from which the cell checks that each run stopped where the rule says.

# %%
# tolerance: rtol=1e-4, atol=1e-3; the committed networks' test predictions run on CPU kernels that round differently
# the converged runs were trained on the options of PRETRAIN_SEED: a test set drawn with another SEED must not be one of them
assert SEED + 3 not in (PRETRAIN_SEED + 1, PRETRAIN_SEED + 2), "the test options would be the converged runs' training data"
converged_widths = [w for w in PRICING_WIDTHS if f"scale_w{w}" in pretrain.PRETRAINED]  # 1,024 is not pretrained
conv_rows, conv_tuning, conv_gains = [], {}, {}
for width in converged_widths:
    name = f"scale_w{width}"
    log = pd.read_csv(pretrain.WEIGHTS_DIR / f"{name}_log.csv")
    conv_tuning[f"{width}-{width}"] = log.filter(like="tuning ").iloc[0].rename(
        lambda c: f"validation RMSE, peak {c.split()[-1]}")
    for seed, run_log in log.groupby("seed"):
        net = pretrain.load_weights(surrogate(width, 1e-3), name, int(seed))
        errors = options.pricing_errors(test["price"], options.network_predict(net, test[INPUTS]))
        gains = stage_gains(run_log).to_numpy()  # stage 0 at the peak rate (no gain), then one per cut
        conv_gains[(f"{width}-{width}", int(seed))] = pd.Series(100 * gains[1:], index=range(1, len(gains)))
        conv_rows.append({"hidden": f"{width}-{width}", "seed": int(seed), "parameters": net.count_params(),
                          "peak learning rate": float(run_log["peak learning rate"].iloc[0]),
                          "steps run": int(run_log["step"].iloc[-1]), "rate cuts": len(gains) - 1,
                          "validation RMSE (bp)": run_log["validation RMSE (bp)"].min(),
                          "last-stage gain (%)": 100 * gains[-1], "test RMSE (bp)": errors["rmse"]})
conv_runs = pd.DataFrame(conv_rows)
# the rule: converged = at least MIN_CUTS cuts and a last stage that gained less than STOP_GAIN
conv_runs["converged"] = (conv_runs["rate cuts"] >= MIN_CUTS) & (conv_runs["last-stage gain (%)"] < 100 * STOP_GAIN)
stage_table = pd.DataFrame(conv_gains).T.rename(columns=lambda k: f"cut {k}: gain (%)")
stage_table.index.names = ["hidden", "seed"]
conv_by_width = conv_runs.groupby("hidden", sort=False)
conv_curve = pd.DataFrame({
    "parameters": conv_by_width["parameters"].first(), "peak learning rate": conv_by_width["peak learning rate"].first(),
    "seeds": conv_by_width.size(), "converged": conv_by_width["converged"].sum(),
    "steps run (mean)": conv_by_width["steps run"].mean(),
    "last-stage gain, largest (%)": conv_by_width["last-stage gain (%)"].max(),
    "test RMSE (bp)": conv_by_width["test RMSE (bp)"].mean(),
    "lowest": conv_by_width["test RMSE (bp)"].min(), "highest": conv_by_width["test RMSE (bp)"].max(),
})
conv_curve.index.name = "hidden"
# what the text says, checked: each width's peak rate has a lower rate tried and a higher one that did worse,
for hidden, tried in conv_tuning.items():
    rates = [float(c.split()[-1]) for c in tried.index]
    assert min(rates) < conv_curve.loc[hidden, "peak learning rate"] < max(rates), (hidden, tried)
# each run stopped where the rule says: every stage checked before its last (cut >= MIN_CUTS) gained at
# least STOP_GAIN, and a run that is not converged went through all MAX_CUTS cuts
checked_early = stage_table.reindex(columns=[f"cut {k}: gain (%)" for k in range(MIN_CUTS, MAX_CUTS + 1)])
for (hidden, seed), row in checked_early.iterrows():
    assert (row.dropna().iloc[:-1] >= 100 * STOP_GAIN).all(), (hidden, seed, row)
assert (conv_runs["rate cuts"] >= MIN_CUTS).all()
assert (conv_runs.loc[~conv_runs["converged"], "rate cuts"] == MAX_CUTS).all()  # not converged only after every cut
# not true by construction: at the first stage where it is checked, the rule refused some runs
refused = stage_table[f"cut {MIN_CUTS}: gain (%)"] >= 100 * STOP_GAIN
assert refused.any()
# the cap stopped no run, converging lowered the widest network's error, and the narrowest seeds still scatter
assert (conv_runs["steps run"] < MAX_STEPS).all()
assert conv_curve["test RMSE (bp)"].iloc[-1] < width_curve["test RMSE (bp)"].iloc[-1]
assert conv_curve["highest"].iloc[0] > 2 * conv_curve["lowest"].iloc[0]
display(pd.DataFrame(conv_tuning).T.round(2))
display(conv_runs.set_index(["hidden", "seed"]).drop(columns="parameters").round(2))
display(stage_table.round(2))
conv_curve.round(2)

# %% tags=["remove-cell"]
# tolerance: rtol=1e-4, atol=1e-3; the committed networks' test predictions run on CPU kernels that round differently
glue("cv_n_runs", len(conv_runs), display=False)
glue("cv_n_converged", int(conv_runs["converged"].sum()), display=False)
glue("cv_lrs", ", ".join(f"{lr:g}" for lr in conv_curve["peak learning rate"]), display=False)
glue("cv_steps_range", f"{conv_runs['steps run'].min():,} to {conv_runs['steps run'].max():,}", display=False)
glue("cv_budget_ratio", f"{conv_runs['steps run'].min() / STEPS:.0f} to {conv_runs['steps run'].max() / STEPS:.0f}",
     display=False)
glue("cv_cap_hit", int((conv_runs["steps run"] >= MAX_STEPS).sum()), display=False)
failed = conv_runs[~conv_runs["converged"]]
glue("cv_n_failed", len(failed), display=False)
if failed.empty:
    failed_note = f"All {len(conv_runs)} stopped by the rule within the {MAX_CUTS} cuts allowed."
else:
    failed_note = (f"The {len(failed)} that have not converged ("
                   + "; ".join(f"{h}: {len(g)} of {int(conv_curve.loc[h, 'seeds'])} seeds"
                               for h, g in failed.groupby("hidden", sort=False))
                   + f") went through all {MAX_CUTS} cuts and their last stage still lowered the error by up to "
                   f"{failed['last-stage gain (%)'].max():.2f}%; they are kept in the law below as the schedule "
                   "left them, and their widths' errors would, if anything, fall further.")
glue("cv_failed_note", failed_note, display=False)
glue("cv_stop_stage_max", f"{conv_runs['last-stage gain (%)'].max():.2f}", display=False)
checked = checked_early.to_numpy()
refused_gains = checked[checked >= 100 * STOP_GAIN]  # stages where the rule was checked and did not stop the run
glue("cv_refused_range", f"{refused_gains.min():.2f}% to {refused_gains.max():.1f}%", display=False)
cut1, cut2 = stage_table["cut 1: gain (%)"], stage_table[f"cut {MIN_CUTS}: gain (%)"]
glue("cv_gain_cut1", f"{cut1.min():.1f}% to {cut1.max():.1f}%", display=False)
glue("cv_gain_cut2", f"{cut2.min():.2f}% to {cut2.max():.1f}%", display=False)
glue("cv_n_refused", int(refused.sum()), display=False)
# exercise scale-ex-converge: where would a looser threshold (2%) have stopped each run, and how much higher
# was its best validation error there? (the best at the end of stage k is the final best / prod_{j > k} (1 - g_j))
earlier, rises = 0, [0.0]
for _, g in stage_table.iterrows():
    g = g.dropna().to_numpy() / 100  # gains of cuts 1, 2, ...
    stop = next(k for k in range(MIN_CUTS, len(g) + 1) if g[k - 1] < 0.02 or k == len(g))
    if stop < len(g):
        earlier += 1
        rises.append(100 * (1 / np.prod(1 - g[stop:]) - 1))
glue("cvx_n_earlier", earlier, display=False)
glue("cvx_max_rise", f"{max(rises):.2f}", display=False)
glue("cv_cuts_range", f"{conv_runs['rate cuts'].min()} to {conv_runs['rate cuts'].max()}", display=False)
glue("cv_small_rmse", round(float(conv_curve["test RMSE (bp)"].iloc[0]), 1), display=False)
glue("cv_large_rmse", round(float(conv_curve["test RMSE (bp)"].iloc[-1]), 1), display=False)
glue("cv_small_range", f"{conv_curve['lowest'].iloc[0]:.1f} to {conv_curve['highest'].iloc[0]:.1f}", display=False)
glue("cv_large_range", f"{conv_curve['lowest'].iloc[-1]:.2f} to {conv_curve['highest'].iloc[-1]:.2f}", display=False)
glue("cv_narrow_seeds", int(conv_curve["seeds"].iloc[0]), display=False)
glue("cv_64_rmse", round(float(conv_curve.loc["64-64", "test RMSE (bp)"]), 2) if "64-64" in conv_curve.index
     else "n/a", display=False)
glue("cv_64_seeds", int(conv_curve.loc["64-64", "seeds"]) if "64-64" in conv_curve.index else 0, display=False)

# %% [markdown]
# The first table is the tuning: the validation error (bp) of the converged runs at each peak
# rate tried (the median of the tuning seeds for the narrowest width; a blank is a rate the
# climb did not reach). The chosen peak rates are {glue:text}`cv_lrs` from the narrowest to
# the widest, each with a lower rate tried and a higher one giving a higher validation error;
# on the budgeted cosine they were {glue:text}`pw_lrs`. The second table lists each converged
# run: its peak rate, the steps it ran, how many times its rate was cut, its lowest validation
# error, the gain of its last stage {eq}`scale-stage-gain`, whether it converged by the rule,
# and its test error. The third gives the gain of each stage after a cut (a blank is a stage
# the run did not need), the evidence that the rule is a real test; the fourth sums the runs
# up by width.
#
# {glue:text}`cv_n_converged` of the {glue:text}`cv_n_runs` runs have converged by the rule,
# after {glue:text}`cv_cuts_range` cuts of the rate; the stage that stopped each of them
# lowered its best validation error by at most {glue:text}`cv_stop_stage_max`%, while the
# stages at which the rule was checked and refused to stop a run gained
# {glue:text}`cv_refused_range`.
# {glue:text}`cv_failed_note` Of the {glue:text}`cv_n_runs` runs, {glue:text}`cv_cap_hit`
# reached the cap of {glue:text}`cv_max_steps` steps: they stopped on their own, after
# {glue:text}`cv_steps_range` steps, {glue:text}`cv_budget_ratio` times the budget of the
# runs above. "Converged" here means converged for this optimiser and this family of
# schedules: another optimiser, or a network started elsewhere, could still find a lower
# error, as the narrowest width shows. Its {glue:text}`cv_narrow_seeds` seeds still end
# in different places ({glue:text}`cv_small_range` bp): converging does not lift a run out of
# a poorer minimum. The widest's seeds end within {glue:text}`cv_large_range` bp.

# %%
# tolerance: rtol=1e-3, atol=1e-3; the fit runs on BLAS kernels and the test errors on CPU kernels that differ between CPUs
def law_with_interval(parameters, rmse_by_seed, rng, n_boot=N_BOOT):
    """The law fitted to the seed means, and the 2.5% and 97.5% percentiles of its exponent over
    ``n_boot`` refits to means of seeds redrawn with replacement within each width."""
    law = scaling.fit_saturating_power_law(parameters, [r.mean() for r in rmse_by_seed])
    boot = [scaling.fit_saturating_power_law(parameters, [rng.choice(r, size=len(r)).mean() for r in rmse_by_seed]
                                             ).exponent for _ in range(n_boot)]
    return law, *np.percentile(boot, [2.5, 97.5])


conv_law, conv_alpha_lo, conv_alpha_hi = law_with_interval(
    conv_curve["parameters"].to_numpy(dtype=float),
    [conv_by_width.get_group(h)["test RMSE (bp)"].to_numpy() for h in conv_curve.index], np.random.default_rng(SEED))
assert conv_alpha_lo <= conv_law.exponent <= conv_alpha_hi  # the point estimate lies inside its own interval
laws = pd.DataFrame({
    f"fixed budget ({STEPS:,} steps)": [width_law.exponent, alpha_lo, alpha_hi, width_law.scale, width_law.floor],
    "converged": [conv_law.exponent, conv_alpha_lo, conv_alpha_hi, conv_law.scale, conv_law.floor]},
    index=["alpha", "alpha, 2.5%", "alpha, 97.5%", "A", "floor E (bp)"])
laws.round(3)

# %% tags=["remove-cell"]
# tolerance: rtol=1e-3, atol=1e-3; the fit runs on BLAS kernels and the test errors on CPU kernels that differ between CPUs
glue("cv_alpha", round(conv_law.exponent, 2), display=False)
glue("cv_alpha_lo", round(float(conv_alpha_lo), 2), display=False)
glue("cv_alpha_hi", round(float(conv_alpha_hi), 2), display=False)
glue("cv_floor", round(conv_law.floor, 2), display=False)
glue("cv_alpha_moved", "rose" if conv_law.exponent > width_law.exponent else "fell", display=False)
glue("cv_alpha_inside", "inside" if alpha_lo <= conv_law.exponent <= alpha_hi else "outside", display=False)
glue("cv_intervals_overlap", "overlap" if max(alpha_lo, conv_alpha_lo) <= min(alpha_hi, conv_alpha_hi)
     else "do not overlap", display=False)
glue("cv_floor_moved", "fell" if conv_law.floor < width_law.floor else "rose", display=False)

# %% [markdown]
# Fitted to the converged runs' seed means, the law {eq}`scale-saturating-law` has
# $\alpha \approx$ {glue:text}`cv_alpha` (bootstrap 95% interval {glue:text}`cv_alpha_lo` to
# {glue:text}`cv_alpha_hi`, the same resampling of seeds as above) and a floor
# $E \approx$ {glue:text}`cv_floor` bp. From the budgeted runs to the converged ones the
# exponent {glue:text}`cv_alpha_moved` from {glue:text}`pw_alpha`, and the converged
# exponent lies {glue:text}`cv_alpha_inside` the budgeted fit's interval; the two intervals
# {glue:text}`cv_intervals_overlap`. The floor {glue:text}`cv_floor_moved` from
# {glue:text}`pw_floor` to {glue:text}`cv_floor` bp. Converging lowers the mean test error of
# the widest network from {glue:text}`pw_large_rmse` to {glue:text}`cv_large_rmse` bp; that of
# the narrowest goes from {glue:text}`pw_small_rmse` to {glue:text}`cv_small_rmse` bp, a mean
# that depends on how many of its seeds settle in a poorer minimum.
#
# So the chapter has two laws, and they answer two questions. The **converged law** (this
# section's runs, loaded from `weights/`) is what each size can reach when training is not
# the limit: the $L(N)$ of {cite:t}`kaplan2020scaling`, in shape if not in units. The
# **budgeted law** (the runs trained in the chapter, {glue:text}`steps` steps each) is what
# each size reaches on a fixed budget of steps, the compute view that the next section
# takes further. With four sizes and three parameters, both rest on one degree of freedom,
# which is why their intervals are wide.

# %% [markdown]
# ### Loss against compute: the compute frontier
#
# The converged runs answer what each size can reach; the budgeted runs answer the other
# question, what a fixed **compute** budget buys. Each run recorded its validation error after each 64 steps; after $s$ steps it
# has used $C = 6 N \cdot 256 s$ FLOPs {eq}`scale-compute`. Averaging the
# {glue:text}`n_seeds` seeds of each width and plotting the error against $C$ gives one
# learning curve per size; their lower envelope, the best error any of our sizes reaches at
# each compute, is the **compute frontier**.

# %%
mean_curves = {}
for width in PRICING_WIDTHS:
    last = min(len(c) for c in curves[width])  # the steps every seed reached
    stacked = np.stack([c["validation RMSE (bp)"].to_numpy()[:last] for c in curves[width]])
    mean_curves[width] = pd.Series(stacked.mean(axis=0), name=f"{width}-{width}",
                                   index=curves[width][0]["compute (FLOPs)"].to_numpy()[:last])
flops_grid = np.geomspace(min(c.index.min() for c in mean_curves.values()),
                          max(c.index.max() for c in mean_curves.values()), 60)
on_grid = pd.DataFrame({w: np.exp(np.interp(np.log(flops_grid), np.log(c.index), np.log(c.to_numpy()),
                                            left=np.nan, right=np.nan))
                        for w, c in mean_curves.items()}, index=flops_grid).dropna(how="all")
frontier_width = on_grid.idxmin(axis=1)
order = list(dict.fromkeys(frontier_width))  # the widths on the frontier, in order of compute
takeover = float(frontier_width.index[frontier_width == PRICING_WIDTHS[-1]].min()) \
    if PRICING_WIDTHS[-1] in order else float("nan")
pd.DataFrame({"best width": frontier_width, "validation RMSE (bp)": on_grid.min(axis=1)}).iloc[::10].round(2)

# %% tags=["remove-cell"]
glue("fr_order", ", ".join(f"{w}-{w}" for w in order), display=False)
glue("fr_n_widths", len(order), display=False)
glue("fr_takeover", f"{takeover:.1e}", display=False)
glue("fr_large_flops", f"{seed_runs['compute (FLOPs)'].iloc[-1]:.1e}", display=False)

# %% [markdown]
# Along the frontier the best size changes with the budget: from the smallest compute to
# the largest, the widths that lead are {glue:text}`fr_order`, and the widest network leads
# only from about {glue:text}`fr_takeover` FLOPs on (one of its runs used
# {glue:text}`fr_large_flops`). With little compute a small network, which takes cheap
# steps, gets further than a large one that has barely started. That is the compute-optimal
# trade-off: **each compute budget has its own best model size**. Two cautions. Our curves
# are snapshots of runs whose learning-rate schedule was set for the full budget, so they
# overstate the error that a run planned for a smaller budget (its schedule ending there)
# would reach; and the sizes are few. Matching the schedule to the budget is one of the corrections
# {cite:t}`hoffmann2022training` made to the frontier of {cite:t}`kaplan2020scaling`.
#
# ### A million parameters
#
# Push the width to {glue:text}`mil_width` and the network has {glue:text}`mil_params`
# parameters, {glue:text}`mil_ratio` times the {glue:text}`large_width`-wide one, and each
# training step costs about that many times as much {eq}`scale-compute`. We give it the
# compute of one run of the {glue:text}`large_width`-wide network (the first seed, at its
# tuned learning rate, which it also uses): the same mini-batches of 256, but
# {glue:text}`mil_steps` steps instead of {glue:text}`large_steps`.

# %%
first_large = seed_runs[(seed_runs["hidden"] == f"{PRICING_WIDTHS[-1]}-{PRICING_WIDTHS[-1]}")
                        & (seed_runs["seed"] == SEED)].iloc[0]
million_params = scaling.dense_parameter_count(4, (MILLION_WIDTH, MILLION_WIDTH))
million_steps = round(first_large["steps run"] * first_large["parameters"] / million_params)  # equal C ~ 6ND
million_runs, sq_mil = [], []
for seed in range(SEED, SEED + N_SEEDS):
    repro.set_seed(seed)
    run, det = scaling.surrogate_run(train_full, valid, test, hidden=(MILLION_WIDTH, MILLION_WIDTH),
                                     steps=million_steps, learning_rate=float(first_large["learning rate"]),
                                     seed=seed, details=True)
    million_runs.append(run | {"seed": seed})
    sq_mil.append((det["test predictions"] - test["price"].to_numpy()) ** 2)
million_runs = pd.DataFrame(million_runs)
mil_rmse = float(million_runs["test RMSE (bp)"].mean())
# paired comparison on the test options (independent draws, so blocks of one), against the
# least accurate of the widest network's seeds: the comparison most favourable to the million.
# The verdict is decided on the seeds together: each option's squared error averaged over the seeds
sq_wide = [(p - test["price"].to_numpy()) ** 2 for p in test_preds[PRICING_WIDTHS[-1]]]
worst = int(np.argmax([q.mean() for q in sq_wide]))
mil_test = inference.paired_block_bootstrap(np.mean(sq_mil, axis=0), sq_wide[worst], block_size=1, n_boot=1000,
                                            seed=SEED)
mil_seed_verdicts = [inference.verdict(inference.paired_block_bootstrap(q, sq_wide[worst], block_size=1,
                                                                        n_boot=1000, seed=SEED), better="lower")
                     for q in sq_mil]
mil_law = float(width_law.predict(million_params))
million = pd.concat([pd.DataFrame([first_large.to_dict()]), million_runs]).set_index(["hidden", "seed"])
million.drop(columns="training options").round(2)

# %% tags=["remove-cell"]
glue("mil_steps", f"{million_steps:,}", display=False)
glue("large_steps", f"{int(first_large['steps run']):,}", display=False)
glue("large_width", PRICING_WIDTHS[-1], display=False)
glue("mil_width", f"{MILLION_WIDTH:,}", display=False)
glue("mil_params", f"{million_params:,}", display=False)
glue("mil_ratio", f"{million_params / first_large['parameters']:,.0f}", display=False)
glue("mil_rmse", round(mil_rmse, 1), display=False)
glue("mil_range", f"{million_runs['test RMSE (bp)'].min():.1f} to {million_runs['test RMSE (bp)'].max():.1f}",
     display=False)
glue("mil_seeds", N_SEEDS, display=False)
glue("mil_worst_rmse", round(float(np.sqrt(sq_wide[worst].mean()) * 1e4), 1), display=False)
glue("mil_verdict", inference.verdict(mil_test, better="lower"), display=False)
glue("mil_seed_agree", sum(v == inference.verdict(mil_test, better="lower") for v in mil_seed_verdicts),
     display=False)
glue("mil_law_rmse", round(mil_law, 1), display=False)
glue("mil_conv_law_rmse", round(float(conv_law.predict(million_params)), 2), display=False)
glue("mil_vs_law", round(mil_rmse / mil_law, 1), display=False)
glue("mil_vs_worst", f"{mil_rmse / (np.sqrt(sq_wide[worst].mean()) * 1e4):.0f}", display=False)

# %% [markdown]
# On the compute of one {glue:text}`large_width`-wide run, the million-parameter network
# misprices by {glue:text}`mil_rmse` bp (mean of {glue:text}`mil_seeds` seeds, range
# {glue:text}`mil_range`): it is **{glue:text}`mil_verdict`** the least accurate of the
# {glue:text}`large_width`-wide seeds ({glue:text}`mil_worst_rmse` bp), by a paired bootstrap
# of the squared errors on the test options at the 5% level. The verdict is decided on the
# seeds together (each option's squared error averaged over the {glue:text}`mil_seeds` seeds);
# tested one at a time, {glue:text}`mil_seed_agree` of the {glue:text}`mil_seeds` seeds give
# the same verdict. Its error is {glue:text}`mil_vs_worst` times that of the worst
# {glue:text}`large_width`-wide seed, whose seeds span only {glue:text}`pw_large_range` bp.
# Trained to convergence, its size would allow {glue:text}`mil_conv_law_rmse` bp if the
# converged law held that far out. A larger network needs more steps (and more data) to
# reach what its size allows, so a fixed compute budget has a best model size. The
# million-parameter point is drawn apart in {numref}`scale-fig-curves` and left out of the
# fit; training it to convergence is {ref}`scale-ex-million`.
#
# ### Scaling the data
#
# The other axis of {eq}`scale-power-law` is data. We keep the 64-64 network at its tuned
# learning rate, with the same budget of at most {glue:text}`steps` steps and the same early
# stopping, and train it with {glue:text}`data_seeds` seeds (initial weights and batch
# order) on each of the first {glue:text}`pd_sizes` simulated options (on all of them, the
# {glue:text}`n_seeds` seeds of the width curve serve); a smaller set is simply cycled
# through more often. The polynomial of degree {glue:text}`poly_best_degree` is refitted on
# the same sets.

# %%
runs_64 = seed_runs[seed_runs["hidden"] == "64-64"]
lr_64 = float(runs_64["learning rate"].iloc[0]) if len(runs_64) else 0.01
data_runs, poly_data_runs = [], []
for n in TRAINING_SIZES:
    if n == N_TRAIN and len(runs_64):  # these runs are already part of the width curve
        data_runs += [run.to_dict() | {"training options": N_TRAIN} for _, run in runs_64.iterrows()]
    else:
        for seed in range(SEED, SEED + DATA_SEEDS):
            repro.set_seed(seed)
            run, det = scaling.surrogate_run(train_full.iloc[:n], valid, test, hidden=(64, 64), steps=STEPS,
                                             patience=PATIENCE, seed=seed, learning_rate=lr_64, details=True)
            data_runs.append(run | {"last-quarter gain (%)": 100 * last_quarter_gain(det["curve"])})
    poly_data_runs.append(scaling.polynomial_run(train_full.iloc[:n], test, int(best_poly)))
by_size = pd.DataFrame(data_runs).groupby("training options")
data_curve = pd.DataFrame({"seeds": by_size.size(), "test RMSE (bp)": by_size["test RMSE (bp)"].mean(),
                           "lowest": by_size["test RMSE (bp)"].min(), "highest": by_size["test RMSE (bp)"].max(),
                           "passes over the data": by_size["passes over the data"].first(),
                           "stopped before the budget": by_size["steps run"].apply(lambda s: int((s < STEPS).sum())),
                           "last-quarter gain, largest (%)": by_size["last-quarter gain (%)"].max()})
# which end of the curve was still improving when the budget ran out (the last-quarter gain, as for the widths)
ends_improving = tuple(bool(data_curve["last-quarter gain, largest (%)"].iloc[i] >= 100 * STILL_IMPROVING)
                       for i in (0, -1))
poly_data_curve = pd.DataFrame(poly_data_runs).set_index("training options")
net_rmse, poly_rmse = data_curve["test RMSE (bp)"], poly_data_curve["test RMSE (bp)"]
data_curve.assign(**{f"polynomial, degree {best_poly}": poly_rmse}).round(2)

# %% tags=["remove-cell"]
glue("pd_sizes", ", ".join(f"{n:,}" for n in TRAINING_SIZES[:-1]) + f" and {TRAINING_SIZES[-1]:,}",
     display=False)
glue("pd_first_n", f"{TRAINING_SIZES[0]:,}", display=False)
glue("data_seeds", DATA_SEEDS, display=False)
glue("pd_first_range", f"{data_curve['lowest'].iloc[0]:.1f} to {data_curve['highest'].iloc[0]:.1f}", display=False)
glue("pd_second_n", f"{TRAINING_SIZES[1]:,}", display=False)
glue("pd_first_rmse", round(float(net_rmse.iloc[0]), 1), display=False)
glue("pd_second_rmse", round(float(net_rmse.iloc[1]), 1), display=False)
glue("pd_best_rmse", round(float(net_rmse.min()), 1), display=False)
glue("pd_last_rmse", round(float(net_rmse.iloc[-1]), 1), display=False)
glue("pd_passes_first", f"{data_curve['passes over the data'].iloc[0]:,.0f}", display=False)
glue("pd_poly_second", round(float(poly_rmse.iloc[1]), 1), display=False)
glue("pd_poly_last", round(float(poly_rmse.iloc[-1]), 1), display=False)
glue("pd_n_stopped", int(data_curve["stopped before the budget"].sum()), display=False)
glue("pd_n_runs", int(data_curve["seeds"].sum()), display=False)
glue("pd_ends", {
    (False, True): "the runs on the smallest set had flattened, while those on all the options were still improving "
                   "when the budget ran out, so the budget holds up the right end of the curve most, and a law "
                   "fitted to it would understate what more data does for a network trained to convergence",
    (True, True): "the runs at both ends were still improving when the budget ran out, so the budget holds up the "
                  "whole curve, by amounts that differ from one size to the next",
    (True, False): "the runs on all the options had flattened, while those on the smallest set were still improving "
                   "when the budget ran out, so the budget holds up the left end of the curve most",
    (False, False): "the runs at both ends had flattened by the end of the budget, which runs at convergence must "
                    "have done but which does not prove they are there"}[ends_improving], display=False)
glue("pd_last_gain", f"{data_curve['last-quarter gain, largest (%)'].iloc[-1]:.1f}", display=False)
glue("pd_first_gain", f"{data_curve['last-quarter gain, largest (%)'].iloc[0]:.1f}", display=False)

# %% [markdown]
# With {glue:text}`pd_first_n` options, seen up to {glue:text}`pd_passes_first` times each,
# the network misprices by {glue:text}`pd_first_rmse` bp (mean of the seeds, range
# {glue:text}`pd_first_range`); with {glue:text}`pd_second_n`, by
# {glue:text}`pd_second_rmse` bp; with all {glue:text}`n_train`, by {glue:text}`pd_last_rmse`
# bp (the lowest of the four is {glue:text}`pd_best_rmse`). In four dimensions a few hundred
# points leave wide gaps for the network to guess across. The polynomial, which least
# squares fits exactly and which therefore has no training budget to run out of, goes from
# {glue:text}`pd_poly_second` bp at {glue:text}`pd_second_n` options to
# {glue:text}`pd_poly_last` at {glue:text}`n_train`. Each axis of a scaling law is
# measured with the other two in plentiful supply; hold one back and it becomes the limit.
#
# That limit is also what this curve can and cannot show. Each size had the same budget of at
# most {glue:text}`steps` steps, like the budgeted width curve, and {glue:text}`data_seeds`
# seeds, not a converged run; early stopping ended {glue:text}`pd_n_stopped` of its
# {glue:text}`pd_n_runs` runs before the budget. The largest last-quarter gain of a size's
# runs goes from {glue:text}`pd_first_gain`% with {glue:text}`pd_first_n` options to
# {glue:text}`pd_last_gain`% with {glue:text}`n_train`: {glue:text}`pd_ends`. So the curve
# shows what more options do for the 64-64 network on this budget; it does not measure a data
# exponent at convergence. That would take converged runs at each training-set size, with the
# plateau schedule of the width curve, which this chapter does not run.

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
repro.set_seed(SEED)  # the credit networks' seeds do not depend on the runs above
credit = data.german_credit()
y = features.binary_target(credit["class"].astype(str), "bad")
X = credit.drop(columns="class")
splits = list(StratifiedKFold(CV_FOLDS, shuffle=True, random_state=SEED).split(X, y))
n_inputs = len(sc.schema_preprocessor(X).fit(X).get_feature_names_out())

candidates = {"logistic regression": scaling.logistic_fit_predict,
              "gradient boosting": partial(scaling.boosting_fit_predict, seed=SEED)}
for width in CREDIT_WIDTHS:
    candidates[f"network {width}-{width}"] = partial(sc.mlp_fit_predict, hidden=(width, width),
                                                     batch_size=256, patience=10, seed=SEED)
fold_auc = pd.DataFrame({name: scaling.fold_aucs(f, X, y, splits) for name, f in candidates.items()})
fold_auc.round(4)

# %% tags=["remove-cell"]
glue("cr_n", f"{len(y):,}", display=False)
glue("cr_bad", int(y.sum()), display=False)
glue("cr_attributes", X.shape[1], display=False)
glue("cr_inputs", n_inputs, display=False)
glue("cv_folds", CV_FOLDS, display=False)
glue("cr_widths", ", ".join(f"{w:,}" for w in CREDIT_WIDTHS), display=False)

# %%
params = {"logistic regression": n_inputs + 1, "gradient boosting": pd.NA}  # trees: no fixed count
params |= {f"network {w}-{w}": scaling.dense_parameter_count(n_inputs, (w, w)) for w in CREDIT_WIDTHS}
gap = fold_auc.sub(fold_auc["logistic regression"], axis=0)  # paired: the same test fold
credit_curve = pd.DataFrame({
    "parameters": pd.Series(params, dtype="Int64"), "mean AUC": fold_auc.mean(), "sd across folds": fold_auc.std(),
    "AUC minus logistic (mean)": gap.mean(), "(sd)": gap.std(),
})
networks = [f"network {w}-{w}" for w in CREDIT_WIDTHS]
best_net = credit_curve.loc[networks, "mean AUC"].idxmax()
best_gap = float(credit_curve.loc[best_net, "AUC minus logistic (mean)"])
n_test_fold = len(splits[0][1])
n_train_fold = len(splits[0][0])
# Nadeau-Bengio corrected t-test on the paired fold differences (the folds share training rows)
best_vs_lr = inference.corrected_resampled_ttest(gap[best_net], n_train=n_train_fold, n_test=n_test_fold)
large_vs_small = inference.corrected_resampled_ttest(fold_auc[networks[-1]] - fold_auc[networks[0]],
                                                     n_train=n_train_fold, n_test=n_test_fold)
within = int((gap[networks].mean().abs() < credit_curve.loc["logistic regression", "sd across folds"]).sum())
credit_curve.round(4)

# %% tags=["remove-cell"]
glue("cr_lr_auc", round(float(credit_curve.loc["logistic regression", "mean AUC"]), 3), display=False)
glue("cr_hgb_auc", round(float(credit_curve.loc["gradient boosting", "mean AUC"]), 3), display=False)
glue("cr_fold_sd", round(float(credit_curve["sd across folds"].mean()), 3), display=False)
glue("cr_small_params", f"{params[networks[0]]:,}", display=False)
glue("cr_large_params", f"{params[networks[-1]]:,}", display=False)
glue("cr_small_auc", round(float(credit_curve.loc[networks[0], "mean AUC"]), 3), display=False)
glue("cr_large_auc", round(float(credit_curve.loc[networks[-1], "mean AUC"]), 3), display=False)
glue("cr_best_net", best_net, display=False)
glue("cr_best_net_gap", round(abs(best_gap), 3), display=False)
glue("cr_best_net_verdict", inference.verdict(best_vs_lr, better="higher"), display=False)
glue("cr_large_vs_small", inference.verdict(large_vs_small, better="higher"), display=False)
glue("cr_within", within, display=False)
glue("cr_n_nets", len(networks), display=False)
glue("cr_net_range", round(float(np.ptp(credit_curve.loc[networks, "mean AUC"])), 3), display=False)
glue("cr_size_ratio", f"{params[networks[-1]] / params[networks[0]]:,.0f}", display=False)
glue("cr_fit_rows", int(0.8 * len(splits[0][0])), display=False)  # mlp_fit_predict keeps a fifth for stopping
glue("bbg_vs_ours", f"{BLOOMBERGGPT['parameters'] / params[networks[-1]]:,.0f}", display=False)

# %% [markdown]
# Logistic regression, with {glue:text}`cr_inputs` weights and an intercept, reaches a mean
# AUC of {glue:text}`cr_lr_auc` across the folds, gradient boosting {glue:text}`cr_hgb_auc`.
# The networks grow {glue:text}`cr_size_ratio`-fold, from {glue:text}`cr_small_params` to
# {glue:text}`cr_large_params` parameters, and their mean AUC moves from
# {glue:text}`cr_small_auc` to {glue:text}`cr_large_auc`; the spread between the three
# network sizes is {glue:text}`cr_net_range`, far inside the typical fold-to-fold standard
# deviation of {glue:text}`cr_fold_sd`. The best network ({glue:text}`cr_best_net`)
# differs from logistic regression by {glue:text}`cr_best_net_gap` in
# mean AUC: it is {glue:text}`cr_best_net_verdict` logistic regression by the corrected
# resampled t-test of {cite:t}`nadeau2003inference` on the paired fold differences (5% level).
# The largest network is {glue:text}`cr_large_vs_small` the smallest by the same test.
# A million weights fitted to {glue:text}`cr_fit_rows` training rows do not overfit catastrophically only because
# early stopping halts them after a few epochs, while their predictions are still close to
# those of a much simpler model.

# %% [markdown]
# ## Both curves in one picture

# %% mystnb={"figure": {"name": "scale-fig-curves", "caption": "Top left: test error of the option-pricing surrogate (simulated Black\u2013Scholes prices) against model size, mean of the seeds with their range (bars). Circles: each width at its tuned learning rate on the fixed step budget; triangles: the converged runs (trained once outside the chapter, loaded); dotted and dashed: the law E + A N^(-\u03b1) fitted to each; diamond: the million-parameter network on the compute of one run of the widest (mean and range of its seeds, not fitted). Top right: validation error against training compute C = 6ND, mean of the seeds per width; grey: the compute frontier. Bottom left: the 64-64 network (mean of the seeds with their range) and the polynomial as the training set grows. Bottom right: German credit, mean ROC AUC over the cross-validation folds with \u00b11 standard deviation (bars and bands); networks of growing width against logistic regression and gradient boosting."}}
fig, ((ax1, ax4), (ax2, ax3)) = plt.subplots(2, 2, figsize=(10, 7.6))
yerr = [width_curve["test RMSE (bp)"] - width_curve["lowest"], width_curve["highest"] - width_curve["test RMSE (bp)"]]
ax1.errorbar(width_curve["parameters"], width_curve["test RMSE (bp)"], yerr=yerr, fmt="o", capsize=3,
             label=f"network, {STEPS:,} steps (mean of the seeds)")
conv_err = [conv_curve["test RMSE (bp)"] - conv_curve["lowest"], conv_curve["highest"] - conv_curve["test RMSE (bp)"]]
ax1.errorbar(conv_curve["parameters"], conv_curve["test RMSE (bp)"], yerr=conv_err, fmt="^", capsize=3,
             color=plots.PALETTE[4], label="network, converged (mean of the seeds)")
ax1.loglog(poly_curve["parameters"], poly_curve["test RMSE (bp)"], "s-", label="polynomial (degree 2–6)")
grid = np.geomspace(width_curve["parameters"].min(), million_params, 80)
ax1.loglog(grid, width_law.predict(grid), ":", color="0.5",
           label=f"E + A N^(-α), {STEPS:,} steps, α = {width_law.exponent:.2f}")
ax1.loglog(grid, conv_law.predict(grid), "--", color=plots.PALETTE[4],
           label=f"E + A N^(-α), converged, α = {conv_law.exponent:.2f}")
mil_err = [[mil_rmse - million_runs["test RMSE (bp)"].min()], [million_runs["test RMSE (bp)"].max() - mil_rmse]]
ax1.errorbar([million_params], [mil_rmse], yerr=mil_err, fmt="D", capsize=3, color=plots.PALETTE[3],
             label=f"{MILLION_WIDTH}-{MILLION_WIDTH}, compute of one {PRICING_WIDTHS[-1]}-wide run")
ax1.set(xlabel="parameters", ylabel="test RMSE (bp of strike)", title="(a) pricing: error vs size")
ax1.legend(fontsize=8)
for width, curve in mean_curves.items():
    ax4.loglog(curve.index, curve.to_numpy(), label=f"{width}-{width}")
ax4.loglog(on_grid.index, on_grid.min(axis=1), color="0.4", lw=4, alpha=0.35, label="compute frontier")
ax4.set(xlabel="training compute (FLOPs)", ylabel="validation RMSE (bp)", title="(a) pricing: error vs compute")
ax4.legend(fontsize=8)
ax2.errorbar(data_curve.index, data_curve["test RMSE (bp)"], fmt="o-", capsize=3, label="network 64-64",
             yerr=[data_curve["test RMSE (bp)"] - data_curve["lowest"], data_curve["highest"] - data_curve["test RMSE (bp)"]])
ax2.set(xscale="log", yscale="log")
ax2.loglog(poly_data_curve.index, poly_data_curve["test RMSE (bp)"], "s-",
           label=f"polynomial, degree {best_poly}")
ax2.set(xlabel="simulated training options", ylabel="test RMSE (bp of strike)", title="(a) pricing: error vs data")
ax2.legend(fontsize=8)
for ax in (ax1, ax2, ax4):  # plain numbers at 1, 2, 5 x 10^k on the log-scaled error axes
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
ax3.legend(loc="lower center", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# {numref}`scale-fig-curves` is the chapter in one picture. In the pricing panels the error
# of the surrogate falls as the model grows, both when each size is tuned and trained on the
# same step budget and when it is trained to convergence, and the compute panel shows that at a given budget the best size depends on
# the budget: that is the world the article imagines, and it exists where the target is a
# smooth, noiseless function and examples are free. In the credit panel
# {glue:text}`cr_within` of the {glue:text}`cr_n_nets` network sizes, from a few hundred to
# a million weights, have a mean AUC within one fold-to-fold standard deviation of logistic
# regression's, and the spread between the sizes ({glue:text}`cr_net_range`) is smaller
# than that standard deviation ({glue:text}`cr_fold_sd`).
#
# Why the difference? The pricing network's error is **approximation error**: the price is
# a deterministic function of the inputs and a larger network approximates it better. The
# credit model's error is dominated by **noise**: whether an applicant repays depends on
# things no attribute records, so even the true probability of default ranks applicants
# imperfectly, and with {glue:text}`cr_bad` bad cases there is little signal for extra
# capacity to find and much noise for it to fit. Our working hypothesis is therefore that
# capacity pays where approximation error is the bottleneck and not where noise is; it rests
# on the pricing exponent at convergence ({glue:text}`cv_alpha`, interval {glue:text}`cv_alpha_lo`
# to {glue:text}`cv_alpha_hi`) and on the credit comparisons above (the best network
# {glue:text}`cr_best_net_verdict` logistic regression). That agrees with the
# large benchmark of credit-scoring classifiers of {cite:t}`lessmann2015benchmarking`, where
# simple and ensemble methods lead and the networks do not, and with
# {cite:t}`grinsztajn2022tree`, who find tree-based models ahead of deep networks across
# medium-sized tabular datasets.

# %% [markdown]
# ## What "large models" means in finance today
#
# When the article speaks of models growing in scale, the models in question are today's
# foundation models: networks trained on broad data, mostly text, and adapted to many
# tasks (see {ref}`ai-in-finance`). Five published works mark the range, with what each
# reports and no more:
#
# - **Scaling laws.** {cite:t}`kaplan2020scaling` measured the power laws
#   {eq}`scale-power-law` for language models over many orders of magnitude: $L(N)$ for
#   models trained near convergence on ample data, and laws in data and compute. From them
#   they concluded that, for a fixed compute budget, it pays to train very large models on a
#   relatively modest amount of data and to stop well before convergence. Their exponent
#   $\alpha_N \approx$ {glue:text}`kaplan_alpha_n` is for the cross-entropy of text, in nats,
#   with data practically unlimited; it is not a property of networks in general, and our
#   pricing exponent at convergence ({glue:text}`cv_alpha`, on RMSE) is not comparable with it beyond the
#   shape of the law.
# - **Compute-optimal training ("Chinchilla").** {cite:t}`hoffmann2022training` trained over
#   400 language models, from 70 million to over 16 billion parameters, on 5 to 500 billion
#   tokens, with the learning-rate schedule matched to each run's length, and fitted
#   $L(N, D) = E + A N^{-\alpha} + B D^{-\beta}$. They found that, at a fixed budget, model
#   size and training tokens should grow in equal proportion (double one, double the other),
#   which comes to roughly twenty tokens per parameter, far more data per parameter than
#   Kaplan et al.'s allocation and than the large models of the day had seen. Their 70-billion
#   parameter Chinchilla, trained on four times the data of the 280-billion parameter Gopher
#   on the same compute, scored above it on a wide range of downstream tasks, its authors report.
# - **BloombergGPT** {cite}`wu2023bloomberggpt`: a language model of about
#   {glue:text}`bbg_params_bn` billion parameters, trained on a corpus of
#   {glue:text}`bbg_fin_tokens_bn` billion tokens of financial documents from Bloomberg's
#   archives plus {glue:text}`bbg_pub_tokens_bn` billion tokens of general text, some
#   {glue:text}`bbg_vs_ours` times the parameters of our largest credit network. Its size was
#   chosen with the Chinchilla scaling laws for the compute its authors had. They report that
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
# - On a smooth function with abundant (simulated) data, the pricing surrogate's test error
#   falls as the network grows from {glue:text}`pw_small_params` to
#   {glue:text}`pw_large_params` parameters. Trained to convergence (until a whole stage after
#   a tenfold cut of the rate lowers the validation error by less than
#   {glue:text}`cv_stop_gain_pct`%; runs trained once outside the chapter and loaded), it falls from {glue:text}`cv_small_rmse` to
#   {glue:text}`cv_large_rmse` bp of the strike (means of the seeds), following
#   $E + A N^{-\alpha}$ with $\alpha \approx$ {glue:text}`cv_alpha` (bootstrap interval
#   {glue:text}`cv_alpha_lo` to {glue:text}`cv_alpha_hi`). On the chapter's own budget of
#   {glue:text}`steps` steps it falls from {glue:text}`pw_small_rmse` to
#   {glue:text}`pw_large_rmse` bp, with $\alpha \approx$ {glue:text}`pw_alpha`
#   ({glue:text}`pw_alpha_lo` to {glue:text}`pw_alpha_hi`): a law at that budget, whose wider
#   networks were still improving when it ran out. At a fixed
#   compute budget the best size depends on the budget: on the compute of one
#   {glue:text}`large_width`-wide run, a {glue:text}`mil_params`-parameter network is
#   {glue:text}`mil_verdict` the least accurate {glue:text}`large_width`-wide seed
#   ({glue:text}`mil_rmse` bp, mean of {glue:text}`mil_seeds` seeds). The 64-64 network's error is {glue:text}`pd_first_rmse` bp
#   with {glue:text}`pd_first_n` options and {glue:text}`pd_last_rmse` with
#   {glue:text}`n_train`.
# - The polynomial baseline's error also falls with size ({glue:text}`poly2_rmse` to
#   {glue:text}`poly_best_rmse` bp): the gain comes from capacity on a smooth target, not
#   from anything special to neural networks.
# - On German credit, networks from {glue:text}`cr_small_params` to
#   {glue:text}`cr_large_params` parameters all score a mean AUC within
#   {glue:text}`cr_net_range` of each other, beside logistic regression
#   ({glue:text}`cr_lr_auc`) and gradient boosting ({glue:text}`cr_hgb_auc`), with a
#   fold-to-fold spread of about {glue:text}`cr_fold_sd`; the largest is
#   {glue:text}`cr_large_vs_small` the smallest, where data are small and noisy.
# - Scale is a budget of three resources (parameters, data, compute,
#   $C \approx 6ND$); the published successes of large models in finance (BloombergGPT,
#   FinGPT, FinBERT) are models of text, where all three are plentiful.
#
# ## Exercises
#
# ```{exercise}
# :label: scale-ex-million
# The {glue:text}`mil_width`-wide network above had only the compute of one
# {glue:text}`large_width`-wide run. Train it on the full step budget like the others by adding it
# to the width curve: `python -m finbook run 18_model_scale -p PRICING_WIDTHS "(4, 16, 64,
# 256, 1024)" --output runs/`. How long does its training take? Does it land on the budgeted
# law, and does that exponent's interval narrow?
# ```
#
# ```{solution} scale-ex-million
# :class: dropdown
# Each step of the {glue:text}`mil_width`-wide network costs about {glue:text}`mil_ratio`
# times as much as one of the {glue:text}`large_width`-wide network {eq}`scale-compute`,
# and it needs its own learning-rate search and seeds, so expect the chapter to take many
# times longer on two CPU cores. Compare its mean test error over the seeds with the budgeted
# law's prediction at its size, {glue:text}`mil_law_rmse` bp, and with what it reached on the
# compute of one {glue:text}`large_width`-wide run ({glue:text}`mil_rmse` bp,
# {glue:text}`mil_vs_law` times the law's prediction). A fifth size also gives the
# three-parameter law two degrees of freedom instead of one. This is the point of
# {cite:t}`kaplan2020scaling` and {cite:t}`hoffmann2022training`: parameters, data and
# compute must grow together, and each compute budget has its own best model size.
# ```
#
# ```{exercise}
# :label: scale-ex-converge
# How much does "converged" depend on the threshold? (a) From the committed logs alone
# (`stage_gains` of each run's log in `weights/scale_wW_log.csv`), find where each run would
# have stopped had `STOP_GAIN` been 2% instead of {glue:text}`cv_stop_gain_pct`%, and how much
# higher its best validation error was at that point. Why can the logs not tell you where a
# stricter threshold would have stopped? (b) Why not simply a longer cosine? For the 64-wide
# network call `scaling.surrogate_run(train_full, valid, test, hidden=(64, 64), steps=15_360,
# learning_rate=0.1, patience=PATIENCE, details=True)` for three seeds (eight times the
# budget). How many runs does early stopping end before the budget, can the stage rule judge
# them, and how do their test errors compare with the converged runs'?
# ```
#
# ```{solution} scale-ex-converge
# :class: dropdown
# (a) A run stops at the first stage after at least {glue:text}`cv_min_cuts` cuts whose gain
# {eq}`scale-stage-gain` is below the threshold, so a looser threshold can only stop it at the
# same stage or earlier, and the logs hold all its stages up to where it did stop. With 2%,
# {glue:text}`cvx_n_earlier` of the {glue:text}`cv_n_runs` runs would have stopped earlier, with
# a best validation error up to {glue:text}`cvx_max_rise`% higher than where they did stop.
# A stricter threshold could only make runs go on, through stages that were not run: whether
# one more tenfold cut gains more than 0.5% is known only by running it (set `STOP_GAIN` and
# call `converged_run(width, seed, rate)` with the width's peak rate from the table). (b)
# Expect it to take a minute or two. Check *where* early stopping ended each run: with a
# long cosine the learning rate stays high for thousands of steps, and a noisy validation
# error can go {glue:text}`patience` evaluations without a new best while the rate is still
# high, so a run can be stopped at an error higher than a completed schedule would reach
# (compare its `best step` with the budget). A cosine run is a single stage, so the stage rule
# has nothing to judge; its last-quarter gain (`last_quarter_gain(details["curve"])`) can only
# say whether it was still improving, and the last quarter of a cosine, where the rate falls
# fastest, is often where it gains most. That is why the converged runs decay on a plateau:
# each stage runs for as long as it improves, and a whole stage is the unit of the test.
# Compare the cosine runs' test errors with the converged 64-wide runs'
# ({glue:text}`cv_64_rmse` bp, mean of {glue:text}`cv_64_seeds` seeds) and with the budgeted ones'.
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
