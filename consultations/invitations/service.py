"""Invitations: every write as check_* then do_*, each in one transaction.

A link's token is never stored: only its sha256, as password-reset tokens are. Using a
link is a conditional UPDATE (`used_at IS NULL`), so of two tabs racing for one link only
one wins. Mail goes through the outbox and the background worker (`at_once=False`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, or_, select

from consultations.invitations import emails
from consultations.invitations.models import PUBLICATION_LABELS, Invitation
from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.lifecycle.status import WrongStatus, status_of, url
from consultations.responses.models import Response
from consultations.search import CONSULTATION as CONSULTATION_DOC
from taskgroups.groups.models import Membership
from workspace import activity, auth, search
from workspace.db import WriteUnit
from workspace.failures import Conflict, NotFound
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.i18n import lazy_gettext
from workspace.models import Organisation, User
from workspace.permissions import Action, Audience, Place, Viewer, require
from workspace.runtime import Runtime

INVITATION_DAYS = 21  # how long a link works
MAX_REMINDERS = 2  # reminders per invitation, ever
REMINDER_GAP = timedelta(days=1)  # and never two within a day
PERSON, ORGANISATION = "person", "organisation"
# Lazy labels: translated into the reader's language each time they are shown.
KINDS = {PERSON: lazy_gettext("A person, by email"), ORGANISATION: lazy_gettext("An organisation")}
REACH = {"all": lazy_gettext("All its people"), "contact": lazy_gettext("Only the named contact")}
AUDIENCES = {
    Audience.OPEN.value: lazy_gettext("Open: anyone can read it once it opens"),
    Audience.INVITED.value: lazy_gettext("By invitation: only those invited and the task group"),
}
PUBLICATIONS = PUBLICATION_LABELS


@dataclass(frozen=True)
class InviteDraft:
    email: str
    organisation_id: int | None
    whole_organisation: bool


@dataclass(frozen=True)
class Invitee:
    """One line of the chair's list: the invitation, whom it names, whether they answered."""

    invitation: Invitation
    organisation: str
    name: str
    responded: bool

    @property
    def state(self) -> str:
        if self.invitation.revoked_at is not None:
            return _("Revoked")
        if self.responded:
            return _("Responded")
        if self.invitation.user_id is not None:
            return _("Invited, not yet responded")
        return _("Link sent")


# -- reads ---------------------------------------------------------------------------------


def _invited_to_statement() -> Any:
    invitations = Invitation.__table__  # type: ignore[attr-defined]
    members = Membership.__table__  # type: ignore[attr-defined]
    user_id: Any = bindparam("user_id")
    orgs = sa_select(members.c.organisation_id).where(members.c.user_id == user_id)
    return sa_select(invitations.c.consultation_id).where(
        invitations.c.revoked_at.is_(None),
        or_(
            invitations.c.user_id == user_id,
            invitations.c.whole_organisation & invitations.c.organisation_id.in_(orgs),
        ),
    )


# Read for every signed-in request (workspace/auth.py), so built once.
INVITED_TO = _invited_to_statement()


def invited_to(session: Session, user_id: int) -> frozenset[int]:
    """The consultations this person is invited to: named in a live invitation, or seated
    for an organisation invited with all its people."""
    rows = session.connection().execute(INVITED_TO, {"user_id": user_id})
    return frozenset(row[0] for row in rows)


def roster(session: Session, consultation: Consultation) -> list[Invitee]:
    rows = session.exec(
        select(Invitation, Organisation.name, User.display_name)
        .join(Organisation, col(Organisation.id) == Invitation.organisation_id, isouter=True)
        .join(User, col(User.id) == Invitation.user_id, isouter=True)
        .where(Invitation.consultation_id == consultation.id)
        .order_by(col(Invitation.id))
    ).all()
    answered = session.exec(
        select(Response.user_id, Response.on_behalf_of).where(
            Response.consultation_id == consultation.id
        )
    ).all()
    users = {uid for uid, _ in answered}
    orgs = {name.casefold() for _, name in answered if name}
    return [
        Invitee(
            invitation=inv,
            organisation=org or "",
            name=name or "",
            responded=inv.user_id in users or bool(org and org.casefold() in orgs),
        )
        for inv, org, name in rows
    ]


def organisations(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(col(Organisation.name))).all())


def find_live(session: Session, token: str, now: datetime) -> Invitation | None:
    """The invitation this link names, if it can still be used."""
    found = session.exec(
        select(Invitation).where(Invitation.token_hash == auth.hash_token(token))
    ).first()
    if found is None or found.used_at is not None or found.revoked_at is not None:
        return None
    return found if now < found.expires_at else None


def mine(session: Session, who: Viewer, consultation: Consultation) -> Invitation | None:
    """The viewer's own (organisation's) invitation to this consultation, for delegating."""
    return session.exec(
        select(Invitation).where(
            Invitation.consultation_id == consultation.id,
            Invitation.user_id == who.user_id,
            col(Invitation.revoked_at).is_(None),
            col(Invitation.organisation_id).is_not(None),
        )
    ).first()


# -- checks ----------------------------------------------------------------------------------


def check_invite(form: FormInput, session: Session) -> InviteDraft:
    kind = form.choice("kind", _("whom to invite"), set(KINDS))
    email = form.get("email").strip()
    organisation_id: int | None = None
    whole = False
    if kind == ORGANISATION:
        chosen = form.integer("organisation_id", _("the organisation"))
        if chosen is not None and session.get(Organisation, chosen) is None:
            form.error("organisation_id", _("Choose an organisation from the list"))
        organisation_id = chosen
        whole = form.choice("reach", _("whom in the organisation to invite"), set(REACH)) == "all"
        if email or not whole:
            email = form.email("email")
    elif kind == PERSON:
        email = form.email("email")
    return InviteDraft(email=email, organisation_id=organisation_id, whole_organisation=whole)


def check_delegate(form: FormInput) -> str:
    return form.email("email")


# -- writes ----------------------------------------------------------------------------------


def _manageable(unit: WriteUnit, who: Viewer, consultation_id: int) -> Consultation:
    consultation = unit.session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound()
    require(who, Action.MANAGE_PROCESS, consultation.group_id)
    return consultation


def do_set_audience(
    rt: Runtime, who: Viewer, consultation_id: int, audience: str, publication: str
) -> Consultation:
    """The audience can change only before it opens (nobody loses what they have read);
    the publication choice until the outcome is published."""
    with rt.db.write() as unit:
        consultation = _manageable(unit, who, consultation_id)
        status = status_of(consultation, rt.clock())
        if audience != consultation.audience and status is not ConsultationStatus.DRAFT:
            raise WrongStatus(status)
        if status is ConsultationStatus.OUTCOME_PUBLISHED:
            raise WrongStatus(status)
        consultation.audience = audience
        consultation.publication = publication
        unit.session.add(consultation)
        search.enqueue(rt, unit, CONSULTATION_DOC, consultation.id)  # its visibility changed
        _record(unit, who, consultation, "consultation.audience_set", f"Audience: {audience}")
    return consultation


def do_invite(rt: Runtime, who: Viewer, consultation_id: int, draft: InviteDraft) -> Invitation:
    with rt.db.write() as unit:
        consultation = _manageable(unit, who, consultation_id)
        _require_invitable(consultation, rt.clock())
        return _invite(rt, unit, who, consultation, draft, delegated_from=None)


def _require_invitable(consultation: Consultation, now: datetime) -> None:
    if consultation.audience != Audience.INVITED:
        raise Conflict(_("Only a consultation by invitation has invitations."))
    status = status_of(consultation, now)
    if status in (ConsultationStatus.CLOSED, ConsultationStatus.OUTCOME_PUBLISHED):
        raise WrongStatus(status)


def _invite(
    rt: Runtime,
    unit: WriteUnit,
    who: Viewer,
    consultation: Consultation,
    draft: InviteDraft,
    delegated_from: int | None,
) -> Invitation:
    account = None
    if draft.email:
        account = unit.session.exec(
            select(User).where(func.lower(User.email) == draft.email.lower())
        ).first()
    invitation = Invitation(
        consultation_id=consultation.id or 0,
        email=draft.email,
        organisation_id=draft.organisation_id,
        whole_organisation=draft.whole_organisation,
        user_id=account.id if account is not None else None,
        expires_at=rt.clock() + timedelta(days=INVITATION_DAYS),
        invited_by=who.user_id,
        delegated_from=delegated_from,
    )
    unit.session.add(invitation)
    unit.session.flush()
    if draft.email:
        _mail_link(rt, unit, consultation, invitation, who.display_name)
    _record(unit, who, consultation, "invitation.sent", f"Invited {draft.email or 'organisation'}")
    return invitation


def _mail_link(
    rt: Runtime, unit: WriteUnit, consultation: Consultation, invitation: Invitation, sender: str
) -> None:
    token = auth.new_token()
    invitation.token_hash = auth.hash_token(token)
    invitation.used_at = None
    invitation.expires_at = rt.clock() + timedelta(days=INVITATION_DAYS)
    unit.session.add(invitation)
    link = f"{rt.settings.base_url.rstrip('/')}/invitations/{token}"
    emails.send_link(rt, unit, consultation, invitation, sender, link, INVITATION_DAYS)


def _invitation(unit: WriteUnit, consultation: Consultation, invitation_id: int) -> Invitation:
    found = unit.session.get(Invitation, invitation_id)
    if found is None or found.consultation_id != consultation.id:
        raise NotFound()
    return found


def do_revoke(rt: Runtime, who: Viewer, consultation_id: int, invitation_id: int) -> None:
    with rt.db.write() as unit:
        consultation = _manageable(unit, who, consultation_id)
        invitation = _invitation(unit, consultation, invitation_id)
        if invitation.revoked_at is None:
            invitation.revoked_at = rt.clock()
            unit.session.add(invitation)
            _record(unit, who, consultation, "invitation.revoked", f"Revoked {invitation.email}")


def do_resend(rt: Runtime, who: Viewer, consultation_id: int, invitation_id: int) -> None:
    """A new link (the old one stops working) and a fresh expiry; a revoked invitation
    is restored by re-sending it."""
    with rt.db.write() as unit:
        consultation = _manageable(unit, who, consultation_id)
        _require_invitable(consultation, rt.clock())
        invitation = _invitation(unit, consultation, invitation_id)
        if not invitation.email:
            raise Conflict(_("This invitation names no contact to send it to."))
        invitation.revoked_at = None
        _mail_link(rt, unit, consultation, invitation, who.display_name)
        _record(unit, who, consultation, "invitation.resent", f"Re-sent to {invitation.email}")


def do_remind(rt: Runtime, who: Viewer, consultation_id: int) -> int:
    """One email to each invitee who has not responded, at most MAX_REMINDERS each and
    not twice within REMINDER_GAP; how many were sent."""
    now = rt.clock()
    with rt.db.write() as unit:
        consultation = _manageable(unit, who, consultation_id)
        if status_of(consultation, now) is not ConsultationStatus.OPEN:
            raise WrongStatus(status_of(consultation, now))
        due = [
            row.invitation for row in roster(unit.session, consultation) if _remindable(row, now)
        ]
        for invitation in due:
            invitation.reminders += 1
            invitation.reminded_at = now
            unit.session.add(invitation)
            emails.send_reminder(rt, unit, consultation, invitation)
        if due:
            _record(unit, who, consultation, "invitation.reminded", f"Reminded {len(due)}")
    return len(due)


def _remindable(row: Invitee, now: datetime) -> bool:
    inv = row.invitation
    recent = inv.reminded_at is not None and now - inv.reminded_at < REMINDER_GAP
    return (
        not row.responded
        and inv.revoked_at is None
        and bool(inv.email)
        and inv.reminders < MAX_REMINDERS
        and not recent
    )


def do_accept(rt: Runtime, token: str, user_id: int) -> Consultation | None:
    """Use the link for this account: single use, before it expires, unless revoked.
    None when the link cannot be used (any reason: the page says the same either way)."""
    now = rt.clock()
    digest = auth.hash_token(token)
    with rt.db.write() as unit:
        claimed = unit.session.connection().execute(
            update(Invitation)
            .where(
                col(Invitation.token_hash) == digest,
                col(Invitation.used_at).is_(None),
                col(Invitation.revoked_at).is_(None),
                col(Invitation.expires_at) > now,
            )
            .values(used_at=now, user_id=user_id)
        )
        if claimed.rowcount != 1:
            return None
        invitation = unit.session.exec(
            select(Invitation).where(Invitation.token_hash == digest)
        ).one()
        return unit.session.get(Consultation, invitation.consultation_id)


def do_delegate(rt: Runtime, who: Viewer, consultation_id: int, email: str) -> Invitation:
    """An invitee of an organisation passes the invitation to a colleague: a new
    invitation for the same organisation, noting whom it came from."""
    with rt.db.write() as unit:
        consultation = unit.session.get(Consultation, consultation_id)
        if consultation is None:
            raise NotFound()
        _require_invitable(consultation, rt.clock())
        own = mine(unit.session, who, consultation)
        if own is None:
            raise Conflict(_("Only someone invited for an organisation can pass it on."))
        draft = InviteDraft(
            email=email, organisation_id=own.organisation_id, whole_organisation=False
        )
        return _invite(rt, unit, who, consultation, draft, delegated_from=own.id)


def _record(
    unit: WriteUnit, who: Viewer, consultation: Consultation, verb: str, summary: str
) -> None:
    activity.record(
        unit,
        actor_id=who.user_id,
        verb=verb,
        object_type="consultation",
        object_id=consultation.id,
        summary=f"{summary}: {consultation.title}",
        group_id=consultation.group_id,
        visibility=activity.GROUP,
        url=f"{url(consultation)}/invitations",
    )


def invited_places(session: Session, who: Viewer) -> list[Place]:
    """The invited consultations this viewer could read, as Places for
    `permissions.readable_places` (which decides): those of the groups they sit in and
    those they are invited to; every one only for the secretariat. Reading them all for
    everyone made search grow with the hub (bench/hub_size.py, issue 19)."""
    query = select(Consultation.id, Consultation.group_id).where(
        Consultation.audience == Audience.INVITED
    )
    seated = who.readable_groups()
    if seated is not None:
        if not seated and not who.invited_to:
            return []
        query = query.where(
            or_(col(Consultation.group_id).in_(seated), col(Consultation.id).in_(who.invited_to))
        )
    rows = session.exec(query).all()
    return [Place(group_id, Audience.INVITED, cid or 0) for cid, group_id in rows]
