"""S3 storage: any S3-compatible store through the standard AWS configuration.

Credentials, region and endpoint come from boto3's usual sources (``AWS_ACCESS_KEY_ID``,
``AWS_PROFILE``, ``AWS_REGION``, ``AWS_ENDPOINT_URL``, ``~/.aws/config`` ...). Large files go up
in parts with retries; objects are private and handed out through presigned URLs made at request
time, unless a public base URL (a CDN, or a bucket whose policy allows reading) is configured.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from vidkit.errors import ConfigError
from vidkit.progress import ChunkFn
from vidkit.store.base import IMMUTABLE, StorageError

PRESIGN_SECONDS = 12 * 3600
CONNECT_TIMEOUT, READ_TIMEOUT, ATTEMPTS = 5, 60, 5
_MB = 1024 * 1024


def make_client() -> Any:
    """The one boto3 S3 client vidkit makes (publish, share server, batch clip downloads):
    the standard AWS configuration, with retries and timeouts, path-style addressing."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": ATTEMPTS, "mode": "standard"},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        s3={"addressing_style": "path"},
        signature_version="s3v4",
    )
    return boto3.session.Session().client("s3", config=config)


def from_location(location: str, *, base_url: str, public_url: str | None = None) -> S3Storage:
    """``s3://bucket/prefix`` (``base_url`` is not needed: objects have their own URLs)."""
    parts = urlsplit(location)
    if not parts.netloc:
        raise ConfigError(
            f"no bucket in {location!r}", key="VIDKIT_STORAGE", hint="s3://bucket/prefix"
        )
    return S3Storage(bucket=parts.netloc, prefix=parts.path.strip("/"), public_url=public_url)


@dataclass(frozen=True)
class S3Storage:
    """Objects under ``s3://bucket/prefix``."""

    bucket: str
    prefix: str = ""
    public_url: str | None = None  # objects are public at {public_url}/{prefix/key}
    multipart_threshold: int = 16 * _MB
    multipart_chunksize: int = 16 * _MB
    client: Any = field(default=None, compare=False, repr=False)

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    @functools.cached_property
    def _client(self) -> Any:
        return self.client if self.client is not None else make_client()

    @property
    def endpoint(self) -> str:
        return str(self._client.meta.endpoint_url)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(
        self,
        path: Path,
        key: str,
        *,
        content_type: str,
        cache_control: str = IMMUTABLE,
        on_progress: ChunkFn | None = None,
    ) -> bool:
        from boto3.s3.transfer import TransferConfig

        size = path.stat().st_size
        if self._size(key) == size:
            return False
        transfer = TransferConfig(
            multipart_threshold=self.multipart_threshold,
            multipart_chunksize=self.multipart_chunksize,
            max_concurrency=4,
            use_threads=True,
        )
        extra = {"ContentType": content_type, "CacheControl": cache_control}
        with self._errors(f"upload {path.name}"):
            self._client.upload_file(
                str(path),
                self.bucket,
                self._key(key),
                ExtraArgs=extra,
                Config=transfer,
                Callback=on_progress,
            )
        return True

    def exists(self, key: str) -> bool:
        return self._size(key) is not None

    def _size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            with self._errors("look up an object", missing_ok=True):
                head = self._client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError:
            return None
        return int(head["ContentLength"])

    def url(self, key: str) -> str:
        if self.public_url:
            return f"{self.public_url}/{quote(self._key(key))}"
        with self._errors("sign a URL"):
            return str(
                self._client.generate_presigned_url(
                    "get_object",
                    Params={"Bucket": self.bucket, "Key": self._key(key)},
                    ExpiresIn=PRESIGN_SECONDS,
                )
            )

    def read(self, key: str) -> bytes:
        with self._errors(f"read {key}"):
            obj = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
            body = obj["Body"]
            try:
                return bytes(body.read())
            finally:
                body.close()

    def delete(self, key: str) -> None:
        with self._errors(f"delete {key}"):
            self._client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def check(self) -> None:
        with self._errors("open the bucket"):
            self._client.head_bucket(Bucket=self.bucket)

    def _errors(self, doing: str, *, missing_ok: bool = False) -> _S3Errors:
        return _S3Errors(self, doing, missing_ok)


@dataclass
class _S3Errors:
    """Turns botocore's exceptions into one-line :class:`StorageError` s naming what to check."""

    storage: S3Storage
    doing: str
    missing_ok: bool

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> bool:
        if exc is None:
            return False
        error = describe_s3_error(exc, self.storage, self.doing, self.missing_ok)
        if error is None:
            return False
        raise error from None


def describe_s3_error(
    exc: BaseException, storage: S3Storage, doing: str, missing_ok: bool = False
) -> StorageError | None:
    """The :class:`StorageError` for a botocore/boto3 exception, or None to let it through."""
    from boto3.exceptions import S3UploadFailedError
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
        ReadTimeoutError,
    )

    bucket = storage.bucket
    try:
        endpoint = storage.endpoint
    except Exception:  # noqa: BLE001 - the endpoint is only for the message
        endpoint = "the default endpoint"
    where = f"bucket {bucket!r} at {endpoint}"
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return StorageError(
            f"cannot {doing}: no AWS credentials for {where}",
            hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
        )
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
        return StorageError(
            f"cannot {doing}: S3 endpoint {endpoint} is unreachable",
            hint="check AWS_ENDPOINT_URL, the network and that the service is running",
        )
    code = ""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if missing_ok and code in ("404", "NoSuchKey", "NotFound"):
            return None
        code = code or str(status)
    elif isinstance(exc, S3UploadFailedError):
        text = str(exc)
        code = next((c for c in _CODES if c in text), "UploadFailed")
    else:
        return None
    if code in ("NoSuchBucket",) or (code in ("404", "NotFound") and doing == "open the bucket"):
        return StorageError(
            f"cannot {doing}: {where} does not exist",
            hint="create it, or fix the bucket name in VIDKIT_STORAGE",
        )
    if code in _AUTH_CODES:
        return StorageError(
            f"cannot {doing}: {where} refused the credentials ({code})",
            hint="check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_PROFILE and bucket policy",
        )
    return StorageError(f"cannot {doing} in {where}: {code}: {_message(exc)}")


_AUTH_CODES = (
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AccessDenied",
    "403",
    "Forbidden",
    "ExpiredToken",
    "InvalidToken",
)
_CODES = ("NoSuchBucket", *_AUTH_CODES)


def _message(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200]
