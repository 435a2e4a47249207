"""Laying out one line of text: font runs, direction runs, display order, metrics.

A line is split into font runs (the stack's brand font first, bundled fallbacks after; see
:mod:`vidkit.text.fonts`) and into direction runs (:mod:`vidkit.text.bidi`). Each run is shaped by Pillow's
raqm layout (Arabic joining, ligatures, kerning) and the runs are put in display order. Where
Pillow has no raqm (it needs the system's FriBiDi library), right-to-left runs are shaped by
:mod:`vidkit.text.shaping` instead. Sizes are in pixels.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import ImageFont, features

from vidkit.errors import TemplateError
from vidkit.text import bidi, shaping
from vidkit.text.fonts import FontStack, is_mark, sanitize, text_runs

_LAYOUT = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC


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
    right-to-left run already shaped and reversed by :mod:`vidkit.text.shaping`.
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
        width = load_font(font, size_px).getlength(piece_text, direction=direction_arg(is_rtl))
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


def direction_arg(rtl: bool) -> str | None:
    """Pillow's ``direction`` argument for a run (None under the basic layout, which has none)."""
    if _LAYOUT != ImageFont.Layout.RAQM:
        return None
    return "rtl" if rtl else "ltr"


def measure(text: str, stack: FontStack, size_px: int, bold: bool = False) -> tuple[int, int]:
    """Width (advance) and height (ascent + descent of the stack's first font) in pixels of
    ``text`` drawn as one line."""
    line = layout_line(text, stack, size_px, bold=bold)
    return math.ceil(line.width), line.height
