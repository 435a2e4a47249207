"""Who is asking: a link preview or a person's click, and what may be kept about them.

Pure functions of the request's method and headers. Nothing here returns an address or a
user-agent string: only the preview agent's family, a truncated salted HMAC, a referrer host and
a country code from a header a trusted proxy sets.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

# Link-preview fetchers and the family each is counted under.
PREVIEW_AGENTS: tuple[tuple[str, str], ...] = (
    # first match wins: iMessage and Telegram name other platforms' bots in their strings
    ("facebookexternalhit/1.1 facebot twitterbot", "imessage"),
    ("whatsapp/", "whatsapp"),
    ("telegrambot", "telegram"),
    ("linkedinbot", "linkedin"),
    ("slackbot", "slack"),
    ("slack-imgproxy", "slack"),
    ("discordbot", "discord"),
    ("applebot", "apple"),
    ("skypeuripreview", "skype"),
    ("pinterestbot", "pinterest"),
    ("redditbot", "reddit"),
    ("embedly", "embedly"),
    ("google-inspectiontool", "google"),
    ("googlebot", "google"),
    ("bingbot", "bing"),
    ("mastodon", "mastodon"),
    ("facebookexternalhit", "facebook"),
    ("facebot", "facebook"),
    ("facebookcatalog", "facebook"),
    ("twitterbot", "x"),
)
# Anything else that says it is a robot is not a person's click either (matched lower-cased).
_GENERIC_BOT_RE = re.compile(
    r"\bbot\b|bot/|bot;|bot\)|crawler|spider|preview|scanner|curl/|wget/|python-|go-http-client|"
    r"okhttp|headlesschrome|httpclient|java/"
)
_HOST_RE = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
_COUNTRY_RE = re.compile(r"[A-Z][A-Z0-9]")


def preview_agent(method: str, user_agent: str, headers: Mapping[str, str]) -> str | None:
    """The family of preview agent making this request, or None for a person's click.

    HEAD requests and browser prefetches are previews too: they are never a person opening
    the link.
    """
    family = agent_family(user_agent)
    if family is not None:
        return family
    if method == "HEAD":
        return "head"
    purpose = headers.get("sec-purpose") or headers.get("purpose") or ""
    if "prefetch" in purpose.lower() or "prerender" in purpose.lower():
        return "prefetch"
    return None


@functools.lru_cache(maxsize=4096)
def agent_family(user_agent: str) -> str | None:
    """The preview or robot family a user-agent string names, or None for a browser.

    Cached: the same few user agents make most requests.
    """
    ua = user_agent.lower()
    for token, family in PREVIEW_AGENTS:
        if token in ua:
            return family
    if not ua or _GENERIC_BOT_RE.search(ua):
        return "other"
    return None


def opted_out(headers: Mapping[str, str]) -> bool:
    """The visitor asked not to be tracked (``DNT: 1`` or ``Sec-GPC: 1``)."""
    return headers.get("dnt", "").strip() == "1" or headers.get("sec-gpc", "").strip() == "1"


def visitor_hash(salt: bytes, ip: str, user_agent: str, link_id: int) -> str:
    """HMAC-SHA256(daily salt, ip ‖ user agent ‖ link), truncated to 64 bits (16 hex digits).

    The link id in the message means one person's visits to different links cannot be joined.
    """
    message = f"{ip}\x00{user_agent}\x00{link_id}".encode("utf-8", "surrogateescape")
    h = _keyed(salt).copy()
    h.update(message)
    return h.digest()[:8].hex()


@functools.lru_cache(maxsize=4)
def _keyed(salt: bytes) -> hmac.HMAC:
    """An HMAC-SHA256 already keyed with ``salt`` (copying it is cheaper than keying anew)."""
    return hmac.new(salt, digestmod=hashlib.sha256)


def referrer_host(referer: str) -> str | None:
    """The host of a ``Referer`` header (nothing else of it is kept), or None."""
    if not referer or len(referer) > 2048:
        return None
    try:
        host = urlsplit(referer).hostname
    except ValueError:
        return None
    if not host or len(host) > 253 or not _HOST_RE.fullmatch(host):
        return None
    return host


def country(value: str | None) -> str | None:
    """An ISO 3166 alpha-2 code from a trusted proxy's header, or None."""
    if not value:
        return None
    code = value.strip().upper()
    return code if _COUNTRY_RE.fullmatch(code) else None
