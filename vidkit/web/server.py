"""Run the share server: replay the click log, listen, commit clicks in batches, stop cleanly.

``ShareServer`` owns the registry connection, the storage, the click log and the listening
socket. :func:`serve` runs one in the foreground until SIGINT/SIGTERM; :class:`BackgroundServer`
runs one on a thread (tests, notebooks).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from types import TracebackType

from ..config import Settings
from ..registry import Registry, utc_day
from ..retention import purge
from ..storage import Storage, open_storage
from .app import ShareApp
from .clicklog import ClickLog
from .http import HttpProtocol, sweep_idle

log = logging.getLogger("vidkit.web")
FLUSH_SECONDS = 0.5


class ShareServer:
    def __init__(
        self,
        settings: Settings,
        *,
        registry: Registry | None = None,
        storage: Storage | None = None,
        flush_seconds: float = FLUSH_SECONDS,
    ) -> None:
        self.settings = settings
        self._own_registry = registry is None
        self.registry = registry or Registry.open(settings.db)
        self.storage = storage or open_storage(
            settings.storage, base_url=settings.base_url, public_url=settings.s3_public_url
        )
        self.log = ClickLog(settings.log_dir, self.registry)
        self.flush_seconds = flush_seconds
        self.app: ShareApp | None = None
        self.replayed = 0
        self.port = 0
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[HttpProtocol] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="vidkit-db")
        self._purged_day = ""

    async def start(self, host: str = "127.0.0.1", port: int = 8000) -> int:
        """Replay the click log, then listen; return the bound port."""
        loop = asyncio.get_running_loop()
        self.replayed = await loop.run_in_executor(self._executor, self.log.open)
        self.app = ShareApp(self.settings, self.registry, self.storage, self.log)
        app, conns = self.app, self._connections
        self._server = await loop.create_server(
            lambda: HttpProtocol(app, conns), host, port, backlog=2048, reuse_address=True
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        self._tasks = [
            loop.create_task(self._flusher()),
            loop.create_task(sweep_idle(self._connections)),
        ]
        return self.port

    async def _flusher(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.flush_seconds)
            self.log.take()
            try:
                await loop.run_in_executor(self._executor, self.log.commit)
                await self._daily(loop)
            except Exception:  # keep serving; the events stay in the log and are retried
                log.exception("could not commit clicks to the database; will retry")

    async def _daily(self, loop: asyncio.AbstractEventLoop) -> None:
        """Once a UTC day: drop raw events past retention and salts past 48 h."""
        day = utc_day(self.registry.clock())
        if day != self._purged_day:
            days = self.settings.retention_days
            await loop.run_in_executor(self._executor, purge, self.registry, days)
            self._purged_day = day

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for conn in list(self._connections):
                if conn.transport is not None:
                    conn.transport.close()
            await self._server.wait_closed()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.app is not None:
            self.app.close()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self.log.close)
        self._executor.shutdown(wait=True)
        if self._own_registry:
            self.registry.close()


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (faster), else asyncio's own loop."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - e.g. Windows
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    on_ready: Callable[[ShareServer], None] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM, then commit what is pending and stop."""
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    server = ShareServer(settings)
    try:
        loop.run_until_complete(server.start(host, port))
        if on_ready:
            on_ready(server)
        stopping = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # pragma: no cover - Windows
                loop.add_signal_handler(sig, stopping.set)
        loop.run_until_complete(stopping.wait())
    finally:
        loop.run_until_complete(server.stop())
        loop.close()
        asyncio.set_event_loop(None)


class BackgroundServer:
    """A share server on its own thread and event loop: ``with BackgroundServer(s) as srv:``."""

    def __init__(self, settings: Settings, host: str = "127.0.0.1", port: int = 0, **kw: object):
        self.settings = settings
        self.host = host
        self.port = port
        self._kw = kw
        self.server: ShareServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> BackgroundServer:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = new_event_loop()
            self._loop = loop
            try:
                self.server = ShareServer(self.settings, **self._kw)  # type: ignore[arg-type]
                self.port = loop.run_until_complete(self.server.start(self.host, self.port))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.server.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="vidkit-share-server", daemon=True)
        self._thread.start()
        ready.wait(30)
        if errors:
            self._thread.join()
            raise errors[0]
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)
