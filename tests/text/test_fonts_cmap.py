"""The cmap reader: formats 4 and 12, collections, and files that are not fonts."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from vidkit.text import fonts
from vidkit.text.cmap import FontFormatError, read_codepoints
from vidkit.text.fonts import bundled_fonts_dir


def sfnt(tables: dict[bytes, bytes]) -> bytes:
    """A minimal font file holding ``tables``."""
    header = struct.pack(">4sHHHH", b"\x00\x01\x00\x00", len(tables), 0, 0, 0)
    offset = 12 + 16 * len(tables)
    records, body = b"", b""
    for tag, data in tables.items():
        records += struct.pack(">4sIII", tag, 0, offset + len(body), len(data))
        body += data
    return header + records + body


def cmap_format12(groups: list[tuple[int, int, int]]) -> bytes:
    sub = struct.pack(">HHIII", 12, 0, 16 + 12 * len(groups), 0, len(groups))
    sub += b"".join(struct.pack(">III", *g) for g in groups)
    return struct.pack(">HHHHI", 0, 1, 3, 10, 12) + sub


def test_format4_font_has_its_letters() -> None:
    latin = read_codepoints(bundled_fonts_dir() / fonts.LATIN_REGULAR)
    assert {ord(c) for c in "AZaz09 éßΩЖ€"} <= latin
    assert ord("你") not in latin and 0xFFFF not in latin


def test_format12_groups(tmp_path: Path) -> None:
    path = tmp_path / "f12.ttf"
    path.write_bytes(sfnt({b"cmap": cmap_format12([(0x41, 0x43, 5), (0x1F600, 0x1F601, 9)])}))
    assert read_codepoints(path) == {0x41, 0x42, 0x43, 0x1F600, 0x1F601}


def test_a_collection_reads_its_first_face(tmp_path: Path) -> None:
    single = (bundled_fonts_dir() / fonts.ARABIC_REGULAR).read_bytes()
    # Wrap the font in a one-face collection: table offsets move by the 16-byte TTC header.
    (count,) = struct.unpack_from(">H", single, 4)
    shifted = bytearray(single)
    for i in range(count):
        at = 12 + 16 * i + 8
        struct.pack_into(">I", shifted, at, struct.unpack_from(">I", single, at)[0] + 16)
    path = tmp_path / "one.ttc"
    path.write_bytes(struct.pack(">4sHHII", b"ttcf", 1, 0, 1, 16) + bytes(shifted))
    assert read_codepoints(path) == read_codepoints(bundled_fonts_dir() / fonts.ARABIC_REGULAR)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"wOF2" + b"\0" * 40, "WOFF"),
        (b"not a font at all", "not a TrueType"),
        (b"OTTO\0", "truncated"),
        (sfnt({b"head": b"\0" * 54}), "no cmap"),
        (b"", "not a TrueType"),
    ],
)
def test_files_that_are_not_fonts(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.ttf"
    path.write_bytes(data)
    with pytest.raises(FontFormatError, match=message):
        read_codepoints(path)
