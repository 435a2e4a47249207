"""A real full disk for tests: a small tmpfs mounted on a folder (needs root, else the test is
skipped), optionally filled so that only ``free`` bytes are left."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

PAGE = 4096


@contextlib.contextmanager
def small_disk(folder: Path, size: int) -> Iterator[Path]:
    """Mount a tmpfs of ``size`` bytes on ``folder`` for the duration."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path, *, free: int) -> Path:
    """Write a filler file in ``folder`` until only about ``free`` bytes are left on its disk."""
    st = os.statvfs(folder)
    left = st.f_bavail * st.f_frsize - free
    filler = folder / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, left))
    return filler
