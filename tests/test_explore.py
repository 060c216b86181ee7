"""finbook.explore against hand computations, published values, properties and its error messages."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from statsmodels.stats.proportion import proportion_confint

from finbook import data
from finbook import explore as ex


# --------------------------------------------------------------------------- the map
def test_every_dataset_in_the_catalogue_serves_an_application():
    used = {name for spec in ex.APPLICATIONS.values() for name in spec["datasets"]}
    catalogue = set(data.list_datasets()["name"])
    # credit_data, nasdaq, ... : a dataset the book ships but no application uses is a gap
    assert catalogue - used == set(), f"datasets without an application: {catalogue - used}"


def test_application_map_joins_the_catalogue():
    table = ex.application_map()
    assert list(table["application"].unique()) == list(ex.APPLICATIONS)
    german = table[table["dataset"] == "german_credit"].iloc[0]
    assert german["rows"] == 1000 and german["中文"] == "金融风险评估"
    assert set(table["中文"]) == {"金融风险评估", "金融违约预测", "金融市场预测", "金融产品定价"}


def test_application_map_names_a_missing_dataset():
    catalogue = data.list_datasets()
    with pytest.raises(ValueError, match="'lending_club', which is not in the catalogue"):
        ex.application_map(catalogue[catalogue["name"] != "lending_club"])
    with pytest.raises(ValueError, match="must have columns"):
        ex.application_map(catalogue.drop(columns=["period"]))


# --------------------------------------------------------------------------- Wilson
def test_wilson_zero_events_by_hand():
    # p = 0: lower = 0 and upper = z^2 / (n + z^2), z = 1.959964
    z2 = stats.norm.ppf(0.975) ** 2
    lo, hi = ex.wilson_interval(0, 10)
    assert lo[0] == pytest.approx(0.0, abs=1e-15)
    assert hi[0] == pytest.approx(z2 / (10 + z2))
    assert hi[0] == pytest.approx(0.2775, abs=1e-4)


@pytest.mark.parametrize(("k", "n", "level"),
                         [(517, 9857, 0.95), (3, 8, 0.95), (300, 1000, 0.9), (12, 12, 0.99)])
def test_wilson_agrees_with_statsmodels(k, n, level):
    lo, hi = ex.wilson_interval(k, n, level)
    ref_lo, ref_hi = proportion_confint(k, n, alpha=1 - level, method="wilson")
    assert lo[0] == pytest.approx(ref_lo) and hi[0] == pytest.approx(ref_hi)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 5000), frac=st.floats(0, 1), level=st.floats(0.5, 0.999))
def test_wilson_brackets_the_proportion_inside_unit_interval(n, frac, level):
    k = int(round(frac * n))
    lo, hi = ex.wilson_interval(k, n, level)
    assert 0 <= lo[0] <= k / n + 1e-12 and k / n - 1e-12 <= hi[0] <= 1


def test_wilson_narrows_with_more_data():
    widths = [np.diff(np.r_[ex.wilson_interval(n // 10, n)]).item() for n in (10, 100, 1000, 10000)]
    assert widths == sorted(widths, reverse=True)


@pytest.mark.parametrize(("k", "n", "level", "match"), [
    (5, 4, 0.95, "between 0 and n"),
    (-1, 4, 0.95, "between 0 and n"),
    (1, 0, 0.95, "positive integers"),
    (1, 2.5, 0.95, "positive integers"),
    (1, 4, 1.0, r"level must be in \(0, 1\), got 1.0"),
])
def test_wilson_bad_inputs(k, n, level, match):
    with pytest.raises(ValueError, match=match):
        ex.wilson_interval(k, n, level)


# --------------------------------------------------------------------------- event rates
def test_event_rate_table_by_hand_and_in_category_order():
    frame = pd.DataFrame({
        "grade": pd.Categorical(["B", "A", "A", "B", "B", "A"], categories=["A", "B", "C"], ordered=True),
        "status": ["bad", "good", "good", "bad", "good", "bad"],
    })
    table = ex.event_rate_table(frame, "grade", "status", "bad")
    assert table.index.tolist() == ["A", "B"]  # empty category C dropped, order kept
    assert table["n"].tolist() == [3, 3]
    assert table["events"].tolist() == [1, 2]
    assert table["rate"].tolist() == pytest.approx([1 / 3, 2 / 3])
    assert (table["lower"] <= table["rate"]).all() and (table["rate"] <= table["upper"]).all()


def test_event_rate_table_on_german_credit_matches_the_data_card():
    credit = data.german_credit()
    credit["all"] = "all"
    row = ex.event_rate_table(credit, "all", "class", "bad").iloc[0]
    assert (row["n"], row["events"]) == (1000, 300)  # data/README.md: 700 good, 300 bad


def test_event_rate_table_errors():
    frame = pd.DataFrame({"g": ["a", "b"], "y": ["good", "bad"]})
    with pytest.raises(KeyError, match="'grade' not in the frame"):
        ex.event_rate_table(frame, "grade", "y", "bad")
    with pytest.raises(ValueError, match="positive value 'default' not found"):
        ex.event_rate_table(frame, "g", "y", "default")
    with pytest.raises(ValueError, match="missing values"):
        ex.event_rate_table(pd.DataFrame({"g": ["a", "b"], "y": ["bad", None]}), "g", "y", "bad")


def test_plot_event_rates_draws_one_bar_per_group_and_the_base_rate():
    table = ex.event_rate_table(pd.DataFrame({"g": list("aabbc"), "y": [1, 0, 1, 1, 0]}), "g", "y", 1)
    fig, ax = plt.subplots()
    ex.plot_event_rates(table, ax=ax, base_rate=0.6)
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([50.0, 100.0, 0.0])
    assert ax.get_lines()[-1].get_ydata()[0] == pytest.approx(60.0)
    plt.close(fig)
    with pytest.raises(ValueError, match="missing"):
        ex.plot_event_rates(table.drop(columns=["upper"]))


# --------------------------------------------------------------------------- repeated splits
def _toy(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"signal": rng.normal(size=n), "noise": rng.normal(size=n)})
    y = (X["signal"] + 0.5 * rng.normal(size=n) > 0).astype(int)
    return X, y


def test_repeated_split_scores_shape_determinism_and_pairing():
    X, y = _toy()
    models = {"lr": LogisticRegression(), "dummy": DummyClassifier(strategy="prior")}
    a = ex.repeated_split_scores(models, X, y, n_splits=7, seed=3)
    b = ex.repeated_split_scores(models, X, y, n_splits=7, seed=3)
    c = ex.repeated_split_scores(models, X, y, n_splits=7, seed=4)
    assert a.shape == (7, 2) and list(a.columns) == ["lr", "dummy"]
    pd.testing.assert_frame_equal(a, b)  # same seed, same digits
    assert not a["lr"].equals(c["lr"])  # another seed, other splits
    assert (a["dummy"] == 0.5).all()  # a constant score has AUC exactly 0.5
    assert (a["lr"] > 0.8).all()  # the signal is strong


def test_repeated_split_scores_uses_the_given_metric_on_test_rows_only():
    X, y = _toy(n=100)
    sizes = ex.repeated_split_scores({"lr": LogisticRegression()}, X, y, n_splits=2, test_size=0.25,
                                     metric=lambda yt, p: float(len(yt)))
    assert sizes["lr"].tolist() == [25.0, 25.0]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_splits": 0}, "n_splits must be a positive integer, got 0"),
    ({"test_size": 1.5}, r"test_size must be a fraction in \(0, 1\), got 1.5"),
])
def test_repeated_split_scores_bad_arguments(kwargs, match):
    X, y = _toy(n=50)
    with pytest.raises(ValueError, match=match):
        ex.repeated_split_scores({"lr": LogisticRegression()}, X, y, **kwargs)


def test_repeated_split_scores_bad_data():
    X, y = _toy(n=50)
    with pytest.raises(ValueError, match="models is empty"):
        ex.repeated_split_scores({}, X, y)
    with pytest.raises(ValueError, match="only 0 and 1"):
        ex.repeated_split_scores({"lr": LogisticRegression()}, X, y * 2)
    with pytest.raises(ValueError, match="same number of rows, got 50 and 49"):
        ex.repeated_split_scores({"lr": LogisticRegression()}, X, y.iloc[:49])


# --------------------------------------------------------------------------- Hanley-McNeil
def test_hanley_mcneil_by_hand():
    # A = 0.8, 90 events, 210 non-events: Q1 = 0.8/1.2, Q2 = 1.28/1.8
    a, n1, n2 = 0.8, 90, 210
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    expected = np.sqrt((a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n2 - 1) * (q2 - a * a)) / (n1 * n2))
    assert ex.hanley_mcneil_se(a, n1, n2) == pytest.approx(expected)
    # by hand: (0.16 + 89 * 0.026667 + 209 * 0.071111) / 18900 = 17.3956 / 18900 -> SE 0.03034
    assert ex.hanley_mcneil_se(a, n1, n2) == pytest.approx(0.03034, abs=1e-5)


def test_hanley_mcneil_matches_the_exact_variance_at_auc_one_half():
    # Without discrimination the Mann-Whitney AUC has variance (n1 + n2 + 1) / (12 n1 n2)
    # exactly; at A = 1/2, Q1 = Q2 = 1/3 and the Hanley-McNeil formula reduces to the same.
    n1, n2 = 100, 300
    exact = np.sqrt((n1 + n2 + 1) / (12 * n1 * n2))
    assert ex.hanley_mcneil_se(0.5, n1, n2) == pytest.approx(exact, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(a=st.floats(0.5, 0.99), n=st.integers(5, 2000))
def test_hanley_mcneil_shrinks_with_sample_size(a, n):
    assert ex.hanley_mcneil_se(a, 2 * n, 4 * n) < ex.hanley_mcneil_se(a, n, 2 * n)


@pytest.mark.parametrize(("args", "match"), [
    ((1.2, 10, 10), r"auc must be in \[0, 1\], got 1.2"),
    ((0.7, 0, 10), "n_pos must be a positive integer, got 0"),
    ((0.7, 10, 2.5), "n_neg must be a positive integer, got 2.5"),
])
def test_hanley_mcneil_bad_inputs(args, match):
    with pytest.raises(ValueError, match=match):
        ex.hanley_mcneil_se(*args)


# --------------------------------------------------------------------------- tails
def test_sigma_exceedances_expected_count_is_the_normal_tail():
    # 2 * (1 - Phi(4)) = 6.334e-5 (standard normal tables); Phi(-3) = 0.0013499
    s = ex.sigma_exceedances(np.r_[np.zeros(98), -10.0, 10.0], k=4)
    assert s["n"] == 100 and s["observed"] == 2
    assert s["expected"] == pytest.approx(100 * 6.334e-5, rel=1e-3)
    assert ex.sigma_exceedances(np.r_[np.zeros(98), -10.0, 10.0], k=3)["expected"] == pytest.approx(
        100 * 2 * 0.0013499, rel=1e-3)


def test_sigma_exceedances_of_a_large_normal_sample_is_about_one():
    r = np.random.default_rng(7).normal(size=400_000)
    s = ex.sigma_exceedances(r, k=3)
    assert s["ratio"] == pytest.approx(1.0, abs=0.05)


def test_sigma_exceedances_counts_both_tails_and_uses_the_sample_moments():
    r = np.r_[np.full(50, 1.0), np.full(50, -1.0)]  # mean 0, sd just above 1
    assert ex.sigma_exceedances(r, k=0.99)["observed"] == 100
    assert ex.sigma_exceedances(r, k=1.0)["observed"] == 0


@pytest.mark.parametrize(("r", "k", "match"), [
    ([0.1, 0.2, 0.3], 0, "positive number of standard deviations"),
    ([0.1, np.nan, 0.3], 4, "NaN"),
    ([0.1, 0.2], 4, "at least 3 returns, got 2"),
    ([1.0, 1.0, 1.0], 4, "constant"),
])
def test_sigma_exceedances_bad_inputs(r, k, match):
    with pytest.raises(ValueError, match=match):
        ex.sigma_exceedances(r, k)


# --------------------------------------------------------------------------- spells
def test_spells_below_with_dates_and_missing_values():
    idx = pd.date_range("2000-01-31", periods=8, freq="ME")
    s = pd.Series([0.5, -0.1, -0.3, np.nan, -0.2, 0.1, -0.4, -0.05], index=idx)
    spells = ex.spells_below(s)
    assert spells["start"].tolist() == [idx[1], idx[4], idx[6]]
    assert spells["end"].tolist() == [idx[2], idx[4], idx[7]]
    assert spells["periods"].tolist() == [2, 1, 2]
    assert spells["minimum"].tolist() == pytest.approx([-0.3, -0.2, -0.4])


def test_spells_below_none_and_threshold():
    s = pd.Series([1.0, 2.0, 3.0])
    assert ex.spells_below(s).empty
    assert ex.spells_below(s, threshold=2.5)["periods"].tolist() == [2]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=60))
def test_spells_cover_exactly_the_negative_observations(values):
    s = pd.Series(values)
    spells = ex.spells_below(s)
    assert spells["periods"].sum() == int((s < 0).sum())
    for row in spells.itertuples():
        assert (s.loc[row.start:row.end] < 0).all()


def test_spells_below_errors():
    with pytest.raises(TypeError, match="pandas Series, got list"):
        ex.spells_below([1.0, -1.0])
    with pytest.raises(ValueError, match="sorted"):
        ex.spells_below(pd.Series([1.0, -1.0], index=[2, 1]))


# --------------------------------------------------------------------------- recessions
def test_nber_dates_include_the_published_recent_cycles():
    # NBER Business Cycle Dating Committee: peaks July 1990, March 2001, December 2007;
    # troughs March 1991, November 2001, June 2009.
    assert ("1990-07", "1991-03") in ex.NBER_RECESSIONS
    assert ("2001-03", "2001-11") in ex.NBER_RECESSIONS
    assert ("2007-12", "2009-06") in ex.NBER_RECESSIONS
    assert ("1929-08", "1933-03") in ex.NBER_RECESSIONS


def test_nber_dates_are_ordered_and_do_not_overlap():
    table = ex.recessions()
    assert (table["peak"] < table["trough"]).all()
    assert (table["first_day"] <= table["last_day"]).all()
    assert (table["peak"].iloc[1:].to_numpy() > table["trough"].iloc[:-1].to_numpy()).all()


def test_recessions_window_and_next_peak():
    window = ex.recessions("1999-01-01", "2018-12-31")
    assert window["peak"].dt.strftime("%Y-%m").tolist() == ["2001-03", "2007-12"]
    # NBER convention: the recession's first month follows the peak, its last is the trough
    assert window["first_day"].iloc[1] == pd.Timestamp("2008-01-01")
    assert window["last_day"].iloc[1] == pd.Timestamp("2009-06-30")
    assert ex.recessions("2001-11-30", "2001-11-30")["peak"].tolist() == [pd.Timestamp("2001-03-01")]
    assert ex.recessions("2001-12-01", "2007-12-31").empty  # the 2007 peak month is still expansion
    assert ex.next_recession_peak("2000-07-31") == pd.Timestamp("2001-03-01")
    assert ex.next_recession_peak("2001-03-01") == pd.Timestamp("2007-12-01")  # strictly after
    assert ex.next_recession_peak("2030-01-01") is None
    with pytest.raises(ValueError, match="start must not be after end"):
        ex.recessions("2010", "2000")


def test_shade_recessions_draws_one_band_each_and_one_legend_entry():
    fig, ax = plt.subplots()
    ax.plot(pd.date_range("1990-01-01", "2017-03-31", freq="ME"), np.zeros(327))
    assert ex.shade_recessions(ax, "1990-01-01", "2017-03-31") == 3
    assert len(ax.patches) == 3
    labels = [h.get_label() for h in ax.get_legend_handles_labels()[0]]
    assert labels.count("NBER recession") == 1
    plt.close(fig)
