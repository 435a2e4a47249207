"""Importing exports into the insights tables, matching posts to videos, members (SQLite and,
with VIDKIT_TEST_DATABASE_URL, PostgreSQL)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.insights import samples
from tests.insights.samples import write
from vidkit.insights import data, importing
from vidkit.insights.sheets import ExportError
from vidkit.track.registry import NotFoundError, Registry


def _link(registry: Registry, video_id: str) -> str:
    return registry.create_link(video_id, channel="facebook", sharer="m1").code


def test_a_share_link_in_the_text_matches_and_reimporting_adds_nothing(
    registry: Registry, tmp_path: Path
) -> None:
    vid = samples.video(registry, 1)
    code = _link(registry, vid)
    fb = write(tmp_path / "fb.csv", samples.facebook_csv(code))
    ig = write(tmp_path / "ig.csv", samples.instagram_csv(code))
    first = importing.import_files(registry, [fb, ig])
    assert [(r.platform, r.rows, r.matched, r.unmatched) for r in first] == [
        ("facebook", 3, 1, 2), ("instagram", 1, 1, 0)]  # fmt: skip
    assert {p["post_id"] for p in first[0].unmatched_posts} == {"2222", "3333"}
    before = data.posts(registry.db)
    again = importing.import_files(registry, [fb, ig])
    assert [(r.rows, r.matched) for r in again] == [(3, 1), (1, 1)]
    assert data.posts(registry.db) == before
    totals = data.platform_totals(registry.db)[vid]
    assert totals["facebook"]["views"] == 1234 and totals["instagram"]["views"] == 2345


def test_a_match_made_before_or_after_the_import_sticks(registry: Registry, tmp_path: Path) -> None:
    vid = samples.video(registry, 2)
    url = "https://www.tiktok.com/@campaign/video/7283456789012345678?lang=en"
    assert importing.match_post(registry, url, vid) == []  # not imported yet: recorded
    zipped = samples.tiktok_zip(tmp_path / "TikTok_2026.zip")
    results = importing.import_files(registry, [zipped])
    content = next(r for r in results if r.kind == "posts")
    assert (content.rows, content.matched, content.unmatched) == (2, 1, 1)
    yt = write(tmp_path / "Table data.csv", samples.youtube_csv())
    importing.import_files(registry, [yt])
    found = importing.match_post(registry, "https://youtu.be/dQw4w9WgXcQ", vid)
    assert [(p.platform, p.post_id) for p in found] == [("youtube", "dQw4w9WgXcQ")]
    assert importing.import_files(registry, [yt])[0].matched == 1
    assert set(data.platform_totals(registry.db)[vid]) == {"tiktok", "youtube"}
    with pytest.raises(NotFoundError, match="no video 'nope'"):
        importing.match_post(registry, "dQw4w9WgXcQ", "nope")


def test_zip_audiences_and_series(registry: Registry, tmp_path: Path) -> None:
    results = importing.import_files(registry, [samples.tiktok_zip(tmp_path / "t.zip")])
    kinds = {r.path.rsplit("/", 1)[1]: (r.kind, r.platform) for r in results}
    assert kinds == {
        "Content.csv": ("posts", "tiktok"), "Overview.csv": ("skipped", "tiktok"),
        "FollowerGender.csv": ("audience", "tiktok"),
        "FollowerTopTerritories.csv": ("audience", "tiktok"),
    }  # fmt: skip
    meta = write(tmp_path / "Audience.csv", samples.meta_audience_csv())
    importing.import_files(registry, [meta], platform="instagram")
    held = data.platform_audience(registry.db)
    assert held["tiktok"]["gender"] == [("women", 0.56), ("men", 0.41), ("other", 0.03)]
    assert held["tiktok"]["country"][0] == ("United Kingdom", 0.81)
    assert held["instagram"]["country"][0] == ("United Kingdom", 0.882)
    assert "facebook" not in held


def test_an_unknown_file_stops_the_import_with_nothing_written(
    registry: Registry, tmp_path: Path
) -> None:
    good = write(tmp_path / "Table data.csv", samples.youtube_csv())
    bad = write(tmp_path / "notes.csv", b"what,ever\n1,2\n")
    with pytest.raises(ExportError, match="notes.csv: not a known platform export"):
        importing.import_files(registry, [good, bad])
    assert data.posts(registry.db) == []


def test_a_failure_while_writing_leaves_nothing_half_imported(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fb = write(tmp_path / "fb.csv", samples.facebook_csv("Zz99Yy88"))
    yt = write(tmp_path / "Table data.csv", samples.youtube_csv())
    real = data.save_posts

    def failing(db: object, posts: list[data.PlatformPost], now: int) -> int:
        if posts and posts[0].platform == "youtube":
            raise RuntimeError("disk gone")
        return real(db, posts, now)  # type: ignore[arg-type]

    monkeypatch.setattr(data, "save_posts", failing)
    with pytest.raises(RuntimeError):
        importing.import_files(registry, [fb, yt])
    assert data.posts(registry.db) == []


def test_share_codes_are_found_in_text_and_redirect_links() -> None:
    text = (
        "Watch https://share.example.org/s/Ab12Cd34. Or "
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fv.example.org%2Fcampaign%2Fs%2FQq77Rr66 and "
        "https://box.com/s/Bb22Cc33 "
        "example.org/s/Zz11Yy22, not https://x.org/s/a nor https://www.instagram.com/s/aGlnaGxp"
    )
    assert importing.share_codes(text) == ["Ab12Cd34", "Bb22Cc33", "Zz11Yy22", "Qq77Rr66"]


def test_members_are_stored_and_bad_lines_named(registry: Registry, tmp_path: Path) -> None:
    samples.video(registry, 3)
    _link(registry, samples.video(registry, 4))
    good = tmp_path / "members.csv"
    good.write_text("Sharer,Region,Constituency,Age band\nm1,North,Leeds Central,18-24\n"
                    "m2,South,,25-34\n", encoding="utf-8-sig")  # fmt: skip
    held, unknown = importing.import_members(registry, good)
    assert held.counts() == {"region": 2, "constituency": 1, "age_band": 2}
    assert unknown == ["m2"]
    assert data.member_attributes(registry.db)["m2"] == {"region": "South", "age_band": "25-34"}
    for text, message in [
        ("region\nNorth\n", r"members.csv:1: has no 'sharer' column"),
        ("sharer,region\nm1,North\n,South\n", r"members.csv:3: no sharer on this line"),
        ("sharer,region\nm1,North\nm1,South\n", r"members.csv:3: sharer 'm1' again"),
        ("sharer,region\nm1,North,extra\n", r"members.csv:2: 1 value\(s\) under no column"),
    ]:
        good.write_text(text)
        with pytest.raises(ExportError, match=message):
            importing.read_members(good)


def test_post_keys_for_permalinks() -> None:
    keys = importing.post_keys("https://x.com/campaign/status/1837000000000000001?s=20")
    assert keys[:3] == ["https://x.com/campaign/status/1837000000000000001?s=20",
                        "1837000000000000001", "https://x.com/campaign/status/1837000000000000001"]  # fmt: skip
    assert importing.post_keys("dQw4w9WgXcQ") == ["dQw4w9WgXcQ"]


def test_a_youtube_download_imports_table_data_and_leaves_out_the_series(
    registry: Registry, tmp_path: Path
) -> None:
    chart = samples.table([["Date", "Content", "Video title", "Views"],
                           ["2026-09-21", "dQw4w9WgXcQ", "Our town", "700"],
                           ["2026-09-22", "dQw4w9WgXcQ", "Our town", "500"]])  # fmt: skip
    with zipfile.ZipFile(tmp_path / "yt.zip", "w") as z:
        z.writestr("Table data.csv", samples.youtube_csv())
        z.writestr("Chart data.csv", chart)
        z.writestr("Totals.csv", "Date,Views\r\n2026-09-21,700\r\n")
    results = importing.import_files(registry, [tmp_path / "yt.zip"])
    assert [(r.path.rsplit("/", 1)[1], r.kind, r.rows) for r in results] == [
        ("Table data.csv", "posts", 2), ("Chart data.csv", "skipped", 0),
        ("Totals.csv", "skipped", 0)]  # fmt: skip
    assert {p.metrics["views"] for p in data.posts(registry.db)} == {1200, 300}
