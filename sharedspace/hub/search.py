"""The search page: one query box over every kind of document the plugins index, filtered
by what the asking person may read."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.invitations import service as invitations
from taskgroups.groups import service as groups
from workspace import search
from workspace.numbers import MAX_ID, parse_int
from workspace.permissions import readable_places
from workspace.runtime import runtime, viewer
from workspace.search.outbox import backlog
from workspace.templating import render

PER_PAGE = 10


def _int(value: str | None, default: int | None) -> int | None:
    return parse_int(value, high=MAX_ID) if value else default


async def search_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    service = rt.search
    params = request.query_params
    text = params.get("q", "").strip()
    kinds = dict(service.kinds())
    kind = params.get("kind", "")
    kind = kind if kind in kinds else ""
    with rt.db.read() as session:
        # The filter needs names only: counting every group's members and reading every
        # observer seat made search grow with the hub (bench/hub_size.py, issue 19).
        group_list = groups.names(session)
        places = readable_places(who, invitations.invited_places(session, who))
    group_ids = {g.id for g in group_list}
    group_id = _int(params.get("group"), None)
    group_id = group_id if group_id in group_ids else None
    page = max(1, min(_int(params.get("page"), 1) or 1, 1000))
    results, error = None, ""
    if text:
        query = search.SearchQuery(
            text=text,
            readable_groups=who.readable_groups(),
            now=rt.clock(),
            kinds=frozenset({kind}) if kind else frozenset(),
            group_id=group_id,
            page=page,
            per_page=PER_PAGE,
            readable_places=places,
        )
        try:
            results = await run_in_threadpool(service.backend.query, query)
        except search.QueryError as problem:
            error = str(problem)
    base = {"q": text, "kind": kind, "group": group_id or ""}
    context: dict[str, Any] = {
        "q": text,
        "kind": kind,
        "kinds": service.kinds(),
        "group_id": group_id,
        "groups": group_list,
        "group_names": {g.id: g.name for g in group_list},
        "kind_labels": kinds,
        "results": results,
        "error": error,
        "page_url": lambda n: "/search?" + urlencode({**base, "page": n}),
        "stats": None,
        "backlog": None,
    }
    if who.is_secretariat:
        context["stats"] = await run_in_threadpool(service.backend.stats)
        context["backlog"] = await run_in_threadpool(backlog, rt.db)
    return render(request, "hub/search.html", context, block="results")


routes = [Route("/search", search_page)]
