"""A published video and its share app, for the web tests (in-process, no server)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.helpers.publish import parse, request
from vidkit.config import Settings
from vidkit.share.publish import publish
from vidkit.store import open_storage
from vidkit.track.registry import Registry, Video
from vidkit.track.stats import stats
from vidkit.web.app import ShareApp
from vidkit.web.clicklog import ClickLog
from vidkit.web.http import Response

PREVIEW_UAS = {
    "facebook": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "x": "Twitterbot/1.0",
    "whatsapp": "WhatsApp/2.23.20.0 A",
    "telegram": "TelegramBot (like TwitterBot)",
    "linkedin": "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "slack": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "discord": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "apple": "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Applebot/0.1",
    "imessage": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like "
    "Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
}


@dataclass
class Site:
    settings: Settings
    registry: Registry
    app: ShareApp
    log: ClickLog
    code: str
    video_id: str

    def get(self, path: str, **kw: object) -> Response:
        return self.app(request("GET", path, **kw))  # type: ignore[arg-type]

    def counts(self, code: str | None = None) -> dict:
        self.log.flush()
        rows = stats(self.registry)["links"]
        return next(r for r in rows if r["code"] == (code or self.code))


def make_site(settings: Settings, bundle: Path, registry: Registry) -> Site:
    store = open_storage(settings.storage, base_url=settings.base_url)
    [res] = publish([bundle], title="Nurses <speak> & \"care\"", description="On the ward.",
                    storage=store, registry=registry, base_url=settings.base_url)  # fmt: skip
    log = ClickLog(settings.log_dir, registry)
    log.open()
    return Site(settings, registry, ShareApp(settings, registry, store, log), log, res.code, res.id)


def view_token(page: bytes) -> str:
    """The per-view token a share or embed page carries for its beacons and share buttons."""
    return parse(page).first("video")["data-view"]


def registry_with_link(url: str, t0: int = 1_790_000_000) -> tuple[Registry, int]:
    """A registry at ``url`` holding one published video; its root link's id."""
    reg = Registry.open(url)
    digest = "ab" * 32
    video = Video(digest[:12], digest, "t", "", "k.mp4", None, None, (), 320, 568, 2.0, 1, t0)
    _, root, _ = reg.register(video)
    return reg, root.id
