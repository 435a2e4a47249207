"""vosk (Kaldi), for users who have a vosk model directory on disk (``$VIDKIT_VOSK_MODEL``).

Each speech chunk is decoded by a fresh recogniser with word times switched on; nothing is
downloaded (vidkit always passes a model path, never a model name).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from vidkit.captions.audio import RATE, Audio, Region
from vidkit.captions.engines.base import Engine
from vidkit.captions.model import Transcript, Word, ms
from vidkit.captions.script import ScriptWord, fit_script
from vidkit.errors import CaptionError, ToolMissingError

_HINT = "pip install vosk and point --model to a downloaded vosk model directory"
_BLOCK = 8000  # bytes fed per call: 0.25 s


class Vosk(Engine):
    name = "vosk"
    languages: frozenset[str] | None = None

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir
        self._model = None

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            try:
                import vosk
            except ImportError:
                raise ToolMissingError("vosk is not installed", hint=_HINT) from None
            vosk.SetLogLevel(-1)
            try:
                self._model = vosk.Model(model_path=str(self.model_dir))
            except Exception as exc:  # vosk raises a bare Exception for a bad model folder
                raise CaptionError(
                    f"cannot load the vosk model ({exc})", path=self.model_dir, hint=_HINT
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
        import vosk

        model = self._load()
        words: list[Word] = []
        confs: list[float] = []
        for chunk in regions:
            recogniser = vosk.KaldiRecognizer(model, RATE)
            recogniser.SetWords(True)
            pcm = audio.pcm(chunk.start, chunk.end)
            results = []
            for offset in range(0, len(pcm), _BLOCK):
                if recogniser.AcceptWaveform(pcm[offset : offset + _BLOCK]):
                    results.append(json.loads(recogniser.Result()))
            results.append(json.loads(recogniser.FinalResult()))
            for result in results:
                for item in result.get("result", []):
                    start = chunk.start + ms(item["start"])
                    words.append(Word(item["word"], start, chunk.start + ms(item["end"])))
                    confs.append(float(item.get("conf", 0.0)))
        confidence = sum(confs) / len(confs) if confs else 0.0
        result_words = tuple(words)
        if script:
            span = (regions[0].start, regions[-1].end) if regions else (0, audio.duration_ms)
            result_words = fit_script(script, result_words, start=span[0], end=span[1])
        return Transcript(language, result_words, self.name, confidence=confidence)
