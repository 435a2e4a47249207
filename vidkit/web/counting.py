"""Counting that resists cheap inflation: per-view tokens and per-address budgets.

A beacon (play, 25 % … 100 %) counts only with a :class:`ViewTokens` token that the share page
carried: signed (HMAC-SHA256) with the database's secret, naming the link, a few hours old at most, and used
once per kind. :class:`Budgets` caps what one address can add to one link in an hour (distinct
visitors, beacons, minted share links). Budgets live in this process's memory only, keyed by a
keyed hash of the address whose key is random per process and never stored: no address, and
nothing an address can be recovered from, is kept anywhere.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from vidkit.errors import ConfigError

VIEW_SECONDS = 4 * 3600  # a page left open this long can still report plays
TOKEN_CHARS = 27  # base64url of 4 (time) + 6 (nonce) + 10 (MAC) bytes
MAX_SEEN = 2_000_000  # views whose used beacon kinds are remembered, at most
KINDS = ("play", "p25", "p50", "p75", "p100", "share", "cta")


class ViewTokens:
    def __init__(
        self, secret: bytes, clock: Callable[[], float] = time.time, ttl: int = VIEW_SECONDS
    ):
        self._key = secret
        self.clock = clock
        self.ttl = ttl
        self._seen: dict[bytes, int] = {}  # nonce -> bit mask of the kinds already counted
        self._old: dict[bytes, int] = {}
        self._rotated = clock()

    def _sign(self, link_id: int, head: bytes) -> bytes:
        """HMAC-SHA256 in one call (OpenSSL's one-shot: cheap enough for every page view)."""
        return hmac.digest(self._key, struct.pack(">q", link_id) + head, "sha256")[:10]

    def issue(self, link_id: int) -> str:
        head = struct.pack(">I", int(self.clock()) & 0xFFFFFFFF) + secrets.token_bytes(6)
        return base64.urlsafe_b64encode(head + self._sign(link_id, head)).decode().rstrip("=")

    def nonce(self, token: str, link_id: int) -> bytes | None:
        """The view's nonce if ``token`` is a live token for ``link_id``, else None."""
        if len(token) != TOKEN_CHARS:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=")
        except ValueError:
            return None
        head, mac = raw[:10], raw[10:]
        if not hmac.compare_digest(mac, self._sign(link_id, head)):
            return None
        age = int(self.clock()) - struct.unpack(">I", head[:4])[0]
        return head[4:] if 0 <= age <= self.ttl else None

    def use(self, token: str, link_id: int, kind: str) -> bool:
        """True once per view and kind for a valid token; False otherwise."""
        nonce = self.nonce(token, link_id)
        if nonce is None:
            return False
        self._rotate()
        bit = 1 << KINDS.index(kind)
        mask = self._seen.get(nonce, 0) | self._old.get(nonce, 0)
        if mask & bit:
            return False
        self._seen[nonce] = mask | bit
        return True

    def _rotate(self) -> None:
        # A nonce is remembered for at least ``ttl`` after its use, and its token expires first;
        # a flood of views that fills the memory early rotates it early (memory stays bounded
        # by two generations): a view from before may then count a kind twice, but counting
        # never stops for everyone.
        now = self.clock()
        if now - self._rotated >= self.ttl or len(self._seen) >= MAX_SEEN:
            self._old, self._seen, self._rotated = self._seen, {}, now


@dataclass(frozen=True)
class Limits:
    """Per address, per link, per hour (see docs/publish-and-track.md)."""

    visitors: int = 20  # distinct unique visitors one address can add
    beacons: int = 100  # counted beacons
    shares: int = 30  # share-button uses that may mint a child link


MAX_KEYS = 500_000  # (address, link) pairs tracked per hour, at most


class Budgets:
    def __init__(self, limits: Limits, clock: Callable[[], float] = time.time) -> None:
        self.limits = limits
        self.clock = clock
        self._key = secrets.token_bytes(32)  # this process's only: never stored
        self._hour = -1
        self._visitors: dict[bytes, set[str]] = {}
        self._counts: dict[tuple[bytes, str], int] = {}

    def _slot(self, address: str, link_id: int) -> bytes:
        hour = int(self.clock() // 3600)
        if hour != self._hour:
            self._hour, self._visitors, self._counts = hour, {}, {}
        message = f"{address}\x00{link_id}".encode("utf-8", "surrogateescape")
        return hmac.digest(self._key, message, "sha256")[:12]

    def new_visitor(self, address: str, link_id: int, visitor: str) -> bool:
        """May ``visitor`` count as one more distinct visitor of the link from this address?"""
        slot = self._slot(address, link_id)
        seen = self._visitors.get(slot)
        if seen is None:
            if len(self._visitors) >= MAX_KEYS:
                return False
            seen = self._visitors[slot] = set()
        if visitor in seen:
            return True
        if len(seen) >= self.limits.visitors:
            return False
        seen.add(visitor)
        return True

    def take(self, what: str, address: str, link_id: int) -> bool:
        """Spend one of the address's ``beacons`` or ``shares`` for the link this hour."""
        key = (self._slot(address, link_id), what)
        used = self._counts.get(key, 0)
        if used >= getattr(self.limits, what) or len(self._counts) >= MAX_KEYS:
            return False
        self._counts[key] = used + 1
        return True


LIMIT_ENV = {
    "visitors": "VIDKIT_BUDGET_VISITORS",
    "beacons": "VIDKIT_BUDGET_BEACONS",
    "shares": "VIDKIT_BUDGET_SHARES",
}


def limits_from_env(env: Mapping[str, str]) -> Limits:
    """:class:`Limits` with any ``VIDKIT_BUDGET_*`` variables applied (whole numbers ≥ 1)."""
    given: dict[str, int] = {}
    for field_name, name in LIMIT_ENV.items():
        value = env.get(name)
        if value:
            if not value.isdigit() or int(value) < 1:
                raise ConfigError(f"not a whole number ≥ 1: {value!r}", key=name)
            given[field_name] = int(value)
    return Limits(**given)
