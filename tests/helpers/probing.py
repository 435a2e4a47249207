"""Helpers for tests: look inside real output files."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from PIL import Image


def streams(path: Path) -> dict[str, Any]:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        a = c.streams.audio[0] if c.streams.audio else None
        frame = next(c.decode(video=0))
        c.seek(0)
        pts = sorted(p.pts for p in c.demux(v) if p.pts is not None)
        deltas = {b - x for x, b in zip(pts, pts[1:])}
        return {
            "vcodec": v.codec_context.name,
            "profile": v.codec_context.profile,
            "pix_fmt": frame.format.name,
            "width": frame.width,
            "height": frame.height,
            "rotation": frame.rotation,
            "fps": Fraction(v.average_rate) if v.average_rate else None,
            "frame_deltas": deltas,
            "duration": float(c.duration / 1_000_000) if c.duration else 0.0,
            "color_trc": frame.color_trc,
            "colorspace": frame.colorspace,
            "color_primaries": frame.color_primaries,
            "acodec": a.codec_context.name if a else None,
            "aprofile": a.codec_context.profile if a else None,
            "channels": a.codec_context.channels if a else 0,
            "rate": a.codec_context.sample_rate if a else 0,
            "frames": len(pts),
        }


def frame_at(path: Path, seconds: float) -> Image.Image:
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            if frame.time is not None and frame.time >= seconds:
                return frame.to_image()
    raise AssertionError(f"no frame at {seconds}s in {path}")


def atoms(path: Path) -> list[str]:
    """Top-level MP4 box names in file order."""
    names = []
    with open(path, "rb") as f:
        while True:
            head = f.read(8)
            if len(head) < 8:
                break
            size = int.from_bytes(head[:4], "big")
            names.append(head[4:].decode("latin-1"))
            if size == 1:
                size = int.from_bytes(f.read(8), "big")
                f.seek(size - 16, 1)
            elif size == 0:
                break
            else:
                f.seek(size - 8, 1)
    return names
