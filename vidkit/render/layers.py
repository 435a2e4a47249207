"""layers: draw the plan's still images with Pillow (logo, lower third, title, end card,
captions) and the 1200x630 link-preview card. ffmpeg composites them in the one graph."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from vidkit.captions import draw as caption_draw
from vidkit.errors import MediaError, TemplateError
from vidkit.images import load_rgba, open_checked
from vidkit.render.graph import Images
from vidkit.render.plan import (
    BarDrawing,
    Box,
    EdgeDrawing,
    EndCardDrawing,
    Layer,
    LogoDrawing,
    LowerThirdDrawing,
    Plan,
    TitleDrawing,
)
from vidkit.text import draw as textdraw
from vidkit.text.fonts import FontStack

CARD_SIZE = (1200, 630)
CARD_MAX_BYTES = 300_000
LOGO_MAX_SIDE = 2048  # larger than any logo box (a fraction of a 1920-pixel frame)


def draw(plan: Plan, work: Path) -> Images:
    """Write every image the plan needs into ``work``; return where each one is."""
    layer_files: dict[tuple[int, str], Path] = {}
    inked: dict[tuple[int, str], int] = {}
    cards: dict[tuple[int, str], Path] = {}
    captions: dict[int, Path] = {}
    fades: dict[int, tuple[caption_draw.Fade, ...]] = {}
    for i, out in enumerate(plan.outputs):
        for layer in out.layers:
            path = work / f"o{i}-{layer.key}.png"
            image = _draw_layer(layer)
            image.save(path, compress_level=1)  # read once by ffmpeg: speed over size
            layer_files[(i, layer.key)] = path
            inked[(i, layer.key)] = (image.getbbox() or (0, 0, layer.box.w, 0))[2]
        for seg in (*out.before, *out.after):
            if seg.card is not None:
                path = work / f"o{i}-{seg.key}.png"
                end_card(seg.card, out.width, out.height).save(path, compress_level=1)
                cards[(i, seg.key)] = path
        if out.captions is not None:
            drawn = caption_draw.draw_track(
                out.captions,
                total_frames=out.main_frames,
                fps=plan.fps,
                work=work / f"o{i}-captions",
            )
            captions[i], fades[i] = drawn.listing, drawn.fades
    return Images(
        layers=layer_files, captions=captions, cards=cards, inked=inked, caption_fades=fades
    )


def _draw_layer(layer: Layer) -> Image.Image:
    d = layer.drawing
    if isinstance(d, LogoDrawing):
        return logo(d, layer.box)
    if isinstance(d, LowerThirdDrawing):
        return lower_third(d, layer.box)
    if isinstance(d, TitleDrawing):
        return title(d, layer.box)
    if isinstance(d, EdgeDrawing):
        return soft_edge(d, layer.box)
    if isinstance(d, BarDrawing):
        return Image.new("RGBA", (layer.box.w, layer.box.h), _rgba(d.color, 255))
    raise TypeError(f"no drawing for {type(d).__name__}")


def soft_edge(d: EdgeDrawing, box: Box) -> Image.Image:
    """A shadow that fades away from the picture, and a thin brand-colour line against it."""
    along = box.h if d.side in ("left", "right") else box.w
    across = box.w if d.side in ("left", "right") else box.h
    ramp = Image.linear_gradient("L").resize((1, across))  # 0 (picture side) .. 255 (outside)
    alpha = ramp.point(lambda v: round(150 * (1 - v / 255) ** 2))
    line = max(1, across // 12)
    shade = Image.new("RGBA", (1, across), (0, 0, 0, 0))
    shade.putalpha(alpha)
    strip = Image.new("RGBA", (1, across), _rgba(d.color, 255))
    strip.paste(shade.crop((0, line, 1, across)), (0, line))
    strip = strip.resize((along, across))
    rotate = {"left": Image.Transpose.ROTATE_270, "right": Image.Transpose.ROTATE_90,
              "top": Image.Transpose.FLIP_TOP_BOTTOM, "bottom": None}[d.side]  # fmt: skip
    # drawn for the bottom side (picture above); turned to face the picture on the others
    return strip.transpose(rotate) if rotate is not None else strip


def _xyxy(x: int, y: int, w: int, h: int) -> tuple[int, int, int, int]:
    return (x, y, x + w, y + h)


def _one_line(text: str, stack: FontStack, size: int, max_width: int) -> str:
    """``text`` on one line, shortened with an ellipsis if it does not fit."""
    if not text:
        return ""
    lines = textdraw.wrap(text.replace("\n", " "), stack, size, max_width, max_lines=1)
    return lines[0] if lines else ""


def _rgba(color: str, alpha: int | None = None) -> tuple[int, int, int, int]:
    r, g, b, a = textdraw.parse_color(color)
    return (r, g, b, a if alpha is None else alpha)


@functools.lru_cache(maxsize=4)
def _logo_image(path: Path, mtime_ns: int) -> Image.Image:
    """The logo, decoded once per file version and kept at most :data:`LOGO_MAX_SIDE` a side
    (every output and end card of a render draws it)."""
    return load_rgba(path, LOGO_MAX_SIDE, error=TemplateError, key="logo")


def logo_image(path: Path) -> Image.Image:
    """A copy of the logo at ``path``, downscaled on load (see :func:`_logo_image`)."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise TemplateError(f"cannot read the logo: {exc.strerror}", path=path) from None
    return _logo_image(path, mtime).copy()


def logo(d: LogoDrawing, box: Box) -> Image.Image:
    canvas = Image.new("RGBA", (box.w, box.h), (0, 0, 0, 0))
    img = logo_image(d.image)
    img.thumbnail((box.w, box.h), Image.Resampling.LANCZOS)
    if d.opacity < 1:
        alpha = img.getchannel("A").point(lambda v: round(v * d.opacity))
        img.putalpha(alpha)
    x = 0 if "left" in d.align else box.w - img.width
    y = 0 if "top" in d.align else box.h - img.height
    canvas.alpha_composite(img, (x, y))
    return canvas


def lower_third(d: LowerThirdDrawing, box: Box) -> Image.Image:
    canvas = Image.new("RGBA", (box.w, box.h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    c = d.brand.colors
    heading = FontStack.for_font(d.brand.heading_font, bold=True)
    body = FontStack.for_font(d.brand.body_font)
    title_px = max(8, round(box.h * 0.34))
    sub_px = max(6, round(box.h * 0.22))
    pad = max(4, round(box.h * 0.12))
    max_text = box.w - 2 * pad
    title = _one_line(d.title, heading, title_px, max_text)
    sub = _one_line(d.subtitle, body, sub_px, max_text)
    tw = textdraw.measure(title, heading, title_px)[0] if title else 0
    sw = textdraw.measure(sub, body, sub_px)[0] if sub else 0
    title_h = round(title_px * 1.35) if title else 0
    sub_h = round(sub_px * 1.5) if sub else 0
    top = box.h - title_h - sub_h
    if d.style == "pill":
        width = min(box.w, max(tw, sw) + 2 * pad)
        draw.rounded_rectangle(
            (0, top, width, box.h - 1), radius=round(box.h * 0.16), fill=(0, 0, 0, 170)
        )
        if title:
            textdraw.draw_text(canvas, (pad, top), title, heading, title_px, _rgba(c.text))
        if sub:
            textdraw.draw_text(canvas, (pad, top + title_h), sub, body, sub_px, _rgba(c.accent))
        return canvas
    if title:
        draw.rectangle((0, top, min(box.w, tw + 2 * pad), top + title_h), fill=_rgba(c.primary))
        textdraw.draw_text(
            canvas, (pad, top + round(title_px * 0.12)), title, heading, title_px, _rgba(c.text)
        )
    if sub:
        y = top + title_h
        draw.rectangle((0, y, min(box.w, sw + 2 * pad), box.h - 1), fill=_rgba(c.secondary, 235))
        textdraw.draw_text(
            canvas, (pad, y + round(sub_px * 0.18)), sub, body, sub_px, _rgba(c.text)
        )
    return canvas


def title(d: TitleDrawing, box: Box) -> Image.Image:
    canvas = Image.new("RGBA", (box.w, box.h), (0, 0, 0, 110))
    c = d.brand.colors
    heading = FontStack.for_font(d.brand.heading_font, bold=True)
    body = FontStack.for_font(d.brand.body_font)
    unit = min(box.w, box.h)
    size = max(10, round(unit * 0.11))
    margin = round(box.w * 0.1)
    lines = textdraw.wrap(d.text, heading, size, box.w - 2 * margin, max_lines=3)
    sub_size = max(8, round(unit * 0.05))
    block_h = round(len(lines) * size * 1.2) + (round(sub_size * 2) if d.subtitle else 0)
    y = max(0, box.h // 3 - block_h // 2)  # upper third: captions may use the middle
    textdraw.draw_block(canvas, _xyxy(margin, y, box.w - 2 * margin, round(len(lines) * size * 1.2)), lines,
        heading, size, _rgba(c.text), align="center",
        stroke_width=max(1, size // 18), stroke_fill=(0, 0, 0, 200),
    )  # fmt: skip
    if d.subtitle:
        sy = y + round(len(lines) * size * 1.2) + round(sub_size * 0.5)
        sub = _one_line(d.subtitle, body, sub_size, box.w - 2 * margin)
        textdraw.draw_block(canvas, _xyxy(margin, sy, box.w - 2 * margin, round(sub_size * 1.4)), [sub], body,
            sub_size, _rgba(c.accent), align="center",
        )  # fmt: skip
    return canvas


def end_card(d: EndCardDrawing, width: int, height: int) -> Image.Image:
    """The closing card: logo, the call to action large, the address (and its QR code), and
    "Shared by …" when given — centred as one block on tall and square frames, in two columns
    (words left, QR code right) on wide ones; shrunk until it fits the safe area."""
    canvas = Image.new("RGBA", (width, height), _rgba(d.brand.colors.secondary, 255))
    safe, unit = d.safe, min(width, height)
    wide, tall = width > height * 1.2, height > width * 1.2
    for k in (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5):
        qr_side = round(
            (min(safe.h * 0.62, safe.w * 0.34) if wide else unit * (0.42 if tall else 0.3)) * k
        )
        qr = qr_image(d.qr, qr_side) if d.qr else None
        words_w = safe.w - (qr.width + round(unit * 0.08) if wide and qr else 0)
        parts = _card_parts(d, round(unit * k), words_w, tall=tall)
        if qr is not None and not wide:
            parts.insert(len(parts) - 1 if d.url else len(parts), qr)
        gap = round(unit * k * 0.04)
        block_h = sum(img.height for img in parts) + gap * (len(parts) - 1)
        if block_h <= safe.h and (qr is None or qr.height <= safe.h):
            break
    y = safe.y + max(0, (safe.h - block_h) // 2)
    cx = safe.x + words_w // 2
    for img in parts:
        canvas.alpha_composite(img, (cx - img.width // 2, y))
        y += img.height + gap
    if qr is not None and wide:
        qx = safe.x + safe.w - qr.width
        canvas.alpha_composite(qr, (qx, safe.y + (safe.h - qr.height) // 2))
    return canvas


def _card_parts(d: EndCardDrawing, unit: int, width: int, *, tall: bool) -> list[Image.Image]:
    """The end card's pieces, top to bottom, each drawn on its own transparent image."""
    c = d.brand.colors
    heading = FontStack.for_font(d.brand.heading_font, bold=True)
    body = FontStack.for_font(d.brand.body_font)
    parts: list[Image.Image] = []
    if d.brand.logo is not None:
        size = round(unit * 0.22)
        img = logo(LogoDrawing(d.brand.logo, 1.0, "top-left"), Box(0, 0, size, size))
        parts.append(img.crop(img.getbbox() or (0, 0, size, size)))
    if d.headline:
        size = max(10, round(unit * (0.14 if tall else 0.1)))
        lines = textdraw.wrap(d.headline, heading, size, width, max_lines=3)
        h = round(len(lines) * size * 1.25)
        img = Image.new("RGBA", (width, h), (0, 0, 0, 0))
        textdraw.draw_block(
            img, (0, 0, width, h), lines, heading, size, _rgba(c.text), align="center"
        )
        parts.append(img)
    if d.shared_by:
        size = max(8, round(unit * (0.05 if tall else 0.04)))
        img = Image.new("RGBA", (width, round(size * 1.4)), (0, 0, 0, 0))
        text = _one_line(d.shared_by, body, size, width)
        textdraw.draw_block(
            img, (0, 0, width, img.height), [text], body, size, _rgba(c.text, 210), align="center"
        )
        parts.append(img)
    if d.url:
        parts.append(
            _url_pill(d.url, body, max(8, round(unit * (0.065 if tall else 0.055))), width, c)
        )
    return parts


@functools.lru_cache(maxsize=16)
def _qr_matrix(data: str) -> tuple[bytearray, ...]:
    """The modules of ``data``'s QR code, made once (an end card is fitted at several sizes)."""
    import segno  # here, not at the top: only end cards with a QR code need it

    return tuple(segno.make(data, error="m", micro=False).matrix)


def _url_pill(url: str, stack: FontStack, size: int, width: int, c: Any) -> Image.Image:
    text = _one_line(url, stack, size, width)
    tw = textdraw.measure(text, stack, size)[0]
    pad = round(size * 0.7)
    img = Image.new("RGBA", (min(width, tw + 2 * pad), round(size * 1.7)), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle(
        (0, 0, img.width - 1, img.height - 1), radius=round(size * 0.45), fill=_rgba(c.primary)
    )
    textdraw.draw_block(img, (0, round(size * 0.22), img.width, round(size * 1.3)), [text], stack,
                        size, _rgba(c.text), align="center")  # fmt: skip
    return img


def qr_image(data: str, size: int) -> Image.Image:
    """A QR code of ``data`` (segno; error correction M), dark modules on a white tile with
    the quiet zone scanners need, about ``size`` pixels square (whole pixels per module)."""
    matrix = _qr_matrix(data)
    quiet = 4
    modules = len(matrix) + 2 * quiet
    px = max(2, size // modules)
    tile = Image.new("L", (modules, modules), 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                tile.putpixel((x + quiet, y + quiet), 0)
    img = tile.resize((modules * px, modules * px), Image.Resampling.NEAREST).convert("RGBA")
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, img.width - 1, img.height - 1), radius=px * 2, fill=255
    )
    img.putalpha(mask)
    return img


def link_card(poster: Path, out: Path) -> None:
    """A 1200x630 JPEG for link previews: the poster over a blurred fill, with a play button.
    Kept under 300 KB (WhatsApp's limit)."""
    w, h = CARD_SIZE
    with open_checked(poster, error=MediaError) as src:
        frame = src.convert("RGB")
    scale = max(w / frame.width, h / frame.height)
    bg = frame.resize((max(1, round(frame.width * scale)), max(1, round(frame.height * scale))))
    left, top = (bg.width - w) // 2, (bg.height - h) // 2
    bg = bg.crop((left, top, left + w, top + h)).filter(ImageFilter.GaussianBlur(24))
    bg = Image.blend(bg, Image.new("RGB", (w, h), (0, 0, 0)), 0.35)
    fg = frame.copy()
    fg.thumbnail((w, h), Image.Resampling.LANCZOS)
    bg.paste(fg, ((w - fg.width) // 2, (h - fg.height) // 2))
    overlay = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    dr = ImageDraw.Draw(overlay)
    r = 70
    cx, cy = w // 2, h // 2
    dr.ellipse(
        (cx - r, cy - r, cx + r, cy + r), fill=(0, 0, 0, 150), outline=(255, 255, 255, 230), width=6
    )
    dr.polygon([(cx - 22, cy - 36), (cx - 22, cy + 36), (cx + 40, cy)], fill=(255, 255, 255, 240))
    card = Image.alpha_composite(bg.convert("RGBA"), overlay).convert("RGB")
    for quality in (85, 75, 65, 50):
        card.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
        if out.stat().st_size <= CARD_MAX_BYTES:
            return
