"""make: one clip in, a finished video per preset out (plus poster, link card and captions).

The pipeline, one way: probe -> template + brand -> plan -> draw -> compile -> run. Every file a
job writes appears atomically when the whole job has succeeded.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from vidkit.captions import formats
from vidkit.captions.pipeline import NoSpeechError, caption_mode, captions_for
from vidkit.errors import ConfigError, MediaError, VidkitError
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner, Runner, atomic_outputs
from vidkit.progress import FractionFn
from vidkit.render import graph, layers
from vidkit.render.follow import Subjects
from vidkit.render.loudness import parse_ebur128
from vidkit.render.plan import Plan, make_plan, wants_subjects
from vidkit.render.probe import Media, probe
from vidkit.template.presets import Preset, resolve
from vidkit.template.templates import Template, load_template

# Bump when the same inputs would render differently: batch jobs re-render on a change.
RENDERER_VERSION = "3"  # 2: auto and subject reframing follow faces; 3: captions fade, titles rise


@dataclass(frozen=True)
class Output:
    """One rendered video and the files written beside it (poster, link card, captions)."""

    source: str
    platform: str
    path: Path
    width: int
    height: int
    duration: float
    poster: Path
    card: Path
    captions: tuple[Path, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "platform": self.platform,
            "path": str(self.path),
            "width": self.width,
            "height": self.height,
            "duration": round(self.duration, 3),
            "poster": str(self.poster),
            "card": str(self.card),
            "captions": [str(p) for p in self.captions],
        }


@dataclass(frozen=True)
class ClipError:
    source: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "error": self.error}


@dataclass
class MakeResult:
    """What :func:`make` did: the videos written, and each clip that failed with why."""

    outputs: list[Output] = field(default_factory=list)
    errors: list[ClipError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outputs": [o.to_dict() for o in self.outputs],
            "errors": [e.to_dict() for e in self.errors],
        }


@dataclass(frozen=True)
class Event:
    """Progress for people: ``kind`` is start, progress, done or failed."""

    kind: str
    source: str
    index: int
    total: int
    fraction: float = 0.0
    message: str = ""


def safe_stem(name: str) -> str:
    """A file-name stem that keeps letters of any script but no separators or controls."""
    stem = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._")
    return stem[:80] or "clip"


def output_paths(out_dir: Path, stem: str, template: Template, preset: Preset) -> dict[str, Path]:
    base = out_dir / f"{stem}-{template.name}-{preset.name}"
    return {
        "video": base.with_name(base.name + ".mp4"),
        "poster": base.with_name(base.name + ".poster.jpg"),
        "card": base.with_name(base.name + ".card.jpg"),
        "srt": base.with_name(base.name + ".srt"),
        "vtt": base.with_name(base.name + ".vtt"),
    }


def make_clip(
    clip: str | Path,
    *,
    template: Template,
    presets: Sequence[Preset],
    out_dir: Path,
    fields: Mapping[str, str] | None = None,
    captions: str | Path | None = None,
    scale: float = 1.0,
    runner: Runner | None = None,
    name: str | None = None,
    on_progress: FractionFn | None = None,
    encoding: graph.Encoding | None = None,
    reframe: str | None = None,
    focus: tuple[float, float] | None = None,
    language: str = "en",
    script: str | Path | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> list[Output]:
    """Render one clip to every preset in a single ffmpeg run; return what was written."""
    run = runner or FFmpegRunner(locate())
    planned = plan_clip(
        clip, template=template, presets=presets, fields=fields, captions=captions,
        scale=scale, runner=run, reframe=reframe, focus=focus, language=language,
        script=script, on_warning=on_warning,
    )  # fmt: skip
    return render_clip(planned, out_dir=out_dir, runner=run, name=name,
                       on_progress=on_progress, encoding=encoding)  # fmt: skip


@dataclass(frozen=True)
class PlannedClip:
    """A clip with its plan and the cues of its .srt/.vtt sidecars: ready to render."""

    clip: Path
    plan: Plan
    sidecar_cues: tuple[Any, ...]


def plan_clip(
    clip: str | Path,
    *,
    template: Template,
    presets: Sequence[Preset],
    fields: Mapping[str, str] | None = None,
    captions: str | Path | None = None,
    scale: float = 1.0,
    runner: Runner | None = None,
    reframe: str | None = None,
    focus: tuple[float, float] | None = None,
    language: str = "en",
    script: str | Path | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> PlannedClip:
    """Everything known before rendering: the captions (read or transcribed), the probed
    clip, the faces it follows, the plan."""
    clip = Path(clip)
    cues, sidecar_cues = load_cues(
        captions, clip, style=template.captions.style, language=language, script=script,
        runner=runner or FFmpegRunner(locate()), on_warning=on_warning,
    )  # fmt: skip
    media = probe(clip)
    plan = make_plan(
        media, template, presets, fields=fields, cues=cues, scale=scale,
        reframe=reframe, focus=focus, sting_durations=_sting_durations(template),
        subjects=find_subjects(media, reframe or template.reframe, presets),
    )  # fmt: skip
    return PlannedClip(clip, plan, tuple(sidecar_cues))


def render_clip(
    planned: PlannedClip,
    *,
    out_dir: Path,
    runner: Runner | None = None,
    name: str | None = None,
    on_progress: FractionFn | None = None,
    encoding: graph.Encoding | None = None,
) -> list[Output]:
    """Render a planned clip in one ffmpeg run, every file written whole or not at all."""
    clip, plan, sidecar_cues = planned.clip, planned.plan, planned.sidecar_cues
    run = runner or FFmpegRunner(locate())
    template = plan.template
    captioned = bool(sidecar_cues)  # read or heard captions give both burn-in and sidecars
    stem = safe_stem(name or clip.stem)
    paths = [output_paths(out_dir, stem, template, o.preset) for o in plan.outputs]
    kinds = ("video", "poster", "card", "srt", "vtt") if captioned else ("video", "poster", "card")
    finals = [p[kind] for p in paths for kind in kinds]
    with tempfile.TemporaryDirectory(prefix="vidkit-") as work, atomic_outputs(finals) as temps:
        tmp = [{kind: t for kind, t in zip(kinds, temps[j : j + len(kinds)])}
               for j in range(0, len(temps), len(kinds))]  # fmt: skip
        _render(plan, Path(work), tmp, run, encoding, on_progress)
        for t in tmp:
            layers.link_card(t["poster"], t["card"])
        if captioned:
            _sidecars(plan, tmp, sidecar_cues)
    return [
        Output(
            source=str(clip),
            platform=o.preset.name,
            path=p["video"],
            width=o.width,
            height=o.height,
            duration=float(Fraction(o.total_frames) / plan.fps),
            poster=p["poster"],
            card=p["card"],
            captions=(p["srt"], p["vtt"]) if captioned else (),
        )
        for o, p in zip(plan.outputs, paths)
    ]


def find_subjects(media: Media, mode: str, presets: Sequence[Preset]) -> Subjects | None:
    """The faces in the clip when ``mode`` follows them and some output crops the picture.
    Without OpenCV, ``auto`` reframes as it did before faces were looked for; ``subject``
    says what to install."""
    if not wants_subjects(mode, media, presets):
        return None
    try:
        # imported here: OpenCV loads only when a clip is analysed, keeping `vidkit --help` fast
        from vidkit.render import subject
    except ImportError as exc:
        if mode == "auto":
            return None
        raise ConfigError(
            f"--reframe subject needs OpenCV ({exc})",
            hint="pip install 'opencv-python-headless<5', or use --reframe fill",
        ) from None
    give_up = subject.AUTO_LOOK_SECONDS if mode == "auto" else None
    return subject.find_subjects(media, give_up=give_up)


def _sting_durations(template: Template) -> dict[Path, tuple[float, bool]]:
    """(seconds, has audio) of the brand's intro and outro stings, probed."""
    return {
        p: (m.duration, m.has_audio)
        for p in (template.brand.intro, template.brand.outro)
        if p is not None
        for m in [probe(p)]
    }


def _render(
    plan: Plan,
    work: Path,
    tmp: list[dict[str, Path]],
    run: Runner,
    encoding: graph.Encoding | None,
    on_progress: FractionFn | None,
) -> None:
    """Draw the overlays, measure loudness, run the one render, then grab the posters."""
    images = layers.draw(plan, work)
    loud = None
    if plan.audio.has_audio or plan.audio.music is not None:
        loud = parse_ebur128(run(graph.measure_args(plan)))
    args = graph.compile_args(
        plan, images, [t["video"] for t in tmp], loudness=loud,
        encoding=_share_cores(encoding or graph.Encoding(), len(plan.outputs)),
    )  # fmt: skip
    longest = max(float(Fraction(o.total_frames) / plan.fps) for o in plan.outputs)
    run(args, duration=longest, on_progress=on_progress)
    run(graph.poster_args(plan, [t["video"] for t in tmp], [t["poster"] for t in tmp]))


def _share_cores(encoding: graph.Encoding, outputs: int) -> graph.Encoding:
    """Several encoders in one run share the cores instead of each starting a thread per core
    (measured: about 5 % less CPU for four shapes on two cores)."""
    if encoding.threads is not None or outputs < 2:
        return encoding
    return replace(encoding, threads=max(1, (os.cpu_count() or 2) // outputs))


def _sidecars(plan: Plan, tmp: list[dict[str, Path]], cues: Sequence[Any]) -> None:
    """An .srt and a .vtt beside each video, for platforms that take uploaded captions."""
    for out, t in zip(plan.outputs, tmp):
        shift = round(sum(s.frames for s in out.before) * 1000 / plan.fps)
        limit = round(out.main_frames * 1000 / plan.fps) + shift
        shifted = [
            replace(c, start=c.start + shift, end=min(c.end + shift, limit))
            for c in cues
            if c.start + shift < limit
        ]
        formats.write_srt(shifted, t["srt"])
        formats.write_vtt(shifted, t["vtt"])


def load_cues(
    captions: str | Path | None,
    clip: Path,
    *,
    style: str = "classic",
    language: str = "en",
    script: str | Path | None = None,
    runner: Runner | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Caption cues for ``clip`` — (cues to burn in, in the template's style; cues for the
    .srt/.vtt sidecars, as classic two-line blocks) — none, from an SRT/VTT/JSON file (rendered
    exactly as written), or transcribed offline (``auto``). A clip with no speech gets no
    captions and a warning, not garbage."""
    mode = caption_mode(captions)
    if mode == "none":
        return (), ()
    try:
        found = captions_for(
            clip, mode=mode, language=language,
            script=Path(script) if isinstance(script, str) else script, runner=runner,
        )  # fmt: skip
    except NoSpeechError as exc:
        if on_warning is not None:
            on_warning(str(exc))
        return (), ()
    if found is None:
        return (), ()
    return tuple(found.cues(style)), tuple(found.cues("classic"))


def make(
    clips: Sequence[str | Path],
    *,
    template: str | Path = "default",
    presets: Sequence[str] | str = ("9x16",),
    out_dir: str | Path = "out",
    fields: Mapping[str, str] | None = None,
    captions: str | Path | None = None,
    brand: str | Path | None = None,
    template_dirs: Sequence[str | Path] = (),
    brand_dirs: Sequence[str | Path] = (),
    scale: float = 1.0,
    ffmpeg: str | None = None,
    encoding: graph.Encoding | None = None,
    reframe: str | None = None,
    focus: tuple[float, float] | None = None,
    language: str = "en",
    script: str | Path | None = None,
    on_event: Callable[[Event], None] | None = None,
    verbose: bool = False,
) -> MakeResult:
    """Render each clip; a bad clip is reported in ``errors`` and the others still render.

    Problems with the call itself (unknown template or preset, bad merge fields) raise before
    any clip is touched. ``verbose`` prints each ffmpeg command line on stderr.
    """
    tpl = load_template(template, user_dirs=template_dirs, brand=brand, brand_dirs=brand_dirs)
    chosen = resolve(presets)
    tpl.merge_fields(fields or {})  # unknown/missing merge fields fail before any work
    run = FFmpegRunner(locate(ffmpeg), verbose=verbose)
    result = MakeResult()
    emit = on_event or (lambda e: None)
    total = len(clips)
    for index, clip in enumerate(clips):
        source = str(clip)
        emit(Event("start", source, index, total))
        try:
            outs = make_clip(
                Path(clip), template=tpl, presets=chosen, out_dir=Path(out_dir),
                fields=fields, captions=captions, scale=scale, runner=run,
                on_progress=lambda f, s=source, i=index: emit(Event("progress", s, i, total, f)),
                encoding=encoding, reframe=reframe, focus=focus, language=language,
                script=script,
                on_warning=lambda m, s=source, i=index: emit(Event("warning", s, i, total, message=m)),
            )  # fmt: skip
        except VidkitError as exc:
            if isinstance(exc, MediaError) and exc.path is None:
                exc.path = source
            result.errors.append(ClipError(source, str(exc)))
            emit(Event("failed", source, index, total, message=str(exc)))
            continue
        result.outputs.extend(outs)
        emit(Event("done", source, index, total, 1.0))
    return result
