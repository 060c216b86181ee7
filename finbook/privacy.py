"""Data security: what a trained model leaks about its training data, and what privacy costs.

Three parts, used by the data-security chapter:

* **Membership inference.** Given a trained model and a borrower's record, was
  the borrower in the training set? :func:`loss_attack` is the loss-threshold
  attack of Yeom et al. (2018): a training example tends to have a smaller loss
  than a fresh one. :func:`confidence_attack` uses only the model's confidence
  ``max(p, 1 - p)``, without the label (in the spirit of Shokri et al. 2017).
  :func:`membership_attack` scores any attack on balanced member / non-member
  sets: ROC AUC and *advantage* = TPR - FPR.
* **DP-SGD** (Abadi et al. 2016). :class:`DenseNetwork` is a small ReLU network
  held in TensorFlow variables; :func:`train_dp_sgd` trains it with Poisson
  sampling, per-example gradient clipping to ``clip_norm`` and Gaussian noise of
  standard deviation ``noise_multiplier * clip_norm``.
  :func:`per_example_gradients` gives every example's gradient with
  ``tf.vectorized_map`` (the reference); :func:`clipped_gradient_sum` gives the
  same clipped sum about a hundred times faster, using the fact that a dense
  layer's per-example weight gradient is an outer product, whose norm is the
  product of two vector norms.
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import metrics as skm

from finbook.repro import import_tensorflow

__all__ = [
    "AttackResult",
    "DenseNetwork",
    "advantage_bound",
    "binary_losses",
    "chance_advantage",
    "clip_per_example",
    "clipped_gradient_sum",
    "confidence_attack",
    "dp_sgd_epsilon",
    "dp_sgd_steps",
    "loss_attack",
    "membership_attack",
    "noise_multiplier_for_epsilon",
    "per_example_gradients",
    "tpr_at_fpr",
    "train_dp_sgd",
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
    """Number of DP-SGD steps for ``epochs`` passes: round(epochs * n / expected_batch_size).

    With Poisson sampling each step includes every example independently with
    probability q = expected_batch_size / n, so one "epoch" is 1/q steps.

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
    return max(1, int(round(e * n / b)))


def dp_sgd_epsilon(*, sampling_probability: float, noise_multiplier: float, steps: int,
                   delta: float) -> float:
    """Epsilon of DP-SGD at ``delta``, accounted with ``dp_accounting``'s RDP accountant.

    The event is a Poisson-sampled Gaussian mechanism (``PoissonSampledDpEvent``
    of a ``GaussianDpEvent(noise_multiplier)``) composed ``steps`` times, under
    add-or-remove-one neighbouring datasets, with the accountant's default
    Renyi orders. ``noise_multiplier=0`` (no noise) gives infinity.

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
    if noise_multiplier == 0:
        return math.inf
    accountant = dp_accounting.rdp.RdpAccountant()
    event = dp_accounting.PoissonSampledDpEvent(
        q, dp_accounting.GaussianDpEvent(float(noise_multiplier)))
    accountant.compose(event, steps)
    with _quiet_accountant():
        return float(accountant.get_epsilon(float(delta)))


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


# --------------------------------------------------------------------------- the network
class DenseNetwork:
    """A ReLU network with one logit output, held in TensorFlow variables.

    ``n_inputs`` -> ``hidden`` ReLU layers -> 1 logit. Weights start He-uniform
    from ``np.random.default_rng(seed)``, biases at zero, so the same seed gives
    the same network. It is deliberately bare (no Keras) so that DP-SGD can
    reach each layer's inputs and pre-activations.

    Example
    -------
    >>> net = DenseNetwork(3, (4,), seed=0)  # doctest: +SKIP
    >>> net.predict_proba(np.zeros((2, 3))).shape  # doctest: +SKIP
    (2,)
    """

    def __init__(self, n_inputs: int, hidden: Sequence[int] = (64,), *, seed: int = 0) -> None:
        n_inputs = _positive_int(n_inputs, "n_inputs")
        hidden = tuple(_positive_int(h, "each hidden layer size") for h in hidden)
        tf = import_tensorflow()
        rng = np.random.default_rng(seed)
        sizes = [n_inputs, *hidden, 1]
        self.n_inputs = n_inputs
        self.hidden = hidden
        self.weights = []
        self.biases = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            limit = math.sqrt(6.0 / a)
            w = rng.uniform(-limit, limit, size=(a, b)).astype("float32")
            self.weights.append(tf.Variable(w, name=f"W{i + 1}"))
            self.biases.append(tf.Variable(np.zeros(b, "float32"), name=f"b{i + 1}"))

    @property
    def variables(self) -> list[Any]:
        """Weights then biases, layer by layer: [W1, ..., WL, b1, ..., bL]."""
        return [*self.weights, *self.biases]

    def forward(self, x: Any) -> tuple[Any, list[Any], list[Any]]:
        """Return (logits, layer inputs, pre-activations) for a batch ``x`` (a float32 tensor)."""
        tf = import_tensorflow()
        a = x
        inputs, pre = [], []
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            inputs.append(a)
            z = tf.matmul(a, w) + b
            pre.append(z)
            a = tf.nn.relu(z) if i < last else z
        return tf.squeeze(a, -1), inputs, pre

    def logits(self, x: object) -> np.ndarray:
        """Logits (float64) for the rows of ``x``."""
        tf = import_tensorflow()
        arr = np.asarray(x, dtype="float32")
        if arr.ndim != 2 or arr.shape[1] != self.n_inputs:
            raise ValueError(f"x must have shape (rows, {self.n_inputs}), got {arr.shape}")
        return self.forward(tf.constant(arr))[0].numpy().astype(float)

    def predict_proba(self, x: object) -> np.ndarray:
        """Predicted probability of the event (label 1) for the rows of ``x``."""
        z = self.logits(x)
        return 1.0 / (1.0 + np.exp(-z))


def _tensors(x: object, y: object, n_inputs: int) -> tuple[Any, Any]:
    tf = import_tensorflow()
    xx = np.asarray(x, dtype="float32")
    yy = np.asarray(y, dtype="float32").reshape(-1)
    if xx.ndim != 2 or xx.shape[1] != n_inputs:
        raise ValueError(f"x must have shape (rows, {n_inputs}), got {xx.shape}")
    if len(xx) != len(yy):
        raise ValueError(f"x and y must have the same length, got {len(xx)} and {len(yy)}")
    return tf.constant(xx), tf.constant(yy)


def per_example_gradients(net: DenseNetwork, x: object, y: object) -> list[np.ndarray]:
    """Every example's gradient of its own loss, one array per variable, shape (rows, *var.shape).

    The reference implementation: ``tf.vectorized_map`` of an ordinary
    gradient over the rows. Variables in the order of ``net.variables``.
    """
    tf = import_tensorflow()
    xx, yy = _tensors(x, y, net.n_inputs)

    def one(pair: tuple[Any, Any]) -> list[Any]:
        xi, yi = pair
        with tf.GradientTape() as tape:
            z = net.forward(xi[None, :])[0]
            loss = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=yi[None], logits=z))
        return tape.gradient(loss, net.variables)

    grads = tf.vectorized_map(one, (xx, yy))
    return [g.numpy() for g in grads]


def clip_per_example(grads: Sequence[np.ndarray], clip_norm: float) -> list[np.ndarray]:
    """Scale each example's gradient to Euclidean norm at most ``clip_norm``.

    ``grads`` holds one array per variable, each of shape (rows, ...); the norm
    of example i is taken over all variables together. Gradients already within
    the bound are unchanged; longer ones are shrunk to norm exactly ``clip_norm``.

    Example
    -------
    >>> g = [np.array([[3.0, 4.0], [0.3, 0.4]])]
    >>> clip_per_example(g, 1.0)[0].round(2).tolist()
    [[0.6, 0.8], [0.3, 0.4]]
    """
    if isinstance(clip_norm, bool) or not clip_norm > 0 or math.isinf(clip_norm):
        raise ValueError(f"clip_norm must be a positive finite number, got {clip_norm!r}")
    arrs = [np.asarray(g, dtype=float) for g in grads]
    if not arrs:
        raise ValueError("grads is empty; expected one array per variable")
    rows = {a.shape[0] for a in arrs}
    if len(rows) != 1:
        raise ValueError(f"every array in grads must have the same number of rows, got {sorted(rows)}")
    sq = sum(np.sum(a.reshape(a.shape[0], -1) ** 2, axis=1) for a in arrs)
    norms = np.sqrt(sq)
    scale = np.minimum(1.0, clip_norm / np.maximum(norms, 1e-300))
    return [a * scale.reshape((-1,) + (1,) * (a.ndim - 1)) for a in arrs]


def _clipped_sum_graph(net: DenseNetwork, x: Any, y: Any, clip_norm: Any) -> tuple[list[Any], Any]:
    """Sum over the batch of per-example gradients clipped to ``clip_norm`` (graph code).

    For a dense layer z = a W + b, example i's gradient is the outer product
    a_i^T delta_i for W and delta_i for b, where delta_i = d loss_i / d z_i.
    So ||grad_i||^2 = sum over layers (||a_i||^2 + 1) ||delta_i||^2, and the
    clipped sum is a^T (s * delta), s_i = min(1, C / ||grad_i||): exact, and no
    per-example gradient is ever stored.
    """
    tf = import_tensorflow()
    with tf.GradientTape() as tape:
        logits, inputs, pre = net.forward(x)
        total = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    deltas = tape.gradient(total, pre)
    sq = tf.add_n([(tf.reduce_sum(a * a, axis=1) + 1.0) * tf.reduce_sum(d * d, axis=1)
                   for a, d in zip(inputs, deltas, strict=True)])
    norms = tf.sqrt(sq)
    scale = tf.minimum(1.0, clip_norm / tf.maximum(norms, 1e-30))
    gw = [tf.matmul(a, d * scale[:, None], transpose_a=True) for a, d in zip(inputs, deltas, strict=True)]
    gb = [tf.reduce_sum(d * scale[:, None], axis=0) for d in deltas]
    return gw + gb, norms


def clipped_gradient_sum(net: DenseNetwork, x: object, y: object,
                         clip_norm: float) -> tuple[list[np.ndarray], np.ndarray]:
    """Sum of the per-example gradients after clipping each to ``clip_norm``, and the unclipped norms.

    Equal to ``[g.sum(axis=0) for g in clip_per_example(per_example_gradients(net, x, y), C)]``
    but computed from one backward pass (see the module docstring). Returns
    ``(sums, norms)``: one array per variable in the order of ``net.variables``,
    and each example's gradient norm before clipping.
    """
    tf = import_tensorflow()
    if isinstance(clip_norm, bool) or not clip_norm > 0 or math.isinf(clip_norm):
        raise ValueError(f"clip_norm must be a positive finite number, got {clip_norm!r}")
    xx, yy = _tensors(x, y, net.n_inputs)
    sums, norms = _clipped_sum_graph(net, xx, yy, tf.constant(float(clip_norm)))
    return [s.numpy() for s in sums], norms.numpy()


# --------------------------------------------------------------------------- training
def train_dp_sgd(
    x: object,
    y: object,
    *,
    hidden: Sequence[int] = (64,),
    epochs: int = 30,
    expected_batch_size: int = 256,
    learning_rate: float = 1e-3,
    clip_norm: float | None = 1.0,
    noise_multiplier: float = 1.0,
    seed: int = 0,
    validation_data: tuple[object, object] | None = None,
) -> tuple[DenseNetwork, dict[str, list[float]]]:
    """Train a :class:`DenseNetwork` with DP-SGD (Abadi et al. 2016) and Adam; return (net, history).

    Each of :func:`dp_sgd_steps` steps draws a Poisson sample (every row
    independently with probability q = expected_batch_size / n), clips each
    example's gradient to ``clip_norm``, adds Gaussian noise with standard
    deviation ``noise_multiplier * clip_norm`` to the sum, divides by
    ``expected_batch_size`` and takes an Adam step (Adam only post-processes the
    noisy gradient, so the privacy guarantee is unchanged). Account for it with
    :func:`dp_sgd_epsilon` (q, ``noise_multiplier``, the number of steps).

    ``clip_norm=None`` with ``noise_multiplier=0`` gives the same loop without
    clipping or noise: the non-private model. ``history`` holds the mean
    training loss (``loss``) and, with ``validation_data``, ``val_loss`` after
    each epoch (nats). The same ``seed`` gives the same initial weights,
    samples and noise.
    """
    tf = import_tensorflow()
    xs = np.asarray(x, dtype="float32")
    if xs.ndim != 2:
        raise ValueError(f"x must be a 2-d array (rows, features), got shape {xs.shape}")
    n = len(xs)
    steps = dp_sgd_steps(n, expected_batch_size, epochs)
    if isinstance(noise_multiplier, bool) or not noise_multiplier >= 0:
        raise ValueError(f"noise_multiplier must be a non-negative number, got {noise_multiplier!r}")
    if clip_norm is None and noise_multiplier > 0:
        raise ValueError("noise without clipping protects nothing: set clip_norm (e.g. 1.0) when "
                         f"noise_multiplier > 0, got noise_multiplier={noise_multiplier}")
    if clip_norm is not None and (not clip_norm > 0 or math.isinf(clip_norm)):
        raise ValueError(f"clip_norm must be a positive finite number or None, got {clip_norm!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    net = DenseNetwork(xs.shape[1], hidden, seed=seed)
    xt, yt = _tensors(xs, y, net.n_inputs)
    yv = yt.numpy()
    bad = np.setdiff1d(np.unique(yv), [0.0, 1.0])
    if bad.size:
        raise ValueError(f"y must contain only 0 and 1, found {bad[:5].tolist()}")
    val = None if validation_data is None else _tensors(*validation_data, net.n_inputs)

    q = expected_batch_size / n
    rng = np.random.default_rng(seed)
    noise_rng = tf.random.Generator.from_seed(seed)
    variables = net.variables
    m = [tf.Variable(tf.zeros_like(v)) for v in variables]
    v2 = [tf.Variable(tf.zeros_like(v)) for v in variables]
    t = tf.Variable(0.0)
    b1, b2, eps_adam = 0.9, 0.999, 1e-7
    lr = float(learning_rate)
    sigma = float(noise_multiplier)
    clip = tf.constant(float(clip_norm) if clip_norm is not None else 0.0)
    scale = float(expected_batch_size)
    spec = [tf.TensorSpec([None, net.n_inputs], tf.float32), tf.TensorSpec([None], tf.float32)]

    @tf.function(input_signature=spec)
    def step(xb: Any, yb: Any) -> None:
        if clip_norm is None:
            with tf.GradientTape() as tape:
                logits = net.forward(xb)[0]
                total = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=yb, logits=logits))
            grads = tape.gradient(total, variables)
        else:
            grads, _ = _clipped_sum_graph(net, xb, yb, clip)
        if sigma > 0:
            grads = [g + noise_rng.normal(tf.shape(g)) * (sigma * clip) for g in grads]
        t.assign_add(1.0)
        for var, g, mi, vi in zip(variables, grads, m, v2, strict=True):
            g = g / scale
            mi.assign(b1 * mi + (1 - b1) * g)
            vi.assign(b2 * vi + (1 - b2) * g * g)
            m_hat = mi / (1 - b1 ** t)
            v_hat = vi / (1 - b2 ** t)
            var.assign_sub(lr * m_hat / (tf.sqrt(v_hat) + eps_adam))

    @tf.function(input_signature=spec)
    def mean_loss(xb: Any, yb: Any) -> Any:
        logits = net.forward(xb)[0]
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=yb, logits=logits))

    history: dict[str, list[float]] = {"loss": []}
    if val is not None:
        history["val_loss"] = []
    steps_per_epoch = steps / epochs
    next_epoch = 1
    for k in range(1, steps + 1):
        idx = np.flatnonzero(rng.random(n) < q)
        step(tf.gather(xt, idx), tf.gather(yt, idx))
        if k >= round(next_epoch * steps_per_epoch):
            history["loss"].append(float(mean_loss(xt, yt)))
            if val is not None:
                history["val_loss"].append(float(mean_loss(*val)))
            next_epoch += 1
    return net, history
