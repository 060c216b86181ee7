"""Does a bigger model help? Parameter counts, compute, power laws and the runs of a scaling curve.

The model-scale chapter measures out-of-sample error against model size on
two problems, and these are its pieces:

* **Size and cost.** :func:`dense_parameter_count` counts the weights of a
  fully connected network without building it; :func:`training_flops` is the
  usual estimate of training compute, C = 6 N D floating-point operations
  for N parameters and D training examples processed (Kaplan et al. 2020).
* **Power laws.** :func:`fit_power_law` fits error = scale * size^(-exponent)
  by least squares on logarithms (a straight line on log-log axes);
  :func:`fit_saturating_power_law` fits the law with a floor,
  L = E + A * N^(-alpha), by nonlinear least squares on log L
  (``scipy.optimize.least_squares``), the form Hoffmann et al. (2022) fit.
* **The option-pricing surrogate** (smooth, abundant simulated data):
  :func:`surrogate_run` trains one pricing network (chapter 15's ``pricing_network``) on
  Black-Scholes prices for a fixed number of optimizer steps
  (:func:`finbook.training.fit` with ``steps=``) and returns its held-out error;
  :func:`polynomial_run` does the same for the least-squares polynomial baseline.
* **Credit default** (small, noisy tables): :func:`fold_aucs` scores any
  ``fit_predict`` over cross-validation splits;
  :func:`logistic_fit_predict` and :func:`boosting_fit_predict` are the two
  baselines (``finbook.scorecard.mlp_fit_predict`` is the network).

Units: prices per unit strike, errors in basis points of the strike (bp);
compute in floating-point operations (FLOPs); AUC in [0, 1].

Example
-------
>>> dense_parameter_count(4, (8, 8))  # 4*8+8 + 8*8+8 + 8+1
121
>>> fit = fit_power_law([10.0, 100.0, 1000.0], [1.0, 0.1, 0.01])
>>> round(fit.exponent, 6), round(fit.scale, 6)
(1.0, 10.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from finbook import metrics, options

__all__ = [
    "PowerLaw",
    "boosting_fit_predict",
    "dense_parameter_count",
    "fit_power_law",
    "fit_saturating_power_law",
    "SaturatingPowerLaw",
    "fold_aucs",
    "logistic_fit_predict",
    "polynomial_run",
    "surrogate_run",
    "training_flops",
]

#: Inputs of the Black-Scholes surrogate, in the order of ``options.BLACK_SCHOLES_DOMAIN``.
SURROGATE_INPUTS: tuple[str, ...] = tuple(options.BLACK_SCHOLES_DOMAIN)


# --------------------------------------------------------------------------- size and cost
def dense_parameter_count(n_inputs: int, hidden: Sequence[int], n_outputs: int = 1) -> int:
    """Number of weights and biases of a fully connected network ``n_inputs -> hidden -> n_outputs``.

    Each dense layer from ``a`` to ``b`` units has ``a * b`` weights and ``b``
    biases. Layers without weights (standardisation, rescaling) are not
    counted. Equal to Keras' ``count_params()`` for :func:`finbook.models.mlp`.

    Example
    -------
    >>> dense_parameter_count(61, (1024, 1024))
    1114113
    """
    sizes = [n_inputs, *hidden, n_outputs]
    for name, value in [("n_inputs", n_inputs), ("n_outputs", n_outputs), *(("hidden", h) for h in hidden)]:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must hold positive integers (layer widths), got {value!r}")
    return int(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True)))


def training_flops(n_parameters: float, n_examples: float) -> float:
    """Training compute C = 6 N D floating-point operations (Kaplan et al. 2020).

    ``n_parameters`` N weights, ``n_examples`` D examples processed in total
    (steps x batch size, i.e. epochs x training-set size): about 2 N
    operations per example for the forward pass and 4 N for the backward
    pass. An estimate for dense networks, ignoring activations and the
    optimizer.

    Example
    -------
    >>> training_flops(1e6, 1e3)
    6000000000.0
    """
    n, d = float(n_parameters), float(n_examples)
    if not (n > 0 and d > 0 and math.isfinite(n) and math.isfinite(d)):
        raise ValueError("n_parameters and n_examples must be positive, "
                         f"got {n_parameters!r} and {n_examples!r}")
    return 6.0 * n * d


class PowerLaw(NamedTuple):
    """error = scale * size ** (-exponent), fitted on log-log axes; r_squared of that fit."""

    exponent: float
    scale: float
    r_squared: float

    def predict(self, size: object) -> np.ndarray:
        """The fitted error at ``size`` (same units as the data it was fitted on)."""
        return self.scale * np.asarray(size, dtype=float) ** (-self.exponent)


def fit_power_law(size: object, error: object) -> PowerLaw:
    """Least-squares fit of ``log error = log scale - exponent * log size``.

    A positive exponent means the error falls as the size grows; halving the
    error then takes 2^(1/exponent) times the size. Needs at least two
    distinct positive sizes and positive errors.

    Example
    -------
    >>> round(fit_power_law([1, 4, 16], [8.0, 4.0, 2.0]).exponent, 6)
    0.5
    """
    x = np.asarray(size, dtype=float).reshape(-1)
    y = np.asarray(error, dtype=float).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"size and error must have the same length, got {x.size} and {y.size}")
    if np.any(~np.isfinite(x)) or np.any(~np.isfinite(y)) or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError(f"size and error must be positive finite numbers, got {x.tolist()} and {y.tolist()}")
    if np.unique(x).size < 2:
        raise ValueError(f"need at least two distinct sizes to fit a power law, got {x.tolist()}")
    lx, ly = np.log(x), np.log(y)
    slope, intercept = np.polyfit(lx, ly, 1)
    resid = ly - (intercept + slope * lx)
    total = np.sum((ly - ly.mean()) ** 2)
    r2 = 1.0 - float(np.sum(resid ** 2) / total) if total > 0 else 1.0
    return PowerLaw(exponent=float(-slope), scale=float(np.exp(intercept)), r_squared=r2)


class SaturatingPowerLaw(NamedTuple):
    """loss = floor + scale * size ** (-exponent): a power law that levels off at ``floor`` (E >= 0)."""

    exponent: float
    scale: float
    floor: float

    def predict(self, size: object) -> np.ndarray:
        """The fitted loss at ``size``."""
        return self.floor + self.scale * np.asarray(size, dtype=float) ** (-self.exponent)


def fit_saturating_power_law(size: object, loss: object) -> SaturatingPowerLaw:
    """Fit ``loss = E + A * size^(-alpha)`` (E >= 0, A > 0, 0 < alpha <= 5) by least squares on log loss.

    The residuals are ``log(E + A N^-alpha) - log L``, so every point counts in
    proportion (a loss of 2 missed by 10% weighs as much as a loss of 200
    missed by 10%). ``scipy.optimize.least_squares`` (trust-region
    reflective, with the bounds) polishes the best of a grid search
    (a grid of exponents, each with the non-negative least-squares E and A
    of the relative errors, gives the starting point). Needs at least three distinct positive
    sizes (three parameters) and positive losses; several runs per size
    (seeds) may be passed as repeated sizes.

    Example
    -------
    >>> n = [10.0, 100.0, 1000.0, 10000.0]
    >>> fit = fit_saturating_power_law(n, [2 + 50 * x ** -0.5 for x in n])
    >>> round(fit.floor, 4), round(fit.scale, 4), round(fit.exponent, 4)
    (2.0, 50.0, 0.5)
    """
    from scipy.optimize import least_squares  # noqa: PLC0415

    x = np.asarray(size, dtype=float).reshape(-1)
    y = np.asarray(loss, dtype=float).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"size and loss must have the same length, got {x.size} and {y.size}")
    if np.any(~np.isfinite(x)) or np.any(~np.isfinite(y)) or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError(f"size and loss must be positive finite numbers, got {x.tolist()} and {y.tolist()}")
    if np.unique(x).size < 3:
        raise ValueError("need at least three distinct sizes to fit E + A N^-alpha, "
                         f"got {np.unique(x).tolist()}")
    from scipy.optimize import nnls  # noqa: PLC0415

    lx, ly = np.log(x), np.log(y)
    ref = float(np.exp(lx.mean()))  # sizes relative to their geometric mean: a well-scaled problem
    u = np.log(x / ref)

    def residuals(theta: np.ndarray) -> np.ndarray:
        floor, log_scale, alpha = theta
        return np.log(floor + np.exp(log_scale - alpha * u)) - ly

    # start: for each alpha on a grid, (E, A) >= 0 by non-negative least squares on relative errors
    best_start, best_cost = None, np.inf
    for alpha in np.linspace(0.02, 5.0, 100):
        design = np.column_stack([np.ones_like(u), np.exp(-alpha * u)]) / y[:, None]
        (floor, scale), _ = nnls(design, np.ones_like(y))
        if scale > 0:
            cost = float(np.sum(residuals(np.array([floor, np.log(scale), alpha])) ** 2))
            if cost < best_cost:
                best_start, best_cost = np.array([floor, np.log(scale), alpha]), cost
    if best_start is None:  # the losses rise with size: no falling power law fits
        raise ValueError(f"the losses do not fall with size, no E + A N^-alpha with A > 0 fits: {y.tolist()}")
    sol = least_squares(residuals, x0=best_start, bounds=([0.0, -np.inf, 1e-6], [np.inf, np.inf, 5.0]),
                        x_scale=[float(y.mean()), 1.0, 1.0], xtol=1e-12, ftol=1e-12, gtol=1e-12)
    floor, log_scale, alpha = (float(v) for v in (sol.x if sol.cost <= best_cost / 2 else best_start))
    return SaturatingPowerLaw(exponent=alpha, scale=float(np.exp(log_scale) * ref ** alpha), floor=floor)


# --------------------------------------------------------------------------- training for a fixed budget
# --------------------------------------------------------------------------- option-pricing surrogate
def _check_options(frame: pd.DataFrame, name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame from options.black_scholes_training_set, "
                        f"got {type(frame).__name__}")
    missing = [c for c in (*SURROGATE_INPUTS, "price") if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks columns {missing}; expected {[*SURROGATE_INPUTS, 'price']}")


def surrogate_run(
    train: pd.DataFrame,
    valid: pd.DataFrame,
    test: pd.DataFrame,
    *,
    hidden: Sequence[int],
    steps: int,
    learning_rate: float = 3e-2,
    activation: str = "gelu",
    batch_size: int = 256,
    seed: int = 0,
    patience: int | None = None,
    details: bool = False,
) -> dict[str, Any] | tuple[dict[str, Any], dict[str, Any]]:
    """Train one Black-Scholes surrogate for up to ``steps`` steps; return its size, cost and error.

    The network is ``pricing_network`` (chapter 15, from :mod:`finbook.lessons`) (inputs standardised by the
    centre and half-width of ``options.BLACK_SCHOLES_DOMAIN``, ``hidden``
    layers, output scaled by 0.1), trained by :func:`finbook.training.fit` for
    ``steps`` steps of chapter 15's ``train_step``, Adam and a learning rate
    falling along a cosine from ``learning_rate`` to 1% of it over the
    ``steps`` mini-batch steps; the weights with the lowest validation error
    are kept. Fixing the steps, not the epochs, gives every
    model and every training-set size the same number of updates: a small
    set is simply cycled through more often. Call ``repro.set_seed`` first
    for repeatable initial weights. The validation error is evaluated every 64
    steps; with ``patience``, training stops after that many evaluations
    without improvement (early stopping: a run to convergence needs
    ``steps`` large enough that it stops before the budget ends).

    Returns a dict: ``hidden`` (e.g. "64-64"), ``parameters``, ``training
    options``, ``steps``, ``passes over the data`` (steps x batch / options),
    ``compute (FLOPs)`` (:func:`training_flops`) and the root-mean-squared and
    maximum absolute errors on ``test`` in bp of the strike (``test RMSE
    (bp)``, ``test max error (bp)``), plus ``learning rate``, ``steps run``
    (where early stopping ended it), ``best step`` (the kept weights) and
    ``validation RMSE (bp)`` (at the best step). ``compute (FLOPs)`` counts the
    examples of the ``steps run``. With ``details=True`` returns ``(run,
    details)``: ``details["curve"]`` is a DataFrame of the validation RMSE (bp)
    after every 64 steps against ``step`` and ``compute (FLOPs)`` (the
    learning curve, for a compute frontier) and ``details["test predictions"]``
    the network's prices for ``test``.
    """
    for frame, name in [(train, "train"), (valid, "valid"), (test, "test")]:
        _check_options(frame, name)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not (isinstance(learning_rate, (int, float)) and math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if patience is not None and (isinstance(patience, bool) or not isinstance(patience, (int, np.integer))
                                 or patience < 1):
        raise ValueError(f"patience must be a positive integer or None, got {patience!r}")
    from finbook import training  # noqa: PLC0415
    from finbook.lessons import pricing_loss, pricing_network, train_step  # noqa: PLC0415

    cols = list(SURROGATE_INPUTS)
    lo, hi = np.array([options.BLACK_SCHOLES_DOMAIN[c] for c in cols]).T
    net = pricing_network(len(cols), hidden=tuple(hidden), activation=activation,
                          input_mean=(lo + hi) / 2, input_scale=(hi - lo) / 2, output_scale=0.1,
                          learning_rate=learning_rate, decay_steps=int(steps))
    net, hist = training.fit(net, train[cols], train["price"], steps=int(steps), batch_size=batch_size,
                             step=train_step, validation_data=(valid[cols], valid["price"]),
                             val_loss=pricing_loss, eval_every=64, seed=seed, patience=patience)
    predictions = options.network_predict(net, test[cols])
    errors = options.pricing_errors(test["price"], predictions)
    n_params = int(net.count_params())
    batch = min(int(batch_size), len(train))
    run_steps = int(hist["step"][-1])
    seen = run_steps * batch
    val_rmse = np.sqrt(np.asarray(hist["val_loss"], dtype=float)) * 1e4  # price per unit strike -> bp
    best = int(np.argmin(val_rmse))
    run = {"hidden": "-".join(str(int(h)) for h in hidden), "parameters": n_params,
           "training options": len(train), "learning rate": float(learning_rate), "steps": int(steps),
           "steps run": run_steps, "best step": int(hist["step"][best]),
           "passes over the data": seen / len(train),
           "compute (FLOPs)": training_flops(n_params, seen),
           "validation RMSE (bp)": float(val_rmse[best]),
           "test RMSE (bp)": errors["rmse"], "test max error (bp)": errors["max"]}
    if not details:
        return run
    curve = pd.DataFrame({"step": hist["step"], "validation RMSE (bp)": val_rmse})
    curve["compute (FLOPs)"] = [training_flops(n_params, s * batch) for s in curve["step"]]
    return run, {"curve": curve, "test predictions": np.asarray(predictions, dtype=float)}


def polynomial_run(train: pd.DataFrame, test: pd.DataFrame, degree: int) -> dict[str, Any]:
    """Fit the least-squares polynomial surrogate (``options.polynomial_pricer``); return its size and error.

    Returns ``degree``, ``parameters`` (coefficients including the
    intercept: C(4 + degree, degree) for four inputs), ``training options``
    and the test errors in bp of the strike, as :func:`surrogate_run`.

    Example
    -------
    >>> train = options.black_scholes_training_set(2000, seed=0)
    >>> test = options.black_scholes_training_set(500, seed=1)
    >>> polynomial_run(train, test, 2)["parameters"]
    15
    """
    _check_options(train, "train")
    _check_options(test, "test")
    cols = list(SURROGATE_INPUTS)
    model = options.polynomial_pricer(degree).fit(train[cols].to_numpy(), train["price"].to_numpy())
    errors = options.pricing_errors(test["price"], model.predict(test[cols].to_numpy()))
    return {"degree": int(degree), "parameters": math.comb(len(cols) + int(degree), int(degree)),
            "training options": len(train), "test RMSE (bp)": errors["rmse"],
            "test max error (bp)": errors["max"]}


# --------------------------------------------------------------------------- credit default
FitPredict = Callable[[pd.DataFrame, np.ndarray, pd.DataFrame], np.ndarray]


def fold_aucs(fit_predict: FitPredict, X: pd.DataFrame, y: object,
              splits: Iterable[tuple[np.ndarray, np.ndarray]]) -> pd.Series:
    """Out-of-sample ROC AUC of a model on every cross-validation split.

    ``fit_predict(X_train, y_train, X_test)`` fits everything on the
    training rows and returns probabilities for the test rows (the contract
    of ``finbook.scorecard.cross_validated_probabilities``, which runs it).
    Returns one AUC per split, indexed by split number.

    Example
    -------
    >>> X = pd.DataFrame({"x": np.arange(8.0)}); y = np.array([0, 1] * 4)
    >>> rule = lambda Xtr, ytr, Xte: Xte["x"].to_numpy() / 10
    >>> fold_aucs(rule, X, y, [(np.arange(4), np.arange(4, 8))]).tolist()
    [0.75]
    """
    from finbook.scorecard import cross_validated_probabilities  # noqa: PLC0415

    oof = cross_validated_probabilities(fit_predict, X, y, splits)
    return oof.groupby("split")[["y", "p"]].apply(
        lambda part: metrics.roc_auc(part["y"], part["p"])).rename("ROC AUC")


def logistic_fit_predict(X_train: pd.DataFrame, y_train: object, X_test: pd.DataFrame, *,
                         C: float = 1.0) -> np.ndarray:
    """L2-penalised logistic regression on standardised / one-hot features, fitted on the training rows.

    The preprocessing (``finbook.scorecard.schema_preprocessor``) is fitted on
    ``X_train`` only. Returns the probabilities of the event for ``X_test``.
    """
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.pipeline import make_pipeline  # noqa: PLC0415

    from finbook.scorecard import schema_preprocessor  # noqa: PLC0415

    if not C > 0:
        raise ValueError(f"C (inverse penalty strength) must be positive, got {C!r}")
    model = make_pipeline(schema_preprocessor(X_train), LogisticRegression(C=C, max_iter=5000))
    model.fit(X_train, metrics.check_binary(y_train))
    return model.predict_proba(X_test)[:, 1]


def boosting_fit_predict(X_train: pd.DataFrame, y_train: object, X_test: pd.DataFrame, *,
                         seed: int = 0) -> np.ndarray:
    """Histogram gradient boosting with native categorical splits and early stopping; test probabilities.

    Shallow trees (8 leaves, at least 20 rows each), learning rate 0.05, up
    to 300 trees, stopping when the loss on an internal 20% validation part
    of the training rows has not improved for 20 trees. Runs on one OpenMP
    thread: on a table of a thousand rows the threads' start-up costs more
    than they save, and on a busy machine spinning threads slow everyone down.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: PLC0415
    from threadpoolctl import threadpool_limits  # noqa: PLC0415

    model = HistGradientBoostingClassifier(
        categorical_features="from_dtype", learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=20,
        max_iter=300, early_stopping=True, validation_fraction=0.2, n_iter_no_change=20, random_state=seed)
    with threadpool_limits(limits=1, user_api="openmp"):
        model.fit(X_train, metrics.check_binary(y_train))
        return model.predict_proba(X_test)[:, 1]
