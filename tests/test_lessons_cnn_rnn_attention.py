"""The models taught in chapters 4 (CNN), 5 (RNN, LSTM, GRU) and 7 (attention, Transformer),
imported from finbook.lessons: builders have the parameter counts their formulas give,
attention matches hand and Keras, the RNN Jacobian matches finite differences, and bad
input is refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finbook import lessons


@pytest.fixture(scope="module")
def keras():
    from finbook.repro import import_tensorflow

    import_tensorflow()
    import keras as _keras

    return _keras


# --------------------------------------------------------------------------- builders
def test_builder_parameter_counts_match_their_formulas(keras):
    lb, f = 22, 2
    conv = 8 * (5 * f + 1)
    pooled = ((lb - 5 + 1) // 2) * 8
    assert lessons.conv1d_forecaster(lb, f).count_params() == conv + (pooled * 16 + 16) + 17
    u = 16
    assert lessons.lstm_forecaster(lb, f, units=u).count_params() == 4 * (u * (f + u) + u) + u + 1
    # Keras' GRU (reset_after=True) has an input bias and a recurrent bias per gate
    assert lessons.gru_forecaster(lb, f, units=u).count_params() == 3 * (u * (f + u) + 2 * u) + u + 1
    assert lessons.simple_rnn_forecaster(lb, f, units=u).count_params() == u * (f + u) + u + u + 1
    d, h, ff = 16, 2, 32
    embed = f * d + d
    mha = 3 * (d * d + d) + d * d + d
    norms = 2 * 2 * d
    ffn = (d * ff + ff) + (ff * d + d)
    expected = embed + mha + norms + ffn + d + 1
    assert lessons.transformer_forecaster(lb, f, d_model=d, num_heads=h, ff_units=ff).count_params() \
        == expected


def test_builders_map_windows_to_one_number(keras):
    x = np.zeros((3, 22, 2), dtype="float32")
    for build in (lessons.conv1d_forecaster, lessons.lstm_forecaster, lessons.gru_forecaster,
                  lessons.simple_rnn_forecaster, lessons.transformer_forecaster):
        model = build(22, 2)
        assert model.predict(x, verbose=0).shape == (3, 1)
        assert model.loss == "mean_squared_error"


@pytest.mark.parametrize(("build", "kwargs", "match"), [
    (lessons.conv1d_forecaster, {"kernel_size": 30}, "kernel_size must be at most lookback=22, got 30"),
    (lessons.lstm_forecaster, {"units": 0}, "units must be an integer >= 1, got 0"),
    (lessons.gru_forecaster, {"learning_rate": -1.0}, "learning_rate must be positive, got -1.0"),
    (lessons.transformer_forecaster, {"d_model": 15}, "d_model must be a multiple of num_heads=2"),
])
def test_builders_refuse_bad_arguments(keras, build, kwargs, match):
    with pytest.raises(ValueError, match=match):
        build(22, 2, **kwargs)


def test_builders_refuse_bad_shapes():
    with pytest.raises(ValueError, match="n_features must be an integer >= 1, got 0"):
        lessons.lstm_forecaster(22, 0)


# --------------------------------------------------------------------------- attention
def test_attention_by_hand():
    q = np.array([[1.0, 0.0]])
    k = np.array([[1.0, 0.0], [0.0, 1.0]])
    v = np.array([[1.0], [3.0]])
    out, w = lessons.scaled_dot_product_attention(q, k, v)
    # scores: q.k / sqrt(2) = (0.7071, 0); softmax weights e^0.7071 / (e^0.7071 + 1)
    w0 = np.exp(1 / np.sqrt(2)) / (np.exp(1 / np.sqrt(2)) + 1)
    np.testing.assert_allclose(w, [[w0, 1 - w0]])
    np.testing.assert_allclose(out, [[w0 * 1 + (1 - w0) * 3]])
    assert w0 == pytest.approx(0.66976, abs=1e-5)


def test_attention_mask_and_equal_scores():
    q = np.zeros((3, 4))  # all scores equal: uniform weights over the allowed keys
    k = np.ones((3, 4))
    v = np.array([[1.0], [2.0], [6.0]])
    causal = np.tril(np.ones((3, 3), dtype=bool))
    out, w = lessons.scaled_dot_product_attention(q, k, v, mask=causal)
    np.testing.assert_allclose(w, [[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(out.ravel(), [1.0, 1.5, 3.0])


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 8))
def test_attention_rows_sum_to_one_and_ignore_the_order_of_keys(seed, n):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, n, 4)), rng.normal(size=(2, n, 5))
    out, w = lessons.scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0)
    perm = rng.permutation(n)
    out_p, _ = lessons.scaled_dot_product_attention(q, k[:, perm], v[:, perm])
    np.testing.assert_allclose(out, out_p, atol=1e-12)


def test_attention_refuses_bad_shapes():
    with pytest.raises(ValueError, match="same last dimension d_k, got 3 and 4"):
        lessons.scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 1)))
    with pytest.raises(ValueError, match="same number of positions, got 2 and 5"):
        lessons.scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((5, 1)))
    with pytest.raises(ValueError, match="no key to attend to"):
        lessons.scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)),
                                              mask=np.array([[True, False], [False, False]]))


def test_multi_head_attention_matches_keras(keras):
    from finbook import repro

    repro.set_seed(0)
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    x = np.random.default_rng(1).normal(size=(2, 5, 4)).astype("float32")
    ctx = np.random.default_rng(2).normal(size=(2, 7, 4)).astype("float32")
    expected, scores = layer(x, ctx, return_attention_scores=True)
    out, att = lessons.multi_head_attention(x, ctx, layer.get_weights())
    np.testing.assert_allclose(out, np.asarray(expected), atol=1e-5)
    np.testing.assert_allclose(att, np.asarray(scores), atol=1e-6)
    with pytest.raises(ValueError, match="8 weight arrays"):
        lessons.multi_head_attention(x, ctx, layer.get_weights()[:6])
    with pytest.raises(ValueError, match=r"query must have shape \(batch, positions, 4\)"):
        lessons.multi_head_attention(x[..., :3], ctx, layer.get_weights())


def test_positional_encoding_values():
    pe = lessons.positional_encoding(50, 8)
    assert pe.shape == (50, 8)
    np.testing.assert_allclose(pe[:, 0], np.sin(np.arange(50)))
    np.testing.assert_allclose(pe[:, 1], np.cos(np.arange(50)))
    np.testing.assert_allclose(pe[7, 6], np.sin(7 / 10000 ** (6 / 8)))
    with pytest.raises(ValueError, match="d_model must be even"):
        lessons.positional_encoding(5, 3)


# --------------------------------------------------------------------------- vanishing gradients
def test_rnn_jacobian_norms_scalar_by_hand():
    x = np.array([[0.5], [-1.0], [2.0]])
    w, u = 0.9, 0.7
    h, states = 0.0, []
    for xt in x[:, 0]:
        h = np.tanh(w * h + u * xt)
        states.append(h)
    d = [w * (1 - s**2) for s in states]  # dh_k / dh_{k-1}
    expected = [d[0] * d[1] * d[2], d[1] * d[2], d[2], 1.0]
    np.testing.assert_allclose(lessons.rnn_jacobian_norms(x, [[w]], [[u]]), expected)


def test_rnn_jacobian_matches_finite_differences():
    rng = np.random.default_rng(0)
    units, steps = 4, 6
    w = rng.normal(scale=0.6, size=(units, units))
    u = rng.normal(size=(units, 2))
    x = rng.normal(size=(steps, 2))
    h0 = rng.normal(scale=0.3, size=units)

    def last_state(h):
        for xt in x:
            h = np.tanh(w @ h + u @ xt)
        return h

    eps = 1e-6
    jac = np.column_stack([(last_state(h0 + eps * e) - last_state(h0 - eps * e)) / (2 * eps)
                           for e in np.eye(units)])
    norms = lessons.rnn_jacobian_norms(x, w, u, h0=h0)
    assert norms[0] == pytest.approx(np.linalg.norm(jac, 2), rel=1e-6)
    assert norms[-1] == 1.0


def test_rnn_jacobian_norms_vanish_for_a_contracting_recurrence():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    norms = lessons.rnn_jacobian_norms(rng.normal(size=(50, 1)), 0.5 * q, rng.normal(size=(8, 1)))
    assert norms[0] < 0.5**50 * 1.0001  # |tanh'| <= 1 and ||W|| = 0.5
    assert np.all(np.diff(norms) > 0)


def test_rnn_jacobian_norms_bad_shapes():
    with pytest.raises(ValueError, match="recurrent_kernel must be square"):
        lessons.rnn_jacobian_norms(np.ones((3, 1)), np.ones((2, 3)), np.ones((2, 1)))
    with pytest.raises(ValueError, match=r"input_kernel must have shape \(units, n_inputs\) = \(2, 1\)"):
        lessons.rnn_jacobian_norms(np.ones((3, 1)), np.eye(2), np.ones((2, 2)))
    with pytest.raises(ValueError, match="inputs must be 2-D"):
        lessons.rnn_jacobian_norms(np.ones(3), np.eye(2), np.ones((2, 1)))


def test_recurrent_forecaster_refuses_an_unknown_kind(keras):
    with pytest.raises(ValueError, match="kind must be one of"):
        lessons.recurrent_forecaster("transformer", 22, 2)
