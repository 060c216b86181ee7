"""finbook.pretrain: windows, scaling, patches, the task prior, contexts, and checksummed weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finbook import pretrain


def _series(values):
    idx = pd.date_range("2000-01-03", periods=len(values), freq="B")
    return pd.Series(np.asarray(values, dtype=float), idx)


# --------------------------------------------------------------------------- windows and scaling
def test_windows_by_hand():
    v = _series([1.0, 2.0, 4.0, 1.0, 1.0, 2.0])
    r = _series([0.0, 1.0, -1.0, 2.0, 0.5, 0.0])
    x, y, dates = pretrain.variance_panel_windows(v, r, lookback=2, horizon=2)
    # origins: days 1, 2, 3 (day 4 would need day 6); targets mean(v[t+1], v[t+2])
    np.testing.assert_allclose(np.exp(y), [2.5, 1.0, 1.5], rtol=1e-6)
    np.testing.assert_allclose(x[0], [[0.0, 0.0], [np.log(2.0), 1.0]], rtol=1e-6)
    assert list(dates) == list(v.index[1:4])


def test_windows_errors():
    v = _series([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="too short"):
        pretrain.variance_panel_windows(v, v, lookback=3, horizon=2)
    with pytest.raises(ValueError, match="positive"):
        pretrain.variance_panel_windows(_series([1.0, 0.0, 1.0, 1.0]), _series([0.0] * 4),
                                        lookback=1, horizon=1)
    with pytest.raises(ValueError, match="lookback"):
        pretrain.variance_panel_windows(v, v, lookback=0, horizon=1)


def test_scale_windows_by_hand():
    w = np.array([[[0.0, 1.0], [2.0, -1.0]], [[1.0, 0.0], [1.0, 3.0]]])
    s = pretrain.scale_windows(w)
    # window 0: log variance 0, 2 -> mean 1, sd 1; volatility sqrt((e^0 + e^2) / 2)
    np.testing.assert_allclose(s.x[0, :, 0], [-1.0, 1.0])
    np.testing.assert_allclose(s.x[0, :, 1], np.array([1.0, -1.0]) / np.sqrt((1 + np.e**2) / 2), rtol=1e-6)
    # window 1 is flat: its spread is floored at min_scale
    assert s.scale[1] == pytest.approx(0.25)
    np.testing.assert_allclose(s.target([3.0, 1.5]), [2.0, 2.0])
    np.testing.assert_allclose(pretrain.unscale([2.0, 2.0], s), [3.0, 1.5])
    with pytest.raises(ValueError, match="shape"):
        pretrain.scale_windows(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        pretrain.scale_windows(np.full((1, 2, 2), np.nan))


def test_patches():
    x = np.arange(12.0).reshape(1, 6, 2)
    p = pretrain.patches(x, 3)
    assert p.shape == (1, 2, 6)
    np.testing.assert_array_equal(p[0, 1], [6.0, 7.0, 8.0, 9.0, 10.0, 11.0])
    with pytest.raises(ValueError, match="too short for one patch"):
        pretrain.patches(x, 7)
    with pytest.raises(ValueError, match="not a multiple"):
        pretrain.patches(x, 4)


# --------------------------------------------------------------------------- the prior and contexts
def test_task_prior_shapes_and_determinism():
    x, y = pretrain.sample_classification_tasks(np.random.default_rng(0), 50, 40, 6)
    assert x.shape == (50, 40, 6) and y.shape == (50, 40)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert all(0 < t.mean() < 1 for t in y)  # both classes in every task
    used = (np.abs(x).sum(axis=1) > 0).sum(axis=1)  # features actually drawn per task
    assert used.min() >= 2 and used.max() <= 6
    for t in range(50):  # padding columns are exactly zero, used ones standardised
        d = used[t]
        np.testing.assert_allclose(x[t, :, :d].mean(axis=0), 0.0, atol=1e-5)
        assert not x[t, :, d:].any()
    x2, y2 = pretrain.sample_classification_tasks(np.random.default_rng(0), 50, 40, 6)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)


def test_task_prior_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="Generator"):
        pretrain.sample_classification_tasks(0, 1, 10, 3)
    with pytest.raises(ValueError, match="kinds"):
        pretrain.sample_classification_tasks(rng, 1, 10, 3, kinds=("forest",))
    with pytest.raises(ValueError, match="exceeds"):
        pretrain.sample_classification_tasks(rng, 1, 10, 3, min_features=4)
    with pytest.raises(ValueError, match="max_flip"):
        pretrain.sample_classification_tasks(rng, 1, 10, 3, max_flip=0.5)


def test_context_chunks_and_limit():
    chunks = pretrain.context_chunks(10, 4, np.random.default_rng(0))
    assert [len(c) for c in chunks] == [4, 3, 3]
    assert sorted(np.concatenate(chunks).tolist()) == list(range(10))
    assert pretrain.check_context(128, 128) == 128
    with pytest.raises(ValueError, match="larger than the 128 rows"):
        pretrain.check_context(129, 128)


# --------------------------------------------------------------------------- weights
@pytest.fixture()
def small_model():
    from finbook import repro

    repro.set_seed(0)
    import keras

    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])


def test_weights_round_trip_and_corruption(tmp_path, small_model):
    path = pretrain.save_weights(small_model, "pfn", 7, tmp_path)
    assert path.name == "pfn_seed7.npz"
    manifest = pd.read_csv(tmp_path / "manifest.csv")
    assert manifest.loc[0, "parameters"] == 8
    import keras

    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    pretrain.load_weights(other, "pfn", 7, tmp_path)
    for a, b in zip(small_model.get_weights(), other.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(pretrain.WeightsError, match="no pretrained weights"):
        pretrain.load_weights(other, "pfn", 8, tmp_path)
    wrong = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(pretrain.WeightsError, match="shapes"):
        pretrain.load_weights(wrong, "pfn", 7, tmp_path)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(pretrain.WeightsError, match="corrupted"):
        pretrain.load_weights(other, "pfn", 7, tmp_path)
    with pytest.raises(ValueError, match="unknown pretrained model"):
        pretrain.weights_path("bert", 0)


def test_rerunning_some_seeds_keeps_the_other_seeds_log(tmp_path, small_model, monkeypatch):
    calls = []

    def fake_pretrain(seed):
        calls.append(seed)
        return small_model, pd.DataFrame({"epoch": [1, 2], "loss": [seed + 0.5, seed + 0.25]})

    monkeypatch.setattr(pretrain, "chapter_namespace", lambda chapter: {"pretrain_pfn": fake_pretrain})
    first = pretrain.run_pretraining("pfn", [0, 1, 2], tmp_path)
    assert calls == [0, 1, 2] and len(first) == 6
    again = pretrain.run_pretraining("pfn", [1], tmp_path)  # seed 1 again: seeds 0 and 2 must stay
    assert calls == [0, 1, 2, 1]
    written = pd.read_csv(tmp_path / "pfn_log.csv")
    pd.testing.assert_frame_equal(written, again)
    assert written["seed"].tolist() == [0, 0, 1, 1, 2, 2]
    pd.testing.assert_frame_equal(written, first)  # the same run again: the same log, in seed order
    (tmp_path / "pfn_log.csv").write_text("epoch,loss\n1,0.5\n")
    with pytest.raises(ValueError, match="no 'seed' column"):
        pretrain.run_pretraining("pfn", [1], tmp_path)


def test_a_seedless_model_is_fitted_once(monkeypatch):
    monkeypatch.setattr(pretrain, "chapter_namespace", lambda chapter: pytest.fail("nothing may run"))
    for name in pretrain.SEEDLESS:
        with pytest.raises(ValueError, match="no random seed.*--seeds 0"):
            pretrain.run_pretraining(name, [0, 1])


def test_the_command_names_every_pretrained_model(capsys):
    from finbook.book import cli

    with pytest.raises(SystemExit):
        cli.main(["pretrain", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    missing = [name for name in pretrain.PRETRAINED if name not in text]
    assert not missing, f"`python -m finbook pretrain --help` does not name {missing}"


def test_committed_weights_match_manifest():
    manifest = pd.read_csv(pretrain.WEIGHTS_DIR / "manifest.csv")
    assert set(manifest["name"]) == set(pretrain.PRETRAINED)
    for row in manifest.itertuples():
        assert pretrain._sha256(pretrain.WEIGHTS_DIR / row.file) == row.sha256


# --------------------------------------------------------------------------- the pretraining runs reproduce
def test_short_pfn_run_reproduces_the_committed_log():
    namespace = pretrain.chapter_namespace()
    _, log = namespace["pretrain_pfn"](0, rounds=1)
    committed = pd.read_csv(pretrain.WEIGHTS_DIR / "pfn_log.csv")
    first = committed[committed["seed"] == 0].iloc[0]
    assert int(log.loc[0, "context"]) == int(first["context"])
    np.testing.assert_allclose(log.loc[0, ["loss", "val_loss"]].to_numpy(float),
                               first[["loss", "val_loss"]].to_numpy(float), rtol=1e-6)


def test_short_patch_run_reproduces_the_committed_log():
    namespace = pretrain.chapter_namespace()
    _, log = namespace["pretrain_patch"](0, epochs=1)
    committed = pd.read_csv(pretrain.WEIGHTS_DIR / "patch_log.csv")
    first = committed[committed["seed"] == 0].iloc[0]
    np.testing.assert_allclose(log.loc[0, ["loss", "val_loss"]].to_numpy(float),
                               first[["loss", "val_loss"]].to_numpy(float), rtol=1e-6)
