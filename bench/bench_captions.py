"""Caption accuracy and speed: word error rate and real-time factor per engine.

Run from the repo root::

    .venv/bin/python bench/bench_captions.py [--whisper-model DIR] [--vosk-model DIR]

The moonshine engine is included when its package is installed (``pip install "vidkit[asr]"``).

Material: the real read-speech sample in ``../shared/media`` (when present), five LibriVox
utterances with their transcripts from Debian's ``pocketsphinx-testdata`` (when installed), and
speech generated with espeak-ng (Debian package ``espeak-ng``): a few sentences (~25 s) and a
long clip (~2 min, to show that long clips don't degrade). Each is put in an MP4 with AAC audio, as a phone clip
would be.

Modes: ``free`` is recognition with no help; ``script`` gives the engine the known text
(pocketsphinx force-aligns it; other engines are fitted to it). For script mode the words come
from the script, so word error rate is 0 by construction; what is measured instead is timing:
the mean distance between each sentence's first word and the start of the speech region that
voice activity detection (an independent method) found for it.

Real-time factor = processing time / audio duration, for the whole ``transcribe_clip`` call
(audio extraction with ffmpeg, voice activity detection, loading the model, decoding), cold:
each case loads its model afresh, as a new ``vidkit`` process would. (Moonshine's one-time
conversion, on first use on a machine, is done before timing and reported apart.) Wall time is
noisy on a shared 2-core machine; CPU time (this process plus ffmpeg) is shown beside it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

from vidkit.captions import audio as audio_mod
from vidkit.captions.engines import moonshine_model
from vidkit.captions.engines.moonshine import available as moonshine_available
from vidkit.captions.pipeline import transcribe_clip
from vidkit.captions.wer import word_error_rate
from vidkit.config import user_cache_dir
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "media" / "read_speech_10s.wav"
REAL_TEXT = "Ever tried. Ever failed. No matter. Try again. Fail again. Fail better."
#: LibriVox read speech (Sense and Sensibility) with transcripts: Debian ``pocketsphinx-testdata``
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
SENTENCES = [
    "We are the members of this union.",
    "Together we can win a fair contract for every worker in the city.",
    "Join us at the rally on Saturday morning in front of the town hall.",
    "Bring your family, your friends and your neighbours.",
    "Every voice matters, and nobody should have to choose between rent and food.",
    "Sign the petition today and share this video with three people you know.",
]
LONG_TEXT = " ".join(SENTENCES * 4)  # about 100 s: long clips must not degrade
#: The campaign's other languages (espeak-ng voice, sentence): "we stand together for fair pay".
OTHER_LANGUAGES = {
    "cy": ("cy", "Rydyn ni'n sefyll gyda'n gilydd dros gyflog teg."),
    "pl": ("pl", "Stoimy razem za sprawiedliwą płacą."),
    "es": ("es", "Estamos juntos por un salario justo."),
    "ar": ("ar", "نقف معا من أجل أجر عادل"),
    "ur": ("ur", "ہم منصفانہ اجرت کے لیے ایک ساتھ کھڑے ہیں"),
    "pa": ("pa", "ਅਸੀਂ ਨਿਰਪੱਖ ਤਨਖਾਹ ਲਈ ਇਕੱਠੇ ਖੜ੍ਹੇ ਹਾਂ"),
    "bn": ("bn", "আমরা ন্যায্য মজুরির জন্য একসাথে দাঁড়িয়েছি"),
}


@dataclass(frozen=True)
class Sample:
    name: str
    clip: Path
    text: str
    seconds: float
    onsets: tuple[int, ...] = ()  # true sentence starts (ms), where known
    language: str = "en"


def _ffmpeg(*args: str) -> None:
    subprocess.run([locate().path, "-v", "error", "-y", *args], check=True)


def _speak(
    sentences: list[str], folder: Path, name: str, voice: str = "en-us"
) -> tuple[Path, list[int]] | None:
    """espeak-ng reads each sentence; the pieces are joined with 0.6 s pauses. Returns the clip
    and the true start (ms) of each sentence's sound: the reference for alignment timing."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return None
    frames = b""
    onsets = []
    rate = 0
    for i, sentence in enumerate(sentences):
        piece = folder / f"{name}-{i}.wav"
        subprocess.run([espeak, "-v", voice, "-s", "150", "-w", str(piece), sentence], check=True)
        with wave.open(str(piece), "rb") as w:
            rate = w.getframerate()
            pcm = w.readframes(w.getnframes())
        offset_ms = len(frames) // 2 * 1000 // rate
        onsets.append(offset_ms + _onset_ms(pcm, rate))
        frames += pcm + b"\0\0" * (rate * 6 // 10)
    wav = folder / f"{name}.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return _as_phone_clip(wav, folder / f"{name}.mp4"), onsets


def _librivox(folder: Path, count: int = 5) -> tuple[Path, str] | None:
    """The first ``count`` LibriVox utterances, 0.6 s apart, as one phone clip, with their
    transcript."""
    listing = LIBRIVOX / "transcription"
    if not listing.is_file():
        return None
    frames, texts, rate = b"", [], 16_000
    for line in listing.read_text(encoding="utf-8").splitlines()[:count]:
        words, _, name = line.rpartition("(")
        texts.append(" ".join(w for w in words.split() if w not in ("<s>", "</s>")))
        with wave.open(str(LIBRIVOX / f"{name.strip(' )')}.wav"), "rb") as w:
            rate = w.getframerate()
            frames += w.readframes(w.getnframes()) + b"\0\0" * (rate * 6 // 10)
    wav = folder / f"librivox-{count}.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return _as_phone_clip(wav, folder / f"librivox-{count}.mp4"), " ".join(texts)


def _onset_ms(pcm: bytes, rate: int) -> int:
    """Where sound starts: the first 5 ms above -40 dBFS."""
    step = rate // 200 * 2
    for i in range(0, len(pcm) - step, step):
        if audio_mod.level_dbfs(pcm[i : i + step]) > -40:
            return i // 2 * 1000 // rate
    return 0


def _as_phone_clip(wav: Path, clip: Path) -> Path:
    _ffmpeg(
        "-f", "lavfi", "-i", "color=c=gray:s=64x64:r=10", "-i", str(wav),
        "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
        str(clip),
    )  # fmt: skip
    return clip


def _duration(clip: Path) -> float:
    import av

    with av.open(str(clip)) as c:
        stream = c.streams.audio[0]
        return float(stream.duration * stream.time_base)


def samples(folder: Path) -> list[Sample]:
    found = []
    if REAL.is_file():
        clip = _as_phone_clip(REAL, folder / "real.mp4")
        found.append(Sample("real speech 10 s", clip, REAL_TEXT, _duration(clip)))
    else:
        print(f"(no real speech sample at {REAL})", file=sys.stderr)
    short = _librivox(folder, count=1)
    if short is not None:  # a short clip: the fixed costs (loading models) weigh the most
        clip, text = short
        found.append(Sample("LibriVox, 1 utterance", clip, text, _duration(clip)))
    librivox = _librivox(folder)
    if librivox is not None:
        clip, text = librivox
        found.append(Sample("LibriVox read speech", clip, text, _duration(clip)))
    else:
        print("(no LibriVox sample: apt-get install -y pocketsphinx-testdata)", file=sys.stderr)
    short = _speak(SENTENCES, folder, "espeak")
    if short is not None:
        clip, onsets = short
        found.append(
            Sample("espeak-ng 6 sentences", clip, " ".join(SENTENCES), _duration(clip), (*onsets,))
        )
        long = _speak(SENTENCES * 4, folder, "espeak-long")
        assert long is not None
        clip, onsets = long
        found.append(Sample("espeak-ng 24 sentences", clip, LONG_TEXT, _duration(clip), (*onsets,)))
    else:
        print("(espeak-ng missing: apt-get install -y espeak-ng)", file=sys.stderr)
    for code, (voice, sentence) in OTHER_LANGUAGES.items():
        spoken = _speak([sentence] * 2, folder, f"espeak-{code}", voice)
        if spoken is not None:
            clip, onsets = spoken
            text = f"{sentence} {sentence}"
            found.append(Sample(f"espeak-ng {code}", clip, text, _duration(clip), (), code))
    return found


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _sentence_start_error(sample: Sample, words) -> float:  # type: ignore[no-untyped-def]
    """Mean ms between each sentence's first word and where that sentence's sound starts:
    known from how the clip was made (espeak-ng), else the nearest speech region found by
    voice activity detection (an independent method)."""
    firsts = [w.start for i, w in enumerate(words) if i == 0 or words[i - 1].text[-1] in ".!?"]
    if sample.onsets:
        errors = [abs(f - t) for f, t in zip(firsts, sample.onsets, strict=True)]
    else:
        with tempfile.TemporaryDirectory() as tmp:
            extracted = audio_mod.extract(sample.clip, Path(tmp), FFmpegRunner(locate()))
            starts = [r.start for r in audio_mod.speech_regions(extracted)]
        errors = [min(abs(f - s) for s in starts) for f in firsts]
    return sum(errors) / len(errors)


def run_case(sample: Sample, engine: str, mode: str, model: Path | None) -> list[str]:
    if moonshine_available():
        moonshine_model.unload()  # every case loads its model, as a new vidkit process does
    began_wall, began_cpu = time.perf_counter(), _cpu()
    try:
        transcript = transcribe_clip(
            sample.clip,
            language=sample.language,
            script=sample.text if mode == "script" else None,
            engine=engine,
            model=model,
        )
    except Exception as exc:  # report and carry on with the other cases
        reason = "no model for this language here" if "only understands" in str(exc) else exc
        return [sample.name, sample.language, engine, mode, f"refused: {reason}", "", "", ""]
    wall, cpu = time.perf_counter() - began_wall, _cpu() - began_cpu
    text = " ".join(w.text for w in transcript.words)
    wer = word_error_rate(sample.text, text)
    timing = ""
    if mode == "script" or engine == "moonshine":  # moonshine's words are aligned too
        try:
            timing = f"{_sentence_start_error(sample, transcript.words):.0f}"
        except ValueError:  # free text split into other sentences than the reference
            timing = "n/a"
    return [
        sample.name,
        sample.language,
        engine,
        mode,
        f"{wer:.2f}",
        timing,
        f"{wall / sample.seconds:.3f}",
        f"{cpu / sample.seconds:.3f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--whisper-model", type=Path, default=os.environ.get("VIDKIT_WHISPER_MODEL")
    )
    parser.add_argument("--vosk-model", type=Path, default=os.environ.get("VIDKIT_VOSK_MODEL"))
    parser.add_argument("--show", action="store_true", help="print each free transcript")
    args = parser.parse_args()

    engines: list[tuple[str, Path | None]] = [("pocketsphinx", None)]
    if moonshine_available():
        engines.append(("moonshine", None))
        began = time.perf_counter()
        was_prepared = moonshine_model.is_prepared(user_cache_dir())
        moonshine_model.prepare(user_cache_dir())  # once per machine, before any timing
        if not was_prepared:
            print(f"(moonshine model prepared in {time.perf_counter() - began:.1f} s, once)")
    else:
        print("(moonshine not available: pip install onnxruntime onnx)", file=sys.stderr)
    if args.whisper_model:
        engines.append(("whisper", args.whisper_model))
    if args.vosk_model:
        engines.append(("vosk", args.vosk_model))

    rows = [["sample", "lang", "engine", "mode", "WER", "start err ms", "RTF wall", "RTF cpu"]]
    with tempfile.TemporaryDirectory(prefix="vidkit-bench-captions-") as tmp:
        for sample in samples(Path(tmp)):
            print(f"{sample.name}: {sample.seconds:.1f} s", file=sys.stderr)
            for engine, model in engines:
                # with an English script every engine hands over to pocketsphinx's aligner
                script_too = engine == "pocketsphinx" and sample.language == "en"
                for mode in ("free", "script") if script_too else ("free",):
                    rows.append(run_case(sample, engine, mode, model))
                    print("  " + " | ".join(rows[-1]), file=sys.stderr)
                    if args.show and mode == "free":
                        t = transcribe_clip(sample.clip, engine=engine, model=model)
                        print("    heard: " + " ".join(w.text for w in t.words), file=sys.stderr)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\n{os.cpu_count()} cores; goals: WER <= 0.15 on clear read speech, RTF <= 0.3")


if __name__ == "__main__":
    main()
