"""The look: an end card that works (QR code that scans), sizes per shape, motion, progress bar.

Checked on real rendered files (frames taken with ffmpeg) and on the pure plan and graph.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import pytest
import zxingcpp
from PIL import Image, ImageChops

from tests.helpers.media import clip
from tests.helpers.probing import frame_at
from vidkit.render import graph
from vidkit.render.layers import end_card, qr_image
from vidkit.render.make import make
from vidkit.render.plan import Box, EndCardDrawing, Layer, make_plan, safe_box
from vidkit.render.probe import probe
from vidkit.template.presets import resolve
from vidkit.template.templates import load_template

SCALE = 0.5


def _decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("look")
    grey = clip(out / "grey.mp4", vf="hue=s=0")  # no red in the picture but the lower third's
    result = make(
        [grey], presets="9x16,1x1,16x9", scale=SCALE, out_dir=out,
        fields={"name": "Amira", "place": "Leeds", "shared_by": "Amira"},
    )  # fmt: skip
    assert not result.errors
    return {o.platform: o.path for o in result.outputs}


@pytest.mark.parametrize("shape", ["9x16", "1x1", "16x9"])
def test_the_end_cards_qr_code_scans_to_the_call_to_action(
    rendered: dict[str, Path], shape: str
) -> None:
    video = rendered[shape]
    last = probe(video).duration - 1.0  # inside the 3 s end card
    assert _decode(frame_at(video, last)) == ["https://example.org/join"]


def test_the_end_card_is_one_balanced_block_inside_the_safe_area() -> None:
    tpl = load_template("default")
    for preset in resolve("9x16,1x1,4x5,16x9"):
        w, h = preset.width, preset.height
        safe = safe_box(preset, w, h)
        card = EndCardDrawing("Register to vote", "example.org/vote", tpl.brand, safe,
                              qr="https://example.org/vote", shared_by="Shared by Amira")  # fmt: skip
        image = end_card(card, w, h)
        plain = Image.new("RGBA", (w, h), image.getpixel((0, 0)))
        from PIL import ImageChops

        ink = ImageChops.difference(image, plain).convert("L").point(lambda v: 255 if v > 8 else 0)
        box = ink.getbbox()
        assert box is not None
        assert safe.x <= box[0] and box[2] <= safe.x + safe.w + 1, preset.name
        assert safe.y <= box[1] and box[3] <= safe.y + safe.h + 1, preset.name
        middle = (box[1] + box[3]) / 2
        assert abs(middle - (safe.y + safe.h / 2)) < safe.h * 0.08, preset.name  # centred
        assert (box[3] - box[1]) > safe.h * 0.55, preset.name  # fills it, not its top half
        assert _decode(image) == ["https://example.org/vote"], preset.name


def test_shared_by_shows_only_when_a_member_chose_to_be_named(landscape: Path) -> None:
    tpl = load_template("default")
    media = probe(landscape)
    named = make_plan(media, tpl, resolve("1x1"), fields={"shared_by": "Amira"})
    anonymous = make_plan(media, tpl, resolve("1x1"))
    card = named.outputs[0].after[0].card
    assert card is not None and card.shared_by == "Shared by Amira"
    card = anonymous.outputs[0].after[0].card
    assert card is not None and card.shared_by == "" and card.qr == "https://example.org/join"


def test_each_shape_gets_its_own_sizes(landscape: Path) -> None:
    tpl = load_template("default")
    plan = make_plan(probe(landscape), tpl, resolve("9x16,16x9"), fields={"name": "Amira"},
                     cues=[_cue()])  # fmt: skip
    tall, wide = plan.outputs
    logo = {
        o.preset.name: next(la.box for la in o.layers if la.key == "logo") for o in plan.outputs
    }
    assert logo["16x9"].w / wide.width < 0.1  # was 16 % of a 16:9 frame
    assert logo["16x9"].w == logo["9x16"].w  # the same logo on both
    assert wide.captions is not None and tall.captions is not None
    assert wide.captions.size_px / wide.height > 1.3 * tall.captions.size_px / tall.height
    lower = next(la.box for la in tall.layers if la.key == "lower_third")
    assert lower.h / tall.width > 0.23  # larger in the hand than the old 0.17


def _cue():  # type: ignore[no-untyped-def]
    from vidkit.captions.model import Cue, spread_words

    return Cue(0, 1500, "We stand together", spread_words("We stand together", 0, 1500))


def test_the_lower_third_slides_in_eased_as_data_in_the_graph() -> None:
    layer = Layer("lower_third", Box(40, 500, 800, 120), None, 15, 150, 9, 8)  # type: ignore[arg-type]
    expr = graph.slide_x(layer, inked=300)
    assert expr == "'40-340*(pow(1-clip((n-15)/8,0,1),3)+pow(clip((n-142)/8,0,1),3))'"

    def x_at(n: int) -> float:  # the same expression, evaluated here
        enter = (1 - min(1, max(0, (n - 15) / 8))) ** 3
        leave = min(1, max(0, (n - 142) / 8)) ** 3
        return 40 - 340 * (enter + leave)

    assert x_at(15) == -300  # just off the left edge
    assert x_at(17) < x_at(19) < x_at(23) == 40  # eased in, then still
    assert x_at(146) < 40 and x_at(150) == -300  # and out again


def test_the_lower_third_moves_in_the_rendered_video(rendered: dict[str, Path]) -> None:
    video = rendered["16x9"]
    fps = Fraction(30)
    start = 0.5  # the default template's lower third
    during = frame_at(video, start + float(3 / fps))
    settled = frame_at(video, start + 1.0)
    region = (0, int(settled.height * 0.55), int(settled.width * 0.5), settled.height)
    moving = _red_extent(during.crop(region))
    still = _red_extent(settled.crop(region))
    assert still is not None and moving is not None
    assert moving < still  # its right edge is still on its way in


def _red_extent(image: Image.Image) -> int | None:
    """Right-most column of the brand-red lower-third bar (reddish: it is fading in too)."""
    px = image.convert("RGB").load()
    cols = [x for x in range(image.width) for y in range(0, image.height, 2)
            if px[x, y][0] - max(px[x, y][1], px[x, y][2]) > 40]  # fmt: skip
    return max(cols) if cols else None


def test_the_progress_bar_fills_as_the_clip_plays(landscape: Path, tmp_path: Path) -> None:
    result = make([landscape], template="rally", presets="1x1", scale=SCALE, out_dir=tmp_path,
                  fields={"place": "Leeds"})  # fmt: skip
    video = result.outputs[0].path
    clip_s = probe(landscape).duration
    shares = []
    for at in (0.25, 0.75):
        frame = frame_at(video, clip_s * at).convert("RGB")
        row = [frame.getpixel((x, 1)) for x in range(frame.width)]
        accent = [p for p in row if p[0] > 200 and p[1] > 150 and p[2] < 110]  # the gold accent
        shares.append(len(accent) / frame.width)
    assert shares[0] == pytest.approx(0.25, abs=0.1)
    assert shares[1] == pytest.approx(0.75, abs=0.1)


def test_qr_codes_have_their_quiet_zone_and_scan_small() -> None:
    image = qr_image("https://example.org/join", 120)
    assert image.getpixel((1, image.height // 2))[:3] == (255, 255, 255)  # quiet zone
    assert _decode(image) == ["https://example.org/join"]


def _grey_frames(video: Path) -> list[Image.Image]:
    """Every frame, in order: indexed by frame number (the file's timestamps start a couple of
    frames late, B-frame delay without an edit list)."""
    with av.open(str(video)) as c:
        return [frame.to_image().convert("L") for frame in c.decode(video=0)]


def _caption_ink(frame: Image.Image, blank: Image.Image) -> int:
    """How much the caption band differs from the same band with no caption (summed)."""
    band = (0, frame.height // 2, frame.width, frame.height)
    diff = ImageChops.difference(frame.crop(band), blank.crop(band))
    return sum(v * n for v, n in enumerate(diff.histogram()))


@pytest.mark.parametrize("motion", ["fade", "none"])
def test_captions_fade_in_before_their_cue_and_out_after_it(tmp_path: Path, motion: str) -> None:
    flat = clip(tmp_path / "flat.mp4", vf="drawbox=x=0:y=0:w=iw:h=ih:color=gray:t=fill")
    template = tmp_path / "t.yaml"
    text = (Path(__file__).parents[2] / "templates" / "default.yaml").read_text(encoding="utf-8")
    assert text.count("  motion: fade ") == 1  # the captions'
    template.write_text(text.replace("  motion: fade ", f"  motion: {motion} "), "utf-8")
    srt = tmp_path / "c.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nWe stand together\n", encoding="utf-8")
    result = make([flat], template=template, presets="16x9", scale=0.25, captions=srt,
                  out_dir=tmp_path / "out")  # fmt: skip
    assert not result.errors
    frames = _grey_frames(result.outputs[0].path)  # 30 fps: the cue is frames 30 to 59
    ink = {n: _caption_ink(frames[n], frames[9]) for n in (27, 30, 45, 59, 62)}
    settled = ink[45]
    assert settled > 0
    # fully there for the cue's whole time, its first and last frames included
    assert ink[30] > 0.95 * settled and ink[59] > 0.95 * settled
    if motion == "fade":  # part-way in just before the cue, part-way out just after it
        assert 0.05 * settled < ink[27] < 0.8 * settled
        assert 0.05 * settled < ink[62] < 0.8 * settled
    else:
        assert ink[27] < 0.01 * settled and ink[62] < 0.01 * settled


def _title_ink(frame: Image.Image, blank: Image.Image) -> tuple[int, int]:
    """(total difference from ``blank``, the top row of the text) in the title's part of a
    square frame, left of the logo (the dimmed backdrop differs less than the white text)."""
    box = (frame.width // 10, 0, frame.width * 3 // 4, frame.height * 3 // 4)
    diff = ImageChops.difference(frame.crop(box), blank.crop(box))
    strongest = diff.getextrema()[1]
    text = diff.point(lambda v: 255 if v > strongest / 2 else 0).getbbox()
    total = sum(v * n for v, n in enumerate(diff.histogram()))
    return total, text[1] if text else -1


@pytest.mark.parametrize("motion", ["rise", "none"])
def test_the_title_card_rises_into_place_as_it_fades_in(tmp_path: Path, motion: str) -> None:
    flat = clip(tmp_path / "flat.mp4", size="320x320", vf="drawbox=w=iw:h=ih:color=gray:t=fill")
    template = tmp_path / "t.yaml"
    template.write_text(
        f"name: t\ntitle_card:\n  text: Together we win\n  duration: 2\n  motion: {motion}\n",
        encoding="utf-8",
    )
    result = make([flat], template=template, presets="1x1", scale=0.5, out_dir=tmp_path / "o")
    assert not result.errors
    frames = _grey_frames(result.outputs[0].path)  # the title: frames 0 to 59
    blank = frames[70]
    (early, early_top), (settled, settled_top) = (_title_ink(frames[n], blank) for n in (1, 30))
    assert settled > 0 and settled_top > 0
    if motion == "rise":  # part-way faded in, and lower than where it settles
        assert early < 0.5 * settled
        assert early_top >= settled_top + 4
    else:
        assert early > 0.95 * settled and early_top == settled_top
