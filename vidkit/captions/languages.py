"""The campaign's languages and the way to caption each: one place, for errors and the docs.

Only English has an accurate model vidkit can obtain by itself (Moonshine, through the package
index). Every other language has a documented path: Whisper (faster-whisper with a model
directory on disk: multilingual Whisper models cover all of these), a Vosk model where one is
published, and always the edit loop: ``vidkit captions CLIP`` (or a translation) → edit the
SRT → ``vidkit make CLIP --captions FILE``, which renders any script vidkit has fonts for.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    script: str  # how burned-in captions draw it
    vosk: str | None  # a Vosk model family that exists for it, if any we know of


LANGUAGES = {
    lang.code: lang
    for lang in (
        Language("en", "English", "Latin (Noto Sans)", "vosk-model-en-us"),
        Language("cy", "Welsh", "Latin (Noto Sans)", None),
        Language("pl", "Polish", "Latin (Noto Sans)", "vosk-model-small-pl"),
        Language("es", "Spanish", "Latin (Noto Sans)", "vosk-model-small-es"),
        Language("ar", "Arabic", "Arabic, right to left (Noto Sans Arabic)", "vosk-model-ar"),
        Language("ur", "Urdu", "Arabic in Nastaliq, right to left (Noto Nastaliq Urdu)", None),
        Language("pa", "Punjabi", "Gurmukhi (Noto Sans Gurmukhi)", None),
        Language("bn", "Bengali", "Bengali (Noto Sans Bengali)", None),
    )
}

EDIT_LOOP = (
    "or write the captions yourself: `vidkit captions CLIP -o clip.srt`, edit the file, then "
    "`vidkit make CLIP --captions clip.srt`"
)


def how_to_caption(code: str) -> str:
    """What to do for speech in language ``code`` when the chosen engine does not know it."""
    lang = LANGUAGES.get(code)
    name = lang.name if lang else f"{code!r}"
    vosk = f", or --engine vosk --model DIR ({lang.vosk})" if lang and lang.vosk else ""
    return (
        f"for {name} use --engine whisper --model DIR (a faster-whisper multilingual model on "
        f"disk){vosk}; {EDIT_LOOP}"
    )
