"""Drawing text: real pixels for Latin, Arabic and CJK, literal text, colours, blocks."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.helpers.fontcheck import blank, ink_amount, ink_box, same_pixels
from vidkit.errors import TemplateError
from vidkit.text import fonts
from vidkit.text import layout as textlayout
from vidkit.text.draw import (
    block_image,
    draw_block,
    draw_text,
    layout_line,
    load_font,
    measure,
    parse_color,
)
from vidkit.text.fonts import FontStack, bundled_fonts_dir

SIZE = 48
WHITE = "#FFFFFF"


def drawn(text: str, stack: FontStack, **kwargs: object) -> Image.Image:
    image = blank(1000, 160)
    draw_text(image, (20, 20), text, stack, SIZE, WHITE, **kwargs)  # type: ignore[arg-type]
    return image


def notdef_mask(font: ImageFont.FreeTypeFont) -> bytes:
    """What the font draws for a character it does not have (its .notdef box)."""
    return bytes(font.getmask("\ue000"))


def test_latin_line_draws_ink_inside_its_box(stack: FontStack) -> None:
    image = blank(1000, 160)
    box = draw_text(image, (20, 20), "Hello, world", stack, SIZE, WHITE)
    ink = ink_box(image)
    assert ink is not None
    assert box[0] <= ink[0] and ink[2] <= box[2] + 1
    assert box[1] <= ink[1] and ink[3] <= box[3]
    assert measure("Hello, world", stack, SIZE)[0] == pytest.approx(ink[2] - ink[0], abs=12)


def test_arabic_is_shaped_and_right_to_left(stack: FontStack) -> None:
    text = "مرحبا بالعالم"
    line = layout_line(text, stack, SIZE)
    assert line.rtl and [r.font.name for r in line.runs] == [fonts.ARABIC_REGULAR]
    image = drawn(text, stack)
    shaped = ink_box(image)
    assert shaped is not None and ink_amount(image) > 0
    # Unshaped (isolated letter forms, as a layout without shaping draws them) is much wider.
    arabic = ImageFont.truetype(
        str(bundled_fonts_dir() / fonts.ARABIC_REGULAR), SIZE, layout_engine=ImageFont.Layout.BASIC
    )
    isolated = blank(1000, 160)
    ImageDraw.Draw(isolated).text((20, 20), text, font=arabic, fill=WHITE)
    unshaped = ink_box(isolated)
    assert unshaped is not None
    assert (shaped[2] - shaped[0]) < 0.85 * (unshaped[2] - unshaped[0])


def test_rtl_runs_are_laid_out_right_to_left(stack: FontStack) -> None:
    line = layout_line("مرحبا Vote 2024 اليوم", stack, SIZE)
    assert line.rtl
    texts = [r.text.strip() for r in line.runs if r.text.strip()]
    # Display order, left to right: the last Arabic word, the English phrase, the first word.
    assert texts == ["اليوم", "Vote 2024", "مرحبا"]
    ltr = layout_line("Vote مرحبا اليوم now", stack, SIZE)
    assert not ltr.rtl
    assert [r.text.strip() for r in ltr.runs if r.text.strip()] == ["Vote", "مرحبا اليوم", "now"]


@pytest.mark.parametrize(
    ("text", "font"),
    [
        ("你好世界", fonts.CJK_HAN),
        ("こんにちは", fonts.CJK_JAPANESE),
        ("안녕하세요", fonts.CJK_HANGUL),
    ],
)
def test_cjk_draws_real_glyphs_not_missing_boxes(stack: FontStack, text: str, font: str) -> None:
    line = layout_line(text, stack, SIZE)
    assert [r.font.name for r in line.runs] == [font]
    pil_font = load_font(bundled_fonts_dir() / font, SIZE)
    tofu = notdef_mask(pil_font)
    for char in text:
        assert bytes(pil_font.getmask(char)) != tofu, char
    image = drawn(text, stack)
    ink = ink_box(image)
    assert ink is not None
    assert ink[2] - ink[0] > 0.8 * SIZE * (len(text) - 1)


def test_text_no_font_has_is_dropped_not_boxed(stack: FontStack) -> None:
    assert same_pixels(drawn("Vote 🗳️ now 🎉", stack), drawn("Vote now", stack))
    image = blank(200, 100)
    box = draw_text(image, (10, 10), "😀👍🏽", stack, SIZE, WHITE)
    assert ink_box(image) is None
    assert box[2] - box[0] == 0


def test_hostile_text_is_drawn_literally(stack: FontStack) -> None:
    text = "{\\an8}%{pts}\\'\": C:\\path 100% {x}"
    ours = drawn(text, stack)
    plain = blank(1000, 160)
    font = load_font(bundled_fonts_dir() / fonts.LATIN_REGULAR, SIZE)
    ascent = font.getmetrics()[0]
    ImageDraw.Draw(plain).text((20, 20 + ascent), text, font=font, fill=WHITE, anchor="ls")
    assert ink_amount(ours) > 0
    assert same_pixels(ours, plain)


def test_brand_font_draws_what_it_covers(stack: FontStack) -> None:
    bold_brand = FontStack.for_font(bundled_fonts_dir() / fonts.LATIN_BOLD)
    assert ink_amount(drawn("Campaign", bold_brand)) > 1.15 * ink_amount(drawn("Campaign", stack))
    # Scripts the brand font lacks still come from the fallbacks.
    assert ink_amount(drawn("你好", bold_brand)) > 0


def test_bold_cjk_is_emboldened(stack: FontStack) -> None:
    regular = ink_amount(drawn("投票日", stack))
    bold = ink_amount(drawn("投票日", stack, bold=True))
    assert bold > 1.1 * regular


def test_stroke_outlines_the_text(stack: FontStack) -> None:
    plain = drawn("Outline", stack)
    outlined = drawn("Outline", stack, stroke_width=3, stroke_fill="#000000")
    assert ink_amount(outlined) > ink_amount(plain)
    a, b = ink_box(plain), ink_box(outlined)
    assert a is not None and b is not None and b[0] < a[0] and b[2] > a[2]


@pytest.mark.parametrize(("anchor", "expected_x"), [("la", 100), ("ma", 50), ("ra", 0)])
def test_anchor_places_the_line(stack: FontStack, anchor: str, expected_x: int) -> None:
    width, _ = measure("Anchor", stack, SIZE)
    image = blank(600, 200)
    box = draw_text(image, (300, 50), "Anchor", stack, SIZE, WHITE, anchor=anchor)
    assert box[0] == pytest.approx(300 - width * (100 - expected_x) / 100, abs=1)


@pytest.mark.parametrize(
    ("value", "rgba"),
    [
        ("#D7263D", (0xD7, 0x26, 0x3D, 255)),
        ("#ffd23f80", (0xFF, 0xD2, 0x3F, 0x80)),
        ((1, 2, 3), (1, 2, 3, 255)),
        ((1, 2, 3, 4), (1, 2, 3, 4)),
    ],
)
def test_parse_color(value: object, rgba: tuple[int, int, int, int]) -> None:
    assert parse_color(value) == rgba  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["red", "#12345", "#GGGGGG", "D7263D", "", (256, 0, 0), (1, 2)])
def test_bad_colours_raise_template_error(bad: object) -> None:
    with pytest.raises(TemplateError, match="not a colour") as err:
        parse_color(bad, key="colors.primary")  # type: ignore[arg-type]
    assert err.value.key == "colors.primary"


def test_draw_text_with_a_bad_colour_raises_template_error(stack: FontStack) -> None:
    with pytest.raises(TemplateError):
        draw_text(blank(), (0, 0), "x", stack, SIZE, "#nothex")


def test_block_is_centred_on_a_translucent_rounded_background(stack: FontStack) -> None:
    image = Image.new("RGBA", (800, 400), (0, 0, 0, 0))
    box = (100, 50, 700, 350)
    drawn_box = draw_block(
        image,
        box,
        ["Amira Khan", "Leeds"],
        stack,
        SIZE,
        WHITE,
        background=("#1B1B3ACC", 20, 16),
    )
    x0, y0, x1, y1 = drawn_box
    assert x0 >= 100 and x1 <= 700 and y0 >= 50 and y1 <= 350
    assert abs((x0 + x1) / 2 - 400) <= 2 and abs((y0 + y1) / 2 - 200) <= 2
    assert image.getpixel((x0 + 2, (y0 + y1) // 2)) == (0x1B, 0x1B, 0x3A, 0xCC)
    assert image.getpixel((x0, y0))[3] == 0  # rounded corner
    assert image.getpixel((x0 - 2, (y0 + y1) // 2))[3] == 0  # nothing outside
    white = sum(
        1 for x in range(x0, x1) for y in range(y0, y1) if image.getpixel((x, y))[:3] == (255,) * 3
    )
    assert white > 500


def test_block_wraps_a_string_and_aligns_rtl_lines_at_the_start(stack: FontStack) -> None:
    image = blank(600, 300)
    text = "هذا نص عربي طويل يجب أن يلتف على عدة أسطر"
    box = draw_block(image, (0, 0, 600, 300), text, stack, 40, WHITE, align="start")
    ink = ink_box(image)
    assert ink is not None and ink[2] > 590  # flush right
    assert box[3] - box[1] >= 2 * 40  # more than one line


def test_block_background_composites_over_existing_pixels(stack: FontStack) -> None:
    image = Image.new("RGBA", (400, 200), (255, 0, 0, 255))
    draw_block(image, (0, 0, 400, 200), ["Hi"], stack, 40, WHITE, background=("#00000080", 10, 0))
    r, g, b, a = image.getpixel((200, 100 - 30))
    assert a == 255 and 120 <= r <= 135 and g == 0  # half-black over red, not replaced


@contextlib.contextmanager
def basic_layout() -> Iterator[None]:
    """Pillow's basic layout, as on a system without FriBiDi (so without raqm)."""
    saved = textlayout._LAYOUT
    textlayout._LAYOUT = ImageFont.Layout.BASIC
    load_font.cache_clear()
    textlayout._layout.cache_clear()
    try:
        yield
    finally:
        textlayout._LAYOUT = saved
        load_font.cache_clear()
        textlayout._layout.cache_clear()


def test_arabic_is_joined_and_ordered_even_without_raqm(stack: FontStack) -> None:
    text = "مرحبا بالعالم (2024)"
    with_raqm = drawn(text, stack)
    assert layout_line(text, stack, SIZE).runs[-1].text.startswith("مرحبا")
    with basic_layout():
        runs = layout_line(text, stack, SIZE).runs
        without = drawn(text, stack)
    # Display order: "(2024)" on the left, brackets mirrored (the logical ")" is leftmost and
    # shows as "("), then the shaped Arabic, reversed for left-to-right drawing.
    assert [r.text for r in runs[:3]] == ["(", "2024", ")"]
    assert [r.rtl for r in runs] == [True, False, True, True]
    arabic = runs[3].text
    assert arabic.endswith("\ufee3")  # the first letter, meem, in initial form, now rightmost
    assert all(0xFE70 <= ord(c) <= 0xFEFF or c == " " for c in arabic)
    a, b = ink_box(with_raqm), ink_box(without)
    assert a is not None and b is not None
    assert (b[2] - b[0]) == pytest.approx(a[2] - a[0], rel=0.08)


def test_block_image_is_sized_to_its_text(stack: FontStack) -> None:
    lines = ["Join us", "example.org/join"]
    image = block_image(lines, stack, SIZE, WHITE, background=("#D7263D", 16, 12))
    widest = max(measure(line, stack, SIZE)[0] for line in lines)
    assert widest + 32 <= image.width <= widest + 40
    assert image.height == math.ceil(SIZE * 1.2 * 2) + 32
    ink = ink_box(image)
    assert ink is not None and ink[0] <= 1 and ink[2] >= image.width - 3  # background fills it
    assert image.getpixel((image.width // 2, 3)) == (0xD7, 0x26, 0x3D, 255)


def test_lines_in_any_script_share_the_first_fonts_metrics(stack: FontStack) -> None:
    heights = {measure(text, stack, SIZE)[1] for text in ("Amira", "أميرة", "李明", "김민지")}
    assert len(heights) == 1


# "we will vote" in the campaign's languages that are written in scripts of their own
BENGALI, PUNJABI, URDU = "আমরা স্বপ্ন দেখি ক্ষমতা", "ਅਸੀਂ ਕਿਸਾਨ ਵੋਟ ਪਾਵਾਂਗੇ", "ہم ووٹ دیں گے"


@pytest.mark.parametrize(
    ("text", "font"),
    [
        (BENGALI, fonts.BENGALI_REGULAR),
        (PUNJABI, fonts.GURMUKHI_REGULAR),
        (URDU, fonts.URDU_NASTALIQ),
    ],
)
def test_bengali_gurmukhi_and_urdu_draw_with_their_own_shaped_fonts(
    stack: FontStack, text: str, font: str
) -> None:
    line = layout_line(text, stack, SIZE)
    assert {r.font.name for r in line.runs if r.text.strip()} == {font}
    pil_font = load_font(bundled_fonts_dir() / font, SIZE)
    tofu = notdef_mask(pil_font)
    assert all(bytes(pil_font.getmask(c)) != tofu for c in text if not c.isspace())
    shaped = drawn(text, stack)
    assert ink_amount(shaped) > 0
    # drawn character by character (no shaping), conjuncts, reordered vowel signs and joined
    # Nastaliq letters come out differently
    basic = ImageFont.truetype(
        str(bundled_fonts_dir() / font), SIZE, layout_engine=ImageFont.Layout.BASIC
    )
    unshaped = blank(1000, 160)
    ImageDraw.Draw(unshaped).text((20, 20), text, font=basic, fill=WHITE)
    if textlayout._LAYOUT == ImageFont.Layout.RAQM:
        assert not same_pixels(shaped, unshaped)


def test_urdu_is_nastaliq_but_arabic_stays_naskh(stack: FontStack) -> None:
    assert [r.font.name for r in layout_line(URDU, stack, SIZE).runs] == [fonts.URDU_NASTALIQ]
    arabic = layout_line("مرحبا بالعالم", stack, SIZE)
    assert [r.font.name for r in arabic.runs] == [fonts.ARABIC_REGULAR]
    bold = layout_line(URDU, stack.bolded(), SIZE)
    assert [r.font.name for r in bold.runs] == [fonts.URDU_NASTALIQ]  # no bold Naskh instead
