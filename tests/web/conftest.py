"""The web tests' in-process site: a published video and its share app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.site import Site, make_site
from vidkit.config import Settings
from vidkit.track.registry import Registry


@pytest.fixture()
def site(settings: Settings, bundle: Path) -> Iterator[Site]:
    with Registry.open(settings.db) as reg:
        s = make_site(settings, bundle, reg)
        yield s
        s.app.close()
        s.log.close()
