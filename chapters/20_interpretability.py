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
# (interpretability)=
# # Explaining a default model: what the network uses, and whether the explanations agree
#
# A lender who declines an application must say why, and a supervisor who approves a credit
# model must understand what drives it. A neural network does not say why; its reasons must
# be extracted after the fact, by methods that each answer a slightly different question.
# This chapter applies three of them to a network that predicts default on Lending Club
# loans (permutation importance, partial dependence and integrated gradients), sets them
# beside a scorecard whose points *are* its explanation, and asks whether the explanations
# agree, and where they do not, why.

# %% tags=["parameters"]
SEED = 2024  # seeds the split, the first network's weights and the permutations
N_NET_SEEDS = 5  # networks trained from seeds SEED, SEED + 1, ...; the decisions use their ensemble
TEST_SIZE = 0.25  # share of loans held out; every explanation is computed on them
N_REPEATS = 5  # permutations per feature for the permutation importance
IG_STEPS = 64  # integration steps of the integrated gradients
DECLINE_PCT = 5.0  # the network declines its riskiest 5% of test applicants
PD_FEATURES = ("int_rate", "annual_inc", "revol_util")  # features of the partial-dependence plots
ALE_BINS = 20  # equal-count bins of the accumulated local effects
MARGINAL_PCT = 5.0  # reason-code reference: accepted applicants within 5% of the cut-off
FAIR_SEEDS = (0, 1, 2, 3, 4)  # seeds of the German credit network in the fairness section
FAIR_BOOT = 2000  # bootstrap replicates of the fairness intervals
ALPHA = 0.05  # level of every test in the chapter

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
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from IPython.display import display
from myst_nb import glue
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split

from finbook import credit, data, explain, features, inference, metrics, models, plots, repro, training
from finbook import scorecard as sc

repro.set_seed(SEED)
plots.use_book_style()

# %% [markdown]
# ````{admonition} What the article says
# :class: note
# Among the trends it expects (section 1.5), the article names the interpretability of
# models (模型的解释性): as models become more complex, explaining how they reach their
# output becomes more complicated, and more efficient methods of explanation will be needed.
# It then lists interpretability (模型的可解释性) again among the key challenges for large
# AI models in finance. It names no method and shows no explanation of any model.
# ````
#
# Both halves of the claim can be checked on a model of our own: is a network harder to
# explain than the models lenders already use, and do the available methods give a
# consistent answer? We need a model worth explaining, explanations computed out of sample,
# and a model that needs no explaining to compare with.

# %% [markdown]
# ## The data and three models
#
# We use the Lending Club loans of {ref}`default-prediction` (`finbook.data.lending_club()`:
# one row per loan funded in one quarter; `Class` is `bad` for a loan charged off, in default or
# late when the data were collected), with the same stratified split: the
# {glue:text}`test_pct`% test loans are where every explanation is computed. Money amounts
# enter the network and the logistic regression as $\log(1 + x)$.
#
# One variable of that chapter is left out: the borrower's **state of residence**
# (`addr_state`). {ref}`default-prediction` found that it buys no accuracy and acts as a proxy
# for where a borrower lives, which fair-lending supervisors treat as a warning sign (a decline
# "because you live in Nevada" is hard to defend and may stand in for a protected
# characteristic). A model that should not use a variable should not be fitted with it, and
# its decline letters should never name it; so every model below is fitted without the state.

# %%
loans = data.lending_club()
y = features.binary_target(loans["Class"], positive="bad")
X = loans.drop(columns=["Class", "addr_state"])  # the state is a proxy, not a reason (chapter 10)
assert "addr_state" not in X.columns
MONEY = ["funded_amnt", "annual_inc", "total_bal_il", "total_il_high_credit_limit", "delinq_amnt"]
idx_fit, idx_test = train_test_split(np.arange(len(y)), test_size=TEST_SIZE, stratify=y, random_state=SEED)
idx_train, idx_val = train_test_split(idx_fit, test_size=0.2, stratify=y[idx_fit], random_state=SEED)
y_train, y_val, y_test = y[idx_train], y[idx_val], y[idx_test]
X_train, X_test = X.iloc[idx_train], X.iloc[idx_test]
prep = features.tabular_preprocessor(X).fit(credit.log1p_columns(X_train, MONEY))


def encode(frame):
    """Raw applicant rows -> the network's inputs: log money, standardised numbers, one-hot categories."""
    return prep.transform(credit.log1p_columns(frame, MONEY)).astype("float32")


Z_train, Z_val, Z_test = encode(X_train), encode(X.iloc[idx_val]), encode(X_test)
groups = credit.feature_groups(prep)  # the variable each input column comes from
pd.DataFrame({"loans": [len(idx_train), len(idx_val), len(idx_test)],
              "bad": [int(y_train.sum()), int(y_val.sum()), int(y_test.sum())]},
             index=["train", "validation", "test"])

# %% tags=["remove-cell"]
glue("test_pct", round(100 * TEST_SIZE), display=False)
glue("n_test", f"{len(idx_test):,}", display=False)
glue("n_test_bad", int(y_test.sum()), display=False)
glue("n_variables", X.shape[1], display=False)
glue("n_inputs", Z_train.shape[1], display=False)

# %% [markdown]
# The {glue:text}`n_variables` variables become {glue:text}`n_inputs` network inputs after
# one-hot encoding. The test set holds {glue:text}`n_test` loans, of which only
# {glue:text}`n_test_bad` are bad: keep that number in mind, because every out-of-sample
# explanation below is estimated from it.
#
# The three models:
#
# 1. **A network**: two ReLU layers of {glue:text}`net_hidden` units with dropout and weight decay on the
#    one-hot inputs (`finbook.models.mlp`), Adam on mini-batches of 256, early stopping on
#    the validation loans. One training run is one draw of the initial weights, the batches
#    and the dropout masks, so we train {glue:text}`n_net_seeds` networks from different seeds
#    and use their **seed ensemble**, each applicant's probability of default averaged over
#    the networks, as "the network" in everything below: its decisions, its explanations and
#    its verdicts. The single seeds show how much one run moves by chance.
# 2. **Logistic regression** on the same inputs, its L2 penalty chosen by the validation log
#    loss, as in {ref}`default-prediction`.
# 3. **A scorecard** (`finbook.scorecard.ScorecardClassifier`): each variable is cut into bins
#    by optbinning's optimal binning, each bin replaced by its weight of evidence, a logistic
#    regression fitted on those, and the result scaled to points. It sees the raw variables.

# %%
HIDDEN = (32, 16)  # widths of the network's two hidden layers
tf = repro.import_tensorflow()
nets, histories = {}, {}


def fit_network(seed):
    """One network: initial weights, batches and dropout from `seed`; early stopping on validation."""
    repro.set_seed(seed)
    model = models.mlp(Z_train.shape[1], hidden=HIDDEN, dropout=0.2, l2=1e-4)
    model, histories[seed] = training.fit(model, Z_train, y_train, epochs=300, batch_size=256,
                                          validation_data=(Z_val, y_val), patience=15, seed=seed)
    nets[seed] = model
    p = np.asarray(model(Z_test, training=False)).ravel().astype(float)
    return metrics.roc_auc(y_test, p), p  # the seed's test AUC, reported only (nothing is chosen on it)


net_spread = inference.over_seeds(fit_network, range(SEED, SEED + N_NET_SEEDS),
                                  score_predictions=lambda p: metrics.roc_auc(y_test, p))
repro.set_seed(SEED)


def net(z, training=False):
    """The seed ensemble: the networks' probabilities of default, averaged; shape (batch,)."""
    return tf.reduce_mean(tf.concat([m(z, training=training) for m in nets.values()], axis=1), axis=1)


fits = {C: LogisticRegression(C=C, max_iter=5000).fit(Z_train, y_train) for C in (0.01, 0.03, 0.1, 0.3)}
best_C = min(fits, key=lambda C: metrics.log_loss(y_val, fits[C].predict_proba(Z_val)[:, 1]))
logit_model = fits[best_C]
card = sc.ScorecardClassifier().fit(X_train, y_train)

predict = {  # each maps raw applicant rows to a probability of default
    "network": lambda frame: np.asarray(net(encode(frame), training=False)).ravel().astype(float),
    "logistic regression": lambda frame: logit_model.predict_proba(encode(frame))[:, 1],
    "scorecard": lambda frame: card.predict_proba(frame)[:, 1],
}
p_test = {name: f(X_test) for name, f in predict.items()}
quality = credit.model_scorecard(y_test, p_test, n_boot=500, seed=SEED)
# paired bootstrap of the AUC differences on the same test loans
auc_tests = {(a, b): metrics.paired_bootstrap_test(metrics.roc_auc, y_test, p_test[a], p_test[b],
                                                   n_boot=1000, seed=SEED)
             for a, b in [("network", "logistic regression"), ("network", "scorecard"),
                          ("scorecard", "logistic regression")]}
assert abs(net_spread.ensemble_score - quality.loc["network", "ROC AUC"]) < 1e-12
display(net_spread.summary().round(4).rename("network test AUC over seeds").to_frame().transpose())
quality.round(4)

# %% tags=["remove-cell"]
glue("net_epochs", f"{min(len(h['loss']) for h in histories.values())} to "
     f"{max(len(h['loss']) for h in histories.values())}", display=False)
glue("net_hidden", " and ".join(map(str, HIDDEN)), display=False)
glue("n_net_seeds", N_NET_SEEDS, display=False)
glue("net_params", f"{nets[SEED].count_params():,}", display=False)
glue("auc_seed_mean", round(net_spread.mean, 3), display=False)
glue("auc_seed_min", round(net_spread.min, 3), display=False)
glue("auc_seed_max", round(net_spread.max, 3), display=False)
glue("auc_net_vs_lr", inference.verdict(auc_tests[("network", "logistic regression")], better="higher",
                                        names=("the network's seed ensemble", "the logistic regression")),
     display=False)
glue("auc_net_vs_card", inference.verdict(auc_tests[("network", "scorecard")], better="higher",
                                          names=("the network's seed ensemble", "the scorecard")),
     display=False)
glue("auc_card_vs_lr", inference.verdict(auc_tests[("scorecard", "logistic regression")], better="higher",
                                         names=("the scorecard", "the logistic regression")), display=False)
glue("best_C", best_C, display=False)
for name, key in [("network", "net"), ("logistic regression", "lr"), ("scorecard", "card")]:
    glue(f"auc_{key}", round(float(quality.loc[name, "ROC AUC"]), 3), display=False)
    glue(f"auc_{key}_ci", f"{quality.loc[name, 'AUC low']:.3f} to {quality.loc[name, 'AUC high']:.3f}",
         display=False)

# %% [markdown]
# On the test loans the network's seed ensemble ({glue:text}`n_net_seeds` networks of
# {glue:text}`net_params` weights, stopped after {glue:text}`net_epochs` epochs) has a ROC AUC
# of {glue:text}`auc_net` (95% bootstrap interval {glue:text}`auc_net_ci`); the single seeds
# range from {glue:text}`auc_seed_min` to {glue:text}`auc_seed_max` (mean
# {glue:text}`auc_seed_mean`). Logistic regression has {glue:text}`auc_lr`
# ({glue:text}`auc_lr_ci`) and the scorecard {glue:text}`auc_card` ({glue:text}`auc_card_ci`).
# A paired bootstrap of the AUC differences on the same loans: {glue:text}`auc_net_vs_lr`;
# {glue:text}`auc_net_vs_card`; {glue:text}`auc_card_vs_lr`. The intervals are wide because
# only {glue:text}`n_test_bad` test loans are bad, as in {ref}`default-prediction`. The
# question of this chapter is not which is best but what each has learnt.

# %% [markdown]
# ## The article's recipe, and what goes wrong
#
# The article's code trains a network and reports its accuracy; it offers no explanation at
# all. The tempting shortcut is to read the network's weights: an input whose first-layer
# weights are large must matter. The cell ranks the variables of each of the
# {glue:text}`n_net_seeds` networks by the mean absolute first-layer weight of their input
# columns.

# %%
weight_size = pd.DataFrame({  # per network: W1 is (inputs, 32); mean |weight| per variable
    seed: pd.Series(np.abs(m.get_layer("hidden1").get_weights()[0]).mean(axis=1), index=groups)
    .groupby(level=0, sort=False).mean() for seed, m in nets.items()})
weight_rank = weight_size.rank(ascending=False, method="min").astype(int)
naive = pd.DataFrame({"top 3 by mean |first-layer weight|": [
    ", ".join(weight_size[seed].sort_values(ascending=False).index[:3]) for seed in nets],
    "rank of int_rate": weight_rank.loc["int_rate"].to_numpy(),
    "largest / median mean |weight|": (weight_size.max() / weight_size.median()).to_numpy()},
    index=pd.Index(list(nets), name="seed"))
with pd.option_context("display.max_colwidth", None):
    display(naive.round(2))

# %% tags=["remove-cell"]
glue("naive_rate_ranks", ", ".join(str(r) for r in weight_rank.loc["int_rate"]), display=False)
r_first = int(weight_rank.loc["int_rate", SEED])
suffix = "th" if 11 <= r_first % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(r_first % 10, "th")
glue("naive_rate_rank_first", f"{r_first}{suffix}", display=False)
glue("naive_tops", ", ".join(weight_size[s].idxmax() for s in nets), display=False)
glue("naive_ratio_max", round(float((weight_size.max() / weight_size.median()).max()), 2), display=False)

# %% [markdown]
# By this measure the interest rate ranks {glue:text}`naive_rate_ranks` in the five
# networks (in seed order): the network of the first seed, read alone, would put it
# {glue:text}`naive_rate_rank_first`. The networks' top variables are, in the same order,
# {glue:text}`naive_tops`; and in no network is the largest average
# weight more than {glue:text}`naive_ratio_max` times the median variable's: the weights
# barely separate the variables at all. We will see that the network's predictions depend
# on the interest rate more than on anything else. Weights cannot tell us that: an input's
# effect passes through every later layer, can be cancelled by other weights, is switched off
# wherever a ReLU is inactive, and depends on the scale of the input (a one-hot column that is
# 1 for one applicant in a hundred needs a large weight to matter at all). Explanations must
# be computed from what the model *does* on data, not from what its parameters look like.

# %% [markdown]
# ## Permutation importance: what the model needs to rank applicants
#
# {cite:t}`breiman2001random` measured a variable's importance by destroying it: shuffle its
# values across the test rows, which keeps its distribution but breaks its link with the
# outcome and with the other variables, and see how much the model's accuracy falls. With
# the ROC AUC as the measure,
#
# $$
# \text{PI}_j = \text{AUC}\big(y, f(X)\big) - \frac{1}{R}\sum_{r=1}^{R} \text{AUC}\big(y, f(X^{\pi_r, j})\big),
# $$ (xai-permutation)
#
# where $X^{\pi_r, j}$ is the test table with column $j$ permuted by the $r$-th random
# permutation. `explain.permutation_importance` computes {eq}`xai-permutation` for any model
# given as a function of the raw rows, so a categorical variable is shuffled as a whole,
# whatever its one-hot encoding; a variable the model ignores scores exactly 0.

# %%
# tolerance: atol=0.003; the networks' importances move by ~0.001 with other CPU kernels
perm = {name: explain.permutation_importance(f, X_test, y_test, n_repeats=N_REPEATS, seed=SEED)
        for name, f in predict.items()}
perm_table = pd.DataFrame({name: t["importance"] for name, t in perm.items()})
perm_sd = pd.DataFrame({name: t["std"] for name, t in perm.items()})
# the rows shown: the ten variables that matter most to the logistic regression or the scorecard
# (the network's two large importances are among them; its small ones are noise and would
# reorder the list from one run to the next)
top = perm_table[["logistic regression", "scorecard"]].max(axis=1).sort_values(ascending=False).index[:10]
assert {"int_rate", "sub_grade"} <= set(top)
noise = perm_table.drop(index=["int_rate", "sub_grade"])
assert perm_table["network"].idxmax() == "int_rate", perm_table["network"].idxmax()  # the prose says so
perm_table.loc[top].round(4)

# %% tags=["remove-cell"]
# tolerance: atol=0.003, counts=3; the networks' importances move by ~0.001 with other CPU kernels
glue("pi_net_rate", round(float(perm_table.loc["int_rate", "network"]), 3), display=False)
glue("pi_net_grade", round(float(perm_table.loc["sub_grade", "network"]), 3), display=False)
glue("pi_card_grade", round(float(perm_table.loc["sub_grade", "scorecard"]), 3), display=False)
glue("pi_card_rate", round(float(perm_table.loc["int_rate", "scorecard"]), 3), display=False)
glue("pi_lr_rate", round(float(perm_table.loc["int_rate", "logistic regression"]), 3), display=False)
glue("pi_noise_max", round(float(noise.abs().max().max()), 3), display=False)
glue("pi_n_negative", int((perm_table < 0).sum().sum()), display=False)
glue("pi_n_cells", int(perm_table.size), display=False)

# %% mystnb={"figure": {"name": "xai-fig-permutation", "caption": "Permutation importance on the test loans: the fall in ROC AUC when a variable is shuffled, mean and standard deviation over the permutations, for the ten variables that matter most to the logistic regression or the scorecard."}}
fig, ax = plt.subplots(figsize=(8, 4.2))
ypos = np.arange(len(top))
for k, name in enumerate(perm_table.columns):
    ax.barh(ypos + (k - 1) * 0.27, perm_table.loc[top, name], height=0.27, xerr=perm_sd.loc[top, name],
            label=name, capsize=2)
ax.set_yticks(ypos, top)
ax.invert_yaxis()
ax.axvline(0, color="0.3", linewidth=0.8)
ax.set_xlabel("fall in test ROC AUC when the variable is shuffled")
ax.legend()
plt.show()

# %% [markdown]
# Two things stand out in {numref}`xai-fig-permutation`. First, each model leans on one
# variable far more than on all the others, but **not the same one**. Shuffling the
# interest rate costs the network {glue:text}`pi_net_rate` AUC points and the logistic
# regression {glue:text}`pi_lr_rate`, while shuffling the sub-grade costs the network only
# {glue:text}`pi_net_grade`. The scorecard is the other way round: the sub-grade costs it
# {glue:text}`pi_card_grade`, the interest rate {glue:text}`pi_card_rate`. Second, beyond
# those two the importances are small and noisy: every other value lies within
# {glue:text}`pi_noise_max` of zero and {glue:text}`pi_n_negative` of the
# {glue:text}`pi_n_cells` values are *negative* (the model did slightly better with the
# variable scrambled), which can only be chance. With {glue:text}`n_test_bad` bad loans the
# AUC itself has a standard error of about two hundredths; an importance of a few
# thousandths is not a finding.
#
# Why would models that agree on almost every prediction disagree about their most important
# variable? Because the two variables say the same thing. Lending Club set each loan's rate
# from its sub-grade:

# %%
grade_code = X["sub_grade"].cat.codes  # A1 = 0, A2 = 1, ..., G5 = 34
rho_grade_rate = stats.spearmanr(grade_code, X["int_rate"]).statistic
joint = {name: explain.permutation_importance(
    f, X_test, y_test, columns={"sub_grade": ["sub_grade"], "int_rate": ["int_rate"],
                                "sub_grade and int_rate together": ["sub_grade", "int_rate"]},
    n_repeats=N_REPEATS, seed=SEED)["importance"] for name, f in predict.items()}
joint = pd.DataFrame(joint).loc[["sub_grade", "int_rate", "sub_grade and int_rate together"]]
together = joint.loc["sub_grade and int_rate together"]
joint.round(4)

# %% tags=["remove-cell"]
glue("rho_grade_rate", round(float(rho_grade_rate), 3), display=False)
glue("pi_joint_net", round(float(joint.loc["sub_grade and int_rate together", "network"]), 3), display=False)
glue("pi_joint_card", round(float(joint.loc["sub_grade and int_rate together", "scorecard"]), 3),
     display=False)
glue("pi_joint_min", round(float(together.min()), 3), display=False)
glue("pi_joint_min_model", str(together.idxmin()), display=False)
glue("pi_single_max", round(float(joint.loc[["sub_grade", "int_rate"]].to_numpy().max()), 3), display=False)

# %% [markdown]
# The rank correlation between sub-grade and rate is {glue:text}`rho_grade_rate`. A model
# can use either, or any mix of the two, and predict almost equally well; which one it uses
# is an accident of its fitting (the network and the regression saw a smooth number, the
# scorecard two binned variables). Shuffling one removes whatever the model happened to put
# on that one; shuffling **both together** costs the network {glue:text}`pi_joint_net` AUC
# points and the scorecard {glue:text}`pi_joint_card`, and the smallest joint drop of the
# three models is {glue:text}`pi_joint_min` (the {glue:text}`pi_joint_min_model`). The
# largest drop from shuffling one of the two alone, in any model, is
# {glue:text}`pi_single_max`: the joint rows of the table are to be read per model. Permutation importance of correlated variables answers "what
# does *this* model need", not "what matters for default", and it also evaluates the model on
# impossible applicants (an A1 loan at a G5 rate), a weakness that
# {cite:t}`hooker2021unrestricted` document in detail. Grouping correlated variables, as here,
# is the simplest remedy.

# %% [markdown]
# ## Partial dependence: how the prediction responds to one variable
#
# {cite:t}`friedman2001greedy` proposed to look at a model through its **partial
# dependence** on a variable $x_j$: the average prediction when $x_j$ is set to a value $v$
# for every applicant and everything else is left as it is,
#
# $$
# \text{PD}_j(v) = \frac{1}{n}\sum_{i=1}^{n} f\big(v, x_{i,-j}\big).
# $$ (xai-pd)
#
# `explain.partial_dependence` evaluates {eq}`xai-pd` on a grid of quantiles of the variable
# (1% to 99%), using the test applicants, for any model.
#
# Partial dependence moves every applicant to every value of $x_j$, including values no
# applicant like them has. {cite:t}`apley2020visualizing` proposed **accumulated local
# effects** (ALE), which only ever move an applicant a short step. Cut the range of $x_j$ at
# quantiles $z_0 < z_1 < \dots < z_K$; for the applicants whose $x_j$ lies in bin $k$, average
# the change in prediction when $x_j$ goes from the bin's lower edge to its upper edge, and add
# these average steps up:
#
# $$
# \text{ALE}_j(z_k) = \sum_{m=1}^{k} \frac{1}{n_m} \sum_{i:\, x_{i,j} \in (z_{m-1}, z_m]}
#   \Big[f\big(z_m, x_{i,-j}\big) - f\big(z_{m-1}, x_{i,-j}\big)\Big] - c,
# $$ (xai-ale)
#
# with $c$ chosen so that the effect averages to zero over the applicants. Each difference is
# taken among applicants who really have $x_j$ near $z_m$, so their other variables (their
# grade, say) stay realistic. For a model that is additive in $x_j$ the two curves have the
# same shape; where they differ, PD is reading the model off the data.
# `explain.accumulated_local_effects` computes {eq}`xai-ale` with {glue:text}`ale_bins`
# equal-count bins over the same 1% to 99% range. To draw it on PD's scale we add the
# model's average prediction to the centred effect.

# %%
pdp = {feat: pd.DataFrame({name: explain.partial_dependence(f, X_test, feat, n_grid=15)
                           for name, f in predict.items()}) for feat in PD_FEATURES}
rate_pd = pdp["int_rate"]
ale = {feat: pd.DataFrame({name: explain.accumulated_local_effects(f, X_test, feat, n_bins=ALE_BINS,
                                                                    quantile_range=(0.01, 0.99))
                            + p_test[name].mean() for name, f in predict.items()}) for feat in PD_FEATURES}


def shape(curve, flat=0.002):
    """A curve's course in words: 'is flat' (range under `flat`), 'rises', 'falls',
    'rises then falls' or 'falls then rises' (an interior extreme beyond both ends by a
    fifth of the range)."""
    v = np.asarray(curve, dtype=float)
    spread = v.max() - v.min()
    if spread < flat:
        return "is flat"
    if v.max() - max(v[0], v[-1]) > 0.2 * spread:
        return "rises then falls"
    if min(v[0], v[-1]) - v.min() > 0.2 * spread:
        return "falls then rises"
    return "rises" if v[-1] > v[0] else "falls"


shapes = pd.DataFrame({(feat, kind): {name: shape(curves[feat][name]) for name in predict}
                       for feat in PD_FEATURES for kind, curves in (("PD", pdp), ("ALE", ale))})
n_same_shape = int(sum(shapes.loc[name, (feat, "PD")] == shapes.loc[name, (feat, "ALE")]
                       for name in predict for feat in PD_FEATURES))
shapes

# %% tags=["remove-cell"]
for name, key in [("network", "net"), ("logistic regression", "lr"), ("scorecard", "card")]:
    glue(f"pd_rate_{key}_lo", round(100 * float(rate_pd[name].iloc[0]), 1), display=False)
    glue(f"pd_rate_{key}_hi", round(100 * float(rate_pd[name].iloc[-1]), 1), display=False)
for feat, fkey in [("annual_inc", "inc"), ("revol_util", "util")]:
    for name, key in [("network", "net"), ("logistic regression", "lr"), ("scorecard", "card")]:
        for kind, curves in (("PD", pdp), ("ALE", ale)):
            glue(f"{kind.lower()}_{fkey}_{key}_shape", shapes.loc[name, (feat, kind)], display=False)
            glue(f"{kind.lower()}_{fkey}_{key}_lo", round(100 * float(curves[feat][name].iloc[0]), 1),
                 display=False)
            glue(f"{kind.lower()}_{fkey}_{key}_hi", round(100 * float(curves[feat][name].iloc[-1]), 1),
                 display=False)
glue("pd_rate_lo", f"{rate_pd.index[0]:.1f}", display=False)
glue("pd_rate_hi", f"{rate_pd.index[-1]:.1f}", display=False)
glue("ale_bins", ALE_BINS, display=False)
glue("pd_inc_lo", f"{pdp['annual_inc'].index[0]:,.0f}", display=False)
glue("pd_inc_hi", f"{pdp['annual_inc'].index[-1]:,.0f}", display=False)
glue("ale_rate_net_hi", round(100 * float(ale["int_rate"]["network"].iloc[-1]), 1), display=False)
glue("ale_rate_card_hi", round(100 * float(ale["int_rate"]["scorecard"].iloc[-1]), 1), display=False)
glue("n_same_shape", n_same_shape, display=False)
glue("n_shapes", len(predict) * len(PD_FEATURES), display=False)

# %% mystnb={"figure": {"name": "xai-fig-pd", "caption": "Partial dependence (top) and accumulated local effects (bottom, centred effect plus the model's average prediction) of the predicted probability of default on three variables, for the three models, over the 1st to 99th percentile of each variable among the test loans. Ticks on the horizontal axis mark the deciles of the variable."}}
fig, axes = plt.subplots(2, len(PD_FEATURES), figsize=(12, 6.6), sharex="col")
units = {"int_rate": "interest rate (% a year)", "annual_inc": "annual income (US$)",
         "revol_util": "revolving utilisation (%)"}
for row, (kind, curves) in enumerate([("partial dependence", pdp), ("accumulated local effects", ale)]):
    for ax, feat in zip(axes[row], PD_FEATURES, strict=True):
        for name in curves[feat].columns:
            ax.plot(curves[feat].index, 100 * curves[feat][name], marker=".", label=name)
        ax.plot(np.quantile(X_test[feat], np.linspace(0.1, 0.9, 9)), np.full(9, ax.get_ylim()[0]), "|",
                color="0.4", markersize=10)
        ax.set(ylabel=f"{kind}:\npredicted PD (%)" if feat == PD_FEATURES[0] else "")
        if row == 1:
            ax.set_xlabel(units.get(feat, feat))
if "annual_inc" in PD_FEATURES:
    ax_inc = axes[1, list(PD_FEATURES).index("annual_inc")]
    ax_inc.set_xscale("log")
    ax_inc.xaxis.set_major_locator(mticker.FixedLocator([20_000, 50_000, 100_000, 200_000]))
    ax_inc.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v / 1000:.0f}k"))
    ax_inc.xaxis.set_minor_formatter(mticker.NullFormatter())
axes[0, 0].legend()
plt.show()

# %% [markdown]
# On the interest rate ({numref}`xai-fig-pd`, left) the network and the logistic regression
# agree: the average predicted probability of default climbs from about
# {glue:text}`pd_rate_net_lo`% at a rate of {glue:text}`pd_rate_lo`% to
# {glue:text}`pd_rate_net_hi`% (network) and {glue:text}`pd_rate_lr_hi`% (regression) at
# {glue:text}`pd_rate_hi`%. The scorecard's curve is a staircase, one step per bin, and much
# flatter ({glue:text}`pd_rate_card_lo`% to {glue:text}`pd_rate_card_hi`%): it carries the
# same information in the sub-grade instead. Partial dependence, like permutation, moves one
# variable while the correlated one stays put, so the top curves show each model's
# *extrapolation* to a {glue:text}`pd_rate_hi`% loan that kept its A-grade, which no such loan has.
# The accumulated local effects (bottom) only move each loan across its own narrow bin of
# rates, among loans of matching grades; at the top of the range they put the network at
# {glue:text}`ale_rate_net_hi`% and the scorecard at {glue:text}`ale_rate_card_hi`%.
#
# Income (centre column) is where the words must follow the curves, and the table above
# says what each curve does. Between incomes of US$ {glue:text}`pd_inc_lo` and
# {glue:text}`pd_inc_hi`, the scorecard's partial dependence {glue:text}`pd_inc_card_shape`
# (from {glue:text}`pd_inc_card_lo`% to {glue:text}`pd_inc_card_hi`%), the logistic
# regression's {glue:text}`pd_inc_lr_shape` ({glue:text}`pd_inc_lr_lo`% to
# {glue:text}`pd_inc_lr_hi`%) and the network's {glue:text}`pd_inc_net_shape`
# ({glue:text}`pd_inc_net_lo`% to {glue:text}`pd_inc_net_hi`%). Their accumulated local
# effects: the scorecard's {glue:text}`ale_inc_card_shape`, the regression's
# {glue:text}`ale_inc_lr_shape`, the network's {glue:text}`ale_inc_net_shape`
# ({glue:text}`ale_inc_net_lo`% to {glue:text}`ale_inc_net_hi`%). The scorecard's bins follow
# the one-variable relationship in the training data; the network and the regression see
# income *together with* the rate and the grade, so their curves answer a partial question
# ("at the same grade and rate, are richer borrowers safer?") rather than the marginal one
# ("are richer borrowers safer?"). Where a partial curve rises, a plausible reading is that a
# high earner who was nevertheless given a high rate has a weaker file in respects that the
# grade saw and our data do not (the credit score, the debt-to-income ratio). Revolving
# utilisation (right): the scorecard's PD {glue:text}`pd_util_card_shape`, the regression's
# {glue:text}`pd_util_lr_shape` and the network's {glue:text}`pd_util_net_shape`. Across the
# {glue:text}`n_shapes` model-variable pairs, PD and ALE describe the same course in
# {glue:text}`n_same_shape`. An explanation sent to an applicant must pick one reading, and an
# applicant told that a high income counted against them will not understand the difference.

# %% [markdown]
# ## Integrated gradients: why this applicant?
#
# Global summaries do not explain a single decision. For that we need an **attribution**:
# the network's output for applicant $x$ split among its inputs, relative to a reference
# applicant $x'$. {cite:t}`sundararajan2017axiomatic` derived **integrated gradients** from
# a few axioms that such a split should satisfy: integrate the gradient along the straight
# line from $x'$ to $x$,
#
# $$
# \text{IG}_j(x) = (x_j - x'_j) \int_0^1
#   \frac{\partial f\big(x' + \alpha (x - x')\big)}{\partial x_j}\, d\alpha .
# $$ (xai-ig)
#
# Its key property is **completeness**: the attributions add up exactly to the difference
# of outputs, $\sum_j \text{IG}_j(x) = f(x) - f(x')$. We take $f$ to be the network's
# **log-odds** of default (the scale of logistic regression and of scorecard points) and
# $x'$ the average training applicant. `explain.integrated_gradients` computes
# {eq}`xai-ig` with TensorFlow's `GradientTape` and the trapezoidal rule; the attributions
# of the one-hot columns of a variable are then added up (`explain.group_columns`), which
# keeps completeness.
#
# Two checks come first. For a model that is linear in its inputs the gradient is constant
# and {eq}`xai-ig` reduces to $(x_j - x'_j)\,\beta_j$, exactly the decline-reason
# contributions of {ref}`default-prediction`. We copy the logistic regression's coefficients
# into a one-layer Keras model and compare. Then, for the network, we measure how far the
# numerical integral is from completeness as the number of steps grows.

# %%
baseline = Z_train.mean(axis=0)  # the average training applicant
linear = models.mlp(Z_train.shape[1], hidden=())  # one sigmoid unit: logistic regression in Keras
linear.set_weights([logit_model.coef_.T.astype("float32"), logit_model.intercept_.astype("float32")])
ig_linear = explain.integrated_gradients(linear, Z_test, baseline, steps=4, output="logit")
by_hand = (Z_test - baseline) * logit_model.coef_[0]

# %% tags=["remove-cell"]
glue("ig_linear_err", f"{np.abs(ig_linear.values - by_hand).max():.0e}", display=False)

# %%
convergence = {}
for steps in (8, IG_STEPS, 8 * IG_STEPS):
    att = explain.integrated_gradients(net, Z_test, baseline, steps=steps, output="logit")
    convergence[steps] = {"max |gap| (log-odds)": np.abs(att.gap).max(),
                          "mean |gap|": np.abs(att.gap).mean(),
                          "mean |f(x) - f(x')|": np.abs(att.prediction - att.baseline_prediction).mean()}
    if steps == IG_STEPS:
        ig = explain.group_columns(att.values, prep.get_feature_names_out(), groups)
        ig.index = X_test.index
        rel_gap = np.abs(att.gap) / np.maximum(np.abs(att.prediction - att.baseline_prediction), 1e-12)
convergence = pd.DataFrame(convergence).T.rename_axis("integration steps")
# Reported by Sundararajan et al. (2017): quoted, not computed here.
IG_PAPER = {"min steps": 20, "max steps": 300, "tolerance (%)": 5}
convergence.round(5)

# %% tags=["remove-cell"]
glue("ig_paper_min", IG_PAPER["min steps"], display=False)
glue("ig_paper_max", IG_PAPER["max steps"], display=False)
glue("ig_paper_tol", IG_PAPER["tolerance (%)"], display=False)
glue("ig_within_pct", round(100 * float(np.mean(rel_gap <= IG_PAPER["tolerance (%)"] / 100)), 1),
     display=False)
glue("ig_gap_max", f"{convergence.loc[IG_STEPS, 'max |gap| (log-odds)']:.4f}", display=False)
glue("ig_gap_fine", f"{convergence.loc[8 * IG_STEPS, 'max |gap| (log-odds)']:.4f}", display=False)
glue("ig_mean_diff", round(float(convergence.loc[IG_STEPS, "mean |f(x) - f(x')|"]), 3), display=False)
glue("ig_steps", IG_STEPS, display=False)

# %% [markdown]
# For the linear model, integrated gradients and the hand formula agree to
# {glue:text}`ig_linear_err` (float32 rounding). For the network, the integral is not exact:
# a ReLU network is piecewise linear along the path, and the trapezoidal rule errs at every
# kink it steps over. With {glue:text}`ig_steps` steps the worst applicant's attributions
# miss completeness by {glue:text}`ig_gap_max` in log-odds, against a typical difference
# $|f(x) - f(x')|$ of {glue:text}`ig_mean_diff`; eight times the steps bring it to
# {glue:text}`ig_gap_fine`. This is the first sense in which the network is "harder to
# explain": its explanation is a numerical approximation with its own error to control,
# where the regression's is an identity.

# %%
summary = pd.DataFrame({
    "network: permutation": perm_table["network"],
    "network: mean |IG|": ig.abs().mean(),
    "logistic: permutation": perm_table["logistic regression"],
    "logistic: mean |contribution|": explain.group_columns(by_hand, prep.get_feature_names_out(),
                                                           groups).abs().mean(),
    "scorecard: permutation": perm_table["scorecard"],
    "scorecard: spread of points": (lambda pts: (pts - pts.mean()).abs().mean())(
        explain.scorecard_points(card, X_test)),
    "scorecard: information value": card.scorecard_.binning_process_.summary().set_index("name")["iv"],
}).reindex(perm_table.index).astype(float).fillna(0.0)
ig_rank = summary["network: mean |IG|"].sort_values(ascending=False)
# the variable that moves the network's output most relative to what it does for its ranking
rank_gap = (summary["network: permutation"].rank(ascending=False)
            - summary["network: mean |IG|"].rank(ascending=False)).loc[ig_rank.index[:8]]
moved = str(rank_gap.idxmax())
summary.loc[ig_rank.index[:8]].round(4)

# %% tags=["remove-cell"]
glue("ig_top", ", ".join(ig_rank.index[:3]), display=False)
glue("ig_moved", moved, display=False)
glue("ig_moved_rank", int(ig_rank.index.get_loc(moved)) + 1, display=False)
glue("pi_moved_rank", int(summary["network: permutation"].rank(ascending=False, method="min")[moved]),
     display=False)
glue("pi_moved_net", round(float(perm_table.loc[moved, "network"]), 4), display=False)

# %% [markdown]
# Averaged over the test applicants, the largest attributions (mean absolute IG, in
# log-odds) go to {glue:text}`ig_top`. Among the eight largest, the one whose two rankings
# differ most is {glue:text}`ig_moved`: it ranks {glue:text}`ig_moved_rank` by attribution
# but {glue:text}`pi_moved_rank` by permutation importance (shuffling it changes the network's
# AUC by {glue:text}`pi_moved_net`). Attribution and permutation measure different things: the
# network's output moves with the variable, but those movements help it little to rank
# applicants out of sample. An attribution explains the model, noise included; it does not
# certify that what the model uses is real.
#
# Nor is it certain that another training run would give the same explanation. The
# attributions above are those of the seed ensemble; the cell below computes each single
# network's mean |IG| (from the same baseline, with the same steps) and the Spearman rank
# correlation of these variable rankings between every pair of seeds.

# %%
seed_ig = pd.DataFrame({seed: explain.group_columns(
    explain.integrated_gradients(m, Z_test, baseline, steps=IG_STEPS, output="logit").values,
    prep.get_feature_names_out(), groups).abs().mean() for seed, m in nets.items()})
seed_rho = seed_ig.corr(method="spearman").to_numpy()[np.triu_indices(len(nets), 1)]
seed_top = seed_ig.idxmax()  # each seed's variable with the largest mean |IG|
ig_vs_seeds = seed_ig.corrwith(ig.abs().mean(), method="spearman")
pd.DataFrame({"top variable": seed_top, "Spearman with the ensemble's ranking": ig_vs_seeds.round(3),
              **{f"mean |IG|, {v}": seed_ig.loc[v].round(3) for v in ig_rank.index[:3]}}).rename_axis("seed")

# %% tags=["remove-cell"]
glue("seed_rho_min", round(float(seed_rho.min()), 2), display=False)
glue("seed_rho_max", round(float(seed_rho.max()), 2), display=False)
glue("seed_rho_mean", round(float(seed_rho.mean()), 2), display=False)
glue("seed_n_pairs", len(seed_rho), display=False)
glue("seed_top_count", int((seed_top == ig_rank.index[0]).sum()), display=False)
glue("ig_first", str(ig_rank.index[0]), display=False)

# %% [markdown]
# Between the {glue:text}`seed_n_pairs` pairs of seeds, the rank correlation of the
# attribution rankings runs from {glue:text}`seed_rho_min` to {glue:text}`seed_rho_max`
# (mean {glue:text}`seed_rho_mean`), and {glue:text}`seed_top_count` of the
# {glue:text}`n_net_seeds` networks put {glue:text}`ig_first`, the ensemble's first
# variable, first. The top of the ranking is what the networks learn from the data; the
# order of the many small attributions below it is partly the luck of one training run, a
# reason to explain an ensemble (or to report the spread) rather than one network.

# %% [markdown]
# ## A scorecard: interpretable by construction
#
# The scorecard needs no explanation method: its points are the explanation. Each applicant
# starts from nothing and collects, for every variable, the points of the bin they fall in;
# the total is on a scale where {glue:text}`card_pdo` more points double the odds of repaying
# ({ref}`credit-risk` builds the scale). Here are two of its variables:

# %%
points = card.points_table()
points[points["variable"].isin(["int_rate", "revol_util"])]

# %% tags=["remove-cell"]
glue("card_n_bins", len(points), display=False)
glue("card_n_grade_bins", int((points["variable"] == "sub_grade").sum()), display=False)
glue("card_pdo", round(card.pdo), display=False)
glue("n_subgrades", X["sub_grade"].nunique(), display=False)

# %% [markdown]
# The whole model is {glue:text}`card_n_bins` rows like these (the {glue:text}`n_subgrades` sub-grades, for
# instance, are grouped into {glue:text}`card_n_grade_bins` bins by their observed bad rate).
# A credit officer can read every decision, check every bin against experience, and see the
# staircases of {numref}`xai-fig-pd` in the points: more points, and so lower risk, for a
# lower rate and a lower utilisation. The price is rigidity: the effect of each variable is a staircase fixed by the
# binning, with no interactions. {cite:t}`rudin2019stop` argues that for high-stakes
# decisions such a model should be preferred whenever it is about as accurate as the black
# box, rather than explaining the black box after the fact; here the scorecard's AUC is
# {glue:text}`auc_card` against the logistic regression's {glue:text}`auc_lr`: on the paired
# bootstrap, {glue:text}`auc_card_vs_lr`. Whether a gap of that size is worth the
# transparency is the lender's choice, not a technical one.

# %% [markdown]
# ## Do the explanations agree?
#
# We now have seven rankings of the {glue:text}`n_variables` variables, from three models
# and three kinds of measure: permutation importance (what the model needs for its
# out-of-sample ranking), average attribution size (how much the output moves with the
# variable: mean |IG| for the network, mean |contribution| for the regression, the spread of
# points for the scorecard) and the information value (the univariate strength of each
# variable in the training data, computed by the scorecard's binning before any model is
# fitted: a property of the data, not an explanation of a model). `explain.rank_agreement` computes the rank correlation
# between every pair: Spearman's $\rho$ below the diagonal of
# {numref}`xai-fig-agreement`, Kendall's $\tau$ above it.

# %%
# tolerance: atol=0.04; rank correlations over 21 variables, most with importances near noise level
spearman = explain.rank_agreement(summary, "spearman")
kendall = explain.rank_agreement(summary, "kendall")
pairs = {
    "same model (network), permutation vs IG": ("network: permutation", "network: mean |IG|"),
    "same method (permutation), network vs logistic": ("network: permutation", "logistic: permutation"),
    "same method (attribution), network vs scorecard": ("network: mean |IG|", "scorecard: spread of points"),
    "network IG vs information value (data, not a model)": ("network: mean |IG|",
                                                            "scorecard: information value"),
}
agreement = pd.DataFrame({"Spearman": {k: spearman.loc[a, b] for k, (a, b) in pairs.items()},
                          "Kendall": {k: kendall.loc[a, b] for k, (a, b) in pairs.items()}})
agreement.round(2)

# %% tags=["remove-cell"]
# tolerance: atol=0.04; rank correlations over 21 variables, most with importances near noise level
for key, (a, b) in zip(["same_model", "same_perm", "same_attr", "ig_iv"], pairs.values(), strict=True):
    glue(f"rho_{key}", round(float(spearman.loc[a, b]), 2), display=False)
    glue(f"tau_{key}", round(float(kendall.loc[a, b]), 2), display=False)

# %% mystnb={"figure": {"name": "xai-fig-agreement", "caption": "Agreement between seven importance rankings of the Lending Club variables: Spearman's rank correlation below the diagonal, Kendall's tau above it. 1 means the same order, 0 no relation."}}
both = np.tril(spearman.to_numpy(), -1) + np.triu(kendall.to_numpy(), 1) + np.eye(len(spearman))
fig, ax = plt.subplots(figsize=(7.5, 6))
image = ax.imshow(both, cmap="RdBu", vmin=-1, vmax=1)
ax.set_xticks(range(len(spearman)), spearman.columns, rotation=40, ha="right")
ax.set_yticks(range(len(spearman)), spearman.index)
for i in range(len(spearman)):
    for j in range(len(spearman)):
        ax.text(j, i, f"{both[i, j]:.2f}", ha="center", va="center", fontsize=8,
                color="white" if abs(both[i, j]) > 0.6 else "black")
ax.grid(False)
fig.colorbar(image, ax=ax, shrink=0.8, label="rank correlation")
plt.show()

# %% [markdown]
# The matrix has structure. Rankings of the **same kind** agree moderately: permutation
# importance of the network and of the regression has $\rho$ = {glue:text}`rho_same_perm`
# ($\tau$ = {glue:text}`tau_same_perm`); the network's attributions and the scorecard's
# spread of points, {glue:text}`rho_same_attr`. The information value is not a ranking of
# that kind at all: it describes the *data* (how well each variable separates good from bad
# loans on its own, before any model is fitted), not what any model does with the variable,
# so its correlation with the network's attributions ({glue:text}`rho_ig_iv`) measures how
# far the network leans on the variables that are strong on their own, not whether two
# explanations of one model agree. Rankings of **different kinds** barely agree,
# even for the same model: the network's permutation importance and its own integrated
# gradients have $\rho$ = {glue:text}`rho_same_model` ($\tau$ = {glue:text}`tau_same_model`).
# Three reasons, all seen above:
#
# 1. **They measure different things.** Attribution measures how much the output moves;
#    permutation importance how much the out-of-sample ranking suffers. A variable can move
#    the output a lot and help the ranking little ({glue:text}`ig_moved` above).
# 2. **Correlated variables share credit arbitrarily.** Sub-grade and rate carry the same
#    information; each model puts its weight on one of them, and every single-variable
#    method follows the model's choice.
# 3. **The data are small.** With {glue:text}`n_test_bad` bad test loans, everything beyond
#    the top two or three variables is estimated with noise as large as the estimates, and
#    rank correlations over noise are noise.
#
# Kendall's $\tau$ is smaller than Spearman's $\rho$ throughout, as it usually is for the same
# data (it counts discordant pairs rather than squared rank differences), but it tells the
# same story.

# %% [markdown]
# ## Reasons for a decline, two ways
#
# In the United States a lender who declines an application must state the specific
# principal reasons {cite}`cfpb2011regulationb`. A reason is always a comparison: the
# applicant's value of a variable *against some reference applicant*, so the reference must be
# chosen and stated. Regulation B's official commentary on credit scoring systems (comment
# 9(b)(2)-5 in its Supplement I) describes two acceptable ways to pick the reasons: the
# factors on which the applicant's score fell furthest below the average score on that factor
# of the applicants whose total score was **at or slightly above the minimum passing score**,
# or furthest below the average of **all applicants**; any method with substantially similar
# results is acceptable too, and the reasons must relate to factors the system actually
# scores. We take the first, since it speaks to the question a declined applicant asks (what
# separates me from someone who was just approved?).
#
# The lender declines the riskiest {glue:text}`decline_pct`% by the network's probability of
# default, the cut-off being set on the **validation** loans, not the test loans. The
# reference group is the validation applicants who were just accepted: the
# {glue:text}`marginal_pct`% of applicants ranked immediately below the cut-off
# ({glue:text}`n_marginal` loans). For the network, the reasons are the variables with the
# largest **positive** integrated gradients from the average input of that group to the
# applicant (for a linear model this is exactly "the applicant's contribution minus the
# group's average contribution", the commentary's rule). For the scorecard, each
# variable's reason strength is the points the applicant **lost** against the group's
# average points on that variable, the group being chosen the same way on the scorecard's own
# score. `finbook.credit.reason_codes` picks the top four either way.

# %%
p_val = {name: f(X.iloc[idx_val]) for name, f in predict.items()}
cutoff = float(np.quantile(p_val["network"], 1 - DECLINE_PCT / 100))  # chosen on validation loans
near = float(np.quantile(p_val["network"], 1 - (DECLINE_PCT + MARGINAL_PCT) / 100))
marginal = (p_val["network"] >= near) & (p_val["network"] < cutoff)  # just accepted
declined = np.flatnonzero(p_test["network"] >= cutoff)
reference = Z_val[marginal].mean(axis=0)  # the average just-accepted applicant, in the network's inputs
att_declined = explain.integrated_gradients(net, Z_test[declined], reference, steps=IG_STEPS, output="logit")
ig_reasons = explain.group_columns(att_declined.values, prep.get_feature_names_out(), groups)
ig_reasons.index = X_test.index[declined]
# scorecard: the same rule on its own score (higher points = safer)
points_val = card.points(X.iloc[idx_val])
card_cut = float(np.quantile(points_val, DECLINE_PCT / 100))
card_near = float(np.quantile(points_val, (DECLINE_PCT + MARGINAL_PCT) / 100))
card_marginal = (points_val >= card_cut) & (points_val < card_near)
card_reference = explain.scorecard_points(card, X.iloc[idx_val]).loc[card_marginal].mean()
shortfall = card_reference - explain.scorecard_points(card, X_test)  # points lost against the reference
reasons = {"network (integrated gradients)": credit.reason_codes(ig_reasons, top=4),
           "scorecard (points below the reference)": credit.reason_codes(shortfall.iloc[declined], top=4)}
# the best-bin convention, for comparison: how often does the reference change the first reason?
best_bin = credit.reason_codes(explain.scorecard_points(card, X_test, relative_to="maximum").iloc[declined],
                               top=4)
# completeness, within the integration error measured above for the same number of steps
assert np.abs(att_declined.gap).max() < 0.1, np.abs(att_declined.gap).max()
first_reason = pd.DataFrame({name: r["reason 1"].value_counts(normalize=True) for name, r in reasons.items()}
                            ).fillna(0.0).sort_values(list(reasons)[0], ascending=False)
overlap = np.mean([len(set(a) & set(b)) / 4 for a, b in zip(
    reasons["network (integrated gradients)"].to_numpy().tolist(),
    reasons["scorecard (points below the reference)"].to_numpy().tolist(), strict=True)])
same_first = float(np.mean(reasons["network (integrated gradients)"]["reason 1"].to_numpy()
                           == reasons["scorecard (points below the reference)"]["reason 1"].to_numpy()))
first_reason.head(6).round(3)

# %% tags=["remove-cell"]
glue("marginal_pct", MARGINAL_PCT, display=False)
glue("n_marginal", int(marginal.sum()), display=False)
glue("best_bin_changed_pct", round(100 * float(np.mean(
    best_bin["reason 1"].to_numpy() != reasons["scorecard (points below the reference)"]["reason 1"].to_numpy()))),
     display=False)
glue("decline_pct", DECLINE_PCT, display=False)
glue("n_declined", len(declined), display=False)
glue("reason_overlap", round(100 * float(overlap)), display=False)
glue("same_first_pct", round(100 * same_first), display=False)
glue("net_first", str(first_reason.index[0]), display=False)
glue("net_first_pct", round(100 * float(first_reason.iloc[0, 0])), display=False)
glue("card_first", str(first_reason.iloc[:, 1].idxmax()), display=False)
glue("card_first_pct", round(100 * float(first_reason.iloc[:, 1].max())), display=False)


# %% [markdown]
# Of the {glue:text}`n_declined` declined applicants, the network gives
# {glue:text}`net_first` as the first reason for {glue:text}`net_first_pct`%; the scorecard's
# most common first reason is {glue:text}`card_first` ({glue:text}`card_first_pct`%). The two
# methods name the same first reason for {glue:text}`same_first_pct`% of the declines, and on
# average {glue:text}`reason_overlap`% of their four reasons coincide. The reference matters:
# with the common industry shortcut of measuring each variable's shortfall from its *best*
# bin instead of from the just-accepted applicants, the scorecard's first reason changes for
# {glue:text}`best_bin_changed_pct`% of these applicants. Here are two of the
# declined applicants, with each method's four reasons in plain words and the applicant's own
# values:

# %%
def reason_text(codes, rows):
    """Reason codes -> 'plain-language reason: the applicant's value', one column per method."""
    return [[f"{credit.LENDING_CLUB_REASONS[f]}: {credit.lending_club_value_text(f, X_test.iloc[i][f])}"
             if f else "" for f in row] for i, row in zip(rows, codes.to_numpy().tolist(), strict=True)]


examples = declined[:2]
letters = {}
for k, i in enumerate(examples, 1):
    pos = np.flatnonzero(declined == i)[0]
    letters[f"applicant {k}"] = pd.DataFrame(
        {name: reason_text(r.iloc[[pos]], [i])[0] for name, r in reasons.items()},
        index=[f"reason {j}" for j in range(1, 5)])
for k, i in enumerate(examples, 1):
    print(f"applicant {k}: network PD {100 * p_test['network'][i]:.1f}%, sub-grade "
          f"{X_test.iloc[i]['sub_grade']}, scorecard {card.points(X_test.iloc[[i]])[0]:.1f} points")
    with pd.option_context("display.max_colwidth", None):  # show each reason in full
        display(letters[f"applicant {k}"])

# %% tags=["remove-cell"]
for k, i in enumerate(examples, 1):
    glue(f"ex{k}_pd", round(100 * float(p_test["network"][i]), 1), display=False)
    glue(f"ex{k}_grade", str(X_test.iloc[i]["sub_grade"]), display=False)
    glue(f"ex{k}_points", round(float(card.points(X_test.iloc[[i]])[0]), 1), display=False)

# %% [markdown]
# Applicant 1 (network PD {glue:text}`ex1_pd`%, grade {glue:text}`ex1_grade`, scorecard
# {glue:text}`ex1_points` points) and applicant 2 (PD {glue:text}`ex2_pd`%, grade
# {glue:text}`ex2_grade`, {glue:text}`ex2_points` points) would receive different letters
# depending on which model the lender ran, although both models agree that they are risky.
# Where the letters differ, it is largely because the models keep the same information in
# different variables (the rate and the grade, as above). Neither letter is wrong about its
# own model, and a letter naming the grade or the rate would leave the applicant little wiser,
# since both are the lender's own verdict. Which variables
# may appear in a decline letter, and how to word the result of a model that the lender's
# own grade feeds, are decisions for the lender's compliance function, and the explanation
# method chosen will shape them.

# %% [markdown]
# ## Fairness: do the decisions treat groups alike?
#
# Explanations say *why* a model decides; a fairness audit asks *whom* its decisions favour.
# The Equal Credit Opportunity Act and Regulation B {cite}`cfpb2011regulationb` forbid a
# creditor to discriminate against an applicant on a prohibited basis, among them sex,
# marital status and age (provided the applicant can contract). Age is special: an
# empirically derived, statistically sound scoring system may use it, but may not give
# applicants aged 62 or over a negative value for it. A model can also discriminate without
# using the characteristic, through variables correlated with it, which is why supervisors
# look at outcomes as well as inputs. And when a complex model declines someone, the CFPB's
# Circular 2022-03 {cite}`cfpb2022circular` leaves no room: the adverse-action notice must
# still give the specific, accurate principal reasons; that the model is too complex to say
# which reasons drove it is no excuse, and a creditor who cannot name them should not use the
# model. The reason codes of the previous section are what that requires; this section audits
# the decisions themselves.
#
# Lending Club records neither age nor sex, so we audit on the German credit data of
# {ref}`credit-risk` (`finbook.data.german_credit()`, decoded with the corrected code table of
# {cite:t}`groemping2019south`). Two measures, for a protected group $P$ against a reference
# group $R$ and the decision "approve" $\hat A$:
#
# $$
# \text{DI} = \frac{\Pr(\hat A = 1 \mid P)}{\Pr(\hat A = 1 \mid R)}, \qquad
# \text{EO} = \Pr(\hat A = 1 \mid \text{good}, P) - \Pr(\hat A = 1 \mid \text{good}, R).
# $$ (xai-fairness)
#
# The **disparate impact ratio** DI compares approval rates (1 is parity); it ignores that
# groups may differ in how often they repay. **Equal opportunity** {cite}`hardt2016equality`
# compares approval rates among applicants who did repay (0 is parity): a creditworthy
# applicant should have the same chance of approval whatever their group.
# `explain.group_fairness` computes both, with percentile intervals from a bootstrap that
# resamples applicants within each group ({glue:text}`fair_boot` replicates) and the
# matching p-value for parity. The decisions are held fixed in the bootstrap, so the
# intervals cover sampling noise in the applicants, not the noise of refitting the model.
#
# **What the data can and cannot say about sex.** The attribute `personal_status_sex` mixes
# sex with marital status, and under the corrected code table one of its four levels,
# *female: non-single, or male: single*, holds both women and men: sex cannot be recovered for
# its applicants. Only the other three levels identify sex: *female: single* (women) and
# *male: divorced/separated* and *male: married/widowed* (men). So we cannot measure the
# approval gap between all women and all men, nor between single women and single men.
# What we can measure is single women against the men of the two male-only levels, a
# comparison in which sex and marital status are confounded (both are prohibited bases under
# ECOA, so a gap would matter either way, but could not be assigned to one of them). The
# attribute is not an input of the models; age is, as in {ref}`credit-risk`.

# %%
german = data.german_credit()
y_g = features.binary_target(german["class"], positive="bad")
X_g = german.drop(columns=["class", "personal_status_sex"])  # sex and marital status are not inputs
COST_FN = float(data.GERMAN_CREDIT_COSTS.loc["bad", "accept"])
COST_FP = float(data.GERMAN_CREDIT_COSTS.loc["good", "reject"])
age_band = pd.cut(german["age"], [0, 24, 61, 200], labels=["under 25", "25 to 61", "62 and over"]).astype(str)
sex_level = german["personal_status_sex"].astype(str)
SEX_UNKNOWN = "female: non-single, or male: single"  # the corrected table: women and men
MEN = ["male: divorced/separated", "male: married/widowed"]
assert set(sex_level) == {SEX_UNKNOWN, "female: single", *MEN}
COMPARISONS = {  # label: (grouping, protected, reference)
    "age under 25 vs 25 to 61": (age_band, "under 25", "25 to 61"),
    "age 62 and over vs 25 to 61": (age_band, "62 and over", "25 to 61"),
    "single women vs men of the male-only levels": (sex_level, "female: single", MEN),
}
group_sizes = pd.DataFrame({"applicants": pd.concat([age_band, sex_level]).value_counts(),
                            "bad rate": pd.concat([pd.Series(y_g, index=german.index).groupby(age_band).mean(),
                                                   pd.Series(y_g, index=german.index).groupby(sex_level).mean()])})
group_sizes.round(3)

# %% tags=["remove-cell"]
glue("fair_boot", f"{FAIR_BOOT:,}", display=False)
glue("n_sex_unknown", int((sex_level == SEX_UNKNOWN).sum()), display=False)
glue("n_single_women", int((sex_level == "female: single").sum()), display=False)
glue("n_men_known", int(sex_level.isin(MEN).sum()), display=False)
glue("n_old", int((age_band == "62 and over").sum()), display=False)
glue("n_young", int((age_band == "under 25").sum()), display=False)
glue("bad_young", round(100 * float(group_sizes.loc["under 25", "bad rate"])), display=False)
glue("bad_mid", round(100 * float(group_sizes.loc["25 to 61", "bad rate"])), display=False)


# %% [markdown]
# {glue:text}`n_sex_unknown` of the 1,000 applicants are in the mixed level and drop out of
# the sex comparison, which rests on {glue:text}`n_single_women` single women and
# {glue:text}`n_men_known` men; only {glue:text}`n_old` applicants are 62 or over, so that
# comparison will be imprecise. The groups differ in the data already: {glue:text}`bad_young`%
# of the applicants under 25 are bad, against {glue:text}`bad_mid`% of those aged 25 to 61.
#
# The decisions come from two models fitted without ever seeing the applicant they decide on:
# a stratified five-fold cross-validation gives every applicant a decision from a model fitted
# on the other four folds. Inside each training part, a stratified fifth is held out as
# **validation** data; the models are fitted on the rest, the network stops early on the
# validation log loss, and the **cost-optimal threshold** (an accepted bad applicant costs
# {glue:text}`fair_cost_fn`, a rejected good one {glue:text}`fair_cost_fp`) is chosen on the
# validation applicants' probabilities. The two models see the same inputs and rows:
#
# 1. **Logistic regression** on standardised numbers and one-hot categories, as in
#    {ref}`credit-risk`.
# 2. **The book's small network**: two ReLU layers of 32 and 16 units, a sigmoid output, Adam
#    on mini-batches of 128 and L2 weight decay, trained one epoch at a time until the
#    validation log loss has not improved for 10 epochs, keeping the best epoch (epoch
#    {glue:text}`fair_epochs` across folds and seeds). It is the book's `models.mlp`, trained
#    by the book's one loop, `training.fit`, as are the book's other networks. We fit it with {glue:text}`n_fair_seeds`
#    seeds; the **seed ensemble** averages their probabilities (on the validation and the test
#    fold alike) and decides with its own threshold. Verdicts are decided on the seed
#    ensemble; the single seeds show the spread.

# %%
# tolerance: rtol=0.1, atol=0.02, counts=3; five small TensorFlow networks per fold: CPU-dependent rounding grows through training
def small_network(Z_fit, y_fit, Z_val, y_val, seed, *, patience=10, max_epochs=300):
    """The 32-16 ReLU network, stopped early on the validation log loss (best epoch kept).

    Returns a function giving the probability of default, and the best epoch.
    """
    repro.set_seed(seed)
    net_g = models.mlp(Z_fit.shape[1], hidden=(32, 16), l2=1e-4, learning_rate=1e-3)
    net_g, history = training.fit(net_g, np.asarray(Z_fit, dtype="float32"), np.asarray(y_fit, dtype="float32"),
                                  validation_data=(np.asarray(Z_val, dtype="float32"),
                                                   np.asarray(y_val, dtype="float32")),
                                  epochs=max_epochs, batch_size=128, patience=patience, seed=seed)
    return (lambda Z: net_g.predict(np.asarray(Z, dtype="float32"), verbose=0).ravel()), history["best_epoch"]


seed_names = [f"network, seed {s}" for s in FAIR_SEEDS]
decision_models = ["logistic regression", *seed_names, "network, seed ensemble"]
approve = {name: np.zeros(len(y_g), dtype=int) for name in decision_models}
thresholds = {name: [] for name in decision_models}
best_epochs = []
folds = StratifiedKFold(5, shuffle=True, random_state=SEED).split(X_g, y_g)
for fold, (fit_rows, test_rows) in enumerate(folds):
    tr, va = train_test_split(fit_rows, test_size=0.2, stratify=y_g[fit_rows], random_state=SEED + fold)
    prep_g = features.tabular_preprocessor(X_g).fit(X_g.iloc[tr])
    Z_tr, Z_va, Z_te = (prep_g.transform(X_g.iloc[rows]) for rows in (tr, va, test_rows))
    lr_g = LogisticRegression(C=1.0, max_iter=2000).fit(Z_tr, y_g[tr])
    p_va = {"logistic regression": lr_g.predict_proba(Z_va)[:, 1]}
    p_te = {"logistic regression": lr_g.predict_proba(Z_te)[:, 1]}
    for s, name in zip(FAIR_SEEDS, seed_names, strict=True):
        predict_g, epoch = small_network(Z_tr, y_g[tr], Z_va, y_g[va], seed=s)
        best_epochs.append(epoch)
        p_va[name], p_te[name] = predict_g(Z_va), predict_g(Z_te)
    p_va["network, seed ensemble"] = np.mean([p_va[n] for n in seed_names], axis=0)
    p_te["network, seed ensemble"] = np.mean([p_te[n] for n in seed_names], axis=0)
    for name in decision_models:  # reject at or above the threshold that is cheapest on validation
        t, _ = metrics.cost_optimal_threshold(y_g[va], p_va[name], cost_fn=COST_FN, cost_fp=COST_FP)
        thresholds[name].append(t)
        approve[name][test_rows] = (p_te[name] < t).astype(int)
pd.DataFrame({"approval rate": {n: approve[n].mean() for n in decision_models},
              "cost per applicant": {n: metrics.expected_cost(y_g, 1 - approve[n], cost_fn=COST_FN,
                                                              cost_fp=COST_FP) for n in decision_models},
              "thresholds (5 folds)": {n: ", ".join(f"{t:.2f}" for t in thresholds[n])
                                       for n in decision_models}}).round(3)

# %% tags=["remove-cell"]
# tolerance: rtol=0.1, atol=0.02, counts=3; five small TensorFlow networks per fold: CPU-dependent rounding grows through training
glue("fair_cost_fn", int(COST_FN), display=False)
glue("fair_cost_fp", int(COST_FP), display=False)
glue("n_fair_seeds", len(FAIR_SEEDS), display=False)
glue("fair_epochs", f"{min(best_epochs)} to {max(best_epochs)}", display=False)

# %%
# tolerance: rtol=0.1, atol=0.02, counts=3; five small TensorFlow networks per fold: CPU-dependent rounding grows through training
good = 1 - y_g
audit = {(comp, name): explain.group_fairness(
    good, approve[name], grouping, protected=prot, reference=ref,
    n_boot=FAIR_BOOT if name in ("logistic regression", "network, seed ensemble") else 200, seed=SEED)
    for comp, (grouping, prot, ref) in COMPARISONS.items() for name in decision_models}


def parity_verdict(row, null):
    """Words for 'the statistic equals its parity value' at level ALPHA, with the p-value."""
    if row["pvalue"] < ALPHA:
        side = "below" if row["estimate"] < null else "above"
        return f"significantly {side} parity ({inference.format_pvalue(row['pvalue'], alpha=ALPHA)})"
    return f"not distinguishable from parity ({inference.format_pvalue(row['pvalue'], alpha=ALPHA)})"


rows = {}
for comp in COMPARISONS:
    for name in ("logistic regression", "network, seed ensemble"):
        t = audit[(comp, name)]
        di, eo = t.loc["disparate impact ratio"], t.loc["equal opportunity difference"]
        rows[(comp, name)] = {"DI": di["estimate"], "DI 95% interval": f"{di['low']:.2f} to {di['high']:.2f}",
                              "DI verdict": parity_verdict(di, 1.0),
                              "EO": eo["estimate"], "EO 95% interval": f"{eo['low']:.2f} to {eo['high']:.2f}",
                              "EO verdict": parity_verdict(eo, 0.0)}
    seeds_di = [audit[(comp, n)].loc["disparate impact ratio", "estimate"] for n in seed_names]
    seeds_eo = [audit[(comp, n)].loc["equal opportunity difference", "estimate"] for n in seed_names]
    rows[(comp, "network, 5 single seeds")] = {
        "DI": float(np.mean(seeds_di)), "DI 95% interval": f"seeds {min(seeds_di):.2f} to {max(seeds_di):.2f}",
        "DI verdict": "", "EO": float(np.mean(seeds_eo)),
        "EO 95% interval": f"seeds {min(seeds_eo):.2f} to {max(seeds_eo):.2f}", "EO verdict": ""}
fairness = pd.DataFrame(rows).T


def words(comp, name, stat):
    return fairness.loc[(comp, name), f"{stat} verdict"].split(" (")[0]


young, old, sexc = COMPARISONS
old_open = all(words(old, n, st).startswith("not") for n in ("logistic regression", "network, seed ensemble")
               for st in ("DI", "EO"))
sex_open = all(words(sexc, n, st).startswith("not") for n in ("logistic regression", "network, seed ensemble")
               for st in ("DI", "EO"))
same = all(words(c, "logistic regression", st) == words(c, "network, seed ensemble", st)
           for c in COMPARISONS for st in ("DI", "EO"))
with pd.option_context("display.max_colwidth", None):
    display(fairness.round(3))

# %% tags=["remove-cell"]
# tolerance: rtol=0.1, atol=0.02, counts=3; five small TensorFlow networks per fold: CPU-dependent rounding grows through training
for comp, key in zip(COMPARISONS, ["young", "old", "sex"], strict=True):
    for name, mkey in [("logistic regression", "lr"), ("network, seed ensemble", "net")]:
        r = fairness.loc[(comp, name)]
        glue(f"fair_{key}_{mkey}_di", round(float(r["DI"]), 2), display=False)
        glue(f"fair_{key}_{mkey}_di_ci", r["DI 95% interval"], display=False)
        glue(f"fair_{key}_{mkey}_di_verdict", r["DI verdict"], display=False)
        glue(f"fair_{key}_{mkey}_eo", round(float(r["EO"]), 2), display=False)
        glue(f"fair_{key}_{mkey}_eo_ci", r["EO 95% interval"], display=False)
        glue(f"fair_{key}_{mkey}_eo_verdict", r["EO verdict"], display=False)
    seeds = fairness.loc[(comp, "network, 5 single seeds")]
    glue(f"fair_{key}_seeds_di", seeds["DI 95% interval"].removeprefix("seeds "), display=False)
    glue(f"fair_{key}_seeds_eo", seeds["EO 95% interval"].removeprefix("seeds "), display=False)
    ens_words = [fairness.loc[(comp, "network, seed ensemble"), v].split(" (")[0] for v in ("DI verdict", "EO verdict")]
    agree = sum(all(parity_verdict(audit[(comp, n)].loc[stat], null).split(" (")[0] == w
                    for stat, null, w in zip(["disparate impact ratio", "equal opportunity difference"],
                                             [1.0, 0.0], ens_words, strict=True)) for n in seed_names)
    glue(f"fair_{key}_seeds_agree", agree, display=False)
glue("fair_young_dir", "less often" if fairness.loc[(young, "logistic regression"), "DI"] < 1 else "more often",
     display=False)
glue("bad_young_dir", "more often" if group_sizes.loc["under 25", "bad rate"] > group_sizes.loc["25 to 61", "bad rate"]
     else "less often", display=False)
glue("fair_old_sentence", "the data cannot show whether they are favoured or disfavoured" if old_open else
     "even so, at least one of the tests separates them from the middle group", display=False)
glue("fair_sex_sentence", "None of these tests finds a gap, but \"not distinguishable\" is not \"fair\""
     if sex_open else "At least one of these tests finds a gap; and where none is found, \"not "
     "distinguishable\" would not mean \"fair\"", display=False)
glue("fair_models_sentence",
     "The network and the regression reach the same verdict on every comparison, so the complexity of "
     "the model is not what drives the gaps; the data and the cost-optimal threshold are" if same else
     "The network and the regression reach different verdicts on at least one comparison, so the choice "
     "of model matters to who is approved as well as to how the decisions are explained", display=False)

# %% [markdown]
# **Age.** Applicants under 25 are approved {glue:text}`fair_young_dir` than those aged 25 to 61: the
# disparate impact ratio is {glue:text}`fair_young_lr_di` for the logistic regression
# (interval {glue:text}`fair_young_lr_di_ci`, {glue:text}`fair_young_lr_di_verdict`) and
# {glue:text}`fair_young_net_di` for the network's seed ensemble
# ({glue:text}`fair_young_net_di_ci`, {glue:text}`fair_young_net_di_verdict`; single seeds
# {glue:text}`fair_young_seeds_di`). Part of that gap may be the data's own (young applicants
# were bad {glue:text}`bad_young_dir`), which is why equal opportunity matters: among applicants who *repaid*,
# the approval rate of the young differs from that of the middle group by
# {glue:text}`fair_young_lr_eo` for the regression ({glue:text}`fair_young_lr_eo_ci`,
# {glue:text}`fair_young_lr_eo_verdict`) and {glue:text}`fair_young_net_eo` for the network
# ({glue:text}`fair_young_net_eo_ci`, {glue:text}`fair_young_net_eo_verdict`; single seeds
# {glue:text}`fair_young_seeds_eo`, and {glue:text}`fair_young_seeds_agree` of the
# {glue:text}`n_fair_seeds` seeds reach the ensemble's two verdicts). Applicants aged 62 and
# over, whom Regulation B protects explicitly: DI {glue:text}`fair_old_lr_di`
# ({glue:text}`fair_old_lr_di_ci`, {glue:text}`fair_old_lr_di_verdict`) for the regression and
# {glue:text}`fair_old_net_di` ({glue:text}`fair_old_net_di_ci`,
# {glue:text}`fair_old_net_di_verdict`) for the network; EO {glue:text}`fair_old_lr_eo` and
# {glue:text}`fair_old_net_eo`, the network's {glue:text}`fair_old_net_eo_verdict`. With
# {glue:text}`n_old` such applicants the intervals are wide: {glue:text}`fair_old_sentence`.
#
# **Sex, as far as it can be measured.** Single women against men of the male-only levels: DI
# {glue:text}`fair_sex_lr_di` for the regression ({glue:text}`fair_sex_lr_di_ci`,
# {glue:text}`fair_sex_lr_di_verdict`) and {glue:text}`fair_sex_net_di` for the network
# ({glue:text}`fair_sex_net_di_ci`, {glue:text}`fair_sex_net_di_verdict`); EO
# {glue:text}`fair_sex_lr_eo` ({glue:text}`fair_sex_lr_eo_verdict`) and
# {glue:text}`fair_sex_net_eo` ({glue:text}`fair_sex_net_eo_verdict`; single seeds
# {glue:text}`fair_sex_seeds_eo`). {glue:text}`fair_sex_sentence`: with
# {glue:text}`n_single_women` single women the intervals leave room for gaps a supervisor
# would care about, and the {glue:text}`n_sex_unknown` applicants of the mixed level are not
# audited at all.
#
# Three lessons carry beyond this data. An audit needs the protected characteristic, which
# the model must *not* use; a lender who does not record it (Lending Club's data hold neither
# age nor sex) cannot run this test without estimating it. {glue:text}`fair_models_sentence`.
# And a disparity is a finding
# to investigate, not a verdict of illegality: the law asks whether a practice with a
# disparate effect serves a legitimate business need that a less discriminatory alternative
# would not meet, a question the numbers above can inform but not answer.

# %% [markdown]
# ## How this compares with published results
#
# - {cite:t}`sundararajan2017axiomatic` introduce integrated gradients with completeness as
#   an axiom and approximate the integral by a Riemann sum; they find that
#   {glue:text}`ig_paper_min` to {glue:text}`ig_paper_max` steps are enough to come within
#   {glue:text}`ig_paper_tol`% of $f(x) - f(x')$, and recommend checking that the
#   attributions add up. Our check: at {glue:text}`ig_steps` steps the attributions of
#   {glue:text}`ig_within_pct`% of the test applicants add up to within
#   {glue:text}`ig_paper_tol`% of their $f(x) - f(x')$ (the others have a difference close to
#   zero, where any small gap is a large percentage; the worst gap is
#   {glue:text}`ig_gap_max` in log-odds).
# - {cite:t}`hooker2021unrestricted` show, on simulated and real data, that permute-and-predict
#   methods (permutation importance, partial dependence) can be badly misleading when
#   features are dependent, because they force the model to extrapolate to combinations
#   absent from the data. The sub-grade and interest rate are a textbook case, and the
#   disagreement between the models' single-variable importances is exactly what they
#   predict.
# - SHAP values {cite}`lundberg2017unified`, the most widely used attribution method, are
#   another additive split satisfying completeness (they call it local accuracy), based on
#   Shapley values over subsets of features rather than on a path; for a linear model with
#   independent features they coincide with the linear contributions used here. The `shap`
#   package is not part of the book's pinned environment, so we do not compute them; with a
#   baseline distribution instead of a single baseline applicant they would give different
#   numbers again, which is the point of this chapter.
# - {cite:t}`rudin2019stop` argues that post-hoc explanations of black boxes are no
#   substitute for interpretable models in high-stakes decisions. On this data the
#   interpretable scorecard is {glue:text}`auc_card` against the network's
#   {glue:text}`auc_net` in AUC.
#
# ## What we learned
#
# - A network's weights do not explain it: by first-layer weights the interest rate ranks
#   {glue:text}`naive_rate_ranks` in five networks trained from different seeds, yet
#   shuffling it costs their seed ensemble {glue:text}`pi_net_rate` of its AUC, more than any
#   other variable.
# - Permutation importance, partial dependence and integrated gradients answer different
#   questions (what the model needs, how it responds on average, why this applicant). Their
#   rankings of the same network agree only weakly (Spearman {glue:text}`rho_same_model`
#   between permutation importance and mean |IG|).
# - Correlated variables make single-variable explanations arbitrary: sub-grade and rate
#   (rank correlation {glue:text}`rho_grade_rate`) trade places between the models, and only
#   shuffling them together shows their joint weight ({glue:text}`pi_joint_net` AUC points
#   for the network).
# - Integrated gradients are exact for a linear model (error {glue:text}`ig_linear_err`) and
#   approximate for the network (worst completeness gap {glue:text}`ig_gap_max` log-odds at
#   {glue:text}`ig_steps` steps): the article is right that explaining the complex model is
#   harder, and the explanation carries its own error.
# - The scorecard explains itself in {glue:text}`card_n_bins` bins of points; its reasons
#   for a decline and the network's coincide as first reason for only
#   {glue:text}`same_first_pct`% of the declines.
# - A reason code is a comparison with a reference applicant, and the reference must be
#   stated: we use the just-accepted applicants, one of the two references Regulation B's
#   commentary names; measuring from the best bin instead changes the scorecard's first
#   reason for {glue:text}`best_bin_changed_pct`% of the declines. The state of residence, a
#   proxy rather than a reason, is no longer in the models, so no letter can name it.
# - Accumulated local effects move each applicant only across a narrow bin of the variable,
#   where partial dependence moves them anywhere; the two describe the same course in
#   {glue:text}`n_same_shape` of {glue:text}`n_shapes` model-variable pairs.
# - On German credit, cost-optimal decisions approve applicants under 25
#   {glue:text}`fair_young_dir` than those aged 25 to 61 (network seed ensemble: disparate
#   impact {glue:text}`fair_young_net_di`, {glue:text}`fair_young_net_di_verdict`; equal
#   opportunity {glue:text}`fair_young_net_eo`, {glue:text}`fair_young_net_eo_verdict`). Sex
#   can be audited only for single women against the men of the male-only levels, and the
#   mixed level cannot be audited at all.
#
# ## Exercises
#
# ```{exercise}
# :label: xai-ex-baseline
# Integrated gradients depend on the baseline $x'$. Recompute the network's attributions with
# two other baselines: the all-zeros input (in standardised units, an applicant with every
# number at its mean and no category at all), and the training applicant with the lowest
# predicted probability of default. How do the first reasons of the declined applicants
# change? Which baseline makes sense for a decline letter?
# ```
#
# ````{solution} xai-ex-baseline
# :class: dropdown
# ```python
# p_train = np.asarray(net(Z_train, training=False)).ravel()
# for name, base in {"zeros": np.zeros_like(baseline), "safest": Z_train[p_train.argmin()]}.items():
#     att = explain.integrated_gradients(net, Z_test[declined], base, steps=IG_STEPS, output="logit")
#     g = explain.group_columns(att.values, prep.get_feature_names_out(), groups)
#     print(name, credit.reason_codes(g, top=1)["reason 1"].value_counts().head(3).to_dict())
# ```
#
# Completeness holds for every baseline, but the attributions explain a different
# difference, $f(x) - f(x')$, each time. The zero baseline is not an applicant at all (no
# grade, no term), so the categorical variables collect large attributions simply for being
# present. With the safest applicant as baseline, each variable on which the declined
# applicant differs from an A1 borrower can become a reason; count how often the grade and
# the rate come first with it and with the chapter's baseline. For a decline letter
# the reference should be an applicant the lender would accept and it should be stated:
# Regulation B's commentary names the average of the applicants at or just above the passing
# score (the chapter's choice) or the average of all applicants.
# ````
#
# ```{exercise}
# :label: xai-ex-drop-rate
# Retrain the network without `int_rate` (drop it from `X` before the preprocessor is
# fitted). What happens to its test AUC, and to the permutation importance of `sub_grade`?
# ```
#
# ```{solution} xai-ex-drop-rate
# :class: dropdown
# The AUC hardly changes: the grade carries the information the rate carried. The permutation
# importance of `sub_grade` jumps from a little to most of what `int_rate` had, the same
# shift we saw between the network and the scorecard. A variable's importance is a property
# of the model and of which correlated variables it was offered, not of the variable alone.
# ```
#
# ```{exercise}
# :label: xai-ex-train
# Compute the network's permutation importance on its *training* loans instead of the test
# loans. Which variables gain importance, and why is the training-set version the wrong one
# to report?
# ```
#
# ```{solution} xai-ex-train
# :class: dropdown
# `explain.permutation_importance(predict["network"], X_train, y_train, n_repeats=N_REPEATS, seed=SEED)`.
# Variables with many categories (the employment length, for one) and the noisy credit-file
# counts gain importance: on the training rows the network has partly memorised their
# idiosyncrasies, and shuffling them destroys that memorised fit. On the test rows the same
# shuffles cost nothing, because the memorised patterns do not recur. Importance on training
# data measures what the model learnt, including noise; importance on held-out data measures
# what generalises.
# ```
#
# ```{exercise}
# :label: xai-ex-steps
# Integrated gradients of a ReLU network are a Riemann sum over a piecewise-linear path. Plot
# the maximum completeness gap against the number of steps (4, 8, ..., 1,024) on a log–log
# scale. What rate do you expect, and do you see it?
# ```
#
# ```{solution} xai-ex-steps
# :class: dropdown
# Along the path the network's output is piecewise linear, so its gradient is piecewise
# constant with a jump at each kink. The trapezoidal rule is exact on every linear piece and
# errs only in the intervals that contain a kink, by an amount proportional to the interval
# length: the error falls roughly like $1/m$ for $m$ steps (slope $-1$ on the log–log plot),
# not like the $1/m^2$ of the trapezoidal rule on smooth functions. A smooth activation
# (GELU, softplus) would restore the faster rate.
# ```
