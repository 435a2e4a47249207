"""Render cost: vidkit against a plain ffmpeg encode, four shapes in one call against four
calls, and vidkit against a MoviePy implementation of the same template.

Run from the repo root: ``.venv/bin/python bench/bench_render.py [--seconds 20] [--quick]``

A 1080p30 landscape clip with speech-like audio is generated with ffmpeg's lavfi sources into
a temporary folder. Every run is a separate process, started with ``subprocess.Popen`` and
reaped with ``os.wait4``: its rusage counts the process and the children it waited for
(ffmpeg), so CPU seconds are the whole job's. ``ru_maxrss`` is the largest single process in
that tree, not the sum of processes alive at the same time. CPU seconds are the primary
figure: wall time on a shared 2-core machine is noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path

from vidkit.ffmpeg.locate import locate
from vidkit.render import layers
from vidkit.render.plan import make_plan
from vidkit.render.probe import probe
from vidkit.template.presets import resolve
from vidkit.template.templates import load_template

HERE = Path(__file__).resolve().parent
MOVIEPY_VENV = HERE / ".venv-moviepy"
MOVIEPY_SPEC = "moviepy==2.2.1"
SHAPES = ("9x16", "1x1", "4x5", "16x9")
FIELDS = {"name": "Amira Khan", "place": "Leeds"}
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"]
# A voiced buzz (pitch wandering around 140 Hz, a few harmonics) in ~4 Hz syllables with a
# pause every 3 s: loud and quiet stretches like speech, so loudnorm has real work to do.
SPEECHLIKE = (
    "aevalsrc='0.25*(sin(2*PI*140*t+3*sin(2*PI*0.5*t))+0.5*sin(4*PI*140*t)"
    "+0.25*sin(6*PI*140*t))*(0.55+0.45*sin(2*PI*4*t))*gt(mod(t,3),0.5)':s=48000"
)


@dataclass(frozen=True)
class Run:
    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    video_s: float  # seconds of video written, all outputs together


def measure(name: str, argv: list[str], log: Path, outputs: list[Path], **popen) -> Run:
    """Run ``argv`` to completion; time it and read its rusage (children included)."""
    print(f"  running {name} …", flush=True)
    with log.open("w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, **popen)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise SystemExit(f"{name} failed (exit {proc.returncode}):\n{tail}")
    return Run(
        name=name,
        wall_s=round(wall, 2),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        video_s=round(sum(probe(p).duration for p in outputs), 2),
    )


def make_source(ffmpeg: str, path: Path, seconds: float) -> None:
    subprocess.run(
        [
            ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=30:d={seconds}",
            "-f", "lavfi", "-i", f"{SPEECHLIKE}:d={seconds}",
            *X264, "-pix_fmt", "yuv420p", "-g", "60",
            "-c:a", "aac", "-b:a", "128k", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip


def vidkit_argv(source: Path, presets: str, out: Path, reframe: str = "fill") -> list[str]:
    exe = Path(sys.executable).with_name("vidkit")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "vidkit"]
    sets = [a for k, v in FIELDS.items() for a in ("--set", f"{k}={v}")]
    return [*base, "make", str(source), "-p", presets, "--reframe", reframe, *sets, "-o", str(out)]


def plain_argv(ffmpeg: str, source: Path, out: Path) -> list[str]:
    """The plainest encode to the same 1080x1920: scale to cover, centre crop, x264, AAC."""
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-y", "-i", str(source),
        "-vf", "scale=-2:1920,crop=1080:1920", *X264, "-c:a", "aac", "-b:a", "160k", str(out),
    ]  # fmt: skip


def plain_same_frames_argv(
    ffmpeg: str, source: Path, card: Path, seconds: float, out: Path
) -> list[str]:
    """The plainest encode of the frames vidkit writes: the same cover crop, then vidkit's end
    card still (drawn by vidkit) for ``seconds`` over silence, x264 and AAC as above."""
    graph = (
        "[0:v]scale=-2:1920,crop=1080:1920,setsar=1[a];"
        "[1:v]scale=1080:1920,format=yuv420p,setsar=1[b];"
        f"anullsrc=r=48000:cl=stereo,atrim=duration={seconds:g}[s];"
        "[a][0:a][b][s]concat=n=2:v=1:a=1[v][m]"
    )
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-y", "-i", str(source),
        "-loop", "1", "-framerate", "30", "-t", f"{seconds:g}", "-i", str(card),
        "-filter_complex", graph, "-map", "[v]", "-map", "[m]",
        *X264, "-c:a", "aac", "-b:a", "160k", str(out),
    ]  # fmt: skip


def peer_job(source: Path, work: Path, out: Path) -> Path:
    """Draw the default template's images with vidkit's own layers and describe, as JSON,
    where and when the MoviePy peer must put them."""
    template = load_template("default")
    plan = make_plan(
        probe(source), template, resolve("9x16"), fields=FIELDS, reframe="fill"
    )  # fmt: skip
    images = layers.draw(plan, work)
    o = plan.outputs[0]
    sec = lambda frames: float(Fraction(frames) / plan.fps)  # noqa: E731
    main_s = sec(o.main_frames)
    job = {
        "source": str(source),
        "output": str(out),
        "width": o.width,
        "height": o.height,
        "fps": float(plan.fps),
        "duration": main_s,
        # vidkit's fill: cut this rectangle (source pixels) out, then scale it to the frame
        "crop": [o.reframe.crop.x, o.reframe.crop.y, o.reframe.crop.w, o.reframe.crop.h],
        "layers": [
            {
                "png": str(images.layers[(0, layer.key)]),
                "x": layer.box.x,
                "y": layer.box.y,
                "start": sec(layer.start) if layer.start is not None else 0.0,
                "end": sec(layer.end) if layer.end is not None else main_s,
                "fade": sec(layer.fade),
            }
            for layer in o.layers
        ],
        "end_cards": [
            {"png": str(images.cards[(0, s.key)]), "duration": sec(s.frames)}
            for s in o.after
            if s.card is not None
        ],
        "loudness": plan.audio.loudness,
        "audio_kbps": o.audio_kbps,
        "x264": {"preset": "veryfast", "crf": 23},
    }
    path = work / "peer-job.json"
    path.write_text(json.dumps(job, indent=2), encoding="utf-8")
    return path


def moviepy_python() -> tuple[Path | None, str]:
    """The MoviePy venv's python (created on first use), or None and the reason why not."""
    py = MOVIEPY_VENV / "bin" / "python"
    check = [str(py), "-c", "import moviepy"]
    if py.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return py, "ready"
    print(f"  creating {MOVIEPY_VENV.relative_to(HERE.parent)} with {MOVIEPY_SPEC} …", flush=True)
    steps = [
        [sys.executable, "-m", "venv", str(MOVIEPY_VENV)],
        [str(py), "-m", "pip", "install", "--quiet", MOVIEPY_SPEC],
        check,
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"`{shlex.join(step[-3:])}` failed: {last[0]}"
    return py, "installed"


def ratio(a: Run, b: Run | list[Run]) -> dict[str, float]:
    bs = b if isinstance(b, list) else [b]
    return {
        "cpu": round(a.cpu_s / sum(r.cpu_s for r in bs), 3),
        "wall": round(a.wall_s / sum(r.wall_s for r in bs), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="source clip length")
    ap.add_argument("--quick", action="store_true", help="a 5 s smoke run")
    ap.add_argument("--no-moviepy", action="store_true", help="skip the MoviePy comparison")
    ap.add_argument(
        "--repeat", type=int, default=1, metavar="N",
        help="run the plain encodes and vidkit 9x16 N times, interleaved; report the medians",
    )  # fmt: skip
    args = ap.parse_args()
    seconds = 5.0 if args.quick else args.seconds

    ff = locate()
    now = datetime.now(timezone.utc)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "vidkit", "cli"], capture_output=True, text=True,
        cwd=HERE,
    ).stdout.strip()  # fmt: skip
    commit += "-dirty" if dirty else ""  # uncommitted changes in vidkit/ or cli/
    machine = {"nproc": os.cpu_count(), "ffmpeg": ff.version, "ffmpeg_path": ff.path}
    print(f"vidkit render bench  {now:%Y-%m-%d %H:%M} UTC  commit {commit or '?'}")
    print(f"machine: {os.cpu_count()} cores, ffmpeg {ff.version} ({ff.source}), "
          f"Python {sys.version.split()[0]}")  # fmt: skip
    print(f"source: {seconds:g} s 1920x1080 30 fps testsrc2 + speech-like audio (H.264/AAC)")

    runs: dict[str, Run] = {}
    samples: dict[str, list[Run]] = {}
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="vidkit-bench-") as tmp:
        root = Path(tmp)
        source = root / "source.mp4"
        make_source(ff.path, source, seconds)

        def run(key: str, argv: list[str], outputs: list[Path], **popen) -> None:
            samples.setdefault(key, []).append(
                measure(key, argv, root / f"{key}.log", outputs, **popen)
            )
            by_cpu = sorted(samples[key], key=lambda r: r.cpu_s)
            runs[key] = by_cpu[(len(by_cpu) - 1) // 2]  # the median (the lower of two)

        def vk(key: str, presets: str) -> None:
            out = root / key
            names = presets.split(",")
            run(key, vidkit_argv(source, presets, out), [
                out / f"source-default-{n}.mp4" for n in names
            ])  # fmt: skip

        (root / "peer").mkdir()
        job = peer_job(source, root / "peer", root / "moviepy.mp4")
        card = json.loads(job.read_text(encoding="utf-8"))["end_cards"][0]
        for _ in range(max(1, args.repeat)):
            run("plain ffmpeg 9x16", plain_argv(ff.path, source, root / "plain.mp4"),
                [root / "plain.mp4"])  # fmt: skip
            run("plain, same frames", plain_same_frames_argv(ff.path, source, Path(card["png"]),
                card["duration"], root / "plain-card.mp4"), [root / "plain-card.mp4"])  # fmt: skip
            vk("vidkit 9x16", "9x16")
        vk("vidkit 4 shapes, 1 call", ",".join(SHAPES))
        for shape in SHAPES[1:]:
            vk(f"vidkit {shape}", shape)

        py, why = (None, "--no-moviepy given") if args.no_moviepy else moviepy_python()
        if py is None:
            skipped["moviepy"] = why
            print(f"  MoviePy comparison skipped: {why}")
        else:
            env = {**os.environ, "FFMPEG_BINARY": ff.path}  # the same ffmpeg for both
            run("moviepy 9x16", [str(py), str(HERE / "moviepy_peer.py"), str(job)],
                [root / "moviepy.mp4"], env=env, cwd=root / "peer")  # fmt: skip

    print()
    print(
        f"{'run':<26} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12} {'video s':>8} {'CPU/video':>10}"
    )
    for r in runs.values():
        print(
            f"{r.name:<26} {r.wall_s:8.2f} {r.cpu_s:8.2f} {r.peak_rss_mb:12.1f} {r.video_s:8.2f}"
            f" {r.cpu_s / r.video_s:10.2f}"
        )

    one = runs["vidkit 9x16"]
    singles = [one] + [runs[f"vidkit {s}"] for s in SHAPES[1:]]
    ratios: dict[str, dict[str, float]] = {
        "vidkit_9x16 / plain_ffmpeg": {**ratio(one, runs["plain ffmpeg 9x16"]), "goal": 1.10},
        # the same frames: the plain encode with vidkit's end card appended (3 s more video)
        "vidkit_9x16 / plain_same_frames": {
            **ratio(one, runs["plain, same frames"]),
            "goal": 1.10,
        },
        "four_shapes_one_call / four_calls": {
            **ratio(runs["vidkit 4 shapes, 1 call"], singles),
            "goal": 0.75,
        },
    }
    if "moviepy 9x16" in runs:
        ratios["vidkit_9x16 / moviepy"] = {**ratio(one, runs["moviepy 9x16"]), "goal": 0.2}
    print()
    print(f"{'ratio (same run)':<36} {'CPU':>7} {'wall':>7} {'goal':>7}")
    for name, r in ratios.items():
        verdict = "met" if r["cpu"] <= r["goal"] else "MISSED"
        print(f"{name:<36} {r['cpu']:7.3f} {r['wall']:7.3f} {'≤ ' + str(r['goal']):>7}  {verdict}")
    for name, why in skipped.items():
        print(f"{'vidkit_9x16 / ' + name:<36} skipped: {why}")
    if args.repeat > 1:
        print(f"medians of {args.repeat} interleaved runs; CPU s of each:")
        for key in ("plain ffmpeg 9x16", "plain, same frames", "vidkit 9x16"):
            print(f"  {key:<24} " + " ".join(f"{r.cpu_s:.2f}" for r in samples[key]))
        per_round = [
            round(v.cpu_s / p.cpu_s, 3)
            for v, p in zip(samples["vidkit 9x16"], samples["plain ffmpeg 9x16"])
        ]
        print(f"  vidkit 9x16 / plain ffmpeg, each round: {per_round}")
    peak = max(runs.values(), key=lambda r: r.peak_rss_mb)
    print(f"peak memory: vidkit 9x16 {one.peak_rss_mb:.0f} MB, 4 shapes "
          f"{runs['vidkit 4 shapes, 1 call'].peak_rss_mb:.0f} MB; largest {peak.name} "
          f"{peak.peak_rss_mb:.0f} MB (max RSS of one process in the tree)")  # fmt: skip

    results = HERE / "results"
    results.mkdir(exist_ok=True)
    path = results / f"render-{now:%Y-%m-%dT%H%M%SZ}.json"
    record = {
        "date": now.isoformat(timespec="seconds"),
        "commit": commit,
        "machine": machine,
        "seconds": seconds,
        "runs": [asdict(r) for r in runs.values()],
        "samples": {k: [asdict(r) for r in v] for k, v in samples.items()},
        "ratios": ratios,
        "skipped": skipped,
    }
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"results: {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
