"""Ink measurements for the font and text drawing tests."""

from __future__ import annotations

from PIL import Image


def blank(width: int = 800, height: int = 200) -> Image.Image:
    return Image.new("RGBA", (width, height), (0, 0, 0, 0))


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of everything drawn (alpha > 0)."""
    return image.getchannel("A").getbbox()


def ink_amount(image: Image.Image) -> int:
    """Total coverage: the sum of alpha over all pixels."""
    return sum(value * count for value, count in enumerate(image.getchannel("A").histogram()))


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and a.tobytes() == b.tobytes()
