"""The charts as pygal draws them for the report: hostile labels escaped, no script or web
address, CSS-variable colours that a page restyles (checked in real Chromium)."""

from __future__ import annotations

from tests.web.test_browser import browser  # noqa: F401 - the real-Chromium fixture
from vidkit.insights import charts

EVIL = '<script>alert(1)</script> "&<>'


def _all() -> list[str]:
    return [
        charts.stacked_area(["2026-09-21", "2026-09-22"], [(EVIL, [1, 2]), ("b", [3, 4])], EVIL),
        charts.stacked_area(["2026-09-21"], [(EVIL, [5])], "one day"),
        charts.bars([(EVIL, [3, 1]), ("b", [2, 0])], [EVIL, "campaign"], "stacked"),
        charts.bars([(EVIL, [3, 9, 4])], ["clicks", EVIL, "y"], "grouped", stacked=False),
        charts.funnel([(EVIL, 10), ("clicks", 5)], EVIL, base=5),
    ]


def test_labels_are_escaped_and_nothing_runs_or_is_fetched() -> None:
    for svg in _all():
        assert svg.startswith("<svg") and 'class="vk-chart"' in svg and 'role="img"' in svg
        assert "<script" not in svg and "alert(1)" not in svg.replace("&lt;script&gt;alert", "")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg or "&lt;script&gt;alert(1" in svg
        assert "<?xml" not in svg and "href" not in svg and "<!--" not in svg
        assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert '<title>&lt;script&gt;alert(1)&lt;/script&gt; "&amp;&lt;&gt;</title>' in _all()[0]
    assert 'aria-label="&lt;script&gt;alert(1)&lt;/script&gt; &quot;&amp;&lt;&gt;"' in _all()[0]


def test_a_changed_css_variable_recolours_the_series(browser: object) -> None:  # noqa: F811
    doc = f"<!doctype html><style>{charts.css()}</style>{_all()[2]}"
    page = browser.new_page()  # type: ignore[attr-defined]
    page.set_content(doc)
    fill = "getComputedStyle(document.querySelector('svg.vk-chart .color-1 rect')).fill"
    assert page.evaluate(fill) == "rgb(249, 115, 22)"  # --vk-s1's default
    page.evaluate("document.documentElement.style.setProperty('--vk-s1', '#00ff00')")
    assert page.evaluate(fill) == "rgb(0, 255, 0)"
    assert page.locator("script").count() == 0
    page.close()
