"""Templates: a YAML file describing the look of a video, validated strictly at load.

A template names a brand kit and says where the logo sits, what the lower third and the
cards say (with ``{merge_fields}``), how captions look, how to reframe and how loud to be.
See ``templates/default.yaml`` for an annotated example and README's authoring guide.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidkit.assets import digest_files, search_dirs
from vidkit.errors import ConfigError, TemplateError
from vidkit.template import strict_yaml as specyaml
from vidkit.template.brand import Brand, load_brand
from vidkit.template.strict_yaml import Field, between, length

POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right")
CAPTION_STYLES = ("classic", "karaoke", "punchy")

#: How a lower third enters and leaves: slides in from the edge (eased), fades, or just appears.
MOTIONS = ("slide", "fade", "none")
#: How captions enter and leave: an eased fade, or none.
FADES = ("fade", "none")
#: How a title card enters and leaves: rises into place as it fades (eased), fades, or none.
TITLE_MOTIONS = ("rise", "fade", "none")

SCHEMA: dict[str, Field] = {
    "name": Field(str),
    "description": Field(str, default=""),
    "brand": Field(str, default="default"),
    "reframe": Field(str, default="auto", choices=("auto", "fill", "fit", "subject")),
    "focus": Field(
        list, default=[0.5, 0.5], items=float, check=specyaml.all_of(length(2), between(0, 1))
    ),
    "fields": Field(dict, default={}, items=str),
    "logo": Field(
        {
            "position": Field(str, default="top-right", choices=POSITIONS),
            "width": Field(float, default=0.16, check=between(0.02, 0.6)),
            "opacity": Field(float, default=1.0, check=between(0, 1)),
        },
        default={},
    ),
    "title_card": Field(
        {
            "text": Field(str, required=True),
            "subtitle": Field(str, default=""),
            "duration": Field(float, default=2.5, check=between(0.5, 15)),
            "motion": Field(str, default="rise", choices=TITLE_MOTIONS),
        }
    ),
    "lower_third": Field(
        {
            "title": Field(str, required=True),
            "subtitle": Field(str, default=""),
            "start": Field(float, default=0.5, check=between(0, 600)),
            "duration": Field(float, default=4.5, check=between(0.5, 60)),
            "style": Field(str, default="bar", choices=("bar", "pill")),
            "motion": Field(str, default="slide", choices=MOTIONS),
        }
    ),
    "end_card": Field(
        {
            "headline": Field(str, required=True),
            "url": Field(str, default=""),
            "duration": Field(float, default=3.0, check=between(0.5, 15)),
            "qr": Field(bool, default=False),
            "shared_by": Field(str, default=""),
        }
    ),
    "progress_bar": Field(
        {
            "position": Field(str, default="top", choices=("top", "bottom")),
            "height": Field(float, default=0.006, check=between(0.002, 0.03)),
        }
    ),
    "captions": Field(
        {
            "style": Field(str, default="classic", choices=CAPTION_STYLES),
            "size": Field(float, default=0.045, check=between(0.015, 0.15)),
            "position": Field(str, default="bottom", choices=("bottom", "middle", "top")),
            "box": Field(bool, default=True),
            "motion": Field(str, default="fade", choices=FADES),
        },
        default={},
    ),
    "audio": Field(
        {
            "loudness": Field(float, default=-14.0, check=between(-30, -5)),
            "true_peak": Field(float, default=-1.5, check=between(-9, 0)),
            "music": Field(bool, default=False),
            "music_gain": Field(float, default=-18.0, check=between(-40, 0)),
        },
        default={},
    ),
    "intro": Field(bool, default=False),
    "outro": Field(bool, default=False),
}


@dataclass(frozen=True)
class LogoSpec:
    position: str
    width: float
    opacity: float


@dataclass(frozen=True)
class TitleCardSpec:
    text: str
    subtitle: str
    duration: float
    motion: str = "rise"  # rise (into place as it fades, eased) | fade | none


@dataclass(frozen=True)
class LowerThirdSpec:
    title: str
    subtitle: str
    start: float
    duration: float
    style: str
    motion: str = "slide"  # slide (in from the edge, eased) | fade | none


@dataclass(frozen=True)
class EndCardSpec:
    headline: str
    url: str
    duration: float
    qr: bool = False  # a QR code of the url, to scan from a TV or a laptop screen
    shared_by: str = ""  # e.g. "Shared by {shared_by}": hidden while its field is empty


@dataclass(frozen=True)
class ProgressBarSpec:
    position: str  # top | bottom edge of the frame
    height: float  # fraction of the frame height


@dataclass(frozen=True)
class CaptionSpec:
    style: str
    size: float
    position: str
    box: bool
    motion: str = "fade"  # fade (eased, in the gaps around cues) | none


@dataclass(frozen=True)
class AudioSpec:
    loudness: float
    true_peak: float
    music: bool
    music_gain: float


@dataclass(frozen=True)
class Template:
    """A loaded, validated template (see the README's authoring guide): which parts to draw
    (logo, title card, lower third, end card, captions), their texts with ``{merge}`` fields,
    the audio targets, and the :class:`~vidkit.template.brand.Brand` it is drawn in.
    ``digest`` covers the file and every asset, so batch jobs re-render when either changes."""

    name: str
    description: str
    path: Path
    brand: Brand
    reframe: str
    focus: tuple[float, float]
    defaults: Mapping[str, str]
    logo: LogoSpec | None
    title_card: TitleCardSpec | None
    lower_third: LowerThirdSpec | None
    end_card: EndCardSpec | None
    captions: CaptionSpec
    audio: AudioSpec
    intro: bool
    outro: bool
    fields: frozenset[str]  # merge fields the template's texts use
    digest: str = field(default="")
    progress_bar: ProgressBarSpec | None = None

    def merge_fields(self, given: Mapping[str, str]) -> dict[str, str]:
        """Defaults overlaid with ``given``; refuse unknown and missing fields by name."""
        known = set(self.fields) | set(self.defaults)
        unknown = sorted(set(given) - known)
        if unknown:
            raise ConfigError(
                f"unknown merge field {unknown[0]!r} for template {self.name!r}",
                hint="it uses: " + (", ".join(sorted(known)) or "no fields"),
            )
        values = {**self.defaults, **given}
        missing = sorted(self.fields - set(values))
        if missing:
            raise ConfigError(
                f"template {self.name!r} needs merge field {missing[0]!r}",
                hint=f"give it with --set {missing[0]}=...",
            )
        return {k: str(v) for k, v in values.items()}


def fill(text: str, values: Mapping[str, str]) -> str:
    """Substitute ``{field}`` in ``text``; values are inserted literally, never re-parsed."""
    out: list[str] = []
    for literal, name, _spec, _conv in string.Formatter().parse(text):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, ""))
    return "".join(out)


def fields_of(text: str) -> list[str]:
    """The merge fields ``text`` uses (a text already validated at load)."""
    return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name]


def _fields_in(text: str, path: Path, key: str) -> set[str]:
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(
            f"bad merge field syntax ({exc})", path=path, key=key, hint="write {{ and }} for braces"
        ) from None
    names = set()
    for _literal, name, spec, conv in parts:
        if name is None:
            continue
        if not name.isidentifier() or spec or conv:
            raise TemplateError(
                f"bad merge field {{{name}}}",
                path=path,
                key=key,
                hint="merge fields are plain names like {name}; write {{ and }} for braces",
            )
        names.add(name)
    return names


def find_template(name_or_path: str | Path, user_dirs: Sequence[Path | str] = ()) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml"):
        if candidate.is_file():
            return candidate.resolve()
        raise TemplateError("template file not found", path=candidate)
    name = str(name_or_path)
    for d in search_dirs("templates", user_dirs, env="VIDKIT_TEMPLATES"):
        for ext in (".yaml", ".yml"):
            p = d / f"{name}{ext}"
            if p.is_file():
                return p.resolve()
    raise TemplateError(
        f"template {name!r} not found",
        hint="known: " + ", ".join(list_templates(user_dirs)) + " (or give a .yaml path)",
    )


def list_templates(user_dirs: Sequence[Path | str] = ()) -> list[str]:
    names: list[str] = []
    for d in search_dirs("templates", user_dirs, env="VIDKIT_TEMPLATES"):
        if d.is_dir():
            for p in sorted(d.glob("*.y*ml")):
                if p.stem not in names:
                    names.append(p.stem)
    return names


def load_template(
    name_or_path: str | Path,
    *,
    user_dirs: Sequence[Path | str] = (),
    brand: str | Path | None = None,
    brand_dirs: Sequence[Path | str] = (),
) -> Template:
    """Find, parse and validate a template and its brand kit."""
    path = find_template(name_or_path, user_dirs)
    data = specyaml.load(path, SCHEMA)
    kit = load_brand(brand if brand is not None else data["brand"], user_dirs=brand_dirs)

    for key, wanted, have in (
        ("intro", data["intro"], kit.intro),
        ("outro", data["outro"], kit.outro),
        ("audio.music", data["audio"]["music"], kit.music),
    ):
        if wanted and have is None:
            raise TemplateError(
                f"brand kit {kit.name!r} has no {key.split('.')[-1]} file",
                path=path,
                key=key,
                hint=f"add one to {kit.folder / 'brand.yaml'} or set {key}: false",
            )

    used: set[str] = set()
    for block in ("title_card", "lower_third", "end_card"):
        if data[block]:
            for k, v in data[block].items():
                if isinstance(v, str):
                    used |= _fields_in(v, path, f"{block}.{k}")

    def spec(cls: Any, block: str) -> Any:
        return None if data[block] is None else cls(**data[block])

    return Template(
        name=data["name"] or path.stem,
        description=data["description"],
        path=path,
        brand=kit,
        reframe=data["reframe"],
        focus=(data["focus"][0], data["focus"][1]),
        defaults=dict(data["fields"]),
        logo=spec(LogoSpec, "logo"),
        title_card=spec(TitleCardSpec, "title_card"),
        lower_third=spec(LowerThirdSpec, "lower_third"),
        end_card=spec(EndCardSpec, "end_card"),
        captions=CaptionSpec(**data["captions"]),
        audio=AudioSpec(**data["audio"]),
        intro=data["intro"],
        outro=data["outro"],
        fields=frozenset(used),
        digest=digest_files([path], extra=kit.digest),
        progress_bar=spec(ProgressBarSpec, "progress_bar"),
    )
