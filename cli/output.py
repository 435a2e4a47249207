"""Shared CLI helpers: JSON on stdout, people's messages on stderr, errors as one line."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

import click

from vidkit.errors import VidkitError


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def say(message: str, *, err: bool = True, **style: Any) -> None:
    click.secho(message, err=err, **style)


def fail(error: VidkitError) -> None:
    click.secho(f"error: {error}", err=True, fg="red")


@contextlib.contextmanager
def handle_errors() -> Iterator[None]:
    """Turn vidkit's own errors into one line on stderr and an exit code; no traceback."""
    try:
        yield
    except VidkitError as exc:
        fail(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.secho("interrupted: nothing partial was left behind", err=True, fg="yellow")
        sys.exit(130)
