"""What a definition's sign-off asks of the people in its group, for their home page:
a member organisation's position still to record on a proposed revision, and an
objection the chair has still to answer."""

from __future__ import annotations

from sqlmodel import Session, col, select

from definitions.models import Definition, DefinitionStatus
from definitions.service import definition_url
from definitions.signoff.definition import DEFINITION
from definitions.signoff.models import Dispute, DisputeStatus, Position
from taskgroups.groups.models import Membership, TaskGroup
from workspace.hooks import NeedsYou
from workspace.i18n import gettext as _
from workspace.models import Organisation
from workspace.permissions import Action, Viewer, can


def needs_you(session: Session, viewer: Viewer) -> list[NeedsYou]:
    if viewer.user_id is None or not viewer.member_roles:
        return []
    found = [*_positions_owed(session, viewer), *_disputes_to_answer(session, viewer)]
    return found


def _positions_owed(session: Session, viewer: Viewer) -> list[NeedsYou]:
    rows = session.exec(
        select(Definition, TaskGroup, Organisation)
        .join(TaskGroup, TaskGroup.id == Definition.group_id)  # type: ignore[arg-type]
        .join(Membership, Membership.group_id == Definition.group_id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == Membership.organisation_id)  # type: ignore[arg-type]
        .where(Membership.user_id == viewer.user_id)
        .where(Definition.status == DefinitionStatus.PROPOSED)
        .order_by(col(Definition.title))
    ).all()
    owed = []
    for definition, group, org in rows:
        if not can(viewer, Action.RECORD_POSITION, group.id):
            continue
        recorded = session.exec(
            select(Position.id).where(
                Position.subject_kind == DEFINITION.name,
                Position.subject_id == definition.id,
                Position.revision_number == definition.proposed_number,
                Position.organisation_id == org.id,
            )
        ).first()
        if recorded is None:
            owed.append(
                NeedsYou(
                    _(
                        "Record %(organisation)s's position on %(title)s (revision %(number)s)",
                        organisation=org.name,
                        title=definition.title,
                        number=definition.proposed_number,
                    ),
                    f"{definition_url(group, definition)}/sign-off#record-position",
                    group.name,
                    order=10,
                )
            )
    return owed


def _disputes_to_answer(session: Session, viewer: Viewer) -> list[NeedsYou]:
    chaired = [g for g in viewer.member_roles if can(viewer, Action.MANAGE_PROCESS, g)]
    if not chaired:
        return []
    rows = session.exec(
        select(Dispute, Definition, TaskGroup, Organisation)
        .join(Definition, Definition.id == Dispute.subject_id)  # type: ignore[arg-type]
        .join(TaskGroup, TaskGroup.id == Definition.group_id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == Dispute.organisation_id)  # type: ignore[arg-type]
        .where(Dispute.subject_kind == DEFINITION.name)
        .where(Dispute.status == DisputeStatus.OPEN)
        .where(col(Definition.group_id).in_(chaired))
        .order_by(col(Dispute.id))
    ).all()
    return [
        NeedsYou(
            _(
                "Answer %(organisation)s's objection to %(title)s",
                organisation=org.name,
                title=definition.title,
            ),
            f"{definition_url(group, definition)}/sign-off#disputes",
            group.name,
            order=20,
        )
        for _dispute, definition, group, org in rows
    ]
