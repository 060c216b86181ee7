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
# (deep-learning-basics)=
# # Deep learning basics: loss, gradient descent and backpropagation
#
# Every network in this book is trained the same way: a loss function says how wrong the
# model is, backpropagation computes how the loss changes with each weight, and gradient
# descent moves the weights downhill. This chapter builds those three pieces by hand in
# NumPy on real credit applicants, checks each one against an independent computation,
# and then asks the question a credit risk team would ask: does a small neural network
# predict default better than logistic regression?

# %% tags=["parameters"]
SEED = 2024  # seed for the data split, the initial weights and the mini-batch order
TEST_SIZE = 0.25  # share of applicants held out for the final comparison
HIDDEN_UNITS = 16  # width of the network's hidden layer
EPOCHS = 200  # maximum training epochs of the Keras networks
BATCH_SIZE = 64  # applicants per mini-batch
PATIENCE = 20  # early stopping: epochs without a better validation loss
N_SEEDS = 5  # training seeds per network (initial weights and mini-batch order)
WEIGHT_DECAYS = (0.01, 0.1)  # lambda of the L2 penalty on the hidden kernel, eq. dl-l2
DROPOUT_RATES = (0.5,)  # share of hidden units dropped at each training step (kept short: budget)

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
# ruff: noqa: F811 - each cell marked '# @save' imports what it uses, again (see finbook.lessons)
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display
from myst_nb import glue
from scipy import stats
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_curve
from sklearn.model_selection import train_test_split

from finbook import data, features, inference, metrics, models, plots, repro
from finbook.book import headline
from finbook.credit import prior_correction
from finbook.training import fit as train

repro.set_seed(SEED)
plots.use_book_style()

# %% [markdown]
# ````{admonition} What the article says
# :class: note
# Deep learning maps inputs to outputs through several layers of a neural network and so
# learns non-linear features of the data. Its mathematics fits in three sentences: a
# **loss function** measures the prediction error (mean squared error or cross-entropy);
# **gradient descent** minimises it by repeating $w \leftarrow w - \alpha \nabla J(w)$,
# with $\alpha$ the learning rate; **backpropagation** computes the gradient by passing
# from the output layer back to the input layer. The article's code then trains a 32-16-1
# Keras network with Adam and binary cross-entropy and reports its accuracy.
# It does not say which loss to choose and why, how to pick $\alpha$, or how to
# know that a gradient is right.
# ````

# %% [markdown]
# ## The data
#
# We use the Statlog German credit data {cite}`hofmann1994statlog`: one row per applicant
# for a consumer loan, seven numeric and thirteen categorical attributes, and the bank's
# verdict `class`, good or bad. The target is $y = 1$ for a *bad* applicant (the event a
# lender wants to predict, close to a default).

# %%
credit = data.german_credit()
y_all = features.binary_target(credit["class"].astype(str), "bad")
X_all = credit.drop(columns="class")
print(f"{credit.shape[0]} applicants, {X_all.shape[1]} attributes, "
      f"{int(y_all.sum())} bad (base rate {y_all.mean():.2f})")
credit.head(3).transpose()

# %% tags=["remove-cell"]
glue("dl_n_rows", credit.shape[0], display=False)
glue("dl_n_cols", X_all.shape[1], display=False)
glue("dl_n_bad", int(y_all.sum()), display=False)
glue("dl_base_rate", round(float(y_all.mean()), 4), display=False)

# %% [markdown]
# There are {glue:text}`dl_n_rows` applicants with {glue:text}`dl_n_cols` attributes;
# {glue:text}`dl_n_bad` are bad, a base rate of {glue:text}`dl_base_rate:.2f`.
#
# We hold out a stratified test set that no model or choice ever sees until the final
# comparison, and split the rest into a training set (used to fit weights) and a
# validation set (used only to stop the networks' training). The numeric columns are
# standardised and the categorical ones one-hot encoded by
# `finbook.features.tabular_preprocessor`, **fitted on the training rows only**.

# %%
X_dev, X_test_raw, y_dev, y_test = train_test_split(
    X_all, y_all, test_size=TEST_SIZE, stratify=y_all, random_state=SEED)
X_train_raw, X_val_raw, y_train, y_val = train_test_split(
    X_dev, y_dev, test_size=0.2, stratify=y_dev, random_state=SEED)
prep = features.tabular_preprocessor(X_all).fit(X_train_raw)
X_train, X_val, X_test = (prep.transform(x) for x in (X_train_raw, X_val_raw, X_test_raw))
n_features = X_train.shape[1]
sizes = pd.DataFrame({"applicants": [len(y_train), len(y_val), len(y_test)],
                      "bad": [int(y_train.sum()), int(y_val.sum()), int(y_test.sum())]},
                     index=["training", "validation", "test"])
display(sizes)

# %% tags=["remove-cell"]
for name in sizes.index:
    glue(f"dl_n_{name}", int(sizes.loc[name, "applicants"]), display=False)
glue("dl_n_features", n_features, display=False)

# %% [markdown]
# The {glue:text}`dl_n_training` training applicants are described by
# {glue:text}`dl_n_features` model inputs after one-hot encoding.
#
# ## The loss: what a wrong forecast costs
#
# A credit model outputs a logit $z_i$ (log-odds of default) for applicant $i$ and turns
# it into a probability of default with the sigmoid
#
# $$
# \hat p_i = \sigma(z_i) = \frac{1}{1 + e^{-z_i}}.
# $$ (dl-sigmoid)
#
# The article names two losses. The mean squared error and the binary cross-entropy are
#
# $$
# J_{\text{MSE}} = \frac{1}{n}\sum_{i=1}^{n} (\hat p_i - y_i)^2,
# $$ (dl-mse)
#
# $$
# J_{\text{CE}} = -\frac{1}{n}\sum_{i=1}^{n} \bigl[\, y_i \log \hat p_i
#   + (1 - y_i) \log (1 - \hat p_i) \bigr].
# $$ (dl-ce)
#
# In code, each loss is a line of NumPy. The cross-entropy has a second form, computed
# from the logit: since $\log \hat p = z - \log(1 + e^{z})$ and
# $\log(1 - \hat p) = -\log(1 + e^{z})$, one applicant's loss is
# $\ell_{\text{CE}} = \log(1 + e^{z}) - y z$, which never rounds a probability to 0 or 1 and
# stays exact for a confident mistake. The checks of the inputs (0/1 labels, equal lengths,
# probabilities in $[0, 1]$) are plumbing and live in `finbook.checks`.

# %%
# @save
import numpy as np
from scipy.special import expit

from finbook.checks import check_labels, check_pair, check_probabilities


def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)) of eq. dl-sigmoid, without overflow (chapter 3)."""
    return expit(np.asarray(z, dtype=np.float64))


def mean_squared_error(y, p):
    """Mean squared error mean((p - y)^2) of eq. dl-mse (chapter 3)."""
    y, p = check_pair(y, p, "p")
    return float(np.mean((p - y) ** 2))


def binary_cross_entropy(y, p, eps=1e-15):
    """Mean binary cross-entropy of eq. dl-ce, in nats, from probabilities p (chapter 3).

    p is clipped to [eps, 1 - eps], so a confident mistake costs -log(eps), not infinity.
    """
    y, p = check_pair(y, p, "p")
    check_labels(y)
    p = np.clip(check_probabilities(p), eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def binary_cross_entropy_with_logits(y, z):
    """Mean binary cross-entropy, in nats, from logits z, p = sigmoid(z) (chapter 3).

    log(1 + e^z) - y z is exact for any finite z: no probability is rounded to 0 or 1.
    """
    y, z = check_pair(y, z, "z")
    check_labels(y)
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


# %% [markdown]
# **Cross-entropy is a likelihood.** If applicant $i$ defaults with probability
# $\hat p_i$, independently of the others, the probability of the observed outcomes is
# $\prod_i \hat p_i^{\,y_i} (1 - \hat p_i)^{1 - y_i}$. Minus its logarithm, divided by $n$,
# is exactly {eq}`dl-ce`: minimising cross-entropy *is* maximum likelihood
# {cite}`goodfellow2016deep`, and its minimiser is a probability of default in the
# statistical sense, which is what pricing, provisioning and capital need, *for the
# population the training rows represent*. These rows do not represent the bank's
# borrowers: bad credits were sampled on purpose, {glue:text}`dl_base_rate:.0%` of the
# sample against about {glue:text}`dl_pop_rate:.0%` of the portfolio
# {cite}`groemping2019south`. A probability fitted here therefore needs a **prior
# correction** before it prices a loan, sets a provision or enters a capital formula. If
# the sample is representative within each class, only the odds are off, by a constant
# factor:
#
# $$
# \frac{p_{\text{pop}}}{1 - p_{\text{pop}}} = \frac{\hat p}{1 - \hat p} \cdot
# \frac{\pi_{\text{pop}} / (1 - \pi_{\text{pop}})}{\pi_{\text{sample}} / (1 - \pi_{\text{sample}})},
# $$ (dl-prior-correction)
#
# with $\pi$ the share of bad credits in each. An applicant scored at the sample's base
# rate, {glue:text}`dl_base_rate:.0%`, is a {glue:text}`dl_pop_example` risk in the bank;
# one scored at {glue:text}`dl_half`, a {glue:text}`dl_half_pop` risk
# (`finbook.credit.prior_correction`). Ranking, AUC and the comparisons below are not
# affected; the level of the probabilities is. The next cell checks the likelihood claim
# on the training applicants with the simplest model, $\hat p_i = \bar y$ for everyone.

# %%
pi_pop = data.GERMAN_CREDIT_POPULATION_BAD_RATE
example = prior_correction([y_all.mean(), 0.5], sample_rate=y_all.mean(), population_rate=pi_pop)

# %% tags=["remove-cell"]
glue("dl_pop_rate", pi_pop, display=False)
glue("dl_pop_example", f"{example[0]:.0%}", display=False)
glue("dl_half", f"{0.5:.0%}", display=False)
glue("dl_half_pop", f"{example[1]:.0%}", display=False)

# %%
p_flat = np.full(len(y_train), y_train.mean())
ce_flat = binary_cross_entropy(y_train, p_flat)
loglik_flat = stats.bernoulli.logpmf(y_train, p_flat).sum()
pd.Series({"cross-entropy (nats per applicant)": ce_flat,
           "minus log-likelihood / n": -loglik_flat / len(y_train),
           "entropy of the base rate": stats.bernoulli.entropy(y_train.mean())}).round(6)

# %% tags=["remove-cell"]
glue("dl_ce_flat", round(ce_flat, 4), display=False)
glue("dl_loglik_flat", round(float(loglik_flat), 2), display=False)

# %% [markdown]
# The three numbers coincide: predicting the base rate for everyone costs
# {glue:text}`dl_ce_flat` nats per applicant, the entropy of a coin with the base rate
# as its bias. Any useful model must do better than that.
#
# **Why not the squared error?** Both losses push a logit in the direction of its
# derivative. With $\hat p = \sigma(z)$ and $\sigma'(z) = \hat p(1 - \hat p)$, the chain
# rule gives, for one applicant,
#
# $$
# \frac{\partial \ell_{\text{CE}}}{\partial z} = \hat p - y, \qquad
# \frac{\partial \ell_{\text{MSE}}}{\partial z} = 2\,(\hat p - y)\,\hat p\,(1 - \hat p).
# $$ (dl-logit-grad)
#
# The factor $\hat p(1 - \hat p)$ is the slope of the sigmoid: it vanishes when the
# sigmoid saturates. A model that gives a future defaulter a probability of default close
# to zero is badly wrong, and exactly then the squared error stops correcting it. Both
# derivatives, in code:

# %%
# @save
from finbook.checks import check_choice, check_pair

LOSSES = ("cross_entropy", "mse")  # the two losses of eqs. dl-ce and dl-mse


def logit_gradient(y, z, loss="cross_entropy"):
    """Derivative of each example's loss with respect to its logit z, eq. dl-logit-grad (chapter 3).

    With p = sigmoid(z): cross-entropy gives p - y; the squared error 2 (p - y) p (1 - p), which
    vanishes when the sigmoid saturates (p near 0 or 1) even if the prediction is completely wrong.
    """
    check_choice(loss, LOSSES, "loss")
    y, z = check_pair(y, z, "z")
    p = sigmoid(z)
    if loss == "cross_entropy":
        return p - y
    return 2.0 * (p - y) * p * (1.0 - p)


# %%
z_grid = np.linspace(-8, 8, 401)
ones = np.ones_like(z_grid)
z_wrong = -5.0  # a defaulter given a probability of default of 0.7%
fig, ax = plt.subplots()
ax.semilogy(z_grid, np.abs(logit_gradient(ones, z_grid, "cross_entropy")), label="cross-entropy")
ax.semilogy(z_grid, np.abs(logit_gradient(ones, z_grid, "mse")), label="squared error")
ax.axvline(z_wrong, color="grey", linestyle=":")
ax.set_xlabel("logit $z$ given to an applicant who defaults ($y = 1$)")
ax.set_ylabel(r"$|\partial \ell / \partial z|$ (log scale)")
ax.legend()
plt.show()

# %%
g_ce, g_mse = (float(abs(logit_gradient([1], [z_wrong], loss)[0])) for loss in ("cross_entropy", "mse"))

# %% tags=["remove-cell"]
glue("dl_z_wrong", z_wrong, display=False)
glue("dl_p_wrong", f"{sigmoid(z_wrong):.4f}", display=False)
glue("dl_grad_ce_wrong", round(g_ce, 4), display=False)
glue("dl_grad_mse_wrong", round(g_mse, 4), display=False)
glue("dl_grad_ratio", round(g_ce / g_mse), display=False)

# %% [markdown]
# For a defaulter scored at $z =$ {glue:text}`dl_z_wrong` (the dotted line: a probability
# of default of {glue:text}`dl_p_wrong`), the cross-entropy gradient is
# {glue:text}`dl_grad_ce_wrong`, almost the largest possible, while the squared error's is
# {glue:text}`dl_grad_mse_wrong`, {glue:text}`dl_grad_ratio` times smaller. The more
# confidently wrong the model, the harder cross-entropy pulls, and the less the squared
# error does. Gradient descent, next, will show the same on the whole portfolio.
#
# ## Gradient descent from scratch
#
# Logistic regression is the one-layer version of our network: $z_i = x_i^\top w + b$.
# Differentiating {eq}`dl-ce` with {eq}`dl-logit-grad` and $\partial z_i / \partial w = x_i$
# gives the gradient in matrix form,
#
# $$
# \nabla_w J = \frac{1}{n} X^\top (\hat p - y), \qquad
# \frac{\partial J}{\partial b} = \frac{1}{n} \sum_{i=1}^{n} (\hat p_i - y_i),
# $$ (dl-lr-grad)
#
# In NumPy that is two lines. The squared error's gradient is the same with its factor
# from {eq}`dl-logit-grad` in place of $\hat p - y$. Gradient descent calls these at every
# step, so they skip the input checks; `logistic_loss_and_gradient` is the checked version.

# %%
# @save
import numpy as np
from scipy.special import expit

from finbook.checks import check_features, check_labels


def _logistic_loss_and_gradient(w, b, X, y):
    """Mean cross-entropy of p = sigmoid(X w + b) and its gradient, eq. dl-lr-grad (chapter 3).

    Returns (loss, gradient for w, derivative for b); the inputs are not checked.
    """
    z = X @ w + b
    residual = expit(z) - y  # p - y
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    return loss, X.T @ residual / len(X), float(residual.mean())


def _squared_loss_and_gradient(w, b, X, y):
    """Mean squared error of p = sigmoid(X w + b) and its gradient, by eq. dl-logit-grad (chapter 3)."""
    p = expit(X @ w + b)
    g = 2.0 * (p - y) * p * (1.0 - p)
    return float(np.mean((p - y) ** 2)), X.T @ g / len(X), float(g.mean())


def logistic_loss_and_gradient(coef, intercept, X, y):
    """Mean cross-entropy of logistic regression and its gradient, inputs checked (chapter 3)."""
    X = check_features(X)
    y = check_labels(y, len(X))
    w = np.asarray(coef, dtype=np.float64).reshape(-1)
    if w.shape != (X.shape[1],):
        raise ValueError(f"coef must have one entry per column of X ({X.shape[1]}), got {w.shape}")
    return _logistic_loss_and_gradient(w, float(intercept), X, y)


# %% [markdown]
# Gradient descent repeats the article's update
#
# $$
# w \leftarrow w - \alpha \nabla_w J, \qquad b \leftarrow b - \alpha \frac{\partial J}{\partial b}.
# $$ (dl-gd)
#
# `logistic_regression_gd` does exactly this, starting from zero, until the gradient is
# (numerically) zero or a step limit is reached, and returns the weights and the loss after
# every step.

# %%
# @save
from dataclasses import dataclass

import numpy as np

from finbook.checks import check_choice, check_features, check_gd_settings, check_labels


@dataclass(frozen=True)
class GradientDescentResult:
    """A logistic regression fitted by gradient descent (chapter 3).

    loss_history[k] is the mean loss after k steps (entry 0 is the start), n_iter the number of
    steps taken, converged whether the gradient's norm fell below the tolerance.
    """

    coef: np.ndarray
    intercept: float
    loss_history: np.ndarray
    n_iter: int
    converged: bool

    def decision_function(self, X):
        """Logits X @ coef + intercept."""
        return check_features(X) @ self.coef + self.intercept

    def predict_proba(self, X):
        """Probabilities of the event, sigmoid(X @ coef + intercept)."""
        return sigmoid(self.decision_function(X))


def logistic_regression_gd(X, y, *, learning_rate, max_iter=10_000, tol=1e-10, loss="cross_entropy",
                           intercept0=0.0):
    """Fit an unpenalised logistic regression by full-batch gradient descent, eq. dl-gd (chapter 3).

    Starts from zero coefficients and intercept intercept0; stops when the gradient's norm is below
    tol (converged), after max_iter steps, or when the loss is no longer finite. loss is the mean
    cross-entropy or "mse", the squared error of the probabilities, there to show why nobody uses it.
    """
    X = check_features(X)
    y = check_labels(y, len(X))
    check_gd_settings(learning_rate=learning_rate, max_iter=max_iter, tol=tol, intercept0=intercept0)
    check_choice(loss, LOSSES, "loss")
    loss_and_gradient = (_logistic_loss_and_gradient if loss == "cross_entropy"
                         else _squared_loss_and_gradient)
    w, b = np.zeros(X.shape[1]), float(intercept0)
    history, converged = [], False
    for step in range(int(max_iter) + 1):
        value, g_w, g_b = loss_and_gradient(w, b, X, y)
        history.append(value)
        if not np.isfinite(value):
            break
        if np.sqrt(g_w @ g_w + g_b * g_b) < tol:  # the gradient's Euclidean norm
            converged = True
            break
        if step == max_iter:
            break
        w = w - learning_rate * g_w
        b = b - learning_rate * g_b
    return GradientDescentResult(w, float(b), np.asarray(history), step, converged)


# %% [markdown]
# ### The learning rate
#
# The article leaves $\alpha$ open, and it is the one number that decides whether
# {eq}`dl-gd` works. For logistic regression there is a principled scale: the curvature of
# the loss is at most $L = \lambda_{\max}(A^\top A) / (4n)$, where $A = [\mathbf{1}, X]$:
# the Hessian of {eq}`dl-ce` is $A^\top \operatorname{diag}\bigl(\hat p_i(1 - \hat p_i)\bigr) A / n$
# and $\hat p(1 - \hat p) \le 1/4$. A loss whose curvature is at most $L$ lies below the
# parabola that touches it at the current weights, which gives the **descent lemma**
# {cite}`bottou2018optimization`: one step of {eq}`dl-gd` changes the loss by at most
#
# $$
# J\bigl(w - \alpha \nabla J(w)\bigr) \le J(w) - \alpha \Bigl(1 - \frac{\alpha L}{2}\Bigr)
#   \lVert \nabla J(w) \rVert^2 .
# $$ (dl-descent)
#
# The bracket is positive for any $0 < \alpha < 2/L$: any such step lowers the loss
# (unless the gradient is already zero). The guaranteed decrease
# $\alpha(1 - \alpha L / 2)$ is largest at $\alpha = 1/L$, where it is
# $\lVert \nabla J \rVert^2 / (2L)$; that is why $1/L$ is the textbook step. At $2/L$ and
# beyond the bound promises nothing, which does not mean the loss must rise (see
# {ref}`dl-ex-threshold`). $\lambda_{\max}(A^\top A)$ is the square of the largest singular
# value of $A$:

# %%
# @save
import numpy as np

from finbook.checks import check_features


def logistic_smoothness(X):
    """The curvature bound L = lambda_max(A^T A) / (4 n), A = [1, X], of the logistic loss (chapter 3).

    Gradient descent on the mean cross-entropy converges for any learning rate below 2 / L.
    """
    X = check_features(X)
    A = np.column_stack([np.ones(len(X)), X])
    top = np.linalg.svd(A, compute_uv=False)[0]
    return float(top**2 / (4 * len(X)))


# %% [markdown]
# We run 300 steps at four learning rates.

# %%
L = logistic_smoothness(X_train)
multiples = {"too small (0.02/L)": 0.02, "1/L": 1.0, "too large (4/L)": 4.0,
             "far too large (30/L)": 30.0}
runs = {label: logistic_regression_gd(X_train, y_train, learning_rate=m / L, max_iter=300)
        for label, m in multiples.items()}
# the claims of the list below, checked: the descent lemma (dl-descent) promises a lower loss at
# every step for 0.02/L and 1/L; 4/L raises it at the first step; 30/L ends above log 2
for label in ("too small (0.02/L)", "1/L"):
    assert np.all(np.diff(runs[label].loss_history) < 0)
assert runs["too large (4/L)"].loss_history[1] > np.log(2)
assert runs["far too large (30/L)"].loss_history[-1] > np.log(2)
pd.DataFrame({label: run.loss_history[[0, 1, 2, 10, 100, 300]] for label, run in runs.items()},
             index=pd.Index([0, 1, 2, 10, 100, 300], name="step")).round(4)

# %% tags=["remove-cell"]
for key, run in zip(["small", "right", "large", "huge"], runs.values(), strict=True):
    glue(f"dl_loss300_{key}", round(float(run.loss_history[-1]), 4), display=False)
    glue(f"dl_loss1_{key}", round(float(run.loss_history[1]), 4), display=False)
glue("dl_L", round(L, 3), display=False)
glue("dl_alpha_right", round(1 / L, 3), display=False)
glue("dl_log2", round(float(np.log(2)), 4), display=False)

# %%
fig, ax = plt.subplots()
for label, run in runs.items():
    ax.plot(run.loss_history, label=f"$\\alpha$ = {label}")
ax.axhline(np.log(2), color="grey", linestyle=":", label=r"start ($\hat p = 0.5$, log 2)")
ax.set_yscale("log")
ax.set_xlabel("gradient descent step")
ax.set_ylabel("training cross-entropy (nats, log scale)")
ax.legend()
plt.show()

# %% [markdown]
# On these features $L =$ {glue:text}`dl_L`, so the safe step is
# $\alpha = 1/L =$ {glue:text}`dl_alpha_right`. All four runs start at
# {glue:text}`dl_log2` nats ($\hat p = 0.5$ for everyone):
#
# - **too small**: the loss falls at each step, as {eq}`dl-descent` promises (the notebook
#   asserts it), but slowly: after 300 steps it is still {glue:text}`dl_loss300_small`;
# - **$1/L$**: the loss falls at each step (asserted too) and fastest, to
#   {glue:text}`dl_loss300_right`;
# - **too large** (beyond $2/L$, where the guarantee ends): the first step *raises* the loss
#   to {glue:text}`dl_loss1_large`; the
#   weights overshoot and zig-zag across the valley, ending at {glue:text}`dl_loss300_large`;
# - **far too large**: the loss jumps to {glue:text}`dl_loss1_huge` and stays far above
#   the starting point ({glue:text}`dl_loss300_huge` after 300 steps, against
#   {glue:text}`dl_log2` for predicting 1/2 for everyone). The cross-entropy of a logistic regression cannot blow up to infinity (its
#   gradient is bounded), so a bad $\alpha$ shows as erratic, high loss rather than overflow.
#
# ### Cross-entropy or squared error, on the whole portfolio
#
# Back to the losses. Suppose a scoring model starts out predicting a probability of
# default of $\sigma(-6) \approx 0.25\%$ for everyone, as if it had been calibrated on a
# prime portfolio, and we retrain it on these applicants, of whom
# {glue:text}`dl_base_rate:.0%` are bad. We run gradient descent (300 steps at
# $\alpha = 1/L$) once on each loss and report how much of the way to each loss's minimum is
# left.
#
# "How much is left" needs care, because the two losses have different floors. Neither can
# reach zero on real applicants, and how far above zero each stops depends on the loss,
# not on the speed of training: the best logistic regression still has a cross-entropy
# well above zero, {glue:text}`dl_sat_ce_floor_share` of the starting value here. The share of the *starting* loss
# left would charge cross-entropy for its higher floor. The fair yardstick is the share of
# the **excess** loss left, $(J_t - J^\star) / (J_0 - J^\star)$, where $J^\star$ is each
# loss's own minimum over the weights; we find it with scipy's L-BFGS, using the gradients
# written above. (The squared error of probabilities is not convex in $w$, so its
# $J^\star$ is the lowest value L-BFGS finds from zero; the check below confirms that
# gradient descent does not go below it.)

# %%
def loss_floor(loss_and_gradient):
    """The minimum over (w, b) of a loss on the training rows, found by L-BFGS from zero."""
    def value_and_gradient(theta):
        value, g_w, g_b = loss_and_gradient(theta[:-1], theta[-1], X_train, y_train)
        return value, np.r_[g_w, g_b]
    found = minimize(value_and_gradient, np.zeros(n_features + 1), jac=True, method="L-BFGS-B",
                     options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 20_000})
    return float(found.fun)


saturated = {loss: logistic_regression_gd(X_train, y_train, learning_rate=1 / L, max_iter=300,
                                          loss=loss, intercept0=-6.0)
             for loss in ("mse", "cross_entropy")}
floors = {"mse": loss_floor(_squared_loss_and_gradient),
          "cross_entropy": loss_floor(_logistic_loss_and_gradient)}
for loss, run in saturated.items():  # the floor is below every loss gradient descent reached
    assert floors[loss] <= run.loss_history.min() + 1e-12
steps_shown = [0, 10, 50, 100, 200, 300]
names = {"mse": "squared error", "cross_entropy": "cross-entropy"}
left = pd.concat({
    "share of starting loss left": pd.DataFrame(
        {names[k]: run.loss_history[steps_shown] / run.loss_history[0] for k, run in saturated.items()}),
    "share of excess loss left": pd.DataFrame(
        {names[k]: (run.loss_history[steps_shown] - floors[k]) / (run.loss_history[0] - floors[k])
         for k, run in saturated.items()}),
}, axis=1).set_axis(pd.Index(steps_shown, name="step"))
left.round(3)

# %% tags=["remove-cell"]
excess = left["share of excess loss left"]
glue("dl_sat_mse_left100", f"{excess.loc[100, 'squared error']:.1%}", display=False)
glue("dl_sat_ce_left10", f"{excess.loc[10, 'cross-entropy']:.0%}", display=False)
glue("dl_sat_ce_left100", f"{excess.loc[100, 'cross-entropy']:.0%}", display=False)
glue("dl_sat_ce_raw10", f"{left.loc[10, ('share of starting loss left', 'cross-entropy')]:.0%}",
     display=False)
glue("dl_sat_ce_floor_share", f"{floors['cross_entropy'] / saturated['cross_entropy'].loss_history[0]:.0%}",
     display=False)
glue("dl_sat_mse_left300", f"{excess.loc[300, 'squared error']:.0%}", display=False)

# %% [markdown]
# After 100 steps the squared error still has {glue:text}`dl_sat_mse_left100` of its
# excess loss to go: almost every applicant sits on the flat tail of the sigmoid, where its
# gradient is nearly zero. Cross-entropy has {glue:text}`dl_sat_ce_left10` of its excess
# left after 10 steps and {glue:text}`dl_sat_ce_left100` after 100. Measured against the
# starting loss instead, cross-entropy would seem to stall at {glue:text}`dl_sat_ce_raw10`
# after 10 steps, only because its floor is {glue:text}`dl_sat_ce_floor_share` of its
# starting value: the left half of the table is the misleading comparison. The squared
# error does escape eventually ({glue:text}`dl_sat_mse_left300` of its excess left after 300
# steps), but only after a long plateau; from a more saturated start no coefficient moves
# by more than {glue:text}`dl_ex_mse_move` in {glue:text}`dl_ex_steps` steps (see
# {ref}`dl-ex-mse`). That, and the likelihood interpretation, is why every default model in
# this book is trained with cross-entropy (Keras's `binary_crossentropy`).
#
# ### Running to convergence, and checking against scikit-learn
#
# With $\alpha = 1/L$ we iterate until the gradient's norm is below $10^{-10}$ and compare
# the weights with scikit-learn's *unpenalised* logistic regression (`C=np.inf`; the default
# `LogisticRegression()` adds a ridge penalty and would give other coefficients), fitted
# by Newton's method to a tight tolerance.

# %%
lr_gd = logistic_regression_gd(X_train, y_train, learning_rate=1 / L, max_iter=100_000)
lr_sk = LogisticRegression(C=np.inf, solver="newton-cg", tol=1e-12, max_iter=1000).fit(X_train, y_train)
lr_default = LogisticRegression().fit(X_train, y_train)
assert lr_gd.converged, "gradient descent hit max_iter before the gradient's norm fell below tol"
coef_gap = float(np.max(np.abs(np.r_[lr_gd.coef - lr_sk.coef_[0], lr_gd.intercept - lr_sk.intercept_])))
default_gap = float(np.max(np.abs(lr_gd.coef - lr_default.coef_[0])))
design = np.column_stack([np.ones(len(X_train)), X_train])
pd.Series({"gradient descent steps": lr_gd.n_iter,
           "final training cross-entropy": round(float(lr_gd.loss_history[-1]), 4),
           "max |GD - scikit-learn| over all coefficients": f"{coef_gap:.0e}",
           "max |GD - default (penalised) LogisticRegression|": round(default_gap, 2)})

# %% tags=["remove-cell"]
glue("dl_gd_steps", lr_gd.n_iter, display=False)
glue("dl_gd_loss", round(float(lr_gd.loss_history[-1]), 4), display=False)
glue("dl_coef_gap", f"{coef_gap:.0e}", display=False)
glue("dl_default_gap", round(default_gap, 2), display=False)
glue("dl_n_params_lr", design.shape[1], display=False)
glue("dl_rank_lr", int(np.linalg.matrix_rank(design)), display=False)

# %% [markdown]
# Gradient descent converged (the notebook asserts it) after {glue:text}`dl_gd_steps` steps to a
# training cross-entropy of {glue:text}`dl_gd_loss` nats (against
# {glue:text}`dl_ce_flat` for the base rate). Its coefficients agree with scikit-learn's to
# within {glue:text}`dl_coef_gap` in every entry; the default, penalised
# `LogisticRegression()` differs by up to {glue:text}`dl_default_gap`.
#
# One subtlety makes this agreement less obvious than it looks. One-hot encoding keeps a
# column for *every* category, so within each attribute the columns sum to one, the
# intercept column: the design matrix has {glue:text}`dl_n_params_lr` columns but rank
# {glue:text}`dl_rank_lr`. Infinitely many coefficient vectors then give the same
# probabilities. Gradient descent started at zero only ever moves along
# $X^\top(\hat p - y)$, which lies in the row space of the design, so it converges to the
# one solution of minimum norm; Newton-CG started at zero does the same. The
# probabilities, which are all that matter for a credit decision, are unique either way.
#
# Most of those {glue:text}`dl_gd_steps` steps are spent on a few rare categories whose
# coefficients are weakly determined (directions of low curvature). This slowness of plain
# gradient descent on ill-conditioned problems is what momentum and Adam, below, address.
#
# ## Backpropagation, written out
#
# A two-layer network puts a hidden layer of $h$ ReLU units between the inputs and the
# logistic output. For a batch $X$ of $n$ applicants (rows), the **forward pass** is
#
# $$
# \begin{aligned}
# Z^{(1)} &= X W^{(1)} + \mathbf{1} b^{(1)\top}, & A^{(1)} &= \max\bigl(Z^{(1)}, 0\bigr), \\
# z^{(2)} &= A^{(1)} W^{(2)} + b^{(2)}, & \hat p &= \sigma\bigl(z^{(2)}\bigr),
# \end{aligned}
# $$ (dl-forward)
#
# with $W^{(1)}$ of shape $d \times h$ and $W^{(2)}$ of shape $h \times 1$; the loss is
# {eq}`dl-ce`. In code, with the weights drawn as Keras draws them (Glorot's uniform
# distribution) and $\tanh$ offered as an alternative to the ReLU:

# %%
# @save
import numpy as np

from finbook.checks import check_choice, check_features, check_labels, check_two_layer_params

ACTIVATIONS = ("relu", "tanh")  # the hidden layer's activation: max(z, 0) or tanh(z)


def init_two_layer(n_inputs, n_hidden, *, seed=0):
    """Random float64 weights of a network n_inputs -> n_hidden -> 1 (chapter 3).

    Kernels are drawn from Glorot's uniform distribution U(-a, a), a = sqrt(6 / (fan_in + fan_out)),
    as in Keras; biases start at zero. Shapes as in Keras: W1 (d, h), b1 (h,), W2 (h, 1), b2 (1,).
    """
    for name, value in (("n_inputs", n_inputs), ("n_hidden", n_hidden)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    rng = np.random.default_rng(seed)
    a1, a2 = np.sqrt(6.0 / (n_inputs + n_hidden)), np.sqrt(6.0 / (n_hidden + 1))
    return {"W1": rng.uniform(-a1, a1, size=(n_inputs, n_hidden)), "b1": np.zeros(n_hidden),
            "W2": rng.uniform(-a2, a2, size=(n_hidden, 1)), "b2": np.zeros(1)}


def _act(z, activation):
    """The hidden layer's activation, relu or tanh (chapter 3)."""
    return np.maximum(z, 0.0) if activation == "relu" else np.tanh(z)


def two_layer_forward(params, X, activation="relu"):
    """Forward pass of eq. dl-forward (chapter 3).

    Returns the probabilities p and the cache (X, z1, a1, z2) that the backward pass needs.
    """
    P, X = check_two_layer_params(params), check_features(X)
    check_choice(activation, ACTIVATIONS, "activation")
    if X.shape[1] != P["W1"].shape[0]:
        raise ValueError(f"X has {X.shape[1]} columns but W1 expects {P['W1'].shape[0]} inputs")
    z1 = X @ P["W1"] + P["b1"]
    a1 = _act(z1, activation)
    z2 = (a1 @ P["W2"] + P["b2"]).reshape(-1)
    return sigmoid(z2), {"X": X, "z1": z1, "a1": a1, "z2": z2}


def two_layer_loss(params, X, y, activation="relu"):
    """Mean binary cross-entropy (nats) of the two-layer network on (X, y) (chapter 3)."""
    _, cache = two_layer_forward(params, X, activation)
    return binary_cross_entropy_with_logits(check_labels(y, len(cache["X"])), cache["z2"])


# %% [markdown]
# The **backward pass** applies the chain rule from the loss back to the
# inputs, reusing the quantities stored by the forward pass. Write $\delta$ for the
# gradient of $J$ with respect to a layer's pre-activation:
#
# $$
# \begin{aligned}
# \delta^{(2)} &= \tfrac{1}{n} (\hat p - y), \\
# \nabla_{W^{(2)}} J &= A^{(1)\top} \delta^{(2)}, \qquad
# \nabla_{b^{(2)}} J = \mathbf{1}^\top \delta^{(2)}, \\
# \delta^{(1)} &= \bigl(\delta^{(2)} W^{(2)\top}\bigr) \odot \mathbb{1}\bigl[Z^{(1)} > 0\bigr], \\
# \nabla_{W^{(1)}} J &= X^\top \delta^{(1)}, \qquad
# \nabla_{b^{(1)}} J = \mathbf{1}^\top \delta^{(1)}.
# \end{aligned}
# $$ (dl-backward)
#
# The first two lines are {eq}`dl-lr-grad` again, with the hidden activations in place of the
# inputs: the output layer *is* a logistic regression. The last two pass
# $\delta^{(2)}$ back through $W^{(2)}$ and through the ReLU, whose derivative is 1 where
# the unit was active and 0 where it was not ($\odot$ is the element-wise product). The
# code is a line per equation:

# %%
# @save
import numpy as np

from finbook.checks import check_choice, check_labels, check_two_layer_params


def _act_derivative(z, a, activation):
    """Derivative of the activation at z, given a = act(z); relu'(0) = 0, as in TensorFlow (chapter 3)."""
    return (z > 0).astype(np.float64) if activation == "relu" else 1.0 - a**2


def two_layer_backward(params, cache, y, activation="relu"):
    """Backward pass of eq. dl-backward: the gradient of the mean cross-entropy (chapter 3).

    cache is the second output of two_layer_forward; returns one gradient per weight array.
    """
    P = check_two_layer_params(params)
    check_choice(activation, ACTIVATIONS, "activation")
    n = len(cache["X"])
    y = check_labels(y, n)
    delta2 = ((sigmoid(cache["z2"]) - y) / n).reshape(-1, 1)
    delta1 = (delta2 @ P["W2"].T) * _act_derivative(cache["z1"], cache["a1"], activation)
    return {"W1": cache["X"].T @ delta1, "b1": delta1.sum(axis=0),
            "W2": cache["a1"].T @ delta2, "b2": delta2.sum(axis=0)}

# %% [markdown]
# ### Is the gradient right?
#
# A backward pass with a bug still returns numbers, and training with a slightly wrong
# gradient often still lowers the loss, so bugs hide. Two independent checks:
#
# - **central finite differences**: nudge each weight $\theta_j$ by $\pm\varepsilon$ and
#   take $\bigl(J(\theta + \varepsilon e_j) - J(\theta - \varepsilon e_j)\bigr) / 2\varepsilon$,
#   accurate to $O(\varepsilon^2)$ plus rounding of order $10^{-16}/\varepsilon$; it needs
#   two loss evaluations per weight;
# - **automatic differentiation**: TensorFlow's `GradientTape` records the forward pass
#   {eq}`dl-forward` and differentiates it mechanically.
#
# We compare on a mini-batch of training applicants, with random (Glorot) initial weights,
# in float64, by the relative error $\lVert g_1 - g_2 \rVert / (\lVert g_1 \rVert + \lVert g_2 \rVert)$.
# Central differences and the relative error first:

# %%
# @save
import numpy as np

from finbook.checks import check_gradients


def central_difference_gradient(f, params, eps=1e-6):
    """Numerical gradient of a scalar function f of named arrays, by central differences (chapter 3).

    Entry i is (f(theta + eps e_i) - f(theta - eps e_i)) / (2 eps), two evaluations of f per
    parameter; its error is O(eps^2) plus rounding of order 1e-16 / eps. params is not modified.
    """
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    work = {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}
    grads = {}
    for name, arr in work.items():
        g = np.zeros_like(arr)
        flat, g_flat = arr.reshape(-1), g.reshape(-1)  # views: setting flat[i] moves work[name]
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = f(work)
            flat[i] = old - eps
            down = f(work)
            flat[i] = old
            g_flat[i] = (up - down) / (2 * eps)
        grads[name] = g
    return grads


def relative_error(a, b):
    """Relative difference ||a - b|| / (||a|| + ||b||) of two gradients, Euclidean norms (chapter 3).

    a and b are arrays of one shape, or mappings with the same keys (compared all together). 0 means
    identical, about 1e-16 agreement to float64 rounding, 1 unrelated; two zero gradients give 0.
    """
    a, b = check_gradients(a, b)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


# %% [markdown]
# Then the same gradients by automatic differentiation: the forward pass {eq}`dl-forward`
# written in TensorFlow, recorded on a tape and differentiated by TensorFlow, not by us.

# %%
# @save
from finbook.checks import check_choice, check_features, check_labels, check_two_layer_params
from finbook.repro import import_tensorflow


def two_layer_gradients_tape(params, X, y, activation="relu"):
    """The gradients of two_layer_backward, by TensorFlow's GradientTape, in float64 (chapter 3)."""
    P = check_two_layer_params(params)
    X = check_features(X)
    y = check_labels(y, len(X))
    check_choice(activation, ACTIVATIONS, "activation")
    tf = import_tensorflow()
    weights = {k: tf.Variable(v, dtype=tf.float64) for k, v in P.items()}
    x = tf.constant(X, dtype=tf.float64)
    labels = tf.constant(y.reshape(-1, 1), dtype=tf.float64)
    act = tf.nn.relu if activation == "relu" else tf.tanh
    with tf.GradientTape() as tape:
        hidden = act(x @ weights["W1"] + weights["b1"])
        logits = hidden @ weights["W2"] + weights["b2"]
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
    grads = tape.gradient(loss, weights)
    return {k: grads[k].numpy() for k in ("W1", "b1", "W2", "b2")}


# %% [markdown]
# The comparison:

# %%
params = init_two_layer(n_features, HIDDEN_UNITS, seed=SEED)
X_batch, y_batch = X_train[:BATCH_SIZE], y_train[:BATCH_SIZE]
p_batch, cache = two_layer_forward(params, X_batch)
g_backprop = two_layer_backward(params, cache, y_batch)
g_numeric = central_difference_gradient(lambda q: two_layer_loss(q, X_batch, y_batch), params)
g_tape = two_layer_gradients_tape(params, X_batch, y_batch)
n_params = sum(v.size for v in params.values())
# tolerance: rtol=1; a rounding error's size depends on the order of the CPU's sums: only its magnitude carries
err_fd = relative_error(g_backprop, g_numeric)
err_tape = relative_error(g_backprop, g_tape)
assert err_fd < 1e-7 and err_tape < 1e-15
tape_shown = "< 1e-15"  # float64 rounding: its exact size is noise, so it is shown as a bound
pd.DataFrame({"relative error": [f"{err_fd:.0e}", tape_shown],
              "test asserts below": ["1e-07", "1e-10"]},
             index=["backprop vs central differences", "backprop vs GradientTape"])

# %% tags=["remove-cell"]
glue("dl_n_params_net", n_params, display=False)
glue("dl_n_loss_evals", 2 * n_params, display=False)
glue("dl_relerr_fd", f"{err_fd:.0e}", display=False)
glue("dl_relerr_tape", tape_shown, display=False)

# %% [markdown]
# Over all {glue:text}`dl_n_params_net` weights of the network, the hand-written backward
# pass agrees with central differences to a relative error of {glue:text}`dl_relerr_fd`
# (what the truncation and rounding of finite differences allow) and with TensorFlow's
# automatic differentiation to {glue:text}`dl_relerr_tape`, which is float64 rounding: the
# two compute the same numbers in a different order. The finite-difference check cost
# {glue:text}`dl_n_loss_evals` loss evaluations; backpropagation gets all the gradients
# for about the price of two more forward passes. That asymmetry is why networks with
# millions of weights can be trained at all {cite}`rumelhart1986learning`.
#
# These checks are not a one-off printout: `tests/test_gradients.py` repeats them on
# random inputs and weights, for ReLU and tanh, and fails if the relative error exceeds
# $10^{-7}$ against finite differences or $10^{-10}$ against `GradientTape`. It also checks
# that a backward pass with the ReLU derivative left out *fails* the check.
#
# ## The same network in Keras, trained with SGD and with Adam
#
# `finbook.models.mlp(n_features, hidden=(h,))` builds the network of {eq}`dl-forward` in
# Keras. To see that it is the same function, copy its initial weights into our NumPy
# forward pass and compare the predicted probabilities.

# %%
keras_net = models.mlp(n_features, hidden=(HIDDEN_UNITS,), name="two_layer")
keras_params = dict(zip(["W1", "b1", "W2", "b2"], keras_net.get_weights(), strict=True))
p_numpy, _ = two_layer_forward(keras_params, X_train)
p_keras = keras_net.predict(X_train.astype("float32"), verbose=0).ravel()
forward_gap = float(np.max(np.abs(p_numpy - p_keras)))
print(f"max |NumPy - Keras| predicted probability: {forward_gap:.0e} (Keras computes in float32)")

# %% tags=["remove-cell"]
glue("dl_forward_gap", f"{forward_gap:.0e}", display=False)

# %% [markdown]
# They agree to {glue:text}`dl_forward_gap`, float32 rounding. Keras then trains with
# *mini-batch* gradients: each step uses the gradient {eq}`dl-backward` of one batch of
# applicants, a noisy but cheap estimate of the full gradient. Plain **stochastic
# gradient descent** (SGD) applies it as in {eq}`dl-gd`. **Adam** {cite}`kingma2015adam`
# keeps exponential moving averages of the gradient $g_t$ and of its square and scales
# each weight's step by them:
#
# $$
# \begin{aligned}
# m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
# v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \\
# \theta_t &= \theta_{t-1} - \alpha \, \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon},
# \end{aligned}
# $$ (dl-adam)
#
# with the paper's defaults $\alpha = 0.001$, $\beta_1 = 0.9$, $\beta_2 = 0.999$,
# $\epsilon = 10^{-8}$. The averages damp the zig-zag we saw with a large $\alpha$, and the
# division by $\sqrt{v_t}$ gives rarely-moving weights (our rare categories) larger steps.
#
# The initial weights and the order of the mini-batches are random, and on
# {glue:text}`dl_n_training` applicants they move the result, so one training run proves
# little. We train each network from `N_SEEDS` seeds (seed $s$ fixes both the initial
# weights and the batch order; with the same seed SGD and Adam start from the same weights),
# each optimiser at its Keras default learning rate (SGD 0.01, Adam 0.001), stop when the
# validation loss has not improved for `PATIENCE` epochs, and keep the best weights. The
# data split stays the one above. `finbook.inference.over_seeds` collects each seed's test
# AUC and the AUC of the **seed ensemble**, the average of the seeds' probabilities.

# %%
seeds = [SEED + k for k in range(N_SEEDS)]
histories, runs_table = {}, {}


def train_and_score(label, optimizer, rate):
    """A fit_score for over_seeds: train the network from a seed; return (test AUC, test probabilities)."""
    def fit_score(seed):
        repro.set_seed(seed)
        net = models.mlp(n_features, hidden=(HIDDEN_UNITS,), optimizer=optimizer, learning_rate=rate)
        net, history = train(net, X_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE,
                             validation_data=(X_val, y_val), patience=PATIENCE, seed=seed)
        if seed == SEED:
            histories[label] = history  # the run drawn below
        p = net.predict(X_test.astype("float32"), verbose=0).ravel()
        runs_table[(label, seed)] = {"epochs run": len(history["loss"]),
                                     "best epoch": int(np.argmin(history["val_loss"])) + 1,
                                     "best validation loss": min(history["val_loss"]),
                                     "test AUC": metrics.roc_auc(y_test, p), "p": p,
                                     "p_val": net.predict(X_val.astype("float32"), verbose=0).ravel(),
                                     "p_train": net.predict(X_train.astype("float32"), verbose=0).ravel()}
        return runs_table[(label, seed)]["test AUC"], p
    return fit_score


spreads = {label: inference.over_seeds(train_and_score(label, optimizer, rate), seeds,
                                       score_predictions=lambda p: metrics.roc_auc(y_test, p))
           for label, optimizer, rate in [("SGD", "sgd", 0.01), ("Adam", "adam", 0.001)]}
runs_df = pd.DataFrame.from_dict(runs_table, orient="index")
runs_df.index.names = ["optimizer", "seed"]
ensemble_p = {label: np.mean(list(runs_df.loc[label, "p"]), axis=0) for label in spreads}
training = (runs_df.drop(columns=["p", "p_val", "p_train"]).astype(float)
            .groupby(level="optimizer", sort=False).agg(["mean", "min", "max"]))
n_capped = int((runs_df.loc["SGD", "best epoch"] >= EPOCHS - PATIENCE).sum())
display(training.round(4))

# %% tags=["remove-cell"]
for label in spreads:
    key = label.lower()
    first = runs_df.loc[(label, SEED)]
    glue(f"dl_{key}_best_epoch", int(first["best epoch"]), display=False)
    glue(f"dl_{key}_best_val", round(float(first["best validation loss"]), 4), display=False)
    glue(f"dl_{key}_best_epoch_range", f"{int(training.loc[label, ('best epoch', 'min')])} to "
         f"{int(training.loc[label, ('best epoch', 'max')])}", display=False)
glue("dl_sgd_capped", f"{n_capped} of {N_SEEDS}", display=False)
glue("dl_n_seeds", N_SEEDS, display=False)
glue("dl_seed", SEED, display=False)

# %%
ax = plots.plot_history(histories, ylabel="cross-entropy (nats)")
ax.axhline(ce_flat, color="grey", linestyle=":", label="base rate (training)")
ax.legend()
plt.show()

# %% [markdown]
# The figure shows the run from seed {glue:text}`dl_seed`: solid lines are the training
# loss, dashed lines the validation loss. Adam reaches its best validation loss,
# {glue:text}`dl_adam_best_val` nats, at epoch {glue:text}`dl_adam_best_epoch` (epochs
# {glue:text}`dl_adam_best_epoch_range` over the {glue:text}`dl_n_seeds` seeds); SGD
# reaches {glue:text}`dl_sgd_best_val` at epoch {glue:text}`dl_sgd_best_epoch` (epochs
# {glue:text}`dl_sgd_best_epoch_range`), and in {glue:text}`dl_sgd_capped` seeds its best
# epoch falls within `PATIENCE` epochs of the `EPOCHS` limit, so those runs ended at the
# limit, not by early stopping: SGD at this learning rate might improve with more epochs. After its best epoch
# Adam keeps lowering the *training* loss while the validation loss turns up: with
# {glue:text}`dl_n_training` applicants and {glue:text}`dl_n_params_net` weights, the
# network starts to memorise, and early stopping is what prevents that from reaching the
# test set.
#
# ## Out of sample: does the network beat logistic regression?
#
# The held-out {glue:text}`dl_n_test` applicants decide. Beside the ranking quality (ROC
# AUC, with a 95% bootstrap interval) and the quality of the probabilities (log loss,
# Brier score), we score decisions with the published cost matrix of this dataset:
# accepting an applicant who turns out bad costs 5, rejecting a good one costs 1. With
# calibrated probabilities the cheapest rule rejects when $\hat p > 1/(1 + 5) = 1/6$.
# The costs are counted on the sample, as in the Statlog comparisons, so the threshold
# applies to the sample's probabilities; for the bank's own applicants, apply it to
# probabilities corrected with {eq}`dl-prior-correction`.

# %%
cost_fn = float(data.GERMAN_CREDIT_COSTS.loc["bad", "accept"])
cost_fp = float(data.GERMAN_CREDIT_COSTS.loc["good", "reject"])
threshold = metrics.bayes_threshold(cost_fn=cost_fn, cost_fp=cost_fp)
test_probs = {
    "Base rate (no model)": np.full(len(y_test), y_train.mean()),
    "Logistic regression (NumPy GD)": lr_gd.predict_proba(X_test),
    "Two-layer network, SGD (seed ensemble)": ensemble_p["SGD"],
    "Two-layer network, Adam (seed ensemble)": ensemble_p["Adam"],
}
rows = {}
for label, p in test_probs.items():
    if label.startswith("Base rate"):  # a constant score ranks nobody: AUC 0.5, no interval
        auc, ci = 0.5, "-"
    else:
        auc, lo, hi = metrics.bootstrap_ci(metrics.roc_auc, y_test, p, n_boot=300, seed=SEED)
        ci = f"[{lo:.3f}, {hi:.3f}]"
    rows[label] = {"ROC AUC": auc, "AUC 95% CI": ci,
                   "log loss": metrics.log_loss(y_test, p), "Brier": metrics.brier_score(y_test, p),
                   "cost per applicant": metrics.expected_cost(
                       y_test, (p > threshold).astype(int), cost_fn=cost_fn, cost_fp=cost_fp)}
results = pd.DataFrame.from_dict(rows, orient="index")
seed_table = pd.DataFrame({label: spreads[label].summary() for label in spreads}).T
seed_table.columns = [f"test AUC, {c}" if c != "seeds" else c for c in seed_table.columns]
seed_table["seeds"] = seed_table["seeds"].astype(int)
display(results.round(4))
seed_table.round(4)

# %%
fig, ax = plt.subplots(figsize=(4.6, 4.2))
for label, p in list(test_probs.items())[1:]:
    fpr, tpr, _ = roc_curve(y_test, p)
    ax.plot(fpr, tpr, label=f"{label} (AUC {results.loc[label, 'ROC AUC']:.3f})")
ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="no skill")
ax.set_xlabel("false positive rate (good applicants rejected)")
ax.set_ylabel("true positive rate (bad applicants rejected)")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# The curves lie close together. Is the gap between a network and logistic regression
# more than noise? We decide on the **seed ensemble** of each network, so that no verdict
# rests on one lucky or unlucky seed, and test it with a paired bootstrap
# (`finbook.metrics.paired_bootstrap_test`): it resamples the *same* test applicants for
# both models, so the two AUCs move together and their difference is measured precisely,
# and its two-sided p-value matches the percentile interval. The applicants are
# independent, so plain resampling of cases fits; blocks are for time series. The level is
# 5%.

# %%
p_lr = test_probs["Logistic regression (NumPy GD)"]
tests = {label: metrics.paired_bootstrap_test(metrics.roc_auc, y_test, ensemble_p[label], p_lr,
                                              n_boot=999, seed=SEED)
         for label in ("Adam", "SGD")}
for label, t in tests.items():
    print(f"AUC({label} ensemble) - AUC(logistic regression) = {t.estimate:+.4f}, "
          f"95% CI [{t.lower:+.4f}, {t.upper:+.4f}], {inference.format_pvalue(t.pvalue)}")

# %% tags=["remove-cell"]
for key, label in [("flat", "Base rate (no model)"), ("lr", "Logistic regression (NumPy GD)"),
                   ("sgd", "Two-layer network, SGD (seed ensemble)"),
                   ("adam", "Two-layer network, Adam (seed ensemble)")]:
    glue(f"dl_auc_{key}", round(float(results.loc[label, "ROC AUC"]), 4), display=False)
    glue(f"dl_ci_{key}", str(results.loc[label, "AUC 95% CI"]), display=False)
    glue(f"dl_cost_{key}", round(float(results.loc[label, "cost per applicant"]), 4), display=False)
    glue(f"dl_logloss_{key}", round(float(results.loc[label, "log loss"]), 4), display=False)
for label in ("Adam", "SGD"):
    key, t, spread = label.lower(), tests[label], spreads[label]
    glue(f"dl_auc_{key}_mean", round(spread.mean, 4), display=False)
    glue(f"dl_auc_{key}_range", f"{spread.min:.3f} to {spread.max:.3f}", display=False)
    glue(f"dl_n_seeds_below_lr_{key}", int((spread.scores < results.loc[
        "Logistic regression (NumPy GD)", "ROC AUC"]).sum()), display=False)
    glue(f"dl_auc_diff_{key}", f"{t.estimate:+.3f}", display=False)
    glue(f"dl_auc_diff_ci_{key}", f"[{t.lower:+.3f}, {t.upper:+.3f}]", display=False)
    glue(f"dl_auc_verdict_{key}", inference.verdict(
        t, better="higher", names=(f"the {label} ensemble", "logistic regression")), display=False)
glue("dl_accuracy_all_good", round(float(1 - y_test.mean()), 2), display=False)
glue("dl_cost_all_good", round(float(cost_fn * y_test.mean()), 2), display=False)
headline.glue_headline(
    task="German credit default (2-layer network)",
    metric=f"ROC AUC, held-out test set ({len(y_test)} applicants)",
    better="higher",
    deep_model=f"Two-layer network (Keras, Adam), {N_SEEDS}-seed ensemble",
    deep_score=round(float(results.loc["Two-layer network, Adam (seed ensemble)", "ROC AUC"]), 4),
    baseline_model="Logistic regression (NumPy gradient descent)",
    baseline_score=round(float(results.loc["Logistic regression (NumPy GD)", "ROC AUC"]), 4),
)

# %% [markdown]
# On the held-out applicants logistic regression, fitted by our own gradient descent, has
# an AUC of {glue:text}`dl_auc_lr` (95% interval {glue:text}`dl_ci_lr`). Over
# {glue:text}`dl_n_seeds` seeds the Adam-trained network's test AUC has mean
# {glue:text}`dl_auc_adam_mean` and ranges from {glue:text}`dl_auc_adam_range`
# ({glue:text}`dl_n_seeds_below_lr_adam` of the {glue:text}`dl_n_seeds` seeds lie below
# logistic regression); its seed ensemble scores {glue:text}`dl_auc_adam`
# ({glue:text}`dl_ci_adam`). The SGD-trained network ranges from
# {glue:text}`dl_auc_sgd_range` (mean {glue:text}`dl_auc_sgd_mean`,
# {glue:text}`dl_n_seeds_below_lr_sgd` seeds below logistic regression), and its ensemble
# scores {glue:text}`dl_auc_sgd` ({glue:text}`dl_ci_sgd`).
#
# The paired difference between the Adam ensemble and logistic regression is
# {glue:text}`dl_auc_diff_adam` with 95% interval {glue:text}`dl_auc_diff_ci_adam`: on
# {glue:text}`dl_n_test` test applicants, {glue:text}`dl_auc_verdict_adam`. For the SGD
# ensemble the difference is {glue:text}`dl_auc_diff_sgd` ({glue:text}`dl_auc_diff_ci_sgd`):
# {glue:text}`dl_auc_verdict_sgd`. In cost at the 1/6 threshold,
# logistic regression comes to {glue:text}`dl_cost_lr` per applicant and the Adam ensemble
# to {glue:text}`dl_cost_adam`, against {glue:text}`dl_cost_flat` for rejecting everyone.
#
# The article's recipe would have reported accuracy. Calling every applicant good is
# {glue:text}`dl_accuracy_all_good` accurate on this test set and costs
# {glue:text}`dl_cost_all_good` per applicant (every bad loan accepted), the worst
# decision in the table: accuracy hides exactly the errors a lender pays for.
#
# ### Are the probabilities right? Calibration
#
# The AUC only asks whether bad applicants are ranked above good ones; transform the
# probabilities by any increasing function and it does not change. A lender who prices a
# loan, provisions for it or applies the 1/6 threshold uses the *level* of $\hat p$. A model is **calibrated** if,
# among the applicants it scores at about $\hat p$, a share of about $\hat p$ turn out bad.
# The **reliability diagram** checks this directly: sort the test applicants by predicted
# probability into $B$ bins of equal size and plot each bin's mean prediction
# $\bar p_b$ against its observed bad rate $\bar y_b$; a calibrated model's points lie on
# the diagonal. Two numbers summarise it: the Brier score, the squared error
# {eq}`dl-mse` of the probabilities (already in the table above), and the **expected
# calibration error** {cite}`guo2017calibration`
#
# $$
# \text{ECE} = \sum_{b=1}^{B} \frac{n_b}{n} \bigl| \bar p_b - \bar y_b \bigr| ,
# $$ (dl-ece)
#
# the average gap between the points and the diagonal. On {glue:text}`dl_n_test`
# applicants a bin of {glue:text}`dl_bin_size` holds a handful of bad ones, so even a
# perfectly calibrated model has a positive ECE. To know how large, we draw outcomes from the model's own
# probabilities, $y^*_i \sim \text{Bernoulli}(\hat p_i)$, which makes the model calibrated
# by construction, and recompute the ECE many times: an observed ECE above most of these is
# evidence of miscalibration (a parametric bootstrap test of calibration).

# %%
CALIBRATION_BINS = 10  # equal-size bins of the reliability diagram


def calibration_bins(p, bins=CALIBRATION_BINS):
    """Bin of each forecast, 0 .. bins - 1: bins of equal size by predicted probability."""
    ranks = np.argsort(np.argsort(p, kind="stable"), kind="stable")
    return ranks * bins // len(p)


def expected_calibration_error(y, p, bins=CALIBRATION_BINS):
    """ECE of eq. dl-ece: sum over bins of |sum of (p - y) in the bin| / n."""
    gap = np.bincount(calibration_bins(p, bins), weights=np.asarray(p) - np.asarray(y), minlength=bins)
    return float(np.abs(gap).sum() / len(p))


def calibration_test(y, p, bins=CALIBRATION_BINS, n_sim=999, seed=SEED):
    """ECE of (y, p) and its p-value: the share of ECEs, outcomes drawn from p itself, at least as large."""
    rng = np.random.default_rng(seed)
    onehot = np.eye(bins)[calibration_bins(p, bins)]  # applicants x bins
    y_sim = (rng.random((n_sim, len(p))) < p).astype(float)  # outcomes of a calibrated model
    ece_sim = np.abs((p - y_sim) @ onehot).sum(axis=1) / len(p)
    ece = expected_calibration_error(y, p, bins)
    return ece, float((1 + np.sum(ece_sim >= ece)) / (n_sim + 1)), float(np.quantile(ece_sim, 0.95))


calibrated = {"Logistic regression (NumPy GD)": p_lr,
              "Two-layer network, Adam (seed ensemble)": ensemble_p["Adam"]}
calibration = pd.DataFrame(
    {label: dict(zip(["ECE", "p-value (calibrated)", "95% of ECE if calibrated"],
                     calibration_test(y_test.astype(float), p), strict=True))
     | {"Brier": metrics.brier_score(y_test, p), "mean predicted": float(p.mean()),
        "observed bad rate": float(y_test.mean())}
     for label, p in calibrated.items()}).T
fig, ax = plt.subplots(figsize=(4.6, 4.2))
for label, p in calibrated.items():
    b = calibration_bins(p)
    ax.plot(np.bincount(b, weights=p) / np.bincount(b), np.bincount(b, weights=y_test) / np.bincount(b),
            marker="o", markersize=4, label=f"{label} (ECE {calibration.loc[label, 'ECE']:.3f})")
ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
ax.set_xlabel("mean predicted probability of default in the bin")
ax.set_ylabel("observed bad rate in the bin")
ax.set_title(f"Reliability diagram (test, {CALIBRATION_BINS} equal-size bins)")
ax.legend(loc="upper left", fontsize=8)
plt.show()
calibration.round(4)

# %% tags=["remove-cell"]
for key, label in [("lr", "Logistic regression (NumPy GD)"), ("adam", "Two-layer network, Adam (seed ensemble)")]:
    row = calibration.loc[label]
    glue(f"dl_ece_{key}", round(float(row["ECE"]), 3), display=False)
    glue(f"dl_ece_p_{key}", inference.format_pvalue(float(row["p-value (calibrated)"])), display=False)
    glue(f"dl_ece_q95_{key}", round(float(row["95% of ECE if calibrated"]), 3), display=False)
    glue(f"dl_brier_{key}", round(float(row["Brier"]), 4), display=False)
    glue(f"dl_mean_p_{key}", round(float(row["mean predicted"]), 3), display=False)
    glue(f"dl_ece_words_{key}", "larger than" if row["p-value (calibrated)"] < 0.05
         else "within the range of", display=False)
glue("dl_calibration_bins", CALIBRATION_BINS, display=False)
glue("dl_bin_size", len(y_test) // CALIBRATION_BINS, display=False)
glue("dl_bin_se", round(float(np.sqrt(y_test.mean() * (1 - y_test.mean()) / (len(y_test) // CALIBRATION_BINS))), 2),
     display=False)
glue("dl_test_bad_rate", round(float(y_test.mean()), 3), display=False)

# %% [markdown]
# Logistic regression's ECE is {glue:text}`dl_ece_lr` ({glue:text}`dl_ece_p_lr`: a
# calibrated model would score up to {glue:text}`dl_ece_q95_lr` in 95% of draws), the Adam
# ensemble's {glue:text}`dl_ece_adam` ({glue:text}`dl_ece_p_adam`, 95% bound
# {glue:text}`dl_ece_q95_adam`): the network's gap is {glue:text}`dl_ece_words_adam` what
# chance alone produces on {glue:text}`dl_n_test` applicants, logistic regression's
# {glue:text}`dl_ece_words_lr` it. Their Brier scores are {glue:text}`dl_brier_adam` and
# {glue:text}`dl_brier_lr`; their mean predicted probabilities, {glue:text}`dl_mean_p_adam`
# and {glue:text}`dl_mean_p_lr`, against an observed bad rate of
# {glue:text}`dl_test_bad_rate`. Both were fitted by minimising cross-entropy, and a
# likelihood fit with an intercept gets the *average* right on the rows it was fitted to:
# at the optimum the derivative {eq}`dl-lr-grad` with respect to the intercept, the mean of
# $\hat p - y$, is zero (the network, stopped early, is not exactly at its optimum). That
# says nothing about each bin, nor about new applicants; the diagram tests both. Points of
# {glue:text}`dl_bin_size` applicants each are noisy: at the base rate a bin's observed bad
# rate has a standard error of about {glue:text}`dl_bin_se`, so a point a few hundredths
# off the diagonal is within its own sampling error. And these are probabilities for the
# *sample*: for the bank's applicants they still need the prior correction
# {eq}`dl-prior-correction`.
#
# ## Regularisation: fitting the training applicants less closely
#
# The network has {glue:text}`dl_n_params_net` weights and {glue:text}`dl_n_training`
# training applicants. Left alone, it would learn the training applicants rather than the
# risk they share, as its training curve above already shows. The cure is
# **regularisation**: anything that limits how closely a model can follow its training
# data, bought with a little systematic error. The trade is easiest to see in the squared
# error of a probability, the Brier score. For an applicant with true default probability
# $p(x)$ and a model $\hat p(x)$ that depends on the random training sample (and, for a
# network, on its seed), the expected squared error splits into three parts
# {cite}`goodfellow2016deep`:
#
# $$
# \mathbb{E}\bigl[(\hat p(x) - y)^2\bigr] =
# \underbrace{p(x)\bigl(1 - p(x)\bigr)}_{\text{noise}} +
# \underbrace{\bigl(\mathbb{E}[\hat p(x)] - p(x)\bigr)^2}_{\text{bias}^2} +
# \underbrace{\operatorname{Var}\bigl[\hat p(x)\bigr]}_{\text{variance}} .
# $$ (dl-bias-variance)
#
# The noise is the coin flip of default itself; no model removes it. A flexible model has
# little bias but a large variance (a different sample would give a different fit); a rigid
# one the reverse. Regularisation moves a model along this **bias–variance trade-off**
# towards less variance, and validation data tell us how far to go.
#
# One part of the variance we can measure exactly: the part due to the seed. For one
# test applicant, the Brier score averaged over the $S$ seeds' probabilities $\hat p_s$
# equals the Brier score of their average $\bar p$ plus their variance,
# $\frac1S \sum_s (\hat p_s - y)^2 = (\bar p - y)^2 + \frac1S \sum_s (\hat p_s - \bar p)^2$,
# an identity of algebra. The seed ensemble's Brier score is therefore at most the average
# seed's: averaging removes the seed variance.

# %%
members = np.stack(list(runs_df.loc["Adam", "p"]))  # seeds x test applicants
member_brier = float(np.mean([metrics.brier_score(y_test, q) for q in members]))
ensemble_brier = metrics.brier_score(y_test, members.mean(axis=0))
seed_variance = float(members.var(axis=0).mean())
assert np.isclose(member_brier, ensemble_brier + seed_variance, rtol=1e-12)  # the identity
pd.Series({"Brier score, mean over seeds": member_brier, "Brier score of the seed ensemble": ensemble_brier,
           "seed variance (mean over test applicants)": seed_variance}).round(5)

# %% tags=["remove-cell"]
glue("dl_member_brier", round(member_brier, 4), display=False)
glue("dl_ensemble_brier", round(ensemble_brier, 4), display=False)
glue("dl_seed_variance", f"{seed_variance:.1e}", display=False)
adam_run = histories["Adam"]  # the run from seed SEED drawn above
best_at = adam_run["best_epoch"] - 1
glue("dl_es_train_best", round(float(adam_run["loss"][best_at]), 4), display=False)
glue("dl_es_train_last", round(float(adam_run["loss"][-1]), 4), display=False)
glue("dl_es_val_best", round(float(adam_run["val_loss"][best_at]), 4), display=False)
glue("dl_es_val_last", round(float(adam_run["val_loss"][-1]), 4), display=False)

# %% [markdown]
# For the Adam network the average seed has a Brier score of {glue:text}`dl_member_brier`
# and the ensemble {glue:text}`dl_ensemble_brier`, the difference being the seed variance,
# {glue:text}`dl_seed_variance`. That is small beside the Brier score itself: most of the
# error is the noise term, and the variance that matters more, from the sampling of the
# {glue:text}`dl_n_training` training applicants, no seed ensemble removes. That is the
# job of the three regularisers below.
#
# **Early stopping** is the one the chapter has used all along. Each epoch lets the
# weights move further from their small random start, so the number of epochs is a
# capacity dial: for a quadratic loss, $t$ steps of gradient descent of size $\alpha$ from
# zero act like the L2 penalty $\lambda \lVert w \rVert^2$ of {eq}`dl-l2` below with
# $\lambda \approx 1/(2\alpha t)$ {cite}`goodfellow2016deep`: more steps, weaker penalty.
# Stopping at the best validation loss chooses $t$ on validation data. In the run drawn
# above (seed {glue:text}`dl_seed`), the `PATIENCE` epochs after Adam's best epoch lowered
# the training loss from {glue:text}`dl_es_train_best` to {glue:text}`dl_es_train_last` and
# raised the validation loss from {glue:text}`dl_es_val_best` to
# {glue:text}`dl_es_val_last`: fitting more, generalising less. `fit` then put back the
# weights of the best epoch.
#
# **Weight decay** adds a penalty on the size of the weights to the loss. `models.mlp`
# penalises the hidden layer's kernel $W^{(1)}$, the weights that build the features, and
# leaves the output layer (a logistic regression on the hidden units) and the biases free:
#
# $$
# J_\lambda = J + \lambda \lVert W^{(1)} \rVert^2, \qquad
# W^{(1)} \leftarrow W^{(1)} - \alpha\bigl(\nabla_{W^{(1)}} J + 2\lambda W^{(1)}\bigr)
#   = (1 - 2\alpha\lambda) W^{(1)} - \alpha \nabla_{W^{(1)}} J .
# $$ (dl-l2)
#
# Each gradient step first shrinks the weights by the factor $1 - 2\alpha\lambda$, hence the
# name; only weights the data keep pushing survive. (Keras adds the penalty to the loss, so
# Adam rescales its gradient like any other; the "decoupled" weight decay of AdamW shrinks
# the weights outside Adam's scaling, which is not the same for Adam.)
#
# **Dropout** {cite}`srivastava2014dropout` sets each hidden unit to zero with probability
# $r$ at each training step, and multiplies the survivors by $1/(1 - r)$ so that each
# unit's expected value is unchanged; at prediction time all units are kept. No unit can
# rely on a particular other one being present, so the network cannot build fragile
# co-adapted features, and training averages, in effect, over many thinned networks. Both
# in code, with checks that Keras computes the same penalty and that dropout keeps the mean:

# %%
def l2_penalty(params, lam):
    """The penalty of eq. dl-l2: lam times the sum of squares of the hidden kernel W1."""
    return lam * float(np.sum(params["W1"] ** 2))


def l2_penalty_gradient(params, lam):
    """Gradient of l2_penalty: 2 lam W1 for W1, zero for the other weights (added to backprop's)."""
    return {k: 2.0 * lam * v if k == "W1" else np.zeros_like(v) for k, v in params.items()}


def dropout(a, rate, rng):
    """Inverted dropout of activations a: zero each with probability rate, scale the rest by 1/(1 - rate)."""
    keep = rng.random(a.shape) >= rate
    return np.where(keep, a / (1.0 - rate), 0.0)


# Keras's penalty for the same weights is ours (float32 rounding aside)
penalised_net = models.mlp(n_features, hidden=(HIDDEN_UNITS,), l2=WEIGHT_DECAYS[0])
penalised_params = dict(zip(["W1", "b1", "W2", "b2"], penalised_net.get_weights(), strict=True))
keras_penalty = float(sum(float(v) for v in penalised_net.losses))
assert np.isclose(keras_penalty, l2_penalty(penalised_params, WEIGHT_DECAYS[0]), rtol=1e-5)
# dropout keeps each unit's mean: average 4,000 dropped copies of a batch's hidden activations
hidden = two_layer_forward(params, X_batch)[1]["a1"]
rng = np.random.default_rng(SEED)
dropped_mean = np.mean([dropout(hidden, 0.5, rng) for _ in range(4000)], axis=0)
assert np.abs(dropped_mean - hidden).max() < 0.05 * hidden.max()
print(f"L2 penalty at lambda = {WEIGHT_DECAYS[0]}: Keras {keras_penalty:.6f}, ours "
      f"{l2_penalty(penalised_params, WEIGHT_DECAYS[0]):.6f}")

# %% [markdown]
# ### The experiment: which regulariser, how strong?
#
# We train the Adam network of the previous section again, from the same
# {glue:text}`dl_n_seeds` seeds, with the same early stopping, once with each weight decay
# $\lambda$ in `WEIGHT_DECAYS` and once with each dropout rate $r$ in `DROPOUT_RATES`. The
# choice is made on the **validation** applicants only: the configuration whose seed
# ensemble has the lowest validation cross-entropy. The unregularised network is in the
# running too, so a regulariser must earn its place. (The validation applicants also
# stopped the training, for all configurations alike, so the validation losses are all a
# little optimistic; the test set, which no choice has seen, is consulted once, at the
# end.) Beside the validation loss we record the training loss: the pair is a **validation
# curve**, the bias–variance trade-off made visible.

# %%
def train_regularised(l2=0.0, dropout_rate=0.0):
    """The Adam network from every seed, with an L2 penalty or dropout; each seed's probabilities."""
    out = {"train": [], "val": [], "test": [], "best_epoch": []}
    for seed in seeds:
        repro.set_seed(seed)
        net = models.mlp(n_features, hidden=(HIDDEN_UNITS,), l2=l2, dropout=dropout_rate)
        net, history = train(net, X_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE,
                             validation_data=(X_val, y_val), patience=PATIENCE, seed=seed)
        for part, X in (("train", X_train), ("val", X_val), ("test", X_test)):
            out[part].append(net.predict(X.astype("float32"), verbose=0).ravel())
        out["best_epoch"].append(history["best_epoch"])
    return {part: np.stack(p) for part, p in out.items()}


reg_preds = {"none": {part: np.stack(list(runs_df.loc["Adam", column])) for part, column in
                      (("train", "p_train"), ("val", "p_val"), ("test", "p"), ("best_epoch", "best epoch"))}}
reg_preds |= {f"weight decay {lam:g}": train_regularised(l2=lam) for lam in WEIGHT_DECAYS}
reg_preds |= {f"dropout {rate:g}": train_regularised(dropout_rate=rate) for rate in DROPOUT_RATES}
val_curve = pd.DataFrame({
    name: {"training cross-entropy (ensemble)": metrics.log_loss(y_train, pr["train"].mean(axis=0)),
           "validation cross-entropy (ensemble)": metrics.log_loss(y_val, pr["val"].mean(axis=0)),
           "validation cross-entropy (mean over seeds)": np.mean([metrics.log_loss(y_val, q)
                                                                  for q in pr["val"]]),
           "validation AUC (ensemble)": metrics.roc_auc(y_val, pr["val"].mean(axis=0)),
           "best epoch (mean over seeds)": float(np.mean(pr["best_epoch"]))}
    for name, pr in reg_preds.items()}).T
decays = ["none"] + [f"weight decay {lam:g}" for lam in WEIGHT_DECAYS]
# the bias side of the trade: a stronger penalty fits the training applicants less closely
assert val_curve.loc[decays, "training cross-entropy (ensemble)"].is_monotonic_increasing
# dropout: does it train longer before early stopping, and does the full network fit closer?
drop_max = f"dropout {max(DROPOUT_RATES):g}"
drop_longer = bool(val_curve.loc[drop_max, "best epoch (mean over seeds)"]
                   > val_curve.loc["none", "best epoch (mean over seeds)"])
drop_closer = bool(val_curve.loc[drop_max, "training cross-entropy (ensemble)"]
                   < val_curve.loc["none", "training cross-entropy (ensemble)"])
best_reg = val_curve.drop(index="none")["validation cross-entropy (ensemble)"].idxmin()
chosen = (best_reg if val_curve.loc[best_reg, "validation cross-entropy (ensemble)"]
          < val_curve.loc["none", "validation cross-entropy (ensemble)"] else "none")
val_curve.round(4)

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
for ax, (prefix, grid) in zip(axes, [("weight decay", WEIGHT_DECAYS), ("dropout", DROPOUT_RATES)],
                              strict=True):
    configs = ["none"] + [f"{prefix} {g:g}" for g in grid]
    x = np.arange(len(configs))
    for column, style in [("training cross-entropy (ensemble)", "-o"),
                          ("validation cross-entropy (ensemble)", "-s"),
                          ("validation cross-entropy (mean over seeds)", ":s")]:
        ax.plot(x, val_curve.loc[configs, column], style, label=column)
    ax.set_xticks(x, ["0"] + [f"{g:g}" for g in grid])
    ax.set_xlabel(r"$\lambda$ of the L2 penalty" if prefix == "weight decay" else "dropout rate $r$")
    ax.set_title(f"Validation curve: {prefix}")
axes[0].set_ylabel("cross-entropy (nats)")
axes[1].legend(fontsize=8)
plt.show()

# %% tags=["remove-cell"]
vc = val_curve["validation cross-entropy (ensemble)"]
glue("dl_reg_best", best_reg, display=False)
glue("dl_reg_val_best", round(float(vc[best_reg]), 4), display=False)
glue("dl_reg_val_none", round(float(vc["none"]), 4), display=False)
glue("dl_reg_chosen", "no regulariser beyond early stopping" if chosen == "none" else best_reg,
     display=False)
glue("dl_reg_val_rank", "below" if chosen != "none" else "not below", display=False)
glue("dl_reg_val_spread", round(float(vc.max() - vc.min()), 4), display=False)
strongest = f"weight decay {max(WEIGHT_DECAYS):g}"
glue("dl_reg_strong", strongest, display=False)
glue("dl_reg_strong_train", round(float(val_curve.loc[strongest, "training cross-entropy (ensemble)"]), 4),
     display=False)
glue("dl_reg_none_train", round(float(val_curve.loc["none", "training cross-entropy (ensemble)"]), 4),
     display=False)
glue("dl_reg_strong_val", round(float(vc[strongest]), 4), display=False)
most_dropout = f"dropout {max(DROPOUT_RATES):g}"
glue("dl_reg_drop", most_dropout, display=False)
glue("dl_reg_drop_train", round(float(val_curve.loc[most_dropout, "training cross-entropy (ensemble)"]), 4),
     display=False)
glue("dl_reg_epochs_drop", round(float(val_curve.loc[most_dropout, "best epoch (mean over seeds)"])),
     display=False)
glue("dl_reg_epochs_none", round(float(val_curve.loc["none", "best epoch (mean over seeds)"])), display=False)
glue("dl_reg_drop_direction", "the other way here, down" if drop_closer else "the same way here, up",
     display=False)
glue("dl_reg_drop_reading",
     "so early stopping lets it run longer and the full network, evaluated with all units, then fits "
     "the training applicants more closely" if drop_longer and drop_closer else
     "so early stopping may let it run longer and the full network, evaluated with all units, may then "
     "fit the training applicants more closely; with these seeds it "
     + ("ran longer" if drop_longer else "did not run longer") + " and "
     + ("fitted more closely" if drop_closer else "did not fit more closely"), display=False)

# %% [markdown]
# Along the weight-decay curve a larger $\lambda$ raises the training loss (the notebook
# asserts it): with {glue:text}`dl_reg_strong` the ensemble's training cross-entropy is
# {glue:text}`dl_reg_strong_train` nats against {glue:text}`dl_reg_none_train` without,
# the bias side of the trade, and its validation loss is {glue:text}`dl_reg_strong_val`.
# Dropout moves the training loss {glue:text}`dl_reg_drop_direction`, to {glue:text}`dl_reg_drop_train` with
# {glue:text}`dl_reg_drop`. A network trained with dropout learns more slowly (its best
# epoch is {glue:text}`dl_reg_epochs_drop` on average over the seeds, against
# {glue:text}`dl_reg_epochs_none` without), {glue:text}`dl_reg_drop_reading`. The two
# regularisers interact with early stopping; only the validation loss can judge the
# combination.
#
# The best regularised configuration on validation is {glue:text}`dl_reg_best`, at {glue:text}`dl_reg_val_best`
# nats, {glue:text}`dl_reg_val_rank` the {glue:text}`dl_reg_val_none` of the
# unregularised network; so validation chooses {glue:text}`dl_reg_chosen`. All the
# validation losses lie within {glue:text}`dl_reg_val_spread` nats of each other, on
# {glue:text}`dl_n_validation` applicants: early stopping already does most of what a regulariser can do for a network
# this small. Now, once, the test set: the best regularised ensemble against the
# unregularised one, on the same test applicants, with the paired bootstrap used above, for
# the ranking (AUC) and for the probabilities (log loss).

# %%
p_reg, p_none = reg_preds[best_reg]["test"].mean(axis=0), reg_preds["none"]["test"].mean(axis=0)
reg_tests = {
    "ROC AUC": metrics.paired_bootstrap_test(metrics.roc_auc, y_test, p_reg, p_none, n_boot=999, seed=SEED),
    "log loss": metrics.paired_bootstrap_test(metrics.log_loss, y_test, p_reg, p_none, n_boot=999, seed=SEED)}
reg_seed_auc = pd.Series([metrics.roc_auc(y_test, q) for q in reg_preds[best_reg]["test"]], index=seeds)
pd.DataFrame({name: {f"{best_reg} (ensemble)": metrics.roc_auc(y_test, p_reg) if name == "ROC AUC"
                     else metrics.log_loss(y_test, p_reg),
                     "none (ensemble)": metrics.roc_auc(y_test, p_none) if name == "ROC AUC"
                     else metrics.log_loss(y_test, p_none),
                     "difference": t.estimate, "95% CI": f"[{t.lower:+.4f}, {t.upper:+.4f}]",
                     "p-value": inference.format_pvalue(t.pvalue)}
              for name, t in reg_tests.items()}).T

# %% tags=["remove-cell"]
glue("dl_reg_auc", round(metrics.roc_auc(y_test, p_reg), 4), display=False)
glue("dl_reg_logloss", round(metrics.log_loss(y_test, p_reg), 4), display=False)
glue("dl_reg_auc_range", f"{reg_seed_auc.min():.3f} to {reg_seed_auc.max():.3f}", display=False)
glue("dl_reg_auc_diff", f"{reg_tests['ROC AUC'].estimate:+.3f}", display=False)
glue("dl_reg_auc_diff_ci", f"[{reg_tests['ROC AUC'].lower:+.3f}, {reg_tests['ROC AUC'].upper:+.3f}]",
     display=False)
glue("dl_reg_logloss_diff", f"{reg_tests['log loss'].estimate:+.4f}", display=False)
glue("dl_reg_logloss_diff_ci", f"[{reg_tests['log loss'].lower:+.4f}, {reg_tests['log loss'].upper:+.4f}]",
     display=False)
glue("dl_reg_verdict_auc", inference.verdict(
    reg_tests["ROC AUC"], better="higher", names=(f"the {best_reg} ensemble", "the unregularised one")),
     display=False)
glue("dl_reg_verdict_logloss", inference.verdict(
    reg_tests["log loss"], better="lower", names=(f"the {best_reg} ensemble", "the unregularised one")),
     display=False)

# %% [markdown]
# On the test applicants the {glue:text}`dl_reg_best` ensemble has an AUC of
# {glue:text}`dl_reg_auc` (its seeds range from {glue:text}`dl_reg_auc_range`) against
# {glue:text}`dl_auc_adam` for the unregularised ensemble: a paired difference of
# {glue:text}`dl_reg_auc_diff` ({glue:text}`dl_reg_auc_diff_ci`), so in ranking
# {glue:text}`dl_reg_verdict_auc`. In log loss the difference is
# {glue:text}`dl_reg_logloss_diff` ({glue:text}`dl_reg_logloss_diff_ci`):
# {glue:text}`dl_reg_verdict_logloss`. Decided on the seed ensembles at the 5% level. On
# {glue:text}`dl_n_rows` applicants, a network of this size that is already stopped early
# gains little that a test of {glue:text}`dl_n_test` applicants can see; with more inputs,
# more hidden units or no validation set to stop on, the regularisers above are what keeps
# a network honest, and the later chapters use them.

# %% [markdown]
# ## How this compares with published results
#
# {cite:t}`west2000neural` compared five neural network architectures with logistic
# regression and other classical methods on this German credit data, with 10-fold
# cross-validation, and found logistic regression the most accurate of the traditional
# methods and the multilayer perceptron, the network used here, not the most accurate of
# the networks. Our result agrees in substance: a hidden layer adds flexibility that
# {glue:text}`dl_n_rows` applicants cannot pin down, and the attributes enter default risk
# in a way a linear logit already captures well. {cite:t}`kingma2015adam` present Adam as
# faster to converge than SGD, not as finding better minima; that is what we see too: it
# reaches a comparable validation loss in far fewer epochs.
#
# ## What we learned
#
# - Cross-entropy is minus the Bernoulli log-likelihood; its gradient with respect to the
#   logit is $\hat p - y$, so a confidently wrong forecast gets a strong correction
#   ({glue:text}`dl_grad_ce_wrong` at $z =$ {glue:text}`dl_z_wrong`), where the squared
#   error's gradient has all but vanished ({glue:text}`dl_grad_mse_wrong`).
# - The learning rate decides everything in $w \leftarrow w - \alpha \nabla J$: any
#   $\alpha < 2/L$ is guaranteed to lower the loss at each step {eq}`dl-descent`, and
#   $\alpha = 1/L$ guarantees the most, taking the loss to {glue:text}`dl_loss300_right` in
#   300 steps; at $4/L$ the first step raises the loss to {glue:text}`dl_loss1_large`, above
#   the {glue:text}`dl_log2` of predicting 1/2 for everyone.
# - Losses with different floors are compared on the share of their *excess* over their own
#   minimum: from a saturated start cross-entropy has {glue:text}`dl_sat_ce_left10` of it
#   left after 10 steps, the squared error {glue:text}`dl_sat_mse_left100` after 100.
# - Gradient descent from scratch reproduces scikit-learn's unpenalised logistic regression
#   to {glue:text}`dl_coef_gap`, and backpropagation written out by hand matches finite
#   differences to {glue:text}`dl_relerr_fd` and TensorFlow's automatic differentiation to
#   {glue:text}`dl_relerr_tape`, checks that also run as tests.
# - Adam reaches its best validation loss in {glue:text}`dl_adam_best_epoch_range` epochs
#   over {glue:text}`dl_n_seeds` seeds, SGD in {glue:text}`dl_sgd_best_epoch_range`. Out of
#   sample, decided on the seed ensembles with a paired bootstrap of the AUC at the 5% level,
#   {glue:text}`dl_auc_verdict_adam`, and {glue:text}`dl_auc_verdict_sgd` (AUC
#   {glue:text}`dl_auc_adam` and {glue:text}`dl_auc_sgd` vs {glue:text}`dl_auc_lr`).
# - A good AUC is not a good probability: the reliability diagram and the expected
#   calibration error check the level ({glue:text}`dl_ece_adam` for the Adam ensemble,
#   {glue:text}`dl_ece_lr` for logistic regression, each tested against what a calibrated
#   model scores by chance).
# - Early stopping, weight decay and dropout all trade a little bias for less variance
#   {eq}`dl-bias-variance`. Chosen on validation data over {glue:text}`dl_n_seeds` seeds,
#   the best regulariser was {glue:text}`dl_reg_best`; on the test set, in AUC
#   {glue:text}`dl_reg_verdict_auc`, and in log loss {glue:text}`dl_reg_verdict_logloss`.
#
# ## Exercises
#
# ```{exercise}
# :label: dl-ex-mse
# Start the logistic regression from a more saturated point: every coefficient equal to
# $-3$ (not only the intercept). Run 3,000 steps of gradient descent at $\alpha = 1/L$, once
# with the squared-error gradient and once with the cross-entropy gradient, using
# `logit_gradient(y, z, loss)` and $\nabla_w J = X^\top g / n$. Track the mean squared
# error of both runs and compare their test AUCs.
# ```
#
# ````{solution} dl-ex-mse
# :class: dropdown
# A loop of a few lines does it:
#
# ```python
# for loss in ("mse", "cross_entropy"):
#     w, b = np.full(n_features, -3.0), 0.0
#     for step in range(3000):
#         z = X_train @ w + b
#         g = logit_gradient(y_train, z, loss)
#         w, b = w - X_train.T @ g / (L * len(z)), b - g.mean() / L
#     p = sigmoid(X_train @ w + b)
#     print(loss, mean_squared_error(y_train, p), metrics.roc_auc(y_test, X_test @ w + b))
# ```
#
# Every applicant starts with a logit of about {glue:text}`dl_ex_z0`, a probability of
# default of essentially zero. In {glue:text}`dl_ex_steps` steps the squared-error run moves
# no coefficient by more than {glue:text}`dl_ex_mse_move`: its gradient carries the factor
# $\hat p(1 - \hat p)$, at most {glue:text}`dl_ex_max_slope` over the applicants. Its loss stays at {glue:text}`dl_ex_mse_loss`,
# the base rate (all its predicted probabilities are about zero), and its test AUC,
# {glue:text}`dl_ex_mse_auc`, is that of the starting point, which ranks applicants by the
# sum of their features. The cross-entropy run ends at a squared error of
# {glue:text}`dl_ex_ce_loss` and a test AUC of {glue:text}`dl_ex_ce_auc`, against
# {glue:text}`dl_auc_lr` for the model fitted from zero. (The squared error of
# probabilities is also not convex in $w$, so even where it moves it can stop at a local
# minimum.) The hidden cell at the end of the notebook runs this solution.
# ````
#
# ```{exercise}
# :label: dl-ex-threshold
# The guarantee for gradient descent stops at $\alpha = 2/L$. Run 300 steps at
# $\alpha = 1.9/L$, $2.5/L$ and $3/L$. Does the loss fall at every step? Why can a step
# above $2/L$ still work for logistic regression?
# ```
#
# ```{solution} dl-ex-threshold
# :class: dropdown
# Use `run = logistic_regression_gd(X_train, y_train, learning_rate=m / L, max_iter=300)`
# and count the increases with `(np.diff(run.loss_history) > 0).sum()`. Out of the
# {glue:text}`dl_thr_steps` steps, the loss rises {glue:text}`dl_thr_up_19` times at
# $1.9/L$ (none may, by {eq}`dl-descent`; the hidden cell at the end of the notebook asserts
# it), {glue:text}`dl_thr_up_25` times at $2.5/L$, {glue:text}`dl_thr_up_3` times at $3/L$
# and {glue:text}`dl_thr_up_4` times at $4/L$, where it ends at {glue:text}`dl_thr_end_4`
# against {glue:text}`dl_thr_end_19` at $1.9/L$. The bound
# $L$ is a worst case: it assumes $\hat p(1 - \hat p) = 1/4$ for every applicant, which
# holds only at $\hat p = 0.5$. Once the model separates the applicants, the actual
# curvature is smaller and a larger step is stable. $\alpha < 2/L$ is a sufficient
# condition, not a sharp limit.
# ```
#
# ```{exercise}
# :label: dl-ex-bug
# Introduce a bug in the backward pass: forget the ReLU derivative, i.e. set
# $\delta^{(1)} = \delta^{(2)} W^{(2)\top}$. What relative error do the finite-difference
# and `GradientTape` checks report? Does training with the wrong gradient still lower the loss?
# ```
#
# ```{solution} dl-ex-bug
# :class: dropdown
# Compute `wrong = dict(g_backprop)` and
# `wrong["W1"] = X_batch.T @ (((p_batch - y_batch) / len(y_batch)).reshape(-1, 1) @ params["W2"].T)`,
# then `relative_error(wrong, g_numeric)`. The error jumps from {glue:text}`dl_relerr_fd` to
# {glue:text}`dl_bug_relerr`, far above any rounding: both checks catch it (the test
# `test_a_wrong_backward_pass_is_caught_by_the_check` does this). Training with such a
# gradient can still lower the loss: {glue:text}`dl_bug_steps` full-batch steps of size
# {glue:text}`dl_bug_rate` with the wrong gradient take the training cross-entropy from
# {glue:text}`dl_bug_loss0` to {glue:text}`dl_bug_loss1` (the hidden cell at the end of the
# notebook runs this), because the wrong direction still
# points roughly downhill; that is why a falling loss curve is no proof of a correct gradient.
# ```
#
# ```{exercise}
# :label: dl-ex-seed
# Re-run the chapter with other seeds, e.g.
# `python -m finbook run 03_deep_learning_basics -p SEED 7 --output runs/`. Does the order
# of the three models' test AUCs stay the same? What does that say about a single split of
# {glue:text}`dl_n_rows` applicants?
# ```
#
# ```{solution} dl-ex-seed
# :class: dropdown
# The seed changes which applicants are held out, as well as the initial weights and the
# order of the mini-batches. The chapter already varies the last two: on one split, the
# Adam network's test AUC ranges from {glue:text}`dl_auc_adam_range` over
# {glue:text}`dl_n_seeds` training seeds. A new split adds the sampling noise of the test
# set itself, which the bootstrap intervals measure (logistic regression's spans
# {glue:text}`dl_ci_lr`): one split of {glue:text}`dl_n_rows` applicants cannot separate
# models whose AUCs differ by a hundredth or two. Repeated cross-validation, which
# averages over many splits and is compared with the corrected resampled t-test
# (`finbook.inference.corrected_resampled_ttest`), is the honest way to compare them.
# ```

# %% tags=["remove-cell"]
# The solution of exercise dl-ex-mse, run here so that its numbers in the text are glued.
ex_steps = 3000
ex_runs = {}
for loss in ("mse", "cross_entropy"):
    w, b = np.full(n_features, -3.0), 0.0
    z0 = X_train @ w + b
    for _step in range(ex_steps):
        z = X_train @ w + b
        g = logit_gradient(y_train, z, loss)
        w, b = w - X_train.T @ g / (L * len(z)), b - g.mean() / L
    ex_runs[loss] = {"loss": mean_squared_error(y_train, sigmoid(X_train @ w + b)),
                     "auc": metrics.roc_auc(y_test, X_test @ w + b),
                     "move": float(np.max(np.abs(np.r_[w + 3.0, b])))}
glue("dl_ex_steps", ex_steps, display=False)
glue("dl_ex_z0", round(float(z0.mean())), display=False)
glue("dl_ex_mse_move", f"{ex_runs['mse']['move']:.0e}", display=False)
glue("dl_ex_mse_loss", round(ex_runs["mse"]["loss"], 4), display=False)
glue("dl_ex_mse_auc", round(ex_runs["mse"]["auc"], 3), display=False)
glue("dl_ex_ce_loss", round(ex_runs["cross_entropy"]["loss"], 4), display=False)
glue("dl_ex_ce_auc", round(ex_runs["cross_entropy"]["auc"], 3), display=False)
glue("dl_ex_max_slope", f"{float(np.max(sigmoid(z0) * (1 - sigmoid(z0)))):.0e}", display=False)

# %% tags=["remove-cell"]
# The solution of exercise dl-ex-threshold: count the steps that raise the loss at each rate.
thr_steps = 300
thr_runs = {m: logistic_regression_gd(X_train, y_train, learning_rate=m / L, max_iter=thr_steps)
            for m in (1.9, 2.5, 3, 4)}
thr_up = {m: int((np.diff(run.loss_history) > 0).sum()) for m, run in thr_runs.items()}
assert thr_up[1.9] == 0  # the descent lemma: below 2/L every step lowers the loss
glue("dl_thr_steps", thr_steps, display=False)
for m, run in thr_runs.items():
    key = str(m).replace(".", "")  # 1.9 -> 19: a glue key without a dot
    glue(f"dl_thr_up_{key}", thr_up[m], display=False)
    glue(f"dl_thr_end_{key}", round(float(run.loss_history[-1]), 4), display=False)

# %% tags=["remove-cell"]
# The solution of exercise dl-ex-bug: the backward pass without the ReLU derivative.
wrong = dict(g_backprop)
wrong["W1"] = X_batch.T @ (((p_batch - y_batch) / len(y_batch)).reshape(-1, 1) @ params["W2"].T)
bug_relerr = relative_error(wrong, g_numeric)
assert bug_relerr > 1e3 * err_fd  # the check catches the bug
bug_steps, bug_rate = 100, 0.1
bug_params = {k: v.copy() for k, v in params.items()}
bug_loss0 = two_layer_loss(bug_params, X_train, y_train)
for _step in range(bug_steps):
    p_all, cache_all = two_layer_forward(bug_params, X_train)
    g_wrong = two_layer_backward(bug_params, cache_all, y_train)
    g_wrong["W1"] = X_train.T @ (((p_all - y_train) / len(y_train)).reshape(-1, 1) @ bug_params["W2"].T)
    bug_params = {k: v - bug_rate * g_wrong[k] for k, v in bug_params.items()}
bug_loss1 = two_layer_loss(bug_params, X_train, y_train)
glue("dl_bug_relerr", f"{bug_relerr:.0e}", display=False)
glue("dl_bug_steps", bug_steps, display=False)
glue("dl_bug_rate", bug_rate, display=False)
glue("dl_bug_loss0", round(bug_loss0, 4), display=False)
glue("dl_bug_loss1", round(bug_loss1, 4), display=False)
