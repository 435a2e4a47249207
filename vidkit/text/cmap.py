"""Which characters a font file has: a small reader for the OpenType ``cmap`` table.

Reads TrueType/OpenType fonts (``.ttf``, ``.otf``) and collections (``.ttc``, first face) with the
standard library only; fast enough to call on CJK fonts at start-up (no glyph names, no outlines).
Supports the Unicode subtable formats fonts actually use: 4 (BMP) and 12 (full range).
"""

from __future__ import annotations

import struct
from pathlib import Path

from vidkit.errors import TemplateError


class FontFormatError(TemplateError, ValueError):
    """Not a font file this reader understands."""


_SFNT_VERSIONS = {b"\x00\x01\x00\x00", b"OTTO", b"true"}
# (platform, encoding) in order of preference: Windows full Unicode, Unicode full, Windows BMP,
# Unicode BMP.
_PREFERRED = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def read_codepoints(path: Path) -> frozenset[int]:
    """The code points the font at ``path`` maps to a glyph (glyph 0, .notdef, excluded)."""
    data = path.read_bytes()
    table = _find_table(data, _first_face_offset(data), b"cmap")
    return _parse_cmap(data, table)


def _first_face_offset(data: bytes) -> int:
    if data[:4] == b"ttcf":
        if len(data) < 16:
            raise FontFormatError("truncated font collection")
        return struct.unpack_from(">I", data, 12)[0]
    if data[:4] in _SFNT_VERSIONS:
        return 0
    if data[:4] in (b"wOFF", b"wOF2"):
        raise FontFormatError("WOFF web fonts are not supported; use the .ttf or .otf file")
    raise FontFormatError("not a TrueType or OpenType font")


def _find_table(data: bytes, offset: int, tag: bytes) -> int:
    try:
        (count,) = struct.unpack_from(">H", data, offset + 4)
        for i in range(count):
            record = offset + 12 + 16 * i
            if data[record : record + 4] == tag:
                return struct.unpack_from(">I", data, record + 8)[0]
    except struct.error:
        raise FontFormatError("truncated font file") from None
    raise FontFormatError(f"font has no {tag.decode()} table")


def _parse_cmap(data: bytes, table: int) -> frozenset[int]:
    try:
        _, count = struct.unpack_from(">HH", data, table)
        subtables: dict[tuple[int, int], int] = {}
        for i in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", data, table + 4 + 8 * i)
            subtables.setdefault((platform, encoding), table + offset)
        for key in _PREFERRED:
            if key in subtables:
                start = subtables[key]
                (fmt,) = struct.unpack_from(">H", data, start)
                if fmt == 12:
                    return _format12(data, start)
                if fmt == 4:
                    return _format4(data, start)
    except struct.error:
        raise FontFormatError("truncated cmap table") from None
    raise FontFormatError("font has no Unicode character map of format 4 or 12")


def _format4(data: bytes, start: int) -> frozenset[int]:
    (seg_x2,) = struct.unpack_from(">H", data, start + 6)
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", data, start + 14)
    starts_at = start + 16 + seg_x2
    starts = struct.unpack_from(f">{segs}H", data, starts_at)
    deltas = struct.unpack_from(f">{segs}h", data, starts_at + seg_x2)
    range_at = starts_at + 2 * seg_x2
    range_offsets = struct.unpack_from(f">{segs}H", data, range_at)
    out: set[int] = set()
    for i in range(segs):
        first, last, delta, range_offset = starts[i], ends[i], deltas[i], range_offsets[i]
        if first == 0xFFFF:
            continue
        if range_offset == 0:
            out.update(c for c in range(first, last + 1) if (c + delta) & 0xFFFF)
            continue
        base = range_at + 2 * i + range_offset
        for c in range(first, last + 1):
            (glyph,) = struct.unpack_from(">H", data, base + 2 * (c - first))
            if glyph and (glyph + delta) & 0xFFFF:
                out.add(c)
    return frozenset(out)


def _format12(data: bytes, start: int) -> frozenset[int]:
    (groups,) = struct.unpack_from(">I", data, start + 12)
    out: set[int] = set()
    for i in range(groups):
        first, last, glyph = struct.unpack_from(">III", data, start + 16 + 12 * i)
        if last - first > 0x10FFFF:
            raise FontFormatError("corrupt cmap group")
        out.update(range(first + (glyph == 0), last + 1))
    return frozenset(out)
