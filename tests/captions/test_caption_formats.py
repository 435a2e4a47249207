"""SRT / WebVTT / JSON caption files: strict reading, literal text, exact round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vidkit.captions.formats import (
    MAX_CUE_LINES,
    MAX_CUES,
    MAX_FILE_BYTES,
    MAX_LINE_CHARS,
    MAX_WORDS,
    format_json,
    format_srt,
    format_vtt,
    parse_json,
    parse_srt,
    parse_vtt,
    read_captions,
    write_json,
    write_srt,
    write_vtt,
)
from vidkit.captions.model import Cue, Transcript, Word, spread_words
from vidkit.errors import CaptionError

HOSTILE = [
    "<i>not italic</i> & <b>bold?</b>",
    "{\\an8}{\\b1}ASS override",
    "drawtext=text='x':fontfile=/etc/passwd,%{pts} \\N \\\\ ' \" ; $(rm -rf ~) `id`",
    "[NOISE] <sil> &amp; &lt;already escaped&gt;",
    "مرحبا بالعالم — 你好，世界 — 🎉👩🏽‍🚀 — ünïcødé",
    "1\n2",
    "line one\nline two",
    "100%",
]


def cues_of(texts: list[str]) -> tuple[Cue, ...]:
    cues = []
    t = 0
    for text in texts:
        cues.append(Cue(t, t + 1500, text, spread_words(text, t, t + 1500)))
        t += 2000
    return tuple(cues)


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_hostile_text_round_trips_literally(tmp_path: Path, fmt: str) -> None:
    cues = cues_of(HOSTILE)
    path = tmp_path / f"c.{fmt}"
    (write_srt if fmt == "srt" else write_vtt)(cues, path)
    back = read_captions(path)
    assert isinstance(back, tuple)
    assert [c.text for c in back] == HOSTILE
    assert [(c.start, c.end) for c in back] == [(c.start, c.end) for c in cues]


def test_vtt_escapes_markup_characters() -> None:
    text = format_vtt(cues_of(["a < b & c > d -->"]))
    assert "a &lt; b &amp; c &gt; d --&gt;" in text
    assert "<" not in text.split("\n", 2)[2]


def test_json_round_trip_keeps_times_to_the_millisecond(tmp_path: Path) -> None:
    words = (Word("Ever", 290, 540), Word("tried.", 550, 1150), Word("🎉", 1_000_001, 1_000_999))
    path = tmp_path / "w.json"
    write_json(Transcript("en", words), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["language"] == "en"
    assert data["words"][0] == {"text": "Ever", "start": 0.29, "end": 0.54}
    back = read_captions(path)
    assert back == Transcript("en", words)


def test_srt_leniencies_bom_crlf_dot_no_trailing_blank() -> None:
    text = (
        "\ufeff1\r\n00:00:01.500 --> 00:00:02,250\r\nHello\r\n\r\n"
        "2\r\n00:00:03,000 --> 00:00:04,000\r\n  World  "
    )
    cues = parse_srt(text)
    expected = [(1500, 2250, "Hello"), (3000, 4000, "World")]
    assert [(c.start, c.end, c.text) for c in cues] == expected


def test_srt_without_numbers_and_with_hours_left_out() -> None:
    cues = parse_srt("01:02.000 --> 01:03.500\nA\n\n1:00:00,000 --> 1:00:01,000\nB\n")
    assert [(c.start, c.end) for c in cues] == [(62000, 63500), (3_600_000, 3_601_000)]


def test_srt_emptied_cue_is_dropped() -> None:
    cues = parse_srt("1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nB\n")
    assert [c.text for c in cues] == ["B"]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("1\n00:00:01,000 -> 00:00:02,000\nHi\n", 2, "malformed timing line"),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\nHello there\n", 5, "cue number or a timing"),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n\n2\nOops\n", 7, "expected a timing line"),
        ("1\n00:00:03,000 --> 00:00:02,000\nHi\n", 2, "before it starts"),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nA\n2\n00:00:03,000 --> 00:00:04,000\nB\n",
            5,
            "blank line",
        ),
        (
            "1\n00:00:01,000 --> 00:00:05,000\nA\n\n2\n00:00:03,000 --> 00:00:06,000\nB\n",
            6,
            "still on screen",
        ),
        (
            "1\n00:00:05,000 --> 00:00:06,000\nA\n\n2\n00:00:01,000 --> 00:00:02,000\nB\n",
            6,
            "time order",
        ),
        ("1\n00:00:01,000 --> 00:00:02,000 junk\nA\n", 2, "after the end time"),
        ("1\n00:00:01,000 --> 00:61:02,000\nA\n", 2, "malformed"),
        ("7\n", 1, "without a timing line"),
    ],
)
def test_malformed_srt_names_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(CaptionError) as info:
        parse_srt(text, source="edited.srt")
    assert info.value.line == line
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"edited.srt:{line}: ")


def test_small_overlap_is_trimmed_not_rejected() -> None:
    cues = parse_srt("1\n00:00:01,000 --> 00:00:02,040\nA\n\n2\n00:00:02,000 --> 00:00:03,000\nB\n")
    assert cues[0].end == 2000


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.srt"
    path.write_bytes(b"1\n00:00:01,000 --> 00:00:02,000\ncaf\xe9\n")
    with pytest.raises(CaptionError) as info:
        read_captions(path)
    assert info.value.line == 3
    assert "UTF-8" in str(info.value)


def test_vtt_reading_skips_notes_styles_identifiers_and_settings() -> None:
    text = (
        "WEBVTT - made by hand\nKind: captions\n\nNOTE a comment\nspanning lines\n\n"
        "STYLE\n::cue { color: red }\n\nintro\n00:01.000 --> 00:02.000 align:start line:0\n"
        "Fish &amp; chips &lt;3\n\n00:00:03.000 --> 00:00:04.000\n<v Bob>kept literally\n"
    )
    cues = parse_vtt(text)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (1000, 2000, "Fish & chips <3"),
        (3000, 4000, "<v Bob>kept literally"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("WEBVTX\n\n00:01.000 --> 00:02.000\nA\n", 1, "WEBVTT"),
        ("WEBVTT\n00:01.000 --> 00:02.000\nA\n", 2, "blank line"),
        ("WEBVTT\n\nid\nnot a timing\nA\n", 4, "expected a timing line"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n00:03.000 --> 00:04.000\nB\n", 5, "blank"),
    ],
)
def test_malformed_vtt_names_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(CaptionError) as info:
        parse_vtt(text, source="x.vtt")
    assert info.value.line == line
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"language": "en", "words": [{"text": "a", "start": "0", "end": 1}]}, "words[0].start"),
        ({"language": "en", "words": [{"text": "", "start": 0, "end": 1}]}, "words[0].text"),
        ({"language": "en", "words": [{"text": "a", "start": 2, "end": 1}]}, "words[0]"),
        ({"language": "en", "words": [{"text": "a", "start": 0, "end": 1, "x": 1}]}, "words[0]"),
        ({"language": "en", "words": {}}, "words"),
        ({"language": "en", "words": [], "extra": 1}, "extra"),
        (
            {
                "language": "en",
                "words": [{"text": "a", "start": 5, "end": 6}, {"text": "b", "start": 1, "end": 2}],
            },
            "words[1]",
        ),
    ],
)
def test_malformed_json_names_the_key(data: dict, key: str) -> None:
    with pytest.raises(CaptionError) as info:
        parse_json(json.dumps(data), source="w.json")
    assert info.value.key == key


def test_json_syntax_error_names_the_line() -> None:
    with pytest.raises(CaptionError) as info:
        parse_json('{\n "language": "en",\n "words": [,]\n}')
    assert info.value.line == 3


def test_unknown_extension_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "c.ass"
    path.write_text("[Script Info]\n", encoding="utf-8")
    with pytest.raises(CaptionError, match=r"\.srt, \.vtt or \.json"):
        read_captions(path)


def test_srt_formatting_is_standard() -> None:
    text = format_srt((Cue(0, 1234, "Hi"), Cue(3_723_004, 3_723_900, "a\n\nb")))
    assert text == (
        "1\n00:00:00,000 --> 00:00:01,234\nHi\n\n2\n01:02:03,004 --> 01:02:03,900\na\nb\n"
    )


def test_json_format_is_the_documented_shape() -> None:
    data = json.loads(format_json(Transcript("fr", (Word("Bonjour", 0, 500),))))
    assert data == {"language": "fr", "words": [{"text": "Bonjour", "start": 0.0, "end": 0.5}]}


def test_spread_words_covers_the_cue_in_order() -> None:
    words = spread_words("a bb ccc", 1000, 2000)
    assert [w.text for w in words] == ["a", "bb", "ccc"]
    assert words[0].start == 1000 and words[-1].end == 2000
    assert all(a.end == b.start for a, b in zip(words, words[1:], strict=False))
    assert words[2].end - words[2].start > words[0].end - words[0].start


def test_spread_words_splits_unspaced_chinese_and_japanese() -> None:
    words = spread_words("你好，世界！ hello 行こう。", 0, 1000)
    assert [w.text for w in words] == ["你", "好，", "世", "界！", "hello", "行", "こ", "う。"]


def _srt(n: int, text: str = "Hello") -> str:
    def clock(ms: int) -> str:
        return (
            f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
        )

    return "".join(
        f"{i + 1}\n{clock(i * 1000)} --> {clock(i * 1000 + 900)}\n{text}\n\n" for i in range(n)
    )


def _refused(path: Path, *words: str) -> CaptionError:
    with pytest.raises(CaptionError) as info:
        read_captions(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path)), message
    for word in words:
        assert word in message
    return info.value


@pytest.mark.parametrize("suffix", [".srt", ".vtt"])
def test_a_line_over_the_limit_is_refused_with_its_line(tmp_path: Path, suffix: str) -> None:
    head = "WEBVTT\n\n" if suffix == ".vtt" else ""
    path = tmp_path / f"long{suffix}"
    path.write_text(head + _srt(3) + "4\n00:00:05,000 --> 00:00:06,000\n" + "word " * 200_000)
    error = _refused(path, f"over the limit of {MAX_LINE_CHARS:,}", "1,000,000 characters")
    assert error.line == head.count("\n") + 3 * 4 + 3


def test_more_cues_than_the_limit_are_refused_with_the_first_cue_over_it(tmp_path: Path) -> None:
    path = tmp_path / "many.srt"
    path.write_text(_srt(MAX_CUES + 5))
    error = _refused(path, f"more than {MAX_CUES:,} cues")
    assert error.line == MAX_CUES * 4 + 2  # the timing line of cue 10,001


def test_a_file_at_the_limits_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "full.srt"
    path.write_text(
        _srt(MAX_CUES - 1) + _srt(1, "x" * MAX_LINE_CHARS).replace("00:00:00", "03:00:00")
    )
    cues = read_captions(path)
    assert isinstance(cues, tuple) and len(cues) == MAX_CUES
    assert cues[-1].text == "x" * MAX_LINE_CHARS


def test_a_cue_with_too_many_lines_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tall.srt"
    path.write_text(_srt(1, "\n".join(["line"] * (MAX_CUE_LINES + 1))))
    assert _refused(path, f"over the limit of {MAX_CUE_LINES}").line == 2 + MAX_CUE_LINES + 1


def test_a_json_transcript_over_the_limits_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "words.json"
    word = {"text": "hi", "start": 0, "end": 0.1}
    path.write_text(json.dumps({"words": [word] * (MAX_WORDS + 1)}))
    assert _refused(path, f"over the limit of {MAX_WORDS:,}").key == "words"
    path.write_text(json.dumps({"words": [word, {**word, "text": "w" * (MAX_LINE_CHARS + 1)}]}))
    assert _refused(path, f"over the limit of {MAX_LINE_CHARS:,}").key == "words[1].text"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.srt"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    _refused(path, f"over the limit of {MAX_FILE_BYTES:,}")
