"""Meeting pages. The group's members, observers and the secretariat read everything;
everyone else sees the date and, once the chair publishes them, the minutes."""

from __future__ import annotations

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from taskgroups.evidence import service as evidence
from taskgroups.groups import service
from taskgroups.groups.models import TaskGroup
from taskgroups.meetings import service as meetings
from taskgroups.meetings.forms import NEW_ACTION_ROWS, check_meeting, check_record, form_values
from taskgroups.meetings.models import Meeting
from taskgroups.milestones.service import today
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.permissions import Action, can, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render

BASE = "/groups/{slug}/meetings"


def _group(session: Session, request: Request) -> TaskGroup:
    group = service.group_by_slug(session, request.path_params["slug"])
    if group is None:
        raise HTTPException(404)
    return group


def _meeting(session: Session, request: Request, group: TaskGroup) -> Meeting:
    meeting = session.get(Meeting, request.path_params["meeting_id"])
    if meeting is None or meeting.group_id != group.id:
        raise HTTPException(404)
    return meeting


async def list_meetings(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group = _group(session, request)
        found = meetings.for_group(session, group.id or 0)
    return render(
        request,
        "taskgroups/meetings/meetings.html",
        {
            "group": group,
            "meetings": found,
            "now": rt.clock(),
            "private": can(who, Action.READ_GROUP_PRIVATE, group.id),
            "can_manage": can(who, Action.MANAGE_PROCESS, group.id),
        },
    )


async def meeting_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group = _group(session, request)
        meeting = _meeting(session, request, group)
        private = can(who, Action.READ_GROUP_PRIVATE, group.id)
        record = meetings.record_of(session, meeting.id or 0) if private else None
        papers = evidence.linked_to(
            session, who, group.id or 0, meetings.EVIDENCE_TARGET, [meeting.id or 0]
        )
    return render(
        request,
        "taskgroups/meetings/meeting.html",
        {
            "group": group,
            "meeting": meeting,
            "record": record,
            "private": private,
            "can_manage": can(who, Action.MANAGE_PROCESS, group.id),
            "papers": papers.get((meeting.id or 0, ""), []),
        },
    )


async def schedule(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group = _group(session, request)
        meeting = _meeting(session, request, group) if "meeting_id" in request.path_params else None
    require(who, Action.MANAGE_PROCESS, group.id)
    form = FormInput(values=form_values(rt, meeting) if meeting else {"time": "10:30"})
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        draft = check_meeting(rt, form)
        if form.ok:
            saved = meetings.do_schedule(rt, who, group, draft, meeting.id if meeting else None)
            return redirect(
                meetings.meeting_url(group, saved),
                _("The meeting is rescheduled.") if meeting else _("The meeting is scheduled."),
            )
        status = 400
    return render(
        request,
        "taskgroups/meetings/meeting_form.html",
        {
            "group": group,
            "meeting": meeting,
            "form": form,
            "action": request.url.path,
        },
        status_code=status,
    )


async def record(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group = _group(session, request)
        meeting = _meeting(session, request, group)
        require(who, Action.MANAGE_PROCESS, group.id)
        people = meetings.invitees(session, group.id or 0, today(rt))
        existing = meetings.record_of(session, meeting.id or 0)
    values = {
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "publish": "yes" if meeting.minutes_published else "",
    }
    values.update(existing.statuses)
    form = FormInput(values=values)
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        draft = check_record(form, people)
        if form.ok:
            meetings.do_record(rt, who, group, meeting.id or 0, draft, people)
            return redirect(
                meetings.meeting_url(group, meeting), _("The record of the meeting is saved.")
            )
        status = 400
    return render(
        request,
        "taskgroups/meetings/meeting_record.html",
        {
            "group": group,
            "meeting": meeting,
            "form": form,
            "people": people,
            "record": existing,
            "new_rows": range(NEW_ACTION_ROWS),
        },
        status_code=status,
    )


async def action_done(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group = _group(session, request)
        meeting = _meeting(session, request, group)
    require(who, Action.MANAGE_PROCESS, group.id)
    if not meetings.do_action_done(
        rt, who, group, meeting.id or 0, request.path_params["action_id"]
    ):
        raise HTTPException(404)
    return redirect(meetings.meeting_url(group, meeting), _("The action is updated."))


routes = [
    Route(BASE, list_meetings),
    Route(BASE + "/new", schedule, methods=["GET", "POST"]),
    Route(BASE + "/{meeting_id:id}", meeting_page),
    Route(BASE + "/{meeting_id:id}/edit", schedule, methods=["GET", "POST"]),
    Route(BASE + "/{meeting_id:id}/record", record, methods=["GET", "POST"]),
    Route(BASE + "/{meeting_id:id}/actions/{action_id:id}/done", action_done, methods=["POST"]),
]
