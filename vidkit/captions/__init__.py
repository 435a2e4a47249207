"""Captions: word-timed transcripts, caption files, cue segmentation and caption drawing.

Library entry points (the CLI and ``vidkit make`` use these):

- :func:`captions_for` (clip, mode "auto" | "none" | caption file) -> :class:`Captions` or None
- :func:`cues_for` (clip, "auto" | file) -> cues in the classic style, for ``make``
- :func:`transcribe_clip` -> :class:`Transcript` (engine choice, script alignment, checks)
- :func:`read_captions`, :func:`write_srt`, :func:`write_vtt`, :func:`write_json`
- :func:`segment` (words -> cues for a style); :mod:`vidkit.captions.draw` for the images
"""

from __future__ import annotations

from pathlib import Path

from vidkit.captions.cues import STYLES, segment
from vidkit.captions.formats import read_captions, shift, write_json, write_srt, write_vtt
from vidkit.captions.model import Cue, Transcript, Word
from vidkit.captions.pipeline import Captions, NoSpeechError, captions_for, transcribe_clip

__all__ = [
    "STYLES",
    "Captions",
    "Cue",
    "NoSpeechError",
    "Transcript",
    "Word",
    "captions_for",
    "cues_for",
    "read_captions",
    "segment",
    "shift",
    "transcribe_clip",
    "write_json",
    "write_srt",
    "write_vtt",
]


def cues_for(
    clip: Path,
    captions: str | Path,
    *,
    has_audio: bool = True,
    language: str = "en",
    script: Path | str | None = None,
    engine: str | None = None,
    model: Path | None = None,
) -> tuple[Cue, ...]:
    """Cues for ``vidkit make --captions auto|none|FILE`` (classic grouping; the drawer regroups
    transcribed words for the punchy style). Raises :class:`NoSpeechError` when there is nothing
    to caption (no audio track, silence, music only) and :class:`CaptionError` for a bad file.
    """
    if str(captions).lower() == "none":
        return ()
    if str(captions).lower() == "auto" and not has_audio:
        raise NoSpeechError(
            "the clip has no audio track, so there is nothing to caption",
            path=clip,
            hint="no captions were made",
        )
    mode: str | Path = "auto" if str(captions).lower() == "auto" else Path(captions)
    found = captions_for(
        clip, mode=mode, language=language, script=script, engine=engine, model=model
    )
    return () if found is None else found.cues("classic")
