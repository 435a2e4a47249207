"""A small campaign with a share tree, members, platform exports and account audiences, for
the insights tests, the dashboard tests and the report's screenshot."""

from __future__ import annotations

import random

from vidkit.insights import data
from vidkit.track.registry import Event, Registry, Video

T0 = 1_790_000_000  # 2026-09-21 UTC
HOSTILE = '<script>alert("x")</script>'


def _video(
    registry: Registry, n: int, title: str, template: str | None, style: str | None
) -> Video:
    digest = f"{n:02d}" + "ef" * 31
    video = Video(digest[:12], digest, title, "", f"{digest}.mp4", None, None, (), 320, 568, 2.0,
                  1, T0, template=template, caption_style=style)  # fmt: skip
    registry.register(video)
    return video


def campaign(registry: Registry, days: int = 14) -> dict[str, str]:
    """Fill ``registry``; returns the ids and codes the tests look for."""
    nurses = _video(registry, 1, "Nurses speak & care", "rally", "bold")
    fares = _video(registry, 2, f"Bus fares {HOSTILE}", "default", None)
    root = registry.links(nurses.id)[0]
    amira = registry.create_link(nurses.id, channel="whatsapp", sharer="amira")
    ben = registry.create_link(nurses.id, channel="facebook", sharer=HOSTILE)
    kids = registry.child_links(amira, ("whatsapp", "x"))
    grandkids = registry.child_links(kids["whatsapp"], ("telegram",))
    fares_root = registry.links(fares.id)[0]
    fares_amira = registry.create_link(fares.id, channel="email", sharer="amira")
    rng = random.Random(5)
    plan = [(root, 6, 1), (amira, 8, 0), (kids["whatsapp"], 2, 2), (grandkids["telegram"], 1, 1),
            (ben, 2, 0), (fares_root, 5, 0), (fares_amira, 3, 0)]  # fmt: skip
    events = []
    for day in range(days):
        for link, base, growth in plan:
            for i in range(base + growth * day // 2):
                ts = T0 + day * 86400 + 60 * i
                events.append(Event(ts, link.id, "click", f"{rng.getrandbits(40):010x}",
                                    rng.choice(("wa.me", "t.co", None)),
                                    rng.choice(("GB", "GB", "GB", "IE", "FR"))))  # fmt: skip
                for kind in ("play", "p25", "p50", "p75", "p100", "cta")[: rng.randrange(7)]:
                    events.append(Event(ts + 5, link.id, kind))
        events.append(Event(T0 + day * 86400, amira.id, "preview", agent="whatsapp"))
    registry.record(events)
    db = registry.db
    data.save_members(db, {"amira": {"region": "North West", "age_band": "25-34"},
                           HOSTILE: {"region": HOSTILE}})  # fmt: skip
    data.save_posts(db, [
        data.PlatformPost("facebook", "fb1", metrics={"views": 1800, "shares": 40}, video_id=nurses.id),
        data.PlatformPost("youtube", "yt1", metrics={"views": 950}, video_id=nurses.id),
        data.PlatformPost("youtube", "yt2", metrics={"views": 300}, video_id=fares.id),
    ], T0 + days * 86400)  # fmt: skip
    data.save_audience(db, "facebook", [("age", "18-24", 0.18), ("age", "25-34", 0.41),
                                        ("age", "35-44", 0.27), ("gender", "women", 0.58),
                                        ("gender", "men", 0.42)], T0)  # fmt: skip
    return {"nurses": nurses.id, "fares": fares.id, "amira": amira.code, "root": root.code}
