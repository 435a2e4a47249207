"""Templates and brand kits: strict validation at the edge, with file, key and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vidkit.assets import builtin_dir
from vidkit.errors import ConfigError, TemplateError
from vidkit.template.templates import fill, list_templates, load_template

BUILTIN = ["default", "testimony", "rally"]


def test_builtin_templates_load() -> None:
    assert set(BUILTIN) <= set(list_templates())
    for name in BUILTIN:
        t = load_template(name)
        assert t.name == name and t.description
        assert t.brand.heading_font.is_file() and t.brand.logo is not None
        assert len(t.digest) == 64


def _write(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ("name: x\nlogo:\n  positon: top-left\n", 3, "logo.positon", "unknown key"),
        ("name: x\nlogo:\n  width: big\n", 3, "logo.width", "expected a number"),
        ("name: x\nreframe: zoom\n", 2, "reframe", "must be one of"),
        ("name: x\nfocus: [0.5]\n", 2, "focus", "expected 2 values"),
        ("name: x\nend_card:\n  url: x\n", 2, "end_card.headline", "missing required key"),
        ("name: x\nlower_third:\n  title: '{name!r}'\n", None, "lower_third.title", "merge field"),
        ("name: x\nname: y\n", 2, "name", "given twice"),
        ("name: x\ncaptions:\n  motion: slide\n", 3, "captions.motion", "must be one of"),
        (
            "name: x\ntitle_card:\n  text: Hi\n  motion: fast\n",
            4,
            "title_card.motion",
            "must be one of",
        ),
        ("name: [unclosed\n", 2, None, "invalid YAML"),
        ("", None, None, "empty"),
    ],
)
def test_malformed_templates_name_file_key_and_line(
    tmp_path: Path, text: str, line: int | None, key: str | None, words: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(TemplateError) as info:
        load_template(path)
    err = info.value
    assert err.path == str(path)
    assert words in str(err)
    if line is not None:
        assert err.line == line and f"{path}:{line}" in str(err)
    if key is not None:
        assert err.key == key


def _brand_copy(tmp_path: Path) -> Path:
    kit = tmp_path / "kit"
    shutil.copytree(builtin_dir("brand_assets") / "default", kit)
    return kit


def test_brand_asset_paths_cannot_escape_their_folder(tmp_path: Path) -> None:
    kit = _brand_copy(tmp_path)
    yaml = (kit / "brand.yaml").read_text()
    (kit / "brand.yaml").write_text(yaml.replace("logo: logo.png", "logo: ../../../etc/passwd"))
    with pytest.raises(TemplateError, match="leaves its folder"):
        load_template("default", brand=kit)
    (kit / "brand.yaml").write_text(yaml.replace("logo: logo.png", "logo: /etc/passwd"))
    with pytest.raises(TemplateError, match="relative"):
        load_template("default", brand=kit)


def test_missing_brand_asset_is_named(tmp_path: Path) -> None:
    kit = _brand_copy(tmp_path)
    (kit / "logo.png").unlink()
    with pytest.raises(TemplateError) as info:
        load_template("default", brand=kit)
    assert info.value.key == "logo" and "logo.png" in str(info.value)


def test_bad_brand_colour_is_named(tmp_path: Path) -> None:
    kit = _brand_copy(tmp_path)
    yaml = (kit / "brand.yaml").read_text()
    (kit / "brand.yaml").write_text(yaml.replace('"#D7263D"', '"red"'))
    with pytest.raises(TemplateError) as info:
        load_template("default", brand=kit)
    assert info.value.key == "colors.primary" and info.value.line is not None


def test_user_template_folder_overrides_builtin(tmp_path: Path) -> None:
    text = (builtin_dir("templates") / "default.yaml").read_text()
    _write(tmp_path, text.replace("Join us", "Vote early"), "default.yaml")
    t = load_template("default", user_dirs=[tmp_path])
    assert t.path == (tmp_path / "default.yaml").resolve()
    assert t.defaults["cta"] == "Vote early"
    assert load_template("default").defaults["cta"] == "Join us"


def test_merge_fields_are_checked_by_name() -> None:
    t = load_template("default")
    assert t.merge_fields({"name": "Amira"})["name"] == "Amira"
    with pytest.raises(ConfigError, match="unknown merge field 'nmae'"):
        t.merge_fields({"nmae": "Amira"})


def test_required_merge_field_without_default(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: x\nend_card:\n  headline: 'Vote {party}'\n")
    t = load_template(path)
    with pytest.raises(ConfigError, match="needs merge field 'party'") as info:
        t.merge_fields({})
    assert "--set party=" in str(info.value)


def test_fill_inserts_values_literally() -> None:
    assert fill("Hi {name}!", {"name": "{place} %s \\n"}) == "Hi {place} %s \\n!"
    assert fill("{{literal}} {name}", {"name": "A"}) == "{literal} A"


def test_reframe_subject_is_a_template_choice(tmp_path: Path) -> None:
    t = load_template(_write(tmp_path, "name: mine\nreframe: subject\nfocus: [0.5, 0.3]\n"))
    assert (t.reframe, t.focus) == ("subject", (0.5, 0.3))


def test_motion_is_a_template_choice_with_fades_by_default(tmp_path: Path) -> None:
    t = load_template(_write(tmp_path, "name: mine\ntitle_card:\n  text: Hi\n"))
    assert t.captions.motion == "fade" and t.title_card is not None
    assert t.title_card.motion == "rise"
    t = load_template(_write(tmp_path, "name: mine\ncaptions:\n  motion: none\n"))
    assert t.captions.motion == "none"
