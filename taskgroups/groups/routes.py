"""Task group pages: the public group page and the secretariat's seating pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from taskgroups.groups import finder, seat_invites, service
from taskgroups.groups.forms import check_group
from taskgroups.groups.models import GroupStatus, MemberRole, TaskGroup
from workspace import activity, hooks
from workspace.db import utcnow
from workspace.forms import FormInput, read_form
from workspace.hooks import NeedsYou
from workspace.models import Organisation
from workspace.numbers import parse_id
from workspace.permissions import Action, Role, Viewer, require
from workspace.runtime import Runtime, runtime, viewer
from workspace.templating import redirect, render


def _group_or_404(request: Request) -> TaskGroup:
    with runtime(request).db.read() as session:
        group = service.group_by_slug(session, request.path_params["slug"])
    if group is None:
        raise HTTPException(404)
    return group


async def group_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    group = _group_or_404(request)
    assert group.id is not None
    with rt.db.read() as session:
        context: dict[str, Any] = {
            "group": group,
            "sectors": service.members_by_sector(session, group.id),
            "observers": [
                (seat, user)
                for seat, user in service.observers_of(session, group.id)
                if seat.active_on(_today())
            ],
            "activity": activity.recent_for_group(session, who, group.id),
            "sections": rt.group_sections(session, who, group),
            "tasks": _tasks(rt, session, who, group),
        }
    return render(request, "taskgroups/groups/group.html", context)


def _tasks(rt: Runtime, session: Session, who: Viewer, group: TaskGroup) -> list[NeedsYou]:
    """What the group's work still needs from this member or chair (the same answers as
    "Needs you" on their home page, for this group only): the page's task list."""
    if who.role_in(group.id) not in (Role.MEMBER, Role.CHAIR):
        return []
    found = hooks.flat(rt.hook.needs_you(rt=rt, session=session, viewer=who))
    return sorted((t for t in found if t.group == group.name), key=lambda t: (t.order, t.text))


def _today() -> date:
    return utcnow().date()


async def new_group(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.ADMINISTER)
    form = FormInput()
    if request.method == "POST":
        form = await read_form(request)
        draft = check_group(form)
        with rt.db.read() as session:
            if form.ok and service.name_taken(session, draft.name):
                form.error("name", "A task group with this name already exists")
        if form.ok:
            group = service.do_create_group(rt, who, draft)
            return redirect(
                f"/groups/{group.slug}/people",
                f"{group.name} has been created. Now seat its members and observers.",
            )
        return render(request, "taskgroups/groups/group_form.html", {"form": form}, status_code=400)
    return render(request, "taskgroups/groups/group_form.html", {"form": form})


async def edit_group(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.ADMINISTER)
    group = _group_or_404(request)
    form = FormInput(values={"name": group.name, "remit": group.remit_source})
    if request.method == "POST":
        form = await read_form(request)
        draft = check_group(form)
        with rt.db.read() as session:
            if form.ok and service.name_taken(session, draft.name, except_id=group.id):
                form.error("name", "A task group with this name already exists")
        if form.ok:
            assert group.id is not None
            service.do_update_group(rt, who, group.id, draft)
            return redirect(f"/groups/{group.slug}", "The task group has been updated.")
        status = 400
    else:
        status = 200
    return render(
        request,
        "taskgroups/groups/group_form.html",
        {"form": form, "group": group},
        status_code=status,
    )


async def set_status(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.ADMINISTER)
    group = _group_or_404(request)
    form = await read_form(request)
    status = form.get("status")
    if status not in {s.value for s in GroupStatus}:
        raise HTTPException(400, "Choose whether the group is active or closed.")
    assert group.id is not None
    service.do_set_status(rt, who, group.id, GroupStatus(status))
    return redirect(f"/groups/{group.slug}", f"{group.name} is now {status}.")


def _people_context(
    request: Request, group: TaskGroup, member_form: FormInput, observer_form: FormInput
) -> dict[str, Any]:
    assert group.id is not None
    rt = runtime(request)
    with rt.db.read() as session:
        organisations = session.exec(select(Organisation).order_by(col(Organisation.name))).all()
        pending = seat_invites.pending_for(session, group.id, rt.clock())
        return {
            "invite_form": FormInput(values={"invite_role": "member"}),
            "pending": [(i, seat_invites.seat_label(session, i)) for i in pending],
            "now": rt.clock(),
            "group": group,
            "sectors": service.members_by_sector(session, group.id),
            "observers": service.observers_of(session, group.id),
            "organisations": organisations,
            "member_form": member_form,
            "observer_form": observer_form,
            "roles": [(r.value, r.value.capitalize()) for r in MemberRole],
            "today": _today(),
        }


async def people(request: Request) -> Response:
    require(viewer(request), Action.ADMINISTER)
    group = _group_or_404(request)
    query = request.query_params
    ctx = _people_context(
        request,
        group,
        FormInput(values={"role": "member", "email": query.get("member", "")[:254]}),
        FormInput(
            values={
                "starts_on": _today().isoformat(),
                "observer_email": query.get("observer", "")[:254],
            }
        ),
    )
    find = query.get("find", "")[: finder.MAX_QUERY]
    with runtime(request).db.read() as session:
        ctx |= {"find": find, "matches": finder.find_people(session, find)}
    return render(request, "taskgroups/groups/people.html", ctx, block="matches")


async def seat_member(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.ADMINISTER)
    group = _group_or_404(request)
    form = await read_form(request)
    assert group.id is not None
    with rt.db.read() as session:
        draft = service.check_member_seat(session, group.id, form)
    if not form.ok:
        ctx = _people_context(request, group, form, FormInput())
        return render(request, "taskgroups/groups/people.html", ctx, status_code=400)
    service.do_seat_member(rt, who, group, draft)
    return redirect(f"/groups/{group.slug}/people", f"{draft.email} now sits in the group.")


async def seat_observer(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.ADMINISTER)
    group = _group_or_404(request)
    form = await read_form(request)
    assert group.id is not None
    with rt.db.read() as session:
        draft = service.check_observer_seat(session, group.id, form)
    if not form.ok:
        ctx = _people_context(request, group, FormInput(values={"role": "member"}), form)
        return render(request, "taskgroups/groups/people.html", ctx, status_code=400)
    service.do_seat_observer(rt, who, group, draft)
    return redirect(f"/groups/{group.slug}/people", f"{draft.email} now observes the group.")


def _seat_id(request: Request) -> int:
    seat_id = parse_id(request.path_params["seat_id"])
    if seat_id is None:
        raise HTTPException(404)
    return seat_id


async def remove_member(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.ADMINISTER)
    group = _group_or_404(request)
    if not service.do_remove_member(rt, who, group, _seat_id(request)):
        raise HTTPException(404)
    return redirect(f"/groups/{group.slug}/people", "The member has been removed.")


async def end_observer(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.ADMINISTER)
    group = _group_or_404(request)
    if not service.do_end_observer_seat(rt, who, group, _seat_id(request)):
        raise HTTPException(404)
    return redirect(f"/groups/{group.slug}/people", "The observer seat has ended.")


routes = [
    Route("/new", new_group, methods=["GET", "POST"]),
    Route("/{slug}", group_page),
    Route("/{slug}/edit", edit_group, methods=["GET", "POST"]),
    Route("/{slug}/status", set_status, methods=["POST"]),
    Route("/{slug}/people", people),
    Route("/{slug}/members", seat_member, methods=["POST"]),
    Route("/{slug}/members/{seat_id}/remove", remove_member, methods=["POST"]),
    Route("/{slug}/observers", seat_observer, methods=["POST"]),
    Route("/{slug}/observers/{seat_id}/end", end_observer, methods=["POST"]),
]
