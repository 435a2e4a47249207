"""`vidkit captions` as a volunteer runs it: files written, edits kept, clear refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.caption_media import RALLY
from vidkit.captions import captions_for, read_captions
from vidkit.captions.engines.moonshine import available as moonshine_available
from vidkit.cli.main import cli


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_writes_srt_beside_the_clip_and_keeps_edits(tmp_path: Path, rally_speech: Path) -> None:
    clip = tmp_path / "rally.mp4"
    shutil.copy(rally_speech, clip)
    script = tmp_path / "script.txt"
    script.write_text(RALLY + "\n", encoding="utf-8")

    result = run("captions", str(clip), "--script", str(script))
    assert result.exit_code == 0, result.output
    srt = tmp_path / "rally.srt"
    cues = read_captions(srt)
    assert isinstance(cues, tuple)
    assert " ".join(c.text for c in cues) == RALLY
    assert "wrote" in result.output and "14 words (pocketsphinx-align" in result.output

    # a volunteer fixes a word; running again must not throw the edit away
    srt.write_text(srt.read_text(encoding="utf-8").replace("rally", "RALLY!"), encoding="utf-8")
    again = run("captions", str(clip), "--script", str(script))
    assert again.exit_code == 2
    assert "already exists" in again.output and "--force" in again.output
    assert "RALLY!" in srt.read_text(encoding="utf-8")

    # ... and the edited file is what make would burn in, as written
    found = captions_for(clip, mode=srt)
    assert found is not None
    assert any("RALLY!" in c.text for c in found.cues("punchy"))


def test_json_and_vtt_outputs(tmp_path: Path, rally_speech: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text(RALLY, encoding="utf-8")
    out = tmp_path / "words.json"
    result = run("captions", str(rally_speech), "--script", str(script), "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["output"] == str(out) and summary["words"] == 14
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["language"] == "en"
    assert [w["text"] for w in data["words"]] == RALLY.split()
    assert all(isinstance(w["start"], float) for w in data["words"])

    vtt = tmp_path / "c.vtt"
    result = run("captions", str(rally_speech), "--script", str(script), "-o", str(vtt))
    assert result.exit_code == 0, result.output
    assert vtt.read_text(encoding="utf-8").startswith("WEBVTT\n")


def test_srt_on_stdout(rally_speech: Path, tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text(RALLY, encoding="utf-8")
    result = run("captions", str(rally_speech), "--script", str(script), "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("1\n00:00:0")
    assert "Saturday." in result.stdout


def test_music_gives_an_error_and_no_file(tmp_path: Path, music: Path) -> None:
    out = tmp_path / "music.srt"
    result = run("captions", str(music), "-o", str(out))
    assert result.exit_code == 2
    assert "no clear speech" in result.output
    assert not out.exists()


def test_bad_options_are_one_line_errors(tmp_path: Path, no_audio: Path) -> None:
    result = run("captions", str(no_audio), "-o", str(tmp_path / "x.srt"))
    assert result.exit_code == 2 and "no audio track" in result.output
    result = run("captions", str(no_audio), "-o", str(tmp_path / "x.txt"))
    assert result.exit_code == 2 and ".srt, .vtt or .json" in result.output
    result = run("captions", str(no_audio), "--lang", "ar", "--engine", "pocketsphinx")
    assert result.exit_code == 2 and "only understands English" in result.output
    result = run("captions", str(no_audio), "--engine", "whisper", "--model", str(tmp_path))
    assert result.exit_code != 0 and "Traceback" not in result.output


@pytest.mark.skipif(
    not moonshine_available(),
    reason="ONNX Runtime is not installed (pip install onnxruntime onnx)",
)
def test_the_first_moonshine_run_says_it_prepares_the_model_once(
    tmp_path: Path, rally_speech: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("VIDKIT_WHISPER_MODEL", "VIDKIT_VOSK_MODEL", "VIDKIT_CAPTION_ENGINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("VIDKIT_CACHE", str(tmp_path / "cache"))
    first = run("captions", str(rally_speech), "-o", str(tmp_path / "one.srt"))
    assert first.exit_code == 0, first.output
    assert "preparing the Moonshine caption model: once per machine" in first.output
    assert "(moonshine," in first.output
    second = run("captions", str(rally_speech), "-o", str(tmp_path / "two.srt"))
    assert second.exit_code == 0 and "preparing" not in second.output
    assert (tmp_path / "one.srt").read_text() == (tmp_path / "two.srt").read_text()


def test_make_captions_auto_gives_each_feed_captions_and_editable_sidecars(
    tmp_path: Path, rally_speech: Path
) -> None:
    """The volunteer's one command: captioned videos per feed, plus caption files to edit."""
    from PIL import ImageChops

    from tests.helpers.probing import frame_at
    from vidkit.captions.wer import word_error_rate

    out = tmp_path / "out"
    common = ["-p", "reels,1x1", "--scale", "0.25", "--set", "name=Amira"]
    result = run("make", str(rally_speech), *common, "--captions", "auto", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "transcribing, then rendering…" in result.output
    plain = run("make", str(rally_speech), *common, "-p", "reels", "-o", str(tmp_path / "plain"))
    assert plain.exit_code == 0, plain.output
    for preset in ("reels", "1x1"):
        video = out / f"rally-default-{preset}.mp4"
        srt, vtt = video.with_suffix(".srt"), video.with_suffix(".vtt")
        cues = read_captions(srt)
        assert isinstance(cues, tuple) and cues
        heard = " ".join(c.text for c in cues)
        if moonshine_available():  # pocketsphinx's free recognition is only a rough draft
            assert word_error_rate(RALLY, heard) <= 0.15, heard
        assert read_captions(vtt) == cues
        assert cues[0].start < 1500 and cues[-1].end <= 9000
    # the captions are burned in: mid-speech, the frame differs from the uncaptioned render
    at = (cues[0].start + cues[0].end) / 2000
    captioned = frame_at(out / "rally-default-reels.mp4", at).convert("L")
    uncaptioned = frame_at(tmp_path / "plain" / "rally-default-reels.mp4", at).convert("L")
    mask = ImageChops.difference(captioned, uncaptioned).point(lambda v: 255 * (v > 40))
    changed = mask.histogram()[255]
    assert changed > captioned.width * captioned.height * 0.01

    # edited by hand and given back: rendered and written out exactly as edited
    srt = out / "rally-default-reels.srt"
    edited = tmp_path / "edited.srt"
    first = cues[0].text
    edited.write_text(
        srt.read_text(encoding="utf-8").replace(first, "Édité <b>{\\an8}</b>", 1), encoding="utf-8"
    )
    again = run("make", str(rally_speech), *common, "-p", "reels", "--captions", str(edited),
                "-o", str(tmp_path / "again"))  # fmt: skip
    assert again.exit_code == 0, again.output
    redone = read_captions(tmp_path / "again" / "rally-default-reels.srt")
    assert isinstance(redone, tuple)
    assert redone[0].text == "Édité <b>{\\an8}</b>"
    assert [c.text for c in redone[1:]] == [c.text for c in read_captions(srt)[1:]]


def test_make_captions_auto_on_a_clip_without_speech_renders_and_warns(
    tmp_path: Path, no_audio: Path
) -> None:
    result = run("make", str(no_audio), "-p", "1x1", "--scale", "0.25", "--captions", "auto",
                 "-o", str(tmp_path))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no audio track" in result.output
    (video,) = tmp_path.glob("*-1x1.mp4")
    assert not video.with_suffix(".srt").exists() and not video.with_suffix(".vtt").exists()
