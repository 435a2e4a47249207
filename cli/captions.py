"""vidkit captions: transcribe a clip into an editable, word-timed caption file."""

from __future__ import annotations

from pathlib import Path

import click

from vidkit.captions import models
from vidkit.captions.cues import STYLES
from vidkit.captions.engines import ENGINES, first_use_note
from vidkit.captions.models import catalogue_rows
from vidkit.captions.pipeline import caption_clip
from vidkit.cli.output import emit_json, say
from vidkit.config import user_cache_dir


class _CaptionsGroup(click.Group):
    """``vidkit captions CLIP ...`` transcribes; ``vidkit captions models ...`` manages models."""

    default_command = "clip"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group("captions", cls=_CaptionsGroup)
def command() -> None:
    """Write word-timed captions for a clip (`vidkit captions CLIP`), and manage caption models
    (`vidkit captions models list|install|remove`).

    \b
    Examples:
      vidkit captions clip.mp4                      # writes clip.srt beside the clip
      vidkit captions clip.mp4 --script pledge.txt  # exact words, timed to the speech
      vidkit captions models list                   # what is installed, sizes, licences
      vidkit captions models install moonshine      # accurate English, once per machine

    `vidkit captions clip --help` lists the transcription options.
    """


@command.command("clip", hidden=True)
@click.argument("clip", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, allow_dash=True),
    help="Caption file to write: .srt, .vtt or .json (word times). '-' prints SRT on stdout. "
    "Default: CLIP's name with .srt, beside the clip.",
)
@click.option(
    "--script",
    type=click.Path(path_type=Path),
    help="A text file with the words spoken (script, pledge): every word comes back in order, "
    "timed to the speech. Much more accurate than recognition.",
)
@click.option(
    "--lang", "language", default="en", show_default=True, help="Language code of the speech."
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    help="Speech engine. Default: whisper / vosk when $VIDKIT_WHISPER_MODEL / "
    "$VIDKIT_VOSK_MODEL points to a model, else moonshine (English; its model is obtained "
    "once), else pocketsphinx (bundled, English) where ONNX Runtime is missing.",
)
@click.option(
    "--model",
    type=click.Path(path_type=Path),
    help="Model directory on disk for --engine whisper or vosk (nothing is downloaded).",
)
@click.option(
    "--style",
    type=click.Choice(STYLES),
    default="classic",
    show_default=True,
    help="How words are grouped into cues (punchy: 1-3 words at a time).",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
def transcribe(
    clip: Path,
    output: Path | None,
    script: Path | None,
    language: str,
    engine: str | None,
    model: Path | None,
    style: str,
    force: bool,
    as_json: bool,
) -> None:
    """Write word-timed captions for CLIP, offline, to edit and use with `make --captions FILE`.

    \b
    Examples:
      vidkit captions clip.mp4                      # writes clip.srt beside the clip
      vidkit captions clip.mp4 --script pledge.txt  # exact words, timed to the speech
      vidkit captions clip.mp4 -o clip.json         # word times, for karaoke captions
      vidkit captions clip.mp4 -o -                 # SRT on stdout

    The engine is moonshine (English, accurate): its model comes with vidkit on Linux x86_64
    and is downloaded once elsewhere (`vidkit captions models install moonshine`), then
    prepared once. pocketsphinx (bundled, English) is rough on free speech: read the file
    through and fix it, or give --script. Silence, music only or a clip without audio give an
    error and no file, never made-up captions.
    """
    to_stdout = output is not None and str(output) == "-"
    target = None if to_stdout else (output or clip.with_suffix(".srt"))
    if script is None and (note := first_use_note(engine, language)):
        say(note)
    result = caption_clip(
        clip,
        target,
        language=language,
        script=script,
        engine=engine,
        model=model,
        style=style,
        force=force,
    )
    summary = {
        "output": str(result.path) if result.path else "-",
        "cues": result.cues,
        "words": result.words,
        "engine": result.engine,
        "seconds": round(result.seconds, 2),
    }
    if to_stdout:
        click.echo(result.text, nl=False)
    elif as_json:
        emit_json(summary)
    if not as_json or to_stdout:
        what = f"wrote {result.path}" if result.path else "printed SRT"
        say(
            f"{what}: {result.cues} cues, {result.words} words "
            f"({result.engine}, {result.seconds:.1f} s)"
        )


@command.group("models")
def models_group() -> None:
    """Caption models: what is installed, and getting or removing one.

    \b
    Examples:
      vidkit captions models list
      vidkit captions models install moonshine                  # through pip's package index
      vidkit captions models install moonshine --from FILE.whl  # offline, a downloaded wheel
      vidkit captions models remove moonshine
    """


@models_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def list_models(as_json: bool) -> None:
    """List the caption models vidkit can use: installed or not, size, licence, languages and
    the word error rate measured by bench/bench_captions.py."""
    rows = catalogue_rows(user_cache_dir())
    if as_json:
        emit_json({"models": rows})
        return
    for r in rows:
        where = r["installed"] or "not installed"
        click.echo(
            f"{r['name']}  {r['engine']}  {','.join(r['languages'])}  "
            f"{r['size_mb']} MB  {r['licence']}  WER {r['measured_wer']}  {where}"
        )


@models_group.command("install")
@click.argument("name")
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path, exists=True),
    help="Install from a downloaded wheel or a model folder copied from another machine "
    "(no network).",
)
@click.option(
    "--index-url",
    metavar="URL",
    help="Package index to download from (default: pip's own settings: PIP_INDEX_URL, pip.conf).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def install_model(name: str, source: Path | None, index_url: str | None, as_json: bool) -> None:
    """Download (through pip), verify (SHA-256) and keep caption model NAME, e.g. moonshine."""
    folder = models.install(user_cache_dir(), name, source=source, index_url=index_url, say=say)
    if as_json:
        emit_json({"name": models.spec(name).name, "path": str(folder)})
    else:
        say(f"installed {models.spec(name).name} in {folder}", fg="green")


@models_group.command("remove")
@click.argument("name")
def remove_model(name: str) -> None:
    """Delete caption model NAME from vidkit's cache (the next use downloads it again)."""
    if models.remove(user_cache_dir(), name):
        say(f"removed {models.spec(name).name}")
    else:
        say(f"{models.spec(name).name} was not installed in vidkit's cache")
