"""vidkit serve: the share server (share pages, previews vs clicks, beacons, JSON API)."""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from vidkit.cli.output import say
from vidkit.cli.settings_options import brand_option, db_option, settings, storage_options
from vidkit.share.links import share_url


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port; about one per CPU core.",
)
@brand_option
@db_option
@storage_options
def command(
    host: str,
    port: int,
    workers: int,
    brand: str | None,
    db: str | None,
    storage: str | None,
    base_url: str | None,
) -> None:
    """Serve share pages at BASE_URL/s/CODE and count previews, clicks and plays.

    Runs the ASGI app (vidkit.web:app) under uvicorn with the limits it needs. Put it behind
    a TLS proxy for production, set VIDKIT_BASE_URL to the public https URL and, behind the
    proxy, VIDKIT_TRUST_PROXY=1 (FORWARDED_ALLOW_IPS lists the proxies, default 127.0.0.1).
    The JSON API under /api/ needs VIDKIT_ADMIN_TOKEN. Pages wear the brand kit (--brand): its
    logo, colours, fonts, icons and name. Stops cleanly on Ctrl-C or SIGTERM.
    """
    from vidkit.template.brand import load_brand
    from vidkit.web.server import Ready, serve

    s = settings(db=db, storage=storage, base_url=base_url, brand=brand)
    load_brand(s.brand)  # a wrong --brand is said now, not by the server's start-up

    def ready(info: Ready) -> None:
        if info.replayed:
            say(f"replayed {info.replayed} clicks from the click log")
        procs = f", {info.workers} workers" if info.workers > 1 else ""
        say(
            f"serving on http://{host}:{info.port}{procs}  (share links: {share_url(s.base_url, 'CODE')})"
        )
        host_part = urlsplit(s.base_url).hostname or ""
        if s.base_url.startswith("http://") and host_part not in ("127.0.0.1", "localhost", "::1"):
            say(
                "VIDKIT_BASE_URL is not https: X, iMessage and Facebook want https links",
                fg="yellow",
            )
        if not s.admin_token:
            say("JSON API disabled: set VIDKIT_ADMIN_TOKEN to enable /api/", fg="yellow")

    serve(s, host, port, on_ready=ready, workers=workers)
