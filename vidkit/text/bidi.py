"""Right-to-left text on one line: embedding levels and display order, simplified.

A line can mix scripts drawn with different fonts (an Arabic phrase with an English word and a
number in it). Each font run is shaped on its own by Pillow/raqm, so the order of the runs on the
line must be worked out here. This follows the Unicode Bidirectional Algorithm (UAX #9) for the
cases campaign text has - no explicit embeddings or isolates (sanitising drops those controls):

* the paragraph direction is that of the first strong letter (P2/P3), or a given one;
* European numbers after a left-to-right letter count as left-to-right (W7);
* neutrals (spaces, punctuation) take the direction of the text around them when both sides
  agree, numbers counting as right-to-left, else the paragraph direction (N1/N2);
* levels as in I1/I2, trailing spaces at paragraph level (L1), runs reversed from the highest
  level down (L2).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

_STRONG_RTL = ("R", "AL")


def _kind(char: str) -> str:
    """'L', 'R', 'EN' (European digits), 'AN' (Arabic digits) or 'N' (neutral)."""
    cls = unicodedata.bidirectional(char)
    if cls == "L":
        return "L"
    if cls in _STRONG_RTL:
        return "R"
    if cls in ("EN", "AN"):
        return cls
    return "N"


def is_rtl_paragraph(text: str) -> bool:
    """True when the first letter with a strong direction is right-to-left."""
    for char in text:
        cls = unicodedata.bidirectional(char)
        if cls == "L":
            return False
        if cls in _STRONG_RTL:
            return True
    return False


def levels(text: str, rtl: bool | None = None) -> list[int]:
    """Embedding level of each character (even: left-to-right, odd: right-to-left)."""
    if rtl is None:
        rtl = is_rtl_paragraph(text)
    base = 1 if rtl else 0
    kinds: list[str] = []
    last_strong = "R" if rtl else "L"
    for char in text:
        kind = _kind(char)
        if unicodedata.category(char) in ("Mn", "Me") and kinds:
            kind = kinds[-1]  # W1: a mark takes the type of its base
        elif kind == "EN" and last_strong == "L":
            kind = "L"  # W7
        if kind in ("L", "R"):
            last_strong = kind
        kinds.append(kind)

    # N1/N2: resolve runs of neutrals from their neighbours; numbers count as R.
    direction = ["L" if k == "L" else "R" if k in ("R", "EN", "AN") else "" for k in kinds]
    sos = eos = "R" if rtl else "L"
    i = 0
    while i < len(direction):
        if direction[i]:
            i += 1
            continue
        j = i
        while j < len(direction) and not direction[j]:
            j += 1
        before = direction[i - 1] if i > 0 else sos
        after = direction[j] if j < len(direction) else eos
        fill = before if before == after else ("R" if rtl else "L")
        for k in range(i, j):
            direction[k] = fill
        i = j

    out: list[int] = []
    for kind, resolved in zip(kinds, direction):
        if kind in ("EN", "AN"):
            out.append(2)  # I1/I2: numbers are one or two levels up; both give 2 here
        elif resolved == "R":
            out.append(1)
        else:
            out.append(2 if rtl else 0)

    # L1: trailing whitespace goes back to the paragraph level.
    k = len(text) - 1
    while k >= 0 and text[k].isspace():
        out[k] = base
        k -= 1
    return out


def visual_order(run_levels: Sequence[int]) -> list[int]:
    """Indexes of runs in display order (left to right), given each run's level (rule L2)."""
    order = list(range(len(run_levels)))
    if not run_levels:
        return order
    highest = max(run_levels)
    lowest_odd = min((lv for lv in run_levels if lv % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if run_levels[order[i]] >= level:
                j = i
                while j < len(order) and run_levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order
