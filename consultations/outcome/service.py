"""Publishing the outcome ("You said, we did"): the group's summary and what it did about
each theme raised. Publishing is a status change, so it is announced like the others."""

from __future__ import annotations

from sqlmodel import select

from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.lifecycle.service import _locked, announce_transitions
from consultations.lifecycle.status import WrongStatus, status_of
from consultations.outcome.models import OutcomeItem
from workspace import search
from workspace.markdown import render_markdown
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime


def do_publish_outcome(
    rt: Runtime, actor: Viewer, consultation_id: int, summary: str, items: list[OutcomeItem]
) -> Consultation:
    """Replace the outcome's items and publish it (or re-publish, correcting it)."""
    now = rt.clock()
    with rt.db.write() as unit:
        consultation = _locked(unit.session, consultation_id)
        require(actor, Action.MANAGE_PROCESS, consultation.group_id)
        if status_of(consultation, now) in (ConsultationStatus.DRAFT, ConsultationStatus.OPEN):
            raise WrongStatus(status_of(consultation, now))
        for old in unit.session.exec(
            select(OutcomeItem).where(OutcomeItem.consultation_id == consultation_id)
        ):
            unit.session.delete(old)
        unit.session.flush()
        for position, item in enumerate(items):
            item.consultation_id, item.position = consultation_id, position
            unit.session.add(item)
        consultation.outcome_summary = summary
        consultation.outcome_html = render_markdown(summary)
        consultation.outcome_published_at = consultation.outcome_published_at or now
        unit.session.add(consultation)
        search.enqueue(rt, unit, "consultation", consultation.id)
    announce_transitions(rt)
    return consultation
