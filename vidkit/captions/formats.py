"""Caption files in and out: SRT, WebVTT and vidkit's word-timed JSON.

Reading is strict so that a hand-edited file either renders exactly as written or fails with the
file and line that is wrong. Accepted leniencies: a UTF-8 byte-order mark, CRLF or CR line
endings, a missing final blank line, ``,`` or ``.`` before the milliseconds, and hours left out
(``MM:SS.mmm``).

Text is kept literally: nothing is interpreted as markup. An SRT ``<i>`` is drawn as the four
characters ``<i>``, so what a volunteer types is what appears on the video (and no file can
smuggle styling or filter syntax into a render). WebVTT needs ``&``, ``<`` and ``>`` escaped;
the writer escapes them and the reader turns ``&amp; &lt; &gt; &nbsp; &lrm; &rlm;`` back into
characters, so text survives a round trip unchanged. Surrounding whitespace of each line is
dropped; a blank line cannot be part of a caption in either format.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from vidkit.captions.model import Cue, Transcript, Word, ms, spread_words
from vidkit.errors import CaptionError
from vidkit.files import write_atomic

#: Overlaps up to this many ms (left by frame rounding in other tools) are trimmed silently.
OVERLAP_TOLERANCE_MS = 50

# Limits (docs/captions.md). Real captions are far below them; a file over one is refused with
# its file, line and the limit, instead of stalling a render for minutes (100,000 cues) or
# crashing the text drawing (a 1 MB line).
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_CUES = 10_000
MAX_LINE_CHARS = 1_000  # per line of an SRT/VTT file, per word of a JSON transcript
MAX_CUE_LINES = 20
MAX_WORDS = 100_000  # in a JSON transcript

_TIME = r"(?:(\d+):)?([0-5]\d):([0-5]\d)[,.](\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?P<rest>.*)$")
_TIMING_LIKE = re.compile(r"\d+:\d+[,.:]?\d*\s*-->")
_SRT_COORDS = re.compile(r"^(\s+[XY][12]:\d+)*\s*$")


# -- reading -----------------------------------------------------------------------------------


def read_captions(path: Path) -> tuple[Cue, ...] | Transcript:
    """Read a caption file by its extension: SRT/VTT give cues, JSON gives a word transcript."""
    suffix = path.suffix.lower()
    if suffix not in (".srt", ".vtt", ".json"):
        raise CaptionError(
            "unknown caption file type", path=path, hint="use a .srt, .vtt or .json file"
        )
    text = _read_text(path)
    if suffix == ".srt":
        return parse_srt(text, source=path)
    if suffix == ".vtt":
        return parse_vtt(text, source=path)
    return parse_json(text, source=path)


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CaptionError(
                f"caption file is {path.stat().st_size:,} bytes, over the limit of "
                f"{MAX_FILE_BYTES:,}",
                path=path,
                hint="split the video and its captions into shorter parts",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise CaptionError("caption file not found", path=path) from None
    except OSError as exc:
        raise CaptionError(f"cannot read caption file: {exc.strerror}", path=path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CaptionError(
            "not UTF-8 text", path=path, line=line, hint="save the file as UTF-8"
        ) from None


def _lines(text: str, source: str | Path) -> list[str]:
    """The text's lines, refused if one is longer than :data:`MAX_LINE_CHARS`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and max(map(len, lines)) > MAX_LINE_CHARS:
        number, long = next((n, x) for n, x in enumerate(lines, 1) if len(x) > MAX_LINE_CHARS)
        raise CaptionError(
            f"line is {len(long):,} characters long, over the limit of {MAX_LINE_CHARS:,}",
            path=source,
            line=number,
            hint="break it into shorter captions",
        )
    return lines


def _blocks(lines: list[str]) -> Iterable[tuple[int, list[str]]]:
    """Runs of non-blank lines with the 1-based line number of their first line."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _time(groups: Sequence[str | None]) -> int:
    hours, minutes, secs, millis = groups
    return ((int(hours or 0) * 60 + int(minutes or 0)) * 60 + int(secs or 0)) * 1000 + int(
        millis or 0
    )


def _timing(line: str) -> tuple[int, int, str] | None:
    m = _TIMING.match(line.strip())
    if not m:
        return None
    start = _time(m.groups()[0:4])
    end = _time(m.groups()[4:8])
    return start, end, m.group("rest")


_TIMING_HINT = "expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm'"


def parse_srt(text: str, *, source: str | Path = "<srt>") -> tuple[Cue, ...]:
    """Parse SubRip text into cues; raise :class:`CaptionError` naming the line on bad input."""
    cues: list[Cue] = []
    for first, block in _blocks(_lines(text, source)):
        index = 0
        if block[0].strip().isdigit() and len(block) > 1:
            index = 1
        timing_line = first + index
        timing = _timing(block[index])
        if timing is None:
            if index == 0 and block[0].strip().isdigit():
                raise CaptionError(
                    "cue number without a timing line", path=source, line=first, hint=_TIMING_HINT
                )
            if _looks_timed(block[index]):
                what = "malformed timing line"
            elif index == 1:
                what = "expected a timing line, found"
            else:
                what = "expected a cue number or a timing line, found"
            raise CaptionError(
                f"{what} {_quote(block[index])}",
                path=source,
                line=timing_line,
                hint=_TIMING_HINT,
            )
        start, end, rest = timing
        if not _SRT_COORDS.match(rest):
            raise CaptionError(
                f"unexpected text after the end time: {_quote(rest)}",
                path=source,
                line=timing_line,
                hint=_TIMING_HINT,
            )
        body = block[index + 1 :]
        _check_body(body, source, timing_line)
        _append(cues, start, end, body, source, timing_line)
    return tuple(cues)


def parse_vtt(text: str, *, source: str | Path = "<vtt>") -> tuple[Cue, ...]:
    """Parse WebVTT text into cues (settings, NOTE, STYLE and REGION blocks are ignored)."""
    lines = _lines(text, source)
    head = lines[0] if lines else ""
    if not (head == "WEBVTT" or head.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise CaptionError(
            "not a WebVTT file: the first line must be 'WEBVTT'", path=source, line=1
        )
    cues: list[Cue] = []
    for n, (first, block) in enumerate(_blocks(lines)):
        if n == 0:
            if any("-->" in line for line in block):
                raise CaptionError(
                    "a blank line must follow the WEBVTT header", path=source, line=first + 1
                )
            continue  # the WEBVTT header and its metadata lines
        keyword = block[0].split(maxsplit=1)[0] if block[0].split() else ""
        if keyword in ("NOTE", "STYLE", "REGION") and "-->" not in block[0]:
            continue
        index = 0 if "-->" in block[0] else 1
        if index >= len(block):
            raise CaptionError(
                f"expected a timing line after the cue identifier {_quote(block[0])}",
                path=source,
                line=first,
                hint=_TIMING_HINT.replace(",", "."),
            )
        timing_line = first + index
        timing = _timing(block[index])
        if timing is None:
            what = "malformed timing line"
            if not _looks_timed(block[index]):
                what = "expected a timing line, found"
            raise CaptionError(
                f"{what} {_quote(block[index])}",
                path=source,
                line=timing_line,
                hint=_TIMING_HINT.replace(",", "."),
            )
        start, end, rest = timing
        if rest and not rest[0].isspace():
            raise CaptionError(
                f"unexpected text after the end time: {_quote(rest)}",
                path=source,
                line=timing_line,
            )
        body = [_vtt_unescape(line) for line in block[index + 1 :]]
        _check_body(block[index + 1 :], source, timing_line)
        _append(cues, start, end, body, source, timing_line)
    return tuple(cues)


def _looks_timed(line: str) -> bool:
    return "-->" in line or bool(re.search(r"\d:\d\d", line))


def _check_body(body: list[str], source: str | Path, timing_line: int) -> None:
    if len(body) > MAX_CUE_LINES:
        raise CaptionError(
            f"a caption of {len(body)} lines, over the limit of {MAX_CUE_LINES}",
            path=source,
            line=timing_line + MAX_CUE_LINES + 1,
            hint="is a blank line between cues missing?",
        )
    for offset, line in enumerate(body, start=1):
        if _TIMING_LIKE.search(line):
            raise CaptionError(
                "a timing line inside a caption's text",
                path=source,
                line=timing_line + offset,
                hint="is the blank line before this cue missing?",
            )


def _append(
    cues: list[Cue],
    start: int,
    end: int,
    body: list[str],
    source: str | Path,
    line: int,
) -> None:
    if end <= start:
        raise CaptionError(
            f"cue ends ({_clock(end)}) before it starts ({_clock(start)})", path=source, line=line
        )
    if cues:
        previous = cues[-1]
        if start < previous.start:
            raise CaptionError(
                f"cue starts at {_clock(start)}, "
                f"before the previous cue ({_clock(previous.start)})",
                path=source,
                line=line,
                hint="cues must be in time order",
            )
        if start < previous.end:
            if previous.end - start > OVERLAP_TOLERANCE_MS:
                raise CaptionError(
                    f"cue starts at {_clock(start)}, while the previous cue is still on screen "
                    f"(until {_clock(previous.end)})",
                    path=source,
                    line=line,
                    hint="make each cue end before the next one starts",
                )
            cues[-1] = Cue(
                previous.start,
                start,
                previous.text,
                spread_words(previous.text, previous.start, start),
                as_written=True,
            )
    text = "\n".join(line.strip() for line in body).strip()
    if not text:
        return  # an emptied cue shows nothing, as written
    if len(cues) >= MAX_CUES:
        raise CaptionError(
            f"more than {MAX_CUES:,} cues, the limit for one file",
            path=source,
            line=line,
            hint="split the video and its captions into shorter parts",
        )
    cues.append(Cue(start, end, text, spread_words(text, start, end), as_written=True))


def _vtt_unescape(line: str) -> str:
    # Only the character references WebVTT defines; anything else stays as written.
    for ref, char in (
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&nbsp;", "\u00a0"),
        ("&lrm;", "\u200e"),
        ("&rlm;", "\u200f"),
        ("&amp;", "&"),
    ):
        line = line.replace(ref, char)
    return line


def parse_json(text: str, *, source: str | Path = "<json>") -> Transcript:
    """Parse ``{"language": ..., "words": [{"text", "start", "end"}, ...]}`` (times in seconds)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaptionError(f"invalid JSON: {exc.msg}", path=source, line=exc.lineno) from None
    if not isinstance(data, dict):
        raise CaptionError("expected a JSON object with 'language' and 'words'", path=source)
    unknown = sorted(set(data) - {"language", "words", "engine"})
    if unknown:
        raise CaptionError("unknown key", path=source, key=unknown[0])
    language = data.get("language", "und")
    if not isinstance(language, str) or not language:
        raise CaptionError("expected a language code such as 'en'", path=source, key="language")
    raw_words = data.get("words")
    if not isinstance(raw_words, list):
        raise CaptionError("expected a list of words", path=source, key="words")
    if len(raw_words) > MAX_WORDS:
        raise CaptionError(
            f"{len(raw_words):,} words, over the limit of {MAX_WORDS:,}",
            path=source,
            key="words",
            hint="split the video and its captions into shorter parts",
        )
    words: list[Word] = []
    for i, item in enumerate(raw_words):
        key = f"words[{i}]"
        if not isinstance(item, dict) or set(item) != {"text", "start", "end"}:
            raise CaptionError(
                "expected an object with exactly 'text', 'start' and 'end'", path=source, key=key
            )
        word_text = item["text"]
        if not isinstance(word_text, str) or not word_text.strip():
            raise CaptionError("expected non-empty text", path=source, key=f"{key}.text")
        if len(word_text) > MAX_LINE_CHARS:
            raise CaptionError(
                f"a word of {len(word_text):,} characters, over the limit of {MAX_LINE_CHARS:,}",
                path=source,
                key=f"{key}.text",
            )
        times = []
        for field in ("start", "end"):
            value = item[field]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise CaptionError(
                    "expected a time in seconds (a number ≥ 0)", path=source, key=f"{key}.{field}"
                )
            times.append(ms(value))
        start, end = times
        if end < start:
            raise CaptionError("word ends before it starts", path=source, key=key)
        if words and start < words[-1].start:
            raise CaptionError(
                "word starts before the previous word: words must be in time order",
                path=source,
                key=key,
            )
        words.append(Word(word_text.strip(), start, end))
    engine = data.get("engine", "")
    return Transcript(language, tuple(words), engine if isinstance(engine, str) else "")


# -- writing -----------------------------------------------------------------------------------


def format_srt(cues: Iterable[Cue]) -> str:
    blocks = []
    for n, cue in enumerate(cues, start=1):
        timing = f"{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}"
        blocks.append(f"{n}\n{timing}\n{_body(cue.text)}\n")
    return "\n".join(blocks)


def format_vtt(cues: Iterable[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for cue in cues:
        text = html.escape(_body(cue.text), quote=False)
        blocks.append(f"{_clock(cue.start)} --> {_clock(cue.end)}\n{text}\n")
    return "\n".join(blocks)


def format_json(transcript: Transcript) -> str:
    data = {
        "language": transcript.language,
        "words": [
            {"text": w.text, "start": w.start / 1000, "end": w.end / 1000} for w in transcript.words
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _body(text: str) -> str:
    """Cue text as file lines: no blank lines (they would end the cue), no surrounding spaces."""
    lines = [line.strip() for line in text.split("\n")]
    body = "\n".join(line for line in lines if line)
    if _TIMING_LIKE.search(body):
        raise CaptionError(
            f"caption text {_quote(body)} contains a timing arrow, which SRT/VTT cannot hold"
        )
    return body


def write_srt(cues: Iterable[Cue], path: Path) -> None:
    write_text(path, format_srt(cues))


def write_vtt(cues: Iterable[Cue], path: Path) -> None:
    write_text(path, format_vtt(cues))


def write_json(transcript: Transcript, path: Path) -> None:
    write_text(path, format_json(transcript))


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically (a temporary beside the file, then a rename)."""
    write_atomic(path, text)


def shift(cues: Iterable[Cue], offset_ms: int) -> list[Cue]:
    """Cues moved later by ``offset_ms`` (e.g. past an intro), words and all."""
    return [
        Cue(
            c.start + offset_ms,
            c.end + offset_ms,
            c.text,
            tuple(Word(w.text, w.start + offset_ms, w.end + offset_ms) for w in c.words),
            c.as_written,
        )
        for c in cues
    ]


# -- helpers -----------------------------------------------------------------------------------


def _clock(millis: int, sep: str = ".") -> str:
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, frac = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{frac:03d}"


def _quote(text: str, limit: int = 40) -> str:
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)
