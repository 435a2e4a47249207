"""The local worker pool: a worker that dies costs only the item it was running."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.batch import SCALE, DieAlwaysJob, ModelReadyJob, shout, write_csv
from vidkit.batch.executors import InlineExecutor, LocalExecutor, WorkerCrashed
from vidkit.batch.run import run
from vidkit.captions.engines.moonshine import available as moonshine_available


def test_a_dying_worker_costs_only_its_own_item(tmp_path: Path) -> None:
    once = f"once:{tmp_path / 'died-once'}"
    items = ["a", "crash", "b", once, "fail", "c", "d", "e"]
    pool = LocalExecutor(2)
    try:
        got = dict(pool.run(shout, items))
    finally:
        pool.close()
    assert set(got) == set(items)
    assert [got[i] for i in ("a", "b", "c", "d", "e")] == ["A", "B", "C", "D", "E"]
    # killed once, then done in a fresh worker
    assert (tmp_path / "died-once").exists() and got[once] == once.upper()
    # killed every time: tried twice, then reported with how it died
    assert isinstance(got["crash"], WorkerCrashed)
    assert "on all 2 tries" in str(got["crash"]) and "SIGKILL" in str(got["crash"])
    # an exception is a result, as in this process
    assert isinstance(got["fail"], ValueError) and "bad item fail" in str(got["fail"])
    inline = dict(InlineExecutor().run(shout, ["a", "fail"]))
    assert inline["a"] == "A" and isinstance(inline["fail"], ValueError)


def test_a_row_that_kills_its_worker_fails_alone(workspace: Path) -> None:
    campaign = write_csv(
        workspace / "c.csv",
        "clip,name\nclips/a.mp4,Ana\nclips/b.mp4,Bo\nclips/c.mp4,Cy\nclips/a.mp4,Di\n",
    )
    out = workspace / "out"
    result = run(
        campaign, out_dir=out, presets="1x1", scale=SCALE, workers=2, job=DieAlwaysJob(line=3)
    )
    assert not result.ok
    assert [(r.line, r.status) for r in result.rows] == [
        (2, "ok"), (3, "failed"), (4, "ok"), (5, "ok"),
    ]  # fmt: skip
    failed = result.rows[1]
    assert "worker process died while running it on all 2 tries" in failed.error
    assert "SIGKILL" in failed.error
    rows = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["rows"]
    assert [r["status"] for r in rows] == ["ok", "failed", "ok", "ok"]
    assert all(Path(r["path"]).is_file() for r in rows if r["status"] == "ok")


@pytest.mark.skipif(not moonshine_available(), reason="moonshine is not installed")
def test_the_caption_model_is_prepared_once_before_the_workers_start(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIDKIT_CAPTION_ENGINE", raising=False)
    monkeypatch.setenv("VIDKIT_CACHE", str(workspace / "cache"))  # nothing prepared yet
    campaign = write_csv(
        workspace / "c.csv", "clip,name,captions\nclips/a.mp4,Ana,none\nclips/b.mp4,Bo,auto\n"
    )
    result = run(campaign, out_dir=workspace / "out", presets="1x1", scale=SCALE, workers=2,
                 job=ModelReadyJob())  # fmt: skip
    assert [r.status for r in result.rows] == ["ok", "ok"], [r.error for r in result.rows]
    assert [p.name for p in (workspace / "cache" / "moonshine").iterdir()][0].startswith("base-en")
