"""vidkit preview: a contact sheet made from a real (small) render."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from vidkit.captions.model import Cue, spread_words
from vidkit.cli.main import cli
from vidkit.render.plan import make_plan
from vidkit.render.preview import THUMB_HEIGHT, moments
from vidkit.render.probe import probe
from vidkit.template.presets import resolve
from vidkit.template.templates import load_template


def test_moments_are_the_title_lower_third_captions_and_end_card(landscape: Path) -> None:
    tpl = load_template("default")
    cues = [Cue(0, 900, "Hello", spread_words("Hello", 0, 900)), Cue(1000, 1900, "there")]
    plan = make_plan(probe(landscape), tpl, resolve("9x16"), fields={"name": "Amira"}, cues=cues)
    out = plan.outputs[0]
    got = {m.label: m.seconds for m in moments(plan, out)}
    assert set(got) == {"lower third", "captions", "end card"}
    main_s = out.main_frames / plan.fps
    assert 0.5 < got["lower third"] < 5.0
    assert 1.0 <= got["captions"] <= 1.9
    assert main_s < got["end card"] < main_s + 3


def test_preview_writes_one_row_per_preset(landscape: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.png"
    result = CliRunner().invoke(
        cli,
        ["preview", str(landscape), "-p", "9x16,16x9", "--set", "name=Amira", "-o", str(sheet),
         "--scale", "0.2"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(sheet)
    with Image.open(sheet) as im:
        assert im.format == "PNG"
        rows = im.height // THUMB_HEIGHT
        assert rows == 2
        # the end card (brand colour) and the clip differ: the sheet is not one flat colour
        assert len(im.convert("RGB").resize((64, 32)).getcolors(4096) or ()) > 20
