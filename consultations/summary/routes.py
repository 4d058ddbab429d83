"""The summary of responses and the response exports.

Both are public once the consultation has closed; the group's chairs and the secretariat
may see them at any time, with identities, and only they get the full export.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.questions.service import choice_label, for_consultation, kind_label
from consultations.responses import export as exports
from consultations.responses import service as responses
from consultations.summary import channels, charts
from consultations.summary import tally as summary
from taskgroups.groups.models import TaskGroup
from workspace.i18n import gettext as _
from workspace.i18n import lazy_gettext
from workspace.permissions import Action, SignInRequired, Viewer, can, require
from workspace.runtime import runtime, viewer
from workspace.templating import render

NOT_YET = lazy_gettext("The summary of responses is published when the consultation closes.")
NOT_PUBLISHED = lazy_gettext("The task group has not published the responses to this consultation.")


def _readable_or_published(session: Session, who: Viewer, slug: str, now: datetime) -> Consultation:
    """The consultation, for its audience; an invited one's summary and exports also for
    everyone once its chair chose to publish them and it has closed."""
    found = lifecycle.by_slug(session, slug)
    if (
        found is not None
        and lifecycle.is_invited(found)
        and responses.summary_visible(who, found, now)
    ):
        return found
    return lifecycle.get_readable(session, who, slug, now)


def _published_or_managed(who: Viewer, consultation: Consultation, now: datetime) -> None:
    if responses.summary_visible(who, consultation, now):
        return
    if not who.signed_in:
        raise SignInRequired()  # a chair who has not signed in yet
    raise HTTPException(403, str(NOT_YET))


async def summary_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    now = rt.clock()
    with rt.db.read() as session:
        consultation = _readable_or_published(session, who, request.path_params["slug"], now)
        _published_or_managed(who, consultation, now)
        can_manage = can(who, Action.MANAGE_PROCESS, consultation.group_id)
        public = not can_manage or request.query_params.get("view") == "public"
        result = summary.build(session, consultation.id or 0, public=public)
        breakdown = channels.build(session, consultation.id or 0)
        group = session.get(TaskGroup, consultation.group_id)
    sector_keys = result.sector_keys
    chart_for = {
        s.number: charts.bar_chart(
            [
                charts.Bar(choice_label(s.question, c.label), c.total, c.by_sector)
                for c in s.choices
            ],
            sector_keys,
            title=_("Answers to question %(number)s, by sector", number=s.number),
            id_prefix=f"chart-q{s.number}",
        )
        for s in result.questions
        if s.is_choice
    }
    status = lifecycle.status_of(consultation, now)
    return render(
        request,
        "consultations/summary/summary.html",
        {
            "consultation": consultation,
            "group": group,
            "summary": result,
            "breakdown": breakdown,
            "charts": chart_for,
            "status": status,
            "can_manage": can_manage,
            "public": public,
            "is_final": status in (ConsultationStatus.CLOSED, ConsultationStatus.OUTCOME_PUBLISHED),
            "table_rows": summary.table_rows,
            "kind_label": kind_label,
            "choice_label": choice_label,
            "consent_short": responses.CONSENT_SHORT,
            "text_limit": summary.TEXT_LIMIT,
            "export_base": f"{lifecycle.url(consultation)}/export/responses",
        },
    )


async def export_responses(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    fmt = request.path_params["fmt"]
    scope = request.query_params.get("scope", exports.FULL)
    if fmt not in ("csv", "json") or scope not in exports.SCOPES:
        raise HTTPException(404)
    now = rt.clock()
    with rt.db.read() as session:
        consultation = _readable_or_published(session, who, request.path_params["slug"], now)
        if scope == exports.FULL:
            require(who, Action.MANAGE_PROCESS, consultation.group_id)
        else:
            _published_or_managed(who, consultation, now)
            if not responses.responses_published(who, consultation, now):
                raise HTTPException(403, str(NOT_PUBLISHED))
        group = session.get(TaskGroup, consultation.group_id)
        questions = for_consultation(session, consultation.id or 0)
    assert group is not None
    dataset = exports.responses_dataset(rt.db, consultation, group, questions, scope, now)
    final = lifecycle.status_of(consultation, now) in (
        ConsultationStatus.CLOSED,
        ConsultationStatus.OUTCOME_PUBLISHED,
    )
    return exports.stream(
        dataset,
        fmt,
        f"{consultation.slug}-responses-{scope}",
        private=scope == exports.FULL or not final,
    )


routes = [
    Route("/{slug}/summary", summary_page),
    Route("/{slug}/export/responses.{fmt}", export_responses),
]
