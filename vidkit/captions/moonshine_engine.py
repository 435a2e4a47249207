"""Moonshine (base, English): accurate offline recognition whose weights come with the package.

The ``moonshine-cpp`` wheel, published by Moonshine AI (MIT licence, code and English model),
ships the Moonshine base English encoder and decoder with an ONNX Runtime build, so
``pip install "vidkit[asr]"`` brings everything and nothing is downloaded at run time. The wheel
exists for Linux x86_64 only; elsewhere vidkit falls back to pocketsphinx.

Moonshine gives the text of each speech chunk (cased and punctuated) but no word times: the
words it heard are force-aligned to the chunk's audio with pocketsphinx, as a script would be,
and spread over the chunk by length where alignment finds no path.
"""

from __future__ import annotations

import array
import ctypes
import importlib.util
import os
import queue
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from ..errors import CaptionError, ToolMissingError
from .audio import Audio, Region
from .model import Transcript, Word, spread_words
from .script import ScriptWord, fit_script, heard_fraction, script_words
from .sphinx_engine import MIN_SCRIPT_HEARD, PocketSphinx

PACKAGE = "moonshine_cpp"
_HINT = 'pip install "vidkit[asr]" (moonshine-cpp: Linux x86_64 only)'
#: Chunks decoded at once, each by its own model on its own core (one model decodes on one core).
MAX_DECODERS = 2


def decoder_count() -> int:
    """How many Moonshine models to run side by side: one per usable core, at most MAX_DECODERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_DECODERS, cores))


def available() -> bool:
    """Whether the Moonshine package is installed (without loading its libraries)."""
    return importlib.util.find_spec(PACKAGE) is not None


class Moonshine:
    """English speech recognition with the Moonshine base model bundled in ``moonshine-cpp``."""

    name = "moonshine"
    languages = frozenset({"en"})

    def __init__(self, aligner: PocketSphinx | None = None, *, decoders: int | None = None) -> None:
        self._lib = None
        self._aligner = aligner or PocketSphinx()
        self._decoders = decoders or decoder_count()
        self._idle: queue.SimpleQueue = queue.SimpleQueue()  # loaded models not decoding now
        self._loading = threading.Lock()

    def _load(self):  # type: ignore[no-untyped-def]
        """A new Moonshine model (the package's libraries are loaded with the first)."""
        with self._loading:
            try:
                import moonshine_cpp.moonshine_cpp as binding
            except (ImportError, OSError) as exc:  # not installed, or no build for this system
                raise ToolMissingError(
                    f"the Moonshine engine is not available ({str(exc).splitlines()[0]})",
                    hint=_HINT,
                ) from None
            try:
                # language "en" loads the model inside the package; other languages would fetch
                # one from the network, which vidkit never asks for
                model = binding.MoonshineModel(language="en", model_type="base")
            except (AssertionError, MemoryError, OSError) as exc:
                raise CaptionError(
                    f"cannot load the bundled Moonshine model: {exc}", hint=_HINT
                ) from None
            self._lib = binding.moonshine_lib
            return model

    def _borrow(self):  # type: ignore[no-untyped-def]
        """An idle model, or a new one: a model decodes one chunk at a time."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self._load()

    def text(self, pcm: bytes) -> str:
        """What Moonshine hears in 16 kHz mono s16le samples."""
        model = self._borrow()
        try:
            return self._decode(model, pcm)
        finally:
            self._idle.put(model)

    def _decode(self, model, pcm: bytes) -> str:  # type: ignore[no-untyped-def]
        samples = array.array("h")
        samples.frombytes(pcm[: len(pcm) // 2 * 2])
        if sys.byteorder == "big":
            samples.byteswap()
        if not samples:
            return ""
        floats = array.array("f", (s / 32768 for s in samples))
        buffer = (ctypes.c_float * len(floats)).from_buffer(floats)
        out = ctypes.c_char_p()
        # the package's own ``transcribe(samples)`` is broken in 0.1.4 (it uses a ctypes type
        # that does not exist); its C function is called directly, as that method means to
        error = self._lib.moonshine_transcribe(  # type: ignore[attr-defined]
            model.model_handle, buffer, len(floats), ctypes.byref(out)
        )
        if error != 0:
            raise CaptionError(f"Moonshine could not transcribe the audio (error {error})")
        text = (out.value or b"").decode("utf-8", "replace")
        self._lib.moonshine_free_text(out)  # type: ignore[attr-defined]
        return text

    def transcribe(
        self,
        audio: Audio,
        regions: Sequence[Region],
        *,
        language: str,
        script: Sequence[ScriptWord] | None = None,
    ) -> Transcript:
        self._idle.put(self._borrow())  # fail early, in one line, where the package is missing
        words: list[Word] = []
        # Moonshine decoding is most of the time and one model runs on one core: worker threads
        # (the C call releases the GIL) decode chunks side by side, each with its own model,
        # while pocketsphinx times the words of the chunks already decoded
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
