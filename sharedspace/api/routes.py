"""The API's routes: every endpoint under /api/v1, the OpenAPI document and the reference
page made from it."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sharedspace.api import consultations, groups, library, writes
from sharedspace.api.kit import Endpoint, serve
from sharedspace.api.openapi import PREFIX, document, path_of
from workspace.templating import render

ENDPOINTS: list[Endpoint] = [
    *groups.ENDPOINTS,
    *consultations.ENDPOINTS,
    *library.ENDPOINTS,
    *writes.ENDPOINTS,
]


async def openapi_json(_request: Request) -> Response:
    return JSONResponse(document(ENDPOINTS), headers={"Cache-Control": "public, max-age=300"})


async def reference(request: Request) -> Response:
    doc = document(ENDPOINTS)
    schemas = doc["components"]["schemas"]
    operations = [
        {"method": e.method, "path": path_of(e), "op": doc["paths"][path_of(e)][e.method.lower()]}
        for e in ENDPOINTS
    ]
    context: dict[str, Any] = {
        "doc": doc,
        "operations": operations,
        "schemas": {name: json.dumps(schema, indent=2) for name, schema in schemas.items()},
    }
    return render(request, "api/reference.html", context)


def _one_route_per_path(endpoints: list[Endpoint]) -> list[Route]:
    """A path's methods share one Route, so none shadows another (GET and POST of the
    comments); Starlette answers other methods with 405."""
    by_path: dict[str, dict[str, Callable[[Request], Awaitable[Response]]]] = {}
    for e in endpoints:
        by_path.setdefault(e.path, {})[e.method] = serve(e)
    return [
        Route(PREFIX + path, _by_method(handlers), methods=list(handlers))
        for path, handlers in by_path.items()
    ]


def _by_method(
    handlers: dict[str, Callable[[Request], Awaitable[Response]]],
) -> Callable[[Request], Awaitable[Response]]:
    async def route(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return route


routes = [
    *_one_route_per_path(ENDPOINTS),
    Route(PREFIX + "/openapi.json", openapi_json, methods=["GET"]),
    Route(PREFIX + "/docs", reference, methods=["GET"]),
]
