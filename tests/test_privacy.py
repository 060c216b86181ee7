"""Tests of finbook.privacy (attacks, privacy accounting) and of chapter 21's DP-SGD in finbook.lessons.

The DP-SGD network, clipping, noise and training loop are written in chapter 21 and exported
to finbook.lessons (cells marked '# @save'); their tests import them from there.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from finbook import lessons, privacy

# --------------------------------------------------------------------------- accounting


@pytest.mark.parametrize(
    ("n", "batch", "sigma", "epochs", "delta", "expected"),
    [
        # TensorFlow Privacy's documented cases (compute_dp_sgd_privacy_test.py,
        # tensorflow/privacy): steps = ceil(epochs * n / batch), Poisson sampling q = batch / n.
        (60000, 150, 1.3, 15, 1e-5, 0.7242234026109595),
        (100000, 100, 1.0, 30, 1e-7, 1.4154988495444845),
    ],
)
def test_epsilon_matches_tensorflow_privacy_documented_values(n, batch, sigma, epochs, delta, expected):
    steps = math.ceil(epochs * n / batch)
    eps = privacy.dp_sgd_epsilon(sampling_probability=batch / n, noise_multiplier=sigma,
                                 steps=steps, delta=delta)
    assert eps == pytest.approx(expected, rel=1e-9)


def test_steps_of_the_documented_case():
    assert privacy.dp_sgd_steps(60000, 150, 15) == 6000
    assert privacy.dp_sgd_steps(2227, 256, 60) == 60 * 9  # 2227 / 256 = 8.7 steps per epoch, as training.fit


def test_epsilon_grows_with_steps_and_sampling_and_shrinks_with_noise():
    base = dict(sampling_probability=0.01, noise_multiplier=1.0, steps=1000, delta=1e-5)
    eps = privacy.dp_sgd_epsilon(**base)
    assert privacy.dp_sgd_epsilon(**{**base, "steps": 2000}) > eps
    assert privacy.dp_sgd_epsilon(**{**base, "sampling_probability": 0.02}) > eps
    assert privacy.dp_sgd_epsilon(**{**base, "noise_multiplier": 2.0}) < eps
    assert privacy.dp_sgd_epsilon(**{**base, "delta": 1e-7}) > eps


def test_no_noise_means_no_privacy():
    assert privacy.dp_sgd_epsilon(sampling_probability=0.1, noise_multiplier=0.0, steps=10,
                                  delta=1e-5) == math.inf


def test_noise_multiplier_for_epsilon_inverts_the_accountant():
    kw = dict(sampling_probability=150 / 60000, steps=6000, delta=1e-5)
    sigma = privacy.noise_multiplier_for_epsilon(0.7242234026109595, **kw)
    assert sigma == pytest.approx(1.3, abs=1e-3)
    for target in (0.5, 2.0, 8.0):
        s = privacy.noise_multiplier_for_epsilon(target, **kw)
        assert privacy.dp_sgd_epsilon(noise_multiplier=s, **kw) <= target * (1 + 1e-6)
        assert privacy.dp_sgd_epsilon(noise_multiplier=s * 0.99, **kw) > target


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(sampling_probability=0.0, noise_multiplier=1.0, steps=10, delta=1e-5), "sampling_probability"),
        (dict(sampling_probability=1.5, noise_multiplier=1.0, steps=10, delta=1e-5), "sampling_probability"),
        (dict(sampling_probability=0.1, noise_multiplier=-1.0, steps=10, delta=1e-5), "noise_multiplier"),
        (dict(sampling_probability=0.1, noise_multiplier=1.0, steps=0, delta=1e-5), "steps"),
        (dict(sampling_probability=0.1, noise_multiplier=1.0, steps=10, delta=0.0), "delta"),
        (dict(sampling_probability=0.1, noise_multiplier=1.0, steps=10, delta=1.0), "delta"),
    ],
)
def test_epsilon_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        privacy.dp_sgd_epsilon(**kwargs)


def test_noise_calibration_rejects_bad_targets():
    kw = dict(sampling_probability=0.1, steps=100, delta=1e-5)
    with pytest.raises(ValueError, match="target_epsilon"):
        privacy.noise_multiplier_for_epsilon(0.0, **kw)
    with pytest.raises(ValueError, match="target_epsilon"):
        privacy.noise_multiplier_for_epsilon(math.inf, **kw)


def test_dp_sgd_steps_rejects_a_batch_larger_than_the_data():
    with pytest.raises(ValueError, match="expected_batch_size"):
        privacy.dp_sgd_steps(100, 200, 1)


# --------------------------------------------------------------------------- advantage bound


def test_advantage_bound_hand_values():
    assert privacy.advantage_bound(0.0) == 0.0
    # e^eps = 3: (3 - 1) / (3 + 1) = 0.5
    assert privacy.advantage_bound(math.log(3.0)) == pytest.approx(0.5)
    # delta enters twice over (e^eps + 1): eps = 0, delta = 0.1 gives 0.2 / 2
    assert privacy.advantage_bound(0.0, 0.1) == pytest.approx(0.1)
    assert privacy.advantage_bound(math.inf) == 1.0


@given(st.floats(0.0, 20.0), st.floats(0.0, 0.5))
def test_advantage_bound_is_below_yeoms_and_monotone(eps, delta):
    bound = privacy.advantage_bound(eps, delta)
    assert 0.0 <= bound <= 1.0
    assert bound <= math.exp(eps) - 1 + 2 * delta + 1e-12  # Yeom et al.'s looser bound (plus delta)
    assert privacy.advantage_bound(eps + 0.1, delta) >= bound


def test_advantage_bound_rejects_bad_input():
    with pytest.raises(ValueError, match="epsilon"):
        privacy.advantage_bound(-1.0)
    with pytest.raises(ValueError, match="delta"):
        privacy.advantage_bound(1.0, 1.0)


# --------------------------------------------------------------------------- attacks


def test_membership_attack_hand_example():
    # 9 member/non-member pairs; the member scores higher in 8 (0.3 loses only to 0.7).
    r = privacy.membership_attack([0.9, 0.8, 0.3], [0.7, 0.2, 0.1])
    assert r.auc == pytest.approx(8 / 9)
    assert r.best_advantage == pytest.approx(2 / 3)
    assert r.advantage == pytest.approx(2 / 3)
    fixed = privacy.membership_attack([0.9, 0.8, 0.3], [0.7, 0.2, 0.1], threshold=0.25)
    assert (fixed.tpr, fixed.fpr) == pytest.approx((1.0, 1 / 3))


def test_loss_attack_uses_the_mean_training_loss_as_threshold():
    # mean member loss 0.31: members 0.01, 0.02 flagged, 0.9 not; of non-members only 0.03.
    r = privacy.loss_attack([0.01, 0.02, 0.9], [0.5, 1.2, 0.03])
    assert (r.tpr, r.fpr) == pytest.approx((2 / 3, 1 / 3))
    assert r.threshold == pytest.approx(-0.31)
    # pairs where the member has the smaller loss: 0.01 and 0.02 beat all three, 0.9 beats 1.2.
    assert r.auc == pytest.approx(7 / 9)


@given(hnp.arrays(float, 20, elements=st.floats(0, 10)), hnp.arrays(float, 20, elements=st.floats(0, 10)))
def test_attack_auc_is_antisymmetric(a, b):
    forward = privacy.membership_attack(a, b).auc
    backward = privacy.membership_attack(b, a).auc
    assert forward + backward == pytest.approx(1.0)


def test_identical_sets_give_no_advantage():
    x = np.linspace(0, 1, 50)
    r = privacy.membership_attack(x, x)
    assert r.auc == pytest.approx(0.5)
    assert r.best_advantage == pytest.approx(0.0, abs=1e-12)


def test_confidence_attack_is_label_free_and_symmetric_in_the_classes():
    a = privacy.confidence_attack([0.99, 0.02], [0.6, 0.45])
    b = privacy.confidence_attack([0.01, 0.98], [0.4, 0.55])  # the same confidences, classes swapped
    assert a.auc == b.auc == 1.0


def test_attacks_reject_bad_input():
    with pytest.raises(ValueError, match="balanced"):
        privacy.membership_attack([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="non-finite"):
        privacy.membership_attack([1, np.nan], [1, 2])
    with pytest.raises(ValueError, match="non-negative"):
        privacy.loss_attack([-0.1, 0.2], [0.1, 0.2])
    with pytest.raises(ValueError, match="threshold"):
        privacy.loss_attack([0.1, 0.2], [0.1, 0.2], threshold="median")
    with pytest.raises(ValueError, match="probabilities"):
        privacy.confidence_attack([1.2, 0.2], [0.1, 0.2])


def test_binary_losses_from_logits():
    z = np.array([0.0, 2.0, -3.0])
    y = np.array([1, 0, 0])
    p = 1 / (1 + np.exp(-z))
    expected = -(y * np.log(p) + (1 - y) * np.log1p(-p))
    assert privacy.binary_losses(y, z) == pytest.approx(expected)
    assert 0 < privacy.binary_losses([1], [50.0])[0] < 1e-20  # no underflow to zero
    with pytest.raises(ValueError, match="only 0 and 1"):
        privacy.binary_losses([2], [0.0])
    with pytest.raises(ValueError, match="same length"):
        privacy.binary_losses([1, 0], [0.0])


# ------------------------------------------------------------- DP-SGD (chapter 21, finbook.lessons)


@settings(max_examples=50)
@given(hnp.arrays(float, (6, 4), elements=st.floats(-100, 100)),
       hnp.arrays(float, (6, 3), elements=st.floats(-100, 100)),
       st.floats(0.01, 10.0))
def test_clip_per_example_bounds_every_example(g1, g2, clip):
    clipped = lessons.clip_per_example([g1, g2], clip)
    norms = np.sqrt((clipped[0] ** 2).sum(1) + (clipped[1] ** 2).sum(1))
    before = np.sqrt((g1 ** 2).sum(1) + (g2 ** 2).sum(1))
    assert (norms <= clip * (1 + 1e-9)).all()
    small = before <= clip
    assert np.allclose(clipped[0][small], g1[small]) and np.allclose(clipped[1][small], g2[small])
    big = before > clip
    assert np.allclose(norms[big], clip)  # long gradients are shrunk to the bound, not below it


def test_clip_per_example_rejects_bad_input():
    with pytest.raises(ValueError, match="clip_norm"):
        lessons.clip_per_example([np.ones((2, 2))], 0.0)
    with pytest.raises(ValueError, match="same number of rows"):
        lessons.clip_per_example([np.ones((2, 2)), np.ones((3, 1))], 1.0)


@pytest.fixture(scope="module")
def small_net():
    return lessons.DenseNetwork(5, (4, 3), seed=1)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12), st.floats(0.05, 5.0))
def test_fast_clipped_sum_equals_the_per_example_reference(small_net, seed, rows, clip):
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=2.0, size=(rows, 5))
    y = (rng.random(rows) < 0.5).astype(float)
    reference = lessons.per_example_gradients(small_net, x, y)
    ref_norms = np.sqrt(sum((g.reshape(rows, -1) ** 2).sum(1) for g in reference))
    sums, norms = lessons.clipped_gradient_sum(small_net, x, y, clip)
    assert norms == pytest.approx(ref_norms, rel=1e-4, abs=1e-6)
    for fast, slow in zip(sums, lessons.clip_per_example(reference, clip), strict=True):
        assert fast == pytest.approx(slow.sum(axis=0), rel=1e-4, abs=1e-5)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 10), st.floats(0.05, 5.0))
def test_one_borrower_moves_the_clipped_sum_by_at_most_the_clip_norm(small_net, seed, rows, clip):
    """The sensitivity DP-SGD's noise is calibrated to: adding one example changes the sum by <= C."""
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=3.0, size=(rows + 1, 5))
    y = (rng.random(rows + 1) < 0.5).astype(float)
    with_one, _ = lessons.clipped_gradient_sum(small_net, x, y, clip)
    without, _ = lessons.clipped_gradient_sum(small_net, x[:-1], y[:-1], clip)
    change = math.sqrt(sum(float(((a - b) ** 2).sum()) for a, b in zip(with_one, without, strict=True)))
    assert change <= clip * (1 + 1e-5)


# --------------------------------------------------------------------------- training


@pytest.fixture(scope="module")
def toy_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4)).astype("float32")
    y = (x[:, 0] + 0.5 * rng.normal(size=200) > 0).astype(float)
    return x, y


def train(x, y, *, hidden=(8,), clip_norm=1.0, noise_multiplier=0.5, seed=3, **kw):
    """Chapter 21's recipe: a DenseNetwork trained by train_network on dp_sgd_gradient."""
    net = lessons.DenseNetwork(x.shape[1], hidden, seed=seed)
    gradient = lessons.dp_sgd_gradient(clip_norm, noise_multiplier, seed=seed)
    return net, lessons.train_network(net, x, y, gradient, seed=seed, **kw)


def test_training_is_reproducible_and_learns(toy_data):
    x, y = toy_data
    kw = dict(epochs=5, expected_batch_size=50, learning_rate=1e-2)
    net_a, hist_a = train(x, y, **kw)
    net_b, hist_b = train(x, y, **kw)
    assert hist_a == hist_b
    assert np.array_equal(net_a.logits(x), net_b.logits(x))
    assert len(hist_a["loss"]) == 5
    net_c, _ = train(x, y, seed=4, **kw)
    assert not np.array_equal(net_a.logits(x), net_c.logits(x))
    free, hist = train(x, y, clip_norm=None, noise_multiplier=0.0, epochs=20, expected_batch_size=50,
                       learning_rate=1e-2)
    assert hist["loss"][-1] < hist["loss"][0] < math.log(2) + 0.2
    assert lessons.dp_sgd_gradient(None, 0.0) is lessons.summed_gradient


def test_training_rejects_bad_input(toy_data):
    x, y = toy_data
    with pytest.raises(ValueError, match="clip_norm"):
        lessons.dp_sgd_gradient(None, 1.0)
    with pytest.raises(ValueError, match="clip_norm"):
        lessons.dp_sgd_gradient(0.0, 1.0)
    with pytest.raises(ValueError, match="noise_multiplier"):
        lessons.dp_sgd_gradient(1.0, -1.0)
    with pytest.raises(ValueError, match="only 0 and 1"):
        train(x, y * 2, epochs=1, expected_batch_size=50)
    with pytest.raises(ValueError, match="same length"):
        train(x, y[:-1], epochs=1, expected_batch_size=50)
    with pytest.raises(ValueError, match="expected_batch_size"):
        train(x, y, epochs=1, expected_batch_size=500)
    with pytest.raises(ValueError, match="learning_rate"):
        train(x, y, epochs=1, expected_batch_size=50, learning_rate=0.0)
    with pytest.raises(ValueError, match="2-d"):
        lessons.train_network(lessons.DenseNetwork(4, (3,)), x[:, 0], y, epochs=1, expected_batch_size=50)
    with pytest.raises(ValueError, match="shape"):
        lessons.DenseNetwork(4, (3,)).logits(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="hidden layer size"):
        lessons.DenseNetwork(4, (0,))


# --------------------------------------------------------------------------- low-FPR and chance levels


def test_tpr_at_fpr_hand_example():
    # four non-members; at 25% FPR one may be flagged: threshold above the second-largest (1)
    assert privacy.tpr_at_fpr([5, 4, 3, 0.5], [2, 1, 0, -1], fpr=0.25) == 0.75
    # at 0% FPR nobody may be flagged: threshold above the largest non-member score (2)
    assert privacy.tpr_at_fpr([5, 4, 3, 0.5], [2, 1, 0, -1], fpr=0.0) == 0.75
    assert privacy.tpr_at_fpr([1, 1], [2, 3], fpr=0.0) == 0.0


@given(hnp.arrays(float, 40, elements=st.floats(-5, 5)), hnp.arrays(float, 40, elements=st.floats(-5, 5)),
       st.floats(0.0, 0.5))
def test_tpr_at_fpr_never_flags_more_non_members_than_allowed(mem, non, fpr):
    tpr = privacy.tpr_at_fpr(mem, non, fpr)
    cut = np.sort(non)[::-1][int(np.floor(fpr * non.size))]
    assert np.mean(non > cut) <= fpr + 1e-12
    assert tpr == pytest.approx(np.mean(mem > cut))


def test_chance_advantage_matches_simulated_null_quantile():
    rng = np.random.default_rng(0)
    n = 200
    best = [privacy.membership_attack(rng.normal(size=n), rng.normal(size=n)).best_advantage
            for _ in range(400)]
    simulated = float(np.quantile(best, 0.95))
    assert privacy.chance_advantage(n, n) == pytest.approx(simulated, rel=0.15)
    with pytest.raises(ValueError, match="level"):
        privacy.chance_advantage(n, n, level=1.0)
    with pytest.raises(ValueError, match="fpr"):
        privacy.tpr_at_fpr([1.0], [0.0], fpr=1.0)


def _analytic_gaussian_epsilon(sigma, delta):
    """Exact epsilon of one Gaussian mechanism (sensitivity 1), Balle & Wang (2018), Theorem 8."""
    from scipy.optimize import brentq
    from scipy.stats import norm

    def excess(e):
        return norm.cdf(0.5 / sigma - e * sigma) - math.exp(e) * norm.cdf(-0.5 / sigma - e * sigma) - delta

    return brentq(excess, 0.0, 100.0)


@pytest.mark.parametrize("sigma", [1.0, 2.0])
def test_pld_epsilon_matches_the_analytic_gaussian_mechanism(sigma):
    # q = 1, one step: the plain Gaussian mechanism, whose exact epsilon has a closed form
    kw = dict(sampling_probability=1.0, noise_multiplier=sigma, steps=1, delta=1e-5)
    pld = privacy.dp_sgd_epsilon(accountant="pld", **kw)
    assert pld == pytest.approx(_analytic_gaussian_epsilon(sigma, 1e-5), abs=1e-3)
    assert pld < privacy.dp_sgd_epsilon(**kw)  # RDP is an upper bound, looser


def test_dp_sgd_epsilon_rejects_an_unknown_accountant():
    with pytest.raises(ValueError, match="accountant"):
        privacy.dp_sgd_epsilon(sampling_probability=0.1, noise_multiplier=1.0, steps=10, delta=1e-5,
                               accountant="prv")
