"""The consultation's own page: the frozen draft with its pyramid, then what the other
sub-features put on it (the questions and your response, the live comment thread).

It sits above the sub-features it shows, so none of them needs to know about the page.
"""

from __future__ import annotations

import secrets
from typing import Any

from markupsafe import Markup, escape
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
from workspace import csrf
from workspace.fragments import fill, hole
from workspace.i18n import gettext as _
from workspace.pagecache import FRESH_UNTIL, anonymous_cache
from workspace.permissions import Action, Viewer, can
from workspace.runtime import Runtime, runtime, viewer
from workspace.templating import render

# Where the shared thread's bytes go into the rendered page (workspace/fragments.py).
THREAD_HOLE = hole()


@anonymous_cache
async def consultation_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    now = rt.clock()
    with rt.db.read() as session:
        consultation, group = lifecycle.get_readable_with_group(
            session, who, request.path_params["slug"], now
        )
        # A page kept for anonymous visitors must not outlive the status it shows.
        setattr(request.state, FRESH_UNTIL, lifecycle.next_change(consultation, now))
        context = _page_context(rt, session, who, consultation, group, now)
        context.update(_extensions(rt, session, who, consultation, now))
        context["header"] = rt.notifications.header(
            session, who, "consultation", consultation.id or 0
        )
    # The clock (consultations/lifecycle/clock.py) announces openings and closings on the
    # worker; a reader who gets here first announces them. Only when this one's status
    # has moved on: looking at every consultation on every view grew with the hub.
    if context["status"].value != consultation.announced:
        service.announce_transitions(rt)
    _shared_form(rt, request, consultation, context["comment_thread"])
    page = render(request, "consultations/page/consultation.html", context)
    return fill(page, {THREAD_HOLE: context["comment_thread"].encoded})


def _page_context(
    rt: Runtime,
    session: Session,
    who: Viewer,
    consultation: Consultation,
    group: TaskGroup,
    now: Any,
) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "group": group,
        "status": lifecycle.status_of(consultation, now),
        "can_manage": can(who, Action.MANAGE_PROCESS, consultation.group_id),
        "can_moderate": can(who, Action.MODERATE, consultation.group_id),
        # The same for every viewer and fixed once the consultation opens: built once per
        # text of the frozen definition (workspace/fragments.py).
        **rt.fragments.fetch(
            ("consultation-frozen", consultation.id),
            consultation.frozen_definition,
            lambda: _frozen_context(rt, consultation),
        ),
        "supporting": evidence.linked_to(
            session, who, consultation.group_id, CONSULTATION, [consultation.id or 0]
        ).get((consultation.id or 0, ""), []),
    }


FROZEN_TEMPLATE = "consultations/page/_frozen.html"


def _frozen_context(rt: Runtime, consultation: Consultation) -> dict[str, Any]:
    frozen = service.frozen_definition(consultation)
    tiers = _frozen_tiers(frozen)
    context = {
        "frozen": frozen,
        "tiers": tiers,
        "pyramid": render_pyramid(tiers, title=_pyramid_title(frozen), id_prefix="frozen")
        if frozen
        else None,
        "pyramid_list": render_pyramid_list(tiers) if frozen else None,
    }
    # The section as HTML too: its tiers, texts and pyramid were rendered on every
    # request, the same for every reader (profiled, issue 19).
    section = rt.templates.get_template(FROZEN_TEMPLATE).render(context)
    return {**context, "frozen_section": Markup(section)}  # noqa: S704 - autoescaped template


def _extensions(
    rt: Runtime, session: Session, who: Viewer, consultation: Consultation, now: Any
) -> dict[str, Any]:
    """What the comments and responses parts contribute to the page."""
    return {
        **responses.page_context(session, who, consultation, now),
        **comments.thread_context(
            session,
            who,
            consultation,
            now,
            cache=rt.fragments,
            hole=THREAD_HOLE,
            templates=rt.templates,
        ),
        "events": roadshows.for_consultation_listed(session, consultation.id or 0),
    }


FORM_TEMPLATE = "consultations/comments/_comment_form.html"
# Where each viewer's CSRF token goes into the shared empty comment form.
TOKEN_HOLE = "csrf-token-" + secrets.token_hex(16)


def _shared_form(rt: Runtime, request: Request, consultation: Consultation, view: Any) -> None:
    """The empty "Add a comment" form is the same for everyone who may comment but for
    their CSRF token: rendered once per text it is built from (its anchors come from
    the body and the frozen definition), stamped with each viewer's token."""
    if not view.can_comment:
        return
    form = rt.fragments.fetch(
        ("consultation-comment-form", consultation.id),
        (consultation.body, consultation.frozen_definition),
        lambda: str(
            rt.templates.get_template(FORM_TEMPLATE).module.comment_form(  # type: ignore[attr-defined]
                f"{view.base}/comments",
                view.form,
                view.anchors,
                TOKEN_HOLE,
                label=_("Add a comment"),
            )
        ),
    )
    token = str(escape(csrf.token_for(request)))
    view.form_html = Markup(form.replace(TOKEN_HOLE, token))  # noqa: S704 - rendered by us


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
    return _(
        "%(title)s, revision %(number)s",
        title=frozen["definition"]["title"],
        number=frozen["revision"]["number"],
    )


routes = [Route("/{slug}", consultation_page)]
