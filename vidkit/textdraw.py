"""Drawing text on RGBA images with Pillow: measure, wrap, one line, a block in a box.

Everything here works on Pillow images and :class:`~vidkit.fonts.FontStack` s; there is no ffmpeg.
Overlays (lower thirds, cards, caption cues) are drawn on transparent images that ffmpeg then
composes in its one filter graph.

- Text is sanitised first (:func:`vidkit.fonts.sanitize`): nothing a font cannot draw is drawn, so
  there are no missing-glyph boxes, and any string is drawn literally - quotes, colons, percent
  signs, braces and backslashes mean nothing special here.
- Each line is split into font runs (brand font first, bundled fallbacks after) and into direction
  runs (:mod:`vidkit.bidi`); each run is shaped by Pillow's raqm layout (Arabic joining, ligatures,
  kerning) and the runs are placed in display order. Where Pillow has no raqm (it needs the
  system's FriBiDi library), right-to-left runs are shaped by :mod:`vidkit.shaping` instead.
- Sizes are in pixels. Colours are ``"#RRGGBB"``, ``"#RRGGBBAA"`` or RGB(A) tuples.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont, features

from . import bidi, shaping
from .errors import TemplateError
from .fonts import FontStack, is_mark, sanitize, text_runs

Color = str | tuple[int, int, int] | tuple[int, int, int, int]
RGBA = tuple[int, int, int, int]
Box = tuple[float, float, float, float]
Align = Literal["left", "center", "right", "start", "end"]
VAlign = Literal["top", "middle", "bottom"]

ELLIPSIS = "\u2026"
_HEX = re.compile(r"^#([0-9a-fA-F]{6})([0-9a-fA-F]{2})?$")
_LAYOUT = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
SYNTHETIC_BOLD = 0.025  # outline width, as a fraction of the size, that stands in for bold


def parse_color(value: Color, *, key: str | None = None) -> RGBA:
    """``"#RRGGBB"``, ``"#RRGGBBAA"`` or an RGB(A) tuple of 0-255 ints, as an RGBA tuple.

    Raises TemplateError (with ``key`` when given) for anything else.
    """
    if isinstance(value, str):
        m = _HEX.match(value.strip())
        if m:
            rgb = bytes.fromhex(m.group(1))
            alpha = int(m.group(2), 16) if m.group(2) else 255
            return (rgb[0], rgb[1], rgb[2], alpha)
    elif (
        isinstance(value, (tuple, list))
        and len(value) in (3, 4)
        and all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in value)
    ):
        return (value[0], value[1], value[2], value[3] if len(value) == 4 else 255)
    raise TemplateError(
        f"not a colour: {value!r}", key=key, hint='use "#RRGGBB" or "#RRGGBBAA", e.g. "#D7263D"'
    )


@functools.lru_cache(maxsize=256)
def load_font(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    """A Pillow font for ``path`` at ``size_px`` (cached). Collections use their first face."""
    try:
        return ImageFont.truetype(str(path), size_px, layout_engine=_LAYOUT)
    except OSError as err:
        raise TemplateError(f"cannot load font: {err}", path=path) from None


@dataclass(frozen=True)
class Run:
    """A piece of a line drawn with one font in one direction; ``width`` is its advance.

    ``text`` is what Pillow is given: the logical text with raqm, or (without raqm) a
    right-to-left run already shaped and reversed by :mod:`vidkit.shaping`.
    """

    text: str
    font: Path
    rtl: bool
    width: float
    embolden: bool


@dataclass(frozen=True)
class LineLayout:
    """A laid-out line: runs in display order (left to right) and its metrics in pixels.

    ``ascent`` and ``descent`` are those of the stack's first font, for every script.
    """

    text: str
    runs: tuple[Run, ...]
    width: float
    ascent: int
    descent: int
    rtl: bool
    size_px: int

    @property
    def height(self) -> int:
        return self.ascent + self.descent


def layout_line(
    text: str,
    stack: FontStack,
    size_px: int,
    *,
    bold: bool = False,
    direction: Literal["ltr", "rtl"] | None = None,
) -> LineLayout:
    """Lay out one line (line breaks become spaces): font runs, direction, display order."""
    if bold:
        stack = stack.bolded()
    clean = sanitize(text, stack).replace("\n", " ")
    return _layout(clean, stack, int(size_px), direction)


@functools.lru_cache(maxsize=4096)
def _layout(
    text: str, stack: FontStack, size_px: int, direction: Literal["ltr", "rtl"] | None
) -> LineLayout:
    rtl = bidi.is_rtl_paragraph(text) if direction is None else direction == "rtl"
    char_levels = bidi.levels(text, rtl)
    pieces: list[tuple[str, Path, int]] = []  # logical order: (text, font, level)
    pos = 0
    for run_text, font in text_runs(text, stack):
        start = pos
        for i in range(len(run_text)):
            level = char_levels[pos + i]
            if i > 0 and level != char_levels[pos + i - 1] and not is_mark(run_text[i]):
                pieces.append((run_text[start - pos : i], font, char_levels[pos + i - 1]))
                start = pos + i
        pieces.append((run_text[start - pos :], font, char_levels[pos + len(run_text) - 1]))
        pos += len(run_text)
    pieces = [p for p in pieces if p[0]]

    order = bidi.visual_order([lv for _, _, lv in pieces])
    runs = []
    for idx in order:
        piece_text, font, level = pieces[idx]
        is_rtl = level % 2 == 1
        if is_rtl and _LAYOUT != ImageFont.Layout.RAQM:
            piece_text = shaping.rtl_run_for_basic_layout(piece_text)
        width = load_font(font, size_px).getlength(piece_text, direction=_dir(is_rtl))
        runs.append(Run(piece_text, font, is_rtl, width, font in stack.embolden))

    # Vertical metrics come from the stack's first font whatever the script, so that every line
    # of a template sits the same way (Arabic fonts declare much taller ascents, for stacked marks).
    ascent, descent = load_font(stack.paths[0], size_px).getmetrics()
    return LineLayout(
        text=text,
        runs=tuple(runs),
        width=sum(r.width for r in runs),
        ascent=ascent,
        descent=descent,
        rtl=rtl,
        size_px=size_px,
    )


def _dir(rtl: bool) -> str | None:
    if _LAYOUT != ImageFont.Layout.RAQM:
        return None  # basic layout cannot take a direction
    return "rtl" if rtl else "ltr"


def measure(text: str, stack: FontStack, size_px: int, bold: bool = False) -> tuple[int, int]:
    """Width (advance) and height (ascent + descent of the stack's first font) in pixels of
    ``text`` drawn as one line."""
    line = layout_line(text, stack, size_px, bold=bold)
    return math.ceil(line.width), line.height


# --- wrapping ---------------------------------------------------------------------------------

# Characters that may not start a line (closing brackets, CJK small kana, prolonged sound mark,
# stops) and that may not end one (opening brackets): basic Japanese/Chinese line-breaking rules.
_NO_START = set(
    ")]}»›”’,.:;!?%、。，．：；！？）］｝〉》」』】〕〗〙〛ー々〻ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ・…‥"
)
_NO_END = set("([{«‹“‘（［｛〈《「『【〔〖〘〚")


def _breaks_around(char: str) -> bool:
    """CJK ideographs, kana and fullwidth punctuation: a line may break before and after them."""
    cp = ord(char)
    return (
        0x2E80 <= cp <= 0x312F  # radicals, CJK punctuation, kana, bopomofo
        or 0x3190 <= cp <= 0x9FFF  # kanbun ... CJK unified ideographs
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
    )


_SPACES_NOBREAK = {"\u00a0", "\u202f", "\u2007"}


@dataclass(frozen=True)
class _Atom:
    text: str  # an unbreakable piece
    space: str  # the whitespace after it ("" when the break needs none, as between CJK)


def _atoms(paragraph: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    word: list[str] = []
    space: list[str] = []

    def flush() -> None:
        if word or space:
            atoms.append(_Atom("".join(word), "".join(space)))
        word.clear()
        space.clear()

    prev = ""
    for char in paragraph:
        if char.isspace() and char not in _SPACES_NOBREAK:
            space.append(char)
            prev = char
            continue
        if space:
            flush()
        elif word and not is_mark(char):
            cjk_break = (_breaks_around(char) or _breaks_around(prev)) and (
                char not in _NO_START and prev not in _NO_END
            )
            hyphen_break = prev in "-\u2010" and len(word) > 1 and word[-2].isalpha()
            if cjk_break or (hyphen_break and char.isalpha()):
                flush()
        word.append(char)
        prev = char
    flush()
    if atoms and not atoms[0].text:  # leading whitespace
        atoms = atoms[1:]
    return atoms


def _split_long(atom: _Atom, fits: _Fits) -> list[_Atom]:
    """Hard-break a piece wider than the line into pieces that fit (never inside a cluster)."""
    clusters = _clusters(atom.text)
    pieces: list[_Atom] = []
    current = ""
    for cluster in clusters:
        if current and not fits(current + cluster):
            pieces.append(_Atom(current, ""))
            current = cluster
        else:
            current += cluster
    pieces.append(_Atom(current, atom.space))
    return pieces


def _clusters(text: str) -> list[str]:
    """Characters with their following marks and joiners (a simple grapheme cluster)."""
    out: list[str] = []
    for char in text:
        if out and (
            is_mark(char) or char in "\u200c\u200d" or out[-1].endswith(("\u200c", "\u200d"))
        ):
            out[-1] += char
        else:
            out.append(char)
    return out


class _Fits:
    def __init__(self, stack: FontStack, size_px: int, max_width: float, bold: bool) -> None:
        self.stack, self.size_px, self.max_width, self.bold = stack, size_px, max_width, bold

    def width(self, text: str) -> float:
        return layout_line(text, self.stack, self.size_px, bold=self.bold).width

    def __call__(self, text: str) -> bool:
        return self.width(text) <= self.max_width


def _join(atoms: Sequence[_Atom]) -> str:
    return "".join(a.text + a.space for a in atoms[:-1]) + (atoms[-1].text if atoms else "")


def _greedy(atoms: list[_Atom], fits: _Fits) -> list[tuple[int, int]]:
    lines: list[tuple[int, int]] = []
    start = 0
    for end in range(1, len(atoms) + 1):
        if end - 1 > start and not fits(_join(atoms[start:end])):
            lines.append((start, end - 1))
            start = end - 1
    lines.append((start, len(atoms)))
    return lines


def _balanced(atoms: list[_Atom], fits: _Fits, count: int) -> list[tuple[int, int]] | None:
    """Break into exactly ``count`` lines of widths as even as possible (least squared slack)."""
    n = len(atoms)
    widths = [fits.width(a.text) for a in atoms]
    spaces = [fits.width(a.space) if a.space else 0.0 for a in atoms]
    prefix = [0.0]
    for w, s in zip(widths, spaces):
        prefix.append(prefix[-1] + w + s)

    def line_width(i: int, j: int) -> float:  # atoms i..j-1, no trailing space
        return prefix[j] - prefix[i] - spaces[j - 1]

    inf = float("inf")
    # cost[m][j]: best cost of atoms[:j] in m lines; back[m][j]: where the last line starts.
    cost = [[inf] * (n + 1) for _ in range(count + 1)]
    back = [[0] * (n + 1) for _ in range(count + 1)]
    cost[0][0] = 0.0
    for m in range(1, count + 1):
        for j in range(m, n + 1):
            for i in range(j - 1, m - 2, -1):
                w = line_width(i, j)
                if w > fits.max_width:
                    break
                c = cost[m - 1][i] + (fits.max_width - w) ** 2
                if c < cost[m][j]:
                    cost[m][j], back[m][j] = c, i
    if cost[count][n] == inf:
        return None
    lines = []
    j = n
    for m in range(count, 0, -1):
        i = back[m][j]
        lines.append((i, j))
        j = i
    lines.reverse()
    # The sums above ignore kerning across pieces; check the real widths.
    if not all(fits(_join(atoms[i:j])) for i, j in lines):
        return None
    return lines


def _ellipsize(text: str, fits: _Fits) -> str:
    clusters = _clusters(text.rstrip())
    while clusters and not fits("".join(clusters).rstrip() + ELLIPSIS):
        clusters.pop()
    return "".join(clusters).rstrip() + ELLIPSIS


def wrap(
    text: str,
    stack: FontStack,
    size_px: int,
    max_width: float,
    max_lines: int | None = None,
    *,
    bold: bool = False,
) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` pixels as drawn.

    Explicit line breaks are kept. Each paragraph uses the fewest lines possible, with the breaks
    chosen so the lines are of similar width (no lone last word). Lines break at spaces, between
    CJK characters (respecting basic kinsoku rules) and after a hyphen inside a word; a word wider
    than the line is broken between characters. With ``max_lines``, the last line kept ends in an
    ellipsis when text had to be cut.
    """
    if bold:
        stack = stack.bolded()
    fits = _Fits(stack, int(size_px), max_width, False)
    lines: list[str] = []
    for paragraph in sanitize(text, stack).split("\n"):
        atoms: list[_Atom] = []
        for atom in _atoms(paragraph):
            atoms += _split_long(atom, fits) if not fits(atom.text) else [atom]
        if not atoms:
            lines.append("")
            continue
        spans = _greedy(atoms, fits)
        if len(spans) > 1 and len(atoms) <= 400:
            spans = _balanced(atoms, fits, len(spans)) or spans
        lines += [_join(atoms[i:j]) for i, j in spans]
    while lines and not lines[-1]:
        lines.pop()  # trailing blank lines draw nothing
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = _ellipsize(kept[-1], fits) if max_lines > 0 else ""
        lines = [line for line in kept if max_lines > 0]
    return lines


# --- drawing ----------------------------------------------------------------------------------


def draw_text(
    image: Image.Image,
    xy: tuple[float, float],
    text: str,
    stack: FontStack,
    size_px: int,
    fill: Color,
    *,
    stroke_width: int = 0,
    stroke_fill: Color | None = None,
    anchor: str = "la",
    direction: Literal["ltr", "rtl"] | None = None,
    bold: bool = False,
) -> tuple[int, int, int, int]:
    """Draw one line of ``text`` at ``xy`` on an RGBA ``image``; returns its box (x0, y0, x1, y1).

    ``anchor`` is two letters like Pillow's: horizontal ``l``/``m``/``r`` (left, middle, right of
    the line's advance) and vertical ``a`` (ascender), ``m`` (middle), ``s`` (baseline), ``d``
    (descender). ``direction`` forces the paragraph direction; by default the first letter with a
    strong direction decides (Arabic -> right to left). ``stroke_width`` draws an outline in
    ``stroke_fill`` (default: black) around the glyphs.
    """
    line = layout_line(text, stack, size_px, bold=bold, direction=direction)
    x, baseline = _origin(line, xy, anchor)
    _draw_line(image, line, x, baseline, parse_color(fill), stroke_width, stroke_fill)
    return (
        math.floor(x - stroke_width),
        math.floor(baseline - line.ascent - stroke_width),
        math.ceil(x + line.width + stroke_width),
        math.ceil(baseline + line.descent + stroke_width),
    )


def _origin(line: LineLayout, xy: tuple[float, float], anchor: str) -> tuple[float, float]:
    if len(anchor) != 2 or anchor[0] not in "lmr" or anchor[1] not in "amsd":
        raise ValueError(f"anchor must be [lmr][amsd], got {anchor!r}")
    x, y = xy
    x -= {"l": 0.0, "m": line.width / 2, "r": line.width}[anchor[0]]
    y += {
        "a": line.ascent,
        "m": (line.ascent - line.descent) / 2,
        "s": 0,
        "d": -line.descent,
    }[anchor[1]]
    return x, y


def _draw_line(
    image: Image.Image,
    line: LineLayout,
    x: float,
    baseline: float,
    fill: RGBA,
    stroke_width: int,
    stroke_fill: Color | None,
) -> None:
    if image.mode != "RGBA":
        raise ValueError("draw on an RGBA image")
    draw = ImageDraw.Draw(image)
    outline = parse_color(stroke_fill) if stroke_fill is not None else (0, 0, 0, fill[3])
    for run in line.runs:
        font = load_font(run.font, line.size_px)
        extra = max(1, round(line.size_px * SYNTHETIC_BOLD)) if run.embolden else 0
        kwargs = {"font": font, "anchor": "ls", "direction": _dir(run.rtl)}
        if stroke_width > 0:
            draw.text(
                (x, baseline),
                run.text,
                fill=outline,
                stroke_width=stroke_width + extra,
                stroke_fill=outline,
                **kwargs,
            )
        draw.text(
            (x, baseline), run.text, fill=fill, stroke_width=extra, stroke_fill=fill, **kwargs
        )
        x += run.width


def draw_block(
    image: Image.Image,
    box: Box,
    lines: Sequence[str] | str,
    stack: FontStack,
    size_px: int,
    fill: Color,
    *,
    align: Align = "center",
    valign: VAlign = "middle",
    line_spacing: float = 1.2,
    stroke_width: int = 0,
    stroke_fill: Color | None = None,
    background: tuple[Color, int, int] | None = None,
    bold: bool = False,
) -> tuple[int, int, int, int]:
    """Draw lines of text inside ``box`` (x0, y0, x1, y1); returns the box drawn on.

    ``lines`` is a list of lines (see :func:`wrap`) or a string, which is wrapped to the box.
    Lines are ``size_px * line_spacing`` apart. ``align`` places each line: left, center, right,
    or start/end (left/right for left-to-right lines, mirrored for right-to-left ones).
    ``background`` is ``(colour, padding, radius)``: a rounded box behind the text, ``padding``
    pixels around it, for legibility on any picture.
    """
    x0, y0, x1, y1 = box
    padding = background[1] if background else 0
    if isinstance(lines, str):
        lines = wrap(lines, stack, size_px, max(1.0, x1 - x0 - 2 * padding), bold=bold)
    layouts = [layout_line(line, stack, size_px, bold=bold) for line in lines]
    if not layouts:
        return (int(x0), int(y0), int(x0), int(y0))
    first = load_font(stack.paths[0], int(size_px)).getmetrics()
    pitch = size_px * line_spacing
    text_h = pitch * len(layouts)
    top = {"top": y0 + padding, "middle": (y0 + y1 - text_h) / 2, "bottom": y1 - padding - text_h}[
        valign
    ]

    placed: list[tuple[LineLayout, float, float]] = []
    for i, layout in enumerate(layouts):
        side = _side(align, layout.rtl)
        width = layout.width
        lx = {"left": x0 + padding, "right": x1 - padding - width}.get(side, (x0 + x1 - width) / 2)
        baseline = top + i * pitch + (pitch - (first[0] + first[1])) / 2 + first[0]
        placed.append((layout, lx, baseline))

    ink_w = [layout.width for layout in layouts if layout.text]
    left = min((lx for layout, lx, _ in placed if layout.text), default=(x0 + x1) / 2)
    right = max((lx + layout.width for layout, lx, _ in placed if layout.text), default=left)
    bbox = (
        math.floor(left - padding - stroke_width),
        math.floor(top - padding),
        math.ceil(right + padding + stroke_width),
        math.ceil(top + text_h + padding),
    )
    if background is not None and ink_w:
        colour, _, radius = background
        _rounded_box(image, bbox, parse_color(colour), radius)
    rgba = parse_color(fill)
    for layout, lx, baseline in placed:
        _draw_line(image, layout, lx, baseline, rgba, stroke_width, stroke_fill)
    return bbox


def _side(align: Align, rtl: bool) -> str:
    if align == "start":
        return "right" if rtl else "left"
    if align == "end":
        return "left" if rtl else "right"
    if align not in ("left", "center", "right"):
        raise ValueError(f"align must be left, center, right, start or end, got {align!r}")
    return align


def _rounded_box(
    image: Image.Image, bbox: tuple[int, int, int, int], colour: RGBA, radius: int
) -> None:
    """A translucent rounded rectangle composited over what is already on ``image``."""
    x0, y0, x1, y1 = bbox
    if x1 <= x0 or y1 <= y0:
        return
    layer = Image.new("RGBA", (x1 - x0, y1 - y0), (0, 0, 0, 0))
    ImageDraw.Draw(layer).rounded_rectangle(
        (0, 0, x1 - x0 - 1, y1 - y0 - 1), radius=max(0, radius), fill=colour
    )
    dest = (max(0, x0), max(0, y0))
    src = (dest[0] - x0, dest[1] - y0)
    if src[0] < layer.width and src[1] < layer.height:
        image.alpha_composite(layer, dest=dest, source=src)


def block_image(
    lines: Sequence[str],
    stack: FontStack,
    size_px: int,
    fill: Color,
    *,
    align: Align = "center",
    line_spacing: float = 1.2,
    stroke_width: int = 0,
    stroke_fill: Color | None = None,
    background: tuple[Color, int, int] | None = None,
    bold: bool = False,
    min_width: int = 0,
) -> Image.Image:
    """A transparent image just big enough for ``lines`` (and the background box, if any), for
    ffmpeg to overlay wherever it belongs. Arguments as for :func:`draw_block`."""
    padding = background[1] if background else 0
    widths = [layout_line(line, stack, size_px, bold=bold).width for line in lines]
    width = max(min_width, math.ceil(max(widths, default=0.0)) + 2 * (padding + stroke_width) + 2)
    height = math.ceil(size_px * line_spacing * len(lines)) + 2 * padding
    image = Image.new("RGBA", (max(1, width), max(1, height)), (0, 0, 0, 0))
    draw_block(
        image,
        (0, 0, width, height),
        lines,
        stack,
        size_px,
        fill,
        align=align,
        line_spacing=line_spacing,
        stroke_width=stroke_width,
        stroke_fill=stroke_fill,
        background=background,
        bold=bold,
    )
    return image


def fit_text(
    text: str,
    stack: FontStack,
    max_size_px: int,
    width: float,
    height: float,
    *,
    max_lines: int | None = None,
    min_size_px: int = 8,
    line_spacing: float = 1.2,
    bold: bool = False,
) -> tuple[int, list[str]]:
    """The largest size (down to ``min_size_px``) at which ``text`` wraps into ``width`` x
    ``height`` pixels without cutting; returns (size, lines). At the minimum size lines may be cut
    (ellipsis) to respect ``max_lines`` and the height."""
    size = int(max_size_px)
    while True:
        lines = wrap(text, stack, size, width, bold=bold)
        limit = max(1, int(height // (size * line_spacing)))
        if max_lines is not None:
            limit = min(limit, max_lines)
        if len(lines) <= limit or size <= min_size_px:
            if len(lines) > limit:
                lines = wrap(text, stack, size, width, max_lines=limit, bold=bold)
            return size, lines
        size = max(min_size_px, int(size * 0.92))
