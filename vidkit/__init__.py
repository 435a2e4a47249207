"""vidkit: member-made campaign video — make, batch, publish and track.

Everything the ``vidkit`` command does is a call here, for example::

    import vidkit

    result = vidkit.make(["clip.mp4"], presets="reels,youtube", out_dir="out")
    media = vidkit.probe(result.outputs[0].path)

Names are imported on first use, so ``import vidkit`` (and ``vidkit --help``) stay fast.
The stage packages (``vidkit.render``, ``vidkit.template``, ``vidkit.captions``,
``vidkit.batch``, ``vidkit.share``, ``vidkit.store``, ``vidkit.track``, ``vidkit.web``)
hold the rest; see docs/architecture.md.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS = {
    # make: probe, template, brand and presets in; videos out
    "probe": "vidkit.render.probe",
    "Media": "vidkit.render.probe",
    "load_template": "vidkit.template.templates",
    "list_templates": "vidkit.template.templates",
    "Template": "vidkit.template.templates",
    "load_brand": "vidkit.template.brand",
    "list_brands": "vidkit.template.brand",
    "Brand": "vidkit.template.brand",
    "Preset": "vidkit.template.presets",
    "all_presets": "vidkit.template.presets",
    "resolve_presets": "vidkit.template.presets:resolve",
    "make_plan": "vidkit.render.plan",
    "Plan": "vidkit.render.plan",
    "OutputPlan": "vidkit.render.plan",
    "make": "vidkit.render.make",
    "make_clip": "vidkit.render.make",
    "MakeResult": "vidkit.render.make",
    "Output": "vidkit.render.make",
    "QUALITIES": "vidkit.render.graph",
    # captions
    "captions_for": "vidkit.captions.pipeline",
    "caption_clip": "vidkit.captions.pipeline",
    "transcribe_clip": "vidkit.captions.pipeline",
    "Captions": "vidkit.captions.pipeline",
    "read_captions": "vidkit.captions.formats",
    "write_srt": "vidkit.captions.formats",
    "write_vtt": "vidkit.captions.formats",
    # batch
    "load_campaign": "vidkit.batch.campaign",
    "Campaign": "vidkit.batch.campaign",
    "run_batch": "vidkit.batch.run:run",
    "BatchResult": "vidkit.batch.run",
    # publish and track
    "publish": "vidkit.share.publish",
    "Published": "vidkit.share.publish",
    "share_url": "vidkit.share.links",
    "open_storage": "vidkit.store",
    "storage_for": "vidkit.store",
    "Storage": "vidkit.store.base",
    "Registry": "vidkit.track.registry",
    "Video": "vidkit.track.registry",
    "Link": "vidkit.track.registry",
    "stats": "vidkit.track.stats",
    "purge": "vidkit.track.retention",
    # settings and set-up
    "Settings": "vidkit.config",
    "load_settings": "vidkit.config",
    "diagnose": "vidkit.doctor",
    # errors: every one a VidkitError
    "VidkitError": "vidkit.errors",
    "MediaError": "vidkit.errors",
    "TemplateError": "vidkit.errors",
    "ConfigError": "vidkit.errors",
    "CaptionError": "vidkit.errors",
    "RenderError": "vidkit.errors",
    "ToolMissingError": "vidkit.errors",
    "NoSpeechError": "vidkit.captions.pipeline",
    "StorageError": "vidkit.store.base",
    "NotFoundError": "vidkit.track.registry",
    "DatabaseError": "vidkit.track.database",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'vidkit' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(importlib.import_module(module), attr or name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
