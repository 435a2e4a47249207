"""The CLI: every command documented, thin over the library, errors as one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from vidkit.cli.main import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None and cmd.name == name
        path = (*prefix, name)
        found.append(path)
        if isinstance(cmd, click.Group):
            found += _commands(cmd, path)
    return found


ALL = _commands(cli)


def test_core_commands_exist() -> None:
    assert {
        ("make",),
        ("probe",),
        ("templates", "list"),
        ("templates", "show"),
        ("doctor",),
    } <= set(ALL)


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    cmd: click.Command | None = cli
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.get_command(click.Context(cmd), name)
    assert cmd is not None
    assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
    for param in cmd.params:
        if isinstance(param, click.Option) and param.name not in ("help",):
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help text"


def test_templates_list_and_show_give_yaml_a_user_can_copy(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["templates", "list", "--json"])
    names = [t["name"] for t in json.loads(out.output)["templates"]]
    assert {"default", "testimony", "rally"} <= set(names)
    shown = CliRunner().invoke(cli, ["templates", "show", "rally"]).output
    assert yaml.safe_load(shown)["name"] == "rally"
    mine = tmp_path / "mine.yaml"
    mine.write_text(shown.replace("name: rally", "name: mine"))
    checked = CliRunner().invoke(cli, ["templates", "check", str(mine)])
    assert checked.exit_code == 0 and "ok" in checked.output


def test_templates_check_reports_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nlogo:\n  colour: red\n")
    result = CliRunner().invoke(cli, ["templates", "check", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3: logo.colour: unknown key" in result.output
    assert "Traceback" not in result.output


def test_doctor_json() -> None:
    result = CliRunner().invoke(cli, ["doctor", "--json"])
    data = json.loads(result.output)
    assert Path(data["ffmpeg"]["path"]).is_file()
    assert data["ffmpeg"]["version"]
    assert data["ffmpeg"]["encoders"]["libx264"] is True
    assert all(data["ffmpeg"]["filters"].values())
    assert data["fonts"] and "default" in data["templates"]
    assert result.exit_code == 0 and data["problems"] == []


def test_doctor_names_the_caption_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    from vidkit.captions.engines.moonshine import available

    for var in ("VIDKIT_WHISPER_MODEL", "VIDKIT_VOSK_MODEL", "VIDKIT_CAPTION_ENGINE"):
        monkeypatch.delenv(var, raising=False)
    data = json.loads(CliRunner().invoke(cli, ["doctor", "--json"]).output)
    assert data["captions"]["engine"] == ("moonshine" if available() else "pocketsphinx")
    assert data["captions"]["languages"] == ["en"]
    monkeypatch.setenv("VIDKIT_CAPTION_ENGINE", "pocketsphinx")
    result = CliRunner().invoke(cli, ["doctor"])
    assert "captions  pocketsphinx (en" in result.output
    monkeypatch.setenv("VIDKIT_CAPTION_ENGINE", "klingon")
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1 and "unknown caption engine 'klingon'" in result.output


def test_probe_json(rotated: Path) -> None:
    data = json.loads(CliRunner().invoke(cli, ["probe", str(rotated), "--json"]).output)
    assert (data["width"], data["height"], data["rotation"]) == (180, 320, 90)


def test_make_json_reports_outputs_and_errors(landscape: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.mp4"
    result = CliRunner().invoke(
        cli,
        ["make", str(landscape), str(missing), "-p", "1x1,whatsapp", "--scale", "0.2",
         "-o", str(tmp_path / "out"), "--set", "name=Amira", "--json"],
    )  # fmt: skip
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [o["platform"] for o in data["outputs"]] == ["1x1", "whatsapp"]
    for o in data["outputs"]:
        assert set(o) >= {"source", "platform", "path", "width", "height", "duration", "poster"}
        assert Path(o["path"]).is_file() and Path(o["poster"]).is_file()
    assert data["errors"] == [{"source": str(missing), "error": f"{missing}: file not found"}]


def test_make_verbose_echoes_ffmpeg_on_stderr_never_stdout(landscape: Path, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "vidkit", "make", str(landscape), "-p", "1x1", "--scale", "0.2"]
    argv += ["-o", str(tmp_path / "out"), "--set", "name=Amira", "--json", "--verbose"]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    data = json.loads(done.stdout)  # stdout is the JSON and nothing else
    assert [o["platform"] for o in data["outputs"]] == ["1x1"]
    echoed = [ln for ln in done.stderr.splitlines() if ln.startswith("+ ")]
    assert len(echoed) == 3  # loudness measurement, the render, the poster
    assert all("ffmpeg" in ln.split()[1] and "-filter_complex" in ln for ln in echoed[:2])
    quiet = subprocess.run(argv[:-1], capture_output=True, text=True, check=True)
    assert not [ln for ln in quiet.stderr.splitlines() if ln.startswith("+ ")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "tiktock"], "unknown preset 'tiktock'"),
        (["-t", "nosuch"], "template 'nosuch' not found"),
        (["--set", "nmae=x"], "unknown merge field 'nmae'"),
        (["--set", "novalue"], "expected KEY=VALUE"),
    ],
)
def test_make_usage_errors_are_one_line(
    landscape: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["make", str(landscape), "-o", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_console_script_and_module_entry_point(tmp_path: Path) -> None:
    for argv in (
        [sys.executable, "-m", "vidkit", "--version"],
        [str(Path(sys.executable).parent / "vidkit"), "--version"],
    ):
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        assert out.startswith("vidkit, version")
    bad = subprocess.run(
        [sys.executable, "-m", "vidkit", "make", str(tmp_path / "x.mp4"), "-o", str(tmp_path)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "file not found" in bad.stderr and "Traceback" not in bad.stderr


def test_doctor_reports_the_click_log_and_segments_of_another_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vidkit.config import load_settings
    from vidkit.track.registry import Registry

    monkeypatch.setenv("VIDKIT_HOME", str(tmp_path))
    monkeypatch.delenv("VIDKIT_DB", raising=False)
    first = json.loads(CliRunner().invoke(cli, ["doctor", "--json"]).stdout)
    assert first["clicklog"] is None  # no database yet, and doctor made none
    settings = load_settings()
    with Registry.open(settings.db) as registry:
        mine = registry.meta("database_id")
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    (settings.log_dir / f"{mine}.1.log").write_text("")
    (settings.log_dir / "0123456789abcdef0123456789abcdef.1.log").write_text("")
    result = CliRunner().invoke(cli, ["doctor", "--json"])
    report = json.loads(result.stdout)
    assert report["clicklog"]["segments"] == 1 and report["clicklog"]["writable"]
    assert any("belong to another database" in p for p in report["problems"])
