"""End to end: real clips in, real files out, checked by probing them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.probing import atoms, frame_at, streams
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner
from vidkit.render.loudness import measure_file
from vidkit.render.make import make, make_clip
from vidkit.template.presets import resolve
from vidkit.template.templates import load_template

SCALE = 0.25


@pytest.fixture(scope="module")
def rendered(landscape: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("out")
    result = make(
        [landscape], presets=["9x16", "1x1", "4x5", "16x9"], out_dir=out, scale=SCALE,
        fields={"name": "Amira", "place": "Leeds"},
    )  # fmt: skip
    assert not result.errors
    return result


def test_every_shape_has_its_size_and_platform_codecs(rendered) -> None:  # type: ignore[no-untyped-def]
    sizes = {o.platform: (o.width, o.height) for o in rendered.outputs}
    assert sizes == {"9x16": (270, 480), "1x1": (270, 270), "4x5": (270, 338), "16x9": (480, 270)}
    for o in rendered.outputs:
        s = streams(o.path)
        assert (s["width"], s["height"]) == (o.width, o.height)
        assert s["vcodec"] == "h264" and s["profile"] == "High"
        assert s["pix_fmt"] == "yuv420p"
        assert s["colorspace"] == 1 and s["color_trc"] == 1  # BT.709
        assert s["fps"] == 30 and len(s["frame_deltas"]) == 1  # constant frame rate
        assert s["acodec"] == "aac" and s["aprofile"] == "LC"
        assert s["channels"] == 2 and s["rate"] == 48000
        # the 3 s clip plus the default template's 3 s end card
        assert s["duration"] == pytest.approx(6.0, abs=0.1)
        assert o.duration == pytest.approx(6.0, abs=0.01)
        top = atoms(o.path)
        assert top.index("moov") < top.index("mdat"), "moov atom must come first (faststart)"


def test_loudness_is_normalised(rendered) -> None:  # type: ignore[no-untyped-def]
    runner = FFmpegRunner(locate())
    for o in rendered.outputs[:2]:
        m = measure_file(o.path, runner)
        assert m.integrated == pytest.approx(-14, abs=1.0)
        assert m.true_peak <= -1.5


def test_poster_and_link_card(rendered) -> None:  # type: ignore[no-untyped-def]
    for o in rendered.outputs:
        with Image.open(o.poster) as im:
            assert im.format == "JPEG" and im.size == (o.width, o.height)
        with Image.open(o.card) as im:
            assert im.format == "JPEG" and im.size == (1200, 630)
        assert o.card.stat().st_size <= 300_000


def test_end_card_and_lower_third_are_drawn(rendered) -> None:  # type: ignore[no-untyped-def]
    o = next(o for o in rendered.outputs if o.platform == "16x9")
    end = frame_at(o.path, 5.5).convert("RGB")
    # the end card is the brand's secondary colour (#1B1B3A) behind the text
    assert _close(end.getpixel((5, end.height - 5)), (0x1B, 0x1B, 0x3A))
    during = frame_at(o.path, 2.0).convert("RGB")
    before = frame_at(o.path, 0.0).convert("RGB")
    red = [p for p in _pixels(during) if _close(p, (0xD7, 0x26, 0x3D), 40)]
    red_before = [p for p in _pixels(before) if _close(p, (0xD7, 0x26, 0x3D), 40)]
    # the lower third's primary-colour bar appears after 0.5 s
    assert len(red) > len(red_before) + 50


def _close(a, b, tol: int = 24) -> bool:  # type: ignore[no-untyped-def]
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def test_one_ffmpeg_render_for_many_presets(
    landscape: Path, tmp_path: Path, counting_runner
) -> None:  # type: ignore[no-untyped-def]
    runner = counting_runner()
    outs = make_clip(
        landscape, template=load_template("default"), presets=resolve("1x1,16x9,whatsapp"),
        out_dir=tmp_path, scale=0.2, runner=runner,
    )  # fmt: skip
    assert len(outs) == 3
    renders = [c for c in runner.calls if "-filter_complex" in c and "libx264" in c]
    assert len(renders) == 1, "all presets come from one filter graph"
    assert sum(1 for a in renders[0] if a == "-filter_complex") == 1
    assert renders[0].count("libx264") == 3
    # one measuring pass, one render, one poster grab: no per-preset runs
    assert len(runner.calls) == 3


def test_rotated_phone_video_is_upright(rotated: Path, tmp_path: Path) -> None:
    # coded 320x180 left red / right blue, displayed rotated 90 degrees: the picture is portrait,
    # so red and blue become top and bottom halves.
    (o,) = make([rotated], presets=["9x16"], out_dir=tmp_path, scale=SCALE).outputs
    frame = frame_at(o.path, 0.5).convert("RGB")
    top = frame.getpixel((o.width // 2, o.height // 4))
    bottom = frame.getpixel((o.width // 2, 3 * o.height // 4))
    colours = {_name(top), _name(bottom)}
    assert colours == {"red", "blue"}, (top, bottom)


def _name(p) -> str:  # type: ignore[no-untyped-def]
    if p[0] > 150 and p[2] < 100:
        return "red"
    if p[2] > 150 and p[0] < 100:
        return "blue"
    return f"other{p}"


def test_variable_frame_rate_becomes_constant(vfr: Path, tmp_path: Path) -> None:
    (o,) = make([vfr], presets=["1x1"], out_dir=tmp_path, scale=SCALE).outputs
    s = streams(o.path)
    assert len(s["frame_deltas"]) == 1
    assert 24 <= s["fps"] <= 60


def test_hdr_10bit_hevc_is_tone_mapped_to_8bit_sdr(hdr_hevc: Path, tmp_path: Path) -> None:
    (o,) = make([hdr_hevc], presets=["16x9"], out_dir=tmp_path, scale=SCALE).outputs
    s = streams(o.path)
    assert s["vcodec"] == "h264" and s["pix_fmt"] == "yuv420p"
    assert s["color_trc"] == 1 and s["color_primaries"] == 1


def test_clip_without_audio_gets_a_silent_track(no_audio: Path, tmp_path: Path) -> None:
    (o,) = make([no_audio], presets=["1x1"], out_dir=tmp_path, scale=SCALE).outputs
    s = streams(o.path)
    assert s["acodec"] == "aac" and s["channels"] == 2 and s["rate"] == 48000


def test_odd_sizes_and_anamorphic_pixels(odd_size: Path, anamorphic: Path, tmp_path: Path) -> None:
    result = make([odd_size, anamorphic], presets=["16x9"], out_dir=tmp_path, scale=SCALE)
    assert not result.errors
    for o in result.outputs:
        s = streams(o.path)
        assert (s["width"], s["height"]) == (480, 270)


def test_unicode_file_name(unicode_named: Path, tmp_path: Path) -> None:
    (o,) = make([unicode_named], presets=["1x1"], out_dir=tmp_path, scale=SCALE).outputs
    assert o.path.exists() and "日本" in o.path.name
    assert "/" not in o.path.name and "'" not in o.path.name


def test_bad_clips_fail_alone_and_leave_nothing(
    bad_files: dict[str, Path], landscape: Path, tmp_path: Path
) -> None:
    clips = [*bad_files.values(), landscape]
    result = make(clips, presets=["1x1"], out_dir=tmp_path, scale=0.2)
    assert [o.source for o in result.outputs] == [str(landscape)]
    assert {e.source for e in result.errors} == {str(p) for p in bad_files.values()}
    for e in result.errors:
        assert Path(e.source).name in e.error and "\n" not in e.error
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".") or "part" in p.name]
    assert leftovers == []
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".jpg", ".jpg", ".mp4"]


def test_hostile_merge_fields_are_drawn_literally(landscape: Path, tmp_path: Path) -> None:
    hostile = "{\\an8}%{pts}\\'\";[0:v]drawtext=text=x:$(rm -rf ~)"
    (o,) = make(
        [landscape], presets=["1x1"], out_dir=tmp_path, scale=SCALE,
        fields={"name": hostile, "place": "Calais; `id`"},
    ).outputs  # fmt: skip
    assert streams(o.path)["duration"] == pytest.approx(6.0, abs=0.1)


def test_failed_render_leaves_no_partial_output(landscape: Path, tmp_path: Path) -> None:
    from vidkit.errors import RenderError

    def broken(args, **kw):  # type: ignore[no-untyped-def]
        real = FFmpegRunner(locate())
        if "-filter_complex" in args and "libx264" in args:
            # start the real render, then make it fail half-way through the arguments
            return real([*args[:-1], "-frames:v", "1", "-f", "nonexistent-muxer", args[-1]], **kw)
        return real(args, **kw)

    with pytest.raises(RenderError):
        make_clip(landscape, template=load_template("default"), presets=resolve("1x1"),
                  out_dir=tmp_path, scale=0.2, runner=broken)  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def _pixels(im: Image.Image) -> list[tuple[int, ...]]:
    w, h = im.size
    return [im.getpixel((x, y)) for y in range(0, h, 2) for x in range(0, w, 2)]  # type: ignore[misc]


def test_srt_captions_are_burned_in_and_written_beside(landscape: Path, tmp_path: Path) -> None:
    srt = tmp_path / "in.srt"
    srt.write_text(
        "1\n00:00:00,200 --> 00:00:01,400\nWe march {at} 50% : \\o/\n\n"
        "2\n00:00:01,600 --> 00:00:02,800\nمرحبا 你好\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    (o,) = make([landscape], presets=["16x9"], out_dir=out, scale=SCALE, captions=srt).outputs
    srt_out, vtt_out = o.captions
    assert "We march {at} 50% : \\o/" in srt_out.read_text(encoding="utf-8")
    assert "WEBVTT" in vtt_out.read_text(encoding="utf-8")
    with_caption = frame_at(o.path, 0.8).convert("RGB")
    without = frame_at(o.path, 1.5).convert("RGB")
    band = (0, int(o.height * 0.7), o.width, int(o.height * 0.95))
    diff = sum(
        1
        for a, b in zip(_pixels(with_caption.crop(band)), _pixels(without.crop(band)))
        if any(abs(x - y) > 60 for x, y in zip(a, b))
    )
    assert diff > 30, "the caption should change the bottom band while it is shown"


def test_every_preset_renders_from_one_call(landscape: Path, tmp_path: Path) -> None:
    from vidkit.template.presets import all_presets

    result = make([landscape], presets=["all"], out_dir=tmp_path, scale=0.1)
    assert not result.errors
    assert [o.platform for o in result.outputs] == list(all_presets())
    for o in result.outputs:
        p = all_presets()[o.platform].scaled(0.1)
        assert (streams(o.path)["width"], streams(o.path)["height"]) == (p.width, p.height)


BUILTIN_TEMPLATES = sorted(p.stem for p in (Path(__file__).parents[2] / "templates").glob("*.yaml"))


@pytest.mark.parametrize("template", BUILTIN_TEMPLATES)
def test_every_builtin_template_renders(template: str, landscape: Path, tmp_path: Path) -> None:
    """Every templates/*.yaml on every shape (tall, square, wide), at a tiny size."""
    srt = tmp_path / "c.srt"
    srt.write_text("1\n00:00:00,100 --> 00:00:02,500\nEvery template, with captions\n")
    result = make(
        [landscape], template=template, presets=["9x16", "1x1", "16x9"],
        out_dir=tmp_path / "out", scale=0.2, captions=srt, fields={"place": "Leeds"},
    )  # fmt: skip
    assert not result.errors
    assert len(result.outputs) == 3
    for o in result.outputs:
        s = streams(o.path)
        assert s["vcodec"] == "h264" and s["duration"] > 3
        assert (s["width"], s["height"]) == (o.width, o.height)


def test_whatsapp_output_fits_16_mb_even_for_noisy_video(media_dir: Path, tmp_path: Path) -> None:
    """Full size on purpose: film grain is the worst case for a size cap (at crf 23 this clip
    would be several times over the limit)."""
    from tests.helpers.media import SPEECHY, ffmpeg

    noisy = media_dir / "grain.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=gray:s=720x1280:r=30:d=8,noise=alls=70:allf=t+u",
        "-f", "lavfi", "-i", SPEECHY.format(d=8),
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-c:a", "aac", "-shortest", str(noisy),
    )  # fmt: skip
    (o,) = make([noisy], presets=["whatsapp"], out_dir=tmp_path).outputs
    assert (o.width, o.height) == (720, 1280)
    assert o.path.stat().st_size < 16_000_000
    assert o.path.stat().st_size > 8_000_000, "the cap should spend the budget, not starve it"
