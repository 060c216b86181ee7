"""finbook.validation: no split ever lets a test date precede a training date."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finbook.validation import make_windows, walk_forward_splits, yearly_walk_forward


@settings(max_examples=200, deadline=None)
@given(n=st.integers(5, 400), initial=st.integers(1, 200), test=st.integers(1, 60),
       step=st.one_of(st.none(), st.integers(1, 60)), expanding=st.booleans(),
       gap=st.integers(0, 10))
def test_walk_forward_never_tests_on_the_past(n, initial, test, step, expanding, gap):
    if initial + gap >= n:
        with pytest.raises(ValueError):
            list(walk_forward_splits(n, initial_train=initial, test_size=test, step=step,
                                     expanding=expanding, gap=gap))
        return
    splits = list(walk_forward_splits(n, initial_train=initial, test_size=test, step=step,
                                      expanding=expanding, gap=gap))
    assert splits
    for train, test_idx in splits:
        assert train.size and test_idx.size
        assert train.max() + gap < test_idx.min()
        assert test_idx.max() < n
        if not expanding:
            assert train.size == initial
    if step is None:  # blocks tile the test period without overlap
        tested = np.concatenate([t for _, t in splits])
        assert np.array_equal(tested, np.unique(tested))


def test_yearly_walk_forward_blocks():
    idx = pd.bdate_range("2000-01-03", "2004-12-31")
    blocks = list(yearly_walk_forward(idx, first_test_year=2002, years_per_refit=2, gap=5))
    assert [(idx[t[0]].year, idx[t[-1]].year) for _, t in blocks] == [(2002, 2003), (2004, 2004)]
    for train, test in blocks:
        assert idx[train[-1]] < idx[test[0]]
        assert test[0] - train[-1] == 6  # 5 positions dropped in between
    with pytest.raises(ValueError, match="leaves no training data"):
        list(yearly_walk_forward(idx, first_test_year=2000))


def test_make_windows_uses_only_the_past():
    x = np.arange(10.0)
    y = x + 100  # the target at row t
    X, yy, rows = make_windows(x, y, lookback=3)
    assert X.shape == (8, 3, 1)
    assert rows.tolist() == list(range(2, 10))
    np.testing.assert_array_equal(X[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(yy, y[2:])
    assert (X[:, -1, 0] == rows).all()  # the last value in a window is row t itself


def test_make_windows_drops_nan_and_checks_lengths():
    x = np.array([1.0, np.nan, 3.0, 4.0, 5.0])
    X, yy, rows = make_windows(x, np.arange(5.0), lookback=2)
    assert rows.tolist() == [3, 4]
    with pytest.raises(ValueError, match="same length"):
        make_windows(x, np.arange(4.0), lookback=2)
    with pytest.raises(ValueError, match="lookback"):
        make_windows(x, np.arange(5.0), lookback=0)
