"""The platforms' per-post exports: which platform wrote a table, and its rows as posts.

Each :class:`PostFormat` is a header signature (groups of header names, one of each group
present) and a mapping from the platform's columns to vidkit's metric names (the first of a
metric's column names that the file has wins; column sets drift, so nothing depends on
position). :func:`posts_from_sheet` is pure: a :class:`~vidkit.insights.sheets.Sheet` in, the
posts and the problems (file, line, what) out. A bad row is skipped and reported; a bad cell
drops that one metric and is reported.
"""

from __future__ import annotations

import functools
import re
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

from vidkit.insights import values
from vidkit.insights.data import PLATFORMS, PlatformPost
from vidkit.insights.sheets import ExportError, Sheet
from vidkit.insights.values import MISSING, ValueProblem

HEADER_ROWS = 12  # how far down a file its header row may be (after titles, notes)
TITLE_LENGTH = 120
_TOTAL = {"total", "totals", "gesamt", "totaal", "totale", "summe"}


def _key(header: str) -> str:
    return re.sub(r"\s+", " ", header.replace("\ufeff", "")).strip().strip('"').lower()


@dataclass(frozen=True)
class Metric:
    """A vidkit metric: the platform's column names for it and how to read a cell."""

    columns: tuple[str, ...]
    scale: float = 1.0  # hours -> seconds
    kind: str = "count"  # "count" (whole), "amount" (decimal, rounded after scaling)


@dataclass(frozen=True)
class PostFormat:
    """How one platform's per-post export looks and maps to :class:`PlatformPost`."""

    platform: str
    label: str  # what the officer downloads, for messages
    signature: tuple[tuple[str, ...], ...]  # one header of each group must be present
    post_id: tuple[str, ...]
    metrics: Mapping[str, Metric]
    permalink: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    text: tuple[str, ...] = ()  # where a share link may be written
    day_first: bool = False  # numeric dates' order when no value tells
    id_from: Callable[[str], str] | None = None  # an id cell -> the post id (e.g. from a URL)
    link_for: Callable[[str], str] | None = None  # the post id -> its permalink
    marks: tuple[str, ...] = field(default=())  # headers that tell it from a lookalike
    excludes: tuple[str, ...] = ()  # headers of the platform's series files (one row a day)

    def columns(self) -> set[str]:
        groups = (self.post_id, self.permalink, self.title, self.published, self.text)
        return {c for g in groups for c in g} | {
            c for m in self.metrics.values() for c in m.columns
        }


def _tiktok_id(cell: str) -> str:
    found = re.search(r"/(?:video|photo)/(\d+)", cell)
    return found.group(1) if found else cell


def _youtube_id(cell: str) -> str:
    return youtube_id(cell) or cell


def youtube_id(url: str) -> str | None:
    """The video id in a YouTube URL (watch, youtu.be, shorts), or None."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    if host == "youtu.be":
        return parts.path.strip("/") or None
    if host.endswith("youtube.com"):
        if parts.path.startswith(("/shorts/", "/live/", "/embed/")):
            return parts.path.split("/")[2] or None
        return (parse_qs(parts.query).get("v") or [None])[0]
    return None


def _m(*columns: str, scale: float = 1.0, kind: str = "count") -> Metric:
    return Metric(tuple(_key(c) for c in columns), scale, kind)


def _k(*columns: str) -> tuple[str, ...]:
    return tuple(_key(c) for c in columns)


FORMATS: tuple[PostFormat, ...] = (
    PostFormat(
        "facebook", "Meta Business Suite post export (Facebook)",
        signature=(_k("Post ID"), _k("Page ID", "Page name", "Reactions",
                                     "Reactions, Comments and Shares")),
        post_id=_k("Post ID"), permalink=_k("Permalink"), title=_k("Title", "Description"),
        published=_k("Publish time"), text=_k("Description", "Title", "Permalink"),
        marks=_k("Page ID", "Page name", "Reactions"),
        metrics={
            "views": _m("Views", "Impressions", "Post impressions"),
            "reach": _m("Reach", "Post reach"),
            "likes": _m("Reactions"),  # Facebook's likes are reactions
            "comments": _m("Comments"), "shares": _m("Shares"),
            "engagements": _m("Reactions, Comments and Shares"),
            "clicks": _m("Total clicks", "Link clicks"),
            "watch_seconds": _m("Seconds viewed", kind="amount"),
            "views_3s": _m("3-Second Video Views"), "views_1m": _m("1-Minute Video Views"),
        },
    ),
    PostFormat(
        "instagram", "Meta Business Suite post export (Instagram)",
        signature=(_k("Post ID"), _k("Account username", "Account ID", "Likes", "Saves",
                                     "Follows")),
        post_id=_k("Post ID"), permalink=_k("Permalink"), title=_k("Description", "Title"),
        published=_k("Publish time"), text=_k("Description", "Permalink"),
        marks=_k("Account username", "Account ID", "Saves", "Follows"),
        metrics={
            "views": _m("Views", "Impressions", "Plays"), "reach": _m("Reach"),
            "likes": _m("Likes"), "comments": _m("Comments"), "shares": _m("Shares"),
            "saves": _m("Saves"), "follows": _m("Follows"),
            "clicks": _m("Profile activity", "Link clicks"),
        },
    ),
    PostFormat(
        "youtube", "YouTube Studio Table data.csv",
        signature=(_k("Content"), _k("Video title", "Views", "Watch time (hours)")),
        post_id=_k("Content"), title=_k("Video title"), published=_k("Video publish time"),
        text=_k("Video title"), id_from=_youtube_id, excludes=_k("Date"),  # Chart data.csv
        link_for=lambda i: f"https://www.youtube.com/watch?v={i}",
        metrics={
            "views": _m("Views"), "engaged_views": _m("Engaged views"),
            "watch_seconds": _m("Watch time (hours)", scale=3600, kind="amount"),
            "impressions": _m("Impressions"), "likes": _m("Likes"),
            "comments": _m("Comments added", "Comments"), "shares": _m("Shares"),
            "subscribers_gained": _m("Subscribers gained"),
            "subscribers_lost": _m("Subscribers lost"), "unique_viewers": _m("Unique viewers"),
        },
    ),
    PostFormat(
        "tiktok", "TikTok Studio content export (Content.csv)",
        signature=(_k("Video link", "Link", "Video URL"),
                   _k("Total views", "Video views", "Views", "Total likes", "Likes")),
        post_id=_k("Video ID", "Video link", "Link", "Video URL"),
        permalink=_k("Video link", "Link", "Video URL"),
        title=_k("Video title", "Title", "Caption", "Description"),
        published=_k("Post time", "Posted", "Date posted", "Create time", "Time", "Date"),
        text=_k("Video title", "Title", "Caption", "Description"), id_from=_tiktok_id,
        day_first=True,
        metrics={
            "views": _m("Total views", "Video views", "Views"),
            "likes": _m("Total likes", "Likes"), "comments": _m("Total comments", "Comments"),
            "shares": _m("Total shares", "Shares"), "saves": _m("Total saves", "Saves",
                                                               "Favorites"),
            "reach": _m("Reached audience", "Reach"),
            "watch_seconds": _m("Total play time", "Total time watched", kind="amount"),
        },
    ),
    PostFormat(
        "x", "X account analytics content export",
        signature=(_k("Post id", "Tweet id"), _k("Impressions", "Post text", "Tweet text")),
        post_id=_k("Post id", "Tweet id"), permalink=_k("Post Link", "Tweet permalink"),
        title=_k("Post text", "Tweet text"), published=_k("Date", "time"),
        text=_k("Post text", "Tweet text", "Post Link"),
        metrics={
            "impressions": _m("Impressions"), "likes": _m("Likes"),
            "engagements": _m("Engagements"), "bookmarks": _m("Bookmarks"),
            "shares": _m("Shares"), "follows": _m("New follows", "Follows"),
            "comments": _m("Replies"), "reposts": _m("Reposts", "Retweets"),
            "profile_visits": _m("Profile visits", "User profile clicks"),
            "clicks": _m("URL Clicks"), "views": _m("Media views", "Video views"),
            "detail_expands": _m("Detail Expands"),
        },
    ),
)  # fmt: skip
BY_PLATFORM = {f.platform: f for f in FORMATS}
assert set(BY_PLATFORM) == set(PLATFORMS)


# detection ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A post format found in a sheet: where its header row is and what each column is."""

    format: PostFormat
    header_line: int
    index: Mapping[str, int]  # normalised header -> column (the first of duplicates)

    @functools.cached_property
    def metric_columns(self) -> list[tuple[str, str, int, Metric]]:
        """(metric, header, column, how to read it) for each metric the sheet has."""
        out = []
        for name, metric in self.format.metrics.items():
            header = next((c for c in metric.columns if c in self.index), None)
            if header is not None:
                out.append((name, header, self.index[header], metric))
        return out


def _index(cells: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, cell in enumerate(cells):
        out.setdefault(_key(cell), i)
    return out


def _fits(fmt: PostFormat, headers: Mapping[str, int]) -> bool:
    if any(h in headers for h in fmt.excludes):
        return False
    return all(any(h in headers for h in group) for group in fmt.signature)


def detect(sheet: Sheet, platform: str | None = None) -> Found | None:
    """The post format of ``sheet`` (forced to ``platform`` if given), or None when it is none
    of them. Looks for the header row in the first :data:`HEADER_ROWS` rows."""
    candidates = [BY_PLATFORM[platform]] if platform else list(FORMATS)
    for line, cells in sheet.rows[:HEADER_ROWS]:
        headers = _index(cells)
        fits = [f for f in candidates if _fits(f, headers)]
        if platform and not fits and headers.keys() & BY_PLATFORM[platform].post_id:
            fits = candidates  # forced: the id column is enough
        if fits:
            best = max(fits, key=lambda f: (len(f.columns() & headers.keys()),
                                            sum(m in headers for m in f.marks)))  # fmt: skip
            return Found(best, line, headers)
    return None


def unknown(sheet: Sheet, platform: str | None = None) -> ExportError:
    """The error for a sheet no format fits: what it has, and what each platform needs."""
    first = next((cells for _, cells in sheet.rows if cells), ())
    shown = ", ".join(first[:8]) + (", ..." if len(first) > 8 else "")
    wanted = [BY_PLATFORM[platform]] if platform else list(FORMATS)
    needs = "; ".join(f"{f.label}: " + " + ".join("/".join(g) for g in f.signature) for f in wanted)
    return ExportError(
        f"not a known platform export (its first row: {shown or 'nothing'})",
        path=sheet.name,
        hint=f"expected headers - {needs}; or pass --platform",
    )


# rows -> posts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something an import skipped: the file, the line, what was wrong."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass
class Parsed:
    """The posts of one sheet, what was skipped, and the text to look for share links in."""

    sheet: str
    platform: str
    posts: list[PlatformPost]
    texts: dict[str, str]  # post id -> the post's text, description and permalink
    lines: dict[str, int]  # post id -> its line
    problems: list[Problem]
    notes: list[str]


def _cell(cells: Sequence[str], index: Mapping[str, int], names: Sequence[str]) -> str:
    for name in names:
        i = index.get(name)
        if i is not None and i < len(cells) and cells[i].strip():
            return cells[i].strip()
    return ""


def posts_from_sheet(
    sheet: Sheet, found: Found, *, year_hint: int | None = None, now: float | None = None
) -> Parsed:
    """Every data row under ``found``'s header as a post (the same post twice: the later row
    wins). Yearless dates take ``year_hint`` (from the file name) or the import's year."""
    fmt, index = found.format, found.index
    out = Parsed(sheet.name, fmt.platform, [], {}, {}, [], list(sheet.notes))
    rows = [(n, c) for n, c in sheet.rows if n > found.header_line and c]
    when = datetime.fromtimestamp(time.time() if now is None else now, timezone.utc)
    dates = _dates(out, fmt, index, rows, year_hint, when)
    seen: dict[str, int] = {}
    for line, cells in rows:
        post = _post(out, found, line, cells, dates.get(line))
        if post is None:
            continue
        if post.post_id in seen:
            out.problems.append(Problem(sheet.name, line, f"post {post.post_id} again (line "
                                        f"{seen[post.post_id]}): the later row is kept"))  # fmt: skip
            out.posts = [p for p in out.posts if p.post_id != post.post_id]
        seen[post.post_id] = line
        out.posts.append(post)
        out.lines[post.post_id] = line
        out.texts[post.post_id] = " ".join(
            filter(None, (_cell(cells, index, (c,)) for c in fmt.text))
        )
    return out


def _post(
    out: Parsed, found: Found, line: int, cells: Sequence[str], published: str | None
) -> PlatformPost | None:
    fmt, index = found.format, found.index
    raw_id = _cell(cells, index, fmt.post_id)
    if raw_id.lower() in _TOTAL or (cells and cells[0].strip().lower() in _TOTAL):
        return None  # YouTube's first row, and summary rows
    if not raw_id:
        out.problems.append(Problem(out.sheet, line, f"no {fmt.post_id[0]}: row skipped"))
        return None
    if re.fullmatch(r"\d(\.\d+)?[eE]\+\d+", raw_id):
        out.problems.append(Problem(out.sheet, line, f"post id {raw_id!r} was rounded by a "
                                    "spreadsheet: row skipped (export again, open as text)"))  # fmt: skip
        return None
    post_id = fmt.id_from(raw_id) if fmt.id_from else raw_id
    permalink = _cell(cells, index, fmt.permalink) or (
        fmt.link_for(post_id) if fmt.link_for else ""
    )
    title = " ".join(_cell(cells, index, fmt.title).split())[:TITLE_LENGTH]
    metrics = _metrics(out, found, line, cells)
    return PlatformPost(fmt.platform, post_id, permalink, title, published, metrics)


def _metrics(out: Parsed, found: Found, line: int, cells: Sequence[str]) -> dict[str, int]:
    metrics: dict[str, int] = {}
    for name, header, column, metric in found.metric_columns:
        if column >= len(cells):
            continue
        cell = cells[column]
        try:
            value = values.count(cell) if metric.kind == "count" else values.number(cell)
        except ValueProblem as exc:
            out.problems.append(Problem(out.sheet, line, f"{header!r}: {exc}: left out"))
            continue
        if value is not MISSING:
            assert isinstance(value, (int, float))
            metrics[name] = round(value * metric.scale)
    return metrics


def _dates(
    out: Parsed,
    fmt: PostFormat,
    index: Mapping[str, int],
    rows: Sequence[tuple[int, Sequence[str]]],
    year_hint: int | None,
    now: datetime,
) -> dict[int, str]:
    """Each row's publish date as ISO, the column's day/month order decided from all of it."""
    stamps: dict[int, values.Stamp] = {}
    for line, cells in rows:
        cell = _cell(cells, index, fmt.published)
        try:
            s = values.stamp(cell)
        except ValueProblem as exc:
            out.problems.append(Problem(out.sheet, line, f"publish time: {exc}: left out"))
            continue
        if isinstance(s, values.Stamp):
            stamps[line] = s
    day_first, shown = values.day_first(stamps.values(), fmt.day_first)
    if not shown:
        order = "day/month" if day_first else "month/day"
        out.notes.append(f"dates such as 03/04 read as {order} (the {fmt.platform} default)")
    year, from_now = _year(out, stamps, year_hint, now)
    iso: dict[int, str] = {}
    for line, s in stamps.items():
        later = s.year is None and (s.first, s.second) > (now.month, now.day)
        try:  # in a file dated by the import, a later month than now was last year
            iso[line] = values.iso(s, day_first=day_first, year=year - (from_now and later))
        except ValueProblem as exc:
            out.problems.append(Problem(out.sheet, line, f"publish time: {exc}: left out"))
    return iso


def _year(
    out: Parsed, stamps: Mapping[int, values.Stamp], year_hint: int | None, now: datetime
) -> tuple[int, bool]:
    """The year for dates without one, and whether it is the import's."""
    if all(s.year is not None for s in stamps.values()):
        return now.year, False
    dated: dict[int, int] = defaultdict(int)
    for s in stamps.values():
        if s.year is not None:
            dated[s.year] += 1
    if year_hint is not None:
        source, year = "the file name", year_hint
    elif dated:
        source, year = "the file's other dates", max(dated, key=lambda y: dated[y])
    else:
        source, year = "the import date (a later month: the year before)", now.year
    out.notes.append(f"dates without a year (e.g. 'Sep 21') took {year} from {source}")
    return year, year_hint is None and not dated


def year_in_name(name: str) -> int | None:
    """The last 20xx year in a file's name, or in the name of the zip or workbook it came in
    (TikTok and X name exports by their date range); never from the folders above."""
    parts = name.replace("\\", "/").split("/")
    named = [p for p in parts[:-1] if p.lower().endswith((".zip", ".xlsx"))] + parts[-1:]
    for part in reversed(named):
        years = re.findall(r"(?<!\d)(20\d{2})(?!\d)", part)
        if years:
            return int(years[-1])
    return None


def with_video(parsed: Parsed, videos: Mapping[str, str]) -> Parsed:
    """``parsed`` with the posts in ``videos`` (post id -> video id) matched."""
    posts = [replace(p, video_id=videos.get(p.post_id, p.video_id)) for p in parsed.posts]
    return replace(parsed, posts=posts)
