"""A digital officer's loop, end to end through the commands: publish a video, hand share
links to members, let people click (one through the real share server, the rest recorded as
it records them), import a Facebook and a YouTube export, give the members' regions, and open
the report in real Chromium to see which video, channel and member spread best."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.helpers.publish import BROWSER_UA, fetch, free_port
from tests.insights import samples
from tests.web.test_browser import browser  # noqa: F401 - the real-Chromium fixture
from vidkit.cli.main import cli
from vidkit.config import load_settings
from vidkit.track.registry import Event, Registry
from vidkit.web.server import BackgroundServer


@pytest.fixture()
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VIDKIT_HOME", str(tmp_path / "home"))
    for name in ("VIDKIT_DB", "VIDKIT_STORAGE", "VIDKIT_ADMIN_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    port = free_port()
    monkeypatch.setenv("VIDKIT_BASE_URL", f"http://127.0.0.1:{port}")

    def invoke(*args: str) -> click.testing.Result:
        out = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert out.exit_code == 0, out.output
        return out

    invoke.port = port  # type: ignore[attr-defined]
    return invoke


def _clicks(link_id: int, n: int, start: int) -> list[Event]:
    now = int(time.time())
    return [Event(now - 3600 + i, link_id, "click", visitor=f"v{start + i}") for i in range(n)]


def test_publish_share_import_and_see_who_spread_it(  # type: ignore[no-untyped-def]
    run,
    bundle: Path,
    tmp_path: Path,
    browser: object,  # noqa: F811
) -> None:
    [video] = json.loads(run("publish", str(bundle), "--title", "Amira's ward", "--json").stdout)[
        "videos"
    ]
    root = video["share_url"].rsplit("/", 1)[1]
    links = {m: json.loads(run("links", "create", video["id"], "--channel", ch, "--sharer", m,
                               "--json").stdout) for m, ch in (("m-north", "whatsapp"),
                                                               ("m-south", "telegram"))}  # fmt: skip
    with BackgroundServer(load_settings(), port=run.port, flush_seconds=0.1):
        assert fetch(links["m-north"]["share_url"], headers={"User-Agent": BROWSER_UA})[0] == 200
        time.sleep(0.5)
    with Registry.open(load_settings().db) as reg:
        ids = {m: reg.link(link["code"]).id for m, link in links.items()}  # type: ignore[union-attr]
        root_id = reg.link(root).id  # type: ignore[union-attr]
        reg.record(_clicks(ids["m-north"], 29, 0) + _clicks(ids["m-south"], 6, 100)
                   + _clicks(root_id, 12, 200))  # fmt: skip

    fb = samples.write(tmp_path / "facebook posts.csv", samples.facebook_csv(root))
    yt = samples.write(tmp_path / "Table data.csv", samples.youtube_csv())
    run("insights", "match", "dQw4w9WgXcQ", video["id"])
    imported = json.loads(run("insights", "import", str(fb), str(yt), "--json").stdout)["files"]
    assert [(f["platform"], f["matched"]) for f in imported] == [("facebook", 1), ("youtube", 1)]
    members = tmp_path / "members.csv"
    members.write_text("sharer,region\nm-north,North\nm-south,South\n")
    run("insights", "members", str(members))
    report = tmp_path / "report.html"
    run("insights", "report", "-o", str(report))

    data = json.loads(run("insights", "report", "--json").stdout)
    [v] = data["videos"]
    assert (v["clicks"], v["platforms"]["facebook"]["views"], v["platforms"]["youtube"]["views"]) == (
        30 + 6 + 12, 1234, 1200,
    )  # fmt: skip
    assert [s["sharer"] for s in data["sharers"]][:2] == ["m-north", "m-south"]
    region = data["audience"]["region"]
    assert region["rows"] == [{"value": "North", "clicks": 30}] and region["suppressed_cells"] == 1

    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(report.as_uri())
    sharers = page.locator("#sharers table tbody tr").first.inner_text()
    assert "m-north" in sharers and "m-south" not in sharers
    assert "whatsapp" in page.locator("#channels").inner_text()
    assert "1,234" in page.locator("#platforms").inner_text()
    audience = page.locator("#audience").inner_text()
    assert "North" in audience and "South" not in audience
    page.close()
