"""The attacks the share server failed, tried against a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers.disk import small_disk
from tests.helpers.publish import BROWSER_UA, _stop, _wait_ready, fetch, free_port
from vidkit.config import Settings, load_settings
from vidkit.share.publish import publish
from vidkit.store import open_storage
from vidkit.track.registry import Registry
from vidkit.track.stats import stats
from vidkit.web import protocol
from vidkit.web.server import BackgroundServer


def _publish(s: Settings, bundle: Path) -> str:
    with Registry.open(s.db) as reg:
        [res] = publish([bundle], title="Attacked", storage=open_storage(s.storage, base_url=s.base_url),
                        registry=reg, base_url=s.base_url)  # fmt: skip
    return res.code


@pytest.fixture()
def served(settings: Settings, bundle: Path) -> Iterator[tuple[BackgroundServer, str]]:
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}")
    code = _publish(s, bundle)
    with BackgroundServer(s, port=port) as srv:
        yield srv, code


@contextlib.contextmanager
def _serve(env: dict[str, str], port: int, err: Path) -> Iterator[subprocess.Popen[bytes]]:
    with open(err, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "vidkit", "serve", "--port", str(port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=log,
                                start_new_session=True)  # fmt: skip
        try:
            _wait_ready(f"http://127.0.0.1:{port}", proc)
            yield proc
        finally:
            _stop(proc)


def _rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]


def _flood(port: int, path: str, stop: threading.Event) -> None:
    """Pipeline GETs as fast as possible and never read an answer."""
    burst = f"GET {path} HTTP/1.1\r\nHost: x\r\nUser-Agent: {BROWSER_UA}\r\n\r\n".encode() * 64
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                sock.send(burst)
            except TimeoutError:
                continue
            except OSError:
                return


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_client_that_pipelines_and_never_reads_is_held_back(
    settings: Settings, bundle: Path, tmp_path: Path
) -> None:
    """Was: such a client grew the server from 30 MB to over 1.5 GB in 10 s."""
    if "postgresql" in settings.db:
        pytest.skip("the server's memory, not the database")
    port = free_port()
    env = {**os.environ, "VIDKIT_HOME": str(settings.home), "VIDKIT_DB": settings.db,
           "VIDKIT_BASE_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    code = _publish(load_settings(env), bundle)
    with _serve(env, port, tmp_path / "serve.err") as proc:
        fetch(f"http://127.0.0.1:{port}/s/{code}")
        before = _rss(proc.pid)
        stop = threading.Event()
        attacker = threading.Thread(target=_flood, args=(port, f"/s/{code}", stop))
        attacker.start()
        try:
            for _ in range(20):  # a normal visitor meanwhile is answered
                assert fetch(f"http://127.0.0.1:{port}/s/{code}")[0] == 200
                time.sleep(0.2)
            grown = _rss(proc.pid) - before
        finally:
            stop.set()
            attacker.join(10)
    assert grown < 100 * 2**20


def test_a_trickling_client_is_cut_off(
    served: tuple[BackgroundServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was: a connection trickling a byte every 40 s stayed open forever."""
    monkeypatch.setattr(protocol, "HEAD_SECONDS", 1.0)
    srv, _ = served
    closed = False
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
            try:
                sock.send(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.1)  # well inside the keep-alive timeout, every time
            sock.setblocking(False)
            try:
                if sock.recv(1) == b"":
                    closed = True
                    break
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
    assert closed
    assert fetch(f"{srv.url}/healthz")[0] == 200  # a whole request head in time is fine


def test_an_upgrade_request_gets_only_its_answer(served: tuple[BackgroundServer, str]) -> None:
    """Was: an Upgrade request got an unasked-for 400 after its answer."""
    srv, code = served
    for upgrade in ("h2c", "websocket"):
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
            sock.sendall(f"GET /s/{code} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                         f"Upgrade: {upgrade}\r\nUser-Agent: {BROWSER_UA}\r\n\r\n".encode())  # fmt: skip
            data = b""
            sock.settimeout(1.5)
            with contextlib.suppress(TimeoutError):
                while chunk := sock.recv(65536):
                    data += chunk
        assert re.findall(rb"HTTP/1\.1 (\d{3}) ", data) == [b"200"], upgrade


def test_a_huge_range_number_over_http_is_416(served: tuple[BackgroundServer, str]) -> None:
    srv, code = served
    page = fetch(f"{srv.url}/s/{code}")[2].decode()
    video = re.search(r'og:video" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    status, _, body = fetch(video, headers={"Range": "bytes=" + "7" * 4300 + "-"})
    assert status == 416 and body == b""
    assert fetch(video, headers={"Range": "bytes=0-" + "7" * 4300})[0] == 206


def test_api_stats_runs_off_the_event_loop(settings: Settings, bundle: Path) -> None:
    """Was: /api/stats ran on the event loop and froze serving for 1.3 s at 18k links."""
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}")
    code = _publish(s, bundle)
    with BackgroundServer(s, port=port) as srv:
        api = srv.app.running.api_thread  # type: ignore[union-attr]
        gate = threading.Event()
        api.submit(gate.wait, 30)  # the API's thread is busy with a long report
        try:
            answered = threading.Event()
            worker = threading.Thread(
                target=lambda: (
                    fetch(f"{srv.url}/api/stats", headers={"Authorization": "Bearer s3cret"})
                    and answered.set()
                )
            )
            worker.start()
            assert fetch(f"{srv.url}/s/{code}")[0] == 200  # share pages are still answered
            assert not answered.is_set()
        finally:
            gate.set()
        worker.join(30)
        assert answered.is_set()


def _fill(folder: Path) -> Path:
    """Fill the disk to the last byte."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 512, 1):
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_keeps_answering_and_loses_no_answered_click(
    settings: Settings, bundle: Path, tmp_path: Path
) -> None:
    """Was: on a full disk share pages answered 500 and a short write left a torn line."""
    if "postgresql" in settings.db:
        pytest.skip("the database lives on the full disk here")
    with small_disk(tmp_path / "disk", 8 * 1024 * 1024) as disk:
        port = free_port()
        env = {
            **os.environ,
            "VIDKIT_HOME": str(disk),
            "VIDKIT_BASE_URL": f"http://127.0.0.1:{port}",
        }
        env.pop("VIDKIT_DB", None)
        s = load_settings(env)
        code = _publish(s, bundle)
        with _serve(env, port, tmp_path / "serve.err"):
            filler = _fill(disk)
            statuses = [fetch(f"http://127.0.0.1:{port}/s/{code}")[0] for _ in range(300)]
            health = fetch(f"http://127.0.0.1:{port}/healthz")[2]
            filler.unlink()
            statuses += [fetch(f"http://127.0.0.1:{port}/s/{code}")[0] for _ in range(10)]
            time.sleep(1.5)  # a flush, now that there is room
            after = fetch(f"http://127.0.0.1:{port}/healthz")[2]
        assert statuses == [200] * 310
        assert health.startswith(b"degraded") and b"No space left" in health
        assert after.startswith(b"ok")
        with Registry.open(s.db) as reg:
            assert reg.event_count("click") == 310
        log = (tmp_path / "serve.err").read_text()
        assert log.count("cannot write the click log") == 1  # logged once


def test_importing_the_app_is_cheap(tmp_path: Path) -> None:
    """``import vidkit.web`` loads no server and no database code; ``vidkit.web.app`` opens
    nothing until the server starts it."""
    code = (
        "import sys, vidkit.web as w; "
        "print(sorted(m for m in ('uvicorn', 'vidkit.track.registry', 'sqlite3') if m in sys.modules)); "
        "w.app; print('uvicorn' in sys.modules)"
    )
    env = {**os.environ, "VIDKIT_HOME": str(tmp_path / "home")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env)  # fmt: skip
    assert out.stdout.split() == ["[]", "False"]
    assert not (tmp_path / "home").exists()


def test_any_asgi_server_can_run_the_app(settings: Settings, bundle: Path, tmp_path: Path) -> None:
    """``uvicorn vidkit.web:app``: settings from the environment, start-up and the final flush
    in the ASGI lifespan."""
    port = free_port()
    env = {**os.environ, "VIDKIT_HOME": str(settings.home), "VIDKIT_DB": settings.db,
           "VIDKIT_BASE_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    code = _publish(load_settings(env), bundle)
    argv = [sys.executable, "-m", "uvicorn", "vidkit.web:app", "--port", str(port),
            "--http", "vidkit.web.protocol:HttpProtocol", "--no-access-log"]  # fmt: skip
    with open(tmp_path / "uvicorn.err", "wb") as err:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)  # fmt: skip
        try:
            _wait_ready(f"http://127.0.0.1:{port}", proc)
            for _ in range(7):
                assert fetch(f"http://127.0.0.1:{port}/s/{code}")[0] == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
    with Registry.open(settings.db) as reg:
        assert reg.event_count("click") == 7
    assert not list(load_settings(env).log_dir.glob("*.log"))


def test_behind_a_trusted_proxy_visitors_are_told_apart(
    settings: Settings, bundle: Path, tmp_path: Path
) -> None:
    """With VIDKIT_TRUST_PROXY, uvicorn takes the address from X-Forwarded-For sent by a
    proxy in FORWARDED_ALLOW_IPS; without it, a forwarded header is ignored."""
    results = {}
    for trust in ("1", ""):
        port = free_port()
        home = tmp_path / f"home{trust or 0}"
        env = {**os.environ, "VIDKIT_HOME": str(home), "VIDKIT_BASE_URL": f"http://127.0.0.1:{port}",
               "VIDKIT_TRUST_PROXY": trust, "FORWARDED_ALLOW_IPS": "127.0.0.1"}  # fmt: skip
        env.pop("VIDKIT_DB", None)
        s = load_settings(env)
        code = _publish(s, bundle)
        with _serve(env, port, tmp_path / f"serve{trust}.err"):
            for i in range(4):
                fetch(
                    f"http://127.0.0.1:{port}/s/{code}",
                    headers={"X-Forwarded-For": f"198.51.100.{i}"},
                )
        with Registry.open(s.db) as reg:
            results[trust] = stats(reg)["links"][0]["unique_visitors"]
    assert results == {"1": 4, "": 1}


def test_media_over_http_never_serves_the_database(settings: Settings, bundle: Path) -> None:
    """Was: with storage in the data folder, the database and the click log answered 200."""
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}", storage=settings.home.as_uri())
    code = _publish(s, bundle)
    with BackgroundServer(s, port=port) as srv:
        fetch(f"{srv.url}/s/{code}")  # a click: the click log has a segment now
        segments = list(s.log_dir.glob("*.log"))
        assert segments
        for key in ("vidkit.db", f"{s.log_dir.name}/{segments[0].name}"):
            assert fetch(f"{srv.url}/media/{key}")[0] == 404, key
        page = fetch(f"{srv.url}/s/{code}")[2].decode()
        video = re.search(r'og:video" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        assert fetch(video)[0] == 200
