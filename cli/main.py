"""The ``vidkit`` command group. Each subcommand lives in its own module and is added here."""

from __future__ import annotations

import importlib
import sys

import click

from vidkit import __version__
from vidkit.cli.output import handle_errors

# Each subcommand lives in its own module exposing ``command``; they are imported only when
# used, so `vidkit --help` and quick commands don't pay for the web server or the renderer.
COMMANDS = (
    "make", "preview", "captions", "probe", "templates", "doctor", "batch",
    "publish", "links", "serve", "stats", "insights", "purge",
)  # fmt: skip


class VidkitGroup(click.Group):
    """Lazily loaded subcommands; :class:`VidkitError` becomes one line and its exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"{__package__}.{name}")
        cmd: click.Command = module.command
        return cmd

    def invoke(self, ctx: click.Context) -> object:
        with handle_errors():
            return super().invoke(ctx)


@click.group(
    cls=VidkitGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="vidkit")
def cli() -> None:
    """Turn members' phone clips into branded, captioned, platform-ready campaign videos.

    Start with `vidkit make CLIP` (every option has a sensible default), `vidkit doctor` to check
    the set-up, and `vidkit COMMAND --help` for each command.
    """


def main() -> None:
    cli(prog_name="vidkit")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
