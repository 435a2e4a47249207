"""The moonshine engine: the Moonshine base English model shipped in the moonshine-cpp wheel,
its words timed by pocketsphinx alignment, chosen by default where it is installed."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from tests.helpers.caption_media import RALLY, REAL_TRANSCRIPT
from vidkit.captions import audio, models
from vidkit.captions.engines import aligner, choose, moonshine_model
from vidkit.captions.engines.moonshine import Moonshine, available
from vidkit.captions.pipeline import NoSpeechError, transcribe_clip
from vidkit.captions.script import script_words
from vidkit.captions.wer import word_error_rate
from vidkit.errors import CaptionError, ConfigError, ToolMissingError
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner

needs_moonshine = pytest.mark.skipif(
    not available() or moonshine_model.installed_dir() is None,
    reason="moonshine-cpp or onnxruntime is not installed (pip install onnxruntime onnx; the "
    "moonshine-cpp wheel, which carries the model, exists for Linux x86_64 only)",
)


def assert_timed_in_order(words, end_ms: int) -> None:  # type: ignore[no-untyped-def]
    assert words
    for w in words:
        assert 0 <= w.start <= w.end <= end_ms
    for a, b in zip(words, words[1:], strict=False):
        assert a.end <= b.start


def text_of(words) -> str:  # type: ignore[no-untyped-def]
    return " ".join(w.text for w in words)


@needs_moonshine
def test_real_read_speech_is_recognised_and_timed(real_speech: Path) -> None:
    transcript = transcribe_clip(real_speech, engine="moonshine")
    assert transcript.engine == "moonshine" and transcript.language == "en"
    assert word_error_rate(REAL_TRANSCRIPT, text_of(transcript.words)) <= 0.15
    assert_timed_in_order(transcript.words, 10_500)
    # each phrase's first word starts where voice activity detection saw the phrase start
    with tempfile.TemporaryDirectory() as tmp:
        extracted = audio.extract(real_speech, Path(tmp), FFmpegRunner(locate()))
        regions = audio.speech_regions(extracted)
    firsts = [w for w in transcript.words if w.text.lower().strip(".,") in ("ever", "no")]
    firsts += [w for w in transcript.words if w.text.lower() in ("try", "fail")]
    firsts.sort(key=lambda w: w.start)
    for word in firsts:
        assert min(abs(word.start - r.start) for r in regions) < 200, word


@needs_moonshine
def test_synthetic_speech_in_a_phone_clip(rally_speech: Path) -> None:
    transcript = transcribe_clip(rally_speech)  # the default engine where moonshine is installed
    assert transcript.engine == "moonshine"
    assert word_error_rate(RALLY, text_of(transcript.words)) <= 0.15
    assert_timed_in_order(transcript.words, 8_000)
    texts = [w.text.strip(".,").lower() for w in transcript.words]
    saturday, every = texts.index("saturday"), texts.index("every")
    # the sentence pause after "Saturday." lies between the two words' times
    assert transcript.words[every].start - transcript.words[saturday].end >= 100


@needs_moonshine
def test_a_script_not_followed_closely_is_fitted_to_what_moonshine_heard(
    rally_speech: Path,
) -> None:
    edited = "Join us at the big rally on Sunday. Every voice counts, so bring two friends along."
    with tempfile.TemporaryDirectory() as tmp:
        extracted = audio.extract(rally_speech, Path(tmp), FFmpegRunner(locate()))
        chunks = audio.chunks(audio.speech_regions(extracted), duration_ms=extracted.duration_ms)
        engine = Moonshine(aligner())
        transcript = engine.transcribe(
            extracted, chunks, language="en", script=script_words(edited)
        )
        assert [w.text for w in transcript.words] == edited.split()
        assert_timed_in_order(transcript.words, extracted.duration_ms)
        with pytest.raises(CaptionError, match="does not match the speech"):
            engine.transcribe(
                extracted,
                chunks,
                language="en",
                script=script_words("Quarterly figures exceeded projections substantially."),
            )


@needs_moonshine
def test_silence_and_music_are_refused_with_moonshine_too(silence: Path, music: Path) -> None:
    with pytest.raises(NoSpeechError, match="silent"):
        transcribe_clip(silence, engine="moonshine")
    with pytest.raises(NoSpeechError, match="music or noise"):
        transcribe_clip(music, engine="moonshine")


def test_moonshine_is_the_default_where_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("VIDKIT_WHISPER_MODEL", "VIDKIT_VOSK_MODEL", "VIDKIT_CAPTION_ENGINE"):
        monkeypatch.delenv(var, raising=False)
    assert choose().name == ("moonshine" if available() else "pocketsphinx")
    assert choose("moonshine").languages == frozenset({"en"})
    with pytest.raises(ConfigError, match="moonshine uses its bundled model"):
        choose("moonshine", model=Path("/models/whatever"))
    monkeypatch.setenv("VIDKIT_CAPTION_ENGINE", "pocketsphinx")
    assert choose().name == "pocketsphinx"


def test_a_model_that_cannot_be_obtained_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(moonshine_model, "source_dir", lambda cache: None)
    monkeypatch.setattr(models, "PIP", (sys.executable, "-c", "raise SystemExit(1)"))
    clip = audio.Audio(tmp_path / "speech.wav", 1000)
    with pytest.raises(CaptionError, match="cannot download the moonshine-base-en") as info:
        Moonshine(aligner(), cache=tmp_path).transcribe(
            clip, [audio.Region(0, 1000)], language="en"
        )
    assert "vidkit captions models install moonshine" in (info.value.hint or "")


@needs_moonshine
def test_a_missing_onnx_runtime_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails
    clip = audio.Audio(tmp_path / "speech.wav", 1000)
    with pytest.raises(ToolMissingError, match="prepare the Moonshine model") as info:
        Moonshine(aligner(), cache=tmp_path).transcribe(
            clip, [audio.Region(0, 1000)], language="en"
        )
    assert "pip install onnxruntime" in (info.value.hint or "")
    assert not list((tmp_path / "moonshine").iterdir())  # no half-converted model left


@needs_moonshine
def test_two_decoders_give_the_same_words_and_times_as_one(rally_speech: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        extracted = audio.extract(rally_speech, Path(tmp), FFmpegRunner(locate()))
        # ~2 s windows: several chunks to share out between the decoders
        regions = audio.chunks(
            audio.speech_regions(extracted), duration_ms=extracted.duration_ms, max_chunk_ms=2_000
        )
        assert len(regions) >= 3
        one = Moonshine(aligner(), decoders=1).transcribe(extracted, regions, language="en")
        two = Moonshine(aligner(), decoders=2).transcribe(extracted, regions, language="en")
    assert two.words == one.words  # chunks decoded side by side still come back in order
    starts = [w.start for w in two.words]
    assert starts == sorted(starts)
    assert (
        len({next(i for i, r in enumerate(regions) if r.start <= s < r.end) for s in starts}) >= 3
    )


def test_at_most_one_decoder_per_core() -> None:
    from vidkit.captions.engines.moonshine import MAX_DECODERS, decoder_count

    assert 1 <= decoder_count() <= MAX_DECODERS
