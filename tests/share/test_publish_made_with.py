"""Publishing a video vidkit rendered: what the render wrote into it (template, caption style,
burned-in captions, the end card's call to action) is registered without being repeated; the
link card is designed with the title and the brand kit from a frame with no caption on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.media import ffmpeg
from vidkit.config import Settings
from vidkit.errors import ConfigError
from vidkit.render import graph
from vidkit.render.plan import make_plan
from vidkit.render.poster import card_times
from vidkit.render.probe import probe
from vidkit.share.publish import call_to_action, publish
from vidkit.store import open_storage
from vidkit.template.brand import load_brand
from vidkit.template.presets import resolve
from vidkit.template.templates import load_template
from vidkit.track.registry import Registry


def _rendered_like(tmp: Path) -> Path:
    """A clip carrying the comment tag the renderer writes for the rally template."""
    src = tmp / "src.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=180x320:r=25:d=3", "-c:v", "libx264", str(src))
    plan = make_plan(probe(src), load_template("rally"), resolve("9x16"), fields={"cta": "Act now"})
    out = tmp / "out" / "rally.mp4"
    out.parent.mkdir()
    ffmpeg("-i", str(src), "-c", "copy", *graph.metadata_args(plan, plan.outputs[0]), str(out))
    Image.new("RGB", (180, 320), (200, 30, 60)).save(out.with_name("rally.poster.jpg"))
    Image.new("RGB", (1200, 630), (20, 90, 200)).save(out.with_name("rally.card.jpg"))
    out.with_name("rally.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.400\nfirst words\n", encoding="utf-8"
    )
    return out


def test_publish_registers_what_the_render_wrote_and_designs_the_card(
    tmp_path: Path, settings: Settings
) -> None:
    video = _rendered_like(tmp_path)
    store = open_storage(settings.storage, base_url=settings.base_url)
    with Registry.open(settings.db) as reg:
        [res] = publish([video], title="We act together", storage=store, registry=reg,
                        base_url=settings.base_url, brand=load_brand("default"))  # fmt: skip
        v = reg.video(res.id)
        assert (v.template, v.caption_style, v.burned_captions) == ("rally", None, False)
        assert (v.cta_text, v.cta_url) == ("Act now", "https://example.org/act")
        card = store.path(v.card_key)  # type: ignore[attr-defined]
        assert card.read_bytes() != video.with_name("rally.card.jpg").read_bytes()  # redesigned
        with Image.open(card) as im:
            assert im.size == (1200, 630) and im.format == "JPEG"
            panel = im.convert("RGB").getpixel((300, 600))
        assert panel == pytest.approx((27, 27, 58), abs=6)  # the brand's secondary colour
        assert card.stat().st_size <= 300 * 1024
        # --cta-text/--cta-url win over the end card
        [again] = publish([video], title="We act together", storage=store, registry=reg,
                          base_url=settings.base_url, brand=load_brand("default"),
                          cta_text="Register to vote", cta_url="vote.example.org")  # fmt: skip
        v = reg.video(again.id)
        assert again.existing and (v.cta_text, v.cta_url) == (
            "Register to vote",
            "https://vote.example.org",
        )


def test_a_card_someone_made_for_their_own_video_is_kept(
    tmp_path: Path, settings: Settings, bundle: Path
) -> None:
    store = open_storage(settings.storage, base_url=settings.base_url)
    with Registry.open(settings.db) as reg:
        [res] = publish([bundle], title="Mine", storage=store, registry=reg,
                        base_url=settings.base_url, brand=load_brand("default"))  # fmt: skip
        v = reg.video(res.id)
    assert v.template is None and v.cta_text is None
    own = bundle.with_name("clip.card.jpg").read_bytes()
    assert store.path(v.card_key).read_bytes() == own  # type: ignore[attr-defined]
    copy = tmp_path / "bare" / "clip.mp4"
    copy.parent.mkdir()
    shutil.copy(bundle, copy)  # no card beside it: designed
    with Registry.open(settings.db) as reg:
        [res] = publish([copy], title="Mine", storage=store, registry=reg,
                        base_url=settings.base_url, brand=load_brand("default"))  # fmt: skip
        assert reg.video(res.id).card_key is not None


def test_card_frames_avoid_captions_on_screen() -> None:
    busy = [(0.0, 2.0), (2.5, 4.0), (4.2, 6.0)]
    times = card_times(10.0, busy, 8)
    assert times and all(not (a - 0.15 <= t <= b + 0.15) for t in times for a, b in busy)
    assert all(0.8 <= t <= 7.0 for t in times)
    assert card_times(10.0, [(0.0, 10.0)], 4)  # captions all along: still some candidates


@pytest.mark.parametrize(
    "text, url",
    [("", "https://x.org"), ("x" * 41, "https://x.org"), ("Join", "javascript:alert(1)"),
     ("Join", "https://nohost"), ("Join", "https://x.org/a b"), ("Join", "ftp://x.org")],
)  # fmt: skip
def test_a_cta_that_is_not_a_short_text_and_a_web_address_is_refused(text: str, url: str) -> None:
    with pytest.raises(ConfigError):
        call_to_action(text, url)
