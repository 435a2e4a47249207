"""The storage interface every backend implements, and the key and content-type rules.

Keys are content hashes (``<sha256>.<ext>``), so the same file is stored once and its object can
be cached forever (``Cache-Control: immutable``). Backends (``local``, ``s3``) import only this
module; :func:`vidkit.store.open_storage` picks one by the location's scheme.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from vidkit.errors import VidkitError
from vidkit.progress import ChunkFn

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
        on_progress: ChunkFn | None = None,
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


def content_key(digest: str, suffix: str) -> str:
    """The storage key for content with this SHA-256: ``<sha256><.ext>``."""
    return f"{digest}{suffix.lower()}"


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def valid_key(key: str) -> bool:
    """Keys vidkit writes: plain path segments, no ``..``, no leading slash."""
    return bool(_KEY.fullmatch(key)) and ".." not in key.split("/")
