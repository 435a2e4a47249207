"""/dashboard: the admin token exchanged for a session cookie; the report's views; refusals.
In-process (a Request in, a Response out) and in real Chromium through the uvicorn server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.helpers.insights import campaign
from tests.helpers.publish import BROWSER_UA, free_port
from tests.web.test_browser import browser  # noqa: F401 - the real-Chromium fixture
from vidkit.config import Settings
from vidkit.track.registry import Registry
from vidkit.web import dashboard
from vidkit.web.dashboard import Dashboard
from vidkit.web.http import Request
from vidkit.web.server import BackgroundServer

TOKEN = "s3cret-admin-token-for-tests"


def _req(
    method: str, path: str, body: bytes = b"", client: str = "10.0.0.1", **headers: str
) -> Request:
    h = {"host": "127.0.0.1:8000", **{k.replace("_", "-"): v for k, v in headers.items()}}
    return Request(method, path, "", h, client, body)


def _login(d: Dashboard, token: str, **headers: str) -> object:
    return d(_req("POST", "/dashboard/login", f"token={token}".encode(), **headers))


def test_login_gives_a_strict_httponly_cookie_and_the_report(
    registry: Registry, settings: Settings
) -> None:
    campaign(registry)
    d = Dashboard(
        registry, replace(settings, admin_token=TOKEN, base_url="https://share.example.org")
    )
    first = d(_req("GET", "/dashboard"))
    assert first.status == 200 and b'name="token"' in first.body
    assert not any(k == "set-cookie" for k, _ in first.headers)
    assert _login(d, "wrong", origin="https://share.example.org").status == 401  # type: ignore[attr-defined]
    ok = _login(d, TOKEN, origin="https://share.example.org")
    cookie = dict(ok.headers)["set-cookie"]  # type: ignore[attr-defined]
    assert ok.status == 303 and all(f in cookie for f in ("HttpOnly", "SameSite=Strict", "Secure"))
    value = cookie.split(";")[0]
    page = d(_req("GET", "/dashboard", cookie=value))
    assert page.status == 200 and b"Top sharers" in page.body and b"<svg" in page.body
    assert b"<script" not in page.body.lower()
    assert d(_req("GET", "/dashboard/data.json", cookie=value)).body.startswith(b"{")
    out = d(_req("POST", "/dashboard/logout", cookie=value, origin="https://share.example.org"))
    assert out.status == 303
    assert b'name="token"' in d(_req("GET", "/dashboard", cookie=value)).body  # revoked


def test_cross_site_posts_guesses_and_forged_cookies_are_refused(
    registry: Registry, settings: Settings
) -> None:
    d = Dashboard(registry, replace(settings, admin_token=TOKEN))
    assert _login(d, TOKEN).status == 403  # type: ignore[attr-defined]  # no Origin
    assert _login(d, TOKEN, origin="https://evil.example").status == 403  # type: ignore[attr-defined]
    forged = "vidkit_admin=" + "A" * 38
    assert b'name="token"' in d(_req("GET", "/dashboard", cookie=forged)).body
    for _ in range(dashboard.FAILS_PER_ADDRESS):
        assert _login(d, "guess", origin="http://127.0.0.1:8000").status == 401  # type: ignore[attr-defined]
    assert _login(d, TOKEN, origin="http://127.0.0.1:8000").status == 429  # type: ignore[attr-defined]
    other = d(_req("POST", "/dashboard/login", f"token={TOKEN}".encode(), client="10.0.0.2",
                   origin="http://127.0.0.1:8000"))  # fmt: skip
    assert other.status == 303
    # a session made under another admin token is not one under this one
    d2 = Dashboard(registry, replace(settings, admin_token=TOKEN + "x"))
    value = dict(other.headers)["set-cookie"].split(";")[0]
    assert b'name="token"' in d2(_req("GET", "/dashboard", cookie=value)).body
    off = Dashboard(registry, replace(settings, admin_token=None))
    assert off(_req("GET", "/dashboard")).status == 403  # no admin token: no dashboard


@pytest.mark.usefixtures("browser")
def test_dashboard_in_a_real_browser(browser: object, settings: Settings) -> None:  # noqa: F811
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}", admin_token=TOKEN)
    with Registry.open(s.db) as reg:
        ids = campaign(reg)
    with BackgroundServer(s, port=port, flush_seconds=0.1):
        context = browser.new_context(user_agent=BROWSER_UA)  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(f"{s.base_url}/s/{ids['root']}")  # a share-page visitor gets no cookie
        assert context.cookies() == []
        page.goto(f"{s.base_url}/dashboard")
        page.fill("input[name=token]", "not-the-token")
        page.click("button[type=submit]")
        assert "not the admin token" in page.content() and context.cookies() == []
        page.fill("input[name=token]", TOKEN)
        page.click("button[type=submit]")
        page.wait_for_selector("#sharers svg")
        [cookie] = context.cookies()
        assert (cookie["name"], cookie["httpOnly"], cookie["sameSite"]) == (
            "vidkit_admin",
            True,
            "Strict",
        )
        assert cookie["secure"] is False  # plain http here; https base URLs get Secure
        assert page.locator("#videos table tbody tr").count() == 2
        assert "amira" in page.inner_text("#sharers")
        page.click("text=Sign out")
        page.wait_for_selector("input[name=token]")
        context.close()
