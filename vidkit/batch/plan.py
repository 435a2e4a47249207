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
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
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
    from vidkit.template.presets import resolve
    from vidkit.template.templates import load_template

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

    names = output_names(campaign.rows)
    # Hash (and, for s3:// clips, fetch) every clip first, several at a time: reading files and
    # asking S3 wait on I/O, not on this process.
    refs = {row.clip_ref() for row in campaign.rows if row.clip and not row.problem}
    with ThreadPoolExecutor(max_workers=min(8, len(refs) or 1)) as pool:
        hashed = {ref: pool.submit(source.content_hash, ref) for ref in refs}
        wait(hashed.values())
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
            entries.append(Entry(template=",".join(tnames), platform="", error=str(exc), **base))
            continue
        clip_error = row.problem or ("no clip given" if not row.clip else None)
        clip_path: Path | None = None
        clip_hash = ""
        captions: str | None = None
        captions_id: str | None = None
        if clip_error is None:
            try:
                clip_path, clip_hash = hashed[row.clip_ref()].result()
                captions, captions_id = _captions(row, campaign)
            except VidkitError as exc:
                clip_error = str(exc)
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
                why = str(exc)
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
    from vidkit.render.probe import probe

    try:
        return probe(path).duration
    except VidkitError:
        return 0.0  # the worker reports the real problem with the clip


def renderer_version() -> str:
    from vidkit.render.make import RENDERER_VERSION

    return RENDERER_VERSION
