"""`vidkit captions` as a volunteer runs it: files written, edits kept, clear refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from caption_media import RALLY
from click.testing import CliRunner
from vidkit.cli.main import cli

from vidkit.captions import captions_for, read_captions
from vidkit.captions.moonshine_engine import available as moonshine_available


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
    reason='moonshine is not installed (pip install "vidkit[asr]"; Linux x86_64 only)',
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
