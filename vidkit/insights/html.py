"""The report as HTML: one self-contained page (inline CSS and SVG; no script, no font, no
image or style fetched), and the same sections as fragments for the dashboard.

Pure: the report structure (:func:`vidkit.insights.metrics.build`) in, text out. Everything that
came from outside — titles, sharer references, channel names, referrer hosts, attribute
values — is escaped where it is written.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from vidkit.insights import charts
from vidkit.insights.metrics import FUNNEL

TOP = 12  # rows in a chart
TREE_BRANCHES, TREE_NODES = 8, 24
STEP_NAMES = {
    "previews": "previews",
    "clicks": "clicks",
    "plays": "plays",
    "watched_25": "25 % watched",
    "watched_50": "50 % watched",
    "watched_75": "75 % watched",
    "completions": "100 % watched",
    "cta_clicks": "call to action",
}
PAGE_CSS = """
body { margin: 0; background: var(--vk-bg); color: var(--vk-ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 36px 0 6px; }
h3 { font-size: 16px; margin: 22px 0 2px; }
.vk-meta, .vk-source, .vk-note { color: var(--vk-muted); font-size: 13px; margin: 2px 0 8px; }
.vk-cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr));
  gap: 10px; margin: 18px 0; }
.vk-card { border: 1px solid var(--vk-grid); border-radius: 8px; padding: 10px 12px; }
.vk-card b { display: block; font-size: 24px; } .vk-card span { color: var(--vk-muted); }
div.vk-scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0; }
th, td { padding: 4px 6px; border-bottom: 1px solid var(--vk-grid); text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
ul.vk-legend { list-style: none; padding: 0; margin: 2px 0 8px; font-size: 13px; }
ul.vk-legend li { display: inline-block; margin-right: 14px; }
ol.vk-tree { list-style: none; padding: 0; font-size: 13px; }
ol.vk-tree li { padding: 2px 0 2px calc(var(--d) * 22px); }
ol.vk-tree li.vk-root { margin-top: 10px; font-weight: 600; }
.vk-bar { display: inline-block; height: 9px; background: var(--vk-s0); margin-left: 6px;
  vertical-align: middle; } .vk-bar.vk-down { background: var(--vk-s1); margin-left: 0; }
details { margin: 6px 0; } summary { cursor: pointer; color: var(--vk-muted); }
@media print { h2 { break-after: avoid; } section { break-inside: avoid-page; } }
"""


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int | float):
        return f'<td class="n">{e(charts.number(value))}</td>'
    return f"<td>{e('—' if value is None else value)}</td>"


def table(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]],
          fmt: dict[str, Callable[[Any], str]] | None = None) -> str:  # fmt: skip
    """An HTML table of ``rows`` with ``columns`` (key, heading); ``fmt`` formats some keys."""
    fmt = fmt or {}
    head = "".join(f"<th>{e(h)}</th>" for _, h in columns)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="n">{e(fmt[k](r.get(k)))}</td>' if k in fmt else _cell(r.get(k))
            for k, _ in columns
        ) + "</tr>"
        for r in rows
    )  # fmt: skip
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="vk-scroll">{table}</div>'  # a wide table scrolls, not the page


def folded(summary: str, content: str) -> str:
    return f"<details><summary>{e(summary)}</summary>{content}</details>"


def cards(report: dict[str, Any]) -> str:
    t = report["totals"]
    organic = t["member_clicks"] / t["clicks"] if t["clicks"] else None
    items = [
        (charts.number(t["clicks"]), "clicks"),
        (charts.number(t["unique_visitors"]), "daily unique visitors"),
        (charts.number(t["plays"]), "plays"),
        (charts.number(t["completions"]), "watched to the end"),
        (charts.number(t["cta_clicks"]), "call-to-action taps"),
        (pct(organic), "of clicks through members"),
    ]
    return '<div class="vk-cards">' + "".join(
        f'<div class="vk-card"><b>{e(v)}</b><span>{e(k)}</span></div>' for v, k in items
    ) + "</div>"  # fmt: skip


def _days_filled(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every day from the first to the last (days without a click as zero)."""
    from datetime import date, timedelta

    if not rows:
        return []
    first, last = date.fromisoformat(rows[0]["day"]), date.fromisoformat(rows[-1]["day"])
    return [(first + timedelta(d)).isoformat() for d in range((last - first).days + 1)]


def over_time(report: dict[str, Any]) -> str:
    rows = report["by_day"]
    if not rows:
        return "<p>No clicks in this period yet.</p>"
    days = _days_filled(rows)
    per = {r["day"]: r["channels"] for r in rows}
    totals: dict[str, int] = {}
    for r in rows:
        for ch, n in r["channels"].items():
            totals[ch] = totals.get(ch, 0) + n
    ranked = sorted(totals, key=lambda c: (-totals[c], c))
    shown, rest = ranked[:7], ranked[7:]
    series = [(ch, [per.get(d, {}).get(ch, 0) for d in days]) for ch in shown]
    if rest:
        series.append(("other", [sum(per.get(d, {}).get(c, 0) for c in rest) for d in days]))
    return charts.stacked_area(days, series, "Clicks per day by channel")


def videos_section(report: dict[str, Any]) -> str:
    rows = report["videos"][:TOP]
    chart = charts.bars(
        [(r["title"], [r["member_clicks"], r["campaign_clicks"]]) for r in rows],
        ["through members", "campaign's own links"],
        "Clicks per video: through members and through the campaign's own links",
    )
    columns = [("title", "video"), ("clicks", "clicks"), ("unique_visitors", "uniques"),
               ("plays", "plays"), ("completions", "100 %"), ("cta_clicks", "CTA"),
               ("organic_share", "via members"), ("template", "template"),
               ("caption_style", "captions")]  # fmt: skip
    return chart + table(columns, report["videos"], {"organic_share": pct})


def platforms_section(report: dict[str, Any]) -> str:
    with_posts = [v for v in report["videos"] if v["platforms"]]
    if not with_posts:
        return ('<p class="vk-note">No platform exports imported yet (`vidkit insights import`).'
                "</p>")  # fmt: skip
    names = sorted({p for v in with_posts for p in v["platforms"]})
    series = ["vidkit clicks", *(f"{p} views" for p in names)]
    rows = [(v["title"], [v["clicks"], *(v["platforms"].get(p, {}).get("views", 0) for p in names)])
            for v in with_posts[:TOP]]  # fmt: skip
    chart = charts.bars(rows, series, "Platform views beside vidkit's clicks", stacked=False)
    cols = [("title", "video"), ("clicks", "vidkit clicks")] + [(p, f"{p} views") for p in names]
    flat = [{"title": v["title"], "clicks": v["clicks"],
             **{p: v["platforms"].get(p, {}).get("views") for p in names}} for v in with_posts]  # fmt: skip
    note = ('<p class="vk-source">Platform figures are lifetime totals from the imported exports '
            "(views as each platform counts them); vidkit's are clicks on share links in the "
            "period.</p>")  # fmt: skip
    return chart + note + table(cols, flat)


def funnel_section(report: dict[str, Any]) -> str:
    t = report["totals"]
    steps = [(STEP_NAMES[f], t[f]) for _, f in FUNNEL]
    chart = charts.funnel(steps, "Watch-through funnel, all videos", base=t["clicks"])
    cols = [(f, STEP_NAMES[f]) for _, f in FUNNEL]
    parts = [chart, '<p class="vk-source">Count and share of clicks beside each step. Previews are link '
             "previews fetched by apps (close to a count of shares), never clicks.</p>",
             folded("per video", table([("title", "video"), *cols], report["videos"]))]  # fmt: skip
    for attribute, rows in report["funnels"].items():
        heading = attribute.replace("_", " ")
        parts.append(folded(f"per {heading}", table([(attribute, heading), ("videos", "videos"),
                                                       *cols], rows)))  # fmt: skip
    return "".join(parts)


def channels_section(report: dict[str, Any]) -> str:
    rows = report["channels"]
    chart = charts.bars([(r["channel"], [r["clicks"]]) for r in rows[:TOP]], ["clicks"],
                        "Clicks per channel")  # fmt: skip
    cols = [("channel", "channel"), ("links", "links"), ("clicks", "clicks"),
            ("unique_visitors", "uniques"), ("previews", "previews"), ("plays", "plays"),
            ("completions", "100 %"), ("cta_clicks", "CTA")]  # fmt: skip
    return chart + table(cols, rows)


def sharers_section(report: dict[str, Any]) -> str:
    rows = report["sharers"]
    if not rows:
        return "<p>No member links yet (`vidkit links create VIDEO --sharer NAME`).</p>"
    chart = charts.bars(
        [(r["sharer"], [r["direct_clicks"], r["downstream_clicks"]]) for r in rows[:TOP]],
        ["direct clicks", "downstream (through re-shares)"],
        "Top sharers: direct and downstream clicks",
    )
    cols = [("sharer", "sharer"), ("links", "links"), ("direct_clicks", "direct"),
            ("downstream_clicks", "downstream"), ("reshares", "re-shares"),
            ("generations", "generations"), ("amplification", "amplification")]  # fmt: skip
    amp: dict[str, Callable[[Any], str]] = {
        "amplification": lambda a: "—" if a is None else f"{a:.2f}×"
    }
    return chart + table(cols, rows, amp)


def _branches(links: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    out: list[list[dict[str, Any]]] = []
    for row in links:
        if row["depth"] == 0 or not out:
            out.append([])
        out[-1].append(row)
    out.sort(key=lambda b: -(b[0]["direct_clicks"] + b[0]["downstream_clicks"]))
    return out


def tree_section(report: dict[str, Any]) -> str:
    branches = _branches(report["links"])
    if not branches:
        return "<p>No clicks yet.</p>"
    titles = {v["id"]: v["title"] for v in report["videos"]}
    top = branches[0][0]["direct_clicks"] + branches[0][0]["downstream_clicks"] or 1
    items = []
    for branch in branches[:TREE_BRANCHES]:
        for i, r in enumerate(branch[:TREE_NODES]):
            who = r["sharer"] or ("campaign" if not r["member"] else "re-share")
            name = f"{titles.get(r['video_id'], r['video_id'])}: " if i == 0 else ""
            direct, down = 100 * r["direct_clicks"] / top, 100 * r["downstream_clicks"] / top
            items.append(
                f'<li class="{"vk-root" if i == 0 else ""}" style="--d: {r["depth"]}">'
                f"{e(name)}{e(who)} · {e(r['channel'] or 'direct')} · <code>{e(r['code'])}</code>"
                f" — {r['direct_clicks']:,} direct, {r['downstream_clicks']:,} downstream"
                f'<span class="vk-bar" style="width: {direct * 2:.1f}px"></span>'
                f'<span class="vk-bar vk-down" style="width: {down * 2:.1f}px"></span></li>'
            )
        if len(branch) > TREE_NODES:
            items.append(f'<li style="--d: 1">… {len(branch) - TREE_NODES} more links</li>')
    more = len(branches) - TREE_BRANCHES
    tail = f'<p class="vk-note">{more} smaller branches not shown (see links.csv).</p>'
    return (f'<ol class="vk-tree">{"".join(items)}</ol>'
            + charts.legend(["direct clicks", "downstream clicks"]) + (tail if more > 0 else ""))  # fmt: skip


def audience_section(report: dict[str, Any]) -> str:
    parts = [f'<p class="vk-note">{e(n)}</p>' for n in report["notes"]]
    for name, t in report["audience"].items():
        measure = t["measure"]
        rows = t["rows"][:TOP]
        parts.append(f'<h3>{e(name)}</h3><p class="vk-source">Source: {e(t["source"])}</p>')
        if measure == "share":
            parts.append(charts.bars([(r["value"], [100 * r["share"]]) for r in rows],
                                     ["% of the account's audience"], f"{name} (share)",
                                     fmt=lambda v: f"{v:.0f} %"))  # fmt: skip
        elif rows:
            parts.append(charts.bars([(r["value"], [r["clicks"]]) for r in rows], ["clicks"],
                                     f"{name} (clicks)"))  # fmt: skip
        else:
            parts.append("<p>No cell large enough to show.</p>")
        if t["suppressed_cells"]:
            parts.append(f'<p class="vk-note">{t["suppressed_cells"]} cells under '
                         f'{report["min_cell"]} clicks suppressed '
                         f'({t.get("suppressed_clicks", 0):,} clicks in all).</p>')  # fmt: skip
    return "".join(parts)


SECTIONS: tuple[tuple[str, str, Callable[[dict[str, Any]], str]], ...] = (
    ("time", "Views over time by channel", over_time),
    ("videos", "Top videos", videos_section),
    ("platforms", "Platform views beside vidkit's own counts", platforms_section),
    ("funnel", "Watch-through funnel", funnel_section),
    ("channels", "Channels", channels_section),
    ("sharers", "Top sharers", sharers_section),
    ("tree", "The share tree", tree_section),
    ("audience", "Audience", audience_section),
)


def report_body(report: dict[str, Any]) -> str:
    """The report's content (headings, cards, every section) as an HTML fragment."""
    p = report["period"]
    span = f"{p['since'] or 'the start'} to {p['until'] or 'today'}"
    scope = f" · video {p['video']}" if p["video"] else ""
    head = (f"<h1>Campaign insights</h1><p class=\"vk-meta\">{e(span)}{e(scope)} · made "
            f"{e(p['generated'])} · {report['totals']['videos']} videos, "
            f"{report['totals']['links']:,} links</p>")  # fmt: skip
    sections = "".join(
        f'<section id="{key}"><h2>{e(title)}</h2>{render(report)}</section>'
        for key, title, render in SECTIONS
    )
    privacy = (f'<p class="vk-note">Counts only: no visitor is ever listed. Audience cells under '
               f"{report['min_cell']} are suppressed, and say how many were.</p>")  # fmt: skip
    return head + cards(report) + sections + privacy


def page(title: str, body: str) -> str:
    """A whole page around ``body``: inline styles only, nothing to fetch."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{charts.css()}{PAGE_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def render_report(report: dict[str, Any]) -> str:
    """The self-contained HTML report."""
    return page("Campaign insights", report_body(report))
