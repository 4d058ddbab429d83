"""The consultation's own page: the frozen draft with its pyramid, then what the other
sub-features put on it (the questions and your response, the live comment thread).

It sits above the sub-features it shows, so none of them needs to know about the page.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.comments import service as comments
from consultations.evidence import CONSULTATION
from consultations.lifecycle import service
from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation
from consultations.responses import service as responses
from consultations.roadshows import service as roadshows
from definitions.pyramid import render_pyramid, render_pyramid_list
from definitions.tiers import Metric, Tier
from taskgroups.evidence import service as evidence
from taskgroups.groups.models import TaskGroup
from workspace.pagecache import FRESH_UNTIL, anonymous_cache
from workspace.permissions import Action, Viewer, can
from workspace.runtime import runtime, viewer
from workspace.templating import render


@anonymous_cache
async def consultation_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    service.announce_transitions(rt)
    now = rt.clock()
    with rt.db.read() as session:
        consultation = lifecycle.get_readable(session, who, request.path_params["slug"], now)
        # A page kept for anonymous visitors must not outlive the status it shows.
        setattr(request.state, FRESH_UNTIL, lifecycle.next_change(consultation, now))
        context = _page_context(session, who, consultation, now)
        context.update(_extensions(session, who, consultation, now))
    return render(request, "consultations/page/consultation.html", context)


def _page_context(
    session: Session, who: Viewer, consultation: Consultation, now: Any
) -> dict[str, Any]:
    group = session.get(TaskGroup, consultation.group_id)
    frozen = service.frozen_definition(consultation)
    tiers = _frozen_tiers(frozen)
    return {
        "consultation": consultation,
        "group": group,
        "status": lifecycle.status_of(consultation, now),
        "can_manage": can(who, Action.MANAGE_PROCESS, consultation.group_id),
        "can_moderate": can(who, Action.MODERATE, consultation.group_id),
        "frozen": frozen,
        "tiers": tiers,
        "pyramid": render_pyramid(tiers, title=_pyramid_title(frozen), id_prefix="frozen")
        if frozen
        else None,
        "pyramid_list": render_pyramid_list(tiers) if frozen else None,
        "supporting": evidence.linked_to(
            session, who, consultation.group_id, CONSULTATION, [consultation.id or 0]
        ).get((consultation.id or 0, ""), []),
    }


def _extensions(
    session: Session, who: Viewer, consultation: Consultation, now: Any
) -> dict[str, Any]:
    """What the comments and responses parts contribute to the page."""
    return {
        **responses.page_context(session, who, consultation, now),
        **comments.thread_context(session, who, consultation, now),
        "events": roadshows.for_consultation_listed(session, consultation.id or 0),
    }


def _frozen_tiers(frozen: dict[str, Any] | None) -> list[Tier]:
    if not frozen:
        return []
    return [
        Tier(
            key=t["key"],
            name=t["name"],
            summary=t["summary"],
            requirement=t["requirement_markdown"],
            metric=Metric(**t["metric"]) if t["metric"] else None,
        )
        for t in frozen["tiers"]
    ]


def _pyramid_title(frozen: dict[str, Any] | None) -> str:
    if not frozen:
        return ""
    return f"{frozen['definition']['title']}, revision {frozen['revision']['number']}"


routes = [Route("/{slug}", consultation_page)]
