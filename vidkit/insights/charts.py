"""Charts as inline SVG, drawn by pygal: no script, nothing fetched, colours from CSS.

Why pygal: the project's rule is a maintained library unless none fits, and pygal (LGPL, pure
Python) draws SVG on the server, so the report stays one file that works offline from disk,
prints, and can be read by tests, and the dashboard stays under its strict
Content-Security-Policy (``script-src`` none; pygal's ``<style>`` needs only the inline styles
it already allows). A JavaScript library (uPlot, Chart.js) would draw on a canvas only once a
script ran. This module replaced a page of hand-written SVG geometry (stacked areas, bars,
grouped bars, a funnel) with pygal's StackedLine (``fill=True``), HorizontalStackedBar and
HorizontalBar.

What pygal is told, and what is taken out of its SVG (:func:`_finish`): no tooltip script
(``js=[]``; its inline config ``<script>`` is removed too, with its comments, which name web
addresses, and the tooltip scaffolding that only that script used), no XML declaration, the
``vk-chart`` class, ``role="img"`` and the chart's label as ``<title>`` and ``aria-label``.
Colours are CSS custom properties (``--vk-s0`` … ``--vk-s7``, ``--vk-ink``, ``--vk-muted``,
``--vk-grid``) given to pygal's Style as ``var(...)`` strings, set in the page's style, so a
brand kit can restyle every chart without touching this module. Legends are HTML lists
(readable at phone width) in the same colours. Labels are text nodes and attributes written by
the XML serializer, so every one is escaped.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Sequence
from typing import Any
from xml.etree import ElementTree

import pygal
from pygal.style import Style

SERIES = 8  # colours in the palette; more series reuse them
WIDTH = 760
PAGE_CSS = """
:root { --vk-s0: #2563eb; --vk-s1: #f97316; --vk-s2: #16a34a; --vk-s3: #db2777;
  --vk-s4: #7c3aed; --vk-s5: #0891b2; --vk-s6: #ca8a04; --vk-s7: #64748b;
  --vk-ink: #1e293b; --vk-muted: #64748b; --vk-grid: #e2e8f0; --vk-bg: #ffffff; }
svg.vk-chart { width: 100%; height: auto; display: block; }
""" + "".join(f".vk-s{i} {{ fill: var(--vk-s{i}); }}\n" for i in range(SERIES))
STYLE = Style(
    colors=tuple(f"var(--vk-s{i})" for i in range(SERIES)),
    value_colors=("var(--vk-ink)",) * SERIES,  # pygal would parse a colour to pick one
    foreground="var(--vk-ink)",
    foreground_strong="var(--vk-ink)",
    foreground_subtle="var(--vk-muted)",
    background="transparent",
    plot_background="transparent",
    guide_stroke_color="var(--vk-grid)",
    major_guide_stroke_color="var(--vk-grid)",
    guide_stroke_dasharray="none",
    major_guide_stroke_dasharray="none",
    font_family='system-ui, -apple-system, "Segoe UI", sans-serif',
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    opacity="0.9",
    opacity_hover="0.9",
    stroke_width_hover="1",
    transition="0s",
)
_DROP = ("script", "desc", "style")  # the tooltip script and its data; the shared style
_LONG = re.compile(r"(\d\.\d)\d+")  # coordinates to a tenth of a unit


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _short(label: str, n: int = 28) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def number(n: float) -> str:
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


def legend(series: Sequence[str]) -> str:
    """An HTML legend: a swatch of each series' colour and its (escaped) name."""
    items = "".join(
        f'<li><svg width="10" height="10" aria-hidden="true"><rect class="vk-s{i % SERIES}" '
        f'width="10" height="10"/></svg> {_e(name)}</li>'
        for i, name in enumerate(series)
    )
    return f'<ul class="vk-legend">{items}</ul>'


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _finish(
    label: str, sheet: list[str] | None = None
) -> Callable[[ElementTree.Element], ElementTree.Element]:
    """An XML filter: label the root; drop script, comments, tooltip parts and the style
    (kept in ``sheet`` if given)."""

    def run(root: ElementTree.Element) -> ElementTree.Element:
        if sheet is not None:
            sheet.extend(n.text or "" for n in root.iter() if _local(n.tag) == "style")
        for node in root.iter():
            for key in ("x", "y", "width", "height", "d", "transform"):
                if key in node.attrib:
                    node.set(key, _LONG.sub(r"\1", node.attrib[key]))
        for parent in list(root.iter()):
            for child in list(parent):
                gone = not isinstance(child.tag, str) or _local(child.tag) in _DROP
                if gone or "tooltip-overlay" in child.get("class", ""):
                    parent.remove(child)
        root.set("role", "img")
        root.set("aria-label", label)
        for child in root:
            if _local(child.tag) == "title":
                child.text = label
        return root

    return run


def _chart(
    kind: type, label: str, height: int, sheet: list[str] | None = None, **config: Any
) -> Any:
    chart = kind(
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        classes=["vk-chart"],
        width=WIDTH,
        height=height,
        show_legend=False,
        margin=8,
        spacing=8,
        print_zeroes=False,
        **config,
    )
    chart.add_xml_filter(_finish(label, sheet))
    return chart


def _svg(chart: Any) -> str:
    return chart.render(is_unicode=True)


@functools.cache
def css() -> str:
    """The page's chart style: the palette, and pygal's own stylesheet made once from
    :data:`STYLE` for every series colour, scoped to ``svg.vk-chart`` instead of one chart's
    id (each chart's copy is dropped: fifteen identical copies were most of the report)."""
    sheet: list[str] = []
    chart = _chart(pygal.Bar, "", 100, sheet)
    for i in range(SERIES):
        chart.add(str(i), [1])
    chart.render()
    own = re.compile(rf"#chart-{re.escape(chart.uuid)}\s?")
    return PAGE_CSS + own.sub("svg.vk-chart ", "\n".join(sheet))


def stacked_area(
    days: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], label: str
) -> str:
    """Series stacked over time (e.g. clicks per day by channel), the first at the bottom."""
    n = len(days)
    step = max(1, -(-(n - 1) // 6))
    if n == 1:  # one day: a bar rather than an invisible sliver
        chart = _chart(pygal.StackedBar, label, 250, value_formatter=number)
    else:
        chart = _chart(pygal.StackedLine, label, 250, fill=True, show_dots=False,
                       value_formatter=number, x_labels_major_every=step, truncate_label=-1,
                       show_minor_x_labels=False, include_x_axis=True)  # fmt: skip
    chart.x_labels = [d[5:] for d in days]
    for name, values in series:
        chart.add(name, list(values))
    return _svg(chart) + legend([s[0] for s in series])


def bars(
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
    label: str,
    *,
    stacked: bool = True,
    fmt: Callable[[float], str] = number,
) -> str:
    """Horizontal bars, one row per label, the first at the top: the series stacked, or side
    by side (grouped) to compare measures such as vidkit's clicks and a platform's views."""
    row_h = 28 if stacked else 10 + 11 * len(series)
    kind = pygal.HorizontalStackedBar if stacked else pygal.HorizontalBar
    chart = _chart(kind, label, max(1, len(rows)) * row_h + 40, value_formatter=fmt,
                   print_values=stacked, truncate_label=-1, show_y_guides=False)  # fmt: skip
    chart.x_labels = [_short(name) for name, _ in reversed(rows)]
    for k, name in enumerate(series):
        chart.add(name, [values[k] for _, values in reversed(rows)])
    return _svg(chart) + (legend(series) if len(series) > 1 else "")


def funnel(steps: Sequence[tuple[str, int]], label: str, base: int | None = None) -> str:
    """The watch-through funnel: one bar a step, the first at the top, each labelled with its
    count and share of ``base`` (e.g. clicks)."""

    def named(name: str, n: int) -> str:
        return f"{name} · {number(n)}" + (f" · {100 * n / base:.0f} %" if base else "")

    chart = _chart(pygal.HorizontalBar, label, len(steps) * 32 + 40, value_formatter=number,
                   truncate_label=-1, show_y_guides=False)  # fmt: skip
    chart.x_labels = [named(name, n) for name, n in reversed(steps)]
    colours = [f"var(--vk-s{r % SERIES})" for r in range(len(steps))]
    chart.add(label, [{"value": n, "color": c}
                      for (_, n), c in reversed(list(zip(steps, colours)))])  # fmt: skip
    return _svg(chart)
