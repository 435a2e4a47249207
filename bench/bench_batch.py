"""Batch throughput: 1 vs N local workers, a local Dask cluster vs the local pool, rerun cost.

Run: ``.venv/bin/python bench/bench_batch.py [--clips 8] [--seconds 4] [--scale 0.5]``

Clips are generated with ffmpeg's lavfi sources into a temporary folder. Throughput is seconds
of output video per wall-clock second (planning, start-up and rendering all counted). The Dask
cluster runs on this machine (scheduler and worker processes on 127.0.0.1) with as many
single-threaded workers as the local pool has processes, so the difference is its overhead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from vidkit.batch.executors import DaskExecutor, Executor, LocalExecutor, cpu_count
from vidkit.batch.run import BatchResult, run
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner


def make_clips(folder: Path, count: int, seconds: float, size: str) -> Path:
    ffmpeg = FFmpegRunner(locate())
    lines = ["clip,name,place"]
    for i in range(count):
        clip = folder / f"member{i:03d}.mp4"
        ffmpeg(
            [
                "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30:duration={seconds}",
                "-f", "lavfi", "-i", f"sine=frequency={300 + 20 * i}:duration={seconds}",
                "-vf", f"hue=h={i * 29 % 360}", "-c:v", "libx264", "-preset", "veryfast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(clip),
            ]
        )  # fmt: skip
        lines.append(f"{clip.name},Member {i},Place {i % 5}")
    campaign = folder / "campaign.csv"
    campaign.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return campaign


def _noop(x: int) -> int:
    return x


def per_task_overhead(executor: Executor, n: int) -> float:
    """Milliseconds per task for ``n`` no-op tasks (start-up of the pool included)."""
    t0 = time.perf_counter()
    try:
        done = sum(1 for _ in executor.run(_noop, list(range(n))))
    finally:
        executor.close()
    assert done == n
    return (time.perf_counter() - t0) * 1000 / n


def line(label: str, r: BatchResult, base: float | None = None) -> str:
    tput = r.output_seconds / r.elapsed if r.elapsed else 0.0
    rel = f"  x{tput / base:.2f}" if base else ""
    return (
        f"{label:<28} {r.elapsed:7.2f} s wall  {r.output_seconds:7.1f} s out  "
        f"{tput:6.2f} out-s/s{rel}  ({r.executor}, {r.workers} workers, "
        f"{r.threads or '-'} threads, {r.rendered} rendered, {r.reused} reused)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--size", default="720x1280", help="source clip size")
    ap.add_argument("--scale", type=float, default=0.5, help="render at this fraction of presets")
    ap.add_argument("--presets", default="9x16,1x1")
    ap.add_argument("--workers", type=int, default=cpu_count())
    ap.add_argument("--repeat", type=int, default=2, help="alternating pool/Dask runs each")
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="vidkit-bench-"))
    try:
        campaign = make_clips(root, args.clips, args.seconds, args.size)
        common = {"presets": args.presets, "scale": args.scale}
        print(
            f"{args.clips} clips x {args.seconds:g} s ({args.size}) -> {args.presets} "
            f"at scale {args.scale:g}; {cpu_count()} cores; load {os.getloadavg()[0]:.1f}"
        )
        one = run(campaign, out_dir=root / "one", workers=1, **common)
        base = one.output_seconds / one.elapsed
        print(line("local, 1 worker", one))
        cluster = None
        if not args.no_dask:
            from distributed import LocalCluster

            t0 = time.perf_counter()
            cluster = LocalCluster(
                host="127.0.0.1",
                n_workers=args.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            print(f"  (Dask cluster start-up {time.perf_counter() - t0:.2f} s, not counted)")
        pool: list[float] = []
        dask: list[float] = []
        try:
            for i in range(args.repeat):
                many = run(campaign, out_dir=root / f"many{i}", workers=args.workers, **common)
                pool.append(many.elapsed)
                print(line(f"local, {args.workers} workers", many, base))
                if cluster is not None:
                    d = run(
                        campaign,
                        out_dir=root / f"dask{i}",
                        cluster=cluster.scheduler_address,
                        **common,
                    )
                    dask.append(d.elapsed)
                    print(line(f"dask, {args.workers} workers", d, base))
            if cluster is not None:
                n = 200
                pool_ms = per_task_overhead(LocalExecutor(args.workers), n)
                dask_ms = per_task_overhead(DaskExecutor(cluster.scheduler_address), n)
                print(
                    f"per-task cost of the executor itself ({n} no-op tasks): "
                    f"local pool {pool_ms:.1f} ms, Dask {dask_ms:.1f} ms"
                )
        finally:
            if cluster is not None:
                cluster.close()
        rerun = run(campaign, out_dir=root / "many0", workers=args.workers, **common)
        assert rerun.rendered == 0
        print(line("rerun (all finished)", rerun))
        print(f"rerun cost: {rerun.elapsed / pool[0]:.2%} of the first run (goal <= 5 %)")
        if dask:
            over = statistics.median(dask) / statistics.median(pool) - 1
            print(f"Dask overhead vs local pool (medians): {over:+.1%} (goal <= 10 %)")
        print(f"load at the end {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
