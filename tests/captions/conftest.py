"""Speech and non-speech audio for the caption tests, generated once per session.

Synthetic speech needs espeak-ng (Debian: ``apt-get install -y espeak-ng``); tests that need it
skip with that hint where it is missing. Real speech comes from ``../shared/media`` beside the
repository when it is there (it is not in a fresh clone).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers.caption_media import RALLY, REAL_SPEECH, speak
from vidkit.ffmpeg.locate import locate


def ffmpeg(*args: str) -> None:
    subprocess.run([locate().path, "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("caption-media")


@pytest.fixture(scope="session")
def rally_speech(media_dir: Path) -> Path:
    """espeak-ng reading RALLY, inside a phone-like clip (video + AAC audio)."""
    wav = speak(RALLY, media_dir / "rally.wav")
    clip = media_dir / "rally.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=gray:s=64x64:r=10", "-i", str(wav),
        "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(clip),
    )  # fmt: skip
    return clip


@pytest.fixture(scope="session")
def real_speech() -> Path:
    if not REAL_SPEECH.is_file():
        pytest.skip(f"no real speech sample at {REAL_SPEECH} (only beside the main checkout)")
    return REAL_SPEECH


@pytest.fixture(scope="session")
def silence(media_dir: Path) -> Path:
    path = media_dir / "silence.wav"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "4", str(path))
    return path


@pytest.fixture(scope="session")
def music(media_dir: Path) -> Path:
    """A few seconds of tones: a melody over a bass note, with a click track."""
    path = media_dir / "music.wav"
    melody = (
        "0.25*sin(2*PI*(220*pow(2\\,floor(mod(t*4\\,8))/12*2))*t)"
        "+0.15*sin(2*PI*(330*pow(2\\,floor(mod(t*2\\,4))/12*3))*t)"
        "+0.1*sin(2*PI*110*t)*lt(mod(t\\,0.5)\\,0.1)"
    )
    ffmpeg("-f", "lavfi", "-i", f"aevalsrc='{melody}':s=44100:d=6", str(path))
    return path


@pytest.fixture(scope="session")
def no_audio(media_dir: Path) -> Path:
    path = media_dir / "noaudio.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=64x64:r=10:d=1",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def noisy_rally(media_dir: Path, rally_speech: Path) -> Path:
    """The rally speech over loud pink noise (a crowd, wind): about 5 dB signal to noise."""
    path = media_dir / "noisy-rally.wav"
    ffmpeg(
        "-i", str(rally_speech), "-f", "lavfi", "-i", "anoisesrc=c=pink:a=0.3:seed=3",
        "-filter_complex", "[0:a]aformat=channel_layouts=mono[s];"
        "[s][1:a]amix=inputs=2:duration=first:normalize=0", str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def noise(media_dir: Path) -> Path:
    path = media_dir / "noise.wav"
    ffmpeg("-f", "lavfi", "-i", "anoisesrc=c=pink:a=0.2:d=4:seed=5", str(path))
    return path
