"""Counting at campaign scale: ingest rate and the cost of `vidkit stats --json` as events grow.

Fills a fresh SQLite database the way the share server does (batches of events in time order
through ``Registry.record``, on links of Zipf-like popularity), then times ``vidkit stats --json``
as a new process, at each size given.
The goal (issue #11): stats ≤ 1 s at 10 M events, cost growing with links × days, not with
events; ingest no slower than before. Run on the code before and after a change to compare:

    .venv/bin/python bench/bench_stats.py --events 1000000 --links 200 --days 30
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vidkit.track.registry import Event, Registry, Video

T0 = 1_780_000_000  # a fixed start (2026-05-28 UTC)
KINDS = ("click", "click", "click", "preview", "play", "p25", "p50", "p75", "p100")


def _video(n: int) -> Video:
    digest = f"{n:08x}".ljust(64, "a")
    return Video(digest[:12], digest, f"Video {n}", "", f"{digest}.mp4", None, None, (),
                 1080, 1920, 30.0, 1_000_000, T0)  # fmt: skip


def make_links(registry: Registry, links: int) -> list[int]:
    """``links`` share links over ``links // 20`` videos."""
    ids = []
    for n in range(max(1, links // 20)):
        _, root, _ = registry.register(_video(n))
        ids.append(root.id)
    while len(ids) < links:
        video = _video(len(ids) % max(1, links // 20))
        ids.append(registry.create_link(video.id, channel="whatsapp", sharer=f"m{len(ids)}").id)
    return ids


def fill(
    registry: Registry, ids: list[int], events: int, days: int, start: int = 0, batch: int = 2000
) -> float:
    """Record ``events`` events spread evenly in time over ``days`` days (the share server
    records them as they come), on links of Zipf-like popularity (a few links get most
    clicks, as when a video spreads); return events per second."""
    rng = random.Random(events + start)
    weights = [1 / (rank + 1) for rank in range(len(ids))]
    step = days * 86400 / max(1, start + events)
    began = time.perf_counter()
    done = 0
    while done < events:
        n = min(batch, events - done)
        links = rng.choices(ids, weights, k=n)
        chunk = [
            Event(int(T0 + (start + done + i) * step), links[i], rng.choice(KINDS),
                  f"{rng.getrandbits(40):010x}", rng.choice(("wa.me", "t.co", None)),
                  rng.choice(("GB", "IE", None)))
            for i in range(n)
        ]  # fmt: skip
        registry.record(chunk)
        done += n
    return events / (time.perf_counter() - began)


def time_stats(db: str) -> float:
    """Wall seconds of `vidkit stats --json` as a new process (best of 3)."""
    env = dict(os.environ, VIDKIT_DB=db)
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "vidkit", "stats", "--json"], env=env,
                       check=True, capture_output=True)  # fmt: skip
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--links", type=int, default=200)
    ap.add_argument("--days", type=int, default=30)
    args = ap.parse_args()
    print(f"links {args.links}, days {args.days}; {os.cpu_count()} cores")
    print("events      ingest ev/s   stats --json s   events table MB")
    with tempfile.TemporaryDirectory(prefix="vidkit-bench-stats-") as tmp:
        db = str(Path(tmp) / "vidkit.db")
        have = 0
        with Registry.open(db) as registry:
            ids = make_links(registry, args.links)
            for target in sorted(args.events):
                rate = fill(registry, ids, target - have, args.days, start=have)
                have = target
                registry.db.execute("ANALYZE")
                size = os.path.getsize(db) / 1e6
                print(f"{target:>10,}  {rate:>12,.0f}   {time_stats(db):>14.3f}   {size:>10.0f}",
                      flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
