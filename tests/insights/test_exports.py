"""Reading the platforms' exports: detection, quirks, numbers and dates (pure, no database)."""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

import pytest

from tests.insights import samples
from vidkit.insights import audience, exports, sheets, values
from vidkit.insights.exports import Parsed
from vidkit.insights.sheets import ExportError
from vidkit.insights.values import MISSING, ValueProblem


def _parse(name: str, raw: bytes, platform: str | None = None, now: float = samples.T0) -> Parsed:
    sheet = sheets.from_bytes(name, raw)[0]
    found = exports.detect(sheet, platform)
    assert found is not None, sheet.rows[:2]
    return exports.posts_from_sheet(sheet, found, year_hint=exports.year_in_name(name), now=now)


@pytest.mark.parametrize(
    ("name", "raw", "platform"),
    [
        ("posts.csv", samples.facebook_csv("Ab12Cd34"), "facebook"),
        ("posts.csv", samples.instagram_csv("Ab12Cd34"), "instagram"),
        ("Table data.csv", samples.youtube_csv(), "youtube"),
        ("Content.csv", samples.table(samples.tiktok_rows()).encode(), "tiktok"),
        ("account_analytics_content_2026-09-01_2026-09-30.csv", samples.x_csv(), "x"),
    ],
)
def test_each_platform_is_recognised_by_its_headers(name: str, raw: bytes, platform: str) -> None:
    assert _parse(name, raw).platform == platform


def test_facebook_export_maps_metrics_and_reports_bad_rows_by_line() -> None:
    parsed = _parse("fb.csv", samples.facebook_csv("Ab12Cd34"))
    first = parsed.posts[0]
    assert (first.post_id, first.published) == ("1111", "2026-09-21T14:05:00")
    assert first.metrics["views"] == 1234 and first.metrics["watch_seconds"] == 1830
    assert first.metrics["likes"] == 40 and first.metrics["views_3s"] == 640
    assert "/s/Ab12Cd34" in parsed.texts["1111"]
    assert "views" not in parsed.posts[1].metrics  # "—": no value, no warning
    assert [p.post_id for p in parsed.posts] == ["1111", "2222", "3333"]
    problems = [str(p) for p in parsed.problems]
    assert "fb.csv:4: no post id: row skipped" in problems
    assert any(p.startswith("fb.csv:5: 'views'") and "negative" in p for p in problems)
    assert "views" not in parsed.posts[2].metrics and parsed.posts[2].metrics["reach"] == 900


def test_youtube_total_row_is_skipped_and_hours_become_seconds() -> None:
    parsed = _parse("Table data.csv", samples.youtube_csv())
    assert [p.post_id for p in parsed.posts] == ["dQw4w9WgXcQ", "aBcDeFgHiJk"]
    first = parsed.posts[0]
    assert first.metrics["watch_seconds"] == 45000 and first.metrics["views"] == 1200
    assert first.permalink == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert first.published == "2026-09-21" and first.title == "Our town, our vote"
    assert parsed.problems == []  # the negative net "Subscribers" column is not imported


def test_tiktok_yearless_dates_take_the_year_from_the_file_name_or_the_import() -> None:
    raw = samples.table(samples.tiktok_rows()).encode()
    named = _parse("Content_2025-09-01_2025-09-30.csv", raw)
    assert [p.published for p in named.posts] == ["2025-09-21", "2025-09-24"]
    assert any("took 2025 from the file name" in n for n in named.notes)
    # imported on 2026-09-21: 'Sep 24' is later in the year than the import, so it was 2025
    plain = _parse("Content.csv", raw)
    assert [p.published for p in plain.posts] == ["2026-09-21", "2025-09-24"]
    assert any("import date" in n for n in plain.notes)
    post = plain.posts[0]
    assert post.post_id == "7283456789012345678" and post.metrics["views"] == 15400
    assert "shares" not in post.metrics  # "undefined"
    assert any(":3: 'total comments'" in str(p) for p in plain.problems)  # -2


def test_detection_ignores_column_order_extra_columns_and_a_title_row() -> None:
    rows = samples.tiktok_rows()
    shuffled = [["Extra"] + list(reversed(r)) for r in rows]
    raw = samples.table([["TikTok analytics export"], *shuffled]).encode()
    parsed = _parse("Content.csv", raw)
    assert parsed.posts[0].metrics["likes"] == 1204 and parsed.lines["7283456789012345678"] == 3


def test_semicolon_utf16_and_sep_line_quirks() -> None:
    rows = samples.tiktok_rows()
    semicolon = samples.table(rows, delimiter=";").encode("cp1252")
    assert _parse("Content.csv", semicolon).posts[0].metrics["views"] == 15400
    utf16 = codecs.BOM_UTF16_LE + ("sep=,\r\n" + samples.table(rows)).encode("utf-16-le")
    parsed = _parse("Content.csv", utf16)
    assert parsed.lines["7283456789012345678"] == 3  # the sep= line counts
    no_bom = samples.table(rows).encode("utf-16-le")
    assert _parse("Content.csv", no_bom).posts[1].metrics["likes"] == 88


def test_x_export_keeps_post_id_link_and_date() -> None:
    post = _parse("account_analytics_content_2026-09-01_2026-09-30.csv", samples.x_csv()).posts[0]
    assert post.permalink.endswith("/status/1837000000000000001")
    assert post.published == "2026-09-21"
    assert post.metrics["impressions"] == 5400 and post.metrics["comments"] == 11


def test_day_first_dates_are_decided_per_column() -> None:
    rows = [["Post ID", "Page name", "Publish time", "Views"],
            ["1", "C", "03/04/2026 10:00", "1"], ["2", "C", "21/04/2026 10:00", "2"]]  # fmt: skip
    parsed = _parse("fb.csv", samples.table(rows).encode())
    assert [p.published for p in parsed.posts] == ["2026-04-03T10:00:00", "2026-04-21T10:00:00"]
    alone = _parse("fb.csv", samples.table(rows[:2]).encode())
    assert alone.posts[0].published == "2026-03-04T10:00:00"  # Meta's default: month first
    assert any("month/day" in n for n in alone.notes)


def test_unknown_headers_name_the_file_and_what_was_expected() -> None:
    sheet = sheets.from_bytes("mystery.csv", b"foo,bar\n1,2\n")[0]
    assert exports.detect(sheet) is None
    error = str(exports.unknown(sheet))
    assert error.startswith("mystery.csv: not a known platform export (its first row: foo, bar)")
    assert "YouTube Studio Table data.csv: content + " in error and "--platform" in error


def test_platform_forces_a_format_with_only_its_id_column() -> None:
    raw = b"Post id,Impressions\n55,10\n"
    assert _parse("x.csv", raw, platform="x").posts[0].metrics == {"impressions": 10}
    sheet = sheets.from_bytes("x.csv", b"Video title,Views\nA,1\n")[0]
    assert exports.detect(sheet, "youtube") is None


def test_a_spreadsheet_rounded_post_id_is_refused_by_line() -> None:
    rows = [["Post ID", "Page name", "Views"], ["1.23457E+15", "C", "5"], ["9", "C", "1"]]
    parsed = _parse("fb.csv", samples.table(rows).encode())
    assert [p.post_id for p in parsed.posts] == ["9"]
    assert "fb.csv:2: post id '1.23457E+15' was rounded" in str(parsed.problems[0])


def test_the_same_post_twice_keeps_the_later_row() -> None:
    rows = [["Post ID", "Page name", "Views"], ["9", "C", "5"], ["9", "C", "7"]]
    parsed = _parse("fb.csv", samples.table(rows).encode())
    assert [(p.post_id, p.metrics["views"]) for p in parsed.posts] == [("9", 7)]
    assert "again (line 2)" in str(parsed.problems[0])


def test_xlsx_and_zip_are_read_as_tables(tmp_path: Path) -> None:
    book = sheets.read(samples.tiktok_xlsx(tmp_path / "Content.xlsx"))
    assert book[0].name.endswith("Content.xlsx/Sheet") and book[0].rows[1][1][4] == "1204"
    parsed = exports.posts_from_sheet(book[0], exports.detect(book[0]), now=samples.T0)
    assert parsed.posts[0].metrics["views"] == 15400
    names = [s.name.rsplit("/", 1)[1] for s in sheets.read(samples.tiktok_zip(tmp_path / "t.zip"))]
    assert names == ["Content.csv", "Overview.csv", "FollowerGender.csv",
                     "FollowerTopTerritories.csv"]  # fmt: skip


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Content.csv", b"\0" * (sheets.MAX_RATIO * 2000))
    with pytest.raises(ExportError, match=r"bomb.zip: Content.csv unpacks to \d+ bytes: refused"):
        sheets.from_bytes("bomb.zip", raw.getvalue())


def test_meta_audience_blocks_become_shares() -> None:
    sheet = sheets.from_bytes("Audience.csv", samples.meta_audience_csv())[0]
    heard = audience.audience_from_sheet(sheet)
    rows = {(d, v): round(s, 4) for d, v, s in heard.rows}
    assert rows[("age_gender", "25-34 women")] == 0.12
    assert rows[("age", "25-34")] == 0.22 and rows[("gender", "men")] == 0.454
    assert rows[("city", "London, England")] == 0.214
    assert rows[("country", "United Kingdom")] == 0.882
    assert heard.dimensions == ["age", "age_gender", "city", "country", "gender"]
    assert audience.platform_of("Audience.csv", None)[1] is not None  # says it assumed
    assert audience.platform_of("x.zip/FollowerGender.csv", None) == ("tiktok", None)


@pytest.mark.parametrize(
    ("cell", "whole", "expected"),
    [("1,234", True, 1234), ("1.234", True, 1234), ("1 234", True, 1234), ("1.234", False, 1.234),
     ("12,5", False, 12.5), ("12.5%", False, 0.125), ("1,234.5", False, 1234.5),
     ("1.234,5", False, 1234.5), ("7", True, 7), (" 3 ", True, 3)],
)  # fmt: skip
def test_numbers_as_exports_write_them(cell: str, whole: bool, expected: float) -> None:
    assert values.number(cell, whole=whole) == expected


@pytest.mark.parametrize("cell", ["—", "-", "", "undefined", "N/A"])
def test_no_value_markers(cell: str) -> None:
    assert values.count(cell) is MISSING


@pytest.mark.parametrize("cell", ["-3", "abc", "1.5", "12%"])
def test_invalid_counts_say_why(cell: str) -> None:
    with pytest.raises(ValueProblem, match=repr(cell).replace(".", r"\.")):
        values.count(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("2026-09-21", "2026-09-21"), ("Sep 21, 2026", "2026-09-21"),
     ("21 sept. 2026", "2026-09-21"), ("Mon, Sep 21, 2026", "2026-09-21"),
     ("2026-09-21T14:05:00+01:00", "2026-09-21T13:05:00Z"),
     ("09/21/2026 02:05 PM", "2026-09-21T14:05:00"), ("September 21, 2026 10:00", "2026-09-21T10:00:00")],
)  # fmt: skip
def test_dates_as_exports_write_them(cell: str, expected: str) -> None:
    stamp = values.stamp(cell)
    assert isinstance(stamp, values.Stamp)
    assert values.iso(stamp, day_first=False, year=2000) == expected


def test_line_numbers_count_descriptions_written_over_several_lines() -> None:
    rows = [["Post ID", "Page name", "Description", "Views"],
            ["1", "C", "first line\nsecond line\u2028third", "5"], ["", "C", "x", "1"]]  # fmt: skip
    parsed = _parse("fb.csv", samples.table(rows).encode())
    assert parsed.texts["1"] == "first line\nsecond line\u2028third"
    assert [str(p) for p in parsed.problems] == ["fb.csv:4: no post id: row skipped"]
    rows[1][2] = "café"
    legacy = _parse("fb.csv", samples.table(rows).encode("cp1252"))
    assert legacy.texts["1"] == "café" and "not UTF-8: read as Windows-1252" in legacy.notes
