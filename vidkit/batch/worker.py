"""The job a worker runs: one task rendered with ``make_clip``, on any machine.

Everything it needs travels in the :class:`~vidkit.batch.jobs.Task` (plain, picklable data); the
template is loaded again where the job runs and must have the same content digest the planner
saw. Problems vidkit expects (a corrupt clip, a bad merge field) come back as the result's
``error``; anything else is raised so that a cluster can retry the job elsewhere.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from vidkit.batch.executors import cpu_count
from vidkit.batch.jobs import OutputRecord, Task, TaskResult
from vidkit.errors import ConfigError, VidkitError


def render_task(task: Task) -> TaskResult:
    """Render one task with ``make_clip`` (runs on a worker). Expected faults are results."""
    import socket

    # imported here, not at the top: the render stack loads in workers only
    from vidkit.ffmpeg.locate import locate
    from vidkit.ffmpeg.runner import FFmpegRunner
    from vidkit.render.graph import Encoding
    from vidkit.render.make import make_clip
    from vidkit.template.presets import resolve
    from vidkit.template.templates import load_template

    started = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        template = load_template(
            task.template, user_dirs=[Path(d) for d in task.template_dirs], brand=task.brand
        )
        if template.digest != task.template_digest:
            raise ConfigError(
                f"template {template.name!r} differs on worker {worker}",
                hint="install the same templates and brand kits on every worker",
            )
        threads = task.threads or _threads_here()
        runner = FFmpegRunner(locate(), threads=threads)
        outputs = make_clip(
            Path(task.clip),
            template=template,
            presets=resolve(list(task.presets)),
            out_dir=Path(task.out_dir),
            fields=dict(task.fields),
            captions=task.captions,
            scale=task.scale,
            runner=runner,
            name=task.name,
            encoding=Encoding(threads=threads),
        )
    except VidkitError as exc:
        return TaskResult(
            line=task.line, error=str(exc), seconds=time.perf_counter() - started, worker=worker
        )
    return TaskResult(
        line=task.line,
        outputs=tuple(OutputRecord.from_output(o) for o in outputs),
        seconds=time.perf_counter() - started,
        worker=worker,
    )


def _threads_here() -> int:
    """ffmpeg threads for one job on this machine: its cores shared among the worker's slots."""
    slots = 1
    try:
        from distributed import get_worker

        slots = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        pass
    return max(1, cpu_count() // max(1, slots))
