"""Batch campaigns: plan every row's jobs, skip finished ones, render the rest in parallel.

``run(campaign, out_dir=...)`` reads the campaign, checks each row (clip, template, merge
fields, platforms) and turns it into content-addressed jobs. Jobs already finished by an earlier
run are reused; the others go to an executor (this process, a local process pool or a Dask
cluster) as one :class:`~vidkit.jobs.Task` per row and template. A bad row becomes ``failed``
lines in the manifest with its line number and reason; it never stops the other rows.
``DIR/manifest.csv`` and ``manifest.json`` are written at the end, and also when interrupted
(then with the rows that finished).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .campaign import Campaign, Row, load_campaign
from .clipsource import ClipSource, HashCache, S3ClientFactory, default_s3_client, sha256_file
from .errors import ConfigError, VidkitError
from .executors import DaskExecutor, Executor, InlineExecutor, LocalExecutor, size_pool
from .jobs import JobStore, ManifestRow, OutputRecord, Task, TaskResult, job_key, write_manifest

DEFAULT_TEMPLATE = "default"
DEFAULT_PRESETS = ("9x16",)
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
class Entry:
    """One manifest line as planned: a row × template × preset and its job key (or its fault)."""

    line: int
    source: str
    clip: str
    template: str
    platform: str
    sharer: str
    key: str = ""
    error: str = ""


@dataclass(frozen=True)
class Plan:
    entries: tuple[Entry, ...]
    tasks: tuple[Task, ...]
    reused: Mapping[str, OutputRecord]  # key → finished output from an earlier run


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

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.interrupted

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
    s3_client: S3ClientFactory = default_s3_client,
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
    if publish is not None:
        _check_publishing(publish)  # fail before rendering when publishing cannot work
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    hashes = HashCache(out / CACHE_FILE)
    source = ClipSource(hashes, out / DOWNLOADS / "clips", s3_client)
    try:
        plan_ = plan(
            camp,
            out_dir=out,
            template=template,
            presets=presets,
            scale=scale,
            source=source,
            renderer_version=renderer_version or _renderer_version(),
        )
    finally:
        source.close()
        hashes.save()

    own_executor = executor is None
    if executor is None:
        executor = _executor(
            plan_.tasks, workers=workers, cluster=cluster, retries=retries, scale=scale
        )
    threads = executor.threads
    tasks = [dataclasses.replace(t, threads=threads) for t in plan_.tasks]
    store = JobStore(out)
    outcomes: dict[str, OutputRecord | str] = dict(plan_.reused)
    seconds_total = sum(t.expected_seconds for t in tasks)
    seconds_done = 0.0
    made_seconds = 0.0
    rendered = 0
    interrupted = False
    slots = executor.slots
    try:
        if on_progress is not None:
            on_progress(Progress(0, len(tasks), 0.0, seconds_total))
        for done, (task, outcome) in enumerate(executor.run(job or render_task, tasks), 1):
            error = _collect(task, outcome, store, outcomes)
            if error is None:
                rendered += len(task.keys)
                made_seconds += sum(o.duration for o in outcome.outputs)
            seconds_done += task.expected_seconds
            if on_progress is not None:
                on_progress(
                    Progress(done, len(tasks), seconds_done, seconds_total, task.line, error)
                )
    except BaseException:  # Ctrl-C above all: the manifest lists what finished
        interrupted = True
        raise
    finally:
        if own_executor:
            executor.close()
        rows = _manifest_rows(plan_, outcomes, interrupted=interrupted)
        result = BatchResult(
            out_dir=out,
            rows=tuple(rows),
            rendered=rendered,
            reused=len(plan_.reused),
            failed=sum(r.status == "failed" for r in rows),
            tasks=len(tasks),
            elapsed=time.perf_counter() - started,
            output_seconds=made_seconds,
            executor=executor.name,
            workers=slots,
            threads=threads,
            interrupted=interrupted,
        )
        write_manifest(out, result.rows, result.summary())
    if publish is not None:
        rows = publish_rows(result.rows, _titles(camp), publish)
        result = dataclasses.replace(
            result,
            rows=tuple(rows),
            failed=sum(r.status == "failed" for r in rows),
            published=len({r.path for r in rows if r.share_url}),
        )
        write_manifest(out, result.rows, result.summary())
    return result


def _executor(
    tasks: Sequence[Task], *, workers: int | None, cluster: str | None, retries: int, scale: float
) -> Executor:
    if not tasks:
        return InlineExecutor()  # all finished before: no pool to start, no cluster to reach
    if cluster:
        return DaskExecutor(cluster, retries=retries)
    most = max(len(t.presets) for t in tasks)
    sizing = size_pool(len(tasks), workers=workers, presets=most, scale=scale)
    if sizing.workers == 1:
        return InlineExecutor(threads=sizing.threads)
    return LocalExecutor(sizing.workers, threads=sizing.threads)


# --- planning ---------------------------------------------------------------------------------


def plan(
    campaign: Campaign,
    *,
    out_dir: Path,
    template: str | None,
    presets: Sequence[str] | str | None,
    scale: float,
    source: ClipSource,
    renderer_version: str,
) -> Plan:
    """Check every row and turn it into manifest entries and tasks for unfinished jobs."""
    from .presets import resolve
    from .templates import load_template

    cli_presets = _names(presets)
    store = JobStore(out_dir)
    templates: dict[str, Any] = {}

    def get_template(name: str) -> Any:
        if name not in templates:
            try:
                templates[name] = load_template(
                    _template_ref(name, campaign),
                    user_dirs=campaign.template_dirs,
                    brand=campaign.brand,
                )
            except VidkitError as exc:
                templates[name] = exc
        got = templates[name]
        if isinstance(got, VidkitError):
            raise got
        return got

    names = _output_names(campaign.rows)
    entries: list[Entry] = []
    tasks: list[Task] = []
    reused: dict[str, OutputRecord] = {}
    scheduled: set[str] = set()
    for row in campaign.rows:
        tnames = (row.templates or ((template,) if template else ()) or campaign.templates) or (
            DEFAULT_TEMPLATE,
        )
        platform_names = row.platforms or cli_presets or campaign.platforms or DEFAULT_PRESETS
        base = {
            "line": row.line,
            "source": str(row.source),
            "clip": row.clip,
            "sharer": row.sharer or "",
        }
        try:
            wanted = resolve(list(platform_names))
        except VidkitError as exc:
            entries.append(Entry(template=",".join(tnames), platform="", error=_why(exc), **base))
            continue
        clip_error = row.problem or ("no clip given" if not row.clip else None)
        clip_path: Path | None = None
        clip_hash = ""
        captions: str | None = None
        captions_id: str | None = None
        if clip_error is None:
            try:
                clip_path, clip_hash = source.content_hash(row.clip_ref())
                captions, captions_id = _captions(row, campaign)
            except VidkitError as exc:
                clip_error = _why(exc)
        usable = []
        for tname in tnames:
            with contextlib.suppress(VidkitError):
                usable.append(get_template(tname))
        for tname in tnames:
            row_entries = [Entry(template=tname, platform=p.name, **base) for p in wanted]
            try:
                if clip_error is not None:
                    raise VidkitError(clip_error)
                tpl = get_template(tname)
                given = _fields_for(row, campaign, tpl, usable)
            except VidkitError as exc:
                why = _why(exc)
                entries += [dataclasses.replace(e, error=why) for e in row_entries]
                continue
            assert clip_path is not None
            keys = [
                job_key(
                    clip_sha256=clip_hash,
                    template_digest=tpl.digest,
                    fields=tpl.merge_fields(given),
                    preset=p,
                    scale=scale,
                    captions=captions_id,
                    renderer_version=renderer_version,
                )
                for p in wanted
            ]
            todo: list[tuple[str, str]] = []
            for p, key in zip(wanted, keys):
                if key in reused or key in scheduled:
                    continue
                finished = store.finished(key)
                if finished is not None:
                    reused[key] = finished
                else:
                    todo.append((p.name, key))
                    scheduled.add(key)
            entries += [
                dataclasses.replace(e, key=k, template=tpl.name) for e, k in zip(row_entries, keys)
            ]
            if todo:
                tasks.append(
                    Task(
                        line=row.line,
                        source=str(row.source),
                        clip=str(clip_path),
                        clip_ref=row.clip,
                        template=_template_ref(tname, campaign),
                        template_digest=tpl.digest,
                        template_dirs=tuple(str(d) for d in campaign.template_dirs),
                        brand=campaign.brand,
                        presets=tuple(p for p, _ in todo),
                        keys=tuple(k for _, k in todo),
                        fields=tuple(sorted(given.items())),
                        captions=captions,
                        scale=scale,
                        out_dir=str(out_dir),
                        name=names[row.line],
                        expected_seconds=_duration(clip_path) * len(todo),
                    )
                )
    return Plan(entries=tuple(entries), tasks=tuple(tasks), reused=reused)


def _names(value: Sequence[str] | str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _template_ref(name: str, campaign: Campaign) -> str:
    """A template named by a relative .yaml path is relative to the campaign file."""
    p = Path(name)
    if p.suffix.lower() in (".yaml", ".yml") and not p.is_absolute():
        return str(campaign.path.parent / p)
    return name


def _fields_for(
    row: Row, campaign: Campaign, template: Any, row_templates: Sequence[Any]
) -> dict[str, str]:
    """The row's merge fields over the campaign's defaults, as far as ``template`` uses them.

    A field none of the row's templates knows is refused (a typo, or a column meant as a note);
    with several templates each gets the fields it knows. A field the template needs but
    nobody gives is refused too.
    """
    known = set(template.fields) | set(template.defaults)
    anywhere = set(known)
    for other in row_templates:
        anywhere |= set(other.fields) | set(other.defaults)
    for name, _value in row.fields:
        if name not in anywhere:
            names = " or ".join(repr(t.name) for t in row_templates) or repr(template.name)
            raise ConfigError(
                f"unknown merge field {name!r} for template {names}",
                hint=f"it uses {', '.join(sorted(anywhere)) or 'no fields'}; "
                f"name the column _{name} to keep it out of the video",
            )
    given = {k: v for k, v in campaign.defaults.items() if k in known}
    given.update((k, v) for k, v in row.fields if k in known)
    missing = sorted(template.fields - set(template.defaults) - set(given))
    if missing:
        raise ConfigError(f"template {template.name!r} needs merge field {missing[0]!r}")
    return given


def _captions(row: Row, campaign: Campaign) -> tuple[str | None, str | None]:
    """Captions to pass on, and what identifies them in the job key (file content or value)."""
    value = row.captions_ref()
    if value is None and campaign.captions:
        value = Row(
            source=campaign.path,
            line=0,
            clip="",
            base=campaign.path.parent,
            captions=campaign.captions,
        ).captions_ref()
    if value is None:
        return None, None
    p = Path(value)
    if p.is_absolute() or p.suffix:
        if not p.is_file():
            raise ConfigError("captions file not found", path=value, key="captions")
        return value, "sha256:" + sha256_file(p)
    return value, value


def _output_names(rows: Sequence[Row]) -> dict[int, str]:
    """Output names from clip names; rows that share a clip name get a short content suffix."""
    stems: dict[int, str] = {}
    for row in rows:
        stem = Path(row.clip.rstrip("/")).stem or "clip"
        stems[row.line] = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)
    identity = {
        row.line: json.dumps([row.clip, sorted(row.fields)], ensure_ascii=False) for row in rows
    }
    by_stem: dict[str, set[str]] = {}
    for row in rows:
        by_stem.setdefault(stems[row.line], set()).add(identity[row.line])
    names: dict[int, str] = {}
    for row in rows:
        stem = stems[row.line]
        if len(by_stem[stem]) > 1:
            digest = hashlib.sha256(identity[row.line].encode()).hexdigest()[:8]
            stem = f"{stem}-{digest}"
        names[row.line] = stem
    return names


def _duration(path: Path) -> float:
    from .probe import probe

    try:
        return probe(path).duration
    except VidkitError:
        return 0.0  # the worker reports the real problem with the clip


def _why(exc: VidkitError) -> str:
    return str(exc)


def _renderer_version() -> str:
    from .make import RENDERER_VERSION

    return RENDERER_VERSION


# --- running ----------------------------------------------------------------------------------


def render_task(task: Task) -> TaskResult:
    """Render one task with ``make_clip`` (runs on a worker). Expected faults are results."""
    import socket

    from .ffmpeg import locate
    from .graph import Encoding
    from .make import make_clip
    from .presets import resolve
    from .runner import FFmpegRunner
    from .templates import load_template

    started = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        template = load_template(
            task.template, user_dirs=[Path(d) for d in task.template_dirs], brand=task.brand
        )
        if template.digest != task.template_digest:
            raise ConfigError(
                f"template {template.name!r} differs on worker {worker}",
                hint="install the same templates and brand kits on every worker",
            )
        threads = task.threads or _threads_here()
        runner = FFmpegRunner(locate(), threads=threads)
        outputs = make_clip(
            Path(task.clip),
            template=template,
            presets=resolve(list(task.presets)),
            out_dir=Path(task.out_dir),
            fields=dict(task.fields),
            captions=task.captions,
            scale=task.scale,
            runner=runner,
            name=task.name,
            encoding=Encoding(threads=threads),
        )
    except VidkitError as exc:
        return TaskResult(
            line=task.line, error=_why(exc), seconds=time.perf_counter() - started, worker=worker
        )
    return TaskResult(
        line=task.line,
        outputs=tuple(OutputRecord.from_output(o) for o in outputs),
        seconds=time.perf_counter() - started,
        worker=worker,
    )


def _threads_here() -> int:
    """ffmpeg threads for one job on this machine: its cores shared among the worker's slots."""
    from .executors import cpu_count

    slots = 1
    try:
        from distributed import get_worker

        slots = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        pass
    return max(1, cpu_count() // max(1, slots))


def _collect(
    task: Task, result: Any, store: JobStore, outcomes: dict[str, OutputRecord | str]
) -> str | None:
    """Record a task's outcome per job key; return its error, if any."""
    if isinstance(result, BaseException):
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
            for preset, key in zip(task.presets, task.keys):
                output = by_platform[preset]
                store.record(key, output, line=task.line, clip=task.clip_ref)
                outcomes[key] = output
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


# --- publishing -------------------------------------------------------------------------------


def publish_rows(
    rows: Sequence[ManifestRow], titles: Mapping[int, str], settings: Any
) -> list[ManifestRow]:
    """Upload each finished video once and give every row its share link.

    A row with a ``sharer`` gets that member's own link (minted once: a rerun finds it again);
    other rows get the video's campaign link. A row whose upload fails becomes ``failed``.
    """
    from .publish import Published, publish
    from .registry import Registry
    from .storage import open_storage

    storage = open_storage(
        settings.storage, base_url=settings.base_url, public_url=settings.s3_public_url
    )
    done: dict[str, Published] = {}
    out: list[ManifestRow] = []
    with Registry.open(settings.db) as registry:
        for row in rows:
            if row.status != "ok":
                out.append(row)
                continue
            try:
                if row.path not in done:
                    title = titles.get(row.line) or Path(row.clip).stem
                    done[row.path] = publish(
                        [Path(row.path)],
                        title=title,
                        storage=storage,
                        registry=registry,
                        base_url=settings.base_url,
                    )[0]
                video = done[row.path]
                url = video.share_url
                if row.sharer:
                    link = next(
                        (
                            link
                            for link in registry.links(video.id)
                            if link.sharer == row.sharer
                            and link.channel is None
                            and link.parent_id is None
                        ),
                        None,
                    ) or registry.create_link(video.id, sharer=row.sharer)
                    url = f"{settings.base_url}/s/{link.code}"
            except VidkitError as exc:
                out.append(dataclasses.replace(row, status="failed", error=f"publish: {exc}"))
                continue
            out.append(dataclasses.replace(row, share_url=url))
    return out


def _titles(campaign: Campaign) -> dict[int, str]:
    """A title per row for the share page: its ``title`` or ``name`` field, else none."""
    titles: dict[int, str] = {}
    for row in campaign.rows:
        fields = {k.lower(): v for k, v in row.fields}
        title = fields.get("title") or fields.get("name") or campaign.defaults.get("title")
        if title:
            titles[row.line] = title.replace("\n", " ")
    return titles


def _check_publishing(settings: Any) -> None:
    from .registry import Registry
    from .storage import open_storage

    open_storage(
        settings.storage, base_url=settings.base_url, public_url=settings.s3_public_url
    ).check()
    with Registry.open(settings.db):
        pass
