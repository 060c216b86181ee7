"""finbook.sequence: the volatility task has no look-ahead, attention matches hand and Keras,
builders have the parameter counts their formulas give, and bad input is refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finbook import data, sequence, volatility


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return data.sp500()


@pytest.fixture(scope="module")
def task(prices) -> sequence.VolatilityTask:
    return sequence.volatility_task(prices, lookback=22, horizon=5)


@pytest.fixture(scope="module")
def keras():
    from finbook.repro import import_tensorflow

    import_tensorflow()
    import keras as _keras

    return _keras


# --------------------------------------------------------------------------- the task
def test_task_summary_describes_its_shape_and_span(task):
    row = task.summary().iloc[0]
    assert row["window (days x features)"] == "22 x 2"
    assert row["samples"] == len(task)
    assert row["first forecast"] == f"{task.dates[0]:%Y-%m-%d}" < row["last forecast"]
    assert pd.Timestamp(row["last forecast"]) == task.dates.max()


def test_task_shapes_and_features(task, prices):
    n = len(task)
    assert task.x.shape == (n, 22, 2) and task.y.shape == (n,)
    assert task.feature_names == ("log_variance", "return")
    assert len(task.dates) == len(task.har) == len(task.naive) == len(task.target_variance) == n
    # every sample has a full window, a target and HAR regressors: the first 22 days
    # (21 for the monthly mean, +1 for the first return) and the last 5 are lost
    assert n == len(prices) - 22 - 5
    assert task.dates.is_monotonic_increasing
    assert not np.isnan(task.x).any() and not np.isnan(task.y).any()


def test_task_values_by_hand(task, prices):
    gk = volatility.garman_klass(prices["open"], prices["high"], prices["low"], prices["close"])
    i = 1000
    t = prices.index.get_loc(task.dates[i])
    # the window ends on the forecast day itself and starts 21 days earlier
    np.testing.assert_allclose(task.x[i, :, 0], np.log(gk.iloc[t - 21:t + 1]), rtol=1e-6)
    ret = 100 * np.log(prices["close"].iloc[t - 21:t + 1].to_numpy()
                       / prices["close"].iloc[t - 22:t].to_numpy())
    np.testing.assert_allclose(task.x[i, :, 1], ret, rtol=1e-5, atol=1e-6)
    # the target is the mean variance of the next five days, in logs
    assert task.target_variance[i] == pytest.approx(gk.iloc[t + 1:t + 6].mean())
    assert task.y[i] == pytest.approx(np.log(gk.iloc[t + 1:t + 6].mean()), rel=1e-6)
    # naive: last week's average variance; HAR: logs of the daily, weekly, monthly means
    assert task.naive[i] == pytest.approx(gk.iloc[t - 4:t + 1].mean())
    assert task.har.iloc[i]["monthly"] == pytest.approx(np.log(gk.iloc[t - 21:t + 1].mean()))


def test_task_inputs_never_see_the_future(prices):
    """Changing prices after day d changes no input dated <= d and no target ending <= d."""
    sub = prices.iloc[:400].copy()
    before = sequence.volatility_task(sub, lookback=10, horizon=5)
    cut = 300
    shocked = sub.copy()
    shocked.iloc[cut + 1:, :4] *= 1.5  # a price level shift after day `cut`
    shocked.iloc[cut + 1:, shocked.columns.get_loc("high")] *= 1.1  # and wider ranges
    after = sequence.volatility_task(shocked, lookback=10, horizon=5)
    d = sub.index[cut]
    known = before.dates <= d
    np.testing.assert_array_equal(before.x[known], after.x[known])
    target_known = before.dates <= sub.index[cut - 5]
    np.testing.assert_array_equal(before.y[target_known], after.y[target_known])
    # ...while the future does change: the test can fail
    assert not np.array_equal(before.y, after.y)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"lookback": 0}, "lookback must be an integer >= 1, got 0"),
    ({"lookback": 2.5}, "lookback"),
    ({"horizon": -1}, "horizon must be an integer >= 1"),
])
def test_task_bad_arguments(prices, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sequence.volatility_task(prices, **kwargs)


def test_task_bad_prices(prices):
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['open'\]"):
        sequence.volatility_task(prices.drop(columns="open"))
    with pytest.raises(ValueError, match="too few"):
        sequence.volatility_task(prices.iloc[:40])
    with pytest.raises(ValueError, match="sorted DatetimeIndex"):
        sequence.volatility_task(prices.iloc[::-1])
    with pytest.raises(TypeError, match="DataFrame"):
        sequence.volatility_task(prices["close"])


# --------------------------------------------------------------------------- walk-forward
def test_har_walk_forward_trains_only_on_targets_known_before_the_block(task):
    har = sequence.walk_forward_forecast(task, "har", first_test_year=2004, years_per_refit=5)
    assert har.forecasts["block"].unique().tolist() == ["2004\u20132008", "2009\u20132013",
                                                        "2014\u20132018"]
    assert har.forecasts.index.min().year == 2004 and har.forecasts.index.max().year == 2018
    # refit by hand: OLS on every sample whose 5-day target ends by the first test day
    first = int(np.flatnonzero(task.dates.year >= 2009)[0])
    rows = np.arange(first - 4)
    assert rows[-1] + 5 == first
    design = np.column_stack([np.ones(len(rows)), task.har.to_numpy()[rows]])
    beta, *_ = np.linalg.lstsq(design, task.y[rows].astype(float), rcond=None)
    np.testing.assert_allclose(har.models[1].to_numpy(), beta, rtol=1e-10)
    resid = task.y[rows] - design @ beta
    assert har.smearing[1] == pytest.approx(np.mean(np.exp(resid)))
    # forecasts: exp(log forecast) times the smearing factor
    block = har.forecasts[har.forecasts["block"] == "2009\u20132013"]
    np.testing.assert_allclose(block["forecast_variance"],
                               np.exp(block["forecast_log"]) * har.smearing[1])


def test_naive_forecast_is_last_weeks_average_variance(task):
    naive = sequence.walk_forward_forecast(task, "naive", first_test_year=2010, years_per_refit=20)
    test = task.dates.year >= 2010
    np.testing.assert_allclose(naive.forecasts["forecast_variance"], task.naive[test])
    rv, h = task.target_variance[test], task.naive[test]
    assert naive.qlike.mean() == pytest.approx(np.mean(rv / h - np.log(rv / h) - 1))


def test_walk_forward_refuses_a_gap_that_lets_targets_overlap(task):
    with pytest.raises(ValueError, match="gap must be an integer >= horizon - 1 = 4"):
        sequence.walk_forward_forecast(task, "har", gap=2)
    with pytest.raises(ValueError, match="model must be 'har', 'naive'"):
        sequence.walk_forward_forecast(task, "garch")
    with pytest.raises(TypeError, match="VolatilityTask"):
        sequence.walk_forward_forecast(task.x, "har")
    with pytest.raises(ValueError, match="after the last year"):
        sequence.walk_forward_forecast(task, "har", first_test_year=2030)


def _frozen_zero_model(keras, lookback, n_features):
    """A network whose output is always 0: its forecast is the training mean of the scaled target."""
    inputs = keras.Input(shape=(lookback, n_features))
    x = keras.layers.Flatten()(inputs)
    out = keras.layers.Dense(1, kernel_initializer="zeros", bias_initializer="zeros")(x)
    model = keras.Model(inputs, out)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mean_squared_error")
    return model


@pytest.mark.parametrize("relative", [False, True])
def test_network_target_scaler_is_fitted_on_training_rows_only(task, keras, relative):
    res = sequence.walk_forward_forecast(
        task, lambda: _frozen_zero_model(keras, 22, 2), first_test_year=2016, years_per_refit=5,
        validation_days=100, epochs=1, patience=1, relative=relative)
    first = int(np.flatnonzero(task.dates.year >= 2016)[0])
    train = np.arange(first - 4)
    fit_rows = train[: len(train) - 100 - 4]
    anchor = task.x[:, :, 0].astype(float).mean(axis=1) if relative else np.zeros(len(task))
    expected = np.mean(task.y[fit_rows] - anchor[fit_rows]) + anchor[task.dates.year >= 2016]
    np.testing.assert_allclose(res.forecasts["forecast_log"], expected, rtol=1e-5)
    assert len(res.histories) == 1 and res.histories[0]["loss"]
    np.testing.assert_allclose(res.predictors[0](task.x[task.dates.year >= 2016]), expected, rtol=1e-5)
    # the inputs are standardised with the fitting rows' statistics, and only theirs
    fitted = res.prepare[0](task.x[fit_rows]).reshape(-1, 2)
    np.testing.assert_allclose(fitted.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(fitted.std(axis=0), 1.0, atol=1e-4)
    tested = res.prepare[0](task.x[task.dates.year >= 2016]).reshape(-1, 2)
    assert np.abs(tested.mean(axis=0)).max() > 1e-3


def test_network_walk_forward_is_reproducible(task, keras):
    def run():
        return sequence.walk_forward_forecast(
            task, lambda: sequence.conv1d_forecaster(22, 2, filters=2, dense_units=4),
            first_test_year=2017, years_per_refit=5, epochs=2, seed=3)
    a, b = run(), run()
    pd.testing.assert_frame_equal(a.forecasts, b.forecasts)


def test_network_needs_a_long_enough_training_window(task, keras):
    with pytest.raises(ValueError, match="too short for validation_days=600"):
        sequence.walk_forward_forecast(task, lambda: _frozen_zero_model(keras, 22, 2),
                                       first_test_year=2002, validation_days=600)


# --------------------------------------------------------------------------- scores
def test_forecast_table_and_blocks(task):
    har = sequence.walk_forward_forecast(task, "har")
    naive = sequence.walk_forward_forecast(task, "naive")
    table = sequence.forecast_table({"HAR": har, "naive": naive})
    assert list(table.columns) == ["QLIKE", "MSE log", "DM vs HAR", "p-value"]
    assert np.isnan(table.loc["HAR", "DM vs HAR"])
    assert table.loc["naive", "QLIKE"] == pytest.approx(naive.qlike.mean())
    # the sign convention: positive means the model's loss exceeds the baseline's
    assert np.sign(table.loc["naive", "DM vs HAR"]) == np.sign(naive.qlike.mean() - har.qlike.mean())
    blocks = sequence.qlike_by_block({"HAR": har, "naive": naive})
    assert blocks.shape == (3, 2)
    # the overall mean is the day-weighted mean of the block means
    sizes = har.forecasts["block"].value_counts().reindex(blocks.index)
    assert np.average(blocks["HAR"], weights=sizes) == pytest.approx(har.qlike.mean())


def test_forecast_table_refuses_different_test_days(task):
    a = sequence.walk_forward_forecast(task, "har", first_test_year=2004)
    b = sequence.walk_forward_forecast(task, "naive", first_test_year=2005)
    with pytest.raises(ValueError, match="other dates"):
        sequence.forecast_table({"HAR": a, "naive": b})
    with pytest.raises(ValueError, match="baseline 'GARCH' is not among"):
        sequence.forecast_table({"HAR": a}, baseline="GARCH")


# --------------------------------------------------------------------------- builders
def test_builder_parameter_counts_match_their_formulas(keras):
    lb, f = 22, 2
    conv = 8 * (5 * f + 1)
    pooled = ((lb - 5 + 1) // 2) * 8
    assert sequence.conv1d_forecaster(lb, f).count_params() == conv + (pooled * 16 + 16) + 17
    u = 16
    assert sequence.lstm_forecaster(lb, f, units=u).count_params() == 4 * (u * (f + u) + u) + u + 1
    # Keras' GRU (reset_after=True) has an input bias and a recurrent bias per gate
    assert sequence.gru_forecaster(lb, f, units=u).count_params() == 3 * (u * (f + u) + 2 * u) + u + 1
    assert sequence.simple_rnn_forecaster(lb, f, units=u).count_params() == u * (f + u) + u + u + 1
    d, h, ff = 16, 2, 32
    embed = f * d + d
    mha = 3 * (d * d + d) + d * d + d
    norms = 2 * 2 * d
    ffn = (d * ff + ff) + (ff * d + d)
    expected = embed + mha + norms + ffn + d + 1
    assert sequence.transformer_forecaster(lb, f, d_model=d, num_heads=h, ff_units=ff).count_params() \
        == expected


def test_builders_map_windows_to_one_number(keras):
    x = np.zeros((3, 22, 2), dtype="float32")
    for build in (sequence.conv1d_forecaster, sequence.lstm_forecaster, sequence.gru_forecaster,
                  sequence.simple_rnn_forecaster, sequence.transformer_forecaster):
        model = build(22, 2)
        assert model.predict(x, verbose=0).shape == (3, 1)
        assert model.loss == "mean_squared_error"


@pytest.mark.parametrize(("build", "kwargs", "match"), [
    (sequence.conv1d_forecaster, {"kernel_size": 30}, "kernel_size must be at most lookback=22, got 30"),
    (sequence.lstm_forecaster, {"units": 0}, "units must be an integer >= 1, got 0"),
    (sequence.gru_forecaster, {"learning_rate": -1.0}, "learning_rate must be positive, got -1.0"),
    (sequence.transformer_forecaster, {"d_model": 15}, "d_model must be a multiple of num_heads=2"),
])
def test_builders_refuse_bad_arguments(keras, build, kwargs, match):
    with pytest.raises(ValueError, match=match):
        build(22, 2, **kwargs)


def test_builders_refuse_bad_shapes():
    with pytest.raises(ValueError, match="n_features must be an integer >= 1, got 0"):
        sequence.lstm_forecaster(22, 0)


def test_lag_elasticity_of_a_linear_predictor_is_its_weights():
    w = np.array([0.1, -0.2, 0.3, 0.8])
    x = np.random.default_rng(0).normal(size=(6, 4, 2))
    np.testing.assert_allclose(sequence.lag_elasticity(lambda z: z[:, :, 1] @ w, x, feature=1), w)
    np.testing.assert_allclose(sequence.lag_elasticity(lambda z: z[:, :, 1] @ w, x, feature=0), 0.0)
    with pytest.raises(ValueError, match="must be 3-D"):
        sequence.lag_elasticity(lambda z: z, x[0])
    with pytest.raises(ValueError, match=r"feature must be in \[0, 2\), got 2"):
        sequence.lag_elasticity(lambda z: z, x, feature=2)


def test_har_predictor_reproduces_its_forecasts_and_its_lag_weights(task):
    har = sequence.walk_forward_forecast(task, "har")
    last = har.forecasts["block"] == "2014\u20132018"
    rows = np.flatnonzero(task.dates.year >= 2014)
    np.testing.assert_allclose(har.predictors[-1](task.x[rows]), har.forecasts["forecast_log"][last],
                               rtol=1e-5)
    # in a window of equal variances, d log(mean of n days) / d log(one day) = 1/n
    flat = np.zeros((1, 22, 2))
    beta = har.models[-1]
    expected = np.full(22, beta["monthly"] / 22)
    expected[-5:] += beta["weekly"] / 5
    expected[-1] += beta["daily"]
    np.testing.assert_allclose(sequence.lag_elasticity(har.predictors[-1], flat), expected, atol=1e-6)


# --------------------------------------------------------------------------- attention
def test_attention_by_hand():
    q = np.array([[1.0, 0.0]])
    k = np.array([[1.0, 0.0], [0.0, 1.0]])
    v = np.array([[1.0], [3.0]])
    out, w = sequence.scaled_dot_product_attention(q, k, v)
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
    out, w = sequence.scaled_dot_product_attention(q, k, v, mask=causal)
    np.testing.assert_allclose(w, [[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(out.ravel(), [1.0, 1.5, 3.0])


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 8))
def test_attention_rows_sum_to_one_and_ignore_the_order_of_keys(seed, n):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, n, 4)), rng.normal(size=(2, n, 5))
    out, w = sequence.scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0)
    perm = rng.permutation(n)
    out_p, _ = sequence.scaled_dot_product_attention(q, k[:, perm], v[:, perm])
    np.testing.assert_allclose(out, out_p, atol=1e-12)


def test_attention_refuses_bad_shapes():
    with pytest.raises(ValueError, match="same last dimension d_k, got 3 and 4"):
        sequence.scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 1)))
    with pytest.raises(ValueError, match="same number of positions, got 2 and 5"):
        sequence.scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((5, 1)))
    with pytest.raises(ValueError, match="no key to attend to"):
        sequence.scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)),
                                              mask=np.array([[True, False], [False, False]]))


def test_multi_head_attention_matches_keras(keras):
    from finbook import repro

    repro.set_seed(0)
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    x = np.random.default_rng(1).normal(size=(2, 5, 4)).astype("float32")
    ctx = np.random.default_rng(2).normal(size=(2, 7, 4)).astype("float32")
    expected, scores = layer(x, ctx, return_attention_scores=True)
    out, att = sequence.multi_head_attention(x, ctx, layer.get_weights())
    np.testing.assert_allclose(out, np.asarray(expected), atol=1e-5)
    np.testing.assert_allclose(att, np.asarray(scores), atol=1e-6)
    with pytest.raises(ValueError, match="8 weight arrays"):
        sequence.multi_head_attention(x, ctx, layer.get_weights()[:6])
    with pytest.raises(ValueError, match=r"query must have shape \(batch, positions, 4\)"):
        sequence.multi_head_attention(x[..., :3], ctx, layer.get_weights())


def test_positional_encoding_values():
    pe = sequence.positional_encoding(50, 8)
    assert pe.shape == (50, 8)
    np.testing.assert_allclose(pe[:, 0], np.sin(np.arange(50)))
    np.testing.assert_allclose(pe[:, 1], np.cos(np.arange(50)))
    np.testing.assert_allclose(pe[7, 6], np.sin(7 / 10000 ** (6 / 8)))
    with pytest.raises(ValueError, match="d_model must be even"):
        sequence.positional_encoding(5, 3)


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
    np.testing.assert_allclose(sequence.rnn_jacobian_norms(x, [[w]], [[u]]), expected)


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
    norms = sequence.rnn_jacobian_norms(x, w, u, h0=h0)
    assert norms[0] == pytest.approx(np.linalg.norm(jac, 2), rel=1e-6)
    assert norms[-1] == 1.0


def test_rnn_jacobian_norms_vanish_for_a_contracting_recurrence():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    norms = sequence.rnn_jacobian_norms(rng.normal(size=(50, 1)), 0.5 * q, rng.normal(size=(8, 1)))
    assert norms[0] < 0.5**50 * 1.0001  # |tanh'| <= 1 and ||W|| = 0.5
    assert np.all(np.diff(norms) > 0)


def test_rnn_jacobian_norms_bad_shapes():
    with pytest.raises(ValueError, match="recurrent_kernel must be square"):
        sequence.rnn_jacobian_norms(np.ones((3, 1)), np.ones((2, 3)), np.ones((2, 1)))
    with pytest.raises(ValueError, match=r"input_kernel must have shape \(units, n_inputs\) = \(2, 1\)"):
        sequence.rnn_jacobian_norms(np.ones((3, 1)), np.eye(2), np.ones((2, 2)))
    with pytest.raises(ValueError, match="inputs must be 2-D"):
        sequence.rnn_jacobian_norms(np.ones(3), np.eye(2), np.ones((2, 1)))
