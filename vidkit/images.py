"""Images from user content (logos, stings' stills, posters, cards): size limits checked from the
header, before a pixel is decoded, and big-but-allowed images downscaled once on load.

A PNG of a few kilobytes can claim 16384×16384 pixels; decoding it takes a gigabyte or more.
Pillow's own guard (``Image.MAX_IMAGE_PIXELS``) only warns below 179 MP and raises a traceback
above, so vidkit reads the header itself and refuses anything over :data:`MAX_SIDE` pixels a
side or :data:`MAX_PIXELS` in all, with one line naming the file, its size and the limit.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, JpegImagePlugin, PngImagePlugin, UnidentifiedImageError

from vidkit.errors import VidkitError

MAX_SIDE = 8192
MAX_PIXELS = 40_000_000
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"})

# PNG and JPEG (what logos, posters and stills are) are opened by their plugin, which reads the
# header without Pillow's bomb check, so even a 16384×16384 file gets its size told
_PLUGINS = (
    (b"\x89PNG\r\n\x1a\n", PngImagePlugin.PngImageFile),
    (b"\xff\xd8\xff", JpegImagePlugin.JpegImageFile),
)


def _open_lazily(path: Path) -> Image.Image:
    """The image, header read and pixels not yet decoded."""
    with open(path, "rb") as f:
        magic = f.read(8)
    for prefix, plugin in _PLUGINS:
        if magic.startswith(prefix):
            return plugin(str(path))
    with warnings.catch_warnings():  # vidkit's limit, checked next, is below Pillow's
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(path)


def _refuse(error: type[VidkitError], path: Path, size: str, key: str | None) -> VidkitError:
    return error(
        f"image is {size}, over the limit of {MAX_SIDE}×{MAX_SIDE} and "
        f"{MAX_PIXELS // 1_000_000} megapixels",
        path=path,
        key=key,
        hint="use a smaller copy: 2000 pixels a side is plenty for a logo or a poster",
    )


def open_checked(path: Path, *, error: type[VidkitError], key: str | None = None) -> Image.Image:
    """Open ``path`` lazily and check its size from the header; the caller closes it. Raises
    ``error`` (a :class:`TemplateError` for brand kits, :class:`MediaError` for media) in one
    line for an unreadable file or one over the limits."""
    try:
        im = _open_lazily(path)
    except Image.DecompressionBombError as exc:  # another format, far over any limit
        pixels = str(exc).split("(", 1)[-1].split(" ", 1)[0]
        size = f"{int(pixels):,} pixels" if pixels.isdigit() else "too big to open"
        raise _refuse(error, path, size, key) from None
    except FileNotFoundError:
        raise error("image file not found", path=path, key=key) from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise error(f"not a readable image: {exc}", path=path, key=key) from None
    w, h = im.size
    if max(w, h) > MAX_SIDE or w * h > MAX_PIXELS:
        im.close()
        raise _refuse(error, path, f"{w}×{h} pixels", key)
    return im


def check_image(path: Path, *, error: type[VidkitError], key: str | None = None) -> tuple[int, int]:
    """The (width, height) of the image at ``path``, read from its header; see
    :func:`open_checked` for what is refused."""
    with open_checked(path, error=error, key=key) as im:
        return im.size


def load_rgba(
    path: Path, max_side: int, *, error: type[VidkitError], key: str | None = None
) -> Image.Image:
    """The image at ``path`` as RGBA, no bigger than ``max_side`` a side: decoded once (JPEG at
    a reduced scale straight away), shrunk, and only then converted, so the full-size picture
    is never held twice."""
    with open_checked(path, error=error, key=key) as im:
        try:
            im.draft("RGB", (max_side, max_side))  # JPEG: decode at 1/2, 1/4 or 1/8 scale
            full = im.convert("RGBA") if im.mode in ("1", "P") else im  # palettes: no LANCZOS
            small = _reduce_in_strips(full, max(full.size) // max_side)
            small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            return small.convert("RGBA")
        except (OSError, SyntaxError) as exc:
            raise error(f"not a readable image: {exc}", path=path, key=key) from None


def _reduce_in_strips(im: Image.Image, factor: int) -> Image.Image:
    """``im`` shrunk by a whole ``factor`` (a box filter), a strip of rows at a time: Pillow
    reduces RGBA through a premultiplied copy, which for a whole 40 MP picture is 160 MB more."""
    if factor < 2:
        return im
    w, h = im.size
    out = Image.new(im.mode, (-(-w // factor), -(-h // factor)))
    rows = factor * 64
    for top in range(0, h, rows):
        out.paste(im.crop((0, top, w, min(h, top + rows))).reduce(factor), (0, top // factor))
    return out
