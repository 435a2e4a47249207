"""Caption images and their ffconcat timeline, checked on real PNGs and a real ffmpeg overlay."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import pytest
from PIL import Image

from vidkit.captions.draw import (
    CaptionFrame,
    CaptionLook,
    blank,
    cues_for_style,
    draw_track,
    render_cues,
    with_motion,
    write_concat_list,
)
from vidkit.captions.formats import parse_srt
from vidkit.captions.model import Cue, Word, spread_words
from vidkit.render.plan import Box, CaptionTrack
from vidkit.template.brand import load_brand
from vidkit.text.draw import parse_color
from vidkit.text.fonts import FontStack

ACCENT = "#FFD23F"
SIZE = (480, 120)


@pytest.fixture(scope="module")
def look() -> CaptionLook:
    return CaptionLook(stack=FontStack.default(bold=True), size_px=28, accent=ACCENT)


def cue(text: str, start: int = 0, end: int = 2000) -> Cue:
    return Cue(start, end, text, spread_words(text, start, end))


def accent_columns(path: Path) -> list[int]:
    """x positions of pixels drawn in the accent colour."""
    target = parse_color(ACCENT)[:3]
    with Image.open(path) as im:
        rgba = im.convert("RGBA")
        w, h = rgba.size
        px = rgba.load()
        return sorted(
            {
                x
                for x in range(w)
                for y in range(h)
                if px[x, y][3] > 200 and all(abs(a - b) < 40 for a, b in zip(px[x, y][:3], target))
            }
        )


def opaque_box(path: Path) -> tuple[int, int, int, int] | None:
    with Image.open(path) as im:
        return im.getchannel("A").getbbox()


@pytest.mark.parametrize("style", ["classic", "karaoke", "punchy"])
def test_every_state_is_one_png_of_the_box_size(tmp_path: Path, look: CaptionLook, style: str):
    cues = [cue("We stand together", 0, 1500), cue("for a fair wage.", 1500, 3000)]
    frames = render_cues(cues, style, SIZE, look, tmp_path)
    assert len(frames) == {"karaoke": 7, "punchy": 4, "classic": 2}[style]  # punchy words pop
    for frame in frames:
        with Image.open(frame.png) as im:
            assert im.size == SIZE and im.mode == "RGBA"
        assert opaque_box(frame.png) is not None  # something was drawn
        assert frame.png.parent == tmp_path and frame.png.name.startswith("cap-")


def test_classic_sits_at_the_bottom_and_punchy_in_the_middle(tmp_path: Path, look: CaptionLook):
    (classic,) = render_cues([cue("Hello")], "classic", SIZE, look, tmp_path / "c")
    _pop, punchy = render_cues([cue("Hello")], "punchy", SIZE, look, tmp_path / "p")
    c_box, p_box = opaque_box(classic.png), opaque_box(punchy.png)
    assert c_box and p_box
    assert c_box[3] > SIZE[1] - 12  # near the bottom edge
    assert abs((p_box[1] + p_box[3]) / 2 - SIZE[1] / 2) < 6  # centred


def test_long_text_wraps_into_two_balanced_lines(tmp_path: Path, look: CaptionLook):
    text = "when nurses and teachers stand together"
    (frame,) = render_cues([cue(text)], "classic", SIZE, look, tmp_path)
    box = opaque_box(frame.png)
    assert box
    assert box[3] - box[1] > 28 * 1.8  # two lines tall
    assert box[2] - box[0] < SIZE[0] * 0.75  # balanced: not one full line and a short one


def test_karaoke_moves_the_accent_through_the_words(tmp_path: Path, look: CaptionLook):
    words = (Word("Vote", 0, 400), Word("for", 400, 700), Word("change", 700, 1500))
    frames = render_cues([Cue(0, 1600, "Vote for change", words)], "karaoke", SIZE, look, tmp_path)
    assert [(f.start, f.end) for f in frames] == [(0, 400), (400, 700), (700, 1600)]
    spans = [accent_columns(f.png) for f in frames]
    assert all(spans)
    assert spans[0][-1] < spans[1][0] and spans[1][-1] < spans[2][0]  # left to right


def test_karaoke_right_to_left_highlights_from_the_right(tmp_path: Path, look: CaptionLook):
    text = "نحن معا اليوم"
    frames = render_cues([cue(text, 0, 1500)], "karaoke", SIZE, look, tmp_path)
    first, last = accent_columns(frames[0].png), accent_columns(frames[-1].png)
    assert first and last and first[0] > last[-1]


def test_hostile_and_emoji_text_draws_without_error(tmp_path: Path, look: CaptionLook):
    texts = ["{\\an8}<i>x</i> %{pts} \\N '; rm -rf", "👩🏽‍🚀🎉", "مرحبا 🎉 你好", "\u202e\u0000odd"]
    frames = render_cues([cue(t) for t in texts], "karaoke", SIZE, look, tmp_path)
    assert frames
    assert opaque_box(frames[0].png) is not None


def test_punchy_regroups_transcribed_words_but_keeps_written_cues(look: CaptionLook):
    words = tuple(
        Word(t, i * 300, i * 300 + 250) for i, t in enumerate(["a", "b", "c", "d", "e", "f", "g"])
    )
    auto = (Cue(0, 2100, "a b c d e f g", words),)
    assert [len(c.words) for c in cues_for_style(auto, "punchy")] == [3, 3, 1]
    written = parse_srt("1\n00:00:00,000 --> 00:00:02,100\na b c d e f g\n")
    assert cues_for_style(written, "punchy") == written


def test_concat_list_covers_the_timeline_exactly(tmp_path: Path):
    a, b, gap = tmp_path / "cap-1.png", tmp_path / "cap-2.png", tmp_path / "blank.png"
    frames = [CaptionFrame(2000, 9000, b), CaptionFrame(500, 2500, a)]  # unsorted, overlapping
    path = write_concat_list(frames, gap, 8000, tmp_path / "list.ffconcat")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "ffconcat version 1.0"
    entries = list(zip(lines[1::2], lines[2::2]))
    names = [f.split("'")[1] for f, _ in entries if _.startswith("duration")]
    durations = [round(float(d.split()[1]) * 1000) for _, d in entries if d.startswith("duration")]
    assert names == ["blank.png", "cap-1.png", "cap-2.png"]
    assert durations == [500, 2000, 5500]
    assert sum(durations) == 8000
    assert lines[-1] == "file 'cap-2.png'"  # last entry repeated for the demuxer


def test_concat_list_quotes_outside_paths(tmp_path: Path):
    odd = tmp_path / "it's here" / "blank.png"
    path = write_concat_list([], odd, 1000, tmp_path / "l.ffconcat")
    assert "file '" + str(odd.resolve()).replace("'", "'\\''") + "'" in path.read_text()


def test_ffmpeg_overlay_shows_each_caption_exactly_in_its_time(tmp_path: Path, look: CaptionLook):
    from vidkit.ffmpeg.locate import locate

    cues = [cue("Hello there", 500, 1200), cue("Second", 2000, 2600)]
    frames = render_cues(cues, "classic", (160, 40), look, tmp_path)
    concat = write_concat_list(
        frames, blank((160, 40), tmp_path / "blank.png"), 3000, tmp_path / "c.ffconcat"
    )
    out = tmp_path / "o.mp4"
    graph = (
        "[1:v]format=rgba,setpts=PTS-STARTPTS[c];"
        "[0:v][c]overlay=x=0:y=50:format=auto:eof_action=pass,format=yuv420p[v]"
    )
    subprocess.run(
        [locate().path, "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=160x90:r=10:d=3"]
        + ["-f", "concat", "-safe", "0", "-i", str(concat), "-filter_complex", graph]
        + ["-map", "[v]", "-c:v", "libx264", "-crf", "10", str(out)],
        check=True,
    )
    shown = []
    with av.open(str(out)) as container:
        for frame in container.decode(video=0):
            band = frame.to_image().convert("L").crop((0, 50, 160, 90))
            shown.append((round(float(frame.time) * 1000), band.getextrema()[1] > 128))
    visible = [t for t, on in shown if on]
    assert visible == [*range(500, 1200, 100), *range(2000, 2600, 100)]


def test_karaoke_moves_through_chinese_written_without_spaces(tmp_path: Path, look: CaptionLook):
    frames = render_cues([cue("我们一起赢", 0, 1000)], "karaoke", SIZE, look, tmp_path)
    assert len(frames) == 5  # one state per character
    spans = [accent_columns(f.png) for f in frames]
    assert all(spans)
    assert all(a[-1] < b[0] for a, b in zip(spans, spans[1:], strict=False))


@pytest.mark.parametrize(
    "text",
    ["আমরা একসাথে আছি", "ਅਸੀਂ ਇਕੱਠੇ ਹਾਂ", "ہم ساتھ ہیں", "Estamos juntos, ¿verdad?", "Razem, zawsze"],
)
def test_captions_in_the_campaigns_languages_are_drawn_not_dropped(
    tmp_path: Path, look: CaptionLook, text: str
):
    (frame,) = render_cues([cue(text)], "classic", SIZE, look, tmp_path)
    box = opaque_box(frame.png)
    assert box is not None and box[2] - box[0] > 28 * 3  # a caption's width of real glyphs


def test_punchy_words_pop_larger_for_a_moment_then_settle(tmp_path: Path, look: CaptionLook):
    from vidkit.captions.draw import POP_MS

    pop, settled = render_cues([cue("Vote", 1000, 1600)], "punchy", SIZE, look, tmp_path)
    assert (pop.start, pop.end, settled.start, settled.end) == (
        1000,
        1000 + POP_MS,
        1000 + POP_MS,
        1600,
    )
    big, normal = opaque_box(pop.png), opaque_box(settled.png)
    assert big and normal
    assert big[2] - big[0] > (normal[2] - normal[0]) * 1.08  # visibly larger
    (short,) = render_cues([cue("Go", 0, 120)], "punchy", SIZE, look, tmp_path / "s")
    assert (short.start, short.end) == (0, 120)  # too short to pop: shown as it is


def test_only_cues_that_start_before_the_clip_ends_are_drawn(tmp_path: Path) -> None:
    cues = tuple(parse_srt(_many_cues(500)))  # 500 s of captions on a 3 s clip
    track = CaptionTrack(Box(0, 0, 320, 80), cues, "classic", 20, False, load_brand("default"))
    listing = draw_track(track, total_frames=90, fps=30, work=tmp_path).listing
    assert sorted(p.name for p in tmp_path.glob("cap-*.png")) == [
        "cap-00001.png", "cap-00002.png", "cap-00003.png",
    ]  # fmt: skip
    assert "cap-00003.png" in listing.read_text(encoding="utf-8")


def _many_cues(n: int) -> str:
    return "".join(
        f"{i + 1}\n00:{i // 60:02d}:{i % 60:02d},000 --> 00:{i // 60:02d}:{i % 60:02d},900\nCue {i}\n\n"
        for i in range(n)
    )


def test_captions_fade_in_the_gaps_around_their_cues_never_inside_them(
    tmp_path: Path, look: CaptionLook
):
    cues = [cue("One", 1000, 2000), cue("Two", 2000, 2500), cue("Three", 2700, 3500)]
    states = render_cues(cues, "classic", (160, 40), look, tmp_path)
    frames, fades = with_motion(states, 4000)
    assert [(f.start, f.end, f.enter) for f in fades] == [
        (800, 1000, True),  # in over the 200 ms before "One"
        (2500, 2600, False),  # "Two" and "Three" share a 200 ms gap: half each
        (2600, 2700, True),
        (3500, 3700, False),
    ]  # "One" and "Two" follow each other: no fade between them
    # each image is shown over its fades too, and whole for its cue's own time
    assert [(f.start, f.end, f.png) for f in frames] == [
        (800, 2000, states[0].png), (2000, 2600, states[1].png), (2600, 3700, states[2].png),
    ]  # fmt: skip
    assert with_motion(states, 4000, fade_ms=0) == (states, [])
