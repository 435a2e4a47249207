"""Run one picklable function over many items: in this process, on a local process pool, or on
a Dask distributed cluster, behind one small interface.

``Executor.run(fn, items)`` yields ``(item, result)`` pairs as they finish; a call that raised
yields the exception as its result instead of stopping the others. ``close()`` cancels what has
not started (it is what Ctrl-C ends in). ``fn`` must be importable by name (a module-level
function) so that worker processes and cluster workers can load it.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from .errors import ConfigError

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


class LocalExecutor:
    """A pool of worker processes on this machine (started fresh: ``spawn``, never ``fork``)."""

    name = "local"

    def __init__(self, workers: int, threads: int | None = None) -> None:
        self._workers = max(1, workers)
        self.threads = threads
        self._pool: cf.ProcessPoolExecutor | None = None
        self._futures: list[cf.Future[Any]] = []

    @property
    def slots(self) -> int:
        return self._workers

    def run(self, fn: Callable[[T], Any], items: Sequence[T]) -> Iterator[tuple[T, Outcome]]:
        if not items:
            return
        self._pool = cf.ProcessPoolExecutor(
            max_workers=min(self._workers, len(items)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_ignore_sigint,
        )
        pending = {self._pool.submit(fn, item): item for item in items}
        self._futures = list(pending)
        for fut in cf.as_completed(pending):
            try:
                result = fut.result()
            except Exception as exc:  # includes BrokenProcessPool for a crashed worker
                result = exc
            yield pending[fut], result

    def close(self) -> None:
        if self._pool is not None:
            for fut in self._futures:
                fut.cancel()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent (which cancels the pool) and to ffmpeg, which stops
    and fails, so the job's outputs are discarded; no worker prints a KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
