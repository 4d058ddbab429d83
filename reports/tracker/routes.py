"""The public tracker of recommendations, one recommendation's page, and the exports."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reports.responses import service as responses
from reports.responses.models import STATUS_LABELS
from reports.tracker import service as tracker
from taskgroups.evidence import service as evidence
from workspace.failures import NotFound
from workspace.i18n import gettext as _
from workspace.numbers import parse_id
from workspace.runtime import runtime, viewer
from workspace.templating import render


def _filters(request: Request) -> tracker.Filters:
    params = request.query_params
    status = params.get("status", "")
    return tracker.Filters(
        group=params.get("group", "")[:150],
        body=params.get("body", "")[:150],
        status=status if status in STATUS_LABELS else "",
    )


async def tracker_page(request: Request) -> Response:
    rt = runtime(request)
    filters = _filters(request)
    with rt.db.read() as session:
        found = tracker.rows(session, filters)
        groups, bodies = tracker.choices(session)
    query = urlencode(filters.query())
    return render(
        request,
        "reports/tracker/tracker.html",
        {
            "rows": found,
            "filters": filters,
            "groups": groups,
            "bodies": bodies,
            "statuses": STATUS_LABELS,
            "suffix": f"?{query}" if query else "",
        },
        block="results",
    )


async def recommendation_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    rec_id = parse_id(request.path_params["recommendation_id"])
    on = rt.clock().date()
    with rt.db.read() as session:
        row = tracker.one(session, rec_id) if rec_id else None
        if row is None:
            raise NotFound(_("There is no such published recommendation."))
        may_respond = responses.may_respond(session, who, row.recommendation, on)
        linked = evidence.linked_to(
            session, who, row.group.id or 0, "recommendation", [rec_id or 0]
        ).get((rec_id or 0, ""), [])
    return render(
        request,
        "reports/tracker/recommendation.html",
        {"row": row, "may_respond": may_respond, "group": row.group, "linked": linked},
    )


def _base(request: Request) -> str:
    return str(runtime(request).settings.base_url).rstrip("/")


async def export_csv(request: Request) -> Response:
    with runtime(request).db.read() as session:
        found = tracker.rows(session, _filters(request))
    return Response(
        tracker.as_csv(found, _base(request)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="recommendations-{date.today()}.csv"'
        },
    )


async def export_json(request: Request) -> Response:
    with runtime(request).db.read() as session:
        found = tracker.rows(session, _filters(request))
    return JSONResponse(tracker.as_json(found, _base(request)))


async def atom(request: Request) -> Response:
    rt = runtime(request)
    with rt.db.read() as session:
        found = tracker.rows(session, _filters(request))
    body = tracker.as_atom(found, _base(request), request.url.path, rt.clock())
    return Response(body, media_type="application/atom+xml; charset=utf-8")


routes = [
    Route("/recommendations", tracker_page),
    Route("/recommendations.csv", export_csv),
    Route("/recommendations.json", export_json),
    Route("/recommendations.atom", atom),
    Route("/recommendations/{recommendation_id}", recommendation_page),
]
