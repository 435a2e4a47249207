"""--publish: every finished video uploaded once, a share link per row and sharer, reruns stable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from tests.helpers.batch import SCALE, write_csv
from vidkit.batch.run import run
from vidkit.cli.main import cli
from vidkit.config import load_settings
from vidkit.track.registry import Registry


def test_publish_mints_one_link_per_sharer_and_reruns_keep_them(workspace: Path) -> None:
    settings = load_settings({"VIDKIT_HOME": str(workspace / "home")})
    campaign = write_csv(
        workspace / "c.csv",
        "clip,name,sharer\n"
        "clips/a.mp4,Ana,member-17\n"
        "clips/a.mp4,Ana,member-18\n"  # the same video, shared by someone else
        "clips/b.mp4,Bo,\n"
        "clips/broken.mp4,Cy,member-19\n",
    )
    out = workspace / "out"
    first = run(campaign, out_dir=out, scale=SCALE, workers=1, publish=settings)
    urls = {r.line: r.share_url for r in first.rows}
    assert [r.status for r in first.rows] == ["ok", "ok", "ok", "failed"]
    assert first.published == 2 and urls[5] == ""
    assert all(u.startswith(settings.base_url + "/s/") for u in (urls[2], urls[3], urls[4]))
    assert len({urls[2], urls[3], urls[4]}) == 3

    with Registry.open(settings.db) as registry:
        by_code = {link.code: link for v in registry.videos() for link in registry.links(v.id)}
        assert len(registry.videos()) == 2
        cards = [settings.home / "media" / str(v.card_key) for v in registry.videos()]
    for card in cards:  # designed as `vidkit publish` designs it: the brand's panel at the left
        with Image.open(card) as im:
            assert im.size == (1200, 630)
            assert im.convert("RGB").getpixel((300, 600)) == pytest.approx((27, 27, 58), abs=6)
    assert by_code[urls[2].rsplit("/", 1)[1]].sharer == "member-17"
    assert by_code[urls[3].rsplit("/", 1)[1]].sharer == "member-18"
    assert by_code[urls[4].rsplit("/", 1)[1]].sharer is None
    assert (
        by_code[urls[2].rsplit("/", 1)[1]].video_id == by_code[urls[3].rsplit("/", 1)[1]].video_id
    )

    again = run(campaign, out_dir=out, scale=SCALE, workers=1, publish=settings)
    assert {r.line: r.share_url for r in again.rows} == urls and again.rendered == 0
    manifest = (out / "manifest.csv").read_text(encoding="utf-8-sig")
    assert urls[2] in manifest and "member-17" in manifest


def test_cli_publish_puts_share_links_in_the_json(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDKIT_HOME", str(workspace / "home"))
    for name in ("VIDKIT_DB", "VIDKIT_STORAGE", "VIDKIT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    campaign = write_csv(workspace / "c.csv", "clip,name,sharer\nclips/a.mp4,Ana,m-1\n")
    args = ["batch", str(campaign), "-o", str(workspace / "out"), "--scale", str(SCALE)]
    result = CliRunner().invoke(cli, [*args, "--workers", "1", "--publish", "--json"])
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)["rows"][0]
    assert row["sharer"] == "m-1" and row["share_url"].startswith("http://127.0.0.1:8000/s/")
