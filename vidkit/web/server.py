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
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from vidkit.config import Settings
from vidkit.errors import ConfigError, VidkitError
from vidkit.store import Storage, storage_for
from vidkit.track.registry import Registry, utc_day
from vidkit.track.retention import purge
from vidkit.web.app import ShareApp
from vidkit.web.clicklog import ClickLog
from vidkit.web.http import HttpProtocol, sweep_idle

log = logging.getLogger("vidkit.web")
FLUSH_SECONDS = 0.5
ADOPT_EVERY = 20  # flushes between looks for click-log segments left by a dead server


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
        self.storage = storage or storage_for(settings)
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

    async def start(
        self, host: str = "127.0.0.1", port: int = 8000, sock: socket.socket | None = None
    ) -> int:
        """Replay the click log, then listen (on ``sock`` if given); return the bound port.

        After :meth:`interrupt` (a stop during replay) it returns 0 without listening.
        """
        loop = asyncio.get_running_loop()
        self.replayed = await loop.run_in_executor(self._executor, self.log.open)
        if self.log.interrupted:
            log.warning(
                "stopped during click-log replay (%d clicks replayed); "
                "the rest is replayed at the next start",
                self.replayed,
            )
            return 0
        self.app = ShareApp(self.settings, self.registry, self.storage, self.log)
        app, conns = self.app, self._connections

        def protocol() -> HttpProtocol:
            return HttpProtocol(app, conns)

        if sock is not None:
            self._server = await loop.create_server(protocol, sock=sock, backlog=2048)
        else:
            self._server = await loop.create_server(
                protocol, host, port, backlog=2048, reuse_address=True
            )
        self.port = int(self._server.sockets[0].getsockname()[1])
        self._tasks = [
            loop.create_task(self._flusher()),
            loop.create_task(sweep_idle(self._connections)),
        ]
        return self.port

    async def _flusher(self) -> None:
        loop = asyncio.get_running_loop()
        ticks = 0
        while True:
            await asyncio.sleep(self.flush_seconds)
            self.log.take()
            ticks += 1
            try:
                await loop.run_in_executor(self._executor, self.log.commit)
                if ticks % ADOPT_EVERY == 0:  # segments of a server that died since we started
                    await loop.run_in_executor(self._executor, self.log.replay)
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

    def interrupt(self) -> None:
        """Cut a click-log replay short (start-up or adoption); call when a stop is asked for."""
        self.log.interrupt()

    async def stop(self) -> None:
        """Stop listening, commit every answered click, remove our segment, close."""
        self.interrupt()  # an adoption replay on the executor must not hold the stop up
        if self._server is not None:
            self._server.close()
            for conn in list(self._connections):
                if conn.transport is not None:
                    conn.transport.abort()  # a client that does not read must not hold us up
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.app is not None:
            self.app.close()
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self.log.close)
        finally:
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


@dataclass(frozen=True)
class Ready:
    """What ``serve`` reports once it listens."""

    port: int
    replayed: int  # clicks recovered from the click log of a server that was killed
    workers: int


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    on_ready: Callable[[Ready], None] | None = None,
    workers: int = 1,
) -> None:
    """Serve until SIGINT or SIGTERM, then commit what is pending and stop.

    With ``workers`` > 1 (POSIX only), that many processes share the listening socket, each with
    its own database connection and click-log segment.
    """
    if workers > 1:
        _serve_forked(settings, host, port, on_ready, workers)
        return
    sock = _listen(host, port)
    _run_worker(settings, sock, lambda replayed: on_ready and on_ready(_ready(sock, replayed, 1)))


def _listen(host: str, port: int) -> socket.socket:
    try:
        return socket.create_server((host, port), backlog=2048)
    except OSError as exc:
        raise VidkitError(
            f"cannot listen on {host}:{port}: {os.strerror(exc.errno) if exc.errno else exc}",
            hint="is another server using the port? try --port",
        ) from None


def _ready(sock: socket.socket, replayed: int, workers: int) -> Ready:
    return Ready(port=int(sock.getsockname()[1]), replayed=replayed, workers=workers)


def _run_worker(
    settings: Settings, sock: socket.socket, started: Callable[[int], object] | None = None
) -> None:
    """Serve on ``sock`` until SIGINT or SIGTERM; ``started(replayed)`` once it listens.

    No stop signal is ever lost: they are held (blocked) until the event loop that handles them
    runs, and that loop runs without a pause from then until the server has stopped. (uvloop
    only notices a signal while its loop is running: one that arrived between two
    ``run_until_complete`` calls went unanswered.) A stop during the click-log replay cuts the
    replay short after its current transaction.
    """
    _hold_stops(True)
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(_worker(settings, sock, started))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        sock.close()
        _hold_stops(False)


async def _worker(
    settings: Settings, sock: socket.socket, started: Callable[[int], object] | None
) -> None:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    server: ShareServer | None = None

    def stop() -> None:
        stopping.set()
        if server is not None:
            server.interrupt()

    for sig in _STOPS:
        with contextlib.suppress(NotImplementedError):  # pragma: no cover - Windows
            loop.add_signal_handler(sig, stop)
    _hold_stops(False)  # a stop that came meanwhile is handled now
    server = ShareServer(settings)
    try:
        if not stopping.is_set():
            await server.start(sock=sock)
        if server.port and not stopping.is_set():  # listening
            if started:
                started(server.replayed)
            await stopping.wait()
    finally:
        await server.stop()


_STOPS = (signal.SIGINT, signal.SIGTERM)


def _hold_stops(hold: bool) -> None:
    """Block (hold pending) or unblock SIGINT and SIGTERM for this thread."""
    if hasattr(signal, "pthread_sigmask"):  # pragma: no branch - POSIX
        signal.pthread_sigmask(signal.SIG_BLOCK if hold else signal.SIG_UNBLOCK, _STOPS)


def _serve_forked(
    settings: Settings,
    host: str,
    port: int,
    on_ready: Callable[[Ready], None] | None,
    workers: int,
) -> None:
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        raise ConfigError("--workers needs a POSIX system; use one worker", key="workers")
    children: list[int] = []
    stops = set(_STOPS)

    def forward(signum: int, frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    with Registry.open(settings.db) as registry:  # replay once, before any worker starts
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        clicklog = ClickLog(settings.log_dir, registry)
        for sig in stops:  # a stop now cuts the replay short; no worker is started
            signal.signal(sig, lambda signum, frame: clicklog.interrupt())
        replayed = clicklog.replay()
    sock = _listen(host, port)
    bound = int(sock.getsockname()[1])
    # Hold stop signals while forking: each child installs its own handlers before taking them.
    signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        if clicklog.interrupted:
            log.warning("stopped during click-log replay (%d clicks replayed)", replayed)
            sock.close()
            return
        for _ in range(workers):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child (checked by the kill -9 test)
                code = 0
                try:
                    for sig in stops:
                        signal.signal(sig, signal.SIG_DFL)
                    _run_worker(settings, sock)  # unblocks the stop signals once it handles them
                except BaseException:
                    log.exception("share server worker failed")
                    code = 1
                finally:
                    os._exit(code)
            children.append(pid)
        for sig in stops:
            signal.signal(sig, forward)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)
    sock.close()
    if on_ready:
        on_ready(Ready(port=bound, replayed=replayed, workers=workers))
    failed = False
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:  # pragma: no cover
            break
        if pid in children:
            children.remove(pid)
            if os.waitstatus_to_exitcode(status) != 0 and children:
                failed = True  # one worker died: stop the others, let the supervisor restart us
                forward(signal.SIGTERM, None)
    if failed:
        raise VidkitError("a share server worker stopped unexpectedly; see the log above")


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
