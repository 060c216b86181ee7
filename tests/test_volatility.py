"""finbook.volatility: estimators against hand-computed values; alignment; bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finbook import volatility as v

IDX = pd.date_range("2020-01-01", periods=3, freq="D")


def test_parkinson_by_hand():
    high, low = pd.Series([101.0, 110.0, 100.0], IDX), pd.Series([99.0, 100.0, 100.0], IDX)
    expected = (100 * np.log(high / low)) ** 2 / (4 * np.log(2))
    pd.testing.assert_series_equal(v.parkinson(high, low), expected)
    assert v.parkinson(high, low).iloc[2] == 0.0


def test_garman_klass_by_hand_and_reduces_to_range_when_open_equals_close():
    o = pd.Series([100.0, 100.0, 100.0], IDX)
    h = pd.Series([102.0, 105.0, 101.0], IDX)
    lo = pd.Series([99.0, 97.0, 99.5], IDX)
    c = pd.Series([101.0, 100.0, 100.5], IDX)
    gk = v.garman_klass(o, h, lo, c)
    first = 0.5 * (100 * np.log(102 / 99)) ** 2 - (2 * np.log(2) - 1) * (100 * np.log(1.01)) ** 2
    assert gk.iloc[0] == pytest.approx(first)
    assert gk.iloc[1] == pytest.approx(0.5 * (100 * np.log(105 / 97)) ** 2)


def test_forward_mean_is_aligned_to_the_next_days():
    s = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0])
    fwd = v.forward_mean(s, 2)
    assert fwd.tolist()[:3] == [2.5, 3.5, 4.5]
    assert fwd.iloc[3:].isna().all()


def test_har_design_uses_trailing_means():
    s = pd.Series(np.arange(1.0, 31.0))
    design = v.har_design(s, log=False)
    assert design.loc[29, "daily"] == 30.0
    assert design.loc[29, "weekly"] == pytest.approx(np.mean(np.arange(26.0, 31.0)))
    assert design.loc[29, "monthly"] == pytest.approx(np.mean(np.arange(9.0, 31.0)))
    assert design.iloc[:21]["monthly"].isna().all()


def test_log_returns_in_percent():
    close = pd.Series([100.0, 110.0, 99.0], IDX)
    r = v.log_returns(close)
    assert r.iloc[1] == pytest.approx(100 * np.log(1.1))


@pytest.mark.parametrize(("high", "low", "match"), [
    ([101.0, 100.0, -1.0], [99.0, 99.0, 99.0], "positive prices"),
    ([101.0, 98.0, 100.0], [99.0, 99.0, 99.0], "high < low"),
    ([101.0, np.nan, 100.0], [99.0, 99.0, 99.0], "NaN"),
])
def test_bad_prices_are_rejected(high, low, match):
    with pytest.raises(ValueError, match=match):
        v.parkinson(pd.Series(high, IDX), pd.Series(low, IDX))


def test_misaligned_series_are_rejected():
    other = pd.Series([99.0, 99.0, 99.0], pd.date_range("2021-01-01", periods=3, freq="D"))
    with pytest.raises(ValueError, match="not aligned"):
        v.parkinson(pd.Series([101.0, 100.0, 100.0], IDX), other)
