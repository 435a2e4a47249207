"""Retention: roll raw events past their time into daily aggregates, then delete them."""

from __future__ import annotations

from dataclasses import dataclass

from vidkit.errors import ConfigError
from vidkit.track.registry import Registry, days_ago, seen_floor


@dataclass(frozen=True)
class PurgeResult:
    before_day: str  # events of days before this (UTC) were rolled up and deleted
    events_deleted: int
    salts_deleted: int


def purge(registry: Registry, older_than_days: int) -> PurgeResult:
    """Delete raw events older than ``older_than_days`` whole days, keeping their aggregates.

    Their counts stay in ``daily_links`` / ``daily_audience``, which every insert keeps up to
    date; the visitor hashes of those days go with the events, in one transaction.
    """
    if older_than_days < 1:
        raise ConfigError("--older-than must be at least 1 day", key="older_than")
    now = registry.clock()
    cutoff = days_ago(now, older_than_days)
    db = registry.db
    with db.transaction():
        n = int(db.query("SELECT COUNT(*) FROM events WHERE day < ?", (cutoff,))[0][0])
        # the rollups already hold these days (kept with every insert): only raw rows go
        db.execute("DELETE FROM visitors_seen WHERE key < ?", (seen_floor(cutoff),))
        db.execute("DELETE FROM events WHERE day < ?", (cutoff,))
        salts = registry.drop_salts(now)
    return PurgeResult(before_day=cutoff, events_deleted=n, salts_deleted=salts)
