"""Which groups a person sits in: the role loader the core's permissions use."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, literal, or_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session

from taskgroups.groups.models import Membership, ObserverSeat
from workspace.permissions import Role

_MEMBERS = Membership.__table__  # type: ignore[attr-defined]
_SEATS = ObserverSeat.__table__  # type: ignore[attr-defined]
# Read for every signed-in request, so built once: memberships and the observer seats
# open today, in one statement (a seat's row carries no role).
SEATS_OF = union_all(
    sa_select(_MEMBERS.c.group_id, _MEMBERS.c.role).where(
        _MEMBERS.c.user_id == bindparam("user_id")
    ),
    sa_select(_SEATS.c.group_id, literal("").label("role")).where(
        _SEATS.c.user_id == bindparam("user_id"),
        _SEATS.c.starts_on <= bindparam("today"),
        or_(_SEATS.c.ends_on.is_(None), _SEATS.c.ends_on >= bindparam("today")),
    ),
)


def group_roles(session: Session, user_id: int) -> tuple[dict[int, Role], frozenset[int]]:
    rows = session.connection().execute(SEATS_OF, {"user_id": user_id, "today": date.today()})
    members: dict[int, Role] = {}
    observed: set[int] = set()
    for group_id, role in rows:
        if role:
            members[group_id] = Role(role)
        else:
            observed.add(group_id)
    return members, frozenset(observed)
