"""vidkit serve: the share server (share pages, previews vs clicks, beacons, JSON API)."""

from __future__ import annotations

import click

from vidkit.web.server import ShareServer, serve

from .output import say
from .settings_options import db_option, settings, storage_options


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@db_option
@storage_options
def command(
    host: str, port: int, db: str | None, storage: str | None, base_url: str | None
) -> None:
    """Serve share pages at BASE_URL/s/CODE and count previews, clicks and plays.

    Put it behind a TLS proxy for production and set VIDKIT_BASE_URL to the public https URL.
    The JSON API under /api/ needs VIDKIT_ADMIN_TOKEN. Stops cleanly on Ctrl-C or SIGTERM.
    """
    s = settings(db=db, storage=storage, base_url=base_url)

    def ready(server: ShareServer) -> None:
        if server.replayed:
            say(f"replayed {server.replayed} clicks from the click log")
        say(f"serving on http://{host}:{server.port}  (share links: {s.base_url}/s/CODE)")
        if not s.admin_token:
            say("JSON API disabled: set VIDKIT_ADMIN_TOKEN to enable /api/", fg="yellow")

    serve(s, host, port, on_ready=ready)
