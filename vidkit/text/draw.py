"""Drawing text on RGBA images with Pillow: one line, or a block in a box.

Everything here works on Pillow images and :class:`~vidkit.text.fonts.FontStack` s; there is no ffmpeg.
Overlays (lower thirds, cards, caption cues) are drawn on transparent images that ffmpeg then
composes in its one filter graph.

- Text is sanitised first (:func:`vidkit.text.fonts.sanitize`): nothing a font cannot draw is drawn, so
  there are no missing-glyph boxes, and any string is drawn literally - quotes, colons, percent
  signs, braces and backslashes mean nothing special here.
- Lines are laid out by :mod:`vidkit.text.layout` (font fallback, shaping, right-to-left order)
  and broken by :mod:`vidkit.text.linebreak`; both modules' main functions are available from here.
- Sizes are in pixels. Colours are ``"#RRGGBB"``, ``"#RRGGBBAA"`` or RGB(A) tuples.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal

from PIL import Image, ImageDraw

from vidkit.errors import TemplateError
from vidkit.text.fonts import FontStack
from vidkit.text.layout import LineLayout, Run, direction_arg, layout_line, load_font, measure
from vidkit.text.linebreak import ELLIPSIS, fit_text, wrap

__all__ = [
    "ELLIPSIS",
    "Color",
    "LineLayout",
    "Run",
    "block_image",
    "draw_block",
    "draw_text",
    "fit_text",
    "layout_line",
    "load_font",
    "measure",
    "parse_color",
    "wrap",
]

Color = str | tuple[int, int, int] | tuple[int, int, int, int]
RGBA = tuple[int, int, int, int]
Box = tuple[float, float, float, float]
Align = Literal["left", "center", "right", "start", "end"]
VAlign = Literal["top", "middle", "bottom"]

_HEX = re.compile(r"^#([0-9a-fA-F]{6})([0-9a-fA-F]{2})?$")
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
        kwargs = {"font": font, "anchor": "ls", "direction": direction_arg(run.rtl)}
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
