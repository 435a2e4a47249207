"""The shape of a share link's public URL, in one place (publish, batch, the CLI, the server)."""

from __future__ import annotations

#: The path prefix the share server answers share pages on.
SHARE_PREFIX = "/s/"


def share_path(code: str) -> str:
    """``/s/CODE``: the share page's path on the share server."""
    return f"{SHARE_PREFIX}{code}"


def share_url(base_url: str, code: str) -> str:
    """The absolute share link people paste into chats: ``{base_url}/s/{code}``."""
    return f"{base_url.rstrip('/')}{share_path(code)}"
