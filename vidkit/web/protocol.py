"""uvicorn's httptools protocol with the limits it lacks: a whole request head within
:data:`HEAD_SECONDS`, at most :data:`MAX_HEAD_BYTES` of it, and no reading ahead of a
pipelining client while its queued requests wait for answers.

uvicorn arms its keep-alive timer only while a connection is idle and cancels it on the first
byte, so a client that trickles a byte every few seconds held a connection forever; nor does
its httptools parser cap a request line or headers. ``vidkit serve`` uses this class; with
another launcher pass ``--http vidkit.web.protocol:HttpProtocol``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_SECONDS = 10.0
MAX_HEAD_BYTES = 16 * 1024
COALESCE_BYTES = 64 * 1024


class _Coalescing:
    """The connection's transport as a response cycle sees it: writes made in one step of the
    event loop (an answer's head and body) go out in one ``write`` at the end of that step,
    one system call instead of two; larger ones go at once."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        if not self._parts:
            self._loop.call_soon(self.flush)
        self._parts.append(data)
        self._size += len(data)
        if self._size >= COALESCE_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            data = b"".join(self._parts)
            self._parts, self._size = [], 0
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, ...
        return getattr(self._transport, name)


class HeadTooLarge(Exception):
    """Raised inside a parser callback: httptools turns it into a parse error (answered 400)."""


class HttpProtocol(HttpToolsProtocol):
    # One timer per connection, re-armed only when it fires: per request, just a time stamp.
    _head_timer: asyncio.TimerHandle | None = None
    _waiting_since: float | None = None  # loop time since which a request head is awaited
    _head_bytes = 0
    _writer: _Coalescing | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._waiting_since = self.loop.time()
        self._head_timer = self.loop.call_later(HEAD_SECONDS, self._check_head)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)

    def _check_head(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        since = self._waiting_since
        left = HEAD_SECONDS if since is None else since + HEAD_SECONDS - self.loop.time()
        if left <= 0:
            self.transport.close()  # no whole request head in time
        else:
            self._head_timer = self.loop.call_later(left, self._check_head)

    def on_message_begin(self) -> None:
        self._head_bytes = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value))
        super().on_header(name, value)

    def _count(self, n: int) -> None:
        self._head_bytes += n
        if self._head_bytes > MAX_HEAD_BYTES:
            raise HeadTooLarge

    def on_headers_complete(self) -> None:
        self._waiting_since = None
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.transport is self.transport:
            if self._writer is None:
                self._writer = _Coalescing(self.transport, self.loop)
            self.cycle.transport = self._writer  # type: ignore[assignment]

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing():
            return
        if self.pipeline:
            # uvicorn resumes reading after every answer; with parsed requests still queued,
            # a client that pipelines and never reads would have us read and queue its
            # requests without end. Read again once the queue is answered.
            self.flow.pause_reading()
        elif self.cycle.response_complete:  # every parsed request is answered
            self._waiting_since = self.loop.time()
            self._head_bytes = 0

    def send_400_response(self, msg: str) -> None:
        if self._writer is not None:
            self._writer.flush()  # answers already made go out before the 400
        super().send_400_response(msg)

    def _unsupported_upgrade_warning(self) -> None:
        """An ``Upgrade`` request is served as plain HTTP; no warning per request to flood
        the log with."""


def protocol_options() -> dict[str, Any]:
    """The uvicorn options that go with this protocol (see :func:`vidkit.web.server.config`)."""
    return {"http": HttpProtocol, "ws": "none"}
