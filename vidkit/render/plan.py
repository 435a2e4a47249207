"""plan: decide what every output will be, as plain frozen data. Pure: no I/O.

(Media, Template, presets, merge fields, captions) -> Plan. Geometry is in whole pixels, time in
whole frames on each output's rational frame rate, so nothing drifts across a long batch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from vidkit.errors import ConfigError
from vidkit.render import follow
from vidkit.render.probe import Media
from vidkit.template.brand import Brand
from vidkit.template.presets import Preset
from vidkit.template.templates import EndCardSpec, Template, fields_of, fill

AUDIO_RATE = 48_000
_FADE = Fraction(3, 10)
_SLIDE = Fraction(1, 4)  # 250 ms: quick enough to feel finished, slow enough to see
_RISE = 0.04  # how far (a share of the frame height) a title rises into place as it fades in
_NO_CAP_KBPS = 50_000


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int


# --- what to draw (layers.py turns these into PNG files) -------------------------------------


@dataclass(frozen=True)
class LogoDrawing:
    image: Path
    opacity: float
    align: str  # the corner: "top-left" ...


@dataclass(frozen=True)
class EdgeDrawing:
    """The soft edge of a fitted picture on one ``side`` (left/right/top/bottom): a shadow
    fading out over the blurred fill, and a thin line of the brand colour along the picture."""

    side: str
    color: str


@dataclass(frozen=True)
class BarDrawing:
    """A solid bar in the brand's accent colour (the progress bar)."""

    color: str


@dataclass(frozen=True)
class LowerThirdDrawing:
    title: str
    subtitle: str
    style: str
    brand: Brand


@dataclass(frozen=True)
class TitleDrawing:
    text: str
    subtitle: str
    brand: Brand


@dataclass(frozen=True)
class EndCardDrawing:
    headline: str
    url: str
    brand: Brand
    safe: Box
    qr: str | None = None  # the address the QR code opens
    shared_by: str = ""


Drawing = LogoDrawing | LowerThirdDrawing | TitleDrawing | EndCardDrawing | BarDrawing | EdgeDrawing


@dataclass(frozen=True)
class Layer:
    """A still image composited over the main clip from ``start`` to ``end`` frames (None: all)."""

    key: str
    box: Box
    drawing: Drawing
    start: int | None = None
    end: int | None = None
    fade: int = 0  # frames of fade in and out
    slide: int = 0  # frames of sliding in from the left edge (and out again), eased
    rise: int = 0  # pixels it rises into place from (and sinks back), eased, while it fades
    grow: bool = False  # revealed from the left in step with the clip (a progress bar)


@dataclass(frozen=True)
class CaptionTrack:
    """Captions drawn into the ``box`` band (style from the template, words from the cues)."""

    box: Box
    cues: tuple[Any, ...]  # vidkit.captions Cue values
    style: str
    size_px: int
    use_box: bool
    brand: Brand
    motion: str = "fade"  # how captions enter and leave: fade (eased, in the gaps) | none


@dataclass(frozen=True)
class Reframe:
    """fill: cut ``crop`` (source pixels) out of the picture, then scale it to the frame.
    subject: the same, but the crop's x follows ``path``, keyframes (frame, x in source
    pixels) joined by straight lines; ``crop`` is where it starts.
    fit: scale the whole picture to ``scale_w`` x ``scale_h`` and place it at ``x``, ``y``
    over a blurred copy of itself."""

    mode: str  # "fill", "subject" or "fit"
    scale_w: int
    scale_h: int
    x: int = 0
    y: int = 0
    crop: Box | None = None
    path: follow.Path = ()

    def crop_x(self, frame: int) -> float:
        """Where the crop's left edge is at ``frame`` (source pixels)."""
        assert self.crop is not None
        return follow.x_at(self.path, frame) if self.path else float(self.crop.x)


@dataclass(frozen=True)
class Segment:
    """A full-frame segment before or after the main clip: a drawn card or a brand sting."""

    key: str
    frames: int
    card: EndCardDrawing | None = None
    clip: Path | None = None
    clip_has_audio: bool = False


@dataclass(frozen=True)
class OutputPlan:
    """One output of a clip, fully decided: frame size and safe zone, how the source is
    reframed, the overlay layers with their frame ranges, the caption band, the segments
    before and after the clip (stings, end card) and the encoder's limits. Times are frames
    at the plan's rate; nothing here is computed again when the graph is built."""

    preset: Preset
    width: int
    height: int
    safe: Box
    reframe: Reframe
    main_frames: int
    layers: tuple[Layer, ...]
    captions: CaptionTrack | None
    before: tuple[Segment, ...]
    after: tuple[Segment, ...]
    video_kbps_cap: int | None
    audio_kbps: int
    gop: int

    @property
    def total_frames(self) -> int:
        return self.main_frames + sum(s.frames for s in (*self.before, *self.after))


@dataclass(frozen=True)
class AudioPlan:
    has_audio: bool
    loudness: float
    true_peak: float
    music: Path | None
    music_gain: float


@dataclass(frozen=True)
class Plan:
    """Everything one ffmpeg run will do for one clip, as plain frozen data (pure: made by
    :func:`make_plan` without I/O). ``fps`` is rational and every time is an integer frame
    count, so nothing drifts; :func:`vidkit.render.graph.compile_args` turns it into argv."""

    source: Media
    template: Template
    fps: Fraction
    main_frames: int  # frames of the source used (the longest output's)
    audio: AudioPlan
    outputs: tuple[OutputPlan, ...]
    fields: Mapping[str, str]

    def seconds(self, frames: int) -> Fraction:
        return Fraction(frames) / self.fps


# --- planning ---------------------------------------------------------------------------------


def output_fps(media: Media, presets: Sequence[Preset]) -> Fraction:
    """A constant rate inside every preset's range; variable-rate sources get a whole number."""
    lo = max(p.fps_min for p in presets)
    hi = min(p.fps_max for p in presets)
    if lo > hi:
        lo, hi = min(p.fps_min for p in presets), max(p.fps_max for p in presets)
    fps = Fraction(round(media.fps)) if media.vfr else media.fps
    if fps > 60 and fps / 2 >= lo:
        fps = fps / 2  # 120 fps slow-motion phone clips: halve rather than drop unevenly
    return min(max(fps, Fraction(lo)), Fraction(hi))


def choose_reframe(
    mode: str,
    src_w: int,
    src_h: int,
    w: int,
    h: int,
    focus: tuple[float, float],
    subjects: follow.Subjects | None = None,
    timing: tuple[Fraction, int] = (Fraction(30), 1),
) -> Reframe:
    """How to reframe ``src_w`` x ``src_h`` to ``w`` x ``h``. ``subject`` follows the faces in
    ``subjects`` over ``timing`` (fps, frames), or crops around ``focus`` where there are none;
    ``auto`` follows them when the crop can hold them, else fills or fits by the aspects."""
    cw, ch, cx, cy = _crop(src_w, src_h, w, h, focus)
    follows = (
        subjects is not None
        and cw < src_w
        and (
            (mode == "subject" and subjects.seen > 0)
            or (mode == "auto" and follow.fits(subjects, cw))
        )
    )
    if follows:
        assert subjects is not None
        path = follow.crop_path(subjects, cw, timing[0], timing[1], cx)
        return Reframe("subject", w, h, crop=Box(path[0][1], cy, cw, ch), path=path)
    if mode == "auto":
        a, b = Fraction(src_w, src_h), Fraction(w, h)
        keep = min(a, b) / max(a, b)  # share of the picture a crop would keep
        mode = "fill" if keep >= Fraction(3, 5) else "fit"
    if mode in ("fill", "subject"):
        return Reframe("fill", w, h, crop=Box(cx, cy, cw, ch))
    s = min(Fraction(w, src_w), Fraction(h, src_h))
    sw, sh = min(_even(src_w * s), w), min(_even(src_h * s), h)
    return Reframe("fit", sw, sh, (w - sw) // 2 // 2 * 2, (h - sh) // 2 // 2 * 2)


def _crop(
    src_w: int, src_h: int, w: int, h: int, focus: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The fill crop around ``focus``: (width, height, x, y) in source pixels."""
    # crop first, in source pixels, then scale only what is kept
    s = max(Fraction(w, src_w), Fraction(h, src_h))
    cw, ch = min(src_w, round(w / s)), min(src_h, round(h / s))
    cx = _clamp(round(focus[0] * src_w - cw / 2), 0, src_w - cw)
    cy = _clamp(round(focus[1] * src_h - ch / 2), 0, src_h - ch)
    return cw, ch, cx, cy


def wants_subjects(mode: str, media: Media, presets: Sequence[Preset]) -> bool:
    """Whether planning ``mode`` for these presets needs the clip's faces: a following mode
    and at least one output that crops the picture's width."""
    if mode not in ("subject", "auto"):
        return False
    return any(Fraction(p.width, p.height) < media.aspect for p in presets)


def _even(x: Fraction | float) -> int:
    n = int(math.floor(x + Fraction(1, 2)))
    return max(2, n - n % 2)


def _clamp(v: int, lo: int, hi: int) -> int:
    return max(lo, min(v, hi))


def safe_box(preset: Preset, w: int, h: int) -> Box:
    s = preset.safe
    x0, y0 = round(s.left * w), round(s.top * h)
    x1, y1 = w - round(s.right * w), h - round(s.bottom * h)
    return Box(x0, y0, x1 - x0, y1 - y0)


def make_plan(
    media: Media,
    template: Template,
    presets: Sequence[Preset],
    *,
    fields: Mapping[str, str] | None = None,
    cues: Sequence[Any] = (),
    scale: float = 1.0,
    reframe: str | None = None,
    focus: tuple[float, float] | None = None,
    sting_durations: Mapping[Path, tuple[float, bool]] | None = None,
    subjects: follow.Subjects | None = None,
) -> Plan:
    """Plan every output of one clip. ``sting_durations`` maps brand sting files to (seconds,
    has_audio) and ``subjects`` holds the faces found in the clip (for ``subject``/``auto``
    reframing), both found by the caller (this function does no I/O)."""
    if not presets:
        raise ConfigError("no preset given")
    values = template.merge_fields(fields or {})
    fps = output_fps(media, presets)
    brand = template.brand
    outputs = []
    for preset in presets:
        p = preset.scaled(scale)
        outputs.append(
            _plan_output(
                media,
                template,
                p,
                fps,
                values,
                tuple(cues),
                reframe or template.reframe,
                focus or template.focus,
                sting_durations or {},
                subjects,
            )
        )
    audio = AudioPlan(
        has_audio=media.has_audio,
        loudness=template.audio.loudness,
        true_peak=template.audio.true_peak,
        music=brand.music if template.audio.music else None,
        music_gain=template.audio.music_gain,
    )
    return Plan(
        source=media,
        template=template,
        fps=fps,
        main_frames=max(o.main_frames for o in outputs),
        audio=audio,
        outputs=tuple(outputs),
        fields=values,
    )


def _frames(seconds: float | Fraction, fps: Fraction) -> int:
    return max(1, round(Fraction(seconds).limit_denominator(1000) * fps))


def _plan_output(
    media: Media,
    t: Template,
    p: Preset,
    fps: Fraction,
    values: Mapping[str, str],
    cues: tuple[Any, ...],
    reframe_mode: str,
    focus: tuple[float, float],
    stings: Mapping[Path, tuple[float, bool]],
    subjects: follow.Subjects | None = None,
) -> OutputPlan:
    w, h = p.width, p.height
    safe = safe_box(p, w, h)
    before, after = _segments(t, values, safe, fps, stings)
    extra = sum(s.frames for s in (*before, *after))
    main = _main_frames(media, p, fps, extra)
    fade = _frames(_FADE, fps)
    cap_box, cap_size = _caption_box(t, w, h, safe)
    captions = (
        CaptionTrack(
            cap_box, cues, t.captions.style, cap_size, t.captions.box, t.brand, t.captions.motion
        )
        if cues
        else None
    )
    reframe = choose_reframe(
        reframe_mode, media.width, media.height, w, h, focus, subjects, (fps, main)
    )
    layers = [
        *_edge_layers(reframe, w, h, t.brand.colors.primary),
        *(
            layer
            for layer in (
                _logo_layer(t, w, h, safe),
                _title_layer(t, values, w, h, main, fps, fade),
                _lower_third_layer(t, values, (w, h), safe, cap_box, main, fps, fade),
                _progress_layer(t, w, h, main),
            )
            if layer is not None
        ),
    ]
    return OutputPlan(
        preset=p,
        width=w,
        height=h,
        safe=safe,
        reframe=reframe,
        main_frames=main,
        layers=tuple(layers),
        captions=captions,
        before=before,
        after=after,
        video_kbps_cap=_video_kbps_cap(p, Fraction(main + extra) / fps),
        audio_kbps=p.audio_kbps,
        gop=max(1, round(fps * Fraction(p.gop_seconds).limit_denominator(100))),
    )


def _segments(
    t: Template,
    values: Mapping[str, str],
    safe: Box,
    fps: Fraction,
    stings: Mapping[Path, tuple[float, bool]],
) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """What plays before the clip (intro sting) and after it (end card, outro sting)."""
    brand = t.brand
    before: list[Segment] = []
    after: list[Segment] = []
    if t.intro and brand.intro is not None:
        secs, has_audio = stings.get(brand.intro, (0.0, False))
        if secs > 0:
            before.append(
                Segment("intro", _frames(secs, fps), clip=brand.intro, clip_has_audio=has_audio)
            )
    if t.end_card is not None:
        card = _end_card(t.end_card, values, brand, safe)
        if card is not None:
            after.append(Segment("end_card", _frames(t.end_card.duration, fps), card=card))
    if t.outro and brand.outro is not None:
        secs, has_audio = stings.get(brand.outro, (0.0, False))
        if secs > 0:
            after.append(
                Segment("outro", _frames(secs, fps), clip=brand.outro, clip_has_audio=has_audio)
            )
    return tuple(before), tuple(after)


def _end_card(
    spec: EndCardSpec, values: Mapping[str, str], brand: Brand, safe: Box
) -> EndCardDrawing | None:
    headline = fill(spec.headline, values).strip()
    url = fill(spec.url, values).strip()
    if not (headline or url):
        return None
    shared = fill(spec.shared_by, values).strip() if spec.shared_by else ""
    # "Shared by {shared_by}" only when the field is filled in: never "Shared by" alone
    if shared and all(values.get(f, "").strip() for f in fields_of(spec.shared_by)):
        shared_by = shared
    else:
        shared_by = ""
    qr = qr_target(url) if spec.qr and url else None
    return EndCardDrawing(headline, url, brand, safe, qr=qr, shared_by=shared_by)


def qr_target(url: str) -> str:
    """The address a QR code opens for an end card's url (``example.org/join`` → https)."""
    return url if "://" in url else f"https://{url}"


def _main_frames(media: Media, p: Preset, fps: Fraction, extra: int) -> int:
    """Frames of the clip itself: all of it, or what the preset's duration limit leaves."""
    main = math.floor(Fraction(media.duration).limit_denominator(100000) * fps)
    if p.max_duration is not None:
        main = min(main, math.floor(Fraction(p.max_duration).limit_denominator(1000) * fps) - extra)
    if main < 1:
        raise ConfigError(f"clip is too short for preset {p.name}")
    return main


@dataclass(frozen=True)
class ShapeLook:
    """How big the parts are drawn on one shape of frame, relative to the template's sizes:
    a wide frame is watched on a screen across a room, a tall one in the hand."""

    captions: float  # times the template's caption size (a fraction of the frame height)
    lower_third: float  # lower third height, as a fraction of the frame's shorter side


SHAPES = {
    "tall": ShapeLook(captions=1.0, lower_third=0.24),
    "square": ShapeLook(captions=1.15, lower_third=0.17),
    "wide": ShapeLook(captions=1.4, lower_third=0.15),
}


def shape_of(w: int, h: int) -> str:
    """``tall`` (9:16, 4:5), ``square`` (1:1) or ``wide`` (16:9)."""
    if h > w * 1.2:
        return "tall"
    return "wide" if w > h * 1.2 else "square"


def _logo_size(t: Template, w: int, h: int) -> int:
    """The logo's side in pixels (the template's width is a fraction of the frame's shorter
    side, so a 16:9 logo is not twice a 9:16 one), or 0 when there is no logo."""
    if t.logo is None or t.brand.logo is None:
        return 0
    return round(t.logo.width * min(w, h))


def _logo_layer(t: Template, w: int, h: int, safe: Box) -> Layer | None:
    size = _logo_size(t, w, h)
    if not size or t.logo is None or t.brand.logo is None:
        return None
    lx = safe.x if "left" in t.logo.position else safe.x + safe.w - size
    ly = safe.y if "top" in t.logo.position else safe.y + safe.h - size
    return Layer(
        "logo", Box(lx, ly, size, size), LogoDrawing(t.brand.logo, t.logo.opacity, t.logo.position)
    )


def _caption_box(t: Template, w: int, h: int, safe: Box) -> tuple[Box, int]:
    """The caption band and its text size; captions never sit on the logo: a logo in the same
    edge pushes them inwards."""
    cap_size = max(8, round(t.captions.size * h * SHAPES[shape_of(w, h)].captions))
    cap_h = round(cap_size * 1.3 * 2 + cap_size * 0.8)
    logo_h = _logo_size(t, w, h)
    logo_edge = ("top" if "top" in t.logo.position else "bottom") if logo_h and t.logo else None
    if t.captions.position == "bottom":
        cap_y = safe.y + safe.h - cap_h - (logo_h if logo_edge == "bottom" else 0)
    elif t.captions.position == "top":
        cap_y = safe.y + (logo_h if logo_edge == "top" else 0)
    else:
        cap_y = safe.y + (safe.h - cap_h) // 2
    return Box(safe.x, cap_y, safe.w, cap_h), cap_size


def _title_layer(
    t: Template, values: Mapping[str, str], w: int, h: int, main: int, fps: Fraction, fade: int
) -> Layer | None:
    if t.title_card is None:
        return None
    text = fill(t.title_card.text, values).strip()
    sub = fill(t.title_card.subtitle, values).strip()
    if not (text or sub):
        return None
    end = min(main, _frames(t.title_card.duration, fps))
    motion = t.title_card.motion
    fade = 0 if motion == "none" else fade
    rise = round(h * _RISE) if motion == "rise" else 0
    drawing = TitleDrawing(text, sub, t.brand)
    return Layer("title", Box(0, 0, w, h), drawing, 0, end, fade, rise=rise)


def _lower_third_layer(
    t: Template,
    values: Mapping[str, str],
    size: tuple[int, int],
    safe: Box,
    cap_box: Box,
    main: int,
    fps: Fraction,
    fade: int,
) -> Layer | None:
    lt = t.lower_third
    if lt is None:
        return None
    title = fill(lt.title, values).strip()
    sub = fill(lt.subtitle, values).strip()
    start = _frames(lt.start, fps) if lt.start > 0 else 0
    if not (title or sub) or start >= main:
        return None
    lt_h = round(min(size) * SHAPES[shape_of(*size)].lower_third)
    # above the caption band when captions are at the bottom (where it would be, cues or not)
    bottom = cap_box.y if t.captions.position == "bottom" else safe.y + safe.h
    box = Box(safe.x, max(safe.y, bottom - lt_h), safe.w, lt_h)
    end = min(main, start + _frames(lt.duration, fps))
    drawing = LowerThirdDrawing(title, sub, lt.style, t.brand)
    slide = _frames(_SLIDE, fps) if lt.motion == "slide" else 0
    # sliding, it only softens its edge in: a long fade would hide the movement
    fade = 0 if lt.motion == "none" else (_frames(_SLIDE / 3, fps) if slide else fade)
    return Layer("lower_third", box, drawing, start, end, fade, slide)


def _edge_layers(r: Reframe, w: int, h: int, color: str) -> list[Layer]:
    """Fit mode: strips along the picture's sides where it meets the blurred fill (only those
    strips are blended, so the soft edge costs little), instead of a hard seam."""
    if r.mode != "fit":
        return []
    m = max(2, round(min(w, h) * 0.035))
    boxes = {
        "left": Box(r.x - m, r.y, m, r.scale_h),
        "right": Box(r.x + r.scale_w, r.y, m, r.scale_h),
        "top": Box(r.x, r.y - m, r.scale_w, m),
        "bottom": Box(r.x, r.y + r.scale_h, r.scale_w, m),
    }
    return [
        Layer(f"edge_{side}", box, EdgeDrawing(side, color))
        for side, box in boxes.items()
        if box.x >= 0
        and box.y >= 0
        and box.x + box.w <= w
        and box.y + box.h <= h
        and box.w > 0
        and box.h > 0
    ]


def _progress_layer(t: Template, w: int, h: int, main: int) -> Layer | None:
    """A thin bar along the top or bottom edge that fills as the clip plays."""
    bar = t.progress_bar
    if bar is None:
        return None
    bh = max(2, round(bar.height * h))
    y = 0 if bar.position == "top" else h - bh
    return Layer(
        "progress", Box(0, y, w, bh), BarDrawing(t.brand.colors.accent), 0, main, grow=True
    )


def _video_kbps_cap(p: Preset, total_seconds: Fraction) -> int | None:
    """The video bitrate cap: the platform's, or what a file-size limit leaves for video."""
    cap = p.max_kbps
    if p.max_bytes is None:
        return cap
    # keep 4 % for the container and one second of rate-control buffer
    budget = Fraction(p.max_bytes * 8 * 96, 100 * 1000) / (total_seconds + 1)
    video = int(budget) - p.audio_kbps
    if video < 250:
        longest = float(Fraction(p.max_bytes * 8 * 96, 100 * 1000) / (250 + p.audio_kbps) - 1)
        raise ConfigError(
            f"clip is too long for preset {p.name} ({p.max_bytes // 1_000_000} MB limit)",
            hint=f"at most about {longest:.0f} s fits",
        )
    if video < _NO_CAP_KBPS:  # a cap far above any real encode only confuses the encoder
        cap = video if cap is None else min(cap, video)
    return cap
