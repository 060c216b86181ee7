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


def _check_weights_errors(name: str, build, build_other_shape, directory: Path) -> None:
    """A pretrained model's committed seed-0 file loads; a missing seed, other shapes and a flipped byte
    raise finbook.pretrain.WeightsError naming the problem and the command that recreates the file."""
    from finbook import pretrain  # noqa: PLC0415

    file = f"{name}_seed0.npz"
    for f in (file, "manifest.csv"):
        shutil.copy(pretrain.WEIGHTS_DIR / f, directory / f)
    pretrain.load_weights(build(), name, 0, directory)  # the committed file loads
    with pytest.raises(pretrain.WeightsError, match=rf"no pretrained weights.*pretrain {name}"):
        pretrain.load_weights(build(), name, 1, directory)
    with pytest.raises(pretrain.WeightsError, match="shapes"):
        pretrain.load_weights(build_other_shape(), name, 0, directory)
    data = bytearray((directory / file).read_bytes())
    data[-10] ^= 0xFF
    (directory / file).write_bytes(bytes(data))
    with pytest.raises(pretrain.WeightsError, match=rf"corrupted.*pretrain {name}"):
        pretrain.load_weights(build(), name, 0, directory)


@pytest.fixture
def check_weights_errors():
    """The checks every pretrained model's weights must pass (see :func:`_check_weights_errors`)."""
    return _check_weights_errors
