"""Brand kits: a folder with ``brand.yaml``, logo, fonts, and optional music and stings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vidkit.assets import digest_files, inside, search_dirs
from vidkit.errors import TemplateError
from vidkit.images import IMAGE_SUFFIXES, check_image
from vidkit.template import strict_yaml as specyaml
from vidkit.template.strict_yaml import Field

_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


def _color(v: str) -> str | None:
    return None if _COLOR.match(v) else f"expected a colour like #D7263D, got {v!r}"


def _url(v: str | None) -> str | None:
    if v is None or re.fullmatch(r"https?://[^\s/$.?#][^\s]*", v):
        return None
    return f"expected an address starting https:// (or http://), got {v!r}"


def _handle(v: str | None) -> str | None:
    if v is None or re.fullmatch(r"@[A-Za-z0-9_]{1,15}", v):
        return None
    return f"expected an X handle like @campaign, got {v!r}"


SCHEMA: dict[str, Field] = {
    "name": Field(str, required=True),
    "colors": Field(
        {
            "primary": Field(str, required=True, check=_color),
            "secondary": Field(str, required=True, check=_color),
            "text": Field(str, default="#FFFFFF", check=_color),
            "accent": Field(str, default="#FFD23F", check=_color),
        },
        required=True,
    ),
    "fonts": Field(
        {"heading": Field(str, required=True), "body": Field(str, required=True)}, required=True
    ),
    "logo": Field((str, type(None))),
    # the share page and link card: the organisation's site, @handle, a square icon (favicon,
    # touch icon; else made from the logo), a default description and call to action
    "site": Field((str, type(None)), check=_url),
    "twitter": Field((str, type(None)), check=_handle),
    "icon": Field((str, type(None))),
    "description": Field((str, type(None))),
    "cta": Field({"text": Field(str, required=True), "url": Field(str, required=True, check=_url)}),
    "music": Field((str, type(None))),
    "intro": Field((str, type(None))),
    "outro": Field((str, type(None))),
}


@dataclass(frozen=True)
class Colors:
    primary: str
    secondary: str
    text: str
    accent: str


@dataclass(frozen=True)
class Brand:
    """A brand kit folder, loaded: colours, heading and body fonts, and optional logo, music
    bed and intro/outro stings. ``digest`` covers every file it uses."""

    name: str
    folder: Path
    colors: Colors
    heading_font: Path
    body_font: Path
    logo: Path | None
    music: Path | None
    intro: Path | None
    outro: Path | None
    digest: str
    site: str | None = None  # the organisation's own site (https://...)
    twitter: str | None = None  # @handle, for twitter:site
    icon: Path | None = None  # a square image for the favicon and touch icon
    description: str | None = None  # the share page's description when a video has none
    cta_text: str | None = None  # the share page's call to action when a video has none
    cta_url: str | None = None


def load_brand(name_or_dir: str | Path, *, user_dirs: Sequence[Path | str] = ()) -> Brand:
    """Load a brand kit by name (searched in user folders, then built-ins) or by folder path."""
    folder = _find(str(name_or_dir), user_dirs)
    path = folder / "brand.yaml"
    data = specyaml.load(path, SCHEMA)

    def asset(key: str, value: str | None) -> Path | None:
        return None if value is None else inside(folder, value, path=path, key=key)

    heading = asset("fonts.heading", data["fonts"]["heading"])
    body = asset("fonts.body", data["fonts"]["body"])
    assert heading is not None and body is not None
    files = {
        "logo": asset("logo", data["logo"]),
        "music": asset("music", data["music"]),
        "intro": asset("intro", data["intro"]),
        "outro": asset("outro", data["outro"]),
        "icon": asset("icon", data["icon"]),
    }
    for key, file in files.items():
        if file is not None and (key in ("logo", "icon") or file.suffix.lower() in IMAGE_SUFFIXES):
            check_image(file, error=TemplateError, key=key)  # the header only, before any render
    used = [path, heading, body, *(p for p in files.values() if p is not None)]
    return Brand(
        name=data["name"],
        folder=folder,
        colors=Colors(**data["colors"]),
        heading_font=heading,
        body_font=body,
        digest=digest_files(used),
        site=data["site"],
        twitter=data["twitter"],
        description=data["description"],
        cta_text=data["cta"]["text"] if data["cta"] else None,
        cta_url=data["cta"]["url"] if data["cta"] else None,
        **files,
    )


def _find(name: str, user_dirs: Sequence[Path | str]) -> Path:
    candidate = Path(name)
    if (candidate / "brand.yaml").is_file():
        return candidate.resolve()
    if "/" not in name and "\\" not in name and name not in ("", ".", ".."):
        for d in search_dirs("brand_assets", user_dirs, env="VIDKIT_BRANDS"):
            if (d / name / "brand.yaml").is_file():
                return (d / name).resolve()
    raise TemplateError(
        f"brand kit {name!r} not found",
        hint="give a folder with a brand.yaml, or the name of one in brand_assets/",
    )


def list_brands(user_dirs: Sequence[Path | str] = ()) -> list[str]:
    names: list[str] = []
    for d in search_dirs("brand_assets", user_dirs, env="VIDKIT_BRANDS"):
        if d.is_dir():
            names += [
                p.parent.name for p in sorted(d.glob("*/brand.yaml")) if p.parent.name not in names
            ]
    return names
