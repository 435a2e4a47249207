"""Local storage: published objects as files in a folder, served by the share server."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from vidkit.files import CHUNK, atomic_path, sweep_leftovers
from vidkit.progress import ChunkFn
from vidkit.store.base import IMMUTABLE, StorageError, valid_key


@dataclass(frozen=True)
class LocalStorage:
    """Objects as files under ``root``; the share server serves them at ``{base_url}/media/``."""

    root: Path
    base_url: str

    @property
    def location(self) -> str:
        return self.root.as_uri()

    def path(self, key: str) -> Path:
        if not valid_key(key):
            raise StorageError(f"invalid storage key: {key!r}")
        return self.root / key

    def put(
        self,
        path: Path,
        key: str,
        *,
        content_type: str,
        cache_control: str = IMMUTABLE,
        on_progress: ChunkFn | None = None,
    ) -> bool:
        target = self.path(key)
        if target.is_file() and target.stat().st_size == path.stat().st_size:
            return False
        try:
            with atomic_path(target) as tmp, open(path, "rb") as src, open(tmp, "wb") as dst:
                while block := src.read(CHUNK):
                    dst.write(block)
                    if on_progress:
                        on_progress(len(block))
        except OSError as exc:
            raise StorageError(
                f"cannot write {target}: {exc.strerror}", hint="check VIDKIT_STORAGE"
            ) from None
        return True

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def url(self, key: str) -> str:
        return f"{self.base_url}/media/{quote(key)}"

    def read(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except OSError as exc:
            raise StorageError(f"cannot read {self.path(key)}: {exc.strerror}") from None

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot create media folder {self.root}: {exc.strerror}",
                hint="check VIDKIT_STORAGE",
            ) from None
        if not os.access(self.root, os.W_OK):
            raise StorageError(f"media folder {self.root} is not writable")
        self.sweep()

    def sweep(self) -> list[Path]:
        """Delete the half-written uploads of publishers that were killed (``kill -9``, power
        loss): see :func:`vidkit.files.sweep_leftovers`. :meth:`check` calls it, so every
        publish to this folder cleans up after the ones that died."""
        return sweep_leftovers(Path(d) for d, _, _ in os.walk(self.root))


def from_location(location: str, *, base_url: str, public_url: str | None = None) -> LocalStorage:
    """``file:///abs/dir``, ``file://./rel/dir``, ``file://rel/dir`` or a plain folder path."""
    rest = location[len("file://") :] if location.startswith("file://") else location
    folder = Path(unquote(rest) if location.startswith("file://") else rest).expanduser()
    return LocalStorage(root=folder.resolve(), base_url=base_url)
