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
