"""vidkit stats: clicks, unique visitors, previews, plays, completions and calls to action per
link."""

from __future__ import annotations

import sys

import click

from vidkit.cli.output import emit_json
from vidkit.cli.settings_options import db_option, settings
from vidkit.files import write_csv
from vidkit.track.registry import Registry
from vidkit.track.stats import LINK_FIELDS, share_tree, stats

BREAKDOWNS = {
    "day": "by_day",
    "channel": "by_channel",
    "referrer": "by_referrer",
    "country": "by_country",
}


@click.command("stats")
@click.option("--video", "video_id", metavar="ID", help="Only this video's links.")
@click.option(
    "--by",
    type=click.Choice(sorted(BREAKDOWNS)),
    help="With --csv: print this breakdown instead of the links table.",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Also list share-button links that have no activity yet (JSON and CSV always do).",
)
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON on stdout.")
@click.option(
    "--csv", "as_csv", is_flag=True, help="Print the links table (or --by breakdown) as CSV."
)
@db_option
def command(
    video_id: str | None,
    by: str | None,
    show_all: bool,
    as_json: bool,
    as_csv: bool,
    db: str | None,
) -> None:
    """Show per-link counts, the share tree, and breakdowns by day, channel, referrer, country.

    Previews (link-preview bots, HEAD requests) are never counted as clicks; cta counts taps on
    the share page's call to action (once per page view). Unique visitors are
    counted per day. Referrer and country cells under 10 clicks are left out.
    """
    s = settings(db=db)
    with Registry.open(s.db) as registry:
        data = stats(registry, video_id)
    if as_json:
        emit_json(data)
    elif as_csv:
        _csv(data, by)
    else:
        _human(data, show_all)


def _csv(data: dict, by: str | None) -> None:
    if by is None:
        rows, fields = data["links"], list(LINK_FIELDS)
    else:
        table = data[BREAKDOWNS[by]]
        rows = table["rows"] if isinstance(table, dict) else table
        fields = list(rows[0]) if rows else [by, "clicks"]
    cells = ([row.get(f, "") for f in fields] for row in rows)
    write_csv(sys.stdout, fields, cells, lineterminator="\n")


def _active(rows: list[dict]) -> set[str]:
    """Codes worth listing: campaign-minted links, and links with activity (or under them)."""
    counted = ("clicks", "previews", "plays", "cta_clicks")
    keep = {r["code"] for r in rows if r["parent"] is None or any(r[c] for c in counted)}
    parents = {r["code"]: r["parent"] for r in rows}
    for code in list(keep):
        while parents.get(code):
            code = parents[code]
            keep.add(code)
    return keep


def _human(data: dict, show_all: bool) -> None:
    cols = ("clicks", "unique_visitors", "previews", "plays", "completions", "cta_clicks")
    heads = ("clicks", "uniques", "previews", "plays", "done", "cta")
    click.echo(
        f"{'link (share tree)':<40} {'channel':<10} {'sharer':<12} "
        + " ".join(f"{h:>8}" for h in heads)
    )
    keep = _active(data["links"])
    for depth, row in share_tree(data["links"]):
        if not show_all and row["code"] not in keep:
            continue
        name = "  " * depth + row["code"]
        click.echo(
            f"{name:<40} {row['channel'] or '-':<10} {row['sharer'] or '-':<12} "
            + " ".join(f"{row[c]:>8}" for c in cols)
        )
    for title, key, label in (("by day", "by_day", "day"), ("by channel", "by_channel", "channel")):
        if data[key]:
            click.echo(f"\n{title}:")
            for row in data[key]:
                click.echo(
                    f"  {row[label]:<14} " + " ".join(f"{h}={row[c]}" for h, c in zip(heads, cols))
                )
    for title, key, label in (
        ("by referrer", "by_referrer", "referrer"),
        ("by country", "by_country", "country"),
    ):
        table = data[key]
        if table["rows"] or table["suppressed_cells"]:
            click.echo(f"\n{title} (cells under {data['min_cell']} left out):")
            for row in table["rows"]:
                click.echo(f"  {row[label]:<30} {row['clicks']:>8}")
            if table["suppressed_cells"]:
                click.echo(
                    f"  ({table['suppressed_cells']} smaller cells, {table['suppressed_clicks']} clicks)"
                )
