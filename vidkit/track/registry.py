"""The registry: published videos, their share links (a tree), raw events and visitor salts.

A thin domain layer over :mod:`vidkit.track.database`; it opens the database and migrates the schema
forward on start. Stats and retention live in :mod:`vidkit.track.stats` and :mod:`vidkit.track.retention`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import string
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from vidkit.errors import ConfigError, VidkitError
from vidkit.track import rollups
from vidkit.track.database import Database, connect
from vidkit.track.schema import migrate

Clock = Callable[[], float]
KINDS = ("click", "preview", "play", "p25", "p50", "p75", "p100", "cta")
CHANNELS = ("whatsapp", "facebook", "x", "telegram", "linkedin", "sms", "email", "copy", "native")
_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8


class NotFoundError(VidkitError):
    """A video or link that the registry does not know."""


@dataclass(frozen=True)
class Caption:
    """A published WebVTT caption track of a video."""

    key: str  # WebVTT object
    lang: str
    label: str


@dataclass(frozen=True)
class Video:
    """A published video: its storage keys (content hashes), title and probed properties."""

    id: str
    sha256: str
    title: str
    description: str
    video_key: str
    poster_key: str | None
    card_key: str | None
    captions: tuple[Caption, ...]
    width: int
    height: int
    duration: float
    size: int
    created: int
    template: str | None = None  # the template it was made with, when vidkit made it
    caption_style: str | None = None
    burned_captions: bool = False  # captions drawn into the picture (the page offers no CC)
    cta_text: str | None = None  # the page's call to action; cta_url is the only place it goes
    cta_url: str | None = None


@dataclass(frozen=True)
class Link:
    """A share link: a short ``code`` for one video, optionally tagged with the channel and
    sharer it was handed to, and the link it was re-shared from (``parent_id``: the tree)."""

    id: int
    code: str
    video_id: str
    channel: str | None
    sharer: str | None
    parent_id: int | None
    created: int
    display_name: str | None = None  # shown as "Shared by ..." only when the member chose it

    def to_dict(self, codes: dict[int, str]) -> dict[str, str | None]:
        """The link as vidkit prints it (CLI, API, stats): the parent as its code, from
        ``codes`` (:meth:`Registry.link_codes`)."""
        return {
            "code": self.code,
            "video_id": self.video_id,
            "channel": self.channel,
            "sharer": self.sharer,
            "parent": codes.get(self.parent_id) if self.parent_id is not None else None,
        }


class Event(NamedTuple):
    """One counted request. ``visitor`` is a truncated salted HMAC, never an address.

    A named tuple rather than a dataclass: the share server makes one per click.
    """

    ts: int
    link_id: int
    kind: str
    visitor: str | None = None
    referrer: str | None = None  # host only
    country: str | None = None
    agent: str | None = None  # the preview agent's family, e.g. "whatsapp"

    @property
    def day(self) -> str:
        return utc_day(self.ts)


def utc_day(ts: float) -> str:
    """The UTC calendar day of a Unix time, as YYYY-MM-DD."""
    return _day(int(ts // 86400))


@functools.lru_cache(maxsize=64)
def _day(days: int) -> str:
    return datetime.fromtimestamp(days * 86400, timezone.utc).strftime("%Y-%m-%d")


def new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def valid_code(code: str) -> bool:
    return 4 <= len(code) <= 32 and all(c in _ALPHABET for c in code)


_VIDEO_COLS = (
    "id, sha256, title, description, video_key, poster_key, card_key, captions, width, height, "
    "duration, size, created, template, caption_style, burned_captions, cta_text, cta_url"
)
_LINK_COLS = "id, code, video_id, channel, sharer, parent_id, created, display_name"
ROWS_PER_INSERT = 500  # one statement per 500 events: few round trips, few GIL hand-offs


@functools.lru_cache(maxsize=4)
def _event_insert(rows: int) -> str:
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * rows)
    return (
        "INSERT INTO events (ts, day, link_id, kind, visitor, referrer, country, agent) "
        f"VALUES {values}"
    )


def seen_key(ts: float, link_id: int, visitor: str) -> int:
    """One number for "this visitor clicked this link on this UTC day": the day in the high
    bits (so a day's keys are one range, deleted with its events) and 48 bits of a hash."""
    digest = hashlib.blake2b(f"{link_id}:{visitor}".encode(), digest_size=6).digest()
    return (int(ts // 86400) << 48) | int.from_bytes(digest, "big")


def seen_floor(day: str) -> int:
    """The smallest :func:`seen_key` of UTC day ``day`` (YYYY-MM-DD)."""
    start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
    return int(start // 86400) << 48


def roll_up(db: Database, rows: Sequence[tuple[Any, ...]]) -> None:
    """Add event ``rows`` (as inserted) to the daily rollups, in the caller's transaction:
    counts per day, link and kind, new daily unique visitors of each link (a click whose
    visitor was not seen that day), and clicks per referrer and country; and per day for the
    whole campaign (``day_totals``). The all-time totals per link grow when a day closes."""
    counts: Counter[tuple[str, int, str]] = Counter()
    audience: Counter[tuple[str, int, str, str]] = Counter()
    first: dict[int, tuple[str, int, str]] = {}
    for ts, day, link_id, kind, visitor, referrer, country, _agent in rows:
        counts[(day, link_id, kind)] += 1
        if kind == "click":
            audience[(day, link_id, "referrer", referrer or "")] += 1
            audience[(day, link_id, "country", country or "")] += 1
            if visitor is not None:
                first.setdefault(seen_key(ts, link_id, visitor), (day, link_id, kind))
    new: Counter[tuple[str, int, str]] = Counter()
    keys = list(first)
    for i in range(0, len(keys), ROWS_PER_INSERT):
        chunk = keys[i : i + ROWS_PER_INSERT]
        values = ", ".join(["(?)"] * len(chunk))
        for (key,) in db.query(
            f"INSERT INTO visitors_seen (key) VALUES {values} ON CONFLICT DO NOTHING RETURNING key",
            chunk,
        ):
            new[first[int(key)]] += 1
    _upsert(db, "daily_links (day, link_id, kind, n, uniques)", "day, link_id, kind",
            "n = daily_links.n + excluded.n, uniques = daily_links.uniques + excluded.uniques",
            [(*key, n, new[key]) for key, n in counts.items()])  # fmt: skip
    _upsert(db, "daily_audience (day, link_id, dimension, value, n)",
            "day, link_id, dimension, value", "n = daily_audience.n + excluded.n",
            [(*key, n) for key, n in audience.items()])  # fmt: skip
    _roll_totals(db, counts, new, audience)


def _roll_totals(
    db: Database,
    counts: Counter[tuple[str, int, str]],
    new: Counter[tuple[str, int, str]],
    audience: Counter[tuple[str, int, str, str]],
) -> None:
    """The batch's cells added to the campaign's per-day totals; and, for the rare event of a
    day already closed (see :func:`rollups.close_days`), to the all-time totals per link."""
    days: Counter[tuple[str, str]] = Counter()
    day_uniques: Counter[tuple[str, str]] = Counter()
    for (day, _link_id, kind), n in counts.items():
        days[(day, kind)] += n
    for (day, _link_id, kind), n in new.items():
        day_uniques[(day, kind)] += n
    _upsert(db, "day_totals (day, kind, n, uniques)", "day, kind",
            "n = day_totals.n + excluded.n, uniques = day_totals.uniques + excluded.uniques",
            [(*key, n, day_uniques[key]) for key, n in days.items()])  # fmt: skip
    closed = rollups.closed_through(db)
    if min(days)[0] >= closed:  # as good as always: nothing late
        return
    totals: Counter[tuple[int, str]] = Counter()
    uniques: Counter[tuple[int, str]] = Counter()
    for (day, link_id, kind), n in counts.items():
        if day < closed:
            totals[(link_id, kind)] += n
            uniques[(link_id, kind)] += new[(day, link_id, kind)]
    reach: Counter[tuple[int, str, str]] = Counter()
    for (day, link_id, dim, value), n in audience.items():
        if day < closed:
            reach[(link_id, dim, value)] += n
    _upsert(db, "link_totals (link_id, kind, n, uniques)", "link_id, kind",
            "n = link_totals.n + excluded.n, uniques = link_totals.uniques + excluded.uniques",
            [(*key, n, uniques[key]) for key, n in totals.items()])  # fmt: skip
    _upsert(db, "audience_totals (link_id, dimension, value, n)", "link_id, dimension, value",
            "n = audience_totals.n + excluded.n", [(*k, n) for k, n in reach.items()])  # fmt: skip


def _upsert(db: Database, table: str, key: str, update: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    width = len(rows[0])
    for i in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[i : i + ROWS_PER_INSERT]
        values = ", ".join(["(" + ", ".join(["?"] * width) + ")"] * len(chunk))
        db.execute(
            f"INSERT INTO {table} VALUES {values} ON CONFLICT ({key}) DO UPDATE SET {update}",
            [v for row in chunk for v in row],
        )


class Registry:
    """Videos, links, events and salts in one database."""

    def __init__(self, db: Database, clock: Clock = time.time) -> None:
        self.db = db
        self.clock = clock
        self._closed = ""  # the days before this one are in the all-time totals (as last seen)

    @classmethod
    def open(cls, url: str, clock: Clock = time.time) -> Registry:
        db = connect(url)
        try:
            migrate(db)
        except BaseException:
            db.close()
            raise
        return cls(db, clock)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # videos --------------------------------------------------------------------------------

    def register(self, video: Video) -> tuple[Video, Link, bool]:
        """Record ``video`` and mint its root share link, in one transaction.

        The same file (same SHA-256) registers once: publishing it again updates its title,
        description, call to action and link card (made with the title; the earlier card stays
        published) and returns the existing video and root link (``created`` is False).
        """
        with self.db.transaction():
            found = self.db.query("SELECT id FROM videos WHERE sha256 = ?", (video.sha256,))
            if found:
                vid = found[0][0]
                self.db.execute(
                    "UPDATE videos SET title = ?, description = ?, cta_text = ?, cta_url = ?, "
                    "card_key = COALESCE(?, card_key) WHERE id = ?",
                    (video.title, video.description, video.cta_text, video.cta_url,
                     video.card_key, vid),
                )  # fmt: skip
                self._keep_keys(vid, video)
                root = self._root_link(vid)
                return self.video(vid), root, False
            self.db.execute(
                f"INSERT INTO videos ({_VIDEO_COLS}) VALUES ({', '.join(['?'] * 18)})",
                (
                    video.id,
                    video.sha256,
                    video.title,
                    video.description,
                    video.video_key,
                    video.poster_key,
                    video.card_key,
                    json.dumps([c.__dict__ for c in video.captions]),
                    video.width,
                    video.height,
                    video.duration,
                    video.size,
                    video.created,
                    video.template,
                    video.caption_style,
                    int(video.burned_captions),
                    video.cta_text,
                    video.cta_url,
                ),
            )
            self._keep_keys(video.id, video)
            root = self.create_link(video.id)
            return video, root, True

    def _keep_keys(self, video_id: str, video: Video) -> None:
        keys = [k for k in (video.video_key, video.poster_key, video.card_key) if k is not None]
        self.db.executemany(
            "INSERT INTO published_keys (key, video_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(key, video_id) for key in keys],
        )

    def _root_link(self, video_id: str) -> Link:
        rows = self.db.query(
            f"SELECT {_LINK_COLS} FROM links WHERE video_id = ? AND parent_id IS NULL "
            "AND channel IS NULL AND sharer IS NULL ORDER BY id LIMIT 1",
            (video_id,),
        )
        return _link(rows[0]) if rows else self.create_link(video_id)

    def video(self, video_id: str) -> Video:
        rows = self.db.query(f"SELECT {_VIDEO_COLS} FROM videos WHERE id = ?", (video_id,))
        if not rows:
            raise NotFoundError(f"no video {video_id!r}", hint="see `vidkit links list`")
        return _video(rows[0])

    def videos(self, limit: int | None = None, offset: int = 0) -> list[Video]:
        sql = f"SELECT {_VIDEO_COLS} FROM videos ORDER BY created, id" + _page(limit, offset)
        return [_video(r) for r in self.db.query(sql)]

    def published_key(self, key: str) -> bool:
        """``key`` is a file a video was published with (video, poster or a card, the earlier
        cards of a re-published video included), not any stored object."""
        return bool(self.db.query("SELECT 1 FROM published_keys WHERE key = ?", (key,)))

    # links ---------------------------------------------------------------------------------

    def create_link(
        self,
        video_id: str,
        *,
        channel: str | None = None,
        sharer: str | None = None,
        parent: str | None = None,
        display_name: str | None = None,
    ) -> Link:
        """Mint a new share link for ``video_id``, optionally under a ``parent`` link code;
        ``display_name`` is how its member chose to be named on the page (never otherwise)."""
        named = (("channel", channel), ("sharer", sharer), ("display_name", display_name))
        for name, value in named:
            if value is not None and (not 0 < len(value) <= 64 or "\n" in value):
                raise ConfigError(f"{name} must be 1-64 characters on one line", key=name)
        with self.db.transaction():
            self.video(video_id)
            parent_id = None
            if parent is not None:
                up = self.link(parent)
                if up is None or up.video_id != video_id:
                    raise NotFoundError(f"no link {parent!r} for video {video_id}")
                parent_id = up.id
            return self._insert_link(video_id, channel, sharer, parent_id, 0, display_name)

    def _insert_link(
        self,
        video_id: str,
        channel: str | None,
        sharer: str | None,
        parent_id: int | None,
        auto: int,
        display_name: str | None = None,
    ) -> Link:
        for _ in range(5):
            code = new_code()
            if self.db.query("SELECT 1 FROM links WHERE code = ?", (code,)):
                continue
            rows = self.db.query(
                "INSERT INTO links (code, video_id, channel, sharer, parent_id, auto, created, "
                "display_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING "
                f"RETURNING {_LINK_COLS}",
                (code, video_id, channel, sharer, parent_id, auto, int(self.clock()), display_name),
            )
            if rows:
                return _link(rows[0])
            if auto:  # another server minted this child first
                rows = self.db.query(
                    f"SELECT {_LINK_COLS} FROM links WHERE parent_id = ? AND channel = ? "
                    "AND auto = 1",
                    (parent_id, channel),
                )
                if rows:
                    return _link(rows[0])
        raise VidkitError("could not mint a unique link code")  # pragma: no cover

    def child_links(self, parent: Link, channels: Sequence[str] = CHANNELS) -> dict[str, Link]:
        """The child link of ``parent`` for each share channel, minted once and then reused."""
        with self.db.transaction():
            rows = self.db.query(
                f"SELECT {_LINK_COLS} FROM links WHERE parent_id = ? AND auto = 1", (parent.id,)
            )
            have = {r[3]: _link(r) for r in rows}
            for channel in channels:
                if channel not in have:
                    have[channel] = self._insert_link(
                        parent.video_id, channel, None, parent.id, auto=1
                    )
        return {c: have[c] for c in channels}

    def link(self, code: str) -> Link | None:
        if not valid_code(code):
            return None
        rows = self.db.query(f"SELECT {_LINK_COLS} FROM links WHERE code = ?", (code,))
        return _link(rows[0]) if rows else None

    def link_depth(self, link: Link) -> int:
        """How many parents ``link`` has (0 for a link minted by the campaign)."""
        depth, parent = 0, link.parent_id
        while parent is not None and depth < 1000:
            rows = self.db.query("SELECT parent_id FROM links WHERE id = ?", (parent,))
            parent = rows[0][0] if rows else None
            depth += 1
        return depth

    def links(
        self, video_id: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Link]:
        page = _page(limit, offset)
        if video_id is None:
            rows = self.db.query(f"SELECT {_LINK_COLS} FROM links ORDER BY id{page}")
        else:
            rows = self.db.query(
                f"SELECT {_LINK_COLS} FROM links WHERE video_id = ? ORDER BY id{page}", (video_id,)
            )
        return [_link(r) for r in rows]

    def link_codes(self) -> dict[int, str]:
        return {int(r[0]): r[1] for r in self.db.query("SELECT id, code FROM links")}

    # events --------------------------------------------------------------------------------

    def record(
        self, events: Iterable[Event], *, segment: str | None = None, position: int = 0
    ) -> None:
        """Insert ``events``; with ``segment``, store the click-log position in the same commit."""
        rows = [
            (e.ts, e.day, e.link_id, e.kind, e.visitor, e.referrer, e.country, e.agent)
            for e in events
        ]
        if rows and (newest := max(row[1] for row in rows)) > self._closed:
            # a new day: the days before it are summed into the all-time totals, once
            self._closed = rollups.close_days(self.db, newest)
        with self.db.transaction():
            if rows:
                # Multi-row statements rather than executemany: a row at a time, the driver
                # hands the GIL back and forth per row and starves under a busy event loop.
                for i in range(0, len(rows), ROWS_PER_INSERT):
                    chunk = rows[i : i + ROWS_PER_INSERT]
                    self.db.execute(_event_insert(len(chunk)), [v for row in chunk for v in row])
                roll_up(self.db, rows)
            if segment is not None:
                self.db.execute(
                    "INSERT INTO log_segments (name, position) VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                    (segment, position),
                )

    def log_position(self, segment: str) -> int:
        rows = self.db.query("SELECT position FROM log_segments WHERE name = ?", (segment,))
        return int(rows[0][0]) if rows else 0

    def forget_segment(self, segment: str) -> None:
        self.db.execute("DELETE FROM log_segments WHERE name = ?", (segment,))

    def event_count(self, kind: str | None = None) -> int:
        if kind is None:
            return int(self.db.query("SELECT COUNT(*) FROM events")[0][0])
        return int(self.db.query("SELECT COUNT(*) FROM events WHERE kind = ?", (kind,))[0][0])

    # facts about this database --------------------------------------------------------------

    def meta(self, name: str) -> str:
        """A value made with the database (schema 4): ``database_id`` or ``view_secret``."""
        rows = self.db.query("SELECT value FROM vidkit_meta WHERE name = ?", (name,))
        if not rows:
            raise VidkitError(f"the database has no {name!r}")  # pragma: no cover
        return str(rows[0][0])

    # salts ---------------------------------------------------------------------------------

    def salt(self, day: str) -> bytes:
        """The random salt for unique-visitor hashes on ``day`` (UTC), made on first use.

        Salts older than 48 hours are deleted whenever a new one is made, so yesterday's
        visitor hashes can no longer be recomputed from an address.
        """
        rows = self.db.query("SELECT salt FROM salts WHERE day = ?", (day,))
        if rows:
            return bytes(rows[0][0])
        now = self.clock()
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO salts (day, salt, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (day, secrets.token_bytes(32), int(now)),
            )
            self.drop_salts(now)
            rows = self.db.query("SELECT salt FROM salts WHERE day = ?", (day,))
        return bytes(rows[0][0])

    def drop_salts(self, now: float) -> int:
        """Delete salts made more than 48 hours before ``now``; return how many."""
        cutoff = int(now - 48 * 3600)
        old = self.db.query("SELECT COUNT(*) FROM salts WHERE created < ?", (cutoff,))[0][0]
        self.db.execute("DELETE FROM salts WHERE created < ?", (cutoff,))
        return int(old)

    def salt_days(self) -> list[str]:
        return [r[0] for r in self.db.query("SELECT day FROM salts ORDER BY day")]


def _video(row: Sequence[object]) -> Video:
    caps = tuple(Caption(**c) for c in json.loads(str(row[7])))
    return Video(
        id=str(row[0]),
        sha256=str(row[1]),
        title=str(row[2]),
        description=str(row[3]),
        video_key=str(row[4]),
        poster_key=row[5],  # type: ignore[arg-type]
        card_key=row[6],  # type: ignore[arg-type]
        captions=caps,
        width=int(row[8]),  # type: ignore[call-overload]
        height=int(row[9]),  # type: ignore[call-overload]
        duration=float(row[10]),  # type: ignore[arg-type]
        size=int(row[11]),  # type: ignore[call-overload]
        created=int(row[12]),  # type: ignore[call-overload]
        template=row[13],  # type: ignore[arg-type]
        caption_style=row[14],  # type: ignore[arg-type]
        burned_captions=bool(row[15]),
        cta_text=row[16],  # type: ignore[arg-type]
        cta_url=row[17],  # type: ignore[arg-type]
    )


def _link(row: Sequence[object]) -> Link:
    return Link(
        id=int(row[0]),  # type: ignore[call-overload]
        code=str(row[1]),
        video_id=str(row[2]),
        channel=row[3],  # type: ignore[arg-type]
        sharer=row[4],  # type: ignore[arg-type]
        parent_id=None if row[5] is None else int(row[5]),  # type: ignore[call-overload]
        created=int(row[6]),  # type: ignore[call-overload]
        display_name=row[7],  # type: ignore[arg-type]
    )


def _page(limit: int | None, offset: int) -> str:
    """A LIMIT/OFFSET clause from whole numbers (never from text)."""
    if limit is None:
        return ""
    return f" LIMIT {max(0, int(limit))} OFFSET {max(0, int(offset))}"


def days_ago(now: float, days: int) -> str:
    return utc_day(now - timedelta(days=days).total_seconds())
