"""Routes grouped by first segment (sharedspace/routing.py) route exactly as the flat
list did: the same winner for every path, 405s, slash redirects and reverse lookups."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.testclient import TestClient

from sharedspace.routing import SegmentGroup, grouped, leaves


def says(text: str):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        params = ",".join(f"{k}={v}" for k, v in sorted(request.path_params.items()))
        return PlainTextResponse(f"{text} {params}".strip())

    return endpoint


def routes() -> list[BaseRoute]:
    inner = Router([Route("/{slug}", says("mounted"), name="mounted")])
    return [
        Route("/", says("home"), name="home"),
        Route("/groups/new", says("new group"), name="new_group"),
        Route("/search", says("search"), name="search"),
        Route("/groups/{slug}", says("group"), name="group", methods=["GET"]),
        # A first segment that is a parameter: everything after it must wait for it.
        Route("/{anything}/new", says("wildcard"), name="wildcard"),
        Route("/search/new", says("shadowed by the wildcard"), name="late"),
        Mount("/things", app=inner, name="things"),
    ]


def both() -> tuple[TestClient, TestClient]:
    flat = Starlette(routes=routes())
    return TestClient(flat), TestClient(Starlette(routes=grouped(routes())))


def test_groups_keep_each_segment_together_and_wildcards_in_place() -> None:
    found = grouped(routes())
    assert [type(r).__name__ for r in found] == [
        "Route",  # "/" has no first segment
        "SegmentGroup",  # groups: /groups/new, /groups/{slug}
        "SegmentGroup",  # search
        "Route",  # the wildcard closes the groups before it
        "SegmentGroup",  # search again, after the wildcard
        "SegmentGroup",  # things
    ]
    first_groups = found[1]
    assert isinstance(first_groups, SegmentGroup)
    assert [r.path for r in first_groups.routes] == ["/groups/new", "/groups/{slug}"]  # type: ignore[attr-defined]


def test_every_path_gets_the_same_answer_grouped_or_not() -> None:
    flat, fast = both()
    paths = ["/", "/groups/new", "/groups/abc", "/search", "/search/new", "/other/new"]
    paths += ["/things/x", "/things", "/groups/abc/", "/nowhere", "/groups"]
    for path in paths:
        for method in ("GET", "POST"):
            a = flat.request(method, path, follow_redirects=False)
            b = fast.request(method, path, follow_redirects=False)
            assert (b.status_code, b.text, b.headers.get("location")) == (
                a.status_code,
                a.text,
                a.headers.get("location"),
            ), (method, path)


def test_the_wildcard_still_wins_over_a_later_route() -> None:
    _flat, fast = both()
    assert fast.get("/search/new").text == "wildcard anything=search"
    assert fast.post("/groups/abc").status_code == 405
    assert (
        fast.get("/groups/abc/", follow_redirects=False).headers["location"].endswith("/groups/abc")
    )


def test_reverse_lookup_finds_routes_inside_groups() -> None:
    app = Starlette(routes=grouped(routes()))
    assert app.url_path_for("group", slug="abc") == "/groups/abc"
    assert app.url_path_for("things:mounted", slug="x") == "/things/x"
    assert app.url_path_for("late") == "/search/new"


def test_leaves_walk_groups_and_mounts() -> None:
    found = [prefix + route.path for prefix, route in leaves(grouped(routes()))]
    assert found == [
        "/",
        "/groups/new",
        "/groups/{slug}",
        "/search",
        "/{anything}/new",
        "/search/new",
        "/things/{slug}",
    ]
