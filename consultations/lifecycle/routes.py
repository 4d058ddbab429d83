"""Consultation pages: the public list, the chair's draft form, opening and closing now,
and the group page's panel. The consultation's own page is in `consultations.page`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.lifecycle import service
from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.forms import (
    MODERATION_CHOICES,
    check_consultation,
    default_dates,
    local_parts,
)
from consultations.lifecycle.models import Consultation, ConsultationStatus
from taskgroups.groups import service as groups
from taskgroups.groups.models import TaskGroup
from workspace.forms import FormInput, read_form
from workspace.hooks import GroupSection
from workspace.i18n import gettext as _
from workspace.permissions import Action, Viewer, can, require
from workspace.runtime import Runtime, runtime, viewer
from workspace.templating import redirect, render


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(runtime(request).settings.timezone)


async def list_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    now = rt.clock()
    sections: dict[str, list[tuple[Consultation, TaskGroup]]] = {
        s.value: [] for s in ConsultationStatus
    }
    with rt.db.read() as session:
        for consultation, group in service.listing(session):
            if lifecycle.readable(who, consultation, now):
                sections[lifecycle.status_of(consultation, now).value].append((consultation, group))
    return render(request, "consultations/lifecycle/list.html", {"sections": sections, "now": now})


async def new_consultation(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    group = _group_from_query(request)
    require(who, Action.MANAGE_PROCESS, group.id)
    with rt.db.read() as session:
        sources = service.sources_for(session, group.id or 0)
    form = FormInput(values={"moderation": "post", **default_dates(rt.clock(), _zone(request))})
    if request.method == "POST":
        form = await read_form(request)
        data = check_consultation(form, _zone(request), {s.value for s in sources})
        if data is not None:
            consultation = service.do_create(rt, who, group, data)
            return redirect(
                lifecycle.url(consultation),
                _("Consultation drafted. Add its questions, then check the dates."),
            )
    return _form_page(request, "consultations/lifecycle/new.html", form, group, sources, None)


async def edit_consultation(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    consultation, group = _managed(request)
    with rt.db.read() as session:
        sources = service.sources_for(session, group.id or 0)
    lifecycle_status = lifecycle.status_of(consultation, rt.clock())
    if lifecycle_status is not ConsultationStatus.DRAFT:
        raise lifecycle.WrongStatus(lifecycle_status)
    form = FormInput(values=_values_of(consultation, _zone(request)))
    if request.method == "POST":
        form = await read_form(request)
        data = check_consultation(form, _zone(request), {s.value for s in sources})
        if data is not None:
            service.do_update(rt, who, consultation.id or 0, data)
            return redirect(lifecycle.url(consultation), _("Draft consultation saved."))
    return _form_page(
        request, "consultations/lifecycle/edit.html", form, group, sources, consultation
    )


async def open_now(request: Request) -> Response:
    consultation, _group = _managed(request)
    service.do_open_now(runtime(request), viewer(request), consultation.id or 0)
    return redirect(lifecycle.url(consultation), _("The consultation is open."))


async def close_now(request: Request) -> Response:
    consultation, _group = _managed(request)
    service.do_close_now(runtime(request), viewer(request), consultation.id or 0)
    return redirect(lifecycle.url(consultation), _("The consultation is closed."))


def _managed(request: Request) -> tuple[Consultation, TaskGroup]:
    """The consultation in the path, for a chair of its group or the secretariat."""
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        consultation = lifecycle.get_readable(session, who, request.path_params["slug"], rt.clock())
        group = session.get(TaskGroup, consultation.group_id)
    require(who, Action.MANAGE_PROCESS, consultation.group_id)
    assert group is not None
    return consultation, group


def _group_from_query(request: Request) -> TaskGroup:
    with runtime(request).db.read() as session:
        group = groups.group_by_slug(session, request.query_params.get("group", ""))
    if group is None:
        raise HTTPException(404, _("Start a consultation from its task group's page."))
    return group


def _values_of(consultation: Consultation, zone: ZoneInfo) -> dict[str, str]:
    opens_date, opens_time = local_parts(consultation.opens_at, zone)
    closes_date, closes_time = local_parts(consultation.closes_at, zone)
    source = (
        f"{consultation.definition_id}:{consultation.revision_number}"
        if consultation.definition_id
        else ""
    )
    return {
        "title": consultation.title,
        "summary": consultation.summary,
        "body": consultation.body,
        "source": source,
        "moderation": consultation.moderation,
        "opens_date": opens_date,
        "opens_time": opens_time,
        "closes_date": closes_date,
        "closes_time": closes_time,
    }


def _form_page(
    request: Request,
    template: str,
    form: FormInput,
    group: TaskGroup,
    sources: list[service.Source],
    consultation: Consultation | None,
) -> Response:
    return render(
        request,
        template,
        {
            "form": form,
            "group": group,
            "consultation": consultation,
            "sources": sources,
            "moderation_choices": MODERATION_CHOICES,
            "timezone": runtime(request).settings.timezone,
        },
        status_code=400 if form.errors else 200,
    )


def group_section(rt: Runtime, session: Session, who: Viewer, group: TaskGroup) -> GroupSection:
    """The group page's list of its consultations, by the runtime's clock."""
    now = rt.clock()
    items = [
        (c, lifecycle.status_of(c, now))
        for c in service.for_group(session, group.id or 0)
        if lifecycle.readable(who, c, now)
    ]
    return GroupSection(
        "consultations/lifecycle/_group_section.html",
        {
            "group": group,
            "consultations": items,
            "can_create": can(who, Action.MANAGE_PROCESS, group.id),
        },
        order=20,
    )


routes = [
    Route("/", list_page, name="consultations"),
    Route("/new", new_consultation, methods=["GET", "POST"]),
    Route("/{slug}/edit", edit_consultation, methods=["GET", "POST"]),
    Route("/{slug}/open", open_now, methods=["POST"]),
    Route("/{slug}/close", close_now, methods=["POST"]),
]
