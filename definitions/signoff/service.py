"""Sign-off: a chair proposes a revision, each member organisation takes a position,
objections open disputes the chair must answer, and only then can it be agreed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from definitions.models import Definition, DefinitionStatus
from definitions.service import _log, get_revision, tiers_of
from definitions.signoff.models import Dispute, DisputeStatus, Position, Stance
from taskgroups.groups.models import Membership, TaskGroup
from taskgroups.groups.service import member_organisations
from workspace import search
from workspace.db import utcnow
from workspace.events import (
    DefinitionAgreed,
    DefinitionProposed,
    DisputeAnswered,
    DisputeRaised,
)
from workspace.failures import Conflict
from workspace.models import Organisation, User
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime


class SignOffError(Conflict):
    """A sign-off step that the rules do not allow now; the message says why."""


@dataclass
class OrganisationPosition:
    organisation: Organisation
    position: Position | None
    recorded_by: str | None


@dataclass
class SignOffState:
    rows: list[OrganisationPosition]
    open_disputes: list[Dispute]

    @property
    def missing(self) -> list[Organisation]:
        return [row.organisation for row in self.rows if row.position is None]

    @property
    def can_agree(self) -> bool:
        return bool(self.rows) and not self.missing and not self.open_disputes


def state(session: Session, definition: Definition) -> SignOffState:
    """Each member organisation's current position on the proposed revision."""
    orgs = member_organisations(session, definition.group_id)
    latest: dict[int, tuple[Position, str | None]] = {}
    if definition.proposed_number is not None:
        rows = session.exec(
            select(Position, User.display_name)
            .join(User, User.id == Position.user_id, isouter=True)  # type: ignore[arg-type]
            .where(
                Position.definition_id == definition.id,
                Position.revision_number == definition.proposed_number,
            )
            .order_by(col(Position.created_at), col(Position.id))
        ).all()
        for position, name in rows:  # later rows overwrite: the latest one counts
            latest[position.organisation_id] = (position, name)
    table = [OrganisationPosition(org, *latest.get(org.id or 0, (None, None))) for org in orgs]
    return SignOffState(rows=table, open_disputes=disputes(session, definition.id, open_only=True))


def disputes(
    session: Session, definition_id: int | None, *, open_only: bool = False
) -> list[Dispute]:
    query = select(Dispute).where(Dispute.definition_id == definition_id)
    if open_only:
        query = query.where(Dispute.status == DisputeStatus.OPEN)
    return list(session.exec(query.order_by(col(Dispute.id))).all())


def position_history(
    session: Session, definition_id: int | None
) -> list[tuple[Position, str | None, str]]:
    rows = session.exec(
        select(Position, User.display_name, Organisation.name)
        .join(User, User.id == Position.user_id, isouter=True)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == Position.organisation_id)  # type: ignore[arg-type]
        .where(Position.definition_id == definition_id)
        .order_by(col(Position.created_at).desc(), col(Position.id).desc())
    ).all()
    return [(p, who, org) for p, who, org in rows]


def do_propose(rt: Runtime, actor: Viewer, group: TaskGroup, definition_id: int) -> int:
    require(actor, Action.MANAGE_PROCESS, group.id)
    with rt.db.write() as unit:
        definition = unit.session.get(Definition, definition_id)
        assert definition is not None
        if definition.head_number == 0 or not _has_tiers(unit.session, definition):
            raise SignOffError("Add at least one tier before proposing the definition.")
        definition.status = DefinitionStatus.PROPOSED
        definition.proposed_number = definition.head_number
        unit.session.add(definition)
        number = definition.head_number
        _log(
            unit,
            actor,
            DefinitionProposed.name,
            definition,
            group,
            f"Revision {number} of {definition.title} proposed for agreement",
        )
        proposed = DefinitionProposed(definition.id or 0, group.id or 0, number or 0)
        unit.after_commit(lambda: rt.events.publish(proposed))
    return number


def _has_tiers(session: Session, definition: Definition) -> bool:
    return bool(tiers_of(session, definition.id or 0, definition.head_number))


def check_position(stance: str, comment: str) -> str | None:
    """The problem with a position, if any, for the form's error summary."""
    if stance not in {s.value for s in Stance}:
        return "Choose your organisation's position"
    if stance == Stance.OBJECT and not comment.strip():
        return "Give the reason for your objection"
    if stance == Stance.RESERVATIONS and not comment.strip():
        return "Say what your reservations are in the comment"
    if len(comment) > 5000:
        return "The comment must be 5,000 characters or fewer"
    return None


def do_record_position(
    rt: Runtime, actor: Viewer, group: TaskGroup, definition_id: int, stance: str, comment: str
) -> Position:
    require(actor, Action.RECORD_POSITION, group.id)
    with rt.db.write() as unit:
        definition = unit.session.get(Definition, definition_id)
        assert definition is not None
        if definition.status != DefinitionStatus.PROPOSED or definition.proposed_number is None:
            raise SignOffError("Positions can only be recorded while a revision is proposed.")
        org_id = unit.session.exec(
            select(Membership.organisation_id).where(
                Membership.group_id == group.id, Membership.user_id == actor.user_id
            )
        ).one()
        position = Position(
            definition_id=definition_id,
            revision_number=definition.proposed_number,
            organisation_id=org_id,
            user_id=actor.user_id,
            stance=stance,
            comment=comment.strip(),
        )
        unit.session.add(position)
        unit.session.flush()
        if stance == Stance.OBJECT:
            dispute = Dispute(
                definition_id=definition_id,
                position_id=position.id,  # type: ignore[arg-type]
                organisation_id=org_id,
                revision_number=definition.proposed_number,
            )
            unit.session.add(dispute)
            unit.session.flush()
            raised = DisputeRaised(
                definition_id,
                group.id or 0,
                definition.proposed_number,
                dispute_id=dispute.id or 0,
                raised_by=actor.user_id,
            )
            unit.after_commit(lambda: rt.events.publish(raised))
        org = unit.session.get(Organisation, org_id)
        _log(
            unit,
            actor,
            "definition.position",
            definition,
            group,
            f"{org.name if org else 'An organisation'}: {Stance(stance).label.lower()} "
            f"on revision {definition.proposed_number} of {definition.title}",
        )
    return position


def do_answer_dispute(
    rt: Runtime,
    actor: Viewer,
    group: TaskGroup,
    definition_id: int,
    dispute_id: int,
    outcome: str,
    answer: str,
    resolved_in: int | None,
) -> None:
    require(actor, Action.MANAGE_PROCESS, group.id)
    with rt.db.write() as unit:
        dispute = unit.session.get(Dispute, dispute_id)
        definition = unit.session.get(Definition, definition_id)
        if (
            dispute is None
            or definition is None
            or definition.group_id != group.id
            or dispute.definition_id != definition_id
        ):
            raise SignOffError("That dispute does not exist.")
        if dispute.status != DisputeStatus.OPEN:
            raise SignOffError("That dispute has already been answered.")
        if outcome == DisputeStatus.RESOLVED:
            if (
                resolved_in is None
                or get_revision(unit.session, definition.id or 0, resolved_in) is None
            ):
                raise SignOffError("Name the revision that resolved the objection.")
            if resolved_in <= dispute.revision_number:
                raise SignOffError("The resolving revision must come after the one objected to.")
        elif outcome != DisputeStatus.NOT_ACCEPTED or not answer.strip():
            raise SignOffError("Give the reason the objection is not accepted.")
        dispute.status = outcome
        dispute.answer = answer.strip()
        dispute.resolved_in = resolved_in if outcome == DisputeStatus.RESOLVED else None
        dispute.answered_by = actor.user_id
        dispute.answered_at = utcnow()
        unit.session.add(dispute)
        _log(
            unit,
            actor,
            "definition.dispute_answered",
            definition,
            group,
            f"Objection to {definition.title} "
            + (
                f"resolved in revision {resolved_in}"
                if outcome == DisputeStatus.RESOLVED
                else "not accepted"
            ),
        )
        answered = DisputeAnswered(
            definition_id, group.id or 0, dispute.revision_number, dispute_id, outcome
        )
        unit.after_commit(lambda: rt.events.publish(answered))


def do_agree(rt: Runtime, actor: Viewer, group: TaskGroup, definition_id: int) -> int:
    require(actor, Action.MANAGE_PROCESS, group.id)
    with rt.db.write() as unit:
        definition = unit.session.get(Definition, definition_id)
        assert definition is not None
        if definition.status != DefinitionStatus.PROPOSED or definition.proposed_number is None:
            raise SignOffError("Only a proposed definition can be declared agreed.")
        current = state(unit.session, definition)
        if current.missing:
            names = ", ".join(org.name for org in current.missing)
            raise SignOffError(
                f"Every member organisation must record a position first. Waiting for: {names}."
            )
        if current.open_disputes:
            raise SignOffError("Answer every open dispute before declaring agreement.")
        definition.status = DefinitionStatus.AGREED
        definition.agreed_number = definition.proposed_number
        unit.session.add(definition)
        number = definition.agreed_number
        _log(
            unit,
            actor,
            DefinitionAgreed.name,
            definition,
            group,
            f"{definition.title} agreed at revision {number}",
        )
        # The agreed revision becomes public in the index.
        search.enqueue(rt, unit, "definition", definition.id)
        agreed = DefinitionAgreed(definition.id or 0, group.id or 0, number or 0)
        unit.after_commit(lambda: rt.events.publish(agreed))
    return number
