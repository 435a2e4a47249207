"""Fonts: the bundled fallback fonts, which font draws which character, and text sanitising.

A :class:`FontStack` is an ordered list of font files: the brand font first, then the fonts bundled
in the default brand kit (Noto Sans for Latin, Greek and Cyrillic; Noto Sans Arabic; Noto Sans CJK
subsets for Chinese, Japanese and Korean). Each character is drawn with the first font of the stack
whose character map has it, so a brand font that only covers Latin still gets correct Arabic and
CJK text.

Text that no font of the stack can draw is *dropped*, never drawn as a box ("tofu"): see
:func:`sanitize`. Emoji are dropped this way, since no colour emoji font is shipped.

Character maps are read by :mod:`vidkit.text.cmap` (once per font file, cached); drawing is Pillow's
job, see :mod:`vidkit.text.draw`.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from PIL import ImageFont

from vidkit.assets import builtin_dir
from vidkit.errors import TemplateError
from vidkit.text.cmap import FontFormatError, read_codepoints

LATIN_REGULAR = "NotoSans-Regular.ttf"
LATIN_BOLD = "NotoSans-Bold.ttf"
ARABIC_REGULAR = "NotoSansArabic-Regular.ttf"
ARABIC_BOLD = "NotoSansArabic-Bold.ttf"
BENGALI_REGULAR = "NotoSansBengali-Regular.ttf"
BENGALI_BOLD = "NotoSansBengali-Bold.ttf"
GURMUKHI_REGULAR = "NotoSansGurmukhi-Regular.ttf"  # Punjabi
GURMUKHI_BOLD = "NotoSansGurmukhi-Bold.ttf"
URDU_NASTALIQ = "NotoNastaliqUrdu-Regular.ttf"  # Urdu text: the Nastaliq style its readers expect
CJK_HAN = "NotoSansCJKsc-Regular-Han.otf"  # GB 2312 level 1 hanzi, Chinese glyph forms
CJK_JAPANESE = "NotoSansCJKjp-Regular-Kana.otf"  # kana and JIS level 1 kanji, Japanese forms
CJK_HANGUL = "NotoSansCJKkr-Regular-Hangul.otf"  # KS X 1001 Hangul

# Regular -> bold counterparts among the bundled fonts. CJK ships regular only (a bold CJK face
# would double the kit's size); bold CJK text gets a synthetic bold (see FontStack.embolden).
_BOLD_OF = {
    LATIN_REGULAR: LATIN_BOLD,
    ARABIC_REGULAR: ARABIC_BOLD,
    BENGALI_REGULAR: BENGALI_BOLD,
    GURMUKHI_REGULAR: GURMUKHI_BOLD,
}
_CJK = (CJK_HAN, CJK_JAPANESE, CJK_HANGUL)

# Format characters that change how neighbours join or shape; kept with the text around them.
_JOINERS = {"\u200c", "\u200d"}  # ZWNJ, ZWJ


def brand_assets_dir() -> Path:
    """The built-in ``brand_assets/`` folder (a source checkout, or the installed package data)."""
    return builtin_dir("brand_assets")


def bundled_fonts_dir() -> Path:
    """The default brand kit's ``fonts/`` folder, which holds the fallback fonts."""
    return brand_assets_dir() / "default" / "fonts"


def bundled_fallbacks(*, bold: bool = False) -> tuple[Path, ...]:
    """The bundled fallback fonts in stack order: Latin, Arabic, Bengali, Gurmukhi, Nastaliq
    (Urdu: chosen over Arabic for Urdu text), then CJK (Han, Japanese, Hangul)."""
    names = (LATIN_REGULAR, ARABIC_REGULAR, BENGALI_REGULAR, GURMUKHI_REGULAR, URDU_NASTALIQ, *_CJK)
    if bold:
        names = tuple(_BOLD_OF.get(n, n) for n in names)
    folder = bundled_fonts_dir()
    return tuple(folder / n for n in names)


@dataclass(frozen=True)
class FontStack:
    """Fonts to try in order for each character; the first one that has the character draws it.

    ``embolden`` lists fonts of the stack that stand in for a bold face they do not have; the
    text drawing code draws them with a thin outline in the text colour (a synthetic bold).
    """

    paths: tuple[Path, ...]
    embolden: frozenset[Path] = field(default=frozenset())

    def __post_init__(self) -> None:
        if not self.paths:
            raise ValueError("a FontStack needs at least one font")

    @classmethod
    def for_font(cls, path: Path | str | None, *, bold: bool = False) -> FontStack:
        """``path`` (a brand font; None for none) followed by the bundled fallbacks."""
        fallbacks = bundled_fallbacks(bold=bold)
        first: tuple[Path, ...] = ()
        if path is not None:
            first = (Path(path).resolve(),)
            _check_readable(first[0])
        paths = _unique(first + fallbacks)
        embolden = frozenset(p for p in paths if bold and p.name in _CJK)
        return cls(paths=paths, embolden=embolden)

    @classmethod
    def default(cls, *, bold: bool = False) -> FontStack:
        """Only the bundled fonts."""
        return cls.for_font(None, bold=bold)

    def bolded(self) -> FontStack:
        """This stack for bold text: bundled fallbacks swapped for their bold faces, CJK
        emboldened. The first (brand) font is kept as it is: pick a bold brand font yourself."""
        folder = bundled_fonts_dir()
        paths = tuple(
            folder / _BOLD_OF[p.name] if p.parent == folder and p.name in _BOLD_OF else p
            for p in self.paths
        )
        extra = {p for p in paths if p.parent == folder and p.name in _CJK}
        return FontStack(paths=_unique(paths), embolden=self.embolden | extra)

    def font_for(self, char: str) -> Path | None:
        """The first font of the stack that has ``char``, or None."""
        cp = ord(char)
        for path in self.paths:
            if cp in coverage(path):
                return path
        return None

    def covers(self, char: str) -> bool:
        return ord(char) in _union_coverage(self)


def _unique(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    return tuple(dict.fromkeys(paths))


def _check_readable(path: Path) -> None:
    if not path.is_file():
        raise TemplateError("font file not found", path=path)
    coverage(path)


@functools.lru_cache(maxsize=128)
def coverage(path: Path) -> frozenset[int]:
    """The code points a font file maps to glyphs (its Unicode cmap). Cached per path."""
    try:
        codepoints = read_codepoints(path)
    except FileNotFoundError:
        raise TemplateError("font file not found", path=path) from None
    except (OSError, FontFormatError) as err:
        raise TemplateError(
            f"cannot read font: {err}", path=path, hint="use a .ttf, .otf or .ttc font file"
        ) from None
    # Never count control characters, whatever a font maps them to.
    return frozenset(cp for cp in codepoints if cp >= 0x20)


@dataclass(frozen=True)
class FontInfo:
    """What ``vidkit doctor`` reports about a font file."""

    path: Path
    family: str
    style: str
    characters: int


def describe(path: Path) -> FontInfo:
    """Family, style and number of characters of a font file."""
    characters = len(coverage(path))
    try:
        family, style = ImageFont.truetype(str(path), 16).getname()
    except OSError as err:
        raise TemplateError(f"cannot load font: {err}", path=path) from None
    return FontInfo(path=path, family=family or path.stem, style=style or "", characters=characters)


def bundled_inventory() -> list[FontInfo]:
    """The bundled fallback fonts (regular and bold), described."""
    paths = _unique(bundled_fallbacks() + bundled_fallbacks(bold=True))
    return [describe(p) for p in paths]


@functools.lru_cache(maxsize=32)
def _union_coverage(stack: FontStack) -> frozenset[int]:
    out: set[int] = set()
    for path in stack.paths:
        out |= coverage(path)
    return frozenset(out)


def is_mark(char: str) -> bool:
    """A combining mark or variation selector: it belongs to the character before it."""
    return unicodedata.category(char) in ("Mn", "Mc", "Me") or _is_variation_selector(char)


def _is_variation_selector(char: str) -> bool:
    cp = ord(char)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def _is_neutral(char: str) -> bool:
    """Spaces, digits and punctuation: no script of their own, so they stay in the current run."""
    return unicodedata.bidirectional(char) not in ("L", "R", "AL")


_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\t": " "})


def sanitize(text: str, stack: FontStack | None = None) -> str:
    """Text made safe to draw with ``stack`` (the bundled fonts when None).

    - Normalised to NFC (so "e" + combining acute becomes "é", which fonts have).
    - Line breaks unified to "\\n" (CR LF, CR, U+2028, U+2029); tabs become spaces.
    - Control and format characters dropped, except ZWJ and ZWNJ (they matter for Arabic and
      Indic shaping); explicit bidi controls are dropped too: direction comes from the letters.
    - Characters that no font in the stack has are dropped (emoji, rare scripts, private use), as
      are combining marks and variation selectors whose base was dropped or that no font has.
      Spaces that no font has become a plain space.

    Rendering therefore never shows a missing-glyph box and never fails on odd input.
    """
    stack = stack or FontStack.default()
    covered = _union_coverage(stack)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).translate(_LINE_BREAKS)
    out: list[str] = []
    base_kept = False  # was the last base character (not a mark) kept and not a line break?
    dropped = False  # was something dropped since the last character kept?

    def trim_after_drop() -> None:
        # Dropping "👋" from "Hi 👋 there" must not leave two spaces (or a space at an edge).
        while dropped and out and out[-1] == " ":
            out.pop()

    for char in text:
        if char == "\n":
            trim_after_drop()
            out.append(char)
            base_kept = dropped = False
            continue
        cp = ord(char)
        category = unicodedata.category(char)
        if is_mark(char) or char in _JOINERS:
            if base_kept and (cp in covered or char in _JOINERS):
                out.append(char)
            continue
        if char.isspace() or category == "Zs":
            if dropped and (not out or out[-1] in " \n"):
                continue
            out.append(char if cp in covered else " ")
            base_kept = dropped = False
            continue
        base_kept = cp in covered and category not in ("Cc", "Cf", "Cs", "Co", "Cn")
        if base_kept:
            out.append(char)
            dropped = False
        else:
            dropped = True
    trim_after_drop()
    return _strip_dangling_joiners("".join(out))


def _strip_dangling_joiners(text: str) -> str:
    if not any(j in text for j in _JOINERS):
        return text
    chars = list(text)
    keep = []
    for i, char in enumerate(chars):
        if char in _JOINERS:
            nxt = chars[i + 1] if i + 1 < len(chars) else "\n"
            if nxt == "\n" or nxt.isspace() or nxt in _JOINERS:
                continue
        keep.append(char)
    return "".join(keep)


def _prefers_japanese(text: str) -> bool:
    """Kana in the text: draw its Han characters with Japanese glyph forms."""
    return any(0x3040 <= ord(c) <= 0x30FF or 0x31F0 <= ord(c) <= 0x31FF for c in text)


#: Letters only Urdu (of the languages written in Arabic script that vidkit meets) uses.
_URDU_LETTERS = frozenset("\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2\u06d3")


def _prefers_urdu(text: str) -> bool:
    """Urdu letters in the text: draw its Arabic script in Nastaliq."""
    return any(c in _URDU_LETTERS for c in text)


def _ordered_paths(text: str, stack: FontStack) -> tuple[Path, ...]:
    paths = stack.paths
    if _prefers_japanese(text):
        paths = _before(paths, CJK_JAPANESE, CJK_HAN)
    if _prefers_urdu(text):
        paths = _before(paths, URDU_NASTALIQ, ARABIC_REGULAR)
        paths = _before(paths, URDU_NASTALIQ, ARABIC_BOLD)
    return paths


def _before(paths: tuple[Path, ...], first: str, other: str) -> tuple[Path, ...]:
    """``paths`` with the font named ``first`` moved just before the one named ``other``."""
    names = [p.name for p in paths]
    if first in names and other in names and names.index(first) > names.index(other):
        reordered = list(paths)
        reordered.insert(names.index(other), reordered.pop(names.index(first)))
        return tuple(reordered)
    return paths


def text_runs(text: str, stack: FontStack) -> list[tuple[str, Path]]:
    """Split ``text`` into runs, each drawn with one font of the stack.

    Letters take the first font of the stack that has them. Spaces, digits and punctuation stay
    in the current run when its font has them (so an Arabic phrase with digits shapes as one run);
    combining marks, variation selectors and joiners always stay with the character before them.
    A character no font has (unsanitised text) falls to the first font. Run order is the logical
    (memory) order; :mod:`vidkit.text.draw` reorders runs for display.
    """
    paths = _ordered_paths(text, stack)
    runs: list[tuple[str, Path]] = []
    buf: list[str] = []
    current: Path | None = None
    for char in text:
        cp = ord(char)
        if current is not None and (
            is_mark(char) or char in _JOINERS or (_is_neutral(char) and cp in coverage(current))
        ):
            buf.append(char)
            continue
        font = next((p for p in paths if cp in coverage(p)), paths[0])
        if font != current and buf:
            runs.append(("".join(buf), current))  # type: ignore[arg-type]
            buf = []
        current = font
        buf.append(char)
    if buf and current is not None:
        runs.append(("".join(buf), current))
    return runs
