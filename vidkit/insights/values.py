"""Numbers and dates as the platforms' exports write them: pure parsing, no files.

Numbers: ``1,234`` / ``1.234`` / ``1 234`` (thousands), ``12.5`` / ``12,5`` (decimals),
``12.5%``; the platforms' "no value" markers (blank, ``—``, ``-``, ``undefined``, ``N/A``) are
:data:`MISSING`. Dates: ISO 8601, ``Sep 21, 2026``, ``21 Sep 2026``, ``21/09/2026 14:05`` (day
or month first, decided per column), and TikTok's yearless ``Sep 21`` (the year comes from the
caller, who says where it came from).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

#: What a cell holds when the platform had no value for it.
MISSING = object()

_NO_VALUE = {"", "-", "--", "—", "–", "undefined", "n/a", "na", "null", "none", "nan"}
_GROUP = "[,.\u00a0\u202f' ]"  # thousands separators seen in exports
_GROUPED = re.compile(rf"^\d{{1,3}}({_GROUP}\d{{3}})+$")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


class ValueProblem(ValueError):
    """A cell that is not the number or date its column holds; the message says why."""


def number(cell: object, *, whole: bool = False) -> float | object:
    """The number in ``cell`` (a float), or :data:`MISSING`; ``whole`` reads a lone separator
    followed by exactly three digits as a thousands separator (``1.234`` -> 1234). Raises
    :class:`ValueProblem` for anything else."""
    if isinstance(cell, bool):
        raise ValueProblem(f"{cell!r} is not a number")
    if isinstance(cell, (int, float)):
        return float(cell)
    text = str(cell).strip()
    if text.isascii() and text.isdigit():  # most cells: plain digits
        return float(text)
    if text.lower() in _NO_VALUE:
        return MISSING
    percent = text.endswith("%")
    text = text.rstrip("%").strip()
    if text.startswith(("−", "-")) and len(text) > 1:
        raise ValueProblem(f"{cell!r} is negative")
    value = _plain(text, whole=whole and not percent)
    if value is None:
        raise ValueProblem(f"{cell!r} is not a number")
    return value / 100 if percent else value


def _plain(text: str, *, whole: bool) -> float | None:
    if _GROUPED.match(text) and (whole or len(set(re.findall(_GROUP, text))) == 1):
        grouped = re.sub(_GROUP, "", text)
        # "1.234" alone is a decimal unless the column holds whole numbers
        if whole or text.count(".") != 1 or "," in text:
            return float(grouped)
    compact = _SPACES.sub("", text).replace("'", "")
    if re.fullmatch(r"\d+([.,]\d+)?", compact):
        return float(compact.replace(",", "."))
    if re.fullmatch(r"\d{1,3}(,\d{3})+\.\d+", compact):  # 1,234.5
        return float(compact.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", compact):  # 1.234,5
        return float(compact.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d+(\.\d+)?[eE][+-]?\d+", compact):
        return float(compact)
    return None


def count(cell: object) -> int | object:
    """A whole, non-negative count, or :data:`MISSING`; a fraction is a :class:`ValueProblem`."""
    value = number(cell, whole=True)
    if value is MISSING:
        return MISSING
    assert isinstance(value, float)
    if value != int(value):
        raise ValueProblem(f"{cell!r} is not a whole number")
    return int(value)


def duration(cell: object) -> float | object:
    """Seconds from ``1:02:03``, ``2:03`` or a plain number of seconds."""
    text = str(cell).strip()
    if re.fullmatch(r"\d+(:\d{1,2}){1,2}(\.\d+)?", text):
        seconds = 0.0
        for part in text.split(":"):
            seconds = seconds * 60 + float(part)
        return seconds
    return number(cell)


# dates ---------------------------------------------------------------------------------------

_MONTHS = {
    # English, then the other languages TikTok and Meta localise exports into (abbreviations
    # and full names reduced to their first three or four letters)
    **dict.fromkeys(("jan", "janv", "ene", "gen", "jän", "janu"), 1),
    **dict.fromkeys(("feb", "févr", "fév", "fev", "fevr"), 2),
    **dict.fromkeys(("mar", "mär", "mars", "marz", "marc"), 3),
    **dict.fromkeys(("apr", "avr", "abr", "apri"), 4),
    **dict.fromkeys(("may", "mai", "mag", "mayo", "mei"), 5),
    **dict.fromkeys(("jun", "juin", "giu", "juni", "june"), 6),
    **dict.fromkeys(("jul", "juil", "lug", "juli", "july"), 7),
    **dict.fromkeys(("aug", "août", "aou", "ago", "augu"), 8),
    **dict.fromkeys(("sep", "sept", "set"), 9),
    **dict.fromkeys(("oct", "okt", "ott", "out", "octo"), 10),
    **dict.fromkeys(("nov", "nove"), 11),
    **dict.fromkeys(("dec", "déc", "dez", "dic", "dece"), 12),
}
_WEEKDAY = re.compile(r"^[A-Za-zÀ-ÿ]{2,9}\.?,?\s+(?=\w)")
_TIME = re.compile(
    r"[T\s,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?\s*"
    r"(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_WORDY = re.compile(r"^(?:(\d{1,2})\.?\s+([^\W\d_]+)\.?|([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?)"
                    r",?(?:\s+(\d{4}))?$")  # fmt: skip


@dataclass(frozen=True)
class Stamp:
    """A parsed date: its parts, and whether the text said which comes first or gave a year."""

    year: int | None
    first: int  # day or month: the numeric form's first field
    second: int
    time: tuple[int, int, int] | None
    offset: timedelta | None  # the UTC offset the text gave
    order: str  # "ymd", "named" (month by name: unambiguous), "numeric" (day/month unsure)


def stamp(cell: object) -> Stamp | object:
    """The date in ``cell`` (or :data:`MISSING`); raises :class:`ValueProblem` if it is none."""
    if isinstance(cell, datetime):
        t = (cell.hour, cell.minute, cell.second)
        return Stamp(cell.year, cell.month, cell.day, t, cell.utcoffset(), "ymd")
    if isinstance(cell, date):
        return Stamp(cell.year, cell.month, cell.day, None, None, "ymd")
    text = str(cell).strip()
    if text.lower() in _NO_VALUE:
        return MISSING
    if _word_is_weekday(text):  # "Mon, Sep 21, 2026"
        text = _WEEKDAY.sub("", text)
    clock, offset = None, None
    found = _TIME.search(text)
    if found:
        clock, offset = _clock(found)
        text = text[: found.start()].strip()
    return _day_part(text, clock, offset, cell)


def _word_is_weekday(text: str) -> bool:
    word = re.match(r"[^\W\d_]+", text)
    return bool(word) and word.group(0).lower()[:3] not in _MONTHS and not text[:1].isdigit()


def _clock(found: re.Match[str]) -> tuple[tuple[int, int, int], timedelta | None]:
    hour, minute, second = int(found[1]), int(found[2]), int(found[3] or 0)
    meridiem = (found[4] or "").lower().replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    zone, offset = (found[5] or "").upper(), None
    if zone in ("Z", "UTC", "GMT"):
        offset = timedelta(0)
    elif zone:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (hour, minute, second), offset


def _day_part(
    text: str, clock: tuple[int, int, int] | None, offset: timedelta | None, cell: object
) -> Stamp:
    iso = _ISO.match(text)
    if iso:
        return Stamp(int(iso[1]), int(iso[2]), int(iso[3]), clock, offset, "ymd")
    numeric = _NUMERIC.match(text)
    if numeric:
        a, b, c = numeric.groups()
        if len(a) == 4:
            return Stamp(int(a), int(b), int(c), clock, offset, "ymd")
        year = int(c) + (2000 if len(c) == 2 else 0)
        return Stamp(year, int(a), int(b), clock, offset, "numeric")
    wordy = _WORDY.match(text)
    if wordy:
        day = wordy[1] or wordy[4]
        month = _MONTHS.get((wordy[2] or wordy[3]).lower()[:4]) or _MONTHS.get(
            (wordy[2] or wordy[3]).lower()[:3]
        )
        if month:
            year = int(wordy[5]) if wordy[5] else None
            return Stamp(year, month, int(day), clock, offset, "named")
    raise ValueProblem(f"{cell!r} is not a date")


def day_first(stamps: Iterable[Stamp], default: bool) -> tuple[bool, bool]:
    """Whether a column's numeric dates put the day first, and whether the column showed it
    (a first field over 12 means day first, a second over 12 month first); ``default`` when
    no value tells."""
    numeric = [s for s in stamps if s.order == "numeric"]
    if any(s.first > 12 for s in numeric):
        return True, True
    if any(s.second > 12 for s in numeric):
        return False, True
    return default, not numeric


def iso(s: Stamp, *, day_first: bool, year: int) -> str:
    """``s`` as ISO 8601: a date, a date and time (UTC, ``Z``, when the text gave a zone; else
    the local time it gave), with ``year`` when the text had none.
    Raises :class:`ValueProblem` for an impossible date."""
    if s.order in ("ymd", "named"):
        month, day = s.first, s.second
    else:
        day, month = (s.first, s.second) if day_first else (s.second, s.first)
    try:
        when = datetime(s.year or year, month, day, *(s.time or (0, 0, 0)))
    except ValueError:
        raise ValueProblem(f"{s.year or year}-{month}-{day} is not a date") from None
    if s.time is None:
        return when.date().isoformat()
    if s.offset is None:  # the account's local time, as the export gave it
        return when.isoformat()
    return (when - s.offset).replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")
