"""Group timed words into cues a viewer can read, for each caption style.

Styles:

- ``classic``: blocks of up to two lines, broken at sentence ends, at pauses and before they
  grow too long (in characters or seconds); preferring to break after a comma.
- ``karaoke``: the same blocks as ``classic``; the drawer highlights the words one by one.
- ``punchy``: one to three words at a time, for large type in short-form feeds.

Line breaking by rendered width is the drawer's job; here a character budget per cue stands in
for "two lines' worth". Each cue stays on screen at least ``min_ms`` (borrowing silence after it,
never overlapping the next cue) and a little after its last word is spoken (``linger_ms``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from vidkit.captions.model import Cue, Word

STYLES = ("classic", "karaoke", "punchy")

_SENTENCE_END = (".", "!", "?", "…", "。", "！", "？", "؟", "।")
_CLAUSE_END = (",", ";", ":", "—", "–", "、", "，", "؛", "،")
_TRAILING_QUOTES = "\"'”’»)]」』"


@dataclass(frozen=True)
class Rules:
    """Limits for one style; all times in milliseconds."""

    max_chars: int
    max_words: int
    max_ms: int
    min_ms: int
    pause_ms: int
    linger_ms: int
    break_at_clauses: bool


RULES: dict[str, Rules] = {
    "classic": Rules(
        max_chars=74,
        max_words=16,
        max_ms=6000,
        min_ms=800,
        pause_ms=500,
        linger_ms=400,
        break_at_clauses=False,
    ),
    "punchy": Rules(
        max_chars=18,
        max_words=3,
        max_ms=2500,
        min_ms=300,
        pause_ms=300,
        linger_ms=150,
        break_at_clauses=True,
    ),
}
RULES["karaoke"] = RULES["classic"]


def rules_for(style: str, *, max_chars: int | None = None) -> Rules:
    if style not in RULES:
        raise ValueError(f"unknown caption style {style!r}; choose one of {', '.join(STYLES)}")
    rules = RULES[style]
    if max_chars is not None:
        rules = replace(rules, max_chars=max(1, max_chars))
    return rules


def segment(
    words: Sequence[Word], style: str = "classic", *, max_chars: int | None = None
) -> tuple[Cue, ...]:
    """Cues for ``words`` (in time order) following the rules of ``style``.

    ``max_chars`` overrides the style's character budget per cue (e.g. for narrow frames).
    """
    rules = rules_for(style, max_chars=max_chars)
    groups = _group([w for w in words if w.text.strip()], rules)
    return _timed(groups, rules)


def _ends_with(text: str, marks: tuple[str, ...]) -> bool:
    return text.rstrip(_TRAILING_QUOTES).endswith(marks)


#: Words whose full stop is not a sentence's end ("Mr. Dashwood", "St. Mary's").
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "prof",
        "st",
        "mt",
        "rev",
        "cllr",
        "hon",
        "gov",
        "sen",
        "rep",
        "gen",
        "col",
        "capt",
        "lt",
        "sgt",
        "vs",
        "e.g",
        "i.e",
    ]
)


def _ends_sentence(text: str) -> bool:
    if not _ends_with(text, _SENTENCE_END):
        return False
    bare = text.rstrip(_TRAILING_QUOTES)
    return not (bare.endswith(".") and bare[:-1].lower().lstrip("(\"'“‘") in _ABBREVIATIONS)


def _chars(words: Sequence[Word]) -> int:
    return sum(len(w.text) for w in words) + max(0, len(words) - 1)


def _group(words: list[Word], rules: Rules) -> list[list[Word]]:
    groups: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if current and _must_break(current, word, rules):
            if _overflows(current, word, rules):
                current, carry = _split_at_clause(current)
                groups.append(current)
                current = carry
            else:
                groups.append(current)
                current = []
        current.append(word)
        if _ends_sentence(word.text) or (
            rules.break_at_clauses and _ends_with(word.text, _CLAUSE_END)
        ):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _overflows(current: list[Word], word: Word, rules: Rules) -> bool:
    return (
        _chars([*current, word]) > rules.max_chars
        or len(current) + 1 > rules.max_words
        or word.end - current[0].start > rules.max_ms
    )


def _must_break(current: list[Word], word: Word, rules: Rules) -> bool:
    return word.start - current[-1].end > rules.pause_ms or _overflows(current, word, rules)


def _split_at_clause(current: list[Word]) -> tuple[list[Word], list[Word]]:
    """Split a full cue after its last comma-like word if that keeps over half of it."""
    total = _chars(current)
    for i in range(len(current) - 1, 0, -1):
        if _ends_with(current[i - 1].text, _CLAUSE_END) and _chars(current[:i]) * 2 >= total:
            return current[:i], current[i:]
    return current, []


def _timed(groups: list[list[Word]], rules: Rules) -> tuple[Cue, ...]:
    cues = []
    for n, group in enumerate(groups):
        start = group[0].start
        spoken_end = max(w.end for w in group)
        end = max(spoken_end + rules.linger_ms, start + rules.min_ms)
        if n + 1 < len(groups):
            end = min(end, groups[n + 1][0].start)  # never overlap the next cue
        end = max(end, start + 1)
        text = join_words(w.text for w in group)
        cues.append(Cue(start, end, text, tuple(group)))
    return tuple(cues)


def _is_cjk(char: str) -> bool:
    """Chinese and Japanese characters (Korean is written with spaces between words)."""
    cp = ord(char)
    return (
        0x3000 <= cp <= 0x30FF  # CJK punctuation, kana
        or 0x3400 <= cp <= 0x9FFF  # Han
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF  # full-width forms
    )


def join_words(texts: Iterable[str]) -> str:
    """Words joined by spaces, except between Chinese/Japanese characters (written unspaced)."""
    out = ""
    for text in texts:
        if out and not (_is_cjk(out[-1]) and _is_cjk(text[0])):
            out += " "
        out += text
    return out


def cue_words(cues: Sequence[Cue]) -> tuple[Word, ...]:
    """All words of ``cues`` in order (e.g. to save cues read from SRT as JSON)."""
    return tuple(w for cue in cues for w in cue.words)
