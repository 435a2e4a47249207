"""A known script: its words as written, their spoken forms, and fitting it to heard words.

The script's text is kept exactly as written (case, punctuation, quotes); only the *spoken key*
of each word is normalised for the recogniser (lower case, outer punctuation off, digits spelled
out). Tokens that are punctuation alone (``—``, ``-``, ``…``) ride along with the word before.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vidkit.captions.model import Word
from vidkit.errors import CaptionError


@dataclass(frozen=True)
class ScriptWord:
    """A word as written in the script and the lower-case words it is spoken as."""

    text: str
    spoken: tuple[str, ...]


def read_script(path: Path) -> str:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CaptionError("script file not found", path=path) from None
    except UnicodeDecodeError:
        raise CaptionError("script is not UTF-8 text", path=path) from None
    if not text.split():
        raise CaptionError("script file is empty", path=path)
    return text


def script_words(text: str) -> tuple[ScriptWord, ...]:
    """Split a script into words as written, each with its spoken form."""
    words: list[ScriptWord] = []
    for token in text.split():
        spoken = spoken_forms(token)
        if not spoken and words:
            last = words[-1]
            words[-1] = ScriptWord(f"{last.text} {token}", last.spoken)
        elif spoken:
            words.append(ScriptWord(token, spoken))
        else:
            # punctuation before the first word: keep it with the next one
            words.append(ScriptWord(token, ()))
    # a leading punctuation-only token joins the first real word
    if len(words) > 1 and not words[0].spoken:
        first, second = words[0], words[1]
        words[0:2] = [ScriptWord(f"{first.text} {second.text}", second.spoken)]
    return tuple(w for w in words if w.spoken)


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def spoken_forms(token: str) -> tuple[str, ...]:
    """Lower-case spoken words for one written token: ``"Don’t"`` → ``("don't",)``,
    ``"24/7"`` → ``("twenty", "four", "seven")``, ``"well-known"`` → ``("well", "known")``."""
    token = unicodedata.normalize("NFKC", token).translate(_APOSTROPHES).lower()
    token = token.replace("&", " and ").replace("%", " percent ").replace("+", " plus ")
    spoken: list[str] = []
    for part in re.split(r"[-–—/_]+|\s+", token):
        part = part.strip("'")
        part = re.sub(r"^[^\w']+|[^\w']+$", "", part)
        part = part.strip("'")
        if not part:
            continue
        for piece in re.findall(r"\d+|[^\d]+", part):
            if piece.isdigit():
                spoken.extend(number_words(int(piece)))
            else:
                cleaned = re.sub(r"[^\w']", "", piece)
                if cleaned:
                    spoken.append(cleaned)
    return tuple(spoken)


_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> list[str]:
    """English words for a whole number; 1100-2099 are read as years, as scripts mostly mean."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        tens, ones = divmod(n, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    if 1100 <= n < 2100 and not 2000 <= n < 2010:
        # read as a year: 1984 "nineteen eighty four", 2026 "twenty twenty six", 1905
        # "nineteen oh five", 1900 "nineteen hundred"
        head, tail = divmod(n, 100)
        if tail == 0:
            return [*number_words(head), "hundred"]
        return number_words(head) + (["oh"] if tail < 10 else []) + number_words(tail)
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return [_ONES[hundreds], "hundred"] + (number_words(rest) if rest else [])
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= size:
            head, rest = divmod(n, size)
            return number_words(head) + [name] + (number_words(rest) if rest else [])
    return [str(n)]  # pragma: no cover - unreachable


# -- fitting a script to recognised words -------------------------------------------------------


def fit_script(
    script: Sequence[ScriptWord], heard: Sequence[Word], *, start: int, end: int
) -> tuple[Word, ...]:
    """Every script word, in order, timed from the recognised words it matches.

    Words are matched by an edit-distance alignment over their spoken forms; script words with
    no match share the time between their matched neighbours in proportion to their length.
    Used for engines that cannot force-align (and as a fallback when alignment fails).
    """
    pairs = _match_words(script, heard)
    times: list[tuple[int, int] | None] = [None] * len(script)
    for i, j in pairs:
        times[i] = (heard[j].start, heard[j].end)
    return tuple(
        Word(w.text, s, e)
        for w, (s, e) in zip(script, _fill(script, times, start, end), strict=True)
    )


def _match_words(script: Sequence[ScriptWord], heard: Sequence[Word]) -> list[tuple[int, int]]:
    keys = [" ".join(w.spoken) for w in script]
    heard_keys = [" ".join(spoken_forms(w.text)) for w in heard]
    return _match(keys, heard_keys)


def heard_fraction(script: Sequence[ScriptWord], heard: Sequence[Word]) -> float:
    """Share of the script's words found (or nearly) among the recognised words, in order."""
    return len(_match_words(script, heard)) / len(script) if script else 0.0


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if not a or not b:
        return False
    # a cheap similarity: same first letter and most letters shared
    common = sum(min(a.count(c), b.count(c)) for c in set(a))
    return a[0] == b[0] and common * 2 >= max(len(a), len(b))


def _match(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs of an alignment of ``a`` onto ``b`` minimising substitutions and gaps."""
    n, m = len(a), len(b)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = i
    for j in range(1, m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sub = 0 if a[i - 1] == b[j - 1] else (0.5 if _similar(a[i - 1], b[j - 1]) else 1.5)
            cost[i][j] = min(cost[i - 1][j - 1] + sub, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    pairs = []
    i, j = n, m
    while i > 0 and j > 0:
        sub = 0 if a[i - 1] == b[j - 1] else (0.5 if _similar(a[i - 1], b[j - 1]) else 1.5)
        if cost[i][j] == cost[i - 1][j - 1] + sub:
            if sub < 1.5:
                pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def _fill(
    script: Sequence[ScriptWord],
    times: list[tuple[int, int] | None],
    start: int,
    end: int,
) -> list[tuple[int, int]]:
    """Times for unmatched words: their gap shared in proportion to the words' lengths."""
    out: list[tuple[int, int]] = []
    i = 0
    n = len(times)
    while i < n:
        if times[i] is not None:
            s, e = times[i]  # type: ignore[misc]
            s = max(s, out[-1][1] if out else start)
            out.append((s, max(s, e)))
            i += 1
            continue
        j = i
        while j < n and times[j] is None:
            j += 1
        gap_start = out[-1][1] if out else start
        gap_end = times[j][0] if j < n else end  # type: ignore[index]
        gap_end = max(gap_start, gap_end)
        weights = [len(" ".join(script[k].spoken)) + 1 for k in range(i, j)]
        total = sum(weights)
        acc = 0
        for w in weights:
            s = gap_start + (gap_end - gap_start) * acc // total
            acc += w
            out.append((s, gap_start + (gap_end - gap_start) * acc // total))
        i = j
    return out
