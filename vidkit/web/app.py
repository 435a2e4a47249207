"""The share server's routes: share pages, beacons, media, captions, the JSON API.

``ShareApp`` is a plain ``Request -> Response`` callable, usable in-process by tests and served
by :mod:`vidkit.web.server`. Unknown codes and any unexpected path get the same fixed 404 body:
nothing from the request is reflected, and the server never redirects.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable
from dataclasses import dataclass

from vidkit.config import Settings
from vidkit.errors import VidkitError
from vidkit.store.base import Storage, content_type, valid_key
from vidkit.store.local import LocalStorage
from vidkit.track.registry import CHANNELS, Event, Link, Registry, Video, utc_day
from vidkit.web import classify
from vidkit.web.api import Api
from vidkit.web.clicklog import ClickLog
from vidkit.web.geoip import GeoIP
from vidkit.web.http import Request, Response, header_block
from vidkit.web.media import file_response
from vidkit.web.page import PageData, asset, render_embed, render_share

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
    "default-src 'self'; img-src * data:; media-src *; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
_SHARE_PLAIN = [
    *_PAGE_HEADERS,
    ("content-security-policy", _SHARE_CSP),
    ("vary", "accept-encoding"),
]
_SHARE_GZIP = [*_SHARE_PLAIN, ("content-encoding", "gzip")]
_EMBED_CSP = "default-src 'self'; img-src * data:; media-src *; base-uri 'none'"
NOT_FOUND = b"not found\n"
ROBOTS = b"User-agent: *\nAllow: /s/\nDisallow: /api/\nDisallow: /b/\n"
STATIC = {"share.js": "text/javascript; charset=utf-8", "share.css": "text/css; charset=utf-8"}


@dataclass
class _Page:
    link: Link
    video: Video
    html: bytes
    html_gz: bytes
    embed: bytes
    expires: float
    head: bytes = b""  # header lines for html, encoded once
    head_gz: bytes = b""

    def __post_init__(self) -> None:
        self.head = header_block(_HTML, len(self.html), _SHARE_PLAIN)
        self.head_gz = header_block(_HTML, len(self.html_gz), _SHARE_GZIP)


def not_found() -> Response:
    return Response(404, NOT_FOUND, headers=[("cache-control", "no-store")])


class ShareApp:
    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        storage: Storage,
        log: ClickLog,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.storage = storage
        self.log = log
        self.clock = clock
        self.api = Api(registry, settings.admin_token, settings.base_url)
        self.geoip = GeoIP(settings.geoip) if settings.geoip else None
        self._pages: dict[str, _Page] = {}
        self._salt_day = ""
        self._salt = b""
        self._captions: dict[str, bytes] = {}

    def close(self) -> None:
        if self.geoip is not None:
            self.geoip.close()

    def __call__(self, req: Request) -> Response:
        path = req.path
        if path.startswith("/s/"):
            return self.share(req, path[3:])
        if path.startswith("/b/"):
            return self.beacon(req, path[3:])
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
        if path == "/healthz":
            return Response(200, b"ok\n", headers=[("cache-control", "no-store")])
        if path == "/favicon.ico":  # browsers ask for it on every share page
            return Response(
                204, b"", content_type=None, headers=[("cache-control", "public, max-age=86400")]
            )
        if path == "/robots.txt":
            return Response(200, ROBOTS)
        return not_found()

    # share page ----------------------------------------------------------------------------

    def share(self, req: Request, code: str) -> Response:
        if req.method not in ("GET", "HEAD"):
            return Response(405, b"method not allowed\n", headers=[("allow", "GET, HEAD")])
        page = self.page(code)
        if page is None:
            return not_found()
        self.log.append(self.event(req, page.link))  # before answering: survives kill -9
        if "gzip" in req.headers.get("accept-encoding", ""):
            return Response(200, page.html_gz, _HTML, _SHARE_GZIP, head=page.head_gz)
        return Response(200, page.html, _HTML, _SHARE_PLAIN, head=page.head)

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
        ip = classify.client_address(req.client, headers, self.settings.trust_proxy)
        return Event(
            now,
            link.id,
            "click",
            visitor=classify.visitor_hash(self.salt(now), ip, ua, link.id),
            referrer=classify.referrer_host(headers.get("referer", "")),
            country=self.country(headers, ip),
        )

    def country(self, headers: dict[str, str], ip: str) -> str | None:
        """From the trusted proxy's header if one is configured, else the local GeoIP file."""
        header = self.settings.country_header
        if header:
            return classify.country(headers.get(header.lower()))
        if self.geoip is not None:
            return classify.country(self.geoip.country(ip))
        return None

    def salt(self, now: float) -> bytes:
        day = utc_day(now)
        if day != self._salt_day:
            self._salt = self.registry.salt(day)
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
        if self.registry.link_depth(link) >= MAX_SHARE_DEPTH:
            children = dict.fromkeys(CHANNELS, link)
        else:
            children = self.registry.child_links(link)
        s = self.settings
        data = PageData(
            video=video,
            link=link,
            children=children,
            base_url=s.base_url,
            video_url=self.storage.url(video.video_key),
            poster_url=self.storage.url(video.poster_key) if video.poster_key else None,
            card_url=self.storage.url(video.card_key) if video.card_key else None,
            site_name=s.site_name,
            twitter_site=s.twitter_site,
        )
        body = render_share(data)
        page = _Page(link, video, body, gzip.compress(body, 6), render_embed(data), now + PAGE_TTL)
        if len(self._pages) >= MAX_PAGES:
            self._pages.pop(next(iter(self._pages)))
        self._pages[code] = page
        return page

    # player and beacons --------------------------------------------------------------------

    def embed(self, req: Request, code: str) -> Response:
        if req.method not in ("GET", "HEAD"):
            return Response(405, b"method not allowed\n", headers=[("allow", "GET, HEAD")])
        page = self.page(code)
        if page is None:
            return not_found()
        headers = [*_PAGE_HEADERS, ("content-security-policy", _EMBED_CSP)]
        return Response(200, page.embed, content_type=_HTML, headers=headers)

    def beacon(self, req: Request, code: str) -> Response:
        page = self.page(code)
        if page is None:
            return not_found()
        if req.method != "POST":
            return Response(405, b"method not allowed\n", headers=[("allow", "POST")])
        kind = BEACONS.get(req.body.strip())
        if kind is None:
            return not_found()
        self.log.append(Event(int(self.clock()), page.link.id, kind))
        return Response(204, b"", content_type=None, headers=[("cache-control", "no-store")])

    # files ---------------------------------------------------------------------------------

    def media(self, req: Request, key: str) -> Response:
        if req.method not in ("GET", "HEAD") or not isinstance(self.storage, LocalStorage):
            return not_found()
        if not valid_key(key):
            return not_found()
        path = self.storage.path(key)
        if not path.is_file():
            return not_found()
        return file_response(path, req.headers, content_type(path), etag=key)

    def captions(self, req: Request, rest: str) -> Response:
        video_id, _, name = rest.partition("/")
        index = name.removesuffix(".vtt")
        if req.method not in ("GET", "HEAD") or not index.isdigit() or not video_id.isalnum():
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
