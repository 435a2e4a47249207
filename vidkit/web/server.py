"""``vidkit serve``: the ASGI share server under uvicorn, with the options it needs.

HTTP is uvicorn's: keep-alive, pipelining with backpressure (it stops reading a connection
while an answer waits to be written), graceful shutdown, worker processes and proxy headers.
vidkit sets the limits (:func:`config`) and adds, in :mod:`vidkit.web.protocol`, a deadline
for a request head and a cap on its size. :func:`serve` replays the click log once, then runs
one server or a supervisor with ``workers`` processes until SIGINT/SIGTERM;
:class:`BackgroundServer` runs a real uvicorn on a thread (tests, notebooks).
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.supervisors import Multiprocess

from vidkit.config import Settings
from vidkit.errors import VidkitError
from vidkit.track.registry import Registry
from vidkit.web.asgi import ShareServer
from vidkit.web.clicklog import ClickLog
from vidkit.web.protocol import MAX_HEAD_BYTES, protocol_options

log = logging.getLogger("vidkit.web")
KEEP_ALIVE_SECONDS = 5  # an idle keep-alive connection is closed after this
LIMIT_CONCURRENCY = 2000  # connections + requests in progress per worker; past it: 503
GRACEFUL_SECONDS = 10  # on SIGTERM, requests in progress get this long to finish
BACKLOG = 2048


@dataclass(frozen=True)
class Ready:
    """What ``serve`` reports once it listens."""

    port: int
    replayed: int  # clicks recovered from the click log of a server that was killed
    workers: int


def log_config() -> dict[str, Any]:
    """uvicorn's logging set-up, plus vidkit's own messages (replays, click-log trouble)."""
    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg["loggers"]["vidkit"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return cfg


def config(settings: Settings, app: Any, workers: int = 1, logs: bool = True) -> uvicorn.Config:
    """The uvicorn options for a share server (see docs/publish-and-track.md, "Production")."""
    return uvicorn.Config(
        app,
        workers=workers,
        lifespan="on",
        **protocol_options(),
        backlog=BACKLOG,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=LIMIT_CONCURRENCY,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,  # if someone picks --http h11
        # Behind a trusted proxy, uvicorn puts the forwarded client address in the scope; the
        # proxies it trusts come from FORWARDED_ALLOW_IPS (default 127.0.0.1).
        proxy_headers=settings.trust_proxy,
        access_log=False,  # an access log would keep visitors' addresses
        server_header=False,
        log_config=log_config() if logs else None,
    )


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    on_ready: Callable[[Ready], None] | None = None,
    workers: int = 1,
) -> None:
    """Serve until SIGINT or SIGTERM, then commit what is pending and stop.

    With ``workers`` > 1, that many processes share the listening socket, each with its own
    database connection and click-log segment; a worker that dies is replaced.
    """
    replayed = replay(settings)
    if replayed is None:
        return  # stopped during the replay
    sock = listen(host, port)
    ready = Ready(port=int(sock.getsockname()[1]), replayed=replayed, workers=workers)
    started = (lambda: on_ready(ready)) if on_ready else (lambda: None)
    cfg = config(settings, ShareServer(settings), workers)
    try:
        if workers > 1:
            _Supervisor(cfg, [sock], started).run()
            return
        server = _Server(cfg, started)
        with _stops_end_quietly():
            server.run(sockets=[sock])
        if not server.started:
            raise VidkitError("the share server could not start; see the log above")
    finally:
        sock.close()


def replay(settings: Settings) -> int | None:
    """Replay what killed servers left in the click log, once, before any worker starts.

    A stop (SIGINT/SIGTERM) cuts it short after its current transaction: None is returned and
    the rest waits for the next start.
    """
    with Registry.open(settings.db) as registry:
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        clicklog = ClickLog(settings.log_dir, registry)
        with _stops_interrupt(clicklog):
            replayed = clicklog.replay()
    if clicklog.interrupted:
        log.warning("stopped during click-log replay (%d clicks replayed)", replayed)
        return None
    legacy = settings.home / "clicklog"  # where every database's log went before schema 4
    if legacy != settings.log_dir and any(legacy.glob("*.log")):
        log.warning(
            "%s holds click-log segments of an older vidkit, not tied to any database: "
            "they are not replayed (replay them with that version against their database)",
            legacy,
        )
    return replayed


@contextlib.contextmanager
def _stops_interrupt(clicklog: ClickLog) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stops = (signal.SIGINT, signal.SIGTERM)
    before = {sig: signal.signal(sig, lambda *_: clicklog.interrupt()) for sig in stops}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _stops_end_quietly() -> Iterator[None]:
    """uvicorn re-raises the stop signal once it has shut down, for the handler it found; let
    that handler do nothing, so a clean stop exits 0 rather than by the signal."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stops = (signal.SIGINT, signal.SIGTERM)
    before = {sig: signal.signal(sig, lambda *_: None) for sig in stops}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def listen(host: str, port: int) -> socket.socket:
    try:
        sock = socket.create_server((host, port), backlog=BACKLOG)
    except OSError as exc:
        raise VidkitError(
            f"cannot listen on {host}:{port}: {os.strerror(exc.errno) if exc.errno else exc}",
            hint="is another server using the port? try --port",
        ) from None
    sock.set_inheritable(True)  # uvicorn's worker processes take it over
    return sock


class _Server(uvicorn.Server):
    """One uvicorn server that says when it listens."""

    def __init__(self, cfg: uvicorn.Config, started: Callable[[], None]) -> None:
        super().__init__(cfg)
        self._on_started = started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_started()


class _Supervisor(Multiprocess):
    """uvicorn's supervisor of worker processes, saying when they have been started."""

    def __init__(
        self, cfg: uvicorn.Config, sockets: list[socket.socket], started: Callable[[], None]
    ) -> None:
        super().__init__(cfg, sockets)
        self._on_started = started

    def init_processes(self) -> None:
        super().init_processes()
        self._on_started()


class BackgroundServer:
    """A real uvicorn share server on a thread: ``with BackgroundServer(settings) as srv:``."""

    def __init__(self, settings: Settings, host: str = "127.0.0.1", port: int = 0, **kw: Any):
        self.settings = settings
        self.host = host
        self.port = port
        self.app = ShareServer(settings, **kw)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> BackgroundServer:
        sock = listen(self.host, self.port)
        self.port = int(sock.getsockname()[1])
        server = self._server = uvicorn.Server(config(self.settings, self.app, logs=False))
        errors: list[BaseException] = []

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                errors.append(exc)
            finally:
                sock.close()

        self._thread = threading.Thread(target=run, name="vidkit-share-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not server.started:
            self.__exit__(None, None, None)
            raise errors[0] if errors else VidkitError("the share server did not start")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(30)
