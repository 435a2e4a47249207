"""The report from a real database: its data, the HTML file (offline, escaped), CSV files, the
CLI; on SQLite and (with VIDKIT_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.insights import HOSTILE, T0, campaign
from vidkit.cli.main import cli
from vidkit.errors import ConfigError
from vidkit.insights.report import report_data, write_csvs, write_html
from vidkit.track.registry import Registry, utc_day


def test_report_data_counts_the_campaign(registry: Registry) -> None:
    ids = campaign(registry)
    r = report_data(registry)
    by_id = {v["id"]: v for v in r["videos"]}
    nurses = by_id[ids["nurses"]]
    assert nurses["platforms"]["facebook"]["views"] == 1800
    assert nurses["clicks"] == nurses["member_clicks"] + nurses["campaign_clicks"] > 0
    assert 0 < nurses["organic_share"] < 1
    amira = next(s for s in r["sharers"] if s["sharer"] == "amira")
    assert amira["links"] == 2 and amira["generations"] == 2 and amira["downstream_clicks"] > 0
    assert r["audience"]["country"]["suppressed_cells"] >= 0 and r["min_cell"] == 10
    # the date range bounds the rollup days
    first = report_data(registry, since=utc_day(T0), until=utc_day(T0))
    assert [d["day"] for d in first["by_day"]] == [utc_day(T0)]
    assert first["totals"]["clicks"] < r["totals"]["clicks"]
    only = report_data(registry, video_id=ids["fares"])
    assert [v["id"] for v in only["videos"]] == [ids["fares"]]
    with pytest.raises(ConfigError, match="--since"):
        report_data(registry, since="2026-13-01")


def test_html_is_escaped_and_csvs_are_one_per_table(registry: Registry, tmp_path: Path) -> None:
    campaign(registry)
    r = report_data(registry)
    text = write_html(r, tmp_path / "r.html").read_text(encoding="utf-8")
    assert HOSTILE not in text and "&lt;script&gt;" in text
    assert "<script" not in text.lower() and "http://" not in text.replace(
        "http://www.w3.org/2000/svg", ""
    )
    assert text.count("<svg") >= 8
    written = {p.name for p in write_csvs(r, tmp_path / "csv")}
    assert {"videos.csv", "sharers.csv", "links.csv", "channels.csv", "by_day.csv",
            "audience_country.csv", "audience_region.csv", "audience_facebook_age.csv"} <= written  # fmt: skip
    with open(tmp_path / "csv" / "videos.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {"facebook_views", "youtube_views", "organic_share"} <= set(rows[0])


def test_cli_report_writes_html_csv_and_json(registry: Registry, tmp_path: Path) -> None:
    ids = campaign(registry)
    env = {"VIDKIT_DB": registry.db.url}
    runner = CliRunner()
    out = tmp_path / "report.html"
    done = runner.invoke(cli, ["insights", "report", "-o", str(out), "--csv", str(tmp_path / "c")],
                         env=env)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert str(out.resolve()) in done.stderr and out.stat().st_size > 5000
    done = runner.invoke(cli, ["insights", "report", "--json", "--video", ids["nurses"]], env=env)
    data = json.loads(done.stdout)
    video = data["videos"][0]
    assert {"id", "title", "clicks", "unique_visitors", "previews", "plays", "completions",
            "cta_clicks", "platforms"} <= set(video)  # fmt: skip
    assert set(data) >= {"videos", "channels", "sharers", "audience", "min_cell"}
    assert data["audience"]["region"]["rows"][0]["value"] == "North West"
    bad = runner.invoke(cli, ["insights", "report", "--json", "--until", "soon"], env=env)
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.stderr
