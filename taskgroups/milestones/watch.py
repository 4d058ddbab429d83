"""The milestone watch: announce, once each, milestones becoming at risk, overdue or done.

Status is derived from the clock (`service.status_of`), so nothing changes in the
database when a milestone becomes overdue: a periodic job of the background worker looks,
and claims each (milestone, status, due date) once (`announce_once`), so several workers
never announce it twice and a milestone that slips and becomes overdue again is told
again. Only recent changes are announced: a hub's old overdue milestones are history.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from taskgroups.milestones.models import Milestone, MilestoneStatus
from taskgroups.milestones.service import status_event, status_of, today
from workspace.db import WriteUnit
from workspace.events import MilestoneStatusChanged
from workspace.hooks import PeriodicJob
from workspace.notifications.service import announce_once
from workspace.runtime import Runtime

ANNOUNCED = (MilestoneStatus.AT_RISK, MilestoneStatus.OVERDUE, MilestoneStatus.DONE)
RECENT = timedelta(days=14)


def job(rt: Runtime) -> PeriodicJob:
    return PeriodicJob("milestones.watch", lambda: announce_changes(rt), minutes=10)


def announce_changes(rt: Runtime) -> int:
    on, window = today(rt), rt.settings.milestone_at_risk_days
    with rt.db.read() as session:
        milestones = session.exec(select(Milestone)).all()
    told = 0
    for milestone in milestones:
        status = status_of(milestone, on, window)
        if status not in ANNOUNCED or not _recent(milestone, status, on):
            continue
        key = f"milestone:{milestone.id}:{status.value}:{milestone.due_on.isoformat()}"
        with rt.db.write() as unit:
            if announce_once(unit, key):
                _publish_after_commit(rt, unit, status_event(milestone, status.value))
                told += 1
    return told


def _publish_after_commit(rt: Runtime, unit: WriteUnit, event: MilestoneStatusChanged) -> None:
    unit.after_commit(lambda: rt.events.publish(event))


def _recent(milestone: Milestone, status: MilestoneStatus, on: date) -> bool:
    if status is MilestoneStatus.DONE:
        return milestone.completed_on is not None and on - milestone.completed_on <= RECENT
    if status is MilestoneStatus.OVERDUE:
        return on - milestone.due_on <= RECENT
    return True
