"""The book builds with warnings as errors (-W -n) and renders every toc page."""

from __future__ import annotations

import pytest

from finbook.paths import ROOT

BUILD = ROOT / "_build"


@pytest.mark.book
def test_book_builds_with_zero_warnings(built_book):
    log = built_book.stdout + built_book.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert built_book.returncode == 0, log[-4000:]
    assert warnings == [], "\n".join(warnings[:30])


@pytest.mark.book
def test_every_toc_page_is_rendered_with_its_outputs(built_book, toc_pages):
    assert built_book.returncode == 0
    for page in toc_pages:
        html = BUILD / "html" / f"{page}.html"
        assert html.exists(), f"{page} was not rendered"
        text = html.read_text(encoding="utf-8")
        if (ROOT / f"{page}.ipynb").exists():
            assert "cell_output" in text, f"{page}: no code outputs rendered"
