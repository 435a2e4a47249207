"""Caption engines by name: the one place that knows them and picks one.

Engines are named by import string and imported only when chosen, so vidkit starts without
loading any speech library, and the optional ones (faster-whisper, vosk) say in one line what
is missing when asked for. Engines import only :mod:`.base`; nothing imports an engine module
but this registry (and tests).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from vidkit.captions import models
from vidkit.captions.engines.base import Aligner, Engine, base_language
from vidkit.config import user_cache_dir
from vidkit.errors import ConfigError

__all__ = ["ENGINES", "Engine", "aligner", "base_language", "choose", "first_use_note", "prepare"]

ENGINES = ("moonshine", "pocketsphinx", "whisper", "vosk")
MODEL_ENV = {"whisper": "VIDKIT_WHISPER_MODEL", "vosk": "VIDKIT_VOSK_MODEL"}
ENGINE_ENV = "VIDKIT_CAPTION_ENGINE"
_M = "vidkit.captions.engines."
REGISTRY = {
    "moonshine": _M + "moonshine:Moonshine",
    "pocketsphinx": _M + "sphinx:PocketSphinx",
    "whisper": _M + "whisper:FasterWhisper",
    "vosk": _M + "vosk:Vosk",
    # what moonshine needs answered without loading it
    "moonshine_available": _M + "moonshine_model:available",
    "moonshine_is_prepared": _M + "moonshine_model:is_prepared",
    "moonshine_prepare": _M + "moonshine_model:prepare",
}


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
        name = "moonshine" if _load("moonshine_available")() else "pocketsphinx"
    if name not in ENGINES:
        raise ConfigError(
            f"unknown caption engine {name!r}",
            key="engine",
            hint=f"use one of {', '.join(ENGINES)}",
        )
    if name in ("pocketsphinx", "moonshine") and model is not None:
        raise ConfigError(f"{name} uses its bundled model; drop --model", key="model")
    if name == "pocketsphinx":
        return aligner()
    if name == "moonshine":
        return _load("moonshine")(aligner=aligner())  # type: ignore[no-any-return]
    return _load(name)(_model_path(name, model))  # type: ignore[no-any-return]


def aligner() -> Aligner:
    """The forced aligner (pocketsphinx), for timing a script or another engine's words."""
    return _load("pocketsphinx")()  # type: ignore[no-any-return]


def _load(entry: str) -> Any:
    module, _, attr = REGISTRY[entry].partition(":")
    return getattr(importlib.import_module(module), attr)


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
    return user_cache_dir()


def first_use_note(name: str | None = None, language: str = "en") -> str | None:
    """A line to show before transcribing ``language`` when that one-time step is still to do,
    else None (also when the engine will refuse the language)."""
    if base_language(language) != "en":
        return None  # Moonshine is English only: the language is refused before any step
    is_prepared = _load("moonshine_is_prepared")
    try:
        cache = _conversion_cache(name)
    except ConfigError:
        return None  # reported when the engine is chosen for real
    if cache is None or is_prepared(cache):
        return None
    prepare_note = f"once per machine, a few seconds (~250 MB in {cache})"
    if models.locate(cache, "moonshine") is None:
        m = models.MOONSHINE
        return (
            f"getting the Moonshine caption model ({m.licence}): a one-time ~{m.download_mb} MB "
            f"download of {m.requirement()} through pip's package index, then preparing it "
            f"{prepare_note}"
        )
    return f"preparing the Moonshine caption model: {prepare_note}"


def prepare(name: str | None = None) -> None:
    """Do that one-time step now, e.g. before starting worker processes that would each do it
    at once."""
    prepare_model = _load("moonshine_prepare")
    cache = _conversion_cache(name)
    if cache is not None:
        prepare_model(cache)


def moonshine_installed() -> bool:
    """Whether the Moonshine model and ONNX Runtime are installed (nothing is loaded)."""
    return bool(_load("moonshine_available")())


def model_prepared(name: str | None = None) -> bool | None:
    """Whether the one-time model step of the engine ``choose(name)`` is done (None: none)."""
    cache = _conversion_cache(name)
    return None if cache is None else bool(_load("moonshine_is_prepared")(cache))
