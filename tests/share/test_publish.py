"""publish(): check everything first, upload every object, then register in one step."""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from vidkit.config import Settings
from vidkit.errors import MediaError
from vidkit.files import sha256_file
from vidkit.render.layers import link_card
from vidkit.share.publish import publish, srt_to_vtt
from vidkit.store import open_storage
from vidkit.store.base import StorageError
from vidkit.store.local import LocalStorage
from vidkit.store.s3 import S3Storage
from vidkit.track.registry import Registry


def _local(settings: Settings) -> LocalStorage:
    store = open_storage(settings.storage, base_url=settings.base_url)
    assert isinstance(store, LocalStorage)
    return store


def test_publish_uploads_video_poster_card_and_captions(bundle: Path, settings: Settings) -> None:
    store = _local(settings)
    progress: list[tuple[int, int]] = []
    with Registry.open(settings.db) as reg:
        [res] = publish(
            [bundle],
            title="Nurses speak",
            description="Three nurses on the ward.",
            storage=store,
            registry=reg,
            base_url=settings.base_url,
            on_progress=lambda sent, total: progress.append((sent, total)),
        )
        video = reg.video(res.id)
        assert reg.link(res.code) is not None
    assert res.share_url == f"{settings.base_url}/s/{res.code}"
    assert res.share_url.rsplit("/", 1)[1] == res.code
    assert res.to_dict() == {"id": res.id, "object_url": res.object_url, "share_url": res.share_url}
    digest = sha256_file(bundle)
    assert video.video_key == f"{digest}.mp4" and res.object_url.endswith(video.video_key)
    assert store.path(video.video_key).read_bytes() == bundle.read_bytes()
    assert (
        store.path(video.poster_key).read_bytes()
        == bundle.with_name("clip.poster.jpg").read_bytes()
    )
    assert store.path(video.card_key).read_bytes() == bundle.with_name("clip.card.jpg").read_bytes()
    vtt = store.read(video.captions[0].key).decode()
    assert vtt.startswith("WEBVTT") and "00:00:00.000 --> 00:00:01.000" in vtt
    assert (video.width, video.height) == (320, 568) and video.duration == pytest.approx(2, abs=0.1)
    media = sum(f.stat().st_size for f in bundle.parent.iterdir() if f.suffix == ".jpg")
    media += bundle.stat().st_size
    assert progress[-1][0] == progress[-1][1] == media + len(vtt.encode())
    assert res.warnings == ()


def test_the_same_file_uploads_once(bundle: Path, settings: Settings) -> None:
    store = _local(settings)
    with Registry.open(settings.db) as reg:
        [first] = publish([bundle], title="A", storage=store, registry=reg, base_url="http://x")
        [again] = publish([bundle], title="B", storage=store, registry=reg, base_url="http://x")
        assert reg.video(first.id).title == "B"
    assert first.sent_bytes > 0 and again.sent_bytes == 0
    assert (again.id, again.code, again.existing) == (first.id, first.code, True)


def test_a_file_that_is_not_a_playable_video_is_refused_before_any_upload(
    bundle: Path, settings: Settings
) -> None:
    broken = bundle.with_name("broken.mp4")
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"not a video" * 100)
    store = _local(settings)
    with Registry.open(settings.db) as reg:
        with pytest.raises(MediaError) as info:
            publish([bundle, broken], title="T", storage=store, registry=reg, base_url="http://x")
        assert reg.videos() == []
    assert "broken.mp4" in str(info.value)
    assert not store.root.exists() or not any(store.root.iterdir())


@dataclass
class FailingVideoUploads:
    """A storage (ours, not a patched library) whose video uploads fail half-way."""

    inner: LocalStorage
    location: str = "test://failing"

    def put(self, path: Path, key: str, **kw: object) -> bool:
        if key.endswith(".mp4"):
            raise StorageError("connection reset during upload")
        return self.inner.put(path, key, **kw)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_a_failed_upload_leaves_no_half_registered_video(bundle: Path, settings: Settings) -> None:
    store = FailingVideoUploads(_local(settings))
    with Registry.open(settings.db) as reg:
        with pytest.raises(StorageError):
            publish([bundle], title="T", storage=store, registry=reg, base_url="http://x")  # type: ignore[arg-type]
        assert reg.videos() == [] and reg.links() == []


def test_a_missing_card_is_made_from_the_poster_as_the_renderer_makes_it(
    bundle: Path, settings: Settings, tmp_path: Path
) -> None:
    bundle.with_name("clip.card.jpg").unlink()
    store = _local(settings)
    with Registry.open(settings.db) as reg:
        [res] = publish([bundle], title="T", storage=store, registry=reg, base_url="http://x")
        card_key = reg.video(res.id).card_key
    assert card_key is not None
    link_card(bundle.with_name("clip.poster.jpg"), tmp_path / "expected.jpg")
    assert store.read(card_key) == (tmp_path / "expected.jpg").read_bytes()
    assert any(w == "no clip.card.jpg beside it: made from clip.poster.jpg" for w in res.warnings)
    assert not bundle.with_name("clip.card.jpg").exists()  # the member's folder is left alone


def test_publish_to_s3_end_to_end(bundle: Path, bucket: str, settings: Settings) -> None:
    store = S3Storage(bucket=bucket, prefix="videos")
    with Registry.open(settings.db) as reg:
        [res] = publish(
            [bundle], title="On S3", storage=store, registry=reg, base_url="https://s.example"
        )
        video = reg.video(res.id)
    with urllib.request.urlopen(res.object_url, timeout=10) as resp:
        assert resp.headers["Content-Type"] == "video/mp4"
        assert resp.read() == bundle.read_bytes()
    assert store.read(video.captions[0].key).startswith(b"WEBVTT")
    assert res.share_url.startswith("https://s.example/s/")


def test_srt_becomes_webvtt() -> None:
    vtt = srt_to_vtt("1\r\n00:00:01,250 --> 00:00:02,000\r\nHi\r\n")
    assert vtt == "WEBVTT\n\n1\n00:00:01.250 --> 00:00:02.000\nHi\n"


def test_a_huge_poster_is_refused_before_any_upload(bundle: Path, settings: Settings) -> None:
    poster = bundle.with_name("clip.poster.jpg")
    Image.new("1", (16384, 16384)).save(poster, format="PNG")  # a member's "poster"
    store = _local(settings)
    with Registry.open(settings.db) as reg:
        with pytest.raises(MediaError) as info:
            publish([bundle], title="T", storage=store, registry=reg, base_url="http://x")
        assert reg.videos() == []
    assert str(info.value).startswith(f"{poster}: image is 16384×16384 pixels, over the limit")
    assert not store.root.exists() or not any(store.root.iterdir())
