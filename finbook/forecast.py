"""Forecasting market returns and volatility out of sample: features, walk-forward fits, tests.

Everything is aligned by *decision date*: row t holds what is known at the
close of trading day t (features) and what is to be predicted about day t + 1
(targets). Walk-forward fits use the splits of :mod:`finbook.validation`, so a
model never sees a test date while it is trained.

Units: returns in percent (100 x simple return, as in ISLR's ``Smarket``);
variances in percent squared per day.

Example
-------
>>> from finbook import data
>>> table = market_features(data.sp500())
>>> table.loc["2008-10-10", ["lag1", "next_return"]].round(3).tolist()
[-1.176, 11.58]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator

from finbook.validation import yearly_walk_forward
from finbook.volatility import parkinson

__all__ = [
    "FEATURES",
    "GKX_MONTHLY_R2",
    "ISLR_SMARKET_LAB",
    "HitRateTest",
    "KerasLSTM",
    "KerasMLP",
    "format_pvalue",
    "garch_forecasts",
    "hit_rate_test",
    "knn_votes",
    "market_features",
    "qlike_scale",
    "walk_forward_forecasts",
    "walk_forward_predict",
]

#: The predictors of :func:`market_features`, all known at the close of day t.
FEATURES: tuple[str, ...] = ("lag1", "lag2", "lag3", "lag4", "lag5", "mom_22", "vol_22",
                             "log_range_var", "log_volume_ratio")


#: Published results of the classification lab of James et al. (2013), *An Introduction to
#: Statistical Learning*, section 4.6, on ``Smarket`` (R 3.x, packages ISLR, MASS and class),
#: exactly as printed in the book. Train = 2001-2004 (998 days), test = 2005 (252 days).
#: Confusion counts are (predicted Down & actual Down, predicted Down & actual Up,
#: predicted Up & actual Down, predicted Up & actual Up).
ISLR_SMARKET_LAB: dict[str, Any] = {
    # glm(Direction ~ Lag1 + ... + Lag5 + Volume, family = binomial) on all 1,250 days:
    # (estimate, standard error, p-value)
    "coefficients": {
        "Intercept": (-0.126000, 0.240736, 0.601),
        "Lag1": (-0.073074, 0.050167, 0.145),
        "Lag2": (-0.042301, 0.050086, 0.398),
        "Lag3": (0.011085, 0.049939, 0.824),
        "Lag4": (0.009359, 0.049974, 0.851),
        "Lag5": (0.010313, 0.049511, 0.835),
        "Volume": (0.135441, 0.158360, 0.392),
    },
    "training_hit_rate": 0.5216,
    "training_confusion": (145, 141, 457, 507),
    # test-set (2005) hit rates and confusion counts, as printed
    "test_hit_rate": {
        "logistic, all lags + Volume": 0.48,
        "logistic, Lag1 + Lag2": 0.56,
        "LDA, Lag1 + Lag2": 0.5595238,
        "QDA, Lag1 + Lag2": 0.5992063,
        "kNN k=1, Lag1 + Lag2": 0.5,
        "kNN k=3, Lag1 + Lag2": 0.5357143,
    },
    "test_confusion": {
        "logistic, all lags + Volume": (77, 97, 34, 44),
        "logistic, Lag1 + Lag2": (35, 35, 76, 106),
        "LDA, Lag1 + Lag2": (35, 35, 76, 106),
        "QDA, Lag1 + Lag2": (30, 20, 81, 121),
        "kNN k=1, Lag1 + Lag2": (43, 58, 68, 83),
        "kNN k=3, Lag1 + Lag2": (48, 54, 63, 87),
    },
    # predict(glm.fit, newdata = data.frame(Lag1 = c(1.2, 1.5), Lag2 = c(1.1, -0.8)))
    "lag12_new_data_probabilities": (0.4791462, 0.4960939),
    "lda_priors": (0.491984, 0.508016),
    "lda_group_means": {"Down": (0.04279022, 0.03389409), "Up": (-0.03954635, -0.03132544)},
}


#: Monthly out-of-sample R² (percent, against a zero forecast) of individual US stock returns,
#: 1987-2016, from Gu, Kelly & Xiu (2020), Review of Financial Studies 33(5), Table 1: the best
#: network (NN3), gradient-boosted trees with Huber loss, and the three-characteristic linear model.
GKX_MONTHLY_R2: dict[str, float] = {"NN3": 0.40, "GBRT+H": 0.34, "OLS-3+H": 0.16}


# --------------------------------------------------------------------------- features
def market_features(prices: pd.DataFrame) -> pd.DataFrame:
    """Predictors known at the close of day t and the next day's return, from daily OHLCV prices.

    ``prices`` needs columns ``close``, ``high``, ``low`` and ``volume`` on a
    sorted DatetimeIndex (e.g. :func:`finbook.data.sp500`). Columns returned:

    * ``lag1`` ... ``lag5``: the returns of days t, t-1, ..., t-4 in percent
      (``lag1`` is "yesterday" seen from the day being predicted, as in ISLR);
    * ``mom_22``: mean daily return of the last 22 days (percent);
    * ``vol_22``: standard deviation of the last 22 daily returns (percent);
    * ``log_range_var``: log of day t's Parkinson variance (percent squared);
    * ``log_volume_ratio``: log of day t's volume over its 22-day mean;
    * ``next_return``: the return of day t + 1 in percent (the regression target);
    * ``next_up``: 1 if ``next_return >= 0`` else 0 (the direction, ISLR's rule).

    Rows lacking 22 days of history have NaN predictors and the last row has a
    NaN target; drop them with ``.dropna()`` before fitting.
    """
    if not isinstance(prices, pd.DataFrame):
        raise TypeError(f"prices must be a DataFrame, got {type(prices).__name__}")
    missing = {"close", "high", "low", "volume"} - set(prices.columns)
    if missing:
        raise ValueError(f"prices must have columns close, high, low and volume; missing {sorted(missing)}")
    if not isinstance(prices.index, pd.DatetimeIndex) or not prices.index.is_monotonic_increasing:
        raise ValueError("prices must have a sorted DatetimeIndex")
    close = prices["close"]
    if close.isna().any() or (close <= 0).any():
        raise ValueError("close prices must be positive and not NaN; found "
                         f"{int(close.isna().sum())} NaN and {int((close <= 0).sum())} value(s) <= 0")
    if (prices["volume"] <= 0).any():
        raise ValueError(f"volume must be positive, found {int((prices['volume'] <= 0).sum())} value(s) <= 0")
    ret = 100.0 * (close / close.shift(1) - 1.0)
    out = pd.DataFrame(index=prices.index)
    for k in range(1, 6):
        out[f"lag{k}"] = ret.shift(k - 1)
    out["mom_22"] = ret.rolling(22).mean()
    out["vol_22"] = ret.rolling(22).std()
    out["log_range_var"] = np.log(parkinson(prices["high"], prices["low"]))
    out["log_volume_ratio"] = np.log(prices["volume"] / prices["volume"].rolling(22).mean())
    out["next_return"] = ret.shift(-1)
    out["next_up"] = (out["next_return"] >= 0).astype(float).where(out["next_return"].notna())
    return out


# --------------------------------------------------------------------------- a Keras MLP with the sklearn API
def _fit_on_recent_validation(est: Any, net: Any, x: np.ndarray, y: np.ndarray) -> tuple[Any, dict]:
    """Train with :func:`finbook.training.fit`; stop early on the *last* ``validation_fraction`` of the rows.

    The rows are time-ordered, so the model stops on its most recent history, never on the future.
    Without ``patience`` every epoch runs on all rows. ``est.seed`` orders the mini-batches.
    """
    from finbook import training  # noqa: PLC0415

    if est.patience is None:
        return training.fit(net, x, y, epochs=est.epochs, batch_size=est.batch_size, seed=est.seed)
    if not 0.0 < est.validation_fraction < 1.0:
        raise ValueError("validation_fraction must be in (0, 1) with early stopping, "
                         f"got {est.validation_fraction!r}")
    cut = int(round(len(y) * (1.0 - est.validation_fraction)))
    if cut < 1 or cut >= len(y):
        raise ValueError(f"{len(y)} rows are too few to hold out a validation fraction of "
                         f"{est.validation_fraction}")

    def head(a):  # every input is split at the same row, so several inputs stay aligned
        return [p[:cut] for p in a] if isinstance(a, list) else a[:cut]

    def tail(a):
        return [p[cut:] for p in a] if isinstance(a, list) else a[cut:]

    return training.fit(net, head(x), y[:cut], epochs=est.epochs, batch_size=est.batch_size,
                        validation_data=(tail(x), y[cut:]), patience=est.patience, seed=est.seed)


class KerasMLP(BaseEstimator):
    """A :func:`finbook.models.mlp` network behind scikit-learn's fit / predict / predict_proba.

    ``task="classification"`` trains a sigmoid output on 0/1 labels (use
    ``predict_proba``); ``task="regression"`` a linear output on a real target.
    Early stopping monitors the *last* ``validation_fraction`` of the training
    rows (the validation rows are cut from the end, before shuffling), so
    on time-ordered data the model stops on its most recent history, never on
    the future. Put it in a Pipeline after a scaler. ``history_`` keeps the
    training curves of the last fit.

    Example
    -------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> model = make_pipeline(StandardScaler(), KerasMLP(hidden=(8,), epochs=5))  # doctest: +SKIP
    """

    def __init__(self, hidden: tuple[int, ...] = (32, 16), task: str = "classification", *,
                 epochs: int = 100, batch_size: int = 256, patience: int | None = 10,
                 validation_fraction: float = 0.2, learning_rate: float = 1e-3,
                 l2: float = 0.0, dropout: float = 0.0, seed: int = 0) -> None:
        self.hidden = hidden
        self.task = task
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.learning_rate = learning_rate
        self.l2 = l2
        self.dropout = dropout
        self.seed = seed

    def fit(self, X: Any, y: Any) -> KerasMLP:
        from finbook import models  # noqa: PLC0415  (imports TensorFlow, only when fitting)

        x = np.asarray(X, dtype="float32")
        yy = self._labels(y)
        net = models.mlp(x.shape[1], self.hidden,
                         output="sigmoid" if self.task == "classification" else "linear",
                         dropout=self.dropout, l2=self.l2, learning_rate=self.learning_rate)
        self.model_, self.history_ = _fit_on_recent_validation(self, net, x, yy)
        return self

    def _labels(self, y: Any) -> np.ndarray:
        """Check the task and the labels; return y as float32 (and set classes_)."""
        if self.task not in {"classification", "regression"}:
            raise ValueError(f"task must be 'classification' or 'regression', got {self.task!r}")
        yy = np.asarray(y, dtype="float32").reshape(-1)
        if self.task == "classification":
            bad = np.setdiff1d(np.unique(yy), [0.0, 1.0])
            if bad.size:
                raise ValueError(f"classification needs 0/1 labels, found {bad[:5].tolist()}")
            self.classes_ = np.array([0, 1])
        return yy

    def _raw(self, X: Any) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise RuntimeError("this KerasMLP is not fitted yet; call fit(X, y) first")
        x = np.asarray(X, dtype="float32")
        return np.asarray(self.model_.predict(x, batch_size=4096, verbose=0), dtype=float).reshape(-1)

    def predict_proba(self, X: Any) -> np.ndarray:
        if self.task != "classification":
            raise AttributeError("predict_proba is only available with task='classification'")
        p = self._raw(X)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        raw = self._raw(X)
        return (raw >= 0.5).astype(int) if self.task == "classification" else raw


class KerasLSTM(KerasMLP):
    """An LSTM over the last few days' returns, with the other features beside it.

    The first ``n_lags`` columns of ``X`` must be the lagged returns ``lag1`` ...
    ``lagK`` (most recent first, as in :data:`FEATURES`); they are read as a
    sequence of ``n_lags`` days, oldest first, by an LSTM of ``units`` cells. The
    remaining columns (momentum, volatility, volume...) join the LSTM's last
    state in a dense layer of ``units`` ReLU units before the output. Same
    fit / predict / predict_proba interface, early stopping and
    ``history_`` as :class:`KerasMLP`; put it in a Pipeline after a scaler
    (scaling is per column, so it leaves the order of the lags intact).

    Example
    -------
    >>> model = KerasLSTM(n_lags=5, units=8, epochs=5)  # doctest: +SKIP
    """

    def __init__(self, n_lags: int = 5, units: int = 16, task: str = "classification", *,
                 epochs: int = 100, batch_size: int = 256, patience: int | None = 10,
                 validation_fraction: float = 0.2, learning_rate: float = 1e-3, seed: int = 0) -> None:
        super().__init__(hidden=(units,), task=task, epochs=epochs, batch_size=batch_size,
                         patience=patience, validation_fraction=validation_fraction,
                         learning_rate=learning_rate, seed=seed)
        self.n_lags = n_lags
        self.units = units

    def _inputs(self, X: Any) -> list[np.ndarray]:
        x = np.asarray(X, dtype="float32")
        if x.ndim != 2 or x.shape[1] < self.n_lags:
            raise ValueError(f"X must have at least n_lags={self.n_lags} columns (the lags first), "
                             f"got shape {x.shape}")
        sequence = x[:, self.n_lags - 1::-1][:, :, None]  # lagK ... lag1: oldest first
        return [sequence, x[:, self.n_lags:]]

    def fit(self, X: Any, y: Any) -> KerasLSTM:
        from finbook.repro import import_tensorflow  # noqa: PLC0415

        if not isinstance(self.n_lags, int | np.integer) or self.n_lags < 1:
            raise ValueError(f"n_lags must be a positive integer, got {self.n_lags!r}")
        inputs = self._inputs(X)
        yy = self._labels(y)
        import_tensorflow()
        import keras  # noqa: PLC0415

        seq_in = keras.Input(shape=(self.n_lags, 1), name="lags")
        other_in = keras.Input(shape=(inputs[1].shape[1],), name="other_features")
        state = keras.layers.LSTM(self.units, name="lstm")(seq_in)
        joined = keras.layers.Concatenate(name="join")([state, other_in])
        hidden = keras.layers.Dense(self.units, activation="relu", name="dense")(joined)
        out = keras.layers.Dense(1, activation="sigmoid" if self.task == "classification" else None,
                                 name="output")(hidden)
        net = keras.Model([seq_in, other_in], out, name=f"lstm_{self.units}_{self.task}")
        net.compile(optimizer=keras.optimizers.Adam(self.learning_rate),
                    loss="binary_crossentropy" if self.task == "classification" else "mean_squared_error")
        self.model_, self.history_ = _fit_on_recent_validation(self, net, inputs, yy)
        return self

    def _raw(self, X: Any) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise RuntimeError("this KerasLSTM is not fitted yet; call fit(X, y) first")
        return np.asarray(self.model_.predict(self._inputs(X), batch_size=4096, verbose=0),
                          dtype=float).reshape(-1)


# --------------------------------------------------------------------------- walk-forward
def walk_forward_predict(
    make_model: Callable[[], Any],
    X: pd.DataFrame,
    y: pd.Series,
    splits: Iterable[tuple[np.ndarray, np.ndarray]],
    *,
    method: str = "predict",
) -> tuple[pd.Series, list[Any]]:
    """Fit a fresh model on each training block and predict the following test block.

    ``make_model()`` returns an unfitted scikit-learn-style estimator;
    ``splits`` yields integer positions (e.g. from
    :func:`finbook.validation.yearly_walk_forward`); ``method`` is
    ``"predict"`` or ``"predict_proba"`` (then the probability of class 1 is
    returned). Returns the out-of-sample predictions, indexed like the test
    rows of ``X``, and the list of fitted models (one per block).
    """
    if method not in {"predict", "predict_proba"}:
        raise ValueError(f"method must be 'predict' or 'predict_proba', got {method!r}")
    if not X.index.equals(y.index):
        raise ValueError(f"X and y are not aligned: expected the same index, got {len(X)} and {len(y)} rows")
    if X.isna().any().any() or y.isna().any():
        raise ValueError("X and y must not contain NaN; drop incomplete rows first (.dropna())")
    parts, fitted = [], []
    for train, test in splits:
        if len(train) == 0 or len(test) == 0:
            raise ValueError(f"a split has {len(train)} training and {len(test)} test rows; both must be > 0")
        if train.max() >= test.min():
            raise ValueError(f"a training position ({train.max()}) is not before the test block "
                             f"(starting at {test.min()}): that would look ahead")
        model = make_model().fit(X.iloc[train], y.iloc[train])
        out = getattr(model, method)(X.iloc[test])
        out = np.asarray(out, dtype=float)
        if method == "predict_proba":
            out = out[:, 1]
        parts.append(pd.Series(out.reshape(-1), index=X.index[test]))
        fitted.append(model)
    if not parts:
        raise ValueError("splits yielded no (train, test) pair")
    return pd.concat(parts), fitted


def walk_forward_forecasts(
    prices: pd.DataFrame,
    make_model: Callable[[], Any],
    *,
    target: str = "next_up",
    method: str = "predict_proba",
    first_test_year: int = 2000,
    years_per_refit: int = 1,
    features: Iterable[str] = FEATURES,
) -> tuple[pd.Series, list[Any]]:
    """Walk-forward forecasts of the next day, straight from daily prices.

    Builds :func:`market_features` from ``prices``, then for each block of
    ``years_per_refit`` calendar years from ``first_test_year`` fits a fresh
    ``make_model()`` on every earlier day whose target is known and forecasts
    every day of the block, including the last day of the data (whose outcome
    is not yet known: that is the forecast a trader would act on). ``target``
    is ``"next_up"`` (use ``method="predict_proba"``: the probability of an up
    day) or ``"next_return"`` (use ``method="predict"``: a return in percent).
    Returns the forecasts, indexed by decision date, and the fitted models.

    Because every step uses only rows up to the decision date, the forecasts
    pass :func:`finbook.backtest.assert_no_lookahead`.
    """
    if target not in {"next_up", "next_return"}:
        raise ValueError(f"target must be 'next_up' or 'next_return', got {target!r}")
    if method not in {"predict", "predict_proba"}:
        raise ValueError(f"method must be 'predict' or 'predict_proba', got {method!r}")
    cols = list(features)
    unknown = [c for c in cols if c not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; expected a subset of {list(FEATURES)}")
    table = market_features(prices)
    table = table[table[cols].notna().all(axis=1)]
    splits = list(yearly_walk_forward(table.index, first_test_year=first_test_year,
                                      years_per_refit=years_per_refit))
    if not splits:
        raise ValueError(f"no test block: first_test_year {first_test_year} is after the data "
                         f"({table.index[-1].year})")
    parts, fitted = [], []
    for train, test in splits:
        rows = table.iloc[train]
        rows = rows[rows[target].notna()]
        if len(rows) == 0:
            raise ValueError(f"no training rows before {table.index[test[0]].date()}")
        model = make_model().fit(rows[cols], rows[target])
        out = np.asarray(getattr(model, method)(table.iloc[test][cols]), dtype=float)
        if method == "predict_proba":
            out = out[:, 1]
        parts.append(pd.Series(out.reshape(-1), index=table.index[test]))
        fitted.append(model)
    return pd.concat(parts).rename(target), fitted


# --------------------------------------------------------------------------- tests and ISLR's kNN
@dataclass(frozen=True)
class HitRateTest:
    """A one-sided binomial test of a hit rate: hits out of n against the rate p0."""

    hit_rate: float
    hits: int
    n: int
    p0: float
    pvalue: float


def hit_rate_test(hits: object, p0: float = 0.5) -> HitRateTest:
    """Is the share of correct direction calls larger than ``p0``? (exact one-sided binomial test).

    ``hits`` is a 0/1 (or boolean) sequence, 1 = the call was right. The
    p-value is P(X >= hits) for X ~ Binomial(n, p0). Days are treated as
    independent trials, which daily direction calls nearly are.

    Example
    -------
    >>> round(hit_rate_test([1] * 60 + [0] * 40).pvalue, 4)
    0.0284
    """
    h = np.asarray(hits, dtype=float).reshape(-1)
    if h.size == 0:
        raise ValueError("hits is empty")
    if np.isnan(h).any():
        raise ValueError(f"hits contains {int(np.isnan(h).sum())} NaN value(s)")
    bad = np.setdiff1d(np.unique(h), [0.0, 1.0])
    if bad.size:
        raise ValueError(f"hits must be 0/1 (1 = correct call), found {bad[:5].tolist()}")
    if not 0 < p0 < 1:
        raise ValueError(f"p0 must be in (0, 1), got {p0!r}")
    k, n = int(h.sum()), int(h.size)
    p = float(stats.binomtest(k, n, p0, alternative="greater").pvalue)
    return HitRateTest(k / n, k, n, float(p0), p)


def format_pvalue(p: float, digits: int = 3) -> str:
    """A p-value as text for prose: ``digits`` decimals, or "< 0.001" when it rounds to zero.

    Example
    -------
    >>> format_pvalue(0.04567), format_pvalue(3e-7), format_pvalue(1.0)
    ('0.046', '< 0.001', '1.000')
    """
    if not 0.0 <= float(p) <= 1.0:
        raise ValueError(f"a p-value must be in [0, 1], got {p!r}")
    if not isinstance(digits, (int, np.integer)) or digits < 1:
        raise ValueError(f"digits must be a positive integer, got {digits!r}")
    floor = 10.0 ** -digits
    return f"< {floor:.{digits}f}" if p < floor else f"{p:.{digits}f}"


def knn_votes(X_train: object, y_train: object, X_test: object, k: int) -> pd.DataFrame:
    """k-nearest-neighbour votes with R's rule for ties in distance (``class::knn``).

    R's ``knn`` lets *every* training point tied with the k-th smallest
    Euclidean distance vote, and breaks an equal vote at random. This returns,
    per test row, the number of voters (``n_voters`` >= k), the number voting
    for class 1 (``votes_1``) and the majority (``majority``: 1, 0, or NaN when
    the vote is tied and R would toss a coin). Labels must be 0/1.

    Example
    -------
    >>> knn_votes([[0.0], [1.0], [-1.0]], [1, 0, 1], [[0.1]], k=1)["majority"].tolist()
    [1.0]
    """
    xtr = np.asarray(X_train, dtype=float)
    xte = np.asarray(X_test, dtype=float)
    ytr = np.asarray(y_train, dtype=float).reshape(-1)
    if xtr.ndim == 1:
        xtr = xtr[:, None]
    if xte.ndim == 1:
        xte = xte[:, None]
    if len(xtr) != len(ytr):
        raise ValueError(f"X_train and y_train must have the same length, got {len(xtr)} and {len(ytr)}")
    if xtr.shape[1] != xte.shape[1]:
        raise ValueError(f"X_train has {xtr.shape[1]} columns but X_test has {xte.shape[1]}")
    if np.setdiff1d(np.unique(ytr), [0.0, 1.0]).size:
        raise ValueError(f"y_train must be 0/1, found {np.unique(ytr)[:5].tolist()}")
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= len(xtr):
        raise ValueError(f"k must be an integer in [1, {len(xtr)}], got {k!r}")
    dist = np.sqrt(((xte[:, None, :] - xtr[None, :, :]) ** 2).sum(axis=2))
    kth = np.sort(dist, axis=1)[:, k - 1]
    voters = dist <= kth[:, None] * (1 + 1e-12)          # R's knn counts ties at the k-th distance
    n_voters = voters.sum(axis=1)
    votes_1 = (voters & (ytr[None, :] == 1)).sum(axis=1)
    majority = np.where(2 * votes_1 > n_voters, 1.0, np.where(2 * votes_1 < n_voters, 0.0, np.nan))
    return pd.DataFrame({"n_voters": n_voters, "votes_1": votes_1, "majority": majority})


# --------------------------------------------------------------------------- volatility forecasts
def qlike_scale(proxy: object, forecast: object) -> float:
    """The constant c minimising the mean QLIKE of c * forecast against ``proxy``: c = mean(proxy / forecast).

    Fit it on training data only and multiply test forecasts by it: it puts a
    model of close-to-close variance (GARCH) or of log variance (HAR, LSTM) on
    the scale of the variance proxy being forecast.

    Example
    -------
    >>> qlike_scale([2.0, 4.0], [1.0, 1.0])
    3.0
    """
    rv = np.asarray(proxy, dtype=float).reshape(-1)
    h = np.asarray(forecast, dtype=float).reshape(-1)
    if rv.shape != h.shape or rv.size == 0:
        raise ValueError("proxy and forecast must be non-empty and of equal length, "
                         f"got {rv.size} and {h.size}")
    if np.isnan(rv).any() or np.isnan(h).any():
        raise ValueError("proxy and forecast must not contain NaN")
    if (rv <= 0).any() or (h <= 0).any():
        raise ValueError("proxy and forecast must be positive variances; found "
                         f"{int((rv <= 0).sum())} and {int((h <= 0).sum())} value(s) <= 0")
    return float(np.mean(rv / h))


def _check_splits_index(series: pd.Series, name: str) -> None:
    if not isinstance(series, pd.Series):
        raise TypeError(f"{name} must be a pandas Series, got {type(series).__name__}")
    if series.isna().any():
        raise ValueError(f"{name} has {int(series.isna().sum())} NaN value(s); drop them first")


def garch_forecasts(
    returns: pd.Series,
    target: pd.Series,
    splits: Iterable[tuple[np.ndarray, np.ndarray]],
) -> tuple[pd.Series, pd.DataFrame]:
    """One-day-ahead GARCH(1,1) variance forecasts, refitted per block and filtered daily in between.

    ``returns`` are daily returns in percent and ``target`` the variance proxy
    of the *next* day (row t: the proxy of day t + 1), on the same index. For
    each ``(train, test)`` split a constant-mean GARCH(1,1) with normal errors
    (Bollerslev 1986) is estimated by maximum likelihood on the training
    returns; with those parameters fixed, the conditional variance is filtered
    through the test block, so the forecast made at the close of day t uses
    returns up to day t only. Each block's forecasts are multiplied by
    :func:`qlike_scale` fitted on the training rows (GARCH models
    close-to-close returns, the proxy may measure something narrower).

    Returns the forecasts (indexed by decision date) and one row of estimated
    parameters per block (``omega``, ``alpha``, ``beta``, ``persistence``,
    ``scale``), indexed by the block's first test date.
    """
    from finbook.volatility import arch_variance  # noqa: PLC0415

    _check_splits_index(returns, "returns")
    _check_splits_index(target, "target")
    if not returns.index.equals(target.index):
        raise ValueError("returns and target are not aligned: expected the same index")
    parts, rows = [], {}
    for train, test in splits:
        if train.max() >= test.min():
            raise ValueError("a training position is not before its test block: that would look ahead")
        h_all, pr = arch_variance(returns, train, int(test[-1]), model="GARCH")
        scale = qlike_scale(target.iloc[train], h_all.iloc[train])
        parts.append(scale * h_all.iloc[test])
        rows[returns.index[test[0]]] = {"omega": pr["omega"], "alpha": pr["alpha[1]"],
                                        "beta": pr["beta[1]"],
                                        "persistence": pr["alpha[1]"] + pr["beta[1]"], "scale": scale}
    if not parts:
        raise ValueError("splits yielded no (train, test) pair")
    return pd.concat(parts).rename("garch"), pd.DataFrame.from_dict(rows, orient="index")
