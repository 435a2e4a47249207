"""Shared constants and helpers for the caption tests (imported by conftest and tests)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REAL_SPEECH = (
    Path(__file__).resolve().parents[2].parent / "shared" / "media" / "read_speech_10s.wav"
)
REAL_TRANSCRIPT = "Ever tried. Ever failed. No matter. Try again. Fail again. Fail better."
RALLY = "Join us at the rally on Saturday. Every voice matters, so bring a friend."


def speak(text: str, path: Path, *, voice: str = "en-us") -> Path:
    """espeak-ng reading ``text`` into a WAV file (skips the test where espeak-ng is missing)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.skip("espeak-ng is not installed (Debian: apt-get install -y espeak-ng)")
    subprocess.run([espeak, "-v", voice, "-s", "150", "-w", str(path), text], check=True)
    return path
