"""Account-level audience files: who follows the account, as shares, never per post.

Meta's ``Audience.csv`` (Facebook and Instagram) stacks blocks, each a title line, a header
and rows: age by gender (``18-24`` x women/men, as percentages), top cities, top countries.
TikTok's ``FollowerGender.csv`` and ``FollowerTopTerritories.csv`` are one such block each.
:func:`audience_from_sheet` is pure: a :class:`~vidkit.insights.sheets.Sheet` in, rows of
(dimension, value, share 0..1) for :func:`vidkit.insights.data.save_audience` out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from vidkit.insights import values
from vidkit.insights.exports import Problem
from vidkit.insights.sheets import Sheet
from vidkit.insights.values import MISSING, ValueProblem

GENDERS = {
    "women": "women", "woman": "women", "female": "women", "f": "women", "femmes": "women",
    "frauen": "women", "mujeres": "women",
    "men": "men", "man": "men", "male": "men", "m": "men", "hommes": "men", "männer": "men",
    "hombres": "men",
    "other": "other", "others": "other", "unknown": "other", "u": "other",
}  # fmt: skip
_AGE = re.compile(r"^\d{2}\s*[-–]\s*\d{2}$|^\d{2}\s*\+$")
_AGE_GENDER = re.compile(r"^([FMU])\.(\d{2}[-–]\d{2}|\d{2}\+)$", re.IGNORECASE)
#: Files that hold account series, not an audience breakdown: read, then left out on purpose.
SERIES = {
    "overview": "tiktok", "viewers": "tiktok", "followerhistory": "tiktok",
    "follower history": "tiktok", "followeractivity": "tiktok", "chart data": "youtube",
    "totals": "youtube",
}  # fmt: skip


@dataclass
class Audience:
    """One audience file's breakdowns and what was skipped."""

    sheet: str
    rows: list[tuple[str, str, float]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def dimensions(self) -> list[str]:
        return sorted({d for d, _, _ in self.rows})


def _blocks(sheet: Sheet) -> list[tuple[str, list[tuple[int, tuple[str, ...]]]]]:
    """The sheet cut at blank lines and title lines (one cell): (title, rows) pairs."""
    blocks: list[tuple[str, list[tuple[int, tuple[str, ...]]]]] = []
    title, rows = "", []
    for line, cells in sheet.rows:
        filled = [c for c in cells if c]
        if len(filled) <= 1:
            if rows:
                blocks.append((title, rows))
                title, rows = "", []
            title = (title + " " + filled[0]).strip() if filled else title
            continue
        rows.append((line, cells))
    if rows:
        blocks.append((title, rows))
    return blocks


def _dimension(title: str, header: Sequence[str], first_values: Sequence[str]) -> str | None:
    text = " ".join([title, *header]).lower()
    genders = [GENDERS.get(h.strip().lower()) for h in header[1:]]
    if first_values and all(_AGE_GENDER.match(v) for v in first_values):
        return "age_gender_keys"
    if "age" in text and genders and all(genders):
        return "age_gender"
    if first_values and all(_AGE.match(v) for v in first_values):
        return "age"
    for word, dim in (("gender", "gender"), ("sex", "gender"), ("cit", "city"),
                      ("countr", "country"), ("territor", "country"), ("region", "region"),
                      ("language", "language")):  # fmt: skip
        if word in text:
            return dim
    return None


def audience_from_sheet(sheet: Sheet) -> Audience:
    """Every block of ``sheet`` that vidkit understands, as (dimension, value, share) rows."""
    out = Audience(sheet.name, notes=list(sheet.notes))
    for title, rows in _blocks(sheet):
        header: tuple[str, ...] = ()
        if rows and not _numeric(rows[0][1][1:]):
            header, rows = rows[0][1], rows[1:]
        dim = _dimension(title, header, [r[1][0] for r in rows])
        if dim is None:
            named = title or ", ".join(header) or f"line {rows[0][0] if rows else '?'}"
            out.notes.append(f"left out a block vidkit does not know: {named}")
            continue
        shares = _shares(out, rows, len(header) - 1 if header else 1)
        out.rows += _cells(dim, header, shares)
    return out


def _numeric(cells: Sequence[str]) -> bool:
    try:
        return bool(cells) and all(values.number(c) is not MISSING for c in cells if c)
    except ValueProblem:
        return False


def _shares(
    out: Audience, rows: list[tuple[int, tuple[str, ...]]], width: int
) -> list[tuple[str, list[float | None]]]:
    """Each row's label and shares 0..1 (percent signs honoured; a block of numbers over 1 is
    read as percentages)."""
    parsed: list[tuple[str, list[float | None]]] = []
    percent = False
    for line, cells in rows:
        row: list[float | None] = []
        for cell in (list(cells[1:]) + [""] * width)[:width]:
            try:
                value = values.number(cell)
            except ValueProblem as exc:
                out.problems.append(Problem(out.sheet, line, f"{exc}: left out"))
                value = MISSING
            share = value if isinstance(value, float) else None
            percent = percent or (share is not None and "%" not in cell and share > 1)
            row.append(share)
        parsed.append((cells[0], row))
    if percent:
        out.notes.append("shares without a % sign read as percentages")
        parsed = [(k, [v / 100 if v is not None else None for v in r]) for k, r in parsed]
    return parsed


def _cells(
    dim: str, header: Sequence[str], shares: list[tuple[str, list[float | None]]]
) -> list[tuple[str, str, float]]:
    if dim == "age_gender_keys":  # "F.18-24": Facebook's older page exports
        split = [(_AGE_GENDER.match(k), r[0]) for k, r in shares]
        matrix = {(m[2], GENDERS[m[1].lower()]): v for m, v in split if m and v is not None}
        return _matrix(matrix)
    if dim == "age_gender":
        genders = [GENDERS[h.strip().lower()] for h in header[1:]]
        return _matrix(
            {(age, g): v for age, row in shares for g, v in zip(genders, row) if v is not None}
        )
    named = (GENDERS.get(k.lower(), k) if dim == "gender" else k for k, _ in shares)
    return [(dim, label, r[0]) for label, (_, r) in zip(named, shares) if r and r[0] is not None]


def _matrix(cells: dict[tuple[str, str], float]) -> list[tuple[str, str, float]]:
    """Age x gender cells, plus the age and gender totals they add up to."""
    ages: dict[str, float] = defaultdict(float)
    genders: dict[str, float] = defaultdict(float)
    out = []
    for (age, gender), share in cells.items():
        ages[age] += share
        genders[gender] += share
        out.append(("age_gender", f"{age} {gender}", share))
    out += [("age", a, round(s, 6)) for a, s in ages.items()]
    out += [("gender", g, round(s, 6)) for g, s in genders.items()]
    return out


def platform_of(name: str, forced: str | None) -> tuple[str, str | None]:
    """Whose audience a file is: ``forced``, else named in the file name (TikTok's follower
    files, "instagram"), else Facebook's, with a note saying it was assumed."""
    lower = name.lower()
    if forced:
        return forced, None
    if "tiktok" in lower or "follower" in lower:
        return "tiktok", None
    if "instagram" in lower or re.search(r"(^|[^a-z])ig([^a-z]|$)", lower):
        return "instagram", None
    if "facebook" in lower:
        return "facebook", None
    return "facebook", "taken as Facebook's audience (for Instagram's, pass --platform instagram)"


def series_platform(name: str) -> str | None:
    """Whose account series a file is (TikTok's daily totals and viewers by hour, YouTube's
    ``Chart data.csv`` and ``Totals.csv``), or None when it is not one."""
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower().replace("_", " ").strip()
    return SERIES.get(stem)
