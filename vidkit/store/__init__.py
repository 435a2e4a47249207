"""Where published files go: a local folder or an S3-compatible bucket, behind one protocol.

:func:`open_storage` turns a location (``file://DIR``, a plain folder path, or
``s3://bucket/prefix``) into a :class:`~vidkit.store.base.Storage`; :func:`storage_for` does
it for a :class:`~vidkit.config.Settings`. Backends are named here by import string, so boto3
is only imported when an ``s3://`` location is opened.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from vidkit.errors import ConfigError
from vidkit.store.base import Storage, StorageError

if TYPE_CHECKING:
    from vidkit.config import Settings

__all__ = ["BACKENDS", "Storage", "StorageError", "open_storage", "storage_for"]

#: scheme -> "module:function" taking (location, base_url=..., public_url=...)
BACKENDS = {
    "file": "vidkit.store.local:from_location",
    "s3": "vidkit.store.s3:from_location",
}


def open_storage(location: str, *, base_url: str, public_url: str | None = None) -> Storage:
    """A :class:`Storage` for ``file://DIR`` (or a plain folder path) or ``s3://bucket/prefix``."""
    scheme = location.split("://", 1)[0] if "://" in location else "file"
    if scheme not in BACKENDS:
        raise ConfigError(
            f"unsupported storage {location!r}",
            key="VIDKIT_STORAGE",
            hint="use file://DIR or s3://bucket/prefix",
        )
    module, _, name = BACKENDS[scheme].partition(":")
    factory = getattr(importlib.import_module(module), name)
    return factory(location, base_url=base_url, public_url=public_url)  # type: ignore[no-any-return]


def storage_for(settings: Settings) -> Storage:
    """The storage a :class:`~vidkit.config.Settings` names (``VIDKIT_STORAGE``)."""
    return open_storage(
        settings.storage, base_url=settings.base_url, public_url=settings.s3_public_url
    )
