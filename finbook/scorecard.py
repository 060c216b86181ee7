"""Credit scorecards in points, and cost-weighted decisions judged across cross-validation folds.

Three groups of tools, used by the credit-risk chapter:

* **Points.** :func:`score_scaling`, :func:`probability_to_score`,
  :func:`score_to_probability`: the "points to double the odds" (PDO) scale on
  which banks publish scorecards (600 points at odds of 50 good to 1 bad, 20
  more points for every doubling of the odds, say).
* **The scorecard.** :class:`ScorecardClassifier` bins every variable by weight
  of evidence with ``optbinning``'s ``BinningProcess``, fits a logistic
  regression on the WoE values and scales it with ``optbinning``'s
  ``Scorecard``; :meth:`ScorecardClassifier.points_table` is the table a
  credit officer reads.
* **Honest evaluation.** :func:`cross_validated_probabilities` runs any
  ``fit_predict(X_train, y_train, X_test)`` over cross-validation folds (all
  fitting, scaling and binning inside the training folds);
  :func:`fold_scores` scores every fold by ranking, calibration and the cost
  of its decisions; :func:`summarize_folds` gives the mean and spread.
  :func:`mlp_fit_predict` trains the chapter's 32-16-1 network on a fold with
  the book's training loop (:func:`finbook.training.fit`).

Conventions: ``y`` is 0/1 with 1 = bad (the applicant defaulted); ``p`` the
predicted probability of bad; a decision ``flag = 1`` means *reject*. Costs
are per applicant, in the units of the cost matrix (for German credit,
accepting a bad applicant costs 5 and rejecting a good one 1).

Example
-------
>>> round(float(probability_to_score([1 / 51], base_score=600, base_odds=50, pdo=20)[0]), 6)
600.0
>>> round(float(probability_to_score([1 / 101], base_score=600, base_odds=50, pdo=20)[0]), 4)
620.0
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from finbook import features, metrics, models, training

__all__ = [
    "ScorecardClassifier",
    "cross_validated_probabilities",
    "fold_scores",
    "mlp_fit_predict",
    "probability_to_score",
    "schema_preprocessor",
    "score_scaling",
    "score_to_probability",
    "summarize_folds",
    "tuned_thresholds",
]


# --------------------------------------------------------------------------- points
def _check_scaling(base_score: float, base_odds: float, pdo: float) -> None:
    if not np.isfinite(base_score):
        raise ValueError(f"base_score must be a finite number of points, got {base_score!r}")
    if not (np.isfinite(base_odds) and base_odds > 0):
        raise ValueError(f"base_odds must be positive odds (good:bad), got {base_odds!r}")
    if not (np.isfinite(pdo) and pdo > 0):
        raise ValueError(f"pdo (points to double the odds) must be positive, got {pdo!r}")


def score_scaling(*, base_score: float = 600.0, base_odds: float = 50.0,
                  pdo: float = 20.0) -> tuple[float, float]:
    """Return ``(factor, offset)`` of the PDO scale: score = offset + factor * ln(odds good:bad).

    ``factor = pdo / ln 2`` so that doubling the odds adds ``pdo`` points, and
    ``offset = base_score - factor * ln(base_odds)`` so that odds of
    ``base_odds`` score exactly ``base_score``.

    Example
    -------
    >>> factor, offset = score_scaling(base_score=600, base_odds=50, pdo=20)
    >>> round(factor, 4), round(offset, 4)
    (28.8539, 487.1229)
    """
    _check_scaling(base_score, base_odds, pdo)
    factor = pdo / np.log(2.0)
    return float(factor), float(base_score - factor * np.log(base_odds))


def probability_to_score(p_bad: object, *, base_score: float = 600.0, base_odds: float = 50.0,
                         pdo: float = 20.0) -> np.ndarray:
    """Points on the PDO scale for a probability of bad ``p_bad`` (strictly between 0 and 1).

    Higher scores mean safer applicants. See :func:`score_scaling`.

    Example
    -------
    >>> probability_to_score([0.5], base_score=600, base_odds=1, pdo=20).round(6).tolist()
    [600.0]
    """
    p = metrics.check_probabilities(p_bad, "p_bad")
    if ((p <= 0) | (p >= 1)).any():
        raise ValueError(f"p_bad must lie strictly between 0 and 1 to have finite odds, found "
                         f"{p[(p <= 0) | (p >= 1)][:5].tolist()}")
    factor, offset = score_scaling(base_score=base_score, base_odds=base_odds, pdo=pdo)
    return offset + factor * np.log((1.0 - p) / p)


def score_to_probability(score: object, *, base_score: float = 600.0, base_odds: float = 50.0,
                         pdo: float = 20.0) -> np.ndarray:
    """The probability of bad implied by a score on the PDO scale (inverse of :func:`probability_to_score`).

    Example
    -------
    >>> round(float(score_to_probability([600.0], base_score=600, base_odds=50, pdo=20)[0]), 6)
    0.019608
    """
    s = np.asarray(score, dtype=float).reshape(-1)
    if not np.isfinite(s).all():
        raise ValueError("score must be finite numbers of points")
    factor, offset = score_scaling(base_score=base_score, base_odds=base_odds, pdo=pdo)
    return 1.0 / (1.0 + np.exp((s - offset) / factor))


# --------------------------------------------------------------------------- the scorecard
def _load_optbinning() -> Any:
    """Import optbinning so that its OR-Tools solver cannot crash next to TensorFlow.

    OR-Tools and TensorFlow each ship their own protobuf and abseil; when
    TensorFlow is loaded first, OR-Tools' solvers bind to TensorFlow's copies
    and crash the process with a segmentation fault inside ``Solve``
    (google/or-tools issue 3230; the maintainers' advice is to import OR-Tools
    first). On Linux we load OR-Tools with ``RTLD_DEEPBIND``, which makes it
    use its own symbols whatever was imported before; elsewhere, if TensorFlow
    is already loaded, we refuse with a clear error rather than crash.
    """
    if "optbinning" in sys.modules:
        return sys.modules["optbinning"]
    deepbind = getattr(os, "RTLD_DEEPBIND", None)
    if "ortools" not in sys.modules and deepbind is not None:
        flags = sys.getdlopenflags()
        sys.setdlopenflags(flags | deepbind)
        try:
            import ortools.linear_solver.pywraplp  # noqa: F401, PLC0415
            import ortools.sat.python.cp_model  # noqa: F401, PLC0415
        finally:
            sys.setdlopenflags(flags)
    elif "ortools" not in sys.modules and "tensorflow" in sys.modules:
        raise RuntimeError(
            "TensorFlow was imported before OR-Tools (used by optbinning), which makes OR-Tools "
            "crash on this platform (google/or-tools issue 3230): import finbook.scorecard and call "
            "finbook.scorecard.ScorecardClassifier before importing TensorFlow or finbook.models")
    import optbinning  # noqa: PLC0415

    return optbinning


class ScorecardClassifier(ClassifierMixin, BaseEstimator):
    """Weight-of-evidence scorecard: optbinning binning + logistic regression, scaled to points.

    ``fit(X, y)`` bins every column of the DataFrame ``X`` with optbinning's
    ``BinningProcess`` (optimal binning maximising information value;
    numeric variables get a monotonic ascending or descending WoE trend, as
    scorecards require; categorical columns are grouped), fits a logistic
    regression with L2 penalty ``C`` on the WoE values and scales it with
    optbinning's ``Scorecard`` to the PDO scale of :func:`score_scaling`.
    ``y`` is 0/1 with 1 = bad.

    ``predict_proba`` returns probabilities of [good, bad]; ``score`` would be
    scikit-learn's accuracy, so the points are given by :meth:`points`.

    Example
    -------
    >>> from finbook import data
    >>> credit = data.german_credit()
    >>> X, y = credit.drop(columns="class"), (credit["class"] == "bad").astype(int)
    >>> card = ScorecardClassifier().fit(X, y)  # doctest: +SKIP
    >>> card.points_table().columns.tolist()  # doctest: +SKIP
    ['variable', 'bin', 'count', 'event_rate', 'woe', 'points']
    """

    def __init__(self, *, base_score: float = 600.0, base_odds: float = 50.0, pdo: float = 20.0,
                 C: float = 1.0, max_n_prebins: int = 20, min_prebin_size: float = 0.05) -> None:
        self.base_score = base_score
        self.base_odds = base_odds
        self.pdo = pdo
        self.C = C
        self.max_n_prebins = max_n_prebins
        self.min_prebin_size = min_prebin_size

    @staticmethod
    def _as_frame(X: object) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"X must be a pandas DataFrame with named columns, got {type(X).__name__}")
        out = X.copy()
        for col in out.columns:
            if not pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
                out[col] = out[col].astype(str)  # optbinning bins categories given as strings
        return out

    def fit(self, X: pd.DataFrame, y: object) -> ScorecardClassifier:
        optbinning = _load_optbinning()
        BinningProcess, Scorecard = optbinning.BinningProcess, optbinning.Scorecard  # noqa: N806

        _check_scaling(self.base_score, self.base_odds, self.pdo)
        frame = self._as_frame(X)
        yy = metrics.check_binary(y)
        if len(yy) != len(frame):
            raise ValueError(f"X and y must have the same length, got {len(frame)} and {len(yy)}")
        numeric, categorical = features.split_columns(X)
        self.variables_ = list(frame.columns)
        process = BinningProcess(
            self.variables_, categorical_variables=categorical,
            max_n_prebins=self.max_n_prebins, min_prebin_size=self.min_prebin_size,
            binning_fit_params={c: {"monotonic_trend": "auto_asc_desc"} for c in numeric},
        )
        # optbinning's "pdo_odds" scaling: `odds` are good:bad odds worth `scorecard_points`
        self.scorecard_ = Scorecard(
            process, LogisticRegression(C=self.C, max_iter=1000),
            scaling_method="pdo_odds",
            scaling_method_params={"pdo": self.pdo, "odds": self.base_odds,
                                   "scorecard_points": self.base_score},
        )
        self.scorecard_.fit(frame, yy)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities of [good, bad] for each applicant (rows of ``X``)."""
        return self.scorecard_.predict_proba(self._as_frame(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 (bad) where the probability of bad exceeds 0.5; decisions should use a cost threshold instead."""
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)

    def points(self, X: pd.DataFrame) -> np.ndarray:
        """Each applicant's total score in points (higher = safer)."""
        return self.scorecard_.score(self._as_frame(X))

    def points_table(self) -> pd.DataFrame:
        """The scorecard: one row per bin of every variable with its count, bad rate, WoE and points.

        Bins that optbinning adds for special and missing values, empty in
        the training data, are dropped. Points are rounded to one decimal.
        """
        table = self.scorecard_.table(style="detailed")
        table = table[table["Count"] > 0]
        out = pd.DataFrame({
            "variable": table["Variable"].to_numpy(),
            "bin": [_bin_label(b) for b in table["Bin"]],
            "count": table["Count"].astype(int).to_numpy(),
            "event_rate": table["Event rate"].astype(float).round(4).to_numpy(),
            "woe": table["WoE"].astype(float).round(4).to_numpy(),
            "points": table["Points"].astype(float).round(1).to_numpy(),
        })
        return out.reset_index(drop=True)


def _bin_label(b: object) -> str:
    """A readable label for an optbinning bin: an interval string, or the categories it groups."""
    if isinstance(b, str):
        return b
    try:
        return ", ".join(str(v) for v in list(b))
    except TypeError:
        return str(b)


# --------------------------------------------------------------------------- cross-validation
FitPredict = Callable[[pd.DataFrame, np.ndarray, pd.DataFrame], np.ndarray]


def cross_validated_probabilities(
    fit_predict: FitPredict,
    X: pd.DataFrame,
    y: object,
    splits: Iterable[tuple[np.ndarray, np.ndarray]],
) -> pd.DataFrame:
    """Out-of-fold probabilities of a model over cross-validation splits.

    ``fit_predict(X_train, y_train, X_test)`` must fit everything (scalers,
    encoders, binning, the model) on the training rows only and return the
    predicted probability of bad for the test rows. ``splits`` yields
    ``(train_idx, test_idx)`` positions, e.g. from
    ``RepeatedStratifiedKFold(...).split(X, y)``; with repeated splits every
    row appears once per repeat.

    Returns a long table with one row per (split, test row): ``split`` (0, 1,
    ...), ``row`` (position in ``X``), ``y`` and ``p``.

    Example
    -------
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"x": np.arange(6.0)}); y = np.array([0, 1, 0, 1, 0, 1])
    >>> base_rate = lambda Xtr, ytr, Xte: np.full(len(Xte), ytr.mean())
    >>> oof = cross_validated_probabilities(base_rate, X, y, [(np.arange(3), np.arange(3, 6))])
    >>> oof["p"].round(4).tolist()
    [0.3333, 0.3333, 0.3333]
    """
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame, got {type(X).__name__}")
    yy = metrics.check_binary(y)
    if len(yy) != len(X):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(yy)}")
    parts = []
    for k, (train, test) in enumerate(splits):
        train, test = np.asarray(train), np.asarray(test)
        if np.intersect1d(train, test).size:
            raise ValueError(f"split {k}: {np.intersect1d(train, test).size} row(s) are in both the "
                             "training and the test part")
        p = np.asarray(fit_predict(X.iloc[train], yy[train], X.iloc[test]), dtype=float).reshape(-1)
        if len(p) != len(test):
            raise ValueError(f"split {k}: fit_predict returned {len(p)} probabilities for "
                             f"{len(test)} test rows")
        metrics.check_probabilities(p, "fit_predict output")
        parts.append(pd.DataFrame({"split": k, "row": test, "y": yy[test], "p": p}))
    if not parts:
        raise ValueError("splits yielded no (train, test) pair")
    return pd.concat(parts, ignore_index=True)


def fold_scores(oof: pd.DataFrame, *, cost_fn: float, cost_fp: float,
                threshold: float | Sequence[float] | None = None) -> pd.DataFrame:
    """Score every split of an out-of-fold table: ranking, calibration, and the cost of its decisions.

    A case is rejected (flag = 1) when ``p >= threshold``. ``threshold`` is
    one number for every split, one per split (e.g. chosen on each training
    part), or ``None`` for the Bayes threshold ``cost_fp / (cost_fp + cost_fn)``
    (1/6 for German credit), which minimises expected cost when ``p`` is
    calibrated. Returns one row per split: ``ROC AUC``, ``Gini``, ``KS``,
    ``Brier``, ``threshold``, ``reject rate`` and ``cost`` (average cost per
    case of the decisions).
    """
    needed = {"split", "y", "p"}
    if not needed <= set(oof.columns):
        raise ValueError(f"oof must have columns {sorted(needed)}, got {list(oof.columns)}")
    splits = sorted(oof["split"].unique())
    if threshold is None:
        thresholds = [metrics.bayes_threshold(cost_fn=cost_fn, cost_fp=cost_fp)] * len(splits)
    elif np.ndim(threshold) == 0:
        thresholds = [float(threshold)] * len(splits)
    else:
        thresholds = [float(t) for t in threshold]
        if len(thresholds) != len(splits):
            raise ValueError(f"threshold has {len(thresholds)} values for {len(splits)} splits")
    for t in thresholds:
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"thresholds are probabilities in [0, 1], got {t!r}")
    rows = []
    for k, t in zip(splits, thresholds, strict=True):
        part = oof[oof["split"] == k]
        y, p = part["y"].to_numpy(), part["p"].to_numpy()
        flag = (p >= t).astype(int)
        rows.append({
            "split": k,
            "ROC AUC": metrics.roc_auc(y, p),
            "Gini": metrics.gini(y, p),
            "KS": metrics.ks_statistic(y, p),
            "Brier": metrics.brier_score(y, p),
            "threshold": t,
            "reject rate": float(flag.mean()),
            "cost": metrics.expected_cost(y, flag, cost_fn=cost_fn, cost_fp=cost_fp),
        })
    return pd.DataFrame(rows).set_index("split")


def tuned_thresholds(fit_predict: FitPredict, X: pd.DataFrame, y: object,
                     splits: Iterable[tuple[np.ndarray, np.ndarray]], *, cost_fn: float,
                     cost_fp: float, inner_folds: int = 5, seed: int = 0) -> list[float]:
    """For each split, the cost-optimal threshold chosen on its training part only.

    Inside every training part, ``inner_folds``-fold stratified
    cross-validation gives out-of-fold probabilities; the threshold with the
    lowest cost on them (:func:`finbook.metrics.cost_optimal_threshold`) is
    the one to apply to that split's test part. The test rows never influence
    their own threshold. Pass the list to :func:`fold_scores`.
    """
    from sklearn.model_selection import StratifiedKFold  # noqa: PLC0415

    yy = metrics.check_binary(y)
    out = []
    for train, _ in splits:
        train = np.asarray(train)
        inner = StratifiedKFold(inner_folds, shuffle=True, random_state=seed).split(train, yy[train])
        oof = cross_validated_probabilities(fit_predict, X.iloc[train], yy[train], inner)
        t, _ = metrics.cost_optimal_threshold(oof["y"], oof["p"], cost_fn=cost_fn, cost_fp=cost_fp)
        out.append(t)
    return out


def summarize_folds(scores: dict[str, pd.DataFrame], columns: Sequence[str] = (
        "ROC AUC", "Gini", "KS", "Brier", "cost")) -> pd.DataFrame:
    """Mean and standard deviation across folds of each model's fold scores.

    ``scores`` maps a model name to the output of :func:`fold_scores`.
    Returns one row per model with ``<column>`` (mean) and ``<column> sd``.
    """
    rows = {}
    for name, table in scores.items():
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise ValueError(f"scores of {name!r} lack columns {missing}")
        row = {}
        for c in columns:
            row[c] = float(table[c].mean())
            row[f"{c} sd"] = float(table[c].std(ddof=1)) if len(table) > 1 else float("nan")
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------- Keras
def schema_preprocessor(frame: pd.DataFrame) -> Any:
    """Standardise numeric columns and one-hot encode categoricals with the categories of their dtype.

    Like :func:`finbook.features.tabular_preprocessor`, but the one-hot columns
    come from each pandas ``category`` dtype (part of the data's schema, not
    learned from the rows), so every training fold yields the same columns
    even if a rare category is missing from it. Unfitted; fit it on training
    rows only.
    """
    from sklearn.compose import ColumnTransformer  # noqa: PLC0415
    from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: PLC0415

    numeric, categorical = features.split_columns(frame)
    cats = [list(frame[c].cat.categories) if isinstance(frame[c].dtype, pd.CategoricalDtype)
            else "auto" for c in categorical]
    encoder = OneHotEncoder(categories=cats if cats else "auto", handle_unknown="ignore",
                            sparse_output=False)
    return ColumnTransformer([("numeric", StandardScaler(), numeric),
                              ("categorical", encoder, categorical)],
                             verbose_feature_names_out=False)


_MLPS: dict[tuple, Any] = {}


def _fresh_mlp(n_inputs: int, hidden: tuple[int, ...]) -> Any:
    """A 32-16-1-style network with newly drawn weights and a reset optimizer.

    The first call builds the model; later calls with the same shape reuse it
    after drawing new initial weights (each layer's own initializer, zero
    biases) and zeroing Adam's moments and step counter. Reusing the model
    reuses its traced training step, which saves about a second per
    cross-validation fold; the result is a network in the same state as a
    newly built one.
    """
    key = (int(n_inputs), tuple(int(h) for h in hidden))
    if key not in _MLPS:
        _MLPS[key] = models.mlp(n_inputs, hidden=hidden)
        return _MLPS[key]
    net = _MLPS[key]
    for layer in net.layers:
        if getattr(layer, "kernel", None) is not None:
            layer.kernel.assign(layer.kernel_initializer(tuple(layer.kernel.shape)))
            layer.bias.assign(np.zeros(tuple(layer.bias.shape), dtype="float32"))
    for var in net.optimizer.variables:
        if "learning_rate" not in var.path:
            var.assign(np.zeros(tuple(var.shape), dtype=var.dtype))
    return net


def mlp_fit_predict(X_train: pd.DataFrame, y_train: object, X_test: pd.DataFrame, *,
                    hidden: Sequence[int] = (32, 16), validation_fraction: float = 0.2,
                    patience: int = 10, batch_size: int = 128, max_epochs: int = 500, seed: int = 0,
                    histories: list | None = None) -> np.ndarray:
    """Fit the chapter's ReLU network on one training fold and return probabilities for the test fold.

    Standardises numeric columns and one-hot encodes categorical ones
    (:func:`schema_preprocessor`, fitted on the training fold), holds out a
    stratified ``validation_fraction`` of the training fold for early stopping
    (:func:`finbook.training.fit`), and trains a ``hidden`` network with a
    sigmoid output and Adam (:func:`finbook.models.mlp`). If ``histories`` is
    a list, the training history is appended to it.
    """
    if not 0.0 < validation_fraction < 0.5:
        raise ValueError(f"validation_fraction must be in (0, 0.5), got {validation_fraction}")
    yy = metrics.check_binary(y_train)
    fit_rows, val_rows = train_test_split(np.arange(len(yy)), test_size=validation_fraction,
                                          stratify=yy, random_state=seed)
    prep = schema_preprocessor(X_train).fit(X_train.iloc[fit_rows])
    net = _fresh_mlp(len(prep.get_feature_names_out()), tuple(hidden))
    net, history = training.fit(
        net, prep.transform(X_train.iloc[fit_rows]), yy[fit_rows], epochs=max_epochs,
        validation_data=(prep.transform(X_train.iloc[val_rows]), yy[val_rows]),
        patience=patience, batch_size=batch_size, seed=seed)
    if histories is not None:
        histories.append(history)
    x_test = np.asarray(prep.transform(X_test), dtype="float32")
    return np.asarray(net(x_test, training=False)).reshape(-1).astype(float)
