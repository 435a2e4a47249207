"""The share server: share pages that unfurl, beacons, media, and privacy-first counting.

``app`` is the ASGI application built from the environment's settings (``uvicorn
vidkit.web:app``); it is made on first access and opens nothing until the server starts it, so
importing this package stays cheap. Modules: ``asgi`` (the ASGI application: lifespan, flushing),
``app`` (routes), ``page`` (HTML), ``classify`` (preview or click, visitor hash), ``counting``
(per-view tokens, per-address budgets), ``clicklog`` (append-before-answer log), ``api`` (JSON
API), ``media`` (byte ranges), ``protocol`` (uvicorn's protocol with a request-head deadline),
``server`` (``vidkit serve``: uvicorn with the options it needs).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "app":
        from vidkit.web.asgi import ShareServer

        app = ShareServer()  # settings are read from the environment at start-up
        globals()["app"] = app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
