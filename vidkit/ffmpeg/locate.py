"""Find the ffmpeg binary: an explicit path, ``$VIDKIT_FFMPEG``, or the one bundled by imageio-ffmpeg."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from vidkit.errors import ToolMissingError

ENV_VAR = "VIDKIT_FFMPEG"


@dataclass(frozen=True)
class FFmpeg:
    """A located ffmpeg executable and what it can do."""

    path: str
    version: str
    source: str  # "option", "env", "bundled" or "system"

    def encoders(self) -> frozenset[str]:
        return _list(self.path, "-encoders")

    def filters(self) -> frozenset[str]:
        return _list(self.path, "-filters")


@functools.lru_cache(maxsize=8)
def _list(path: str, flag: str) -> frozenset[str]:
    out = subprocess.run(
        [path, "-hide_banner", flag], capture_output=True, text=True, check=False
    ).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] != "=" and re.fullmatch(r"[A-Z.|]{2,6}", parts[0]):
            names.add(parts[1])
    return frozenset(names)


@functools.lru_cache(maxsize=8)
def _version(path: str) -> str:
    try:
        out = subprocess.run(
            [path, "-hide_banner", "-version"], capture_output=True, text=True, timeout=30
        ).stdout
    except OSError as exc:
        raise ToolMissingError(f"cannot run ffmpeg at {path}: {exc.strerror}") from None
    m = re.search(r"ffmpeg version (\S+)", out)
    if not m:
        raise ToolMissingError(f"{path} does not look like ffmpeg")
    return m.group(1)


def locate(explicit: str | os.PathLike[str] | None = None) -> FFmpeg:
    """Return the ffmpeg to use.

    Order: ``explicit`` (a CLI option), then ``$VIDKIT_FFMPEG``, then the binary shipped in the
    imageio-ffmpeg wheel, then ``ffmpeg`` on ``PATH``.
    """
    if explicit:
        return _checked(str(explicit), "option")
    env = os.environ.get(ENV_VAR)
    if env:
        return _checked(env, "env")
    try:
        import imageio_ffmpeg

        return _checked(imageio_ffmpeg.get_ffmpeg_exe(), "bundled")
    except (ImportError, RuntimeError):
        pass
    system = shutil.which("ffmpeg")
    if system:
        return _checked(system, "system")
    raise ToolMissingError(
        "ffmpeg not found",
        hint=f"reinstall vidkit (it bundles ffmpeg) or set {ENV_VAR} to an ffmpeg binary",
    )


def _checked(path: str, source: str) -> FFmpeg:
    resolved = shutil.which(path) or path
    if not Path(resolved).is_file():
        raise ToolMissingError(f"ffmpeg not found at {path}", hint=f"check {ENV_VAR} or --ffmpeg")
    return FFmpeg(path=resolved, version=_version(resolved), source=source)
