"""What a signed-in person's page header and follow button need, read in one statement.

Every signed-in page shows the unread count, and most show a follow button. Read apart,
they cost two short transactions and two statements per request; a page that already
has a session open reads both here with one statement built once (bound parameters),
and passes the result to its template as `header` (see base.html and _follow.html).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session

from workspace.notifications.following import FollowButton
from workspace.notifications.models import Follow, Notification
from workspace.permissions import Viewer

_NOTIFICATIONS = Notification.__table__  # type: ignore[attr-defined]
_FOLLOWS = Follow.__table__  # type: ignore[attr-defined]

HEADER_STATE = sa_select(
    sa_select(func.count())
    .select_from(_NOTIFICATIONS)
    .where(
        _NOTIFICATIONS.c.user_id == bindparam("user_id"),
        _NOTIFICATIONS.c.read_at.is_(None),
    )
    .scalar_subquery()
    .label("unread"),
    exists()
    .where(
        _FOLLOWS.c.user_id == bindparam("user_id"),
        _FOLLOWS.c.target_kind == bindparam("kind"),
        _FOLLOWS.c.target_id == bindparam("target_id"),
        _FOLLOWS.c.active.is_(True),
    )
    .label("following"),
)


@dataclass(frozen=True)
class Header:
    unread: int
    follow: FollowButton


def header_state(
    session: Session, viewer: Viewer, kind: str, target_id: int, label: str
) -> Header | None:
    """The unread count and the follow button of `kind`/`target_id` for a signed-in
    viewer; None for visitors (their header shows neither)."""
    if not viewer.signed_in:
        return None
    params = {"user_id": viewer.user_id, "kind": kind, "target_id": target_id}
    row = session.connection().execute(HEADER_STATE, params).one()
    return Header(int(row.unread), FollowButton(kind, target_id, bool(row.following), label))
