"""The default brand kit: files, sizes, licences, and what the bundled fonts cover."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import yaml
from PIL import Image

from vidkit.text import fonts
from vidkit.text.fonts import bundled_fallbacks, bundled_fonts_dir, coverage

KIT = bundled_fonts_dir().parent


def euc_chars(codec: str, first_lead: int, last_lead: int) -> set[str]:
    out: set[str] = set()
    for lead in range(first_lead, last_lead + 1):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                out.add(bytes([lead, trail]).decode(codec))
    return out


def test_every_committed_file_is_under_one_megabyte() -> None:
    files = [p for p in KIT.rglob("*") if p.is_file()]
    assert len(files) >= 10
    for path in files:
        assert path.stat().st_size < 1_000_000, path


def test_brand_yaml_has_the_agreed_keys_and_its_files_exist() -> None:
    data = yaml.safe_load((KIT / "brand.yaml").read_text(encoding="utf-8"))
    assert set(data) == {"name", "colors", "fonts", "logo", "site", "description", "cta"}
    assert set(data["cta"]) == {"text", "url"}
    assert set(data["colors"]) == {"primary", "secondary", "text", "accent"}
    assert set(data["fonts"]) == {"heading", "body"}
    for rel in (data["fonts"]["heading"], data["fonts"]["body"], data["logo"]):
        assert (KIT / rel).is_file(), rel


def test_logo_is_a_small_transparent_png() -> None:
    path = KIT / "logo.png"
    assert path.stat().st_size < 50_000
    with Image.open(path) as logo:
        assert logo.format == "PNG" and logo.mode == "RGBA"
        alpha = logo.getchannel("A")
        assert alpha.getpixel((0, 0)) == 0  # transparent corner
        assert alpha.getpixel((logo.width // 2, logo.height // 2)) == 255


def test_every_font_ships_with_an_open_font_licence() -> None:
    licences = {p.name: p.read_text(encoding="utf-8") for p in (KIT / "LICENSES").iterdir()}
    for font in (KIT / "fonts").iterdir():
        family = "NotoSansCJK" if font.name.startswith("NotoSansCJK") else "NotoSans"
        text = licences[f"OFL-1.1-{family}.txt"]
        assert "SIL OPEN FONT LICENSE Version 1.1" in text
        assert font.name.split("-")[0] in text or family in text


def test_bundled_fallbacks_exist_in_stack_order() -> None:
    regular = bundled_fallbacks()
    bold = bundled_fallbacks(bold=True)
    assert [p.name for p in regular][:2] == [fonts.LATIN_REGULAR, fonts.ARABIC_REGULAR]
    assert [p.name for p in bold][:2] == [fonts.LATIN_BOLD, fonts.ARABIC_BOLD]
    assert all(p.is_file() for p in regular + bold)


def covered(name: str) -> frozenset[int]:
    return coverage(bundled_fonts_dir() / name)


@pytest.mark.parametrize(
    ("font", "chars"),
    [
        (fonts.LATIN_REGULAR, "AZaz09 àéîõüçñßøåæœ ĄČĘŁŃŚŻ ẞ ΑΩαω АЯая ЁёЇї €£¥₹ “”‘’—…"),
        (fonts.LATIN_BOLD, "AZaz09 àéîõüçñ ΑΩ АЯ €"),
        (fonts.ARABIC_REGULAR, "ابتثجحخدذرزسشصضطظعغفقكلمنهوي ءآأؤإئ ٠١٢٣٤٥٦٧٨٩ ،؛؟ پچژگ"),
        (fonts.ARABIC_BOLD, "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"),
    ],
)
def test_script_fonts_cover_their_alphabets(font: str, chars: str) -> None:
    missing = {c for c in chars if c != " " and ord(c) not in covered(font)}
    assert not missing


def test_chinese_font_covers_gb2312_level_1() -> None:
    hanzi = euc_chars("gb2312", 0xB0, 0xD7)
    assert len(hanzi) == 3755
    assert {c for c in hanzi if ord(c) not in covered(fonts.CJK_HAN)} == set()


def test_japanese_font_covers_kana_and_jis_level_1_kanji() -> None:
    kanji = euc_chars("euc_jp", 0xB0, 0xCF)
    kana = {chr(c) for c in range(0x3041, 0x3097)} | {chr(c) for c in range(0x30A1, 0x30FB)}
    assert len(kanji) == 2965
    assert {c for c in kanji | kana if ord(c) not in covered(fonts.CJK_JAPANESE)} == set()


def test_korean_font_covers_ks_x_1001_hangul() -> None:
    hangul = euc_chars("euc_kr", 0xB0, 0xC8)
    assert len(hangul) == 2350
    assert {c for c in hangul if ord(c) not in covered(fonts.CJK_HANGUL)} == set()


def test_cjk_punctuation_is_covered_by_every_cjk_font() -> None:
    for name in (fonts.CJK_HAN, fonts.CJK_JAPANESE, fonts.CJK_HANGUL):
        assert {ord(c) for c in "、。「」『』（）！？：；，．"} <= covered(name)


def test_subset_script_matches_the_shipped_files() -> None:
    """tools/subset_fonts.py is how the files were made: it names each of them."""
    script = Path(__file__).resolve().parents[2] / "tools" / "subset_fonts.py"
    text = script.read_text(encoding="utf-8")
    for font in (KIT / "fonts").iterdir():
        assert f'"{font.name}"' in text
