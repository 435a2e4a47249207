"""Charts as inline SVG, drawn here: no library, no script, nothing fetched.

Why no charting library: the report must be one file that works offline from disk, prints,
and can be read by tests; the dashboard is served under a strict Content-Security-Policy. A
JavaScript library (uPlot about 50 KB, Chart.js about 200 KB) would draw on a canvas only once
a script ran — nothing to print or test without a browser, and a script to allow; pygal draws
SVG but adds its own tooltip script from a CDN unless told not to, and styles in Python rather
than in CSS. The four shapes the report needs (stacked areas over time, bars, grouped bars, a
funnel) take a page of code. Colours are CSS custom properties (``--vk-s0`` … ``--vk-s7``,
``--vk-ink``, ``--vk-grid``) set in the page's style, so a brand kit can restyle every chart
(and later the share page) without touching this module. Every label is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

SERIES = 8  # colours in the palette; more series reuse them
CSS = """
:root { --vk-s0: #2563eb; --vk-s1: #f97316; --vk-s2: #16a34a; --vk-s3: #db2777;
  --vk-s4: #7c3aed; --vk-s5: #0891b2; --vk-s6: #ca8a04; --vk-s7: #64748b;
  --vk-ink: #1e293b; --vk-muted: #64748b; --vk-grid: #e2e8f0; --vk-bg: #ffffff; }
svg.vk-chart { width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg.vk-chart text { fill: var(--vk-ink); }
svg.vk-chart .vk-axis { fill: var(--vk-muted); }
svg.vk-chart line.vk-grid { stroke: var(--vk-grid); }
""" + "".join(
    f".vk-s{i} {{ fill: var(--vk-s{i}); }} .vk-line.vk-s{i} {{ stroke: var(--vk-s{i}); }}\n"
    for i in range(SERIES)
)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _short(label: str, n: int = 28) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at least ``value`` (1 for nothing)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def number(n: float) -> str:
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


def legend(series: Sequence[str]) -> str:
    items = "".join(
        f'<li><svg width="10" height="10" aria-hidden="true"><rect class="vk-s{i % SERIES}" '
        f'width="10" height="10"/></svg> {_e(name)}</li>'
        for i, name in enumerate(series)
    )
    return f'<ul class="vk-legend">{items}</ul>'


def _svg(width: int, height: int, label: str, body: str) -> str:
    return (
        f'<svg class="vk-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{_e(label)}</title>{body}</svg>"
    )


def stacked_area(
    days: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], label: str
) -> str:
    """Series stacked over time (e.g. clicks per day by channel), the first at the bottom."""
    width, height, left, right, top, bottom = 760, 250, 56, 12, 10, 26
    n = len(days)
    totals = [sum(s[1][i] for s in series) for i in range(n)]
    ymax = nice_max(max(totals, default=0))

    def x(i: int) -> float:
        return left + (width - left - right) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / ymax)

    parts = _y_grid(ymax, y, left, width - right)
    step = max(1, math.ceil((n - 1) / 6))
    for i in range(0, n, step):
        anchor = "end" if i == n - 1 and n > 1 else "middle"
        parts.append(f'<text class="vk-axis" x="{x(i):.1f}" y="{height - 8}" '
                     f'text-anchor="{anchor}">{_e(days[i][5:])}</text>')  # fmt: skip
    base = [0] * n
    for k, (_name, values) in enumerate(series):
        upper = [b + v for b, v in zip(base, values)]
        pts = [f"{x(i):.1f},{y(upper[i]):.1f}" for i in range(n)]
        pts += [f"{x(i):.1f},{y(base[i]):.1f}" for i in reversed(range(n))]
        if n == 1:  # one day: a bar rather than an invisible sliver
            pts = [f"{x(0) - 8:.1f},{y(upper[0]):.1f}", f"{x(0) + 8:.1f},{y(upper[0]):.1f}",
                   f"{x(0) + 8:.1f},{y(base[0]):.1f}", f"{x(0) - 8:.1f},{y(base[0]):.1f}"]  # fmt: skip
        parts.append(f'<polygon class="vk-s{k % SERIES}" points="{" ".join(pts)}"/>')
        base = upper
    return _svg(width, height, label, "".join(parts)) + legend([s[0] for s in series])


def _y_grid(ymax: float, y: Callable[[float], float], x0: float, x1: float) -> list[str]:
    out = []
    for k in range(5):
        v = ymax * k / 4
        out.append(f'<line class="vk-grid" x1="{x0}" x2="{x1}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
                   f'<text class="vk-axis" x="{x0 - 6}" y="{y(v) + 4:.1f}" '
                   f'text-anchor="end">{number(v)}</text>')  # fmt: skip
    return out


def bars(
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
    label: str,
    *,
    stacked: bool = True,
    fmt: Callable[[float], str] = number,
) -> str:
    """Horizontal bars, one row per label: the series stacked, or side by side (grouped) to
    compare measures such as vidkit's clicks and a platform's views."""
    width, left, right, row_h = 760, 210, 70, 24 if stacked else 10 + 9 * len(series)
    height = max(1, len(rows)) * row_h + 6
    peak = max((sum(v) if stacked else max(v, default=0) for _, v in rows), default=0)
    scale = (width - left - right) / nice_max(peak)
    parts = []
    for r, (name, values) in enumerate(rows):
        y0 = 3 + r * row_h
        parts.append(f'<text x="{left - 8}" y="{y0 + row_h / 2 + 4:.1f}" text-anchor="end">'
                     f"<title>{_e(name)}</title>{_e(_short(name))}</text>")  # fmt: skip
        x0 = float(left)
        for k, v in enumerate(values):
            w = v * scale
            if stacked:
                rect = (x0, y0 + 3, w, row_h - 6)
                x0 += w
            else:
                rect = (left, y0 + 4 + 9 * k, w, 7)
                parts.append(f'<text class="vk-axis" x="{left + w + 4:.1f}" y="{rect[1] + 7}">'
                             f"{_e(fmt(v))}</text>")  # fmt: skip
            parts.append(f'<rect class="vk-s{k % SERIES}" x="{rect[0]:.1f}" y="{rect[1]}" '
                         f'width="{max(rect[2], 0):.1f}" height="{rect[3]}">'
                         f"<title>{_e(series[k])}: {_e(fmt(v))}</title></rect>")  # fmt: skip
        if stacked:
            parts.append(f'<text class="vk-axis" x="{x0 + 4:.1f}" y="{y0 + row_h / 2 + 4:.1f}">'
                         f"{_e(fmt(sum(values)))}</text>")  # fmt: skip
    chart = _svg(width, height, label, "".join(parts))
    return chart + (legend(series) if len(series) > 1 else "")


def funnel(steps: Sequence[tuple[str, int]], label: str, base: int | None = None) -> str:
    """The watch-through funnel: centred bars, each with its count and share of ``base``
    (e.g. clicks)."""
    width, row_h = 760, 30
    height = len(steps) * row_h + 4
    peak = nice_max(max((n for _, n in steps), default=0))
    parts = []
    for r, (name, n) in enumerate(steps):
        w = (width - 300) * n / peak
        y0 = 2 + r * row_h
        share = f" · {100 * n / base:.0f} %" if base else ""
        parts.append(f'<rect class="vk-s{r % SERIES}" x="{(width - 300 - w) / 2 + 150:.1f}" '
                     f'y="{y0 + 3}" width="{w:.1f}" height="{row_h - 6}"/>'
                     f'<text x="140" y="{y0 + row_h / 2 + 4}" text-anchor="end">{_e(name)}</text>'
                     f'<text class="vk-axis" x="{width - 140}" y="{y0 + row_h / 2 + 4}">'
                     f"{_e(number(n))}{_e(share)}</text>")  # fmt: skip
    return _svg(width, height, label, "".join(parts))
