"""vidkit probe: what vidkit sees in a clip."""

from __future__ import annotations

from pathlib import Path

import click

from vidkit.cli.output import emit_json
from vidkit.render.probe import probe


@click.command("probe")
@click.argument("clip", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def command(clip: Path, as_json: bool) -> None:
    """Show a clip's size as displayed, rotation, frame rate, HDR and audio."""
    media = probe(clip)
    data = media.to_dict()
    if as_json:
        emit_json(data)
        return
    width = max(len(k) for k in data)
    for key, value in data.items():
        click.echo(f"{key:<{width}}  {value}")
