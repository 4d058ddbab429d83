"""What consultations offer the progress pages: a milestone can wait for a consultation's
outcome to be published, and the observer dashboard shows each group's consultations
with their response counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.responses.models import Response
from taskgroups.groups.models import TaskGroup
from taskgroups.milestones.models import DeliverableKind
from workspace.hooks import DeliverableOption, GroupSection
from workspace.i18n import gettext as _
from workspace.permissions import Viewer
from workspace.runtime import Runtime


def deliverable_options(rt: Runtime, session: Session, group_id: int) -> list[DeliverableOption]:
    now = rt.clock()
    found = []
    for c in session.exec(
        select(Consultation)
        .where(Consultation.group_id == group_id)
        .order_by(col(Consultation.opens_at))
    ):
        status = lifecycle.status_of(c, now)
        found.append(
            DeliverableOption(
                DeliverableKind.OUTCOME_PUBLISHED,
                c.id or 0,
                _("Consultation outcome published: %(title)s", title=c.title),
                lifecycle.url(c),
                started=status is not ConsultationStatus.DRAFT,
                done=c.outcome_published_at is not None,
            )
        )
    return found


@dataclass
class ConsultationSummary:
    title: str
    url: str
    status: ConsultationStatus
    responses: int


def dashboard_panel(rt: Runtime, session: Session, who: Viewer, group: TaskGroup) -> GroupSection:
    now = rt.clock()
    counts = dict(
        session.exec(
            select(Response.consultation_id, func.count())
            .join(Consultation, Consultation.id == Response.consultation_id)  # type: ignore[arg-type]
            .where(Consultation.group_id == group.id)
            .group_by(col(Response.consultation_id))
        ).all()
    )
    items = [
        ConsultationSummary(
            c.title, lifecycle.url(c), lifecycle.status_of(c, now), counts.get(c.id or 0, 0)
        )
        for c in session.exec(
            select(Consultation)
            .where(Consultation.group_id == group.id)
            .order_by(col(Consultation.opens_at))
        )
        if lifecycle.readable(who, c, now)
    ]
    return GroupSection(
        "consultations/lifecycle/_dashboard_panel.html", {"consultations": items}, order=20
    )
