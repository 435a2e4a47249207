"""s3:// clips, downloaded once into the batch's cache, from a real moto server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.helpers.batch import SCALE, CountingJob, make_clip_file, write_csv
from vidkit.batch.run import run

moto_server = pytest.importorskip("moto.server")


@pytest.fixture()
def bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3")
    client.create_bucket(Bucket="members")
    client.close()
    try:
        yield "members"
    finally:
        server.stop()


def _upload(path: Path, bucket: str, key: str) -> None:
    client = boto3.client("s3")
    try:
        client.upload_file(str(path), bucket, key)
    finally:
        client.close()


def test_s3_clips_download_once_and_rerender_when_changed(workspace: Path, bucket: str) -> None:
    _upload(workspace / "clips" / "a.mp4", bucket, "weekend/ana.mp4")
    campaign = write_csv(
        workspace / "c.csv",
        f"clip,name\ns3://{bucket}/weekend/ana.mp4,Ana\ns3://{bucket}/weekend/gone.mp4,Bo\n",
    )
    out = workspace / "out"
    counter = CountingJob(workspace / "renders.log")
    first = run(campaign, out_dir=out, scale=SCALE, workers=1, job=counter)
    assert [(r.line, r.status) for r in first.rows] == [(2, "ok"), (3, "failed")]
    assert "not found in S3" in first.rows[1].error
    assert Path(first.rows[0].path).name == "ana-default-9x16.mp4"
    cached = list((out / ".vidkit-cache" / "clips").iterdir())
    assert len(cached) == 1 and cached[0].read_bytes() == (workspace / "clips/a.mp4").read_bytes()
    stamp = cached[0].stat().st_mtime_ns

    again = run(campaign, out_dir=out, scale=SCALE, workers=1, job=counter)
    assert again.reused == 1 and counter.lines() == [2]
    assert cached[0].stat().st_mtime_ns == stamp  # not downloaded again

    make_clip_file(workspace / "other.mp4", hue=120)
    _upload(workspace / "other.mp4", bucket, "weekend/ana.mp4")
    third = run(campaign, out_dir=out, scale=SCALE, workers=1, job=counter)
    assert third.rendered == 1 and counter.lines() == [2, 2]
