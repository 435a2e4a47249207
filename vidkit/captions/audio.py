"""Speech audio for the engines: 16 kHz mono 16-bit PCM, and where in it someone speaks.

The clip's first audio stream is extracted with ffmpeg (through the one runner) into a WAV file
in a temporary folder the caller owns. Voice activity detection uses pocketsphinx's WebRTC-based
endpointer and a plain energy floor; its speech regions are grouped into chunks of at most
``max_chunk_ms`` that the engines decode one at a time, so long clips don't degrade.
"""

from __future__ import annotations

import array
import math
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

from vidkit.errors import CaptionError, MediaError, RenderError
from vidkit.ffmpeg.runner import Runner

RATE = 16_000
BYTES_PER_MS = RATE * 2 // 1000
#: Quieter than this (dBFS, RMS over 30 ms) never counts as speech.
SILENCE_DBFS = -50.0
DITHER_AMPLITUDE = 0.0003
#: A level drop this large (dB) within 100 ms counts as a syllable boundary.
DIP_DB = 6.0
END_PAD_MS = 500


@dataclass(frozen=True)
class Audio:
    """Extracted speech audio: a 16 kHz mono s16le WAV file."""

    path: Path
    duration_ms: int

    def pcm(self, start_ms: int = 0, end_ms: int | None = None) -> bytes:
        """Raw samples between two times (whole file by default)."""
        with wave.open(str(self.path), "rb") as w:
            first = start_ms * RATE // 1000
            last = w.getnframes() if end_ms is None else min(w.getnframes(), end_ms * RATE // 1000)
            w.setpos(min(first, w.getnframes()))
            return w.readframes(max(0, last - first))


@dataclass(frozen=True)
class Region:
    """A stretch of audio, in ms."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


def audio_streams(clip: Path) -> int:
    """How many audio streams ``clip`` has; :class:`MediaError` if it is not a media file."""
    import av

    if not clip.is_file():
        raise MediaError("file not found", path=clip)
    try:
        with av.open(str(clip)) as container:
            return len(container.streams.audio)
    except av.error.FFmpegError as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise MediaError(f"not a readable audio or video file ({reason})", path=clip) from None


def extract_args(clip: Path, out: Path) -> list[str]:
    """argv writing the clip's first audio stream to ``out`` as 16 kHz mono WAV (pure; the
    caption stage's one ffmpeg command, kept here because captions sit below render/graph)."""
    # A faint noise floor (about -76 dBFS) under the speech: runs of digital silence (as in
    # synthetic or gated audio) derail pocketsphinx's feature normalisation, and the noise is
    # far below what counts as speech. A little silence after the end lets a last word that
    # runs to the very end of the clip still be aligned.
    graph = (
        f"[0:a:0]aformat=sample_fmts=fltp:sample_rates={RATE}:channel_layouts=mono,"
        f"apad=pad_dur={END_PAD_MS / 1000}[speech];"
        f"anoisesrc=r={RATE}:a={DITHER_AMPLITUDE}:c=white:seed=7[floor];"
        "[speech][floor]amix=inputs=2:duration=first:normalize=0[out]"
    )
    args = ["-i", str(clip), "-filter_complex", graph, "-map", "[out]"]
    return [*args, "-ac", "1", "-ar", str(RATE), "-c:a", "pcm_s16le", "-f", "wav", str(out)]


def extract(clip: Path, workdir: Path, runner: Runner) -> Audio:
    """Extract the clip's first audio stream as 16 kHz mono WAV into ``workdir``."""
    if audio_streams(clip) == 0:
        raise CaptionError(
            "the clip has no audio track, so there is nothing to caption",
            path=clip,
            hint="no captions were made",
        )
    out = workdir / "speech.wav"
    args = extract_args(clip, out)
    try:
        runner(args)
    except RenderError as exc:
        raise MediaError(f"cannot read the audio: {exc.message}", path=clip) from None
    with wave.open(str(out), "rb") as w:
        frames = w.getnframes()
    return Audio(out, frames * 1000 // RATE)


def level_dbfs(pcm: bytes) -> float:
    """RMS level of s16le samples in dB relative to full scale (-inf for digital silence)."""
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    if not samples:
        return -math.inf
    mean_square = sum(s * s for s in samples) / len(samples)
    return -math.inf if mean_square == 0 else 10 * math.log10(mean_square / 32768**2)


def speech_regions(audio: Audio, *, min_gap_ms: int = 300) -> list[Region]:
    """Where someone seems to speak: VAD regions above the energy floor, short gaps merged."""
    from pocketsphinx import Endpointer

    endpointer = Endpointer(window=0.3, ratio=0.9, vad_mode=3, sample_rate=RATE)
    frame_bytes = endpointer.frame_bytes
    frame_ms = endpointer.frame_length * 1000
    pcm = audio.pcm()
    regions: list[Region] = []
    start: float | None = None
    loud = 0
    in_speech = False
    for offset in range(0, len(pcm), frame_bytes):
        frame = pcm[offset : offset + frame_bytes]
        if len(frame) < frame_bytes:
            break
        was = in_speech
        endpointer.process(frame)
        in_speech = endpointer.in_speech
        if in_speech and not was:
            start = endpointer.speech_start * 1000
            loud = 0
        if in_speech and level_dbfs(frame) > SILENCE_DBFS:
            loud += 1
        if was and not in_speech and start is not None:
            _add(regions, Region(int(start), int(endpointer.speech_end * 1000)), loud, frame_ms)
            start = None
    if in_speech and start is not None:
        _add(regions, Region(int(start), audio.duration_ms), loud, frame_ms)
    return _merge(regions, min_gap_ms)


def dips_per_second(audio: Audio, regions: list[Region], *, frame_ms: int = 20) -> float:
    """How often per second of ``regions`` the level falls ``DIP_DB`` within 100 ms.

    Speech rises and falls with its syllables: clean read speech has 17-22 such dips a second,
    and still about 10 with noise only 3 dB below it; held notes, hum and steady noise have
    about one. A cheap check that what voice activity detection took for speech has the rhythm
    of speech.
    """
    dips = 0
    total_ms = 0
    window = max(1, 100 // frame_ms)
    for region in regions:
        pcm = audio.pcm(region.start, region.end)
        step = frame_ms * BYTES_PER_MS
        levels = [level_dbfs(pcm[i : i + step]) for i in range(0, len(pcm) - step + 1, step)]
        total_ms += len(levels) * frame_ms
        for i in range(window, len(levels)):
            peak = max(levels[i - window : i])
            if peak > SILENCE_DBFS + 5 and peak - levels[i] > DIP_DB:
                dips += 1
    return dips / (total_ms / 1000) if total_ms else 0.0


def _add(regions: list[Region], region: Region, loud_frames: int, frame_ms: float) -> None:
    if loud_frames * frame_ms >= 150:  # at least 150 ms above the energy floor
        regions.append(region)


def _merge(regions: list[Region], min_gap_ms: int) -> list[Region]:
    merged: list[Region] = []
    for r in regions:
        if merged and r.start - merged[-1].end < min_gap_ms:
            merged[-1] = Region(merged[-1].start, max(merged[-1].end, r.end))
        else:
            merged.append(r)
    return merged


def chunks(
    regions: list[Region], *, duration_ms: int, max_chunk_ms: int = 20_000, pad_ms: int = 200
) -> list[Region]:
    """Decode windows: consecutive speech regions packed up to ``max_chunk_ms``, padded a little.

    A single region longer than the limit is cut into equal parts (rare: someone speaking for
    20 s without a 0.3 s pause).
    """
    windows: list[Region] = []
    for r in regions:
        padded = Region(max(0, r.start - pad_ms), min(duration_ms, r.end + pad_ms))
        if windows and padded.end - windows[-1].start <= max_chunk_ms:
            windows[-1] = Region(windows[-1].start, padded.end)
            continue
        parts = max(1, math.ceil(padded.length / max_chunk_ms))
        step = math.ceil(padded.length / parts)
        for i in range(parts):
            windows.append(
                Region(padded.start + i * step, min(padded.end, padded.start + (i + 1) * step))
            )
    # padding may make neighbours overlap; cut at the midpoint
    for i in range(1, len(windows)):
        if windows[i].start < windows[i - 1].end:
            mid = (windows[i].start + windows[i - 1].end) // 2
            windows[i - 1] = Region(windows[i - 1].start, mid)
            windows[i] = Region(mid, windows[i].end)
    return windows
