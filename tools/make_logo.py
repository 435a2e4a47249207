"""Draw the default brand kit's logo mark: a red disc, a white megaphone, a yellow sound wave.

Drawn at 4x and downsampled for smooth edges; transparent background. Reproducible:

    .venv/bin/python tools/make_logo.py [--out brand_assets/default/logo.png] [--size 512]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

PRIMARY = (0xD7, 0x26, 0x3D, 255)
SECONDARY = (0x1B, 0x1B, 0x3A, 255)
WHITE = (255, 255, 255, 255)
ACCENT = (0xFF, 0xD2, 0x3F, 255)
SUPERSAMPLE = 4


def draw_logo(size: int) -> Image.Image:
    s = size * SUPERSAMPLE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)

    def px(x: float, y: float) -> tuple[float, float]:
        return (x * s, y * s)

    # Disc with a thin dark ring so the mark reads on light and dark footage alike.
    d.ellipse([px(0.02, 0.02), px(0.98, 0.98)], fill=SECONDARY)
    d.ellipse([px(0.05, 0.05), px(0.95, 0.95)], fill=PRIMARY)

    # Megaphone: a trapezoid horn plus a small mouthpiece and a handle.
    horn = [px(0.30, 0.43), px(0.56, 0.28), px(0.56, 0.72), px(0.30, 0.57)]
    d.polygon(horn, fill=WHITE)
    d.rounded_rectangle([px(0.22, 0.42), px(0.32, 0.58)], radius=0.02 * s, fill=WHITE)
    d.rounded_rectangle([px(0.35, 0.56), px(0.42, 0.72)], radius=0.02 * s, fill=WHITE)

    # Two sound-wave arcs in the accent colour.
    for r, w in ((0.14, 0.035), (0.24, 0.035)):
        box = [px(0.56 - r, 0.5 - r), px(0.56 + r, 0.5 + r)]
        d.arc(box, start=-40, end=40, fill=ACCENT, width=int(w * s))

    return img.resize((size, size), Image.Resampling.LANCZOS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--out", type=Path, default=root / "brand_assets" / "default" / "logo.png")
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args(argv)
    draw_logo(args.size).save(args.out, optimize=True)


if __name__ == "__main__":
    main()
