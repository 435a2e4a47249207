"""Content-addressed render jobs, the record of finished ones, and the batch manifest.

A job is one output: (clip content, template and brand content, merge fields, preset, scale,
captions, renderer version). Its key is a sha256 over exactly those, so a rerun recognises work
already done wherever the row sits in the CSV, and a changed row gets new keys for itself only.
A finished job leaves a small JSON record in ``DIR/.vidkit-jobs/<key>.json``; it is written
after the output was renamed into place, so a record always points at a complete file.

A :class:`Task` is the unit handed to a worker: one row and template with the presets still to
render (``make_clip`` renders several presets in one ffmpeg run, decoding the clip once).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidkit.files import write_atomic, write_csv

JOBS_DIR = ".vidkit-jobs"
MANIFEST_COLUMNS = (
    "line",
    "clip",
    "template",
    "platform",
    "status",
    "path",
    "error",
    "share_url",
    "sharer",
    "key",
)


def job_key(
    *,
    clip_sha256: str,
    template_digest: str,
    fields: Mapping[str, str],
    preset: Any,
    scale: float,
    captions: str | None,
    renderer_version: str,
) -> str:
    """The sha256 naming one output; equal inputs give equal keys on any machine."""
    payload = {
        "clip": clip_sha256,
        "template": template_digest,
        "fields": sorted((str(k), str(v)) for k, v in fields.items()),
        "preset": _preset_identity(preset),
        "scale": repr(float(scale)),
        "captions": captions,
        "renderer": renderer_version,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _preset_identity(preset: Any) -> Any:
    """Everything that defines a preset, so editing preset data re-renders its outputs."""
    if dataclasses.is_dataclass(preset) and not isinstance(preset, type):
        return json.loads(json.dumps(dataclasses.asdict(preset), sort_keys=True, default=str))
    return str(getattr(preset, "name", preset))


@dataclass(frozen=True)
class OutputRecord:
    """A finished output as the manifest and the job record describe it."""

    platform: str
    path: str
    width: int = 0
    height: int = 0
    duration: float = 0.0
    poster: str | None = None
    card: str | None = None

    @classmethod
    def from_output(cls, output: Any) -> OutputRecord:
        def opt(name: str) -> str | None:
            value = getattr(output, name, None)
            return None if value is None else str(value)

        return cls(
            platform=str(
                output.platform if isinstance(output.platform, str) else output.platform.name
            ),
            path=str(output.path),
            width=int(getattr(output, "width", 0) or 0),
            height=int(getattr(output, "height", 0) or 0),
            duration=float(getattr(output, "duration", 0.0) or 0.0),
            poster=opt("poster"),
            card=opt("card"),
        )


@dataclass(frozen=True)
class Task:
    """One row × template, with the presets (and their job keys) still to render. Picklable."""

    line: int
    source: str  # the file ``line`` refers to
    clip: str  # local path to render from
    clip_ref: str  # as the campaign names it (path or s3:// URL)
    template: str  # name or path, resolved again on the worker
    template_digest: str  # what the planner saw; a worker with other content refuses
    template_dirs: tuple[str, ...]
    brand: str | None
    presets: tuple[str, ...]
    keys: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]
    captions: str | None
    scale: float
    out_dir: str
    name: str
    threads: int | None = None
    expected_seconds: float = 0.0  # clip duration × presets, for progress and throughput


@dataclass(frozen=True)
class TaskResult:
    """What a worker sends back: the outputs, or one line saying why there are none."""

    line: int
    outputs: tuple[OutputRecord, ...] = ()
    error: str | None = None
    seconds: float = 0.0  # wall time spent on the worker
    worker: str = ""


class JobStore:
    """The records of finished jobs under ``DIR/.vidkit-jobs``."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.root = out_dir / JOBS_DIR

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def finished(self, key: str) -> OutputRecord | None:
        """The finished output for ``key`` if its record exists and its file is still the one
        the job wrote (same size and modification time)."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            stored = dict(data["output"])
            for name in ("path", "poster", "card"):
                if stored.get(name):
                    stored[name] = str(self.out_dir / stored[name])
            record = OutputRecord(**stored)
            st = Path(record.path).stat()
        except (OSError, ValueError, KeyError, TypeError):
            return None
        # The file must be the one this job wrote: a changed row renders to the same name, and
        # changing it back must not reuse the other row's video.
        if [st.st_size, st.st_mtime_ns] != data.get("file"):
            return None
        return record

    def record(self, key: str, output: OutputRecord, *, line: int, clip: str) -> None:
        """Remember a finished output; paths inside the folder are kept relative to it, so the
        folder can be moved (or mounted elsewhere on a cluster) without re-rendering."""
        stored = dataclasses.asdict(output)
        for name in ("path", "poster", "card"):
            if stored.get(name):
                stored[name] = os.path.relpath(stored[name], self.out_dir)
        st = Path(output.path).stat()
        data = {
            "key": key,
            "line": line,
            "clip": clip,
            "output": stored,
            "file": [st.st_size, st.st_mtime_ns],
        }
        write_atomic(self._path(key), json.dumps(data, indent=2, ensure_ascii=False))


@dataclass(frozen=True)
class ManifestRow:
    """One input row × preset: the line of the mail-merge sheet."""

    line: int
    clip: str
    template: str
    platform: str
    status: str  # "ok" or "failed"
    path: str = ""
    error: str = ""
    share_url: str = ""
    sharer: str = ""
    key: str = ""
    reused: bool = False
    source: str = ""  # the file ``line`` is in (the campaign CSV or YAML)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def write_manifest(
    out_dir: Path, rows: Sequence[ManifestRow], summary: Mapping[str, Any]
) -> tuple[str, ...]:
    """Write ``manifest.csv`` (UTF-8 with BOM, for spreadsheets) and ``manifest.json``, each
    atomically and each whether or not the other could be written (a full disk, a read-only
    folder). Returns one line for each file that could not be written; none when both were."""
    ordered = sorted(rows, key=lambda r: (r.line, r.template, r.platform))
    buf = io.StringIO(newline="")
    write_csv(buf, MANIFEST_COLUMNS, ([r.to_dict()[c] for c in MANIFEST_COLUMNS] for r in ordered))
    data = {"summary": dict(summary), "rows": [r.to_dict() for r in ordered]}
    texts = {
        "manifest.csv": "\ufeff" + buf.getvalue(),
        "manifest.json": json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n",
    }
    problems = []
    for name, text in texts.items():
        try:
            write_atomic(out_dir / name, text)
        except OSError as exc:
            problems.append(
                f"{out_dir / name}: not written: {exc.strerror or exc} (free some space or make "
                "the folder writable, then run the batch again: finished videos are reused)"
            )
    return tuple(problems)


def read_manifest(out_dir: Path) -> list[dict[str, Any]]:
    """The rows of ``DIR/manifest.json`` (for tests and tools)."""
    data = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    return list(data["rows"])
