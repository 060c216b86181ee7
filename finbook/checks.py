"""Input checks for the from-scratch NumPy code that chapter 3 teaches.

The losses, gradient descent and the two-layer network are written in
``chapters/03_deep_learning_basics.py`` and exported to :mod:`finbook.lessons`.
Their input checks are plumbing, not the lesson, so they live here: each one
returns its input as a float64 array (or returns nothing) and raises a
``ValueError`` that names the bad value.

Conventions: ``X`` is an ``(n, d)`` array of features (one row per applicant),
``y`` a length-``n`` array of 0/1 labels (1 = the event, e.g. default).

Example
-------
>>> check_labels([0, 1, 1]).tolist()
[0.0, 1.0, 1.0]
>>> check_choice("tanh", ("relu", "tanh"), "activation")
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = [
    "check_choice",
    "check_features",
    "check_gd_settings",
    "check_gradients",
    "check_labels",
    "check_pair",
    "check_probabilities",
    "check_two_layer_params",
]

_PARAM_NAMES: tuple[str, ...] = ("W1", "b1", "W2", "b2")


def check_features(X: object) -> np.ndarray:
    """``X`` as a 2-D, finite float64 array (rows x features)."""
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"X must be a 2-D array (rows x features), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"X must be finite, found {int((~np.isfinite(arr)).sum())} NaN/inf value(s)")
    return arr


def check_labels(y: object, n: int | None = None) -> np.ndarray:
    """``y`` as a flat float64 array of 0s and 1s, of length ``n`` when given."""
    arr = np.asarray(y, dtype=np.float64).reshape(-1)
    bad = np.setdiff1d(np.unique(arr), [0.0, 1.0])
    if bad.size:
        raise ValueError(f"y must contain only 0 and 1 (1 = the event), found {bad[:5].tolist()}")
    if n is not None and len(arr) != n:
        raise ValueError(f"X and y must have the same number of rows, got {n} and {len(arr)}")
    return arr


def check_pair(y: object, other: object, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``y`` and ``other`` (called ``name`` in errors) as flat float64 arrays of one non-zero length."""
    yy = np.asarray(y, dtype=np.float64).reshape(-1)
    oo = np.asarray(other, dtype=np.float64).reshape(-1)
    if len(yy) != len(oo):
        raise ValueError(f"y and {name} must have the same length, got {len(yy)} and {len(oo)}")
    if len(yy) == 0:
        raise ValueError(f"y and {name} are empty")
    return yy, oo


def check_probabilities(p: np.ndarray) -> np.ndarray:
    """``p`` unchanged; raise if any entry is NaN or outside [0, 1]."""
    outside = p[(p < 0) | (p > 1) | np.isnan(p)]
    if outside.size:
        raise ValueError(f"p must be probabilities in [0, 1], found {outside[:5].tolist()}")
    return p


def check_choice(value: str, options: tuple[str, ...], name: str) -> None:
    """Raise unless ``value`` is one of ``options``."""
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")


def check_gd_settings(*, learning_rate: float, max_iter: int, tol: float, intercept0: float) -> None:
    """Raise unless gradient descent's settings make sense."""
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if int(max_iter) != max_iter or max_iter < 0:
        raise ValueError(f"max_iter must be a non-negative integer, got {max_iter!r}")
    if not tol > 0:
        raise ValueError(f"tol must be positive, got {tol!r}")
    if not np.isfinite(intercept0):
        raise ValueError(f"intercept0 must be a finite number, got {intercept0!r}")


def check_two_layer_params(params: Mapping[str, object]) -> dict[str, np.ndarray]:
    """The weights W1 (d, h), b1 (h,), W2 (h, 1), b2 (1,) of a two-layer network, as float64."""
    missing = [k for k in _PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params must hold {list(_PARAM_NAMES)}, missing {missing}")
    out = {k: np.asarray(params[k], dtype=np.float64) for k in _PARAM_NAMES}
    d, h = out["W1"].shape if out["W1"].ndim == 2 else (None, None)
    expected = {"W1": (d, h), "b1": (h,), "W2": (h, 1), "b2": (1,)}
    if d is None:
        raise ValueError(f"W1 must be 2-D (inputs x hidden units), got shape {out['W1'].shape}")
    for k, shape in expected.items():
        if out[k].shape != shape:
            raise ValueError(f"{k} must have shape {shape} to match W1 {out['W1'].shape}, "
                             f"got {out[k].shape}")
    return out


def check_gradients(a: object, b: object) -> tuple[np.ndarray, np.ndarray]:
    """Two gradients to compare, as float64 arrays of one shape.

    ``a`` and ``b`` are arrays of the same shape, or mappings with the same keys,
    whose arrays are then flattened and joined in the order of the sorted keys.
    """
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        if not (isinstance(a, Mapping) and isinstance(b, Mapping)) or set(a) != set(b):
            raise ValueError("relative_error needs two arrays or two mappings with the same keys, got "
                             f"{sorted(a) if isinstance(a, Mapping) else type(a).__name__} and "
                             f"{sorted(b) if isinstance(b, Mapping) else type(b).__name__}")
        keys = sorted(a)
        aa = np.concatenate([np.asarray(a[k], dtype=np.float64).reshape(-1) for k in keys])
        bb = np.concatenate([np.asarray(b[k], dtype=np.float64).reshape(-1) for k in keys])
        if aa.shape != bb.shape:
            raise ValueError(f"the arrays of a and b differ in size: {aa.size} and {bb.size} entries")
    else:
        aa, bb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if aa.shape != bb.shape:
            raise ValueError(f"a and b must have the same shape, got {aa.shape} and {bb.shape}")
    return aa, bb
