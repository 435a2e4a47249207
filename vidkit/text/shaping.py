"""Right-to-left text without a shaping engine: a fallback for Pillow builds lacking raqm.

Pillow shapes Arabic and orders right-to-left text through libraqm, which needs the system's
FriBiDi library. Where that is missing Pillow only has its basic layout, which draws characters
one by one, left to right. This module prepares a right-to-left run for that layout:

* Arabic letters are replaced by their contextual presentation forms (initial, medial, final,
  isolated; lam-alef ligatures), found by Unicode name, with joining types inferred from which
  forms exist;
* the run is reversed into display order, keeping combining marks after their base, and brackets
  are mirrored.

It is not a full shaper (no mark positioning beyond the font's defaults, no optional ligatures)
but gives correctly joined, correctly ordered Arabic and Persian text.
"""

from __future__ import annotations

import functools
import unicodedata

_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹"))
_LAM = "\u0644"
_LAM_ALEF = {
    "\u0622": "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE",
    "\u0623": "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE",
    "\u0625": "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW",
    "\u0627": "ARABIC LIGATURE LAM WITH ALEF",
}
_JOIN_CAUSING = {"\u0640", "\u200d"}  # tatweel, zero width joiner


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


@functools.lru_cache(maxsize=1024)
def _form(char: str, form: str) -> str | None:
    """The presentation form ('ISOLATED', 'INITIAL', 'MEDIAL', 'FINAL') of an Arabic letter."""
    name = unicodedata.name(char, "")
    if not name.startswith("ARABIC LETTER"):
        return None
    try:
        return unicodedata.lookup(f"{name} {form} FORM")
    except KeyError:
        return None


@functools.lru_cache(maxsize=1024)
def joining_type(char: str) -> str:
    """'D' dual-joining, 'R' right-joining, 'C' join-causing, 'T' transparent, 'U' non-joining."""
    if _is_mark(char):
        return "T"
    if char in _JOIN_CAUSING:
        return "C"
    if _form(char, "INITIAL") or _form(char, "MEDIAL"):
        return "D"
    if _form(char, "FINAL"):
        return "R"
    return "U"


def has_arabic(text: str) -> bool:
    return any(0x0600 <= ord(c) <= 0x06FF or 0x0750 <= ord(c) <= 0x077F for c in text)


def arabic_presentation_forms(text: str) -> str:
    """``text`` (logical order) with Arabic letters in their contextual presentation forms."""
    types = [joining_type(c) for c in text]

    def neighbour(i: int, step: int) -> int | None:
        j = i + step
        while 0 <= j < len(text) and types[j] == "T":
            j += step
        return j if 0 <= j < len(text) else None

    out: list[str] = []
    skip: set[int] = set()
    for i, char in enumerate(text):
        if i in skip:
            continue
        kind = types[i]
        if kind not in ("D", "R"):
            out.append(char)
            continue
        prev = neighbour(i, -1)
        joins_prev = prev is not None and types[prev] in ("D", "C")
        nxt = neighbour(i, 1)
        if char == _LAM and nxt is not None and text[nxt] in _LAM_ALEF:
            form = "FINAL" if joins_prev else "ISOLATED"
            out.append(unicodedata.lookup(f"{_LAM_ALEF[text[nxt]]} {form} FORM"))
            out.extend(text[k] for k in range(i + 1, nxt))  # marks on the lam
            skip.update(range(i + 1, nxt + 1))
            continue
        joins_next = kind == "D" and nxt is not None and types[nxt] in ("D", "R", "C")
        if joins_prev and joins_next:
            wanted = ("MEDIAL", "FINAL", "INITIAL", "ISOLATED")
        elif joins_prev:
            wanted = ("FINAL", "ISOLATED")
        elif joins_next:
            wanted = ("INITIAL", "ISOLATED")
        else:
            wanted = ("ISOLATED",)
        out.append(next((f for w in wanted if (f := _form(char, w))), char))
    return "".join(out)


def display_order(text: str) -> str:
    """A right-to-left run reversed for left-to-right drawing: marks stay after their base,
    brackets are mirrored."""
    clusters: list[str] = []
    for char in text:
        if clusters and (_is_mark(char) or char in "\u200c\u200d"):
            clusters[-1] += char
        else:
            clusters.append(_MIRROR.get(char, char))
    return "".join(reversed(clusters))


def rtl_run_for_basic_layout(text: str) -> str:
    """What Pillow's basic layout must draw to show the right-to-left run ``text``."""
    if has_arabic(text):
        text = arabic_presentation_forms(text)
    return display_order(text)
