"""Yield-curve factors: compress a curve into a few numbers and measure what is lost.

A yield curve on one day is a vector of yields (percent) at fixed maturities,
one row of :func:`finbook.data.treasury_curve`. Everything here takes and
returns such curves as :class:`pandas.DataFrame` (dates down, maturities
across) and reports errors in **basis points** (1 bp = 0.01 percentage point).

* :class:`CurveScaler` standardises each maturity with statistics of the
  training days only, so test days never leak into the scaling.
* :class:`CurvePCA` fits principal components (level, slope, curvature, ...)
  on standardised training curves and reconstructs any curve from ``k`` factors.
  It is the baseline of chapter 6, which writes its autoencoders (models,
  loss, training step) on the page; they are exported to :mod:`finbook.lessons`
  (``CurveAutoencoder`` has the same ``fit``/``reconstruct`` interface).
* :func:`check_curve`, :func:`check_n_factors` and :func:`check_matrix`
  validate curves, factor counts and standardised training matrices.
* :func:`reconstruction_rmse_bp`, :func:`rmse_by_maturity_bp`,
  :func:`anomaly_scores` and :func:`top_anomalies` measure reconstruction
  errors; :func:`principal_angles` compares two factor subspaces;
  :func:`daily_changes` turns levels into day-on-day changes without
  differencing across gaps in the data.

Example
-------
>>> import pandas as pd
>>> curve = pd.DataFrame({"1y": [1.0, 2.0, 3.0, 4.0], "10y": [3.0, 3.5, 4.5, 5.0]},
...                      index=pd.date_range("2020-01-01", periods=4))
>>> pca = CurvePCA(n_factors=2).fit(curve)
>>> round(reconstruction_rmse_bp(curve, pca.reconstruct(curve)), 9)  # 2 factors, 2 maturities: exact
0.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CurvePCA",
    "CurveScaler",
    "anomaly_scores",
    "check_curve",
    "check_matrix",
    "check_n_factors",
    "daily_changes",
    "label_episodes",
    "plot_loadings",
    "principal_angles",
    "reconstruction_rmse_bp",
    "rmse_by_maturity_bp",
    "rmse_table",
    "top_anomalies",
]

#: Basis points per percentage point.
BP_PER_PERCENT = 100.0


# --------------------------------------------------------------------------- validation
def check_curve(curve: object, *, name: str = "curve", columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return ``curve`` as a float DataFrame, or raise ``ValueError`` saying what is wrong.

    A curve is a DataFrame with one row per day and one numeric column per
    maturity, with at least one row and no NaN or infinite values. When
    ``columns`` is given, the curve must have exactly these columns, in order
    (a model fitted on eleven maturities cannot reconstruct ten).

    Example
    -------
    >>> check_curve(pd.DataFrame({"1y": [1.0, float("nan")]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: curve has missing values (first at row 1, column '1y'); expected a complete curve...
    """
    if not isinstance(curve, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame (dates x maturities), "
                         f"got {type(curve).__name__}")
    if curve.shape[0] < 1 or curve.shape[1] < 1:
        raise ValueError(f"{name} must have at least one row and one column, got shape {curve.shape}")
    if columns is not None and list(curve.columns) != list(columns):
        raise ValueError(f"{name} has columns {list(curve.columns)}; expected the fitted maturities "
                         f"{list(columns)}")
    non_numeric = [c for c in curve.columns if not pd.api.types.is_numeric_dtype(curve[c])]
    if non_numeric:
        raise ValueError(f"{name} columns {non_numeric} are not numeric; expected yields in percent")
    values = curve.to_numpy(dtype="float64")
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        what = "missing values" if np.isnan(values[row, col]) else "infinite values"
        raise ValueError(f"{name} has {what} (first at row {row}, column {curve.columns[col]!r}); "
                         f"expected a complete curve: drop incomplete days with .dropna()")
    return pd.DataFrame(values, index=curve.index, columns=curve.columns)


def _check_pair(actual: object, fitted: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    a = check_curve(actual, name="actual")
    f = check_curve(fitted, name="fitted")
    if a.shape != f.shape:
        raise ValueError(f"actual and fitted must have the same shape, got {a.shape} and {f.shape}")
    if not a.index.equals(f.index) or list(a.columns) != list(f.columns):
        raise ValueError("actual and fitted must have the same dates and maturities; "
                         "reconstruct the same curve you compare with")
    return a, f


def check_n_factors(n_factors: object, n_max: int | None = None) -> int:
    """``n_factors`` as an int, or ``ValueError`` unless it is a positive integer (at most ``n_max``).

    Example
    -------
    >>> check_n_factors(3, 11)
    3
    """
    if isinstance(n_factors, bool) or not isinstance(n_factors, (int, np.integer)) or n_factors < 1:
        raise ValueError(f"n_factors must be a positive integer, got {n_factors!r}")
    if n_max is not None and n_factors > n_max:
        raise ValueError(f"n_factors must be at most the number of maturities ({n_max}), "
                         f"got {n_factors}")
    return int(n_factors)


def check_matrix(x: object, name: str, n_columns: int | None = None) -> np.ndarray:
    """``x`` as a float32 matrix (rows x features), or ``ValueError`` saying what is wrong.

    Used for the standardised yields a network is trained on: 2-D, finite and,
    when ``n_columns`` is given, with exactly that many columns (the model's inputs).

    Example
    -------
    >>> check_matrix([[0.5, -1.0]], "x_train", 2).dtype
    dtype('float32')
    """
    arr = np.asarray(x, dtype="float32")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows x features), got shape {arr.shape}")
    if n_columns is not None and arr.shape[1] != n_columns:
        raise ValueError(f"{name} must have {n_columns} columns (the model's inputs), got {arr.shape[1]}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has NaN or infinite values; expected finite standardised yields")
    return arr


# --------------------------------------------------------------------------- scaling
class CurveScaler:
    """Standardise each maturity: ``z = (yield - mean) / std``, statistics from the fitting days.

    Fit it on the training days only and apply it to every other day; that is
    what keeps the test period out of the model. ``std`` is the population
    standard deviation (``ddof=0``).

    Example
    -------
    >>> curve = pd.DataFrame({"2y": [1.0, 3.0]})
    >>> scaler = CurveScaler().fit(curve)
    >>> scaler.transform(pd.DataFrame({"2y": [5.0]})).tolist()
    [[3.0]]
    """

    def fit(self, curve: pd.DataFrame) -> CurveScaler:
        curve = check_curve(curve)
        if len(curve) < 2:
            raise ValueError(f"need at least 2 days to estimate a standard deviation, got {len(curve)}")
        std = curve.std(ddof=0)
        flat = std.index[std.to_numpy() == 0].tolist()
        if flat:
            raise ValueError(f"maturities {flat} never change in the fitting days (std = 0); "
                             f"expected varying yields")
        self.columns_ = list(curve.columns)
        self.mean_ = curve.mean()
        self.scale_ = std
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "mean_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet; call fit(curve) first")

    def transform(self, curve: pd.DataFrame) -> np.ndarray:
        """Standardised yields, shape (days, maturities), float64."""
        self._check_fitted()
        curve = check_curve(curve, columns=self.columns_)
        return ((curve - self.mean_) / self.scale_).to_numpy(dtype="float64")

    def inverse_transform(self, z: np.ndarray, index: pd.Index | None = None) -> pd.DataFrame:
        """Yields in percent from standardised values ``z`` (days x maturities)."""
        self._check_fitted()
        z = np.asarray(z, dtype="float64")
        if z.ndim != 2 or z.shape[1] != len(self.columns_):
            raise ValueError(f"expected standardised values of shape (days, {len(self.columns_)}), "
                             f"got {z.shape}")
        out = z * self.scale_.to_numpy() + self.mean_.to_numpy()
        return pd.DataFrame(out, index=index, columns=self.columns_)


# --------------------------------------------------------------------------- PCA
class CurvePCA:
    """Principal components of standardised yields; reconstruct a curve from ``n_factors``.

    ``fit`` standardises the training curves (:class:`CurveScaler`) and takes
    the singular value decomposition of the result. All components are kept in
    ``components_`` (rows ``PC1``, ``PC2``, ... ; columns the maturities) with
    their ``explained_variance_ratio_``; the first ``n_factors`` are used to
    reconstruct. Signs are fixed so that results do not flip between runs:
    ``PC1`` raises yields on average (level), ``PC2`` raises the longest
    maturity relative to the shortest (slope) and every later component has
    its largest loading positive (``PC3``: curvature).

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> curve = pd.DataFrame(rng.normal(size=(50, 4)), columns=["1y", "2y", "5y", "10y"])
    >>> pca = CurvePCA(n_factors=4).fit(curve)
    >>> round(float(pca.explained_variance_ratio_.sum()), 6)
    1.0
    >>> reconstruction_rmse_bp(curve, pca.reconstruct(curve)) < 1e-9
    True
    """

    def __init__(self, n_factors: int = 3) -> None:
        self.n_factors = check_n_factors(n_factors)

    def fit(self, curve: pd.DataFrame) -> CurvePCA:
        curve = check_curve(curve)
        check_n_factors(self.n_factors, curve.shape[1])
        self.scaler_ = CurveScaler().fit(curve)
        z = self.scaler_.transform(curve)
        _, s, vt = np.linalg.svd(z, full_matrices=False)
        vt = _orient(vt)
        names = [f"PC{i}" for i in range(1, len(vt) + 1)]
        self.components_ = pd.DataFrame(vt, index=names, columns=curve.columns)
        variance = s**2
        self.explained_variance_ratio_ = pd.Series(variance / variance.sum(), index=names[: len(s)],
                                                   name="explained variance ratio")
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise RuntimeError("this CurvePCA is not fitted yet; call fit(curve) first")

    @property
    def loadings(self) -> pd.DataFrame:
        """The ``n_factors`` components used for reconstruction (factors x maturities)."""
        self._check_fitted()
        return self.components_.iloc[: self.n_factors]

    def transform(self, curve: pd.DataFrame) -> pd.DataFrame:
        """Factor scores of each day (days x ``n_factors``), in standardised units."""
        self._check_fitted()
        z = self.scaler_.transform(curve)
        w = self.loadings.to_numpy()
        return pd.DataFrame(z @ w.T, index=curve.index, columns=self.loadings.index)

    def inverse_transform(self, factors: pd.DataFrame) -> pd.DataFrame:
        """The curve (percent) that the factor scores ``factors`` describe."""
        self._check_fitted()
        f = np.asarray(factors, dtype="float64")
        if f.ndim != 2 or f.shape[1] != self.n_factors:
            raise ValueError(f"expected factors of shape (days, {self.n_factors}), got {f.shape}")
        index = factors.index if isinstance(factors, pd.DataFrame) else None
        return self.scaler_.inverse_transform(f @ self.loadings.to_numpy(), index=index)

    def reconstruct(self, curve: pd.DataFrame) -> pd.DataFrame:
        """Project each day's curve on the first ``n_factors`` components; percent."""
        return self.inverse_transform(self.transform(curve))


def _orient(vt: np.ndarray) -> np.ndarray:
    """Fix the sign of each principal direction (rows of ``vt``) by the convention of CurvePCA."""
    vt = vt.copy()
    for i, row in enumerate(vt):
        if i == 0:
            key = row.sum()
        elif i == 1:
            key = row[-1] - row[0]
        else:
            key = row[np.argmax(np.abs(row))]
        if key < 0:
            vt[i] = -row
    return vt


# --------------------------------------------------------------------------- errors
def reconstruction_rmse_bp(actual: pd.DataFrame, fitted: pd.DataFrame) -> float:
    """Root mean squared reconstruction error over all days and maturities, in basis points.

    ``actual`` and ``fitted`` are curves in percent with the same dates and
    maturities: RMSE = 100 * sqrt(mean((actual - fitted)^2)).

    Example
    -------
    >>> a = pd.DataFrame({"2y": [1.00, 2.00], "10y": [3.00, 4.00]})
    >>> f = pd.DataFrame({"2y": [1.03, 2.00], "10y": [3.00, 3.96]})
    >>> round(reconstruction_rmse_bp(a, f), 6)  # sqrt((9 + 16) / 4) = 2.5 bp
    2.5
    """
    a, f = _check_pair(actual, fitted)
    return float(BP_PER_PERCENT * np.sqrt(np.mean((a.to_numpy() - f.to_numpy()) ** 2)))


def rmse_by_maturity_bp(actual: pd.DataFrame, fitted: pd.DataFrame) -> pd.Series:
    """Reconstruction RMSE of each maturity over all days, in basis points."""
    a, f = _check_pair(actual, fitted)
    return (BP_PER_PERCENT * np.sqrt(((a - f) ** 2).mean(axis=0))).rename("rmse_bp")


def anomaly_scores(actual: pd.DataFrame, fitted: pd.DataFrame) -> pd.Series:
    """Each day's reconstruction RMSE across maturities, in basis points: its anomaly score.

    A day scores high when the model cannot reproduce its curve from a few
    factors: an unusual *shape*, not necessarily a large move (a parallel
    shift of the whole curve is easy to reconstruct).

    Example
    -------
    >>> a = pd.DataFrame({"2y": [1.0, 2.0], "10y": [3.0, 4.0]})
    >>> f = pd.DataFrame({"2y": [1.0, 2.3], "10y": [3.0, 4.4]})
    >>> anomaly_scores(a, f).round(6).tolist()  # day 2: sqrt((30^2 + 40^2) / 2)
    [0.0, 35.355339]
    """
    a, f = _check_pair(actual, fitted)
    return (BP_PER_PERCENT * np.sqrt(((a - f) ** 2).mean(axis=1))).rename("score_bp")


def top_anomalies(actual: pd.DataFrame, fitted: pd.DataFrame, n: int = 10, *,
                  min_separation_days: int = 0) -> pd.DataFrame:
    """The ``n`` days with the largest anomaly score, worst first.

    Columns: ``score_bp`` (:func:`anomaly_scores`), ``worst_maturity`` (where
    the absolute residual is largest) and ``residual_bp`` (actual minus
    fitted there, in basis points: positive means the yield was *above* what
    the factors imply). With ``min_separation_days > 0`` (needs a
    DatetimeIndex) a day is skipped when a worse day within that many
    calendar days was already listed, so that one episode fills one row.

    Example
    -------
    >>> idx = pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-10"])
    >>> a = pd.DataFrame({"1m": [1.0, 1.0, 1.0], "10y": [2.0, 2.0, 2.0]}, index=idx)
    >>> f = pd.DataFrame({"1m": [1.5, 1.2, 1.0], "10y": [2.0, 2.0, 2.1]}, index=idx)
    >>> top_anomalies(a, f, n=2, min_separation_days=3)["residual_bp"].round(6).tolist()
    [-50.0, -10.0]
    """
    a, f = _check_pair(actual, fitted)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if min_separation_days < 0:
        raise ValueError(f"min_separation_days must be >= 0, got {min_separation_days!r}")
    if min_separation_days > 0 and not isinstance(a.index, pd.DatetimeIndex):
        raise ValueError("min_separation_days needs curves indexed by date (a DatetimeIndex), "
                         f"got {type(a.index).__name__}")
    scores = anomaly_scores(a, f)
    order = np.argsort(-scores.to_numpy(), kind="stable")
    chosen: list[int] = []
    for i in order:
        if len(chosen) == n:
            break
        if min_separation_days > 0 and any(
                abs((a.index[i] - a.index[j]).days) <= min_separation_days for j in chosen):
            continue
        chosen.append(int(i))
    resid = BP_PER_PERCENT * (a - f)
    rows = []
    for i in chosen:
        r = resid.iloc[i]
        worst = r.abs().idxmax()
        rows.append({"score_bp": scores.iloc[i], "worst_maturity": worst, "residual_bp": r[worst]})
    out = pd.DataFrame(rows, index=a.index[chosen])
    out.index.name = a.index.name
    return out


def rmse_table(models: dict[Any, Any], samples: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Reconstruction RMSE (bp) of every fitted model on every sample of curves.

    ``models`` maps a key (a string or a tuple such as ``("PCA", 3)``) to a
    fitted model with a ``reconstruct(curve)`` method (:class:`CurvePCA`,
    ``finbook.lessons.CurveAutoencoder``); ``samples`` maps a sample name (``"train"``,
    ``"test"``) to a curve. Returns one row per model (a MultiIndex when the
    keys are tuples) and one column per sample.

    Example
    -------
    >>> curve = pd.DataFrame({"1y": [1.0, 2.0, 3.0], "10y": [3.0, 3.0, 4.5]})
    >>> table = rmse_table({("PCA", 2): CurvePCA(2).fit(curve)}, {"train": curve})
    >>> table.round(6).to_dict("list")
    {'train': [0.0]}
    """
    if not models or not samples:
        raise ValueError("rmse_table needs at least one model and one sample, got "
                         f"{len(models)} models and {len(samples)} samples")
    for key, model in models.items():
        if not callable(getattr(model, "reconstruct", None)):
            raise ValueError(f"model {key!r} has no reconstruct(curve) method; expected a fitted "
                             f"CurvePCA or CurveAutoencoder, got {type(model).__name__}")
    rows = {key: {name: reconstruction_rmse_bp(curve, model.reconstruct(curve))
                  for name, curve in samples.items()}
            for key, model in models.items()}
    keys = list(rows)
    index = (pd.MultiIndex.from_tuples(keys) if all(isinstance(k, tuple) for k in keys)
             else pd.Index(keys))
    return pd.DataFrame([rows[k] for k in keys], index=index)


def label_episodes(dates: pd.DatetimeIndex, episodes: pd.DataFrame, *, none: str = "") -> pd.Series:
    """Name the documented episode (if any) that each date falls in.

    ``episodes`` has columns ``start``, ``end`` (inclusive dates) and
    ``label``. Returns a Series indexed by ``dates`` holding the label of the
    first episode whose window contains the date, or ``none``. Take the
    windows from dated sources, not from the scores: a match says "this day
    lies inside a documented episode", never "the episode explains it".

    Example
    -------
    >>> episodes = pd.DataFrame({"start": ["2008-09-15"], "end": ["2008-12-31"], "label": ["Lehman"]})
    >>> label_episodes(pd.to_datetime(["2008-09-24", "2009-01-05"]), episodes, none="-").tolist()
    ['Lehman', '-']
    """
    if not isinstance(dates, pd.DatetimeIndex):
        raise ValueError(f"dates must be a DatetimeIndex, got {type(dates).__name__}")
    missing = {"start", "end", "label"} - set(episodes.columns)
    if missing:
        raise ValueError(f"episodes lacks columns {sorted(missing)}; expected start, end, label")
    start = pd.to_datetime(episodes["start"]).to_numpy()
    end = pd.to_datetime(episodes["end"]).to_numpy()
    if (end < start).any():
        bad = episodes.loc[end < start, "label"].tolist()
        raise ValueError(f"episodes {bad} end before they start; expected start <= end")
    labels = []
    for day in dates.to_numpy():
        inside = np.flatnonzero((start <= day) & (day <= end))
        labels.append(episodes["label"].iloc[inside[0]] if len(inside) else none)
    return pd.Series(labels, index=dates, name="episode")


# --------------------------------------------------------------------------- subspaces and changes
def principal_angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Principal angles between the column spaces of ``a`` and ``b``, in degrees, smallest first.

    Two subspaces are equal when every angle is 0 and orthogonal when every
    angle is 90. Used to check that a linear autoencoder's reconstruction
    subspace (the columns of its output kernel, transposed) is the span of
    the principal components. Both matrices must have the same number of rows.

    Example
    -------
    >>> e = np.eye(3)
    >>> principal_angles(e[:, :2], np.column_stack([e[:, 1], e[:, 0] + e[:, 1]])).round(6).tolist()
    [0.0, 0.0]
    >>> principal_angles(e[:, :1], e[:, 1:2]).round(6).tolist()
    [90.0]
    """
    from scipy.linalg import subspace_angles  # noqa: PLC0415

    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"expected two 2-D matrices, got shapes {a.shape} and {b.shape}")
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"a and b must have the same number of rows (the ambient dimension), "
                         f"got {a.shape[0]} and {b.shape[0]}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("a and b must be finite")
    return np.sort(np.degrees(subspace_angles(a, b)))


def daily_changes(curve: pd.DataFrame, *, max_gap_days: int = 5) -> pd.DataFrame:
    """Day-on-day yield changes (same units as ``curve``), never across a gap in the data.

    A change is kept only when the previous observation is at most
    ``max_gap_days`` calendar days earlier (a long weekend is 4 days); the
    first day and the day after a longer gap (such as the years when the
    30-year bond was not issued) have no change and are dropped.

    Example
    -------
    >>> idx = pd.to_datetime(["2020-01-02", "2020-01-03", "2020-03-02", "2020-03-03"])
    >>> curve = pd.DataFrame({"2y": [1.0, 1.1, 2.0, 1.9]}, index=idx)
    >>> daily_changes(curve)["2y"].round(6).tolist()
    [0.1, -0.1]
    """
    curve = check_curve(curve)
    if not isinstance(curve.index, pd.DatetimeIndex):
        raise ValueError(f"curve must be indexed by date (a DatetimeIndex), got {type(curve.index).__name__}")
    if not curve.index.is_monotonic_increasing:
        raise ValueError("curve dates must be sorted in increasing order; sort with .sort_index()")
    if max_gap_days < 1:
        raise ValueError(f"max_gap_days must be >= 1, got {max_gap_days!r}")
    gap = curve.index.to_series().diff().dt.days
    keep = (gap <= max_gap_days).to_numpy()
    return curve.diff()[keep]


# --------------------------------------------------------------------------- figures
def _maturity_years(columns: Sequence[str]) -> np.ndarray:
    from finbook.data import MATURITY_YEARS  # noqa: PLC0415

    unknown = [c for c in columns if c not in MATURITY_YEARS]
    if unknown:
        raise ValueError(f"unknown maturities {unknown}; expected labels among {list(MATURITY_YEARS)}")
    return np.array([MATURITY_YEARS[c] for c in columns])


def plot_loadings(loadings: pd.DataFrame, *, ax: Any = None, linestyle: str = "-",
                  label_suffix: str = "", marker: str = "o") -> Any:
    """Plot factor loadings (rows) against maturity in years (log scale); return the axes.

    ``loadings`` is factors x maturities, e.g. :attr:`CurvePCA.loadings`; the
    columns must be maturity labels of :data:`finbook.data.MATURITY_YEARS`.
    Each row becomes one line labelled with its index (plus ``label_suffix``).
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415

    if not isinstance(loadings, pd.DataFrame) or loadings.empty:
        raise ValueError(f"loadings must be a non-empty DataFrame (factors x maturities), "
                         f"got {type(loadings).__name__}")
    years = _maturity_years(list(loadings.columns))
    if ax is None:
        _, ax = plt.subplots()
    for i, (name, row) in enumerate(loadings.iterrows()):
        ax.plot(years, row.to_numpy(), linestyle=linestyle, marker=marker, color=f"C{i}",
                label=f"{name}{label_suffix}")
    ax.set_xscale("log")
    ax.set_xticks(years, list(loadings.columns))
    ax.minorticks_off()
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_xlabel("maturity (log scale)")
    ax.set_ylabel("loading (standardised yields)")
    return ax
