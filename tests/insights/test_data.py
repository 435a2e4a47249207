"""The insights tables on SQLite and (with VIDKIT_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

from vidkit.insights import data
from vidkit.insights.data import PlatformPost
from vidkit.track.registry import Registry, Video

T0 = 1_790_000_000


def _video(registry: Registry, n: int) -> str:
    digest = f"{n:02d}" + "cd" * 31
    registry.register(
        Video(
            digest[:12], digest, f"v{n}", "", f"{digest}.mp4", None, None, (), 320, 568, 2.0, 1, T0
        )
    )
    return digest[:12]


def test_reimporting_replaces_totals_and_keeps_the_match(registry: Registry) -> None:
    db, vid = registry.db, _video(registry, 1)
    post = PlatformPost("facebook", "123", "https://fb.example/p/123", "Hi", "2026-09-21",
                        {"views": 100, "shares": 3}, vid)  # fmt: skip
    assert data.save_posts(db, [post], T0) == 1
    later = replace(post, metrics={"views": 250, "shares": 4}, video_id=None)
    assert data.save_posts(db, [later], T0 + 60) == 1  # matched still, not added twice
    assert data.platform_totals(db) == {vid: {"facebook": {"posts": 1, "views": 250, "shares": 4}}}
    assert data.posts(db, matched=False) == []


def test_a_match_applies_to_posts_imported_before_and_after(registry: Registry) -> None:
    db, vid = registry.db, _video(registry, 2)
    data.save_posts(db, [PlatformPost("youtube", "abcDEF12345", metrics={"views": 7})], T0)
    assert [p.post_id for p in data.posts(db, matched=False)] == ["abcDEF12345"]
    assert data.match(db, "abcDEF12345", vid, T0) == 1
    assert data.match(db, "https://www.tiktok.com/@c/video/99", vid, T0) == 0  # not imported yet
    tiktok = PlatformPost(
        "tiktok", "99", "https://www.tiktok.com/@c/video/99", metrics={"views": 5}
    )
    assert data.save_posts(db, [tiktok], T0) == 1
    totals = data.platform_totals(db)[vid]
    assert totals["youtube"]["views"] == 7 and totals["tiktok"]["views"] == 5


def test_audience_and_members_are_replaced_not_appended(registry: Registry) -> None:
    db = registry.db
    data.save_audience(db, "facebook", [("age", "18-24", 0.2), ("age", "25-34", 0.5)], T0)
    data.save_audience(db, "facebook", [("age", "25-34", 0.6)], T0)
    assert data.platform_audience(db) == {"facebook": {"age": [("25-34", 0.6)]}}
    data.save_members(db, {"m1": {"region": "North", "age_band": "18-24"}})
    data.save_members(db, {"m1": {"region": "South"}, "m2": {"region": "North"}})
    assert data.member_attributes(db) == {"m1": {"region": "South"}, "m2": {"region": "North"}}
