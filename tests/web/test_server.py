"""The share server for real: over HTTP on 127.0.0.1, and through kill -9."""

from __future__ import annotations

import gzip
import http.client
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.publish import BROWSER_UA, _stop, _wait_ready, fetch, free_port, parse
from vidkit.config import Settings
from vidkit.share.publish import publish
from vidkit.store import open_storage
from vidkit.track.registry import Registry
from vidkit.track.stats import stats
from vidkit.web.server import BackgroundServer


@pytest.fixture()
def served(settings: Settings, bundle: Path) -> Iterator[tuple[BackgroundServer, str]]:
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}")
    with Registry.open(s.db) as reg:
        [res] = publish([bundle], title="Live", storage=open_storage(s.storage, base_url=s.base_url),
                        registry=reg, base_url=s.base_url)  # fmt: skip
    with BackgroundServer(s, port=port) as srv:
        yield srv, res.code


def test_every_url_in_the_unfurl_set_fetches(
    served: tuple[BackgroundServer, str], bundle: Path
) -> None:
    srv, code = served
    status, headers, body = fetch(f"{srv.url}/s/{code}")
    assert status == 200 and headers["content-type"].startswith("text/html")
    page = parse(body)
    status, headers, image = fetch(page.meta["og:image"])
    assert status == 200 and headers["content-type"] == "image/jpeg"
    assert "immutable" in headers["cache-control"]
    with Image.open(io.BytesIO(image)) as im:
        assert im.format == "JPEG" and im.size == (1200, 630)
    assert len(image) <= 300 * 1024
    assert (
        "og:video:secure_url" not in page.meta
    )  # http here: no secure_url rather than a wrong one
    status, headers, video = fetch(page.meta["og:video"])
    assert status == 200 and headers["content-type"] == "video/mp4"
    assert video == bundle.read_bytes()
    status, headers, part = fetch(page.meta["og:video"], headers={"Range": "bytes=100-199"})
    assert status == 206 and part == bundle.read_bytes()[100:200]
    assert headers["content-range"] == f"bytes 100-199/{bundle.stat().st_size}"
    assert "twitter:player" not in page.meta  # X wants https for a player card
    status, _, player = fetch(f"{srv.url}/embed/{code}")
    assert status == 200 and b"<video" in player
    status, headers, vtt = fetch(page.first("track")["src"])
    assert (
        status == 200
        and headers["content-type"].startswith("text/vtt")
        and vtt.startswith(b"WEBVTT")
    )
    poster = page.first("video")["poster"]
    assert fetch(poster)[0] == 200


def test_gzip_keep_alive_and_pipelining(served: tuple[BackgroundServer, str]) -> None:
    srv, code = served
    status, headers, body = fetch(f"{srv.url}/s/{code}", headers={"Accept-Encoding": "gzip, br"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert b"og:video" in gzip.decompress(body)
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        for _ in range(5):  # one connection, several requests
            conn.request("GET", f"/s/{code}", headers={"User-Agent": BROWSER_UA})
            resp = conn.getresponse()
            assert resp.status == 200 and resp.read()
    finally:
        conn.close()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        one = f"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /s/{code} HTTP/1.1\r\nHost: x\r\n\r\n"
        sock.sendall(one.encode() + b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", data)
    assert statuses == [b"200", b"200", b"404"]  # in order


def test_garbage_and_oversized_requests_are_refused(served: tuple[BackgroundServer, str]) -> None:
    srv, _ = served
    for raw in (b"\x16\x03\x01 not http\r\n\r\n", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
            sock.sendall(raw)
            reply = sock.recv(1024)
        assert reply.split(b"\r\n")[0] in (b"HTTP/1.1 400 Bad Request",
                                            b"HTTP/1.1 431 Request Header Fields Too Large")  # fmt: skip


def _wait_group_gone(pgid: int) -> None:
    """Until every process of the group has died (their locks go with them)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)
    raise AssertionError("workers outlived kill -9")


def test_answered_clicks_survive_kill_9(settings: Settings, bundle: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "VIDKIT_HOME": str(settings.home), "VIDKIT_DB": settings.db,
           "VIDKIT_BASE_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    with Registry.open(settings.db) as reg:
        [res] = publish([bundle], title="Durable", storage=open_storage(settings.storage, base_url="http://x"),
                        registry=reg, base_url="http://x")  # fmt: skip
    argv = [sys.executable, "-m", "vidkit", "serve", "--port", str(port)]
    answered = 0
    with open(tmp_path / "serve.err", "wb") as err:
        # two worker processes, each with its own click-log segment, killed together
        proc = subprocess.Popen([*argv, "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True)  # fmt: skip
        try:
            _wait_ready(f"http://127.0.0.1:{port}", proc)
            conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(4)]
            for i in range(400):
                conn = conns[i % 4]
                conn.request("GET", f"/s/{res.code}", headers={"User-Agent": BROWSER_UA})
                resp = conn.getresponse()
                resp.read()
                answered += resp.status == 200
            for conn in conns:
                conn.close()
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # no chance to flush, for any worker
            proc.wait()
            _wait_group_gone(proc.pid)
        with Registry.open(settings.db) as reg:
            before = reg.event_count("click")
        assert answered == 400
    with open(tmp_path / "restart.err", "wb") as err:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)  # fmt: skip
        try:
            _wait_ready(f"http://127.0.0.1:{port}", proc)
        finally:
            _stop(proc)
    log = (tmp_path / "restart.err").read_text()
    with Registry.open(settings.db) as reg:
        assert reg.event_count("click") == 400
        assert stats(reg)["links"][0]["clicks"] == 400
    if before < 400:
        assert f"replayed {400 - before} clicks" in log
    assert proc.returncode == 0
    assert not list(settings.log_dir.glob("*.log"))  # a clean stop leaves no segment behind


def test_share_page_on_s3_storage_has_stable_urls_that_sign_per_request(
    settings: Settings, bundle: Path, bucket: str
) -> None:
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}", storage=f"s3://{bucket}/media")
    with Registry.open(s.db) as reg:
        [res] = publish([bundle], title="From S3", storage=open_storage(s.storage, base_url=s.base_url),
                        registry=reg, base_url=s.base_url)  # fmt: skip
    with BackgroundServer(s, port=port) as srv:
        assert fetch(f"{srv.url}/media/anything.mp4")[0] == 404  # only published keys
        body = fetch(res.share_url)[2]
        assert b"X-Amz-Signature" not in body  # nothing that expires is baked into the page
        page = parse(body)
        for key in ("og:video", "og:image"):
            url = page.meta[key]
            assert url.startswith(f"{srv.url}/media/"), url
            status, headers, _ = fetch(url)
            signed = headers.get("location", "")
            assert status == 302 and "X-Amz-Signature=" in signed and f"/{bucket}/media/" in signed
            assert int(headers["cache-control"].split("max-age=")[1]) <= 3600
            status, _, data = fetch(signed)
            assert status == 200 and data
            if key == "og:video":
                assert data == bundle.read_bytes()  # followed, it plays
        status, _, vtt = fetch(page.first("track")["src"])  # same origin, read from the bucket
        assert status == 200 and vtt.startswith(b"WEBVTT")


def test_conditional_media_requests_and_beacons_keep_the_connection_usable(
    served: tuple[BackgroundServer, str],
) -> None:
    srv, code = served
    page = parse(fetch(f"{srv.url}/s/{code}")[2])
    video_path = page.meta["og:video"].split(srv.url, 1)[1]
    status, headers, _ = fetch(page.meta["og:video"])
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request("GET", video_path, headers={"If-None-Match": headers["etag"]})
        resp = conn.getresponse()
        assert (
            resp.status == 304 and resp.read() == b"" and resp.getheader("content-length") is None
        )
        conn.request("POST", f"/b/{code}", body=b"e=start", headers={"Content-Type": "text/plain"})
        resp = conn.getresponse()
        assert resp.status == 204 and resp.read() == b""
        conn.request("GET", video_path, headers={"Range": "bytes=0-9"})
        resp = conn.getresponse()
        assert resp.status == 206 and len(resp.read()) == 10
        conn.request("GET", video_path, headers={"Range": "bytes=999999999-"})
        resp = conn.getresponse()
        assert resp.status == 416 and resp.read() == b""
    finally:
        conn.close()


_STOP_WHEN_READY = """
import os, signal, sys
from vidkit.config import load_settings
from vidkit.web.server import serve
serve(load_settings(), "127.0.0.1", 0, workers=int(sys.argv[1]),
      on_ready=lambda ready: os.kill(os.getpid(), signal.SIGTERM))
"""


@pytest.mark.parametrize("workers", [1, 2])
def test_a_stop_right_after_ready_is_not_lost(settings: Settings, workers: int) -> None:
    """SIGTERM between listening and waiting for a stop (uvloop used to drop it: a hang)."""
    env = {**os.environ, "VIDKIT_HOME": str(settings.home), "VIDKIT_DB": settings.db}
    proc = subprocess.Popen([sys.executable, "-c", _STOP_WHEN_READY, str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)  # fmt: skip
    try:
        _stop_without_signal(proc)
    finally:
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == 0
    assert not list(settings.log_dir.glob("*.log"))


def _stop_without_signal(proc: subprocess.Popen[bytes]) -> None:
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise AssertionError("a SIGTERM right after start-up was lost") from None
