"""Inviting someone with no account yet to a seat in a task group, by email.

The secretariat names the person, their address and the seat: a member (for an
organisation, as member or chair) or an observer (for a government department); the two
stay apart here as everywhere. The link is single-use, expires after INVITATION_DAYS and
is stored only as a SHA-256 (as consultation invitations and password resets are);
following it registers the person (or has them sign in, if the address has an account)
and seats them. Using a link is a conditional UPDATE, so of two tabs only one seats.
Mail goes through the outbox and the worker; every step is in the activity log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from taskgroups.groups.models import (
    MemberRole,
    Membership,
    ObserverSeat,
    SeatInvitation,
    TaskGroup,
)
from taskgroups.groups.service import GROUP
from workspace import activity, auth
from workspace.db import WriteUnit
from workspace.events import AccessChanged
from workspace.failures import NotFound
from workspace.forms import FormInput
from workspace.models import Organisation, User
from workspace.notifications.fanout import OBSERVER
from workspace.notifications.following import auto_follow
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime

INVITATION_DAYS = 14  # how long a link works
MEMBER, OBSERVER_SEAT = "member", "observer"
KINDS = {MEMBER: "A member, for an organisation", OBSERVER_SEAT: "A government observer"}


@dataclass(frozen=True)
class SeatInviteDraft:
    kind: str
    name: str
    email: str
    organisation_id: int | None
    role: str
    department: str


class CannotSeat(Exception):
    """The link is good but this account cannot take the seat (the message says why)."""


def check_seat_invite(session: Session, group_id: int, form: FormInput) -> SeatInviteDraft:
    kind = form.choice("invite_kind", "which seat to offer", KINDS)
    name = form.required("invite_name", "their name", max_length=150)
    email = form.email("invite_email")
    organisation_id, role, department = None, "", ""
    if kind == MEMBER:
        organisation_id = form.integer("invite_organisation_id", "the organisation they represent")
        if organisation_id is not None and session.get(Organisation, organisation_id) is None:
            form.error("invite_organisation_id", "Select the organisation they represent")
        role = form.choice("invite_role", "a role", {r.value for r in MemberRole})
    elif kind == OBSERVER_SEAT:
        department = form.required("invite_department", "the government department", max_length=150)
    if "invite_email" not in form.errors and _pending(session, group_id, email):
        form.error("invite_email", "This address already has an invitation to this group waiting")
    return SeatInviteDraft(kind, name, email, organisation_id, role, department)


def _pending(session: Session, group_id: int, email: str) -> SeatInvitation | None:
    return session.exec(
        select(SeatInvitation).where(
            SeatInvitation.group_id == group_id,
            func.lower(SeatInvitation.email) == email.lower(),
            col(SeatInvitation.used_at).is_(None),
            col(SeatInvitation.withdrawn_at).is_(None),
        )
    ).first()


def pending_for(session: Session, group_id: int, now: datetime) -> list[SeatInvitation]:
    """Invitations not yet used or withdrawn, for the seating page (expired ones too,
    marked by the page, so the secretariat sees a link ran out)."""
    return list(
        session.exec(
            select(SeatInvitation)
            .where(
                SeatInvitation.group_id == group_id,
                col(SeatInvitation.used_at).is_(None),
                col(SeatInvitation.withdrawn_at).is_(None),
            )
            .order_by(col(SeatInvitation.id))
        ).all()
    )


def find_live(session: Session, token: str, now: datetime) -> SeatInvitation | None:
    found = session.exec(
        select(SeatInvitation).where(SeatInvitation.token_hash == auth.hash_token(token))
    ).first()
    if found is None or found.used_at is not None or found.withdrawn_at is not None:
        return None
    return found if now < found.expires_at else None


def seat_label(session: Session, invitation: SeatInvitation) -> str:
    """ "Member for NHBC", "Chair for NHBC" or "Observer for DCLG"."""
    if invitation.kind == OBSERVER_SEAT:
        return f"Observer for {invitation.department}"
    org = session.get(Organisation, invitation.organisation_id)
    return f"{invitation.role.capitalize()} for {org.name if org else 'an organisation'}"


def do_invite(rt: Runtime, who: Viewer, group: TaskGroup, draft: SeatInviteDraft) -> SeatInvitation:
    require(who, Action.INVITE_TO_SEAT)
    token = auth.new_token()
    with rt.db.write() as unit:
        invitation = SeatInvitation(
            group_id=group.id or 0,
            kind=draft.kind,
            name=draft.name,
            email=draft.email,
            organisation_id=draft.organisation_id,
            role=draft.role,
            department=draft.department,
            token_hash=auth.hash_token(token),
            expires_at=rt.clock() + timedelta(days=INVITATION_DAYS),
            invited_by=who.user_id,
        )
        unit.session.add(invitation)
        unit.session.flush()
        seat = seat_label(unit.session, invitation)
        link = f"{rt.settings.base_url.rstrip('/')}/groups/{group.slug}/join/{token}"
        rt.mailer.queue(
            unit,
            draft.email,
            f"You are invited to join {group.name}",
            f"Hello {draft.name},\n\n{who.display_name or 'The hub secretariat'} invites you "
            f"to take a seat in the task group “{group.name}”: {seat.lower()}.\n\n"
            f"Use this link within {INVITATION_DAYS} days to accept. You can create your "
            f"account from it, or sign in if you have one with this address:\n\n{link}\n\n"
            "The link works once.\n",
            at_once=False,
        )
        _log(unit, who.user_id, group, "seat_invitation.sent", f"Invited {draft.email}: {seat}")
    return invitation


def do_withdraw(rt: Runtime, who: Viewer, group: TaskGroup, invitation_id: int) -> None:
    require(who, Action.INVITE_TO_SEAT)
    with rt.db.write() as unit:
        found = unit.session.get(SeatInvitation, invitation_id)
        if found is None or found.group_id != group.id or found.used_at is not None:
            raise NotFound()
        if found.withdrawn_at is None:
            found.withdrawn_at = rt.clock()
            unit.session.add(found)
            _log(unit, who.user_id, group, "seat_invitation.withdrawn", f"Withdrew {found.email}")


def do_accept(rt: Runtime, token: str, user: User) -> TaskGroup | None:
    """Use the link for this account and seat it. None when the link cannot be used (any
    reason: the page says the same either way); CannotSeat when it is good but not for
    this account (another address, or already seated), and then it stays unused."""
    now = rt.clock()
    digest = auth.hash_token(token)
    with rt.db.write() as unit:
        invitation = find_live(unit.session, token, now)
        if invitation is None:
            return None
        _require_seatable(unit.session, invitation, user, now.date())
        claimed = unit.session.connection().execute(
            update(SeatInvitation)
            .where(
                col(SeatInvitation.token_hash) == digest,
                col(SeatInvitation.used_at).is_(None),
                col(SeatInvitation.withdrawn_at).is_(None),
                col(SeatInvitation.expires_at) > now,
            )
            .values(used_at=now, used_by=user.id)
        )
        if claimed.rowcount != 1:
            return None
        group = unit.session.get(TaskGroup, invitation.group_id)
        assert group is not None
        _seat(rt, unit, invitation, user, group, now.date())
    return group


def _require_seatable(
    session: Session, invitation: SeatInvitation, user: User, today: date
) -> None:
    if user.email.lower() != invitation.email.lower():
        raise CannotSeat(
            f"This invitation was sent to {invitation.email}, and you are signed in as "
            f"{user.email}. Sign out, then use the link again."
        )
    member = session.exec(
        select(Membership).where(
            Membership.group_id == invitation.group_id, Membership.user_id == user.id
        )
    ).first()
    observing = [
        s
        for s in session.exec(
            select(ObserverSeat).where(
                ObserverSeat.group_id == invitation.group_id, ObserverSeat.user_id == user.id
            )
        ).all()
        if s.active_on(today)
    ]
    if member is not None or observing:
        raise CannotSeat("You already have a seat in this group.")


def _seat(
    rt: Runtime,
    unit: WriteUnit,
    invitation: SeatInvitation,
    user: User,
    group: TaskGroup,
    today: date,
) -> None:
    seat = seat_label(unit.session, invitation)
    if invitation.kind == MEMBER:
        unit.session.add(
            Membership(
                group_id=group.id or 0,
                user_id=user.id or 0,
                organisation_id=invitation.organisation_id or 0,
                role=invitation.role,
            )
        )
        auto_follow(unit, [user.id], GROUP, group.id or 0, role=invitation.role)
        verb = "group.member_seated"
    else:
        unit.session.add(
            ObserverSeat(
                group_id=group.id or 0,
                user_id=user.id or 0,
                department=invitation.department,
                starts_on=today,
            )
        )
        auto_follow(unit, [user.id], GROUP, group.id or 0, role=OBSERVER)
        verb = "group.observer_seated"
    unit.after_commit(lambda: rt.events.publish(AccessChanged(user_id=user.id or 0)))
    summary = f"{user.display_name} joined {group.name} by invitation: {seat}"
    _log(unit, user.id, group, verb, summary, activity.PUBLIC)  # as any seating


def _log(
    unit: WriteUnit,
    actor_id: int | None,
    group: TaskGroup,
    verb: str,
    summary: str,
    visibility: str = activity.GROUP,
) -> None:
    """Invitations at group visibility: whom the secretariat invited is not public until
    they take the seat."""
    activity.record(
        unit,
        actor_id=actor_id,
        verb=verb,
        object_type="task_group",
        object_id=group.id,
        group_id=group.id,
        summary=summary,
        url=f"/groups/{group.slug}/people",
        visibility=visibility,
    )
