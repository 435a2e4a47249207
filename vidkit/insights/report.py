"""``vidkit insights report``: the report's data from the database, and its files.

:func:`report_data` reads the rollups (summed in the database: cost grows with links × days,
not with events), the imported platform totals and audiences and the member attributes, and
hands them to :func:`vidkit.insights.metrics.build`. :func:`write_html` and :func:`write_csvs`
render that one structure (so does the dashboard), each file written atomically.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vidkit.errors import ConfigError
from vidkit.files import write_atomic, write_csv
from vidkit.insights import data, metrics
from vidkit.insights.html import render_report
from vidkit.track import rollups
from vidkit.track.registry import Registry


def check_day(value: str | None, name: str) -> str | None:
    """``value`` as a UTC day ``YYYY-MM-DD`` (or None); a clear error naming ``name``."""
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").strftime("%Y-%m-%d")
    except ValueError:
        raise ConfigError(f"not a date (YYYY-MM-DD): {value!r}", key=name) from None


def report_data(
    registry: Registry,
    *,
    video_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    min_cell: int = metrics.MIN_CELL,
) -> dict[str, Any]:
    """Everything the report shows, as plain data (the ``--json`` shape). ``since`` and
    ``until`` (UTC days, inclusive) bound the rollup days; platform totals are lifetime."""
    since, until = check_day(since, "--since"), check_day(until, "--until")
    if since and until and since > until:
        raise ConfigError(f"--since {since} is after --until {until}", key="--since")
    videos = [registry.video(video_id)] if video_id is not None else registry.videos()
    db = registry.db
    out = metrics.build(
        videos=videos,
        links=registry.links(video_id),
        totals=rollups.link_totals(db, since, until),
        days=rollups.daily_clicks(db, since, until),
        audience_rows=rollups.audience_totals(db, since, until),
        members=data.member_attributes(db),
        platforms=data.platform_totals(db),
        platform_audience=data.platform_audience(db),
        min_cell=min_cell,
    )
    generated = datetime.fromtimestamp(registry.clock(), timezone.utc)
    out["period"] = {"since": since, "until": until, "video": video_id,
                     "generated": generated.strftime("%Y-%m-%d %H:%M UTC")}  # fmt: skip
    return out


def write_html(report: dict[str, Any], path: Path) -> Path:
    """The self-contained HTML report (no network resource of any kind)."""
    write_atomic(path, render_report(report))
    return path


def tables(report: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every table of the report as ``{name: (header, rows)}`` (one CSV file each)."""
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    platforms = sorted({p for v in report["videos"] for p in v["platforms"]})
    video_fields = [f for f in report["videos"][0] if f != "platforms"] if report["videos"] else []
    out["videos"] = (
        video_fields + [f"{p}_views" for p in platforms],
        [[v[f] for f in video_fields] + [v["platforms"].get(p, {}).get("views", "")
                                         for p in platforms] for v in report["videos"]],
    )  # fmt: skip
    for name in ("channels", "sharers", "links", "by_day"):
        rows = report[name]
        if name == "by_day":
            channels = sorted({c for r in rows for c in r["channels"]})
            out[name] = (["day", "clicks", *channels],
                         [[r["day"], r["clicks"], *(r["channels"].get(c, 0) for c in channels)]
                          for r in rows])  # fmt: skip
        elif rows:
            out[name] = (list(rows[0]), [list(r.values()) for r in rows])
    for attribute, rows in report["funnels"].items():
        if rows:
            out[f"funnel_by_{attribute}"] = (list(rows[0]), [list(r.values()) for r in rows])
    for name, table in report["audience"].items():
        measure = table["measure"]
        rows = [[r["value"], r[measure]] for r in table["rows"]]
        if table["suppressed_cells"]:
            rows.append([f"({table['suppressed_cells']} cells under {report['min_cell']})",
                         table.get("suppressed_clicks", "")])  # fmt: skip
        out["audience_" + _file_name(name)] = (["value", measure], rows)
    return out


def _file_name(name: str) -> str:
    """A table name as a safe file name (breakdown names come from the campaign's records)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:60] or "unnamed"


def write_csvs(report: dict[str, Any], folder: Path) -> list[Path]:
    """One CSV file per table in ``folder`` (made if needed); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (header, rows) in tables(report).items():
        buf = io.StringIO()
        write_csv(buf, header, rows)
        path = folder / f"{name}.csv"
        write_atomic(path, buf.getvalue())
        written.append(path)
    return written
