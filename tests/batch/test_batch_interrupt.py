"""Ctrl-C on a real `vidkit batch` process with a worker pool: nothing partial, then resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.batch import SCALE, CountingJob, write_csv
from vidkit.batch.run import run
from vidkit.render.probe import probe


def test_ctrl_c_leaves_no_partial_outputs_and_the_next_run_resumes(workspace: Path) -> None:
    campaign = write_csv(
        workspace / "c.csv",
        # eight rows: after the first finishes there is work left to interrupt, even when a
        # loaded machine starves this test's polling for seconds
        "clip,name\n" + "".join(f"clips/{c}.mp4,{n}\n" for c, n in zip("abcabcab", "ABCDEFGH")),
    )
    out = workspace / "out"
    argv = [sys.executable, "-m", "vidkit", "batch", str(campaign), "-o", str(out)]
    argv += ["-p", "9x16,1x1", "--scale", str(SCALE), "--workers", "2"]
    # A new session stands in for the terminal's foreground process group: Ctrl-C reaches all.
    proc = subprocess.Popen(
        argv, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not list((out / ".vidkit-jobs").glob("*.json")) and time.monotonic() < deadline:
            assert proc.poll() is None, "the batch ended before it could be interrupted"
            time.sleep(0.02)
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr

    assert not [p.name for p in out.iterdir() if ".part" in p.name or p.name.endswith(".tmp")]
    for video in out.glob("*.mp4"):
        assert probe(video).duration > 0.9  # whatever is there is complete
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["summary"]["interrupted"] is True
    finished = {r["line"] for r in data["rows"]}
    assert all(r["status"] == "ok" and Path(r["path"]).is_file() for r in data["rows"])
    assert 1 <= len(finished) < 8

    counter = CountingJob(workspace / "renders.log")
    resumed = run(campaign, out_dir=out, presets="9x16,1x1", scale=SCALE, workers=1, job=counter)
    assert resumed.ok and len(resumed.rows) == 16
    assert sorted(counter.lines()) == sorted(set(range(2, 10)) - finished)
