"""Font stacks: fallback order, runs, and sanitising."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidkit.errors import TemplateError
from vidkit.text import fonts
from vidkit.text.fonts import FontStack, bundled_fonts_dir, sanitize, text_runs

FONTS = bundled_fonts_dir()


def names(runs: list[tuple[str, Path]]) -> list[tuple[str, str]]:
    return [(text, path.name) for text, path in runs]


def test_for_font_puts_the_brand_font_first_without_duplicates() -> None:
    brand = FONTS / fonts.LATIN_BOLD
    stack = FontStack.for_font(brand)
    assert stack.paths[0] == brand.resolve()
    assert len(stack.paths) == len(set(stack.paths))
    assert [p.name for p in stack.paths[1:3]] == [fonts.LATIN_REGULAR, fonts.ARABIC_REGULAR]
    same = FontStack.for_font(FONTS / fonts.LATIN_REGULAR)
    assert same.paths == FontStack.default().paths


def test_bold_stacks_use_bold_faces_and_embolden_cjk() -> None:
    bold = FontStack.default().bolded()
    assert [p.name for p in bold.paths[:2]] == [fonts.LATIN_BOLD, fonts.ARABIC_BOLD]
    assert {p.name for p in bold.embolden} == {
        fonts.CJK_HAN,
        fonts.CJK_JAPANESE,
        fonts.CJK_HANGUL,
    }
    assert FontStack.default(bold=True) == bold
    assert not FontStack.default().embolden


def test_a_missing_or_unreadable_font_is_a_template_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="not found") as missing:
        FontStack.for_font(tmp_path / "nope.ttf")
    assert missing.value.path is not None and missing.value.path.endswith("nope.ttf")
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"this is not a font")
    with pytest.raises(TemplateError, match="cannot read font"):
        FontStack.for_font(junk)


def test_runs_pick_the_first_font_that_has_each_letter(stack: FontStack) -> None:
    runs = names(text_runs("Vote 投票 اليوم 투표", stack))
    assert runs == [
        ("Vote ", fonts.LATIN_REGULAR),
        ("投票 ", fonts.CJK_HAN),
        ("اليوم ", fonts.ARABIC_REGULAR),
        ("투표", fonts.CJK_HANGUL),
    ]


def test_digits_and_punctuation_stay_in_the_current_run(stack: FontStack) -> None:
    runs = names(text_runs("مرحبا 2024، أهلا", stack))
    assert runs == [("مرحبا 2024، أهلا", fonts.ARABIC_REGULAR)]


def test_combining_marks_stay_with_their_base(stack: FontStack) -> None:
    text = "بِسْمِ"  # Arabic letters with harakat (combining marks)
    runs = text_runs(text, stack)
    assert len(runs) == 1 and runs[0][0] == text


def test_kana_makes_han_use_the_japanese_font(stack: FontStack) -> None:
    assert names(text_runs("日本", stack)) == [("日本", fonts.CJK_HAN)]
    assert names(text_runs("日本へようこそ", stack)) == [("日本へようこそ", fonts.CJK_JAPANESE)]


def test_runs_rebuild_the_text(stack: FontStack) -> None:
    text = "Mix: English, العربية، 中文, 日本語のかな, 한국어 — 100%!"
    assert "".join(t for t, _ in text_runs(text, stack)) == text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Hi 👋🏽 there", "Hi there"),
        ("👨‍👩‍👧 family", "family"),
        ("end 🎉", "end"),
        ("e\u0301te\u0301", "\u00e9t\u00e9"),  # NFC
        ("a\r\nb\rc\u2028d", "a\nb\nc\nd"),
        ("tab\there", "tab here"),
        ("\u202eabc\u202c\ufeff", "abc"),  # bidi overrides and BOM dropped
        ("x\x00y\x1b", "xy"),
        ("\ue000private", "private"),
        ("{\\an8}%{pts}\\'\"", "{\\an8}%{pts}\\'\""),  # kept literally
        ("لا\u200dلا", "لا\u200dلا"),  # joiners between letters kept
    ],
)
def test_sanitize(raw: str, clean: str, stack: FontStack) -> None:
    assert sanitize(raw, stack) == clean


def test_sanitize_keeps_everything_a_font_has(stack: FontStack) -> None:
    text = "Ünïcödé «quotes» — 你好, こんにちは, 안녕하세요, مرحبا, Привет, Γειά"
    assert sanitize(text, stack) == text


def test_sanitize_defaults_to_the_bundled_fonts() -> None:
    assert sanitize("ok 😀") == "ok"


def test_inventory_describes_the_bundled_fonts(tmp_path: Path) -> None:
    infos = {info.path.name: info for info in fonts.bundled_inventory()}
    assert infos[fonts.LATIN_BOLD].family == "Noto Sans"
    assert infos[fonts.LATIN_BOLD].style == "Bold"
    assert infos[fonts.CJK_HAN].characters > 3755
    junk = tmp_path / "junk.otf"
    junk.write_bytes(b"OTTO" + b"\0" * 20)
    with pytest.raises(TemplateError):
        fonts.describe(junk)
