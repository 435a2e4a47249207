"""The share server as a standard ASGI application: ``uvicorn vidkit.web:app``, gunicorn with
uvicorn workers, or ``vidkit serve``.

The routes are :class:`~vidkit.web.app.ShareApp`, a plain ``Request -> Response`` callable run on
the event loop: share pages and clicks stay raw ASGI, with no framework per request. The admin
API runs on a thread of its own, with its own database connection, so a slow report never holds
up a share page. (No framework there either: four routes and a bearer check did not earn one.) The
admins' dashboard (:mod:`vidkit.web.dashboard`) runs on that thread too.

Start-up (lifespan ``startup``) opens the database, replays click-log segments a killed server
left and starts the batch flusher; shutdown commits every answered click and removes this
process's segment. A server that sends no lifespan events gets the same start-up on its first
request. HTTP itself — keep-alive, pipelining, backpressure, limits, proxy headers, graceful
shutdown — is the server's job: see :mod:`vidkit.web.server` for the options ``vidkit serve``
sets.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from vidkit.config import Settings, load_settings
from vidkit.store import Storage, storage_for
from vidkit.track.registry import Registry, utc_day
from vidkit.track.retention import purge
from vidkit.web.api import Api
from vidkit.web.app import ShareApp
from vidkit.web.clicklog import ClickLog
from vidkit.web.dashboard import Dashboard
from vidkit.web.http import Request, Response, response_headers

log = logging.getLogger("vidkit.web")
FLUSH_SECONDS = 0.5
ADOPT_EVERY = 20  # flushes between looks for click-log segments left by a dead server
MAX_BODY_BYTES = 64 * 1024
BODY_SECONDS = 10.0  # a request body must arrive whole within this
CHUNK = 256 * 1024

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class _Running:
    registry: Registry
    storage: Storage
    log: ClickLog
    app: ShareApp
    db_thread: concurrent.futures.ThreadPoolExecutor
    api_thread: concurrent.futures.ThreadPoolExecutor
    api: Api | None = None  # made on the API thread, with its own connection
    dashboard: Dashboard | None = None  # on the API thread too, sharing its connection
    flusher: asyncio.Task[None] | None = None
    replayed: int = 0


class ShareServer:
    """The ASGI callable. Holds only its settings until start-up, so it pickles (uvicorn's
    worker processes) and importing :mod:`vidkit.web` stays cheap."""

    def __init__(self, settings: Settings | None = None, flush_seconds: float = FLUSH_SECONDS):
        self._settings = settings
        self.flush_seconds = flush_seconds
        self.running: _Running | None = None
        self._starting: asyncio.Lock | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"_settings": self._settings, "flush_seconds": self.flush_seconds}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["_settings"], state["flush_seconds"])  # type: ignore[misc, arg-type]

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            running = self.running or await self.startup()
            await self._http(running, scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        # anything else (websocket): not served; returning refuses it

    # lifespan ------------------------------------------------------------------------------

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.exception("share server could not start")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def startup(self) -> _Running:
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self.running is None:
                loop = asyncio.get_running_loop()
                db = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="vidkit-db")
                try:
                    running = await loop.run_in_executor(db, self._open, db)
                except BaseException:
                    db.shutdown(wait=False)
                    raise
                running.flusher = loop.create_task(self._flusher(running))
                self.running = running
                if running.replayed:
                    log.info("replayed %d clicks from the click log", running.replayed)
        return self.running

    def _open(self, db_thread: concurrent.futures.ThreadPoolExecutor) -> _Running:
        s = self.settings
        registry = Registry.open(s.db)
        try:
            storage = storage_for(s)
            clicklog = ClickLog(s.log_dir, registry)
            replayed = clicklog.open()
            app = ShareApp(s, registry, storage, clicklog)
            app.salt(registry.clock())  # made now, not by the first click of the day
        except BaseException:
            registry.close()
            raise
        api_thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="vidkit-api")
        return _Running(registry, storage, clicklog, app, db_thread, api_thread, replayed=replayed)

    async def shutdown(self) -> None:
        """Commit every answered click, remove this process's segment, close."""
        running, self.running = self.running, None
        if running is None:
            return
        if running.flusher is not None:
            running.flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running.flusher
        running.app.close()
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(running.api_thread, self._close_api, running)
            await loop.run_in_executor(running.db_thread, running.log.close)
        finally:
            running.api_thread.shutdown(wait=True)
            running.db_thread.shutdown(wait=True)
            running.registry.close()

    @staticmethod
    def _close_api(running: _Running) -> None:
        if running.api is not None:
            running.api.registry.close()

    async def _flusher(self, running: _Running) -> None:
        loop = asyncio.get_running_loop()
        ticks = 0
        purged = ""
        failing = False
        while True:
            await asyncio.sleep(self.flush_seconds)
            running.log.take()
            ticks += 1
            try:
                await loop.run_in_executor(running.db_thread, running.log.commit)
                if ticks % ADOPT_EVERY == 0:  # segments of a server that died since we started
                    await loop.run_in_executor(running.db_thread, running.log.replay)
                day = utc_day(running.registry.clock())
                if day != purged:  # once a UTC day: raw events past retention, old salts
                    days = self.settings.retention_days
                    await loop.run_in_executor(running.db_thread, purge, running.registry, days)
                    purged = day
            except Exception:  # keep serving; the events stay in the log and are retried
                if not failing:  # once, not every half second while the database is down
                    log.exception("could not commit clicks to the database; will retry")
                failing = True
            else:
                if failing:
                    log.warning("clicks are committed to the database again")
                failing = False

    # requests ------------------------------------------------------------------------------

    async def _http(self, running: _Running, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        body = b""
        if method not in ("GET", "HEAD"):
            try:
                body = await asyncio.wait_for(_read_body(receive), BODY_SECONDS)
            except _TooLarge:
                await _send(send, Response(413, b"request body too large\n"))
                return
            except asyncio.TimeoutError:
                await _send(send, Response(408, b"request body too slow\n"))
                return
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        client = scope.get("client")
        req = Request(
            method,
            path,
            scope.get("query_string", b"").decode("latin-1"),
            {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
            client[0] if client else "",
            body,
        )
        if path.startswith("/api/") or path == "/dashboard" or path.startswith("/dashboard/"):
            loop = asyncio.get_running_loop()
            resp = await loop.run_in_executor(running.api_thread, self._api, running, req)
        else:
            resp = running.app(req)
        await _send(send, resp)

    def _api(self, running: _Running, req: Request) -> Response:
        s = self.settings
        if running.api is None:
            running.api = Api(Registry.open(s.db), s.admin_token, s.base_url)
        if req.path.startswith("/dashboard"):
            if running.dashboard is None:
                running.dashboard = Dashboard(running.api.registry, s)
            return running.dashboard(req)
        return running.api(req)


class _TooLarge(Exception):
    pass


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


async def _send(send: Send, resp: Response) -> None:
    await send(
        {"type": "http.response.start", "status": resp.status, "headers": response_headers(resp)}
    )
    if resp.file is None:
        await send({"type": "http.response.body", "body": resp.body})
        return
    f = resp.file
    loop = asyncio.get_running_loop()
    with open(f.path, "rb") as fh:
        fh.seek(f.start)
        left = f.length
        while True:
            chunk = await loop.run_in_executor(None, fh.read, min(CHUNK, left)) if left else b""
            left -= len(chunk)
            more = left > 0 and bool(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": more})
            if not more:
                return
