"""The JSON API under ``/api/``: videos, links and stats, for the bearer of the admin token.

Lists are paged (``?limit=`` up to :data:`MAX_LIMIT`, ``&offset=``; each answer gives
``next_offset``). The ASGI adapter runs this on a thread with its own database connection, so a
slow report never holds up share pages.
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import parse_qs

from vidkit.errors import VidkitError
from vidkit.share.links import share_url
from vidkit.track.registry import NotFoundError, Registry
from vidkit.track.stats import stats
from vidkit.web.http import Request, Response

_JSON = "application/json"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class _BadPage(VidkitError):
    pass


def _page(query: dict[str, str]) -> tuple[int, int]:
    """``?limit=&offset=`` as whole numbers; limit at most :data:`MAX_LIMIT`."""
    limit, offset = query.get("limit", str(DEFAULT_LIMIT)), query.get("offset", "0")
    if not (limit.isdigit() and offset.isdigit()) or len(limit) > 9 or len(offset) > 12:
        raise _BadPage("limit and offset must be whole numbers")
    return max(1, min(int(limit), MAX_LIMIT)), int(offset)


def _next(more: bool, offset: int, limit: int) -> int | None:
    return offset + limit if more else None


def _json(status: int, data: object) -> Response:
    return Response(
        status,
        json.dumps(data, ensure_ascii=False).encode("utf-8"),
        content_type=_JSON,
        headers=[("cache-control", "no-store")],
    )


class Api:
    def __init__(self, registry: Registry, token: str | None, base_url: str) -> None:
        self.registry = registry
        self.token = token
        self.base_url = base_url

    def authorised(self, request: Request) -> bool:
        if not self.token:
            return False
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), self.token.encode()
        )

    def __call__(self, request: Request) -> Response:
        if not self.authorised(request):
            message = "bearer token required" if self.token else "API disabled: no admin token set"
            resp = _json(401, {"error": message})
            resp.headers.append(("www-authenticate", 'Bearer realm="vidkit"'))
            return resp
        route = request.path[len("/api/") :].rstrip("/")
        query = {k: v[-1] for k, v in parse_qs(request.query).items()}
        try:
            if request.method == "GET" and route in ("videos", "links", "stats"):
                limit, offset = _page(query)
                return self._list(route, query.get("video"), limit, offset)
            if route == "links" and request.method == "POST":
                return self._create_link(request)
        except NotFoundError as exc:
            return _json(404, {"error": str(exc)})
        except VidkitError as exc:
            return _json(400, {"error": str(exc)})
        return _json(404, {"error": "no such API endpoint"})

    def _list(self, route: str, video: str | None, limit: int, offset: int) -> Response:
        """One page of videos, links or per-link stats; ``next_offset`` is null on the last."""
        if route == "videos":
            rows = [self._video(v) for v in self.registry.videos(limit + 1, offset)]
        elif route == "links":
            codes = self.registry.link_codes()
            rows = [self._link(lk, codes) for lk in self.registry.links(video, limit + 1, offset)]
        else:  # the totals cover every link; the per-link rows are paged
            data = stats(self.registry, video)
            rows = data.pop("links")[offset : offset + limit + 1]
            more = len(rows) > limit
            return _json(
                200, {**data, "links": rows[:limit], "next_offset": _next(more, offset, limit)}
            )
        more = len(rows) > limit
        return _json(200, {route: rows[:limit], "next_offset": _next(more, offset, limit)})

    def _create_link(self, request: Request) -> Response:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return _json(400, {"error": "body is not JSON"})
        if not isinstance(body, dict) or not isinstance(body.get("video_id"), str):
            return _json(400, {"error": "video_id (a string) is required"})
        fields = {k: body.get(k) for k in ("channel", "sharer", "parent")}
        if any(v is not None and not isinstance(v, str) for v in fields.values()):
            return _json(400, {"error": "channel, sharer and parent must be strings"})
        link = self.registry.create_link(body["video_id"], **fields)
        return _json(201, {"code": link.code, "share_url": share_url(self.base_url, link.code)})

    def _video(self, v) -> dict:  # type: ignore[no-untyped-def]
        return {"id": v.id, "title": v.title, "description": v.description, "created": v.created}

    def _link(self, link, codes: dict[int, str]) -> dict:  # type: ignore[no-untyped-def]
        return {**link.to_dict(codes), "share_url": share_url(self.base_url, link.code)}
