"""Batch campaigns: plan every row's jobs, skip finished ones, render the rest in parallel.

``run(campaign, out_dir=...)`` reads the campaign, checks each row (clip, template, merge
fields, platforms) and turns it into content-addressed jobs. Jobs already finished by an earlier
run are reused; the others go to an executor (this process, a local process pool or a Dask
cluster) as one :class:`~vidkit.batch.jobs.Task` per row and template. A bad row becomes ``failed``
lines in the manifest with its line number and reason; it never stops the other rows.
``DIR/manifest.csv`` and ``manifest.json`` are written at the end, and also when interrupted
(then with the rows that finished).

On a Dask cluster the workers write straight into ``DIR``: it (and the clips, or the S3
downloads cached under ``DIR/.vidkit-cache``) must be visible to every worker at the same path.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidkit.batch.campaign import Campaign, load_campaign
from vidkit.batch.clipsource import ClipSource, HashCache, S3ClientFactory
from vidkit.batch.executors import (
    DaskExecutor,
    Executor,
    InlineExecutor,
    LocalExecutor,
    WorkerCrashed,
    size_pool,
)
from vidkit.batch.jobs import (
    JOBS_DIR,
    JobStore,
    ManifestRow,
    OutputRecord,
    Task,
    TaskResult,
    write_manifest,
)
from vidkit.batch.plan import Plan, plan
from vidkit.batch.plan import renderer_version as current_renderer_version
from vidkit.batch.publish import check_publishing, publish_rows, titles
from vidkit.batch.worker import render_task
from vidkit.captions.engines import prepare as prepare_captions
from vidkit.captions.pipeline import caption_mode
from vidkit.errors import ConfigError, VidkitError
from vidkit.files import sweep_leftovers
from vidkit.store.s3 import make_client

__all__ = ["BatchResult", "Progress", "render_task", "run"]

CACHE_FILE = ".vidkit-cache.json"
DOWNLOADS = ".vidkit-cache"


@dataclass(frozen=True)
class Progress:
    """Where a batch is: tasks and seconds of output done out of the total to render."""

    done: int
    total: int
    seconds_done: float
    seconds_total: float
    line: int | None = None  # the row that just finished
    error: str | None = None


@dataclass(frozen=True)
class BatchResult:
    out_dir: Path
    rows: tuple[ManifestRow, ...]
    rendered: int  # outputs rendered in this run
    reused: int  # outputs an earlier run had already made
    failed: int  # manifest lines with status failed
    tasks: int  # ffmpeg runs started
    elapsed: float
    output_seconds: float  # seconds of video rendered in this run
    executor: str
    workers: int
    threads: int | None
    interrupted: bool = False
    published: int = 0
    manifest_errors: tuple[str, ...] = ()  # one line per manifest file that was not written

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.interrupted and not self.manifest_errors

    def failures(self) -> list[ManifestRow]:
        """One failed manifest line per (line, template, error), in line order."""
        seen: dict[tuple[int, str, str], ManifestRow] = {}
        for r in self.rows:
            if r.status == "failed":
                seen.setdefault((r.line, r.template, r.error), r)
        return list(seen.values())

    def summary(self) -> dict[str, Any]:
        return {
            "rows": len({r.line for r in self.rows}),
            "outputs": len(self.rows),
            "ok": sum(r.status == "ok" for r in self.rows),
            "failed": self.failed,
            "rendered": self.rendered,
            "reused": self.reused,
            "published": self.published,
            "tasks": self.tasks,
            "elapsed": round(self.elapsed, 3),
            "output_seconds": round(self.output_seconds, 3),
            "executor": self.executor,
            "workers": self.workers,
            "threads": self.threads,
            "interrupted": self.interrupted,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "manifest": str(self.out_dir / "manifest.csv"),
            "summary": self.summary(),
            "rows": [r.to_dict() for r in self.rows],
            "manifest_errors": list(self.manifest_errors),
        }


JobFn = Callable[[Task], TaskResult]


def run(
    campaign: str | Path | Campaign,
    *,
    out_dir: str | Path,
    template: str | None = None,
    presets: Sequence[str] | str | None = None,
    scale: float = 1.0,
    workers: int | None = None,
    cluster: str | None = None,
    retries: int = 2,
    publish: Any = None,
    executor: Executor | None = None,
    job: JobFn | None = None,
    s3_client: S3ClientFactory = make_client,
    on_progress: Callable[[Progress], None] | None = None,
    renderer_version: str | None = None,
) -> BatchResult:
    """Render a campaign into ``out_dir``; see the module docstring.

    ``publish`` is a :class:`vidkit.config.Settings` (where media and the database live): each
    finished video is uploaded and the manifest gets share links.
    ``executor`` and ``job`` are seams for tests and other back ends; by default the executor
    is a local pool sized to the machine (or Dask when ``cluster`` is given) and the job is
    :func:`render_task`.
    """
    started = time.perf_counter()
    camp = campaign if isinstance(campaign, Campaign) else load_campaign(campaign)
    if not 0 < scale <= 1:
        raise ConfigError("--scale is a fraction between 0 and 1", key="--scale")
    _check_options(camp, template, presets)
    if publish is not None:
        check_publishing(publish)  # fail before rendering when publishing cannot work
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    sweep_leftovers([out, out / JOBS_DIR, out / DOWNLOADS / "clips"])
    plan_ = _plan(camp, out, template, presets, scale, s3_client, renderer_version)
    own_executor = executor is None
    if cluster is None and any(caption_mode(t.captions) == "auto" for t in plan_.tasks):
        # once here, not in every local worker at the same time; an error is each row's to report
        with contextlib.suppress(VidkitError):
            prepare_captions()
    if executor is None:
        executor = _executor(
            plan_.tasks, workers=workers, cluster=cluster, retries=retries, scale=scale
        )
    tally = _Tally(dict(plan_.reused), executor.name, executor.slots, executor.threads)
    tasks = [dataclasses.replace(t, threads=tally.threads) for t in plan_.tasks]
    try:
        _execute(executor, job or render_task, tasks, JobStore(out), tally, on_progress)
    except BaseException:  # Ctrl-C above all: the manifest lists what finished
        tally.interrupted = True
        raise
    finally:
        if own_executor:
            executor.close()
        result = tally.result(out, plan_, len(tasks), time.perf_counter() - started)
        problems = write_manifest(out, result.rows, result.summary())
    result = dataclasses.replace(result, manifest_errors=problems)
    if publish is not None:
        rows = publish_rows(result.rows, titles(camp), publish, brand=camp.brand)
        result = dataclasses.replace(
            result,
            rows=tuple(rows),
            failed=sum(r.status == "failed" for r in rows),
            published=len({r.path for r in rows if r.share_url}),
        )
        problems = write_manifest(out, result.rows, result.summary())
        result = dataclasses.replace(result, manifest_errors=problems)
    return result


def _plan(
    camp: Campaign,
    out: Path,
    template: str | None,
    presets: Sequence[str] | str | None,
    scale: float,
    s3_client: S3ClientFactory,
    renderer_version: str | None,
) -> Plan:
    """Plan the campaign, hashing (and fetching) its clips through the folder's hash cache."""
    hashes = HashCache(out / CACHE_FILE)
    source = ClipSource(hashes, out / DOWNLOADS / "clips", s3_client)
    try:
        return plan(
            camp,
            out_dir=out,
            template=template,
            presets=presets,
            scale=scale,
            source=source,
            renderer_version=renderer_version or current_renderer_version(),
        )
    finally:
        source.close()
        hashes.save()


@dataclass
class _Tally:
    """What a run has done so far; turned into a :class:`BatchResult` however it ends."""

    outcomes: dict[str, OutputRecord | str]
    executor: str
    slots: int
    threads: int | None
    rendered: int = 0
    made_seconds: float = 0.0
    interrupted: bool = False

    def result(self, out: Path, plan_: Plan, tasks: int, elapsed: float) -> BatchResult:
        rows = _manifest_rows(plan_, self.outcomes, interrupted=self.interrupted)
        return BatchResult(
            out_dir=out,
            rows=tuple(rows),
            rendered=self.rendered,
            reused=len(plan_.reused),
            failed=sum(r.status == "failed" for r in rows),
            tasks=tasks,
            elapsed=elapsed,
            output_seconds=self.made_seconds,
            executor=self.executor,
            workers=self.slots,
            threads=self.threads,
            interrupted=self.interrupted,
        )


def _execute(
    executor: Executor,
    job: JobFn,
    tasks: list[Task],
    store: JobStore,
    tally: _Tally,
    on_progress: Callable[[Progress], None] | None,
) -> None:
    """Run every task, recording each outcome in ``store`` and ``tally`` as it arrives."""
    seconds_total = sum(t.expected_seconds for t in tasks)
    seconds_done = 0.0
    if on_progress is not None:
        on_progress(Progress(0, len(tasks), 0.0, seconds_total))
    for done, (task, outcome) in enumerate(executor.run(job, tasks), 1):
        error = _collect(task, outcome, store, tally.outcomes)
        if error is None:
            tally.rendered += len(task.keys)
            tally.made_seconds += sum(o.duration for o in outcome.outputs)
        seconds_done += task.expected_seconds
        if on_progress is not None:
            on_progress(Progress(done, len(tasks), seconds_done, seconds_total, task.line, error))


def _check_options(
    campaign: Campaign, template: str | None, presets: Sequence[str] | str | None
) -> None:
    """A bad -t or -p is the command's fault, not every row's: refuse it before any work."""
    # imported here, not at the top: `vidkit --help` stays fast
    from vidkit.template.presets import resolve
    from vidkit.template.templates import load_template

    if presets:
        resolve([presets] if isinstance(presets, str) else list(presets))
    if template:
        load_template(template, user_dirs=campaign.template_dirs, brand=campaign.brand)


def _executor(
    tasks: Sequence[Task], *, workers: int | None, cluster: str | None, retries: int, scale: float
) -> Executor:
    if not tasks:
        return InlineExecutor()  # all finished before: no pool to start, no cluster to reach
    if cluster:
        return DaskExecutor(cluster, retries=retries)
    most = max(len(t.presets) for t in tasks)
    sizing = size_pool(
        len(tasks),
        workers=workers,
        presets=most,
        scale=scale,
        transcribes=any(caption_mode(t.captions) == "auto" for t in tasks),
    )
    if sizing.workers == 1:
        return InlineExecutor(threads=sizing.threads)
    return LocalExecutor(sizing.workers, threads=sizing.threads)


def _collect(
    task: Task, result: Any, store: JobStore, outcomes: dict[str, OutputRecord | str]
) -> str | None:
    """Record a task's outcome per job key; return its error, if any."""
    if isinstance(result, WorkerCrashed):
        error = str(result)
    elif isinstance(result, BaseException):
        error = f"worker failed: {type(result).__name__}: {result}"
    elif result.error is not None:
        error = result.error
    else:
        by_platform = {o.platform: o for o in result.outputs}
        missing = [p for p in task.presets if p not in by_platform]
        unseen = [o.path for o in result.outputs if not Path(o.path).is_file()]
        if missing:
            error = f"the renderer made no {missing[0]} output"
        elif unseen:
            error = (
                f"{unseen[0]} was written on {result.worker} but is not visible here "
                "(the output folder must be shared with the workers)"
            )
        else:
            done = {}
            for preset, key in zip(task.presets, task.keys):
                store.record(key, by_platform[preset], line=task.line, clip=task.clip_ref)
                done[key] = by_platform[preset]
            # all of a task's outputs at once: Ctrl-C between two never shows half a row done
            outcomes.update(done)
            return None
    for key in task.keys:
        outcomes[key] = error
    return error


def _manifest_rows(
    plan_: Plan, outcomes: Mapping[str, OutputRecord | str], *, interrupted: bool
) -> list[ManifestRow]:
    rows: list[ManifestRow] = []
    for e in plan_.entries:
        common = {
            "line": e.line,
            "source": e.source,
            "clip": e.clip,
            "template": e.template,
            "platform": e.platform,
            "sharer": e.sharer,
            "key": e.key,
        }
        if e.error:
            rows.append(ManifestRow(status="failed", error=e.error, **common))
            continue
        outcome = outcomes.get(e.key)
        if outcome is None:
            if interrupted:
                continue  # not finished: the partial manifest lists what finished
            rows.append(ManifestRow(status="failed", error="not rendered", **common))
        elif isinstance(outcome, str):
            rows.append(ManifestRow(status="failed", error=outcome, **common))
        else:
            rows.append(
                ManifestRow(status="ok", path=outcome.path, reused=e.key in plan_.reused, **common)
            )
    return rows
