"""Settings for publishing and the share server, from options and the environment.

Every setting has a default that works on a fresh machine with no set-up: a SQLite database,
media files and the click log all live in one data folder (``$VIDKIT_HOME``, else the user's data
directory), and share links point at the local share server. Options given on the command line
win over the environment, which wins over the defaults.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from vidkit.errors import ConfigError

ENV = {
    "home": "VIDKIT_HOME",
    "db": "VIDKIT_DB",
    "storage": "VIDKIT_STORAGE",
    "base_url": "VIDKIT_BASE_URL",
    "admin_token": "VIDKIT_ADMIN_TOKEN",
    "retention_days": "VIDKIT_RETENTION_DAYS",
    "trust_proxy": "VIDKIT_TRUST_PROXY",
    "country_header": "VIDKIT_COUNTRY_HEADER",
    "geoip": "VIDKIT_GEOIP",
    "s3_public_url": "VIDKIT_S3_PUBLIC_URL",
    "site_name": "VIDKIT_SITE_NAME",
    "twitter_site": "VIDKIT_TWITTER_SITE",
    "brand": "VIDKIT_BRAND",
}
DEFAULT_BRAND = "default"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_RETENTION_DAYS = 90


@dataclass(frozen=True)
class Settings:
    """Where things are kept and how the share server behaves."""

    home: Path  # data folder: default database, media and click log
    db: str  # a SQLite path, sqlite:///PATH, or postgresql://...
    storage: str  # file://DIR or s3://bucket/prefix
    base_url: str  # public base of share links, no trailing slash
    admin_token: str | None = None  # bearer token for /api/
    retention_days: int = DEFAULT_RETENTION_DAYS
    trust_proxy: bool = False  # take the client address from X-Forwarded-For
    country_header: str | None = None  # header a trusted proxy sets, e.g. CF-IPCountry
    geoip: Path | None = None  # a local GeoIP country database (.mmdb)
    s3_public_url: str | None = None  # public objects: base URL (CDN) instead of presigned URLs
    site_name: str | None = None  # og:site_name; unset: the brand kit's name
    twitter_site: str | None = None  # the campaign's @handle for twitter:site (else the brand's)
    brand: str = DEFAULT_BRAND  # the brand kit share pages and link cards wear: a name or folder

    @property
    def log_dir(self) -> Path:
        """Where the share server appends clicks before answering (replayed at start-up).

        One folder per database: beside a SQLite file (``vidkit.db`` -> ``vidkit.db.clicklog``),
        else under the data folder, named by a hash of the database URL.
        """
        url = self.db
        if url.startswith(("postgresql://", "postgres://")) or url.endswith(":memory:"):
            digest = hashlib.sha256(url.encode()).hexdigest()[:16]
            return self.home / "clicklog" / digest
        path = url.removeprefix("sqlite://")
        path = path[1:] if path.startswith("//") else path
        db = Path(path).expanduser()
        return db.with_name(db.name + ".clicklog")

    def with_options(self, **options: object) -> Settings:
        """A copy with the given options applied; ``None`` values leave a setting as it is."""
        given = {k: v for k, v in options.items() if v is not None}
        if "base_url" in given:
            given["base_url"] = _base_url(str(given["base_url"]), "--base-url")
        return replace(self, **given)  # type: ignore[arg-type]


def user_data_dir(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> Path:
    """The per-user data directory for vidkit on this platform."""
    if platform == "win32":
        root = env.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(root) / "vidkit"
    if platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "vidkit"
    xdg = env.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "vidkit"


CACHE_ENV = "VIDKIT_CACHE"


def user_cache_dir(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> Path:
    """Where vidkit keeps files it can make again (``$VIDKIT_CACHE``, else the platform's cache
    directory): safe to delete at any time."""
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV]).expanduser()
    if platform == "win32":
        root = env.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(root) / "vidkit" / "Cache"
    if platform == "darwin":
        return Path.home() / "Library" / "Caches" / "vidkit"
    xdg = env.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "vidkit"


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    """Settings from the environment, with working defaults for anything not set."""
    home = Path(env.get(ENV["home"]) or user_data_dir(env)).expanduser()
    retention = env.get(ENV["retention_days"]) or str(DEFAULT_RETENTION_DAYS)
    try:
        retention_days = int(retention)
        if retention_days < 1:
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"not a whole number of days ≥ 1: {retention!r}", key=ENV["retention_days"]
        ) from None
    return Settings(
        home=home,
        db=env.get(ENV["db"]) or str(home / "vidkit.db"),
        storage=env.get(ENV["storage"]) or (home / "media").as_uri(),
        base_url=_base_url(env.get(ENV["base_url"]) or DEFAULT_BASE_URL, ENV["base_url"]),
        admin_token=env.get(ENV["admin_token"]) or None,
        retention_days=retention_days,
        trust_proxy=(env.get(ENV["trust_proxy"]) or "").lower() in ("1", "true", "yes", "on"),
        country_header=env.get(ENV["country_header"]) or None,
        geoip=Path(env[ENV["geoip"]]).expanduser() if env.get(ENV["geoip"]) else None,
        s3_public_url=(env.get(ENV["s3_public_url"]) or "").rstrip("/") or None,
        site_name=env.get(ENV["site_name"]) or None,
        twitter_site=env.get(ENV["twitter_site"]) or None,
        brand=env.get(ENV["brand"]) or DEFAULT_BRAND,
    )


def _base_url(value: str, key: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"not an http(s) URL: {value!r}", key=key, hint="e.g. https://share.example.org"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"base URL must not have a query or fragment: {value!r}", key=key)
    return value.rstrip("/")
