"""`vidkit insights import|match|members`: the JSON shape, the summary a person reads, errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.insights import samples
from tests.insights.samples import write
from vidkit.cli.main import cli
from vidkit.track.registry import Registry


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_json_counts_and_the_unmatched_listing(tmp_path: Path) -> None:
    db = str(tmp_path / "vidkit.db")
    with Registry.open(db) as registry:
        vid = samples.video(registry, 1)
        code = registry.create_link(vid).code
    fb = write(tmp_path / "fb.csv", samples.facebook_csv(code))
    yt = write(tmp_path / "Table data.csv", samples.youtube_csv())
    status, out, err = _run("insights", "import", str(fb), str(yt), "--db", db, "--json")
    assert status == 0, err
    files = json.loads(out)["files"]
    assert [{k: f[k] for k in ("path", "platform", "rows", "matched", "unmatched")}
            for f in files] == [
        {"path": str(fb), "platform": "facebook", "rows": 3, "matched": 1, "unmatched": 2},
        {"path": str(yt), "platform": "youtube", "rows": 2, "matched": 0, "unmatched": 2},
    ]  # fmt: skip
    assert any(w.startswith(f"{fb}:4: no post id") for w in files[0]["warnings"])
    assert f"{fb}: facebook, 3 posts, 1 matched, 2 unmatched" in err
    assert "4 posts are not matched to a vidkit video yet" in err
    assert "vidkit insights match https://www.youtube.com/watch?v=dQw4w9WgXcQ VIDEO_ID" in err
    status, out, err = _run("insights", "match", "dQw4w9WgXcQ", vid, "--db", db, "--json")
    assert status == 0 and json.loads(out)["matched"] == [
        {"platform": "youtube", "post_id": "dQw4w9WgXcQ"}]  # fmt: skip
    status, out, _ = _run("insights", "import", str(yt), "--db", db, "--json")
    assert json.loads(out)["files"][0]["matched"] == 1


def test_errors_are_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "vidkit.db")
    bad = write(tmp_path / "notes.csv", b"what,ever\n1,2\n")
    status, out, err = _run("insights", "import", str(bad), "--db", db)
    assert status == 2 and out == "" and "Traceback" not in err
    assert err.startswith(f"error: {bad}: not a known platform export")
    status, _, err = _run("insights", "match", "123", "nope", "--db", db)
    assert status != 0 and "no video 'nope'" in err
    members = write(tmp_path / "m.csv", b"region\nNorth\n")
    status, _, err = _run("insights", "members", str(members), "--db", db)
    assert status == 2 and f"{members}:1: has no 'sharer' column" in err


def test_members_prints_counts_never_a_members_attributes(tmp_path: Path) -> None:
    db = str(tmp_path / "vidkit.db")
    members = write(tmp_path / "m.csv", b"sharer,region\nm1,Northshire\nm2,Southshire\n")
    status, out, err = _run("insights", "members", str(members), "--db", db, "--json")
    assert status == 0, err
    assert json.loads(out) == {"path": str(members), "members": 2, "attributes": {"region": 2},
                               "unknown_sharers": 2}  # fmt: skip
    assert "2 sharers are on no share link yet" in err
    assert "shire" not in out + err and "m1" not in out + err
