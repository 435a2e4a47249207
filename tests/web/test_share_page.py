"""The share page as the campaign's own: brand files, the tracked call to action, "Shared by",
captions offered only when not burned in, structured data. In-process (no server)."""

from __future__ import annotations

import io
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.publish import BROWSER_UA, parse, request
from tests.helpers.site import PREVIEW_UAS, Site, make_site, view_token
from vidkit.config import Settings
from vidkit.template.brand import load_brand
from vidkit.template.colors import contrast
from vidkit.track.registry import Registry
from vidkit.web.brandkit import brand_kit


def _brand_files(site: Site) -> dict[str, str]:
    page = parse(site.get(f"/s/{site.code}").body)
    links = {a["rel"] + a.get("type", ""): a["href"] for a in page.all("link")}
    return links


def test_brand_files_are_served_from_stable_cacheable_paths(site: Site) -> None:
    links = _brand_files(site)
    base = site.settings.base_url
    css = links["stylesheet"]  # the last stylesheet wins the dict: share.css
    assert css == f"{base}/static/share.css"
    for rel, kind in (("icon", "image/x-icon"), ("iconimage/png", "image/png"),
                      ("apple-touch-icon", "image/png")):  # fmt: skip
        url = links[rel]
        assert url.startswith(f"{base}/brand/"), rel
        resp = site.get(url.removeprefix(base))
        assert resp.status == 200 and resp.content_type == kind
        assert ("cache-control", "public, max-age=31536000, immutable") in resp.headers
        with Image.open(io.BytesIO(resp.body)) as im:
            assert im.width == im.height and im.width >= 32
    favicon = site.get("/favicon.ico")  # browsers ask without a <link>: no more 204
    assert favicon.status == 200 and favicon.body[:4] == b"\x00\x00\x01\x00"
    page = site.get(f"/s/{site.code}").body.decode()
    prefix = re.search(r'href="[^"]*(/brand/[0-9a-f]+/)brand\.css"', page).group(1)  # type: ignore[union-attr]
    css = site.get(f"{prefix}brand.css").body.decode()
    assert "prefers-color-scheme: dark" in css and "--cta:" in css
    for font in ("heading", "body"):
        woff2 = site.get(f"{prefix}{font}.woff2")
        assert woff2.status == 200 and woff2.body[:4] == b"wOF2"
        assert len(woff2.body) < 60_000  # subset: the TTF is 189 kB
        assert f'url("{font}.woff2")' in css
    logo = site.get(f"{prefix}logo.png")
    assert logo.status == 200 and Image.open(io.BytesIO(logo.body)).height <= 96
    assert site.get("/brand/0123456789abcdef/logo.png").status == 404  # another digest
    assert site.get(f"{prefix}../../etc/passwd").status == 404


def test_page_names_the_organisation_and_never_repeats_the_title(
    settings: Settings, bundle: Path
) -> None:
    with Registry.open(settings.db) as reg:
        s = make_site(settings, bundle, reg)
        reg.db.execute("UPDATE videos SET description = ''")
        s.app._pages.clear()
        body = s.get(f"/s/{s.code}").body
        s.app.close()
        s.log.close()
    page = parse(body)
    m = page.meta
    assert m["og:site_name"] == "Default campaign"
    assert m["og:description"] and m["og:description"] != m["og:title"]
    assert b'class="org-name">Default campaign<' in body
    assert b'href="https://example.org"' in body  # the brand's site
    [ld] = re.findall(rb'<script type="application/ld\+json">(.*?)</script>', body)
    thing = json.loads(ld)
    assert thing["@type"] == "VideoObject" and thing["name"] == 'Nurses <speak> & "care"'
    assert b"<speak>" not in ld  # escaped inside the script element
    assert thing["thumbnailUrl"][0] == m["og:image"] and thing["duration"].startswith("PT")
    assert thing["publisher"]["name"] == "Default campaign"


def test_cta_is_counted_once_per_view_and_goes_only_where_registered(site: Site) -> None:
    site.registry.db.execute(
        "UPDATE videos SET cta_text = 'Register to vote', cta_url = 'https://vote.example.org/r'"
    )
    site.app._pages.clear()
    body = site.get(f"/s/{site.code}").body
    token = view_token(body)
    cta = next(a for a in parse(body).all("a") if a.get("class") == "cta")
    assert cta["href"] == f"{site.settings.base_url}/c/{site.code}?v={token}"
    assert b">Register to vote</a>" in body
    for _ in range(3):  # tapped three times from one view: one call to action
        resp = site.get(f"/c/{site.code}?v={token}")
        assert resp.status == 302 and dict(resp.headers)["location"] == "https://vote.example.org/r"
    # no live token, a preview agent, a HEAD, a made-up target: redirected, never counted or
    # sent anywhere else
    site.get(f"/c/{site.code}")
    site.get(f"/c/{site.code}?v={view_token(site.get(f'/s/{site.code}').body)}",
             ua=PREVIEW_UAS["whatsapp"])  # fmt: skip
    fresh = view_token(site.get(f"/s/{site.code}").body)
    site.app(request("HEAD", f"/c/{site.code}?v={fresh}"))
    evil = site.get(f"/c/{site.code}?v={token}&url=https://evil.example&next=//evil.example")
    assert dict(evil.headers)["location"] == "https://vote.example.org/r"
    assert site.counts()["cta_clicks"] == 1
    assert site.get("/c/nosuchcode").status == 404
    assert site.app(request("POST", f"/c/{site.code}")).status == 405


def test_cta_falls_back_to_the_brand_kit_and_without_one_there_is_no_button(
    settings: Settings, bundle: Path, tmp_path: Path
) -> None:
    with Registry.open(settings.db) as reg:
        s = make_site(settings, bundle, reg)
        body = s.get(f"/s/{s.code}").body
        assert b">Join us</a>" in body  # the default brand kit's
        target = dict(s.get(f"/c/{s.code}?v={view_token(body)}").headers)["location"]
        assert target == "https://example.org/join"
        s.app.close()
        s.log.close()
    kit = tmp_path / "plain"
    kit.mkdir()
    default = load_brand("default")
    for font in (default.heading_font, default.body_font):
        shutil.copy(font, kit / font.name)
    (kit / "brand.yaml").write_text(
        "name: Plain Org\ncolors: {primary: '#FFD23F', secondary: '#F4F1E8'}\n"
        f"fonts: {{heading: {default.heading_font.name}, body: {default.body_font.name}}}\n"
    )
    plain = replace(settings, brand=str(kit))
    with Registry.open(plain.db) as reg:
        s = make_site(plain, bundle, reg)
        body = s.get(f"/s/{s.code}").body
        assert b'class="cta"' not in body and s.get(f"/c/{s.code}").status == 404
        assert b'class="org-name">Plain Org<' in body and b"logo.png" not in body
        assert s.get("/favicon.ico").status == 200  # made from the name's initial
        s.app.close()
        s.log.close()


@pytest.mark.parametrize(
    "primary, secondary",
    [
        ("#D7263D", "#1B1B3A"),
        ("#FFD23F", "#F4F1E8"),
        ("#2ECC71", "#FFFFFF"),
        ("#777777", "#808080"),
    ],
)
def test_brand_colours_keep_text_readable_in_both_schemes(primary: str, secondary: str) -> None:
    default = load_brand("default")
    colors = replace(default.colors, primary=primary, secondary=secondary)
    kit = brand_kit(replace(default, colors=colors, digest=primary + secondary))
    css = kit.files["brand.css"].body.decode()
    light, dark = css.split("prefers-color-scheme: dark")
    values = [dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", part)) for part in (light, dark)]
    assert contrast(values[0]["cta"], values[0]["cta-fg"]) >= 4.5
    for v in values:
        assert contrast(v["fg"], v["bg"]) >= 7 and contrast(v["muted"], v["bg"]) >= 4.5
        assert contrast(v["bar-fg"], v["bar"]) >= 4.5


def test_shared_by_only_when_the_member_chose_a_name(site: Site) -> None:
    named = site.registry.create_link(site.video_id, sharer="m-1", display_name="Amira <b>")
    anonymous = site.registry.create_link(site.video_id, sharer="m-2")
    body = site.get(f"/s/{named.code}").body
    assert b"Shared by Amira &lt;b&gt;</p>" in body
    assert b"Shared by" not in site.get(f"/s/{anonymous.code}").body
    # re-shared from the named link: the new sharer is a visitor, who is never named
    token = view_token(body)
    child = site.get(f"/s/{named.code}/share/copy?v={token}").body.decode().strip()
    assert b"Shared by" not in site.get(child.removeprefix(site.settings.base_url)).body


def test_cc_track_only_when_captions_are_not_burned_in(site: Site) -> None:
    assert parse(site.get(f"/s/{site.code}").body).all("track")
    site.registry.db.execute("UPDATE videos SET burned_captions = 1")
    site.app._pages.clear()
    for path in (f"/s/{site.code}", f"/embed/{site.code}"):
        assert parse(site.get(path).body).all("track") == []


def test_native_share_mints_its_own_child_link_only_with_a_view_token(site: Site) -> None:
    body = site.get(f"/s/{site.code}", ua=BROWSER_UA).body
    own = site.get(f"/s/{site.code}/share/native").body.decode().strip()
    assert own.endswith(f"/s/{site.code}")  # no token: the link itself, nothing minted
    url = site.get(f"/s/{site.code}/share/native?v={view_token(body)}").body.decode().strip()
    child = site.registry.link(url.rsplit("/", 1)[1])
    assert child is not None and child.channel == "native"


@pytest.mark.parametrize("family", sorted(PREVIEW_UAS))
def test_every_unfurl_client_gets_the_card(site: Site, family: str) -> None:
    resp = site.get(f"/s/{site.code}", ua=PREVIEW_UAS[family])
    m = parse(resp.body).meta
    card = site.get(m["og:image"].removeprefix(site.settings.base_url))
    assert card.status == 200 or card.file is not None
    with Image.open(card.file.path if card.file else io.BytesIO(card.body)) as im:
        assert im.size == (1200, 630) and im.format == "JPEG"
    assert m["twitter:image"] == m["og:image"] and m["og:image:width"] == "1200"


def test_subset_fonts_are_kept_in_the_cache_by_hash(tmp_path: Path) -> None:
    from vidkit.web.brandkit import subset_font

    font = load_brand("default").heading_font
    first = subset_font(font, cache=tmp_path)
    [kept] = tmp_path.iterdir()
    assert first is not None and first[:4] == b"wOF2" and kept.read_bytes() == first
    kept.write_bytes(b"wOF2 from the cache")
    assert subset_font(font, cache=tmp_path) == b"wOF2 from the cache"
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    assert subset_font(broken, cache=tmp_path / "c") is None  # the page falls back to system fonts
