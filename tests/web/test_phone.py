"""The share page as a link recipient meets it: a phone (390x664 CSS pixels, 3x, touch, mobile
user agent) in real headless Chromium, for 9:16, 1:1 and 16:9 videos published with the brand.

The call to action and the share button are on the first screen without scrolling, the big play
button plays the video, a CTA tap is counted once, the phone's share sheet is used when the
browser has one and the share buttons otherwise. ``VIDKIT_SCREENSHOTS=DIR`` saves each page's
first screen there (``docs/images/`` holds the ones in the docs)."""

from __future__ import annotations

import io
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.media import clip
from tests.helpers.publish import free_port
from tests.web.test_browser import ARGS, CHROMIUM, browser  # noqa: F401 - the fixture
from vidkit.config import Settings
from vidkit.share.publish import publish
from vidkit.store import open_storage
from vidkit.template.brand import load_brand
from vidkit.track.registry import Registry
from vidkit.track.stats import stats
from vidkit.web.server import BackgroundServer

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH: apt-get install -y chromium"
)
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
PHONE = {
    "viewport": {"width": 390, "height": 664},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": PHONE_UA,
}
SHAPES = {"9x16": "180x320", "1x1": "240x240", "16x9": "320x180"}
FAKE_SHARE = "navigator.share = (d) => { window.__shared = d; return Promise.resolve(); };"


def _published(s: Settings, tmp: Path) -> dict[str, tuple[str, str]]:
    """Each shape's (share URL, link code)."""
    out = {}
    with Registry.open(s.db) as reg:
        for shape, size in SHAPES.items():
            video = clip(tmp / f"{shape}.mp4", size=size, d=2, rate="25")
            # the CTA leads to this server (no other network here), set as `--cta-url` would
            [res] = publish([video], title="Nurses speak up for their ward", brand=load_brand("default"),
                            storage=open_storage(s.storage, base_url=s.base_url), registry=reg,
                            base_url=s.base_url, cta_text="Join us", cta_url=f"{s.base_url}/healthz")  # fmt: skip
            out[shape] = (res.share_url, res.code)
    return out


def _row(s: Settings, code: str) -> dict:
    with Registry.open(s.db) as reg:
        return next(r for r in stats(reg)["links"] if r["code"] == code)


def _in_first_screen(page: object, selector: str) -> bool:
    box = page.locator(selector).bounding_box()  # type: ignore[attr-defined]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 664


def test_phone_first_screen_cta_share_and_play(
    browser: object,  # noqa: F811
    settings: Settings,
    tmp_path: Path,
) -> None:
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}")
    pages = _published(s, tmp_path)
    shots = os.environ.get("VIDKIT_SCREENSHOTS")
    with BackgroundServer(s, port=port, flush_seconds=0.1):
        for shape, (url, code) in pages.items():
            ctx = browser.new_context(**PHONE)  # type: ignore[attr-defined]
            ctx.add_init_script(FAKE_SHARE)
            page = ctx.new_page()
            errors: list[str] = []
            hosts: set[str] = set()
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.on("request", lambda r, hosts=hosts: hosts.add(r.url.split("/")[2]))
            page.goto(url, wait_until="load")
            page.evaluate("() => document.fonts.ready.then(() => true)")
            for selector in ("a.cta", "a.share-open", "button.play", "h1", ".org-name"):
                assert _in_first_screen(page, selector), (shape, selector)
            if shots:
                shot = Path(shots) / f"share-page-{shape}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot), scale="css")
                with Image.open(shot) as im:  # a small PNG for the docs
                    im.convert("RGB").quantize(128).save(shot, optimize=True)
                card = page.locator('meta[property="og:image"]').get_attribute("content")
                with Image.open(io.BytesIO(ctx.request.get(card).body())) as im:
                    assert im.size == (1200, 630)
                    small = im.convert("RGB").resize((600, 315), Image.Resampling.LANCZOS)
                    small.quantize(128).save(Path(shots) / f"link-card-{shape}.png", optimize=True)
            # the big play button plays the video
            page.locator("button.play").tap()
            page.wait_for_function("() => document.getElementById('player').currentTime > 0.3")
            assert page.locator("button.play").is_hidden()
            # the phone's share sheet, with a child link of its own
            page.locator("a.share-open").tap()
            page.wait_for_function("() => window.__shared !== undefined")
            shared = page.evaluate("window.__shared")
            assert shared["url"].startswith(f"{s.base_url}/s/") and shared["url"] != url
            # the call to action: one tap, counted once however often it is followed
            href = page.locator("a.cta").get_attribute("href")
            page.locator("a.cta").tap()
            page.wait_for_url(f"{s.base_url}/healthz")
            page.goto(href)
            assert errors == [], shape
            assert hosts == {f"127.0.0.1:{port}"}, hosts  # no third-party request
            assert ctx.cookies() == []  # and no cookie
            ctx.close()
            deadline = time.monotonic() + 10
            while _row(s, code)["cta_clicks"] == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.3)  # a second count, if there were one, would be flushed by now
            row = _row(s, code)
            assert (row["cta_clicks"], row["clicks"], row["plays"]) == (1, 1, 1), shape
        with Registry.open(s.db) as reg:
            assert {link.channel for link in reg.links()} >= {"native"}


def test_without_a_share_sheet_the_buttons_are_one_tap_away(
    browser: object,  # noqa: F811
    settings: Settings,
    tmp_path: Path,
) -> None:
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}")
    url, _ = _published(s, tmp_path)["9x16"]
    with BackgroundServer(s, port=port, flush_seconds=0.1):
        ctx = browser.new_context(**PHONE)  # type: ignore[attr-defined]
        ctx.add_init_script("delete Navigator.prototype.share; delete navigator.share;")
        page = ctx.new_page()
        page.goto(url, wait_until="load")
        assert page.evaluate("typeof navigator.share") == "undefined"
        page.locator("a.share-open").tap()
        page.wait_for_function("() => location.hash === '#share'")
        for channel in ("whatsapp", "telegram", "facebook", "x", "linkedin", "sms", "email"):
            assert _in_first_screen(page, f"nav.share a.{channel}"), channel
        assert _in_first_screen(page, "nav.share button.copy")
        ctx.close()
