"""Clips with a real face in them: scikit-image's public-domain astronaut photo (in its wheel,
never downloaded) laid over a plain lavfi background with ffmpeg, still or moving."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import skimage.data
from PIL import Image

from tests.helpers.media import ffmpeg

SIZE = (640, 360)  # the clips' frame
PHOTO = 220  # the photo's side in the clip, pixels
# the astronaut's face in the 512 x 512 photo: x 177..272, y 66..161
FACE_X, FACE_W = 224.5 * PHOTO / 512, 95 * PHOTO / 512
TOP = 90
LEFT, TRAVEL = 10, 400  # the moving photo's x goes from LEFT to LEFT + TRAVEL


def photo(path: Path) -> Path:
    Image.fromarray(skimage.data.astronaut()).resize((PHOTO, PHOTO), Image.LANCZOS).save(path)
    return path


def face_clip(path: Path, png: Path, x: str, *, d: float = 4, colour: str = "0x4a6b8a") -> Path:
    """``d`` seconds at 30 fps: the photo at horizontal position ``x`` (an ffmpeg expression
    in ``t``) over a plain background."""
    w, h = SIZE
    ffmpeg(
        "-f", "lavfi", "-i", f"color=c={colour}:s={w}x{h}:r=30:d={d}", "-loop", "1", "-i", str(png),
        "-filter_complex", f"[0:v][1:v]overlay=x='{x}':y={TOP}:shortest=1,format=yuv420p",
        "-t", str(d), "-c:v", "libx264", "-preset", "ultrafast", str(path),
    )  # fmt: skip
    return path


def moving_x(d: float) -> str:
    return f"{LEFT}+{TRAVEL}*t/{d}"


def face_centre(t: float, d: float) -> float:
    """Where the moving clip's face centre is at ``t`` seconds (source pixels)."""
    return LEFT + TRAVEL * t / d + FACE_X


def joined(path: Path, parts: list[Path]) -> Path:
    """The clips one after the other: each join is a scene change."""
    inputs = [a for p in parts for a in ("-i", str(p))]
    chain = "".join(f"[{i}:v]" for i in range(len(parts))) + f"concat=n={len(parts)}:v=1:a=0"
    ffmpeg(*inputs, "-filter_complex", chain, "-c:v", "libx264", "-preset", "ultrafast", str(path))
    return path


def faces_in(image: Image.Image) -> list[tuple[int, int, int, int]]:
    """Frontal faces in a picture, by OpenCV's bundled cascade."""
    grey = np.asarray(image.convert("L"))
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    return [
        tuple(int(v) for v in f) for f in cascade.detectMultiScale(grey, 1.1, 5, minSize=(20, 20))
    ]  # type: ignore[misc]
