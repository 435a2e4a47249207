"""The default template's 9x16 look done in MoviePy 2.2.1, as the benchmark's peer.

Run by bench_render.py with the Python of bench/.venv-moviepy (MoviePy pins pillow<12, so it
stays out of the project's venv): ``python moviepy_peer.py JOB.json``. The job names the
source, the output, the fill crop, and the PNGs vidkit drew (logo, lower third, end
card) with their positions and times, so both sides composite the same images.
"""

from __future__ import annotations

import json
import math
import sys

from moviepy import CompositeVideoClip, ImageClip, VideoFileClip, concatenate_videoclips, vfx
from moviepy.audio import fx as afx


def gain_for(audio, target_lufs: float) -> float:
    """A linear gain bringing the clip's level to about the target: mean power of 400 ms
    blocks, gated like BS.1770 (absolute -70, then relative -10) but without its K-weighting
    filter. A rough stand-in for loudnorm: MoviePy has no loudness meter."""
    samples = audio.to_soundarray(fps=48000).astype("float64")
    n = len(samples) // 19200 * 19200
    power = (samples[:n] ** 2).reshape(-1, 19200 * samples.shape[1]).mean(axis=1)
    power = power[power > 1e-7]
    if power.size:
        power = power[power > power.mean() / 10]
    level = 10 * math.log10(float(power.mean())) if power.size else -70.0
    return 10 ** ((target_lufs - level) / 20)


def main(job_path: str) -> None:
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    w, h, fps, duration = job["width"], job["height"], job["fps"], job["duration"]

    source = VideoFileClip(job["source"], target_resolution=None)
    base = (
        source.subclipped(0, duration)
        .cropped(x1=job["crop"][0], y1=job["crop"][1], width=job["crop"][2], height=job["crop"][3])
        .resized((w, h))
    )
    overlays = []
    for layer in job["layers"]:
        clip = (
            ImageClip(layer["png"])
            .with_start(layer["start"])
            .with_duration(layer["end"] - layer["start"])
            .with_position((layer["x"], layer["y"]))
        )
        if layer["fade"]:
            clip = clip.with_effects(
                [vfx.CrossFadeIn(layer["fade"]), vfx.CrossFadeOut(layer["fade"])]
            )
        overlays.append(clip)
    main_part = CompositeVideoClip([base, *overlays], size=(w, h)).with_duration(duration)
    main_part = main_part.with_audio(
        base.audio.with_effects([afx.MultiplyVolume(gain_for(base.audio, job["loudness"]))])
    )
    cards = [
        ImageClip(card["png"]).with_duration(card["duration"]).with_effects([vfx.FadeIn(0.4)])
        for card in job["end_cards"]
    ]
    final = concatenate_videoclips([main_part, *cards])
    final.write_videofile(
        job["output"],
        fps=fps,
        codec="libx264",
        preset=job["x264"]["preset"],
        ffmpeg_params=["-crf", str(job["x264"]["crf"])],
        audio_codec="aac",
        audio_bitrate=f"{job['audio_kbps']}k",
        audio_fps=48000,
        logger=None,
    )
    source.close()


if __name__ == "__main__":
    main(sys.argv[1])
