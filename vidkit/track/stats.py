"""Counts per link and breakdowns, from the daily rollups (kept with every event recorded).

Unique visitors are counted per UTC day (each day has its own salt, so the same person on two
days is two daily visitors) and summed. Breakdowns by audience (referrer host, country) leave
out cells under :data:`MIN_CELL` clicks and say how many they left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from vidkit.track import rollups
from vidkit.track.registry import Link, Registry

MIN_CELL = 10
LINK_FIELDS = (
    "code",
    "video_id",
    "channel",
    "sharer",
    "parent",
    "clicks",
    "unique_visitors",
    "previews",
    "plays",
    "watched_25",
    "watched_50",
    "watched_75",
    "completions",
    "cta_clicks",
)
_KIND_FIELD = {
    "click": "clicks",
    "preview": "previews",
    "play": "plays",
    "p25": "watched_25",
    "p50": "watched_50",
    "p75": "watched_75",
    "p100": "completions",
    "cta": "cta_clicks",
}


@dataclass
class _Counts:
    n: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    uniques: int = 0

    def add(self, kind: str, n: int, uniques: int) -> None:
        self.n[kind] += n
        if kind == "click":
            self.uniques += uniques

    def row(self) -> dict[str, int]:
        out = {"clicks": self.n.get("click", 0), "unique_visitors": self.uniques}
        out |= {f: self.n.get(k, 0) for k, f in _KIND_FIELD.items() if k != "click"}
        return out


def stats(registry: Registry, video_id: str | None = None, min_cell: int = MIN_CELL) -> dict:
    """Everything ``vidkit stats`` shows, as plain data (the ``--json`` shape)."""
    links = registry.links(video_id)
    if video_id is not None:
        registry.video(video_id)  # a clear error for an unknown id
    by_id = {link.id: link for link in links}
    codes = registry.link_codes()
    db = registry.db
    # the rollups, kept with every insert: this costs links x days, whatever the events
    per_link: dict[int, _Counts] = defaultdict(_Counts)
    per_channel: dict[str, _Counts] = defaultdict(_Counts)
    for link_id, kind, n, uniques in rollups.link_totals(db):
        link = by_id.get(link_id)
        if link is None:
            continue
        per_link[link.id].add(kind, n, uniques)
        per_channel[link.channel or "(direct)"].add(kind, n, uniques)
    per_day: dict[str, _Counts] = defaultdict(_Counts)
    for day, kind, n, uniques in rollups.day_totals(db, video_id):
        per_day[day].add(kind, n, uniques)
    videos = {link.video_id for link in links}
    cells: dict[str, dict[str, int]] = {"referrer": defaultdict(int), "country": defaultdict(int)}
    for vid, dimension, value, n in rollups.audience_totals(db):
        if vid in videos:
            cells[dimension][value] += n

    return {
        "links": [_link_row(link, codes, per_link[link.id]) for link in links],
        "by_day": [{"day": d, **per_day[d].row()} for d in sorted(per_day)],
        "by_channel": [{"channel": c, **per_channel[c].row()} for c in sorted(per_channel)],
        "by_referrer": _suppressed(cells["referrer"], "referrer", "(none)", min_cell),
        "by_country": _suppressed(cells["country"], "country", "(unknown)", min_cell),
        "min_cell": min_cell,
    }


def _link_row(link: Link, codes: dict[int, str], counts: _Counts) -> dict:
    return {**link.to_dict(codes), **counts.row()}


def _suppressed(cells: dict[str, int], name: str, blank: str, min_cell: int) -> dict:
    shown = [
        {name: value or blank, "clicks": n}
        for value, n in sorted(cells.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= min_cell
    ]
    hidden = [n for n in cells.values() if 0 < n < min_cell]
    return {"rows": shown, "suppressed_cells": len(hidden), "suppressed_clicks": sum(hidden)}


def share_tree(rows: list[dict]) -> list[tuple[int, dict]]:
    """Link rows in share-tree order with their depth: each link followed by its children."""
    children: dict[str | None, list[dict]] = defaultdict(list)
    known = {r["code"] for r in rows}
    for r in rows:
        parent = r["parent"] if r["parent"] in known else None
        children[parent].append(r)
    out: list[tuple[int, dict]] = []

    def walk(code: str | None, depth: int) -> None:
        for r in children.get(code, []):
            out.append((depth, r))
            walk(r["code"], depth + 1)

    walk(None, 0)
    return out
