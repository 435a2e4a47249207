"""Share-server load: clicks/second against nginx's plain 302, and clicks lost through kill -9.

Run: ``.venv/bin/python bench/bench_share.py [--seconds 5] [--connections 64] [--rounds 2]``
Needs ``wrk`` and ``nginx`` on PATH (Debian: ``apt-get install -y wrk nginx``). Loopback only;
every step is bounded in time and the servers it starts are stopped at the end.

1. Throughput: wrk (1 thread, N keep-alive connections) against nginx answering ``return 302``
   with no access log, then against ``vidkit serve`` answering the share page (a counted click:
   classified, visitor-hashed, appended to the click log before the answer, committed to SQLite
   in batches). Rounds alternate; the best of each is kept. Goal: ratio >= 0.25.
2. Durability: wrk runs against a fresh link, the server is killed with SIGKILL half-way, then
   restarted (it replays its click log) and stopped. Every response wrk received must be a click
   in the database. Goal: 0 lost.
3. Backpressure: one client pipelines share-page requests for 10 s and never reads an answer,
   while a normal visitor fetches the page every 50 ms. Goals: the server's resident memory (all
   workers) grows by at most 50 MB; the visitor's worst latency stays under 1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from vidkit.config import load_settings
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner
from vidkit.share.publish import publish
from vidkit.store import open_storage
from vidkit.track.registry import Registry

UA = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile"
NGINX_CONF = """
worker_processes auto;
daemon off;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{ return 302 https://example.org/landing; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited while starting: {proc.args}")
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=1)
        try:
            conn.request("GET", parts.path)
            conn.getresponse().read()
            return  # it answers (a redirect is not followed)
        except OSError:
            time.sleep(0.05)
        finally:
            conn.close()
    raise SystemExit(f"no answer from {url}")


def wrk(url: str, seconds: int, connections: int, ua: str | None = None) -> tuple[float, int]:
    """Run wrk; return (requests/second, requests answered)."""
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    if ua:
        argv += ["-H", f"User-Agent: {ua}"]
    out = subprocess.run(
        [*argv, url], capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    answered = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} error responses\n{out}")
    return rate, answered


@contextlib.contextmanager
def nginx(root: Path) -> Iterator[str]:
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, port=port))
    proc = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/s/abc"
        wait_http(url, proc)
        yield url
    finally:
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_vidkit(env: dict[str, str], port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vidkit", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: kill -9 reaches every worker
    )
    wait_http(f"http://127.0.0.1:{port}/healthz", proc)
    return proc


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> str:
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err.decode(errors="replace")


def group_rss(pgid: int) -> int:
    """Resident memory (bytes) of every process in the group ``pgid`` (the server's workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # fields after the name: state, ppid, pgrp, ...
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        kb = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(kb.group(1)) * 1024 if kb else 0
    return total


def pipeline_flood(port: int, path: str, seconds: float, stop: threading.Event) -> int:
    """One client that pipelines GETs as fast as it can and never reads; returns bytes sent."""
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\nUser-Agent: {UA}\r\n\r\n".encode() * 64
    sent = 0
    deadline = time.monotonic() + seconds
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(0.2)
        while time.monotonic() < deadline and not stop.is_set():
            try:
                sent += sock.send(request)
            except TimeoutError:
                continue  # the server stopped reading us: backpressure
            except OSError:
                break  # the server closed the connection
    return sent


def visitor_latency(url: str, seconds: float) -> tuple[float, int]:
    """A normal visitor fetching ``url`` (new connection each time); worst latency and count."""
    parts = urlsplit(url)
    worst, n = 0.0, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        t0 = time.monotonic()
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            conn.request("GET", parts.path, headers={"User-Agent": UA})
            conn.getresponse().read()
        except OSError:
            pass  # counted as the full wait below
        finally:
            conn.close()
        worst = max(worst, time.monotonic() - t0)
        n += 1
        time.sleep(0.05)
    return worst, n


def flood(env: dict[str, str], port: int, share: str, seconds: int, workers: int) -> dict:
    """RSS growth of the server under a pipelining client that never reads, and the worst
    latency a normal visitor sees meanwhile."""
    proc = start_vidkit(env, port, workers)
    try:
        time.sleep(1)
        before = group_rss(proc.pid)
        stop_flag = threading.Event()
        result: dict[str, int] = {}
        attacker = threading.Thread(
            target=lambda: result.update(
                sent=pipeline_flood(port, urlsplit(share).path, seconds, stop_flag)
            )
        )
        attacker.start()
        worst, n = visitor_latency(share, seconds)
        peak = group_rss(proc.pid)
        stop_flag.set()
        attacker.join(30)
    finally:
        stop(proc)
    return {"growth": peak - before, "before": before, "worst": worst, "visits": n, **result}


def make_video(folder: Path) -> Path:
    video = folder / "bench.mp4"
    FFmpegRunner(locate())(
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=320x568:r=25:d=1",
            "-f",
            "lavfi",
            "-i",
            "sine=d=1",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            "-movflags",
            "+faststart",
            str(video),
        ]  # fmt: skip
    )
    return video


def throughput(
    env: dict[str, str], port: int, share: str, root: Path, args: argparse.Namespace
) -> tuple[list[int], dict[str, float]]:
    """nginx, then vidkit with one worker and with ``--workers``, alternating; best of each."""
    counts = sorted({1, args.workers})
    best = {"nginx": 0.0, **{f"vidkit-{w}": 0.0 for w in counts}}
    (root / "nginx").mkdir()
    with nginx(root / "nginx") as nginx_url:
        for _ in range(args.rounds):
            rate, _ = wrk(nginx_url, args.seconds, args.connections)
            best["nginx"] = max(best["nginx"], rate)
            for w in counts:
                proc = start_vidkit(env, port, w)
                try:
                    wrk(share, 1, args.connections, UA)  # warm-up: page cache, salt
                    rate, _ = wrk(share, args.seconds, args.connections, UA)
                    best[f"vidkit-{w}"] = max(best[f"vidkit-{w}"], rate)
                finally:
                    stop(proc)
    return counts, best


def kill_nine(env: dict[str, str], port: int, db: str, code: str, args: argparse.Namespace) -> dict:
    """kill -9 of every worker mid-load, restart (replays the click log), stop; count."""
    with Registry.open(db) as reg:
        base = reg.event_count("click")
    proc = start_vidkit(env, port, args.workers)
    load = subprocess.Popen(
        ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "2s",
         "-H", f"User-Agent: {UA}", f"http://127.0.0.1:{port}/s/{code}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(args.seconds / 2)
    os.killpg(proc.pid, signal.SIGKILL)  # no flush, no goodbye, for every worker
    proc.wait()
    deadline = time.monotonic() + 10
    with contextlib.suppress(ProcessLookupError):
        while time.monotonic() < deadline:  # until every worker is gone
            os.killpg(proc.pid, 0)
            time.sleep(0.02)
    out, _ = load.communicate(timeout=args.seconds + 30)
    proc.stderr.close()  # type: ignore[union-attr]
    answered = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    with Registry.open(db) as reg:
        at_kill = reg.event_count("click") - base
    log = stop(start_vidkit(env, port, args.workers))
    with Registry.open(db) as reg:
        stored = reg.event_count("click") - base
    replayed = next((ln for ln in log.splitlines() if "replayed" in ln), "nothing replayed")
    return {"answered": answered, "at_kill": at_kill, "stored": stored, "replayed": replayed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    ap.add_argument("--connections", type=int, default=64, help="wrk keep-alive connections")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds per server")
    ap.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="vidkit workers (and for kill -9)"
    )
    args = ap.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found: apt-get install -y wrk nginx")

    with tempfile.TemporaryDirectory(prefix="vidkit-bench-") as tmp:
        root = Path(tmp)
        port = free_port()
        env = {**os.environ, "VIDKIT_HOME": str(root / "home"),
               "VIDKIT_BASE_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
        env.pop("VIDKIT_DB", None)
        env.pop("VIDKIT_STORAGE", None)
        settings = load_settings(env)
        with Registry.open(settings.db) as reg:
            [res] = publish(
                [make_video(root)],
                title="Benchmark",
                storage=open_storage(settings.storage, base_url=settings.base_url),
                registry=reg,
                base_url=settings.base_url,
            )
            kill_link = reg.create_link(res.id, channel="bench", sharer="kill-9")
        share = f"http://127.0.0.1:{port}/s/{res.code}"
        counts, best = throughput(env, port, share, root, args)  # 1.
        killed = kill_nine(env, port, settings.db, kill_link.code, args)  # 2.
        flooded = flood(env, port, share, max(args.seconds, 10), args.workers)  # 3.
    report(args, counts, best, killed, flooded)


def report(
    args: argparse.Namespace, counts: list[int], best: dict, killed: dict, flooded: dict
) -> None:
    cores = os.cpu_count()
    print(f"wrk -t1 -c{args.connections} -d{args.seconds}s keep-alive, best of {args.rounds} "
          f"rounds, loopback, {cores} cores")  # fmt: skip
    print(f"nginx 'return 302', no access log, {cores} workers: {best['nginx']:>9,.0f} req/s")
    ratios = {}
    for w in counts:
        ratios[w] = best[f"vidkit-{w}"] / best["nginx"]
        print(f"vidkit share page (counted click), {w} worker(s): {best[f'vidkit-{w}']:>9,.0f} req/s"
              f"   ratio {ratios[w]:.2f}")  # fmt: skip
    print("goal: ratio >= 0.25")
    lost = max(0, killed["answered"] - killed["stored"])
    print(
        f"kill -9 of {args.workers} worker(s) mid-load: {killed['answered']:,} clicks answered; "
        f"{killed['at_kill']:,} in the database at the kill; {killed['stored']:,} after restart "
        f"({killed['replayed']})"
    )
    print(f"clicks lost through kill -9: {lost}   (goal 0)")
    growth_mb = flooded["growth"] / 2**20
    print(
        f"pipelining client that never reads ({flooded.get('sent', 0) / 2**20:,.0f} MB sent), "
        f"{args.workers} worker(s): RSS {flooded['before'] / 2**20:,.0f} MB, "
        f"growth {growth_mb:,.1f} MB (goal <= 50); "
        f"a visitor's worst latency meanwhile {flooded['worst']:.3f} s over {flooded['visits']} "
        "visits (goal < 1 s)"
    )
    if max(ratios.values()) < 0.25 or lost or growth_mb > 50 or flooded["worst"] >= 1:
        sys.exit(1)


if __name__ == "__main__":
    main()
