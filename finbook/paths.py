"""Where the book's files are: the repository root, its chapters and its data.

Paths are resolved from the installed package, never from the current working
directory, so a notebook opened from any folder (or in Colab) finds its data.
Set the environment variable ``FINBOOK_DATA`` to use a data folder elsewhere.

Example
-------
>>> from finbook.paths import data_dir
>>> data_dir().name
'data'
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CHAPTERS_DIR", "ROOT", "data_dir"]

#: The repository root (the folder holding ``finbook/``, ``chapters/`` and ``data/``).
ROOT: Path = Path(__file__).resolve().parent.parent
#: The chapter notebooks.
CHAPTERS_DIR: Path = ROOT / "chapters"


def data_dir() -> Path:
    """Return the folder holding the committed datasets and their manifest.

    ``$FINBOOK_DATA`` when set, else ``data/`` in the repository.
    """
    override = os.environ.get("FINBOOK_DATA")
    return Path(override).expanduser().resolve() if override else ROOT / "data"
