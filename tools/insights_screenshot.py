"""Make docs/images/insights-report.png and insights-dashboard.png: the test campaign
(tests/helpers/insights.py) reported, and shown in the dashboard, in headless Chromium.

    .venv/bin/python tools/insights_screenshot.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers.insights import campaign  # noqa: E402
from tests.helpers.publish import free_port  # noqa: E402
from vidkit.config import load_settings  # noqa: E402
from vidkit.insights.report import report_data, write_html  # noqa: E402
from vidkit.track.registry import Registry  # noqa: E402
from vidkit.web.server import BackgroundServer  # noqa: E402

OUT = ROOT / "docs" / "images"


def _small(png: Path) -> None:
    """A 128-colour palette PNG: charts and text stay sharp, the file stays small."""
    Image.open(png).convert("RGB").quantize(128).save(png, optimize=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        home = Path(tmp)
        port = free_port()
        s = replace(load_settings({"VIDKIT_HOME": str(home)}), admin_token="demo-token",
                    base_url=f"http://127.0.0.1:{port}")  # fmt: skip
        with Registry.open(s.db) as registry:
            campaign(registry, days=21)
            report = write_html(report_data(registry), home / "report.html")
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"),
                                     args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        page = browser.new_page(viewport={"width": 1000, "height": 1650})
        page.goto(report.as_uri())
        page.screenshot(path=str(OUT / "insights-report.png"))
        with BackgroundServer(s, port=port):
            page.goto(f"{s.base_url}/dashboard")
            page.fill("input[name=token]", "demo-token")
            page.click("button[type=submit]")
            page.wait_for_selector("#sharers svg")
            page.locator("#sharers").scroll_into_view_if_needed()
            page.set_viewport_size({"width": 1000, "height": 900})
            page.evaluate("document.getElementById('sharers').scrollIntoView()")
            page.screenshot(path=str(OUT / "insights-dashboard.png"))
        browser.close()
    for name in ("insights-report.png", "insights-dashboard.png"):
        _small(OUT / name)
        print(OUT / name, (OUT / name).stat().st_size // 1024, "KB")


if __name__ == "__main__":
    main()
