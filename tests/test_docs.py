"""Docs that cannot drift: every vidkit command line shown in the README and docs/ names a real
command and real options (parsed by the CLI itself, not run)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from vidkit.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _command_lines() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for line in doc.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^(?:\$ )?(?:\.venv/bin/)?vidkit (.*)$", line.strip())
            if m and "..." not in line and "[" not in line:
                found.append((f"{doc.name}: {line.strip()}", m.group(1)))
    return found


LINES = _command_lines()


def test_docs_show_commands() -> None:
    assert len(LINES) >= 15


@pytest.mark.parametrize(("where", "rest"), LINES, ids=[w for w, _ in LINES])
def test_documented_command_lines_parse(where: str, rest: str) -> None:
    args = []
    for token in shlex.split(rest, comments=True):
        if token in (";", "&", "|", ">") or token.startswith((">", "&", "|")):
            break
        args.append(token.rstrip(";"))
        if token.endswith(";"):
            break
    cmd: click.Command | None = cli
    while isinstance(cmd, click.Group) and args and not args[0].startswith("-"):
        default = getattr(cmd, "default_command", None)  # `vidkit captions CLIP ...`
        if default and args[0] not in cmd.list_commands(click.Context(cmd)):
            args.insert(0, default)
        cmd = cmd.get_command(click.Context(cmd), args.pop(0))
        assert cmd is not None, f"{where}: no such command"
    assert cmd is not None
    known = {"--help", "-h"}
    for param in cmd.params:
        known.update(param.opts, param.secondary_opts)
    for token in args:
        if token.startswith("-") and token != "-":
            assert token.split("=", 1)[0] in known, f"{where}: no option {token}"
    # the arguments parse (files need not exist here)
    cmd.make_context(cmd.name or "vidkit", args, resilient_parsing=True)
