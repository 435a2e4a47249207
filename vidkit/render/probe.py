"""probe: what a clip really is (size as displayed, rotation, frame rate, HDR, audio).

Uses PyAV (FFmpeg's libraries in-process), so it needs no ffprobe binary. Raises
:class:`MediaError` with a one-line reason for anything that is not a usable video.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from vidkit.errors import MediaError

# FFmpeg's AVColorTransferCharacteristic values for the two HDR transfers.
_TRC_PQ = 16
_TRC_HLG = 18
_VFR_SAMPLE_PACKETS = 600


@dataclass(frozen=True)
class Media:
    """A probed clip. Sizes are as displayed: rotation and sample aspect ratio applied."""

    path: Path
    duration: float  # seconds
    width: int  # displayed width (after rotation and SAR)
    height: int
    coded_width: int
    coded_height: int
    rotation: int  # degrees clockwise the player turns the picture: 0, 90, 180, 270
    sar: Fraction
    fps: Fraction  # average frame rate
    vfr: bool
    pix_fmt: str
    bit_depth: int
    hdr: str | None  # "hlg", "pq" or None
    video_codec: str
    has_audio: bool
    audio_codec: str | None = None
    audio_channels: int = 0
    audio_rate: int = 0

    @property
    def aspect(self) -> Fraction:
        return Fraction(self.width, self.height)

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "duration": round(self.duration, 3),
            "width": self.width,
            "height": self.height,
            "coded_width": self.coded_width,
            "coded_height": self.coded_height,
            "rotation": self.rotation,
            "sar": str(self.sar),
            "fps": str(self.fps),
            "vfr": self.vfr,
            "pix_fmt": self.pix_fmt,
            "bit_depth": self.bit_depth,
            "hdr": self.hdr,
            "video_codec": self.video_codec,
            "has_audio": self.has_audio,
            "audio_codec": self.audio_codec,
            "audio_channels": self.audio_channels,
            "audio_rate": self.audio_rate,
        }


def probe(path: str | os.PathLike[str]) -> Media:
    """Probe ``path``; raise :class:`MediaError` naming the file if it is not a usable video."""
    p = Path(path)
    if not p.exists():
        raise MediaError("file not found", path=p)
    if p.is_dir():
        raise MediaError("is a folder, not a video file", path=p)
    if p.stat().st_size == 0:
        raise MediaError("file is empty", path=p)
    try:
        container = av.open(str(p), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, OSError) as exc:
        raise MediaError(
            "not a video file, or corrupt/truncated", path=p, hint=_short(exc)
        ) from None
    with container:
        if not container.streams.video:
            kind = "audio-only file" if container.streams.audio else "file has no video stream"
            raise MediaError(f"{kind}: vidkit needs a video clip", path=p)
        vs = container.streams.video[0]
        cc = vs.codec_context
        frame = _first_frame(container, p)
        rotation = _rotation(frame)
        sar = _sar(cc.sample_aspect_ratio)
        coded_w, coded_h = frame.width, frame.height
        disp_w = _even(coded_w * sar)
        disp_h = coded_h
        if rotation in (90, 270):
            disp_w, disp_h = disp_h, disp_w
        fps = _fps(vs)
        vfr = _is_vfr(container, vs)
        duration = _duration(container, vs)
        if duration <= 0:
            raise MediaError("video has no duration (corrupt or truncated?)", path=p)
        trc = frame.color_trc
        hdr = "hlg" if trc == _TRC_HLG else "pq" if trc == _TRC_PQ else None
        fmt = frame.format
        bit_depth = max((c.bits for c in fmt.components), default=8)
        audio = container.streams.audio[0] if container.streams.audio else None
        return Media(
            path=p,
            duration=duration,
            width=disp_w,
            height=disp_h,
            coded_width=coded_w,
            coded_height=coded_h,
            rotation=rotation,
            sar=sar,
            fps=fps,
            vfr=vfr,
            pix_fmt=fmt.name,
            bit_depth=bit_depth,
            hdr=hdr,
            video_codec=cc.name,
            has_audio=audio is not None,
            audio_codec=audio.codec_context.name if audio else None,
            audio_channels=audio.codec_context.channels if audio else 0,
            audio_rate=audio.codec_context.sample_rate if audio else 0,
        )


#: How the ``comment`` tag that ``graph.metadata_args`` writes (and :func:`made_with` reads) begins.
VIDKIT_TAG = "vidkit:"


def made_with(path: str | os.PathLike[str]) -> dict[str, object]:
    """What vidkit wrote into a video it rendered (``graph.metadata_args``): template, caption
    style, burned-in captions, the end card's call to action. Empty for anyone else's video."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            comment = str(container.metadata.get("comment", ""))
    except (av.FFmpegError, UnicodeDecodeError, OSError):
        return {}
    if not comment.startswith(VIDKIT_TAG):
        return {}
    try:
        tags = json.loads(comment.removeprefix(VIDKIT_TAG))
    except ValueError:
        return {}
    return tags if isinstance(tags, dict) else {}


def _short(exc: BaseException) -> str:
    text = str(exc).split(": '", 1)[0]
    return re.sub(r"^\[Errno -?\d+\]\s*", "", text)[:120].lower()


def _first_frame(container: av.container.InputContainer, p: Path) -> av.VideoFrame:
    try:
        for frame in container.decode(video=0):
            return frame
    except (av.FFmpegError, ValueError) as exc:
        raise MediaError(
            "video is corrupt: no frame could be decoded", path=p, hint=_short(exc)
        ) from None
    raise MediaError("video stream has no frames (truncated?)", path=p)


def _rotation(frame: av.VideoFrame) -> int:
    # PyAV reports the display matrix as degrees counter-clockwise; players turn the picture
    # by that much, so the displayed size swaps for 90/270.
    return int(round(getattr(frame, "rotation", 0) or 0)) % 360


def _sar(sar: Fraction | None) -> Fraction:
    if not sar or sar <= 0:
        return Fraction(1)
    return Fraction(sar)


def _even(x: Fraction | int) -> int:
    n = int(math.floor(x + Fraction(1, 2)))
    return n - (n % 2) if n > 2 else max(n, 2)


def _fps(vs: av.video.stream.VideoStream) -> Fraction:
    for rate in (vs.average_rate, vs.guessed_rate, vs.base_rate):
        if rate and 1 <= rate <= 240:
            return Fraction(rate).limit_denominator(1001)
    return Fraction(30)


def _is_vfr(container: av.container.InputContainer, vs: av.video.stream.VideoStream) -> bool:
    """Variable frame rate if packet durations in the first few hundred packets differ by >10 %."""
    container.seek(0)
    pts: list[int] = []
    try:
        for packet in container.demux(vs):
            if packet.pts is not None:
                pts.append(packet.pts)
            if len(pts) >= _VFR_SAMPLE_PACKETS:
                break
    except av.FFmpegError:
        pass
    pts.sort()
    deltas = [b - a for a, b in zip(pts, pts[1:])]
    if len(deltas) < 3:
        return False
    lo, hi = min(deltas), max(deltas)
    return lo <= 0 or (hi - lo) > 0.1 * hi


def _duration(container: av.container.InputContainer, vs: av.video.stream.VideoStream) -> float:
    if vs.duration is not None and vs.time_base is not None:
        d = float(vs.duration * vs.time_base)
        if d > 0:
            return d
    if container.duration is not None:
        return container.duration / 1_000_000
    return 0.0
