"""Caption images: each distinct caption state drawn once, as a transparent PNG of the caption
box's size, plus an ``ffconcat`` list that times them over the whole clip.

ffmpeg reads the list with its concat demuxer as one overlay stream (blank PNG in the gaps), so
a clip with a hundred cues still costs one overlay in the filter graph and no text ever passes
through ffmpeg's filter syntax: what is drawn is exactly the cue's text (see
:func:`vidkit.text.fonts.sanitize` for what cannot be drawn: characters no font has, such as emoji,
are left out rather than drawn as boxes).

Styles:

- ``classic``: up to two balanced lines (more only where the author wrote more), bottom of the
  box, white with a dark outline, or on a translucent box.
- ``karaoke``: the classic block, one image per word with the word being spoken in the accent
  colour.
- ``punchy``: one to three words, large, bold, centred in the box.

Motion (``fade``, the default): a caption fades in (eased, :data:`FADE_MS`) in the gap
*before* its cue and out in the gap after it, so it is fully there for its cue's whole time;
cues that follow each other with no gap change without a fade. The list shows the caption's
image over those moments too, and :class:`Fade` says when the graph fades it: no extra images.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from vidkit.captions.cues import segment
from vidkit.captions.model import Cue
from vidkit.text import draw as textdraw
from vidkit.text.fonts import FontStack, sanitize

LINE_PITCH = 1.22  # line spacing, in multiples of the text size


@dataclass(frozen=True)
class CaptionLook:
    """How captions look: brand font stack and colours, text size, outline or box."""

    stack: FontStack
    size_px: int
    colour: str = "#FFFFFF"
    accent: str = "#FFD23F"
    outline: str = "#000000"
    box: str | None = None  # e.g. "#000000A6": a translucent box behind the text
    bold: bool = True


@dataclass(frozen=True)
class CaptionFrame:
    """One caption state: ``png`` is shown from ``start`` to ``end`` ms."""

    start: int
    end: int
    png: Path


# -- drawing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Placed:
    text: str
    x: float  # left of the line's advance
    baseline: float
    width: float
    rtl: bool


#: ``punchy`` words pop: this much larger for their first POP_MS milliseconds.
POP, POP_MS = 1.15, 90

#: How captions enter and leave (a template's ``captions.motion``).
MOTIONS = ("fade", "none")
#: A fade's length (ms); in a shorter gap between two cues, each fade takes half of it.
FADE_MS = 200
_MIN_FADE_MS = 40  # a gap too short for a visible fade: the captions just change


def render_cues(
    cues: Sequence[Cue],
    style: str,
    size: tuple[int, int],
    look: CaptionLook,
    out_dir: Path,
) -> list[CaptionFrame]:
    """Draw every caption state of ``cues`` as ``size`` PNGs in ``out_dir`` (names are vidkit's
    own: ``cap-00001.png``...). For ``karaoke`` each word of a cue gets its own image."""
    out_dir.mkdir(parents=True, exist_ok=True)
    frames: list[CaptionFrame] = []
    for cue in cues:
        if style == "karaoke":
            frames += _karaoke(cue, size, look, out_dir, len(frames))
            continue
        start = cue.start
        if style == "punchy" and cue.end - cue.start >= 2 * POP_MS:
            # the words pop: a moment a little larger, then their size
            popped = _draw_cue(
                cue.text, style, size, replace(look, size_px=round(look.size_px * POP))
            )
            path = out_dir / f"cap-{len(frames) + 1:05d}.png"
            popped.image.save(path, compress_level=1)
            frames.append(CaptionFrame(start, start + POP_MS, path))
            start += POP_MS
        drawn = _draw_cue(cue.text, style, size, look)
        path = out_dir / f"cap-{len(frames) + 1:05d}.png"
        drawn.image.save(path, compress_level=1)
        frames.append(CaptionFrame(start, cue.end, path))
    return frames


@dataclass(frozen=True)
class _Drawn:
    image: Image.Image
    placed: list[_Placed]
    size_px: int  # the text size used (shrunk from the look's size if the text is long)
    stroke: int


def _draw_cue(text: str, style: str, size: tuple[int, int], look: CaptionLook) -> _Drawn:
    width, height = size
    punchy = style == "punchy"
    pad = max(2, round(look.size_px * 0.35)) if look.box else 0
    stroke = 0 if look.box else max(1, round(look.size_px * (0.09 if punchy else 0.07)))
    margin = pad + stroke
    written_lines = len([line for line in text.split("\n") if line.strip()])
    max_lines = max(2, min(4, written_lines))
    text_size, lines = textdraw.fit_text(
        text,
        look.stack,
        look.size_px,
        max(1, width - 2 * margin),
        max(1, height - 2 * margin),
        max_lines=max_lines,
        min_size_px=max(8, round(look.size_px * 0.6)),
        line_spacing=LINE_PITCH,
        bold=look.bold,
    )
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    placed = _place(lines, look, text_size, size, "middle" if punchy else "bottom", margin)
    if not placed:
        return _Drawn(image, placed, text_size, stroke)
    if look.box:
        ascent, descent = _metrics(placed, look, text_size)
        box = (
            math.floor(min(p.x for p in placed) - pad),
            math.floor(placed[0].baseline - ascent - pad * 0.6),
            math.ceil(max(p.x + p.width for p in placed) + pad),
            math.ceil(placed[-1].baseline + descent + pad * 0.6),
        )
        layer = Image.new("RGBA", size, (0, 0, 0, 0))
        ImageDraw.Draw(layer).rounded_rectangle(
            box, radius=round(text_size * 0.25), fill=textdraw.parse_color(look.box)
        )
        image.alpha_composite(layer)
    for p in placed:
        _line(image, p, look, text_size, look.colour, stroke)
    return _Drawn(image, placed, text_size, stroke)


def _metrics(placed: list[_Placed], look: CaptionLook, size_px: int) -> tuple[int, int]:
    layouts = [textdraw.layout_line(p.text, look.stack, size_px, bold=look.bold) for p in placed]
    return max(lay.ascent for lay in layouts), max(lay.descent for lay in layouts)


def _place(
    lines: Sequence[str],
    look: CaptionLook,
    size_px: int,
    size: tuple[int, int],
    valign: str,
    margin: int,
) -> list[_Placed]:
    width, height = size
    layouts = [textdraw.layout_line(line, look.stack, size_px, bold=look.bold) for line in lines]
    layouts = [lay for lay in layouts if lay.text.strip()]
    if not layouts:
        return []
    ascent = max(lay.ascent for lay in layouts)
    descent = max(lay.descent for lay in layouts)
    pitch = size_px * LINE_PITCH
    block = pitch * (len(layouts) - 1) + ascent + descent
    top = (height - block) / 2 if valign == "middle" else height - margin - block
    return [
        _Placed(lay.text, (width - lay.width) / 2, top + ascent + i * pitch, lay.width, lay.rtl)
        for i, lay in enumerate(layouts)
    ]


def _line(
    image: Image.Image, p: _Placed, look: CaptionLook, size_px: int, fill: str, stroke: int
) -> None:
    textdraw.draw_text(
        image,
        (p.x, p.baseline),
        p.text,
        look.stack,
        size_px,
        fill,
        stroke_width=stroke,
        stroke_fill=look.outline,
        anchor="ls",
        bold=look.bold,
    )


# -- karaoke -----------------------------------------------------------------------------------


def _karaoke(
    cue: Cue, size: tuple[int, int], look: CaptionLook, out_dir: Path, done: int
) -> list[CaptionFrame]:
    drawn = _draw_cue(cue.text, "karaoke", size, look)
    words = cue.words
    spans = _word_spans([w.text for w in words], drawn, look)
    states: list[tuple[int, int, int | None]] = []  # (start, end, word index highlighted)
    for k, word in enumerate(words):
        start = cue.start if k == 0 else max(word.start, cue.start)
        end = cue.end if k == len(words) - 1 else min(words[k + 1].start, cue.end)
        if states:
            start = max(start, states[-1][1])
        if end > start:
            states.append((start, end, k))
    if not states:
        states = [(cue.start, cue.end, None)]
    frames = []
    for start, end, k in states:
        image = drawn.image
        if k is not None and spans[k]:
            image = drawn.image.copy()
            for line_index, x0, x1 in spans[k]:
                accent = Image.new("RGBA", size, (0, 0, 0, 0))
                _line(
                    accent, drawn.placed[line_index], look, drawn.size_px, look.accent, drawn.stroke
                )
                # exactly the word's advance: its outline is the same colour in both images, and
                # a wider cut would tint the edge of a neighbour (Chinese has no spaces)
                left = max(0, round(x0))
                right = min(size[0], round(x1))
                if right > left:
                    region = accent.crop((left, 0, right, size[1]))
                    image.paste(region, (left, 0), region)
        path = out_dir / f"cap-{done + len(frames) + 1:05d}.png"
        image.save(path, compress_level=1)
        frames.append(CaptionFrame(start, end, path))
    return frames


def _word_spans(
    words: Sequence[str], drawn: _Drawn, look: CaptionLook
) -> list[list[tuple[int, float, float]]]:
    """For each word, the (line, x0, x1) pieces where it was drawn (none if nothing of it was:
    an emoji-only word, or text cut by an ellipsis)."""
    # every drawn non-space character, in reading order: (line index, index in the line)
    drawn_chars = [
        (li, ci)
        for li, p in enumerate(drawn.placed)
        for ci, ch in enumerate(p.text)
        if not ch.isspace()
    ]
    spans: list[list[tuple[int, float, float]]] = []
    cursor = 0
    for word in words:
        visible = [ch for ch in sanitize(word, look.stack) if not ch.isspace()]
        pieces: dict[int, tuple[int, int]] = {}  # line -> (first, last) char index
        for _ in visible:
            if cursor >= len(drawn_chars):
                break
            li, ci = drawn_chars[cursor]
            pieces[li] = (pieces.get(li, (ci, ci))[0], ci)
            cursor += 1
        spans.append(
            [
                (li, *_x_span(drawn.placed[li], a, b, look, drawn.size_px))
                for li, (a, b) in pieces.items()
            ]
        )
    return spans


def _x_span(p: _Placed, a: int, b: int, look: CaptionLook, size_px: int) -> tuple[float, float]:
    """Horizontal extent of characters ``a``..``b`` of a drawn line."""

    def advance(s: str) -> float:
        return textdraw.layout_line(s, look.stack, size_px, bold=look.bold).width if s else 0.0

    before, through = advance(p.text[:a]), advance(p.text[: b + 1])
    if p.rtl:
        return p.x + p.width - through, p.x + p.width - before
    return p.x + before, p.x + through


# -- timeline ----------------------------------------------------------------------------------


def blank(size: tuple[int, int], path: Path) -> Path:
    Image.new("RGBA", size, (0, 0, 0, 0)).save(path)
    return path


def write_concat_list(
    frames: Iterable[CaptionFrame], blank_png: Path, total_ms: int, path: Path
) -> Path:
    """An ``ffconcat version 1.0`` list showing each frame's PNG for its time and ``blank_png``
    in between, covering exactly ``0``–``total_ms``. Overlapping frames are cut; frames after
    the end are dropped. Files in the list's folder are named relative to it."""
    entries: list[tuple[Path, int]] = []
    t = 0
    for frame in sorted(frames, key=lambda f: f.start):
        start, end = max(frame.start, t), min(frame.end, total_ms)
        if end <= start:
            continue
        if start > t:
            entries.append((blank_png, start - t))
        entries.append((frame.png, end - start))
        t = end
    if t < total_ms or not entries:
        entries.append((blank_png, max(1, total_ms - t)))
    lines = ["ffconcat version 1.0"]
    for png, millis in entries:
        lines.append(f"file {_ffconcat_path(png, path.parent)}")
        lines.append(f"duration {millis / 1000:.3f}")
    # the concat demuxer ignores the last entry's duration unless the file is listed again
    lines.append(f"file {_ffconcat_path(entries[-1][0], path.parent)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ffconcat_path(png: Path, folder: Path) -> str:
    name = png.name if png.parent.resolve() == folder.resolve() else str(png.resolve())
    return "'" + name.replace("'", "'\\''") + "'"


# -- the plan's caption track ------------------------------------------------------------------


def look_for(track: Any) -> CaptionLook:
    """The look of a plan's caption track: brand heading font and colours."""
    brand = track.brand
    stack = FontStack.for_font(brand.heading_font, bold=True)
    return CaptionLook(
        stack=stack,
        size_px=track.size_px,
        colour=brand.colors.text,
        accent=brand.colors.accent,
        outline="#000000",
        box="#000000A6" if track.use_box else None,
    )


def cues_for_style(cues: Sequence[Cue], style: str) -> tuple[Cue, ...]:
    """Cues as the style shows them: ``punchy`` regroups transcribed words into 1–3 word cues;
    cues written in a caption file are always shown as written."""
    if style == "punchy" and cues and not any(c.as_written for c in cues):
        return segment([w for c in cues for w in c.words], "punchy")
    return tuple(cues)


@dataclass(frozen=True)
class Fade:
    """A caption fading in (``enter``) or out from ``start`` to ``end`` ms: the render's
    filter graph eases its opacity over that time (see :mod:`vidkit.render.graph`)."""

    start: int
    end: int
    enter: bool


def with_motion(
    frames: Sequence[CaptionFrame], total_ms: int, fade_ms: int = FADE_MS
) -> tuple[list[CaptionFrame], list[Fade]]:
    """``frames`` with each run of captions (frames that follow one another with no gap: a
    karaoke cue's words, a pop and its settled word) shown a little longer into the gaps
    around it, and the fades over those moments: in before the run's first frame, out after
    its last. Nothing fades inside a cue: each is fully visible from its start to its end."""
    ordered = sorted(frames, key=lambda f: f.start)
    runs: list[list[CaptionFrame]] = []
    for f in ordered:
        if runs and f.start <= runs[-1][-1].end:
            runs[-1].append(f)
        else:
            runs.append([f])
    out: list[CaptionFrame] = []
    fades: list[Fade] = []
    for k, run in enumerate(runs):
        before = run[0].start - (runs[k - 1][-1].end if k else 0)
        after = (runs[k + 1][0].start if k + 1 < len(runs) else total_ms) - run[-1].end
        # a gap shared by a leave and an enter is split between them; the clip's own start and
        # end are only one side's (a caption at 0 ms simply starts)
        enter = min(fade_ms, before // 2 if k else before)
        leave = max(0, min(fade_ms, after if k + 1 == len(runs) else after // 2))
        if enter >= _MIN_FADE_MS:
            fades.append(Fade(run[0].start - enter, run[0].start, True))
            run = [replace(run[0], start=run[0].start - enter), *run[1:]]
        if leave >= _MIN_FADE_MS:
            fades.append(Fade(run[-1].end, run[-1].end + leave, False))
            run = [*run[:-1], replace(run[-1], end=run[-1].end + leave)]
        out += run
    return out, fades


@dataclass(frozen=True)
class DrawnTrack:
    """A drawn caption track: the ffconcat list of its images, and its fades."""

    listing: Path
    fades: tuple[Fade, ...] = ()


def draw_track(track: Any, *, total_frames: int, fps: Fraction | float, work: Path) -> DrawnTrack:
    """Draw a plan's caption track into ``work``: the ffconcat list for the overlay, and the
    fades its motion asks for."""
    work.mkdir(parents=True, exist_ok=True)
    size = (track.box.w, track.box.h)
    look = look_for(track)
    total_ms = int(Fraction(total_frames) * 1000 / Fraction(fps))
    # a cue after the clip's end is never on screen: drawing it (~30 ms each) is wasted work
    cues = [c for c in cues_for_style(track.cues, track.style) if c.start < total_ms]
    frames = render_cues(cues, track.style, size, look, work)
    fades: list[Fade] = []
    if track.motion == "fade":
        frames, fades = with_motion(frames, total_ms)
    listing = write_concat_list(
        frames, blank(size, work / "blank.png"), total_ms, work / "captions.ffconcat"
    )
    return DrawnTrack(listing, tuple(fades))
