"""A poster and a link-preview card for a video vidkit did not render (a member's own edit).

A few candidate frames from the first third are grabbed in one ffmpeg run; each is scored
cheaply on a small greyscale copy (JPEG decoded at 1/8 scale): frames that are nearly black (or
blown out) lose, and of the rest the sharpest (the most Laplacian variance) wins. The card is
then made from the poster exactly as the renderer makes its own (:func:`layers.link_card`).
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageFilter, ImageStat

from vidkit.errors import MediaError
from vidkit.ffmpeg.runner import Runner
from vidkit.render import graph, layers

CANDIDATES = 6
DARK, BRIGHT = 24.0, 240.0  # mean luma (0-255) outside which a frame is not a poster
_SCORE_SIDE = 160
_LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)


def frame_score(path: Path) -> float:
    """How good a poster the frame at ``path`` makes: its sharpness (Laplacian variance on a
    small greyscale copy), or below zero for a frame that is nearly black or white."""
    with Image.open(path) as im:
        im.draft("L", (_SCORE_SIDE, _SCORE_SIDE))
        small = im.convert("L")
    small.thumbnail((_SCORE_SIDE, _SCORE_SIDE))
    mean = ImageStat.Stat(small).mean[0]
    if not DARK <= mean <= BRIGHT:
        return -1.0 / (1.0 + abs(mean - 128))  # all dark: the least dark of them
    return float(ImageStat.Stat(small.filter(_LAPLACIAN)).var[0])


def make_poster(video: Path, duration: float, poster: Path, run: Runner) -> Path:
    """Write ``poster`` (JPEG): the best of :data:`CANDIDATES` frames from the first third."""
    work = poster.parent
    candidates = [work / f".{poster.stem}.candidate-{k}.jpg" for k in range(CANDIDATES)]
    try:
        run(graph.poster_candidates_args(video, duration, candidates))
        made = [c for c in candidates if c.is_file() and c.stat().st_size]
        if not made:
            raise MediaError("no frame could be taken for a poster", path=video)
        best = max(made, key=frame_score)  # the earliest of equals: max keeps the first
        os.replace(best, poster)
    finally:
        for c in candidates:
            c.unlink(missing_ok=True)
    return poster


def make_card(poster: Path, card: Path) -> Path:
    """Write the 1200x630 link-preview ``card`` from ``poster``, as the renderer does."""
    layers.link_card(poster, card)
    return card
