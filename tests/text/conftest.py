"""Fixtures for the font and text drawing tests."""

from __future__ import annotations

import pytest

from vidkit.text.fonts import FontStack


@pytest.fixture(scope="session")
def stack() -> FontStack:
    return FontStack.default()
