"""The same batch on a real Dask cluster (scheduler and worker processes on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.batch import SCALE, DieOnceJob, write_csv
from vidkit.batch.executors import DaskExecutor
from vidkit.batch.run import run
from vidkit.errors import ConfigError
from vidkit.render.probe import probe

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(
        host="127.0.0.1",
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address="127.0.0.1:0",  # loopback, any free port: runs may overlap
    ) as cluster:
        yield cluster.scheduler_address


def _probe(path: str) -> tuple[object, ...]:
    m = probe(path)
    return (m.width, m.height, round(m.duration, 3), m.fps, m.has_audio, m.video_codec)


def test_cluster_run_equals_local_run(workspace: Path, scheduler: str) -> None:
    campaign = write_csv(
        workspace / "c.csv",
        "clip,name\nclips/a.mp4,Ana\nclips/broken.mp4,Bo\nclips/b.mp4,Ñandú\n",
    )
    local = run(campaign, out_dir=workspace / "local", presets="9x16,1x1", scale=SCALE, workers=1)
    remote = run(
        campaign, out_dir=workspace / "dask", presets="9x16,1x1", scale=SCALE, cluster=scheduler
    )
    assert remote.executor == "dask" and remote.workers == 2

    def view(result: object) -> list[tuple[object, ...]]:
        return [
            (r.line, r.template, r.platform, r.status, Path(r.path).name, r.key, bool(r.error))
            for r in result.rows  # type: ignore[attr-defined]
        ]

    assert view(remote) == view(local)
    assert [r.line for r in remote.failures()] == [3]
    for a, b in zip(local.rows, remote.rows):
        if a.status == "ok":
            assert _probe(a.path) == _probe(b.path)


def test_a_dying_worker_has_its_job_retried_elsewhere(workspace: Path, scheduler: str) -> None:
    campaign = write_csv(workspace / "c.csv", "clip,name\nclips/a.mp4,Ana\nclips/b.mp4,Bo\n")
    flag = workspace / "died"
    result = run(
        campaign,
        out_dir=workspace / "out",
        scale=SCALE,
        cluster=scheduler,
        job=DieOnceJob(flag, line=3),
    )
    assert flag.exists()  # the worker really died once
    assert result.ok and [r.status for r in result.rows] == ["ok", "ok"]


def test_unreachable_scheduler_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        DaskExecutor("tcp://127.0.0.1:9", timeout=1)
