"""faster-whisper, for users who have a Whisper model (CTranslate2 format) on disk.

Nothing is downloaded: the model is loaded from the directory given (``--model`` or
``$VIDKIT_WHISPER_MODEL``; e.g. one saved with ``ct2-transformers-converter`` or copied from a
machine that has one). Only the speech chunks found by voice activity detection are decoded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from vidkit.captions.audio import Audio, Region
from vidkit.captions.engines.base import Engine
from vidkit.captions.model import Transcript, Word, ms
from vidkit.captions.script import ScriptWord, fit_script
from vidkit.errors import CaptionError, ToolMissingError

_HINT = "pip install faster-whisper and point --model to a downloaded model directory"


class FasterWhisper(Engine):
    name = "whisper"
    languages: frozenset[str] | None = None

    def __init__(self, model_dir: Path, *, compute_type: str = "int8") -> None:
        self.model_dir = model_dir
        self.compute_type = compute_type
        self._model = None

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            try:
                from faster_whisper import WhisperModel
            except ImportError:
                raise ToolMissingError("faster-whisper is not installed", hint=_HINT) from None
            try:
                self._model = WhisperModel(
                    str(self.model_dir),
                    device="cpu",
                    compute_type=self.compute_type,
                    cpu_threads=os.cpu_count() or 1,
                    local_files_only=True,
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise CaptionError(
                    f"cannot load the Whisper model: {str(exc).splitlines()[0]}",
                    path=self.model_dir,
                    hint=_HINT,
                ) from None
        return self._model

    def transcribe(
        self,
        audio: Audio,
        regions: Sequence[Region],
        *,
        language: str,
        script: Sequence[ScriptWord] | None = None,
    ) -> Transcript:
        model = self._load()
        if not regions:
            return Transcript(language, (), self.name, confidence=0.0)
        clip = [t for r in regions for t in (r.start / 1000, r.end / 1000)]
        prompt = " ".join(w.text for w in script) if script else None
        try:
            segments, _info = model.transcribe(
                str(audio.path),
                language=language,
                word_timestamps=True,
                clip_timestamps=clip,
                initial_prompt=prompt,
                condition_on_previous_text=False,
                beam_size=5,
            )
            raw = [w for seg in segments for w in (seg.words or [])]
        except ValueError as exc:  # e.g. a language code the model does not know
            raise CaptionError(f"Whisper cannot transcribe: {exc}", hint=_HINT) from None
        words = tuple(Word(w.word.strip(), ms(w.start), ms(w.end)) for w in raw if w.word.strip())
        probs = [w.probability for w in raw]
        confidence = sum(probs) / len(probs) if probs else 0.0
        if script:
            words = fit_script(script, words, start=regions[0].start, end=regions[-1].end)
        return Transcript(language, words, self.name, confidence=confidence)
