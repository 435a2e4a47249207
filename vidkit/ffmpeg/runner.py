"""The one place vidkit starts ffmpeg: argv in, files and progress out.

``Runner`` is the seam: the real one runs the process; tests or other executors may pass their
own. Outputs are written to hidden temporary names beside their final paths and renamed into
place only when every output of the job succeeded, so a failure or Ctrl-C never leaves a partial
file where a finished one is expected.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from vidkit.errors import RenderError
from vidkit.ffmpeg.locate import FFmpeg
from vidkit.files import temp_beside
from vidkit.progress import FractionFn


class Runner(Protocol):
    def __call__(
        self,
        args: Sequence[str],
        *,
        duration: float | None = None,
        on_progress: FractionFn | None = None,
    ) -> str: ...


@dataclass(frozen=True)
class FFmpegRunner:
    """Runs ``ffmpeg ARGS`` with progress parsing; returns stderr, raises :class:`RenderError`."""

    ffmpeg: FFmpeg
    threads: int | None = None
    verbose: bool = False

    def __call__(
        self,
        args: Sequence[str],
        *,
        duration: float | None = None,
        on_progress: FractionFn | None = None,
    ) -> str:
        argv = [self.ffmpeg.path, "-hide_banner", "-nostdin", "-y"]
        if self.threads:  # parallel batch jobs: keep filters within this job's share of cores
            argv += ["-filter_threads", str(self.threads)]
            argv += ["-filter_complex_threads", str(self.threads)]
        if on_progress is not None:
            argv += ["-progress", "pipe:1", "-nostats"]
        argv += list(args)
        if self.verbose:
            import shlex

            print("+ " + shlex.join(argv), file=sys.stderr, flush=True)
        tail: deque[str] = deque(maxlen=400)
        with subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if on_progress else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        ) as proc:
            reader = threading.Thread(target=_drain, args=(proc.stderr, tail), daemon=True)
            reader.start()
            try:
                if on_progress is not None and proc.stdout is not None:
                    for line in proc.stdout:
                        if line.startswith("out_time_us=") and duration:
                            try:
                                seconds = int(line.split("=", 1)[1]) / 1e6
                            except ValueError:
                                continue
                            on_progress(max(0.0, min(1.0, seconds / duration)))
                proc.wait()
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            finally:
                reader.join(timeout=5)
        stderr = "".join(tail)
        if proc.returncode != 0:
            raise RenderError(f"ffmpeg failed: {_reason(stderr)}")
        return stderr


def _drain(stream, tail: deque[str]) -> None:  # type: ignore[no-untyped-def]
    for line in stream:
        tail.append(line)


def _reason(stderr: str) -> str:
    """The most telling line of an ffmpeg error log."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()][-60:]
    words = ("error", "invalid", "no such", "failed", "unable", "cannot", "do not match")
    generic = ("conversion failed", "task finished", "terminating thread", "nothing was written")
    for ln in lines:  # the first specific complaint is the cause; later lines are fallout
        low = ln.lower()
        if any(w in low for w in words) and not any(g in low for g in generic):
            return re.sub(r"^\[[^\]]*\]\s*", "", ln)
    return lines[-1] if lines else "unknown error"


@contextlib.contextmanager
def atomic_outputs(finals: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield temporary paths for ``finals``; rename them all into place on success.

    The temporaries keep the final extension (ffmpeg picks the muxer from it) and are hidden
    (leading dot) so that a crash never leaves something that looks like a finished output.
    """
    temps = [temp_beside(f) for f in finals]
    for f in finals:
        f.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield temps
    except BaseException:
        for t in temps:
            with contextlib.suppress(FileNotFoundError):
                t.unlink()
        raise
    missing = [t for t in temps if not t.exists()]
    if missing:
        for t in temps:
            with contextlib.suppress(FileNotFoundError):
                t.unlink()
        raise RenderError(f"ffmpeg produced no {missing[0].suffix} output")
    for t, f in zip(temps, finals):
        os.replace(t, f)
