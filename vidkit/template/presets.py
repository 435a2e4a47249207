"""Output presets: frame size, limits and safe zones per shape and per platform.

The facts live in ``presets.yaml`` beside this module (one file, each entry with its source);
this module turns them into frozen :class:`Preset` values.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from vidkit.errors import ConfigError


@dataclass(frozen=True)
class SafeZone:
    """Fractions of the frame, from each edge, that the platform's own UI covers."""

    top: float
    bottom: float
    left: float
    right: float


@dataclass(frozen=True)
class Preset:
    """An output shape and a platform's limits (from ``presets.yaml``, with sources): frame
    size, frame-rate range, keyframe interval, duration and file-size limits, bitrate cap and
    the safe zone that the platform's own buttons and captions leave free."""

    name: str
    shape: str
    width: int
    height: int
    fps_min: int
    fps_max: int
    gop_seconds: float
    audio_kbps: int
    safe: SafeZone
    min_duration: float | None = None
    max_duration: float | None = None
    max_bytes: int | None = None
    max_kbps: int | None = None
    source: str = ""

    def scaled(self, scale: float) -> Preset:
        """The same preset at a fraction of its size (drafts, previews and fast tests)."""
        if scale == 1:
            return self
        from dataclasses import replace

        return replace(self, width=_even(self.width * scale), height=_even(self.height * scale))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "shape": self.shape,
            "width": self.width,
            "height": self.height,
            "fps": [self.fps_min, self.fps_max],
            "max_duration": self.max_duration,
            "max_bytes": self.max_bytes,
            "max_kbps": self.max_kbps,
            "safe": vars(self.safe),
            "source": self.source,
        }


def _even(x: float) -> int:
    n = int(round(x))
    return max(2, n - n % 2)


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = resources.files("vidkit.template").joinpath("presets.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@functools.lru_cache(maxsize=1)
def all_presets() -> dict[str, Preset]:
    data = _data()
    defaults = data["defaults"]
    shapes = data["shapes"]
    out: dict[str, Preset] = {}

    def build(name: str, shape: str, entry: dict[str, Any]) -> Preset:
        base = {**defaults, **shapes[shape], **entry}
        w, h = base["size"]
        fps_min, fps_max = base["fps"]
        dur = base.get("duration") or [None, None]
        max_mb = base.get("max_mb")
        return Preset(
            name=name,
            shape=shape,
            width=int(w),
            height=int(h),
            fps_min=int(fps_min),
            fps_max=int(fps_max),
            gop_seconds=float(base["gop_seconds"]),
            audio_kbps=int(base["audio_kbps"]),
            safe=SafeZone(**{k: float(v) for k, v in base["safe"].items()}),
            min_duration=dur[0],
            max_duration=dur[1],
            max_bytes=int(max_mb * 1_000_000) if max_mb else None,
            max_kbps=base.get("max_kbps"),
            source=str(base.get("source", "")),
        )

    for shape in shapes:
        out[shape] = build(shape, shape, {})
    for name, entry in data["platforms"].items():
        out[name] = build(name, entry["shape"], {k: v for k, v in entry.items() if k != "shape"})
    return out


SHAPES = ("9x16", "1x1", "4x5", "16x9")


def resolve(names: Sequence[str] | str) -> list[Preset]:
    """Turn names (or one comma-separated string) into presets.

    ``all`` expands to every preset; ``shapes`` to the four shapes (one video per shape);
    ``platforms`` to every named platform preset.
    """
    if isinstance(names, str):
        names = [names]
    wanted: list[str] = []
    for item in names:
        for name in str(item).split(","):
            name = name.strip().lower().replace(":", "x")
            if not name:
                continue
            if name == "all":
                wanted.extend(all_presets())
            elif name == "shapes":
                wanted.extend(SHAPES)
            elif name == "platforms":
                wanted.extend(n for n in all_presets() if n not in SHAPES)
            else:
                wanted.append(name)
    if not wanted:
        raise ConfigError("no preset given", hint="try -p 9x16 or -p all")
    known = all_presets()
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise ConfigError(
            f"unknown preset {unknown[0]!r}",
            hint="known: " + ", ".join(known) + ", shapes, platforms, all",
        )
    seen: dict[str, Preset] = {}
    for n in wanted:
        seen.setdefault(n, known[n])
    return list(seen.values())
