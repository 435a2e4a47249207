"""vidkit preview: a contact sheet of a template's key moments on each preset."""

from __future__ import annotations

from pathlib import Path

import click

from vidkit.cli.make import parse_sets
from vidkit.cli.output import say
from vidkit.render.preview import DEFAULT_PRESETS, preview


@click.command("preview")
@click.argument("clip", type=click.Path(path_type=Path))
@click.option(
    "-t", "--template", default="default", show_default=True, help="Template name or YAML file."
)
@click.option(
    "-p", "--presets", default=DEFAULT_PRESETS, show_default=True,
    help="Presets to show, comma-separated (shapes or platforms).",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(path_type=Path),
    help="The sheet to write (PNG). Default: CLIP-TEMPLATE-preview.png beside the clip.",
)  # fmt: skip
@click.option(
    "--set", "sets", multiple=True, metavar="KEY=VALUE", help="A merge field, e.g. name=Amira."
)
@click.option("--captions", help="none, auto, or a caption file (.srt/.vtt/.json) to show.")
@click.option("--brand", help="Brand kit name or folder (overrides the template's).")
@click.option(
    "--template-dir", "template_dirs", multiple=True, type=click.Path(path_type=Path),
    envvar="VIDKIT_TEMPLATES", help="A folder of your own templates (searched first).",
)  # fmt: skip
@click.option(
    "--scale", type=float, default=0.33, show_default=True,
    help="Render at this fraction of full size for the sheet.",
)  # fmt: skip
def command(
    clip: Path, template: str, presets: str, output: Path | None, sets: tuple[str, ...],
    captions: str | None, brand: str | None, template_dirs: tuple[Path, ...], scale: float,
) -> None:  # fmt: skip
    """Show CLIP through a template: one row per preset with its title card, lower third,
    captions and end card, from a quick small render, so a template can be checked at a
    glance before rendering a campaign.

    \b
    Examples:
      vidkit preview clip.mp4 --set name=Amira --set place=Leeds
      vidkit preview clip.mp4 -t rally -p reels,youtube --captions clip.srt -o sheet.png
    """
    stem = Path(str(template)).stem
    out = output or clip.with_name(f"{clip.stem}-{stem}-preview.png")
    say(f"rendering {clip.name} small for each preset ({presets})…")
    made = preview(
        clip, out, template=template, presets=presets, fields=parse_sets(sets),
        captions=captions, brand=brand, template_dirs=template_dirs, scale=scale,
    )  # fmt: skip
    click.echo(str(made))
