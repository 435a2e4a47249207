"""Speech to words: pocketsphinx recognition and script alignment on real and synthetic speech,
voice activity detection, and the refusals (silence, music, no audio, unsupported language)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.helpers.caption_media import RALLY, REAL_TRANSCRIPT, speak
from vidkit.captions import audio
from vidkit.captions.engines import base_language, choose
from vidkit.captions.engines.sphinx import clean_word, guess_phones
from vidkit.captions.pipeline import NoSpeechError, captions_for, transcribe_clip
from vidkit.captions.script import number_words, script_words
from vidkit.captions.wer import word_error_rate
from vidkit.errors import CaptionError, ConfigError, MediaError
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner

ARPABET = set(
    [
        "AA",
        "AE",
        "AH",
        "AO",
        "AW",
        "AY",
        "B",
        "CH",
        "D",
        "DH",
        "EH",
        "ER",
        "EY",
        "F",
        "G",
        "HH",
        "IH",
        "IY",
        "JH",
        "K",
        "L",
        "M",
        "N",
        "NG",
        "OW",
        "OY",
        "P",
        "R",
        "S",
        "SH",
        "T",
        "TH",
        "UH",
        "UW",
        "V",
        "W",
        "Y",
        "Z",
        "ZH",
    ]
)


def assert_in_order(words, expected_texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert [w.text for w in words] == expected_texts
    for a, b in zip(words, words[1:], strict=False):
        assert a.start <= a.end <= b.start <= b.end


@pytest.fixture(scope="module")
def real_regions(real_speech: Path) -> list[audio.Region]:
    with tempfile.TemporaryDirectory() as tmp:
        extracted = audio.extract(real_speech, Path(tmp), FFmpegRunner(locate()))
        return audio.speech_regions(extracted)


def test_voice_activity_finds_the_six_phrases(real_regions: list[audio.Region]) -> None:
    # "Ever tried. / Ever failed. / No matter. / Try again. / Fail again. / Fail better."
    assert len(real_regions) == 6
    assert all(r.length > 400 for r in real_regions)


def test_script_alignment_on_real_speech(real_speech: Path, real_regions) -> None:  # type: ignore[no-untyped-def]
    transcript = transcribe_clip(real_speech, script=REAL_TRANSCRIPT)
    assert_in_order(transcript.words, REAL_TRANSCRIPT.split())
    # each phrase's first word starts where voice activity detection (a different method) saw
    # the phrase start
    firsts = [w for w in transcript.words if w.text in ("Ever", "No", "Try", "Fail")]
    assert len(firsts) == len(real_regions)
    for word, region in zip(firsts, real_regions, strict=True):
        assert abs(word.start - region.start) < 200


def test_free_recognition_on_real_speech(real_speech: Path) -> None:
    transcript = transcribe_clip(real_speech, engine="pocketsphinx")
    assert transcript.engine == "pocketsphinx" and transcript.language == "en"
    assert_in_order(transcript.words, [w.text for w in transcript.words])
    assert transcript.words[-1].end <= 10_000
    texts = [w.text for w in transcript.words]
    assert not any("(" in t or t.startswith(("<", "[")) for t in texts)  # no fillers, no (2)
    # the bundled engine is weak on free speech (word error rate about 1.0 here, see
    # bench/bench_captions.py), but what it hears is speech-like, not noise
    assert 8 <= len(texts) <= 24
    assert "again" in texts
    assert texts[0][0].isupper()  # sentence starts (after long pauses) are capitalised


def test_script_alignment_on_synthetic_speech_in_a_video(rally_speech: Path) -> None:
    transcript = transcribe_clip(rally_speech, script=RALLY)
    assert_in_order(transcript.words, RALLY.split())
    assert transcript.words[0].start < 300
    assert transcript.words[-1].end > 4000
    # the sentence break falls in the pause after "Saturday."
    saturday, every = transcript.words[6], transcript.words[7]
    assert saturday.text == "Saturday." and every.start - saturday.end >= 0


def test_script_with_words_missing_from_the_dictionary(media_dir: Path) -> None:
    text = "Ask Wojczykowska and Nakamurai about the grassrootsy plan for 7 days."
    clip = speak(text, media_dir / "names.wav")
    transcript = transcribe_clip(clip, script=text)
    assert_in_order(transcript.words, text.split())
    assert all(w.end > w.start for w in transcript.words)
    assert transcript.engine == "pocketsphinx-align"  # aligned, not fitted to a free transcript


def test_years_and_numbers_are_spelled_as_spoken() -> None:
    assert number_words(2026) == ["twenty", "twenty", "six"]
    assert number_words(1905) == ["nineteen", "oh", "five"]
    assert number_words(2005) == ["two", "thousand", "five"]
    assert number_words(342) == ["three", "hundred", "forty", "two"]
    assert number_words(12_500) == ["twelve", "thousand", "five", "hundred"]


def test_script_punctuation_tokens_ride_with_their_word() -> None:
    words = script_words("“Hello — world!” 24/7 don’t")
    assert [w.text for w in words] == ["“Hello —", "world!”", "24/7", "don’t"]
    assert words[2].spoken == ("twenty", "four", "seven")
    assert words[3].spoken == ("don't",)


def test_guessed_pronunciations_use_only_model_phones() -> None:
    for word in ("wojcik", "nakamura", "zxq", "schmidt", "a"):
        phones = guess_phones(word).split()
        assert phones and set(phones) <= ARPABET


def test_filler_and_alternate_marks_are_cleaned() -> None:
    assert clean_word("for(3)") == "for"
    assert [clean_word(w) for w in ("<sil>", "<s>", "</s>", "[NOISE]", "++UM++")] == [None] * 5


def test_silence_gives_no_captions(silence: Path) -> None:
    with pytest.raises(NoSpeechError, match="silent"):
        transcribe_clip(silence)


def test_music_gives_no_captions(music: Path) -> None:
    with pytest.raises(NoSpeechError, match="music or noise"):
        transcribe_clip(music)


def test_noise_gives_no_captions(noise: Path) -> None:
    with pytest.raises(NoSpeechError, match="music or noise"):
        transcribe_clip(noise)


def test_speech_over_loud_noise_is_still_captioned(noisy_rally: Path) -> None:
    transcript = transcribe_clip(noisy_rally, script=RALLY)
    assert_in_order(transcript.words, RALLY.split())
    assert transcript.engine == "pocketsphinx-align"


def test_clip_without_audio_gives_no_captions(no_audio: Path) -> None:
    with pytest.raises(NoSpeechError, match="no audio track"):
        captions_for(no_audio, mode="auto")


def test_not_a_media_file(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("not a video", encoding="utf-8")
    with pytest.raises(MediaError, match="not a readable"):
        transcribe_clip(bogus)


def test_unsupported_language_is_refused_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(CaptionError, match="only understands English") as info:
        transcribe_clip(tmp_path / "never-read.mp4", language="fr", engine="pocketsphinx")
    assert "--engine whisper" in str(info.value)
    assert base_language("en-US") == base_language("en_GB") == "en"
    assert choose("pocketsphinx").languages == frozenset({"en"})


def test_optional_engines_say_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("VIDKIT_WHISPER_MODEL", raising=False)
    monkeypatch.delenv("VIDKIT_VOSK_MODEL", raising=False)
    monkeypatch.delenv("VIDKIT_CAPTION_ENGINE", raising=False)
    with pytest.raises(ConfigError, match="pip install faster-whisper and point --model"):
        choose("whisper")
    with pytest.raises(ConfigError, match="pip install vosk"):
        choose("vosk")
    with pytest.raises(ConfigError, match="model directory not found"):
        choose("whisper", model=tmp_path / "missing")
    with pytest.raises(ConfigError, match="unknown caption engine"):
        choose("siri")
    # the default: moonshine where installed (see test_caption_moonshine.py), else pocketsphinx
    assert choose().name in ("moonshine", "pocketsphinx")


def test_chunks_pack_regions_and_split_long_ones() -> None:
    regions = [audio.Region(0, 4000), audio.Region(5000, 9000), audio.Region(30_000, 75_000)]
    chunks = audio.chunks(regions, duration_ms=80_000, max_chunk_ms=20_000, pad_ms=200)
    assert chunks[0] == audio.Region(0, 9200)  # two close regions in one window
    long = chunks[1:]
    assert len(long) == 3 and all(c.length <= 20_000 for c in long)
    assert long[0].start == 29_800 and long[-1].end == 75_200
    assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:], strict=False))


@pytest.mark.skipif(
    not os.environ.get("VIDKIT_WHISPER_MODEL"),
    reason="no Whisper model on this machine (set VIDKIT_WHISPER_MODEL to a faster-whisper "
    "model directory to run; models cannot be downloaded here)",
)
def test_whisper_engine_on_real_speech(real_speech: Path) -> None:
    pytest.importorskip("faster_whisper", reason="pip install faster-whisper")
    transcript = transcribe_clip(real_speech, engine="whisper")
    assert transcript.engine == "whisper"
    assert word_error_rate(REAL_TRANSCRIPT, " ".join(w.text for w in transcript.words)) <= 0.25
    assert_in_order(transcript.words, [w.text for w in transcript.words])


@pytest.mark.skipif(
    not os.environ.get("VIDKIT_VOSK_MODEL"),
    reason="no vosk model on this machine (set VIDKIT_VOSK_MODEL to a vosk model directory, and "
    "VIDKIT_VOSK_LANG to its language if not en, to run; models cannot be downloaded here)",
)
def test_vosk_engine_on_synthetic_speech(media_dir: Path) -> None:
    pytest.importorskip("vosk", reason="pip install vosk")
    language = os.environ.get("VIDKIT_VOSK_LANG", "en")
    text = {
        "en": RALLY,
        "ko": "우리는 함께 공정한 계약을 얻을 수 있습니다. 토요일 집회에 오세요.",
    }.get(language, RALLY)
    clip = speak(text, media_dir / f"vosk-{language}.wav", voice=language)
    transcript = transcribe_clip(clip, engine="vosk", language=language)
    assert transcript.engine == "vosk" and transcript.language == language
    assert len(transcript.words) >= 5
    assert_in_order(transcript.words, [w.text for w in transcript.words])
    assert transcript.words[-1].end <= 10_000


def test_script_close_to_the_speech_is_fitted_and_a_wrong_one_refused(
    rally_speech: Path, media_dir: Path
) -> None:
    edited = "Join us at the big rally on Sunday. Every voice counts, so bring two friends along."
    transcript = transcribe_clip(rally_speech, script=edited)
    assert_in_order(transcript.words, edited.split())
    # a script the aligner cannot follow at all, and too little of it heard: refused
    clip = speak("Ever tried. Ever failed. No matter.", media_dir / "short.wav")
    with pytest.raises(CaptionError, match="does not match the speech"):
        transcribe_clip(clip, script="Join us at the big rally on Sunday, everybody.")


@pytest.mark.parametrize("code", ["cy", "pl", "ur", "pa", "bn", "ar", "es"])
def test_each_campaign_language_is_told_its_way_to_captions(tmp_path: Path, code: str) -> None:
    from vidkit.captions.languages import LANGUAGES

    with pytest.raises(CaptionError, match=f"not '{code}'") as info:
        transcribe_clip(tmp_path / "never-read.mp4", language=code, engine="pocketsphinx")
    hint = info.value.hint or ""
    assert LANGUAGES[code].name in hint and "--engine whisper --model DIR" in hint
    assert "--captions clip.srt" in hint  # the edit loop, which always works
    assert ("--engine vosk" in hint) == (LANGUAGES[code].vosk is not None)
