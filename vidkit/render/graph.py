"""graph: compile a Plan into one ffmpeg argv — a single filter graph, N outputs. Pure.

The source is decoded once; its video is split once per output (reframed, overlaid, joined
to its cards) and its audio is normalised once and split. No user text ever appears in the
graph: text is drawn into images beforehand, and images enter as inputs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from vidkit.render.plan import AUDIO_RATE, Layer, OutputPlan, Plan, Segment
from vidkit.render.probe import VIDKIT_TAG

if TYPE_CHECKING:
    from vidkit.captions.draw import Fade


@dataclass(frozen=True)
class Loudness:
    """Values from loudnorm's measuring pass, fed back for an accurate linear second pass."""

    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float


@dataclass(frozen=True)
class Images:
    """Files drawn for the plan: per output index, layer key -> PNG; captions ffconcat list."""

    layers: Mapping[tuple[int, str], Path]
    captions: Mapping[int, Path] = field(default_factory=dict)
    cards: Mapping[tuple[int, str], Path] = field(default_factory=dict)
    #: how far right each layer's drawing reaches in its image (pixels): how far to slide it
    inked: Mapping[tuple[int, str], int] = field(default_factory=dict)
    #: per output index, when its captions fade in and out
    caption_fades: Mapping[int, Sequence[Fade]] = field(default_factory=dict)


@dataclass(frozen=True)
class Encoding:
    preset: str = "veryfast"
    crf: int = 23
    threads: int | None = None


#: ``--quality``: the encoder's speed/quality trade-offs, by name.
QUALITIES: Mapping[str, Encoding] = {
    "draft": Encoding(preset="ultrafast", crf=26),
    "standard": Encoding(),
    "high": Encoding(preset="medium", crf=20),
}

# Stands in for a measurement when there is no sound to measure (a clip without audio).
_SILENT = Loudness(-99.0, -99.0, 0.0, -99.0, 0.0)

# Repeat a single decoded still for ever (cheaper than re-reading the PNG for every frame).
_HOLD = "loop=loop=-1:size=1:start=0"

_BT709 = "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"

# Aim the limiter below the template's ceiling: AAC encoding raises true peak by 0.3-0.7 dB.
AAC_PEAK_MARGIN = 0.8


def _num(x: Fraction | float) -> str:
    """A compact decimal for ffmpeg options (6 places is far below a sample)."""
    return f"{float(x):.6f}".rstrip("0").rstrip(".") or "0"


def _samples(frames: int, fps: Fraction) -> int:
    return round(Fraction(frames) * AUDIO_RATE / fps)


class _Inputs:
    def __init__(self) -> None:
        self.args: list[str] = []
        self.count = 0

    def add(self, *args: str) -> int:
        self.args += list(args)
        self.count += 1
        return self.count - 1


def audio_filters(plan: Plan, music_input: int | None, loudness: Loudness | None) -> list[str]:
    """Filter statements ending in ``[amain]``: the source's audio at 48 kHz stereo, music ducked
    under it, loudness normalised. Without ``loudness`` it ends in a meter (ebur128: the same
    BS.1770 figures loudnorm's measuring pass prints, at a quarter of its CPU)."""
    a = plan.audio
    stmts: list[str] = []
    fmt = f"aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
    if a.has_audio:
        stmts.append(f"[0:a:0]{fmt},asetpts=PTS-STARTPTS[speech]")
    else:
        stmts.append(f"anullsrc=r={AUDIO_RATE}:cl=stereo[speech]")
    current = "speech"
    if music_input is not None:
        stmts.append(f"[{music_input}:a:0]{fmt},volume={_num(a.music_gain)}dB[music]")
        if a.has_audio:
            stmts.append("[speech]asplit=2[voice][key]")
            stmts.append(
                "[music][key]sidechaincompress=threshold=0.03:ratio=8:attack=20:release=500[ducked]"
            )
            stmts.append("[voice][ducked]amix=inputs=2:duration=first:normalize=0[mixed]")
        else:
            stmts.append("[speech][music]amix=inputs=2:duration=first:normalize=0[mixed]")
        current = "mixed"
    tp = a.true_peak - AAC_PEAK_MARGIN
    norm = f"loudnorm=I={_num(a.loudness)}:TP={_num(tp)}:LRA=11"
    if loudness is None:
        stmts.append(f"[{current}]ebur128=peak=true:framelog=quiet[amain]")
    elif loudness.input_i > -70 and loudness.input_tp + (a.loudness - loudness.input_i) <= tp:
        # the target is reachable by gain alone: exactly what loudnorm's linear mode would do,
        # without its 192 kHz resampling
        gain = a.loudness - loudness.input_i
        stmts.append(f"[{current}]volume={_num(gain)}dB,apad[amain]")
    elif loudness.input_i > -70 and (a.has_audio or music_input is not None):
        stmts.append(
            f"[{current}]{norm}:measured_I={_num(loudness.input_i)}"
            f":measured_TP={_num(loudness.input_tp)}:measured_LRA={_num(loudness.input_lra)}"
            f":measured_thresh={_num(loudness.input_thresh)}:offset={_num(loudness.target_offset)}"
            f":linear=true,aresample={AUDIO_RATE},apad[amain]"
        )
    else:  # silence: nothing to normalise
        stmts.append(f"[{current}]apad[amain]")
    return stmts


def measure_args(plan: Plan) -> list[str]:
    """argv (after ``ffmpeg``) for the loudness measuring pass: audio only, no output file."""
    inputs = _Inputs()
    src = plan.source
    inputs.add("-i", str(src.path))
    music = _music(plan, inputs)
    stmts = audio_filters(plan, music, None)
    duration = _num(plan.seconds(plan.main_frames))
    return [
        *inputs.args,
        "-filter_complex",
        ";".join(stmts),
        "-map",
        "[amain]",
        "-t",
        duration,
        "-f",
        "null",
        "-",
    ]


def _music(plan: Plan, inputs: _Inputs) -> int | None:
    if plan.audio.music is None:
        return None
    return inputs.add("-stream_loop", "-1", "-i", str(plan.audio.music))


def _source_video(plan: Plan) -> str:
    src = plan.source
    chain = ["[0:v:0]"]
    if src.hdr is not None:
        chain.append(
            "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
            "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,"
        )
    if src.sar != 1 or src.width % 2 or src.height % 2:
        chain.append(f"scale={src.width}:{src.height},")
    chain.append(
        f"format=yuv420p,setsar=1,setpts=PTS-STARTPTS,fps={plan.fps},"
        f"trim=end_frame={plan.main_frames}"
    )
    return "".join(chain)


def compile_args(
    plan: Plan,
    images: Images,
    outputs: Sequence[Path],
    *,
    loudness: Loudness | None,
    encoding: Encoding = Encoding(),
) -> list[str]:
    """argv (after ``ffmpeg``) rendering every output of ``plan`` in one run."""
    if len(outputs) != len(plan.outputs):
        raise ValueError("one output path per planned output")
    inputs = _Inputs()
    src = plan.source
    inputs.add("-i", str(src.path))
    music = _music(plan, inputs)
    fps = str(plan.fps)

    n = len(plan.outputs)
    stmts: list[str] = [
        _source_video(plan) + f",split={n}" + "".join(f"[src{i}]" for i in range(n))
    ]
    stmts += audio_filters(plan, music, loudness if loudness is not None else _SILENT)
    stmts.append(f"[amain]asplit={n}" + "".join(f"[amain{i}]" for i in range(n)))

    out_args: list[str] = []
    for i, (out, path) in enumerate(zip(plan.outputs, outputs)):
        v = _reframe(stmts, i, out)
        v = _overlays(stmts, inputs, images, i, out, v, fps)
        # an overlay input that outlives the clip would otherwise stretch it
        stmts.append(f"[{v}]format=yuv420p,setsar=1,trim=end_frame={out.main_frames}[main{i}]")
        stmts.append(f"[amain{i}]atrim=end_sample={_samples(out.main_frames, plan.fps)}[maina{i}]")
        _join_segments(stmts, inputs, plan, out, i, images)
        stmts.append(f"[vcat{i}]{_BT709}[vout{i}]")
        out_args += metadata_args(plan, out)
        out_args += _encode_args(out, i, plan.fps, encoding, path)

    return [
        *inputs.args,
        "-filter_complex",
        ";\n".join(stmts),
        *out_args,
    ]


def _overlays(
    stmts: list[str], inputs: _Inputs, images: Images, i: int, out: OutputPlan, v: str, fps: str
) -> str:
    """Overlay output ``i``'s layers (timed, faded stills) and captions on stream ``v``;
    return the label of the result."""
    for layer in out.layers:
        png = images.layers[(i, layer.key)]
        k = inputs.add("-framerate", fps, "-i", str(png))
        label = f"l{i}{layer.key}"
        fade = ""
        if layer.fade and layer.start is not None and layer.end is not None:
            fade = (
                f",fade=t=in:s={layer.start}:n={layer.fade}:alpha=1"
                f",fade=t=out:s={max(layer.start, layer.end - layer.fade)}:n={layer.fade}:alpha=1"
            )
        # decode and convert the still once; the loop filter repeats the cached frame
        stmts.append(
            f"[{k}:v]format=yuva420p,{_HOLD},trim=end_frame={out.main_frames + 1}{fade}[{label}]"
        )
        enable = ""
        if layer.start is not None and layer.end is not None:
            enable = f":enable='between(n,{layer.start},{layer.end - 1})'"
        x = str(layer.box.x)
        if layer.slide:
            x = slide_x(layer, images.inked.get((i, layer.key)))
        elif layer.grow:
            x = grow_x(layer)
        y = rise_y(layer) if layer.rise and layer.fade else str(layer.box.y)
        stmts.append(f"[{v}][{label}]overlay=x={x}:y={y}{enable}:format=auto:shortest=1[{v}o]")
        v = f"{v}o"
    if out.captions is not None and i in images.captions:
        k = inputs.add("-f", "concat", "-safe", "0", "-i", str(images.captions[i]))
        motion = caption_fades(images.caption_fades.get(i, ()), fps)
        stmts.append(f"[{k}:v]format=rgba,setpts=PTS-STARTPTS{motion}[cap{i}]")
        box = out.captions.box
        stmts.append(f"[{v}][cap{i}]overlay=x={box.x}:y={box.y}:format=auto:eof_action=pass[{v}c]")
        v = f"{v}c"
    return v


def slide_x(layer: Layer, inked: int | None = None) -> str:
    """The overlay's x as an expression of the frame number: in from beyond the left edge,
    easing out (cubic) over ``layer.slide`` frames, then still, then out the same way, easing
    in. ``inked``: how far right the drawing reaches in its image (default: its whole width).
    Evaluated by ffmpeg per frame: motion is data, not a loop in Python."""
    assert layer.start is not None and layer.end is not None
    x, n = layer.box.x, layer.slide
    d = x + (inked if inked is not None else layer.box.w)  # just off the screen
    enter = f"pow(1-clip((n-{layer.start})/{n},0,1),3)"
    leave = f"pow(clip((n-{layer.end - n})/{n},0,1),3)"
    return f"'{x}-{d}*({enter}+{leave})'"


def rise_y(layer: Layer) -> str:
    """The overlay's y as an expression of the frame number: ``layer.rise`` pixels low at its
    start, rising into place over its fade (easing out, cubic), then still, and sinking
    back as it fades out (easing in)."""
    assert layer.start is not None and layer.end is not None
    y, n, d = layer.box.y, layer.fade, layer.rise
    enter = f"pow(1-clip((n-{layer.start})/{n},0,1),3)"
    leave = f"pow(clip((n-{layer.end - n})/{n},0,1),3)"
    return f"'{y}+{d}*({enter}+{leave})'"


def caption_fades(fades: Sequence[Fade], fps: str) -> str:
    """Filters (each starting with a comma) fading the caption stream in and out: over each
    fade the same linear fade twice, so opacity goes as the square of the time (eased), each
    enabled only in its own window so the rest of the clip passes untouched. The stream is
    first converted for the overlay (once per image) and then made one frame per video frame
    (references to the same image, not copies) so a fade has frames to work on; ``round=up``
    keeps each caption's first frame where it was."""
    if not fades:
        return ""
    parts = ["format=yuva420p", f"fps={fps}:round=up"]
    for f in fades:
        st, end = _num(Fraction(f.start, 1000)), _num(Fraction(f.end, 1000))
        d = _num(Fraction(f.end - f.start, 1000))
        kind = "in" if f.enter else "out"
        parts += [f"fade=t={kind}:st={st}:d={d}:alpha=1:enable='between(t,{st},{end})'"] * 2
    return "," + ",".join(parts)


def grow_x(layer: Layer) -> str:
    """x of a full-width bar that slides in from the left in step with the frame number, so
    the visible part grows from nothing at ``start`` to the whole width at ``end``."""
    assert layer.start is not None and layer.end is not None
    w, span = layer.box.w, max(1, layer.end - layer.start)
    return f"'-{w}+{w}*clip((n-{layer.start})/{span},0,1)'"


def _join_segments(
    stmts: list[str], inputs: _Inputs, plan: Plan, out: OutputPlan, i: int, images: Images
) -> None:
    """Join intro, main clip, end card and outro of output ``i`` into ``[vcat{i}][aout{i}]``."""
    parts: list[str] = []
    for seg in out.before:
        parts.append(_segment(stmts, inputs, plan, out, i, seg, images))
    parts.append(f"[main{i}][maina{i}]")
    for seg in out.after:
        parts.append(_segment(stmts, inputs, plan, out, i, seg, images))
    if len(parts) == 1:
        stmts.append(f"[main{i}]null[vcat{i}]")
        stmts.append(f"[maina{i}]anull[aout{i}]")
    else:
        stmts.append("".join(parts) + f"concat=n={len(parts)}:v=1:a=1[vcat{i}][aout{i}]")


def metadata_args(plan: Plan, out: OutputPlan) -> list[str]:
    """``-metadata comment=vidkit:{...}``: what the video was made with, so ``vidkit publish``
    knows it without being told (the template, caption style, whether captions are burned in,
    the end card's call to action). The phone's own metadata is never copied (``-map_metadata``)."""
    card = next((s.card for s in out.after if s.card is not None), None)
    captions = out.captions
    tags = {
        "template": plan.template.name,
        "caption_style": captions.style if captions is not None else None,
        "burned_captions": captions is not None and bool(captions.cues),
        "cta_text": card.headline if card is not None else None,
        "cta_url": card.url if card is not None else None,
    }
    text = json.dumps(tags, ensure_ascii=False, separators=(",", ":"))
    return ["-metadata", f"comment={VIDKIT_TAG}{text}"]


def poster_args(plan: Plan, videos: Sequence[Path], posters: Sequence[Path]) -> list[str]:
    """argv writing one JPEG per rendered video: a frame about a third into the main clip."""
    at = float(plan.seconds(plan.main_frames)) * 0.3
    return frame_args([(video, at) for video in videos], posters, quality=3)


def candidate_times(duration: float, count: int) -> list[float]:
    """``count`` moments spread evenly over the first third of a ``duration``-second video,
    each in the middle of its slice (never the very first frame, often black)."""
    third = max(0.0, duration) / 3
    return [third * (k + 0.5) / count for k in range(count)]


def poster_candidates_args(video: Path, duration: float, outputs: Sequence[Path]) -> list[str]:
    """argv writing one JPEG per output, each a frame from the first third of ``video`` (one
    ffmpeg run; each input seeks straight to its moment): the candidates for a poster."""
    times = candidate_times(duration, len(outputs))
    return frame_args([(video, at) for at in times], outputs, quality=3)


def frame_args(
    shots: Sequence[tuple[Path, float]], outputs: Sequence[Path], *, quality: int | None = None
) -> list[str]:
    """argv writing one still per (file, seconds) into ``outputs`` (JPEG or PNG by name)."""
    args: list[str] = []
    for video, at in shots:
        args += ["-ss", f"{at:.3f}", "-i", str(video)]
    for i, out in enumerate(outputs):
        args += ["-map", f"{i}:v:0", "-frames:v", "1"]
        args += ["-q:v", str(quality)] if quality is not None else []
        args += ["-update", "1", str(out)]
    return args


def ebur128_args(path: Path) -> list[str]:
    """argv measuring a finished file's loudness and true peak (EBU R128), printed to stderr."""
    return ["-i", str(path), "-map", "0:a:0", "-af", "ebur128=peak=true", "-f", "null", "-"]


def crop_x_expr(path: Sequence[tuple[int, int]]) -> str:
    """The crop's x as an ffmpeg expression in the frame number ``n``: the path's keyframes
    (frame, x) joined by straight lines, held before the first and after the last. A sum of
    clipped ramps, one per segment, so it stays flat however long the path is (no nesting).
    A segment one frame long is a cut."""
    terms = [str(path[0][1])]
    for (fa, xa), (fb, xb) in zip(path, path[1:]):
        if xb != xa:
            terms.append(f"{xb - xa}*clip(n-{fa},0,{fb - fa})/{fb - fa}")
    return "+".join(terms).replace("+-", "-")


def _reframe(stmts: list[str], i: int, out: OutputPlan) -> str:
    r = out.reframe
    w, h = out.width, out.height
    if r.mode in ("fill", "subject"):
        assert r.crop is not None
        c = r.crop
        x = f"'{crop_x_expr(r.path)}'" if len(r.path) > 1 else str(c.x)
        stmts.append(f"[src{i}]crop={c.w}:{c.h}:{x}:{c.y},scale={w}:{h},setsar=1[v{i}]")
        return f"v{i}"
    bw, bh = max(2, w // 8 // 2 * 2), max(2, h // 8 // 2 * 2)
    stmts.append(f"[src{i}]split=2[fg{i}][bgs{i}]")
    stmts.append(
        f"[bgs{i}]scale={bw}:{bh}:force_original_aspect_ratio=increase,crop={bw}:{bh},"
        f"gblur=sigma={max(1, bw // 24)},eq=brightness=-0.08:saturation=0.8,scale={w}:{h},setsar=1[bg{i}]"
    )
    stmts.append(f"[fg{i}]scale={r.scale_w}:{r.scale_h},setsar=1[fgs{i}]")
    stmts.append(f"[bg{i}][fgs{i}]overlay=x={r.x}:y={r.y}[v{i}]")
    return f"v{i}"


def _segment(
    stmts: list[str],
    inputs: _Inputs,
    plan: Plan,
    out: OutputPlan,
    i: int,
    seg: Segment,
    images: Images,
) -> str:
    fps = plan.fps

    label = f"{seg.key}{i}"
    w, h = out.width, out.height
    if seg.card is not None:
        png = images.cards[(i, seg.key)]
        k = inputs.add("-framerate", str(fps), "-i", str(png))
        fade = min(seg.frames, max(1, round(fps * Fraction(2, 5))))
        stmts.append(
            f"[{k}:v]scale={w}:{h},format=yuv420p,setsar=1,{_HOLD},trim=end_frame={seg.frames},"
            f"fade=t=in:s=0:n={fade}[{label}v]"
        )
        stmts.append(
            f"anullsrc=r={AUDIO_RATE}:cl=stereo,atrim=end_sample={_samples(seg.frames, fps)}[{label}a]"
        )
    else:
        assert seg.clip is not None
        k = inputs.add("-i", str(seg.clip))
        stmts.append(
            f"[{k}:v:0]scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1,"
            f"setpts=PTS-STARTPTS,fps={fps},trim=end_frame={seg.frames},format=yuv420p[{label}v]"
        )
        end = _samples(seg.frames, fps)
        if seg.clip_has_audio:
            stmts.append(
                f"[{k}:a:0]aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
                f"asetpts=PTS-STARTPTS,apad,atrim=end_sample={end}[{label}a]"
            )
        else:
            stmts.append(f"anullsrc=r={AUDIO_RATE}:cl=stereo,atrim=end_sample={end}[{label}a]")
    return f"[{label}v][{label}a]"


def _encode_args(out: OutputPlan, i: int, fps: Fraction, enc: Encoding, path: Path) -> list[str]:
    args = [
        "-map", f"[vout{i}]", "-map", f"[aout{i}]",
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-c:v", "libx264", "-preset", enc.preset, "-crf", str(enc.crf),
        "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-g", str(out.gop), "-keyint_min", str(max(1, out.gop // 2)),
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
        "-color_range", "tv", "-fps_mode", "cfr", "-r", str(fps),
    ]  # fmt: skip
    if out.video_kbps_cap is not None:
        cap = out.video_kbps_cap
        args += ["-maxrate", f"{cap}k", "-bufsize", f"{cap}k"]
    if enc.threads:
        args += ["-threads", str(enc.threads)]
    args += [
        "-c:a", "aac", "-b:a", f"{out.audio_kbps}k", "-ar", str(AUDIO_RATE), "-ac", "2",
        "-movflags", "+faststart", "-use_editlist", "0",
        str(path),
    ]  # fmt: skip
    return args
