"""A brand kit's intro sting and music bed, joined and mixed in the same single render."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.media import ffmpeg
from tests.helpers.probing import streams
from vidkit.assets import builtin_dir
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner
from vidkit.render.loudness import measure_file
from vidkit.render.make import make


@pytest.fixture(scope="module")
def kit_and_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("brand")
    kit = root / "kit"
    shutil.copytree(builtin_dir("brand_assets") / "default", kit)
    ffmpeg("-f", "lavfi", "-i", "sine=f=660:d=4", "-c:a", "aac", str(kit / "bed.m4a"))
    # a 1 s sting without sound, 4:3, to be fitted to every shape
    ffmpeg("-f", "lavfi", "-i", "color=c=green:s=160x120:r=25:d=1", "-c:v", "libx264",
           "-pix_fmt", "yuv420p", str(kit / "intro.mp4"))  # fmt: skip
    yaml = (kit / "brand.yaml").read_text()
    (kit / "brand.yaml").write_text(yaml + "music: bed.m4a\nintro: intro.mp4\n")
    tpl = root / "with-music.yaml"
    text = (builtin_dir("templates") / "default.yaml").read_text()
    text = text.replace("true_peak: -1.5", "true_peak: -1.5\n  music: true\n  music_gain: -20")
    tpl.write_text(text + "intro: true\n")
    return kit, tpl


def test_intro_sting_and_music_bed(
    kit_and_template: tuple[Path, Path], landscape: Path, tmp_path: Path
) -> None:
    kit, tpl = kit_and_template
    result = make([landscape], template=tpl, brand=kit, presets=["9x16", "16x9"],
                  out_dir=tmp_path, scale=0.2)  # fmt: skip
    assert not result.errors, result.errors
    for o in result.outputs:
        s = streams(o.path)
        # 1 s intro + 3 s clip + 3 s end card, at the clip's 30 fps
        assert s["duration"] == pytest.approx(7.0, abs=0.1)
        assert s["fps"] == 30 and len(s["frame_deltas"]) == 1
        m = measure_file(o.path, FFmpegRunner(locate()))
        assert m.integrated == pytest.approx(-14, abs=1.0) and m.true_peak <= -1.5


def test_template_asking_for_a_missing_sting_fails_clearly(
    kit_and_template: tuple[Path, Path],
) -> None:
    from vidkit.errors import TemplateError
    from vidkit.template.templates import load_template

    _, tpl = kit_and_template
    with pytest.raises(TemplateError, match="has no intro file") as info:
        load_template(tpl)  # the default brand kit has no intro sting
    assert info.value.key == "intro"
