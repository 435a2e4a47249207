"""Where published files go: a local folder or an S3-compatible bucket, behind one protocol.

Keys are content hashes (``<sha256>.<ext>``), so the same file is stored once and its object can
be cached forever (``Cache-Control: immutable``). :func:`open_storage` turns a ``file://DIR`` or
``s3://bucket/prefix`` location into a :class:`Storage`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, unquote, urlsplit

from vidkit.errors import ConfigError, VidkitError

ProgressFn = Callable[[int], None]  # called with the number of bytes just sent
IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
}
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")


class StorageError(VidkitError):
    """The storage cannot be reached, refuses access, or an upload failed."""


class Storage(Protocol):
    """A place that keeps published objects and hands out URLs that fetch them."""

    location: str

    def put(
        self,
        path: Path,
        key: str,
        *,
        content_type: str,
        cache_control: str = IMMUTABLE,
        on_progress: ProgressFn | None = None,
    ) -> bool:
        """Store ``path`` under ``key`` unless it is already there; True if bytes were sent."""
        ...

    def exists(self, key: str) -> bool: ...

    def url(self, key: str) -> str:
        """An absolute URL that fetches ``key`` now (public, or presigned at call time)."""
        ...

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def check(self) -> None:
        """Raise :class:`StorageError` naming the place and what to check if it is unusable."""
        ...


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def content_key(digest: str, suffix: str) -> str:
    """The storage key for content with this SHA-256: ``<sha256><.ext>``."""
    return f"{digest}{suffix.lower()}"


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def valid_key(key: str) -> bool:
    """Keys vidkit writes: plain path segments, no ``..``, no leading slash."""
    return bool(_KEY.fullmatch(key)) and ".." not in key.split("/")


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
        on_progress: ProgressFn | None = None,
    ) -> bool:
        target = self.path(key)
        if target.is_file() and target.stat().st_size == path.stat().st_size:
            return False
        tmp = target.with_name(f".{target.name}.part-{os.getpid()}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "rb") as src, open(tmp, "wb") as dst:
                while block := src.read(1 << 20):
                    dst.write(block)
                    if on_progress:
                        on_progress(len(block))
            os.replace(tmp, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
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


def open_storage(location: str, *, base_url: str, public_url: str | None = None) -> Storage:
    """A :class:`Storage` for ``file://DIR`` (or a plain folder path) or ``s3://bucket/prefix``."""
    if location.startswith("s3://"):
        from vidkit.store.s3 import S3Storage

        parts = urlsplit(location)
        if not parts.netloc:
            raise ConfigError(
                f"no bucket in {location!r}", key="VIDKIT_STORAGE", hint="s3://bucket/prefix"
            )
        return S3Storage(bucket=parts.netloc, prefix=parts.path.strip("/"), public_url=public_url)
    if location.startswith("file://"):
        rest = location[len("file://") :]
        # file:///abs/dir, file://./rel/dir and file://rel/dir are all accepted.
        folder = Path(unquote(rest)).expanduser()
    elif "://" in location:
        raise ConfigError(
            f"unsupported storage {location!r}",
            key="VIDKIT_STORAGE",
            hint="use file://DIR or s3://bucket/prefix",
        )
    else:
        folder = Path(location).expanduser()
    return LocalStorage(root=folder.resolve(), base_url=base_url)
