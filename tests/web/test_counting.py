"""Counting that resists cheap inflation, in-process: view tokens, budgets, minting on use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.publish import BROWSER_UA, parse, request
from tests.helpers.site import PREVIEW_UAS, Site, make_site, view_token
from vidkit.config import Settings
from vidkit.track.registry import Registry
from vidkit.web.app import ShareApp
from vidkit.web.counting import Limits


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def site(settings: Settings, bundle: Path, clock: Clock) -> Iterator[Site]:
    with Registry.open(settings.db) as reg:
        s = make_site(settings, bundle, reg)
        s.app = ShareApp(settings, reg, s.app.storage, s.log, clock=clock, limits=Limits())
        yield s
        s.app.close()
        s.log.close()


def beacon(site: Site, body: bytes, token: str = "", client: str = "203.0.113.7") -> int:
    path = f"/b/{site.code}" + (f"?v={token}" if token else "")
    return site.app(request("POST", path, body=body, client=client)).status


def test_beacons_without_a_page_view_count_nothing(site: Site) -> None:
    """Was: 150k beacons from one client, no page view, counted 29,880 completions."""
    forged = "A" * 27
    for _ in range(300):
        assert beacon(site, b"e=100") == 204  # answered the same, counted nothing
        assert beacon(site, b"e=start", forged) == 204
    c = site.counts()
    assert c["completions"] == 0 and c["plays"] == 0


def test_a_view_counts_each_beacon_kind_once(site: Site) -> None:
    token = view_token(site.get(f"/s/{site.code}").body)
    for _ in range(200):
        for body in (b"e=start", b"e=25", b"e=50", b"e=75", b"e=100"):
            beacon(site, body, token)
    c = site.counts()
    assert (c["plays"], c["watched_25"], c["completions"], c["clicks"]) == (1, 1, 1, 1)


def test_a_view_token_is_short_lived_and_bound_to_its_link(
    site: Site, clock: Clock, settings: Settings
) -> None:
    token = view_token(site.get(f"/s/{site.code}").body)
    other = site.registry.create_link(site.video_id, channel="other")
    other_token = view_token(site.get(f"/s/{other.code}").body)
    assert beacon(site, b"e=start", other_token) == 204  # another link's view
    clock.now += 5 * 3600  # past the token's life
    assert beacon(site, b"e=25", token) == 204
    assert site.counts()["plays"] == 0 and site.counts()["watched_25"] == 0
    fresh = view_token(site.get(f"/s/{site.code}").body)
    beacon(site, b"e=start", fresh)
    assert site.counts()["plays"] == 1


def test_beacons_per_address_are_budgeted(site: Site) -> None:
    site.app.budgets.limits = Limits(beacons=3)
    for _ in range(10):  # ten real views from one address, each playing once
        beacon(site, b"e=start", view_token(site.get(f"/s/{site.code}").body))
    beacon(site, b"e=start", view_token(site.get(f"/s/{site.code}", client="198.51.100.9").body),
           client="198.51.100.9")  # fmt: skip
    c = site.counts()
    assert c["clicks"] == 11 and c["plays"] == 3 + 1


def test_rotating_user_agents_add_few_unique_visitors(site: Site) -> None:
    """Was: rotating the User-Agent made 29,601 unique visitors in 3 s from one address."""
    site.app.budgets.limits = Limits(visitors=5)
    for i in range(300):
        site.get(f"/s/{site.code}", ua=f"{BROWSER_UA} build/{i}")
    for i in range(3):  # other addresses still count as other visitors
        site.get(f"/s/{site.code}", client=f"198.51.100.{i}")
    c = site.counts()
    assert c["clicks"] == 303  # clicks are still counted
    assert c["unique_visitors"] == 5 + 1 + 3  # the budget, the address beyond it, the others


def test_page_views_and_crawlers_mint_no_links(site: Site) -> None:
    """Was: every share-page view minted six child links; a crawler minted ~1,200 a second."""
    before = len(site.registry.links())
    for i in range(100):
        site.get(f"/s/{site.code}", ua=f"{BROWSER_UA} {i}")
    body = site.get(f"/s/{site.code}", ua=PREVIEW_UAS["facebook"]).body
    token = view_token(body)
    own = [a for a in parse(body).all("a") if a["href"].startswith(site.settings.base_url)]
    assert own  # the share buttons and the call to action
    for a in own:  # a crawler following the share buttons, token or not
        for suffix in ("", f"?v={token}"):
            path = a["href"].split("127.0.0.1:8000", 1)[-1] + suffix
            if path.startswith("/s/"):
                resp = site.get(path, ua=PREVIEW_UAS["facebook"])
                assert resp.status in (200, 302)
        assert site.get(a["href"].split("127.0.0.1:8000", 1)[-1]).status in (200, 302)
    assert len(site.registry.links()) == before
    head = site.app(request("HEAD", f"/s/{site.code}/share/x?v={token}"))
    assert head.status == 302 and len(site.registry.links()) == before


def test_a_share_button_mints_its_child_once(site: Site) -> None:
    token = view_token(site.get(f"/s/{site.code}").body)
    first = dict(site.get(f"/s/{site.code}/share/telegram?v={token}").headers)["location"]
    again = dict(site.get(f"/s/{site.code}/share/telegram?v={token}").headers)["location"]
    assert first == again and first.startswith("https://t.me/share/url?")
    children = [link for link in site.registry.links() if link.parent_id is not None]
    assert [c.channel for c in children] == ["telegram"]
    assert site.get(f"/s/{site.code}/share/myspace?v={token}").status == 404


def test_share_buttons_per_address_are_budgeted(site: Site) -> None:
    site.app.budgets.limits = Limits(shares=2)
    token = view_token(site.get(f"/s/{site.code}").body)
    for channel in ("whatsapp", "facebook", "x", "telegram"):
        site.get(f"/s/{site.code}/share/{channel}?v={token}")
    assert len([link for link in site.registry.links() if link.parent_id]) == 2


def test_a_flood_of_views_never_stops_counting_and_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vidkit.web import counting

    monkeypatch.setattr(counting, "MAX_SEEN", 100)
    tokens = counting.ViewTokens(b"k" * 32, clock=lambda: 1_790_000_000.0)
    for _ in range(1000):  # a stranger's flood of views, each sending a beacon
        assert tokens.use(tokens.issue(7), 7, "play")
    mine = tokens.issue(7)
    assert tokens.use(mine, 7, "play") and not tokens.use(mine, 7, "play")  # still once
    assert len(tokens._seen) + len(tokens._old) <= 2 * 100
