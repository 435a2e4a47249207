"""The insights tables: platform posts, post -> video matches, account audiences, members.

One place for how these facts are stored (schema migration 6). Importers write through the
``save_*`` functions; the report and the dashboard read through the others. Everything is plain
data: a :class:`PlatformPost` in, dictionaries out.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vidkit.track.database import Database

PLATFORMS = ("facebook", "instagram", "youtube", "tiktok", "x")


@dataclass(frozen=True)
class PlatformPost:
    """One post as a platform's export gives it: lifetime totals per metric.

    Metric names are vidkit's own, the same for every platform where the meaning is the same:
    ``views``, ``reach``, ``impressions``, ``likes``, ``comments``, ``shares``, ``clicks``,
    ``watch_seconds`` (and others an importer names); whole numbers only.
    """

    platform: str
    post_id: str
    permalink: str = ""
    title: str = ""
    # ISO 8601: a date, or a date and time (UTC "Z" when the export named a zone, else its local time)
    published: str | None = None
    metrics: Mapping[str, int] = field(default_factory=dict)
    video_id: str | None = None  # the vidkit video, when the post is matched to one


def save_posts(db: Database, posts: Iterable[PlatformPost], now: int) -> int:
    """Add or update ``posts`` (one row per platform and post id, its metrics replaced by the
    newer export's, so re-importing a file adds nothing twice). A post without a video keeps
    the match it had, or takes one recorded with :func:`match`. Returns how many are matched."""
    matched = 0
    with db.transaction():
        for post in posts:
            video = post.video_id or _recorded_match(db, post)
            db.execute(
                "INSERT INTO platform_posts (platform, post_id, permalink, title, published, "
                "video_id, metrics, imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (platform, post_id) DO UPDATE SET permalink = excluded.permalink, "
                "title = excluded.title, published = excluded.published, "
                "video_id = COALESCE(excluded.video_id, platform_posts.video_id), "
                "metrics = excluded.metrics, imported = excluded.imported",
                (post.platform, post.post_id, post.permalink, post.title, post.published,
                 video, json.dumps(dict(post.metrics), sort_keys=True), now),
            )  # fmt: skip
            rows = db.query(
                "SELECT video_id FROM platform_posts WHERE platform = ? AND post_id = ?",
                (post.platform, post.post_id),
            )
            matched += rows[0][0] is not None
    return matched


def _recorded_match(db: Database, post: PlatformPost) -> str | None:
    keys = [k for k in (post.post_id, post.permalink) if k]
    if not keys:
        return None
    marks = ", ".join("?" * len(keys))
    rows = db.query(f"SELECT video_id FROM post_matches WHERE post IN ({marks})", keys)
    return str(rows[0][0]) if rows else None


def match(db: Database, post: str, video_id: str, now: int) -> int:
    """Tie the post with id or permalink ``post`` to ``video_id``, now and for later imports.
    Returns how many imported posts it matched (0 when the post is not imported yet)."""
    with db.transaction():
        db.execute(
            "INSERT INTO post_matches (post, video_id, created) VALUES (?, ?, ?) "
            "ON CONFLICT (post) DO UPDATE SET video_id = excluded.video_id",
            (post, video_id, now),
        )
        found = db.query(
            "SELECT COUNT(*) FROM platform_posts WHERE post_id = ? OR permalink = ?", (post, post)
        )
        db.execute(
            "UPDATE platform_posts SET video_id = ? WHERE post_id = ? OR permalink = ?",
            (video_id, post, post),
        )
    return int(found[0][0])


def posts(db: Database, *, matched: bool | None = None) -> list[PlatformPost]:
    """Imported posts (only matched or only unmatched ones if ``matched`` says so)."""
    where = {None: "", True: " WHERE video_id IS NOT NULL", False: " WHERE video_id IS NULL"}
    rows = db.query(
        "SELECT platform, post_id, permalink, title, published, metrics, video_id "
        f"FROM platform_posts{where[matched]} ORDER BY platform, published, post_id"
    )
    return [
        PlatformPost(str(p), str(i), str(u), str(t), d, json.loads(str(m)), v)
        for p, i, u, t, d, m, v in rows
    ]


def platform_totals(db: Database) -> dict[str, dict[str, dict[str, int]]]:
    """Per vidkit video, per platform, each metric summed over the video's matched posts:
    ``{video_id: {"facebook": {"views": 1200, "posts": 2, ...}, ...}}``."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for post in posts(db, matched=True):
        cell = out.setdefault(str(post.video_id), {}).setdefault(post.platform, {"posts": 0})
        cell["posts"] += 1
        for name, value in post.metrics.items():
            cell[name] = cell.get(name, 0) + int(value)
    return out


def save_audience(
    db: Database, platform: str, rows: Iterable[tuple[str, str, float]], now: int
) -> int:
    """Replace ``platform``'s account-level audience with ``rows`` of (dimension, value,
    share of the audience 0..1), e.g. ("age", "18-24", 0.12). Returns the rows kept."""
    kept = list(rows)
    with db.transaction():
        dims = {d for d, _, _ in kept}
        for dim in dims:
            db.execute(
                "DELETE FROM platform_audience WHERE platform = ? AND dimension = ?",
                (platform, dim),
            )
        db.executemany(
            "INSERT INTO platform_audience (platform, dimension, value, share, imported) "
            "VALUES (?, ?, ?, ?, ?)",
            [(platform, d, v, float(s), now) for d, v, s in kept],
        )
    return len(kept)


def platform_audience(db: Database) -> dict[str, dict[str, list[tuple[str, float]]]]:
    """``{platform: {dimension: [(value, share), ...]}}``, largest share first."""
    out: dict[str, dict[str, list[tuple[str, float]]]] = defaultdict(lambda: defaultdict(list))
    rows = db.query(
        "SELECT platform, dimension, value, share FROM platform_audience "
        "ORDER BY platform, dimension, share DESC, value"
    )
    for platform, dim, value, share in rows:
        out[str(platform)][str(dim)].append((str(value), float(share)))
    return {p: dict(d) for p, d in out.items()}


def save_members(db: Database, members: Mapping[str, Mapping[str, str]]) -> int:
    """Set the attributes of each sharer in ``members`` ({sharer: {attribute: value}}),
    replacing what was held for those sharers. Returns how many sharers were written."""
    with db.transaction():
        for sharer, attributes in members.items():
            db.execute("DELETE FROM members WHERE sharer = ?", (sharer,))
            db.executemany(
                "INSERT INTO members (sharer, attribute, value) VALUES (?, ?, ?)",
                [(sharer, a, v) for a, v in attributes.items()],
            )
    return len(members)


def member_attributes(db: Database) -> dict[str, dict[str, str]]:
    """``{sharer: {attribute: value}}`` as the campaign gave them (never shown unaggregated)."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for sharer, attribute, value in db.query(
        "SELECT sharer, attribute, value FROM members ORDER BY sharer, attribute"
    ):
        out[str(sharer)][str(attribute)] = str(value)
    return dict(out)
