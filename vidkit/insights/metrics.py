"""Campaign insights as pure functions: plain rows in, the report's tables out.

Inputs are the registry's videos and links (the links' ``parent_id`` makes the share tree),
rollup sums (:mod:`vidkit.track.rollups`), the attributes the campaign holds about its members
and the platforms' imported totals and account audiences (:mod:`vidkit.insights.data`).
:func:`build` makes the whole report (the ``vidkit insights report --json`` shape); the HTML
report, the CSV files and the dashboard all render that one structure.

Share-tree measures, as ``shared/INSIGHTS.md`` defines them, per link:

- **direct clicks**: clicks on the link itself;
- **downstream clicks**: clicks on every link minted from it by re-sharing, at any depth;
- **re-shares**: its child links that got at least one click;
- **generations**: the deepest level below it at which a link got a click (0: none did);
- **amplification**: downstream ÷ direct (``None`` when it had no direct click).

A sharer's figures add up those of their *top* links (links of theirs with no ancestor of
theirs), so a click is never counted twice for one sharer.

A **member link** is a link with a sharer (a member's own link) or any link below one in the
share tree (minted when the member's recipients re-shared). Every other link is the
campaign's own: links it minted without a sharer, and their re-shares. A video's **organic
share** is the clicks on its member links ÷ all its clicks.

Audience breakdowns say where they come from (``source``); cells under ``min_cell`` clicks
are left out and counted (``suppressed_cells``). Nothing here is per visitor: the inputs are
already counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from vidkit.track.registry import Link, Video

MIN_CELL = 10
UNKNOWN = "(unknown)"
DIRECT = "(direct)"
NOT_GIVEN = "(not given)"
# the watch-through funnel, in order: each kind and the field it is reported as
FUNNEL = (
    ("preview", "previews"),
    ("click", "clicks"),
    ("play", "plays"),
    ("p25", "watched_25"),
    ("p50", "watched_50"),
    ("p75", "watched_75"),
    ("p100", "completions"),
    ("cta", "cta_clicks"),
)
FUNNEL_FIELDS = tuple(f for _, f in FUNNEL)
SOURCES = {
    "referrer": "vidkit's own count: the referring site's host name of each click",
    "country": "vidkit's own count: country from the trusted proxy's header or the local GeoIP "
    "file (the address is then dropped)",
    "member": "the campaign's records of the members who shared (attribute {name}), over clicks "
    "through their links at any depth",
    "platform": "{platform}'s account-level audience export: the page or channel's audience as a "
    "whole, not the viewers of any one post or video",
}
NO_POST_DEMOGRAPHICS = (
    "Organic per-post exports carry no age or gender on any platform, so no breakdown here is "
    "per video: age and gender appear only as the platforms' account-level audience."
)

Counts = dict[str, int]  # kind -> n, and "uniques"


def counts_by_link(rows: Iterable[tuple[int, str, int, int]]) -> dict[int, Counts]:
    """``{link_id: {kind: n, ..., "uniques": u}}`` from ``(link_id, kind, n, uniques)`` rows
    (daily unique visitors are kept with clicks)."""
    out: dict[int, Counts] = defaultdict(lambda: defaultdict(int))
    for link_id, kind, n, uniques in rows:
        cell = out[link_id]
        cell[kind] += n
        if kind == "click":
            cell["uniques"] += uniques
    return out


def funnel_row(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The funnel (and unique visitors) summed over ``counts``."""
    total: dict[str, int] = defaultdict(int)
    for c in counts:
        for kind, n in c.items():
            total[kind] += n
    out = {"clicks": total["click"], "unique_visitors": total["uniques"]}
    return out | {f: total[k] for k, f in FUNNEL if k != "click"}


class ShareTree:
    """The links as a tree: children by parent, and each link's depth and owner (the nearest
    sharer at or above it, ``None`` for the campaign's own links)."""

    def __init__(self, links: Sequence[Link]) -> None:
        self.by_id = {link.id: link for link in links}
        self.children: dict[int, list[int]] = defaultdict(list)
        self.roots: list[int] = []
        for link in links:
            if link.parent_id in self.by_id:
                self.children[link.parent_id].append(link.id)
            else:
                self.roots.append(link.id)
        self.order: list[int] = []  # parents before children
        self.depth: dict[int, int] = {}
        self.owner: dict[int, str | None] = {}
        stack = [(r, 0, None) for r in reversed(self.roots)]
        while stack:
            link_id, depth, owner = stack.pop()
            link = self.by_id[link_id]
            owner = link.sharer or owner
            self.order.append(link_id)
            self.depth[link_id], self.owner[link_id] = depth, owner
            stack.extend((c, depth + 1, owner) for c in reversed(self.children[link_id]))

    def member(self, link_id: int) -> bool:
        return self.owner.get(link_id) is not None


def spread(tree: ShareTree, clicks: Mapping[int, int]) -> dict[int, dict[str, Any]]:
    """Each link's share-tree measures (see the module docstring), children first."""
    out: dict[int, dict[str, Any]] = {}
    for link_id in reversed(tree.order):
        direct = clicks.get(link_id, 0)
        downstream = reshares = generations = 0
        for child in tree.children[link_id]:
            c = out[child]
            downstream += c["direct_clicks"] + c["downstream_clicks"]
            reshares += c["direct_clicks"] > 0
            if c["generations"]:
                generations = max(generations, c["generations"] + 1)
            elif c["direct_clicks"]:
                generations = max(generations, 1)
        out[link_id] = {
            "direct_clicks": direct,
            "downstream_clicks": downstream,
            "reshares": reshares,
            "generations": generations,
            "amplification": _ratio(downstream, direct),
        }
    return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def link_rows(tree: ShareTree, measures: Mapping[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every link with a click at or below it, in share-tree order."""
    codes = {i: link.code for i, link in tree.by_id.items()}
    rows = []
    for link_id in tree.order:
        m = measures[link_id]
        if m["direct_clicks"] or m["downstream_clicks"]:
            link = tree.by_id[link_id]
            rows.append({**link.to_dict(codes), "depth": tree.depth[link_id],
                         "member": tree.member(link_id), **m})  # fmt: skip
    return rows


def sharer_rows(tree: ShareTree, measures: Mapping[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Per sharer, over their top links; the sharers who spread most first."""
    acc: dict[str, dict[str, Any]] = {}
    for link_id in tree.order:
        link = tree.by_id[link_id]
        if link.sharer is None:
            continue
        parent = tree.by_id.get(link.parent_id) if link.parent_id is not None else None
        if parent is not None and tree.owner.get(parent.id) == link.sharer:
            continue  # below another of theirs: already counted there
        m = measures[link_id]
        row = acc.setdefault(link.sharer, {"sharer": link.sharer, "links": 0, "videos": set(),
                                           "direct_clicks": 0, "downstream_clicks": 0,
                                           "reshares": 0, "generations": 0})  # fmt: skip
        row["links"] += 1
        row["videos"].add(link.video_id)
        for key in ("direct_clicks", "downstream_clicks", "reshares"):
            row[key] += m[key]
        row["generations"] = max(row["generations"], m["generations"])
    rows = []
    for row in acc.values():
        row["videos"] = len(row["videos"])
        row["amplification"] = _ratio(row["downstream_clicks"], row["direct_clicks"])
        rows.append(row)
    rows.sort(key=lambda r: (-(r["direct_clicks"] + r["downstream_clicks"]), r["sharer"]))
    return rows


def grouped_funnel(
    videos: Sequence[Video], by_video: Mapping[str, dict[str, int]], attribute: str
) -> list[dict[str, Any]]:
    """The funnel per value of a video's ``attribute`` (template, caption_style); a video
    without one counts as "(unknown)"."""
    groups: dict[str, list[dict[str, int]]] = defaultdict(list)
    for video in videos:
        groups[getattr(video, attribute) or UNKNOWN].append(by_video[video.id])
    rows = [{attribute: name, "videos": len(rows), **_sum(rows)} for name, rows in groups.items()]
    rows.sort(key=lambda r: (-r["clicks"], r[attribute]))
    return rows


def _sum(rows: Sequence[Mapping[str, int]]) -> dict[str, int]:
    fields = ("unique_visitors", *FUNNEL_FIELDS)
    return {f: sum(r[f] for r in rows) for f in fields}


def suppressed(cells: Mapping[str, int], blank: str, min_cell: int) -> dict[str, Any]:
    """``{"rows": [{"value", "clicks"}], "suppressed_cells", "suppressed_clicks"}``: cells of
    at least ``min_cell`` clicks, largest first; the others only counted."""
    shown = [
        {"value": value or blank, "clicks": n}
        for value, n in sorted(cells.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= min_cell
    ]
    hidden = [n for n in cells.values() if 0 < n < min_cell]
    return {"rows": shown, "suppressed_cells": len(hidden), "suppressed_clicks": sum(hidden)}


def channel_rows(tree: ShareTree, counts: Mapping[int, Counts]) -> list[dict[str, Any]]:
    """The funnel per channel a link was handed to ("(direct)": links with none)."""
    groups: dict[str, list[Counts]] = defaultdict(list)
    for link_id, link in tree.by_id.items():
        groups[link.channel or DIRECT].append(counts.get(link_id, {}))
    rows = [{"channel": ch, "links": len(c), **funnel_row(c)} for ch, c in groups.items()]
    rows.sort(key=lambda r: (-r["clicks"], r["channel"]))
    return rows


def day_rows(rows: Iterable[tuple[str, str, str | None, int]], videos: set[str]) -> list[dict]:
    """``[{"day", "clicks", "channels": {channel: clicks}}]`` in day order, from
    ``(day, video_id, channel, clicks)`` rows of the given videos."""
    days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, video_id, channel, n in rows:
        if video_id in videos:
            days[day][channel or DIRECT] += n
    return [
        {"day": d, "clicks": sum(days[d].values()), "channels": dict(sorted(days[d].items()))}
        for d in sorted(days)
    ]


def video_rows(
    videos: Sequence[Video],
    tree: ShareTree,
    counts: Mapping[int, Counts],
    platforms: Mapping[str, Mapping[str, Mapping[str, int]]],
) -> list[dict[str, Any]]:
    """Per video: the funnel, clicks through members against the campaign's own links (the
    organic share) and each platform's imported totals; most clicked first."""
    per_video: dict[str, list[int]] = defaultdict(list)
    for link_id, link in tree.by_id.items():
        per_video[link.video_id].append(link_id)
    rows = []
    for video in videos:
        ids = per_video[video.id]
        row: dict[str, Any] = {"id": video.id, "title": video.title,
                               **funnel_row(counts.get(i, {}) for i in ids)}  # fmt: skip
        member = sum(counts.get(i, {}).get("click", 0) for i in ids if tree.member(i))
        row |= {
            "member_clicks": member,
            "campaign_clicks": row["clicks"] - member,
            "organic_share": _ratio(member, row["clicks"]),
            "template": video.template or UNKNOWN,
            "caption_style": video.caption_style or UNKNOWN,
            "links": len(ids),
            "platforms": {p: dict(m) for p, m in sorted(platforms.get(video.id, {}).items())},
        }
        rows.append(row)
    rows.sort(key=lambda r: (-r["clicks"], r["title"], r["id"]))
    return rows


def audience(
    audience_rows: Iterable[tuple[str, str, str, int]],
    videos: set[str],
    tree: ShareTree,
    counts: Mapping[int, Counts],
    members: Mapping[str, Mapping[str, str]],
    platform_audience: Mapping[str, Mapping[str, Sequence[tuple[str, float]]]],
    min_cell: int,
) -> dict[str, dict[str, Any]]:
    """Every breakdown, each with its ``source`` and ``measure``: referrer and country
    (vidkit's counts), each member attribute (clicks attributed to the nearest sharer up the
    tree, so each click counts once), and the platforms' account audiences (shares, as given)."""
    own: dict[str, dict[str, int]] = {"referrer": defaultdict(int), "country": defaultdict(int)}
    for video_id, dimension, value, n in audience_rows:
        if video_id in videos and dimension in own:
            own[dimension][value] += n
    out = {
        "referrer": {"source": SOURCES["referrer"], "measure": "clicks",
                     **suppressed(own["referrer"], "(none)", min_cell)},
        "country": {"source": SOURCES["country"], "measure": "clicks",
                    **suppressed(own["country"], UNKNOWN, min_cell)},
    }  # fmt: skip
    for name, cells in member_cells(tree, counts, members).items():
        key = name if name not in out else f"member {name}"
        out[key] = {"source": SOURCES["member"].format(name=name), "measure": "clicks",
                    **suppressed(cells, NOT_GIVEN, min_cell)}  # fmt: skip
    for platform, dims in sorted(platform_audience.items()):
        for dim, shares in sorted(dims.items()):
            out[f"{platform} {dim}"] = {
                "source": SOURCES["platform"].format(platform=platform.capitalize()),
                "measure": "share",
                "rows": [{"value": v, "share": round(s, 4)} for v, s in shares],
                "suppressed_cells": 0,
            }
    return out


def member_cells(
    tree: ShareTree, counts: Mapping[int, Counts], members: Mapping[str, Mapping[str, str]]
) -> dict[str, dict[str, int]]:
    """``{attribute: {value: clicks}}`` over member links, each click given to its link's
    owner; owners without the attribute count under "(not given)" (as ``""``)."""
    names = sorted({a for attrs in members.values() for a in attrs})
    cells: dict[str, dict[str, int]] = {n: defaultdict(int) for n in names}
    for link_id, owner in tree.owner.items():
        n = counts.get(link_id, {}).get("click", 0)
        if owner is None or not n:
            continue
        attrs = members.get(owner, {})
        for name in names:
            cells[name][attrs.get(name, "")] += n
    return cells


def build(
    *,
    videos: Sequence[Video],
    links: Sequence[Link],
    totals: Iterable[tuple[int, str, int, int]],
    days: Iterable[tuple[str, str, str | None, int]],
    audience_rows: Iterable[tuple[str, str, str, int]],
    members: Mapping[str, Mapping[str, str]],
    platforms: Mapping[str, Mapping[str, Mapping[str, int]]],
    platform_audience: Mapping[str, Mapping[str, Sequence[tuple[str, float]]]],
    min_cell: int = MIN_CELL,
) -> dict[str, Any]:
    """The whole report from plain rows (pass only the videos, and their links, to report on)."""
    ids = {v.id for v in videos}
    tree = ShareTree([link for link in links if link.video_id in ids])
    counts = counts_by_link(totals)
    measures = spread(tree, {i: c.get("click", 0) for i, c in counts.items()})
    video_table = video_rows(videos, tree, counts, platforms)
    by_video = {r["id"]: r for r in video_table}
    return {
        "videos": video_table,
        "totals": {"videos": len(videos), "links": len(tree.by_id), **_sum(video_table),
                   "member_clicks": sum(r["member_clicks"] for r in video_table)},
        "channels": channel_rows(tree, counts),
        "by_day": day_rows(days, ids),
        "sharers": sharer_rows(tree, measures),
        "links": link_rows(tree, measures),
        "funnels": {
            "template": grouped_funnel(videos, by_video, "template"),
            "caption_style": grouped_funnel(videos, by_video, "caption_style"),
        },
        "audience": audience(audience_rows, ids, tree, counts, members, platform_audience,
                             min_cell),
        "notes": [NO_POST_DEMOGRAPHICS],
        "min_cell": min_cell,
    }  # fmt: skip
