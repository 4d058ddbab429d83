"""Roof glue for progress: what definitions and consultations offer to the lower layer.

`taskgroups` may not import `definitions` or `consultations`. Instead `create_app`
registers these providers on the runtime: deliverables for the milestone picker, and
per-group summaries (sign-off state, response counts) for the observer's dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from consultations import lifecycle
from consultations.models import Consultation, ConsultationStatus, Response
from definitions import service as definitions
from definitions import signoff
from definitions.models import DefinitionStatus
from taskgroups.milestones import DeliverableOption, deliverable_sources
from taskgroups.models import TaskGroup
from taskgroups.models_progress import DeliverableKind
from workspace.permissions import Viewer
from workspace.runtime import GroupSection, Runtime


def definition_deliverables(session: Session, group_id: int) -> list[DeliverableOption]:
    group = session.get(TaskGroup, group_id)
    if group is None:
        return []
    return [
        DeliverableOption(
            DeliverableKind.DEFINITION_AGREED,
            d.id or 0,
            f"Definition agreed: {d.title}",
            definitions.definition_url(group, d),
            started=d.status in (DefinitionStatus.PROPOSED, DefinitionStatus.AGREED),
            done=d.status == DefinitionStatus.AGREED,
        )
        for d in definitions.for_group(session, group_id)
        if d.status != DefinitionStatus.SUPERSEDED
    ]


def consultation_deliverables(rt: Runtime) -> Any:
    def source(session: Session, group_id: int) -> list[DeliverableOption]:
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
                    f"Consultation outcome published: {c.title}",
                    lifecycle.url(c),
                    started=status is not ConsultationStatus.DRAFT,
                    done=c.outcome_published_at is not None,
                )
            )
        return found

    return source


@dataclass
class DefinitionSummary:
    title: str
    url: str
    status: str
    positions: int
    organisations: int
    open_disputes: int


def definitions_panel(session: Session, who: Viewer, group: TaskGroup) -> GroupSection:
    items = []
    for d in definitions.for_group(session, group.id or 0):
        if not definitions.readable(who, d):
            continue
        state = signoff.state(session, d)
        items.append(
            DefinitionSummary(
                d.title,
                definitions.definition_url(group, d),
                d.status,
                positions=len(state.rows) - len(state.missing),
                organisations=len(state.rows),
                open_disputes=len(state.open_disputes),
            )
        )
    return GroupSection("hub/_dash_definitions.html", {"definitions": items, "group": group})


@dataclass
class ConsultationSummary:
    title: str
    url: str
    status: ConsultationStatus
    responses: int


def consultations_panel(rt: Runtime) -> Any:
    def panel(session: Session, who: Viewer, group: TaskGroup) -> GroupSection:
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
        return GroupSection("hub/_dash_consultations.html", {"consultations": items})

    return panel


def install(rt: Runtime) -> None:
    deliverable_sources(rt).extend([definition_deliverables, consultation_deliverables(rt)])
    rt.extras.setdefault("dashboard_panels", []).extend(
        [definitions_panel, consultations_panel(rt)]
    )
