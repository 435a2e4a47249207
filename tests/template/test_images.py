"""Images from user content: refused from the header when too big, downscaled once when not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from vidkit.assets import builtin_dir
from vidkit.cli.main import cli
from vidkit.errors import MediaError, TemplateError
from vidkit.images import MAX_PIXELS, MAX_SIDE, check_image
from vidkit.render.layers import LOGO_MAX_SIDE, logo_image
from vidkit.template.brand import load_brand


def bomb(path: Path, w: int = 16384, h: int = 16384) -> Path:
    """A PNG claiming ``w``×``h`` pixels in a few kilobytes (1 bit a pixel, all zero)."""
    Image.new("1", (w, h)).save(path, format="PNG")
    return path


def kit(tmp_path: Path, **files: Path) -> Path:
    folder = tmp_path / "kit"
    shutil.copytree(builtin_dir("brand_assets") / "default", folder)
    extra = ""
    for key, src in files.items():
        shutil.copy(src, folder / src.name)
        if key == "logo":
            (folder / "logo.png").unlink()
            (folder / src.name).rename(folder / "logo.png")
        else:
            extra += f"{key}: {src.name}\n"
    (folder / "brand.yaml").write_text((folder / "brand.yaml").read_text() + extra)
    return folder


def test_a_huge_logo_is_refused_from_its_header_in_one_line(tmp_path: Path) -> None:
    folder = kit(tmp_path, logo=bomb(tmp_path / "huge.png"))
    with pytest.raises(TemplateError) as info:
        load_brand(folder)
    message = str(info.value)
    assert message.startswith(f"{folder / 'logo.png'}: logo: image is 16384×16384 pixels")
    assert f"over the limit of {MAX_SIDE}×{MAX_SIDE}" in message and "\n" not in message


@pytest.mark.parametrize("size", [(MAX_SIDE + 1, 16), (7000, MAX_PIXELS // 7000 + 1)])
def test_a_still_sting_over_either_limit_is_refused(tmp_path: Path, size: tuple[int, int]) -> None:
    folder = kit(tmp_path, intro=bomb(tmp_path / "intro.png", *size))
    with pytest.raises(TemplateError, match=f"{size[0]}×{size[1]} pixels") as info:
        load_brand(folder)
    assert info.value.key == "intro"


def test_make_with_a_huge_logo_is_one_line_and_exit_2(tmp_path: Path, landscape: Path) -> None:
    folder = kit(tmp_path, logo=bomb(tmp_path / "huge.png"))
    out = CliRunner().invoke(
        cli, ["make", str(landscape), "--brand", str(folder), "-o", str(tmp_path)]
    )
    assert out.exit_code == 2 and "Traceback" not in out.output
    assert out.stderr.count("\n") == 1 and "16384×16384" in out.stderr


def test_a_big_but_allowed_logo_is_held_downscaled(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    big = Image.new("RGBA", (6000, 3000), (215, 38, 61, 255))
    big.paste((0, 0, 0, 0), (3000, 0, 6000, 3000))  # the right half transparent
    big.save(path)
    assert check_image(path, error=TemplateError) == (6000, 3000)
    first = logo_image(path)
    assert first.size == (LOGO_MAX_SIDE, LOGO_MAX_SIDE // 2) and first.mode == "RGBA"
    assert first.getpixel((10, 10)) == (215, 38, 61, 255)
    assert first.getpixel((LOGO_MAX_SIDE - 10, 1000))[3] == 0
    first.paste((0, 0, 0, 0), (0, 0, 50, 50))  # a caller's change does not reach the next one
    assert logo_image(path).getpixel((10, 10)) == (215, 38, 61, 255)


def test_an_unreadable_image_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(MediaError, match="not a readable image"):
        check_image(path, error=MediaError)
