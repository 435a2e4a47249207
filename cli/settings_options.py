"""Options shared by the publish-and-track commands: where the database and media live."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from vidkit.config import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    return click.option(
        "--db",
        metavar="URL",
        help="Database: a SQLite file path or postgresql://... [env VIDKIT_DB; "
        "default: vidkit.db in VIDKIT_HOME or the user data folder]",
    )(f)


def storage_options(f: F) -> F:
    f = click.option(
        "--base-url",
        metavar="URL",
        help="Public base of share links [env VIDKIT_BASE_URL; default http://127.0.0.1:8000]",
    )(f)
    return click.option(
        "--storage",
        metavar="URL",
        help="Where media goes: file://DIR or s3://bucket/prefix [env VIDKIT_STORAGE; "
        "default: media/ in VIDKIT_HOME or the user data folder]",
    )(f)


def brand_option(f: F) -> F:
    return click.option(
        "--brand",
        metavar="NAME|DIR",
        help="Brand kit for share pages and link cards: a name in brand_assets/ or a folder "
        "[env VIDKIT_BRAND; default: default]",
    )(f)


def settings(**options: object) -> Settings:
    """Environment settings with the command-line options that were given applied on top."""
    return load_settings().with_options(**options)
