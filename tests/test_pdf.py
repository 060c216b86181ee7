"""The book as one PDF (``python -m finbook build --edition pdf``), built offline and read back.

Built once per session (about 1.5 minutes on 2 cores: the single-page HTML, then Chromium
prints it). The PDF is read with :func:`finbook.book.pdf.inspect_pdf` (standard library
only): every chapter's title is in it as text, the page count is sane, the figures are
embedded as images, the equations are numbered, the bibliography and the glossary's
Chinese terms are there as text, and no glyph was drawn as a missing-glyph box.
"""

from __future__ import annotations

import re

import pytest

from finbook.book import pdf
from finbook.paths import CHAPTERS_DIR, ROOT

pytestmark = pytest.mark.book

CJK = re.compile(r"[\u3400-\u9fff][\u3400-\u9fff\uff08\uff09A-Za-z /]*[\u3400-\u9fff\uff09]|[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def built() -> pdf.BuildResult:
    result = pdf.build_pdf("pdf")
    assert result.sphinx.returncode == 0, (result.sphinx.stdout + result.sphinx.stderr)[-4000:]
    assert result.ok
    return result


@pytest.fixture(scope="module")
def report(built) -> pdf.PdfReport:
    return pdf.inspect_pdf(built.pdf)


def test_printed_offline_with_every_page_and_equation(built):
    printed = built.printed
    assert printed.blocked == [], "the PDF must not need the network"
    assert printed.errors == []
    pages = list(pdf.chapter_titles())
    assert printed.documents == len(pages) - 1  # every page after the root (preface) starts a new one
    assert printed.equations > 500  # MathJax typeset the page before it was printed


def test_every_chapter_title_is_in_the_text(report):
    text = report.compact()
    titles = list(pdf.chapter_titles())
    assert len(titles) >= 29
    missing = [title for _, title in titles if pdf.normalise(title) not in text]
    assert not missing


def test_page_count_and_figures(built, report):
    assert 250 <= report.pages <= 900
    html = (built.pdf.parent / "_build" / "singlehtml" / "book.html").read_text(encoding="utf-8")
    figures = len(set(re.findall(r'<img[^>]*src="(_images/[^"]+\.png)"', html)))
    assert figures >= 60
    assert report.images >= figures  # each PNG is an image object (with its soft mask)


def test_no_missing_glyphs_and_the_chinese_terms_are_text(report):
    text = report.compact()
    assert report.notdef == 0
    assert "\u25a1" not in text and "\ufffd" not in text
    glossary = (CHAPTERS_DIR / "glossary.md").read_text(encoding="utf-8")
    terms = sorted({t.strip() for t in CJK.findall(glossary)})
    assert len(terms) > 50
    missing = [t for t in terms if pdf.normalise(t) not in text]
    assert not missing, f"glossary terms not in the PDF's text: {missing[:10]}"


def test_equation_numbers_and_bibliography(report):
    text = report.compact()
    assert len(re.findall(r"\(\d+\.\d+\)", text)) > 50  # numbered equations and references to them
    lower = text.lower()  # the bibliography style sets titles in sentence case
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    titles = [re.sub(r"[{}]", "", t) for t in re.findall(r"^\s*title\s*=\s*[{\"](.+?)[}\"],?\s*$", bib, re.M)]
    assert len(titles) > 20
    found = [t for t in titles if pdf.normalise(t)[:40].lower() in lower]
    assert len(found) >= 0.9 * len(titles), [t for t in titles if t not in found][:5]
