"""Plain caption data: words, cues and transcripts, timed in integer milliseconds.

Times are whole milliseconds from the start of the clip so that reading, segmenting and writing
never drift; seconds (floats) appear only at the edges (JSON files, engines, ffmpeg).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """One spoken word (with any punctuation attached), shown from ``start`` to ``end`` ms."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Cue:
    """One caption on screen from ``start`` to ``end`` ms.

    ``text`` is exactly what is drawn; a ``\\n`` in it is a line break the author asked for.
    ``words`` are its words with their own times (used for word-by-word highlighting); for cues
    read from SRT/VTT files they are spread over the cue in proportion to their length.
    """

    start: int
    end: int
    text: str
    words: tuple[Word, ...] = ()
    #: Written by a person (read from an SRT/VTT file): shown as written in every style.
    as_written: bool = False


@dataclass(frozen=True)
class Transcript:
    """Word-timed speech of one clip, as an engine heard it or a JSON file gives it."""

    language: str
    words: tuple[Word, ...]
    engine: str = ""
    #: Mean per-word posterior probability where the engine reports one (0–1).
    confidence: float | None = None


def ms(seconds: float) -> int:
    """Seconds (as found in JSON files or engine output) to whole milliseconds."""
    return int(round(seconds * 1000))


def seconds(millis: int) -> float:
    return millis / 1000


_HAN_KANA = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
# Chinese and Japanese are written without spaces: each character (with the punctuation after it)
# counts as a word, so that highlighting moves through the text; other runs stay whole.
_UNSPACED = re.compile(f"[{_HAN_KANA}][\u3000-\u303f\uff00-\uffef]*|[^{_HAN_KANA}]+")


def spread_words(text: str, start: int, end: int) -> tuple[Word, ...]:
    """Words of ``text`` spread over ``start``–``end`` in proportion to their length.

    Used where only cue times are known (SRT/VTT), so that karaoke-style highlighting still moves
    through the words at a plausible pace.
    """
    tokens = [piece for token in text.split() for piece in _UNSPACED.findall(token)]
    if not tokens:
        return ()
    weights = [len(t) + 1 for t in tokens]
    total = sum(weights)
    span = max(0, end - start)
    words = []
    acc = 0
    for token, weight in zip(tokens, weights, strict=True):
        w_start = start + span * acc // total
        acc += weight
        w_end = start + span * acc // total
        words.append(Word(token, w_start, w_end))
    return tuple(words)
