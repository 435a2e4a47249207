"""``vidkit batch``: render a whole campaign (CSV or YAML) into a folder with a manifest."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from vidkit.batch.run import BatchResult, Progress, run
from vidkit.cli.output import emit_json, say
from vidkit.cli.settings_options import db_option, settings, storage_options


@click.command("batch")
@click.argument("campaign", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-t",
    "--template",
    metavar="TEMPLATE",
    help="Template for rows without a 'template' column value (a name or a .yaml file).",
)
@click.option(
    "-p",
    "--presets",
    metavar="PRESETS",
    help="Presets for rows without a 'platforms' value, e.g. reels,shorts or all.",
)
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for the videos, manifest.csv and manifest.json.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Jobs at once on this machine [default: sized to its cores and memory].",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Run the jobs on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs vidkit[cluster]; "
    "workers need vidkit and must see the clips and -o DIR at the same paths).",
)
@click.option(
    "--publish",
    is_flag=True,
    help="Upload each video and put its share link (per 'sharer') in the manifest.",
)
@db_option
@storage_options
@click.option(
    "--scale",
    type=click.FloatRange(min=0.05, max=1.0),
    default=1.0,
    show_default=True,
    help="Render at a fraction of each preset's size (quick drafts).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
def command(
    campaign: Path,
    template: str | None,
    presets: str | None,
    out_dir: Path,
    workers: int | None,
    cluster: str | None,
    publish: bool,
    db: str | None,
    storage: str | None,
    base_url: str | None,
    scale: float,
    as_json: bool,
) -> None:
    """Render every row of CAMPAIGN (.csv or .yaml) to every preset, resumably.

    The CSV has a 'clip' column (paths relative to the CSV, or s3:// URLs) and optional
    'template', 'platforms', 'captions' and 'sharer' columns; every other column is a merge field
    ({name}, {place}, ...). Columns starting with _ are notes. A bad row is reported with its
    line number and the other rows still render. Finished videos are reused on a rerun, so an
    interrupted batch picks up where it stopped. DIR/manifest.csv lists every row x preset.
    """
    target = settings(db=db, storage=storage, base_url=base_url) if publish else None
    bar = None if as_json else _Bar()
    try:
        result = run(
            campaign,
            out_dir=out_dir,
            template=template,
            presets=presets,
            scale=scale,
            workers=workers,
            cluster=cluster,
            publish=target,
            on_progress=bar,
        )
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        emit_json(result.to_dict())
    else:
        _report(result)
    for problem in result.manifest_errors:  # with --json too: people read stderr
        say(problem, fg="red")
    if not result.ok:
        sys.exit(1)


def _report(result: BatchResult) -> None:
    s = result.summary()
    for row in result.failures():
        say(f"{Path(row.source).name} line {row.line}: {row.error}", fg="red")
    say(
        f"{s['ok']} of {s['outputs']} videos ok ({s['rendered']} rendered, {s['reused']} reused), "
        f"{s['failed']} failed, in {s['elapsed']:.1f}s on {s['workers']} {s['executor']} worker(s)"
    )
    if s["published"]:
        say(f"{s['published']} videos published; share links are in the manifest")
    if not result.manifest_errors:
        say(f"manifest: {result.out_dir / 'manifest.csv'}")


class _Bar:
    """One line on stderr across all jobs: done/total, output seconds, ETA."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown = False
        self.tty = sys.stderr.isatty()
        self.failed = 0
        self.logged = 0

    def __call__(self, p: Progress) -> None:
        if p.total == 0:
            return
        if p.done == 0:
            self.started = time.monotonic()  # rendering starts now; planning is done
        if p.error:
            self.failed += 1
        frac = p.seconds_done / p.seconds_total if p.seconds_total else p.done / p.total
        elapsed = time.monotonic() - self.started
        eta = elapsed / frac * (1 - frac) if frac > 0 else None
        width = 24
        fill = int(width * frac)
        text = (
            f"[{'#' * fill}{'-' * (width - fill)}] {p.done}/{p.total} jobs "
            f"{frac:4.0%}  ETA {_clock(eta)}"
        )
        if self.failed:
            text += f"  {self.failed} failed"
        if self.tty:
            click.echo("\r" + text, err=True, nl=False)
            self.shown = True
        elif int(frac * 10) > self.logged or p.done in (0, p.total):
            self.logged = int(frac * 10)  # not a terminal (a log file): every 10 %
            click.echo(text, err=True)

    def close(self) -> None:
        if self.shown:
            click.echo(err=True)
            self.shown = False


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    m, s = divmod(int(seconds + 0.5), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
