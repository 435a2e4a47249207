"""``vidkit preview``: a contact sheet of a template's key moments, for each preset, in seconds.

The sheet is made from a real render (small and fast: a fraction of full size, the draft
encoder), so what it shows is exactly what ``vidkit make`` draws: one row per preset, one
picture per moment — the title card, the lower third, the captions, the end card — each taken
from the rendered file by one ffmpeg call.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageDraw

from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner
from vidkit.files import atomic_path
from vidkit.render import graph
from vidkit.render.make import plan_clip, render_clip
from vidkit.render.plan import OutputPlan, Plan
from vidkit.template.presets import resolve
from vidkit.template.templates import load_template
from vidkit.text.draw import draw_text
from vidkit.text.fonts import FontStack

#: the default presets of a sheet: the three shapes people post
DEFAULT_PRESETS = "9x16,1x1,16x9"
THUMB_HEIGHT = 360
LABEL_HEIGHT = 34
GAP = 12


@dataclass(frozen=True)
class Moment:
    """A time worth looking at in one output, with what it shows."""

    label: str
    seconds: float


def moments(plan: Plan, out: OutputPlan) -> list[Moment]:
    """The key moments of ``out``: title, lower third, a caption, the end card (those it has)."""
    fps = plan.fps
    before = sum(s.frames for s in out.before)

    def at(frame: float) -> float:
        return float((Fraction(before) + Fraction(frame)) / fps)

    found = []
    for layer in out.layers:
        if layer.key in ("title", "lower_third") and layer.start is not None and layer.end:
            name = "title card" if layer.key == "title" else "lower third"
            found.append(Moment(name, at(layer.start + (layer.end - layer.start) * 0.6)))
    if out.captions is not None and out.captions.cues:
        cue = out.captions.cues[min(1, len(out.captions.cues) - 1)]
        mid = (cue.start + cue.end) / 2 / 1000  # ms into the clip
        found.append(Moment("captions", at(min(out.main_frames - 1, mid * float(fps)))))
    start = before + out.main_frames
    for seg in out.after:
        if seg.card is not None:
            found.append(Moment("end card", float((start + seg.frames * 0.7) / fps)))
        start += seg.frames
    return sorted(found, key=lambda m: m.seconds) or [Moment("clip", at(out.main_frames // 2))]


def preview(
    clip: str | Path,
    out: str | Path,
    *,
    template: str | Path = "default",
    presets: Sequence[str] | str = DEFAULT_PRESETS,
    fields: Mapping[str, str] | None = None,
    captions: str | Path | None = None,
    brand: str | Path | None = None,
    template_dirs: Sequence[str | Path] = (),
    scale: float = 0.33,
) -> Path:
    """Render ``clip`` small to each preset and write the contact sheet PNG to ``out``."""
    clip, out = Path(clip), Path(out)
    tpl = load_template(template, user_dirs=template_dirs, brand=brand)
    chosen = resolve(presets)
    tpl.merge_fields(fields or {})
    run = FFmpegRunner(locate())
    planned = plan_clip(clip, template=tpl, presets=chosen, fields=fields, captions=captions,
                        scale=scale, runner=run)  # fmt: skip
    plan = planned.plan
    with tempfile.TemporaryDirectory(prefix="vidkit-preview-") as tmp:
        work = Path(tmp)
        videos = render_clip(planned, out_dir=work, runner=run, encoding=graph.QUALITIES["draft"])
        rows = []
        for video, o in zip(videos, plan.outputs):
            shots = moments(plan, o)
            stills = [work / f"{video.platform}-{i}.png" for i in range(len(shots))]
            run(graph.frame_args([(video.path, m.seconds) for m in shots], stills))
            rows.append((video.platform, [(m.label, p) for m, p in zip(shots, stills)]))
        sheet = contact_sheet(rows)
        with atomic_path(out) as tmp_out:
            sheet.save(tmp_out, format="PNG")
    return out


def contact_sheet(rows: Sequence[tuple[str, Sequence[tuple[str, Path]]]]) -> Image.Image:
    """One row per preset (its name first), each picture scaled to one height, labelled."""
    thumbs = [(name, [(label, _thumb(path)) for label, path in shots]) for name, shots in rows]
    name_w = 170
    width = name_w + max(sum(t.width + GAP for _, t in shots) for _, shots in thumbs) + GAP
    height = len(thumbs) * (THUMB_HEIGHT + LABEL_HEIGHT + GAP) + GAP
    sheet = Image.new("RGBA", (width, height), (24, 24, 28, 255))
    stack = FontStack.default()
    bold = FontStack.default(bold=True)
    y = GAP
    for name, shots in thumbs:
        draw_text(sheet, (GAP, y + THUMB_HEIGHT // 2 - 14), name, bold, 26, "#FFFFFF")
        x = name_w
        for label, image in shots:
            sheet.paste(image, (x, y))
            ImageDraw.Draw(sheet).rectangle(
                (x, y, x + image.width - 1, y + image.height - 1), outline=(70, 70, 80)
            )
            draw_text(sheet, (x, y + THUMB_HEIGHT + 4), label, stack, 20, "#C8C8D0")
            x += image.width + GAP
        y += THUMB_HEIGHT + LABEL_HEIGHT + GAP
    return sheet


def _thumb(path: Path) -> Image.Image:
    with Image.open(path) as im:
        im = im.convert("RGBA")
        w = max(1, round(im.width * THUMB_HEIGHT / im.height))
        return im.resize((w, THUMB_HEIGHT), Image.Resampling.LANCZOS)
