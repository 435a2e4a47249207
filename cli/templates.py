"""vidkit templates: list built-in and your own templates, print one to copy and edit."""

from __future__ import annotations

from pathlib import Path

import click

from vidkit.cli.output import emit_json
from vidkit.template.templates import find_template, list_templates, load_template

_dirs = click.option(
    "--template-dir", "template_dirs", multiple=True, type=click.Path(path_type=Path),
    help="Folder of your own templates, searched before the built-ins (or $VIDKIT_TEMPLATES).",
)  # fmt: skip


@click.group("templates")
def command() -> None:
    """List templates, show one, or check your own."""


@command.command("list")
@_dirs
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def list_(template_dirs: tuple[Path, ...], as_json: bool) -> None:
    """List the templates you can use with `vidkit make -t NAME`."""
    rows = []
    for name in list_templates(template_dirs):
        t = load_template(name, user_dirs=template_dirs)
        rows.append({"name": name, "description": t.description, "path": str(t.path),
                     "fields": sorted(t.fields | set(t.defaults))})  # fmt: skip
    if as_json:
        emit_json({"templates": rows})
        return
    width = max((len(r["name"]) for r in rows), default=0)
    for r in rows:
        click.echo(f"{r['name']:<{width}}  {r['description']}")


@command.command("show")
@click.argument("name")
@_dirs
def show(name: str, template_dirs: tuple[Path, ...]) -> None:
    """Print template NAME as YAML you can copy, edit and use with -t FILE.yaml."""
    click.echo(find_template(name, template_dirs).read_text(encoding="utf-8"), nl=False)


@command.command("check")
@click.argument("path", type=click.Path(path_type=Path))
def check(path: Path) -> None:
    """Validate a template file (and its brand kit); say what is wrong and on which line."""
    t = load_template(path)
    click.echo(f"{path}: ok (template {t.name!r}, brand {t.brand.name!r}, fields: "
               f"{', '.join(sorted(t.fields | set(t.defaults))) or 'none'})")  # fmt: skip
