"""Programme, milestones and timelines: hub-wide and per group.

Everyone reads milestones; the group's chairs (own group) and the secretariat (all,
and hub-wide ones) manage them. Observers are refused at every write.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from taskgroups.groups import service
from taskgroups.groups.models import TaskGroup
from taskgroups.milestones import service as milestones
from taskgroups.milestones import timeline
from taskgroups.milestones.forms import check_milestone, check_programme
from taskgroups.milestones.models import Milestone
from workspace.forms import FormInput, read_form
from workspace.hooks import GroupSection
from workspace.i18n import gettext as _
from workspace.permissions import Action, Viewer, can, require
from workspace.runtime import Runtime, runtime, viewer
from workspace.templating import redirect, render


def _group(session: Session, slug: str) -> TaskGroup:
    group = service.group_by_slug(session, slug)
    if group is None:
        raise HTTPException(404)
    return group


def _timeline_context(rt: Runtime, session: Session, group: TaskGroup | None) -> dict[str, Any]:
    rows = milestones.rows(rt, session, group.id if group else None)
    prog = milestones.programme(rt, session)
    on = milestones.today(rt)
    return {
        "programme": prog,
        "today": on,
        "milestone_rows": rows,
        "tl": timeline.build(prog, rows, on),
        "show_group": group is None,
    }


async def hub_timeline(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        ctx = _timeline_context(rt, session, None)
        # The unread count and the programme's follow button in one statement.
        ctx["header"] = rt.notifications.header(session, who, "programme", 0)
    ctx.update(
        group=None,
        can_manage=can(who, Action.MANAGE_PROCESS, None),
        new_url="/milestones/new",
        ics_url="/feeds/calendar.ics",
    )
    return render(request, "taskgroups/milestones/timeline.html", ctx)


async def group_timeline(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group = _group(session, request.path_params["slug"])
        ctx = _timeline_context(rt, session, group)
        ctx["header"] = rt.notifications.header(session, who, "group", group.id or 0)
    ctx.update(
        group=group,
        can_manage=can(who, Action.MANAGE_PROCESS, group.id),
        new_url=f"/groups/{group.slug}/milestones/new",
        ics_url=f"/groups/{group.slug}/calendar.ics",
    )
    return render(request, "taskgroups/milestones/timeline.html", ctx)


def group_section(rt: Runtime, session: Session, who: Viewer, group: TaskGroup) -> GroupSection:
    """The group page's timeline panel (after the definitions and consultations)."""
    ctx = _timeline_context(rt, session, group)
    ctx.update(
        group=group,
        can_manage=can(who, Action.MANAGE_PROCESS, group.id),
        can_read_meetings=can(who, Action.READ_GROUP_PRIVATE, group.id),
    )
    return GroupSection("taskgroups/milestones/timeline_section.html", ctx, order=30)


# -- programme ------------------------------------------------------------------------------


async def programme_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.ADMINISTER)
    with rt.db.read() as session:
        prog = milestones.programme(rt, session)
    form = FormInput(
        values={
            "goal": prog.goal,
            "starts_on": prog.starts_on.isoformat(),
            "target_on": prog.target_on.isoformat(),
        }
    )
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        view = check_programme(form)
        if view is not None:
            milestones.do_set_programme(rt, who, view)
            return redirect("/timeline", _("The programme has been updated."))
        status = 400
    return render(
        request,
        "taskgroups/milestones/milestone_programme.html",
        {"form": form},
        status_code=status,
    )


# -- milestones -----------------------------------------------------------------------------


def _milestone(session: Session, request: Request) -> tuple[Milestone, TaskGroup | None]:
    milestone = session.get(Milestone, request.path_params["milestone_id"])
    if milestone is None:
        raise HTTPException(404)
    group = session.get(TaskGroup, milestone.group_id) if milestone.group_id else None
    return milestone, group


async def milestone_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        milestone, group = _milestone(session, request)
        row = next(
            r
            for r in milestones.rows(rt, session, milestone.group_id, hub_wide=True)
            if r.milestone.id == milestone.id
        )
    return render(
        request,
        "taskgroups/milestones/milestone.html",
        {
            "row": row,
            "m": milestone,
            "group": group,
            "form": FormInput(),
            "can_manage": can(who, Action.MANAGE_PROCESS, milestone.group_id),
        },
    )


def _back(group: TaskGroup | None) -> str:
    return f"/groups/{group.slug}/timeline" if group else "/timeline"


async def _milestone_form(
    request: Request, group: TaskGroup | None, milestone: Milestone | None
) -> Response:
    rt, who = runtime(request), viewer(request)
    group_id = group.id if group else None
    require(who, Action.MANAGE_PROCESS, group_id)
    with rt.db.read() as session:
        options = milestones.deliverable_options(rt, session, group_id)
    if milestone is None:
        form = FormInput()
    else:
        current = (
            f"{milestone.deliverable_kind}:{milestone.deliverable_id}"
            if milestone.deliverable_kind
            else ""
        )
        form = FormInput(
            values={
                "title": milestone.title,
                "description": milestone.description,
                "due_on": milestone.due_on.isoformat(),
                "deliverable": current,
            }
        )
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        draft = check_milestone(form, options, milestone)
        if form.ok:
            if milestone is None:
                created = milestones.do_create(rt, who, group, draft)
                return redirect(f"/milestones/{created.id}", _("The milestone has been added."))
            milestones.do_update(rt, who, milestone.id or 0, draft)
            return redirect(f"/milestones/{milestone.id}", _("The milestone has been updated."))
        status = 400
    return render(
        request,
        "taskgroups/milestones/milestone_form.html",
        {
            "form": form,
            "group": group,
            "m": milestone,
            "options": options,
            "action": request.url.path,
            "back": _back(group),
        },
        status_code=status,
    )


async def new_hub_milestone(request: Request) -> Response:
    return await _milestone_form(request, None, None)


async def new_group_milestone(request: Request) -> Response:
    with runtime(request).db.read() as session:
        group = _group(session, request.path_params["slug"])
    return await _milestone_form(request, group, None)


async def edit_milestone(request: Request) -> Response:
    with runtime(request).db.read() as session:
        milestone, group = _milestone(session, request)
    return await _milestone_form(request, group, milestone)


async def complete_milestone(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        milestone, group = _milestone(session, request)
    require(who, Action.MANAGE_PROCESS, milestone.group_id)
    form = await read_form(request)
    note = form.required("note", _("a note on how the milestone was met"), 1000, multiline=True)
    if milestone.completed_on is not None:
        form.error("note", _("This milestone is already done"))
    if not form.ok:
        with rt.db.read() as session:
            row = next(
                r
                for r in milestones.rows(rt, session, milestone.group_id)
                if r.milestone.id == milestone.id
            )
        return render(
            request,
            "taskgroups/milestones/milestone.html",
            {
                "row": row,
                "m": milestone,
                "group": group,
                "form": form,
                "can_manage": True,
            },
            status_code=400,
        )
    milestones.do_complete(rt, who, milestone.id or 0, note)
    return redirect(f"/milestones/{milestone.id}", _("The milestone is marked done."))


async def delete_milestone(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        milestone, group = _milestone(session, request)
    require(who, Action.MANAGE_PROCESS, milestone.group_id)
    milestones.do_delete(rt, who, milestone.id or 0)
    return redirect(
        _back(group), _("The milestone %(title)s has been removed.", title=milestone.title)
    )


routes = [
    Route("/timeline", hub_timeline),
    Route("/programme", programme_page, methods=["GET", "POST"]),
    Route("/milestones/new", new_hub_milestone, methods=["GET", "POST"]),
    Route("/milestones/{milestone_id:id}", milestone_page),
    Route("/milestones/{milestone_id:id}/edit", edit_milestone, methods=["GET", "POST"]),
    Route("/milestones/{milestone_id:id}/complete", complete_milestone, methods=["POST"]),
    Route("/milestones/{milestone_id:id}/delete", delete_milestone, methods=["POST"]),
    Route("/groups/{slug}/timeline", group_timeline),
    Route("/groups/{slug}/milestones/new", new_group_milestone, methods=["GET", "POST"]),
]
