"""Captions: word-timed transcripts, caption files, cue segmentation and caption drawing.

Library entry points (the CLI and ``vidkit make`` use these):

- :func:`captions_for` (clip, mode "auto" | "none" | caption file) -> :class:`Captions` or None
- :func:`caption_mode` parses ``none`` | ``auto`` | a caption file, as every caller accepts it
- :func:`transcribe_clip` -> :class:`Transcript` (engine choice, script alignment, checks)
- :func:`read_captions`, :func:`write_srt`, :func:`write_vtt`, :func:`write_json`
- :func:`segment` (words -> cues for a style); :mod:`vidkit.captions.draw` for the images
"""

from __future__ import annotations

from vidkit.captions.cues import STYLES, segment
from vidkit.captions.formats import read_captions, shift, write_json, write_srt, write_vtt
from vidkit.captions.model import Cue, Transcript, Word
from vidkit.captions.pipeline import (
    Captions,
    NoSpeechError,
    caption_mode,
    captions_for,
    transcribe_clip,
)

__all__ = [
    "STYLES",
    "Captions",
    "Cue",
    "NoSpeechError",
    "Transcript",
    "Word",
    "caption_mode",
    "captions_for",
    "read_captions",
    "segment",
    "shift",
    "transcribe_clip",
    "write_json",
    "write_srt",
    "write_vtt",
]
