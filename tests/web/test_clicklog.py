"""The click log: append before answering, commit in batches, replay what a killed server left."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers.site import registry_with_link
from vidkit.track.registry import Event
from vidkit.web.clicklog import REPLAY_LINES, ClickLog, decode, encode

T0 = 1_790_000_000


def test_lines_round_trip() -> None:
    e = Event(T0, 7, "click", "0123456789abcdef", "t.co", "GB", None)
    assert decode(encode(e)) == e
    assert decode(b"garbage\n") is None
    assert decode(b"1\t2\t\t\t\t\t\n") is None  # no kind


def test_commit_records_events_and_position(db_url: str, tmp_path: Path) -> None:
    reg, link = registry_with_link(db_url)
    log = ClickLog(tmp_path / "log", reg)
    assert log.open() == 0
    for _ in range(5):
        log.append(Event(T0, link, "click"))
    assert reg.event_count() == 0 and log.backlog == 5
    assert log.flush() == 5
    size = (tmp_path / "log" / log.segment).stat().st_size
    assert reg.log_position(log.segment) == size and reg.event_count() == 5
    log.close()
    assert not list((tmp_path / "log").glob("*.log"))
    reg.close()


def test_replay_inserts_only_what_was_not_committed(db_url: str, tmp_path: Path) -> None:
    reg, link = registry_with_link(db_url)
    dead = ClickLog(tmp_path / "log", reg)
    dead.open()
    for _ in range(3):
        dead.append(Event(T0, link, "click"))
    dead.flush()
    for _ in range(4):
        dead.append(Event(T0, link, "preview", agent="whatsapp"))
    segment = tmp_path / "log" / dead.segment
    with open(segment, "ab") as f:  # a line torn by the kill: never answered
        f.write(b"1790000000\t1\tcli")
    # simulate kill -9: the process's lock goes away with it
    os.close(dead._fd)
    live = ClickLog(tmp_path / "log", reg)
    assert live.open() == 4
    assert reg.event_count("click") == 3 and reg.event_count("preview") == 4
    assert not segment.exists()
    assert live.replay() == 0  # nothing twice
    live.close()
    reg.close()


def test_a_running_servers_segment_is_not_replayed(db_url: str, tmp_path: Path) -> None:
    reg, link = registry_with_link(db_url)
    running = ClickLog(tmp_path / "log", reg)
    running.open()
    running.append(Event(T0, link, "click"))
    other = ClickLog(tmp_path / "log", reg)
    assert other.open() == 0  # locked: left alone
    running.flush()
    assert reg.event_count() == 1
    other.close()
    running.close()
    reg.close()


def test_segments_rotate_and_old_ones_go_once_committed(db_url: str, tmp_path: Path) -> None:
    reg, link = registry_with_link(db_url)
    log = ClickLog(tmp_path / "log", reg, segment_bytes=200)
    log.open()
    first = log.segment
    for _ in range(20):
        log.append(Event(T0, link, "click", visitor="0123456789abcdef"))
    log.take()  # rotates: the old segment stays locked until committed
    assert log.segment != first and (tmp_path / "log" / first).exists()
    assert ClickLog(tmp_path / "log", reg).replay() == 0
    log.commit()
    assert not (tmp_path / "log" / first).exists()
    assert reg.event_count() == 20
    log.close()
    reg.close()


def test_an_interrupted_replay_leaves_the_rest_for_the_next_start(
    db_url: str, tmp_path: Path
) -> None:
    reg, link = registry_with_link(db_url)
    dead = ClickLog(tmp_path / "log", reg)
    dead.open()
    total = 2 * REPLAY_LINES + 7
    for _ in range(total):
        dead.append(Event(T0, link, "click"))
    segment = tmp_path / "log" / dead.segment
    os.close(dead._fd)  # killed: nothing committed
    stopping = ClickLog(tmp_path / "log", reg)
    record = reg.record

    def record_then_stop(*args: object, **kw: object) -> None:
        record(*args, **kw)  # type: ignore[arg-type]
        stopping.interrupt()  # SIGTERM arrives while the first transaction commits

    reg.record = record_then_stop  # type: ignore[method-assign]
    assert stopping.open() == REPLAY_LINES
    assert stopping.segment == ""  # stopping: no segment of its own
    del reg.record
    assert reg.event_count("click") == REPLAY_LINES and segment.exists()
    assert reg.log_position(segment.name) == REPLAY_LINES * len(encode(Event(T0, link, "click")))
    stopping.close()
    nxt = ClickLog(tmp_path / "log", reg)
    assert nxt.open() == total - REPLAY_LINES  # the rest, and nothing twice
    assert reg.event_count("click") == total and not segment.exists()
    nxt.close()
    reg.close()
