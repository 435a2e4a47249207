"""vidkit doctor: is everything vidkit needs here, and which ffmpeg and fonts will it use?"""

from __future__ import annotations

import click

from vidkit.cli.output import emit_json
from vidkit.doctor import diagnose


def _flags(found: dict[str, bool]) -> str:
    return ", ".join(f"{name}: {'yes' if ok else 'MISSING'}" for name, ok in found.items())


@click.command("doctor")
@click.option(
    "--ffmpeg", envvar="VIDKIT_FFMPEG", help="Check this ffmpeg instead of the bundled one."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def command(ffmpeg: str | None, as_json: bool) -> None:
    """Check the set-up: ffmpeg, caption engine, fonts, templates, brands, configuration."""
    report = diagnose(ffmpeg)
    if as_json:
        emit_json(report)
        return
    ff = report["ffmpeg"]
    click.echo(f"ffmpeg    {ff['path']} ({ff['version']}, {ff['source']})")
    click.echo(f"encoders  {_flags(ff['encoders'])}")
    click.echo(f"filters   {_flags(ff['filters'])}")
    click.echo(
        f"fonts     {len(report['fonts'])} bundled ({', '.join(f['name'] for f in report['fonts'])})"
    )
    captions = report["captions"]
    if captions["engine"]:
        langs = ", ".join(captions["languages"] or ["the model's"])
        note = f"; {captions['note']}" if captions["note"] else ""
        click.echo(f"captions  {captions['engine']} ({langs}{note})")
    log = report["clicklog"]
    if log is not None:
        state = "writable" if log["writable"] else "NOT WRITABLE"
        click.echo(
            f"clicklog  {log['directory']} ({log['segments']} segment(s) to replay, {state})"
        )
    click.echo(f"templates {', '.join(report['templates'])}")
    click.echo(f"brands    {', '.join(report['brands'])}")
    for key, value in report["config"].items():
        click.echo(f"config    {key}={value}")
    problems = report["problems"]
    for p in problems:
        click.secho(f"problem   {p}", fg="red")
    click.secho("all good" if not problems else f"{len(problems)} problem(s)",
                fg="green" if not problems else "red", err=True)  # fmt: skip
    if problems:
        raise SystemExit(1)
