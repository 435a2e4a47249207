"""The subject-following crop, pure: path smoothing, the choice of mode, the crop expression."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from vidkit.render import follow, graph
from vidkit.render.follow import MOTION, Sighting, Subjects
from vidkit.render.plan import choose_reframe, make_plan, wants_subjects
from vidkit.render.probe import Media
from vidkit.template.presets import resolve
from vidkit.template.templates import load_template

FPS = Fraction(30)
CROP_W = 608  # a 1920 x 1080 clip cropped to 9:16
MEDIA = Media(
    path=Path("/clips/member.mp4"), duration=10.0, width=1920, height=1080, coded_width=1920,
    coded_height=1080, rotation=0, sar=Fraction(1), fps=FPS, vfr=False,
    pix_fmt="yuv420p", bit_depth=8, hdr=None, video_codec="h264", has_audio=True,
)  # fmt: skip


def face(cx: float, w: int = 120) -> tuple[int, int, int, int]:
    return (round(cx - w / 2), 300, w, w)


def sightings(centres: list[float | None], rate: int = 4, cuts: tuple[int, ...] = ()) -> Subjects:
    return Subjects(
        1920,
        1080,
        tuple(
            Sighting(k / rate, (face(c),) if c is not None else (), k in cuts)
            for k, c in enumerate(centres)
        ),
    )


def path(subjects: Subjects, frames: int = 300) -> follow.Path:
    return follow.crop_path(subjects, CROP_W, FPS, frames, fallback_x=656)


def test_a_subject_that_barely_moves_gets_one_still_crop() -> None:
    jitter = [960 + (25 if k % 2 else -25) for k in range(40)]  # ±25 px: inside the still band
    p = path(sightings(jitter))
    assert p == ((0, 656),)  # centred on the face: 960 - 608 / 2


def test_the_crop_holds_inside_the_dead_zone_then_pans() -> None:
    dead = MOTION.dead_zone * CROP_W
    # still for 2 s, then a slow walk right
    centres = [700.0] * 8 + [700 + 40 * k for k in range(1, 25)]
    p = path(sightings(centres))
    assert p[0] == (0, 396)
    # no move until the subject is a dead zone away from where the crop was
    first_move = next(f for f, x in p if x != 396)
    walked = 700 + 40 * ((first_move / 30 * 4) - 7)
    assert walked - 700 > dead - 45
    for f in range(300):
        centre = follow.x_at(p, f) + CROP_W / 2
        subject = centres[min(len(centres) - 1, round(f / 30 * 4))]
        assert abs(subject - centre) <= dead + 45  # never further than the dead zone (+ a step)


def test_the_pan_speed_is_limited() -> None:
    # the subject jumps across the picture with no scene change: the camera pans, not cuts
    p = path(sightings([300.0] * 8 + [1600.0] * 32))
    limit = MOTION.max_speed * CROP_W / 30  # pixels a frame
    for (f0, x0), (f1, x1) in zip(p, p[1:]):
        assert abs(x1 - x0) / (f1 - f0) <= limit + 0.5
    # it gets there: the subject is back inside the dead zone
    assert abs(p[-1][1] + CROP_W / 2 - 1600) <= MOTION.dead_zone * CROP_W + 2


def test_a_scene_change_cuts_instead_of_panning() -> None:
    p = path(sightings([300.0] * 8 + [1600.0] * 32, cuts=(8,)))
    assert p == ((0, 0), (59, 0), (60, 1296))  # a one-frame step at the cut (2 s = frame 60)


def test_frames_without_a_face_hold_the_last_one_and_a_stray_detection_is_ignored() -> None:
    centres: list[float | None] = [960.0] * 6 + [None] * 6 + [960.0, 200.0, 960.0] + [960.0] * 6
    assert path(sightings(centres)) == ((0, 656),)


def test_a_scene_without_faces_keeps_the_fixed_focus() -> None:
    p = path(sightings([None] * 8 + [1600.0] * 8, cuts=(8,)))
    assert p == ((0, 656), (59, 656), (60, 1296))
    assert path(Subjects(1920, 1080, ())) == ((0, 656),)


def test_simplify_merges_holds_and_straight_runs() -> None:
    assert follow.simplify([(0, 10), (5, 10), (10, 10)]) == ((0, 10),)
    assert follow.simplify([(0, 0), (5, 10), (10, 20), (15, 20), (20, 20)]) == ((0, 0), (10, 20))
    assert follow.simplify([(0, 0), (0, 4), (5, 8)]) == ((0, 4), (5, 8))


def _evaluate(expr: str, n: int) -> float:
    """ffmpeg's expression, evaluated the way ffmpeg does (clip, +, -, *, / on doubles)."""
    clip = lambda v, lo, hi: max(lo, min(v, hi))  # noqa: E731
    return float(eval(expr, {"__builtins__": {}}, {"clip": clip, "n": n}))


def test_the_crop_expression_is_the_path_as_ramps_in_n() -> None:
    p = ((0, 100), (30, 100), (90, 400), (91, 40), (150, 40))
    expr = graph.crop_x_expr(p)
    assert expr == "100+300*clip(n-30,0,60)/60-360*clip(n-90,0,1)/1"
    for n in range(0, 200):
        assert _evaluate(expr, n) == pytest.approx(follow.x_at(p, n))
    assert graph.crop_x_expr(((0, 8),)) == "8"


def test_the_graph_crops_along_the_planned_path() -> None:
    subjects = sightings([300.0] * 8 + [1600.0] * 32, cuts=(8,))
    plan = make_plan(
        MEDIA, load_template("default"), resolve("9x16"), reframe="subject", subjects=subjects,
        fields={"name": "Amira", "place": "Leeds"},
    )  # fmt: skip
    r = plan.outputs[0].reframe
    assert r.mode == "subject" and r.path == ((0, 0), (59, 0), (60, 1296))
    assert r.crop_x(30) == 0 and r.crop_x(200) == 1296
    args = graph.compile_args(
        plan, graph.Images(layers={(0, layer.key): Path("l.png") for layer in plan.outputs[0].layers},
                           cards={(0, "end_card"): Path("end.png")}),
        [Path("out.mp4")], loudness=None,
    )  # fmt: skip
    fc = args[args.index("-filter_complex") + 1]
    assert "[src0]crop=608:1080:'0+1296*clip(n-59,0,1)/1':0,scale=1080:1920" in fc


def test_subject_mode_without_faces_is_the_fixed_crop() -> None:
    fixed = choose_reframe("fill", 1920, 1080, 1080, 1920, (0.5, 0.4))
    nobody = sightings([None] * 20)
    assert choose_reframe("subject", 1920, 1080, 1080, 1920, (0.5, 0.4), nobody) == fixed
    assert choose_reframe("subject", 1920, 1080, 1080, 1920, (0.5, 0.4)) == fixed


def test_auto_follows_people_the_crop_can_hold_and_otherwise_chooses_by_shape() -> None:
    timing = (FPS, 300)
    walker = sightings([600.0 + 30 * k for k in range(40)])
    assert (
        choose_reframe("auto", 1920, 1080, 1080, 1920, (0.5, 0.4), walker, timing).mode == "subject"
    )
    # two people at either side: no 9:16 crop holds both, so the whole picture is shown
    pair = Subjects(1920, 1080, tuple(Sighting(k / 4, (face(200), face(1700))) for k in range(40)))
    assert choose_reframe("auto", 1920, 1080, 1080, 1920, (0.5, 0.4), pair, timing).mode == "fit"
    assert (
        choose_reframe("auto", 1920, 1080, 1080, 1920, (0.5, 0.4), sightings([None] * 9)).mode
        == "fit"
    )
    # a face in one frame of twenty is not someone to follow
    rare = sightings([900.0] + [None] * 19)
    assert choose_reframe("auto", 1920, 1080, 1080, 1920, (0.5, 0.4), rare, timing).mode == "fit"


def test_faces_are_looked_for_only_when_an_output_crops_the_width() -> None:
    assert wants_subjects("auto", MEDIA, resolve("9x16"))
    assert wants_subjects("subject", MEDIA, resolve("16x9,1x1"))
    assert not wants_subjects("subject", MEDIA, resolve("16x9"))
    assert not wants_subjects("fill", MEDIA, resolve("9x16"))
    assert not wants_subjects("auto", replace(MEDIA, width=1080, height=1920), resolve("9x16"))


def test_a_steady_walk_is_a_few_keyframes_however_long() -> None:
    # a minute of walking right at 20 px/s, sampled four times a second (with detection noise)
    walk = [400 + 5 * k + (3 if k % 3 == 0 else -2) for k in range(240)]
    p = follow.crop_path(sightings(walk), CROP_W, FPS, 1800, fallback_x=656)
    assert len(p) <= 12
    assert len(graph.crop_x_expr(p)) < 400
