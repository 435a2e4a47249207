"""The click log: every counted request is appended here before it is answered.

``append`` writes one line with a plain ``write(2)`` (no fsync: the kernel keeps it if the
process is killed) and queues the event; ``flush`` inserts the queued events into the database
in one transaction together with the log position they reach. At start-up, :meth:`ClickLog.replay`
inserts whatever a killed server had logged past its last committed position, so an answered
click survives ``kill -9`` without a disk sync per click.

Each server process writes its own segment file and holds an exclusive ``flock`` on it, so
replay never touches the segment of a server that is still running. A segment's name starts
with the id of the database it belongs to (``DATABASE_ID.TIME-HOST-PID-RANDOM.log``): replay
feeds a segment only into its own database and leaves any other alone, reported in the log and
by :meth:`ClickLog.health` (and :func:`inspect`, for ``vidkit doctor``).

A write that fails (a full disk: ``ENOSPC``, ``EDQUOT``, ``EFBIG``) or comes up short never
leaves a torn line: the file is cut back to the last whole line and the event is held in memory
until the next commit, so pages keep answering. Such events survive a clean stop but not
``kill -9``; the trouble is logged once and reported until a write succeeds again.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from vidkit.track.registry import Event, Registry

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locking, one server per data folder
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("vidkit.web")
SEGMENT_BYTES = 64 * 1024 * 1024
REPLAY_LINES = 5000  # lines per replay transaction: a stop waits for one of these at most
_FIELDS = 7


def encode(event: Event) -> bytes:
    """One tab-separated line. Fields are validated upstream and never hold tabs or newlines."""
    return (
        f"{event.ts}\t{event.link_id}\t{event.kind}\t{event.visitor or ''}\t"
        f"{event.referrer or ''}\t{event.country or ''}\t{event.agent or ''}\n"
    ).encode()


def decode(line: bytes) -> Event | None:
    parts = line.decode("utf-8", "replace").rstrip("\n").split("\t")
    if len(parts) != _FIELDS:
        return None
    try:
        ts, link_id = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    kind, visitor, referrer, country, agent = (p or None for p in parts[2:])
    if kind is None:
        return None
    return Event(ts, link_id, kind, visitor, referrer, country, agent)


@dataclass
class _Chunk:
    segment: str
    events: list[Event]
    position: int
    closed_fd: int = -1  # the segment's last chunk: its (locked) file, closed once committed
    unlogged: int = 0  # events in it that only memory holds (the log could not be written)


class ClickLog:
    """Append-before-answer log of events with batched database commits."""

    def __init__(self, directory: Path, registry: Registry, segment_bytes: int = SEGMENT_BYTES):
        self.directory = directory
        self.registry = registry
        self.segment_bytes = segment_bytes
        self._fd = -1
        self._segment = ""
        self._position = 0
        self._pending: list[Event] = []
        self._chunks: deque[_Chunk] = deque()
        self._commit_lock = threading.Lock()
        self._interrupted = threading.Event()
        self.database_id = registry.meta("database_id")
        self.foreign: set[str] = set()  # segments of another database found here
        self.trouble: str | None = None  # why the last write failed, while it does
        self._unlogged = 0  # of _pending
        self.held = 0  # events only memory holds, until committed

    # start-up ------------------------------------------------------------------------------

    def open(self) -> int:
        """Replay what earlier servers left, then start a new segment; return events replayed.

        After :meth:`interrupt` no segment is started: the server is stopping.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        replayed = self.replay()
        if not self.interrupted:
            self._start_segment()
        return replayed

    def interrupt(self) -> None:
        """Make a running or later :meth:`replay` stop after its current transaction (any thread).

        What is not replayed yet stays in its segment, from the committed position on, for the
        next server to replay.
        """
        self._interrupted.set()

    @property
    def interrupted(self) -> bool:
        return self._interrupted.is_set()

    def replay(self) -> int:
        """Insert events from segments no live server holds; delete those segments."""
        total = 0
        for path in sorted(self.directory.glob("*.log")):
            if self.interrupted:
                break
            if path.name.partition(".")[0] != self.database_id:
                self._foreign(path.name)
                continue
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                if not _try_lock(fd):
                    continue  # a running server's segment
                if os.fstat(fd).st_nlink == 0:
                    continue  # another server replayed and removed it while we waited
                total += self._replay_segment(path, fd)
            finally:
                os.close(fd)
        return total

    def _replay_segment(self, path: Path, fd: int) -> int:
        """Insert the segment's events past its committed position, :data:`REPLAY_LINES` lines
        per transaction (each stores the position it reaches); delete it once all are in."""
        name = path.name
        start = self.registry.log_position(name)
        with os.fdopen(os.dup(fd), "rb") as f:
            f.seek(start)
            data = f.read()
        end = data.rfind(b"\n") + 1  # a torn last line was never answered
        known = self.registry.link_codes()
        done = offset = 0
        while offset < end:
            if self.interrupted:
                return done  # the rest stays in the segment for the next start
            stop = offset
            for _ in range(REPLAY_LINES):
                stop = data.index(b"\n", stop) + 1
                if stop == end:
                    break
            events = [e for e in map(decode, data[offset:stop].splitlines()) if e is not None]
            events = [e for e in events if e.link_id in known]
            self.registry.record(events, segment=name, position=start + stop)
            done += len(events)
            offset = stop
        path.unlink()
        self.registry.forget_segment(name)
        return done

    def _foreign(self, name: str) -> None:
        if name not in self.foreign:
            self.foreign.add(name)
            log.warning(
                "click log %s belongs to another database: not replayed here, left in %s",
                name,
                self.directory,
            )

    def _start_segment(self) -> None:
        host = "".join(c for c in socket.gethostname() if c.isalnum())[:32] or "host"
        stamp = f"{int(time.time())}-{host}-{os.getpid()}-{secrets.token_hex(3)}"
        name = f"{self.database_id}.{stamp}.log"
        fd = os.open(self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _try_lock(fd)
        self._fd, self._segment, self._position = fd, name, 0

    # serving -------------------------------------------------------------------------------

    def append(self, event: Event) -> None:
        """Log ``event`` durably against a process crash; call before answering the request."""
        line = encode(event)
        if self._write(line):
            self._position += len(line)
        else:
            self._unlogged += 1
            self.held += 1
        self._pending.append(event)

    def _write(self, line: bytes) -> bool:
        """Write the whole line, or nothing: a short or failed write is cut back off."""
        done = 0
        try:
            while done < len(line):
                n = os.write(self._fd, line[done:])
                if n <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                done += n
        except OSError as exc:
            if done:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, self._position)  # O_APPEND: next write goes here
            if self.trouble is None:
                log.error(
                    "cannot write the click log (%s): counting in memory until it can",
                    os.strerror(exc.errno) if exc.errno else exc,
                )
            self.trouble = os.strerror(exc.errno) if exc.errno else str(exc)
            return False
        if self.trouble is not None:
            log.warning("the click log is writable again")
            self.trouble = None
        return True

    def health(self) -> dict[str, object]:
        """What ``/healthz`` reports about the click log."""
        return {
            "ok": self.trouble is None and not self.foreign,
            "clicklog": f"cannot write: {self.trouble}" if self.trouble else "ok",
            "held_in_memory": self.held,
            "foreign_segments": len(self.foreign),
        }

    def take(self) -> None:
        """Move the queued events into a chunk to commit (call on the thread that appends)."""
        if not self._pending and self._position < self.segment_bytes:
            return
        chunk = _Chunk(self._segment, self._pending, self._position, unlogged=self._unlogged)
        self._pending, self._unlogged = [], 0
        if self._position >= self.segment_bytes:
            # Start a new segment; the old one stays locked (so no other server replays it)
            # until its last chunk is committed.
            fd = self._fd
            try:
                self._start_segment()
            except OSError:  # a full disk: go on appending to the old one
                pass
            else:
                chunk.closed_fd = fd
        self._chunks.append(chunk)

    def commit(self) -> int:
        """Insert taken chunks in order (any thread); a failed chunk stays for the next try."""
        done = 0
        with self._commit_lock:
            while self._chunks:
                chunk = self._chunks[0]
                self.registry.record(chunk.events, segment=chunk.segment, position=chunk.position)
                if chunk.closed_fd >= 0:
                    with contextlib.suppress(FileNotFoundError):
                        (self.directory / chunk.segment).unlink()
                    self.registry.forget_segment(chunk.segment)
                    os.close(chunk.closed_fd)
                self._chunks.popleft()
                self.held -= chunk.unlogged
                done += len(chunk.events)
        return done

    def flush(self) -> int:
        self.take()
        return self.commit()

    def close(self) -> None:
        """Commit everything and remove this server's segment."""
        self.take()
        self.commit()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
            with contextlib.suppress(FileNotFoundError):
                (self.directory / self._segment).unlink()
            self.registry.forget_segment(self._segment)

    @property
    def segment(self) -> str:
        return self._segment

    @property
    def backlog(self) -> int:
        return len(self._pending) + sum(len(c.events) for c in self._chunks)


def _try_lock(fd: int) -> bool:
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def inspect(directory: Path, database_id: str) -> dict[str, object]:
    """The click-log folder of one database, for ``vidkit doctor``: how many segments wait for
    replay, how many belong to another database (never replayed here), and whether a line can
    be written there now."""
    names = [p.name for p in directory.glob("*.log")] if directory.is_dir() else []
    foreign = [n for n in names if n.partition(".")[0] != database_id]
    writable = True
    if directory.is_dir():
        probe = directory / f".probe-{secrets.token_hex(4)}"
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                writable = os.write(fd, b"x" * 4096) == 4096
            finally:
                os.close(fd)
                probe.unlink()
        except OSError:
            writable = False
    return {
        "directory": str(directory),
        "segments": len(names) - len(foreign),
        "foreign_segments": sorted(foreign),
        "writable": writable,
    }
