"""The HTML report opened from disk in real Chromium: it draws its charts and asks the
network for nothing (every request is intercepted and recorded)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.insights import campaign
from tests.web.test_browser import browser  # noqa: F401 - the real-Chromium fixture
from vidkit.insights.report import report_data, write_html
from vidkit.track.registry import Registry


def test_report_works_offline_from_disk(browser: object, tmp_path: Path) -> None:  # noqa: F811
    with Registry.open(str(tmp_path / "vidkit.db")) as registry:
        campaign(registry)
        path = write_html(report_data(registry), tmp_path / "report.html")
    context = browser.new_context(offline=True)  # type: ignore[attr-defined]
    asked: list[str] = []

    def record(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        asked.append(url)
        route.continue_() if url.startswith(("file://", "data:")) else route.abort()  # type: ignore[attr-defined]

    context.route("**/*", record)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    assert [u for u in asked if not u.startswith(("file://", "data:"))] == []
    assert page.locator("svg.vk-chart").count() >= 8
    box = page.locator("#funnel svg.vk-chart").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    assert page.locator("script").count() == 0 and errors == []
    context.close()


def test_report_fits_a_phone_wide_tables_scroll_inside(browser: object, tmp_path: Path) -> None:  # noqa: F811
    with Registry.open(str(tmp_path / "vidkit.db")) as registry:
        campaign(registry)
        path = write_html(report_data(registry), tmp_path / "report.html")
    page = browser.new_page(viewport={"width": 390, "height": 664})  # type: ignore[attr-defined]
    page.goto(path.as_uri())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"
    page.close()
