"""A red-team pass on the share server: each test is an attack that worked before its fix,
tried against a real uvicorn on 127.0.0.1 where the HTTP layer matters."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.helpers.publish import fetch, free_port
from tests.helpers.site import Site
from vidkit.config import Settings
from vidkit.share.publish import publish
from vidkit.store import open_storage
from vidkit.track.registry import Registry
from vidkit.web.server import BackgroundServer

TOKEN = "s3cret-admin-token-for-tests"


def _publish(s: Settings, bundle: Path, **kw: str) -> str:
    with Registry.open(s.db) as reg:
        store = open_storage(s.storage, base_url=s.base_url)
        [res] = publish([bundle], title="Red team", storage=store, registry=reg,
                        base_url=s.base_url, **kw)  # type: ignore[arg-type]  # fmt: skip
    return res.code


def test_a_strangers_api_request_does_not_break_the_dashboard(
    settings: Settings, bundle: Path
) -> None:
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}", admin_token=TOKEN)
    _publish(s, bundle)
    with BackgroundServer(s, port=port):
        assert fetch(f"{s.base_url}/api/stats")[0] == 401  # anyone on the internet can send it
        status, headers, body = fetch(f"{s.base_url}/dashboard")
        assert status == 200 and b'name="token"' in body


def test_a_call_to_action_address_with_non_ascii_characters_redirects(
    settings: Settings, bundle: Path
) -> None:
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}")
    target = "https://пример.рф/присоединяйся?x=café"
    code = _publish(s, bundle, cta_text="Join", cta_url=target)
    with BackgroundServer(s, port=port):
        status, headers, _ = fetch(f"{s.base_url}/c/{code}")
        assert status == 302
        location = headers["location"]
        assert location.isascii() and urlsplit(location).scheme == "https"
        assert unquote(location) == target


def test_caption_indexes_are_canonical_and_bounded(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real = site.app.storage

    class Counting:
        def read(self, key: str) -> bytes:
            reads.append(key)
            return real.read(key)

    monkeypatch.setattr(site.app, "storage", Counting())
    vid = site.video_id
    assert site.get(f"/captions/{vid}/0.vtt").status == 200
    # Each spelling of 0 was one more storage read (synchronous, on the event loop: an S3 GET)
    # and one more cached copy.
    for spelling in ("00", "000", "0" * 40):
        assert site.get(f"/captions/{vid}/{spelling}.vtt").status == 404
    assert site.get(f"/captions/{vid}/{'1' * 5000}.vtt").status == 404  # int() raised: a 500
    assert len(reads) == 1
