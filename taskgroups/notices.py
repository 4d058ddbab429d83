"""What task groups tell people: meetings scheduled and minutes published, milestones at
risk, overdue, slipped or done; and what can be followed here (groups, the programme)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from taskgroups.groups.models import TaskGroup
from taskgroups.groups.service import GROUP
from taskgroups.meetings.models import Meeting
from taskgroups.milestones.models import MilestoneStatus
from taskgroups.milestones.service import SLIPPED
from workspace.events import MeetingScheduled, MilestoneStatusChanged, MinutesPublished
from workspace.hooks import (
    Followed,
    Followers,
    FollowTarget,
    Notice,
    NotificationKind,
    NotificationSource,
)
from workspace.i18n import N_
from workspace.notifications.following import PROGRAMME
from workspace.runtime import Runtime

MEETINGS = "meeting_scheduled"
MINUTES = "minutes_published"
MILESTONES = "milestone_status"

KINDS = (
    NotificationKind(
        MEETINGS,
        N_("Meetings scheduled"),
        N_("A group you follow puts a meeting in the diary."),
        N_("Meetings"),
        order=60,
    ),
    NotificationKind(
        MINUTES,
        N_("Minutes published"),
        N_("The record of a meeting of a group you follow is published."),
        N_("Meetings"),
        order=61,
    ),
    NotificationKind(
        MILESTONES,
        N_("Milestones at risk, overdue, slipped or done"),
        N_("A milestone of the programme or of a group you follow changes."),
        N_("Milestones"),
        order=70,
    ),
)

_MILESTONE_WORDS = {
    MilestoneStatus.AT_RISK.value: "is at risk",
    MilestoneStatus.OVERDUE.value: "is overdue",
    MilestoneStatus.DONE.value: "is done",
    SLIPPED: "has slipped to a later date",
}


def _group(session: Session, group_id: int | None) -> TaskGroup | None:
    return session.get(TaskGroup, group_id) if group_id else None


def _follows_group(group: TaskGroup) -> Followers:
    return Followers(GROUP, group.id or 0, f"You follow the task group {group.name}")


def meeting_notices(rt: Runtime) -> NotificationSource:
    zone = ZoneInfo(rt.settings.timezone)

    def notices(session: Session, event: MeetingScheduled) -> Iterable[Notice]:
        meeting, group = session.get(Meeting, event.meeting_id), _group(session, event.group_id)
        if meeting is None or group is None:
            return []
        local = meeting.starts_at.astimezone(zone)
        return [
            Notice(
                kind=MEETINGS,
                key=f"meeting:{meeting.id}:scheduled",
                title=f"{group.name} meets on {local.day} {local:%B %Y at %H:%M}: {meeting.title}",
                url=event.url,
                audiences=(_follows_group(group),),
                group_id=group.id,
                private=True,  # meetings are the group's (docs/architecture.md, roles)
                actor_id=meeting.created_by,
                summary=meeting.place,
            )
        ]

    return NotificationSource("taskgroups.meetings", MeetingScheduled, notices)


def minutes_notices() -> NotificationSource:
    def notices(session: Session, event: MinutesPublished) -> Iterable[Notice]:
        meeting, group = session.get(Meeting, event.meeting_id), _group(session, event.group_id)
        if meeting is None or group is None:
            return []
        return [
            Notice(
                kind=MINUTES,
                key=f"meeting:{meeting.id}:minutes",
                title=f"Minutes published: {meeting.title} ({group.name})",
                url=event.url,
                audiences=(_follows_group(group),),
                group_id=group.id,
            )
        ]

    return NotificationSource("taskgroups.minutes", MinutesPublished, notices)


def milestone_notices() -> NotificationSource:
    def notices(session: Session, event: MilestoneStatusChanged) -> Iterable[Notice]:
        group = _group(session, event.group_id)
        audiences = [Followers(PROGRAMME, 0, "You follow the programme")]
        if group is not None:
            audiences.insert(0, _follows_group(group))
        words = _MILESTONE_WORDS.get(event.status, "changed")
        return [
            Notice(
                kind=MILESTONES,
                key=f"milestone:{event.milestone_id}:{event.status}:{event.due_on}",
                title=f"Milestone {words}: {event.title}",
                url=event.url,
                audiences=tuple(audiences),
                group_id=event.group_id,
            )
        ]

    return NotificationSource("taskgroups.milestones", MilestoneStatusChanged, notices)


def sources(rt: Runtime) -> list[NotificationSource]:
    return [meeting_notices(rt), minutes_notices(), milestone_notices()]


def _describe_groups(session: Session, ids: list[int]) -> Mapping[int, Followed]:
    groups = session.exec(select(TaskGroup).where(col(TaskGroup.id).in_(ids))).all()
    return {g.id or 0: Followed(g.name, f"/groups/{g.slug}", g.id) for g in groups}


def _describe_programme(_session: Session, ids: list[int]) -> Mapping[int, Followed]:
    return {0: Followed("The programme and its milestones", "/timeline")} if 0 in ids else {}


TARGETS = (
    FollowTarget(GROUP, N_("task group"), _describe_groups),
    FollowTarget(PROGRAMME, N_("programme"), _describe_programme),
)
