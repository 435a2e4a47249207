"""The share page and the embeddable player page, as HTML that unfurls on every platform.

Pure: a :class:`PageData` in, bytes out. Every value is HTML-escaped; every URL is absolute.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from importlib import resources
from string import Template
from urllib.parse import quote, urlencode

from vidkit.share.links import share_url
from vidkit.track.registry import CHANNELS, Link, Video

VIEW_MARKER = "vidkit:view-token:marker"  # where each answer's per-view token goes


@dataclass(frozen=True)
class PageData:
    video: Video
    link: Link
    base_url: str
    video_url: str
    poster_url: str | None
    card_url: str | None
    site_name: str = "vidkit"
    twitter_site: str | None = None

    def share_url(self, link: Link) -> str:
        return share_url(self.base_url, link.code)


@functools.cache
def _template(name: str) -> Template:
    return Template(resources.files("vidkit.web").joinpath("assets", name).read_text("utf-8"))


@functools.cache
def asset(name: str) -> bytes:
    return resources.files("vidkit.web").joinpath("assets", name).read_bytes()


def share_buttons(data: PageData) -> dict[str, str]:
    """The share buttons' targets: this server's ``/s/CODE/share/CHANNEL``, which mints (or
    reuses) the child link for that channel when the button is used, then sends the visitor on
    to the platform (see :func:`share_target`). Viewing the page mints nothing."""
    base = f"{data.share_url(data.link)}/share/"
    return {f"share_{channel}": base + channel for channel in CHANNELS}


def share_target(channel: str, title: str, url: str) -> str:
    """Where the ``channel`` button sends a visitor sharing ``url`` (for copy: the URL itself)."""
    if channel == "whatsapp":
        return "https://wa.me/?" + urlencode({"text": f"{title} {url}"})
    if channel == "facebook":
        return "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})
    if channel == "x":
        return "https://x.com/intent/post?" + urlencode({"text": title, "url": url})
    if channel == "telegram":
        return "https://t.me/share/url?" + urlencode({"url": url, "text": title})
    if channel == "email":
        return "mailto:?" + urlencode(
            {"subject": title, "body": f"{title}\n\n{url}"}, quote_via=quote
        )
    return url


def _common(data: PageData) -> dict[str, str]:
    v = data.video
    lang = v.captions[0].lang if v.captions else "en"
    return {
        "lang": lang,
        "title": v.title,
        "description": v.description or v.title,
        "video_url": data.video_url,
        "poster_url": data.poster_url or "",
        "beacon_url": f"{data.base_url}/b/{data.link.code}",
        "static_url": f"{data.base_url}/static",
        "video_width": str(v.width),
        "video_height": str(v.height),
    }


def _with_marker(escaped: dict[str, str]) -> dict[str, str]:
    return {**escaped, "view_token": VIEW_MARKER}  # substituted per answer, never escaped


def render_share(data: PageData) -> bytes:
    v = data.video
    values = _common(data)
    if data.card_url:
        image, width, height = data.card_url, 1200, 630
    else:
        image, width, height = data.poster_url or "", v.width, v.height
    secure = data.base_url.startswith("https://")
    values |= {
        "site_name": data.site_name,
        "page_url": data.share_url(data.link),
        "embed_url": f"{data.base_url}/embed/{data.link.code}",
        "image_url": image,
        "image_width": str(width),
        "image_height": str(height),
        "image_alt": f"Still from the video: {v.title}",
        # X shows a player card only for an https player page.
        "twitter_card": "player" if secure else "summary_large_image",
        **share_buttons(data),
    }
    escaped = {k: html.escape(val, quote=True) for k, val in values.items()}
    escaped["tracks"] = _escaped_tracks(data)
    site = data.twitter_site
    escaped["twitter_site"] = (
        f'<meta name="twitter:site" content="{html.escape(site, quote=True)}">\n' if site else ""
    )
    return _template("share.html").substitute(_with_marker(escaped)).encode("utf-8")


def render_embed(data: PageData) -> bytes:
    values = {k: html.escape(val, quote=True) for k, val in _common(data).items()}
    values["tracks"] = _escaped_tracks(data)
    return _template("embed.html").substitute(_with_marker(values)).encode("utf-8")


def _escaped_tracks(data: PageData) -> str:
    v = data.video
    out = []
    for i, c in enumerate(v.captions):
        src = html.escape(f"{data.base_url}/captions/{v.id}/{i}.vtt", quote=True)
        lang = html.escape(c.lang, quote=True)
        label = html.escape(c.label, quote=True)
        # Not "default": rendered videos usually carry burned-in captions already; the track
        # is there for viewers who turn captions on, and for assistive technology.
        out.append(f'<track kind="captions" src="{src}" srclang="{lang}" label="{label}">\n')
    return "".join(out)
