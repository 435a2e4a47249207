"""The planner and the graph compiler are pure: tested without running ffmpeg."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from vidkit.errors import ConfigError, RenderError
from vidkit.render import graph
from vidkit.render.plan import choose_reframe, make_plan, output_fps, safe_box
from vidkit.render.probe import Media
from vidkit.template.presets import all_presets, resolve
from vidkit.template.templates import load_template

MEDIA = Media(
    path=Path("/clips/member.mp4"), duration=40.0, width=1920, height=1080, coded_width=1920,
    coded_height=1080, rotation=0, sar=Fraction(1), fps=Fraction(30000, 1001), vfr=False,
    pix_fmt="yuv420p", bit_depth=8, hdr=None, video_codec="h264", has_audio=True,
)  # fmt: skip


def test_presets_resolve_and_reject_unknown_names() -> None:
    assert [p.name for p in resolve("9x16,1x1")] == ["9x16", "1x1"]
    assert len(resolve("all")) == len(all_presets()) == 13
    assert [p.name for p in resolve("shapes")] == ["9x16", "1x1", "4x5", "16x9"]
    assert [p.name for p in resolve(["9:16"])] == ["9x16"]
    with pytest.raises(ConfigError, match="unknown preset 'tiktock'"):
        resolve("tiktock")
    for p in all_presets().values():
        assert p.source, f"{p.name} needs a source"


def test_frame_rate_is_kept_exact_and_clamped() -> None:
    presets = resolve("reels")
    assert output_fps(MEDIA, presets) == Fraction(30000, 1001)
    assert output_fps(replace(MEDIA, fps=Fraction(120)), presets) == 60
    assert output_fps(replace(MEDIA, fps=Fraction(15)), presets) == 23
    assert output_fps(replace(MEDIA, fps=Fraction(2700, 89), vfr=True), presets) == 30


def test_reframe_fill_crops_around_the_focus_point() -> None:
    r = choose_reframe("fill", 1920, 1080, 1080, 1920, (0.0, 0.5))
    assert (r.mode, r.scale_w, r.scale_h) == ("fill", 1080, 1920)
    assert r.crop is not None and (r.crop.x, r.crop.y, r.crop.w, r.crop.h) == (0, 0, 608, 1080)
    r = choose_reframe("fill", 1920, 1080, 1080, 1920, (1.0, 0.5))
    assert r.crop is not None and r.crop.x + r.crop.w == 1920
    r = choose_reframe("fill", 1920, 1080, 1080, 1080, (0.5, 0.5))
    assert r.crop is not None and (r.crop.x, r.crop.w, r.crop.h) == (420, 1080, 1080)
    assert choose_reframe("auto", 1920, 1080, 1080, 1920, (0.5, 0.5)).mode == "fit"
    assert choose_reframe("auto", 1080, 1920, 1080, 1350, (0.5, 0.5)).mode == "fill"


def test_overlays_stay_inside_the_safe_zone() -> None:
    t = load_template("default")
    plan = make_plan(MEDIA, t, resolve("all"), fields={"name": "Amira", "place": "Leeds"},
                     cues=("cue",))  # fmt: skip
    for out in plan.outputs:
        safe = safe_box(out.preset, out.width, out.height)
        # what people read or see as the brand; the fit mode's soft edges (and a progress
        # bar) belong to the frame itself
        boxes = [layer.box for layer in out.layers if not layer.key.startswith("edge_")]
        assert out.captions is not None
        boxes.append(out.captions.box)
        for b in boxes:
            assert safe.x <= b.x and b.x + b.w <= safe.x + safe.w, (out.preset.name, b)
            assert safe.y <= b.y and b.y + b.h <= safe.y + safe.h, (out.preset.name, b)


def test_captions_never_sit_on_the_logo() -> None:
    for name in ("default", "testimony", "rally"):
        t = load_template(name)
        plan = make_plan(MEDIA, t, resolve("all"), fields={}, cues=("cue",))
        for out in plan.outputs:
            logo = next(layer.box for layer in out.layers if layer.key == "logo")
            cap = out.captions.box if out.captions else None
            assert cap is not None
            overlap_x = logo.x < cap.x + cap.w and cap.x < logo.x + logo.w
            overlap_y = logo.y < cap.y + cap.h and cap.y < logo.y + logo.h
            assert not (overlap_x and overlap_y), (name, out.preset.name, logo, cap)


def test_duration_and_size_limits() -> None:
    t = load_template("default")
    long = replace(MEDIA, duration=1000.0)
    plan = make_plan(long, t, resolve("tiktok"))
    # TikTok: 10 minutes at most, the 3 s end card included
    assert 599 <= plan.outputs[0].total_frames / plan.fps <= 600
    short = make_plan(replace(MEDIA, duration=60.0), t, resolve("whatsapp")).outputs[0]
    seconds = short.total_frames / Fraction(30000, 1001)
    total_bits = (short.video_kbps_cap + short.audio_kbps) * 1000 * (seconds + 1)
    assert total_bits / 8 <= 16_000_000
    with pytest.raises(ConfigError, match="too long for preset whatsapp"):
        make_plan(replace(MEDIA, duration=900.0), t, resolve("whatsapp"))


def test_one_graph_with_one_encode_per_output_and_no_user_text() -> None:
    t = load_template("default")
    hostile = "';[0:v]drawtext=text=%{pts}:x=0,"
    plan = make_plan(MEDIA, t, resolve("9x16,1x1,16x9"), fields={"name": hostile})
    images = graph.Images(
        layers={(i, layer.key): Path(f"/w/o{i}-{layer.key}.png")
                for i, o in enumerate(plan.outputs) for layer in o.layers},
        cards={(i, "end_card"): Path(f"/w/o{i}-end.png") for i in range(3)},
    )  # fmt: skip
    outs = [Path(f"/o/{i}.mp4") for i in range(3)]
    loud = graph.Loudness(-30.0, -10.0, 5.0, -40.0, 0.5)
    args = graph.compile_args(plan, images, outs, loudness=loud)
    assert args.count("-filter_complex") == 1
    assert args.count("-i") == 1 + sum(len(o.layers) + len(o.after) for o in plan.outputs)
    assert args.count("libx264") == 3 and [a for a in args if a.endswith(".mp4")][-3:] == [
        str(p) for p in outs
    ]
    assert hostile not in " ".join(args)
    fg = args[args.index("-filter_complex") + 1]
    assert fg.count(",split=3[") == 1 and "loudnorm=I=-14:TP=-2.3" in fg
    assert "measured_I=-30" in fg and "linear=true" in fg
    assert "-map_metadata" in args  # no GPS or device metadata from the phone leaks out


def test_poster_candidates_are_one_run_seeking_into_the_first_third() -> None:
    outs = [Path(f"/w/c{k}.jpg") for k in range(3)]
    assert graph.poster_candidates_args(Path("/v/edit.mp4"), 9.0, outs) == [
        "-ss", "0.500", "-i", "/v/edit.mp4",
        "-ss", "1.500", "-i", "/v/edit.mp4",
        "-ss", "2.500", "-i", "/v/edit.mp4",
        "-map", "0:v:0", "-frames:v", "1", "-q:v", "3", "-update", "1", "/w/c0.jpg",
        "-map", "1:v:0", "-frames:v", "1", "-q:v", "3", "-update", "1", "/w/c1.jpg",
        "-map", "2:v:0", "-frames:v", "1", "-q:v", "3", "-update", "1", "/w/c2.jpg",
    ]  # fmt: skip


def test_each_output_says_what_it_was_made_with_in_its_comment_tag() -> None:
    import json

    plan = make_plan(MEDIA, load_template("rally"), resolve("9x16,16x9"), fields={"cta": "Act now"})
    [tall, wide] = [graph.metadata_args(plan, o) for o in plan.outputs]
    assert tall == wide and tall[0] == "-metadata" and tall[1].startswith("comment=vidkit:")
    tags = json.loads(tall[1].removeprefix("comment=vidkit:"))
    assert tags == {"template": "rally", "caption_style": None, "burned_captions": False,
                    "cta_text": "Act now", "cta_url": "example.org/act"}  # fmt: skip
    images = graph.Images(
        layers={(i, layer.key): Path(f"/w/o{i}-{layer.key}.png")
                for i, o in enumerate(plan.outputs) for layer in o.layers},
        cards={(i, "end_card"): Path(f"/w/o{i}-end.png") for i in range(2)},
    )  # fmt: skip
    args = graph.compile_args(plan, images, [Path("/o/0.mp4"), Path("/o/1.mp4")], loudness=None)
    assert args.count(tall[1]) == 2  # once per output, before its file name
    assert args.index(tall[1]) < args.index("/o/0.mp4") < len(args) - args[::-1].index(tall[1])


def test_the_measuring_pass_is_read_from_the_meters_summary() -> None:
    from vidkit.render.loudness import parse_ebur128

    summary = (
        "[Parsed_ebur128_2 @ 0x1] t: 19.9 M: -19.1 S: -19.2 I: -19.3 LUFS\n"
        "[Parsed_ebur128_2 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -19.3 LUFS\n"
        "    Threshold: -29.6 LUFS\n\n  Loudness range:\n    LRA:         2.5 LU\n"
        "    Threshold: -39.8 LUFS\n\n  True peak:\n    Peak:      -10.6 dBFS\n"
    )
    loud = parse_ebur128(summary)
    assert (loud.input_i, loud.input_thresh, loud.input_lra, loud.input_tp) == (
        -19.3, -29.6, 2.5, -10.6,
    )  # fmt: skip
    silent = parse_ebur128(summary.replace("-10.6 dBFS", "-inf dBFS"))
    assert silent.input_tp == -99.0
    with pytest.raises(RenderError):
        parse_ebur128("no summary here")
