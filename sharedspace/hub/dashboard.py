"""The observer's dashboard: every group whose private work the viewer may read (the
groups they observe, for an observer), read-only. Definitions and consultations come
from the plugins (`dashboard_panels` hook), milestones and meetings from taskgroups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sharedspace.hub.models import DashboardVisit
from taskgroups.groups.models import TaskGroup
from taskgroups.meetings import service as meetings
from taskgroups.meetings.models import Meeting
from taskgroups.milestones import service as milestones
from workspace import activity
from workspace.hooks import GroupSection
from workspace.models import ActivityEvent, User
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime, runtime, viewer
from workspace.templating import render

FIRST_VISIT_EVENTS = 10
MAX_EVENTS = 30


@dataclass
class GroupDashboard:
    group: TaskGroup
    panels: list[GroupSection]
    milestones: list[milestones.MilestoneRow]
    next_meeting: Meeting | None
    events: list[tuple[ActivityEvent, str | None]]


def _groups(session: Session, who: Viewer) -> list[TaskGroup]:
    readable = who.readable_groups()
    query = select(TaskGroup).order_by(col(TaskGroup.name))
    if readable is not None:
        if not readable:
            return []
        query = query.where(col(TaskGroup.id).in_(readable))
    return list(session.exec(query))


def _events(
    session: Session, who: Viewer, group_id: int, since: datetime | None
) -> list[tuple[ActivityEvent, str | None]]:
    query = (
        select(ActivityEvent, User.display_name)
        .join(User, User.id == ActivityEvent.actor_id, isouter=True)  # type: ignore[arg-type]
        .where(ActivityEvent.group_id == group_id)
        .where(activity.visible_clause(who, group_id))
        .order_by(col(ActivityEvent.created_at).desc(), col(ActivityEvent.id).desc())
    )
    if since is not None:
        query = query.where(col(ActivityEvent.created_at) > since).limit(MAX_EVENTS)
    else:
        query = query.limit(FIRST_VISIT_EVENTS)
    return [(event, name) for event, name in session.exec(query)]


def build(
    rt: Runtime, session: Session, who: Viewer, since: datetime | None
) -> list[GroupDashboard]:
    now = rt.clock()
    return [
        GroupDashboard(
            group=group,
            panels=rt.dashboard_panels(session, who, group),
            milestones=milestones.rows(rt, session, group.id, hub_wide=False),
            next_meeting=meetings.next_meeting(session, group.id or 0, now),
            events=_events(session, who, group.id or 0, since),
        )
        for group in _groups(session, who)
    ]


async def dashboard(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.SIGNED_IN)
    assert who.user_id is not None
    with rt.db.read() as session:
        visit = session.get(DashboardVisit, who.user_id)
        since = visit.seen_at if visit else None
        groups = build(rt, session, who, since)
    with rt.db.write() as unit:
        seen = unit.session.get(DashboardVisit, who.user_id) or DashboardVisit(
            user_id=who.user_id, seen_at=rt.clock()
        )
        seen.seen_at = rt.clock()
        unit.session.add(seen)
    return render(request, "hub/dashboard.html", {"groups": groups, "since": since})


routes = [Route("/dashboard", dashboard)]
