"""A poster and a link-preview card for a video vidkit did not render (a member's own edit).

A few candidate frames from the first third are grabbed in one ffmpeg run; each is scored
cheaply on a small greyscale copy (JPEG decoded at 1/8 scale): frames that are nearly black (or
blown out) lose, and of the rest the sharpest (the most Laplacian variance) wins. The card is
then made from the poster exactly as the renderer makes its own (:func:`layers.link_card`).

At publish time, with the title and brand kit known, :func:`best_frame` and :func:`design_card`
make the card platforms show: a frame chosen away from captions (their cue times are known),
black and blurred frames and blinks, with the title in the brand's type and its logo beside it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageStat

from vidkit.errors import MediaError
from vidkit.ffmpeg.runner import Runner
from vidkit.images import open_checked
from vidkit.render import graph, layers
from vidkit.template.brand import Brand
from vidkit.template.colors import mix, on_color, readable, rgb
from vidkit.text import draw as textdraw
from vidkit.text.fonts import FontStack

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


# the designed link card ---------------------------------------------------------------------

CARD_W, CARD_H = 1200, 630
CARD_MAX_BYTES = 300 * 1024  # WhatsApp shows no image above this
CARD_CANDIDATES = 8
CUE_MARGIN = 0.15  # seconds kept clear either side of a caption on screen


def card_times(duration: float, busy: Sequence[tuple[float, float]], count: int) -> list[float]:
    """Up to ``count`` moments in 8-70 % of the video (past the opening, before the end card)
    with no caption on screen: the ``busy`` spans (seconds) are avoided with a margin. When
    captions cover every moment, the plain spread is returned (the sharpest frame still wins)."""
    lo, hi = duration * 0.08, duration * 0.70
    spread = [lo + (hi - lo) * (k + 0.5) / (count * 4) for k in range(count * 4)]
    free = [t for t in spread if not any(a - CUE_MARGIN <= t <= b + CUE_MARGIN for a, b in busy)]
    pool = free or spread
    step = max(1, len(pool) // count)
    return pool[::step][:count]


def best_frame(
    video: Path, duration: float, busy: Sequence[tuple[float, float]], out: Path, run: Runner
) -> Path:
    """Write the best candidate frame of ``video`` for a link card to ``out`` (see
    :func:`card_times` and :func:`frame_score`)."""
    times = card_times(duration, busy, CARD_CANDIDATES)
    candidates = [out.parent / f".{out.stem}.frame-{k}.jpg" for k in range(len(times))]
    try:
        run(graph.frame_args([(video, t) for t in times], candidates, quality=2))
        made = [c for c in candidates if c.is_file() and c.stat().st_size]
        if not made:
            raise MediaError("no frame could be taken for a link card", path=video)
        os.replace(pick_card_frame(made), out)
    finally:
        for c in candidates:
            c.unlink(missing_ok=True)
    return out


def pick_card_frame(frames: Sequence[Path]) -> Path:
    """The frame a card shows: not black or blown out; then, where faces appear, one in which
    nobody blinks (:func:`subject.open_eyes`); then the sharpest."""
    import numpy as np

    from vidkit.render import subject  # OpenCV: loaded only when a card is designed

    def eyes(frame: Path) -> float | None:
        with Image.open(frame) as im:
            return subject.open_eyes(np.asarray(im.convert("L")))

    scores = {f: frame_score(f) for f in frames}
    usable = [f for f in frames if scores[f] >= 0] or list(frames)
    found = {f: eyes(f) for f in usable}
    faces = any(v is not None for v in found.values())
    return max(usable, key=lambda f: ((found[f] or 0.0) if faces else 0.0, scores[f]))


def design_card(frame: Path, out: Path, *, title: str, brand: Brand) -> Path:
    """A 1200x630 link card: the frame on the right, the brand's panel on the left with its
    logo, the title in its heading type and its name; nothing drawn over the picture. Saved as
    a progressive JPEG under :data:`CARD_MAX_BYTES`."""
    with open_checked(frame, error=MediaError) as src:
        picture = src.convert("RGB")
    fw = max(380, min(700, round(CARD_H * picture.width / max(1, picture.height))))
    card = Image.new("RGBA", (CARD_W, CARD_H), rgb(brand.colors.secondary) + (255,))
    card.paste(_cover(picture, fw, CARD_H), (CARD_W - fw, 0))
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, 13, CARD_H), fill=rgb(brand.colors.primary))
    pad, panel = 56, CARD_W - fw
    ink = on_color(brand.colors.secondary)
    top = pad
    if brand.logo is not None:
        logo = _card_logo(brand.logo, panel - 2 * pad, 84)
        card.alpha_composite(logo, (pad, top))
        top += logo.height + 30
    _card_text(card, brand, title, (pad, top, panel - pad, CARD_H - pad - 64), ink)
    body = FontStack.for_font(brand.body_font)
    textdraw.draw_block(
        card, (pad, CARD_H - pad - 40, panel - pad, CARD_H - pad), [brand.name], body, 30,
        readable(mix(ink, brand.colors.secondary, 0.25), brand.colors.secondary),
        align="start", valign="bottom",
    )  # fmt: skip
    flat = card.convert("RGB")
    for quality in (86, 78, 70, 60, 50):
        flat.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
        if out.stat().st_size <= CARD_MAX_BYTES:
            break
    return out


def _cover(im: Image.Image, w: int, h: int) -> Image.Image:
    """``im`` scaled to cover ``w`` x ``h`` and cropped about its centre (a little above, where
    faces usually are)."""
    scale = max(w / im.width, h / im.height)
    size = (max(w, round(im.width * scale)), max(h, round(im.height * scale)))
    big = im.resize(size, Image.Resampling.LANCZOS)
    left = (big.width - w) // 2
    top = max(0, min(big.height - h, round((big.height - h) * 0.4)))
    return big.crop((left, top, left + w, top + h))


def _card_logo(path: Path, max_w: int, max_h: int) -> Image.Image:
    with open_checked(path, error=MediaError) as src:
        logo = src.convert("RGBA")
    logo = logo.crop(logo.getbbox() or (0, 0, logo.width, logo.height))
    logo.thumbnail((max_w, max_h), Image.Resampling.LANCZOS)
    return logo


def _card_text(
    card: Image.Image, brand: Brand, title: str, box: tuple[int, int, int, int], ink: str
) -> None:
    """The title as large as fits ``box`` in at most four lines of the brand's heading font."""
    stack = FontStack.for_font(brand.heading_font, bold=True)
    x0, y0, x1, y1 = box
    text = " ".join(title.split())
    for size in (78, 70, 62, 56, 50, 44, 40):
        lines = textdraw.wrap(text, stack, size, x1 - x0, bold=True)
        if len(lines) <= 4 and len(lines) * size * 1.15 <= y1 - y0:
            break
    else:
        lines = textdraw.wrap(text, stack, size, x1 - x0, max_lines=4, bold=True)
    textdraw.draw_block(
        card, box, lines, stack, size, ink, align="start", valign="middle", line_spacing=1.15,
        bold=True,
    )  # fmt: skip
