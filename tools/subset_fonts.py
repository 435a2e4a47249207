"""Rebuild the bundled fonts of the default brand kit from Debian's Noto packages.

Every font file committed to the repository must stay under 1 MB, and the CJK fonts are 20 MB
collections, so this script subsets them to the characters people commonly write:

* Latin (Noto Sans): Latin-1, Latin Extended A/B and Additional, IPA, Greek, Cyrillic, general
  punctuation, currency and letterlike symbols, arrows, a few math signs.
* Arabic (Noto Sans Arabic): the Arabic blocks and presentation forms, with all shaping features.
* Bengali and Gurmukhi (Noto Sans Bengali, Noto Sans Gurmukhi): their whole blocks, with all
  shaping features (conjuncts, reordering, mark positioning).
* Urdu (Noto Nastaliq Urdu): the same Arabic set in the Nastaliq style Urdu readers expect.
* Simplified Chinese (Noto Sans CJK SC): GB 2312 level 1 (the 3,755 most common hanzi, rows 16-55)
  plus GB 2312 symbol rows, CJK punctuation and fullwidth forms.
* Japanese (Noto Sans CJK JP): JIS X 0208 level 1 kanji (rows 16-47, 2,965), all kana, JIS symbol
  rows, CJK punctuation and fullwidth forms.
* Korean (Noto Sans CJK KR): the 2,350 KS X 1001 Hangul syllables, compatibility jamo, KS X 1001
  symbol rows, CJK punctuation and fullwidth forms.

The CJK subsets keep no OpenType layout features (``locl``/``vert``/``aalt`` pull in thousands of
alternate glyphs and double the size; horizontal CJK text needs none of them).

Usage (once, as root, then with the project's venv)::

    apt-get install -y fonts-noto-core fonts-noto-cjk   # Bengali, Gurmukhi, Nastaliq: noto-core
    .venv/bin/pip install fonttools
    .venv/bin/python tools/subset_fonts.py [--out brand_assets/default/fonts]

fontTools is needed only for this build step; vidkit reads character maps itself (vidkit/cmap.py).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

NOTO_TTF = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
MAX_BYTES = 1_000_000

# Face numbers inside Debian's NotoSansCJK-*.ttc collections.
CJK_FACE = {"JP": 0, "KR": 1, "SC": 2}


def span(lo: int, hi: int) -> set[int]:
    """Code points lo..hi inclusive."""
    return set(range(lo, hi + 1))


def euc_rows(codec: str, first_lead: int, last_lead: int) -> set[int]:
    """Every character of a two-byte EUC charset whose lead byte is in first..last."""
    chars: set[int] = set()
    for lead in range(first_lead, last_lead + 1):
        for trail in range(0xA1, 0xFF):
            try:
                chars.update(ord(c) for c in bytes([lead, trail]).decode(codec))
            except UnicodeDecodeError:
                continue
    return chars


CJK_COMMON = (
    span(0x3000, 0x303F)  # CJK symbols and punctuation
    | span(0xFF01, 0xFF60)  # fullwidth ASCII forms
    | span(0xFFE0, 0xFFEE)  # fullwidth signs
    | {0x0020, 0x00A0}  # spaces, so that a space inside CJK text stays in its run
    | {0x00B7, 0x2014, 0x2015, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x203B}
)

LATIN = (
    span(0x0020, 0x007E)
    | span(0x00A0, 0x024F)  # Latin-1, Extended-A, Extended-B
    | span(0x0250, 0x02FF)  # IPA, spacing modifiers
    | span(0x0300, 0x036F)  # combining diacritics
    | span(0x0370, 0x03FF)  # Greek
    | span(0x0400, 0x052F)  # Cyrillic and supplement
    | span(0x1E00, 0x1EFF)  # Latin Extended Additional (Vietnamese)
    | span(0x2000, 0x206F)  # general punctuation
    | span(0x20A0, 0x20C0)  # currency
    | span(0x2100, 0x214F)  # letterlike (™, №)
    | span(0x2190, 0x21FF)  # arrows
    | {0x2212, 0x2215, 0x221E, 0x2248, 0x2260, 0x2264, 0x2265, 0x25CC, 0xFB00, 0xFB01, 0xFB02}
)

ARABIC = (
    span(0x0020, 0x0040)  # space, digits, common punctuation (used inside Arabic runs)
    | span(0x00A0, 0x00A0)
    | span(0x0600, 0x06FF)
    | span(0x0750, 0x077F)
    | span(0x08A0, 0x08FF)
    | span(0xFB50, 0xFDFF)  # presentation forms A
    | span(0xFE70, 0xFEFF)  # presentation forms B
    | span(0x200C, 0x200F)  # ZWNJ, ZWJ, LRM, RLM
    | {0x25CC, 0x2E41, 0x2E48}
)

# Shared by the Indic subsets: space, digits and punctuation used inside their runs, the dandas,
# joiners and the dotted circle that shaping engines place bare marks on.
INDIC_COMMON = span(0x0020, 0x0040) | {0x00A0, 0x0964, 0x0965, 0x200C, 0x200D, 0x25CC}
BENGALI = span(0x0980, 0x09FF) | INDIC_COMMON
GURMUKHI = span(0x0A00, 0x0A7F) | INDIC_COMMON
# Urdu in Nastaliq: the Arabic letters Urdu writes (with its own: ٹ ڈ ڑ ں ہ ھ ے ۓ), digits,
# punctuation and all shaping features.
URDU = ARABIC

HAN_SC = euc_rows("gb2312", 0xB0, 0xD7) | euc_rows("gb2312", 0xA1, 0xA9) | CJK_COMMON
JAPANESE = (
    euc_rows("euc_jp", 0xB0, 0xCF)  # level 1 kanji
    | euc_rows("euc_jp", 0xA1, 0xA8)  # symbols, kana, Greek, Cyrillic, box drawing
    | span(0x3040, 0x30FF)  # hiragana, katakana
    | span(0x31F0, 0x31FF)  # katakana phonetic extensions
    | span(0xFF61, 0xFF9F)  # halfwidth katakana
    | CJK_COMMON
)
HANGUL = (
    euc_rows("euc_kr", 0xB0, 0xC8)  # 2,350 Hangul syllables
    | euc_rows("euc_kr", 0xA1, 0xAC)  # symbols and compatibility jamo
    | span(0x3131, 0x318E)
    | CJK_COMMON
)


@dataclass(frozen=True)
class Job:
    output: str
    source: Path
    face: int
    unicodes: frozenset[int]
    layout_features: tuple[str, ...] | None  # None: fontTools' default feature list


CJK_FEATURES: tuple[str, ...] = ()

JOBS = (
    Job("NotoSans-Regular.ttf", NOTO_TTF / "NotoSans-Regular.ttf", 0, frozenset(LATIN), None),
    Job("NotoSans-Bold.ttf", NOTO_TTF / "NotoSans-Bold.ttf", 0, frozenset(LATIN), None),
    Job(
        "NotoSansArabic-Regular.ttf",
        NOTO_TTF / "NotoSansArabic-Regular.ttf",
        0,
        frozenset(ARABIC),
        None,
    ),
    Job(
        "NotoSansArabic-Bold.ttf", NOTO_TTF / "NotoSansArabic-Bold.ttf", 0, frozenset(ARABIC), None
    ),
    Job(
        "NotoSansBengali-Regular.ttf",
        NOTO_TTF / "NotoSansBengali-Regular.ttf",
        0,
        frozenset(BENGALI),
        None,
    ),
    Job(
        "NotoSansBengali-Bold.ttf",
        NOTO_TTF / "NotoSansBengali-Bold.ttf",
        0,
        frozenset(BENGALI),
        None,
    ),
    Job(
        "NotoSansGurmukhi-Regular.ttf",
        NOTO_TTF / "NotoSansGurmukhi-Regular.ttf",
        0,
        frozenset(GURMUKHI),
        None,
    ),
    Job(
        "NotoSansGurmukhi-Bold.ttf",
        NOTO_TTF / "NotoSansGurmukhi-Bold.ttf",
        0,
        frozenset(GURMUKHI),
        None,
    ),
    Job(
        "NotoNastaliqUrdu-Regular.ttf",
        NOTO_TTF / "NotoNastaliqUrdu-Regular.ttf",
        0,
        frozenset(URDU),
        None,
    ),
    Job(
        "NotoSansCJKsc-Regular-Han.otf",
        NOTO_CJK / "NotoSansCJK-Regular.ttc",
        CJK_FACE["SC"],
        frozenset(HAN_SC),
        CJK_FEATURES,
    ),
    Job(
        "NotoSansCJKjp-Regular-Kana.otf",
        NOTO_CJK / "NotoSansCJK-Regular.ttc",
        CJK_FACE["JP"],
        frozenset(JAPANESE),
        CJK_FEATURES,
    ),
    Job(
        "NotoSansCJKkr-Regular-Hangul.otf",
        NOTO_CJK / "NotoSansCJK-Regular.ttc",
        CJK_FACE["KR"],
        frozenset(HANGUL),
        CJK_FEATURES,
    ),
)


def options(layout_features: Iterable[str] | None) -> subset.Options:
    opts = subset.Options()
    opts.name_IDs = ["*"]  # keep copyright, licence and version strings
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.hinting = False  # video text is large; hinting only matters at small pixel sizes
    opts.drop_tables += ["vhea", "vmtx", "VORG", "BASE", "DSIG"]
    if layout_features is not None:
        opts.layout_features = list(layout_features)
    return opts


def build(job: Job, out_dir: Path) -> Path:
    font = TTFont(job.source, fontNumber=job.face, recalcTimestamp=False)
    available = set(font.getBestCmap())
    sub = subset.Subsetter(options(job.layout_features))
    sub.populate(unicodes=sorted(job.unicodes & available))
    sub.subset(font)
    _mark_subset(font)
    target = out_dir / job.output
    font.save(target)
    font.close()
    return target


def _mark_subset(font: TTFont) -> None:
    """Say in the version string that this is a subset, as OFL derivative etiquette asks."""
    for record in font["name"].names:
        if record.nameID == 5:
            text = record.toUnicode()
            if "subset" not in text:
                record.string = re.sub(r"\s+$", "", text) + "; vidkit subset"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_out = Path(__file__).resolve().parent.parent / "brand_assets" / "default" / "fonts"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    too_big = []
    for job in JOBS:
        path = build(job, args.out)
        size = path.stat().st_size
        print(f"{path.name:36} {size / 1000:8.1f} kB", file=sys.stderr)
        if size >= MAX_BYTES:
            too_big.append(path.name)
    if too_big:
        print(f"over {MAX_BYTES} bytes: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
