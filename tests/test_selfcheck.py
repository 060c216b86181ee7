"""Self-checks: a student checks a numerical answer without the answer being printed or stored."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from finbook import explore, risk
from finbook import scorecard as sc
from finbook.book import selfcheck


def _answers() -> dict[str, dict[str, object]]:
    """The answers, computed as the chapters' solutions compute them."""
    n = np.arange(100, 5000, 10)
    lo, up = explore.wilson_interval(np.round(0.1 * n), n)
    kupiec = risk.kupiec_pof_test([1] * 8 + [0] * 242, 0.99)
    first = next(x for x in range(3, 250)
                 if risk.kupiec_pof_test([1] * x + [0] * (250 - x), 0.99).pvalue < 0.05)
    return {
        "tour-ex-wilson": {"n_loans": int(n[(up - lo) / 2 < 0.02][0])},
        "market-ex-kupiec": {"lr": kupiec.statistic, "pvalue": kupiec.pvalue,
                             "zone": risk.basel_traffic_light(8), "first_rejected": first},
        "credit-ex-costs": {"threshold": 1 / 11, "cutoff": float(sc.probability_to_score([1 / 11])[0])},
    }


def test_the_right_answers_pass_and_wrong_ones_fail(capsys):
    for label, values in _answers().items():
        assert selfcheck.check(label, **values), label
        for name, value in values.items():
            spec = json.loads(selfcheck.ANSWERS.read_text())["exercises"][label][name]
            wrong = value + "x" if isinstance(value, str) else value + 2 * spec["step"]
            assert not selfcheck.check(label, quiet=True, **{name: wrong}), (label, name)
    assert not selfcheck.check("tour-ex-wilson", n_loans=500)
    out = capsys.readouterr().out
    assert "n_loans = 870: ✓ correct (within 10)" in out
    assert "n_loans = 500: ✗ not it (within 10)" in out


def test_within_the_tolerance_passes():
    assert selfcheck.check("market-ex-kupiec", quiet=True, lr=7.73, pvalue=0.0054, zone=" YELLOW ")
    assert selfcheck.check("tour-ex-wilson", quiet=True, n_loans=864)  # the exact n, not the grid's
    assert not selfcheck.check("market-ex-kupiec", quiet=True, lr=float("nan"))


def test_the_file_holds_no_answer():
    text = re.sub(r'"sha256": "[0-9a-f]{64}"', "", selfcheck.ANSWERS.read_text())  # all but the digests
    for values in _answers().values():
        for value in values.values():
            shown = str(value) if isinstance(value, str | int) else f"{value:.3g}"
            assert shown not in text, shown


def test_the_stored_entries_are_the_answers():
    stored = json.loads(selfcheck.ANSWERS.read_text())["exercises"]
    for label, values in _answers().items():
        for name, value in values.items():
            spec = stored[label][name]
            fresh = selfcheck.entry(label, name, value, step=spec.get("step", 1.0),
                                    exact=spec.get("exact", False), text=spec.get("kind") == "text")
            assert fresh == spec, (label, name)


def test_unknown_names_are_refused_with_what_is_valid():
    with pytest.raises(selfcheck.SelfCheckError, match="exercises with a self-check: credit-ex-costs"):
        selfcheck.check("no-such-exercise", x=1)
    with pytest.raises(selfcheck.SelfCheckError, match="it checks: first_rejected, lr, pvalue, zone"):
        selfcheck.check("market-ex-kupiec", statistic=7.7)
    with pytest.raises(selfcheck.SelfCheckError, match="name the numbers to check"):
        selfcheck.check("market-ex-kupiec")


def test_a_teacher_adds_an_answer(tmp_path, capsys):
    path = tmp_path / "answers.json"
    assert selfcheck.main(["add", "loan-ex-lgd", "grades_below", "3", "--exact", "--file", str(path)]) == 0
    assert selfcheck.check("loan-ex-lgd", answers=path, quiet=True, grades_below=3)
    assert not selfcheck.check("loan-ex-lgd", answers=path, quiet=True, grades_below=4)
    assert selfcheck.main(["list", "--file", str(path)]) == 0
    assert "loan-ex-lgd: grades_below" in capsys.readouterr().out
