"""Fixtures shared by the unit tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from finbook.paths import ROOT


@pytest.fixture(scope="session")
def built_book() -> subprocess.CompletedProcess:
    """Build the book once per test session into _build/html, as the README does.

    ``--all`` rebuilds every page: an incremental build keeps unchanged pages as they were
    (a sidebar without a newly added chapter) and does not repeat their warnings.
    """
    return subprocess.run(
        [shutil.which("jupyter-book") or "jupyter-book", "build", str(ROOT), "-W", "-n",
         "--keep-going", "--all"],
        capture_output=True, text=True, cwd=ROOT, timeout=1200,
    )


@pytest.fixture(scope="session")
def toc_pages() -> list[str]:
    """Every page of _toc.yml, in order (paths without extension)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            pages.append(chapter["file"])
            pages += [s["file"] for s in chapter.get("sections", [])]
    return pages


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of data/ that a test may damage; FINBOOK_DATA points at it."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("scripts", "*.md"))
    monkeypatch.setenv("FINBOOK_DATA", str(target))
    return target
