"""Sums over the daily rollups, grouped in the database: what reports read.

Each reader returns plain rows, already summed over the days in ``[since, until]`` (UTC days,
``YYYY-MM-DD``, either end open), so its answer has one row per link and kind (or per day,
video and channel; or per video and audience value), however many events were recorded: a
report costs links × days to compute in the database and links to carry into Python.

All-time totals per link (``link_totals``, ``audience_totals``) hold the days before the
*closed-through* day (in ``vidkit_meta``); the days since are summed from the daily rollups in
the same statement. Days close once, when the first event of a newer day is recorded
(:func:`close_days`), so keeping the totals costs the share server nothing per event; an event
that arrives for a day already closed (a click log replayed late) is added to them directly.
"""

from __future__ import annotations

from typing import Any

from vidkit.track.database import Database


def _days(since: str | None, until: str | None, column: str = "day") -> tuple[str, list[Any]]:
    """A WHERE clause (possibly empty) keeping ``column`` within the given days."""
    parts, params = [], []
    if since is not None:
        parts.append(f"{column} >= ?")
        params.append(since)
    if until is not None:
        parts.append(f"{column} <= ?")
        params.append(until)
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


CLOSED = "totals_through"  # the vidkit_meta row: the first day not yet in the all-time totals
_CLOSED_DAY = f"(SELECT value FROM vidkit_meta WHERE name = '{CLOSED}')"


def closed_through(db: Database) -> str:
    """The first day whose counts are not yet in the all-time totals, read in the caller's
    transaction (on PostgreSQL with a share lock, so no day closes until it commits)."""
    lock = " FOR SHARE" if db.dialect == "postgresql" else ""
    return str(db.query(f"SELECT value FROM vidkit_meta WHERE name = ?{lock}", (CLOSED,))[0][0])


def close_days(db: Database, upto: str) -> str:
    """Sum the daily rollups of the days before ``upto`` into the all-time totals, in its own
    transaction, once: a server that finds the days already closed does nothing. Returns the
    closed-through day now."""
    with db.transaction():
        lock = " FOR UPDATE" if db.dialect == "postgresql" else ""
        start = str(
            db.query(f"SELECT value FROM vidkit_meta WHERE name = ?{lock}", (CLOSED,))[0][0]
        )
        if upto <= start:
            return start
        db.execute(
            "INSERT INTO link_totals (link_id, kind, n, uniques) SELECT link_id, kind, SUM(n), "
            "SUM(uniques) FROM daily_links WHERE day >= ? AND day < ? GROUP BY link_id, kind "
            "ON CONFLICT (link_id, kind) DO UPDATE SET n = link_totals.n + excluded.n, "
            "uniques = link_totals.uniques + excluded.uniques",
            (start, upto),
        )
        db.execute(
            "INSERT INTO audience_totals (link_id, dimension, value, n) SELECT link_id, "
            "dimension, value, SUM(n) FROM daily_audience WHERE day >= ? AND day < ? "
            "GROUP BY link_id, dimension, value ON CONFLICT (link_id, dimension, value) "
            "DO UPDATE SET n = audience_totals.n + excluded.n",
            (start, upto),
        )
        db.execute("UPDATE vidkit_meta SET value = ? WHERE name = ?", (upto, CLOSED))
    return upto


def link_totals(
    db: Database, since: str | None = None, until: str | None = None
) -> list[tuple[int, str, int, int]]:
    """``(link_id, kind, n, uniques)``: counts of each kind per link, and its daily unique
    visitors summed, over the days (for all time: the ``link_totals`` rollup as it is)."""
    if since is None and until is None:  # closed days' totals and the open days', one snapshot
        rows = db.query(
            "SELECT link_id, kind, SUM(n), SUM(uniques) FROM (SELECT link_id, kind, n, uniques "
            "FROM link_totals UNION ALL SELECT link_id, kind, n, uniques FROM daily_links "
            f"WHERE day >= {_CLOSED_DAY}) t GROUP BY link_id, kind"
        )
        return [(int(a), str(k), int(n), int(u)) for a, k, n, u in rows]
    where, params = _days(since, until)
    rows = db.query(
        f"SELECT link_id, kind, SUM(n), SUM(uniques) FROM daily_links{where} GROUP BY link_id, kind",
        params,
    )
    return [(int(a), str(k), int(n), int(u)) for a, k, n, u in rows]


def daily_clicks(
    db: Database, since: str | None = None, until: str | None = None
) -> list[tuple[str, str, str | None, int]]:
    """``(day, video_id, channel, clicks)``: clicks per day, video and link channel."""
    where, params = _days(since, until, "d.day")
    where = (where + " AND" if where else " WHERE") + " d.kind = 'click'"
    rows = db.query(
        "SELECT d.day, l.video_id, l.channel, SUM(d.n) FROM daily_links d "
        f"JOIN links l ON l.id = d.link_id{where} GROUP BY d.day, l.video_id, l.channel",
        params,
    )
    return [(str(d), str(v), c, int(n)) for d, v, c, n in rows]


def audience_totals(
    db: Database, since: str | None = None, until: str | None = None
) -> list[tuple[str, str, str, int]]:
    """``(video_id, dimension, value, clicks)``: clicks per video by referrer host and by
    country ('' where none was known)."""
    where, params = _days(since, until, "a.day")
    table = "daily_audience a"
    if not where:  # closed days' totals and the open days', one snapshot
        table = (
            "(SELECT link_id, dimension, value, n FROM audience_totals UNION ALL SELECT link_id, "
            f"dimension, value, n FROM daily_audience WHERE day >= {_CLOSED_DAY}) a"
        )
    rows = db.query(
        f"SELECT l.video_id, a.dimension, a.value, SUM(a.n) FROM {table} "
        f"JOIN links l ON l.id = a.link_id{where} GROUP BY l.video_id, a.dimension, a.value",
        params,
    )
    return [(str(v), str(d), str(val), int(n)) for v, d, val, n in rows]


def day_totals(db: Database, video_id: str | None = None) -> list[tuple[str, str, int, int]]:
    """``(day, kind, n, uniques)`` over every link (the ``day_totals`` rollup: days x kinds
    rows) or over ``video_id``'s links (summed from their daily rows)."""
    if video_id is None:
        rows = db.query("SELECT day, kind, n, uniques FROM day_totals ORDER BY day, kind")
    else:
        rows = db.query(
            "SELECT d.day, d.kind, SUM(d.n), SUM(d.uniques) FROM daily_links d "
            "JOIN links l ON l.id = d.link_id WHERE l.video_id = ? GROUP BY d.day, d.kind "
            "ORDER BY d.day, d.kind",
            (video_id,),
        )
    return [(str(d), str(k), int(n), int(u)) for d, k, n, u in rows if int(n)]
