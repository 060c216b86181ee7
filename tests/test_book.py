"""The book builds with warnings as errors (-W -n) and renders every toc page."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from finbook.paths import ROOT

BUILD = ROOT / "_build"


@pytest.fixture(scope="session")
def built_book() -> subprocess.CompletedProcess:
    """Build the book once per test session, into _build/html (as the README does)."""
    return subprocess.run(
        [shutil.which("jupyter-book") or "jupyter-book", "build", str(ROOT), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, cwd=ROOT, timeout=1200,
    )


@pytest.mark.book
def test_book_builds_with_zero_warnings(built_book):
    log = built_book.stdout + built_book.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert built_book.returncode == 0, log[-4000:]
    assert warnings == [], "\n".join(warnings[:30])


@pytest.mark.book
def test_every_toc_page_is_rendered_with_its_outputs(built_book):
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]] + [c["file"] for p in toc["parts"] for c in p["chapters"]]
    for page in pages:
        html = BUILD / "html" / f"{page}.html"
        assert html.exists(), f"{page} was not rendered"
        text = html.read_text(encoding="utf-8")
        if (ROOT / f"{page}.ipynb").exists():
            assert "cell_output" in text, f"{page}: no code outputs rendered"
