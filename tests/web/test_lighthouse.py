"""Lighthouse (mobile) on the share page served by the real ASGI server, with the system
Chromium: performance, accessibility, best practices and SEO must each score at least 0.95.

Lighthouse comes from npm: ``npm ci --prefix tools/lighthouse`` (tools/test-system-deps.sh does
it where node is installed). Without node or Lighthouse the test skips and says so."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers.media import clip
from tests.helpers.publish import free_port
from tests.web.test_browser import CHROMIUM
from vidkit.config import Settings
from vidkit.share.publish import publish
from vidkit.store import open_storage
from vidkit.template.brand import load_brand
from vidkit.track.registry import Registry
from vidkit.web.server import BackgroundServer

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / "tools" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
NODE = shutil.which("node")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH: apt-get install -y chromium"),
    pytest.mark.skipif(NODE is None, reason="no node on PATH: Lighthouse runs on Node 20+"),
    pytest.mark.skipif(
        not LIGHTHOUSE.is_file(),
        reason="Lighthouse not installed: npm ci --prefix tools/lighthouse",
    ),
]


def lighthouse_scores(url: str, out: Path) -> dict[str, float]:
    """Run Lighthouse's mobile audit of ``url``; each category's score (0-1)."""
    report = out / "lighthouse.json"
    subprocess.run(
        [str(NODE), str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
         f"--only-categories={','.join(CATEGORIES)}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"],
        check=True, timeout=240, env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    data = json.loads(report.read_text())
    return {c: float(data["categories"][c]["score"]) for c in CATEGORIES}


@pytest.mark.timeout(300)
def test_share_page_scores_at_least_095_in_every_category(
    settings: Settings, tmp_path: Path
) -> None:
    if settings.db.startswith("postgres"):
        pytest.skip("once is enough: the page does not depend on the database")
    port = free_port()
    s = replace(settings, base_url=f"http://127.0.0.1:{port}")
    video = clip(tmp_path / "tall.mp4", size="180x320", d=2, rate="25")
    with Registry.open(s.db) as reg:
        [res] = publish([video], title="Nurses speak up for their ward", brand=load_brand("default"),
                        storage=open_storage(s.storage, base_url=s.base_url), registry=reg,
                        base_url=s.base_url)  # fmt: skip
    with BackgroundServer(s, port=port):
        scores = lighthouse_scores(res.share_url, tmp_path)
    print("lighthouse mobile:", json.dumps(scores))
    assert all(v >= 0.95 for v in scores.values()), scores
