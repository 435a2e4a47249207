"""Storage: a local folder, and real S3 over HTTP against moto's server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest

from tests.helpers.publish import free_port
from vidkit.store import open_storage
from vidkit.store.base import IMMUTABLE, StorageError
from vidkit.store.local import LocalStorage
from vidkit.store.s3 import S3Storage

MB = 1024 * 1024


def test_open_storage_understands_file_and_s3_locations(tmp_path: Path) -> None:
    local = open_storage(tmp_path.as_uri(), base_url="http://h")
    assert isinstance(local, LocalStorage) and local.root == tmp_path
    rel = open_storage("file://./media", base_url="http://h")
    assert isinstance(rel, LocalStorage) and rel.root == Path("media").resolve()
    s3 = open_storage("s3://bucket/some/prefix/", base_url="http://h")
    assert isinstance(s3, S3Storage) and (s3.bucket, s3.prefix) == ("bucket", "some/prefix")


def test_local_storage_stores_once_and_refuses_escaping_keys(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "media", "http://127.0.0.1:8000")
    src = tmp_path / "a.bin"
    src.write_bytes(b"x" * 1000)
    sent: list[int] = []
    assert store.put(src, "abc.bin", content_type="x/y", on_progress=sent.append)
    assert sum(sent) == 1000
    assert not store.put(src, "abc.bin", content_type="x/y")  # already there
    assert store.exists("abc.bin") and store.read("abc.bin") == b"x" * 1000
    assert store.url("abc.bin") == "http://127.0.0.1:8000/media/abc.bin"
    for bad in ("../etc/passwd", "/abs", "a/../../b", ""):
        with pytest.raises(StorageError):
            store.path(bad)


def test_s3_upload_sets_type_and_cache_headers_and_uploads_once(
    bucket: str, tmp_path: Path
) -> None:
    store = S3Storage(bucket=bucket, prefix="campaign")
    store.check()
    src = tmp_path / "poster.jpg"
    src.write_bytes(os.urandom(5000))
    assert store.put(src, "h1.jpg", content_type="image/jpeg")
    head = boto3.client("s3").head_object(Bucket=bucket, Key="campaign/h1.jpg")
    assert head["ContentType"] == "image/jpeg"
    assert head["CacheControl"] == IMMUTABLE
    assert not store.put(src, "h1.jpg", content_type="image/jpeg")  # same content: not sent
    assert store.exists("h1.jpg") and not store.exists("nope.jpg")
    assert store.read("h1.jpg") == src.read_bytes()


def test_s3_large_files_go_up_in_parts_with_progress(bucket: str, tmp_path: Path) -> None:
    store = S3Storage(bucket=bucket, multipart_threshold=5 * MB, multipart_chunksize=5 * MB)
    src = tmp_path / "big.mp4"
    src.write_bytes(os.urandom(11 * MB))
    sent: list[int] = []
    assert store.put(src, "big.mp4", content_type="video/mp4", on_progress=sent.append)
    assert sum(sent) == 11 * MB
    head = boto3.client("s3").head_object(Bucket=bucket, Key="big.mp4")
    assert head["ETag"].strip('"').endswith("-3")  # a multipart upload of three parts
    assert head["ContentLength"] == 11 * MB


def test_s3_private_objects_get_presigned_urls_that_fetch(bucket: str, tmp_path: Path) -> None:
    store = S3Storage(bucket=bucket)
    src = tmp_path / "c.vtt"
    src.write_text("WEBVTT\n")
    store.put(src, "c.vtt", content_type="text/vtt")
    url = store.url("c.vtt")
    assert "X-Amz-Signature=" in url or "Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.read() == b"WEBVTT\n"
    with pytest.raises(urllib.error.HTTPError) as info:  # unsigned: the bucket says no
        urllib.request.urlopen(url.split("?")[0], timeout=10)
    assert info.value.code == 403
    info.value.close()


def test_s3_public_mode_uses_the_public_base_url(bucket: str, aws_env: str, tmp_path: Path) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    boto3.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    store = S3Storage(bucket=bucket, prefix="p", public_url=f"{aws_env}/{bucket}")
    src = tmp_path / "card.jpg"
    src.write_bytes(b"\xff\xd8jpeg")
    store.put(src, "k.jpg", content_type="image/jpeg")
    assert store.url("k.jpg") == f"{aws_env}/{bucket}/p/k.jpg"
    with urllib.request.urlopen(store.url("k.jpg"), timeout=10) as resp:
        assert resp.read() == b"\xff\xd8jpeg"


def test_missing_bucket_is_one_line_naming_the_bucket(aws_env: str) -> None:
    with pytest.raises(StorageError) as info:
        S3Storage(bucket="no-such-bucket-here").check()
    message = str(info.value)
    assert "no-such-bucket-here" in message and "does not exist" in message
    assert aws_env in message and "\n" not in message


def test_unreachable_endpoint_names_the_endpoint(
    aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", dead)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(StorageError) as info:
        S3Storage(bucket="b").check()
    assert dead in str(info.value) and "unreachable" in str(info.value)
    assert "AWS_ENDPOINT_URL" in str(info.value)


def test_wrong_credentials_say_what_to_check(
    aws_env: str, moto_auth_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_auth_url)
    with pytest.raises(StorageError) as info:
        S3Storage(bucket="campaign-media").check()
    message = str(info.value)
    assert "campaign-media" in message and "refused the credentials" in message
    assert "AWS_ACCESS_KEY_ID" in message


def test_no_credentials_at_all(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(StorageError) as info:
        S3Storage(bucket="b").check()
    assert "no AWS credentials" in str(info.value)


def test_checking_local_storage_sweeps_dead_uploads_only(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    old = time.time() - 3600
    store = LocalStorage(tmp_path / "media", "http://127.0.0.1:8000")
    (store.root / "nested").mkdir(parents=True)
    stale = store.root / "nested" / f".abc.part-{dead.pid}-1.mp4"
    live = store.root / f".def.part-{os.getpid()}-1.mp4"
    kept = store.root / "abc.mp4"
    for p in (stale, live, kept):
        p.write_bytes(b"x")
        os.utime(p, (old, old))
    store.check()
    assert not stale.exists() and live.exists() and kept.exists()
