"""Turning tables into model inputs, without leakage.

Everything here returns an *unfitted* scikit-learn transformer: fit it on the
training rows only (inside a pipeline or a cross-validation fold), then apply
it to the test rows. That is how the book keeps test data out of the scaler.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": pd.Categorical(["a", "b", "a"])})
>>> prep = tabular_preprocessor(frame)
>>> prep.fit_transform(frame).shape
(3, 3)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

__all__ = ["split_columns", "tabular_preprocessor", "binary_target"]


def split_columns(frame: pd.DataFrame, exclude: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """Return (numeric columns, categorical columns) of a frame, minus ``exclude``.

    Categorical means category, object, string or bool dtype.
    """
    missing = [c for c in exclude if c not in frame.columns]
    if missing:
        raise KeyError(f"cannot exclude {missing}: not columns of the frame ({list(frame.columns)})")
    cols = [c for c in frame.columns if c not in set(exclude)]
    numeric = [c for c in cols if pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])]
    categorical = [c for c in cols if c not in numeric]
    return numeric, categorical


def tabular_preprocessor(frame: pd.DataFrame, exclude: Sequence[str] = ()) -> ColumnTransformer:
    """Standardise numeric columns and one-hot encode categorical ones (unfitted).

    Categories unseen during fitting are encoded as all zeros rather than
    raising, so a rare category that falls only in a test fold does not crash
    cross-validation.
    """
    numeric, categorical = split_columns(frame, exclude)
    return ColumnTransformer(
        [
            ("numeric", StandardScaler(), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
             categorical),
        ],
        verbose_feature_names_out=False,
    )


def binary_target(series: pd.Series, positive: str) -> np.ndarray:
    """Encode a two-valued column as 0/1 with ``positive`` as 1 (e.g. ``"bad"``).

    Raises ``ValueError`` if the column does not hold exactly the two values
    expected, naming what it found.
    """
    values = set(pd.Series(series).dropna().unique())
    if positive not in values:
        raise ValueError(f"positive class {positive!r} not found; the column holds {sorted(values)}")
    if len(values) != 2:
        raise ValueError(f"expected a binary column, found {len(values)} values: {sorted(values)}")
    if pd.Series(series).isna().any():
        raise ValueError("the target has missing values; drop or label them first")
    return (pd.Series(series) == positive).to_numpy(dtype=np.int64)
