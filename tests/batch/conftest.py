"""Fixtures for batch tests: tiny clips made with ffmpeg lavfi sources, campaigns in code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.batch import make_clip_file


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with clips a.mp4, b.mp4, c.mp4 and a corrupt broken.mp4."""
    root = tmp_path_factory.mktemp("batch-media")
    for i, name in enumerate(("a", "b", "c")):
        make_clip_file(root / f"{name}.mp4", hue=40 * i)
    (root / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"not really a video" * 50)
    return root


@pytest.fixture()
def workspace(media: Path, tmp_path: Path) -> Path:
    """A fresh campaign folder with copies of the clips (tests may change them)."""
    clips = tmp_path / "clips"
    shutil.copytree(media, clips)
    return tmp_path
