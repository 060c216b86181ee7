"""Data security: what a trained model leaks about its training data, and what privacy costs.

Three parts, used by the data-security chapter (chapter 21):

* **Membership inference.** Given a trained model and a borrower's record, was
  the borrower in the training set? :func:`loss_attack` is the loss-threshold
  attack of Yeom et al. (2018): a training example tends to have a smaller loss
  than a fresh one. :func:`confidence_attack` uses only the model's confidence
  ``max(p, 1 - p)``, without the label (in the spirit of Shokri et al. 2017).
  :func:`membership_attack` scores any attack on balanced member / non-member
  sets: ROC AUC and *advantage* = TPR - FPR.
* **DP-SGD** (Abadi et al. 2016) is taught, and written, in the data-security
  chapter (chapter 21): its network, per-example clipping, noise and training
  loop are exported to :mod:`finbook.lessons`. This module keeps the tools
  around it: the attacks above and the accounting below.
* **The privacy budget.** :func:`dp_sgd_epsilon` accounts epsilon with the
  maintained ``dp_accounting`` library (Renyi-DP accountant, Poisson-sampled
  Gaussian mechanism composed over the steps, add-or-remove-one neighbours);
  :func:`noise_multiplier_for_epsilon` inverts it; :func:`advantage_bound` is
  the largest membership advantage any attack can have against an
  (epsilon, delta)-DP model.

Units: losses are binary cross-entropies in nats; epsilon is dimensionless; delta
is a probability.

Example
-------
>>> round(dp_sgd_epsilon(sampling_probability=150 / 60000, noise_multiplier=1.3,
...                      steps=6000, delta=1e-5), 4)
0.7242
>>> round(advantage_bound(1.0), 4)
0.4621
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import metrics as skm

__all__ = [
    "AttackResult",
    "advantage_bound",
    "binary_losses",
    "chance_advantage",
    "confidence_attack",
    "dp_sgd_epsilon",
    "dp_sgd_steps",
    "loss_attack",
    "membership_attack",
    "noise_multiplier_for_epsilon",
    "tpr_at_fpr",
]


# --------------------------------------------------------------------------- validation
def _scores(values: object, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float).reshape(-1)
    if arr.size == 0:
        raise ValueError(f"{name} is empty; expected at least one score")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} holds {int((~np.isfinite(arr)).sum())} non-finite value(s); "
                         "expected finite scores")
    return arr


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _probability(value: object, name: str, *, open_low: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number in (0, 1], got {value!r}")
    v = float(value)
    if not (0.0 < v <= 1.0 if open_low else 0.0 <= v <= 1.0):
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return v


# --------------------------------------------------------------------------- attacks
def binary_losses(y: object, logits: object) -> np.ndarray:
    """Per-example binary cross-entropy (nats) from logits: log(1 + e^z) - y z.

    Computed from the logit ``z`` rather than the probability so that the tiny
    losses of memorised training examples do not round to zero.

    Example
    -------
    >>> binary_losses([1, 0], [0.0, 0.0]).round(4).tolist()
    [0.6931, 0.6931]
    """
    yy = np.asarray(y, dtype=float).reshape(-1)
    zz = np.asarray(logits, dtype=float).reshape(-1)
    if yy.shape != zz.shape:
        raise ValueError(f"y and logits must have the same length, got {yy.size} and {zz.size}")
    bad = np.setdiff1d(np.unique(yy), [0.0, 1.0])
    if bad.size:
        raise ValueError(f"y must contain only 0 and 1, found {bad[:5].tolist()}")
    # max(z, 0) - y z + log(1 + e^-|z|): no overflow, and no cancellation for large |z|
    return np.maximum(zz, 0.0) - yy * zz + np.log1p(np.exp(-np.abs(zz)))


@dataclass(frozen=True)
class AttackResult:
    """How well a membership-inference attack separates members from non-members.

    ``auc``: ROC AUC of the attack score (0.5 = guessing). ``advantage``: TPR -
    FPR at ``threshold`` (members are predicted when score >= threshold).
    ``best_advantage``: the largest TPR - FPR over all thresholds, an optimistic
    figure since it picks the threshold with knowledge of who is a member.
    """

    auc: float
    advantage: float
    tpr: float
    fpr: float
    threshold: float
    best_advantage: float


def membership_attack(member_scores: object, nonmember_scores: object,
                      threshold: float | None = None) -> AttackResult:
    """Score a membership-inference attack on a member and a non-member set.

    Scores are "higher = more likely a member". The sets should be the same
    size (a balanced experiment, where guessing has advantage 0 and accuracy
    1/2); this is checked. With ``threshold=None`` the best threshold is used.

    Example
    -------
    >>> r = membership_attack([0.9, 0.8, 0.3], [0.7, 0.2, 0.1])
    >>> round(r.auc, 4), round(r.best_advantage, 4)
    (0.8889, 0.6667)
    """
    mem = _scores(member_scores, "member_scores")
    non = _scores(nonmember_scores, "nonmember_scores")
    if mem.size != non.size:
        raise ValueError("the experiment must be balanced: expected as many members as "
                         f"non-members, got {mem.size} and {non.size}")
    labels = np.r_[np.ones(mem.size), np.zeros(non.size)]
    scores = np.r_[mem, non]
    auc = float(skm.roc_auc_score(labels, scores))
    fpr_curve, tpr_curve, _ = skm.roc_curve(labels, scores)
    best = float(np.max(tpr_curve - fpr_curve))
    if threshold is None:
        cands = np.unique(scores)
        tprs = (mem[:, None] >= cands).mean(axis=0)
        fprs = (non[:, None] >= cands).mean(axis=0)
        k = int(np.argmax(tprs - fprs))
        threshold = float(cands[k])
    tpr = float(np.mean(mem >= threshold))
    fpr = float(np.mean(non >= threshold))
    return AttackResult(auc=auc, advantage=tpr - fpr, tpr=tpr, fpr=fpr,
                        threshold=float(threshold), best_advantage=best)


def tpr_at_fpr(member_scores: object, nonmember_scores: object, fpr: float = 0.01) -> float:
    """Share of members caught by an attack allowed to accuse at most ``fpr`` of non-members.

    The attack's threshold is the smallest score that flags no more than
    ``fpr`` of the non-members; the result is the share of members at or above
    it. Carlini et al. (2022) argue for this "TPR at low FPR" because an
    average such as the AUC can hide an attack that is sure about a few people.

    Example
    -------
    >>> tpr_at_fpr([5, 4, 3, 0.5], [2, 1, 0, -1], fpr=0.25)
    0.75
    """
    mem = _scores(member_scores, "member_scores")
    non = _scores(nonmember_scores, "nonmember_scores")
    if not 0 <= fpr < 1:
        raise ValueError(f"fpr must be in [0, 1), e.g. 0.01, got {fpr!r}")
    allowed = int(np.floor(fpr * non.size))  # non-members that may be flagged
    ranked = np.sort(non)[::-1]
    # flag scores strictly above the (allowed+1)-th largest non-member score
    cut = ranked[allowed] if allowed < non.size else -np.inf
    return float(np.mean(mem > cut))


def chance_advantage(n_members: int, n_nonmembers: int, level: float = 0.95) -> float:
    """The best advantage an attack reaches by luck alone, at confidence ``level``.

    The best advantage over all thresholds, max_t (TPR - FPR), is the one-sided
    two-sample Kolmogorov-Smirnov statistic between the member and non-member
    scores. With no leakage it exceeds sqrt(-ln(1 - level) / 2 * (n + m) / (n m))
    with probability about 1 - ``level`` (Smirnov's asymptotic distribution), so
    smaller measured advantages are indistinguishable from chance.

    Example
    -------
    >>> round(chance_advantage(2227, 2227), 4)
    0.0367
    """
    n = _positive_int(n_members, "n_members")
    m = _positive_int(n_nonmembers, "n_nonmembers")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), e.g. 0.95, got {level!r}")
    return float(math.sqrt(-math.log(1 - level) / 2 * (n + m) / (n * m)))


def loss_attack(member_losses: object, nonmember_losses: object,
                threshold: float | str | None = "mean_member") -> AttackResult:
    """The loss-threshold attack of Yeom et al. (2018): "member if the loss is small".

    Predicts *member* when an example's loss is at most ``tau``. With
    ``threshold="mean_member"`` (the default), ``tau`` is the average training
    loss, which Yeom et al.'s attacker is assumed to know; a number sets ``tau``
    directly; ``None`` picks the best ``tau`` (optimistic). The returned
    ``threshold`` is ``-tau``, on the score scale (score = -loss).

    Example
    -------
    >>> r = loss_attack([0.01, 0.02, 0.9], [0.5, 1.2, 0.03])
    >>> round(r.tpr, 4), round(r.fpr, 4)
    (0.6667, 0.3333)
    """
    mem = _scores(member_losses, "member_losses")
    non = _scores(nonmember_losses, "nonmember_losses")
    if (mem < 0).any() or (non < 0).any():
        raise ValueError("losses must be non-negative (cross-entropies), found negative values")
    if isinstance(threshold, str):
        if threshold != "mean_member":
            raise ValueError(f"threshold must be 'mean_member', a number or None, got {threshold!r}")
        tau: float | None = float(mem.mean())
    else:
        tau = None if threshold is None else float(threshold)
    return membership_attack(-mem, -non, None if tau is None else -tau)


def confidence_attack(member_probs: object, nonmember_probs: object,
                      threshold: float | None = None) -> AttackResult:
    """A label-free attack: "member if the model is confident", score = max(p, 1 - p).

    Needs only the model's predicted probability, not the borrower's outcome.
    (With the label, the confidence in the *true* class is exp(-loss), which
    ranks exactly as :func:`loss_attack`.)

    Example
    -------
    >>> round(confidence_attack([0.99, 0.02], [0.6, 0.45]).auc, 4)
    1.0
    """
    mem = _scores(member_probs, "member_probs")
    non = _scores(nonmember_probs, "nonmember_probs")
    for arr, name in ((mem, "member_probs"), (non, "nonmember_probs")):
        if ((arr < 0) | (arr > 1)).any():
            raise ValueError(f"{name} must be probabilities in [0, 1]")
    return membership_attack(np.maximum(mem, 1 - mem), np.maximum(non, 1 - non), threshold)


def advantage_bound(epsilon: float, delta: float = 0.0) -> float:
    """The largest membership advantage (TPR - FPR) against an (epsilon, delta)-DP model.

    By the hypothesis-testing characterisation of differential privacy
    (Kairouz, Oh & Viswanath 2015), every test has FPR + e^eps FNR >= 1 - delta
    and e^eps FPR + FNR >= 1 - delta; maximising TPR - FPR = 1 - FNR - FPR
    under both gives (e^eps - 1 + 2 delta) / (e^eps + 1). Looser than this is
    Yeom et al.'s e^eps - 1.

    Example
    -------
    >>> advantage_bound(0.0)
    0.0
    >>> round(advantage_bound(2.0, 1e-5), 4)
    0.7616
    """
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.integer, np.floating)) \
            or not epsilon >= 0:
        raise ValueError(f"epsilon must be a non-negative number, got {epsilon!r}")
    if not 0.0 <= float(delta) < 1.0:
        raise ValueError(f"delta must be in [0, 1), got {delta!r}")
    if math.isinf(epsilon):
        return 1.0
    e = math.exp(float(epsilon))
    return min(1.0, (e - 1.0 + 2.0 * float(delta)) / (e + 1.0))


# --------------------------------------------------------------------------- accounting
class _DropConvergenceNotes(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102
        return "failed to converge" not in record.getMessage()


@contextlib.contextmanager
def _quiet_accountant() -> Iterator[None]:
    """Silence one known, harmless dp_accounting log line for the duration of the block.

    For small noise multipliers the accountant cannot evaluate some fractional
    Renyi orders (alpha < 2); it logs "failed to converge ... Excluding this
    order" and bounds epsilon with the remaining orders, which is still valid.
    Only that message is dropped; any other warning still reaches the log.
    """
    log = logging.getLogger("absl")
    note = _DropConvergenceNotes()
    log.addFilter(note)
    try:
        yield
    finally:
        log.removeFilter(note)


def dp_sgd_steps(n: int, expected_batch_size: int, epochs: int) -> int:
    """Number of DP-SGD steps for ``epochs`` passes: epochs * round(n / expected_batch_size).

    With Poisson sampling each step includes every example independently with
    probability q = expected_batch_size / n, so one "epoch" is about 1/q steps;
    like :func:`finbook.training.fit` (``batches="poisson"``) we round 1/q to a
    whole number of steps per epoch, so the steps counted here are the steps taken.

    Example
    -------
    >>> dp_sgd_steps(60000, 150, 15)
    6000
    """
    n = _positive_int(n, "n")
    b = _positive_int(expected_batch_size, "expected_batch_size")
    e = _positive_int(epochs, "epochs")
    if b > n:
        raise ValueError(f"expected_batch_size must not exceed n={n}, got {b}")
    return e * max(1, int(round(n / b)))


def dp_sgd_epsilon(*, sampling_probability: float, noise_multiplier: float, steps: int,
                   delta: float, accountant: str = "rdp") -> float:
    """Epsilon of DP-SGD at ``delta``, accounted with ``dp_accounting``.

    The event is a Poisson-sampled Gaussian mechanism (``PoissonSampledDpEvent``
    of a ``GaussianDpEvent(noise_multiplier)``) composed ``steps`` times, under
    add-or-remove-one neighbouring datasets. ``accountant="rdp"`` uses the
    Renyi-DP accountant with its default orders (an upper bound);
    ``accountant="pld"`` the privacy-loss-distribution accountant
    (``PLDAccountant``, value discretisation 1e-4), which is close to exact and so
    usually smaller. ``noise_multiplier=0`` (no noise) gives infinity.

    Example
    -------
    TensorFlow Privacy's documented case (n = 60,000, batch 150, noise 1.3,
    15 epochs, delta = 1e-5):

    >>> round(dp_sgd_epsilon(sampling_probability=150 / 60000, noise_multiplier=1.3,
    ...                      steps=6000, delta=1e-5), 4)
    0.7242
    """
    import dp_accounting  # noqa: PLC0415

    q = _probability(sampling_probability, "sampling_probability")
    steps = _positive_int(steps, "steps")
    if not 0.0 < float(delta) < 1.0:
        raise ValueError(f"delta must be in (0, 1), e.g. 1e-5, got {delta!r}")
    if isinstance(noise_multiplier, bool) or not noise_multiplier >= 0:
        raise ValueError(f"noise_multiplier must be a non-negative number, got {noise_multiplier!r}")
    if accountant not in ("rdp", "pld"):
        raise ValueError(f"accountant must be 'rdp' or 'pld', got {accountant!r}")
    if noise_multiplier == 0:
        return math.inf
    if accountant == "rdp":
        acc = dp_accounting.rdp.RdpAccountant()
    else:
        acc = dp_accounting.pld.PLDAccountant(value_discretization_interval=1e-4)
    event = dp_accounting.PoissonSampledDpEvent(
        q, dp_accounting.GaussianDpEvent(float(noise_multiplier)))
    acc.compose(event, steps)
    with _quiet_accountant():
        return float(acc.get_epsilon(float(delta)))


def noise_multiplier_for_epsilon(target_epsilon: float, *, sampling_probability: float, steps: int,
                                 delta: float) -> float:
    """The smallest noise multiplier whose DP-SGD epsilon (see :func:`dp_sgd_epsilon`) is <= target.

    Uses ``dp_accounting.calibrate_dp_mechanism`` (Brent's method), searching
    noise multipliers in [0.3, 500].

    Example
    -------
    >>> s = noise_multiplier_for_epsilon(0.7242, sampling_probability=150 / 60000,
    ...                                  steps=6000, delta=1e-5)
    >>> round(s, 2)
    1.3
    """
    import dp_accounting  # noqa: PLC0415
    from dp_accounting import mechanism_calibration as mc  # noqa: PLC0415

    if isinstance(target_epsilon, bool) or not target_epsilon > 0 or math.isinf(target_epsilon):
        raise ValueError(f"target_epsilon must be a positive finite number, got {target_epsilon!r}")
    q = _probability(sampling_probability, "sampling_probability")
    steps = _positive_int(steps, "steps")
    if not 0.0 < float(delta) < 1.0:
        raise ValueError(f"delta must be in (0, 1), e.g. 1e-5, got {delta!r}")
    lo, hi = 0.3, 500.0
    eps_lo = dp_sgd_epsilon(sampling_probability=q, noise_multiplier=lo, steps=steps, delta=delta)
    eps_hi = dp_sgd_epsilon(sampling_probability=q, noise_multiplier=hi, steps=steps, delta=delta)
    if eps_hi > target_epsilon:
        raise ValueError(f"target_epsilon={target_epsilon} needs a noise multiplier above {hi}; "
                         f"expected a target of at least {eps_hi:.3g} for these settings")
    if eps_lo <= target_epsilon:
        return lo

    def event(sigma: float) -> Any:
        return dp_accounting.SelfComposedDpEvent(
            dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma)), steps)

    with _quiet_accountant():
        sigma = mc.calibrate_dp_mechanism(
            dp_accounting.rdp.RdpAccountant, event, float(target_epsilon), float(delta),
            mc.ExplicitBracketInterval(lo, hi), tol=1e-4)
    return float(sigma)
