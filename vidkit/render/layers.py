"""layers: draw the plan's still images with Pillow (logo, lower third, title, end card,
captions) and the 1200x630 link-preview card. ffmpeg composites them in the one graph."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from vidkit.captions import draw as caption_draw
from vidkit.render.graph import Images
from vidkit.render.plan import (
    Box,
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


def draw(plan: Plan, work: Path) -> Images:
    """Write every image the plan needs into ``work``; return where each one is."""
    layer_files: dict[tuple[int, str], Path] = {}
    cards: dict[tuple[int, str], Path] = {}
    captions: dict[int, Path] = {}
    for i, out in enumerate(plan.outputs):
        for layer in out.layers:
            path = work / f"o{i}-{layer.key}.png"
            _draw_layer(layer).save(path)
            layer_files[(i, layer.key)] = path
        for seg in (*out.before, *out.after):
            if seg.card is not None:
                path = work / f"o{i}-{seg.key}.png"
                end_card(seg.card, out.width, out.height).save(path)
                cards[(i, seg.key)] = path
        if out.captions is not None:
            captions[i] = caption_draw.draw_track(
                out.captions,
                total_frames=out.main_frames,
                fps=plan.fps,
                work=work / f"o{i}-captions",
            )
    return Images(layers=layer_files, captions=captions, cards=cards)


def _draw_layer(layer: Layer) -> Image.Image:
    d = layer.drawing
    if isinstance(d, LogoDrawing):
        return logo(d, layer.box)
    if isinstance(d, LowerThirdDrawing):
        return lower_third(d, layer.box)
    if isinstance(d, TitleDrawing):
        return title(d, layer.box)
    raise TypeError(f"no drawing for {type(d).__name__}")


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


def logo(d: LogoDrawing, box: Box) -> Image.Image:
    canvas = Image.new("RGBA", (box.w, box.h), (0, 0, 0, 0))
    with Image.open(d.image) as src:
        img = src.convert("RGBA")
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
    c = d.brand.colors
    canvas = Image.new("RGBA", (width, height), _rgba(c.secondary, 255))
    safe = d.safe
    unit = min(width, height)
    heading = FontStack.for_font(d.brand.heading_font, bold=True)
    body = FontStack.for_font(d.brand.body_font)
    cx = safe.x + safe.w // 2  # centre on the safe area, which may be off-centre
    y = safe.y + round(safe.h * 0.12)
    if d.brand.logo is not None:
        size = round(unit * 0.28)
        img = logo(LogoDrawing(d.brand.logo, 1.0, "top-left"), Box(0, 0, size, size))
        bbox = img.getbbox() or (0, 0, size, size)
        img = img.crop(bbox)
        canvas.alpha_composite(img, (cx - img.width // 2, y))
        y += img.height + round(unit * 0.06)
    size = max(10, round(unit * 0.085))
    lines = textdraw.wrap(d.headline, heading, size, safe.w, max_lines=3) if d.headline else []
    if lines:
        h = round(len(lines) * size * 1.25)
        textdraw.draw_block(canvas, _xyxy(safe.x, y, safe.w, h), lines, heading, size,
                            _rgba(c.text), align="center")  # fmt: skip
        y += h + round(unit * 0.04)
    if d.url:
        usize = max(8, round(unit * 0.05))
        url = _one_line(d.url, body, usize, safe.w)
        uw = textdraw.measure(url, body, usize)[0]
        pad = round(usize * 0.6)
        bar = (
            cx - uw // 2 - pad, y, cx + (uw + 1) // 2 + pad, y + round(usize * 1.6),
        )  # fmt: skip
        ImageDraw.Draw(canvas).rounded_rectangle(
            bar, radius=round(usize * 0.4), fill=_rgba(c.primary)
        )
        textdraw.draw_block(canvas, _xyxy(safe.x, y + round(usize * 0.2), safe.w, round(usize * 1.3)),
                            [url], body, usize, _rgba(c.text), align="center")  # fmt: skip
    return canvas


def link_card(poster: Path, out: Path) -> None:
    """A 1200x630 JPEG for link previews: the poster over a blurred fill, with a play button.
    Kept under 300 KB (WhatsApp's limit)."""
    w, h = CARD_SIZE
    with Image.open(poster) as src:
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
