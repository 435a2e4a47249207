"""From a platform's export file to rows of text cells: CSV, XLSX, or a zip of them.

The edges of reading: the encoding (a UTF-8 BOM, UTF-16 with or without a BOM, Excel's
``sep=,`` first line, a ``;`` or tab delimiter), XLSX through openpyxl, and zips through
:mod:`zipfile`, bounded (members over :data:`MAX_MEMBER` bytes, more than :data:`MAX_MEMBERS`
files or a compression ratio over :data:`MAX_RATIO` are refused: no zip bomb fills memory).
Each :class:`Sheet` keeps every row's line number so errors can name it.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath

from vidkit.errors import VidkitError

MAX_FILE = 100 * 1024 * 1024  # an export of a few thousand posts is a few MB
MAX_MEMBER = 50 * 1024 * 1024
MAX_MEMBERS = 200
MAX_RATIO = 200  # text compresses ~10x; a bomb compresses 1000x
TABLES = (".csv", ".xlsx", ".txt", ".tsv")


class ExportError(VidkitError):
    """An export file that cannot be read: not a table, too large, or not a known format."""

    exit_code = 2


@dataclass(frozen=True)
class Sheet:
    """One table of a file: ``rows`` of (line number, cells), ``name`` the path (or
    ``archive.zip/member.csv``, ``book.xlsx/Sheet1``)."""

    name: str
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    notes: tuple[str, ...] = ()  # what reading had to guess (an encoding)


def read(path: Path) -> list[Sheet]:
    """The tables in ``path`` (a CSV, an XLSX workbook, or a zip of those)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise ExportError(f"is {size // 2**20} MB, over the {MAX_FILE // 2**20} MB limit",
                              path=path)  # fmt: skip
        raw = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"cannot read: {exc.strerror or exc}", path=path) from None
    return from_bytes(str(path), raw)


def from_bytes(name: str, raw: bytes) -> list[Sheet]:
    """The tables in the file ``name`` whose content is ``raw``."""
    if raw[:4] == b"PK\x03\x04":
        with _zip(name, raw) as archive:
            if "xl/workbook.xml" in archive.namelist():
                return _xlsx(name, raw)
            return _members(name, archive)
    return [csv_sheet(name, raw)]


def _zip(name: str, raw: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise ExportError("is not a readable zip or XLSX file", path=name) from None
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS * 20:
        raise ExportError(f"holds {len(infos)} files, too many to be an export", path=name)
    for info in infos:
        if info.file_size > MAX_MEMBER or info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ExportError(
                f"{info.filename} unpacks to {info.file_size} bytes: refused "
                f"(over {MAX_MEMBER // 2**20} MB or {MAX_RATIO}x compressed)",
                path=name,
            )
    return archive


def _members(name: str, archive: zipfile.ZipFile) -> list[Sheet]:
    sheets = []
    members = [
        i for i in archive.infolist()
        if not i.is_dir() and PurePosixPath(i.filename).suffix.lower() in TABLES
        and not PurePosixPath(i.filename).name.startswith(("._", "~$"))
    ]  # fmt: skip
    if len(members) > MAX_MEMBERS:
        raise ExportError(f"holds {len(members)} tables, over {MAX_MEMBERS}", path=name)
    for info in members:
        inner = f"{name}/{info.filename}"
        with archive.open(info) as fh:
            data = fh.read(MAX_MEMBER + 1)
        if len(data) > MAX_MEMBER:  # the header lied about the size
            raise ExportError(f"{info.filename} unpacks to more than it says", path=name)
        if data[:4] == b"PK\x03\x04":  # a workbook inside (checked as a zip too); no deeper zips
            with _zip(inner, data) as book:
                if "xl/workbook.xml" not in book.namelist():
                    raise ExportError(f"{info.filename} is a zip inside the zip", path=name)
            sheets += _xlsx(inner, data)
        else:
            sheets.append(csv_sheet(inner, data))
    return sheets


# CSV ----------------------------------------------------------------------------------------


def decode(name: str, raw: bytes) -> tuple[str, list[str]]:
    """The text of ``raw`` and what had to be guessed about it."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), []
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace"), []
    head = raw[:200]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:  # UTF-16 LE without a BOM
        return raw.decode("utf-16-le", errors="replace"), ["read as UTF-16 (no byte-order mark)"]
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
        return raw.decode("utf-16-be", errors="replace"), ["read as UTF-16 (no byte-order mark)"]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), ["not UTF-8: read as Windows-1252"]


def csv_sheet(name: str, raw: bytes) -> Sheet:
    """A CSV export as a :class:`Sheet` (encoding and delimiter sniffed, ``sep=`` honoured)."""
    text, notes = decode(name, raw)
    if "\x00" in text:
        raise ExportError("is not a text table (binary content)", path=name)
    first_line = 1
    delimiter = None
    head, _, rest = text.partition("\n")
    if head.strip().lower().startswith("sep=") and len(head.strip()) == 5:  # Excel's hint
        delimiter, text, first_line = head.strip()[4], rest, 2
    if delimiter is None:
        delimiter = _delimiter(text[:4096].splitlines()[:5])
    return Sheet(name, tuple(_csv_rows(name, text, delimiter, first_line)), tuple(notes))


def _delimiter(head: list[str]) -> str:
    sample = "".join(head)
    counts = {d: sample.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _csv_rows(
    name: str, text: str, delimiter: str, first_line: int
) -> Iterator[tuple[int, tuple[str, ...]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = first_line
    try:
        for cells in reader:
            here, start = start, first_line + reader.line_num
            yield here, tuple(c.strip() for c in cells) if any(c.strip() for c in cells) else ()
    except csv.Error as exc:
        raise ExportError(f"is not valid CSV: {exc}", path=name, line=start) from None


# XLSX ---------------------------------------------------------------------------------------


def _xlsx(name: str, raw: bytes) -> list[Sheet]:
    # openpyxl is imported here: only an XLSX import pays for loading it
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ExportError(f"is not a readable XLSX workbook: {exc}", path=name) from None
    try:
        return [
            Sheet(f"{name}/{ws.title}", tuple(
                (n, tuple(_cell(v) for v in row))
                for n, row in enumerate(ws.iter_rows(values_only=True), start=1)
            ))
            for ws in book.worksheets
        ]  # fmt: skip
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
