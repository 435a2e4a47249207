"""The caption engine seam: the one small interface every engine implements.

Engines import only this module (and the caption data types); :mod:`vidkit.captions.engines`
names them by import string and picks one. The engines:

- ``moonshine`` (default for English where installed: ``pip install "vidkit[asr]"``, Linux
  x86_64): the Moonshine base model shipped inside its wheel; accurate, no download.
- ``pocketsphinx`` (default otherwise): bundled with vidkit, English only, no download.
- ``whisper``: faster-whisper with a model directory on disk (``--model`` or
  ``$VIDKIT_WHISPER_MODEL``); many languages, much more accurate, slower.
- ``vosk``: vosk with a model directory on disk (``--model`` or ``$VIDKIT_VOSK_MODEL``).

Engines get the extracted audio and the speech chunks found by voice activity detection and
return a :class:`Transcript`. Optional engines import their library lazily, so vidkit works
without them and says in one line what is missing when one is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from vidkit.captions.audio import Audio, Region
from vidkit.captions.languages import how_to_caption
from vidkit.captions.model import Transcript, Word
from vidkit.captions.script import ScriptWord
from vidkit.errors import CaptionError

#: With forced alignment failed, fit the script to free recognition only if this share of it
#: was heard.
MIN_SCRIPT_HEARD = 0.2
#: The engine name on transcripts made by forced alignment of a script.
ALIGNED = "pocketsphinx-align"


class Engine(Protocol):
    name: str
    #: Base language codes the engine understands, or None when the model decides.
    languages: frozenset[str] | None

    def preload(self) -> None:
        """Start loading the model in the background, if that is worth it; returns at once.
        (Engines that subclass Engine get this default: nothing to do.)"""

    def transcribe(
        self,
        audio: Audio,
        regions: Sequence[Region],
        *,
        language: str,
        script: Sequence[ScriptWord] | None = None,
    ) -> Transcript: ...


def base_language(code: str) -> str:
    """``en-US`` / ``en_GB`` / ``EN`` → ``en``."""
    return code.replace("_", "-").split("-")[0].lower()


class Aligner(Protocol):
    """Times known words against speech (forced alignment); pocketsphinx's strength."""

    def align(
        self,
        audio: Audio,
        regions: Sequence[Region],
        script: Sequence[ScriptWord],
        *,
        span: Region | None = None,
    ) -> tuple[Word, ...] | None: ...


def unsupported(language: str, engine: str = "pocketsphinx") -> CaptionError:
    """The error for a language the chosen engine does not understand, naming the way to
    caption that language."""
    where = (
        "the bundled pocketsphinx engine" if engine == "pocketsphinx" else f"the {engine} engine"
    )
    return CaptionError(
        f"{where} only understands English, not {language!r}",
        hint=how_to_caption(base_language(language)),
    )
