"""finbook.forecast: the published ISLR lab reproduced, features by hand, walk-forward, tests, GARCH."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from finbook import data, metrics, validation, volatility
from finbook import forecast as fc

BOOK = fc.ISLR_SMARKET_LAB


# --------------------------------------------------------------------------- the ISLR lab, published values
@pytest.fixture(scope="module")
def smarket():
    table = data.smarket()
    y = (table["Direction"] == "Up").astype(int)
    train = (table["Year"] < 2005).to_numpy()
    return table, y, train


def _confusion(pred, actual):
    return tuple(int(np.sum((pred == p) & (actual == a))) for p in (0, 1) for a in (0, 1))


def test_logistic_regression_on_all_lags_matches_the_book(smarket):
    table, y, _ = smarket
    cols = ["Lag1", "Lag2", "Lag3", "Lag4", "Lag5", "Volume"]
    fit = sm.GLM(y, sm.add_constant(table[cols]), family=sm.families.Binomial()).fit()
    for (name, (estimate, se, p)), ours_b, ours_se, ours_p in zip(
            BOOK["coefficients"].items(), fit.params, fit.bse, fit.pvalues, strict=True):
        assert round(ours_b, 6) == pytest.approx(estimate, abs=1e-12), name
        assert ours_se == pytest.approx(se, abs=2e-6), name      # R stops one scoring step earlier
        assert round(ours_p, 3) == pytest.approx(p, abs=1e-12), name
    calls = (fit.predict() > 0.5).astype(int)
    assert float(np.mean(calls == y)) == BOOK["training_hit_rate"]
    assert _confusion(calls, y.to_numpy()) == BOOK["training_confusion"]


def test_test_set_results_match_the_book(smarket):
    table, y, train = smarket
    lag12 = ["Lag1", "Lag2"]
    x_tr, x_te = table.loc[train, lag12].to_numpy(), table.loc[~train, lag12].to_numpy()
    y_tr, y_te = y[train].to_numpy(), y[~train].to_numpy()

    def glm(cols):
        fit = sm.GLM(y_tr, sm.add_constant(table.loc[train, cols]), family=sm.families.Binomial()).fit()
        return fit, (fit.predict(sm.add_constant(table.loc[~train, cols])) > 0.5).astype(int).to_numpy()

    _, full = glm(["Lag1", "Lag2", "Lag3", "Lag4", "Lag5", "Volume"])
    lag_fit, lag = glm(lag12)
    calls = {
        "logistic, all lags + Volume": full,
        "logistic, Lag1 + Lag2": lag,
        "LDA, Lag1 + Lag2": LinearDiscriminantAnalysis().fit(x_tr, y_tr).predict(x_te),
        "QDA, Lag1 + Lag2": QuadraticDiscriminantAnalysis().fit(x_tr, y_tr).predict(x_te),
        "kNN k=1, Lag1 + Lag2": KNeighborsClassifier(1).fit(x_tr, y_tr).predict(x_te),
    }
    for name, c in calls.items():
        assert _confusion(c, y_te) == BOOK["test_confusion"][name], name
        digits = len(str(BOOK["test_hit_rate"][name]).split(".")[1])
        assert round(float(np.mean(c == y_te)), digits) == BOOK["test_hit_rate"][name], name
    new = pd.DataFrame({"const": 1.0, "Lag1": [1.2, 1.5], "Lag2": [1.1, -0.8]})
    np.testing.assert_allclose(lag_fit.predict(new), BOOK["lag12_new_data_probabilities"], atol=5e-8)
    lda = LinearDiscriminantAnalysis().fit(x_tr, y_tr)
    np.testing.assert_allclose(lda.priors_, BOOK["lda_priors"], atol=5e-7)
    np.testing.assert_allclose(lda.means_, [BOOK["lda_group_means"]["Down"], BOOK["lda_group_means"]["Up"]],
                               atol=5e-9)


def test_r_style_knn_with_k3_brackets_the_books_coin_toss(smarket):
    table, y, train = smarket
    lag12 = ["Lag1", "Lag2"]
    votes = fc.knn_votes(table.loc[train, lag12], y[train], table.loc[~train, lag12], k=3)
    y_te = y[~train].to_numpy()
    tied = votes["majority"].isna().to_numpy()
    correct = int(np.sum(votes["majority"].to_numpy()[~tied] == y_te[~tied]))
    low, high = correct / len(y_te), (correct + tied.sum()) / len(y_te)
    assert tied.sum() == 1
    assert round(high, 7) == BOOK["test_hit_rate"]["kNN k=3, Lag1 + Lag2"]   # the book's coin said Up
    assert low < high


# --------------------------------------------------------------------------- kNN votes
def test_knn_votes_counts_ties_at_the_kth_distance():
    x_tr = [[0.0], [1.0], [-1.0], [2.0]]
    y_tr = [1, 0, 1, 0]
    votes = fc.knn_votes(x_tr, y_tr, [[0.0], [0.5]], k=2)
    # query 0.0: nearest 0.0 (1), then 1.0 and -1.0 tied at distance 1 -> 3 voters, 2 for class 1
    assert votes.loc[0, ["n_voters", "votes_1", "majority"]].tolist() == [3, 2, 1.0]
    # query 0.5: 0.0 and 1.0 tied at 0.5 -> 2 voters split 1-1 -> R tosses a coin
    assert votes.loc[1, ["n_voters", "votes_1"]].tolist() == [2, 1]
    assert np.isnan(votes.loc[1, "majority"])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"k": 0}, "k must be an integer"),
    ({"k": 5}, "k must be an integer"),
    ({"k": 1, "y_train": [0, 2, 1, 0]}, "must be 0/1"),
    ({"k": 1, "y_train": [0, 1]}, "same length"),
])
def test_knn_votes_bad_input(kwargs, match):
    args = {"X_train": [[0.0], [1.0], [2.0], [3.0]], "y_train": [0, 1, 1, 0], "X_test": [[0.5]]} | kwargs
    with pytest.raises(ValueError, match=match):
        fc.knn_votes(**args)


# --------------------------------------------------------------------------- hit-rate test and QLIKE scale
def test_hit_rate_test_against_the_binomial_tail():
    res = fc.hit_rate_test([1] * 60 + [0] * 40)
    # P(X >= 60) for X ~ Binomial(100, 1/2), summed by hand
    from math import comb
    tail = sum(comb(100, k) for k in range(60, 101)) / 2**100
    assert (res.hits, res.n, res.hit_rate) == (60, 100, 0.6)
    assert res.pvalue == pytest.approx(tail, rel=1e-10)
    # two hits in three at p0 = 0.9: P(X >= 2) = 3 * 0.9^2 * 0.1 + 0.9^3 = 0.972
    assert fc.hit_rate_test([True, False, True], p0=0.9).pvalue == pytest.approx(0.972, rel=1e-12)


def test_format_pvalue():
    assert fc.format_pvalue(0.04567) == "0.046"
    assert fc.format_pvalue(0.0004) == "< 0.001"
    assert fc.format_pvalue(0.001) == "0.001"
    assert fc.format_pvalue(0.2, digits=1) == "0.2"
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        fc.format_pvalue(1.5)
    with pytest.raises(ValueError, match="digits"):
        fc.format_pvalue(0.5, digits=0)


@pytest.mark.parametrize(("hits", "p0", "match"), [
    ([], 0.5, "empty"),
    ([1, 2, 0], 0.5, "must be 0/1"),
    ([1, np.nan], 0.5, "NaN"),
    ([1, 0], 1.0, "p0 must be in"),
])
def test_hit_rate_test_bad_input(hits, p0, match):
    with pytest.raises(ValueError, match=match):
        fc.hit_rate_test(hits, p0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.05, 20.0), min_size=3, max_size=30), st.floats(0.5, 1.5))
def test_qlike_scale_minimises_mean_qlike(proxy, nudge):
    rv = np.asarray(proxy)
    h = np.linspace(0.5, 2.0, len(rv))
    c = fc.qlike_scale(rv, h)
    assert c == pytest.approx(np.mean(rv / h))
    assert metrics.qlike(rv, c * h).mean() <= metrics.qlike(rv, c * nudge * h).mean() + 1e-12


def test_qlike_scale_bad_input():
    with pytest.raises(ValueError, match="positive"):
        fc.qlike_scale([1.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="equal length"):
        fc.qlike_scale([1.0], [1.0, 2.0])


# --------------------------------------------------------------------------- features and walk-forward
def _prices(n: int = 60) -> pd.DataFrame:
    idx = pd.date_range("2020-01-01", periods=n, freq="B")
    close = 100 * np.exp(np.cumsum(np.random.default_rng(3).normal(0, 0.01, n)))
    return pd.DataFrame({"close": close, "high": close * 1.01, "low": close * 0.985,
                         "volume": np.linspace(1e6, 2e6, n)}, idx)


def test_market_features_by_hand():
    px = _prices()
    t = fc.market_features(px)
    ret = 100 * (px["close"] / px["close"].shift(1) - 1)
    assert t["lag1"].iloc[10] == pytest.approx(ret.iloc[10])
    assert t["lag5"].iloc[10] == pytest.approx(ret.iloc[6])
    assert t["next_return"].iloc[10] == pytest.approx(ret.iloc[11])
    assert t["next_up"].iloc[10] == float(ret.iloc[11] >= 0)
    assert t["mom_22"].iloc[30] == pytest.approx(ret.iloc[9:31].mean())
    assert t["vol_22"].iloc[30] == pytest.approx(ret.iloc[9:31].std())
    parkinson_by_hand = (100 * np.log(1.01 / 0.985)) ** 2 / (4 * np.log(2))
    assert t["log_range_var"].iloc[5] == pytest.approx(np.log(parkinson_by_hand))
    assert t["log_volume_ratio"].iloc[30] == pytest.approx(
        np.log(px["volume"].iloc[30] / px["volume"].iloc[9:31].mean()))
    assert t[list(fc.FEATURES)].iloc[:22].isna().any(axis=1).all()
    assert np.isnan(t["next_return"].iloc[-1]) and np.isnan(t["next_up"].iloc[-1])


def test_market_features_at_t_ignore_later_prices():
    px = _prices()
    shocked = px.copy()
    shocked.iloc[41:] *= 1.5
    a, b = fc.market_features(px), fc.market_features(shocked)
    pd.testing.assert_frame_equal(a[list(fc.FEATURES)].iloc[:41], b[list(fc.FEATURES)].iloc[:41])


def test_market_features_bad_input():
    px = _prices()
    with pytest.raises(ValueError, match="missing"):
        fc.market_features(px.drop(columns="volume"))
    bad = px.copy()
    bad.iloc[5, 0] = -1.0
    with pytest.raises(ValueError, match="positive"):
        fc.market_features(bad)
    with pytest.raises(ValueError, match="sorted DatetimeIndex"):
        fc.market_features(px.iloc[::-1])


def test_walk_forward_predict_fits_on_the_past_only():
    idx = pd.date_range("2020-01-01", periods=8, freq="B")
    x = pd.DataFrame({"a": np.arange(8.0)}, idx)
    y = pd.Series(2.0 * np.arange(8.0), idx)
    splits = list(validation.walk_forward_splits(8, initial_train=4, test_size=2))
    pred, models = fc.walk_forward_predict(LinearRegression, x, y, splits)
    assert pred.index.equals(idx[4:]) and len(models) == 2
    np.testing.assert_allclose(pred.to_numpy(), 2.0 * np.arange(4.0, 8.0))
    with pytest.raises(ValueError, match="look ahead"):
        fc.walk_forward_predict(LinearRegression, x, y, [(np.arange(0, 5), np.arange(4, 6))])
    with pytest.raises(ValueError, match="NaN"):
        fc.walk_forward_predict(LinearRegression, x, y.where(y > 2), splits)
    with pytest.raises(ValueError, match="not aligned"):
        fc.walk_forward_predict(LinearRegression, x, y.iloc[1:], splits)
    with pytest.raises(ValueError, match="method"):
        fc.walk_forward_predict(LinearRegression, x, y, splits, method="score")


def test_walk_forward_forecasts_include_the_last_day_and_check_arguments():
    px = data.sp500().loc[:"2003"]
    prob, models = fc.walk_forward_forecasts(
        px, lambda: make_pipeline(StandardScaler(), LogisticRegression()), first_test_year=2001,
        years_per_refit=1)
    assert str(prob.index[0].date()) == "2001-01-02" and prob.index[-1] == px.index[-1]
    assert len(models) == 3 and prob.between(0, 1).all()
    with pytest.raises(ValueError, match="target must be"):
        fc.walk_forward_forecasts(px, LinearRegression, target="close")
    with pytest.raises(ValueError, match="unknown feature"):
        fc.walk_forward_forecasts(px, LinearRegression, features=["lag1", "rsi"])


# --------------------------------------------------------------------------- GARCH
@pytest.fixture(scope="module")
def garch_setup():
    rng = np.random.default_rng(7)   # a GARCH(1,1) path simulated by its own recursion
    n, mu, omega, alpha, beta = 2500, 0.05, 0.02, 0.08, 0.9
    r, s2 = np.empty(n), omega / (1 - alpha - beta)
    for t in range(n):
        r[t] = mu + np.sqrt(s2) * rng.standard_normal()
        s2 = omega + alpha * (r[t] - mu) ** 2 + beta * s2
    idx = pd.bdate_range("2000-01-03", periods=n)
    returns = pd.Series(r, idx)
    target = (returns - mu).pow(2).shift(-1).fillna(1.0) + 0.01   # a positive next-day proxy
    splits = list(validation.walk_forward_splits(n, initial_train=2000, test_size=250))
    return returns, target, splits, (mu, omega, alpha, beta)


def test_garch_recovers_simulated_parameters_and_filters_by_hand(garch_setup):
    returns, target, splits, (mu, omega, alpha, beta) = garch_setup
    fc_var, params = fc.garch_forecasts(returns, target, splits)
    assert params["alpha"].iloc[0] == pytest.approx(alpha, abs=0.04)
    assert params["beta"].iloc[0] == pytest.approx(beta, abs=0.06)
    assert fc_var.index.equals(returns.index[2000:])
    # one step of the recursion by hand: h(t+1) = omega + alpha (r_t - mu)^2 + beta h(t)
    from arch import arch_model

    fit = arch_model(returns.iloc[:2000], mean="Constant", vol="GARCH", p=1, q=1, dist="normal",
                     rescale=False).fit(disp="off")
    p = fit.params
    scale = params["scale"].iloc[0]
    h_t = fc_var.iloc[0] / scale                     # the forecast made at the first test date
    h_next = p["omega"] + p["alpha[1]"] * (returns.iloc[2001] - p["mu"]) ** 2 + p["beta[1]"] * h_t
    assert fc_var.iloc[1] / scale == pytest.approx(h_next, rel=1e-8)


def test_garch_forecasts_ignore_later_returns(garch_setup):
    returns, target, splits, _ = garch_setup
    shocked = returns.copy()
    shocked.iloc[2100:] *= 3.0
    a, _ = fc.garch_forecasts(returns, target, splits)
    b, _ = fc.garch_forecasts(shocked, target, splits)
    pd.testing.assert_series_equal(a.iloc[:100], b.iloc[:100])   # decisions up to day 2099


def test_garch_forecasts_bad_input(garch_setup):
    returns, target, splits, _ = garch_setup
    with pytest.raises(ValueError, match="not aligned"):
        fc.garch_forecasts(returns, target.iloc[1:], splits)
    with pytest.raises(ValueError, match="look ahead"):
        fc.garch_forecasts(returns, target, [(np.arange(0, 2100), np.arange(2000, 2100))])
    with pytest.raises(ValueError, match="NaN"):
        fc.garch_forecasts(returns.mask(returns.index == returns.index[5]), target, splits)


# --------------------------------------------------------------------------- the Keras MLP wrapper
def test_keras_mlp_errors_without_training():
    with pytest.raises(RuntimeError, match="not fitted"):
        fc.KerasMLP().predict(np.zeros((2, 3)))
    with pytest.raises(AttributeError, match="only available"):
        fc.KerasMLP(task="regression").predict_proba(np.zeros((2, 3)))


def test_keras_mlp_learns_a_separable_problem_and_rejects_bad_labels():
    from finbook import repro

    repro.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    model = fc.KerasMLP((8,), epochs=30, patience=None, learning_rate=1e-2).fit(x, y)
    assert np.mean(model.predict(x) == y) > 0.95
    assert model.predict_proba(x).shape == (400, 2)
    with pytest.raises(ValueError, match="0/1 labels"):
        fc.KerasMLP(epochs=1).fit(x, y + 1)
    with pytest.raises(ValueError, match="task must be"):
        fc.KerasMLP(task="ranking").fit(x, y)


def test_parkinson_feature_matches_finbook_volatility():
    px = _prices()
    t = fc.market_features(px)
    np.testing.assert_allclose(t["log_range_var"], np.log(volatility.parkinson(px["high"], px["low"])))


def test_keras_lstm_reads_the_lags_oldest_first_and_learns_a_sequence_rule():
    from finbook import repro

    repro.set_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 7))  # lag1..lag5, then two other features
    y = (X[:, 4] > 0).astype(int)   # the label is the sign of lag5, the oldest day
    model = fc.KerasLSTM(n_lags=5, units=8, epochs=60, patience=None, learning_rate=1e-2)
    seq, other = model._inputs(X)
    assert seq.shape == (600, 5, 1) and other.shape == (600, 2)
    np.testing.assert_array_equal(seq[:, 0, 0], X[:, 4].astype("float32"))  # oldest first
    np.testing.assert_array_equal(seq[:, -1, 0], X[:, 0].astype("float32"))  # lag1 last
    model.fit(X[:500], y[:500])
    p = model.predict_proba(X[500:])[:, 1]
    assert ((p > 0.5) == y[500:]).mean() > 0.9
    assert set(model.history_) >= {"loss"}


def test_keras_lstm_errors():
    with pytest.raises(ValueError, match="at least n_lags=5 columns"):
        fc.KerasLSTM(n_lags=5)._inputs(np.zeros((3, 4)))
    with pytest.raises(RuntimeError, match="not fitted"):
        fc.KerasLSTM().predict(np.zeros((3, 9)))
    with pytest.raises(ValueError, match="0/1 labels"):
        fc.KerasLSTM(epochs=1).fit(np.zeros((4, 9)), [0, 1, 2, 1])
