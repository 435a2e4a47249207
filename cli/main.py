"""The ``vidkit`` command group. Each subcommand lives in its own module and is added here."""

from __future__ import annotations

import sys

import click

from vidkit import __version__

from .output import handle_errors


class VidkitGroup(click.Group):
    """A group that turns :class:`VidkitError` into one line on stderr and its exit code."""

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


def _register() -> None:
    from . import (
        batch,
        captions,
        doctor,
        links,
        make,
        probe,
        publish,
        purge,
        serve,
        stats,
        templates,
    )

    for module in (
        make,
        captions,
        probe,
        templates,
        doctor,
        batch,
        publish,
        links,
        serve,
        stats,
        purge,
    ):
        cli.add_command(module.command)


_register()


def main() -> None:
    cli(prog_name="vidkit")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
