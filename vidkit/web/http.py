"""A small, fast HTTP/1.1 server on asyncio with the httptools parser.

Handlers are plain functions ``Request -> Response`` run on the event loop as each request is
parsed, so a keep-alive connection's answers go out in order with no task per request. A
:class:`Response` may name a file range instead of a body; the connection then streams it with
flow control before answering the next pipelined request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path

import httptools

log = logging.getLogger("vidkit.web")
MAX_HEAD_BYTES = 16 * 1024
MAX_BODY_BYTES = 64 * 1024
IDLE_SECONDS = 60.0
CHUNK = 256 * 1024
_STATUS = {s.value: f"HTTP/1.1 {s.value} {s.phrase}\r\n".encode() for s in HTTPStatus}


@dataclass(slots=True)
class Request:
    method: str
    path: str  # as sent, still percent-encoded, without the query
    query: str
    headers: dict[str, str]  # lower-case names
    client: str  # peer address
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
    head: bytes | None = None  # pre-encoded header lines (see header_block); replaces the above


Handler = Callable[[Request], Response]


class _Clock:
    """The Date header, formatted once a second."""

    def __init__(self) -> None:
        self._second = 0
        self._header = b""

    def date(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._header = f"date: {formatdate(now, usegmt=True)}\r\n".encode()
        return self._header


_clock = _Clock()


def header_block(
    content_type: str | None, length: int | None, headers: list[tuple[str, str]]
) -> bytes:
    """Header lines that do not change between answers, encoded once (for hot responses)."""
    parts = [b"server: vidkit\r\n"]
    if content_type:
        parts.append(f"content-type: {content_type}\r\n".encode())
    if length is not None:
        parts.append(f"content-length: {length}\r\n".encode())
    for name, value in headers:
        parts.append(f"{name}: {value}\r\n".encode("latin-1"))
    return b"".join(parts)


def head_bytes(resp: Response, length: int, keep_alive: bool) -> bytes:
    status = _STATUS.get(resp.status) or f"HTTP/1.1 {resp.status} Unknown\r\n".encode()
    block = resp.head
    if block is None:
        bodiless = resp.status in (204, 304)  # these carry no Content-Length
        block = header_block(resp.content_type, None if bodiless else length, resp.headers)
    parts = [status, _clock.date(), block]
    if not keep_alive:
        parts.append(b"connection: close\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)


class HttpProtocol(asyncio.Protocol):
    """One client connection."""

    def __init__(self, handler: Handler, connections: set[HttpProtocol]) -> None:
        self.handler = handler
        self.connections = connections
        self.transport: asyncio.Transport | None = None
        self.client = ""
        self.parser = httptools.HttpRequestParser(self)
        self.last_active = time.monotonic()
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._size = 0
        self._too_big = 0  # status to answer when a limit was passed
        self._queue: deque[tuple[Request, bool]] = deque()
        self._streaming = False
        self._closed = False
        self._can_write: asyncio.Event | None = None

    # asyncio callbacks ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.client = str(peer[0]) if peer else ""
        self.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self.connections.discard(self)
        if self._can_write is not None:
            self._can_write.set()

    def data_received(self, data: bytes) -> None:
        self.last_active = time.monotonic()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(400)
        except httptools.HttpParserError:
            self._fail(self._too_big or 400)

    def pause_writing(self) -> None:
        self._can_write = asyncio.Event()

    def resume_writing(self) -> None:
        if self._can_write is not None:
            self._can_write.set()
            self._can_write = None

    # parser callbacks -----------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._body = []
        self._size = 0

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._grow(len(url), MAX_HEAD_BYTES, 431)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))
        self._size += len(name) + len(value)
        if self._size > MAX_HEAD_BYTES:
            self._grow(0, MAX_HEAD_BYTES, 431)

    def on_body(self, body: bytes) -> None:
        self._body.append(body)
        self._grow(len(body), MAX_HEAD_BYTES + MAX_BODY_BYTES, 413)

    def _grow(self, n: int, limit: int, status: int) -> None:
        self._size += n
        if self._size > limit:
            self._too_big = status
            raise ValueError("request too large")  # makes feed_data raise a parser error

    def on_message_complete(self) -> None:
        url = self._url.decode("latin-1")
        path, _, query = url.partition("?")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in self._headers}
        request = Request(
            method=self.parser.get_method().decode("ascii", "replace"),
            path=path,
            query=query,
            headers=headers,
            client=self.client,
            body=b"".join(self._body),
        )
        keep_alive = self.parser.should_keep_alive()
        if self._streaming:
            self._queue.append((request, keep_alive))
        else:
            self._answer(request, keep_alive)

    # answering ------------------------------------------------------------------------------

    def _answer(self, request: Request, keep_alive: bool) -> None:
        if self._closed or self.transport is None:
            return
        try:
            resp = self.handler(request)
        except Exception:
            log.exception("error answering %s %s", request.method, request.path[:200])
            resp = Response(500, b"internal error\n")
        head = request.method == "HEAD"
        if resp.file is not None:
            self._streaming = True
            self.transport.pause_reading()
            asyncio.get_running_loop().create_task(self._stream(resp, head, keep_alive))
            return
        data = head_bytes(resp, len(resp.body), keep_alive)
        self.transport.write(data if head else data + resp.body)
        if not keep_alive:
            self.transport.close()
            self._closed = True

    async def _stream(self, resp: Response, head: bool, keep_alive: bool) -> None:
        assert resp.file is not None and self.transport is not None
        fr = resp.file
        try:
            self.transport.write(head_bytes(resp, fr.length, keep_alive))
            if not head:
                with open(fr.path, "rb") as f:
                    f.seek(fr.start)
                    left = fr.length
                    while left > 0 and not self._closed:
                        chunk = f.read(min(CHUNK, left))
                        if not chunk:
                            break
                        self.transport.write(chunk)
                        left -= len(chunk)
                        if self._can_write is not None:
                            await self._can_write.wait()
                if left > 0:  # the file shrank: the client cannot trust this response
                    keep_alive = False
        except OSError:
            keep_alive = False
        finally:
            self._streaming = False
        if not keep_alive:
            self.transport.close()
            self._closed = True
            return
        self.transport.resume_reading()
        while self._queue and not self._streaming and not self._closed:
            self._answer(*self._queue.popleft())

    def _fail(self, status: int) -> None:
        if self.transport is not None and not self._closed:
            resp = Response(status, f"{HTTPStatus(status).phrase.lower()}\n".encode())
            self.transport.write(head_bytes(resp, len(resp.body), False) + resp.body)
            self.transport.close()
            self._closed = True

    def idle_close(self, now: float) -> None:
        if not self._streaming and now - self.last_active > IDLE_SECONDS and self.transport:
            self.transport.close()


async def sweep_idle(connections: set[HttpProtocol], every: float = 10.0) -> None:
    """Close connections idle for longer than :data:`IDLE_SECONDS` (slow or stuck clients)."""
    while True:
        await asyncio.sleep(every)
        now = time.monotonic()
        for conn in list(connections):
            with contextlib.suppress(Exception):
                conn.idle_close(now)
