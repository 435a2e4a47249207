"""The share page and the embeddable player page, as HTML that unfurls on every platform.

Pure: a :class:`PageData` in, bytes out. Every value is HTML-escaped; every URL is absolute.
Only tags a platform reads are written, and only in a form it accepts (SHARING.md): one
``og:video`` structure, ``*:secure_url`` and ``twitter:player`` only for https URLs.
"""

from __future__ import annotations

import functools
import html
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from string import Template
from urllib.parse import quote, urlencode

from vidkit.share.links import share_url
from vidkit.track.registry import CHANNELS, Link, Video
from vidkit.web.brandkit import BrandKit

VIEW_MARKER = "vidkit:view-token:marker"  # where each answer's per-view token goes
#: The share buttons shown when the browser has no share sheet of its own, in this order.
BUTTONS = (
    ("whatsapp", "WhatsApp"),
    ("telegram", "Telegram"),
    ("facebook", "Facebook"),
    ("x", "X"),
    ("linkedin", "LinkedIn"),
    ("sms", "Text message"),
    ("email", "Email"),
)


@dataclass(frozen=True)
class PageData:
    """What a share page shows: the video, the link it was opened on, stable media URLs."""

    video: Video
    link: Link
    base_url: str
    video_url: str
    poster_url: str | None
    card_url: str | None
    brand: BrandKit
    site_name: str | None = None  # overrides the brand kit's name in og:site_name
    twitter_site: str | None = None  # overrides the brand kit's handle

    def share_url(self, link: Link) -> str:
        return share_url(self.base_url, link.code)

    @property
    def cta(self) -> tuple[str, str] | None:
        """The call to action (text, url): the video's own, else the brand kit's."""
        return page_cta(self.video, self.brand)


def page_cta(video: Video, brand: BrandKit) -> tuple[str, str] | None:
    """The call to action a video's page shows, and the only place ``/c/CODE`` sends anyone."""
    if video.cta_text and video.cta_url:
        return video.cta_text, video.cta_url
    b = brand.brand
    if b.cta_text and b.cta_url:
        return b.cta_text, b.cta_url
    return None


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
    if channel == "linkedin":
        return "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})
    if channel == "sms":
        return "sms:?" + urlencode({"body": f"{title} {url}"}, quote_via=quote)
    if channel == "email":
        return "mailto:?" + urlencode(
            {"subject": title, "body": f"{title}\n\n{url}"}, quote_via=quote
        )
    return url


def description(data: PageData) -> str:
    """The video's description; without one, the brand kit's, else a sentence naming who made
    it (never the title again)."""
    b = data.brand.brand
    return data.video.description or b.description or f"A video from {b.name}."


def _common(data: PageData) -> dict[str, str]:
    v = data.video
    lang = v.captions[0].lang if v.captions else "en"
    return {
        "lang": lang,
        "title": v.title,
        "description": description(data),
        "video_url": data.video_url,
        "poster_url": data.poster_url or "",
        "beacon_url": f"{data.base_url}/b/{data.link.code}",
        "static_url": f"{data.base_url}/static",
        "brand_url": data.brand.url(data.base_url, ""),
        "video_width": str(v.width),
        "video_height": str(v.height),
    }


def _with_marker(escaped: dict[str, str]) -> dict[str, str]:
    return {**escaped, "view_token": VIEW_MARKER}  # substituted per answer, never escaped


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _meta(kind: str, name: str, content: str) -> str:
    return f'<meta {kind}="{_e(name)}" content="{_e(content)}">\n'


def unfurl_tags(data: PageData) -> str:
    """The Open Graph and X tags, each only where a platform reads it in that form."""
    v = data.video
    if data.card_url:
        image, width, height = data.card_url, 1200, 630
    else:
        image, width, height = data.poster_url or "", v.width, v.height
    page = data.share_url(data.link)
    title, desc = v.title, description(data)
    alt = f"{title}: a video from {data.brand.name}"
    og = [
        ("og:type", "video.other"),
        ("og:site_name", data.site_name or data.brand.name),
        ("og:title", title),
        ("og:description", desc),
        ("og:url", page),
    ]
    if image:
        og += [("og:image", image)]
        og += [("og:image:secure_url", image)] if image.startswith("https://") else []
        og += [("og:image:type", "image/jpeg"), ("og:image:width", str(width)),
               ("og:image:height", str(height)), ("og:image:alt", alt)]  # fmt: skip
    og += [("og:video", data.video_url)]
    og += [("og:video:secure_url", data.video_url)] if data.video_url.startswith("https://") else []
    og += [("og:video:type", "video/mp4"), ("og:video:width", str(v.width)),
           ("og:video:height", str(v.height))]  # fmt: skip
    player = data.base_url.startswith("https://")  # X shows a player card only for https
    tw = [("twitter:card", "player" if player else "summary_large_image")]
    site = data.twitter_site or data.brand.brand.twitter
    tw += [("twitter:site", site)] if site else []
    tw += [("twitter:title", title), ("twitter:description", desc)]
    tw += [("twitter:image", image), ("twitter:image:alt", alt)] if image else []
    if player:
        tw += [("twitter:player", f"{data.base_url}/embed/{data.link.code}"),
               ("twitter:player:width", str(v.width)), ("twitter:player:height", str(v.height))]  # fmt: skip
        if data.video_url.startswith("https://"):
            tw += [("twitter:player:stream", data.video_url),
                   ("twitter:player:stream:content_type", "video/mp4")]  # fmt: skip
    return "".join(_meta("property", k, c) for k, c in og) + "".join(
        _meta("name", k, c) for k, c in tw
    )


def json_ld(data: PageData) -> str:
    """A schema.org VideoObject, safe inside a ``<script>`` element."""
    v, b = data.video, data.brand
    publisher: dict[str, object] = {"@type": "Organization", "name": b.name}
    if b.brand.site:
        publisher["url"] = b.brand.site
    if b.logo_size is not None:
        publisher["logo"] = b.url(data.base_url, "logo.png")
    thing = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": v.title,
        "description": description(data),
        "thumbnailUrl": [u for u in (data.card_url, data.poster_url) if u],
        "uploadDate": datetime.fromtimestamp(v.created, timezone.utc).isoformat(),
        "duration": f"PT{max(0.0, v.duration):.3f}S".replace(".000S", "S"),
        "contentUrl": data.video_url,
        "embedUrl": f"{data.base_url}/embed/{data.link.code}",
        "width": v.width,
        "height": v.height,
        "publisher": publisher,
    }
    text = json.dumps(thing, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _header(data: PageData) -> str:
    b = data.brand
    logo = ""
    if b.logo_size is not None:
        w, h = b.logo_size
        src = _e(b.url(data.base_url, "logo.png"))
        logo = f'<img class="logo" src="{src}" width="{w}" height="{h}" alt="">'
    name = f'<span class="org-name">{_e(b.name)}</span>'
    site = b.brand.site
    if site:
        return f'<a class="org" href="{_e(site)}" rel="noopener">{logo}{name}</a>'
    return f'<span class="org">{logo}{name}</span>'


def _actions(data: PageData) -> dict[str, str]:
    cta = data.cta
    out = {"cta": "", "shared_by": "", "footer_site": ""}
    if cta is not None:
        href = _e(f"{data.base_url}/c/{data.link.code}?v=") + VIEW_MARKER
        out["cta"] = f'<a class="cta" href="{href}" rel="noopener">{_e(cta[0])}</a>\n'
    if data.link.display_name:
        out["shared_by"] = f'<p class="by">Shared by {_e(data.link.display_name)}</p>\n'
    site = data.brand.brand.site
    if site:
        host = site.split("://", 1)[-1].rstrip("/")
        out["footer_site"] = f'<a href="{_e(site)}" rel="noopener">{_e(host)}</a> · '
    return out


def _buttons(data: PageData) -> str:
    targets = share_buttons(data)
    out = []
    for channel, label in BUTTONS:
        href = _e(targets[f"share_{channel}"])
        blank = ' target="_blank" rel="noopener"' if channel not in ("sms", "email") else ""
        out.append(f'<a class="{channel}" href="{href}"{blank}>{label}</a>\n')
    copy = _e(targets["share_copy"])
    out.append(f'<button class="copy" type="button" data-url="{copy}">Copy link</button>\n')
    return "".join(out)


def _shape(video: Video) -> str:
    ratio = video.width / max(1, video.height)
    return "tall" if ratio < 0.8 else "wide" if ratio > 1.25 else "square"


def render_share(data: PageData) -> bytes:
    values = {k: _e(val) for k, val in _common(data).items()}
    targets = share_buttons(data)
    values |= {
        "page_url": _e(data.share_url(data.link)),
        "unfurl": unfurl_tags(data),
        "json_ld": json_ld(data),
        "tracks": _escaped_tracks(data),
        "header": _header(data),
        "buttons": _buttons(data),
        "share_native": _e(targets["share_native"]),
        "shape": _shape(data.video),
        "org_name": _e(data.brand.name),
        "theme_color": _e(data.brand.brand.colors.secondary[:7]),
        **_actions(data),
    }
    return _template("share.html").substitute(_with_marker(values)).encode("utf-8")


def render_embed(data: PageData) -> bytes:
    values = {k: _e(val) for k, val in _common(data).items()}
    values["tracks"] = _escaped_tracks(data)
    return _template("embed.html").substitute(_with_marker(values)).encode("utf-8")


def _escaped_tracks(data: PageData) -> str:
    v = data.video
    if v.burned_captions:  # drawn into the picture already: a CC track would draw them twice
        return ""
    out = []
    for i, c in enumerate(v.captions):
        src = _e(f"{data.base_url}/captions/{v.id}/{i}.vtt")
        # Not "default": the track is for viewers who turn captions on, and for assistive
        # technology.
        out.append(
            f'<track kind="captions" src="{src}" srclang="{_e(c.lang)}" label="{_e(c.label)}">\n'
        )
    return "".join(out)
