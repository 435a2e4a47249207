"""Segmentation of timed words into readable cues."""

from __future__ import annotations

import pytest

from vidkit.captions.cues import segment
from vidkit.captions.model import Word


def steady(text: str, *, start: int = 0, step: int = 300, gap: int = 50) -> list[Word]:
    """Words spoken at a steady pace: each ``step - gap`` ms long, ``gap`` ms apart."""
    words = []
    t = start
    for token in text.split():
        words.append(Word(token, t, t + step - gap))
        t += step
    return words


def texts(cues) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.text for c in cues]


def test_breaks_at_sentence_ends() -> None:
    cues = segment(steady("Ever tried. Ever failed. No matter."))
    assert texts(cues) == ["Ever tried.", "Ever failed.", "No matter."]


def test_a_title_s_full_stop_does_not_end_the_cue() -> None:
    cues = segment(steady("And Mr. Dashwood met Dr. Okafor. Then (St. Anne's) said no."))
    assert texts(cues) == ["And Mr. Dashwood met Dr. Okafor.", "Then (St. Anne's) said no."]


def test_breaks_at_pauses() -> None:
    words = steady("we stand together") + steady("for a fair wage", start=2000)
    assert texts(segment(words)) == ["we stand together", "for a fair wage"]


def test_short_pause_does_not_break() -> None:
    words = steady("we stand together") + steady("for a fair wage", start=900 + 400)
    assert texts(segment(words)) == ["we stand together for a fair wage"]


def test_long_speech_is_split_within_limits() -> None:
    words = steady(" ".join(f"word{i}" for i in range(60)))
    cues = segment(words)
    assert len(cues) > 3
    for cue in cues:
        assert len(cue.text) <= 74
        assert cue.words[-1].end - cue.words[0].start <= 6000
    assert [w for c in cues for w in c.words] == words  # every word once, in order


def test_prefers_breaking_after_a_comma_when_full() -> None:
    text = (
        "when nurses and teachers and drivers stand together, the people who run this city "
        "have to listen to every one of us"
    )
    cues = segment(steady(text, step=200))
    assert cues[0].text.endswith("together,")


def test_minimum_duration_borrows_silence_but_never_overlaps() -> None:
    words = [Word("Go!", 1000, 1200), Word("Now", 1500, 1700), Word("then.", 1700, 1900)]
    cues = segment(words)
    assert texts(cues) == ["Go!", "Now then."]
    assert cues[0].end == 1500  # wanted 1800 (min 0.8 s) but the next cue starts at 1500
    assert cues[1].end - cues[1].start >= 800
    alone = segment([Word("Hi.", 0, 100)])
    assert alone[0].end - alone[0].start == 800


def test_cues_never_overlap_and_follow_words() -> None:
    words = steady("one two three. four five six seven, eight nine ten eleven twelve", step=180)
    for style in ("classic", "karaoke", "punchy"):
        cues = segment(words, style)
        assert all(a.end <= b.start for a, b in zip(cues, cues[1:], strict=False))
        assert all(c.start == c.words[0].start for c in cues)


def test_punchy_shows_one_to_three_words() -> None:
    cues = segment(steady("Vote for the people who fight for you, every single day."), "punchy")
    assert all(1 <= len(c.words) <= 3 for c in cues)
    assert "you," in [c.words[-1].text for c in cues]  # clause ends close a punchy cue
    assert " ".join(texts(cues)) == "Vote for the people who fight for you, every single day."


def test_karaoke_uses_the_classic_blocks() -> None:
    words = steady("We are many. They are few.")
    assert texts(segment(words, "karaoke")) == texts(segment(words, "classic"))


def test_max_chars_override_and_unknown_style() -> None:
    cues = segment(steady("aaaa bbbb cccc dddd"), max_chars=9)
    assert texts(cues) == ["aaaa bbbb", "cccc dddd"]
    with pytest.raises(ValueError, match="unknown caption style"):
        segment([], "fancy")


def test_empty_and_blank_words() -> None:
    assert segment([]) == ()
    assert texts(segment([Word(" ", 0, 10), Word("ok", 20, 30)])) == ["ok"]
