"""Group meetings: scheduling, and afterwards the record of what happened.

Attendance is two tables: members (with the organisation they spoke for) and
government observers (with their department). They are read and shown apart. Recording
a meeting for the first time publishes `MeetingHeld`, which completes milestones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from taskgroups.groups.models import Membership, ObserverSeat, TaskGroup
from taskgroups.meetings.forms import (
    ABSENT,
    PRESENT,
    Invitee,
    Invitees,
    MeetingDraft,
    RecordDraft,
)
from taskgroups.meetings.models import ActionItem, Meeting, MemberAttendance, ObserverAttendance
from taskgroups.milestones.models import DeliverableKind
from taskgroups.milestones.service import today
from workspace import activity, formats, search
from workspace.events import MeetingHeld, MeetingScheduled, MinutesPublished
from workspace.hooks import DeliverableOption, EvidenceTarget
from workspace.i18n import gettext as _
from workspace.markdown import render_markdown
from workspace.models import Organisation, User
from workspace.permissions import Action, Viewer, can, require
from workspace.runtime import Runtime

EVIDENCE_TARGET = "meeting"  # what an evidence link to a meeting's papers names


def do_schedule(
    rt: Runtime, actor: Viewer, group: TaskGroup, draft: MeetingDraft, meeting_id: int | None = None
) -> Meeting:
    require(actor, Action.MANAGE_PROCESS, group.id)
    assert draft.starts_at is not None
    with rt.db.write() as unit:
        meeting = (
            unit.session.get(Meeting, meeting_id)
            if meeting_id
            else Meeting(
                group_id=group.id or 0,
                title=draft.title,
                starts_at=draft.starts_at,
                created_by=actor.user_id,
            )
        )
        assert meeting is not None
        assert meeting.group_id == group.id
        meeting.title, meeting.starts_at, meeting.place = draft.title, draft.starts_at, draft.place
        meeting.agenda, meeting.agenda_html = draft.agenda, render_markdown(draft.agenda)
        unit.session.add(meeting)
        unit.session.flush()
        local = draft.starts_at.astimezone(ZoneInfo(rt.settings.timezone))
        verb = "meeting.rescheduled" if meeting_id else MeetingScheduled.name
        activity.record(
            unit,
            actor_id=actor.user_id,
            verb=verb,
            object_type="meeting",
            object_id=meeting.id,
            group_id=group.id,
            summary=f"{group.name} meets on {local.day} {local:%B %Y at %H:%M}",
            url=meeting_url(group, meeting),
        )
        search.enqueue(rt, unit, "meeting", meeting.id)
        if not meeting_id:
            scheduled = MeetingScheduled(
                meeting.id or 0, group.id or 0, meeting_url(group, meeting)
            )
            unit.after_commit(lambda: rt.events.publish(scheduled))
    return meeting


def meeting_url(group: TaskGroup, meeting: Meeting) -> str:
    return f"/groups/{group.slug}/meetings/{meeting.id}"


def invitees(session: Session, group_id: int, on: date) -> Invitees:
    members = session.exec(
        select(Membership, User, Organisation)
        .join(User, User.id == Membership.user_id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == Membership.organisation_id)  # type: ignore[arg-type]
        .where(Membership.group_id == group_id)
        .order_by(col(User.display_name))
    ).all()
    seats = session.exec(
        select(ObserverSeat, User)
        .join(User, User.id == ObserverSeat.user_id)  # type: ignore[arg-type]
        .where(ObserverSeat.group_id == group_id)
        .order_by(col(User.display_name))
    ).all()
    return Invitees(
        [Invitee(u.id or 0, u.display_name, o.name, o.id) for _m, u, o in members],
        [Invitee(u.id or 0, u.display_name, s.department) for s, u in seats if s.active_on(on)],
    )


def do_record(
    rt: Runtime,
    actor: Viewer,
    group: TaskGroup,
    meeting_id: int,
    draft: RecordDraft,
    people: Invitees,
) -> None:
    require(actor, Action.MANAGE_PROCESS, group.id)
    with rt.db.write() as unit:
        s = unit.session
        meeting = s.get(Meeting, meeting_id)
        assert meeting is not None
        assert meeting.group_id == group.id
        first = meeting.recorded_at is None
        newly_public = draft.publish and not meeting.minutes_published
        meeting.minutes, meeting.minutes_html = draft.minutes, render_markdown(draft.minutes)
        meeting.decisions = draft.decisions
        meeting.decisions_html = render_markdown(draft.decisions)
        meeting.minutes_published = draft.publish
        meeting.recorded_at = meeting.recorded_at or rt.clock()
        s.add(meeting)
        for model in (MemberAttendance, ObserverAttendance):
            for row in s.exec(select(model).where(model.meeting_id == meeting_id)):
                s.delete(row)
        orgs = {p.user_id: p.organisation_id for p in people.members}
        depts = {p.user_id: p.where for p in people.observers}
        for user_id, status in draft.members.items():
            if status != ABSENT:
                s.add(
                    MemberAttendance(
                        meeting_id=meeting_id,
                        user_id=user_id,
                        organisation_id=orgs[user_id] or 0,
                        status=status,
                    )
                )
        for user_id, status in draft.observers.items():
            if status != ABSENT:
                s.add(
                    ObserverAttendance(
                        meeting_id=meeting_id,
                        user_id=user_id,
                        department=depts[user_id],
                        status=status,
                    )
                )
        for new in draft.actions:
            s.add(
                ActionItem(
                    meeting_id=meeting_id, text=new.text, owner_id=new.owner_id, due_on=new.due_on
                )
            )
        activity.record(
            unit,
            actor_id=actor.user_id,
            verb="meeting.recorded",
            object_type="meeting",
            object_id=meeting_id,
            group_id=group.id,
            summary=f"Record of {meeting.title} "
            + ("published" if draft.publish else "kept for the group"),
            url=meeting_url(group, meeting),
            visibility=activity.PUBLIC if draft.publish else activity.GROUP,
        )
        search.enqueue(rt, unit, "meeting", meeting_id)
        if first:
            held = MeetingHeld(
                meeting_id=meeting_id, group_id=group.id or 0, url=meeting_url(group, meeting)
            )
            unit.after_commit(lambda: rt.events.publish(held))
        if newly_public:
            minutes = MinutesPublished(meeting_id, group.id or 0, meeting_url(group, meeting))
            unit.after_commit(lambda: rt.events.publish(minutes))


def do_action_done(
    rt: Runtime, actor: Viewer, group: TaskGroup, meeting_id: int, action_id: int
) -> bool:
    require(actor, Action.MANAGE_PROCESS, group.id)
    with rt.db.write() as unit:
        item = unit.session.get(ActionItem, action_id)
        if item is None or item.meeting_id != meeting_id:
            return False
        item.done_on = None if item.done_on else today(rt)
        unit.session.add(item)
        activity.record(
            unit,
            actor_id=actor.user_id,
            verb="meeting.action_done",
            object_type="meeting",
            object_id=meeting_id,
            group_id=group.id,
            summary=f"Action {'done' if item.done_on else 'reopened'}: {item.text}",
            visibility=activity.GROUP,
        )
    return True


@dataclass
class MeetingRecord:
    members_present: list[tuple[str, str]]
    members_apologies: list[tuple[str, str]]
    observers_present: list[tuple[str, str]]
    observers_apologies: list[tuple[str, str]]
    actions: list[tuple[ActionItem, str | None]]
    statuses: dict[str, str]  # "member-<id>" -> status, to fill the record form again


def record_of(session: Session, meeting_id: int) -> MeetingRecord:
    rec = MeetingRecord([], [], [], [], [], {})
    for a, name, org in session.exec(
        select(MemberAttendance, User.display_name, Organisation.name)
        .join(User, User.id == MemberAttendance.user_id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == MemberAttendance.organisation_id)  # type: ignore[arg-type]
        .where(MemberAttendance.meeting_id == meeting_id)
        .order_by(col(User.display_name))
    ):
        (rec.members_present if a.status == PRESENT else rec.members_apologies).append((name, org))
        rec.statuses[f"member-{a.user_id}"] = a.status
    for o, name in session.exec(
        select(ObserverAttendance, User.display_name)
        .join(User, User.id == ObserverAttendance.user_id)  # type: ignore[arg-type]
        .where(ObserverAttendance.meeting_id == meeting_id)
        .order_by(col(User.display_name))
    ):
        (rec.observers_present if o.status == PRESENT else rec.observers_apologies).append(
            (name, o.department)
        )
        rec.statuses[f"observer-{o.user_id}"] = o.status
    rec.actions = [
        (item, owner)
        for item, owner in session.exec(
            select(ActionItem, User.display_name)
            .join(User, User.id == ActionItem.owner_id, isouter=True)  # type: ignore[arg-type]
            .where(ActionItem.meeting_id == meeting_id)
            .order_by(col(ActionItem.id))
        )
    ]
    return rec


def for_group(session: Session, group_id: int) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.group_id == group_id)
            .order_by(col(Meeting.starts_at).desc())
        )
    )


def next_meeting(session: Session, group_id: int, now: datetime) -> Meeting | None:
    return session.exec(
        select(Meeting)
        .where(Meeting.group_id == group_id, col(Meeting.starts_at) >= now)
        .order_by(col(Meeting.starts_at))
    ).first()


def deliverable_options(session: Session, group_id: int) -> list[DeliverableOption]:
    """Each meeting of the group, which a milestone can wait for until it is held."""
    meetings = session.exec(
        select(Meeting, TaskGroup.slug)
        .join(TaskGroup, TaskGroup.id == Meeting.group_id)  # type: ignore[arg-type]
        .where(Meeting.group_id == group_id)
        .order_by(col(Meeting.starts_at))
    ).all()
    return [
        DeliverableOption(
            DeliverableKind.MEETING_HELD,
            m.id or 0,
            f"Meeting held: {m.title}",
            f"/groups/{slug}/meetings/{m.id}",
            True,
            m.recorded_at is not None,
        )
        for m, slug in meetings
    ]


def evidence_targets(session: Session, who: Viewer, group: TaskGroup) -> list[EvidenceTarget]:
    """Meetings as things evidence can be linked to: their papers."""
    may_link = can(who, Action.MANAGE_PROCESS, group.id)
    return [
        EvidenceTarget(
            kind=EVIDENCE_TARGET,
            target_id=m.id or 0,
            label=_("%(meeting)s, %(date)s", meeting=m.title, date=formats.day(m.starts_at)),
            url=meeting_url(group, m),
            heading=_("Meeting papers"),
            may_link=may_link,
        )
        for m in for_group(session, group.id or 0)
    ]
