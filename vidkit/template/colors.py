"""Colour arithmetic for brand colours: WCAG contrast, readable text on a colour, mixing.

Shared by the link card (render) and the share page's style sheet (web), so both keep text
legible on any brand's colours.
"""

from __future__ import annotations


def rgb(color: str) -> tuple[int, int, int]:
    """``#RRGGBB`` (or ``#RRGGBBAA``) as red, green, blue."""
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def hex_color(value: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(v))):02x}" for v in value)


def luminance(color: str) -> float:
    """WCAG relative luminance of ``#RRGGBB``."""

    def lin(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def on_color(background: str) -> str:
    """White or near-black, whichever reads better on ``background``."""
    return (
        "#ffffff"
        if contrast("#ffffff", background) >= contrast("#111111", background)
        else "#111111"
    )


def mix(a: str, b: str, t: float) -> str:
    """``a`` moved ``t`` of the way towards ``b``."""
    ra, rb = rgb(a), rgb(b)
    return hex_color(tuple(x + (y - x) * t for x, y in zip(ra, rb)))  # type: ignore[arg-type]


def readable(color: str, background: str, minimum: float = 4.5) -> str:
    """``color`` darkened or lightened just enough to reach ``minimum`` contrast on ``background``."""
    target = "#000000" if luminance(background) > 0.18 else "#ffffff"
    out = color[:7]
    for step in range(21):
        out = mix(color[:7], target, step / 20)
        if contrast(out, background) >= minimum:
            return out
    return out


def button(color: str) -> tuple[str, str]:
    """A button's (background, text) in the brand colour, adjusted until the text passes AA."""
    bg = color[:7]
    for step in range(21):
        candidate = mix(color[:7], "#000000", step / 40)
        if contrast(on_color(candidate), candidate) >= 4.5:
            bg = candidate
            break
    return bg, on_color(bg)
