"""Serving stored files (``file://`` storage) with byte ranges, as video players expect."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from vidkit.web.http import FileRange, Response

_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")
IMMUTABLE = "public, max-age=31536000, immutable"


def file_response(path: Path, headers: Mapping[str, str], content_type: str, etag: str) -> Response:
    """200, 206 or 416 for ``path``; 304 when the client already has this content."""
    size = path.stat().st_size
    common = [("accept-ranges", "bytes"), ("etag", f'"{etag}"'), ("cache-control", IMMUTABLE)]
    if headers.get("if-none-match", "").strip() == f'"{etag}"':
        return Response(304, b"", content_type=None, headers=common)
    wanted = headers.get("range")
    if wanted and headers.get("if-range", f'"{etag}"').strip() == f'"{etag}"':
        span = parse_range(wanted, size)
        if span is None:
            return Response(
                416, b"", content_type=None, headers=[("content-range", f"bytes */{size}")]
            )
        start, end = span
        return Response(
            206,
            content_type=content_type,
            headers=[*common, ("content-range", f"bytes {start}-{end}/{size}")],
            file=FileRange(path, start, end - start + 1),
        )
    return Response(200, content_type=content_type, headers=common, file=FileRange(path, 0, size))


MAX_DIGITS = 18  # byte positions past this many digits are beyond any file: no int() of them


def _position(digits: str) -> int:
    return int(digits) if len(digits) <= MAX_DIGITS else 10**MAX_DIGITS


def parse_range(value: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte span of a single ``bytes=`` range, or None if unsatisfiable."""
    m = _RANGE.fullmatch(value.strip())
    if not m or size == 0 or (not m.group(1) and not m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if not first:  # the last N bytes
        n = _position(last)
        if n == 0:
            return None
        return max(0, size - n), size - 1
    start = _position(first)
    end = min(_position(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end
