"""What a task group's chairs have to do, for their home page: meetings held but not yet
recorded, and the group's overdue milestones."""

from __future__ import annotations

from sqlmodel import Session, col, select

from taskgroups.groups.models import TaskGroup
from taskgroups.meetings.models import Meeting
from taskgroups.milestones import service as milestones
from taskgroups.milestones.models import MilestoneStatus
from workspace.hooks import NeedsYou
from workspace.i18n import gettext as _
from workspace.permissions import Action, Viewer, can
from workspace.runtime import Runtime


def needs_you(rt: Runtime, session: Session, viewer: Viewer) -> list[NeedsYou]:
    chaired = [g for g in viewer.member_roles if can(viewer, Action.MANAGE_PROCESS, g)]
    if not chaired:
        return []
    return [*_meetings_to_record(rt, session, chaired), *_overdue(rt, session, chaired)]


def _meetings_to_record(rt: Runtime, session: Session, chaired: list[int]) -> list[NeedsYou]:
    rows = session.exec(
        select(Meeting, TaskGroup)
        .join(TaskGroup, TaskGroup.id == Meeting.group_id)  # type: ignore[arg-type]
        .where(col(Meeting.group_id).in_(chaired))
        .where(col(Meeting.recorded_at).is_(None))
        .where(Meeting.starts_at < rt.clock())
        .order_by(col(Meeting.starts_at))
    ).all()
    return [
        NeedsYou(
            _("Record what happened at %(meeting)s", meeting=meeting.title),
            f"/groups/{group.slug}/meetings/{meeting.id}/record",
            group.name,
            order=50,
        )
        for meeting, group in rows
    ]


def _overdue(rt: Runtime, session: Session, chaired: list[int]) -> list[NeedsYou]:
    found = []
    for group_id in chaired:
        for row in milestones.rows(rt, session, group_id, hub_wide=False):
            if row.status is MilestoneStatus.OVERDUE and row.group is not None:
                found.append(
                    NeedsYou(
                        f"{row.milestone.title} is overdue",
                        f"/milestones/{row.milestone.id}",
                        row.group.name,
                        order=60,
                    )
                )
    return found
