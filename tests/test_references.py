"""references.bib parses, holds each work once, and every citation in the book resolves."""

from __future__ import annotations

import re

import pybtex.database

from finbook.paths import CHAPTERS_DIR, ROOT


def test_bibliography_parses_with_no_repeated_key():
    # pybtex raises on a repeated key (two branches adding the same work, say)
    entries = pybtex.database.parse_file(str(ROOT / "references.bib")).entries
    assert len(entries) > 100


def test_every_cited_key_exists():
    keys = set(pybtex.database.parse_file(str(ROOT / "references.bib")).entries)
    cited = set()
    for path in list(CHAPTERS_DIR.glob("*.py")) + list(CHAPTERS_DIR.glob("*.md")):
        for group in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", path.read_text(encoding="utf-8")):
            cited.update(k.strip() for k in group.split(","))
    assert cited, "no citations found"
    assert not cited - keys, f"cited but not in references.bib: {sorted(cited - keys)}"
