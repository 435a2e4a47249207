"""Country from a local GeoIP database (MaxMind's .mmdb format), looked up and then forgotten.

Optional: needs the ``maxminddb`` package (``pip install 'vidkit[geoip]'``) and a country database
such as GeoLite2-Country.mmdb named by ``VIDKIT_GEOIP``. Only the two-letter country code leaves
this module; the address is never stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vidkit.errors import ConfigError


class GeoIP:
    def __init__(self, path: Path) -> None:
        try:
            import maxminddb
        except ImportError:
            raise ConfigError(
                "GeoIP needs the maxminddb package",
                key="VIDKIT_GEOIP",
                hint="pip install 'vidkit[geoip]'",
            ) from None
        try:
            self._reader: Any = maxminddb.open_database(str(path))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot open GeoIP database: {exc}", key="VIDKIT_GEOIP", path=path
            ) from None

    def country(self, ip: str) -> str | None:
        """The ISO 3166 alpha-2 country of ``ip``, or None if unknown."""
        try:
            record = self._reader.get(ip)
        except ValueError:  # not an address
            return None
        if not isinstance(record, dict):
            return None
        for key in ("country", "registered_country"):
            entry = record.get(key)
            if isinstance(entry, dict) and isinstance(entry.get("iso_code"), str):
                return str(entry["iso_code"])
        return None

    def close(self) -> None:
        self._reader.close()
