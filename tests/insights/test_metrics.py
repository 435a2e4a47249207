"""Share-tree measures, organic share, funnels and audiences from plain rows."""

from __future__ import annotations

from vidkit.insights import metrics
from vidkit.track.registry import Link, Video

T0 = 1_790_000_000


def _link(
    i: int, parent: int | None = None, sharer: str | None = None, channel: str | None = None
) -> Link:
    return Link(i, f"code{i}", "v1", channel, sharer, parent, T0)


VIDEO = Video("v1", "ab" * 32, "V <1>", "", "k.mp4", None, None, (), 320, 568, 2.0, 1, T0,
              template="rally")  # fmt: skip
# campaign root 1 -> 2 -> 3; member link 4 (amira) -> 5 -> 6 -> 7, and 4 -> 8 (never clicked)
LINKS = [_link(1), _link(2, 1, channel="x"), _link(3, 2), _link(4, sharer="amira", channel="whatsapp"),
         _link(5, 4), _link(6, 5), _link(7, 6), _link(8, 4)]  # fmt: skip
CLICKS = {1: 5, 2: 3, 3: 2, 4: 10, 5: 4, 7: 1}


def _totals(extra: list[tuple[int, str, int, int]] = ()) -> list[tuple[int, str, int, int]]:  # type: ignore[assignment]
    return [(i, "click", n, n) for i, n in CLICKS.items()] + list(extra)


def test_share_tree_measures_follow_the_definitions() -> None:
    tree = metrics.ShareTree(LINKS)
    m = metrics.spread(tree, CLICKS)
    assert m[4] == {"direct_clicks": 10, "downstream_clicks": 5, "reshares": 1,
                    "generations": 3, "amplification": 0.5}  # fmt: skip
    assert m[1] == {"direct_clicks": 5, "downstream_clicks": 5, "reshares": 1,
                    "generations": 2, "amplification": 1.0}  # fmt: skip
    assert m[8]["amplification"] is None and m[6]["generations"] == 1
    assert [tree.member(i) for i in range(1, 9)] == [False] * 3 + [True] * 5


def test_report_sums_sharers_videos_channels_and_funnels() -> None:
    extra = [(4, "play", 8, 0), (4, "p100", 3, 0), (4, "cta", 2, 0), (1, "preview", 6, 0)]
    r = metrics.build(videos=[VIDEO], links=LINKS, totals=_totals(extra), days=[],
                      audience_rows=[], members={}, platforms={"v1": {"youtube": {"views": 70}}},
                      platform_audience={})  # fmt: skip
    [video] = r["videos"]
    assert (video["clicks"], video["member_clicks"], video["organic_share"]) == (25, 15, 0.6)
    assert (video["plays"], video["completions"], video["cta_clicks"], video["previews"]) == (
        8,
        3,
        2,
        6,
    )
    assert video["platforms"] == {"youtube": {"views": 70}}
    assert video["caption_style"] == metrics.UNKNOWN
    [sharer] = r["sharers"]
    assert (sharer["sharer"], sharer["direct_clicks"], sharer["downstream_clicks"]) == (
        "amira",
        10,
        5,
    )
    assert r["funnels"]["template"][0]["template"] == "rally"
    channels = {c["channel"]: c["clicks"] for c in r["channels"]}
    assert channels == {"(direct)": 5 + 2 + 4 + 1, "whatsapp": 10, "x": 3}
    assert [row["code"] for row in r["links"]] == ["code1", "code2", "code3", "code4", "code5",
                                                    "code6", "code7"]  # fmt: skip


def test_audience_cells_under_the_minimum_are_suppressed_and_counted() -> None:
    rows = [("v1", "country", "GB", 40), ("v1", "country", "IE", 9), ("v1", "country", "", 3),
            ("v1", "referrer", "t.co", 12), ("other", "country", "FR", 99)]  # fmt: skip
    members = {"amira": {"region": "North"}}
    r = metrics.build(videos=[VIDEO], links=LINKS, totals=_totals(), days=[],
                      audience_rows=rows, members=members, platforms={},
                      platform_audience={"facebook": {"age": [("18-24", 0.25)]}})  # fmt: skip
    a = r["audience"]
    assert a["country"]["rows"] == [{"value": "GB", "clicks": 40}]
    assert (a["country"]["suppressed_cells"], a["country"]["suppressed_clicks"]) == (2, 12)
    # member clicks: amira's link and everything below it (10 + 4 + 1)
    assert a["region"]["rows"] == [{"value": "North", "clicks": 15}]
    assert (
        a["facebook age"]["measure"] == "share" and "account-level" in a["facebook age"]["source"]
    )
    assert all(t["source"] for t in a.values())
