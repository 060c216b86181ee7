"""Explaining a model: permutation importance, partial dependence, integrated gradients, agreement.

Four tools for the interpretability chapter, each usable with any model:

* :func:`permutation_importance` (Breiman 2001): how much an out-of-sample
  metric (ROC AUC by default) falls when one column, or a group of columns,
  is shuffled across the rows, which breaks its link with the outcome.
* :func:`partial_dependence` (Friedman 2001): the model's average prediction
  when one column is set to each value of a grid for every row.
* :func:`integrated_gradients` (Sundararajan, Taly & Yan 2017): each input's
  share of the difference between a differentiable model's output at ``x``
  and at a baseline, by integrating the gradient along the straight path
  between them (TensorFlow ``GradientTape``). The shares add up to that
  difference (the *completeness* axiom), which :class:`Attributions` reports.
* :func:`accumulated_local_effects` (Apley & Zhu 2020): the model's response
  to one numeric column built from local differences within narrow bins of
  that column, so that, unlike partial dependence, it never evaluates the
  model far from the data when the column is correlated with others.
* :func:`rank_agreement`: Spearman or Kendall rank correlation between the
  importance rankings of several methods or models.

For fairness audits, :func:`group_fairness` compares the approval rates
(disparate impact ratio) and the approval rates among good applicants
(equal opportunity difference, Hardt, Price & Srebro 2016) of two groups,
with stratified bootstrap intervals.

Plus two helpers for credit models: :func:`group_columns` adds up the
attributions of the one-hot columns that come from one variable, and
:func:`scorecard_points` returns each applicant's points per variable from a
fitted :class:`finbook.scorecard.ScorecardClassifier`, optionally as the
shortfall from the best attainable points (the usual basis of a scorecard's
adverse-action reasons).

Conventions: ``predict`` is any callable that maps a DataFrame of raw
features to one score per row (a probability of default, or a logit); a
higher metric is better unless ``greater_is_better=False``; importances are
"how much worse the model gets", so a feature the model ignores scores 0.

Example
-------
>>> import numpy as np, pandas as pd
>>> X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [5.0, 1.0, 4.0, 2.0]})
>>> y = np.array([0, 0, 1, 1])
>>> imp = permutation_importance(lambda d: d["a"].to_numpy(), X, y, n_repeats=3, seed=0)
>>> float(imp.loc["b", "importance"])  # the score ignores b
0.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from finbook import metrics

__all__ = [
    "Attributions",
    "accumulated_local_effects",
    "group_fairness",
    "group_columns",
    "integrated_gradients",
    "partial_dependence",
    "permutation_importance",
    "rank_agreement",
    "scorecard_points",
]

Predict = Callable[[pd.DataFrame], Any]


# --------------------------------------------------------------------------- validation
def _check_frame(X: object, name: str = "X") -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame of raw features, got {type(X).__name__}")
    if len(X) == 0:
        raise ValueError(f"{name} has no rows")
    return X


def _check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _scores(predict: Predict, X: pd.DataFrame) -> np.ndarray:
    out = np.asarray(predict(X), dtype=float)
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.shape != (len(X),):
        raise ValueError(f"predict must return one score per row ({len(X)}), got shape {out.shape}")
    return out


def _column_groups(X: pd.DataFrame, columns: object) -> dict[str, list[str]]:
    """Normalise ``columns`` to {label: [column, ...]}, checking every column exists."""
    if columns is None:
        groups = {c: [c] for c in X.columns}
    elif isinstance(columns, Mapping):
        groups = {str(k): [v] if isinstance(v, str) else list(v) for k, v in columns.items()}
    elif isinstance(columns, str):
        groups = {columns: [columns]}
    else:
        groups = {}
        for item in columns:
            cols = [item] if isinstance(item, str) else list(item)
            groups[" + ".join(cols)] = cols
    if not groups:
        raise ValueError("columns selects no feature; pass None for every column of X")
    for label, cols in groups.items():
        if not cols:
            raise ValueError(f"group {label!r} lists no column")
        missing = [c for c in cols if c not in X.columns]
        if missing:
            raise KeyError(f"columns {missing} are not in X; its columns are {list(X.columns)}")
    return groups


# --------------------------------------------------------------------------- permutation importance
def permutation_importance(
    predict: Predict,
    X: pd.DataFrame,
    y: object,
    *,
    metric: Callable[[np.ndarray, np.ndarray], float] = metrics.roc_auc,
    greater_is_better: bool = True,
    columns: Sequence[str | Sequence[str]] | Mapping[str, Sequence[str]] | None = None,
    n_repeats: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Drop in an out-of-sample metric when a feature's values are shuffled across rows (Breiman 2001).

    For each feature (or group of features, shuffled together with the same
    row permutation so that their joint values stay intact) the rows of that
    column are permuted, the model is scored again, and the importance is
    ``metric(unshuffled) - metric(shuffled)`` (the sign is flipped when
    ``greater_is_better`` is false, e.g. for the log loss), averaged over
    ``n_repeats`` permutations. Repeat *r* uses the same row permutation for
    every feature, so differences between features are not blurred by
    different random draws. Pass held-out rows: importance on the training
    rows measures what the model memorised.

    ``columns``: ``None`` (every column), a list whose items are a column name
    or a list of names (a group), or a mapping {label: [names]}. ``predict``
    maps a DataFrame like ``X`` to one score per row. Units: those of
    ``metric`` (AUC points for the default).

    Returns one row per feature, sorted by importance: ``importance`` (mean
    drop), ``std`` (across repeats), ``min``, ``max``; the unshuffled score is
    in ``.attrs["baseline_score"]``.

    Example
    -------
    >>> X = pd.DataFrame({"a": np.arange(8.0), "noise": np.zeros(8)})
    >>> y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    >>> imp = permutation_importance(lambda d: d["a"], X, y, n_repeats=4, seed=1)
    >>> imp.index.tolist(), float(imp.loc["noise", "importance"])
    (['a', 'noise'], 0.0)
    """
    X = _check_frame(X)
    yy = np.asarray(y)
    if len(yy) != len(X):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(yy)}")
    n_repeats = _check_positive_int(n_repeats, "n_repeats")
    groups = _column_groups(X, columns)
    sign = 1.0 if greater_is_better else -1.0
    baseline = float(metric(yy, _scores(predict, X)))
    rng = np.random.default_rng(seed)
    perms = [rng.permutation(len(X)) for _ in range(n_repeats)]
    drops = np.empty((len(groups), n_repeats))
    for i, cols in enumerate(groups.values()):
        for r, perm in enumerate(perms):
            shuffled = X.copy()
            for c in cols:
                shuffled[c] = X[c].iloc[perm].to_numpy()
                if isinstance(X[c].dtype, pd.CategoricalDtype):
                    shuffled[c] = shuffled[c].astype(X[c].dtype)
            drops[i, r] = sign * (baseline - float(metric(yy, _scores(predict, shuffled))))
    out = pd.DataFrame({"importance": drops.mean(axis=1),
                        "std": drops.std(axis=1, ddof=1) if n_repeats > 1 else np.nan,
                        "min": drops.min(axis=1), "max": drops.max(axis=1)},
                       index=pd.Index(list(groups), name="feature"))
    out = out.sort_values("importance", ascending=False, kind="mergesort")
    out.attrs["baseline_score"] = baseline
    return out


# --------------------------------------------------------------------------- partial dependence
def partial_dependence(
    predict: Predict,
    X: pd.DataFrame,
    feature: str,
    grid: Sequence[Any] | None = None,
    *,
    n_grid: int = 20,
    quantile_range: tuple[float, float] = (0.01, 0.99),
) -> pd.Series:
    """Average prediction when ``feature`` is set to each grid value for every row (Friedman 2001).

    ``PD(v) = mean_i predict(x_i with feature := v)``: the other columns keep
    their observed values, so PD shows the model's average response to the
    feature. Where the feature is strongly correlated with others, PD
    evaluates the model on combinations that never occur (a 28% rate on an
    A1 loan) and reads the model's extrapolation there.

    ``grid`` defaults to ``n_grid`` quantiles of the feature between
    ``quantile_range`` (numeric columns, duplicates dropped) or to the
    categories observed in ``X`` (categorical columns, in category order).
    All grid points are scored in one call of ``predict``. Returns a Series
    indexed by the grid value, in the units of ``predict``'s output.

    Example
    -------
    >>> X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 2.0, 3.0]})
    >>> partial_dependence(lambda d: 2 * d["a"] + d["b"], X, "a", grid=[0.0, 1.0]).tolist()
    [2.0, 4.0]
    """
    X = _check_frame(X)
    if feature not in X.columns:
        raise KeyError(f"feature {feature!r} is not a column of X; its columns are {list(X.columns)}")
    col = X[feature]
    categorical = isinstance(col.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(col)
    if grid is None:
        if categorical:
            values = col.dropna().unique()
            if isinstance(col.dtype, pd.CategoricalDtype):
                values = [c for c in col.cat.categories if c in set(values)]
            grid = list(values)
        else:
            n_grid = _check_positive_int(n_grid, "n_grid")
            lo, hi = quantile_range
            if not 0.0 <= lo < hi <= 1.0:
                raise ValueError(f"quantile_range must satisfy 0 <= low < high <= 1, got {quantile_range}")
            grid = list(np.unique(np.quantile(col.to_numpy(dtype=float), np.linspace(lo, hi, n_grid))))
    grid = list(grid)
    if not grid:
        raise ValueError("grid is empty; pass at least one value")
    if isinstance(col.dtype, pd.CategoricalDtype):
        unknown = [v for v in grid if v not in set(col.cat.categories)]
        if unknown:
            raise ValueError(f"grid values {unknown} are not categories of {feature!r} "
                             f"(expected some of {list(col.cat.categories)})")
    n = len(X)
    stacked = pd.concat([X] * len(grid), ignore_index=True)
    repeated = np.repeat(np.array(grid, dtype=object), n)
    if isinstance(col.dtype, pd.CategoricalDtype):
        stacked[feature] = pd.Categorical(repeated, dtype=col.dtype)
    elif categorical:
        stacked[feature] = repeated
    else:
        stacked[feature] = repeated.astype(float)
    scores = _scores(predict, stacked).reshape(len(grid), n)
    return pd.Series(scores.mean(axis=1), index=pd.Index(grid, name=feature), name="partial dependence")


def accumulated_local_effects(
    predict: Predict,
    X: pd.DataFrame,
    feature: str,
    *,
    n_bins: int = 20,
    quantile_range: tuple[float, float] = (0.0, 1.0),
) -> pd.Series:
    """Centred accumulated local effects of one numeric feature (Apley & Zhu 2020).

    The feature's range is cut at quantiles ``z_0 < z_1 < ... < z_K`` (``n_bins``
    equal-count bins between ``quantile_range``, duplicate edges dropped); rows
    outside ``[z_0, z_K]`` are left out. For the rows whose value falls in bin
    ``k`` (``(z_{k-1}, z_k]``, the first bin closed on the left) the local effect
    is ``predict(row with feature := z_k) - predict(row with feature := z_{k-1})``;
    the uncentred ALE at ``z_k`` is the sum over bins ``1..k`` of the bins' mean
    local effects (0 at ``z_0``). Each row is moved only across its own bin,
    so the model is evaluated near the data even when the feature is
    correlated with others. The result is centred as in Apley & Zhu's
    ``ALEPlot``: the count-weighted mean over bins of the average of each bin's
    two edge values is subtracted, so the effect averages to about 0 over the
    rows. Returns a Series indexed by the edges ``z_0..z_K``, in the units of
    ``predict``'s output. For an additive model ``f = g(x_j) + h(x_rest)`` it is
    ``g(z) - g(z_0)`` minus that constant, exactly, whatever the correlations.

    Example
    -------
    >>> X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0], "b": [0.0, 1.0, 0.0, 1.0, 0.0]})
    >>> ale = accumulated_local_effects(lambda d: 2 * d["a"] + d["b"], X, "a", n_bins=2)
    >>> ale.index.tolist(), ale.round(3).tolist()
    ([0.0, 2.0, 4.0], [-3.6, 0.4, 4.4])
    """
    X = _check_frame(X)
    if feature not in X.columns:
        raise KeyError(f"feature {feature!r} is not a column of X; its columns are {list(X.columns)}")
    col = X[feature]
    if (isinstance(col.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(col)
            or pd.api.types.is_bool_dtype(col)):
        raise TypeError(f"feature {feature!r} must be numeric for accumulated local effects, got {col.dtype}")
    n_bins = _check_positive_int(n_bins, "n_bins")
    lo, hi = quantile_range
    if not 0.0 <= lo < hi <= 1.0:
        raise ValueError(f"quantile_range must satisfy 0 <= low < high <= 1, got {quantile_range}")
    x = col.to_numpy(dtype=float)
    if np.isnan(x).any():
        raise ValueError(f"feature {feature!r} has missing values; impute them first")
    edges = np.unique(np.quantile(x, np.linspace(lo, hi, n_bins + 1)))
    if len(edges) < 2:
        raise ValueError(f"feature {feature!r} takes a single value in quantile_range; ALE needs two or more")
    inside = (x >= edges[0]) & (x <= edges[-1])
    rows, xs = X.loc[inside], x[inside]
    k = np.clip(np.searchsorted(edges, xs, side="left"), 1, len(edges) - 1)  # bin k: (z_{k-1}, z_k]
    lower, upper = rows.copy(), rows.copy()
    lower[feature] = edges[k - 1].astype(col.dtype) if pd.api.types.is_float_dtype(col) else edges[k - 1]
    upper[feature] = edges[k].astype(col.dtype) if pd.api.types.is_float_dtype(col) else edges[k]
    both = pd.concat([lower, upper], ignore_index=True)
    scores = _scores(predict, both)
    effect = scores[len(rows):] - scores[:len(rows)]
    n_k = np.bincount(k, minlength=len(edges))[1:]
    mean_effect = np.bincount(k, weights=effect, minlength=len(edges))[1:] / np.maximum(n_k, 1)
    uncentred = np.concatenate([[0.0], np.cumsum(mean_effect)])
    centre = float(np.sum(n_k * (uncentred[:-1] + uncentred[1:]) / 2) / n_k.sum())
    return pd.Series(uncentred - centre, index=pd.Index(edges, name=feature),
                     name="accumulated local effect")


# --------------------------------------------------------------------------- integrated gradients
class Attributions(NamedTuple):
    """Integrated-gradients attributions and the two model outputs they must reconcile.

    ``values`` (n, d): each input's attribution; ``prediction`` f(x) and
    ``baseline_prediction`` f(x') (n,). Completeness says
    ``values.sum(1) == prediction - baseline_prediction``; ``gap`` is what the
    numerical integration leaves over.
    """

    values: np.ndarray
    prediction: np.ndarray
    baseline_prediction: np.ndarray

    @property
    def gap(self) -> np.ndarray:
        """f(x) - f(x') - sum of attributions, per row: zero for exact integration."""
        return self.prediction - self.baseline_prediction - self.values.sum(axis=1)


_OUTPUTS = ("identity", "logit")


def integrated_gradients(
    model: Any,
    x: object,
    baseline: object,
    *,
    steps: int = 64,
    output: str = "identity",
    batch_size: int = 256,
) -> Attributions:
    """Integrated gradients of a differentiable model via TensorFlow ``GradientTape`` (Sundararajan 2017).

    For input ``x`` and baseline ``x'`` the attribution of input *j* is

        IG_j = (x_j - x'_j) * integral_0^1 df/dx_j (x' + a (x - x')) da,

    computed with the trapezoidal rule on ``steps`` equal intervals of ``a``.
    The attributions add up to f(x) - f(x') (completeness): exactly for a
    model linear in its inputs (whose gradient is constant), and up to the
    integration error otherwise, which falls as ``steps`` grows and is
    reported by :attr:`Attributions.gap`.

    ``model`` is a Keras model or any callable mapping a float32 tensor of
    shape (batch, d) to (batch,) or (batch, 1). ``output="logit"`` attributes
    log(p / (1 - p)) of a model that outputs a probability p (the log-odds
    of default, the scale of a scorecard and of logistic regression);
    ``"identity"`` attributes the output as it is. ``x`` is (n, d) or (d,);
    ``baseline`` is (d,) (shared, e.g. the average applicant) or (n, d).
    ``batch_size`` rows are integrated at a time. Units: those of the output.

    Example
    -------
    >>> linear = lambda t: 3.0 * t[:, 0] - t[:, 1]  # f(x) = 3 x1 - x2  # doctest: +SKIP
    >>> integrated_gradients(linear, [[1.0, 2.0]], [0.0, 0.0]).values.tolist()  # doctest: +SKIP
    [[3.0, -2.0]]
    """
    from finbook.repro import import_tensorflow  # noqa: PLC0415

    if output not in _OUTPUTS:
        raise ValueError(f"output must be one of {_OUTPUTS}, got {output!r}")
    steps = _check_positive_int(steps, "steps")
    batch_size = _check_positive_int(batch_size, "batch_size")
    xx = np.asarray(x, dtype=float)
    if xx.ndim == 1:
        xx = xx[None, :]
    if xx.ndim != 2 or xx.shape[0] == 0:
        raise ValueError(f"x must be a non-empty (n, d) array, got shape {np.shape(x)}")
    n, d = xx.shape
    base = np.asarray(baseline, dtype=float)
    if base.shape == (d,):
        base = np.broadcast_to(base, (n, d))
    elif base.shape != (n, d):
        raise ValueError(f"baseline must have shape ({d},) or ({n}, {d}) to match x, got {base.shape}")
    if not (np.isfinite(xx).all() and np.isfinite(base).all()):
        raise ValueError("x and baseline must be finite numbers")

    tf = import_tensorflow()
    alphas = np.linspace(0.0, 1.0, steps + 1)
    weights = np.full(steps + 1, 1.0 / steps)
    weights[[0, -1]] *= 0.5  # trapezoidal rule

    def f(t):
        out = tf.reshape(model(t), [-1])
        if output == "logit":
            eps = 1e-7
            out = tf.clip_by_value(out, eps, 1.0 - eps)
            out = tf.math.log(out) - tf.math.log1p(-out)
        return out

    values = np.empty((n, d))
    pred = np.empty(n)
    pred0 = np.empty(n)
    for start in range(0, n, batch_size):
        xb, bb = xx[start:start + batch_size], base[start:start + batch_size]
        m = len(xb)
        path = bb[None, :, :] + alphas[:, None, None] * (xb - bb)[None, :, :]  # (steps + 1, m, d)
        pt = tf.constant(path.reshape(-1, d), dtype=tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(pt)
            out = f(pt)
        grads = tape.gradient(out, pt)
        if grads is None:  # the output does not depend on the input at all
            grads = tf.zeros_like(pt)
        g = np.asarray(grads, dtype=float).reshape(steps + 1, m, d)
        avg = np.tensordot(weights, g, axes=(0, 0))  # (m, d)
        values[start:start + m] = (xb - bb) * avg
        o = np.asarray(out, dtype=float).reshape(steps + 1, m)
        pred0[start:start + m], pred[start:start + m] = o[0], o[-1]
    return Attributions(values=values, prediction=pred, baseline_prediction=pred0)


def group_columns(values: object, feature_names: Sequence[str], groups: Sequence[str]) -> pd.DataFrame:
    """Add up attributions of columns that come from one variable (e.g. the one-hot columns of a category).

    ``values`` is (n, d); ``feature_names`` and ``groups`` have one entry per
    column (``finbook.credit.feature_groups`` gives the groups of a fitted
    ``tabular_preprocessor``). Returns an n x (number of groups) DataFrame, in
    order of first appearance. Sums preserve completeness.

    Example
    -------
    >>> group_columns([[1.0, 2.0, 3.0]], ["x", "c_a", "c_b"], ["x", "c", "c"]).to_dict("records")
    [{'x': 1.0, 'c': 5.0}]
    """
    arr = np.atleast_2d(np.asarray(values, dtype=float))
    names, groups = list(feature_names), list(groups)
    if not (arr.shape[1] == len(names) == len(groups)):
        raise ValueError(f"values has {arr.shape[1]} columns, feature_names {len(names)} and groups "
                         f"{len(groups)}; expected one name and one group per column")
    frame = pd.DataFrame(arr, columns=names)
    order = list(dict.fromkeys(groups))
    return frame.T.groupby(groups, sort=False).sum().T[order]


# --------------------------------------------------------------------------- agreement
_RANK_METHODS = ("spearman", "kendall")


def rank_agreement(importances: pd.DataFrame, method: str = "spearman") -> pd.DataFrame:
    """Rank correlation between the columns of a features x methods table of importances.

    Each column ranks the features (rows) by one method or model; the result
    is the methods x methods matrix of Spearman's rho or Kendall's tau-b
    (ties handled), 1 on the diagonal: 1 means the same order, -1 the
    reverse, 0 no relation. Only the order of each column matters, not its
    units, so an AUC drop and a mean absolute log-odds can be compared.

    Example
    -------
    >>> t = pd.DataFrame({"m1": [3.0, 2.0, 1.0], "m2": [30.0, 20.0, 10.0], "m3": [1.0, 2.0, 3.0]})
    >>> rank_agreement(t).round(3).values.tolist()
    [[1.0, 1.0, -1.0], [1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]]
    """
    if not isinstance(importances, pd.DataFrame):
        raise TypeError("importances must be a DataFrame (features x methods), "
                        f"got {type(importances).__name__}")
    if method not in _RANK_METHODS:
        raise ValueError(f"method must be one of {_RANK_METHODS}, got {method!r}")
    if importances.shape[0] < 3:
        raise ValueError(f"need at least 3 features (rows) to compare rankings, got {importances.shape[0]}")
    values = importances.to_numpy(dtype=float)
    if np.isnan(values).any():
        bad = importances.columns[np.isnan(values).any(axis=0)].tolist()
        raise ValueError(f"importances contain NaN in columns {bad}")
    k = values.shape[1]
    out = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            if method == "spearman":
                r = stats.spearmanr(values[:, i], values[:, j]).statistic
            else:
                r = stats.kendalltau(values[:, i], values[:, j]).statistic
            out[i, j] = out[j, i] = r
    return pd.DataFrame(out, index=importances.columns, columns=importances.columns)


# --------------------------------------------------------------------------- scorecards
def scorecard_points(card: Any, X: pd.DataFrame, *, relative_to: str = "none") -> pd.DataFrame:
    """Each applicant's points per variable from a fitted scorecard (higher = safer).

    ``card`` is a fitted :class:`finbook.scorecard.ScorecardClassifier` (or an
    optbinning ``Scorecard``); each applicant gets, for every variable, the
    points of the bin it falls in. With ``relative_to="none"`` the row sums
    are the applicants' scores (plus optbinning's intercept, zero for the
    book's scaling). With ``relative_to="maximum"`` each entry is the
    shortfall ``max points of the variable - the applicant's points``
    (>= 0): the points lost on that variable, the usual basis of a
    scorecard's adverse-action reasons (largest shortfall first).

    Example
    -------
    >>> pts = scorecard_points(card, X_test)                          # doctest: +SKIP
    >>> np.allclose(pts.sum(axis=1), card.points(X_test))             # doctest: +SKIP
    True
    """
    if relative_to not in ("none", "maximum"):
        raise ValueError(f"relative_to must be 'none' or 'maximum', got {relative_to!r}")
    X = _check_frame(X)
    inner = getattr(card, "scorecard_", card)
    if not (hasattr(inner, "transform") and hasattr(inner, "table")):
        raise TypeError(f"card must be a fitted ScorecardClassifier or optbinning Scorecard, "
                        f"got {type(card).__name__}")
    frame = X.copy()
    for col in frame.columns:  # as ScorecardClassifier.fit saw them: categories as strings
        if not pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col]):
            frame[col] = frame[col].astype(str)
    points = inner.transform(frame)
    points.index = X.index
    if relative_to == "none":
        return points
    table = inner.table(style="detailed")
    table = table[table["Count"] > 0]
    best = table.groupby("Variable")["Points"].max()
    return best.reindex(points.columns).to_numpy() - points


# --------------------------------------------------------------------------- group fairness
def group_fairness(
    y_good: object,
    approved: object,
    group: object,
    *,
    protected: object,
    reference: object,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Disparate impact and equal opportunity of binary credit decisions between two groups.

    ``y_good`` is 1 for an applicant who repaid (or would have), ``approved`` 1
    for an approved application, ``group`` each applicant's group label;
    rows whose label is neither ``protected`` nor ``reference`` are left out
    (a label can also be a list of labels pooled into one group). Two
    statistics, protected group against reference group:

    * **disparate impact ratio**: approval rate of the protected group divided by
      that of the reference group (1 = parity);
    * **equal opportunity difference** (Hardt, Price & Srebro 2016): approval
      rate among *good* applicants of the protected group minus that of the
      reference group (0 = parity), i.e. the difference in true-positive rates
      when approval is the positive decision.

    Intervals are percentile intervals of ``n_boot`` bootstrap replicates that
    resample applicants with replacement within each group (the group sizes
    stay fixed; the decisions are held fixed, so model-refitting noise is not
    included). The two-sided p-value for parity matches the interval:
    ``min(1, 2 min((1 + #{t* <= null}) / (B + 1), (1 + #{t* >= null}) / (B + 1)))``.
    A replicate with no good applicant, or no approval in the reference group,
    is dropped for that statistic.

    Returns a DataFrame indexed by statistic (``"approval rate, protected"``,
    ``"approval rate, reference"``, ``"disparate impact ratio"``,
    ``"TPR among good, protected"``, ``"TPR among good, reference"``,
    ``"equal opportunity difference"``) with columns ``estimate``, ``low``,
    ``high``, ``pvalue`` (NaN for the rates) and ``n`` (rows used).

    Example
    -------
    >>> t = group_fairness([1, 1, 0, 1, 1, 0], [1, 0, 0, 1, 1, 0], list("aaabbb"),
    ...                    protected="a", reference="b", n_boot=200)
    >>> stats = ["disparate impact ratio", "equal opportunity difference"]
    >>> [round(float(t.loc[s, "estimate"]), 3) for s in stats]
    [0.5, -0.5]
    """
    yy = metrics.check_binary(y_good, "y_good")
    aa = metrics.check_binary(approved, "approved")
    gg = np.asarray(group, dtype=object)
    if not (len(yy) == len(aa) == len(gg)):
        raise ValueError(f"y_good, approved and group must have the same length, "
                         f"got {len(yy)}, {len(aa)} and {len(gg)}")
    n_boot = _check_positive_int(n_boot, "n_boot")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")

    def members(label: object) -> np.ndarray:
        labels = list(label) if isinstance(label, (list, tuple, set, frozenset)) else [label]
        return np.isin(gg, np.asarray(labels, dtype=object))

    in_p, in_r = members(protected), members(reference)
    if (in_p & in_r).any():
        raise ValueError("protected and reference share a label; the groups must be disjoint")
    for name, mask in (("protected", in_p), ("reference", in_r)):
        if not mask.any():
            raise ValueError(f"the {name} group {protected if name == 'protected' else reference!r} "
                             f"has no rows; labels present are {sorted(set(map(str, gg)))}")
        if not (yy[mask] == 1).any():
            raise ValueError(f"the {name} group has no good applicant; equal opportunity is undefined")
    if not aa[in_r].any():
        raise ValueError("the reference group has no approval; the disparate impact ratio is undefined")

    def stats_of(yp, ap, yr, ar):
        with np.errstate(divide="ignore", invalid="ignore"):
            rate_p, rate_r = ap.mean(), ar.mean()
            tpr_p = ap[yp == 1].mean() if (yp == 1).any() else np.nan
            tpr_r = ar[yr == 1].mean() if (yr == 1).any() else np.nan
            di = rate_p / rate_r if rate_r > 0 else np.nan
        return np.array([rate_p, rate_r, di, tpr_p, tpr_r, tpr_p - tpr_r])

    yp, ap, yr, ar = yy[in_p], aa[in_p], yy[in_r], aa[in_r]
    estimate = stats_of(yp, ap, yr, ar)
    rng = np.random.default_rng(seed)
    reps = np.empty((n_boot, 6))
    for b in range(n_boot):
        i = rng.integers(0, len(yp), len(yp))
        j = rng.integers(0, len(yr), len(yr))
        reps[b] = stats_of(yp[i], ap[i], yr[j], ar[j])
    alpha = 1.0 - level
    low, high, pvalue = [], [], []
    nulls = [None, None, 1.0, None, None, 0.0]
    for s, null in enumerate(nulls):
        r = reps[:, s][np.isfinite(reps[:, s])]
        low.append(float(np.quantile(r, alpha / 2)))
        high.append(float(np.quantile(r, 1 - alpha / 2)))
        if null is None:
            pvalue.append(np.nan)
        else:
            below = (1 + np.sum(r <= null)) / (len(r) + 1)
            above = (1 + np.sum(r >= null)) / (len(r) + 1)
            pvalue.append(float(min(1.0, 2 * min(below, above))))
    index = ["approval rate, protected", "approval rate, reference", "disparate impact ratio",
             "TPR among good, protected", "TPR among good, reference", "equal opportunity difference"]
    n_used = [len(yp), len(yr), len(yp) + len(yr), int((yp == 1).sum()), int((yr == 1).sum()),
              int((yp == 1).sum() + (yr == 1).sum())]
    return pd.DataFrame({"estimate": estimate, "low": low, "high": high, "pvalue": pvalue, "n": n_used},
                        index=index)
