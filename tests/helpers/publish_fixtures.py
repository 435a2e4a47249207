"""Fixtures for publish-and-track tests: a rendered video made with lavfi sources, a real S3
server (moto's server mode, a subprocess on 127.0.0.1), and the database backends to run on."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.publish import free_port
from vidkit.config import Settings, load_settings
from vidkit.ffmpeg.locate import locate
from vidkit.track.registry import Registry

SRT = "1\n00:00:00,000 --> 00:00:01,000\nHello from the campaign\n\n2\n00:00:01,000 --> 00:00:02,000\nSecond line\n"


def _ffmpeg(*args: str) -> None:
    subprocess.run([locate().path, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``clip.mp4`` (320×568, 2 s, H.264/AAC, faststart) with the renderer's siblings."""
    root = tmp_path_factory.mktemp("rendered")
    video = root / "clip.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=320x568:r=25:d=2",
        "-f", "lavfi", "-i", "sine=f=440:d=2",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(video),
    )  # fmt: skip
    Image.new("RGB", (320, 568), (200, 30, 60)).save(root / "clip.poster.jpg", quality=85)
    Image.new("RGB", (1200, 630), (20, 90, 200)).save(root / "clip.card.jpg", quality=85)
    (root / "clip.srt").write_text(SRT, encoding="utf-8")
    return video


@pytest.fixture()
def bundle(rendered: Path, tmp_path: Path) -> Path:
    """A private copy of the rendered bundle that a test may change."""
    out = tmp_path / "out"
    out.mkdir()
    for f in rendered.parent.iterdir():
        shutil.copy(f, out / f.name)
    return out / rendered.name


@pytest.fixture()
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Defaults as a new user gets them, inside a temporary VIDKIT_HOME, on each database."""
    env = {"VIDKIT_HOME": str(tmp_path / "home"), "VIDKIT_ADMIN_TOKEN": "s3cret"}
    if not db_url.endswith("registry.db"):  # PostgreSQL
        env["VIDKIT_DB"] = db_url
    return load_settings(env)


# database backends ------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a private schema on VIDKIT_TEST_DATABASE_URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "registry.db")
        return
    base = os.environ.get("VIDKIT_TEST_DATABASE_URL")
    if not base:
        pytest.skip(
            "PostgreSQL tests need VIDKIT_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    psycopg = pytest.importorskip("psycopg")
    schema = f"vk_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture()
def registry(db_url: str) -> Iterator[Registry]:
    with Registry.open(db_url) as reg:
        yield reg


# S3 -----------------------------------------------------------------------------------------


def _start_moto(env_extra: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, **env_extra}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise RuntimeError("moto server did not start")


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """An S3-compatible server on 127.0.0.1 that accepts any credentials."""
    pytest.importorskip("moto.server")
    proc, url = _start_moto({})
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def moto_auth_url() -> Iterator[str]:
    """An S3-compatible server that checks credentials (it knows none, so all are wrong)."""
    pytest.importorskip("moto.server")
    proc, url = _start_moto({"INITIAL_NO_AUTH_ACTION_COUNT": "0"})
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture()
def aws_env(monkeypatch: pytest.MonkeyPatch, moto_url: str) -> str:
    """Standard AWS configuration pointing at the moto server; returns the endpoint."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    return moto_url


@pytest.fixture()
def bucket(aws_env: str) -> str:
    """A new, empty bucket on the moto server."""
    import boto3

    name = f"vk-{secrets.token_hex(4)}"
    client = boto3.client("s3")
    client.create_bucket(Bucket=name)
    client.close()
    return name
