"""The share page in a real headless browser (Debian's chromium driven by Playwright):
the page loads, the video plays with its captions, the beacons count."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers.publish import BROWSER_UA, free_port
from vidkit.config import Settings
from vidkit.share.publish import publish
from vidkit.store import open_storage
from vidkit.track.registry import Registry
from vidkit.track.stats import stats
from vidkit.web.server import BackgroundServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH: apt-get install -y chromium"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _counts(settings: Settings, code: str) -> dict:
    with Registry.open(settings.db) as reg:
        return next(r for r in stats(reg)["links"] if r["code"] == code)


def test_page_loads_video_plays_and_beacons_count(
    browser: object, settings: Settings, bundle: Path
) -> None:
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}")
    with Registry.open(s.db) as reg:
        [res] = publish([bundle], title="In a browser", storage=open_storage(s.storage, base_url=s.base_url),
                        registry=reg, base_url=s.base_url)  # fmt: skip
    with BackgroundServer(s, port=port, flush_seconds=0.1):
        context = browser.new_context(user_agent=BROWSER_UA)  # type: ignore[attr-defined]
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        response = page.goto(res.share_url, wait_until="load")
        assert response.status == 200 and response.url == res.share_url  # no redirect
        assert page.title() == "In a browser"
        page.evaluate(
            "() => { const v = document.getElementById('player'); v.muted = true; return v.play(); }"
        )
        page.wait_for_function("() => document.getElementById('player').ended", timeout=20_000)
        played = page.evaluate("document.getElementById('player').currentTime")
        assert played > 1.5
        tracks = page.evaluate(
            "() => { const t = document.getElementById('player').textTracks[0];"
            " t.mode = 'showing'; return [t.kind, t.language]; }"
        )
        assert tracks == ["captions", "en"]
        page.wait_for_function(
            "() => document.getElementById('player').textTracks[0].cues?.length === 2",
            timeout=10_000,
        )
        # every share button carries a child link of this one
        hrefs = page.eval_on_selector_all("nav.share a", "els => els.map(e => e.href)")
        assert len(hrefs) == 7 and all("%2Fs%2F" in h or "/s/" in h for h in hrefs)
        context.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            c = _counts(s, res.code)
            if c["completions"] and c["clicks"]:
                break
            time.sleep(0.1)
    assert errors == []
    c = _counts(s, res.code)
    assert (c["clicks"], c["unique_visitors"], c["previews"]) == (1, 1, 0)
    assert (c["plays"], c["watched_25"], c["watched_50"], c["watched_75"], c["completions"]) == (
        1,
    ) * 5


def test_headless_browser_with_its_own_user_agent_is_not_a_click(
    browser: object, settings: Settings, bundle: Path
) -> None:
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}")
    with Registry.open(s.db) as reg:
        [res] = publish([bundle], title="Scanner", storage=open_storage(s.storage, base_url=s.base_url),
                        registry=reg, base_url=s.base_url)  # fmt: skip
    with BackgroundServer(s, port=port):
        page = browser.new_page()  # type: ignore[attr-defined]
        assert page.goto(res.share_url).status == 200
        page.close()
    c = _counts(s, res.code)
    assert (c["clicks"], c["previews"]) == (0, 1)  # HeadlessChrome is a scanner, not a person
