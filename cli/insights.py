"""vidkit insights: what spread, where and among whom (the report; importers join this group)."""

from __future__ import annotations

from pathlib import Path

import click

from vidkit.cli.output import emit_json, say
from vidkit.cli.settings_options import db_option, settings
from vidkit.insights.report import report_data, write_csvs, write_html
from vidkit.track.registry import Registry


@click.group("insights")
def command() -> None:
    """Campaign insights: which video, channel and member spread best.

    Reads vidkit's own counts (share links, the share tree, the watch-through funnel), the
    platforms' imported exports and the attributes the campaign holds about its members.
    Audience cells under 10 are suppressed; no visitor is ever listed.
    """


@command.command("report")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    default=Path("insights-report.html"), show_default=True,
    help="The HTML report: one self-contained file that works offline.",
)  # fmt: skip
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write one CSV file per table into this folder.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True,
              help="Print the report's data as JSON on stdout (no HTML file).")  # fmt: skip
@click.option("--video", "video_id", metavar="ID", help="Only this video.")
@click.option("--since", metavar="DATE", help="From this UTC day (YYYY-MM-DD), inclusive.")
@click.option("--until", metavar="DATE", help="To this UTC day (YYYY-MM-DD), inclusive.")
@db_option
def report(
    output: Path,
    csv_dir: Path | None,
    as_json: bool,
    video_id: str | None,
    since: str | None,
    until: str | None,
    db: str | None,
) -> None:
    """Write the insights report: views over time by channel, the funnel, top videos, top
    sharers and the share tree, platform views beside vidkit's counts, audience breakdowns.

    Each breakdown says where it comes from. Platform totals are lifetime figures from the
    imported exports; --since/--until bound vidkit's daily counts.
    """
    s = settings(db=db)
    with Registry.open(s.db) as registry:
        data = report_data(registry, video_id=video_id, since=since, until=until)
    if csv_dir is not None:
        written = write_csvs(data, csv_dir)
        say(f"wrote {len(written)} CSV files to {csv_dir}")
    if as_json:
        emit_json(data)
        return
    path = write_html(data, output)
    say(f"wrote {path.resolve()}")
