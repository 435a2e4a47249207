"""`vidkit batch` as a user runs it: help, human output with line numbers, --json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.helpers.batch import SCALE, write_csv
from tests.helpers.disk import PAGE, fill, small_disk
from vidkit.cli.main import cli


def test_help_names_the_options() -> None:
    result = CliRunner().invoke(cli, ["batch", "--help"])
    assert result.exit_code == 0
    for option in ("--template", "--presets", "--out", "--workers", "--cluster", "--publish"):
        assert option in result.output


def test_json_run_with_a_broken_row_exits_non_zero(workspace: Path) -> None:
    campaign = write_csv(workspace / "c.csv", "clip,name\nclips/a.mp4,Ana\nclips/gone.mp4,Bo\n")
    out = workspace / "out"
    args = ["batch", str(campaign), "-o", str(out), "-p", "9x16", "--scale", str(SCALE)]
    result = CliRunner().invoke(cli, [*args, "--workers", "1", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)  # nothing but JSON on stdout
    assert data["summary"]["ok"] == 1 and data["summary"]["failed"] == 1
    assert [(r["line"], r["status"]) for r in data["rows"]] == [(2, "ok"), (3, "failed")]
    assert Path(data["manifest"]).is_file()

    human = CliRunner().invoke(cli, [*args, "--workers", "1"])
    assert human.exit_code == 1 and human.stdout == ""
    assert "c.csv line 3:" in human.stderr and "gone.mp4" in human.stderr
    assert "1 reused" in human.stderr


def test_bad_campaign_file_is_one_line(tmp_path: Path) -> None:
    campaign = write_csv(tmp_path / "c.csv", "video,name\na.mp4,Ana\n")
    result = CliRunner().invoke(cli, ["batch", str(campaign), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "c.csv:1" in result.stderr and "Traceback" not in result.stderr


def test_bad_options_fail_before_any_row(tmp_path: Path) -> None:
    campaign = write_csv(tmp_path / "c.csv", "clip,name\na.mp4,Ana\n")
    base = ["batch", str(campaign), "-o", str(tmp_path / "out")]
    for extra, message in ((["-t", "nope"], "'nope'"), (["-p", "9x16,bogus"], "'bogus'")):
        result = CliRunner().invoke(cli, [*base, *extra])
        assert result.exit_code == 2 and message in result.stderr
        assert not (tmp_path / "out").exists()


def test_a_manifest_that_does_not_fit_on_the_disk_is_one_line_and_exit_1(tmp_path: Path) -> None:
    rows = "".join(f"clips/gone-{i}.mp4,Member {i}\n" for i in range(300))
    campaign = write_csv(tmp_path / "c.csv", "clip,name\n" + rows)
    args = ["batch", str(campaign), "-p", "9x16", "--workers", "1"]
    first = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "measure")])
    csv_size = (tmp_path / "measure" / "manifest.csv").stat().st_size
    assert first.exit_code == 1 and "manifest:" in first.stderr
    with small_disk(tmp_path / "out", 1 << 20) as out:
        fill(out, free=csv_size + 2 * PAGE)
        result = CliRunner().invoke(cli, [*args, "-o", str(out), "--json"])
        assert result.exit_code == 1
        assert json.loads(result.stdout)["manifest_errors"][0].endswith(
            "finished videos are reused)"
        )
        [problem] = [line for line in result.stderr.splitlines() if "manifest" in line]
        assert "manifest.json: not written: No space left on device" in problem
        assert "Traceback" not in result.output
        assert (out / "manifest.csv").stat().st_size == csv_size
