"""Line breaking by rendered width: balanced lines, CJK, long words, limits."""

from __future__ import annotations

import pytest

from vidkit.text.bidi import levels, visual_order
from vidkit.text.draw import ELLIPSIS, fit_text, measure, wrap
from vidkit.text.fonts import FontStack

SIZE = 40


def widths(lines: list[str], stack: FontStack) -> list[int]:
    return [measure(line, stack, SIZE)[0] for line in lines]


def test_short_text_stays_on_one_line(stack: FontStack) -> None:
    assert wrap("Join us", stack, SIZE, 1000) == ["Join us"]
    assert wrap("", stack, SIZE, 1000) == []


def test_lines_are_balanced_rather_than_full_then_one_word(stack: FontStack) -> None:
    text = "Join us this Saturday at the town hall for the march"
    words = text.split()
    # Just too narrow for the whole text: a greedy breaker would leave "march" alone.
    max_width = measure(" ".join(words[:-1]), stack, SIZE)[0] + 2
    lines = wrap(text, stack, SIZE, max_width)
    assert len(lines) == 2
    assert " ".join(lines).split() == words
    w = widths(lines, stack)
    assert max(w) <= max_width
    assert abs(w[0] - w[1]) < 0.35 * max_width


def test_every_line_fits_and_no_word_is_lost(stack: FontStack) -> None:
    text = "Volunteers across the country are recording short clips about why they care"
    widest = max(widths(text.split(), stack))
    for max_width in (widest, 320, 500):
        lines = wrap(text, stack, SIZE, max_width)
        assert all(w <= max_width for w in widths(lines, stack))
        assert " ".join(lines).split() == text.split()


def test_explicit_line_breaks_are_kept(stack: FontStack) -> None:
    assert wrap("First line\nSecond\n\nFourth", stack, SIZE, 1000) == [
        "First line",
        "Second",
        "",
        "Fourth",
    ]


def test_cjk_breaks_between_characters_but_not_before_closing_punctuation(
    stack: FontStack,
) -> None:
    text = "我们一起去投票吧，为了更好的明天！让每个人的声音都被听见。"
    lines = wrap(text, stack, SIZE, 8.5 * SIZE)
    assert len(lines) >= 3
    assert "".join(lines) == text
    assert all(w <= 8.5 * SIZE for w in widths(lines, stack))
    assert not any(line[0] in "，。！" for line in lines)


def test_japanese_opening_brackets_do_not_end_a_line(stack: FontStack) -> None:
    text = "こんにちは、世界。「日本語」のテキストを折り返します。"
    for columns in (5.5, 7.5, 9.5):
        lines = wrap(text, stack, SIZE, columns * SIZE)
        assert "".join(lines) == text
        assert not any(line.endswith("「") for line in lines)
        assert not any(line.startswith(("、", "。", "」")) for line in lines)


def test_a_word_wider_than_the_line_is_hard_broken(stack: FontStack) -> None:
    word = "Supercalifragilisticexpialidocious"
    lines = wrap(word + " yes", stack, SIZE, 250)
    assert len(lines) >= 3
    assert "".join(lines).replace(" ", "") == word + "yes"
    assert all(w <= 250 for w in widths(lines, stack))


def test_hyphenated_words_break_after_the_hyphen(stack: FontStack) -> None:
    lines = wrap("state-of-the-art campaign", stack, SIZE, 260)
    assert lines[0].endswith("-")
    assert "".join(lines) == "state-of-the-art campaign".replace("art ", "art ")


def test_max_lines_cuts_with_an_ellipsis(stack: FontStack) -> None:
    text = "one two three four five six seven eight nine ten eleven twelve thirteen"
    lines = wrap(text, stack, SIZE, 300, max_lines=2)
    assert len(lines) == 2
    assert lines[-1].endswith(ELLIPSIS)
    assert all(w <= 300 for w in widths(lines, stack))


def test_arabic_wraps_at_spaces(stack: FontStack) -> None:
    text = "مرحبا بالعالم، هذا نص عربي طويل للاختبار"
    lines = wrap(text, stack, SIZE, 300)
    assert len(lines) >= 2
    assert " ".join(lines) == text


def test_fit_text_shrinks_until_the_text_fits(stack: FontStack) -> None:
    text = "A much longer headline that will not fit at the largest size"
    size, lines = fit_text(text, stack, 120, 600, 200, max_lines=2)
    assert size < 120 and len(lines) <= 2
    assert all(measure(line, stack, size)[0] <= 600 for line in lines)
    assert " ".join(lines).split() == text.split()


def test_bidi_levels_and_order() -> None:
    # "abc" then Arabic: an LTR paragraph, the Arabic word at level 1.
    assert levels("ab جد", rtl=False) == [0, 0, 0, 1, 1]
    # Digits after Arabic in an RTL paragraph sit one level up.
    assert levels("جد 12", rtl=True) == [1, 1, 1, 2, 2]
    assert visual_order([1, 2, 1]) == [2, 1, 0]
    assert visual_order([0, 1, 1, 0]) == [0, 2, 1, 3]
    assert visual_order([1, 2, 2, 1]) == [3, 1, 2, 0]


@pytest.mark.parametrize("text", ["", " ", "\n", "😀", "\u200d", "\u0301"])
def test_degenerate_input_does_not_crash(stack: FontStack, text: str) -> None:
    lines = wrap(text, stack, SIZE, 100)
    assert all(isinstance(line, str) for line in lines)
    assert measure(text, stack, SIZE)[0] >= 0
