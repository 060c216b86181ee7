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
* **baselines**: the HAR model of Corsi (2009) and the leverage HAR of Corsi &
  Renò (2012), which adds the average *negative* return of the last day, week and
  month and so sees both of the networks' inputs, refitted by OLS on the same
  schedule, and the naive forecast "next week = last week's average variance".

The networks themselves are taught, and defined, in their chapters, beside their
equations, and exported to :mod:`finbook.lessons` (cells marked ``# @save``):
the 1-D CNN in chapter 4 (``conv1d_forecaster``, and ``compile_forecaster``, Adam
on mean squared error), the plain RNN, LSTM and GRU and the Jacobian product of
a tanh RNN in chapter 5, attention, positional encoding and the Transformer in
chapter 7. A builder is a function of no arguments returning a compiled Keras
model; :func:`walk_forward_forecast` trains whatever it returns.

Example
-------
>>> from finbook import sequence
>>> task = sequence.volatility_task(lookback=22, horizon=5)
>>> task.x.shape[1:], task.feature_names
((22, 2), ('log_variance', 'return'))
>>> har = sequence.walk_forward_forecast(task, "har")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from finbook import inference, metrics, validation, volatility
from finbook.plots import PALETTE

__all__ = [
    "MODEL_COLOURS",
    "VolatilityTask",
    "WalkForwardResult",
    "forecast_table",
    "lag_elasticity",
    "plot_forecasts",
    "positive_int",
    "qlike_by_block",
    "volatility_task",
    "walk_forward_forecast",
]

_PRICE_COLUMNS = ("open", "high", "low", "close")

#: One colour per model, the same in every chapter of Part II (Okabe-Ito palette).
MODEL_COLOURS: dict[str, str] = {
    "HAR": PALETTE[0], "LHAR": PALETTE[7], "naive": PALETTE[4], "CNN": PALETTE[1], "LSTM": PALETTE[2],
    "GRU": PALETTE[3], "Transformer": PALETTE[5],
}


def positive_int(value: object, name: str, minimum: int = 1) -> int:
    """``value`` as an int, or a clear error if it is not an integer >= ``minimum`` (bools refused).

    Shared by the task, the harness and the chapters' model builders.

    Example
    -------
    >>> positive_int(3, "units")
    3
    """
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
    leverage : the leverage terms at *t* (Corsi & Renò 2012): the mean of
        min(return, 0), in percent, over days t, t-4 ... t and t-21 ... t (columns
        ``neg_daily``, ``neg_weekly``, ``neg_monthly``).
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
    leverage: pd.DataFrame | None = None

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
    dropped, so every model sees exactly the same samples. ``leverage`` holds the
    regressors of the leverage HAR (the mean of min(return, 0) over 1, 5 and 22 days).

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
    ((22, 2), '1999-02-04')
    """
    lookback = positive_int(lookback, "lookback")
    horizon = positive_int(horizon, "horizon")
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
    negative = returns.clip(upper=0.0)
    leverage = pd.DataFrame({"neg_daily": negative, "neg_weekly": negative.rolling(5).mean(),
                             "neg_monthly": negative.rolling(22).mean()})
    ok = (har.iloc[rows].notna().all(axis=1).to_numpy()
          & leverage.iloc[rows].notna().all(axis=1).to_numpy())
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
        leverage=leverage.iloc[rows],
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
    training statistics). ``best_epochs`` (networks only) holds the epoch of
    lowest validation loss of each refit: the number of epochs it was trained
    for when ``refit_full=True``.
    """

    name: str
    forecasts: pd.DataFrame
    histories: list[dict[str, list[float]]] = field(default_factory=list)
    models: list[Any] = field(default_factory=list)
    smearing: list[float] = field(default_factory=list)
    predictors: list[Callable[[np.ndarray], np.ndarray]] = field(default_factory=list)
    prepare: list[Callable[[np.ndarray], np.ndarray]] = field(default_factory=list)
    best_epochs: list[int] = field(default_factory=list)

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
    refit_full: bool = False,
    same_rows: bool = False,
) -> WalkForwardResult:
    """Forecast the task out of sample, refitting at the start of each block of years.

    ``model`` is ``"naive"`` (last week's average variance), ``"har"`` (OLS of
    the log target on the log daily, weekly and monthly variance, Corsi 2009),
    ``"har_leverage"`` (the same plus the average negative return of the last
    day, week and month, :attr:`VolatilityTask.leverage`; Corsi & Renò 2012) or
    a function of no arguments returning a compiled Keras model that maps
    ``(lookback, n_features)`` windows to one number, e.g.
    ``lambda: finbook.lessons.lstm_forecaster(22, 2)`` (chapter 5).

    For each block of ``years_per_refit`` test years from ``first_test_year``
    the model is fitted on every sample whose target ends before the block
    (``gap`` defaults to ``horizon - 1``). A network is trained on all but the
    last ``validation_days`` of that window and early-stopped on them (with a
    further ``gap`` between the two); inputs and target are standardised with
    means and deviations of the fitting rows only; Keras is reseeded with
    ``seed + refit`` so that a model's result does not depend on what ran before.
    With ``refit_full=True`` the early-stopped run only chooses the number of
    epochs (the best validation epoch); the network is then rebuilt with the same
    seed and trained for that many epochs on the *whole* training window, with
    scalers refitted on it, so that it sees the same rows as the linear baselines
    fitted on the whole window. ``same_rows=True`` does the opposite for
    ``"har"`` and ``"har_leverage"``: the OLS is fitted (and its smearing factor
    computed) on the rows an early-stopped network of the same call is trained on,
    the window minus its last ``validation_days`` and the ``gap`` before them.
    Use one or the other so that baseline and network learn from the same rows.

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
        if model not in {"har", "har_leverage", "naive"}:
            raise ValueError(f"model must be 'har', 'har_leverage', 'naive' or a function returning "
                             f"a Keras model, got {model!r}")
        if model == "har_leverage" and task.leverage is None:
            raise ValueError("model 'har_leverage' needs task.leverage; build the task with "
                             "volatility_task()")
    elif not callable(model):
        raise TypeError(f"model must be 'har', 'har_leverage', 'naive' or a function returning a "
                        f"Keras model, got {type(model).__name__}")
    for flag, value in {"refit_full": refit_full, "same_rows": same_rows}.items():
        if not isinstance(value, bool):
            raise ValueError(f"{flag} must be True or False, got {value!r}")
    if same_rows and not (isinstance(model, str) and model.startswith("har")):
        raise ValueError("same_rows=True applies to 'har' and 'har_leverage' only; for a network "
                         "use refit_full=True")
    years_per_refit = positive_int(years_per_refit, "years_per_refit")
    gap = task.horizon - 1 if gap is None else gap
    if not isinstance(gap, (int, np.integer)) or gap < task.horizon - 1:
        raise ValueError(f"gap must be an integer >= horizon - 1 = {task.horizon - 1} so that no "
                         f"training target overlaps the test period, got {gap!r}")
    validation_days = positive_int(validation_days, "validation_days")
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
        elif model in {"har", "har_leverage"}:
            rows = train[:len(train) - validation_days - gap] if same_rows else train
            if len(rows) < 10:
                raise ValueError(f"same_rows leaves {len(rows)} training rows; start testing later")
            log_fc, var_fc = _har_refit(task, rows, test, bias_correction, result,
                                        leverage=model == "har_leverage")
        else:
            log_fc, var_fc = _network_refit(
                task, model, train, test, gap=gap, validation_days=validation_days, epochs=epochs,
                batch_size=batch_size, patience=patience, seed=seed + k,
                bias_correction=bias_correction, relative=relative, refit_full=refit_full,
                result=result)
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
               result: WalkForwardResult, *, leverage: bool = False) -> tuple[np.ndarray, np.ndarray]:
    columns = [task.har] + ([task.leverage] if leverage else [])
    design = np.column_stack([np.ones(len(task)), *[c.to_numpy() for c in columns]])
    y = task.y.astype(float)
    beta, _ = volatility.har_ols(design[train, 1:], y[train])
    smear = float(np.mean(np.exp(y[train] - design[train] @ beta))) if bias_correction else 1.0
    result.models.append(pd.Series(beta, index=["const", *[n for c in columns for n in c.columns]]))
    result.smearing.append(smear)
    if task.lookback >= 22:
        channel = task.feature_names.index("log_variance")
        ret_channel = task.feature_names.index("return") if leverage else None

        def predictor(windows: np.ndarray) -> np.ndarray:
            w = np.asarray(windows, dtype=float)
            v = np.exp(w[:, :, channel])
            parts = [v[:, -1], v[:, -5:].mean(axis=1), v[:, -22:].mean(axis=1)]
            regressors = np.log(np.column_stack(parts))
            if ret_channel is not None:
                neg = np.minimum(w[:, :, ret_channel], 0.0)
                regressors = np.column_stack([regressors, neg[:, -1], neg[:, -5:].mean(axis=1),
                                              neg[:, -22:].mean(axis=1)])
            return beta[0] + regressors @ beta[1:]

        result.predictors.append(predictor)
    log_fc = design[test] @ beta
    return log_fc, np.exp(log_fc) * smear


def _network_refit(task: VolatilityTask, build: Callable[[], Any], train: np.ndarray, test: np.ndarray,
                   *, gap: int, validation_days: int, epochs: int, batch_size: int, patience: int,
                   seed: int, bias_correction: bool, relative: bool, refit_full: bool,
                   result: WalkForwardResult) -> tuple[np.ndarray, np.ndarray]:
    from finbook import repro, training  # noqa: PLC0415

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
    net, history = training.fit(net, scale_x(fit_rows), scale_y(fit_rows),
                                validation_data=(scale_x(val_rows), scale_y(val_rows)),
                                epochs=epochs, batch_size=batch_size, patience=patience, seed=seed)
    best_epoch = history["best_epoch"]
    if refit_full:  # the same network, trained for the chosen epochs on the whole window
        x_mean, x_std = _standardise(anchored(task.x[train]))
        y_mean, y_std = float(y_all[train].mean()), float(y_all[train].std())
        repro.set_seed(seed)
        net = build()
        net, _ = training.fit(net, scale_x(train), scale_y(train), epochs=best_epoch,
                              batch_size=batch_size, seed=seed)

    def predictor(windows: np.ndarray) -> np.ndarray:
        out = net.predict(prepare(windows), batch_size=4096, verbose=0).reshape(-1)
        return out.astype(float) * y_std + y_mean + anchor_of(windows)

    def predict(rows: np.ndarray) -> np.ndarray:
        return predictor(task.x[rows])

    smear = (float(np.mean(np.exp(task.y[train].astype(float) - predict(train))))
             if bias_correction else 1.0)
    result.histories.append(history)
    result.best_epochs.append(best_epoch)
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
    model's QLIKE losses against ``baseline``
    (:func:`finbook.inference.dm_test`: Newey-West HAC variance with its default
    lag count, enough for overlapping ``h``-day targets, and the Harvey-Leybourne-Newbold
    correction; negative = the model has the smaller loss).

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
            dm = inference.dm_test(loss, base, h=h)
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
