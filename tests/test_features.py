"""finbook.features: column types, the unfitted preprocessor, binary targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finbook import data, features


def test_split_columns_separates_numbers_from_categories():
    frame = pd.DataFrame({"x": [1.0, 2.0], "n": [1, 2], "c": pd.Categorical(["a", "b"]),
                          "s": ["u", "v"], "b": [True, False], "y": [0, 1]})
    numeric, categorical = features.split_columns(frame, exclude=["y"])
    assert numeric == ["x", "n"]
    assert categorical == ["c", "s", "b"]
    with pytest.raises(KeyError, match="cannot exclude"):
        features.split_columns(frame, exclude=["missing"])


def test_preprocessor_is_fitted_on_training_rows_only():
    train = pd.DataFrame({"x": [0.0, 2.0], "c": ["a", "b"]})
    test = pd.DataFrame({"x": [4.0], "c": ["z"]})  # a category never seen in training
    prep = features.tabular_preprocessor(train).fit(train)
    out = prep.transform(test)
    # standardised with the training mean 1 and sd 1; the unseen category encodes as zeros
    np.testing.assert_allclose(out, [[3.0, 0.0, 0.0]])


def test_preprocessor_on_german_credit_has_one_column_per_level():
    credit = data.german_credit()
    x = features.tabular_preprocessor(credit, exclude=["class"]).fit_transform(credit)
    levels = sum(credit[c].nunique() for c in credit.columns
                 if c != "class" and not pd.api.types.is_numeric_dtype(credit[c]))
    assert x.shape == (1000, 7 + levels)


def test_binary_target():
    y = features.binary_target(pd.Series(["good", "bad", "good"]), positive="bad")
    assert y.tolist() == [0, 1, 0]
    with pytest.raises(ValueError, match="positive class 'bad' not found"):
        features.binary_target(pd.Series(["good", "ok"]), positive="bad")
    with pytest.raises(ValueError, match="expected a binary column, found 3"):
        features.binary_target(pd.Series(["good", "bad", "ugly"]), positive="bad")
    with pytest.raises(ValueError, match="missing values"):
        features.binary_target(pd.Series(["good", "bad", None]), positive="bad")
