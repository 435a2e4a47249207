"""The bundled offline engine: pocketsphinx with the English model its wheel ships.

Free recognition decodes each speech chunk separately (long clips don't degrade; memory stays
flat). With a script, the whole speech span is force-aligned against the script's words with wide
search beams, which is accurate even where free recognition is poor. Words missing from the
dictionary get a pronunciation from two dictionary words (``grassroots`` → grass + roots) or
from simple English spelling rules; if alignment still fails, the script is fitted onto the
freely recognised words instead.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from typing import Any

from vidkit.captions.audio import Audio, Region
from vidkit.captions.engines.base import ALIGNED, MIN_SCRIPT_HEARD, Engine
from vidkit.captions.model import Transcript, Word
from vidkit.captions.script import ScriptWord, fit_script, heard_fraction
from vidkit.errors import CaptionError, ToolMissingError

#: Search beams for alignment (wider than the defaults; see PLATFORMS.md).
ALIGN_BEAMS = {"beam": 1e-100, "wbeam": 1e-80, "pbeam": 1e-100}
_FILLER = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+|<.*>)$")
_ALT = re.compile(r"\(\d+\)$")


def _decoder(**options: object):  # type: ignore[no-untyped-def]
    try:
        from pocketsphinx import Decoder
    except ImportError:  # pragma: no cover - a runtime dependency
        raise ToolMissingError(
            "the pocketsphinx package is missing", hint="pip install pocketsphinx"
        ) from None
    return Decoder(loglevel="FATAL", **options)  # search failures are handled here


def clean_word(raw: str) -> str | None:
    """``for(3)`` → ``for``; fillers such as ``<sil>``, ``[NOISE]``, ``<s>`` → None."""
    if _FILLER.match(raw):
        return None
    return _ALT.sub("", raw)


class PocketSphinx(Engine):
    """English speech recognition and script alignment, offline, no download."""

    name = "pocketsphinx"
    languages = frozenset({"en"})

    def __init__(self) -> None:
        self._free = None
        # one alignment decoder, kept: making one takes ~0.5 s, and a clip has many chunks
        self._aligner = None
        self._added: dict[str, str] = {}  # the words guessed into its dictionary so far
        self._align_lock = threading.Lock()

    def transcribe(
        self,
        audio: Audio,
        regions: Sequence[Region],
        *,
        language: str,
        script: Sequence[ScriptWord] | None = None,
    ) -> Transcript:
        if script:
            aligned = self.align(audio, regions, script)
            if aligned is not None:
                return Transcript(language, aligned, ALIGNED, confidence=None)
            heard = self.recognise(audio, regions)
            if heard_fraction(script, heard.words) < MIN_SCRIPT_HEARD:
                raise CaptionError(
                    "the script does not match the speech: few of its words were heard",
                    hint="check it is the script for this clip, or leave out --script",
                )
            span = (regions[0].start, regions[-1].end) if regions else (0, audio.duration_ms)
            words = fit_script(script, heard.words, start=span[0], end=span[1])
            return Transcript(language, words, self.name, confidence=heard.confidence)
        return self.recognise(audio, regions, language=language)

    # -- free recognition ----------------------------------------------------------------------

    def recognise(
        self, audio: Audio, regions: Sequence[Region], *, language: str = "en"
    ) -> Transcript:
        if self._free is None:
            self._free = _decoder()
        decoder = self._free
        frame_ms = 1000 / decoder.config["frate"]
        words: list[Word] = []
        probs: list[float] = []
        for chunk in regions:
            decoder.start_utt()
            decoder.process_raw(audio.pcm(chunk.start, chunk.end), full_utt=True)
            decoder.end_utt()
            for seg in decoder.seg():
                text = clean_word(seg.word)
                if text is None:
                    continue
                start = chunk.start + int(seg.start_frame * frame_ms)
                end = chunk.start + int((seg.end_frame + 1) * frame_ms)
                words.append(Word(_tidy(text), start, end))
                probs.append(seg.prob)
        confidence = sum(probs) / len(probs) if probs else 0.0
        return Transcript(language, _capitalised(words), self.name, confidence=confidence)

    # -- alignment -----------------------------------------------------------------------------

    def align(
        self,
        audio: Audio,
        regions: Sequence[Region],
        script: Sequence[ScriptWord],
        *,
        span: Region | None = None,
    ) -> tuple[Word, ...] | None:
        """Script words timed by forced alignment, or None if the aligner found no path.

        The whole clip is searched unless ``span`` limits it (as when timing the words another
        engine recognised in one speech chunk)."""
        with self._align_lock:
            if self._aligner is None:
                self._aligner = _decoder(**ALIGN_BEAMS)
            return self._align(self._aligner, audio, script, span)

    def _align(
        self, decoder: Any, audio: Audio, script: Sequence[ScriptWord], span: Region | None
    ) -> tuple[Word, ...] | None:
        keys: list[str] = []
        owner: list[int] = []  # script word index of each key
        added = self._added
        for index, word in enumerate(script):
            for spoken in word.spoken:
                key = _dictionary_key(decoder, spoken, added)
                if key is not None:
                    keys.append(key)
                    owner.append(index)
        if not keys:
            return None
        # the whole clip by default: VAD ends can clip a word's weak ending
        start, end = (span.start, span.end) if span is not None else (0, audio.duration_ms)
        try:
            decoder.set_align_text(" ".join(keys))
        except RuntimeError:
            return None
        decoder.start_utt()
        decoder.process_raw(audio.pcm(start, end), full_utt=True)
        decoder.end_utt()
        if decoder.hyp() is None:
            return None
        frame_ms = 1000 / decoder.config["frate"]
        spans = []
        for seg in decoder.seg():
            if clean_word(seg.word) is None:
                continue
            spans.append(
                (
                    start + int(seg.start_frame * frame_ms),
                    start + int((seg.end_frame + 1) * frame_ms),
                )
            )
        if len(spans) != len(keys):
            return None
        times: list[tuple[int, int] | None] = [None] * len(script)
        for (s, e), index in zip(spans, owner, strict=True):
            current = times[index]
            times[index] = (s, e) if current is None else (current[0], e)
        if any(t is None for t in times):
            # words the aligner could not pronounce at all: share out their neighbours' gaps
            heard = [Word(" ".join(w.spoken), *t) for w, t in zip(script, times) if t]  # noqa: B905
            return fit_script(script, heard, start=start, end=end)
        return tuple(
            Word(w.text, t[0], t[1])  # type: ignore[index]
            for w, t in zip(script, times, strict=True)
        )


#: A pause this long (ms) in free recognition probably starts a sentence: capitalise after it.
SENTENCE_PAUSE_MS = 500


def _capitalised(words: list[Word]) -> tuple[Word, ...]:
    """The recogniser's lower-case words with likely sentence starts capitalised."""
    out = []
    for i, w in enumerate(words):
        if i == 0 or w.start - words[i - 1].end >= SENTENCE_PAUSE_MS:
            w = Word(w.text[:1].upper() + w.text[1:], w.start, w.end)
        out.append(w)
    return tuple(out)


def _tidy(text: str) -> str:
    if text == "i" or text.startswith("i'"):
        return "I" + text[1:]
    return text


# -- pronunciations for words the dictionary lacks ---------------------------------------------


def _dictionary_key(decoder, word: str, added: dict[str, str]) -> str | None:  # type: ignore[no-untyped-def]
    """The dictionary entry to align ``word`` with, adding a guessed one if needed."""
    if decoder.lookup_word(word):
        return word
    ascii_word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    ascii_word = re.sub(r"[^a-z']", "", ascii_word.lower())
    if ascii_word and decoder.lookup_word(ascii_word):
        return ascii_word
    phones = _compound(decoder, ascii_word) or guess_phones(ascii_word)
    if not phones:
        return None
    if phones in added.values():
        return next(k for k, v in added.items() if v == phones)
    key = f"vidkit_oov_{len(added)}"
    added[key] = phones
    decoder.add_word(key, phones, True)
    return key


def _compound(decoder, word: str) -> str | None:  # type: ignore[no-untyped-def]
    for cut in range(len(word) - 2, 1, -1):
        head, tail = word[:cut], word[cut:]
        a, b = decoder.lookup_word(head), decoder.lookup_word(tail)
        if a and b:
            return f"{a} {b}"
    return None


_GRAPHEMES = [
    ("tch", "CH"),
    ("sch", "S K"),
    ("igh", "AY"),
    ("ough", "AO"),
    ("tion", "SH AH N"),
    ("sion", "ZH AH N"),
    ("ch", "CH"),
    ("sh", "SH"),
    ("th", "TH"),
    ("ph", "F"),
    ("wh", "W"),
    ("ng", "NG"),
    ("ck", "K"),
    ("qu", "K W"),
    ("ee", "IY"),
    ("ea", "IY"),
    ("oo", "UW"),
    ("ou", "AW"),
    ("ow", "OW"),
    ("oi", "OY"),
    ("oy", "OY"),
    ("ai", "EY"),
    ("ay", "EY"),
    ("au", "AO"),
    ("aw", "AO"),
    ("ie", "IY"),
    ("ei", "EY"),
    ("er", "ER"),
    ("ir", "ER"),
    ("ur", "ER"),
    ("ar", "AA R"),
    ("or", "AO R"),
    ("a", "AE"),
    ("b", "B"),
    ("c", "K"),
    ("d", "D"),
    ("e", "EH"),
    ("f", "F"),
    ("g", "G"),
    ("h", "HH"),
    ("i", "IH"),
    ("j", "JH"),
    ("k", "K"),
    ("l", "L"),
    ("m", "M"),
    ("n", "N"),
    ("o", "AA"),
    ("p", "P"),
    ("r", "R"),
    ("s", "S"),
    ("t", "T"),
    ("u", "AH"),
    ("v", "V"),
    ("w", "W"),
    ("x", "K S"),
    ("y", "IY"),
    ("z", "Z"),
]


def guess_phones(word: str) -> str:
    """A rough ARPAbet pronunciation from English spelling (good enough to align a name)."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if len(word) > 3 and word.endswith("e") and word[-2] not in "aeiou":
        word = word[:-1]  # silent final e
    phones: list[str] = []
    i = 0
    while i < len(word):
        for graph, phone in _GRAPHEMES:
            if word.startswith(graph, i):
                if not (phones and phones[-1] == phone and len(graph) == 1):  # double letters
                    phones.append(phone)
                i += len(graph)
                break
        else:  # pragma: no cover - every a-z letter has a rule
            i += 1
    return " ".join(phones)
