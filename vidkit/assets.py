"""Where built-in and user content lives, and safe resolution of asset paths inside it."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from vidkit.errors import TemplateError

_ROOT = Path(__file__).resolve().parent.parent


def builtin_dir(folder: str) -> Path:
    """``templates`` or ``brand_assets``: the checkout's folder, or the installed package data."""
    checkout = _ROOT / folder
    if checkout.is_dir() and (_ROOT / "pyproject.toml").is_file():
        return checkout
    package = {"templates": "vidkit.templates_data", "brand_assets": "vidkit.brand_assets"}[folder]
    return Path(str(resources.files(package)))


def search_dirs(
    folder: str, user_dirs: Sequence[Path | str] = (), env: str | None = None
) -> list[Path]:
    """User folders first (options, then the environment variable), then the built-in folder."""
    dirs = [Path(d) for d in user_dirs]
    if env and os.environ.get(env):
        dirs += [Path(d) for d in os.environ[env].split(os.pathsep) if d]
    dirs.append(builtin_dir(folder))
    return dirs


def inside(base: Path, relative: str, *, path: Path, key: str, line: int | None = None) -> Path:
    """Resolve ``relative`` under ``base``; refuse absolute paths, ``..`` escapes and missing files."""
    if not relative or os.path.isabs(relative) or relative.startswith("~"):
        raise TemplateError(
            "asset paths must be relative to their folder", path=path, key=key, line=line
        )
    target = (base / relative).resolve()
    if not target.is_relative_to(base.resolve()):
        raise TemplateError(
            f"asset path {relative!r} leaves its folder", path=path, key=key, line=line
        )
    if not target.is_file():
        raise TemplateError(f"asset not found: {relative}", path=path, key=key, line=line)
    return target


def digest_files(paths: Iterable[Path], extra: str = "") -> str:
    """A content hash over files (names relative to nothing: content and order only)."""
    h = hashlib.sha256(extra.encode())
    for p in paths:
        h.update(b"\0file\0")
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()
