"""The JSON API under ``/api/``: videos, links and stats, for the bearer of the admin token."""

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
            if route == "videos" and request.method == "GET":
                return _json(200, {"videos": [self._video(v) for v in self.registry.videos()]})
            if route == "links" and request.method == "GET":
                links, codes = self.registry.links(query.get("video")), self.registry.link_codes()
                return _json(200, {"links": [self._link(link, codes) for link in links]})
            if route == "links" and request.method == "POST":
                return self._create_link(request)
            if route == "stats" and request.method == "GET":
                return _json(200, stats(self.registry, query.get("video")))
        except NotFoundError as exc:
            return _json(404, {"error": str(exc)})
        except VidkitError as exc:
            return _json(400, {"error": str(exc)})
        return _json(404, {"error": "no such API endpoint"})

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
