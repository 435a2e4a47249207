"""Subject reframing's cost: a render that follows a face against the fixed crop and the
plainest encode, and the analysis (PyAV decode + face search) on its own.

Run from the repo root: ``.venv/bin/python bench/bench_reframe.py [--seconds 20]``

The source is ``bench_render``'s 1080p30 clip with scikit-image's astronaut photo (a test
dependency: ``pip install -e '.[test]'``) walking across it left to right, so the analysis
finds a face in every sample and the path pans the whole way. Runs are separate processes
measured as in ``bench_render`` (rusage of the process and its children); the analysis is
timed in this process (its CPU seconds include OpenCV's and the decoder's threads).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import skimage.data
from bench_render import SPEECHLIKE, X264, measure, plain_argv, ratio, vidkit_argv
from bench_render import make_source as make_plain_source
from PIL import Image

from vidkit.ffmpeg.locate import locate
from vidkit.render.make import find_subjects
from vidkit.render.plan import make_plan
from vidkit.render.probe import probe
from vidkit.template.presets import resolve
from vidkit.template.templates import load_template

PHOTO = 560  # pixels: the face is about 100 pixels wide in 1080p


def make_source(ffmpeg: str, path: Path, seconds: float) -> None:
    png = path.with_suffix(".png")
    Image.fromarray(skimage.data.astronaut()).resize((PHOTO, PHOTO)).save(png)
    subprocess.run(
        [
            ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=30:d={seconds}",
            "-loop", "1", "-i", str(png),
            "-f", "lavfi", "-i", f"{SPEECHLIKE}:d={seconds}",
            "-filter_complex",
            f"[0:v][1:v]overlay=x='{1920 - PHOTO}*t/{seconds}':y=260:shortest=1,format=yuv420p[v]",
            "-map", "[v]", "-map", "2:a", *X264, "-g", "60",
            "-c:a", "aac", "-b:a", "128k", "-t", str(seconds), str(path),
        ],
        check=True,
    )  # fmt: skip


def analyse(source: Path, mode: str = "subject") -> tuple[float, float, int]:
    """(wall s, CPU s, keyframes of the 9x16 path) of the analysis and planning alone."""
    before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    media = probe(source)
    subjects = find_subjects(media, mode, resolve("9x16"))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    plan = make_plan(
        media, load_template("default"), resolve("9x16"), reframe=mode, subjects=subjects,
        fields={"name": "Amira Khan", "place": "Leeds"},
    )  # fmt: skip
    return round(wall, 2), round(cpu, 2), len(plan.outputs[0].reframe.path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="source clip length")
    seconds = ap.parse_args().seconds
    ff = locate()
    with tempfile.TemporaryDirectory(prefix="vidkit-bench-") as tmp:
        root = Path(tmp)
        source = root / "source.mp4"
        make_source(ff.path, source, seconds)
        runs = {"plain": measure("plain ffmpeg 9x16", plain_argv(ff.path, source, root / "plain.mp4"),
                                 root / "plain.log", [root / "plain.mp4"])}  # fmt: skip
        for mode in ("fill", "subject"):
            out = root / mode
            runs[mode] = measure(
                f"vidkit 9x16 --reframe {mode}", vidkit_argv(source, "9x16", out, mode),
                root / f"{mode}.log", [out / "source-default-9x16.mp4"],
            )  # fmt: skip
        wall, cpu, keyframes = analyse(source)
        auto = analyse(source, "auto")
        nobody = root / "nobody.mp4"  # the same picture with no one in it
        make_plain_source(ff.path, nobody, seconds)
        auto_nobody = analyse(nobody, "auto")
    print(f"\nsource: {seconds:g} s 1920x1080 30 fps testsrc2, a face walking across")
    print(f"{'run':<30} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12}")
    for r in runs.values():
        print(f"{r.name:<30} {r.wall_s:8.2f} {r.cpu_s:8.2f} {r.peak_rss_mb:12.1f}")
    print(
        f"{'analysis alone (in-process)':<30} {wall:8.2f} {cpu:8.2f}   path: {keyframes} keyframes"
    )
    print(
        f"{'  auto, the same clip':<30} {auto[0]:8.2f} {auto[1]:8.2f}   path: {auto[2]} keyframes"
    )
    print(f"{'  auto, a clip with no one':<30} {auto_nobody[0]:8.2f} {auto_nobody[1]:8.2f}")
    print(f"\n{'ratio (CPU, same run)':<36} {'CPU':>7} {'wall':>7}")
    for name, a, b in (
        ("vidkit fill / plain ffmpeg", "fill", "plain"),
        ("vidkit subject / plain ffmpeg", "subject", "plain"),
        ("vidkit subject / vidkit fill", "subject", "fill"),
    ):
        r = ratio(runs[a], runs[b])
        print(f"{name:<36} {r['cpu']:7.3f} {r['wall']:7.3f}")
    render_only = (runs["subject"].cpu_s - cpu) / runs["plain"].cpu_s
    print(f"{'subject without its analysis / plain':<36} {render_only:7.3f}")


if __name__ == "__main__":
    main()
