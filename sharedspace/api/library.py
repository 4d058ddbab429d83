"""Recommendations and the government's responses, and search."""

from __future__ import annotations

from pydantic import BaseModel

from consultations.invitations import service as invitations
from reports.tracker import service as tracker
from sharedspace.api import schemas as s
from sharedspace.api.kit import PAGED, Call, Endpoint, Param, next_cursor
from sharedspace.api.problems import ApiError
from workspace import search
from workspace.numbers import parse_int
from workspace.permissions import readable_places

QUERY = Param(
    "q",
    'What to look for: words, "phrases", AND, OR, NOT',
    {"type": "string", "minLength": 1, "maxLength": search.MAX_QUERY_CHARS},
    required=True,
)
PAGE = Param(
    "page",
    "Page of results, from 1",
    {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1},
)
PER_PAGE = 20


def list_recommendations(call: Call) -> BaseModel:
    after, limit = call.page()
    with call.rt.db.read() as session:
        found = sorted(tracker.rows(session), key=lambda r: r.recommendation.id or 0)
    found = [r for r in found if (r.recommendation.id or 0) > after][: limit + 1]
    items = [
        s.Recommendation(
            id=r.recommendation.id or 0,
            number=r.recommendation.number,
            text_html=r.recommendation.text_html,
            addressed_to=r.recommendation.addressed_to,
            report=r.report.title,
            group=r.group.slug,
            status=r.status,
            url=r.url,
        )
        for r in found[:limit]
    ]
    ids = [r.recommendation.id for r in found]
    return s.RecommendationPage(items=items, next_cursor=next_cursor(ids, limit))


def run_search(call: Call) -> s.SearchResults:
    text = call.query.get("q", "").strip()
    page = parse_int(call.query.get("page", "1"), low=1, high=1000)
    if not text:
        raise ApiError(400, "Say what to look for in q.")
    if page is None:
        raise ApiError(400, "page must be a whole number from 1 to 1000.")
    with call.rt.db.read() as session:
        # Invited consultations the viewer is among the audience of, as on /search.
        places = readable_places(call.viewer, invitations.invited_places(session, call.viewer))
    query = search.SearchQuery(
        text=text,
        readable_groups=call.viewer.readable_groups(),
        now=call.rt.clock(),
        page=page,
        per_page=PER_PAGE,
        readable_places=places,
    )
    try:
        found = call.rt.search.backend.query(query)
    except search.QueryError as error:
        raise ApiError(400, str(error)) from None
    return s.SearchResults(
        total=found.total,
        page=found.page,
        pages=found.pages,
        hits=[
            s.SearchHit(
                kind=hit.kind,
                title=hit.title,
                url=hit.url,
                label=hit.label,
                date=hit.date,
                snippet=" … ".join("".join(text for text, _m in runs) for runs in hit.snippet),
            )
            for hit in found.hits
        ],
    )


ENDPOINTS = [
    Endpoint(
        "GET",
        "/recommendations",
        "Published recommendations and the state of the government's response",
        list_recommendations,
        s.RecommendationPage,
        "reports",
        params=PAGED,
        errors=(400,),
    ),
    Endpoint(
        "GET",
        "/search",
        "Search what this viewer may read",
        run_search,
        s.SearchResults,
        "search",
        params=(QUERY, PAGE),
        errors=(400,),
    ),
]
