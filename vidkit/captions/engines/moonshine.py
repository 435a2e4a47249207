"""Moonshine (base, English): accurate offline recognition whose weights come with the package.

The ``moonshine-cpp`` wheel, published by Moonshine AI (MIT licence, code and English model),
ships the Moonshine base English model, so ``pip install "vidkit[asr]"`` brings everything and
nothing is downloaded at run time. The wheel exists for Linux x86_64 only; elsewhere vidkit
falls back to pocketsphinx. vidkit runs the model itself with ONNX Runtime
(:mod:`.moonshine_model`).

Moonshine gives the text of each speech chunk (cased and punctuated) but no word times: the
words it heard are force-aligned to the chunk's audio with pocketsphinx, as a script would be,
and spread over the chunk by length where alignment finds no path.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from vidkit.captions.audio import Audio, Region
from vidkit.captions.engines import moonshine_model
from vidkit.captions.engines.base import MIN_SCRIPT_HEARD, Aligner, Engine
from vidkit.captions.model import Transcript, Word, spread_words
from vidkit.captions.script import ScriptWord, fit_script, heard_fraction, script_words
from vidkit.config import user_cache_dir
from vidkit.errors import CaptionError, VidkitError

#: Chunks decoded at once, each on its own core (a decoding step is too small to share).
MAX_DECODERS = 2


def decoder_count() -> int:
    """How many chunks to decode side by side: one per usable core, at most MAX_DECODERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_DECODERS, cores))


def available() -> bool:
    """Whether the Moonshine model and ONNX Runtime are installed (nothing is loaded)."""
    return moonshine_model.available()


class Moonshine(Engine):
    """English speech recognition with the Moonshine base model bundled in ``moonshine-cpp``."""

    name = "moonshine"
    languages = frozenset({"en"})

    def __init__(
        self,
        aligner: Aligner,
        *,
        decoders: int | None = None,
        cache: Path | None = None,
    ) -> None:
        self._aligner = aligner
        self._decoders = decoders or decoder_count()
        self._cache = cache or user_cache_dir()
        self._model: moonshine_model.MoonshineModel | None = None

    def model(self) -> moonshine_model.MoonshineModel:
        """The loaded model (prepared on first use on this machine: a few seconds, once).
        ``moonshine_model.load`` is locked and loads once per process, so threads may race here."""
        if self._model is None:
            self._model = moonshine_model.load(self._cache)
        return self._model

    def preload(self) -> None:
        """Start loading the model in the background (it takes about a second), so that it
        loads while the audio is extracted. Only a model already prepared is loaded this way:
        the first conversion happens in :meth:`transcribe`, where it can report errors."""
        if self._model is None and moonshine_model.is_prepared(self._cache):
            threading.Thread(target=self._load_quietly, name="moonshine-load", daemon=True).start()

    def _load_quietly(self) -> None:
        with contextlib.suppress(VidkitError):  # transcribe() loads again and reports it
            self.model()

    def text(self, pcm: bytes) -> str:
        """What Moonshine hears in 16 kHz mono s16le samples."""
        import numpy as np

        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2")
        if not samples.size:
            return ""
        return self.model().transcribe(samples.astype(np.float32) / 32768.0)

    def transcribe(
        self,
        audio: Audio,
        regions: Sequence[Region],
        *,
        language: str,
        script: Sequence[ScriptWord] | None = None,
    ) -> Transcript:
        self.model()  # fail early, in one line, where the package is missing
        words: list[Word] = []
        # decoding is most of the time and a run uses one core: worker threads (ONNX Runtime
        # releases the GIL) decode chunks side by side with the one model, while pocketsphinx
        # times the words of the chunks already decoded
        workers = max(1, min(self._decoders, len(regions)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="moonshine") as worker:
            texts = worker.map(lambda c: self.text(audio.pcm(c.start, c.end)), regions)
            for chunk, text in zip(regions, texts, strict=True):
                heard = script_words(text)
                if not heard:
                    continue
                timed = self._aligner.align(audio, [chunk], heard, span=chunk)
                if timed is None:
                    timed = spread_words(" ".join(w.text for w in heard), chunk.start, chunk.end)
                words.extend(timed)
        if script:
            # the pipeline force-aligns an English script first; this is its fallback
            if heard_fraction(script, words) < MIN_SCRIPT_HEARD:
                raise CaptionError(
                    "the script does not match the speech: few of its words were heard",
                    hint="check it is the script for this clip, or leave out --script",
                )
            span = (regions[0].start, regions[-1].end) if regions else (0, audio.duration_ms)
            words = list(fit_script(script, words, start=span[0], end=span[1]))
        return Transcript(language, tuple(words), self.name, confidence=None)
