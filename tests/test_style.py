"""Lint: ruff on the finbook package, the tests, the data scripts and the chapters' .py twins."""

from __future__ import annotations

import shutil
import subprocess

from finbook.paths import ROOT


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff")
    assert ruff, "ruff is pinned in requirements.txt; install the requirements"
    res = subprocess.run([ruff, "check", "--no-cache", "finbook", "tests", "data/scripts",
                          "chapters", "conftest.py"],
                         cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-1000:]
