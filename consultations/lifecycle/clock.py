"""The consultation clock: announce what the passing of time changes.

A periodic job of the background worker (`workspace/worker.py`), every minute. Statuses
are always computed on the spot; this only makes the events timely, so subscribers hear
of a consultation opening or closing at its time even when nobody is looking at it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from consultations.lifecycle import service
from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.lifecycle.status import status_of
from workspace.db import WriteUnit
from workspace.events import ConsultationClosingSoon
from workspace.hooks import PeriodicJob
from workspace.notifications.service import announce_once
from workspace.runtime import Runtime


def job(rt: Runtime) -> PeriodicJob:
    return PeriodicJob("consultations.clock", lambda: _tick(rt), minutes=1)


def _tick(rt: Runtime) -> None:
    service.announce_transitions(rt)
    announce_closing_soon(rt)


def announce_closing_soon(rt: Runtime) -> int:
    """Publish `ConsultationClosingSoon` once for each open consultation within
    `CLOSING_SOON_DAYS` of its close (again if its close is moved)."""
    now = rt.clock()
    horizon = now + timedelta(days=rt.settings.closing_soon_days)
    with rt.db.read() as session:
        near = session.exec(
            select(Consultation).where(
                col(Consultation.closes_at) > now, col(Consultation.closes_at) <= horizon
            )
        ).all()
    told = 0
    for consultation in near:
        if status_of(consultation, now) is not ConsultationStatus.OPEN:
            continue
        key = f"consultation:{consultation.id}:closing:{consultation.closes_at.isoformat()}"
        with rt.db.write() as unit:
            if announce_once(unit, key):
                _publish(rt, unit, consultation)
                told += 1
    return told


def _publish(rt: Runtime, unit: WriteUnit, consultation: Consultation) -> None:
    event = service.change_event(ConsultationClosingSoon, consultation)
    unit.after_commit(lambda: rt.events.publish(event))
