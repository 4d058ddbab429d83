"""Task groups: all writes and the queries their pages need."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from sqlmodel import Session, col, func, select

from taskgroups.groups.forms import GroupDraft, MemberSeatDraft, ObserverSeatDraft
from taskgroups.groups.models import GroupStatus, MemberRole, Membership, ObserverSeat, TaskGroup
from workspace import activity, search
from workspace.db import WriteUnit, utcnow
from workspace.events import AccessChanged
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.markdown import render_markdown
from workspace.models import Organisation, User
from workspace.notifications.fanout import OBSERVER
from workspace.notifications.following import auto_follow
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime
from workspace.text import slugify

GROUP = "group"  # what following a task group is called (workspace/notifications)


def name_taken(session: Session, name: str, except_id: int | None = None) -> bool:
    query = select(TaskGroup.id).where(func.lower(TaskGroup.name) == name.lower())
    if except_id is not None:
        query = query.where(TaskGroup.id != except_id)
    return session.exec(query).first() is not None


def _unique_slug(session: Session, name: str) -> str:
    base = slugify(name)
    slug, n = base, 1
    while session.exec(select(TaskGroup.id).where(TaskGroup.slug == slug)).first():
        n += 1
        slug = f"{base}-{n}"
    return slug


def do_create_group(rt: Runtime, actor: Viewer, draft: GroupDraft) -> TaskGroup:
    require(actor, Action.ADMINISTER)
    with rt.db.write() as unit:
        group = TaskGroup(
            name=draft.name,
            slug=_unique_slug(unit.session, draft.name),
            remit_source=draft.remit,
            remit_html=render_markdown(draft.remit),
        )
        unit.session.add(group)
        unit.session.flush()
        _log(unit, actor, "group.created", group, f"Task group {group.name} created")
        search.enqueue(rt, unit, "group", group.id)
    return group


def do_update_group(rt: Runtime, actor: Viewer, group_id: int, draft: GroupDraft) -> TaskGroup:
    require(actor, Action.ADMINISTER)
    with rt.db.write() as unit:
        group = unit.session.get(TaskGroup, group_id)
        assert group is not None
        group.name = draft.name
        group.remit_source = draft.remit
        group.remit_html = render_markdown(draft.remit)
        unit.session.add(group)
        _log(unit, actor, "group.updated", group, f"Remit of {group.name} updated")
        search.enqueue(rt, unit, "group", group.id)
    return group


def do_set_status(rt: Runtime, actor: Viewer, group_id: int, status: GroupStatus) -> None:
    require(actor, Action.ADMINISTER)
    with rt.db.write() as unit:
        group = unit.session.get(TaskGroup, group_id)
        assert group is not None
        group.status = status
        unit.session.add(group)
        _log(unit, actor, f"group.{status}", group, f"Task group {group.name} is now {status}")


def _log(
    unit: WriteUnit,
    actor: Viewer,
    verb: str,
    group: TaskGroup,
    summary: str,
    visibility: str = activity.PUBLIC,
) -> None:
    activity.record(
        unit,
        actor_id=actor.user_id,
        verb=verb,
        object_type="task_group",
        object_id=group.id,
        group_id=group.id,
        summary=summary,
        url=f"/groups/{group.slug}",
        visibility=visibility,
    )


def check_member_seat(session: Session, group_id: int, form: FormInput) -> MemberSeatDraft:
    draft = MemberSeatDraft(
        email=form.email("email"),
        organisation_id=form.integer("organisation_id", _("the organisation they represent")),
        role=form.choice("role", _("a role"), {r.value for r in MemberRole}),
    )
    user = _user_for(session, form, draft.email)
    if draft.organisation_id is not None and not session.get(Organisation, draft.organisation_id):
        form.error("organisation_id", _("Select the organisation they represent"))
    if user is not None:
        if _membership(session, group_id, user.id) is not None:
            form.error("email", f"{user.display_name} is already a member of this group")
        elif _active_seat(session, group_id, user.id) is not None:
            form.error(
                "email",
                f"{user.display_name} observes this group. End their observer "
                "seat before seating them as a member: nobody can be both.",
            )
    return draft


def check_observer_seat(session: Session, group_id: int, form: FormInput) -> ObserverSeatDraft:
    draft = ObserverSeatDraft(
        email=form.email("observer_email"),
        department=form.required("department", _("the government department"), max_length=150),
        starts_on=form.date("starts_on", _("the date the seat starts")),
        ends_on=form.date("ends_on", _("the date the seat ends"), required=False),
    )
    if draft.starts_on and draft.ends_on and draft.ends_on < draft.starts_on:
        form.error("ends_on", _("The end date must be the same as or after the start date"))
    user = _user_for(session, form, draft.email, "observer_email")
    if user is not None:
        if _membership(session, group_id, user.id) is not None:
            form.error(
                "observer_email",
                _(
                    "%(name)s is a member of this group. Observers are kept apart from "
                    "members: remove the membership first.",
                    name=user.display_name,
                ),
            )
        elif _active_seat(session, group_id, user.id) is not None:
            form.error(
                "observer_email",
                _("%(name)s already observes this group", name=user.display_name),
            )
    return draft


def _user_for(session: Session, form: FormInput, email: str, field: str = "email") -> User | None:
    if field in form.errors:
        return None
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        form.error(
            field, _("No account uses this email address. Ask the person to register first.")
        )
    return user


def _membership(session: Session, group_id: int, user_id: int | None) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id)
    ).first()


def _active_seat(session: Session, group_id: int, user_id: int | None) -> ObserverSeat | None:
    seats = session.exec(
        select(ObserverSeat).where(
            ObserverSeat.group_id == group_id, ObserverSeat.user_id == user_id
        )
    ).all()
    today = date.today()
    return next((s for s in seats if s.ends_on is None or s.ends_on >= today), None)


def do_seat_member(rt: Runtime, actor: Viewer, group: TaskGroup, draft: MemberSeatDraft) -> None:
    require(actor, Action.ADMINISTER)
    with rt.db.write() as unit:
        user = unit.session.exec(select(User).where(User.email == draft.email)).one()
        org = unit.session.get(Organisation, draft.organisation_id)
        assert org is not None
        unit.session.add(
            Membership(
                group_id=group.id or 0,
                user_id=user.id or 0,
                organisation_id=org.id or 0,
                role=draft.role,
            )
        )
        what = "chair" if draft.role == MemberRole.CHAIR else "member"
        # Members hear of their group's work: they follow it from the day they are seated.
        auto_follow(unit, [user.id], GROUP, group.id or 0, role=draft.role)
        _log(
            unit,
            actor,
            "group.member_seated",
            group,
            f"{user.display_name} ({org.name}) joined {group.name} as {what}",
        )


def do_remove_member(rt: Runtime, actor: Viewer, group: TaskGroup, membership_id: int) -> bool:
    require(actor, Action.ADMINISTER)
    with rt.db.write() as unit:
        member = unit.session.get(Membership, membership_id)
        if member is None or member.group_id != group.id:
            return False
        user = unit.session.get(User, member.user_id)
        unit.session.delete(member)
        _access_changed(rt, unit, member.user_id)
        name = user.display_name if user else "A member"
        _log(unit, actor, "group.member_removed", group, f"{name} left {group.name}")
    return True


def do_seat_observer(
    rt: Runtime, actor: Viewer, group: TaskGroup, draft: ObserverSeatDraft
) -> None:
    require(actor, Action.ADMINISTER)
    assert draft.starts_on is not None
    with rt.db.write() as unit:
        user = unit.session.exec(select(User).where(User.email == draft.email)).one()
        unit.session.add(
            ObserverSeat(
                group_id=group.id or 0,
                user_id=user.id or 0,
                department=draft.department,
                starts_on=draft.starts_on,
                ends_on=draft.ends_on,
            )
        )
        auto_follow(unit, [user.id], GROUP, group.id or 0, role=OBSERVER)
        _log(
            unit,
            actor,
            "group.observer_seated",
            group,
            f"{user.display_name} ({draft.department}) observes {group.name}",
        )


def do_end_observer_seat(rt: Runtime, actor: Viewer, group: TaskGroup, seat_id: int) -> bool:
    require(actor, Action.ADMINISTER)
    with rt.db.write() as unit:
        seat = unit.session.get(ObserverSeat, seat_id)
        if seat is None or seat.group_id != group.id:
            return False
        # The seat ends now: its last day was yesterday. Ending keeps the row, because
        # who observed when is part of the record; a seat that never began is dropped.
        last_day = utcnow().date() - timedelta(days=1)
        if seat.starts_on > last_day:
            unit.session.delete(seat)
        else:
            seat.ends_on = min(seat.ends_on or last_day, last_day)
            unit.session.add(seat)
        user = unit.session.get(User, seat.user_id)
        _access_changed(rt, unit, seat.user_id)
        name = user.display_name if user else "An observer"
        _log(unit, actor, "group.observer_ended", group, f"{name} no longer observes {group.name}")
    return True


@dataclass
class SeatedMember:
    membership: Membership
    user: User


@dataclass
class OrganisationSeats:
    organisation: Organisation
    members: list[SeatedMember]


@dataclass
class SectorSeats:
    label: str
    organisations: list[OrganisationSeats]


def group_by_slug(session: Session, slug: str) -> TaskGroup | None:
    return session.exec(select(TaskGroup).where(TaskGroup.slug == slug)).first()


def list_groups(session: Session) -> list[tuple[TaskGroup, int, int]]:
    """Every group with its number of members and of current observers."""
    members = (
        select(Membership.group_id, func.count().label("n"))
        .group_by(col(Membership.group_id))
        .subquery()
    )
    groups = session.exec(
        select(TaskGroup, func.coalesce(members.c.n, 0))
        .join(members, members.c.group_id == TaskGroup.id, isouter=True)
        .order_by(col(TaskGroup.status), col(TaskGroup.name))
    ).all()
    observers = observer_counts(session)
    return [(g, n, observers.get(g.id or 0, 0)) for g, n in groups]


class GroupName(NamedTuple):
    id: int
    name: str


def names(session: Session) -> list[GroupName]:
    """Every group's id and name, in the order `list_groups` gives: for choosing a
    group, without counting anyone's seats."""
    rows = session.exec(
        select(TaskGroup.id, TaskGroup.name).order_by(col(TaskGroup.status), col(TaskGroup.name))
    ).all()
    return [GroupName(group_id or 0, name) for group_id, name in rows]


def observer_counts(session: Session) -> dict[int, int]:
    today = date.today()
    seats = session.exec(select(ObserverSeat)).all()
    counts: dict[int, int] = defaultdict(int)
    for seat in seats:
        if seat.active_on(today):
            counts[seat.group_id] += 1
    return counts


def members_by_sector(session: Session, group_id: int) -> list[SectorSeats]:
    rows = session.exec(
        select(Membership, User, Organisation)
        .join(User, User.id == Membership.user_id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == Membership.organisation_id)  # type: ignore[arg-type]
        .where(Membership.group_id == group_id)
        .order_by(col(Organisation.sector), col(Organisation.name), col(User.display_name))
    ).all()
    orgs: dict[int, OrganisationSeats] = {}
    for membership, user, org in rows:
        seats = orgs.setdefault(org.id or 0, OrganisationSeats(org, []))
        seats.members.append(SeatedMember(membership, user))
    sectors: dict[str, SectorSeats] = {}
    for seats in orgs.values():
        label = seats.organisation.sector_label
        sectors.setdefault(label, SectorSeats(label, [])).organisations.append(seats)
    return sorted(sectors.values(), key=lambda s: s.label)


def observers_of(session: Session, group_id: int) -> list[tuple[ObserverSeat, User]]:
    rows = session.exec(
        select(ObserverSeat, User)
        .join(User, User.id == ObserverSeat.user_id)  # type: ignore[arg-type]
        .where(ObserverSeat.group_id == group_id)
        .order_by(col(ObserverSeat.starts_on).desc())
    ).all()
    return [(seat, user) for seat, user in rows]


def member_organisations(session: Session, group_id: int) -> list[Organisation]:
    """Organisations with at least one member in the group: they are who sign off."""
    return list(
        session.exec(
            select(Organisation)
            .where(
                col(Organisation.id).in_(
                    select(Membership.organisation_id).where(Membership.group_id == group_id)
                )
            )
            .order_by(col(Organisation.sector), col(Organisation.name))
        ).all()
    )


def my_seats(
    session: Session, user_id: int
) -> tuple[list[tuple[TaskGroup, Membership, Organisation]], list[tuple[TaskGroup, ObserverSeat]]]:
    memberships = session.exec(
        select(TaskGroup, Membership, Organisation)
        .join(Membership, Membership.group_id == TaskGroup.id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == Membership.organisation_id)  # type: ignore[arg-type]
        .where(Membership.user_id == user_id)
        .order_by(col(TaskGroup.name))
    ).all()
    seats = session.exec(
        select(TaskGroup, ObserverSeat)
        .join(ObserverSeat, ObserverSeat.group_id == TaskGroup.id)  # type: ignore[arg-type]
        .where(ObserverSeat.user_id == user_id)
        .order_by(col(TaskGroup.name))
    ).all()
    return [tuple(r) for r in memberships], [tuple(r) for r in seats]  # type: ignore[misc]


def _access_changed(rt: Runtime, unit: WriteUnit, user_id: int) -> None:
    """After commit: the person's live sockets leave rooms they may no longer hear."""
    unit.after_commit(lambda: rt.events.publish(AccessChanged(user_id=user_id)))
