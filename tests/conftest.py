"""Shared fixtures: tiny clips generated with ffmpeg's lavfi sources, once per session."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers.media import SPEECHY, ffmpeg
from tests.helpers.media import clip as _clip
from vidkit.ffmpeg.locate import locate

# the share, store, track and web tests' fixtures (rendered bundle, databases, moto S3 server)
pytest_plugins = ["tests.helpers.publish_fixtures"]


@pytest.fixture(scope="session", autouse=True)
def vidkit_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """vidkit's cache (the prepared caption model) in the session's temp dir, not the user's."""
    patch = pytest.MonkeyPatch()
    cache = tmp_path_factory.mktemp("cache")
    patch.setenv("VIDKIT_CACHE", str(cache))
    yield cache
    patch.undo()


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def landscape(media_dir: Path) -> Path:
    return _clip(media_dir / "landscape.mp4")


@pytest.fixture(scope="session")
def no_audio(media_dir: Path) -> Path:
    return _clip(media_dir / "silent-film.mp4", audio=False, d=2)


@pytest.fixture(scope="session")
def rotated(media_dir: Path) -> Path:
    """Coded 320x180 (left half red, right half blue) with a 90 degree display matrix, as
    phones write portrait video."""
    plain = media_dir / "halves.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=red:s=160x180:r=30:d=2",
        "-f", "lavfi", "-i", "color=c=blue:s=160x180:r=30:d=2",
        "-f", "lavfi", "-i", SPEECHY.format(d=2),
        "-filter_complex", "[0:v][1:v]hstack[v]", "-map", "[v]", "-map", "2:a",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-shortest", str(plain),
    )  # fmt: skip
    out = media_dir / "rotated.mp4"
    ffmpeg("-display_rotation", "90", "-i", str(plain), "-c", "copy", str(out))
    return out


@pytest.fixture(scope="session")
def vfr(media_dir: Path) -> Path:
    return _clip(
        media_dir / "vfr.mp4", d=3, audio=True,
        vf="setpts='N/30/TB+0.012*sin(N)/TB'", extra=("-fps_mode", "passthrough"),
    )  # fmt: skip


@pytest.fixture(scope="session")
def hdr_hevc(media_dir: Path) -> Path:
    """10-bit HEVC tagged HLG, as recent iPhones record."""
    out = media_dir / "hlg.mov"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=320x180:r=30:d=2", "-f", "lavfi", "-i", SPEECHY.format(d=2),
        "-c:v", "libx265", "-pix_fmt", "yuv420p10le", "-x265-params",
        "log-level=error:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc",
        "-color_trc", "arib-std-b67", "-color_primaries", "bt2020", "-colorspace", "bt2020nc",
        "-tag:v", "hvc1", "-c:a", "aac", "-shortest", str(out),
    )  # fmt: skip
    return out


@pytest.fixture(scope="session")
def odd_size(media_dir: Path) -> Path:
    return _clip(media_dir / "odd.mp4", size="321x181", d=2, extra=("-pix_fmt", "yuv444p"))


@pytest.fixture(scope="session")
def anamorphic(media_dir: Path) -> Path:
    return _clip(media_dir / "anamorphic.mp4", size="240x180", d=2, vf="setsar=4/3")


@pytest.fixture(scope="session")
def unicode_named(landscape: Path, media_dir: Path) -> Path:
    out = media_dir / "مرحبا клип 日本 'quote'.mp4"
    shutil.copy(landscape, out)
    return out


@pytest.fixture(scope="session")
def bad_files(media_dir: Path, landscape: Path) -> dict[str, Path]:
    d = media_dir / "bad"
    d.mkdir()
    empty = d / "empty.mp4"
    empty.write_bytes(b"")
    text = d / "notes.mp4"
    text.write_text("this is not a video\n")
    garbage = d / "garbage.mov"
    garbage.write_bytes(bytes(range(256)) * 64)
    truncated = d / "truncated.mp4"
    # a non-faststart MP4 cut in half loses its index (moov) entirely
    whole = d / "whole.mp4"
    _clip(whole, d=2)
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    whole.unlink()
    audio_only = d / "voice.m4a"
    ffmpeg("-f", "lavfi", "-i", SPEECHY.format(d=1), "-c:a", "aac", str(audio_only))
    return {
        "empty": empty, "text": text, "garbage": garbage, "truncated": truncated,
        "audio_only": audio_only, "missing": d / "does-not-exist.mp4",
    }  # fmt: skip


@pytest.fixture
def counting_runner() -> Callable[..., object]:
    """The real runner, wrapped to count how many times ffmpeg ran."""
    from vidkit.ffmpeg.runner import FFmpegRunner

    class Counting:
        def __init__(self) -> None:
            self.inner = FFmpegRunner(locate())
            self.calls: list[list[str]] = []

        def __call__(self, args, **kw):  # type: ignore[no-untyped-def]
            self.calls.append(list(args))
            return self.inner(args, **kw)

    return Counting
