"""Generating test media with ffmpeg's lavfi sources (imported by tests; not a conftest)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from vidkit.ffmpeg.locate import locate

FF = locate().path


def ffmpeg(*args: str) -> None:
    subprocess.run([FF, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


# A speech-like test signal: a tone whose level swings every half second, at about -30 LUFS,
# so loudness normalisation has real work to do.
SPEECHY = "sine=f=330:d={d},volume='0.06+0.05*sin(2*PI*2*t)':eval=frame"


def clip(path: Path, *, size: str = "320x180", d: float = 3, rate: str = "30",
          audio: bool = True, extra: tuple[str, ...] = (), vf: str | None = None) -> Path:  # fmt: skip
    args = ["-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate}:d={d}"]
    if audio:
        args += ["-f", "lavfi", "-i", SPEECHY.format(d=d)]
    if vf:
        args += ["-vf", vf]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", *extra]
    if audio:
        args += ["-c:a", "aac", "-shortest"]
    ffmpeg(*args, str(path))
    return path
