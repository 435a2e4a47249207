"""vidkit purge: delete raw events past retention; their daily aggregates are kept."""

from __future__ import annotations

import click

from vidkit.cli.output import emit_json, say
from vidkit.cli.settings_options import db_option, settings
from vidkit.track.registry import Registry
from vidkit.track.retention import purge


@click.command("purge")
@click.option(
    "--older-than",
    "days",
    type=int,
    metavar="DAYS",
    help="Delete raw events more than DAYS whole days old [default: VIDKIT_RETENTION_DAYS or 90].",
)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def command(days: int | None, db: str | None, as_json: bool) -> None:
    """Drop raw click and play events past retention, keeping daily counts for `vidkit stats`.

    Also deletes unique-visitor salts older than 48 hours. The share server does this once a day
    by itself; run it by hand to apply a shorter retention.
    """
    s = settings(db=db)
    with Registry.open(s.db) as registry:
        result = purge(registry, days if days is not None else s.retention_days)
    if as_json:
        emit_json(
            {
                "before_day": result.before_day,
                "events_deleted": result.events_deleted,
                "salts_deleted": result.salts_deleted,
            }
        )
    else:
        say(
            f"deleted {result.events_deleted} raw events from before {result.before_day} "
            f"(aggregates kept) and {result.salts_deleted} old salts"
        )
