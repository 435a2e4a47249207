"""The ASGI application in-process (httpx's ASGI transport): the adapter, lifespan, gzip."""

from __future__ import annotations

import asyncio
import gzip
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from tests.helpers.publish import BROWSER_UA, parse
from vidkit.config import Settings
from vidkit.share.publish import publish
from vidkit.store import open_storage
from vidkit.track.registry import Registry
from vidkit.web.asgi import ShareServer


def _publish(s: Settings, bundle: Path) -> str:
    with Registry.open(s.db) as reg:
        [res] = publish([bundle], title="In process", storage=open_storage(s.storage, base_url=s.base_url),
                        registry=reg, base_url=s.base_url)  # fmt: skip
    return res.code


async def _lifespan(app: ShareServer, *events: str) -> list[str]:
    """Drive the ASGI lifespan protocol as a server does; return what the app answered."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for event in events:
        inbox.put_nowait({"type": f"lifespan.{event}"})
    answers: list[str] = []

    async def send(message: dict[str, Any]) -> None:
        answers.append(message["type"])

    await app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, send)
    return answers


def test_the_asgi_app_in_process(settings: Settings, bundle: Path) -> None:
    s = replace(settings, base_url="http://testserver")
    code = _publish(s, bundle)
    app = ShareServer(s)

    async def run() -> None:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.5", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            ua = {"User-Agent": BROWSER_UA}
            plain = await client.get(f"/s/{code}", headers={**ua, "Accept-Encoding": "identity"})
            assert plain.status_code == 200 and int(plain.headers["content-length"]) == len(
                plain.content
            )
            raw = await client.get(f"/s/{code}", headers={**ua, "Accept-Encoding": "gzip"},
                                   extensions={})  # fmt: skip
            assert raw.headers["content-encoding"] == "gzip"
            page = parse(raw.content)  # httpx decoded the spliced gzip stream
            token = page.first("video")["data-view"]
            assert token != parse(plain.content).first("video")["data-view"]  # one per view
            beacon = await client.post(f"/b/{code}?v={token}", content=b"e=start")
            assert beacon.status_code == 204
            big = await client.post(f"/b/{code}", content=b"x" * (65 * 1024))
            assert big.status_code == 413
            stats = await client.get(
                "/api/stats?limit=1", headers={"Authorization": "Bearer s3cret"}
            )
            assert stats.status_code == 200 and len(stats.json()["links"]) == 1
        await app.shutdown()  # the final flush

    asyncio.run(run())
    with Registry.open(s.db) as reg:
        assert reg.event_count("click") == 2 and reg.event_count("play") == 1
    assert not list(s.log_dir.glob("*.log"))


def test_the_gzip_page_is_a_valid_stream(settings: Settings, bundle: Path) -> None:
    s = replace(settings, base_url="http://testserver")
    code = _publish(s, bundle)
    with Registry.open(s.db) as reg:
        from tests.helpers.site import make_site

        site = make_site(s, bundle, reg)
        plain = site.get(f"/s/{code}").body
        zipped = site.get(f"/s/{code}", headers={"Accept-Encoding": "gzip"}).body
        opened = gzip.decompress(zipped)  # checks the CRC and length too
        assert len(opened) == len(plain) and opened != plain  # another view, another token
        site.app.close()
        site.log.close()


def test_lifespan_starts_replays_and_stops(settings: Settings, bundle: Path) -> None:
    _publish(settings, bundle)
    app = ShareServer(settings)
    answers = asyncio.run(_lifespan(app, "startup", "shutdown"))
    assert answers == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert app.running is None
    broken = ShareServer(replace(settings, db="mysql://127.0.0.1/unsupported"))
    assert asyncio.run(_lifespan(broken, "startup")) == ["lifespan.startup.failed"]
