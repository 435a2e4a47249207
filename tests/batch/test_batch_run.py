"""Running batches for real (tiny renders): bad rows by line, manifest, reruns, interruption."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.helpers.batch import SCALE, CountingJob, make_clip_file, write_csv
from vidkit.batch.executors import cpu_count
from vidkit.batch.run import Progress, run
from vidkit.render.probe import probe
from vidkit.template.presets import resolve

PRESETS = "9x16,1x1"


def _campaign(ws: Path) -> Path:
    return write_csv(
        ws / "members.csv",
        "clip,name,place,template,platforms,colour,sharer\n"
        "clips/a.mp4,Ana,Leeds,,,,m-ana\n"  # 2 ok
        "clips/missing.mp4,Bo,,,,,\n"  # 3 missing clip
        "clips/broken.mp4,Cy,,,,,\n"  # 4 corrupt clip
        'clips/b.mp4,"Di\nDo",,nope,,,\n'  # 5-6 unknown template
        "clips/c.mp4,Ed,,,tiktok;bogus,,\n"  # 7 unknown platform
        "clips/c.mp4,Fay,,,,red,\n"  # 8 unknown merge field
        "clips/b.mp4,Gus,Hull,,1x1,,\n",  # 9 ok, own platform
        bom=True,
        crlf=True,
    )


def _manifest_csv(out: Path) -> list[dict[str, str]]:
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_bad_rows_fail_by_line_and_the_rest_render(workspace: Path) -> None:
    out = workspace / "out"
    result = run(_campaign(workspace), out_dir=out, presets=PRESETS, scale=SCALE, workers=1)

    assert not result.ok
    failed = {r.line: r.error for r in result.failures()}
    assert sorted(failed) == [3, 4, 5, 7, 8]
    assert "not found" in failed[3] and "missing.mp4" in failed[3]
    assert "broken.mp4" in failed[4]
    assert "'nope'" in failed[5]
    assert "bogus" in failed[7]
    assert "'colour'" in failed[8]

    rows = _manifest_csv(out)
    assert {(r["line"], r["platform"]) for r in rows if r["status"] == "ok"} == {
        ("2", "9x16"),
        ("2", "1x1"),
        ("9", "1x1"),
    }
    by_preset = {p.name: p.scaled(SCALE) for p in resolve(PRESETS)}
    for r in rows:
        assert r["status"] in ("ok", "failed")
        if r["status"] == "ok":
            assert r["error"] == "" and r["template"] == "default"
            media = probe(r["path"])
            preset = by_preset[r["platform"]]
            assert (media.width, media.height) == (preset.width, preset.height)
            assert media.duration > 0.9
        else:
            assert r["path"] == "" and r["error"]
    assert {r["sharer"] for r in rows if r["line"] == "2"} == {"m-ana"}
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["summary"]["failed"] == len([r for r in rows if r["status"] == "failed"])
    assert len(data["rows"]) == len(rows)
    assert not list(out.glob(".*part*"))


def test_rerun_skips_and_a_changed_row_rerenders_alone(workspace: Path) -> None:
    out = workspace / "out"
    campaign = write_csv(
        workspace / "c.csv", "clip,name\nclips/a.mp4,Ana\nclips/b.mp4,Bo\nclips/c.mp4,Cy\n"
    )
    counter = CountingJob(workspace / "renders.log")
    first = run(campaign, out_dir=out, presets="9x16", scale=SCALE, workers=1, job=counter)
    assert first.ok and first.rendered == 3 and sorted(counter.lines()) == [2, 3, 4]
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*.mp4")}
    assert len(stamps) == 3

    again = run(campaign, out_dir=out, presets="9x16", scale=SCALE, workers=1, job=counter)
    assert again.ok and again.rendered == 0 and again.reused == 3 and again.tasks == 0
    assert sorted(counter.lines()) == [2, 3, 4]  # nothing rendered again
    assert {p: p.stat().st_mtime_ns for p in out.glob("*.mp4")} == stamps
    assert again.elapsed <= 0.05 * first.elapsed + 0.5
    assert [r.reused for r in again.rows] == [True, True, True]

    # A changed merge field and a replaced clip each re-render only their own row.
    write_csv(campaign, "clip,name\nclips/a.mp4,Ana\nclips/b.mp4,Bob\nclips/c.mp4,Cy\n")
    make_clip_file(workspace / "clips" / "c.mp4", hue=200)
    third = run(campaign, out_dir=out, presets="9x16", scale=SCALE, workers=1, job=counter)
    assert third.ok and third.rendered == 2 and third.reused == 1
    assert sorted(counter.lines()) == [2, 3, 3, 4, 4]
    a = next(p for p in stamps if p.name.startswith("a-"))
    assert a.stat().st_mtime_ns == stamps[a]

    # Changing the row back must not take the other version's video for its own.
    write_csv(campaign, "clip,name\nclips/a.mp4,Ana\nclips/b.mp4,Bo\nclips/c.mp4,Cy\n")
    fourth = run(campaign, out_dir=out, presets="9x16", scale=SCALE, workers=1, job=counter)
    assert fourth.ok and fourth.rendered == 1 and sorted(counter.lines()) == [2, 3, 3, 3, 4, 4]


def test_interrupted_batch_keeps_what_finished_and_resumes(workspace: Path) -> None:
    out = workspace / "out"
    campaign = write_csv(workspace / "c.csv", "clip,name\nclips/a.mp4,Ana\nclips/b.mp4,Bo\n")

    def interrupt_after_first(p: Progress) -> None:
        if p.done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(campaign, out_dir=out, scale=SCALE, workers=1, on_progress=interrupt_after_first)
    rows = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [(r["line"], r["status"]) for r in rows["rows"]] == [(2, "ok")]
    assert rows["summary"]["interrupted"] is True
    assert not list(out.glob(".*part*")) and len(list(out.glob("*.mp4"))) == 1

    counter = CountingJob(workspace / "renders.log")
    resumed = run(campaign, out_dir=out, scale=SCALE, workers=1, job=counter)
    assert resumed.ok and counter.lines() == [3] and resumed.reused == 1


def test_local_pool_of_two_matches_and_yaml_templates(workspace: Path) -> None:
    (workspace / "camp.yaml").write_text(
        "templates: [default, rally]\n"
        "platforms: 9x16\n"
        "fields: {cta: Join us today, title: Fair pay now}\n"
        "rows:\n"
        "  - {clip: clips/a.mp4, name: Ana}\n"
        "  - {clip: clips/b.mp4, name: Bo, place: Leeds}\n",
        encoding="utf-8",
    )
    out = workspace / "out"
    result = run(workspace / "camp.yaml", out_dir=out, scale=SCALE, workers=2)
    assert result.ok, [r.error for r in result.rows if r.error]
    assert result.executor == "local" and result.workers == 2
    assert result.threads == max(1, cpu_count() // 2)  # the cores shared out, no more
    assert sorted(p.name for p in out.glob("*.mp4")) == [
        "a-default-9x16.mp4",
        "a-rally-9x16.mp4",
        "b-default-9x16.mp4",
        "b-rally-9x16.mp4",
    ]
    assert {(r.line, r.template) for r in result.rows} == {
        (5, "default"),
        (5, "rally"),
        (6, "default"),
        (6, "rally"),
    }


def test_captions_column_is_part_of_the_job(workspace: Path) -> None:
    subs = workspace / "subs.srt"
    subs.write_text("1\n00:00:00,100 --> 00:00:00,900\nHello from Leeds\n", encoding="utf-8")
    campaign = write_csv(
        workspace / "c.csv", "clip,name,captions\nclips/a.mp4,Ana,subs.srt\nclips/b.mp4,Bo,\n"
    )
    out = workspace / "out"
    counter = CountingJob(workspace / "renders.log")
    first = run(campaign, out_dir=out, scale=SCALE, workers=1, job=counter)
    assert first.ok
    sidecar = Path(first.rows[0].path).with_suffix(".srt")
    assert "Hello from Leeds" in sidecar.read_text(encoding="utf-8")
    assert not Path(first.rows[1].path).with_suffix(".srt").exists()

    subs.write_text("1\n00:00:00,100 --> 00:00:00,900\nHello from Hull\n", encoding="utf-8")
    again = run(campaign, out_dir=out, scale=SCALE, workers=1, job=counter)
    assert again.rendered == 1 and sorted(counter.lines()) == [2, 2, 3]
    assert "Hull" in sidecar.read_text(encoding="utf-8")
