"""The caption engine seam: one small interface, four engines, one place that picks.

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

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from vidkit.captions.audio import Audio, Region
from vidkit.captions.model import Transcript
from vidkit.captions.script import ScriptWord
from vidkit.errors import ConfigError

ENGINES = ("moonshine", "pocketsphinx", "whisper", "vosk")
MODEL_ENV = {"whisper": "VIDKIT_WHISPER_MODEL", "vosk": "VIDKIT_VOSK_MODEL"}
ENGINE_ENV = "VIDKIT_CAPTION_ENGINE"


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


def choose(name: str | None = None, *, model: Path | None = None) -> Engine:
    """The engine to use: the named one, else ``$VIDKIT_CAPTION_ENGINE``, else the first of
    whisper / vosk whose model is configured in the environment, else moonshine where it is
    installed, else pocketsphinx."""
    if not name:
        name = os.environ.get(ENGINE_ENV) or ""
    if not name:
        if model is not None:
            raise ConfigError("--model needs --engine whisper or --engine vosk", key="model")
        name = next((e for e, var in MODEL_ENV.items() if os.environ.get(var)), "")
    if not name:
        from vidkit.captions.engines.moonshine import available

        name = "moonshine" if available() else "pocketsphinx"
    if name not in ENGINES:
        raise ConfigError(
            f"unknown caption engine {name!r}",
            key="engine",
            hint=f"use one of {', '.join(ENGINES)}",
        )
    if name in ("pocketsphinx", "moonshine") and model is not None:
        raise ConfigError(f"{name} uses its bundled model; drop --model", key="model")
    if name == "pocketsphinx":
        from vidkit.captions.engines.sphinx import PocketSphinx

        return PocketSphinx()
    if name == "moonshine":
        from vidkit.captions.engines.moonshine import Moonshine

        return Moonshine()
    path = _model_path(name, model)
    if name == "whisper":
        from vidkit.captions.engines.whisper import FasterWhisper

        return FasterWhisper(path)
    from vidkit.captions.engines.vosk import Vosk

    return Vosk(path)


def _model_path(engine: str, model: Path | None) -> Path:
    var = MODEL_ENV[engine]
    package = "faster-whisper" if engine == "whisper" else "vosk"
    if model is None:
        env = os.environ.get(var)
        if not env:
            raise ConfigError(
                f"the {engine} engine needs a model on disk",
                key="model",
                hint=f"pip install {package} and point --model (or ${var}) "
                "to a downloaded model directory",
            )
        model = Path(env)
    if not model.is_dir():
        raise ConfigError(
            f"{engine} model directory not found",
            path=model,
            hint=f"pip install {package} and point --model (or ${var}) "
            "to a downloaded model directory",
        )
    return model


def _conversion_cache(name: str | None) -> Path | None:
    """Where the engine ``choose(name)`` would pick converts its model once (Moonshine: the
    cache folder), or None for engines with nothing to prepare."""
    if choose(name).name != "moonshine":
        return None
    from vidkit.config import user_cache_dir

    return user_cache_dir()


def first_use_note(name: str | None = None) -> str | None:
    """A line to show before transcribing when that one-time step is still to do, else None."""
    from vidkit.captions.engines.moonshine_model import is_prepared

    try:
        cache = _conversion_cache(name)
    except ConfigError:
        return None  # reported when the engine is chosen for real
    if cache is None or is_prepared(cache):
        return None
    return (
        f"preparing the Moonshine caption model: once per machine, a few seconds "
        f"(~250 MB in {cache})"
    )


def prepare(name: str | None = None) -> None:
    """Do that one-time step now, e.g. before starting worker processes that would each do it
    at once."""
    from vidkit.captions.engines.moonshine_model import prepare as prepare_model

    cache = _conversion_cache(name)
    if cache is not None:
        prepare_model(cache)
