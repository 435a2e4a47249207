"""Retention: roll raw events past their time into daily aggregates, then delete them."""

from __future__ import annotations

from dataclasses import dataclass

from vidkit.errors import ConfigError
from vidkit.track.registry import Registry, days_ago


@dataclass(frozen=True)
class PurgeResult:
    before_day: str  # events of days before this (UTC) were rolled up and deleted
    events_deleted: int
    salts_deleted: int


def purge(registry: Registry, older_than_days: int) -> PurgeResult:
    """Delete raw events older than ``older_than_days`` whole days, keeping their aggregates.

    Counts are added into ``daily_links`` / ``daily_audience`` in the same transaction that
    deletes the events, so a crash part-way loses nothing and counts nothing twice.
    """
    if older_than_days < 1:
        raise ConfigError("--older-than must be at least 1 day", key="older_than")
    now = registry.clock()
    cutoff = days_ago(now, older_than_days)
    db = registry.db
    with db.transaction():
        n = int(db.query("SELECT COUNT(*) FROM events WHERE day < ?", (cutoff,))[0][0])
        db.execute(
            "INSERT INTO daily_links (day, link_id, kind, n, uniques) "
            "SELECT day, link_id, kind, COUNT(*), COUNT(DISTINCT visitor) FROM events "
            "WHERE day < ? GROUP BY day, link_id, kind "
            "ON CONFLICT (day, link_id, kind) DO UPDATE SET n = daily_links.n + excluded.n, "
            "uniques = daily_links.uniques + excluded.uniques",
            (cutoff,),
        )
        for dimension in ("referrer", "country"):
            db.execute(
                "INSERT INTO daily_audience (day, link_id, dimension, value, n) "
                f"SELECT day, link_id, '{dimension}', COALESCE({dimension}, ''), COUNT(*) "
                f"FROM events WHERE day < ? AND kind = 'click' "
                f"GROUP BY day, link_id, COALESCE({dimension}, '') "
                "ON CONFLICT (day, link_id, dimension, value) "
                "DO UPDATE SET n = daily_audience.n + excluded.n",
                (cutoff,),
            )
        db.execute("DELETE FROM events WHERE day < ?", (cutoff,))
        salts = registry.drop_salts(now)
    return PurgeResult(before_day=cutoff, events_deleted=n, salts_deleted=salts)
