"""Where a campaign's clips come from: local files (hashed once) and ``s3://`` URLs (downloaded once).

Both give a local path and a content hash. Hashes of local files are remembered by
``(path, size, mtime)`` in a small JSON cache, so a rerun over hundreds of clips reads none of
them again; S3 objects are downloaded into a cache folder named by their ETag, so a rerun asks
S3 one HEAD per clip and downloads nothing that has not changed.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from vidkit.errors import MediaError
from vidkit.files import atomic_path, sha256_file, write_atomic
from vidkit.store.s3 import make_client


class HashCache:
    """Content hashes of local files, remembered by ``(size, mtime_ns)`` in a JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._dirty = False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self._entries: dict[str, list[Any]] = dict(data.get("files", {}))
        except (OSError, ValueError, AttributeError):
            self._entries = {}

    def sha256(self, path: Path) -> str:
        """The file's sha256; raise :class:`MediaError` if it cannot be read."""
        key = str(path.resolve())
        try:
            st = path.stat()
        except FileNotFoundError:
            raise MediaError("clip not found", path=path) from None
        except OSError as exc:
            raise MediaError(f"cannot read clip: {exc.strerror}", path=path) from None
        if not path.is_file():
            raise MediaError("clip is not a file", path=path)
        with self._lock:
            hit = self._entries.get(key)
        if hit and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
            return str(hit[2])
        try:
            digest = sha256_file(path)
        except OSError as exc:
            raise MediaError(f"cannot read clip: {exc.strerror}", path=path) from None
        with self._lock:
            self._entries[key] = [st.st_size, st.st_mtime_ns, digest]
            self._dirty = True
        return digest

    def save(self) -> None:
        with self._lock:
            if not self._dirty:
                return
            text = json.dumps({"version": 1, "files": self._entries}, indent=0, sort_keys=True)
            self._dirty = False
        write_atomic(self.path, text)


S3ClientFactory = Callable[[], Any]


class ClipSource:
    """Turns a clip reference (absolute path or ``s3://bucket/key``) into a local file and hash."""

    def __init__(
        self,
        hashes: HashCache,
        download_dir: Path,
        s3_client: S3ClientFactory = make_client,
    ) -> None:
        self.hashes = hashes
        self.download_dir = download_dir
        self._s3_factory = s3_client
        self._s3: Any = None
        self._lock = threading.Lock()

    def local(self, ref: str) -> Path:
        """A local path for ``ref``, downloading an S3 object into the cache when needed."""
        if not ref:
            raise MediaError("no clip given", key="clip")
        if not ref.startswith("s3://"):
            return Path(ref)
        return self._download(ref)

    def content_hash(self, ref: str) -> tuple[Path, str]:
        path = self.local(ref)
        return path, self.hashes.sha256(path)

    def close(self) -> None:
        """Close the S3 client's connections, if one was made."""
        with self._lock:
            client, self._s3 = self._s3, None
        if client is not None and hasattr(client, "close"):
            client.close()

    def _client(self) -> Any:
        with self._lock:
            if self._s3 is None:
                self._s3 = self._s3_factory()
            return self._s3

    def _download(self, url: str) -> Path:
        parsed = urlparse(url)
        bucket, key = parsed.netloc, parsed.path.lstrip("/")
        if not bucket or not key:
            raise MediaError("an S3 clip is s3://BUCKET/KEY", path=url)
        from botocore.exceptions import BotoCoreError, ClientError

        client = self._client()
        try:
            head = client.head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("404", "NoSuchKey", "NotFound"):
                raise MediaError("clip not found in S3", path=url) from None
            raise MediaError(f"cannot read clip from S3: {code or exc}", path=url) from None
        except BotoCoreError as exc:
            raise MediaError(f"cannot reach S3: {exc}", path=url) from None
        etag = str(head.get("ETag", "")).strip('"') or str(head.get("ContentLength", ""))
        name = hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()[:16]
        suffix = Path(key).suffix[:10]
        target = self.download_dir / f"{name}-{etag.replace('/', '_')}{suffix}"
        if target.is_file() and target.stat().st_size == head.get("ContentLength", -1):
            return target
        try:
            with atomic_path(target) as tmp:
                client.download_file(bucket, key, str(tmp))
        except (ClientError, BotoCoreError) as exc:
            raise MediaError(f"cannot download clip from S3: {exc}", path=url) from None
        return target
