"""What the routes see: a :class:`Request` in, a :class:`Response` out, as plain data.

The HTTP protocol itself is the ASGI server's (uvicorn): :mod:`vidkit.web.asgi` turns an ASGI
``http`` scope into a :class:`Request` and a :class:`Response` into ASGI messages. A response may
name a file range instead of a body; it is then streamed with the server's flow control.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

RawHeaders = list[tuple[bytes, bytes]]


@dataclass(slots=True)
class Request:
    method: str
    path: str  # as sent, still percent-encoded, without the query
    query: str
    headers: dict[str, str]  # lower-case names
    client: str  # peer address (the server has applied trusted proxy headers, if configured)
    body: bytes = b""


@dataclass(slots=True)
class FileRange:
    path: Path
    start: int
    length: int


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/plain; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    file: FileRange | None = None
    raw: RawHeaders | None = None  # pre-encoded headers (see encode_headers); replace the above


def encode_headers(
    content_type: str | None, length: int | None, headers: list[tuple[str, str]]
) -> RawHeaders:
    """ASGI header pairs; computed once for answers that do not change (share pages)."""
    out: RawHeaders = []
    if content_type:
        out.append((b"content-type", content_type.encode("latin-1")))
    if length is not None:
        out.append((b"content-length", str(length).encode()))
    out.extend((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers)
    return out


def response_headers(resp: Response) -> RawHeaders:
    if resp.raw is not None:
        return resp.raw
    if resp.status in (204, 304):  # these carry no Content-Length
        length = None
    else:
        length = resp.file.length if resp.file is not None else len(resp.body)
    return encode_headers(resp.content_type, length, resp.headers)
