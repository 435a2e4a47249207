"""vidkit make: clips in, branded platform-ready videos out."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vidkit.captions.engines import first_use_note
from vidkit.captions.pipeline import caption_mode
from vidkit.cli.output import emit_json, say
from vidkit.errors import ConfigError
from vidkit.render.graph import QUALITIES
from vidkit.render.make import Event, make


def parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. --set name=Amira")
        fields[key.strip()] = value
    return fields


def parse_focus(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        x, y = (float(v) for v in value.split(","))
    except ValueError:
        raise ConfigError(
            f"--focus {value!r}: expected X,Y between 0 and 1, e.g. 0.5,0.4"
        ) from None
    if not (0 <= x <= 1 and 0 <= y <= 1):
        raise ConfigError(f"--focus {value!r}: X and Y must be between 0 and 1")
    return (x, y)


class _Progress:
    """One status line on stderr per clip, redrawn in place when stderr is a terminal."""

    def __init__(self, quiet: bool, *, transcribes: bool = False) -> None:
        self.quiet = quiet
        self.doing = "transcribing, then rendering…" if transcribes else "rendering…"
        self.tty = sys.stderr.isatty()
        self.last = -1

    def __call__(self, e: Event) -> None:
        if self.quiet:
            return
        name = Path(e.source).name
        head = f"[{e.index + 1}/{e.total}] {name}"
        if e.kind == "start":
            self.last = -1
            say(f"{head}: {self.doing}")
        elif e.kind == "progress":
            pct = int(e.fraction * 100)
            if self.tty and pct != self.last:
                click.echo(f"\r{head}: {pct:3d}%", err=True, nl=False)
            self.last = pct
        elif e.kind == "done":
            if self.tty:
                click.echo("\r", err=True, nl=False)
            say(f"{head}: done", fg="green")
        elif e.kind == "warning":
            if self.tty:
                click.echo("\r", err=True, nl=False)
            say(f"{head}: warning: {e.message}", fg="yellow")
        elif e.kind == "failed":
            if self.tty:
                click.echo("\r", err=True, nl=False)
            say(f"{head}: failed: {e.message}", fg="red")


@click.command("make")
@click.argument("clips", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-t",
    "--template",
    default="default",
    show_default=True,
    help="Template name (see `vidkit templates list`) or a path to a .yaml file.",
)
@click.option(
    "-p",
    "--presets",
    "presets",
    multiple=True,
    default=("9x16",),
    show_default=True,
    help="Output presets, repeatable or comma-separated: 9x16, 1x1, 4x5, 16x9, a platform "
    "(tiktok, reels, shorts, instagram, facebook, youtube, x, whatsapp, linkedin), "
    "`shapes`, `platforms` or `all`.",
)
@click.option(
    "-o",
    "--out",
    "out_dir",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the videos.",
)
@click.option(
    "--captions",
    default="none",
    show_default=True,
    help="none, auto (transcribe offline), or a .srt/.vtt/.json caption file to burn in.",
)
@click.option(
    "--lang",
    "language",
    default="en",
    show_default=True,
    help="Spoken language, for --captions auto.",
)
@click.option(
    "--script",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --captions auto: the words spoken (a script or pledge), aligned word by word.",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="A merge field for the template, e.g. --set name=Amira --set place=Leeds.",
)
@click.option(
    "--brand", help="Brand kit name (in brand_assets/) or folder; overrides the template's."
)
@click.option(
    "--template-dir",
    "template_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Folder of your own templates, searched before the built-ins (or $VIDKIT_TEMPLATES).",
)
@click.option(
    "--brand-dir",
    "brand_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Folder of your own brand kits (or $VIDKIT_BRANDS).",
)
@click.option(
    "--reframe",
    type=click.Choice(["auto", "fill", "fit", "subject"]),
    help="fill: crop to fill the frame; subject: crop that follows the people in the clip; "
    "fit: whole picture on a blurred background; auto: subject when there are people to "
    "follow, else fill or fit by shape.",
)
@click.option(
    "--focus", metavar="X,Y", help="Point to keep when cropping, 0-1 each (default from template)."
)
@click.option(
    "--scale",
    type=click.FloatRange(0.1, 1.0),
    default=1.0,
    show_default=True,
    help="Render at a fraction of full size: a quick draft, e.g. 0.25.",
)
@click.option(
    "--quality",
    type=click.Choice(list(QUALITIES)),
    default="standard",
    show_default=True,
    help="Encoder speed/quality trade-off.",
)
@click.option(
    "--ffmpeg", envvar="VIDKIT_FFMPEG", help="Use this ffmpeg instead of the bundled one."
)
@click.option(
    "--verbose", is_flag=True, help="Print each ffmpeg command line on stderr before it runs."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
def command(
    clips: tuple[Path, ...], template: str, presets: tuple[str, ...], out_dir: Path,
    captions: str, language: str, script: Path | None, sets: tuple[str, ...], brand: str | None, template_dirs: tuple[Path, ...],
    brand_dirs: tuple[Path, ...], reframe: str | None, focus: str | None, scale: float,
    quality: str, ffmpeg: str | None, verbose: bool, as_json: bool,
) -> None:  # fmt: skip
    """Render CLIPS into branded, platform-ready videos.

    Each clip is decoded once and encoded to every preset in one ffmpeg run: reframed, logo,
    lower third, cards, captions, loudness -14 LUFS, H.264/AAC MP4, plus a poster JPEG and a
    1200x630 link-preview card. A clip that fails is reported and the others still render;
    the exit code is 1 if any clip failed.

    \b
    Examples:
      vidkit make clip.mp4
      vidkit make clip.mp4 -p all --set name=Amira --set place=Leeds
      vidkit make *.mp4 -t rally -p reels,youtube --captions clip.srt -o out/
    """
    encoding = QUALITIES[quality]
    transcribes = caption_mode(captions) == "auto"
    if transcribes and script is None and (note := first_use_note(language=language)):
        say(note)
    result = make(
        list(clips), template=template, presets=presets, out_dir=out_dir,
        fields=parse_sets(sets), captions=captions, brand=brand,
        template_dirs=template_dirs, brand_dirs=brand_dirs, scale=scale, ffmpeg=ffmpeg,
        encoding=encoding, reframe=reframe, focus=parse_focus(focus), language=language,
        script=script, verbose=verbose,
        on_event=_Progress(quiet=False, transcribes=transcribes),
    )  # fmt: skip
    if as_json:
        emit_json(result.to_dict())
    n_ok = len({o.source for o in result.outputs})
    say(
        f"{len(result.outputs)} video(s) from {n_ok} clip(s) in {out_dir}/"
        + (f"; {len(result.errors)} clip(s) failed" if result.errors else ""),
        fg="red" if result.errors else "green",
    )
    if not as_json:
        for o in result.outputs:
            click.echo(str(o.path))
    if result.errors:
        sys.exit(1)
