"""Programme and milestones: writes, derived status, and completion by deliverables.

Higher packages never get imported here. They publish `DefinitionProposed`,
`DefinitionAgreed`, `ConsultationOpened`, `ConsultationOutcomePublished`, `ReportPublished`,
`GovernmentResponded` (and meetings `MeetingHeld`) after commit; `subscriptions()` answers
them. The chair's picker of deliverables asks every plugin's `deliverable_options` hook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, or_, select

from taskgroups.groups.models import TaskGroup
from taskgroups.milestones.forms import MilestoneDraft, ProgrammeView
from taskgroups.milestones.models import (
    DeliverableKind,
    Milestone,
    MilestoneSlip,
    MilestoneStatus,
    Programme,
)
from workspace import activity, hooks, search
from workspace.db import WriteUnit
from workspace.events import (
    ConsultationChange,
    ConsultationOpened,
    ConsultationOutcomePublished,
    DefinitionAgreed,
    DefinitionChange,
    DefinitionProposed,
    GovernmentResponded,
    MeetingHeld,
    MilestoneStatusChanged,
    ReportPublished,
)
from workspace.hooks import DeliverableOption, Subscription
from workspace.markdown import render_markdown
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime


def today(rt: Runtime) -> date:
    """Today in the hub's time zone, by the runtime's clock."""
    return rt.clock().astimezone(ZoneInfo(rt.settings.timezone)).date()


def programme(rt: Runtime, session: Session) -> ProgrammeView:
    row = session.exec(select(Programme)).first()
    if row is not None:
        return ProgrammeView(row.goal, row.starts_on, row.target_on)
    s = rt.settings
    return ProgrammeView(
        s.programme_goal,
        date.fromisoformat(s.programme_starts_on),
        date.fromisoformat(s.programme_target_on),
    )


def do_set_programme(rt: Runtime, actor: Viewer, view: ProgrammeView) -> None:
    require(actor, Action.ADMINISTER)
    with rt.db.write() as unit:
        row = unit.session.exec(select(Programme)).first() or Programme(
            goal=view.goal, starts_on=view.starts_on, target_on=view.target_on
        )
        row.goal, row.starts_on, row.target_on = view.goal, view.starts_on, view.target_on
        row.updated_by, row.updated_at = actor.user_id, rt.clock()
        unit.session.add(row)
        activity.record(
            unit,
            actor_id=actor.user_id,
            verb="programme.updated",
            object_type="programme",
            object_id=None,
            url="/timeline",
            summary=f"Programme set: {view.goal}, target {view.target_on:%d %B %Y}",
        )


def status_of(milestone: Milestone, on: date, window_days: int) -> MilestoneStatus:
    if milestone.completed_on is not None:
        return MilestoneStatus.DONE
    if milestone.due_on < on:
        return MilestoneStatus.OVERDUE
    started = milestone.deliverable_kind and milestone.deliverable_started_on is not None
    if (milestone.due_on - on).days <= window_days and not started:
        return MilestoneStatus.AT_RISK
    return MilestoneStatus.ON_TRACK


@dataclass
class MilestoneRow:
    milestone: Milestone
    status: MilestoneStatus
    group: TaskGroup | None
    slips: list[MilestoneSlip]


def rows(
    rt: Runtime, session: Session, group_id: int | None = None, hub_wide: bool = True
) -> list[MilestoneRow]:
    """Milestones in date order with status and slippage: all of them (group_id None),
    or one group's (with the hub-wide ones too when hub_wide)."""
    query = select(Milestone, TaskGroup).join(
        TaskGroup,
        col(TaskGroup.id) == col(Milestone.group_id),
        isouter=True,
    )
    if group_id is not None:
        mine = col(Milestone.group_id) == group_id
        query = query.where(or_(mine, col(Milestone.group_id).is_(None)) if hub_wide else mine)
    found = session.exec(query.order_by(col(Milestone.due_on), col(Milestone.id))).all()
    slips = slips_for(session, [m.id for m, _g in found if m.id is not None])
    on, window = today(rt), rt.settings.milestone_at_risk_days
    return [
        MilestoneRow(m, status_of(m, on, window), g, slips.get(m.id or 0, [])) for m, g in found
    ]


def slips_for(session: Session, ids: list[int]) -> dict[int, list[MilestoneSlip]]:
    found: dict[int, list[MilestoneSlip]] = {}
    if not ids:
        return found
    for slip in session.exec(
        select(MilestoneSlip)
        .where(col(MilestoneSlip.milestone_id).in_(ids))
        .order_by(col(MilestoneSlip.changed_at), col(MilestoneSlip.id))
    ):
        found.setdefault(slip.milestone_id, []).append(slip)
    return found


def deliverable_options(
    rt: Runtime, session: Session, group_id: int | None
) -> list[DeliverableOption]:
    """What the group's milestones can wait for, from every plugin (`deliverable_options`
    hook): definitions agreed, consultations' outcomes, meetings held."""
    if group_id is None:
        return []
    return hooks.flat(rt.hook.deliverable_options(rt=rt, session=session, group_id=group_id))


def do_create(
    rt: Runtime, actor: Viewer, group: TaskGroup | None, draft: MilestoneDraft
) -> Milestone:
    group_id = group.id if group else None
    require(actor, Action.MANAGE_PROCESS, group_id)
    assert draft.due_on is not None
    with rt.db.write() as unit:
        milestone = Milestone(
            group_id=group_id, title=draft.title, due_on=draft.due_on, created_by=actor.user_id
        )
        _apply(rt, milestone, draft, actor)
        unit.session.add(milestone)
        unit.session.flush()
        _log(
            unit,
            actor,
            "milestone.created",
            milestone,
            f"Milestone {milestone.title} set for {_long(milestone.due_on)}",
        )
        search.enqueue(rt, unit, "milestone", milestone.id)
    return milestone


def do_update(rt: Runtime, actor: Viewer, milestone_id: int, draft: MilestoneDraft) -> None:
    assert draft.due_on is not None
    with rt.db.write() as unit:
        milestone = unit.session.get(Milestone, milestone_id)
        assert milestone is not None
        require(actor, Action.MANAGE_PROCESS, milestone.group_id)
        if draft.due_on != milestone.due_on:
            unit.session.add(
                MilestoneSlip(
                    milestone_id=milestone_id,
                    from_on=milestone.due_on,
                    to_on=draft.due_on,
                    reason=draft.reason,
                    changed_by=actor.user_id,
                    changed_at=rt.clock(),
                )
            )
            _log(
                unit,
                actor,
                "milestone.moved",
                milestone,
                f"{milestone.title} moved from {_long(milestone.due_on)} to "
                f"{_long(draft.due_on)}: {draft.reason}",
            )
        else:
            _log(unit, actor, "milestone.updated", milestone, f"{draft.title} updated")
        slipped = draft.due_on > milestone.due_on
        milestone.title, milestone.due_on = draft.title, draft.due_on
        _apply(rt, milestone, draft, actor)
        unit.session.add(milestone)
        search.enqueue(rt, unit, "milestone", milestone.id)
        if slipped:
            event = status_event(milestone, SLIPPED)
            unit.after_commit(lambda: rt.events.publish(event))


SLIPPED = "slipped"  # not a status of its own: a moment in a milestone's record


def status_event(milestone: Milestone, status: str) -> MilestoneStatusChanged:
    return MilestoneStatusChanged(
        milestone_id=milestone.id or 0,
        group_id=milestone.group_id,
        status=status,
        title=milestone.title,
        url=f"/milestones/{milestone.id}",
        due_on=milestone.due_on.isoformat(),
    )


def _apply(rt: Runtime, milestone: Milestone, draft: MilestoneDraft, actor: Viewer) -> None:
    milestone.description = draft.description
    milestone.description_html = render_markdown(draft.description)
    option = draft.deliverable
    if option is None:
        return  # kept as it was (or none chosen)
    milestone.deliverable_kind, milestone.deliverable_id = option.kind, option.target_id
    milestone.deliverable_label, milestone.deliverable_url = option.label[:300], option.url
    milestone.deliverable_started_on = today(rt) if option.started else None
    if option.done and milestone.completed_on is None:
        milestone.completed_on, milestone.completed_by = today(rt), actor.user_id
        milestone.completion_url = option.url
        milestone.completion_note = f"Already reached when linked: {option.label}"[:1000]


def do_complete(rt: Runtime, actor: Viewer, milestone_id: int, note: str) -> None:
    with rt.db.write() as unit:
        milestone = unit.session.get(Milestone, milestone_id)
        assert milestone is not None
        require(actor, Action.MANAGE_PROCESS, milestone.group_id)
        milestone.completed_on, milestone.completed_by = today(rt), actor.user_id
        milestone.completion_note, milestone.completion_url = note, ""
        unit.session.add(milestone)
        _log(unit, actor, "milestone.completed", milestone, f"{milestone.title} done: {note}")
        search.enqueue(rt, unit, "milestone", milestone.id)


def do_delete(rt: Runtime, actor: Viewer, milestone_id: int) -> None:
    with rt.db.write() as unit:
        milestone = unit.session.get(Milestone, milestone_id)
        assert milestone is not None
        require(actor, Action.MANAGE_PROCESS, milestone.group_id)
        _log(
            unit,
            actor,
            "milestone.deleted",
            milestone,
            f"Milestone {milestone.title} removed",
            url="",
        )
        search.enqueue(rt, unit, "milestone", milestone.id, search.DELETE)
        unit.session.delete(milestone)


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _log(
    unit: WriteUnit,
    actor: Viewer | None,
    verb: str,
    milestone: Milestone,
    summary: str,
    url: str | None = None,
) -> None:
    activity.record(
        unit,
        actor_id=actor.user_id if actor else None,
        verb=verb,
        object_type="milestone",
        object_id=milestone.id,
        group_id=milestone.group_id,
        summary=summary,
        url=f"/milestones/{milestone.id}" if url is None else url,
    )


def complete_by_deliverable(rt: Runtime, kind: str, target_id: int, url: str = "") -> int:
    """Complete every open milestone waiting for this deliverable; return how many."""
    on = today(rt)
    with rt.db.write() as unit:
        waiting = unit.session.exec(
            select(Milestone).where(
                Milestone.deliverable_kind == kind,
                Milestone.deliverable_id == target_id,
                col(Milestone.completed_on).is_(None),
            )
        ).all()
        for milestone in waiting:
            milestone.completed_on = on
            milestone.completion_url = url or milestone.deliverable_url
            milestone.completion_note = f"Completed automatically: {milestone.deliverable_label}"
            milestone.deliverable_started_on = milestone.deliverable_started_on or on
            unit.session.add(milestone)
            _log(
                unit,
                None,
                "milestone.completed",
                milestone,
                f"{milestone.title} done: {milestone.deliverable_label}",
            )
            search.enqueue(rt, unit, "milestone", milestone.id)
    return len(waiting)


def mark_started(rt: Runtime, kind: str, target_id: int) -> None:
    with rt.db.write() as unit:
        for milestone in unit.session.exec(
            select(Milestone).where(
                Milestone.deliverable_kind == kind,
                Milestone.deliverable_id == target_id,
                col(Milestone.deliverable_started_on).is_(None),
            )
        ):
            milestone.deliverable_started_on = today(rt)
            unit.session.add(milestone)


def subscriptions(rt: Runtime) -> list[Subscription]:
    """The events that start and complete deliverables."""

    def completes(kind: str, target: Callable[[Any], int]) -> Callable[[Any], None]:
        def handler(event: Any) -> None:
            complete_by_deliverable(rt, kind, target(event), getattr(event, "url", ""))

        return handler

    def starts(kind: str, target: Callable[[Any], int]) -> Callable[[Any], None]:
        return lambda event: mark_started(rt, kind, target(event))

    def definition(event: DefinitionChange) -> int:
        return event.definition_id

    def consultation(event: ConsultationChange) -> int:
        return event.consultation_id

    def meeting(event: MeetingHeld) -> int:
        return event.meeting_id

    def report(event: ReportPublished | GovernmentResponded) -> int:
        return event.report_id

    def response_complete(event: GovernmentResponded) -> None:
        if event.complete:  # every recommendation of the report has a final response
            complete_by_deliverable(
                rt, DeliverableKind.RESPONSE_PUBLISHED, event.report_id, event.url
            )

    return [
        Subscription(DefinitionProposed, starts(DeliverableKind.DEFINITION_AGREED, definition)),
        Subscription(DefinitionAgreed, completes(DeliverableKind.DEFINITION_AGREED, definition)),
        Subscription(ConsultationOpened, starts(DeliverableKind.OUTCOME_PUBLISHED, consultation)),
        Subscription(
            ConsultationOutcomePublished,
            completes(DeliverableKind.OUTCOME_PUBLISHED, consultation),
        ),
        Subscription(MeetingHeld, completes(DeliverableKind.MEETING_HELD, meeting)),
        Subscription(ReportPublished, starts(DeliverableKind.RESPONSE_PUBLISHED, report)),
        Subscription(GovernmentResponded, response_complete),
    ]
