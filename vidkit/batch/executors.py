"""Run one picklable function over many items: in this process, on a local process pool, or on
a Dask distributed cluster, behind one small interface.

``Executor.run(fn, items)`` yields ``(item, result)`` pairs as they finish; a call that raised
yields the exception as its result instead of stopping the others. ``close()`` cancels what has
not started (it is what Ctrl-C ends in). ``fn`` must be importable by name (a module-level
function) so that worker processes and cluster workers can load it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Protocol, TypeVar

from vidkit.errors import ConfigError, VidkitError

T = TypeVar("T")
Outcome = Any  # the function's result, or the BaseException it raised

MIB = 1 << 20


class Executor(Protocol):
    name: str
    threads: int | None  # ffmpeg threads each job may use (None: the job decides)

    @property
    def slots(self) -> int:
        """How many items run at once."""
        ...

    def run(self, fn: Callable[[T], Any], items: Sequence[T]) -> Iterator[tuple[T, Outcome]]: ...

    def close(self) -> None: ...


class InlineExecutor:
    """Runs items one after another in this process (one worker: no process start-up cost)."""

    name = "inline"
    slots = 1

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads

    def run(self, fn: Callable[[T], Any], items: Sequence[T]) -> Iterator[tuple[T, Outcome]]:
        for item in items:
            try:
                result = fn(item)
            except Exception as exc:  # one item's failure never stops the others
                result = exc
            yield item, result

    def close(self) -> None:
        pass


#: How long ``close()`` waits for a busy worker before it terminates it.
STOP_SECONDS = 60.0
_DIED = object()


class WorkerCrashed(VidkitError):
    """A worker process died while it ran an item (killed, out of memory, a crash in native
    code), on every try."""


class LocalExecutor:
    """A pool of worker processes on this machine (started fresh: ``spawn``, never ``fork``).

    Each worker runs one item at a time, so when a worker dies (killed, out of memory, a crash
    in native code) the pool knows which item it was running: that item is tried again in a
    fresh worker, up to ``retries`` times, then reported as :class:`WorkerCrashed`; the other
    items carry on.
    """

    name = "local"

    def __init__(self, workers: int, threads: int | None = None, *, retries: int = 1) -> None:
        self._size = max(1, workers)
        self.threads = threads
        self.retries = retries
        self._workers: list[_Worker] = []

    @property
    def slots(self) -> int:
        return self._size

    def run(self, fn: Callable[[T], Any], items: Sequence[T]) -> Iterator[tuple[T, Outcome]]:
        if not items:
            return
        context = multiprocessing.get_context("spawn")
        self._workers = [_Worker(context) for _ in range(min(self._size, len(items)))]
        todo = deque(range(len(items)))
        deaths: dict[int, int] = {}
        busy: dict[_Worker, int] = {}
        while todo or busy:
            for n, worker in enumerate(self._workers):
                if worker not in busy and todo:
                    if not worker.process.is_alive():  # died after its last answer
                        worker = self._workers[n] = _Worker(context)
                    index = todo.popleft()
                    worker.start(fn, items[index])
                    busy[worker] = index
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for worker in [w for w in busy if {w.conn, w.process.sentinel} & ready]:
                index = busy.pop(worker)
                outcome = worker.result()
                if outcome is _DIED:
                    reason = worker.exit_reason()
                    self._workers[self._workers.index(worker)] = _Worker(context)
                    deaths[index] = deaths.get(index, 0) + 1
                    if deaths[index] <= self.retries:
                        todo.appendleft(index)  # maybe not its fault: try it in a fresh worker
                        continue
                    tries = "once" if deaths[index] == 1 else f"on all {deaths[index]} tries"
                    outcome = WorkerCrashed(
                        f"the worker process died while running it {tries} ({reason}; "
                        "out of memory, or a crash in a library?)"
                    )
                yield items[index], outcome

    def close(self) -> None:
        """Stop the workers: what has not started never starts; a worker busy with an item
        finishes it first (after Ctrl-C, quickly: its ffmpeg was interrupted too)."""
        for worker in self._workers:
            worker.stop()
        for worker in self._workers:
            worker.join(timeout=STOP_SECONDS)
        self._workers = []


class _Worker:
    """One worker process and the pipe it takes items from and answers on."""

    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()

    def start(self, fn: Callable[[Any], Any], item: Any) -> None:
        self.conn.send((fn, item))

    def result(self) -> Any:
        """The answer to the item sent, or ``_DIED`` if the process ended without one."""
        try:
            if self.conn.poll():
                return self.conn.recv()
        except (EOFError, OSError):
            pass
        self.process.join(timeout=5)
        return _DIED

    def exit_reason(self) -> str:
        code = self.process.exitcode
        if code is None:
            return "it stopped answering"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)

    def join(self, timeout: float) -> None:
        self.process.join(timeout=timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
        self.conn.close()


def _serve(conn: Any) -> None:
    """A worker's life: run each item sent, answer with its result or the exception it raised.

    Ctrl-C is left to the parent (which stops the pool) and to ffmpeg, which stops and fails,
    so the job's outputs are discarded; no worker prints a KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        fn, item = task
        try:
            result = fn(item)
        except Exception as exc:  # one item's failure never stops the worker
            result = exc
        try:
            conn.send(result)
        except Exception:  # a result that cannot be pickled: say what it was
            conn.send(RuntimeError(f"{type(result).__name__}: {result}"))


class DaskExecutor:
    """The same items on a Dask distributed cluster at ``address`` (``tcp://HOST:PORT``).

    A worker that dies mid-job has its job rescheduled on another worker by the scheduler; a job
    that raises an unexpected error is retried ``retries`` times. Errors vidkit expects (a bad
    clip) are results, not exceptions, so they are never retried.
    """

    name = "dask"

    def __init__(self, address: str, *, retries: int = 2, timeout: float = 10.0) -> None:
        distributed = _distributed()
        self.address = address
        self.retries = retries
        try:
            self._client = distributed.Client(
                address, timeout=timeout, set_as_default=False, direct_to_workers=False
            )
        except (OSError, TimeoutError) as exc:
            raise ConfigError(
                f"cannot reach the Dask scheduler at {address}: {exc}",
                key="--cluster",
                hint="start one with `dask scheduler` and `dask worker ADDRESS`",
            ) from None
        self._futures: list[Any] = []
        self.threads = self._threads_per_job()

    @property
    def slots(self) -> int:
        return max(1, sum(self._client.nthreads().values()))

    def _threads_per_job(self) -> int:
        """Each host's cores shared among the job slots of the workers on it (the least of
        any host, so that no machine is oversubscribed)."""
        workers = self._client.scheduler_info(n_workers=-1).get("workers", {})
        cores = self._client.run(cpu_count)
        slots: dict[str, int] = {}
        host_cores: dict[str, int] = {}
        for address, info in workers.items():
            host = str(info.get("host", address))
            slots[host] = slots.get(host, 0) + int(info.get("nthreads", 1))
            host_cores[host] = int(cores.get(address, 1))
        if not slots:
            return 1
        return max(1, min(host_cores[h] // max(1, n) for h, n in slots.items()))

    def run(self, fn: Callable[[T], Any], items: Sequence[T]) -> Iterator[tuple[T, Outcome]]:
        distributed = _distributed()
        pending = {
            self._client.submit(fn, item, pure=False, retries=self.retries): item for item in items
        }
        self._futures = list(pending)
        for fut in distributed.as_completed(pending, loop=self._client.loop):
            try:
                result = fut.result()
            except Exception as exc:  # KilledWorker after too many worker deaths, or errors
                result = exc
            yield pending[fut], result
            fut.release()

    def close(self) -> None:
        if self._futures:
            self._client.cancel(self._futures)
            self._futures = []
        self._client.close()


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ConfigError(
            "--cluster needs Dask distributed", hint="pip install 'vidkit[cluster]'"
        ) from None
    return distributed


@dataclass(frozen=True)
class Sizing:
    """How many jobs run at once on this machine and how many threads each ffmpeg may use."""

    workers: int
    threads: int
    cores: int
    memory_mib: int | None


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def available_memory_mib() -> int | None:
    """MemAvailable from /proc/meminfo, else physical pages; ``None`` when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // MIB
    except (AttributeError, ValueError, OSError):  # pragma: no cover
        return None


#: The speech model a job holds while it transcribes (Moonshine: ~540 MB peak, measured).
TRANSCRIBE_MIB = 600


def job_memory_mib(presets: int, scale: float, *, transcribes: bool = False) -> int:
    """A rough peak for one job: decode plus one x264 encoder (with lookahead) per preset, plus
    the speech model of a job that transcribes its clip (the worker keeps it for its next job)."""
    render = int(256 + 400 * max(1, presets) * max(scale, 0.05) ** 2)
    return render + (TRANSCRIBE_MIB if transcribes else 0)


def size_pool(
    jobs: int,
    *,
    workers: int | None = None,
    presets: int = 1,
    scale: float = 1.0,
    cores: int | None = None,
    memory_mib: int | None = -1,
    transcribes: bool = False,
) -> Sizing:
    """Pick the worker count (``workers`` if given) and ffmpeg threads per job.

    Without ``workers``: one job per core, fewer when memory would run short (keeping a quarter
    free), never more than there are jobs. Threads: the cores shared out, at least one.
    """
    cores = cores or cpu_count()
    if memory_mib == -1:
        memory_mib = available_memory_mib()
    if workers is None:
        n = cores
        if memory_mib:
            need = job_memory_mib(presets, scale, transcribes=transcribes)
            n = min(n, max(1, int(memory_mib * 0.75) // need))
        n = max(1, min(n, jobs or 1))
    else:
        if workers < 1:
            raise ConfigError("--workers must be at least 1", key="--workers")
        n = workers
    threads = max(1, cores // n)
    return Sizing(workers=n, threads=threads, cores=cores, memory_mib=memory_mib)
