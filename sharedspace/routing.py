"""Routes grouped by the first segment of their path, so a request is matched against
the routes that could take it instead of all hundred of them.

Starlette tries an app's routes one by one, each with its regular expression; the
consultation page sat behind about a hundred of them, a tenth of a millisecond on every
request (profiled, issue 19). A `SegmentGroup` holds the routes whose path begins with
the same literal segment (`/consultations/...`) and answers for none of them when the
request's path begins otherwise. Order is kept exactly: a route whose first segment is a
parameter (or the root, `/`) stays where it was, and closes the groups before it, so
whatever matched first before still matches first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound, Route
from starlette.types import Receive, Scope, Send


def first_segment(path: str) -> str | None:
    """`consultations` for `/consultations/{slug}`; None when it is a parameter or empty."""
    segment = path.split("/", 2)[1] if path.startswith("/") else ""
    return segment if segment and "{" not in segment else None


class SegmentGroup(BaseRoute):
    """The routes whose paths all begin with `/<segment>`, tried in their own order."""

    def __init__(self, segment: str, routes: list[BaseRoute]) -> None:
        self.segment = segment
        self.routes = routes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] not in ("http", "websocket") or not self._could_take(scope):
            return Match.NONE, {}
        partial: tuple[Match, Scope] | None = None
        for route in self.routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                # Router sets scope["route"] to this group, then applies the child scope:
                # the route that matched is the one the request names and runs.
                return match, {**child_scope, "route": route}
            if match is Match.PARTIAL and partial is None:
                partial = (match, {**child_scope, "route": route})
        return partial or (Match.NONE, {})

    def _could_take(self, scope: Scope) -> bool:
        return first_segment(get_route_path(scope)) == self.segment

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope["route"]
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)

    def __repr__(self) -> str:
        return f"SegmentGroup({self.segment!r}, {len(self.routes)} routes)"


def grouped(routes: Iterable[BaseRoute]) -> list[BaseRoute]:
    """`routes` in the same order of precedence, those sharing a first segment grouped."""
    found: list[BaseRoute] = []
    open_groups: dict[str, SegmentGroup] = {}
    for route in routes:
        segment = first_segment(str(getattr(route, "path", "")))
        if segment is None:
            # It could take a path of any first segment: nothing after it may be tried
            # before it, so the groups so far are closed.
            open_groups = {}
            found.append(route)
        elif segment in open_groups:
            open_groups[segment].routes.append(route)
        else:
            open_groups[segment] = SegmentGroup(segment, [route])
            found.append(open_groups[segment])
    return found


def leaves(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    """Every page route an app serves, with the path of the mounts above it: what the
    route tables in the tests walk (looking inside mounts and groups alike)."""
    for route in routes:
        if isinstance(route, SegmentGroup):
            yield from leaves(route.routes, prefix)
        elif isinstance(route, Mount):
            yield from leaves(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            yield prefix, route
