"""Getting the platforms' data in: export files -> posts and audiences; member attributes.

Every file is read and understood before anything is written (an unknown file stops the
import with nothing stored); then all of it is written in one transaction through
:mod:`vidkit.insights.data`. A post is tied to a vidkit video by a share link in its text
(resolved through the registry) or by a match recorded with :func:`match_post`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from vidkit.insights import audience, data, exports, sheets
from vidkit.insights.exports import Parsed, Problem
from vidkit.insights.sheets import ExportError, Sheet
from vidkit.share.links import SHARE_PREFIX
from vidkit.track.registry import Registry, valid_code

# a share link: any host (and base path), then the share prefix and a code; the scheme may be
# left off when the host has a dot ("example.org/s/AbC123de")
_SHARE_LINK = re.compile(
    r"(?:https?://([^\s/?#\"'<>]+)|(?<![\w/.])([\w-]+(?:\.[\w-]+)+(?::\d+)?))"
    r"(?:/[^\s?#\"'<>]*?)?" + re.escape(SHARE_PREFIX) + r"(\w+)",
    re.IGNORECASE,
)
# the platforms' own /s/ paths (Instagram's story highlights) are not vidkit's
_PLATFORM_HOSTS = ("facebook.com", "instagram.com", "tiktok.com", "youtube.com", "x.com",
                   "twitter.com")  # fmt: skip


def share_codes(text: str) -> list[str]:
    """The codes of share links in ``text`` (also inside percent-encoded redirect links), in
    order, each once."""
    found: list[str] = []
    for chunk in (text, unquote(text)):
        for scheme_host, bare_host, code in _SHARE_LINK.findall(chunk):
            host = (scheme_host or bare_host).lower().split(":")[0]
            if any(host == d or host.endswith(f".{d}") for d in _PLATFORM_HOSTS):
                continue
            if valid_code(code) and code not in found:
                found.append(code)
    return found


@dataclass
class FileResult:
    """What importing one table did: counts, the posts still unmatched, what was skipped."""

    path: str
    platform: str | None
    kind: str  # "posts", "audience" or "skipped"
    rows: int = 0
    matched: int = 0
    unmatched_posts: list[dict[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)

    @property
    def unmatched(self) -> int:
        return self.rows - self.matched if self.kind == "posts" else 0

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "path": self.path, "platform": self.platform, "rows": self.rows,
            "matched": self.matched, "unmatched": self.unmatched, "kind": self.kind,
            "unmatched_posts": self.unmatched_posts,
            "warnings": [str(p) for p in self.problems], "notes": self.notes,
        }  # fmt: skip
        if self.kind == "audience":
            out["dimensions"] = self.dimensions
        return out


@dataclass
class _Item:
    result: FileResult
    parsed: Parsed | None = None
    audience: audience.Audience | None = None


def read_exports(
    paths: Sequence[Path], platform: str | None = None, now: float | None = None
) -> list[_Item]:
    """Every table of every file, understood (nothing written). Raises :class:`ExportError`
    for a file vidkit cannot read or recognise."""
    items: list[_Item] = []
    for path in paths:
        tables = sheets.read(path)
        if not tables:
            raise ExportError("holds no CSV or XLSX tables", path=path)
        found = [(_understand(sheet, platform, now), sheet) for sheet in tables]
        known = [i for i, _ in found if i is not None]
        strange = [s for i, s in found if i is None]
        if strange and not any(i.result.kind != "skipped" for i in known):
            raise exports.unknown(strange[0], platform)
        items += known
        note = "not a table vidkit knows: left out"
        items += [_Item(FileResult(s.name, None, "skipped", notes=[note])) for s in strange]
    return items


def _understand(sheet: Sheet, platform: str | None, now: float | None) -> _Item | None:
    found = exports.detect(sheet, platform)
    if found is not None:
        year = exports.year_in_name(sheet.name)
        parsed = exports.posts_from_sheet(sheet, found, year_hint=year, now=now)
        result = FileResult(sheet.name, parsed.platform, "posts", rows=len(parsed.posts),
                            problems=parsed.problems, notes=parsed.notes)  # fmt: skip
        return _Item(result, parsed=parsed)
    series = audience.series_platform(sheet.name)
    if series:
        note = "an account series (daily totals or viewers), not per post: left out"
        return _Item(FileResult(sheet.name, platform or series, "skipped", notes=[note]))
    heard = audience.audience_from_sheet(sheet)
    named = any(w in sheet.name.lower() for w in ("audience", "follower"))
    if heard.rows and (named or {"age", "gender", "age_gender"} & set(heard.dimensions)):
        who, note = audience.platform_of(sheet.name, platform)
        notes = heard.notes + ([note] if note else [])
        result = FileResult(sheet.name, who, "audience", rows=len(heard.rows),
                            problems=heard.problems, notes=notes, dimensions=heard.dimensions)  # fmt: skip
        return _Item(result, audience=heard)
    return None


def import_files(
    registry: Registry, paths: Sequence[Path], platform: str | None = None
) -> list[FileResult]:
    """Import the exports in ``paths`` (all or nothing): posts matched to videos by share
    links or recorded matches, audiences replaced per platform and dimension."""
    now = registry.clock()
    items = read_exports(paths, platform, now)
    db = registry.db
    with db.transaction():
        for item in items:
            if item.parsed is not None:
                _save_posts(registry, item, int(now))
            elif item.audience is not None and item.result.platform:
                data.save_audience(db, item.result.platform, item.audience.rows, int(now))
    return [i.result for i in items]


def _save_posts(registry: Registry, item: _Item, now: int) -> None:
    assert item.parsed is not None
    parsed, result = item.parsed, item.result
    videos: dict[str, str] = {}
    for post in parsed.posts:
        video, note = _linked_video(registry, parsed.texts.get(post.post_id, ""))
        if video:
            videos[post.post_id] = video
        if note:
            result.problems.append(Problem(parsed.sheet, parsed.lines[post.post_id], note))
    parsed = exports.with_video(parsed, videos)
    result.matched = data.save_posts(registry.db, parsed.posts, now)
    mine = {p.post_id for p in parsed.posts}
    result.unmatched_posts = [
        {"post_id": p.post_id, "permalink": p.permalink, "title": p.title}
        for p in data.posts(registry.db, matched=False)
        if p.platform == parsed.platform and p.post_id in mine
    ]


def _linked_video(registry: Registry, text: str) -> tuple[str | None, str | None]:
    """The video a post's share link leads to, and a note when a link did not resolve."""
    videos: list[str] = []
    strangers: list[str] = []
    for code in share_codes(text):
        link = registry.link(code)
        if link is None:
            strangers.append(code)
        elif link.video_id not in videos:
            videos.append(link.video_id)
    if len(videos) > 1:
        return videos[0], f"share links to {len(videos)} videos: matched to the first, {videos[0]}"
    if not videos and strangers:
        return None, f"share link code {strangers[0]!r} is not in this database"
    return (videos[0] if videos else None), None


# matching by hand ---------------------------------------------------------------------------


def post_keys(ref: str) -> list[str]:
    """What a post id or permalink may be recorded as: itself, the platform's id in it
    (YouTube, TikTok, X), and the link without its query or trailing slash."""
    ref = ref.strip()
    keys = [ref]
    if "/" not in ref:
        return keys
    found = re.search(r"/(?:video|photo|status)/(\d+)", ref)
    derived = exports.youtube_id(ref) or (found.group(1) if found else None)
    parts = urlsplit(ref)
    bare = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    for key in (derived, bare, bare.rstrip("/"), bare.rstrip("/") + "/"):
        if key and key not in keys and key not in ("/", "https:///", "http:///"):
            keys.append(key)
    return keys


def match_post(registry: Registry, ref: str, video_id: str) -> list[data.PlatformPost]:
    """Tie the post ``ref`` (id or permalink) to ``video_id`` now and for later imports.
    Returns the imported posts it matched. Raises NotFoundError for an unknown video."""
    registry.video(video_id)
    keys = post_keys(ref)
    now = int(registry.clock())
    with registry.db.transaction():
        for key in keys:
            data.match(registry.db, key, video_id, now)
        return [
            p for p in data.posts(registry.db, matched=True)
            if p.video_id == video_id and (p.post_id in keys or p.permalink in keys)
        ]  # fmt: skip


# members ------------------------------------------------------------------------------------


@dataclass
class Members:
    """A members file, understood: attributes per sharer (never printed per person)."""

    path: str
    members: dict[str, dict[str, str]]
    columns: list[str]

    def counts(self) -> dict[str, int]:
        """How many members have a value for each attribute."""
        return {c: sum(c in a for a in self.members.values()) for c in self.columns}


def _attribute(header: str) -> str:
    return re.sub(r"[\s-]+", "_", header.strip().lower())


def read_members(path: Path) -> Members:
    """``path``'s ``sharer`` column and attribute columns. Raises :class:`ExportError` naming
    the line for a row without a sharer, a sharer twice, or cells past the header."""
    table = sheets.read(path)[0]
    rows = [(n, c) for n, c in table.rows if c]
    if not rows:
        raise ExportError("is empty: expected a header with a 'sharer' column", path=path)
    line, header = rows[0]
    names = [_attribute(h) for h in header]
    if "sharer" not in names:
        raise ExportError("has no 'sharer' column (the sharer value of members' share links)",
                          path=path, line=line, hint=f"its columns: {', '.join(header)}")  # fmt: skip
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        raise ExportError(f"column {dupes[0]!r} appears twice", path=path, line=line)
    key = names.index("sharer")
    members: dict[str, dict[str, str]] = {}
    first: dict[str, int] = {}
    for n, cells in rows[1:]:
        sharer = cells[key].strip() if key < len(cells) else ""
        _check_member(path, n, sharer, cells, names, first)
        first[sharer] = n
        members[sharer] = {
            names[i]: v.strip() for i, v in enumerate(cells) if i != key and v.strip()
        }
    return Members(str(path), members, [c for c in names if c and c != "sharer"])


def _check_member(
    path: Path, line: int, sharer: str, cells: Sequence[str], names: list[str],
    first: dict[str, int],
) -> None:  # fmt: skip
    if not sharer:
        raise ExportError("no sharer on this line", path=path, line=line)
    if len(sharer) > 64:
        raise ExportError("the sharer is over 64 characters (links' sharers are 1-64)",
                          path=path, line=line)  # fmt: skip
    if sharer in first:
        raise ExportError(f"sharer {sharer!r} again (first on line {first[sharer]})",
                          path=path, line=line)  # fmt: skip
    extra = [c for i, c in enumerate(cells) if (i >= len(names) or not names[i]) and c.strip()]
    if extra:
        raise ExportError(f"{len(extra)} value(s) under no column heading", path=path, line=line)


def import_members(registry: Registry, path: Path) -> tuple[Members, list[str]]:
    """Store ``path``'s member attributes; returns them and the sharers no link carries."""
    members = read_members(path)
    known = {link.sharer for link in registry.links() if link.sharer}
    data.save_members(registry.db, members.members)
    return members, sorted(set(members.members) - known)


def flatten(results: Iterable[FileResult]) -> dict[str, list[dict[str, object]]]:
    """The ``--json`` shape: ``{"files": [{"path", "platform", "rows", "matched",
    "unmatched", ...}]}``."""
    return {"files": [r.to_dict() for r in results]}
