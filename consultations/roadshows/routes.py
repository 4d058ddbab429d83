"""Road-show pages: the list and each event (public, as the consultation is), the chair's
new-event form, sign-up with a waiting list, facilitators, attendance, and entering the
responses gathered away from the site."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.invitations import service as invitations
from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation
from consultations.questions.service import choices_of, for_consultation
from consultations.responses import service as responses
from consultations.roadshows import service
from taskgroups.groups.models import TaskGroup
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.numbers import parse_id
from workspace.permissions import Action, Viewer, can, require, require_enter_responses
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render

T = "consultations/roadshows/"


def _read(session: Session, who: Viewer, request: Request, now: Any) -> Consultation:
    return lifecycle.get_readable(session, who, request.path_params["slug"], now)


def _events_url(consultation: Consultation, show_id: int | None = None) -> str:
    base = f"{lifecycle.url(consultation)}/events"
    return f"{base}/{show_id}" if show_id else base


async def list_events(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        consultation = _read(session, who, request, rt.clock())
        context = {
            "consultation": consultation,
            "group": session.get(TaskGroup, consultation.group_id),
            "events": service.for_consultation_listed(session, consultation.id or 0),
            "can_manage": can(who, Action.MANAGE_PROCESS, consultation.group_id),
        }
    return render(request, T + "list.html", context)


async def new_event(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        consultation = _read(session, who, request, rt.clock())
        require(who, Action.MANAGE_PROCESS, consultation.group_id)
        form = FormInput() if request.method == "GET" else await read_form(request)
        draft = service.check_event(form, session) if request.method == "POST" else None
        if draft is None or not form.ok:
            context = {
                "consultation": consultation,
                "form": form,
                "organisations": invitations.organisations(session),
            }
            return render(
                request, T + "new.html", context, status_code=200 if draft is None else 400
            )
    show = await run_in_threadpool(service.do_create, rt, who, consultation.id or 0, draft)
    return redirect(_events_url(consultation, show.id), _("The event has been added."))


async def event_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        consultation = _read(session, who, request, rt.clock())
        listed = service.get_show(session, consultation, request.path_params["show_id"])
        show_id = listed.show.id or 0
        context = {
            "consultation": consultation,
            "listed": listed,
            "show": listed.show,
            "mine": service.my_signup(session, who, show_id),
            "can_manage": can(who, Action.MANAGE_PROCESS, consultation.group_id),
            "may_enter": service.may_enter(session, who, consultation, show_id),
            "facilitators": service.facilitators(session, show_id),
            "members": service.group_members(session, consultation.group_id),
        }
    return render(request, T + "event.html", context)


async def attend(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.SIGNED_IN)
    with rt.db.read() as session:
        consultation = _read(session, who, request, rt.clock())
    show_id = request.path_params["show_id"]
    placed = await run_in_threadpool(service.do_sign_up, rt, who, consultation.id or 0, show_id)
    notice = (
        _("You have a place at this event.")
        if placed
        else _("The event is full: you are on the waiting list.")
    )
    return redirect(_events_url(consultation, show_id), notice)


async def withdraw(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.SIGNED_IN)
    with rt.db.read() as session:
        consultation = _read(session, who, request, rt.clock())
    show_id = request.path_params["show_id"]
    await run_in_threadpool(service.do_withdraw, rt, who, consultation.id or 0, show_id)
    return redirect(_events_url(consultation, show_id), _("You are no longer signed up."))


async def appoint(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    form = await read_form(request)
    with rt.db.read() as session:
        consultation = _read(session, who, request, rt.clock())
    require(who, Action.MANAGE_PROCESS, consultation.group_id)
    show_id = request.path_params["show_id"]
    user_id = form.integer("user_id", _("the member"))
    if user_id is None:
        return redirect(_events_url(consultation, show_id), _("Choose a member to appoint."))
    await run_in_threadpool(service.do_appoint, rt, who, consultation.id or 0, show_id, user_id)
    return redirect(_events_url(consultation, show_id), _("The facilitator has been appointed."))


async def attendance(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        consultation = _read(session, who, request, rt.clock())
        listed = service.get_show(session, consultation, request.path_params["show_id"])
        appointed = (listed.show.id or 0) in service.facilitator_of(
            session, who, consultation.id or 0
        )
    require_enter_responses(who, lifecycle.place_of(consultation), appointed=appointed)
    if request.method == "GET":
        form = FormInput(
            {
                "attendance": "" if listed.show.attendance is None else str(listed.show.attendance),
                "organisations_present": listed.show.organisations_present,
            }
        )
        return render(
            request,
            T + "attendance.html",
            {"consultation": consultation, "show": listed.show, "form": form},
        )
    form = await read_form(request)
    count, orgs = service.check_attendance(form)
    if not form.ok:
        context = {"consultation": consultation, "show": listed.show, "form": form}
        return render(request, T + "attendance.html", context, status_code=400)
    await run_in_threadpool(
        service.do_record_attendance,
        rt,
        who,
        consultation.id or 0,
        listed.show.id or 0,
        count,
        orgs,
    )
    return redirect(_events_url(consultation, listed.show.id), _("Attendance has been recorded."))


async def enter_response(request: Request) -> Response:
    """A facilitator types in a response gathered at an event or received by letter or
    email, answering the same questions the online form asks."""
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        consultation = _read(session, who, request, rt.clock())
        show_id = parse_id(request.query_params.get("event"))
        if not service.may_enter(session, who, consultation, show_id):
            require_enter_responses(who, lifecycle.place_of(consultation), appointed=False)
        questions = for_consultation(session, consultation.id or 0)
        events = service.for_consultation_listed(session, consultation.id or 0)
        if request.method == "GET":
            form = FormInput(
                {"channel": "event" if show_id else "", "road_show_id": str(show_id or "")}
            )
            return _enter_page(request, consultation, questions, events, form)
        form = await read_form(request)
        draft = service.check_away(form, session, consultation)
        if not form.ok:
            return _enter_page(request, consultation, questions, events, form, 400)
    await run_in_threadpool(service.do_enter, rt, who, consultation.id or 0, draft)
    target = f"{lifecycle.url(consultation)}/responses/enter"
    if draft.road_show_id:
        target += f"?event={draft.road_show_id}"
    return redirect(target, _("The response has been entered. You can enter the next one."))


def _enter_page(
    request: Request,
    consultation: Consultation,
    questions: list[Any],
    events: list[service.Listed],
    form: FormInput,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        T + "enter.html",
        {
            "consultation": consultation,
            "questions": questions,
            "events": events,
            "form": form,
            "channels": service.AWAY_CHANNELS,
            "choices_of": choices_of,
            "max_text": responses.MAX_TEXT,
            "sectors": responses.SECTOR_CHOICES,
            "types": responses.RESPONDENT_TYPES,
            "consents": responses.CONSENT_LABELS,
        },
        status_code=status_code,
    )


routes = [
    Route("/{slug}/events", list_events),
    Route("/{slug}/events/new", new_event, methods=["GET", "POST"]),
    Route("/{slug}/events/{show_id:id}", event_page),
    Route("/{slug}/events/{show_id:id}/attend", attend, methods=["POST"]),
    Route("/{slug}/events/{show_id:id}/withdraw", withdraw, methods=["POST"]),
    Route("/{slug}/events/{show_id:id}/facilitators", appoint, methods=["POST"]),
    Route("/{slug}/events/{show_id:id}/attendance", attendance, methods=["GET", "POST"]),
    Route("/{slug}/responses/enter", enter_response, methods=["GET", "POST"]),
]
