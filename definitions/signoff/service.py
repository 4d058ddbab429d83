"""Sign-off: a chair proposes a version, each member organisation takes a position,
objections open disputes the chair must answer, and only then can it be agreed.

One code path for every subject kind (`definitions.signoff.subject`): a definition's
revisions by default, a report of recommendations when the reports package passes its
kind. Nothing here knows which it is signing off beyond what the kind tells it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from definitions.signoff.definition import DEFINITION
from definitions.signoff.models import Dispute, DisputeStatus, Position, Stance
from definitions.signoff.subject import AGREED, DRAFT, PROPOSED, Subject, SubjectKind
from taskgroups.groups.models import Membership, TaskGroup
from taskgroups.groups.service import member_organisations
from workspace.db import WriteUnit, utcnow
from workspace.failures import Conflict
from workspace.i18n import gettext as _
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


def state(session: Session, subject: Subject, kind: SubjectKind = DEFINITION) -> SignOffState:
    """Each member organisation's current position on the proposed version."""
    orgs = member_organisations(session, subject.group_id)
    latest: dict[int, tuple[Position, str | None]] = {}
    if subject.proposed_number is not None:
        rows = session.exec(
            select(Position, User.display_name)
            .join(User, User.id == Position.user_id, isouter=True)  # type: ignore[arg-type]
            .where(
                Position.subject_kind == kind.name,
                Position.subject_id == subject.id,
                Position.revision_number == subject.proposed_number,
            )
            .order_by(col(Position.created_at), col(Position.id))
        ).all()
        for position, name in rows:  # later rows overwrite: the latest one counts
            latest[position.organisation_id] = (position, name)
    table = [OrganisationPosition(org, *latest.get(org.id or 0, (None, None))) for org in orgs]
    return SignOffState(
        rows=table, open_disputes=disputes(session, subject.id, kind, open_only=True)
    )


def disputes(
    session: Session,
    subject_id: int | None,
    kind: SubjectKind = DEFINITION,
    *,
    open_only: bool = False,
) -> list[Dispute]:
    query = select(Dispute).where(
        Dispute.subject_kind == kind.name, Dispute.subject_id == subject_id
    )
    if open_only:
        query = query.where(Dispute.status == DisputeStatus.OPEN)
    return list(session.exec(query.order_by(col(Dispute.id))).all())


def position_history(
    session: Session, subject_id: int | None, kind: SubjectKind = DEFINITION
) -> list[tuple[Position, str | None, str]]:
    rows = session.exec(
        select(Position, User.display_name, Organisation.name)
        .join(User, User.id == Position.user_id, isouter=True)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == Position.organisation_id)  # type: ignore[arg-type]
        .where(Position.subject_kind == kind.name, Position.subject_id == subject_id)
        .order_by(col(Position.created_at).desc(), col(Position.id).desc())
    ).all()
    return [(p, who, org) for p, who, org in rows]


def do_propose(
    rt: Runtime, actor: Viewer, group: TaskGroup, subject_id: int, kind: SubjectKind = DEFINITION
) -> int:
    require(actor, Action.MANAGE_PROCESS, group.id)
    with rt.db.write() as unit:
        subject = _subject(unit, kind, group, subject_id)
        problem = kind.ready(unit.session, subject)
        if problem:
            raise SignOffError(problem)
        subject.status = PROPOSED
        subject.proposed_number = subject.head_number
        unit.session.add(subject)
        number = subject.head_number
        kind.log(
            unit,
            actor,
            kind.verbs["proposed"],
            subject,
            group,
            f"{kind.log_word.capitalize()} {number} of {subject.title} proposed for agreement",
        )
        kind.proposed(rt, unit, actor, subject, group, number)
    return number


def _subject(unit: WriteUnit, kind: SubjectKind, group: TaskGroup, subject_id: int) -> Subject:
    subject: Subject | None = unit.session.get(kind.table, subject_id)
    if subject is None or subject.group_id != group.id:
        raise SignOffError(_("That %(noun)s does not exist.", noun=kind.noun))
    return subject


def check_position(stance: str, comment: str) -> str | None:
    """The problem with a position, if any, for the form's error summary."""
    if stance not in {s.value for s in Stance}:
        return _("Choose your organisation's position")
    if stance == Stance.OBJECT and not comment.strip():
        return _("Give the reason for your objection")
    if stance == Stance.RESERVATIONS and not comment.strip():
        return _("Say what your reservations are in the comment")
    if len(comment) > 5000:
        return _("The comment must be 5,000 characters or fewer")
    return None


def do_record_position(
    rt: Runtime,
    actor: Viewer,
    group: TaskGroup,
    subject_id: int,
    stance: str,
    comment: str,
    kind: SubjectKind = DEFINITION,
) -> Position:
    require(actor, Action.RECORD_POSITION, group.id)
    with rt.db.write() as unit:
        subject = _subject(unit, kind, group, subject_id)
        if subject.status != PROPOSED or subject.proposed_number is None:
            raise SignOffError(
                _(
                    "Positions can only be recorded while a %(word)s is proposed.",
                    word=kind.version_word,
                )
            )
        org_id = unit.session.exec(
            select(Membership.organisation_id).where(
                Membership.group_id == group.id, Membership.user_id == actor.user_id
            )
        ).one()
        position = Position(
            subject_kind=kind.name,
            subject_id=subject_id,
            revision_number=subject.proposed_number,
            organisation_id=org_id,
            user_id=actor.user_id,
            stance=stance,
            comment=comment.strip(),
        )
        unit.session.add(position)
        unit.session.flush()
        if stance == Stance.OBJECT:
            dispute = Dispute(
                subject_kind=kind.name,
                subject_id=subject_id,
                position_id=position.id,  # type: ignore[arg-type]
                organisation_id=org_id,
                revision_number=subject.proposed_number,
            )
            unit.session.add(dispute)
            unit.session.flush()
            kind.dispute_raised(rt, unit, actor, subject, group, dispute)
        org = unit.session.get(Organisation, org_id)
        kind.log(
            unit,
            actor,
            kind.verbs["position"],
            subject,
            group,
            f"{org.name if org else 'An organisation'}: {Stance(stance).logged} "
            f"on {kind.log_word} {subject.proposed_number} of {subject.title}",
        )
    return position


def do_answer_dispute(
    rt: Runtime,
    actor: Viewer,
    group: TaskGroup,
    subject_id: int,
    dispute_id: int,
    outcome: str,
    answer: str,
    resolved_in: int | None,
    kind: SubjectKind = DEFINITION,
) -> None:
    require(actor, Action.MANAGE_PROCESS, group.id)
    with rt.db.write() as unit:
        subject = _subject(unit, kind, group, subject_id)
        dispute = unit.session.get(Dispute, dispute_id)
        if dispute is None or dispute.subject_kind != kind.name or dispute.subject_id != subject_id:
            raise SignOffError(_("That dispute does not exist."))
        if dispute.status != DisputeStatus.OPEN:
            raise SignOffError(_("That dispute has already been answered."))
        if outcome == DisputeStatus.RESOLVED:
            if resolved_in is None or not kind.has_version(unit.session, subject, resolved_in):
                raise SignOffError(
                    _("Name the %(word)s that resolved the objection.", word=kind.version_word)
                )
            if resolved_in <= dispute.revision_number:
                raise SignOffError(
                    _(
                        "The resolving %(word)s must come after the one objected to.",
                        word=kind.version_word,
                    )
                )
        elif outcome != DisputeStatus.NOT_ACCEPTED or not answer.strip():
            raise SignOffError(_("Give the reason the objection is not accepted."))
        dispute.status = outcome
        dispute.answer = answer.strip()
        dispute.resolved_in = resolved_in if outcome == DisputeStatus.RESOLVED else None
        dispute.answered_by = actor.user_id
        dispute.answered_at = utcnow()
        unit.session.add(dispute)
        kind.log(
            unit,
            actor,
            kind.verbs["dispute_answered"],
            subject,
            group,
            f"Objection to {subject.title} "
            + (
                f"resolved in {kind.log_word} {resolved_in}"
                if outcome == DisputeStatus.RESOLVED
                else "not accepted"
            ),
        )
        kind.dispute_answered(rt, unit, actor, subject, group, dispute)


def do_withdraw_dispute(
    rt: Runtime,
    actor: Viewer,
    group: TaskGroup,
    subject_id: int,
    dispute_id: int,
    note: str,
    kind: SubjectKind = DEFINITION,
) -> None:
    """The organisation that objected withdraws its objection (a member of that
    organisation in the group does it); the dispute closes as withdrawn, on the record."""
    require(actor, Action.RECORD_POSITION, group.id)
    with rt.db.write() as unit:
        subject = _subject(unit, kind, group, subject_id)
        dispute = unit.session.get(Dispute, dispute_id)
        if dispute is None or dispute.subject_kind != kind.name or dispute.subject_id != subject_id:
            raise SignOffError(_("That dispute does not exist."))
        org_id = unit.session.exec(
            select(Membership.organisation_id).where(
                Membership.group_id == group.id, Membership.user_id == actor.user_id
            )
        ).first()
        if org_id != dispute.organisation_id:
            raise SignOffError(_("Only the organisation that objected can withdraw its objection."))
        if dispute.status != DisputeStatus.OPEN:
            raise SignOffError(_("That dispute has already been answered."))
        dispute.status = DisputeStatus.WITHDRAWN
        dispute.answer = note.strip()[:5000]
        dispute.answered_by = actor.user_id
        dispute.answered_at = utcnow()
        unit.session.add(dispute)
        org = unit.session.get(Organisation, org_id)
        kind.log(
            unit,
            actor,
            kind.verbs["dispute_answered"],
            subject,
            group,
            f"Objection to {subject.title} withdrawn by {org.name if org else 'its organisation'}",
        )


def do_agree(
    rt: Runtime, actor: Viewer, group: TaskGroup, subject_id: int, kind: SubjectKind = DEFINITION
) -> int:
    require(actor, Action.MANAGE_PROCESS, group.id)
    with rt.db.write() as unit:
        subject = _subject(unit, kind, group, subject_id)
        if subject.status != PROPOSED or subject.proposed_number is None:
            raise SignOffError(
                _("Only a proposed %(noun)s can be declared agreed.", noun=kind.noun)
            )
        current = state(unit.session, subject, kind)
        if current.missing:
            names = ", ".join(org.name for org in current.missing)
            raise SignOffError(
                _(
                    "Every member organisation must record a position first. "
                    "Waiting for: %(names)s.",
                    names=names,
                )
            )
        if current.open_disputes:
            raise SignOffError(_("Answer every open dispute before declaring agreement."))
        subject.status = AGREED
        subject.agreed_number = subject.proposed_number
        unit.session.add(subject)
        number = subject.agreed_number
        kind.log(
            unit,
            actor,
            kind.verbs["agreed"],
            subject,
            group,
            f"{subject.title} agreed at {kind.log_word} {number}",
        )
        kind.agreed(rt, unit, actor, subject, group, number)
    return number


def after_new_version(subject: Subject, number: int) -> None:
    """A subject saved anew during sign-off: positions now count against the new version;
    one saved after agreement is a draft again (its agreed version stays on record)."""
    if subject.status == PROPOSED:
        subject.proposed_number = number
    elif subject.status == AGREED:
        subject.status = DRAFT
