"""Which groups a person sits in: the role loader the core's permissions use."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, or_, select

from taskgroups.groups.models import Membership, ObserverSeat
from workspace.permissions import Role


def group_roles(session: Session, user_id: int) -> tuple[dict[int, Role], frozenset[int]]:
    today = date.today()
    members = session.exec(
        select(Membership.group_id, Membership.role).where(Membership.user_id == user_id)
    ).all()
    observed = session.exec(
        select(ObserverSeat.group_id).where(
            ObserverSeat.user_id == user_id,
            col(ObserverSeat.starts_on) <= today,
            or_(col(ObserverSeat.ends_on).is_(None), col(ObserverSeat.ends_on) >= today),
        )
    ).all()
    return {gid: Role(role) for gid, role in members}, frozenset(observed)
