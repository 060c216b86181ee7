"""finbook.sequence: the volatility task has no look-ahead, the walk-forward harness fits on the
past only, and bad input is refused. (The networks of chapters 4, 5 and 7 are tested in
test_lessons_cnn_rnn_attention.py.)"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finbook import data, lessons, sequence, volatility


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
    with pytest.raises(ValueError, match="model must be 'har', 'har_leverage', 'naive'"):
        sequence.walk_forward_forecast(task, "garch")
    with pytest.raises(TypeError, match="VolatilityTask"):
        sequence.walk_forward_forecast(task.x, "har")
    with pytest.raises(ValueError, match="after the last year"):
        sequence.walk_forward_forecast(task, "har", first_test_year=2030)


def test_leverage_terms_by_hand(task, prices):
    r = 100 * np.log(prices["close"] / prices["close"].shift(1))
    for i in (0, 1000, len(task) - 1):
        t = prices.index.get_loc(task.dates[i])
        neg = np.minimum(r.iloc[t - 21:t + 1].to_numpy(), 0.0)
        np.testing.assert_allclose(task.leverage.iloc[i].to_numpy(),
                                   [neg[-1], neg[-5:].mean(), neg.mean()], rtol=1e-12, atol=1e-15)


def test_har_leverage_is_ols_on_har_and_negative_return_averages(task, prices):
    res = sequence.walk_forward_forecast(task, "har_leverage")
    assert res.models[0].index.tolist() == ["const", "daily", "weekly", "monthly",
                                            "neg_daily", "neg_weekly", "neg_monthly"]
    # the regression by hand: regressors built from raw prices, beta from the normal equations
    first = int(np.flatnonzero(task.dates.year >= 2009)[0])
    rows = np.arange(first - 4)
    gk = volatility.garman_klass(prices["open"], prices["high"], prices["low"], prices["close"])
    r = 100 * np.log(prices["close"] / prices["close"].shift(1))
    design = []
    for d in task.dates[rows]:
        t = prices.index.get_loc(d)
        v, neg = gk.iloc[t - 21:t + 1].to_numpy(), np.minimum(r.iloc[t - 21:t + 1].to_numpy(), 0.0)
        design.append([1.0, np.log(v[-1]), np.log(v[-5:].mean()), np.log(v.mean()),
                       neg[-1], neg[-5:].mean(), neg.mean()])
    design = np.array(design)
    y = task.y[rows].astype(float)
    beta = np.linalg.solve(design.T @ design, design.T @ y)
    np.testing.assert_allclose(res.models[1].to_numpy(), beta, rtol=1e-8)
    assert res.smearing[1] == pytest.approx(np.mean(np.exp(y - design @ beta)))
    # its predictor reads the same regressors off the raw windows (both channels)
    last = (res.forecasts["block"] == "2014\u20132018").to_numpy()
    test_rows = np.flatnonzero(task.dates.year >= 2014)
    np.testing.assert_allclose(res.predictors[-1](task.x[test_rows]),
                               res.forecasts["forecast_log"].to_numpy()[last], atol=1e-6)  # float32 windows
    # falling prices raise the forecast (the leverage effect): the negative-return terms sum below 0
    assert res.models[-1][["neg_daily", "neg_weekly", "neg_monthly"]].sum() < 0
    # HAR is the special case without the three terms
    har = sequence.walk_forward_forecast(task, "har")
    assert har.models[1].index.tolist() == ["const", "daily", "weekly", "monthly"]
    np.testing.assert_allclose(har.models[1].to_numpy(), np.linalg.lstsq(design[:, :4], y, rcond=None)[0],
                               rtol=1e-8)


def test_same_rows_fits_the_baseline_on_the_networks_training_rows(task):
    res = sequence.walk_forward_forecast(task, "har_leverage", same_rows=True, validation_days=200)
    first = int(np.flatnonzero(task.dates.year >= 2009)[0])
    train = np.arange(first - 4)
    rows = train[:len(train) - 200 - 4]
    design = np.column_stack([np.ones(len(rows)), task.har.to_numpy()[rows],
                              task.leverage.to_numpy()[rows]])
    beta, *_ = np.linalg.lstsq(design, task.y[rows].astype(float), rcond=None)
    np.testing.assert_allclose(res.models[1].to_numpy(), beta, rtol=1e-10)
    with pytest.raises(ValueError, match="same_rows=True applies to 'har' and 'har_leverage' only"):
        sequence.walk_forward_forecast(task, "naive", same_rows=True)
    with pytest.raises(ValueError, match="same_rows must be True or False"):
        sequence.walk_forward_forecast(task, "har", same_rows=1)
    with pytest.raises(ValueError, match="needs task.leverage"):
        sequence.walk_forward_forecast(
            sequence.VolatilityTask(**{**task.__dict__, "leverage": None}), "har_leverage")


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


def test_refit_full_trains_the_chosen_epochs_on_the_whole_window(task, keras):
    res = sequence.walk_forward_forecast(
        task, lambda: _frozen_zero_model(keras, 22, 2), first_test_year=2016, years_per_refit=5,
        validation_days=100, epochs=3, patience=1, refit_full=True)
    # a frozen network's validation loss never improves after epoch 1: that epoch is chosen
    assert res.best_epochs == [1]
    # and its forecast is the mean scaled target of the whole window, validation year included
    first = int(np.flatnonzero(task.dates.year >= 2016)[0])
    train = np.arange(first - 4)
    anchor = task.x[:, :, 0].astype(float).mean(axis=1)
    expected = np.mean(task.y[train] - anchor[train]) + anchor[task.dates.year >= 2016]
    np.testing.assert_allclose(res.forecasts["forecast_log"], expected, rtol=1e-5)
    with pytest.raises(ValueError, match="refit_full must be True or False"):
        sequence.walk_forward_forecast(task, "har", refit_full="yes")


def test_network_walk_forward_is_reproducible(task, keras):
    def run():
        return sequence.walk_forward_forecast(
            task, lambda: lessons.conv1d_forecaster(22, 2, filters=2, dense_units=4),
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
    # the HAC test of finbook.inference (Newey-West lags, HLN correction)
    from finbook import inference

    dm = inference.dm_test(naive.qlike, har.qlike, h=5)
    assert table.loc["naive", "DM vs HAR"] == pytest.approx(dm.statistic)
    assert table.loc["naive", "p-value"] == pytest.approx(dm.pvalue)
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


# --------------------------------------------------------------------------- lag elasticity
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


def test_models_taught_in_the_chapters_are_not_in_finbook_sequence():
    # chapters 4, 5 and 7 define them (exported to finbook.lessons); the package holds no copy
    for name in ("conv1d_forecaster", "lstm_forecaster", "transformer_forecaster"):
        assert not hasattr(sequence, name)
        assert callable(getattr(lessons, name))

