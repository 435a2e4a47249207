"""Publishing a finished batch: each video uploaded once, a share link per row's sharer.

Uses the publish machinery (:mod:`vidkit.share.publish`, :mod:`vidkit.store.base`,
:mod:`vidkit.track.registry`) with the :class:`vidkit.config.Settings` the caller passes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vidkit.batch.campaign import Campaign
from vidkit.batch.jobs import ManifestRow
from vidkit.errors import VidkitError


def publish_rows(
    rows: Sequence[ManifestRow],
    titles: Mapping[int, str],
    settings: Any,
    brand: str | None = None,
) -> list[ManifestRow]:
    """Upload each finished video once and give every row its share link.

    A row with a ``sharer`` gets that member's own link (minted once: a rerun finds it again);
    other rows get the video's campaign link. A row whose upload fails becomes ``failed``.
    Link cards wear ``brand`` (the campaign's kit), else the settings' kit, as `vidkit
    publish` makes them.
    """
    # imported here, not at the top: only batches that publish load
    from vidkit.share.links import share_url
    from vidkit.share.publish import Published, publish

    # imported here, not at the top: only batches that publish load
    from vidkit.store import storage_for
    from vidkit.template.brand import load_brand
    from vidkit.track.registry import Registry

    storage = storage_for(settings)
    kit = load_brand(brand or settings.brand)
    done: dict[str, Published] = {}
    out: list[ManifestRow] = []
    with Registry.open(settings.db) as registry:
        for row in rows:
            if row.status != "ok":
                out.append(row)
                continue
            try:
                if row.path not in done:
                    title = titles.get(row.line) or Path(row.clip).stem
                    done[row.path] = publish(
                        [Path(row.path)],
                        title=title,
                        storage=storage,
                        registry=registry,
                        base_url=settings.base_url,
                        brand=kit,
                    )[0]
                video = done[row.path]
                url = video.share_url
                if row.sharer:
                    link = next(
                        (
                            link
                            for link in registry.links(video.id)
                            if link.sharer == row.sharer
                            and link.channel is None
                            and link.parent_id is None
                        ),
                        None,
                    ) or registry.create_link(video.id, sharer=row.sharer)
                    url = share_url(settings.base_url, link.code)
            except VidkitError as exc:
                out.append(dataclasses.replace(row, status="failed", error=f"publish: {exc}"))
                continue
            out.append(dataclasses.replace(row, share_url=url))
    return out


def titles(campaign: Campaign) -> dict[int, str]:
    """A title per row for the share page: its ``title`` or ``name`` field, else none."""
    titles: dict[int, str] = {}
    for row in campaign.rows:
        fields = {k.lower(): v for k, v in row.fields}
        title = fields.get("title") or fields.get("name") or campaign.defaults.get("title")
        if title:
            titles[row.line] = title.replace("\n", " ")
    return titles


def check_publishing(settings: Any) -> None:
    from vidkit.store import storage_for
    from vidkit.track.registry import Registry

    storage_for(settings).check()
    with Registry.open(settings.db):
        pass
