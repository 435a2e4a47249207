"""Small helpers for the publish-and-track tests."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

from vidkit.web.http import Request

BROWSER_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(
    method: str,
    path: str,
    *,
    ua: str = BROWSER_UA,
    client: str = "203.0.113.7",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> Request:
    """A request as the HTTP layer hands it to the app."""
    path, _, query = path.partition("?")
    hdrs = {"user-agent": ua} if ua else {}
    hdrs |= {k.lower(): v for k, v in (headers or {}).items()}
    return Request(method, path, query, hdrs, client, body)


class Meta(HTMLParser):
    """Collects <meta property|name=... content=...>, <video>, <track> and <a> from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a.get("content", "")
        self.tags.append((tag, a))

    def first(self, tag: str) -> dict[str, str]:
        return next(a for t, a in self.tags if t == tag)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]


def parse(html: bytes | str) -> Meta:
    m = Meta()
    m.feed(html.decode() if isinstance(html, bytes) else html)
    return m


def fetch(
    url: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request over a fresh connection; returns status, headers (lower-case) and body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, headers={"User-Agent": BROWSER_UA, **(headers or {})})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited"
        try:
            if fetch(f"{url}/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("server did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server (started with ``start_new_session``), which must exit within 30 s.

    If it does not, its whole process group is killed before failing, so nothing outlives the
    test.
    """
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise AssertionError("the server did not stop within 30 s of SIGTERM") from None
