"""Planning a batch: check every row and turn it into content-addressed jobs.

Pure apart from reading: clips are hashed (through :class:`~vidkit.batch.clipsource.ClipSource`),
templates loaded, presets resolved and finished jobs looked up, but nothing is rendered. Each
row × template × preset becomes an :class:`Entry` (a manifest line to be) with its job key or the
reason it cannot render; the jobs not finished by an earlier run become :class:`Task` values.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidkit.batch.campaign import Campaign, Row
from vidkit.batch.clipsource import ClipSource
from vidkit.batch.jobs import JobStore, OutputRecord, Task, job_key
from vidkit.errors import ConfigError, VidkitError
from vidkit.files import sha256_file

DEFAULT_TEMPLATE = "default"
DEFAULT_PRESETS = ("9x16",)


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
    cli_presets = _names(presets)
    store = JobStore(out_dir)
    planner = _Planner(campaign, out_dir, template, cli_presets, scale, renderer_version, store)
    # Hash (and, for s3:// clips, fetch) every clip first, several at a time: reading files and
    # asking S3 wait on I/O, not on this process.
    refs = {row.clip_ref() for row in campaign.rows if row.clip and not row.problem}
    with ThreadPoolExecutor(max_workers=min(8, len(refs) or 1)) as pool:
        hashed = {ref: pool.submit(source.content_hash, ref) for ref in refs}
        wait(hashed.values())
    names = output_names(campaign.rows)
    for row in campaign.rows:
        planner.add_row(row, hashed, names[row.line])
    return Plan(entries=tuple(planner.entries), tasks=tuple(planner.tasks), reused=planner.reused)


@dataclass
class _Planner:
    """The state of one :func:`plan` call: loaded templates, and what has been planned."""

    campaign: Campaign
    out_dir: Path
    template: str | None
    cli_presets: tuple[str, ...]
    scale: float
    renderer_version: str
    store: JobStore
    entries: list[Entry] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    reused: dict[str, OutputRecord] = field(default_factory=dict)
    scheduled: set[str] = field(default_factory=set)
    _templates: dict[str, Any] = field(default_factory=dict)

    def load(self, name: str) -> Any:
        """The template ``name`` (loaded once); raise its error each time it is asked for."""
        # imported here, not at the top: `vidkit --help` stays fast
        from vidkit.template.templates import load_template

        if name not in self._templates:
            try:
                self._templates[name] = load_template(
                    _template_ref(name, self.campaign),
                    user_dirs=self.campaign.template_dirs,
                    brand=self.campaign.brand,
                )
            except VidkitError as exc:
                self._templates[name] = exc
        got = self._templates[name]
        if isinstance(got, VidkitError):
            raise got
        return got

    def add_row(self, row: Row, hashed: Mapping[str, Future[Any]], name: str) -> None:
        # imported here, not at the top: `vidkit --help` stays fast
        from vidkit.template.presets import resolve

        c = self.campaign
        tnames = (row.templates or ((self.template,) if self.template else ()) or c.templates) or (
            DEFAULT_TEMPLATE,
        )
        platform_names = row.platforms or self.cli_presets or c.platforms or DEFAULT_PRESETS
        base = {"line": row.line, "source": str(row.source), "clip": row.clip,
                "sharer": row.sharer or ""}  # fmt: skip
        try:
            wanted = resolve(list(platform_names))
        except VidkitError as exc:
            self.entries.append(
                Entry(template=",".join(tnames), platform="", error=str(exc), **base)
            )
            return
        clip_error = row.problem or ("no clip given" if not row.clip else None)
        clip = _RowClip(error=clip_error)
        if clip_error is None:
            try:
                clip.path, clip.sha256 = hashed[row.clip_ref()].result()
                clip.captions, clip.captions_id = _captions(row, c)
            except VidkitError as exc:
                clip.error = str(exc)
        usable = []
        for tname in tnames:
            with contextlib.suppress(VidkitError):
                usable.append(self.load(tname))
        for tname in tnames:
            rows = [Entry(template=tname, platform=p.name, **base) for p in wanted]
            self._add_template(row, tname, wanted, rows, clip, usable, name)

    def _add_template(
        self,
        row: Row,
        tname: str,
        wanted: Sequence[Any],
        row_entries: list[Entry],
        clip: _RowClip,
        usable: list[Any],
        name: str,
    ) -> None:
        """Entries (and a task for what is unfinished) for one row in one template."""
        try:
            if clip.error is not None:
                raise VidkitError(clip.error)
            tpl = self.load(tname)
            given = _fields_for(row, self.campaign, tpl, usable)
        except VidkitError as exc:
            self.entries += [dataclasses.replace(e, error=str(exc)) for e in row_entries]
            return
        assert clip.path is not None
        keys = [
            job_key(
                clip_sha256=clip.sha256, template_digest=tpl.digest,
                fields=tpl.merge_fields(given), preset=p, scale=self.scale,
                captions=clip.captions_id, renderer_version=self.renderer_version,
            )
            for p in wanted
        ]  # fmt: skip
        todo = self._unfinished(wanted, keys)
        self.entries += [
            dataclasses.replace(e, key=k, template=tpl.name) for e, k in zip(row_entries, keys)
        ]
        if todo:
            self.tasks.append(
                Task(
                    line=row.line, source=str(row.source), clip=str(clip.path),
                    clip_ref=row.clip, template=_template_ref(tname, self.campaign),
                    template_digest=tpl.digest,
                    template_dirs=tuple(str(d) for d in self.campaign.template_dirs),
                    brand=self.campaign.brand, presets=tuple(p for p, _ in todo),
                    keys=tuple(k for _, k in todo), fields=tuple(sorted(given.items())),
                    captions=clip.captions, scale=self.scale, out_dir=str(self.out_dir),
                    name=name, expected_seconds=_duration(clip.path) * len(todo),
                )
            )  # fmt: skip

    def _unfinished(self, wanted: Sequence[Any], keys: list[str]) -> list[tuple[str, str]]:
        """(preset, key) of the outputs neither finished earlier nor already scheduled."""
        todo: list[tuple[str, str]] = []
        for p, key in zip(wanted, keys):
            if key in self.reused or key in self.scheduled:
                continue
            finished = self.store.finished(key)
            if finished is not None:
                self.reused[key] = finished
            else:
                todo.append((p.name, key))
                self.scheduled.add(key)
        return todo


@dataclass
class _RowClip:
    """A row's clip as hashed, with its captions, or why it cannot be used."""

    error: str | None
    path: Path | None = None
    sha256: str = ""
    captions: str | None = None
    captions_id: str | None = None


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


def output_names(rows: Sequence[Row]) -> dict[int, str]:
    """Output names from clip names. Rows that share a clip name (phones all write
    IMG_0001.MOV) add their first merge field (``name`` if there is one), and a short hash of
    the row when that is still not enough. Names depend on the rows' content, not their order.
    """
    identity = {
        row.line: json.dumps([row.clip, sorted(row.fields), row.captions], ensure_ascii=False)
        for row in rows
    }

    def distinct(names: Mapping[int, str]) -> set[str]:
        seen: dict[str, set[str]] = {}
        for row in rows:
            seen.setdefault(names[row.line], set()).add(identity[row.line])
        return {name for name, ids in seen.items() if len(ids) > 1}

    names = {
        row.line: _slug(Path(row.clip.rstrip("/")).stem, lower=False) or "clip" for row in rows
    }
    for clash in distinct(names):
        for row in rows:
            if names[row.line] == clash:
                fields = row.field_map
                label = fields.get("name") or next(iter(fields.values()), "")
                names[row.line] = "-".join(filter(None, (clash, _slug(label)[:40])))
    for clash in distinct(names):
        for row in rows:
            if names[row.line] == clash:
                digest = hashlib.sha256(identity[row.line].encode()).hexdigest()[:8]
                names[row.line] = f"{clash}-{digest}"
    return names


def _slug(text: str, *, lower: bool = True) -> str:
    """Letters of any script, digits, - and _; runs of anything else become one -."""
    text = text.lower() if lower else text
    out = "".join(c if c.isalnum() or c in "-_" else " " for c in text)
    return "-".join(out.split())


def _duration(path: Path) -> float:
    # imported here, not at the top: PyAV loads only when a batch runs
    from vidkit.render.probe import probe

    try:
        return probe(path).duration
    except VidkitError:
        return 0.0  # the worker reports the real problem with the clip


def renderer_version() -> str:
    # imported here, not at the top: the render stack loads only when a batch runs
    from vidkit.render.make import RENDERER_VERSION

    return RENDERER_VERSION
