"""Sequence models on one shared forecasting task: next-week volatility of the S&P 500.

Part II of the book (convolutional, recurrent and attention networks) compares
every network on the same data, splits, target and metric, defined once here:

* **daily variance**: the Garman-Klass (1980) estimator from open, high, low
  and close, in percent squared (:func:`finbook.volatility.garman_klass`);
* **target** at day *t*: the mean variance of the next ``horizon`` days
  (t+1 ... t+horizon), modelled in logs;
* **inputs** at day *t*: the past ``lookback`` days (t-lookback+1 ... t) of
  log variance and daily return (percent), so no input looks ahead;
* **evaluation**: walk-forward by calendar year with a few refits, a gap of
  ``horizon - 1`` days so that no training target overlaps the test period,
  scalers fitted on training rows only; QLIKE on the variance scale and MSE of
  log variance, out of sample; Diebold-Mariano tests against a baseline;
* **baselines**: the HAR model of Corsi (2009), refitted by OLS on the same
  schedule, and the naive forecast "next week = last week's average variance".

The Keras builders (:func:`conv1d_forecaster`, :func:`lstm_forecaster`,
:func:`gru_forecaster`, :func:`transformer_forecaster`) all take
``(lookback, n_features)`` and return a compiled model with one linear output
trained on mean squared error. :func:`scaled_dot_product_attention` and
:func:`multi_head_attention` compute attention in NumPy, and
:func:`rnn_jacobian_norms` measures vanishing gradients in a tanh RNN.

Example
-------
>>> from finbook import sequence
>>> task = sequence.volatility_task(lookback=22, horizon=5)
>>> task.x.shape[1:], task.feature_names
((22, 2), ('log_variance', 'return'))
>>> har = sequence.walk_forward_forecast(task, "har")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from finbook import metrics, validation, volatility
from finbook.plots import PALETTE
from finbook.repro import import_tensorflow

__all__ = [
    "MODEL_COLOURS",
    "VolatilityTask",
    "WalkForwardResult",
    "conv1d_forecaster",
    "forecast_table",
    "gru_forecaster",
    "lag_elasticity",
    "lstm_forecaster",
    "multi_head_attention",
    "plot_forecasts",
    "positional_encoding",
    "qlike_by_block",
    "rnn_jacobian_norms",
    "scaled_dot_product_attention",
    "simple_rnn_forecaster",
    "transformer_forecaster",
    "volatility_task",
    "walk_forward_forecast",
]

_PRICE_COLUMNS = ("open", "high", "low", "close")

#: One colour per model, the same in every chapter of Part II (Okabe-Ito palette).
MODEL_COLOURS: dict[str, str] = {
    "HAR": PALETTE[0], "naive": PALETTE[4], "CNN": PALETTE[1], "LSTM": PALETTE[2],
    "GRU": PALETTE[3], "Transformer": PALETTE[5],
}


def _positive_int(value: object, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


# --------------------------------------------------------------------------- the task
@dataclass(frozen=True)
class VolatilityTask:
    """Windows, targets and baseline inputs of the next-week volatility task, one row per sample.

    Sample *i* is the forecast made at the close of day ``dates[i]``.

    Attributes
    ----------
    x : (samples, lookback, n_features) float32 array of past inputs.
    y : (samples,) float32 array, log of the target variance.
    target_variance : (samples,) mean Garman-Klass variance of the next
        ``horizon`` days, percent squared.
    dates : the forecast origins (day *t* of each sample).
    har : HAR regressors at *t* (log of the daily, weekly and monthly average variance).
    naive : last week's average variance (days t-4 ... t), percent squared.
    daily_variance : the whole daily Garman-Klass series (percent squared), for plots.
    lookback, horizon, feature_names : how the task was built.
    """

    x: np.ndarray
    y: np.ndarray
    target_variance: np.ndarray
    dates: pd.DatetimeIndex
    har: pd.DataFrame
    naive: np.ndarray
    daily_variance: pd.Series
    lookback: int
    horizon: int
    feature_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.y)

    def summary(self) -> pd.DataFrame:
        """One-row table of the task's shape: window size, number of samples, first and last forecast."""
        return pd.DataFrame({
            "window (days x features)": [f"{self.x.shape[1]} x {self.x.shape[2]}"],
            "samples": [len(self)],
            "first forecast": [f"{self.dates[0]:%Y-%m-%d}"],
            "last forecast": [f"{self.dates[-1]:%Y-%m-%d}"],
        })


def volatility_task(
    prices: pd.DataFrame | None = None,
    *,
    lookback: int = 22,
    horizon: int = 5,
) -> VolatilityTask:
    """Build the next-week volatility task from daily OHLC prices (default: the S&P 500).

    Inputs at day *t* are the ``lookback`` most recent days (t-lookback+1 ... t)
    of two features: the log of the Garman-Klass variance (percent squared) and
    the daily log return (percent). The target at *t* is the log of the mean
    variance of days t+1 ... t+horizon. Samples whose window, target or HAR
    regressors are incomplete (the first month, the last ``horizon`` days) are
    dropped, so every model sees exactly the same samples.

    Parameters
    ----------
    prices : DataFrame with columns ``open``, ``high``, ``low``, ``close`` and a
        sorted DatetimeIndex; ``None`` loads :func:`finbook.data.sp500`.
    lookback : days of history in each input window (>= 1).
    horizon : days averaged in the target (5 = next week).

    Example
    -------
    >>> task = volatility_task(lookback=22, horizon=5)
    >>> task.x.shape[1:], str(task.dates[0].date())
    ((22, 2), '1999-02-03')
    """
    lookback = _positive_int(lookback, "lookback")
    horizon = _positive_int(horizon, "horizon")
    if prices is None:
        from finbook import data  # noqa: PLC0415

        prices = data.sp500()
    if not isinstance(prices, pd.DataFrame):
        raise TypeError(f"prices must be a DataFrame with columns {list(_PRICE_COLUMNS)}, "
                        f"got {type(prices).__name__}")
    missing = [c for c in _PRICE_COLUMNS if c not in prices.columns]
    if missing:
        raise ValueError(f"prices lacks column(s) {missing}; expected {list(_PRICE_COLUMNS)}, "
                         f"got {list(prices.columns)}")
    if not isinstance(prices.index, pd.DatetimeIndex) or not prices.index.is_monotonic_increasing:
        raise ValueError("prices must have a sorted DatetimeIndex (one row per trading day)")
    if len(prices) < lookback + horizon + 23:
        raise ValueError(f"{len(prices)} days of prices are too few for lookback={lookback} and "
                         f"horizon={horizon}; expected at least {lookback + horizon + 23}")

    variance = volatility.garman_klass(prices["open"], prices["high"], prices["low"], prices["close"])
    if (variance <= 0).any():
        raise ValueError(f"the Garman-Klass variance is zero on {int((variance <= 0).sum())} day(s) "
                         "(high == low); its log is undefined")
    returns = volatility.log_returns(prices["close"])
    target = volatility.forward_mean(variance, horizon)
    features = pd.DataFrame({"log_variance": np.log(variance), "return": returns})
    x, y, rows = validation.make_windows(features, np.log(target), lookback)
    har = volatility.har_design(variance)
    ok = har.iloc[rows].notna().all(axis=1).to_numpy()
    x, y, rows = x[ok], y[ok], rows[ok]
    har_rows = har.iloc[rows]
    return VolatilityTask(
        x=x,
        y=y,
        target_variance=target.to_numpy()[rows],
        dates=pd.DatetimeIndex(prices.index[rows]),
        har=har_rows,
        naive=np.exp(har_rows["weekly"].to_numpy()),
        daily_variance=variance,
        lookback=lookback,
        horizon=horizon,
        feature_names=tuple(features.columns),
    )


# --------------------------------------------------------------------------- walk-forward
@dataclass
class WalkForwardResult:
    """Out-of-sample forecasts of one model, with what each refit learned.

    ``forecasts`` is indexed by forecast date with columns ``target_variance``,
    ``forecast_variance`` (percent squared), ``target_log``, ``forecast_log``
    and ``block`` (the test years of the refit that made the forecast).
    ``histories`` holds one Keras history per refit (empty for HAR and naive),
    ``models`` the fitted models (Keras models, or HAR coefficient Series),
    ``smearing`` the bias-correction factor of each refit, ``predictors`` one
    function per refit mapping raw task windows (``task.x[rows]``) to log-variance
    forecasts before the smearing factor (HAR: only when lookback >= 22), and
    ``prepare`` (networks only) one function per refit turning raw windows into
    what that refit's network reads (anchored and standardised with its
    training statistics).
    """

    name: str
    forecasts: pd.DataFrame
    histories: list[dict[str, list[float]]] = field(default_factory=list)
    models: list[Any] = field(default_factory=list)
    smearing: list[float] = field(default_factory=list)
    predictors: list[Callable[[np.ndarray], np.ndarray]] = field(default_factory=list)
    prepare: list[Callable[[np.ndarray], np.ndarray]] = field(default_factory=list)

    @property
    def qlike(self) -> np.ndarray:
        """Per-day QLIKE losses of the variance forecasts."""
        f = self.forecasts
        return metrics.qlike(f["target_variance"], f["forecast_variance"])

    @property
    def squared_log_error(self) -> np.ndarray:
        """Per-day squared errors of the log-variance forecasts."""
        f = self.forecasts
        return (f["target_log"] - f["forecast_log"]).to_numpy() ** 2


def _block_label(years: np.ndarray) -> str:
    lo, hi = int(years.min()), int(years.max())
    return str(lo) if lo == hi else f"{lo}\u2013{hi}"


def _standardise(x_fit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x_fit.reshape(-1, x_fit.shape[-1]).mean(axis=0)
    std = x_fit.reshape(-1, x_fit.shape[-1]).std(axis=0)
    return mean, np.where(std > 0, std, 1.0)


def walk_forward_forecast(
    task: VolatilityTask,
    model: str | Callable[[], Any],
    *,
    name: str | None = None,
    first_test_year: int = 2004,
    years_per_refit: int = 5,
    gap: int | None = None,
    validation_days: int = 252,
    epochs: int = 40,
    batch_size: int = 256,
    patience: int = 6,
    seed: int = 0,
    bias_correction: bool = True,
    relative: bool = True,
) -> WalkForwardResult:
    """Forecast the task out of sample, refitting at the start of each block of years.

    ``model`` is ``"naive"`` (last week's average variance), ``"har"`` (OLS of
    the log target on the log daily, weekly and monthly variance, Corsi 2009) or
    a function of no arguments returning a compiled Keras model that maps
    ``(lookback, n_features)`` windows to one number, e.g.
    ``lambda: lstm_forecaster(22, 2)``.

    For each block of ``years_per_refit`` test years from ``first_test_year``
    the model is fitted on every sample whose target ends before the block
    (``gap`` defaults to ``horizon - 1``). A network is trained on all but the
    last ``validation_days`` of that window and early-stopped on them (with a
    further ``gap`` between the two); inputs and target are standardised with
    means and deviations of the fitting rows only; Keras is reseeded with
    ``seed + refit`` so that a model's result does not depend on what ran before.

    With ``relative=True`` a network sees each window's log variance, and
    forecasts the target, *relative to that window's mean log variance* (the
    anchor), which is added back to its output. Volatility regimes drift: a
    network trained in the turbulent years 1999-2003 meets the calm of 2004-2006
    as inputs outside anything it was trained on, and on absolute levels its
    forecasts are biased (``relative=False`` shows it).

    Log forecasts are turned into variance forecasts with Duan's smearing factor,
    mean(exp(residual)) over the training window (``bias_correction=True``):
    exp(E[log v]) underestimates E[v], which QLIKE punishes.

    Example
    -------
    >>> task = volatility_task()
    >>> har = walk_forward_forecast(task, "har")
    >>> har.forecasts["block"].unique().tolist()
    ['2004–2008', '2009–2013', '2014–2018']
    """
    if not isinstance(task, VolatilityTask):
        raise TypeError(f"task must be a VolatilityTask from volatility_task(), got {type(task).__name__}")
    if isinstance(model, str):
        if model not in {"har", "naive"}:
            raise ValueError(f"model must be 'har', 'naive' or a function returning a Keras model, "
                             f"got {model!r}")
    elif not callable(model):
        raise TypeError(f"model must be 'har', 'naive' or a function returning a Keras model, "
                        f"got {type(model).__name__}")
    years_per_refit = _positive_int(years_per_refit, "years_per_refit")
    gap = task.horizon - 1 if gap is None else gap
    if not isinstance(gap, (int, np.integer)) or gap < task.horizon - 1:
        raise ValueError(f"gap must be an integer >= horizon - 1 = {task.horizon - 1} so that no "
                         f"training target overlaps the test period, got {gap!r}")
    validation_days = _positive_int(validation_days, "validation_days")
    label = name or (model if isinstance(model, str) else "network")

    splits = list(validation.yearly_walk_forward(
        task.dates, first_test_year=first_test_year, years_per_refit=years_per_refit, gap=gap))
    if not splits:
        raise ValueError(f"first_test_year {first_test_year} is after the last year of the data "
                         f"({task.dates.year.max()})")
    result = WalkForwardResult(name=label, forecasts=pd.DataFrame())
    frames = []
    for k, (train, test) in enumerate(splits):
        if model == "naive":
            log_fc = np.log(task.naive[test])
            var_fc = task.naive[test]
        elif model == "har":
            log_fc, var_fc = _har_refit(task, train, test, bias_correction, result)
        else:
            log_fc, var_fc = _network_refit(
                task, model, train, test, gap=gap, validation_days=validation_days, epochs=epochs,
                batch_size=batch_size, patience=patience, seed=seed + k,
                bias_correction=bias_correction, relative=relative, result=result)
        frames.append(pd.DataFrame(
            {
                "target_variance": task.target_variance[test],
                "forecast_variance": var_fc,
                "target_log": task.y[test].astype(float),
                "forecast_log": log_fc,
                "block": _block_label(task.dates[test].year.to_numpy()),
            },
            index=task.dates[test],
        ))
    result.forecasts = pd.concat(frames)
    return result


def _har_refit(task: VolatilityTask, train: np.ndarray, test: np.ndarray, bias_correction: bool,
               result: WalkForwardResult) -> tuple[np.ndarray, np.ndarray]:
    design = np.column_stack([np.ones(len(task)), task.har.to_numpy()])
    y = task.y.astype(float)
    beta, *_ = np.linalg.lstsq(design[train], y[train], rcond=None)
    smear = float(np.mean(np.exp(y[train] - design[train] @ beta))) if bias_correction else 1.0
    result.models.append(pd.Series(beta, index=["const", *task.har.columns]))
    result.smearing.append(smear)
    if task.lookback >= 22:
        channel = task.feature_names.index("log_variance")

        def predictor(windows: np.ndarray) -> np.ndarray:
            v = np.exp(np.asarray(windows, dtype=float)[:, :, channel])
            regressors = np.log(np.column_stack([v[:, -1], v[:, -5:].mean(axis=1),
                                                 v[:, -22:].mean(axis=1)]))
            return beta[0] + regressors @ beta[1:]

        result.predictors.append(predictor)
    log_fc = design[test] @ beta
    return log_fc, np.exp(log_fc) * smear


def _network_refit(task: VolatilityTask, build: Callable[[], Any], train: np.ndarray, test: np.ndarray,
                   *, gap: int, validation_days: int, epochs: int, batch_size: int, patience: int,
                   seed: int, bias_correction: bool, relative: bool, result: WalkForwardResult,
                   ) -> tuple[np.ndarray, np.ndarray]:
    from finbook import models, repro  # noqa: PLC0415

    channel = task.feature_names.index("log_variance")

    def anchor_of(windows: np.ndarray) -> np.ndarray:
        if not relative:
            return np.zeros(len(windows))
        return windows[:, :, channel].astype(float).mean(axis=1)

    def anchored(windows: np.ndarray) -> np.ndarray:
        out = np.array(windows, dtype="float32", copy=True)
        out[:, :, channel] -= anchor_of(windows)[:, None].astype("float32")
        return out

    n_fit = len(train) - validation_days - gap
    if n_fit < 2 * validation_days:
        raise ValueError(f"a training window of {len(train)} samples is too short for "
                         f"validation_days={validation_days}; expected at least "
                         f"{3 * validation_days + gap} samples (start testing later)")
    fit_rows, val_rows = train[:n_fit], train[-validation_days:]
    anchor = anchor_of(task.x)
    y_all = task.y.astype(float) - anchor
    x_mean, x_std = _standardise(anchored(task.x[fit_rows]))
    y_mean, y_std = float(y_all[fit_rows].mean()), float(y_all[fit_rows].std())

    def prepare(windows: np.ndarray) -> np.ndarray:
        return ((anchored(windows) - x_mean) / x_std).astype("float32")

    def scale_x(rows: np.ndarray) -> np.ndarray:
        return prepare(task.x[rows])

    def scale_y(rows: np.ndarray) -> np.ndarray:
        return ((y_all[rows] - y_mean) / y_std).astype("float32")

    repro.set_seed(seed)
    net = build()
    net, history = models.fit(net, scale_x(fit_rows), scale_y(fit_rows),
                              validation_data=(scale_x(val_rows), scale_y(val_rows)),
                              epochs=epochs, batch_size=batch_size, patience=patience)

    def predictor(windows: np.ndarray) -> np.ndarray:
        out = net.predict(prepare(windows), batch_size=4096, verbose=0).reshape(-1)
        return out.astype(float) * y_std + y_mean + anchor_of(windows)

    def predict(rows: np.ndarray) -> np.ndarray:
        return predictor(task.x[rows])

    smear = (float(np.mean(np.exp(task.y[train].astype(float) - predict(train))))
             if bias_correction else 1.0)
    result.histories.append(history)
    result.models.append(net)
    result.smearing.append(smear)
    result.prepare.append(prepare)
    result.predictors.append(predictor)
    log_fc = predict(test)
    return log_fc, np.exp(log_fc) * smear


# --------------------------------------------------------------------------- scores
def _check_same_dates(results: Mapping[str, WalkForwardResult]) -> None:
    if not results:
        raise ValueError("results is empty; expected a mapping of model name to WalkForwardResult")
    first_name, first = next(iter(results.items()))
    for name, res in results.items():
        if not res.forecasts.index.equals(first.forecasts.index):
            raise ValueError(f"{name!r} was tested on other dates than {first_name!r}; "
                             "compare models on the same walk-forward schedule")


def forecast_table(
    results: Mapping[str, WalkForwardResult],
    *,
    baseline: str = "HAR",
    h: int = 5,
) -> pd.DataFrame:
    """Out-of-sample scores of several models on the same test days, one row per model.

    Columns: ``QLIKE`` (mean, variance scale), ``MSE log`` (mean squared error
    of log variance), and the Diebold-Mariano statistic and p-value of each
    model's QLIKE losses against ``baseline`` (HAC with ``h - 1`` lags for
    overlapping ``h``-day targets; negative = the model has the smaller loss).

    Example
    -------
    >>> forecast_table({"HAR": har, "naive": naive})  # doctest: +SKIP
    """
    _check_same_dates(results)
    if baseline not in results:
        raise ValueError(f"baseline {baseline!r} is not among the results {list(results)}")
    base = results[baseline].qlike
    rows = {}
    for name, res in results.items():
        loss = res.qlike
        if name == baseline:
            stat, pvalue = np.nan, np.nan
        else:
            dm = metrics.diebold_mariano(loss, base, h=h)
            stat, pvalue = dm.statistic, dm.pvalue
        rows[name] = {"QLIKE": float(loss.mean()), "MSE log": float(res.squared_log_error.mean()),
                      f"DM vs {baseline}": stat, "p-value": pvalue}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def qlike_by_block(results: Mapping[str, WalkForwardResult]) -> pd.DataFrame:
    """Mean QLIKE of each model (columns) in each block of test years (rows)."""
    _check_same_dates(results)
    return pd.DataFrame({
        name: pd.Series(res.qlike, index=res.forecasts.index).groupby(
            res.forecasts["block"].to_numpy()).mean()
        for name, res in results.items()
    }).rename_axis("test years")


def plot_forecasts(
    results: Mapping[str, WalkForwardResult],
    start: str | None = None,
    end: str | None = None,
    *,
    ax: Any = None,
) -> Any:
    """Plot realised next-week volatility and each model's forecast, annualised, in percent.

    Variances (percent squared per day) are shown as annualised volatility
    sqrt(252 * variance), the unit traders quote. The realised series is drawn
    in grey, each model in its :data:`MODEL_COLOURS` colour (the same in every
    chapter; other names take the book's palette in order), between dates ``start`` and ``end``
    (strings like ``"2008-06"``; default: the whole test period).
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415

    _check_same_dates(results)
    if ax is None:
        _, ax = plt.subplots()
    first = next(iter(results.values())).forecasts.loc[start:end]
    if first.empty:
        raise ValueError(f"no forecasts between {start!r} and {end!r}")
    ax.plot(first.index, np.sqrt(252 * first["target_variance"]), color="0.6", lw=1.0,
            label="realised (next 5 days)")
    for i, (name, res) in enumerate(results.items()):
        f = res.forecasts.loc[start:end]
        colour = MODEL_COLOURS.get(name, PALETTE[i % len(PALETTE)])
        ax.plot(f.index, np.sqrt(252 * f["forecast_variance"]), color=colour, lw=1.2, label=name)
    ax.set_ylabel("annualised volatility (%)")
    ax.legend()
    return ax


# --------------------------------------------------------------------------- Keras builders
def _keras():
    import_tensorflow()
    import keras  # noqa: PLC0415

    return keras


def _check_shape(lookback: object, n_features: object) -> tuple[int, int]:
    return _positive_int(lookback, "lookback"), _positive_int(n_features, "n_features")


def _compile(model: Any, learning_rate: float) -> Any:
    keras = _keras()
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mean_squared_error")
    return model


def conv1d_forecaster(
    lookback: int,
    n_features: int,
    *,
    filters: int = 8,
    kernel_size: int = 5,
    pool_size: int = 2,
    dense_units: int = 16,
    learning_rate: float = 1e-2,
) -> Any:
    """A small 1-D CNN: Conv1D (ReLU) -> average pooling -> flatten -> Dense (ReLU) -> 1 output.

    The convolution slides ``filters`` learned filters of ``kernel_size`` days
    over the window (each filter sees all ``n_features`` inputs of those days);
    pooling halves the time axis; a dense layer combines the pooled features.
    Compiled with Adam and mean squared error.

    Example
    -------
    >>> conv1d_forecaster(22, 2).count_params()  # 8*(5*2+1) + (9*8*16+16) + (16+1)
    1273
    """
    lookback, n_features = _check_shape(lookback, n_features)
    filters = _positive_int(filters, "filters")
    kernel_size = _positive_int(kernel_size, "kernel_size")
    pool_size = _positive_int(pool_size, "pool_size")
    if kernel_size > lookback:
        raise ValueError(f"kernel_size must be at most lookback={lookback}, got {kernel_size}")
    keras = _keras()
    inputs = keras.Input(shape=(lookback, n_features), name="window")
    x = keras.layers.Conv1D(filters, kernel_size, activation="relu", name="conv")(inputs)
    x = keras.layers.AveragePooling1D(pool_size, name="pool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(_positive_int(dense_units, "dense_units"), activation="relu", name="dense")(x)
    outputs = keras.layers.Dense(1, name="forecast")(x)
    return _compile(keras.Model(inputs, outputs, name="conv1d_forecaster"), learning_rate)


def _recurrent(kind: str, lookback: int, n_features: int, units: int, learning_rate: float) -> Any:
    lookback, n_features = _check_shape(lookback, n_features)
    units = _positive_int(units, "units")
    keras = _keras()
    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU,
             "simple_rnn": keras.layers.SimpleRNN}[kind]
    inputs = keras.Input(shape=(lookback, n_features), name="window")
    x = layer(units, name=kind)(inputs)
    outputs = keras.layers.Dense(1, name="forecast")(x)
    return _compile(keras.Model(inputs, outputs, name=f"{kind}_forecaster"), learning_rate)


def lstm_forecaster(lookback: int, n_features: int, *, units: int = 16,
                    learning_rate: float = 1e-2) -> Any:
    """One LSTM layer (Hochreiter & Schmidhuber 1997) reading the window, then a linear output.

    Input shape ``(lookback, n_features)``: ``lookback`` time steps, oldest
    first, each with ``n_features`` numbers. The last hidden state (``units``
    numbers) feeds a single linear unit, so the output is one real number per
    window (e.g. a log variance for any horizon). Compiled with Adam at
    ``learning_rate`` and mean squared error; train it on standardised inputs
    and target (:func:`walk_forward_forecast` does, or :func:`finbook.models.fit`
    on your own arrays). The default rate 1e-2 suits small models trained with
    batch size 256 and early stopping; lower it for larger models.
    Parameters: 4 * units * (n_features + units + 1) + units + 1.

    Example
    -------
    >>> net = lstm_forecaster(22, 2, units=16)
    >>> net.count_params()  # 4*16*(2+16+1) + 17
    1233
    >>> net.input_shape, net.output_shape
    ((None, 22, 2), (None, 1))
    """
    return _recurrent("lstm", lookback, n_features, units, learning_rate)


def gru_forecaster(lookback: int, n_features: int, *, units: int = 16,
                   learning_rate: float = 1e-2) -> Any:
    """One GRU layer (Cho et al. 2014) reading the window, then a linear output.

    Same interface as :func:`lstm_forecaster`. Keras' GRU has separate input
    and recurrent biases (``reset_after=True``), so it has
    3 * units * (n_features + units + 2) + units + 1 parameters.

    Example
    -------
    >>> gru_forecaster(22, 2, units=16).count_params()  # 3*16*(2+16+2) + 17
    977
    """
    return _recurrent("gru", lookback, n_features, units, learning_rate)


def simple_rnn_forecaster(lookback: int, n_features: int, *, units: int = 16,
                          learning_rate: float = 1e-2) -> Any:
    """One plain tanh RNN layer (Elman network) reading the window, then a linear output.

    Same interface as :func:`lstm_forecaster`; units * (n_features + units + 1)
    + units + 1 parameters. The baseline recurrent network whose gradients vanish.

    Example
    -------
    >>> simple_rnn_forecaster(22, 2, units=16).count_params()  # 16*(2+16+1) + 17
    321
    """
    return _recurrent("simple_rnn", lookback, n_features, units, learning_rate)


def lag_elasticity(
    predictor: Callable[[np.ndarray], np.ndarray],
    windows: np.ndarray,
    *,
    feature: int = 0,
    eps: float = 0.01,
) -> np.ndarray:
    """How much a log forecast moves when one past day's input moves: d forecast / d x[day, feature].

    ``predictor`` maps windows (samples, lookback, n_features) to forecasts, e.g.
    ``result.predictors[k]`` of a walk-forward refit, whose forecast and
    log-variance input are both logs, so the derivative is an elasticity: the
    percentage change of the variance forecast per percent change of that
    day's variance. Central finite differences of step ``eps``, averaged over the
    windows. Returns an array of length lookback, the last entry for the most
    recent day. For HAR the answer is known in closed form (roughly
    beta_d + beta_w / 5 + beta_m / 22 on the last day).

    Example
    -------
    >>> w = np.array([0.1, 0.2, 0.7])
    >>> lag_elasticity(lambda x: x[:, :, 0] @ w, np.zeros((4, 3, 1))).round(6).tolist()
    [0.1, 0.2, 0.7]
    """
    x = np.asarray(windows, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"windows must be 3-D (samples, lookback, n_features), got shape {x.shape}")
    if not 0 <= feature < x.shape[2]:
        raise ValueError(f"feature must be in [0, {x.shape[2]}), got {feature!r}")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    n, lookback, _ = x.shape
    bumped = np.repeat(x[None], 2 * lookback, axis=0)  # (2 * lookback, n, lookback, features)
    for j in range(lookback):
        bumped[2 * j, :, j, feature] += eps
        bumped[2 * j + 1, :, j, feature] -= eps
    out = np.asarray(predictor(bumped.reshape(-1, lookback, x.shape[2])), dtype=float)
    out = out.reshape(lookback, 2, n)
    return ((out[:, 0] - out[:, 1]) / (2 * eps)).mean(axis=1)


def positional_encoding(length: int, d_model: int) -> np.ndarray:
    """Sinusoidal positions of Vaswani et al. (2017), shape (length, d_model).

    PE[pos, 2i] = sin(pos / 10000^(2i/d_model)) and PE[pos, 2i+1] =
    cos(pos / 10000^(2i/d_model)).

    Example
    -------
    >>> positional_encoding(3, 4)[1].round(4).tolist()
    [0.8415, 0.5403, 0.01, 1.0]
    """
    length = _positive_int(length, "length")
    d_model = _positive_int(d_model, "d_model", minimum=2)
    if d_model % 2:
        raise ValueError(f"d_model must be even (sine and cosine pairs), got {d_model}")
    pos = np.arange(length)[:, None]
    rate = 1.0 / 10000 ** (np.arange(0, d_model, 2) / d_model)
    pe = np.zeros((length, d_model))
    pe[:, 0::2] = np.sin(pos * rate)
    pe[:, 1::2] = np.cos(pos * rate)
    return pe


def transformer_forecaster(
    lookback: int,
    n_features: int,
    *,
    d_model: int = 16,
    num_heads: int = 2,
    ff_units: int = 32,
    num_blocks: int = 1,
    positional: bool = True,
    learning_rate: float = 1e-2,
) -> Any:
    """A small Transformer encoder (Vaswani et al. 2017) with a linear output.

    Each day's inputs are projected to ``d_model`` numbers and, with
    ``positional=True``, the sinusoidal :func:`positional_encoding` is added.
    Then ``num_blocks`` encoder blocks, each: multi-head self-attention
    (``num_heads`` heads of size d_model / num_heads) with a residual
    connection and layer normalisation, then a two-layer feed-forward network
    (``ff_units`` ReLU units) with a residual connection and layer
    normalisation (the post-norm block of the original paper). The last day's
    representation feeds one linear unit. Compiled with Adam and MSE.

    Example
    -------
    >>> transformer_forecaster(22, 2).count_params()
    2289
    """
    lookback, n_features = _check_shape(lookback, n_features)
    d_model = _positive_int(d_model, "d_model")
    num_heads = _positive_int(num_heads, "num_heads")
    if d_model % num_heads:
        raise ValueError(f"d_model must be a multiple of num_heads={num_heads}, got {d_model}")
    keras = _keras()
    inputs = keras.Input(shape=(lookback, n_features), name="window")
    x = keras.layers.Dense(d_model, name="embed")(inputs)
    if positional:
        x = x + positional_encoding(lookback, d_model).astype("float32")
    for b in range(1, _positive_int(num_blocks, "num_blocks") + 1):
        att = keras.layers.MultiHeadAttention(num_heads, d_model // num_heads, name=f"attention{b}")(x, x)
        x = keras.layers.LayerNormalization(name=f"norm{b}a")(x + att)
        ff = keras.layers.Dense(_positive_int(ff_units, "ff_units"), activation="relu", name=f"ff{b}a")(x)
        ff = keras.layers.Dense(d_model, name=f"ff{b}b")(ff)
        x = keras.layers.LayerNormalization(name=f"norm{b}b")(x + ff)
    last = x[:, -1, :]
    outputs = keras.layers.Dense(1, name="forecast")(last)
    return _compile(keras.Model(inputs, outputs, name="transformer_forecaster"), learning_rate)


# --------------------------------------------------------------------------- attention in NumPy
def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def scaled_dot_product_attention(
    query: np.ndarray,
    key: np.ndarray,
    value: np.ndarray,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V, in NumPy.

    Shapes: ``query`` (..., n_q, d_k), ``key`` (..., n_k, d_k), ``value``
    (..., n_k, d_v); leading batch dimensions must agree. ``mask`` (broadcast to
    (..., n_q, n_k)) is True where a query may attend to a key (the Keras
    convention). Returns ``(output, weights)`` with shapes (..., n_q, d_v) and
    (..., n_q, n_k); each row of ``weights`` sums to 1.

    Example
    -------
    >>> q = np.array([[1.0, 0.0]]); k = np.array([[1.0, 0.0], [0.0, 1.0]]); v = np.array([[1.0], [3.0]])
    >>> out, w = scaled_dot_product_attention(q, k, v)
    >>> w.round(4).tolist(), out.round(4).tolist()
    ([[0.6698, 0.3302]], [[1.6604]])
    """
    q, k, v = (np.asarray(a, dtype=float) for a in (query, key, value))
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"query, key and value must be at least 2-D (positions, features), got "
                         f"shapes {q.shape}, {k.shape}, {v.shape}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"query and key must have the same last dimension d_k, got {q.shape[-1]} "
                         f"and {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"key and value must have the same number of positions, got {k.shape[-2]} "
                         f"and {v.shape[-2]}")
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        m = np.broadcast_to(np.asarray(mask, dtype=bool), scores.shape)
        if not m.any(axis=-1).all():
            raise ValueError("mask leaves a query with no key to attend to; every row needs a True")
        scores = np.where(m, scores, -np.inf)
    weights = _softmax(scores)
    return weights @ v, weights


def multi_head_attention(
    query: np.ndarray,
    value: np.ndarray,
    weights: Sequence[np.ndarray],
    key: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Multi-head attention in NumPy with the weights of a ``keras.layers.MultiHeadAttention``.

    ``weights`` is ``layer.get_weights()``: query, key and value kernels of shape
    (d_model, heads, key_dim) with biases (heads, key_dim), then the output
    kernel (heads, key_dim, d_out) and bias (d_out,). Each head projects the
    inputs, applies :func:`scaled_dot_product_attention`, and the heads'
    outputs are projected back and summed. ``query`` is (batch, n_q, d_model),
    ``value`` (and ``key``, default ``value``) (batch, n_k, d_model). Returns
    ``(output, attention weights)`` of shapes (batch, n_q, d_out) and
    (batch, heads, n_q, n_k).
    """
    if len(weights) != 8:
        raise ValueError(f"expected the 8 weight arrays of a MultiHeadAttention layer with biases "
                         f"(Wq, bq, Wk, bk, Wv, bv, Wo, bo), got {len(weights)}")
    wq, bq, wk, bk, wv, bv, wo, bo = (np.asarray(w, dtype=float) for w in weights)
    key = value if key is None else key
    q_in, k_in, v_in = (np.asarray(a, dtype=float) for a in (query, key, value))
    for name, arr in {"query": q_in, "key": k_in, "value": v_in}.items():
        if arr.ndim != 3 or arr.shape[-1] != wq.shape[0]:
            raise ValueError(f"{name} must have shape (batch, positions, {wq.shape[0]}), got {arr.shape}")
    q = np.einsum("bnd,dhk->bhnk", q_in, wq) + bq[None, :, None, :]
    k = np.einsum("bnd,dhk->bhnk", k_in, wk) + bk[None, :, None, :]
    v = np.einsum("bnd,dhk->bhnk", v_in, wv) + bv[None, :, None, :]
    heads, att = scaled_dot_product_attention(q, k, v)
    out = np.einsum("bhnk,hko->bno", heads, wo) + bo
    return out, att


# --------------------------------------------------------------------------- vanishing gradients
def rnn_jacobian_norms(
    inputs: np.ndarray,
    recurrent_kernel: np.ndarray,
    input_kernel: np.ndarray,
    bias: np.ndarray | None = None,
    h0: np.ndarray | None = None,
) -> np.ndarray:
    """Spectral norms of dh_T/dh_t, t = 0 ... T, for the tanh RNN h_t = tanh(W h_{t-1} + U x_t + b).

    ``inputs`` is (T, n_inputs); ``recurrent_kernel`` W is (units, units) and
    ``input_kernel`` U is (units, n_inputs), acting on column vectors. The
    Jacobian is the product dh_T/dh_t = D_T W D_{T-1} W ... D_{t+1} W with
    D_k = diag(1 - h_k^2). Entry t of the result is its largest singular value
    (entry T is 1, the identity). Values far below 1 for small t mean that the
    last state barely depends on early ones: the gradient has vanished.

    Example
    -------
    >>> rnn_jacobian_norms(np.zeros((3, 1)), np.array([[0.5]]), np.array([[1.0]])).tolist()
    [0.125, 0.25, 0.5, 1.0]
    """
    x = np.asarray(inputs, dtype=float)
    w = np.asarray(recurrent_kernel, dtype=float)
    u = np.asarray(input_kernel, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"inputs must be 2-D (time steps, n_inputs), got shape {x.shape}")
    units = w.shape[0]
    if w.shape != (units, units):
        raise ValueError(f"recurrent_kernel must be square (units, units), got shape {w.shape}")
    if u.shape != (units, x.shape[1]):
        raise ValueError(f"input_kernel must have shape (units, n_inputs) = {(units, x.shape[1])}, "
                         f"got {u.shape}")
    b = np.zeros(units) if bias is None else np.asarray(bias, dtype=float).reshape(units)
    h = np.zeros(units) if h0 is None else np.asarray(h0, dtype=float).reshape(units)
    jac = np.eye(units)
    norms = [1.0]
    states = []
    for x_t in x:
        h = np.tanh(w @ h + u @ x_t + b)
        states.append(h)
    for h_k in reversed(states):  # k = T, T-1, ..., 1: multiply on the right
        jac = jac @ (np.diag(1.0 - h_k**2) @ w)
        norms.append(float(np.linalg.norm(jac, 2)))
    return np.array(norms[::-1])
