"""Followers' notifications written by the database itself: one INSERT ... SELECT per
audience, so a consultation with 10,000 followers costs the worker one statement, not
10,000 rows built in Python (which would hold the interpreter while the server, in the
same process by default, answers requests).

The email state of each row is worked out in SQL as `fanout.default_channel` and the
person's choices would in Python: their preference for the kind if they made one, else
the default for the role they follow it as; none when they turned email off.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, false, func, literal, true
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from workspace.hooks import Followers, Notice, NotificationKind
from workspace.models import User
from workspace.notifications.models import (
    Channel,
    Follow,
    Notification,
    NotificationPreference,
    NotificationSettings,
)

ROLES = ("observer", "member", "chair", "author", "respondent", "")
COLUMNS = [
    "user_id",
    "kind",
    "key",
    "title",
    "summary",
    "reason",
    "url",
    "group_id",
    "created_at",
    "email_state",
]


def insert_followers(
    session: Session,
    kind: NotificationKind,
    notice: Notice,
    audience: Followers,
    happened: datetime | None,
    now: datetime,
    default_channel: Any,
    between: tuple[int, int] | None = None,
) -> None:
    """Write `notice` for everyone following `audience`'s thing (who followed before it
    happened, is active, is not excluded and has none of this key yet)."""
    follow, user = Follow.__table__, User.__table__  # type: ignore[attr-defined]
    chosen = (
        core_select(col(NotificationPreference.channel))
        .where(
            col(NotificationPreference.user_id) == follow.c.user_id,
            col(NotificationPreference.kind) == kind.key,
        )
        .scalar_subquery()
    )
    off = (
        core_select(col(NotificationSettings.emails_off))
        .where(col(NotificationSettings.user_id) == follow.c.user_id)
        .scalar_subquery()
    )
    by_role = case(
        *((follow.c.role == role, default_channel(kind, role).value) for role in ROLES),
        else_=default_channel(kind, "").value,
    )
    channel = func.coalesce(chosen, by_role)
    email_state = case(
        (func.coalesce(off, false()) == true(), "none"),
        (channel == Channel.NEVER.value, "none"),
        else_=channel,
    )
    skip = [uid for uid in (notice.actor_id, *notice.exclude) if uid]
    conditions = [
        follow.c.target_kind == audience.kind,
        follow.c.target_id == audience.target_id,
        follow.c.active == true(),
        user.c.is_active == true(),
    ]
    if happened is not None:
        conditions.append(follow.c.created_at <= happened)
    if skip:
        conditions.append(follow.c.user_id.not_in(skip))
    if between is not None:
        conditions += [follow.c.user_id >= between[0], follow.c.user_id <= between[1]]
    values: list[Any] = [
        follow.c.user_id,
        literal(notice.kind),
        literal(notice.key[:120]),
        literal(notice.title[:300]),
        literal(notice.summary[:500]),
        literal(audience.reason[:300]),
        literal(notice.url[:300]),
        literal(notice.group_id),
        literal(now),
        email_state,
    ]
    joined = follow.join(user, user.c.id == follow.c.user_id)
    rows = core_select(*values).select_from(joined).where(and_(*conditions))
    connection = session.connection()
    make = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = (
        make(Notification)
        .from_select(COLUMNS, rows)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
    )
    connection.execute(statement)


def slices(session: Session, audience: Followers, size: int = 1000) -> list[tuple[int, int]]:
    """The followers' user ids cut into ranges of at most `size` people."""
    ids = [
        int(uid)
        for uid in session.exec(
            select(Follow.user_id)
            .where(
                Follow.target_kind == audience.kind,
                Follow.target_id == audience.target_id,
                col(Follow.active),
            )
            .order_by(col(Follow.user_id))
        ).all()
    ]
    return [(ids[n], ids[min(n + size, len(ids)) - 1]) for n in range(0, len(ids), size)]


def recipients(session: Session, key: str) -> list[int]:
    return [
        int(uid)
        for uid in session.exec(
            select(Notification.user_id).where(Notification.key == key[:120])
        ).all()
    ]
