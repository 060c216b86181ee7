"""finbook.curves: hand-computed errors, PCA against its definition; the autoencoders of chapter 6."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from finbook import curves, lessons
from finbook.data import MATURITY_YEARS

MATURITIES = list(MATURITY_YEARS)


def low_rank_curves(rank: int, n_days: int = 400, noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Synthetic yields (percent) driven by exactly ``rank`` factors (+ optional noise)."""
    rng = np.random.default_rng(seed)
    tau = np.array(list(MATURITY_YEARS.values()))
    shapes = np.vstack([np.ones_like(tau), np.exp(-tau / 2.0), (tau / 2.0) * np.exp(-tau / 2.0)])[:rank]
    factors = rng.normal(size=(n_days, rank)).cumsum(axis=0) * 0.1
    values = 3.0 + factors @ shapes + noise * rng.normal(size=(n_days, len(tau)))
    index = pd.bdate_range("2010-01-01", periods=n_days, name="date")
    return pd.DataFrame(values, index=index, columns=MATURITIES)


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(("frame", "match"), [
    (np.ones((3, 2)), "must be a pandas DataFrame"),
    (pd.DataFrame({"1y": []}, dtype=float), "at least one row"),
    (pd.DataFrame({"1y": [1.0, np.nan]}), r"missing values \(first at row 1, column '1y'\)"),
    (pd.DataFrame({"1y": [1.0, np.inf]}), "infinite values"),
    (pd.DataFrame({"1y": ["a", "b"]}), "not numeric"),
])
def test_check_curve_names_the_problem(frame, match):
    with pytest.raises(ValueError, match=match):
        curves.check_curve(frame)


def test_check_curve_demands_the_fitted_maturities():
    frame = pd.DataFrame({"1y": [1.0], "2y": [2.0]})
    with pytest.raises(ValueError, match=r"expected the fitted maturities \['2y', '1y'\]"):
        curves.check_curve(frame, columns=["2y", "1y"])


# --------------------------------------------------------------------------- scaling
def test_scaler_uses_the_fitting_days_only():
    train = pd.DataFrame({"2y": [1.0, 3.0], "10y": [4.0, 4.5]})  # means 2, 4.25; stds 1, 0.25
    scaler = curves.CurveScaler().fit(train)
    test = pd.DataFrame({"2y": [5.0], "10y": [4.0]})
    assert scaler.transform(test).tolist() == [[3.0, -1.0]]
    back = scaler.inverse_transform(scaler.transform(test))
    np.testing.assert_allclose(back.to_numpy(), test.to_numpy())


def test_scaler_errors():
    with pytest.raises(RuntimeError, match="not fitted"):
        curves.CurveScaler().transform(pd.DataFrame({"1y": [1.0]}))
    with pytest.raises(ValueError, match=r"maturities \['1y'\] never change"):
        curves.CurveScaler().fit(pd.DataFrame({"1y": [2.0, 2.0], "2y": [1.0, 2.0]}))
    scaler = curves.CurveScaler().fit(pd.DataFrame({"1y": [1.0, 2.0], "2y": [1.0, 3.0]}))
    with pytest.raises(ValueError, match=r"shape \(days, 2\), got \(1, 3\)"):
        scaler.inverse_transform(np.zeros((1, 3)))


# --------------------------------------------------------------------------- PCA
def test_pca_of_two_perfectly_correlated_yields():
    # standardised, both columns are identical: one component (1, 1)/sqrt(2) explains everything
    curve = pd.DataFrame({"2y": [1.0, 2.0, 3.0], "10y": [2.0, 2.5, 3.0]})
    pca = curves.CurvePCA(1).fit(curve)
    np.testing.assert_allclose(pca.loadings.to_numpy(), [[2**-0.5, 2**-0.5]])
    np.testing.assert_allclose(pca.explained_variance_ratio_.to_numpy(), [1.0, 0.0], atol=1e-12)
    assert curves.reconstruction_rmse_bp(curve, pca.reconstruct(curve)) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_pca_recovers_exact_rank(rank):
    curve = low_rank_curves(rank)
    exact = curves.CurvePCA(rank).fit(curve)
    assert exact.explained_variance_ratio_.iloc[:rank].sum() == pytest.approx(1.0)
    assert curves.reconstruction_rmse_bp(curve, exact.reconstruct(curve)) < 1e-8
    if rank > 1:
        short = curves.CurvePCA(rank - 1).fit(curve)
        assert curves.reconstruction_rmse_bp(curve, short.reconstruct(curve)) > 0.1


def test_pca_matches_the_eigenvectors_of_the_correlation_matrix():
    curve = low_rank_curves(3, noise=0.02)
    pca = curves.CurvePCA(3).fit(curve)
    eigval, eigvec = np.linalg.eigh(np.corrcoef(curve.to_numpy(), rowvar=False))
    order = np.argsort(eigval)[::-1]
    np.testing.assert_allclose(pca.explained_variance_ratio_.to_numpy(), eigval[order] / eigval.sum(),
                               atol=1e-10)
    for i in range(3):  # equal up to sign
        assert abs(pca.components_.iloc[i].to_numpy() @ eigvec[:, order[i]]) == pytest.approx(1.0)


def test_pca_sign_convention_level_then_slope():
    pca = curves.CurvePCA(3).fit(low_rank_curves(3, noise=0.02, seed=3))
    level, slope = pca.components_.iloc[0], pca.components_.iloc[1]
    assert level.sum() > 0
    assert slope["30y"] > slope["1m"]
    third = pca.components_.iloc[2]
    assert third.loc[third.abs().idxmax()] > 0


def test_pca_transform_and_inverse_are_consistent():
    curve = low_rank_curves(3, noise=0.05)
    pca = curves.CurvePCA(2).fit(curve.iloc[:300])
    test = curve.iloc[300:]
    factors = pca.transform(test)
    assert list(factors.columns) == ["PC1", "PC2"]
    pd.testing.assert_frame_equal(pca.inverse_transform(factors), pca.reconstruct(test))
    # reconstructing day by day gives the same as all at once: no test statistics are used
    one = pca.reconstruct(test.iloc[[5]])
    np.testing.assert_allclose(one.to_numpy(), pca.reconstruct(test).iloc[[5]].to_numpy())


def test_pca_errors():
    curve = low_rank_curves(2)
    with pytest.raises(ValueError, match="at most the number of maturities"):
        curves.CurvePCA(12).fit(curve)
    with pytest.raises(ValueError, match="positive integer, got 0"):
        curves.CurvePCA(0)
    with pytest.raises(RuntimeError, match="not fitted"):
        curves.CurvePCA(2).reconstruct(curve)
    pca = curves.CurvePCA(2).fit(curve)
    with pytest.raises(ValueError, match="expected the fitted maturities"):
        pca.reconstruct(curve[MATURITIES[::-1]])
    gappy = curve.copy()
    gappy.iloc[3, 4] = np.nan
    with pytest.raises(ValueError, match=r"missing values \(first at row 3, column '2y'\)"):
        pca.reconstruct(gappy)


# --------------------------------------------------------------------------- errors in basis points
def test_rmse_in_basis_points_by_hand():
    a = pd.DataFrame({"2y": [1.00, 2.00], "10y": [3.00, 4.00]})
    f = pd.DataFrame({"2y": [1.03, 2.00], "10y": [3.00, 3.96]})
    # residuals 3 bp and 4 bp among four cells: sqrt((9 + 16) / 4) = 2.5 bp
    assert curves.reconstruction_rmse_bp(a, f) == pytest.approx(2.5)
    np.testing.assert_allclose(curves.rmse_by_maturity_bp(a, f).to_numpy(), [np.sqrt(4.5), np.sqrt(8.0)])
    np.testing.assert_allclose(curves.anomaly_scores(a, f).to_numpy(), [np.sqrt(4.5), np.sqrt(8.0)])


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (6, 4), elements=st.floats(-10, 10)),
       arrays(np.float64, (6, 4), elements=st.floats(-10, 10)))
def test_overall_rmse_is_the_quadratic_mean_of_daily_scores(x, y):
    a, f = pd.DataFrame(x), pd.DataFrame(y)
    overall = curves.reconstruction_rmse_bp(a, f)
    daily = curves.anomaly_scores(a, f).to_numpy()
    by_maturity = curves.rmse_by_maturity_bp(a, f).to_numpy()
    assert overall == pytest.approx(np.sqrt(np.mean(daily**2)), rel=1e-9, abs=1e-9)
    assert overall == pytest.approx(np.sqrt(np.mean(by_maturity**2)), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(("fitted", "match"), [
    (pd.DataFrame({"2y": [1.0]}), "same shape"),
    (pd.DataFrame({"2y": [1.0, 2.0], "10y": [3.0, 4.0]}, index=[5, 6]), "same dates and maturities"),
    (pd.DataFrame({"2y": [1.0, np.nan], "10y": [3.0, 4.0]}), "fitted has missing values"),
])
def test_rmse_bad_pairs(fitted, match):
    actual = pd.DataFrame({"2y": [1.0, 2.0], "10y": [3.0, 4.0]})
    with pytest.raises(ValueError, match=match):
        curves.reconstruction_rmse_bp(actual, fitted)


def test_top_anomalies_orders_separates_and_signs():
    idx = pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-10", "2020-02-01"])
    actual = pd.DataFrame({"1m": [1.0, 1.0, 1.0, 1.0], "10y": [2.0, 2.0, 2.0, 2.0]}, index=idx)
    fitted = pd.DataFrame({"1m": [1.5, 1.2, 1.0, 1.0], "10y": [2.0, 2.0, 2.1, 2.05]}, index=idx)
    top = curves.top_anomalies(actual, fitted, n=3)
    assert list(top.index) == list(idx[[0, 1, 2]])
    assert top["worst_maturity"].tolist() == ["1m", "1m", "10y"]
    assert top["residual_bp"].tolist() == pytest.approx([-50.0, -20.0, -10.0])
    assert top["score_bp"].iloc[0] == pytest.approx(np.sqrt(50.0**2 / 2))
    separated = curves.top_anomalies(actual, fitted, n=3, min_separation_days=3)
    assert list(separated.index) == list(idx[[0, 2, 3]])  # 2020-01-02 is within 3 days of the worst


def test_top_anomalies_errors():
    a = pd.DataFrame({"1m": [1.0, 2.0]})
    with pytest.raises(ValueError, match="n must be a positive integer, got 0"):
        curves.top_anomalies(a, a, n=0)
    with pytest.raises(ValueError, match="needs curves indexed by date"):
        curves.top_anomalies(a, a, n=1, min_separation_days=5)


def test_rmse_table_rows_and_columns():
    curve = low_rank_curves(2, noise=0.01)
    models = {("PCA", 1): curves.CurvePCA(1).fit(curve), ("PCA", 2): curves.CurvePCA(2).fit(curve)}
    table = curves.rmse_table(models, {"all": curve, "tail": curve.iloc[-50:]})
    assert list(table.columns) == ["all", "tail"]
    assert table.index.tolist() == [("PCA", 1), ("PCA", 2)]
    assert table.loc[("PCA", 1), "all"] > table.loc[("PCA", 2), "all"]
    assert table.loc[("PCA", 2), "all"] == pytest.approx(
        curves.reconstruction_rmse_bp(curve, models["PCA", 2].reconstruct(curve)))
    with pytest.raises(ValueError, match="has no reconstruct"):
        curves.rmse_table({"bad": object()}, {"all": curve})


# --------------------------------------------------------------------------- subspaces, changes, episodes
def test_principal_angles_known_values():
    e = np.eye(3)
    assert curves.principal_angles(e[:, :2], e[:, :2]).tolist() == pytest.approx([0.0, 0.0], abs=1e-6)
    assert curves.principal_angles(e[:, :1], e[:, 1:2]).tolist() == pytest.approx([90.0])
    diagonal = (e[:, 0] + e[:, 1])[:, None]
    assert curves.principal_angles(e[:, :1], diagonal).tolist() == pytest.approx([45.0])
    with pytest.raises(ValueError, match="same number of rows"):
        curves.principal_angles(np.eye(3), np.eye(4))


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (2, 2), elements=st.floats(-3, 3)))
def test_principal_angles_ignore_the_choice_of_basis(mix):
    basis = np.random.default_rng(1).normal(size=(11, 2))
    if abs(np.linalg.det(mix)) < 1e-2:
        mix = mix + 2 * np.eye(2)
    assert np.max(curves.principal_angles(basis, basis @ mix)) < 1e-3


def test_daily_changes_skip_gaps():
    idx = pd.to_datetime(["2020-01-02", "2020-01-03", "2020-01-07", "2020-03-02", "2020-03-03"])
    curve = pd.DataFrame({"2y": [1.0, 1.1, 1.3, 2.0, 1.9]}, index=idx)
    changes = curves.daily_changes(curve)
    assert list(changes.index) == list(idx[[1, 2, 4]])  # 4-day gap kept, 55-day gap dropped
    assert changes["2y"].tolist() == pytest.approx([0.1, 0.2, -0.1])
    with pytest.raises(ValueError, match="sorted"):
        curves.daily_changes(curve.iloc[::-1])
    with pytest.raises(ValueError, match="indexed by date"):
        curves.daily_changes(curve.reset_index(drop=True))


def test_label_episodes():
    episodes = pd.DataFrame({"start": ["2008-09-15", "2013-05-22"], "end": ["2008-12-31", "2013-12-31"],
                             "label": ["Lehman", "taper"]})
    dates = pd.to_datetime(["2008-09-15", "2008-12-31", "2009-01-02", "2013-06-19"])
    assert curves.label_episodes(dates, episodes, none="-").tolist() == ["Lehman", "Lehman", "-", "taper"]
    with pytest.raises(ValueError, match="end before they start"):
        curves.label_episodes(dates, episodes.assign(end=["2008-01-01", "2013-12-31"]))
    with pytest.raises(ValueError, match=r"lacks columns \['label'\]"):
        curves.label_episodes(dates, episodes.drop(columns="label"))


# --------------------------------------------------------------------------- autoencoders
# Taught in chapter 6 (cells marked '# @save'), exported to finbook.lessons.
def test_autoencoder_sizes_by_hand():
    # linear: 11x3 + 3 (encoder) + 3x11 + 11 (decoder) = 80
    assert lessons.linear_autoencoder(11, 3).count_params() == 2 * 11 * 3 + 3 + 11
    # 11-32-16-3-16-32-11: 384 + 528 + 51 + 64 + 544 + 363
    assert lessons.dense_autoencoder(11, 3, hidden=(32, 16)).count_params() == 1934


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"hidden": ()}, "non-empty sequence"),
    ({"activation": "swish"}, "activation must be one of"),
    ({"learning_rate": 0.0}, "learning_rate must be positive"),
])
def test_dense_autoencoder_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lessons.dense_autoencoder(11, 3, **kwargs)


def test_linear_autoencoder_learns_the_pca_subspace():
    curve = low_rank_curves(2, n_days=500, noise=0.002, seed=7)
    pca = curves.CurvePCA(2).fit(curve)
    ae = lessons.CurveAutoencoder(2, hidden=(), learning_rate=1e-2, epochs=400, batch_size=64,
                                 patience=None, seed=0).fit(curve)
    decoder = ae.model_.get_layer("reconstruction").kernel.numpy().T
    assert np.max(curves.principal_angles(decoder, pca.loadings.to_numpy().T)) < 2.0
    # and reconstructs about as well as PCA (within half a basis point; Adam stops near, not at,
    # the optimum, and the network computes in float32)
    ae_rmse = curves.reconstruction_rmse_bp(curve, ae.reconstruct(curve))
    assert ae_rmse == pytest.approx(curves.reconstruction_rmse_bp(curve, pca.reconstruct(curve)), abs=0.5)
    # with the wrong rank (one factor for two) it cannot
    one = lessons.CurveAutoencoder(1, hidden=(), epochs=100, batch_size=64, patience=None).fit(curve)
    assert curves.reconstruction_rmse_bp(curve, one.reconstruct(curve)) > 10 * ae_rmse


def test_fit_autoencoder_early_stopping_restores_the_best_epoch():
    curve = low_rank_curves(3, n_days=300, noise=0.05, seed=2)
    ae = lessons.CurveAutoencoder(3, hidden=(8,), epochs=400, patience=5, seed=1)
    ae.fit(curve.iloc[:200], valid=curve.iloc[200:])
    history = ae.history_
    assert len(history["loss"]) == len(history["val_loss"]) < 400  # stopped early
    assert ae.best_epoch_ == int(np.argmin(history["val_loss"])) + 1
    assert len(history["loss"]) - ae.best_epoch_ == 5  # patience epochs after the best
    scaled = ae.scaler_.transform(curve.iloc[200:]).astype("float32")
    val_now = float(np.mean((ae.model_(scaled).numpy() - scaled) ** 2))
    assert val_now == pytest.approx(min(history["val_loss"]), rel=1e-4)


def test_fit_autoencoder_is_reproducible_with_a_seed():
    curve = low_rank_curves(2, n_days=200, noise=0.02)
    first = lessons.CurveAutoencoder(2, hidden=(8,), epochs=20, patience=None, seed=5).fit(curve)
    second = lessons.CurveAutoencoder(2, hidden=(8,), epochs=20, patience=None, seed=5).fit(curve)
    for a, b in zip(first.model_.get_weights(), second.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    other = lessons.CurveAutoencoder(2, hidden=(8,), epochs=20, patience=None, seed=6).fit(curve)
    assert not np.array_equal(first.model_.get_weights()[0], other.model_.get_weights()[0])


def test_fit_autoencoder_errors():
    net = lessons.linear_autoencoder(4, 2)
    good = np.zeros((10, 4), dtype="float32")
    with pytest.raises(ValueError, match="must have 4 columns"):
        lessons.fit_autoencoder(net, np.zeros((10, 3)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        lessons.fit_autoencoder(net, np.where(np.eye(10, 4) > 0, np.nan, 0.0))
    with pytest.raises(ValueError, match="epochs must be a positive integer, got 0"):
        lessons.fit_autoencoder(net, good, epochs=0)
    with pytest.raises(ValueError, match="x_valid must be 2-D"):
        lessons.fit_autoencoder(net, good, np.zeros(4))
    import keras

    bare = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4)])  # not compiled: no optimizer
    with pytest.raises(ValueError, match="no optimizer"):
        lessons.fit_autoencoder(bare, good)


def test_autoencoder_step_returns_the_batch_loss_and_moves_the_weights():
    net = lessons.linear_autoencoder(3, 1, seed=0)
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]], dtype="float32")
    before = [w.copy() for w in net.get_weights()]
    by_hand = float(np.mean((net(x).numpy() - x) ** 2))  # (ae-batch-loss) with the current weights
    loss = float(lessons.autoencoder_step(net, x, x))
    assert loss == pytest.approx(by_hand, rel=1e-6)
    assert any(not np.array_equal(a, b) for a, b in zip(before, net.get_weights(), strict=True))
    assert float(lessons.autoencoder_val_loss(net, x, x)) == pytest.approx(
        float(np.mean((net(x).numpy() - x) ** 2)), rel=1e-6)


def test_fit_autoencoder_history_names_its_best_epoch():
    curve = low_rank_curves(2, n_days=120, noise=0.02)
    ae = lessons.CurveAutoencoder(2, hidden=(), epochs=6, batch_size=32, patience=None, seed=0).fit(curve)
    assert ae.history_["epochs"] == 6 == len(ae.history_["loss"])
    assert ae.history_["best_epoch"] == ae.best_epoch_ == int(np.argmin(ae.history_["loss"])) + 1


def test_curve_autoencoder_outputs_curves_and_codes():
    curve = low_rank_curves(2, n_days=120, noise=0.02)
    ae = lessons.CurveAutoencoder(2, hidden=(8,), epochs=5, patience=None).fit(curve)
    rec = ae.reconstruct(curve)
    assert rec.shape == curve.shape and rec.index.equals(curve.index)
    assert list(rec.columns) == MATURITIES
    assert ae.encode(curve).shape == (len(curve), 2)
    assert ae.n_params == lessons.dense_autoencoder(11, 2, hidden=(8,)).count_params()
    with pytest.raises(RuntimeError, match="not fitted"):
        lessons.CurveAutoencoder(2).reconstruct(curve)


# --------------------------------------------------------------------------- figures
def test_plot_loadings_draws_one_line_per_factor_against_maturity_in_years():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pca = curves.CurvePCA(3).fit(low_rank_curves(3, noise=0.02))
    ax = curves.plot_loadings(pca.loadings)
    lines = [line for line in ax.get_lines() if line.get_label().startswith("PC")]
    assert len(lines) == 3
    np.testing.assert_allclose(lines[0].get_xdata(), list(MATURITY_YEARS.values()))
    np.testing.assert_allclose(lines[1].get_ydata(), pca.loadings.iloc[1].to_numpy())
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="unknown maturities"):
        curves.plot_loadings(pd.DataFrame([[1.0]], columns=["15y"]))
