"""Subject reframing on real clips: a real face (scikit-image's astronaut photo) moving across
a landscape clip, found by the analysis, followed by the plan and kept in the rendered 9:16."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import vidkit.render
from tests.helpers import faces
from tests.helpers.media import ffmpeg
from tests.helpers.probing import frame_at, streams
from vidkit.errors import ConfigError
from vidkit.render.follow import Subjects
from vidkit.render.make import find_subjects, make_clip
from vidkit.render.plan import choose_reframe, make_plan
from vidkit.render.probe import probe
from vidkit.template.presets import resolve
from vidkit.template.templates import load_template

D = 4  # seconds
SECONDS = (0.5, 1.5, 2.5, 3.5)
FIELDS = {"name": "Amira", "place": "Leeds"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faces")


@pytest.fixture(scope="module")
def photo(folder: Path) -> Path:
    return faces.photo(folder / "astronaut.png")


@pytest.fixture(scope="module")
def walking(folder: Path, photo: Path) -> Path:
    return faces.face_clip(folder / "walking.mp4", photo, faces.moving_x(D), d=D)


@pytest.fixture(scope="module")
def walking_subjects(walking: Path) -> Subjects:
    subjects = find_subjects(probe(walking), "subject", resolve("9x16"))
    assert subjects is not None
    return subjects


def _plan(clip: Path, mode: str = "subject", subjects: Subjects | None = None):  # type: ignore[no-untyped-def]
    media, presets = probe(clip), resolve("9x16")
    if subjects is None:
        subjects = find_subjects(media, mode, presets)
    return make_plan(
        media, load_template("default"), presets, fields=FIELDS, reframe=mode, subjects=subjects
    )


def test_the_analysis_finds_the_face_where_it_is_and_no_scene_change(
    walking_subjects: Subjects,
) -> None:
    subjects = walking_subjects
    assert subjects.seen >= 0.8
    assert len(subjects.sightings) == pytest.approx(4 * D, abs=1)  # four frames a second
    assert not any(s.cut for s in subjects.sightings)
    for s in subjects.sightings:
        for x, _, w, _ in s.faces:
            assert x + w / 2 == pytest.approx(faces.face_centre(s.time, D), abs=8)


def test_the_planned_crop_follows_the_face(walking: Path, walking_subjects: Subjects) -> None:
    plan = _plan(walking, subjects=walking_subjects)
    r = plan.outputs[0].reframe
    assert r.mode == "subject" and len(r.path) > 2
    assert r.path[0][0] == 0 and all(0 <= x <= 640 - r.crop.w for _, x in r.path)
    for t in SECONDS:
        left = r.crop_x(round(t * plan.fps))
        centre = faces.face_centre(t, D)
        assert abs(left + r.crop.w / 2 - centre) <= 0.2 * r.crop.w
        assert left <= centre - faces.FACE_W / 2 and centre + faces.FACE_W / 2 <= left + r.crop.w


def test_the_rendered_9x16_keeps_the_face_in_every_sampled_second(
    walking: Path, folder: Path
) -> None:
    def faces_by_second(mode: str) -> list[int]:
        out = folder / mode
        [video] = make_clip(
            walking, template=load_template("default"), presets=resolve("9x16"), out_dir=out,
            fields=FIELDS, scale=0.25, reframe=mode,
        )  # fmt: skip
        assert (streams(video.path)["width"], streams(video.path)["height"]) == (270, 480)
        return [len(faces.faces_in(frame_at(video.path, t))) for t in SECONDS]

    assert all(faces_by_second("subject")), "the face left the frame"
    # the fixed crop it replaces loses the walking face
    assert sum(1 for n in faces_by_second("fill") if n) <= 2


def test_a_still_face_gets_a_still_crop_around_it(folder: Path, photo: Path) -> None:
    still = faces.face_clip(folder / "still.mp4", photo, "380", d=2)
    r = _plan(still).outputs[0].reframe
    assert r.mode == "subject" and len(r.path) == 1
    assert r.crop.x + r.crop.w / 2 == pytest.approx(380 + faces.FACE_X, abs=6)


def test_a_clip_without_faces_keeps_the_fixed_focus(landscape: Path) -> None:
    plan = _plan(landscape)
    src = plan.source
    fixed = choose_reframe(
        "fill", src.width, src.height, 1080, 1920, load_template("default").focus
    )
    assert plan.outputs[0].reframe == fixed and fixed.path == ()
    assert _plan(landscape, "auto").outputs[0].reframe.mode == "fit"  # as before: no one to follow


def test_auto_follows_a_person_it_finds(walking: Path, walking_subjects: Subjects) -> None:
    assert _plan(walking, "auto", walking_subjects).outputs[0].reframe.mode == "subject"


def test_a_scene_change_is_a_cut_in_the_path(folder: Path, photo: Path) -> None:
    left = faces.face_clip(folder / "left.mp4", photo, "0", d=2)
    right = faces.face_clip(folder / "right.mp4", photo, "420", d=2, colour="0xc08040")
    both = faces.joined(folder / "cut.mp4", [left, right])
    subjects = find_subjects(probe(both), "subject", resolve("9x16"))
    assert subjects is not None
    assert [s.time for s in subjects.sightings if s.cut] == [pytest.approx(2.0, abs=0.05)]
    plan = _plan(both, subjects=subjects)
    path = plan.outputs[0].reframe.path
    assert len(path) == 3 and path[2][0] - path[1][0] == 1  # held, then a one-frame jump
    assert path[2][0] == pytest.approx(60, abs=1)


@pytest.mark.parametrize(("transpose", "rotation"), [(1, "90"), (2, "-90")])
def test_a_rotated_phone_clip_is_analysed_as_it_is_shown(
    walking: Path, walking_subjects: Subjects, folder: Path, transpose: int, rotation: str
) -> None:
    # coded portrait, shown landscape by its display matrix: the faces are where a player shows them
    coded = folder / f"coded{transpose}.mp4"
    ffmpeg("-i", str(walking), "-vf", f"transpose={transpose}", "-c:v", "libx264",
           "-preset", "ultrafast", str(coded))  # fmt: skip
    shown = folder / f"shown{transpose}.mp4"
    ffmpeg("-display_rotation", rotation, "-i", str(coded), "-c", "copy", str(shown))
    media = probe(shown)
    assert (media.width, media.height) == (640, 360)
    subjects = find_subjects(media, "subject", resolve("9x16"))
    assert subjects is not None and subjects.seen >= 0.8
    expected = {s.time: s.faces for s in walking_subjects.sightings}
    for s in subjects.sightings:
        if s.faces and expected.get(s.time):
            assert s.faces[0][0] == pytest.approx(expected[s.time][0][0], abs=6)


def test_without_opencv_auto_reframes_as_before_and_subject_says_what_to_install(
    walking: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cv2", None)  # `import cv2` raises ImportError
    monkeypatch.delitem(sys.modules, "vidkit.render.subject", raising=False)
    monkeypatch.delattr(vidkit.render, "subject", raising=False)
    media, presets = probe(walking), resolve("9x16")
    assert find_subjects(media, "auto", presets) is None
    with pytest.raises(ConfigError, match="needs OpenCV") as caught:
        find_subjects(media, "subject", presets)
    assert caught.value.hint is not None and "opencv-python-headless" in caught.value.hint


def test_auto_stops_looking_when_the_opening_seconds_have_no_one(folder: Path, photo: Path) -> None:
    from tests.helpers.media import clip
    from vidkit.render import subject

    nobody = clip(folder / "nobody.mp4", size="640x360", d=5)
    media = probe(nobody)
    looked = find_subjects(media, "auto", resolve("9x16"))
    assert looked is not None and looked.seen == 0
    assert looked.sightings[-1].time < subject.AUTO_LOOK_SECONDS + 0.5 < media.duration - 1
    everything = find_subjects(media, "subject", resolve("9x16"))  # asked to follow: all of it
    assert everything is not None and everything.sightings[-1].time > media.duration - 0.5
    # a face in the opening seconds keeps auto looking to the end
    person = faces.face_clip(folder / "long.mp4", photo, faces.moving_x(5), d=5)
    followed = find_subjects(probe(person), "auto", resolve("9x16"))
    assert followed is not None and followed.sightings[-1].time > 4.5
