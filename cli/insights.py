"""vidkit insights: bring in the platforms' exports and the members' attributes, match posts,
and write the report."""

from __future__ import annotations

from pathlib import Path

import click

from vidkit.cli.output import emit_json, say
from vidkit.cli.settings_options import db_option, settings
from vidkit.insights.data import PLATFORMS
from vidkit.insights.importing import FileResult, flatten, import_files, import_members, match_post
from vidkit.insights.report import report_data, write_csvs, write_html
from vidkit.track.registry import Registry

SHOWN_PROBLEMS = 10  # per file, in the human summary (--json has them all)
SHOWN_POSTS = 30  # unmatched posts listed in the human summary


@click.group("insights")
def command() -> None:
    """Insights: what spread, where and among whom.

    Brings together vidkit's own counts (clicks through members' share links, plays, countries,
    referrers), the platforms' post exports (Facebook, Instagram, YouTube, TikTok, X) and the
    attributes the campaign holds about its sharing members. Everything is aggregated: no
    individual visitor is ever listed, and audience cells under 10 are suppressed. Start with
    `import` (and `members`), then `report`, or open /dashboard on `vidkit serve`.
    """


@command.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--platform",
    type=click.Choice(PLATFORMS),
    help="Read the files as this platform's exports (default: recognised from the headers).",
)
@db_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print the counts per file as JSON on stdout."
)
def import_(files: tuple[Path, ...], platform: str | None, db: str | None, as_json: bool) -> None:
    """Import platform exports: post CSV/XLSX files, TikTok zips, audience files.

    Reads Meta Business Suite post exports (Facebook, Instagram), YouTube Studio's
    `Table data.csv`, TikTok Studio's content export (CSV, XLSX or the zip), X's account
    analytics content export, and the account audience files (Meta's `Audience.csv`, TikTok's
    follower files). A post is matched to a vidkit video by a share link in its text, or by
    `vidkit insights match`. Importing a file again updates its posts; nothing is added twice.
    """
    s = settings(db=db)
    with Registry.open(s.db) as registry:
        results = import_files(registry, list(files), platform)
    if as_json:
        emit_json(flatten(results))
    _summary(results)


def _summary(results: list[FileResult]) -> None:
    for r in results:
        if r.kind == "posts":
            say(f"{r.path}: {r.platform}, {r.rows} posts, {r.matched} matched, "
                f"{r.unmatched} unmatched")  # fmt: skip
        elif r.kind == "audience":
            say(f"{r.path}: {r.platform} audience, {r.rows} shares ({', '.join(r.dimensions)})")
        else:
            say(f"{r.path}: skipped")
        for note in r.notes:
            say(f"  note: {note}")
        for problem in r.problems[:SHOWN_PROBLEMS]:
            say(f"  warning: {problem}", fg="yellow")
        if len(r.problems) > SHOWN_PROBLEMS:
            say(f"  ... and {len(r.problems) - SHOWN_PROBLEMS} more warnings (see --json)")
    unmatched = [(r, p) for r in results for p in r.unmatched_posts]
    if unmatched:
        say(f"\n{len(unmatched)} posts are not matched to a vidkit video yet:")
        for r, p in unmatched[:SHOWN_POSTS]:
            ref = p["permalink"] or p["post_id"]
            say(f"  {r.platform} {p['post_id']}  {p['title'] or '(no title)'}")
            say(f"    vidkit insights match {ref} VIDEO_ID")
        if len(unmatched) > SHOWN_POSTS:
            say(f"  ... and {len(unmatched) - SHOWN_POSTS} more (--json lists them all)")
        say("(video ids: `vidkit links list`)")


@command.command("match")
@click.argument("post")
@click.argument("video_id")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the posts it matched as JSON.")
def match(post: str, video_id: str, db: str | None, as_json: bool) -> None:
    """Tie the platform post POST (its id or permalink) to the vidkit video VIDEO_ID.

    For posts without a share link in their text (YouTube, TikTok, X's shortened links). The
    match applies to the post if it is imported already, and to every later import of it.
    """
    s = settings(db=db)
    with Registry.open(s.db) as registry:
        found = match_post(registry, post, video_id)
    if as_json:
        emit_json({"post": post, "video_id": video_id,
                   "matched": [{"platform": p.platform, "post_id": p.post_id} for p in found]})  # fmt: skip
    if found:
        names = ", ".join(f"{p.platform} {p.post_id}" for p in found)
        say(f"matched {names} to {video_id}")
    else:
        say(f"recorded: {post} -> {video_id}; it applies when the post is imported")


@command.command("members")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON on stdout.")
def members(file: Path, db: str | None, as_json: bool) -> None:
    """Import what the campaign holds about its sharing members, from a CSV (or XLSX).

    FILE has a `sharer` column (the sharer value on members' share links, see `vidkit links
    create --sharer`) and any attribute columns: region, constituency, age band, ... Importing
    replaces what was held for those sharers. Only counts are ever shown, never a member's
    attributes.
    """
    s = settings(db=db)
    with Registry.open(s.db) as registry:
        held, unknown = import_members(registry, file)
    counts = held.counts()
    if as_json:
        emit_json({"path": str(file), "members": len(held.members), "attributes": counts,
                   "unknown_sharers": len(unknown)})  # fmt: skip
    say(f"{file}: {len(held.members)} members; " + (
        ", ".join(f"{c} for {n}" for c, n in counts.items()) or "no attributes"))  # fmt: skip
    if unknown:
        say(f"  warning: {len(unknown)} sharers are on no share link yet "
            "(a typo, or links still to be made)", fg="yellow")  # fmt: skip


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
