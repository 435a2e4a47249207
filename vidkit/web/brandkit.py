"""The brand kit as the share server hands it out: logo, icons, fonts and colours.

Everything is made once per brand kit (per process) from its folder: a logo sized for the page,
a favicon (ICO), a 32 px icon and a 180 px touch icon (from the kit's ``icon``, else its logo on
the primary colour, else the organisation's initial), its heading and body fonts subset to Latin
and compressed (WOFF2), and a style sheet of colour variables with a light and a dark scheme
whose text always passes WCAG AA contrast. Files are served under ``/brand/DIGEST/NAME``: the
digest covers the kit's files, so they are cached for a year and a changed kit gets new paths.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from vidkit.config import user_cache_dir
from vidkit.errors import TemplateError
from vidkit.files import sha256_file, write_atomic
from vidkit.images import open_checked
from vidkit.template.brand import Brand
from vidkit.template.colors import button, luminance, mix, on_color, readable, rgb

log = logging.getLogger("vidkit.web")
BRAND_PREFIX = "/brand/"
LOGO_HEIGHT = 96  # pixels: 32 CSS px on a 3x phone screen
TOUCH_ICON = 180
#: What the self-hosted fonts keep (text outside it falls back to the system's fonts).
LATIN_RANGES = ((0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x20AC, 0x20AC), (0x2122, 0x2122))
_UNICODE_RANGE = ", ".join(
    f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in LATIN_RANGES
)


@dataclass(frozen=True)
class BrandFile:
    body: bytes
    content_type: str


@dataclass(frozen=True)
class BrandKit:
    """A brand kit's files for the share server, and what the page says about them."""

    brand: Brand
    prefix: str  # /brand/DIGEST/
    files: dict[str, BrandFile]
    logo_size: tuple[int, int] | None  # CSS pixels, None without a logo

    @property
    def name(self) -> str:
        return self.brand.name

    def url(self, base_url: str, name: str) -> str:
        return f"{base_url}{self.prefix}{name}"

    def file(self, digest: str, name: str) -> BrandFile | None:
        """The file ``name`` if ``digest`` is this kit's (an old digest is not served)."""
        if f"{BRAND_PREFIX}{digest}/" != self.prefix:
            return None
        return self.files.get(name)


@functools.lru_cache(maxsize=8)
def brand_kit(brand: Brand) -> BrandKit:
    """The served form of ``brand``, made once per process."""
    files: dict[str, BrandFile] = {}
    logo_size = None
    if brand.logo is not None:
        logo = _logo(brand.logo)
        files["logo.png"] = BrandFile(_png(logo), "image/png")
        logo_size = (round(logo.width / 3), round(logo.height / 3))
    icon = _icon(brand)
    files["touch-icon.png"] = BrandFile(_png(icon), "image/png")
    files["icon-32.png"] = BrandFile(
        _png(icon.resize((32, 32), Image.Resampling.LANCZOS)), "image/png"
    )
    ico = io.BytesIO()
    icon.save(ico, "ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    files["favicon.ico"] = BrandFile(ico.getvalue(), "image/x-icon")
    for role, path in (("heading", brand.heading_font), ("body", brand.body_font)):
        font = subset_font(path)
        if font is not None:
            files[f"{role}.woff2"] = BrandFile(font, "font/woff2")
    files["brand.css"] = BrandFile(brand_css(brand, files).encode(), "text/css; charset=utf-8")
    return BrandKit(brand, f"{BRAND_PREFIX}{brand.digest[:16]}/", files, logo_size)


def _png(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, "PNG", optimize=True)
    return out.getvalue()


def _logo(path: Path) -> Image.Image:
    with open_checked(path, error=TemplateError, key="logo") as src:
        im = src.convert("RGBA")
    im = im.crop(im.getbbox() or (0, 0, im.width, im.height))
    scale = min(LOGO_HEIGHT / im.height, LOGO_HEIGHT * 5 / im.width, 1.0)
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    return im.resize(size, Image.Resampling.LANCZOS)


def _icon(brand: Brand) -> Image.Image:
    """A square icon: the kit's own, else its logo on the primary colour, else its initial."""
    side = TOUCH_ICON
    if brand.icon is not None:
        with open_checked(brand.icon, error=TemplateError, key="icon") as src:
            im = src.convert("RGBA")
        im.thumbnail((side, side), Image.Resampling.LANCZOS)
        out = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        out.alpha_composite(im, ((side - im.width) // 2, (side - im.height) // 2))
        return out
    out = Image.new("RGBA", (side, side), rgb(brand.colors.primary) + (255,))
    ink = on_color(brand.colors.primary)
    if brand.logo is not None:
        with open_checked(brand.logo, error=TemplateError, key="logo") as src:
            im = src.convert("RGBA")
        im = im.crop(im.getbbox() or (0, 0, im.width, im.height))
        im.thumbnail((int(side * 0.78), int(side * 0.78)), Image.Resampling.LANCZOS)
        out.alpha_composite(im, ((side - im.width) // 2, (side - im.height) // 2))
        return out
    initial = (brand.name.strip()[:1] or "•").upper()
    font = ImageFont.truetype(str(brand.heading_font), int(side * 0.62))
    ImageDraw.Draw(out).text((side / 2, side / 2), initial, font=font, fill=ink, anchor="mm")
    return out


FONT_CACHE = "share-fonts"  # under the user's cache folder: subset fonts, by source hash
_SUBSET_VERSION = "latin-1"


def subset_font(path: Path, cache: Path | None = None) -> bytes | None:
    """``path`` subset to :data:`LATIN_RANGES` as WOFF2 (WOFF without brotli); None if the font
    cannot be read (the page then uses the system's fonts). Subsetting takes seconds, so the
    result is kept in the user's cache folder, named by the font's hash."""
    folder = cache if cache is not None else user_cache_dir() / FONT_CACHE
    try:
        kept = folder / f"{sha256_file(path)[:32]}-{_SUBSET_VERSION}.woff2"
        if kept.is_file():
            return kept.read_bytes()
    except OSError:
        kept = None
    data = _subset(path)
    if data is not None and kept is not None:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(kept, data)
        except OSError:  # a read-only cache: made again next time
            pass
    return data


def _subset(path: Path) -> bytes | None:
    # imported here: only the share server subsets fonts, once per brand kit
    from fontTools import subset
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, recalcTimestamp=False)
        opts = subset.Options()
        opts.hinting = False
        opts.desubroutinize = True
        opts.layout_features = ["kern", "liga", "calt", "locl", "mark", "mkmk", "ccmp"]
        try:
            import brotli  # noqa: F401 - WOFF2 needs it

            opts.flavor = "woff2"
        except ImportError:  # pragma: no cover - brotli is a dependency
            opts.flavor = "woff"
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=[c for a, b in LATIN_RANGES for c in range(a, b + 1)])
        sub.subset(font)
        out = io.BytesIO()
        font.flavor = opts.flavor
        font.save(out)
        return out.getvalue()
    except Exception:  # noqa: BLE001 - any font trouble: the page uses system fonts
        log.warning("cannot subset %s for the share page; using system fonts", path)
        return None


def brand_css(brand: Brand, files: dict[str, BrandFile]) -> str:
    """Colour variables (light and dark) and the self-hosted font faces."""
    c = brand.colors
    primary, secondary = c.primary[:7], c.secondary[:7]
    light_bg = mix("#ffffff", secondary, 0.04)
    dark_bg = secondary
    for step in range(1, 21):  # the secondary colour, darkened until it is a night background
        if luminance(dark_bg) < 0.03:
            break
        dark_bg = mix(secondary, "#000000", step / 20)
    cta_bg, cta_fg = button(primary)
    schemes = {
        "light": {
            "bg": light_bg,
            "fg": readable(secondary if luminance(secondary) < 0.2 else "#1a1a1a", light_bg, 7),
            "muted": readable(mix(secondary, "#808080", 0.5), light_bg),
            "surface": mix(light_bg, secondary, 0.08),
            "line": mix(light_bg, secondary, 0.25),
            "accent": readable(primary, light_bg),
            "bar": secondary,
            "bar-fg": on_color(secondary),
        },
        "dark": {
            "bg": dark_bg,
            "fg": "#ffffff",
            "muted": readable(mix("#ffffff", dark_bg, 0.3), dark_bg),
            "surface": mix(dark_bg, "#ffffff", 0.1),
            "line": mix(dark_bg, "#ffffff", 0.28),
            "accent": readable(c.accent[:7], dark_bg),
            "bar": mix(dark_bg, "#000000", 0.35),
            "bar-fg": "#ffffff",
        },
    }
    faces = []
    for role, weight in (("heading", 700), ("body", 400)):
        if f"{role}.woff2" in files:
            faces.append(
                f'@font-face {{ font-family: "Brand {role.title()}"; src: url("{role}.woff2") '
                f'format("woff2"); font-weight: {weight}; font-display: swap; '
                f"unicode-range: {_UNICODE_RANGE}; }}"
            )

    def block(values: dict[str, str]) -> str:
        return " ".join(f"--{k}: {v.lower()};" for k, v in values.items())

    return "\n".join(
        [
            *faces,
            f":root {{ --cta: {cta_bg.lower()}; --cta-fg: {cta_fg}; {block(schemes['light'])} }}",
            f"@media (prefers-color-scheme: dark) {{ :root {{ {block(schemes['dark'])} }} }}",
            "",
        ]
    )
