"""Chapter 15's converged networks.

``python -m finbook pretrain option_plain`` (and ``option_2d``, ``option_dml``) recreates them, and
``python -m finbook pretrain option_poly4`` the four-input polynomial whose degree search ran to its end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finbook import pretrain

NAMES = ("option_plain", "option_2d", "option_dml")


@pytest.fixture(scope="module")
def chapter():
    return pretrain.chapter_namespace("15_option_pricing")


def test_every_network_is_registered_with_its_function(chapter):
    for name in (*NAMES, "option_poly4"):
        assert pretrain.PRETRAINED[name] == "15_option_pricing"
        assert callable(chapter[f"pretrain_{name}"])


def test_committed_logs_match_the_manifest(chapter):
    manifest = pd.read_csv(pretrain.WEIGHTS_DIR / "manifest.csv")
    for name in NAMES:
        log = pd.read_csv(pretrain.WEIGHTS_DIR / f"{name}_log.csv")
        seeds = sorted(manifest.loc[manifest["name"] == name, "seed"])
        assert sorted(log["seed"].unique()) == seeds == list(range(5))
        # one peak rate per network, the one with the lowest validation error in the tuning the log records
        assert log["peak learning rate"].nunique() == 1
        tried = log.filter(like="tuning ").iloc[0]
        assert float(tried.idxmin().split()[-1]) == log["peak learning rate"].iloc[0]
        for _, run in log.groupby("seed"):  # whole cycles, numbered from 1, epochs counted without a gap
            assert run["epoch"].tolist() == list(range(1, len(run) + 1))
            assert len(run) == chapter["CYCLE"] * run["cycle"].max()


def test_short_run_reproduces_the_committed_log(chapter):
    committed = pd.read_csv(pretrain.WEIGHTS_DIR / "option_dml_log.csv")
    first = committed[committed["seed"] == 1]
    rate = float(first["peak learning rate"].iloc[0])
    _, log = chapter["pretrain_option_dml"](1, learning_rate=rate, max_epochs=2)
    assert log["epoch"].tolist() == [1, 2]
    np.testing.assert_allclose(log[["loss", "validation RMSE (bp)"]].to_numpy(float),
                               first[["loss", "validation RMSE (bp)"]].iloc[:2].to_numpy(float), rtol=1e-6)


def test_missing_or_corrupted_option_weights_give_a_clear_error(tmp_path, chapter, check_weights_errors):
    build_plain = chapter["converged_problem"]("option_plain")[0]
    build_2d = chapter["converged_problem"]("option_2d")[0]  # a two-input network cannot take them
    check_weights_errors("option_plain", lambda: build_plain(1e-3), lambda: build_2d(1e-3), tmp_path)


def test_the_committed_polynomial_search_ran_to_its_end(chapter):
    log = pd.read_csv(pretrain.WEIGHTS_DIR / "option_poly4_log.csv")
    manifest = pd.read_csv(pretrain.WEIGHTS_DIR / "manifest.csv")
    seeds = manifest.loc[manifest["name"] == "option_poly4", "seed"].tolist()
    assert seeds == [0] == log["seed"].unique().tolist()
    assert log["degree"].tolist() == list(range(4, log["degree"].max() + 1))  # every degree, none skipped
    best = int(log.loc[log["validation RMSE (bp)"].idxmin(), "degree"])
    assert best < log["degree"].max()  # it turned up (the chapter checks the best lies past its own bound)
    # the search stops at the first top (POLY4_TOP, then steps of POLY4_STEP) that lies above its best degree
    tops = range(chapter["POLY4_TOP"], log["degree"].max() + 1, chapter["POLY4_STEP"])
    up_to = [log[log["degree"] <= top] for top in tops]
    assert log["degree"].max() == tops[-1]
    assert all(int(part.loc[part["validation RMSE (bp)"].idxmin(), "degree"]) == top  # an earlier top went on
               for part, top in zip(up_to[:-1], tops[:-1], strict=True))
    # a short search of the same code reproduces the committed log's first degrees
    _, short = chapter["poly4_search"](top=8, extend=False)
    np.testing.assert_allclose(short["validation RMSE (bp)"], log["validation RMSE (bp)"].iloc[:len(short)],
                               rtol=0, atol=2e-4)
    assert short["coefficients"].tolist() == log["coefficients"].iloc[:len(short)].tolist()


def test_missing_or_corrupted_polynomial_gives_a_clear_error(tmp_path, check_weights_errors):
    from finbook import options

    log = pd.read_csv(pretrain.WEIGHTS_DIR / "option_poly4_log.csv")
    best = int(log.loc[log["validation RMSE (bp)"].idxmin(), "degree"])
    check_weights_errors("option_poly4", lambda: options.PolynomialPricer(best, n_inputs=4),
                         lambda: options.PolynomialPricer(best - 1, n_inputs=4), tmp_path)
