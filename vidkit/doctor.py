"""doctor: a report of what vidkit will use on this machine, and what is missing."""

from __future__ import annotations

import os
from typing import Any

from vidkit.captions.engines import choose, model_prepared, moonshine_installed
from vidkit.captions.models import locate as locate_model
from vidkit.config import user_cache_dir
from vidkit.errors import VidkitError
from vidkit.ffmpeg.locate import ENV_VAR, locate
from vidkit.template.brand import list_brands
from vidkit.template.templates import list_templates

NEEDED_ENCODERS = ("libx264", "aac")
NEEDED_FILTERS = ("loudnorm", "ebur128", "overlay", "zscale", "tonemap", "sidechaincompress")
CONFIG_VARS = (ENV_VAR, "VIDKIT_TEMPLATES", "VIDKIT_BRANDS", "VIDKIT_DB", "VIDKIT_STORAGE",
               "VIDKIT_BASE_URL", "VIDKIT_CACHE", "VIDKIT_CAPTION_ENGINE", "VIDKIT_WHISPER_MODEL",
               "VIDKIT_VOSK_MODEL")  # fmt: skip


def diagnose(ffmpeg: str | None = None) -> dict[str, Any]:
    problems: list[str] = []
    try:
        ff = locate(ffmpeg)
        encoders, filters = ff.encoders(), ff.filters()
        ff_report: dict[str, Any] = {
            "path": ff.path,
            "version": ff.version,
            "source": ff.source,
            "encoders": {e: e in encoders for e in NEEDED_ENCODERS},
            "filters": {f: f in filters for f in NEEDED_FILTERS},
        }
        problems += [f"ffmpeg lacks encoder {e}" for e in NEEDED_ENCODERS if e not in encoders]
        problems += [f"ffmpeg lacks filter {f}" for f in NEEDED_FILTERS if f not in filters]
    except VidkitError as exc:
        ff_report = {"path": None, "version": None, "source": None, "encoders": {}, "filters": {}}
        problems.append(str(exc))
    # imported here, not at the top: Pillow loads only when doctor runs
    from vidkit.text.fonts import bundled_fonts_dir

    fonts_dir = bundled_fonts_dir()
    fonts = [
        {"name": p.name, "path": str(p)}
        for p in sorted(fonts_dir.glob("*"))
        if p.suffix.lower() in (".ttf", ".otf", ".ttc")
    ]
    if not fonts:
        problems.append(f"no bundled fonts found in {fonts_dir}")
    templates: list[str] = []
    try:
        templates = list_templates()
    except VidkitError as exc:
        problems.append(str(exc))
    captions = _captions(problems)
    return {
        "ffmpeg": ff_report,
        "captions": captions,
        "clicklog": _clicklog(problems),
        "fonts": fonts,
        "templates": templates,
        "brands": list_brands(),
        "config": {k: os.environ[k] for k in CONFIG_VARS if k in os.environ},
        "problems": problems,
    }


def _captions(problems: list[str]) -> dict[str, Any]:
    """Which engine ``--captions auto`` will use, and whether its model is ready."""
    try:
        engine = choose()
    except VidkitError as exc:
        problems.append(str(exc))
        return {"engine": None, "languages": None, "note": str(exc)}
    languages = sorted(engine.languages) if engine.languages is not None else None
    if engine.name == "moonshine":
        cache = user_cache_dir()
        if model_prepared(engine.name):
            note = f"model ready in {cache}"
        elif locate_model(cache, "moonshine") is not None:
            note = f"model prepared on first use (a few seconds, ~250 MB in {cache})"
        else:
            note = (
                "model downloaded on first use (~55 MB through pip's index), or now: "
                "vidkit captions models install moonshine"
            )
    elif engine.name == "pocketsphinx" and not moonshine_installed():
        note = "rough free recognition: check captions; pip install onnxruntime onnx for moonshine"
    else:
        note = ""
    return {"engine": engine.name, "languages": languages, "note": note}


def _clicklog(problems: list[str]) -> dict[str, Any] | None:
    """The share server's click log for the configured database (None: no database yet)."""
    # imported here, not at the top: the database layer loads only when doctor runs
    from vidkit.config import load_settings
    from vidkit.track.registry import Registry
    from vidkit.web.clicklog import inspect

    settings = load_settings()
    if "://" not in settings.db and not os.path.exists(settings.db):
        return None  # nothing published yet: opening it would create it
    try:
        with Registry.open(settings.db) as registry:
            report = inspect(settings.log_dir, registry.meta("database_id"))
    except VidkitError as exc:
        problems.append(f"database: {exc}")
        return None
    if not report["writable"]:
        problems.append(
            f"the click log folder {report['directory']} cannot be written (disk full?)"
        )
    if report["foreign_segments"]:
        problems.append(
            f"{len(report['foreign_segments'])} click-log segment(s) in {report['directory']} "
            "belong to another database and are not replayed here"
        )
    return report
