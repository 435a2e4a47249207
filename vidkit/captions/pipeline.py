"""From a clip (or a caption file) to captions: the library entry points.

``transcribe_clip`` extracts the audio, finds speech, runs an engine and refuses results that
would be garbage (no audio track, silence, music or noise only, a language the engine does not
know): it raises :class:`NoSpeechError` / :class:`CaptionError` with one clear line instead.
``captions_for`` is what ``vidkit make --captions auto|none|FILE`` calls.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from vidkit.captions import audio as audio_mod
from vidkit.captions.cues import segment
from vidkit.captions.engines import aligner, choose
from vidkit.captions.engines.base import ALIGNED, Engine, base_language, unsupported
from vidkit.captions.formats import format_json, format_srt, format_vtt, read_captions, write_text
from vidkit.captions.model import Cue, Transcript, Word
from vidkit.captions.script import read_script, script_words
from vidkit.errors import CaptionError
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner, Runner

#: Below this many words per second of detected speech, what was "heard" is not speech.
MIN_WORDS_PER_SECOND = 1.0
#: Below this mean word confidence (where the engine reports one), the result is noise.
MIN_CONFIDENCE = 0.2
#: Fewer syllable-like level dips per second than this: not speech (held notes, hum, noise).
MIN_DIPS_PER_SECOND = 3.0
#: Minimum detected speech for a clip to be worth captioning.
MIN_SPEECH_MS = 300


class NoSpeechError(CaptionError):
    """The clip has no usable speech (no audio track, silence, music or noise only).

    ``vidkit make`` may catch this to carry on without captions.
    """


@dataclass(frozen=True)
class Captions:
    """Captions for one clip, from an engine or a file.

    ``written`` holds cues exactly as an SRT/VTT file gave them (rendered as written, whatever
    the style); otherwise cues are made from ``words`` for the style asked for.
    """

    language: str
    words: tuple[Word, ...]
    written: tuple[Cue, ...] | None = None
    source: str = ""

    def cues(self, style: str = "classic", *, max_chars: int | None = None) -> tuple[Cue, ...]:
        if self.written is not None:
            return self.written
        return segment(self.words, style, max_chars=max_chars)

    @property
    def transcript(self) -> Transcript:
        return Transcript(self.language, self.words, self.source)


def _default_runner() -> Runner:
    return FFmpegRunner(locate())


def transcribe_clip(
    clip: Path,
    *,
    language: str = "en",
    script: str | None = None,
    engine: str | Engine | None = None,
    model: Path | None = None,
    runner: Runner | None = None,
) -> Transcript:
    """Word-timed speech of ``clip``; with ``script`` (its text), every script word in order."""
    chosen = engine if engine is not None and not isinstance(engine, str) else None
    if chosen is None:
        chosen = choose(engine if isinstance(engine, str) else None, model=model)
    lang = base_language(language)
    if chosen.languages is not None and lang not in chosen.languages:
        raise unsupported(language, chosen.name)
    words_of_script = script_words(script) if script is not None else None
    if script is not None and not words_of_script:
        raise CaptionError("the script has no words")
    runner = runner or _default_runner()
    if words_of_script is None:
        chosen.preload()  # loads while the audio is extracted
    with tempfile.TemporaryDirectory(prefix="vidkit-captions-") as tmp:
        try:
            audio = audio_mod.extract(clip, Path(tmp), runner)
        except CaptionError as exc:
            raise NoSpeechError(exc.message, path=exc.path, hint=exc.hint) from None
        regions = audio_mod.speech_regions(audio)
        speech_ms = sum(r.length for r in regions)
        if speech_ms < MIN_SPEECH_MS:
            raise NoSpeechError(
                "no speech found: the audio is silent or nearly so",
                path=clip,
                hint="no captions were made",
            )
        dips = audio_mod.dips_per_second(audio, regions)
        if dips < MIN_DIPS_PER_SECOND:
            raise NoSpeechError(
                "no clear speech found (music or noise only?)",
                path=clip,
                hint=f"{speech_ms / 1000:.1f} s of sound without the rhythm of speech; "
                "no captions were made",
            )
        chunks = audio_mod.chunks(regions, duration_ms=audio.duration_ms)
        if words_of_script is not None and lang == "en" and chosen.name != "pocketsphinx":
            # forced alignment is pocketsphinx's strength, whatever engine was chosen
            aligned = aligner().align(audio, regions, words_of_script)
            if aligned is not None:
                return Transcript(lang, aligned, ALIGNED)
        transcript = chosen.transcribe(audio, chunks, language=lang, script=words_of_script)
    if words_of_script is None:
        _check_plausible(transcript, speech_ms, clip)
    return Transcript(lang, transcript.words, transcript.engine, transcript.confidence)


def _check_plausible(transcript: Transcript, speech_ms: int, clip: Path) -> None:
    rate = len(transcript.words) / (speech_ms / 1000)
    low_confidence = transcript.confidence is not None and transcript.confidence < MIN_CONFIDENCE
    if rate < MIN_WORDS_PER_SECOND or low_confidence:
        raise NoSpeechError(
            "no clear speech found (music or noise only?)",
            path=clip,
            hint=f"{transcript.engine} heard {len(transcript.words)} words in "
            f"{speech_ms / 1000:.1f} s of sound; no captions were made",
        )


def caption_mode(value: str | Path | None) -> str | Path:
    """``none`` / ``auto`` (any case) or a caption file, as the CLI, campaign rows and the
    library take it: ``"none"``, ``"auto"`` or the file's :class:`~pathlib.Path`."""
    if value is None or str(value).lower() == "none":
        return "none"
    if str(value).lower() == "auto":
        return "auto"
    return Path(value)


def captions_for(
    clip: Path,
    *,
    mode: str | Path,
    language: str = "en",
    script: Path | str | None = None,
    engine: str | None = None,
    model: Path | None = None,
    runner: Runner | None = None,
) -> Captions | None:
    """Captions for ``clip``: ``mode`` is ``"none"`` (None), ``"auto"`` (transcribe, aligning
    ``script`` if given: a path or the text itself) or a caption file (.srt/.vtt/.json).

    Raises :class:`NoSpeechError` when the clip has nothing to caption, :class:`CaptionError`
    for a bad caption file (with its line) or an unsupported language.
    """
    mode = caption_mode(mode)
    if mode == "none":
        return None
    if mode == "auto":
        text = read_script(script) if isinstance(script, Path) else script
        transcript = transcribe_clip(
            clip, language=language, script=text, engine=engine, model=model, runner=runner
        )
        return Captions(transcript.language, transcript.words, None, transcript.engine)
    path = Path(mode)
    loaded = read_captions(path)
    if isinstance(loaded, Transcript):
        return Captions(loaded.language, loaded.words, None, f"file:{path.name}")
    words = tuple(w for cue in loaded for w in cue.words)
    return Captions(base_language(language), words, loaded, f"file:{path.name}")


@dataclass(frozen=True)
class CaptionFile:
    """What :func:`caption_clip` made: the file (or text for stdout) and what is in it."""

    path: Path | None
    text: str
    cues: int
    words: int
    engine: str
    seconds: float


def output_format(path: Path | None) -> str:
    """``srt``, ``vtt`` or ``json`` from an output path's extension (SRT for stdout)."""
    if path is None:
        return "srt"
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("srt", "vtt", "json"):
        raise CaptionError("the output must end in .srt, .vtt or .json", path=path, key="output")
    return suffix


def caption_clip(
    clip: Path,
    out: Path | None,
    *,
    language: str = "en",
    script: Path | None = None,
    engine: str | None = None,
    model: Path | None = None,
    style: str = "classic",
    force: bool = False,
    runner: Runner | None = None,
) -> CaptionFile:
    """Transcribe ``clip`` and write an editable caption file to ``out`` (None: return the SRT
    text only). An existing ``out`` is kept unless ``force``: it may hold someone's edits."""
    import time

    fmt = output_format(out)
    if out is not None and out.exists() and not force:
        raise CaptionError(
            "already exists (it may hold your edits)",
            path=out,
            hint="use --force to replace it, or -o another file",
        )
    began = time.perf_counter()
    found = captions_for(
        clip,
        mode="auto",
        language=language,
        script=script,
        engine=engine,
        model=model,
        runner=runner,
    )
    assert found is not None
    cues = found.cues(style)
    if fmt == "json":
        text = format_json(found.transcript)
    elif fmt == "vtt":
        text = format_vtt(cues)
    else:
        text = format_srt(cues)
    if out is not None:
        write_text(out, text)
    return CaptionFile(
        out, text, len(cues), len(found.words), found.source, time.perf_counter() - began
    )
