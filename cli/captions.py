"""vidkit captions: transcribe a clip into an editable, word-timed caption file."""

from __future__ import annotations

from pathlib import Path

import click

from vidkit.captions.cues import STYLES
from vidkit.captions.engines import ENGINES, first_use_note
from vidkit.captions.pipeline import caption_clip
from vidkit.cli.output import emit_json, say


@click.command("captions")
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
    "$VIDKIT_VOSK_MODEL points to a model, else moonshine (English) where vidkit[asr] is "
    "installed, else pocketsphinx (bundled, English).",
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
def command(
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

    On Linux x86_64 the engine is moonshine (English, accurate; its model is prepared once, on
    first use). Elsewhere it is pocketsphinx (English), rough on free speech: read the file
    through and fix it, or give --script. Silence, music only or a clip without audio give an
    error and no file, never made-up captions.
    """
    to_stdout = output is not None and str(output) == "-"
    target = None if to_stdout else (output or clip.with_suffix(".srt"))
    if script is None and (note := first_use_note(engine)):
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
