"""vidkit links: mint share links for members and channels, and list them."""

from __future__ import annotations

import click

from vidkit.cli.output import emit_json
from vidkit.cli.settings_options import db_option, settings
from vidkit.share.links import share_url
from vidkit.track.registry import Registry


@click.group("links")
def command() -> None:
    """Share links: one per member and channel, so `vidkit stats` can tell who drove the reach."""


@command.command("create")
@click.argument("video_id")
@click.option(
    "--channel", metavar="NAME", help="Where the link will be posted, e.g. whatsapp, facebook."
)
@click.option(
    "--sharer",
    metavar="REF",
    help="A pseudonymous member reference the campaign holds (not a name or phone number).",
)
@click.option("--parent", metavar="CODE", help="The link this one was shared on from (share tree).")
@click.option(
    "--display-name",
    metavar="NAME",
    help="Show 'Shared by NAME' on the page: only when the member chose to be named.",
)
@db_option
@click.option("--base-url", metavar="URL", help="Public base of share links [env VIDKIT_BASE_URL].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def create(
    video_id: str,
    channel: str | None,
    sharer: str | None,
    parent: str | None,
    display_name: str | None,
    db: str | None,
    base_url: str | None,
    as_json: bool,
) -> None:
    """Mint a new share link for VIDEO_ID (from `vidkit publish`)."""
    s = settings(db=db, base_url=base_url)
    with Registry.open(s.db) as registry:
        link = registry.create_link(
            video_id, channel=channel, sharer=sharer, parent=parent, display_name=display_name
        )
    url = share_url(s.base_url, link.code)
    if as_json:
        emit_json({"code": link.code, "share_url": url})
    else:
        click.echo(url)


@command.command("list")
@click.option("--video", "video_id", metavar="ID", help="Only this video's links.")
@db_option
@click.option("--base-url", metavar="URL", help="Public base of share links [env VIDKIT_BASE_URL].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def list_links(video_id: str | None, db: str | None, base_url: str | None, as_json: bool) -> None:
    """List share links, with the video, channel, sharer and parent of each."""
    s = settings(db=db, base_url=base_url)
    with Registry.open(s.db) as registry:
        if video_id is not None:
            registry.video(video_id)
        links = registry.links(video_id)
        codes = registry.link_codes()
        videos = {v.id: v.title for v in registry.videos()}
    rows = [
        {
            **link.to_dict(codes),
            "title": videos.get(link.video_id, ""),
            "share_url": share_url(s.base_url, link.code),
        }
        for link in links
    ]
    if as_json:
        emit_json({"links": rows})
        return
    for r in rows:
        extra = "  ".join(
            f"{k}={r[k]}" for k in ("channel", "sharer", "parent") if r[k] is not None
        )
        click.echo(f"{r['share_url']}  {r['video_id']}  {r['title']}  {extra}".rstrip())
