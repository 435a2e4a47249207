"""The share server's failures under attack, each as a test: the click log bound to its
database, a full disk, what /media/ serves, huge Range numbers, a paged API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers.publish import request
from tests.helpers.site import Site, make_site, registry_with_link
from vidkit.config import Settings, load_settings
from vidkit.track.registry import Event, Registry
from vidkit.web import clicklog
from vidkit.web.clicklog import ClickLog, decode, encode

T0 = 1_790_000_000


# the click log belongs to one database -----------------------------------------------------

_KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from vidkit.track.registry import Event, Registry
from vidkit.web.clicklog import ClickLog
reg = Registry.open(sys.argv[1])
log = ClickLog(Path(sys.argv[2]), reg)
log.open()
link = int(sys.argv[3])
for i in range(40):
    log.append(Event(1790000000, link, "click"))  # answered
    if i == 27:
        log.flush()  # 28 committed, 12 only in the log
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_segment_is_replayed_only_into_its_own_database(tmp_path: Path) -> None:
    """Was: a server on database B replayed A's 12 unsaved clicks into B (A kept 28, B gained
    40 with link ids that meant other links there)."""
    folder = tmp_path / "shared-log"
    reg_a, link_a = registry_with_link(str(tmp_path / "a.db"))
    reg_b, _ = registry_with_link(str(tmp_path / "b.db"))
    assert reg_a.meta("database_id") != reg_b.meta("database_id")
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITER, str(tmp_path / "a.db"), str(folder), str(link_a)]
    )
    assert proc.returncode == -signal.SIGKILL
    assert reg_a.event_count() == 28
    b = ClickLog(folder, reg_b)
    assert b.open() == 0  # A's segment is left alone ...
    assert reg_b.event_count() == 0
    assert b.health()["foreign_segments"] == 1 and not b.health()["ok"]  # ... and reported
    b.close()
    report = clicklog.inspect(folder, reg_b.meta("database_id"))
    assert len(report["foreign_segments"]) == 1 and report["writable"]  # type: ignore[arg-type]
    a = ClickLog(folder, reg_a)
    assert a.open() == 12  # its own database takes it back, nothing twice
    assert reg_a.event_count() == 40
    a.close()
    reg_a.close()
    reg_b.close()


def test_each_database_has_its_own_click_log_folder(tmp_path: Path) -> None:
    home = {"VIDKIT_HOME": str(tmp_path / "home")}
    one = load_settings(home)
    two = load_settings({**home, "VIDKIT_DB": str(tmp_path / "second.db")})
    pg = load_settings({**home, "VIDKIT_DB": "postgresql://u@127.0.0.1/x"})
    assert one.log_dir == tmp_path / "home" / "vidkit.db.clicklog"
    assert two.log_dir == tmp_path / "second.db.clicklog"
    assert pg.log_dir.parent == tmp_path / "home" / "clicklog"
    assert len({one.log_dir, two.log_dir, pg.log_dir}) == 3


# a full disk -----------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_keeps_pages_answering_and_counts_in_memory(site: Site) -> None:
    """Was: on a full disk share pages answered 500."""
    segment = site.settings.log_dir / site.log.segment
    site.get(f"/s/{site.code}")
    good = segment.read_bytes()
    full = os.open("/dev/full", os.O_WRONLY)
    saved = os.dup(site.log._fd)
    os.dup2(full, site.log._fd)  # every write now fails with ENOSPC, as on a full disk
    try:
        for _ in range(5):
            assert site.get(f"/s/{site.code}").status == 200
        health = site.get("/healthz")
        assert health.body.startswith(b"degraded") and b"No space left" in health.body
        assert site.log.health()["held_in_memory"] == 5
    finally:
        os.dup2(saved, site.log._fd)
        os.close(saved)
        os.close(full)
    assert site.counts()["clicks"] == 6  # the held clicks are committed with the rest
    assert site.log.health()["held_in_memory"] == 0
    site.get(f"/s/{site.code}")
    assert (
        site.get("/healthz").body == b"ok\nclicklog: ok\nheld_in_memory: 0\nforeign_segments: 0\n"
    )
    lines = segment.read_bytes()
    assert lines.startswith(good) and all(decode(x) for x in lines.splitlines())


# /media/ and Range -----------------------------------------------------------------------


def test_media_serves_only_published_files(settings: Settings, bundle: Path) -> None:
    """Was: with storage in the data folder, the database and the click log downloaded."""
    s = replace(settings, storage=settings.home.as_uri())  # storage root = the data folder
    with Registry.open(s.db) as reg:
        site = make_site(s, bundle, reg)
        site.get(f"/s/{site.code}")
        video = reg.video(site.video_id)
        assert site.get(f"/media/{video.video_key}").status == 200
        segment = f"{s.log_dir.name}/{site.log.segment}"
        for key in ("vidkit.db", segment, "vidkit.db-wal", "../x", video.video_key + ".tmp"):
            assert site.get(f"/media/{key}").status == 404, key
        site.app.close()
        site.log.close()


def test_huge_range_numbers_answer_416_or_the_file(site: Site) -> None:
    """Was: a 4,300-digit Range number answered 500 and logged a traceback."""
    key = site.registry.video(site.video_id).video_key
    huge = "9" * 4300
    size = (site.app.storage.path(key)).stat().st_size  # type: ignore[attr-defined]
    for spec, status, length in ((f"bytes={huge}-", 416, None), (f"bytes=0-{huge}", 206, size),
                                 (f"bytes=-{huge}", 206, size), (f"bytes={huge}-{huge}", 416, None)):  # fmt: skip
        resp = site.get(f"/media/{key}", headers={"Range": spec})
        assert resp.status == status, spec
        if length is not None:
            assert resp.file is not None and resp.file.length == length


# the admin API -----------------------------------------------------------------------------


def test_api_lists_are_paged_with_a_cap(site: Site) -> None:
    for i in range(30):
        site.registry.create_link(site.video_id, channel=f"c{i}")
    auth = {"Authorization": "Bearer s3cret"}

    def get(path: str) -> tuple[int, dict]:
        resp = site.app(request("GET", path, headers=auth))
        return resp.status, json.loads(resp.body)

    status, page = get("/api/links?limit=10")
    assert status == 200 and len(page["links"]) == 10 and page["next_offset"] == 10
    _, last = get("/api/links?limit=10&offset=30")
    assert len(last["links"]) == 1 and last["next_offset"] is None
    _, capped = get("/api/links?limit=999999")
    assert len(capped["links"]) == 31 and capped["next_offset"] is None
    _, stats = get("/api/stats?limit=5")
    assert len(stats["links"]) == 5 and stats["next_offset"] == 5 and "by_day" in stats
    assert get("/api/links?limit=ten")[0] == 400
    assert get("/api/videos?limit=1")[1]["videos"][0]["id"] == site.video_id


_SHORT_WRITES = """
import json, os, resource, signal, sys
from pathlib import Path
from vidkit.track.registry import Event, Registry
from vidkit.web.clicklog import ClickLog, encode
reg = Registry.open(sys.argv[1])
log = ClickLog(Path(sys.argv[2]), reg)
log.open()
link = int(sys.argv[3])
line = len(encode(Event(1790000000, link, "click")))
for _ in range(4):
    log.append(Event(1790000000, link, "click"))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit: EFBIG, not death
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (4 * line + 10, hard))  # of the 5th line, 10 bytes fit
for _ in range(6):
    log.append(Event(1790000000, link, "click"))
held = log.health()
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
log.append(Event(1790000000, link, "click"))  # writable again
segment = (Path(sys.argv[2]) / log.segment).read_bytes()
log.flush()
print(json.dumps({"held": held["held_in_memory"], "trouble": held["clicklog"],
                  "segment": segment.decode(), "events": reg.event_count(),
                  "ok": log.health()["ok"]}))
os.kill(os.getpid(), signal.SIGKILL)  # and nothing is counted twice on replay
"""


def test_a_short_write_leaves_no_torn_line(tmp_path: Path) -> None:
    """Was: a short write (the file size limit or a disk filling mid-line) left a torn line."""
    reg, link = registry_with_link(str(tmp_path / "a.db"))
    folder = tmp_path / "log"
    proc = subprocess.run(
        [sys.executable, "-c", _SHORT_WRITES, str(tmp_path / "a.db"), str(folder), str(link)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    out = json.loads(proc.stdout)
    assert out["held"] == 6 and "File too large" in out["trouble"]
    lines = out["segment"].splitlines(keepends=True)
    assert len(lines) == 5 and all(decode(x.encode()) for x in lines)  # 4 + 1, none torn
    size = len(encode(Event(T0, link, "click")))
    assert len(out["segment"]) == 5 * size and all(x.startswith(f"{T0}\t{link}\t") for x in lines)
    assert out["events"] == 11 and out["ok"]
    again = ClickLog(folder, reg)
    assert again.open() == 0  # all were committed with their position: none twice
    assert reg.event_count() == 11
    again.close()
    reg.close()
