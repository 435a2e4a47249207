"""``/dashboard``: the insights report, live, for admins only.

The admin token is typed once into a login form and exchanged for a session cookie: an
expiring value signed (HMAC-SHA256) with a key derived from the database's secret and the admin
token (so changing the token ends every session), ``HttpOnly``, ``SameSite=Strict``, scoped to
``/dashboard``, and ``Secure`` when the server's base URL is https. No one else ever gets a
cookie: share-page visitors never do. The login and logout POSTs must come from this site
(``Origin``); failed logins are limited per address and in all, in memory (addresses are kept
only as a keyed hash, as :mod:`vidkit.web.counting` does). The page is the report's own HTML,
made from the rollups on every load.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import struct
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from vidkit.config import Settings
from vidkit.errors import VidkitError
from vidkit.insights.html import e, page, report_body
from vidkit.insights.report import report_data
from vidkit.track.registry import Registry
from vidkit.web.http import Request, Response

COOKIE = "vidkit_admin"
SESSION_SECONDS = 8 * 3600
FAILS_PER_ADDRESS = 10  # failed logins per address per hour
FAILS_IN_ALL = 200  # failed logins per hour, all addresses together
MAX_ADDRESSES = 10_000
MAX_REVOKED = 10_000
_HTML = "text/html; charset=utf-8"
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS = [
    ("cache-control", "no-store"),
    ("content-security-policy", _CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
]
LOGIN = """<h1>Campaign insights</h1>
<form method="post" action="/dashboard/login">
<p><label>Admin token <input type="password" name="token" autocomplete="current-password"
 required autofocus></label> <button type="submit">Sign in</button></p></form>"""


class Sessions:
    """Signed, expiring session values; a logged-out value is remembered until it expires."""

    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._key = key
        self.clock = clock
        self._revoked: dict[bytes, int] = {}

    def _mac(self, head: bytes) -> bytes:
        return hmac.digest(self._key, head, "sha256")[:16]

    def issue(self) -> str:
        head = struct.pack(">I", int(self.clock()) + SESSION_SECONDS) + secrets.token_bytes(8)
        return base64.urlsafe_b64encode(head + self._mac(head)).decode().rstrip("=")

    def valid(self, value: str) -> bytes | None:
        """The session's nonce if ``value`` is a live session, else None."""
        if len(value) != 38:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "==")
        except ValueError:
            return None
        head, mac = raw[:12], raw[12:]
        if not hmac.compare_digest(mac, self._mac(head)):
            return None
        expires = struct.unpack(">I", head[:4])[0]
        if expires < self.clock() or head[4:] in self._revoked:
            return None
        return head[4:]

    def revoke(self, value: str) -> None:
        nonce = self.valid(value)
        if nonce is None:
            return
        now = self.clock()
        self._revoked = {n: t for n, t in self._revoked.items() if t >= now}
        if len(self._revoked) < MAX_REVOKED:
            self._revoked[nonce] = int(now) + SESSION_SECONDS


class Attempts:
    """Failed logins this hour, per keyed hash of the address and in all (memory only)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._hour = -1
        self._fails: dict[bytes, int] = {}
        self._all = 0

    def _slot(self, address: str) -> bytes:
        hour = int(self.clock() // 3600)
        if hour != self._hour:
            self._hour, self._fails, self._all = hour, {}, 0
        return hmac.digest(self._key, address.encode("utf-8", "surrogateescape"), "sha256")[:12]

    def allowed(self, address: str) -> bool:
        slot = self._slot(address)
        return self._all < FAILS_IN_ALL and self._fails.get(slot, 0) < FAILS_PER_ADDRESS

    def failed(self, address: str) -> None:
        slot = self._slot(address)
        self._all += 1
        if slot in self._fails or len(self._fails) < MAX_ADDRESSES:
            self._fails[slot] = self._fails.get(slot, 0) + 1


def _html(status: int, body: str, extra: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, page("Campaign insights", body).encode(), _HTML,
                    [*_HEADERS, *(extra or [])])  # fmt: skip


class Dashboard:
    """The ``/dashboard`` routes; call with every request whose path starts with it."""

    def __init__(
        self, registry: Registry, settings: Settings, clock: Callable[[], float] = time.time
    ) -> None:
        self.registry = registry
        self.token = settings.admin_token
        self.base_url = settings.base_url
        self.secure = settings.base_url.startswith("https://")
        secret = bytes.fromhex(registry.meta("view_secret"))
        label = b"vidkit dashboard session\x00" + (self.token or "").encode()
        self.sessions = Sessions(hmac.digest(secret, label, "sha256"), clock)
        self.attempts = Attempts(clock)

    def __call__(self, req: Request) -> Response:
        if not self.token:
            return _html(403, "<h1>Dashboard disabled</h1><p>Set VIDKIT_ADMIN_TOKEN and restart "
                              "the server.</p>")  # fmt: skip
        route = req.path.rstrip("/")
        if route == "/dashboard/login":
            return self.login(req) if req.method == "POST" else _see("/dashboard")
        if route == "/dashboard/logout" and req.method == "POST":
            return self.logout(req)
        if route not in ("/dashboard", "/dashboard/data.json") or req.method not in ("GET", "HEAD"):
            return Response(404, b"not found\n", headers=[("cache-control", "no-store")])
        if self.session(req) is None:
            return _html(200, LOGIN)
        try:
            data = self.data(req.query)
        except VidkitError as exc:
            return _html(400, f"<h1>Campaign insights</h1><p>{e(exc)}</p>{FILTERS}")
        if route == "/dashboard/data.json":
            body = json.dumps(data, ensure_ascii=False).encode()
            return Response(200, body, "application/json", list(_HEADERS))
        return _html(200, TOOLBAR + report_body(data))

    def data(self, query: str) -> dict:
        q = {k: v[-1] for k, v in parse_qs(query).items() if v[-1]}
        return report_data(self.registry, video_id=q.get("video"), since=q.get("since"),
                           until=q.get("until"))  # fmt: skip

    def session(self, req: Request) -> bytes | None:
        return self.sessions.valid(_cookie(req.headers.get("cookie", ""), COOKIE) or "")

    def same_origin(self, req: Request) -> bool:
        """A POST from a page of this server: its Origin is the base URL's or the Host's."""
        origin = req.headers.get("origin", "")
        if not origin or origin == "null":
            return False
        ours = urlsplit(self.base_url)
        given = urlsplit(origin)
        return (given.scheme, given.netloc) == (ours.scheme, ours.netloc) or (
            given.netloc == req.headers.get("host", "") and given.scheme in ("http", "https")
        )

    def login(self, req: Request) -> Response:
        if not self.same_origin(req):
            return _html(403, "<h1>Refused</h1><p>Sign in from the dashboard's own page.</p>")
        if not self.attempts.allowed(req.client):
            return _html(429, "<h1>Too many attempts</h1><p>Try again in an hour.</p>")
        given = parse_qs(req.body.decode("utf-8", "replace")).get("token", [""])[-1]
        if not hmac.compare_digest(given.encode(), (self.token or "").encode()):
            self.attempts.failed(req.client)
            return _html(401, '<p class="vk-note">That is not the admin token.</p>' + LOGIN)
        flags = "; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age=" + str(SESSION_SECONDS)
        cookie = f"{COOKIE}={self.sessions.issue()}{flags}{'; Secure' if self.secure else ''}"
        return _see("/dashboard", [("set-cookie", cookie)])

    def logout(self, req: Request) -> Response:
        if not self.same_origin(req):
            return _html(403, "<h1>Refused</h1>")
        self.sessions.revoke(_cookie(req.headers.get("cookie", ""), COOKIE) or "")
        gone = f"{COOKIE}=; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age=0"
        return _see("/dashboard", [("set-cookie", gone + ("; Secure" if self.secure else ""))])


FILTERS = """<form method="get" action="/dashboard" class="vk-filters">
<label>video <input name="video" size="14"></label>
<label>since <input name="since" type="date"></label>
<label>until <input name="until" type="date"></label> <button type="submit">Show</button></form>"""
TOOLBAR = (
    '<form method="post" action="/dashboard/logout" style="float: right">'
    '<button type="submit">Sign out</button></form>' + FILTERS
)


def _see(location: str, extra: list[tuple[str, str]] | None = None) -> Response:
    return Response(303, b"", None, [("location", location), ("cache-control", "no-store"),
                                     *(extra or [])])  # fmt: skip


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
