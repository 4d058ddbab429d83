"""Finding the person to seat: accounts by name, email or the organisation they already
represent in any group. The people page lists matches (a plain GET form) and, with
htmx, suggests them as the secretariat types; each match fills in a seat form."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, or_, select

from taskgroups.groups.models import Membership
from workspace.models import Organisation, User

MAX_MATCHES = 20
MAX_QUERY = 100


@dataclass(frozen=True)
class Match:
    user: User
    organisations: list[str]


def find_people(session: Session, query: str) -> list[Match]:
    words = query.strip()[:MAX_QUERY]
    if len(words) < 2:
        return []
    pattern = f"%{_escape(words.casefold())}%"
    representing = (
        select(Membership.user_id)
        .join(Organisation, Organisation.id == Membership.organisation_id)  # type: ignore[arg-type]
        .where(func.lower(Organisation.name).like(pattern, escape="\\"))
    )
    users = session.exec(
        select(User)
        .where(col(User.is_active))
        .where(
            or_(
                func.lower(User.display_name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
                col(User.id).in_(representing),
            )
        )
        .order_by(col(User.display_name))
        .limit(MAX_MATCHES)
    ).all()
    orgs = _organisations(session, [u.id for u in users if u.id is not None])
    return [Match(u, orgs.get(u.id or 0, [])) for u in users]


def _organisations(session: Session, user_ids: list[int]) -> dict[int, list[str]]:
    if not user_ids:
        return {}
    rows = session.exec(
        select(Membership.user_id, Organisation.name)
        .join(Organisation, Organisation.id == Membership.organisation_id)  # type: ignore[arg-type]
        .where(col(Membership.user_id).in_(user_ids))
        .distinct()
    ).all()
    found: dict[int, list[str]] = {}
    for user_id, name in rows:
        found.setdefault(user_id, []).append(name)
    return found


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
