"""Sums over the daily rollups, grouped in the database: what reports read.

Each reader returns plain rows, already summed over the days in ``[since, until]`` (UTC days,
``YYYY-MM-DD``, either end open), so its answer has one row per link and kind (or per day,
video and channel; or per video and audience value), however many events were recorded: a
report costs links × days to compute in the database and links to carry into Python.
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


def link_totals(
    db: Database, since: str | None = None, until: str | None = None
) -> list[tuple[int, str, int, int]]:
    """``(link_id, kind, n, uniques)``: counts of each kind per link, and its daily unique
    visitors summed, over the days (for all time: the ``link_totals`` rollup as it is)."""
    if since is None and until is None:
        rows = db.query("SELECT link_id, kind, n, uniques FROM link_totals")
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
    table = "daily_audience" if where else "audience_totals"
    rows = db.query(
        f"SELECT l.video_id, a.dimension, a.value, SUM(a.n) FROM {table} a "
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
