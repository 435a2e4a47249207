"""The share server in-process: share pages, previews vs clicks, privacy, 404s, the API."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers.publish import BROWSER_UA, parse, request
from tests.helpers.site import PREVIEW_UAS, Site, make_site, view_token
from vidkit.config import Settings
from vidkit.store.local import LocalStorage
from vidkit.track.registry import Registry


def test_share_page_is_a_200_with_the_full_unfurl_set(site: Site) -> None:
    resp = site.get(f"/s/{site.code}")
    assert resp.status == 200 and resp.content_type.startswith("text/html")
    assert not any(name == "location" for name, _ in resp.headers)
    page = parse(resp.body)
    m = page.meta
    base = site.settings.base_url
    assert m["og:type"] == "video.other" and m["og:site_name"] == "Default campaign"  # the brand
    assert m["og:title"] == 'Nurses <speak> & "care"'  # escaped in HTML, intact when parsed
    assert b"<speak>" not in resp.body
    assert m["og:url"] == f"{base}/s/{site.code}"  # the sharer's token kept
    assert (m["og:image:width"], m["og:image:height"], m["og:image:type"]) == (
        "1200",
        "630",
        "image/jpeg",
    )
    assert m["og:image:alt"]
    assert m["og:video:type"] == "video/mp4" and (m["og:video:width"], m["og:video:height"]) == (
        "320",
        "568",
    )
    for key in ("og:image", "og:video", "og:url", "twitter:image"):
        assert m[key].startswith(base + "/"), key
    assert m["twitter:card"] == "summary_large_image"  # no https player page on plain http
    # http:// in a secure_url is worse than none; X's player wants https; one og:video structure
    for key in ("og:image:secure_url", "og:video:secure_url", "og:video:url", "twitter:player",
                "twitter:player:stream"):  # fmt: skip
        assert key not in m, key
    assert [a["property"] for a in page.all("meta") if a.get("property", "").startswith("og:video")
            ] == ["og:video", "og:video:type", "og:video:width", "og:video:height"]  # fmt: skip
    assert m["description"] == "On the ward." and m["og:description"] == "On the ward."
    assert not any(a.get("http-equiv", "").lower() == "refresh" for a in page.all("meta"))
    track = page.first("track")
    assert track["kind"] == "captions" and track["src"].startswith(base)


def test_https_base_gets_an_x_player_card(settings: Settings, bundle: Path) -> None:
    secure = replace(settings, base_url="https://share.example.org", twitter_site="@campaign")
    with Registry.open(secure.db) as reg:
        s = make_site(secure, bundle, reg)
        m = parse(s.get(f"/s/{s.code}").body).meta
        s.app.close()
        s.log.close()
    assert m["twitter:card"] == "player" and m["twitter:site"] == "@campaign"
    assert m["twitter:player"] == f"https://share.example.org/embed/{s.code}"
    for key in ("og:image", "og:video"):
        assert m[f"{key}:secure_url"] == m[key] and m[key].startswith("https://"), key
    assert m["twitter:player:stream"] == m["og:video"]


def test_share_buttons_hand_out_child_links_tagged_with_channel_and_parent(site: Site) -> None:
    body = site.get(f"/s/{site.code}").body
    page, token = parse(body), view_token(body)
    links = {link.code: link for link in site.registry.links(site.video_id)}
    root = links[site.code]
    nav = page.all("a")
    hrefs = {a["class"]: a["href"] for a in nav if "/share/" in a.get("href", "")}
    hrefs["copy"] = next(b for b in page.all("button") if b["class"] == "copy")["data-url"]
    hrefs["native"] = next(a for a in nav if a.get("class") == "share-open")["data-url"]
    assert "share-open" not in hrefs  # the share sheet's button links to the buttons below
    for channel, prefix in (("whatsapp", "https://wa.me/"), ("facebook", "https://www.facebook.com/"),
                            ("x", "https://x.com/"), ("telegram", "https://t.me/"),
                            ("linkedin", "https://www.linkedin.com/"), ("sms", "sms:?body="),
                            ("email", "mailto:"), ("copy", "http://"), ("native", "http://")):  # fmt: skip
        assert hrefs[channel] == f"{site.settings.base_url}/s/{site.code}/share/{channel}"
        resp = site.get(f"/s/{site.code}/share/{channel}?v={token}")
        target = dict(resp.headers).get("location") or resp.body.decode().strip()
        assert target.startswith(prefix)
        links = {link.code: link for link in site.registry.links(site.video_id)}
        child = next(c for c in links.values() if c.code in target)
        assert child.channel == channel and child.parent_id == root.id
    # a click on a child link, re-shared again, extends the tree
    child = next(c for c in links.values() if c.channel == "whatsapp")
    token = view_token(site.get(f"/s/{child.code}").body)
    for channel in hrefs:
        site.get(f"/s/{child.code}/share/{channel}?v={token}")
    grandchildren = [c for c in site.registry.links(site.video_id) if c.parent_id == child.id]
    assert {c.channel for c in grandchildren} == set(hrefs)
    assert site.counts(child.code)["parent"] == site.code


@pytest.mark.parametrize("family", sorted(PREVIEW_UAS))
def test_preview_agents_are_previews_not_clicks(site: Site, family: str) -> None:
    assert site.get(f"/s/{site.code}", ua=PREVIEW_UAS[family]).status == 200
    counts = site.counts()
    assert (counts["previews"], counts["clicks"]) == (1, 0)
    agent = site.registry.db.query("SELECT agent FROM events")[0][0]
    assert agent == family


def test_head_requests_are_previews(site: Site) -> None:
    for _ in range(3):  # as X does: one GET and three HEADs with a browser user agent
        resp = site.app(request("HEAD", f"/s/{site.code}"))
        assert resp.status == 200
    site.get(f"/s/{site.code}")
    counts = site.counts()
    assert (counts["previews"], counts["clicks"]) == (3, 1)


def test_unique_visitors_by_salted_hash_per_link(site: Site) -> None:
    other = site.registry.create_link(site.video_id, channel="facebook", sharer="m-7").code
    site.get(f"/s/{site.code}")
    site.get(f"/s/{site.code}")  # same person again
    site.get(f"/s/{site.code}", client="198.51.100.9")  # someone else
    site.get(f"/s/{other}")  # the first person on another link
    assert (site.counts()["clicks"], site.counts()["unique_visitors"]) == (3, 2)
    assert site.counts(other)["unique_visitors"] == 1
    hashes = site.registry.db.query("SELECT link_id, visitor FROM events ORDER BY id")
    assert hashes[0][1] == hashes[1][1] != hashes[2][1]
    assert hashes[3][1] != hashes[0][1]  # the link is in the hash: no joining across links
    assert all(len(h) == 16 for _, h in hashes)


def test_no_address_user_agent_or_cookie_is_stored(site: Site, settings: Settings) -> None:
    ua = "Mozilla/5.0 VeryDistinctiveAgent/7.7.7"
    resp = site.get(f"/s/{site.code}", ua=ua, client="192.0.2.123",
                     headers={"Referer": "https://l.facebook.com/l.php?u=secret-path"})  # fmt: skip
    assert not any(name == "set-cookie" for name, _ in resp.headers)
    site.log.flush()
    tables = ("videos", "links", "events", "salts", "log_segments", "daily_links", "daily_audience")
    dump = repr([site.registry.db.query(f"SELECT * FROM {t}") for t in tables]).encode()
    files = [
        p.read_bytes() for p in settings.home.rglob("*") if p.is_file() and "media" not in p.parts
    ]
    assert files  # the click log, and the SQLite database when that is the backend
    for needle in (b"192.0.2.123", b"VeryDistinctiveAgent", b"secret-path"):
        assert needle not in dump and not any(needle in b for b in files), needle
    row = site.registry.db.query("SELECT referrer, visitor FROM events")[0]
    assert row[0] == "l.facebook.com" and len(row[1]) == 16


@pytest.mark.parametrize("header", ["DNT", "Sec-GPC"])
def test_do_not_track_counts_the_visit_and_keeps_nothing(site: Site, header: str) -> None:
    site.get(f"/s/{site.code}", headers={header: "1", "Referer": "https://t.co/x"})
    assert site.counts()["clicks"] == 1
    row = site.registry.db.query("SELECT visitor, referrer, country FROM events")[0]
    assert row == (None, None, None)


def test_country_only_from_a_configured_trusted_header(site: Site) -> None:
    site.get(f"/s/{site.code}", headers={"CF-IPCountry": "GB"})
    site.app.settings = replace(site.settings, country_header="CF-IPCountry")
    site.get(f"/s/{site.code}", headers={"CF-IPCountry": "gb"})
    site.get(f"/s/{site.code}", headers={"CF-IPCountry": "<script>"})
    site.log.flush()
    rows = site.registry.db.query("SELECT country FROM events ORDER BY id")
    assert [r[0] for r in rows] == [None, "GB", None]


def test_country_from_a_local_geoip_file(settings: Settings, bundle: Path, tmp_path: Path) -> None:
    pytest.importorskip("maxminddb")
    writer = pytest.importorskip("mmdb_writer")
    from netaddr import IPSet

    db = writer.MMDBWriter(ip_version=4, database_type="GeoLite2-Country")
    db.insert_network(IPSet(["203.0.113.0/24"]), {"country": {"iso_code": "NZ"}})
    db.to_db_file(str(tmp_path / "country.mmdb"))
    geo = replace(settings, geoip=tmp_path / "country.mmdb")
    with Registry.open(geo.db) as reg:
        s = make_site(geo, bundle, reg)
        s.get(f"/s/{s.code}", client="203.0.113.50")
        s.get(f"/s/{s.code}", client="198.51.100.1")
        s.get(f"/s/{s.code}", client="203.0.113.9", headers={"DNT": "1"})
        s.log.flush()
        rows = reg.db.query("SELECT country FROM events ORDER BY id")
        s.app.close()
        s.log.close()
    assert [r[0] for r in rows] == ["NZ", None, None]


HOSTILE = [
    "/s/AAAAAAAA",
    "/s/<script>alert(1)</script>",
    "/s/..%2f..%2fetc%2fpasswd",
    "/s/../../etc/passwd",
    "/media/../vidkit.db",
    "/media/%2e%2e/vidkit.db",
    "/captions/../../x",
    "/static/../app.py",
    "/embed/zzzz'\"><img>",
    "/b/nope",
    "/redirect?to=https://evil.example",
    "//evil.example/",
    "/s/?url=https://evil.example",
    "/%0d%0aSet-Cookie:x=1",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_unknown_and_hostile_paths_get_a_plain_404(site: Site, path: str) -> None:
    resp = site.get(path)
    assert resp.status == 404
    assert resp.body == b"not found\n"
    assert not any(name in ("location", "set-cookie") for name, _ in resp.headers)


def test_the_server_never_redirects(site: Site) -> None:
    paths = [*HOSTILE, f"/s/{site.code}", f"/s/{site.code}?next=https://evil.example", "/",
             f"/embed/{site.code}", "/robots.txt", "/healthz"]  # fmt: skip
    for path in paths:
        for ua in (BROWSER_UA, PREVIEW_UAS["facebook"]):
            resp = site.get(path, ua=ua)
            assert not 300 <= resp.status < 400, path


def test_api_needs_the_bearer_token(site: Site) -> None:
    assert site.get("/api/stats").status == 401
    assert site.get("/api/stats", headers={"Authorization": "Bearer wrong"}).status == 401
    auth = {"Authorization": "Bearer s3cret"}
    resp = site.get("/api/stats", headers=auth)
    assert resp.status == 200 and json.loads(resp.body)["links"][0]["code"] == site.code
    body = json.dumps({"video_id": site.video_id, "channel": "whatsapp", "sharer": "m-1"}).encode()
    made = site.app(request("POST", "/api/links", headers=auth, body=body))
    assert made.status == 201
    out = json.loads(made.body)
    assert out["share_url"].endswith("/s/" + out["code"])
    assert site.get(f"/s/{out['code']}").status == 200
    bad = site.app(request("POST", "/api/links", headers=auth, body=b"{nope"))
    assert bad.status == 400


def test_api_is_closed_when_no_token_is_configured(site: Site) -> None:
    site.app.api.token = None
    assert site.get("/api/videos", headers={"Authorization": "Bearer "}).status == 401


def test_play_and_watch_through_beacons(site: Site) -> None:
    token = view_token(site.get(f"/embed/{site.code}").body)  # a player view, not a click
    for body in (b"e=start", b"e=25", b"e=50", b"e=75", b"e=100", b"e=bogus"):
        resp = site.app(request("POST", f"/b/{site.code}?v={token}", body=body))
        assert resp.status == (404 if body == b"e=bogus" else 204)
    assert site.app(request("GET", f"/b/{site.code}")).status == 405
    c = site.counts()
    assert (c["plays"], c["watched_25"], c["watched_50"], c["watched_75"], c["completions"]) == (
        1,
    ) * 5
    assert c["clicks"] == 0


def test_embed_captions_and_static_files(site: Site) -> None:
    embed = site.get(f"/embed/{site.code}")
    assert embed.status == 200 and b"<video" in embed.body
    assert (
        "content-security-policy",
        "default-src 'self'; img-src * data:; media-src *; base-uri 'none'",
    ) in embed.headers
    vtt = site.get(f"/captions/{site.video_id}/0.vtt")
    assert vtt.status == 200 and vtt.body.startswith(b"WEBVTT")
    assert site.get(f"/captions/{site.video_id}/5.vtt").status == 404
    assert site.get("/static/share.js").status == 200
    assert isinstance(site.app.storage, LocalStorage)
