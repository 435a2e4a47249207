"""The registry on SQLite and (with VIDKIT_TEST_DATABASE_URL) PostgreSQL: schema, links, events,
salts, stats, retention."""

from __future__ import annotations

from dataclasses import replace

import pytest

from vidkit.track import rollups
from vidkit.track.database import connect
from vidkit.track.registry import CHANNELS, Event, NotFoundError, Registry, Video, utc_day
from vidkit.track.retention import purge
from vidkit.track.schema import LATEST, migrate, version
from vidkit.track.stats import stats

DAY = 86400
T0 = 1_790_000_000  # a fixed instant (2026-09-21), so days are predictable


def video(n: int = 1, title: str = "Our video") -> Video:
    digest = f"{n:02d}" + "ab" * 31
    return Video(
        id=digest[:12],
        sha256=digest,
        title=title,
        description="",
        video_key=f"{digest}.mp4",
        poster_key=None,
        card_key=None,
        captions=(),
        width=320,
        height=568,
        duration=2.0,
        size=1000,
        created=T0,
    )


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_schema_is_created_at_the_latest_version(db_url: str) -> None:
    db = connect(db_url)
    try:
        assert version(db) == 0
        assert migrate(db) == 0
        assert version(db) == LATEST
        assert migrate(db) == LATEST  # nothing left to do
    finally:
        db.close()


def test_upgrade_from_an_old_schema_keeps_recorded_events(db_url: str) -> None:
    db = connect(db_url)
    try:
        migrate(db, target=2)  # as an older vidkit left it: no aggregate tables yet
        # as an older vidkit recorded them: its columns only, raw events (no rollups yet)
        v = video()
        db.execute(
            "INSERT INTO videos (id, sha256, title, video_key, width, height, duration, size, "
            "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (v.id, v.sha256, v.title, v.video_key, v.width, v.height, v.duration, v.size, T0),
        )
        db.execute(
            "INSERT INTO links (code, video_id, created) VALUES (?, ?, ?)", ("rootcode", v.id, T0)
        )
        root_id = int(db.query("SELECT id FROM links")[0][0])
        for event in (Event(T0, root_id, "click", visitor="v1"), Event(T0, root_id, "preview")):
            db.execute(
                "INSERT INTO events (ts, day, link_id, kind, visitor) VALUES (?, ?, ?, ?, ?)",
                (event.ts, event.day, event.link_id, event.kind, event.visitor),
            )
    finally:
        db.close()
    with Registry.open(db_url) as reg:  # the current vidkit migrates forward on start
        assert version(reg.db) == LATEST
        assert reg.event_count() == 2
        assert stats(reg)["links"][0]["clicks"] == 1
        assert (
            stats(reg)["links"][0]["unique_visitors"] == 1
            and stats(reg)["links"][0]["previews"] == 1
        )


def test_register_is_idempotent_per_file_and_mints_a_root_link(registry: Registry) -> None:
    v, root, created = registry.register(video())
    assert created and root.video_id == v.id and root.parent_id is None
    again, root2, created2 = registry.register(video(title="New title"))
    assert not created2
    assert root2.code == root.code
    assert again.title == "New title"
    assert len(registry.videos()) == 1


def test_links_form_a_tree_and_child_links_are_minted_once(registry: Registry) -> None:
    _, root, _ = registry.register(video())
    member = registry.create_link(root.video_id, channel="whatsapp", sharer="m-42")
    children = registry.child_links(member)
    assert set(children) == set(CHANNELS)
    assert all(c.parent_id == member.id for c in children.values())
    assert registry.child_links(member) == children  # reused, not minted again
    assert registry.link_depth(children["x"]) == 1
    grand = registry.child_links(children["x"])["facebook"]
    assert registry.link_depth(grand) == 2
    assert registry.link(member.code) == member
    assert registry.link("no-such!") is None
    with pytest.raises(NotFoundError):
        registry.create_link("nosuchvideo")
    with pytest.raises(NotFoundError):
        registry.create_link(root.video_id, parent="ZZZZZZZZ")


def test_events_and_log_position_commit_together(registry: Registry) -> None:
    _, root, _ = registry.register(video())
    registry.record([Event(T0, root.id, "click")], segment="seg.log", position=40)
    assert registry.log_position("seg.log") == 40
    with pytest.raises(Exception):  # noqa: B017 - any database error
        registry.record(
            [Event(T0, root.id, "click"), Event(T0, 999_999, "click")],  # no such link
            segment="seg.log",
            position=80,
        )
    assert registry.log_position("seg.log") == 40  # the failed batch changed nothing
    assert registry.event_count() == 1


def test_daily_salts_are_random_and_deleted_after_48_hours(db_url: str) -> None:
    clock = Clock()
    with Registry.open(db_url, clock) as reg:
        day1 = utc_day(clock.now)
        s1 = reg.salt(day1)
        assert len(s1) == 32 and reg.salt(day1) == s1
        clock.now += DAY
        s2 = reg.salt(utc_day(clock.now))
        assert s2 != s1
        assert reg.salt_days() == [day1, utc_day(clock.now)]
        clock.now += DAY + 3600  # 49 h after the first salt was made
        reg.salt(utc_day(clock.now))
        assert day1 not in reg.salt_days()


def test_stats_count_uniques_per_day_and_suppress_small_audience_cells(registry: Registry) -> None:
    _, root, _ = registry.register(video())
    child = registry.child_links(root)["whatsapp"]
    events = []
    for i in range(12):  # 12 clicks from the UK by 4 visitors via WhatsApp's child link
        events.append(Event(T0, child.id, "click", visitor=f"v{i % 4}", country="GB"))
    for i in range(3):  # 3 clicks from France: a small cell
        events.append(Event(T0, child.id, "click", visitor=f"f{i}", country="FR"))
    events.append(Event(T0 + DAY, child.id, "click", visitor="v0", country="GB"))  # next day
    events += [Event(T0, child.id, "preview", agent="whatsapp")] * 5
    events += [Event(T0, child.id, k) for k in ("play", "p25", "p50", "p75", "p100", "play")]
    registry.record(events)
    data = stats(registry)
    row = next(r for r in data["links"] if r["code"] == child.code)
    assert row["parent"] == root.code and row["channel"] == "whatsapp"
    assert row["clicks"] == 16
    assert row["unique_visitors"] == 4 + 3 + 1  # the same person on another day counts again
    assert row["previews"] == 5 and row["plays"] == 2 and row["completions"] == 1
    assert [d["clicks"] for d in data["by_day"]] == [15, 1]
    assert data["by_country"]["rows"] == [{"country": "GB", "clicks": 13}]
    assert data["by_country"]["suppressed_cells"] == 1
    whatsapp = next(c for c in data["by_channel"] if c["channel"] == "whatsapp")
    assert whatsapp["clicks"] == 16


def test_purge_rolls_old_events_into_aggregates(db_url: str) -> None:
    clock = Clock(T0 + 100 * DAY)
    with Registry.open(db_url, clock) as reg:
        _, root, _ = reg.register(video())
        old = [Event(T0, root.id, "click", visitor=f"v{i}", referrer="t.co") for i in range(11)]
        recent = [Event(int(clock.now), root.id, "click", visitor="n1")]
        reg.record(old + recent + [Event(T0, root.id, "play")])
        before = stats(reg)
        result = purge(reg, 90)
        assert result.events_deleted == 12
        assert reg.event_count() == 1
        after = stats(reg)
        assert after["links"] == before["links"]
        assert after["by_referrer"] == before["by_referrer"]
        assert after["by_day"] == before["by_day"]
        purge(reg, 90)  # again: nothing counted twice
        assert stats(reg)["links"] == before["links"]


def test_counts_are_rolled_up_with_every_insert_and_read_from_the_rollups(
    registry: Registry,
) -> None:
    _, root, _ = registry.register(video())
    day2 = T0 + 86400
    registry.record([Event(T0, root.id, "click", visitor="a", referrer="wa.me", country="GB"),
                     Event(T0, root.id, "click", visitor="b", referrer="wa.me"),
                     Event(T0, root.id, "play", visitor="a")])  # fmt: skip
    # a later batch: the same visitor again the same day is not a new unique; the next day it is
    registry.record([Event(T0 + 60, root.id, "click", visitor="a", referrer="t.co"),
                     Event(day2, root.id, "click", visitor="a")])  # fmt: skip
    rows = sorted(registry.db.query("SELECT day, kind, n, uniques FROM daily_links"))
    assert rows == [
        (utc_day(T0), "click", 3, 2),
        (utc_day(T0), "play", 1, 0),  # unique visitors are counted for clicks
        (utc_day(day2), "click", 1, 1),
    ]
    before = stats(registry, min_cell=1)
    registry.db.execute("DELETE FROM events")  # the raw rows are only kept for retention
    after = stats(registry, min_cell=1)
    assert after == before
    link = after["links"][0]
    assert (link["clicks"], link["unique_visitors"], link["plays"]) == (4, 3, 1)
    assert {r["referrer"]: r["clicks"] for r in after["by_referrer"]["rows"]} == {
        "wa.me": 2, "t.co": 1, "(none)": 1,
    }  # fmt: skip


def test_retention_drops_the_seen_visitors_with_the_raw_events(registry: Registry) -> None:
    from vidkit.track.registry import seen_floor, seen_key
    from vidkit.track.retention import purge

    _, root, _ = registry.register(video())
    old, recent = registry.clock() - 40 * 86400, registry.clock() - 86400
    registry.record([Event(old, root.id, "click", visitor="a"),
                     Event(recent, root.id, "click", visitor="a")])  # fmt: skip
    keys = {int(k) for (k,) in registry.db.query("SELECT key FROM visitors_seen")}
    assert keys == {seen_key(old, root.id, "a"), seen_key(recent, root.id, "a")}
    assert seen_floor(utc_day(old)) <= seen_key(old, root.id, "a") < seen_floor(utc_day(recent))
    purge(registry, 30)
    keys = {int(k) for (k,) in registry.db.query("SELECT key FROM visitors_seen")}
    assert keys == {seen_key(recent, root.id, "a")}
    assert stats(registry)["links"][0]["unique_visitors"] == 2  # the old day's count stays


def _sums(reg: Registry, sql: str) -> list[tuple]:
    return sorted(tuple(int(v) if isinstance(v, int) else v for v in r) for r in reg.db.query(sql))


def test_all_time_and_per_day_totals_agree_with_the_daily_rollups(db_url: str) -> None:
    """The all-time totals (closed days stored, open days summed) and the per-day totals are
    filled from the daily rollups on upgrade and kept on insert: the daily rows summed."""
    db = connect(db_url)
    try:
        migrate(db, target=6)  # before the totals existed: daily rollups only
        v = replace(video(), card_key="card.jpg")
        db.execute(
            "INSERT INTO videos (id, sha256, title, video_key, card_key, width, height, duration, "
            "size, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (v.id, v.sha256, v.title, v.video_key, v.card_key, v.width, v.height, v.duration,
             v.size, T0),
        )  # fmt: skip
        for code, parent in (("rootcode", None), ("childcode", 1)):
            db.execute("INSERT INTO links (code, video_id, parent_id, created) VALUES (?, ?, ?, ?)",
                       (code, v.id, parent, T0))  # fmt: skip
        root, child = (Registry(db).link(c) for c in ("rootcode", "childcode"))
        assert root is not None and child is not None
        for day, link, kind, n, uniques in [(utc_day(T0), root.id, "click", 12, 9),
                                            (utc_day(T0), child.id, "click", 3, 3),
                                            (utc_day(T0 + DAY), root.id, "play", 5, 0)]:  # fmt: skip
            db.execute(
                "INSERT INTO daily_links VALUES (?, ?, ?, ?, ?)", (day, link, kind, n, uniques)
            )
        db.execute(
            "INSERT INTO daily_audience VALUES (?, ?, 'country', 'GB', 15)", (utc_day(T0), root.id)
        )
    finally:
        db.close()
    with Registry.open(db_url) as reg:  # migrates to the latest: totals filled from the daily rows
        reg.record(Event(T0 + DAY * 3 + i, child.id, "click", visitor=f"w{i}", country="GB")
                   for i in range(7))  # fmt: skip
        assert sorted(rollups.link_totals(reg.db)) == _sums(
            reg,
            "SELECT link_id, kind, SUM(n), SUM(uniques) FROM daily_links GROUP BY link_id, kind",
        )
        assert _sums(reg, "SELECT day, kind, n, uniques FROM day_totals") == _sums(
            reg, "SELECT day, kind, SUM(n), SUM(uniques) FROM daily_links GROUP BY day, kind"
        )
        assert sorted(rollups.audience_totals(reg.db)) == _sums(
            reg,
            "SELECT l.video_id, dimension, value, SUM(n) FROM daily_audience a "
            "JOIN links l ON l.id = a.link_id GROUP BY l.video_id, dimension, value",
        )
        # the days before the newest were closed into the stored totals, once
        assert reg.db.query("SELECT SUM(n) FROM link_totals")[0][0] == 12 + 3 + 5
        assert reg.published_key("card.jpg") and reg.published_key(v.video_key)  # filled too
        assert sum(r[2] for r in _sums(reg, "SELECT * FROM day_totals")) == 12 + 3 + 5 + 7


def test_a_late_event_for_a_closed_day_counts_once_in_the_totals(registry: Registry) -> None:
    _, root, _ = registry.register(video())
    registry.record([Event(T0, root.id, "click", visitor="a", country="GB")])
    registry.record([Event(T0 + 2 * DAY, root.id, "click", visitor="b")])  # closes the first days
    assert registry.db.query("SELECT SUM(n) FROM link_totals")[0][0] == 1
    registry.record([Event(T0 + 60, root.id, "click", visitor="c", country="GB")])  # replayed late
    registry.record([Event(T0 + 3 * DAY, root.id, "click", visitor="d")])  # closes day 2 too
    assert rollups.link_totals(registry.db) == [(root.id, "click", 4, 4)]
    gb = [r for r in rollups.audience_totals(registry.db) if r[2] == "GB"]
    assert gb == [(root.video_id, "country", "GB", 2)]
    assert stats(registry)["links"][0]["clicks"] == 4


def test_a_republished_videos_earlier_card_stays_published(registry: Registry) -> None:
    first = replace(video(), poster_key="poster.jpg", card_key="card-1.jpg")
    registry.register(first)
    registry.register(replace(first, title="New title", card_key="card-2.jpg"))
    assert registry.video(first.id).card_key == "card-2.jpg"
    for key in (first.video_key, "poster.jpg", "card-1.jpg", "card-2.jpg"):
        assert registry.published_key(key), key
    assert not registry.published_key("card-3.jpg")
    assert not registry.published_key("registry.db")
