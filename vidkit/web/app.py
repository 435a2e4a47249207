"""The share server's routes: share pages, share buttons, beacons, media, captions, the API.

``ShareApp`` is a plain ``Request -> Response`` callable, cheap enough to run on the event loop
(the ASGI adapter in :mod:`vidkit.web.asgi` sends ``/api/`` to a thread instead). Unknown codes
and any unexpected path get the same fixed 404 body: nothing from the request is reflected. The
only redirect is a share button's, to a platform's fixed share URL built here.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, quote

from vidkit.config import Settings
from vidkit.errors import VidkitError
from vidkit.share.links import SHARE_PREFIX, share_url
from vidkit.store.base import Storage, content_type, valid_key
from vidkit.store.local import LocalStorage
from vidkit.template.brand import load_brand
from vidkit.track.registry import CHANNELS, Event, Link, Registry, Video, utc_day
from vidkit.web import classify
from vidkit.web.api import Api
from vidkit.web.brandkit import BRAND_PREFIX, brand_kit
from vidkit.web.clicklog import ClickLog
from vidkit.web.counting import TOKEN_CHARS, Budgets, Limits, ViewTokens, limits_from_env
from vidkit.web.dashboard import Dashboard
from vidkit.web.geoip import GeoIP
from vidkit.web.http import RawHeaders, Request, Response, encode_headers
from vidkit.web.media import file_response
from vidkit.web.page import (
    VIEW_MARKER,
    PageData,
    asset,
    page_cta,
    render_embed,
    render_share,
    share_target,
)

log = logging.getLogger("vidkit.web")
PAGE_TTL = 300.0  # seconds a rendered page (and its presigned media URLs) is reused
MAX_PAGES = 20_000
MAX_SHARE_DEPTH = 12  # deeper links hand out themselves instead of minting children
BEACONS = {b"e=start": "play", b"e=25": "p25", b"e=50": "p50", b"e=75": "p75", b"e=100": "p100"}
_HTML = "text/html; charset=utf-8"
_PAGE_HEADERS = [
    ("cache-control", "private, no-cache"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
]
_SHARE_CSP = (
    "default-src 'self'; img-src * data:; media-src *; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_SHARE_PLAIN = [
    *_PAGE_HEADERS,
    ("content-security-policy", _SHARE_CSP),
    ("vary", "accept-encoding"),
]
_SHARE_GZIP = [*_SHARE_PLAIN, ("content-encoding", "gzip")]
_EMBED_CSP = "default-src 'self'; img-src * data:; media-src *; base-uri 'none'"
_EMBED = [*_PAGE_HEADERS, ("content-security-policy", _EMBED_CSP)]
_NO_STORE = [("cache-control", "no-store")]
NOT_FOUND = b"not found\n"
ROBOTS = (
    b"User-agent: *\nAllow: /s/\nDisallow: /s/*/share/\nDisallow: /api/\nDisallow: /b/\n"
    b"Disallow: /c/\n"
)
_LONG_CACHE = [("cache-control", "public, max-age=31536000, immutable")]
SIGNED_REDIRECT_SECONDS = 600  # how long a redirect to a presigned S3 URL may be cached
STATIC = {"share.js": "text/javascript; charset=utf-8", "share.css": "text/css; charset=utf-8"}
_GZIP_HEAD = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
MAX_PUBLISHED = 10_000  # media keys whose "published?" answer is remembered
PUBLISHED_TTL = 60.0
CAPTION_INDEX = re.compile(
    r"0|[1-9][0-9]{0,3}"
)  # one spelling each: one cache entry, no huge int()
URL_SAFE = "!#$%&'()*+,/:;=?@[]~"  # ASCII kept as is in a redirect (with letters, digits, -._)


class Spliced:
    """A page whose bytes are fixed but for the per-view token, spliced in per answer.

    The gzip form is made once too: each fixed part is its own raw deflate stream ending on a
    byte boundary, the token goes between them as a stored block, and only the CRC is computed
    per answer. The token's length is fixed, so the headers are encoded once.
    """

    def __init__(
        self,
        body: bytes,
        headers: list[tuple[str, str]],
        gz_headers: list[tuple[str, str]] | None = None,
    ) -> None:
        self.parts = body.split(VIEW_MARKER.encode())
        self.headers, self.gz_headers = headers, gz_headers or []
        length = len(body) + (len(self.parts) - 1) * (TOKEN_CHARS - len(VIEW_MARKER))
        self.head = encode_headers(_HTML, length, headers)
        self.gz_parts: list[bytes] = []
        self.gz_head: RawHeaders = []
        if gz_headers is not None:
            last = len(self.parts) - 1
            for i, part in enumerate(self.parts):
                c = zlib.compressobj(6, zlib.DEFLATED, -15)
                end = zlib.Z_FINISH if i == last else zlib.Z_SYNC_FLUSH
                self.gz_parts.append(c.compress(part) + c.flush(end))
            gz_len = 10 + sum(map(len, self.gz_parts)) + last * (5 + TOKEN_CHARS) + 8
            self.gz_head = encode_headers(_HTML, gz_len, gz_headers)

    def response(self, token: str, gz: bool) -> Response:
        t = token.encode()
        plain = t.join(self.parts)
        if not gz or not self.gz_parts:
            return Response(200, plain, _HTML, self.headers, raw=self.head)
        stored = b"\x00" + struct.pack("<HH", len(t), len(t) ^ 0xFFFF) + t
        trailer = struct.pack("<II", zlib.crc32(plain), len(plain) & 0xFFFFFFFF)
        body = _GZIP_HEAD + stored.join(self.gz_parts) + trailer
        return Response(200, body, _HTML, self.gz_headers, raw=self.gz_head)


@dataclass
class _Page:
    link: Link
    video: Video
    share: Spliced
    embed: Spliced
    expires: float


def not_found() -> Response:
    return Response(404, NOT_FOUND, headers=list(_NO_STORE))


def _not_allowed(allow: str) -> Response:
    return Response(405, b"method not allowed\n", headers=[("allow", allow)])


class ShareApp:
    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        storage: Storage,
        log: ClickLog,
        clock: Callable[[], float] = time.time,
        limits: Limits | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.storage = storage
        self.log = log
        self.clock = clock
        self.api = Api(registry, settings.admin_token, settings.base_url)
        self.dashboard = Dashboard(registry, settings, clock)
        self.geoip = GeoIP(settings.geoip) if settings.geoip else None
        self.tokens = ViewTokens(bytes.fromhex(registry.meta("view_secret")), clock)
        self.budgets = Budgets(limits or limits_from_env(os.environ), clock)
        self.brand = brand_kit(load_brand(settings.brand))
        self._pages: dict[str, _Page] = {}
        self._salt_day = ""
        self._salt = b""
        self._salt_retry = 0.0
        self._captions: dict[str, bytes] = {}
        self._published: dict[str, tuple[bool, float]] = {}

    def close(self) -> None:
        if self.geoip is not None:
            self.geoip.close()

    def __call__(self, req: Request) -> Response:
        path = req.path
        if path.startswith(SHARE_PREFIX):
            return self.share(req, path[3:])
        if path.startswith("/b/"):
            return self.beacon(req, path[3:])
        if path.startswith("/c/"):
            return self.cta(req, path[3:])
        if path.startswith(BRAND_PREFIX):
            return self.brand_file(req, path[len(BRAND_PREFIX) :])
        if path.startswith("/embed/"):
            return self.embed(req, path[7:])
        if path.startswith("/media/"):
            return self.media(req, path[7:])
        if path.startswith("/captions/"):
            return self.captions(req, path[10:])
        if path.startswith("/static/"):
            return self.static(req, path[8:])
        if path.startswith("/api/"):
            return self.api(req)
        if path == "/dashboard" or path.startswith("/dashboard/"):
            return self.dashboard(req)
        if path == "/healthz":
            return self.health()
        if path in ("/favicon.ico", "/apple-touch-icon.png"):  # asked for without a <link>
            name = "favicon.ico" if path == "/favicon.ico" else "touch-icon.png"
            icon = self.brand.files[name]
            return Response(
                200,
                icon.body,
                content_type=icon.content_type,
                headers=[("cache-control", "public, max-age=86400")],
            )
        if path == "/robots.txt":
            return Response(200, ROBOTS)
        return not_found()

    def health(self) -> Response:
        """200 while serving; says ``degraded`` (and why) when clicks cannot be logged to disk
        or segments of another database sit in the click-log folder."""
        report = self.log.health()
        status = "ok" if report["ok"] else "degraded"
        body = f"{status}\n" + "".join(f"{k}: {v}\n" for k, v in report.items() if k != "ok")
        return Response(200, body.encode(), headers=list(_NO_STORE))

    # share page ----------------------------------------------------------------------------

    def share(self, req: Request, rest: str) -> Response:
        code, sep, tail = rest.partition("/")
        if sep:
            return self.share_button(req, code, tail)
        if req.method not in ("GET", "HEAD"):
            return _not_allowed("GET, HEAD")
        page = self.page(code)
        if page is None:
            return not_found()
        self.log.append(self.event(req, page.link))  # before answering: survives kill -9
        gz = "gzip" in req.headers.get("accept-encoding", "")
        return page.share.response(self.tokens.issue(page.link.id), gz)

    def event(self, req: Request, link: Link) -> Event:
        """The event this request counts as; only what SHARING.md allows is kept."""
        headers = req.headers
        now = int(self.clock())
        ua = headers.get("user-agent", "")
        agent = classify.preview_agent(req.method, ua, headers)
        if agent is not None:
            return Event(now, link.id, "preview", agent=agent)
        if classify.opted_out(headers):
            return Event(now, link.id, "click")
        ip = self.address(req)
        salt = self.salt(now)
        visitor = classify.visitor_hash(salt, ip, ua, link.id)
        if not self.budgets.new_visitor(ip, link.id, visitor):
            # Past this address's budget of distinct visitors for the link this hour (e.g. a
            # rotating user agent): the click counts, as one more visit of the address alone.
            visitor = classify.visitor_hash(salt, ip, "", link.id)
        return Event(
            now,
            link.id,
            "click",
            visitor=visitor,
            referrer=classify.referrer_host(headers.get("referer", "")),
            country=self.country(headers, ip),
        )

    def address(self, req: Request) -> str:
        """The visitor's address. Behind a trusted proxy the ASGI server has already put the
        forwarded address in the scope (``vidkit serve`` sets uvicorn's proxy options from
        VIDKIT_TRUST_PROXY), so this is the one place that reads it."""
        return req.client

    def country(self, headers: dict[str, str], ip: str) -> str | None:
        """From the trusted proxy's header if one is configured, else the local GeoIP file."""
        header = self.settings.country_header
        if header:
            return classify.country(headers.get(header.lower()))
        if self.geoip is not None:
            return classify.country(self.geoip.country(ip))
        return None

    def salt(self, now: float) -> bytes:
        """The day's salt. If the database cannot make it (a full disk at midnight), a random
        one held only in memory stands in, and the database is asked again a minute later."""
        day = utc_day(now)
        if day != self._salt_day or (self._salt_retry and now >= self._salt_retry):
            try:
                self._salt, self._salt_retry = self.registry.salt(day), 0.0
            except Exception:  # noqa: BLE001 - any database failure; pages must answer
                if day != self._salt_day:
                    log.exception("cannot store the visitor salt for %s; using one in memory", day)
                    self._salt = secrets.token_bytes(32)
                self._salt_retry = now + 60
            self._salt_day = day
        return self._salt

    def page(self, code: str) -> _Page | None:
        page = self._pages.get(code)
        now = self.clock()
        if page is not None and page.expires > now:
            return page
        link = self.registry.link(code)
        if link is None:
            return None
        video = self.registry.video(link.video_id)
        s = self.settings
        data = PageData(
            video=video,
            link=link,
            base_url=s.base_url,
            video_url=self.media_url(video.video_key),
            poster_url=self.media_url(video.poster_key) if video.poster_key else None,
            card_url=self.media_url(video.card_key) if video.card_key else None,
            brand=self.brand,
            site_name=s.site_name,
            twitter_site=s.twitter_site,
        )
        share = Spliced(render_share(data), _SHARE_PLAIN, _SHARE_GZIP)
        page = _Page(link, video, share, Spliced(render_embed(data), _EMBED), now + PAGE_TTL)
        if len(self._pages) >= MAX_PAGES:
            self._pages.pop(next(iter(self._pages)))
        self._pages[code] = page
        return page

    def share_button(self, req: Request, code: str, tail: str) -> Response:
        """``/s/CODE/share/CHANNEL?v=TOKEN``: the child link for that channel, minted on first
        use, then the platform's share URL. Previews, requests without a live view token and
        addresses past their budget get the parent link itself: nothing is minted."""
        channel = tail.removeprefix("share/")
        if not tail.startswith("share/") or channel not in CHANNELS:
            return not_found()
        if req.method not in ("GET", "HEAD"):
            return _not_allowed("GET, HEAD")
        page = self.page(code)
        if page is None:
            return not_found()
        link = page.link
        token = parse_qs(req.query).get("v", [""])[-1]
        if (
            classify.preview_agent(req.method, req.headers.get("user-agent", ""), req.headers)
            is None
            and self.tokens.nonce(token, link.id) is not None
            and self.budgets.take("shares", self.address(req), link.id)
            and self.registry.link_depth(link) < MAX_SHARE_DEPTH
        ):
            link = self.registry.child_links(link, (channel,))[channel]
        url = share_url(self.settings.base_url, link.code)
        if channel in ("copy", "native"):  # the page's script copies or shares it
            return Response(200, f"{url}\n".encode(), headers=list(_NO_STORE))
        target = share_target(channel, page.video.title, url)
        return Response(302, b"", headers=[("location", target), *_NO_STORE])

    # player and beacons --------------------------------------------------------------------

    def embed(self, req: Request, code: str) -> Response:
        if req.method not in ("GET", "HEAD"):
            return _not_allowed("GET, HEAD")
        page = self.page(code)
        if page is None:
            return not_found()
        return page.embed.response(self.tokens.issue(page.link.id), gz=False)

    def beacon(self, req: Request, code: str) -> Response:
        """Counted only with a live view token of that link, once per kind per view, within
        the address's beacon budget; answered the same either way."""
        page = self.page(code)
        if page is None:
            return not_found()
        if req.method != "POST":
            return _not_allowed("POST")
        kind = BEACONS.get(req.body.strip())
        if kind is None:
            return not_found()
        link_id = page.link.id
        token = parse_qs(req.query).get("v", [""])[-1]
        if self.tokens.use(token, link_id, kind) and self.budgets.take(
            "beacons", self.address(req), link_id
        ):
            self.log.append(Event(int(self.clock()), link_id, kind))
        return Response(204, b"", content_type=None, headers=list(_NO_STORE))

    def cta(self, req: Request, code: str) -> Response:
        """``/c/CODE?v=TOKEN``: the call to action, counted once per page view (live token,
        not a preview, within the address's beacon budget), then a redirect to the address the
        campaign registered for the video. Never anywhere else: nothing here is an open
        redirect."""
        if req.method not in ("GET", "HEAD"):
            return _not_allowed("GET, HEAD")
        page = self.page(code)
        if page is None:
            return not_found()
        target = page_cta(page.video, self.brand)
        if target is None:
            return not_found()
        link_id = page.link.id
        token = parse_qs(req.query).get("v", [""])[-1]
        if (
            classify.preview_agent(req.method, req.headers.get("user-agent", ""), req.headers)
            is None
            and self.tokens.use(token, link_id, "cta")
            and self.budgets.take("beacons", self.address(req), link_id)
        ):
            self.log.append(Event(int(self.clock()), link_id, "cta"))
        # Percent-encoded as UTF-8: a header carries ASCII only (non-ASCII was a 500).
        location = quote(target[1], safe=URL_SAFE)
        return Response(302, b"", headers=[("location", location), *_NO_STORE])

    # files ---------------------------------------------------------------------------------

    def media_url(self, key: str) -> str:
        """A URL for a published file that stays valid as long as platforms cache previews:
        the storage's own when it is public (local files, an S3 public or CDN base), else this
        server's ``/media/KEY``, which signs a fresh S3 URL per request."""
        if isinstance(self.storage, LocalStorage) or self.settings.s3_public_url:
            return self.storage.url(key)
        return f"{self.settings.base_url}/media/{quote(key)}"

    def brand_file(self, req: Request, rest: str) -> Response:
        digest, _, name = rest.partition("/")
        found = self.brand.file(digest, name) if req.method in ("GET", "HEAD") else None
        if found is None:
            return not_found()
        return Response(200, found.body, content_type=found.content_type, headers=_LONG_CACHE)

    def published(self, key: str) -> bool:
        """Is ``key`` a published video's file? (Asked of the registry, remembered a minute.)"""
        now = self.clock()
        known = self._published.get(key)
        if known is not None and known[1] > now:
            return known[0]
        answer = self.registry.published_key(key)
        if len(self._published) >= MAX_PUBLISHED:
            self._published.clear()
        self._published[key] = (answer, now + PUBLISHED_TTL)
        return answer

    def media(self, req: Request, key: str) -> Response:
        """Only the files of published videos: never the database, the click log or anything
        else that happens to live under the storage root."""
        if req.method not in ("GET", "HEAD") or not valid_key(key) or not self.published(key):
            return not_found()
        if not isinstance(self.storage, LocalStorage):
            try:
                target = self.storage.url(key)
            except VidkitError:
                return not_found()
            cache = f"public, max-age={SIGNED_REDIRECT_SECONDS}"
            return Response(302, b"", headers=[("location", target), ("cache-control", cache)])
        path = self.storage.path(key)
        if not path.is_file():
            return not_found()
        return file_response(path, req.headers, content_type(path), etag=key)

    def captions(self, req: Request, rest: str) -> Response:
        video_id, _, name = rest.partition("/")
        index = name.removesuffix(".vtt")
        if (
            req.method not in ("GET", "HEAD")
            or not CAPTION_INDEX.fullmatch(index)
            or not video_id.isalnum()
        ):
            return not_found()
        cache_key = f"{video_id}/{index}"
        body = self._captions.get(cache_key)
        if body is None:
            try:
                video = self.registry.video(video_id)
                body = self.storage.read(video.captions[int(index)].key)
            except (VidkitError, IndexError):  # unknown video or caption, or storage trouble
                return not_found()
            if len(self._captions) > 1000:
                self._captions.clear()
            self._captions[cache_key] = body
        return Response(
            200,
            body,
            content_type="text/vtt; charset=utf-8",
            headers=[("cache-control", "public, max-age=3600")],
        )

    def static(self, req: Request, name: str) -> Response:
        if req.method not in ("GET", "HEAD") or name not in STATIC:
            return not_found()
        return Response(
            200,
            asset(name),
            content_type=STATIC[name],
            headers=[("cache-control", "public, max-age=3600")],
        )
