"""The insights report at campaign scale: its cost as events grow, against peers in the same run.

Fills a fresh SQLite database the way the share server does (batches of events in time order
through ``Registry.record``) on a campaign of realistic shape: videos with their root links,
campaign channel links, member links with attributes, and re-shares a few generations deep;
link popularity Zipf-like; members' attributes, platform posts and account audiences saved
through ``vidkit.insights.data``. At each size it times, as new processes (best of 3):

- ``vidkit stats --json`` (the peer that reads the same rollups),
- ``vidkit insights report -o FILE.html --csv DIR`` and ``vidkit insights report --json``,

and, in-process, a naive scan of the raw events (what a report would cost without rollups:
counts and distinct visitors per link and kind). Goals (issue #11): stats ≤ 1 s and the report
≤ 3 s at 10 M events, growing with links × days, not with events.

    .venv/bin/python bench/bench_insights.py --events 1000000 10000000
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

from vidkit.insights import data
from vidkit.track.registry import CHANNELS, Event, Registry, Video

T0 = 1_780_000_000  # a fixed start (2026-05-28 UTC)
KINDS = ("click",) * 6 + ("preview", "preview", "play", "play", "p25", "p50", "p75", "p100", "cta")
REGIONS = ("North", "South", "East", "West", "Midlands", "Wales", "Scotland")
AGES = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")


def _video(n: int) -> Video:
    digest = f"{n:08x}".ljust(64, "b")
    return Video(digest[:12], digest, f"Video {n}", "", f"{digest}.mp4", None, None, (),
                 1080, 1920, 30.0, 1_000_000, T0, template=("rally", "default", None)[n % 3],
                 caption_style=("bold", "plain")[n % 2])  # fmt: skip


def make_campaign(registry: Registry, links: int, members: int, rng: random.Random) -> list[int]:
    """``links`` links over ``links // 20`` videos: per video a root and two channel links,
    then member links and re-shares (a random earlier link of the same video, up to 6 deep)."""
    videos = max(1, links // 20)
    ids: list[int] = []
    tree: dict[str, list[tuple[str, int]]] = {}  # video -> (code, depth)
    for n in range(videos):
        video, root, _ = registry.register(_video(n))
        tree[video.id] = [(root.code, 0)]
        ids.append(root.id)
        for channel in ("facebook", "x"):
            link = registry.create_link(video.id, channel=channel)
            tree[video.id].append((link.code, 0))
            ids.append(link.id)
    while len(ids) < links:
        vid = _video(rng.randrange(videos)).id
        if rng.random() < 0.4:
            link = registry.create_link(vid, channel=rng.choice(CHANNELS),
                                        sharer=f"member{rng.randrange(members)}")  # fmt: skip
            depth = 0
        else:
            parent, depth = rng.choice([p for p in tree[vid] if p[1] < 6])
            link = registry.create_link(vid, channel=rng.choice(CHANNELS), parent=parent)
            depth += 1
        tree[vid].append((link.code, depth))
        ids.append(link.id)
    return ids


def add_insights(registry: Registry, members: int, rng: random.Random) -> None:
    db = registry.db
    data.save_members(db, {f"member{m}": {"region": rng.choice(REGIONS), "age_band": rng.choice(AGES),
                                          "constituency": f"C{rng.randrange(60)}"}
                           for m in range(members)})  # fmt: skip
    posts = []
    for video in registry.videos():
        for platform in ("facebook", "youtube"):
            posts.append(data.PlatformPost(platform, f"{platform}-{video.id}", video_id=video.id,
                                           metrics={"views": rng.randrange(100, 50_000)}))  # fmt: skip
    data.save_posts(db, posts, T0)
    data.save_audience(db, "facebook", [("age", a, 1 / len(AGES)) for a in AGES], T0)


def fill(registry: Registry, ids: list[int], events: int, days: int, start: int) -> float:
    """Record ``events`` events in time order over ``days`` days; return events per second."""
    rng = random.Random(events + start)
    weights = [1 / (rank + 1) for rank in range(len(ids))]
    rng.shuffle(weights)
    step = days * 86400 / max(1, start + events)
    began = time.perf_counter()
    done = 0
    while done < events:
        n = min(2000, events - done)
        links = rng.choices(ids, weights, k=n)
        chunk = [
            Event(int(T0 + (start + done + i) * step), links[i], rng.choice(KINDS),
                  f"{rng.getrandbits(40):010x}", rng.choice(("wa.me", "t.co", "m.facebook.com", None)),
                  rng.choice(("GB", "GB", "GB", "IE", "FR", None)))
            for i in range(n)
        ]  # fmt: skip
        registry.record(chunk)
        done += n
    return events / (time.perf_counter() - began)


def best(argv: list[str], db: str, runs: int = 3) -> float:
    """Best wall seconds of a vidkit command as a new process."""
    env = dict(os.environ, VIDKIT_DB=db)
    out = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "vidkit", *argv], env=env, check=True,
                       capture_output=True)  # fmt: skip
        out = min(out, time.perf_counter() - began)
    return out


def naive(registry: Registry) -> float:
    began = time.perf_counter()
    registry.db.query(
        "SELECT link_id, kind, COUNT(*), COUNT(DISTINCT visitor) FROM events GROUP BY link_id, kind"
    )
    return time.perf_counter() - began


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--links", type=int, default=2000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--members", type=int, default=600)
    args = ap.parse_args()
    rng = random.Random(7)
    print(f"links {args.links}, days {args.days}, members {args.members}; {os.cpu_count()} cores")
    print("events      ingest ev/s  daily rows  stats s  report s  json s  naive s  "
          "report/stats  report/naive")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="vidkit-bench-insights-") as tmp:
        db, html, csvs = str(Path(tmp) / "vidkit.db"), Path(tmp) / "r.html", Path(tmp) / "csv"
        have = 0
        with Registry.open(db) as registry:
            ids = make_campaign(registry, args.links, args.members, rng)
            add_insights(registry, args.members, rng)
            for target in sorted(args.events):
                rate = fill(registry, ids, target - have, args.days, start=have)
                have = target
                registry.db.execute("ANALYZE")
                rows = registry.db.query("SELECT COUNT(*) FROM daily_links")[0][0]
                stats_s = best(["stats", "--json"], db)
                report_s = best(["insights", "report", "-o", str(html), "--csv", str(csvs)], db)
                json_s = best(["insights", "report", "--json"], db)
                naive_s = naive(registry)
                print(f"{target:>10,}  {rate:>11,.0f}  {rows:>10,}  {stats_s:>7.3f}  "
                      f"{report_s:>8.3f}  {json_s:>6.3f}  {naive_s:>7.3f}  "
                      f"{report_s / stats_s:>12.2f}  {report_s / naive_s:>12.3f}",
                      flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
