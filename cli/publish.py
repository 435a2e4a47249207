"""vidkit publish: upload rendered videos with their poster, card and captions; mint share links."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vidkit.cli.output import emit_json, say
from vidkit.cli.settings_options import brand_option, db_option, settings, storage_options
from vidkit.share.publish import publish
from vidkit.store import storage_for
from vidkit.template.brand import load_brand
from vidkit.track.registry import Registry


class _Bar:
    """Upload progress on stderr: a redrawn line on a terminal, silence otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.show = not quiet and sys.stderr.isatty()
        self.last = -1

    def __call__(self, sent: int, total: int) -> None:
        if not self.show or total <= 0:
            return
        pct = min(100, sent * 100 // total)
        if pct != self.last:
            self.last = pct
            filled = pct // 4
            bar = "#" * filled + "-" * (25 - filled)
            click.echo(
                f"\rupload [{bar}] {pct:3d}%  {sent / 1e6:.1f}/{total / 1e6:.1f} MB",
                err=True,
                nl=False,
            )

    def end(self) -> None:
        if self.show and self.last >= 0:
            click.echo("", err=True)


@click.command("publish")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title", required=True, help="Title shown on the share page and in link previews.")
@click.option(
    "--description", default="", help="One or two sentences for the share page and previews."
)
@click.option(
    "--captions-lang",
    default="en",
    show_default=True,
    metavar="TAG",
    help="Language of the captions file beside each video (e.g. en, cy, fr).",
)
@click.option(
    "--cta-text",
    metavar="TEXT",
    help="The share page's button, e.g. 'Register to vote' [default: the end card's, else the "
    "brand kit's].",
)
@click.option(
    "--cta-url",
    metavar="URL",
    help="Where the button goes (the only place it can go), e.g. https://example.org/join.",
)
@brand_option
@db_option
@storage_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def command(
    files: tuple[Path, ...],
    title: str,
    description: str,
    captions_lang: str,
    cta_text: str | None,
    cta_url: str | None,
    brand: str | None,
    db: str | None,
    storage: str | None,
    base_url: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Publish rendered videos (FILE is a .mp4 from `vidkit make`) and print their share links.

    The poster (NAME.poster.jpg), link-preview card (NAME.card.jpg) and captions (NAME.vtt or
    NAME.srt) beside each video go up with it; a video vidkit rendered gets a link card designed
    with its title and the brand kit, and its end card's call to action as the page's button
    (--cta-text/--cta-url override it). Publishing the same file again uploads nothing new and
    returns the same video and link.
    """
    if bool(cta_text) != bool(cta_url):
        raise click.UsageError("give --cta-text and --cta-url together")
    s = settings(db=db, storage=storage, base_url=base_url, brand=brand)
    kit = load_brand(s.brand)
    store = storage_for(s)
    bar = _Bar(quiet or as_json)
    with Registry.open(s.db) as registry:
        try:
            results = publish(
                list(files),
                title=title,
                description=description,
                storage=store,
                registry=registry,
                base_url=s.base_url,
                captions_lang=captions_lang,
                cta_text=cta_text,
                cta_url=cta_url,
                brand=kit,
                on_progress=bar,
            )
        finally:
            bar.end()
    if as_json:
        emit_json({"videos": [r.to_dict() for r in results]})
        return
    for r in results:
        for warning in r.warnings:
            say(f"warning: {warning}", fg="yellow")
        note = " (already published: nothing uploaded)" if r.existing and not r.sent_bytes else ""
        say(f"published video {r.id}{note}; share link:")
        click.echo(r.share_url)
