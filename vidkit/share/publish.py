"""Publish rendered videos: check, upload (video, poster, card, captions), register, mint a link.

Every file is checked before anything is uploaded (a file that is not a playable video is
refused), and a video is registered only after all of its objects are stored, so a failed
upload never leaves a half-registered video. Object keys are content hashes: publishing the
same file again sends nothing and returns the same video.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from vidkit.errors import ConfigError, MediaError
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner, Runner
from vidkit.files import sha256_file
from vidkit.images import check_image
from vidkit.progress import TransferFn
from vidkit.render.poster import best_frame, design_card, make_card, make_poster
from vidkit.render.probe import Media, made_with, probe
from vidkit.share.links import share_url
from vidkit.store.base import IMMUTABLE, Storage, content_key, content_type
from vidkit.template.brand import Brand
from vidkit.track.registry import Caption, Registry, Video

Prober = Callable[[Path], Media]
CARD_SIZE = (1200, 630)
CARD_MAX_BYTES = 300 * 1024


@dataclass(frozen=True)
class Bundle:
    """A rendered video and the siblings the renderer writes beside it."""

    video: Path
    poster: Path | None
    card: Path | None
    captions: Path | None  # .vtt preferred, else .srt

    @classmethod
    def find(cls, video: Path) -> Bundle:
        def sibling(suffix: str) -> Path | None:
            p = video.with_name(video.stem + suffix)
            return p if p.is_file() else None

        return cls(
            video=video,
            poster=sibling(".poster.jpg"),
            card=sibling(".card.jpg"),
            captions=sibling(".vtt") or sibling(".srt"),
        )


@dataclass(frozen=True)
class Published:
    id: str
    code: str
    object_url: str
    share_url: str
    existing: bool  # the same file had been published before
    sent_bytes: int  # 0 when every object was already stored
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "object_url": self.object_url, "share_url": self.share_url}


def publish(
    paths: Sequence[Path],
    *,
    title: str,
    description: str = "",
    storage: Storage,
    registry: Registry,
    base_url: str,
    captions_lang: str = "en",
    cta_text: str | None = None,
    cta_url: str | None = None,
    brand: Brand | None = None,
    prober: Prober = probe,
    runner: Runner | None = None,
    on_progress: TransferFn | None = None,
    clock: Callable[[], float] = time.time,
) -> list[Published]:
    """Publish each video in ``paths``; see the module docstring for the guarantees. A video
    without a poster or card beside it gets them made (``runner`` runs ffmpeg for the poster).

    With a ``brand``, the link card is designed here (the title in the brand's type, its logo,
    a frame away from captions) for videos vidkit rendered and videos without a card; a card a
    person made for their own video is kept. What vidkit wrote into a video it rendered (its
    template, caption style, burned-in captions, end card call to action) is registered with
    it; ``cta_text`` and ``cta_url`` override the call to action."""
    title = title.strip()
    if not title:
        raise ConfigError("a title is required", key="title")
    override = call_to_action(cta_text, cta_url) if (cta_text or cta_url) else None
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?", captions_lang):
        raise ConfigError(f"not a language tag: {captions_lang!r}", key="captions_lang")
    checked = [_check(Bundle.find(Path(p)), prober) for p in paths]  # before any upload
    storage.check()
    results = []
    with tempfile.TemporaryDirectory(prefix="vidkit-publish-") as tmp:
        made = [made_with(b.video) for b, _, _ in checked]
        card = _CardSpec(title, brand, runner)
        checked = [
            (_completed(_as_vtt(b, Path(tmp) / str(i)), m, Path(tmp) / str(i), card, made[i]), m, w)
            for i, (b, m, w) in enumerate(checked)
        ]
        total = sum(_size(b) for b, _, _ in checked)
        sent = [0]

        def progress(n: int) -> None:
            sent[0] += n
            if on_progress:
                on_progress(sent[0], total)

        for (bundle, media, warnings), tags in zip(checked, made):
            before = sent[0]
            keys = _upload(bundle, storage, progress)
            captions = ()
            if keys["captions"]:
                captions = (Caption(key=keys["captions"], lang=captions_lang, label="Captions"),)
            fields = _made_fields(tags, override)
            video = _video(keys, bundle, media, title, description, captions, clock, fields)
            video, root, created = registry.register(video)
            results.append(
                Published(
                    id=video.id,
                    code=root.code,
                    object_url=storage.url(video.video_key),
                    share_url=share_url(base_url, root.code),
                    existing=not created,
                    sent_bytes=sent[0] - before,
                    warnings=warnings,
                )
            )
    return results


def _video(
    keys: dict[str, str | None],
    bundle: Bundle,
    media: Media,
    title: str,
    description: str,
    captions: tuple[Caption, ...],
    clock: Callable[[], float],
    fields: dict[str, object],
) -> Video:
    digest = str(keys["sha256"])
    return Video(
        id=digest[:12],
        sha256=digest,
        title=title,
        description=description.strip(),
        video_key=str(keys["video"]),
        poster_key=keys["poster"],
        card_key=keys["card"],
        captions=captions,
        width=media.width,
        height=media.height,
        duration=round(media.duration, 3),
        size=bundle.video.stat().st_size,
        created=int(clock()),
        **fields,  # type: ignore[arg-type]
    )


def _check(bundle: Bundle, prober: Prober) -> tuple[Bundle, Media, tuple[str, ...]]:
    if not bundle.video.is_file():
        raise MediaError("no such file", path=bundle.video)
    media = prober(bundle.video)  # raises MediaError for anything that is not a playable video
    warnings = []
    for image in (bundle.poster, bundle.card):
        if image is None:
            continue
        check_image(image, error=MediaError)  # the header only: a huge image is refused unread
        try:
            with Image.open(image) as im:
                im.verify()
                size, fmt = im.size, im.format
        except (UnidentifiedImageError, OSError) as exc:
            raise MediaError(f"not a readable image: {exc}", path=image) from None
        if fmt != "JPEG":
            raise MediaError(f"expected a JPEG image, found {fmt}", path=image)
        if image is bundle.card:
            if size != CARD_SIZE:
                warnings.append(f"{image.name} is {size[0]}×{size[1]}, link previews want 1200×630")
            if image.stat().st_size > CARD_MAX_BYTES:
                warnings.append(f"{image.name} is over 300 KB: WhatsApp shows no preview image")
    missing = [f"{bundle.video.stem}.{n}.jpg" for n in ("poster", "card") if not getattr(bundle, n)]
    if missing:
        source = bundle.poster.name if bundle.poster else "a frame of the video"
        warnings.append(f"no {' or '.join(missing)} beside it: made from {source}")
    return bundle, media, tuple(warnings)


MAX_CTA_TEXT = 40
MAX_URL = 2000


def call_to_action(text: str | None, url: str | None, key: str = "cta") -> tuple[str, str]:
    """A checked call to action: short one-line text and an http(s) address (``example.org/join``
    becomes ``https://example.org/join``). The share server redirects only to such addresses."""
    text = " ".join((text or "").split())
    if not text or len(text) > MAX_CTA_TEXT:
        raise ConfigError(
            f"a call to action needs a text of 1-{MAX_CTA_TEXT} characters", key=f"{key}_text"
        )
    address = (url or "").strip()
    if address and "://" not in address:
        address = "https://" + address
    parts = urlsplit(address)
    if (
        parts.scheme not in ("http", "https")
        or "." not in (parts.hostname or "")
        or len(address) > MAX_URL
        or any(c.isspace() or ord(c) < 32 for c in address)
    ):
        raise ConfigError(
            f"not a web address for the call to action: {url!r}",
            key=f"{key}_url",
            hint="e.g. https://example.org/join",
        )
    return text, address


def _made_fields(tags: dict[str, object], override: tuple[str, str] | None) -> dict[str, object]:
    """The Video fields from what the renderer wrote into the file, and the CLI's override."""
    cta: tuple[str, str] | None = override
    if cta is None and tags.get("cta_text") and tags.get("cta_url"):
        try:
            cta = call_to_action(str(tags["cta_text"]), str(tags["cta_url"]))
        except ConfigError:  # an end card's text or address that is not a usable button
            cta = None
    template, style = tags.get("template"), tags.get("caption_style")
    return {
        "template": str(template) if template else None,
        "caption_style": str(style) if style else None,
        "burned_captions": bool(tags.get("burned_captions")),
        "cta_text": cta[0] if cta else None,
        "cta_url": cta[1] if cta else None,
    }


@dataclass(frozen=True)
class _CardSpec:
    title: str
    brand: Brand | None
    runner: Runner | None


def _completed(
    bundle: Bundle, media: Media, tmp: Path, spec: _CardSpec, tags: dict[str, object]
) -> Bundle:
    """The bundle with a poster and a 1200x630 card made in ``tmp`` where it has none, so that
    link previews (og:image, twitter:image) and the player's poster are never empty. With a
    brand kit, the card is designed (see :func:`publish`)."""
    poster, card = bundle.poster, bundle.card
    design = spec.brand is not None and (card is None or bool(tags))
    if poster is not None and card is not None and not design:
        return bundle
    tmp.mkdir(parents=True, exist_ok=True)
    stem = bundle.video.stem
    run = spec.runner or FFmpegRunner(locate())
    if poster is None:
        poster = make_poster(bundle.video, media.duration, tmp / f"{stem}.poster.jpg", run)
    if design and spec.brand is not None:
        busy = cue_spans(bundle.captions) if bundle.captions is not None else []
        frame = best_frame(bundle.video, media.duration, busy, tmp / f"{stem}.frame.jpg", run)
        card = design_card(frame, tmp / f"{stem}.card.jpg", title=spec.title, brand=spec.brand)
    elif card is None:
        card = make_card(poster, tmp / f"{stem}.card.jpg")
    return replace(bundle, poster=poster, card=card)


_CUE = re.compile(r"((?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})")


def cue_spans(captions: Path) -> list[tuple[float, float]]:
    """(start, end) seconds of each cue in a WebVTT or SubRip file: when a caption is on screen."""

    def seconds(stamp: str) -> float:
        parts = stamp.replace(",", ".").split(":")
        return sum(float(p) * 60**i for i, p in enumerate(reversed(parts)))

    return [(seconds(a), seconds(b)) for a, b in _CUE.findall(_read_text(captions))]


def _size(bundle: Bundle) -> int:
    files = (bundle.video, bundle.poster, bundle.card, bundle.captions)
    return sum(f.stat().st_size for f in files if f is not None)


def _as_vtt(bundle: Bundle, tmp: Path) -> Bundle:
    """The bundle with SubRip captions converted to WebVTT (what browsers play) in ``tmp``."""
    if bundle.captions is None or bundle.captions.suffix.lower() != ".srt":
        return bundle
    tmp.mkdir(parents=True, exist_ok=True)
    vtt = tmp / (bundle.video.stem + ".vtt")
    vtt.write_text(srt_to_vtt(_read_text(bundle.captions)), encoding="utf-8")
    return replace(bundle, captions=vtt)


def _upload(
    bundle: Bundle, storage: Storage, progress: Callable[[int], None]
) -> dict[str, str | None]:
    """Store the bundle's files (small ones first, the video last); return their keys."""
    keys: dict[str, str | None] = {"poster": None, "card": None, "captions": None}
    if bundle.captions is not None:
        keys["captions"] = _put(storage, bundle.captions, progress)
    for name in ("poster", "card"):
        path = getattr(bundle, name)
        if path is not None:
            keys[name] = _put(storage, path, progress)
    digest = sha256_file(bundle.video)
    keys["video"] = _put(storage, bundle.video, progress, digest)
    keys["sha256"] = digest
    return keys


def _put(
    storage: Storage, path: Path, progress: Callable[[int], None], digest: str | None = None
) -> str:
    key = content_key(digest or sha256_file(path), path.suffix)
    sent = storage.put(
        path, key, content_type=content_type(path), cache_control=IMMUTABLE, on_progress=progress
    )
    if not sent:
        progress(0)
    return key


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise MediaError("captions are not UTF-8 text", path=path) from None


_SRT_TIME = re.compile(r"(\d{1,2}:\d{2}:\d{2}),(\d{3})")


def srt_to_vtt(srt: str) -> str:
    """SubRip text as WebVTT (the caption format browsers play)."""
    body = _SRT_TIME.sub(r"\1.\2", srt.replace("\r\n", "\n").strip())
    return "WEBVTT\n\n" + body + "\n"
