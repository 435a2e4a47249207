"""Picklable job wrappers for batch tests (imported by worker processes by module name)."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

from vidkit.batch.jobs import Task, TaskResult
from vidkit.batch.worker import render_task
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner

SCALE = 0.25  # 1080x1920 presets render at 270x480: fast, still real encodes


@dataclass(frozen=True)
class CountingJob:
    """Renders for real, and appends the task's line to ``log`` first (one line per render)."""

    log: Path

    def __call__(self, task: Task) -> TaskResult:
        with self.log.open("a", encoding="utf-8") as f:
            f.write(f"{task.line}\n")
        return render_task(task)

    def lines(self) -> list[int]:
        if not self.log.exists():
            return []
        return [int(x) for x in self.log.read_text(encoding="utf-8").split()]


@dataclass(frozen=True)
class DieOnceJob:
    """Kills its worker process the first time it sees ``line`` (a worker dying mid-job)."""

    flag: Path
    line: int

    def __call__(self, task: Task) -> TaskResult:
        if task.line == self.line and not self.flag.exists():
            self.flag.write_text(str(os.getpid()), encoding="utf-8")
            os._exit(1)
        return render_task(task)


@dataclass(frozen=True)
class DieAlwaysJob:
    """Kills its worker process (as the kernel's out-of-memory killer would) on ``line``."""

    line: int

    def __call__(self, task: Task) -> TaskResult:
        if task.line == self.line:
            os.kill(os.getpid(), signal.SIGKILL)
        return render_task(task)


@dataclass(frozen=True)
class ModelReadyJob:
    """Renders, after checking that the caption model was prepared before the worker began."""

    def __call__(self, task: Task) -> TaskResult:
        from vidkit.captions.engines.moonshine_model import is_prepared
        from vidkit.config import user_cache_dir

        if not is_prepared(user_cache_dir()):
            raise AssertionError(f"no prepared caption model in {user_cache_dir()}")
        return render_task(task)


def shout(item: str) -> str:
    """For the executor tests: "crash…" kills the worker every time, "once:PATH" the first
    time only (PATH marks it), "fail…" raises; anything else comes back upper-cased."""
    if item.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    if item.startswith("once:"):
        flag = Path(item[5:])
        if not flag.exists():
            flag.write_text(str(os.getpid()), encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
    if item.startswith("fail"):
        raise ValueError(f"bad item {item}")
    return item.upper()


def make_clip_file(
    path: Path, *, seconds: float = 1.0, size: str = "180x320", hue: int = 0
) -> Path:
    """A short portrait clip with a tone, generated (never committed)."""
    FFmpegRunner(locate())(
        [
            "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency={440 + hue}:duration={seconds}",
            "-vf", f"hue=h={hue}", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path),
        ]
    )  # fmt: skip
    return path


def write_csv(path: Path, text: str, *, bom: bool = False, crlf: bool = False) -> Path:
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8"))
    return path
