"""Reading campaigns: spreadsheet CSV quirks, line numbers, the YAML form; job keys; pool sizing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.batch import write_csv
from vidkit.batch.campaign import load_campaign
from vidkit.batch.executors import job_memory_mib, size_pool
from vidkit.batch.jobs import job_key
from vidkit.batch.plan import output_names
from vidkit.errors import ConfigError


def test_spreadsheet_export_reads_right(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "members.csv",
        "clip,Name,place,_email,platforms,sharer\n"
        'a.mp4,"Zoë ""Z"" Ng","Leeds, West",z@example.org,,m-1\n'
        'b.mp4,"two\nlines",東京,,reels;shorts,\n'
        "\n"
        "s3://bucket/c.mov,Ахмед,Київ,,,\n",
        bom=True,
        crlf=True,
    )
    rows = load_campaign(path).rows
    assert [r.line for r in rows] == [2, 3, 6]  # row 3 spans two physical lines; 5 is blank
    assert rows[0].field_map == {"Name": 'Zoë "Z" Ng', "place": "Leeds, West"}
    assert rows[0].sharer == "m-1"
    assert rows[1].field_map == {"Name": "two\nlines", "place": "東京"}
    assert rows[1].platforms == ("reels", "shorts")
    assert rows[2].field_map == {"Name": "Ахмед", "place": "Київ"}
    assert rows[0].clip_ref() == str(tmp_path / "a.mp4")
    assert rows[2].clip_ref() == "s3://bucket/c.mov"


def test_semicolon_export_and_extra_cells(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "clip;name\na.mp4;Ana\nb.mp4;Bo;oops\n")
    rows = load_campaign(path).rows
    assert rows[0].field_map == {"name": "Ana"} and rows[0].problem is None
    assert rows[1].line == 3 and "3 cells" in (rows[1].problem or "")


def test_excel_unicode_text_export(tmp_path: Path) -> None:
    path = tmp_path / "members.txt"
    path.write_bytes("clip\tname\r\na.mp4\tŁucja\r\n".encode("utf-16"))
    rows = load_campaign(path).rows
    assert rows[0].line == 2 and rows[0].field_map == {"name": "Łucja"}


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("clip,name\na.mp4,Ana\nb.mp4,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        load_campaign(path)
    assert info.value.line == 3 and "UTF-8" in str(info.value)


def test_header_without_clip_column(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_campaign(write_csv(tmp_path / "c.csv", "video,name\na.mp4,Ana\n"))
    assert info.value.line == 1 and "clip" in info.value.message


def test_yaml_campaign_with_rows_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "camp.yaml"
    path.write_text(
        "templates: [default, rally]\n"
        "platforms: reels, shorts\n"
        "fields:\n"
        "  cta: Join us today\n"
        "rows:\n"
        "  - clip: clips/a.mp4\n"
        "    name: Ana\n"
        "  - {clip: clips/b.mp4, name: Bo, template: testimony}\n",
        encoding="utf-8",
    )
    camp = load_campaign(path)
    assert camp.templates == ("default", "rally")
    assert camp.platforms == ("reels", "shorts")
    assert camp.defaults == {"cta": "Join us today"}
    assert [(r.line, r.clip, r.templates) for r in camp.rows] == [
        (6, "clips/a.mp4", ()),
        (8, "clips/b.mp4", ("testimony",)),
    ]
    assert camp.rows[0].field_map == {"name": "Ana"}


def test_yaml_rows_from_csv_keep_csv_lines(tmp_path: Path) -> None:
    write_csv(tmp_path / "m.csv", "clip,name\n\na.mp4,Ana\n")
    (tmp_path / "c.yml").write_text("template: rally\nrows: m.csv\n", encoding="utf-8")
    camp = load_campaign(tmp_path / "c.yml")
    assert camp.rows[0].line == 3 and camp.rows[0].source == tmp_path / "m.csv"


def test_yaml_unknown_key(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("platfroms: all\nrows: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="platfroms"):
        load_campaign(tmp_path / "c.yaml")


def _key(**change: object) -> str:
    args: dict[str, object] = {
        "clip_sha256": "c" * 64,
        "template_digest": "t" * 64,
        "fields": {"name": "Ana"},
        "preset": "reels",
        "scale": 1.0,
        "captions": None,
        "renderer_version": "1",
    }
    args.update(change)
    return job_key(**args)  # type: ignore[arg-type]


def test_job_key_depends_on_every_input() -> None:
    base = _key()
    assert base == _key(fields={"name": "Ana"})
    changed = [
        _key(clip_sha256="d" * 64),
        _key(template_digest="u" * 64),
        _key(fields={"name": "Ana", "place": "Leeds"}),
        _key(preset="shorts"),
        _key(scale=0.5),
        _key(captions="sha256:00"),
        _key(renderer_version="2"),
    ]
    assert base not in changed and len(set(changed)) == len(changed)


def test_pool_sized_to_cores_and_memory() -> None:
    assert size_pool(10, cores=8, memory_mib=64_000).workers == 8
    assert size_pool(10, cores=8, memory_mib=64_000).threads == 1
    assert size_pool(3, cores=8, memory_mib=64_000).workers == 3
    assert size_pool(3, cores=8, memory_mib=64_000).threads == 2
    tight = size_pool(10, cores=8, memory_mib=4 * job_memory_mib(4, 1.0), presets=4)
    assert tight.workers == 3 and tight.threads == 2
    # transcribing jobs also hold the speech model: fewer of them fit in the same memory
    memory = 8 * job_memory_mib(1, 0.5)
    assert size_pool(10, cores=8, memory_mib=memory, scale=0.5).workers == 6
    listening = size_pool(10, cores=8, memory_mib=memory, scale=0.5, transcribes=True)
    assert listening.workers == int(memory * 0.75) // job_memory_mib(1, 0.5, transcribes=True)
    assert listening.workers < 6
    assert size_pool(10, workers=2, cores=8, memory_mib=None).threads == 4


def test_rows_sharing_a_clip_name_get_distinct_output_names(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        "clip,name,place\n"
        "ana/IMG_0001.MOV,Ana Lí,Leeds\n"
        "bo/IMG_0001.MOV,Bo,Hull\n"
        "bo/IMG_0001.MOV,Bo,Hull\n"  # the same row twice: the same video
        "x/IMG_0002.MOV,Cy,\n"
        "y/IMG_0002.MOV,Cy,\n"
        "solo.mp4,Di,\n",
    )
    names = output_names(load_campaign(path).rows)
    assert names[2] == "IMG_0001-ana-lí" and names[3] == names[4] == "IMG_0001-bo"
    assert names[5].startswith("IMG_0002-cy-") and names[6].startswith("IMG_0002-cy-")
    assert names[5] != names[6] and names[7] == "solo"
