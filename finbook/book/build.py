"""Build the book: the full edition, or the student edition without the exercises' solutions.

Both editions come from the same sources with one command each::

    python -m finbook build                    # full edition  -> _build/html
    python -m finbook build --edition student  # no solutions  -> _build/student/_build/html

The student edition is the book's own ``_config.yml`` with sphinx-exercise's
``hide_solutions`` switched on and the title marked "(student edition)": every
exercise stays, every ``{solution}`` is left out. The build never re-executes a
notebook; it renders the committed outputs.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from finbook.paths import ROOT

__all__ = ["EDITIONS", "build", "edition_config", "output_dir"]

#: The editions and where each is built.
EDITIONS = ("full", "student")


def output_dir(edition: str) -> Path:
    """The folder holding an edition's HTML."""
    _check(edition)
    return ROOT / "_build" / "html" if edition == "full" else ROOT / "_build" / "student" / "_build" / "html"


def _check(edition: str) -> None:
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; choose one of {', '.join(EDITIONS)}")


def edition_config(edition: str, base: Path | None = None) -> dict:
    """The Jupyter Book configuration of an edition, derived from ``_config.yml``."""
    _check(edition)
    config = yaml.safe_load((base or ROOT / "_config.yml").read_text(encoding="utf-8"))
    if edition == "student":
        config["title"] = f"{config['title']} (student edition)"
        sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
        sphinx["hide_solutions"] = True
        # the page sources (and the download button that serves them) hold the solutions
        sphinx["html_copy_source"] = False
        sphinx["html_show_sourcelink"] = False
        sphinx.setdefault("html_theme_options", {})["use_download_button"] = False
    return config


def build(edition: str = "full", *, strict: bool = True,
          extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run ``jupyter-book build`` for one edition; return the finished process.

    ``strict`` adds ``-W -n --keep-going`` (warnings are errors, as in the test suite).
    """
    _check(edition)
    exe = shutil.which("jupyter-book") or "jupyter-book"
    flags = ["-W", "-n", "--keep-going"] if strict else []
    if edition == "full":
        return subprocess.run([exe, "build", str(ROOT), *flags, *extra], capture_output=True, text=True,
                              cwd=ROOT, timeout=1800, check=False)
    shutil.rmtree(ROOT / "_build" / "student", ignore_errors=True)  # no page left from an earlier build
    with tempfile.TemporaryDirectory(prefix="finbook-student-") as tmp:
        cfg = Path(tmp) / "_config.yml"
        cfg.write_text(yaml.safe_dump(edition_config("student"), sort_keys=False, allow_unicode=True),
                       encoding="utf-8")
        return subprocess.run(
            [exe, "build", str(ROOT), "--config", str(cfg), "--path-output", str(ROOT / "_build" / "student"),
             *flags, *extra], capture_output=True, text=True, cwd=ROOT, timeout=1800, check=False)
