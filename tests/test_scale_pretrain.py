"""Chapter 18's converged runs (``python -m finbook pretrain scale_wW``): logs, weights and their checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finbook import pretrain

WIDTHS = (4, 16, 64, 256)


@pytest.fixture(scope="module")
def chapter():
    return pretrain.chapter_namespace("18_model_scale")


def test_every_width_is_registered_with_its_function(chapter):
    for width in WIDTHS:
        assert pretrain.PRETRAINED[f"scale_w{width}"] == "18_model_scale"
        assert callable(chapter[f"pretrain_scale_w{width}"])


def test_committed_logs_match_the_manifest():
    manifest = pd.read_csv(pretrain.WEIGHTS_DIR / "manifest.csv")
    for width in WIDTHS:
        name = f"scale_w{width}"
        log = pd.read_csv(pretrain.WEIGHTS_DIR / f"{name}_log.csv")
        assert sorted(log["seed"].unique()) == sorted(manifest.loc[manifest["name"] == name, "seed"])
        # one peak rate per width, chosen by the tuning recorded in the log
        assert log["peak learning rate"].nunique() == 1
        tried = log.filter(like="tuning ").iloc[0]
        assert float(tried.idxmin().split()[-1]) == log["peak learning rate"].iloc[0]


def test_stage_gains_by_hand(chapter):
    log = pd.DataFrame({"learning rate": [0.1, 0.1, 0.01, 0.01, 0.001, 0.001],
                        "validation RMSE (bp)": [10.0, 8.0, 9.0, 6.0, 6.5, 6.0]})
    gains = chapter["stage_gains"](log)
    assert gains.index.tolist() == [0.1, 0.01, 0.001]
    assert np.isnan(gains.iloc[0])
    np.testing.assert_allclose(gains.iloc[1:].to_numpy(), [0.25, 0.0])  # 8 -> 6, then nothing lower than 6


def test_committed_runs_stopped_where_the_rule_says(chapter):
    """Each run stopped at the first stage after MIN_CUTS cuts gaining < STOP_GAIN, or after MAX_CUTS."""
    min_cuts, max_cuts, stop = chapter["MIN_CUTS"], chapter["MAX_CUTS"], chapter["STOP_GAIN"]
    for width in WIDTHS:
        log = pd.read_csv(pretrain.WEIGHTS_DIR / f"scale_w{width}_log.csv")
        for seed, run in log.groupby("seed"):
            gains = chapter["stage_gains"](run).to_numpy()
            cuts = len(gains) - 1
            assert min_cuts <= cuts <= max_cuts, (width, seed, cuts)
            rates = run["learning rate"].unique()
            # tenfold cuts, in order; no stage checked before the last would have stopped the run
            np.testing.assert_allclose(rates, rates[0] / 10.0 ** np.arange(cuts + 1))
            assert (gains[min_cuts:-1] >= stop).all(), (width, seed, gains)
            assert gains[-1] < stop or cuts == max_cuts, (width, seed, gains)
            assert run["step"].iloc[-1] < chapter["MAX_STEPS"]


def test_short_scale_run_reproduces_the_committed_log(chapter):
    committed = pd.read_csv(pretrain.WEIGHTS_DIR / "scale_w16_log.csv")
    first = committed[committed["seed"] == 0]
    _, log = chapter["pretrain_scale_w16"](0, learning_rate=float(first["peak learning rate"].iloc[0]),
                                           max_steps=128)
    assert log["step"].tolist() == [64, 128]
    np.testing.assert_allclose(log[["loss", "validation RMSE (bp)"]].to_numpy(float),
                               first[["loss", "validation RMSE (bp)"]].iloc[:2].to_numpy(float), rtol=1e-6)


def test_missing_or_corrupted_scale_weights_give_a_clear_error(tmp_path, chapter, check_weights_errors):
    check_weights_errors("scale_w16", lambda: chapter["surrogate"](16, 1e-3),
                         lambda: chapter["surrogate"](64, 1e-3), tmp_path)
