"""Posters for videos vidkit did not render: the frame chosen is neither black nor blurred."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from vidkit.render.poster import frame_score


def _frames(tmp_path: Path) -> dict[str, Path]:
    sharp = Image.new("RGB", (320, 568), (90, 110, 140))
    draw = ImageDraw.Draw(sharp)
    for x in range(0, 320, 16):
        draw.rectangle((x, 100, x + 7, 460), fill=(240, 240, 240))
    out = {
        "black": Image.new("RGB", (320, 568), (3, 3, 3)),
        "flat": Image.new("RGB", (320, 568), (120, 120, 120)),
        "blurred": sharp.filter(ImageFilter.GaussianBlur(10)),
        "sharp": sharp,
    }
    for name, im in out.items():
        im.save(tmp_path / f"{name}.jpg", quality=90)
    return {name: tmp_path / f"{name}.jpg" for name in out}


def test_sharp_beats_blurred_beats_flat_beats_black(tmp_path: Path) -> None:
    f = _frames(tmp_path)
    scores = {name: frame_score(path) for name, path in f.items()}
    assert scores["sharp"] > scores["blurred"] > scores["flat"] >= 0 > scores["black"]


def _astronaut(tmp_path: Path, name: str, *, blink: bool, blur: float) -> Path:
    """The astronaut photo (a real face) in a 16:9 frame, eyes open or painted shut."""
    import numpy as np
    from skimage import data

    face = data.astronaut().copy()
    if blink:  # each eye covered with the skin of her cheek, a lid line across it
        skin = face[128:137, 196:210].reshape(-1, 3).mean(0).astype(np.uint8)
        for x, y in ((187, 86), (233, 90)):
            face[y : y + 29, x : x + 29] = skin
            face[y + 14 : y + 16, x : x + 29] = (60, 40, 30)
    frame = Image.new("RGB", (1280, 720), (30, 40, 60))
    frame.paste(Image.fromarray(face).filter(ImageFilter.GaussianBlur(blur)), (384, 104))
    frame.save(tmp_path / f"{name}.jpg", quality=90)
    return tmp_path / f"{name}.jpg"


def test_a_card_frame_where_nobody_blinks_wins_over_a_sharper_blink(tmp_path: Path) -> None:
    import numpy as np

    from vidkit.render import subject
    from vidkit.render.poster import pick_card_frame

    blinking = _astronaut(tmp_path, "blink", blink=True, blur=0)
    open_eyes = _astronaut(tmp_path, "open", blink=False, blur=1.2)
    assert frame_score(blinking) > frame_score(open_eyes)  # sharpness alone would pick the blink
    shown = [
        subject.open_eyes(np.asarray(Image.open(p).convert("L"))) for p in (blinking, open_eyes)
    ]
    assert shown == [0.0, 1.0]  # a face either way; its eyes seen only when open
    assert pick_card_frame([blinking, open_eyes]) == open_eyes
    assert pick_card_frame([open_eyes, blinking]) == open_eyes
    f = _frames(tmp_path)  # no face anywhere: the sharpest usable frame, as before
    assert pick_card_frame([f["black"], f["blurred"], f["sharp"]]) == f["sharp"]
