"""Who follows what: following and unfollowing by hand, following automatically what one
writes or is seated in, and the rows behind the "following" page and the buttons."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select, update

from workspace.db import WriteUnit, utcnow
from workspace.failures import Invalid, NotFound
from workspace.hooks import Followed, FollowTarget
from workspace.i18n import gettext as _
from workspace.notifications.models import Follow
from workspace.permissions import Action, Viewer, can, require

PROGRAMME = "programme"  # the one hub-wide thing to follow, target id 0


def insert_ignoring(
    session: Session, model: type[Any], rows: list[dict[str, Any]], unique: list[str]
) -> int:
    """Insert rows, skipping those that would break the unique constraint on `unique`
    (on SQLite and PostgreSQL alike), in the session's transaction. The number inserted
    (exact for one row, the claims' case; for many, as the driver counts)."""
    if not rows:
        return 0
    if len(rows) == 1:  # a claim: exact, through RETURNING (psycopg reports rowcount -1)
        return len(insert_claiming(session, model, rows, unique))
    connection = session.connection()
    make = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = make(model).on_conflict_do_nothing(index_elements=unique)
    return max(int(connection.execute(statement, rows).rowcount or 0), 0)


def insert_claiming(
    session: Session, model: type[Any], rows: list[dict[str, Any]], unique: list[str]
) -> set[tuple[Any, ...]]:
    """Insert rows, skipping those already there; the `unique[:2]` values of the rows
    this call inserted (its claims: another transaction's rows are not among them)."""
    if not rows:
        return set()
    connection = session.connection()
    make = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    table = model.__table__
    statement = (
        make(model)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(*(table.c[name] for name in unique[:2]))
    )
    claimed: set[tuple[Any, ...]] = set()
    for row in rows:  # one by one: RETURNING with ON CONFLICT over many rows varies by driver
        claimed.update(tuple(r) for r in connection.execute(statement, row))
    return claimed


def auto_follow(
    unit: WriteUnit, user_ids: Iterable[int | None], kind: str, target_id: int, role: str = ""
) -> None:
    """Follow a thing for people who wrote it or sit in it, in the caller's transaction.
    Someone who once unfollowed it stays unfollowed (their row is kept, inactive)."""
    rows = [
        {
            "user_id": user_id,
            "target_kind": kind,
            "target_id": target_id,
            "active": True,
            "automatic": True,
            "role": role,
            "created_at": utcnow(),
        }
        for user_id in dict.fromkeys(user_ids)
        if user_id
    ]
    insert_ignoring(unit.session, Follow, rows, ["user_id", "target_kind", "target_id"])


@dataclass(frozen=True)
class FollowButton:
    """What the follow button of a thing shows to one viewer."""

    kind: str
    target_id: int
    following: bool
    label: str  # "task group", "consultation"...


@dataclass(frozen=True)
class FollowedRow:
    kind: str
    target_id: int
    kind_label: str
    thing: Followed
    automatic: bool


class Following:
    """Follow targets by kind (from the `follow_targets` hook) and the writes on them."""

    def __init__(self, targets: Iterable[FollowTarget]) -> None:
        self.targets: dict[str, FollowTarget] = {}
        for target in targets:
            if target.kind in self.targets:
                raise ValueError(f"two follow targets of kind {target.kind!r}")
            self.targets[target.kind] = target

    def describe(self, session: Session, kind: str, target_id: int) -> Followed | None:
        target = self.targets.get(kind)
        if target is None:
            return None
        return target.describe(session, [target_id]).get(target_id)

    def readable(self, session: Session, viewer: Viewer, kind: str, target_id: int) -> Followed:
        """The thing, if it exists and the viewer may read it; else NotFound (the same for
        "missing" and "not yours", so private things stay unadvertised)."""
        thing = self.describe(session, kind, target_id)
        if thing is None or not _may_read(viewer, thing):
            raise NotFound(_("There is nothing like that to follow."))
        return thing

    def button(self, session: Session, viewer: Viewer, kind: str, target_id: int) -> FollowButton:
        target = self.targets.get(kind)
        if target is None:
            raise Invalid(_("Nothing of kind %(kind)s can be followed.", kind=repr(kind)))
        following = viewer.signed_in and is_following(session, viewer.user_id or 0, kind, target_id)
        return FollowButton(kind, target_id, following, target.label)

    def set(
        self, unit: WriteUnit, viewer: Viewer, kind: str, target_id: int, follow: bool
    ) -> Followed:
        """Follow or unfollow by hand; the thing followed."""
        require(viewer, Action.SIGNED_IN)
        thing = self.readable(unit.session, viewer, kind, target_id)
        user_id = viewer.user_id or 0
        if follow:
            rows = [
                {
                    "user_id": user_id,
                    "target_kind": kind,
                    "target_id": target_id,
                    "active": True,
                    "automatic": False,
                    "role": "",
                    "created_at": utcnow(),
                }
            ]
            insert_ignoring(unit.session, Follow, rows, ["user_id", "target_kind", "target_id"])
        unit.session.execute(
            update(Follow)
            .where(
                col(Follow.user_id) == user_id,
                col(Follow.target_kind) == kind,
                col(Follow.target_id) == target_id,
            )
            .values(active=follow)
        )
        return thing

    def rows(self, session: Session, viewer: Viewer) -> list[FollowedRow]:
        """What the viewer follows and may still read, by kind then title."""
        follows = session.exec(
            select(Follow).where(Follow.user_id == viewer.user_id, col(Follow.active))
        ).all()
        by_kind: dict[str, list[Follow]] = {}
        for row in follows:
            by_kind.setdefault(row.target_kind, []).append(row)
        found: list[FollowedRow] = []
        for kind, rows in by_kind.items():
            target = self.targets.get(kind)
            if target is None:
                continue
            things: Mapping[int, Followed] = target.describe(session, [r.target_id for r in rows])
            for row in rows:
                thing = things.get(row.target_id)
                if thing is not None and _may_read(viewer, thing):
                    found.append(
                        FollowedRow(kind, row.target_id, target.label, thing, row.automatic)
                    )
        order = list(self.targets)
        return sorted(found, key=lambda r: (order.index(r.kind), r.thing.title.lower()))


def is_following(session: Session, user_id: int, kind: str, target_id: int) -> bool:
    return (
        session.exec(
            select(Follow.id).where(
                Follow.user_id == user_id,
                Follow.target_kind == kind,
                Follow.target_id == target_id,
                col(Follow.active),
            )
        ).first()
        is not None
    )


def followers(
    session: Session, kind: str, target_id: int, since_before: datetime | None = None
) -> list[tuple[int, str]]:
    """(user id, role) of everyone following a thing (who followed it before
    `since_before`, when given: the moment something happened)."""
    query = select(Follow.user_id, Follow.role).where(
        Follow.target_kind == kind, Follow.target_id == target_id, col(Follow.active)
    )
    if since_before is not None:
        query = query.where(col(Follow.created_at) <= since_before)
    rows = session.execute(query).all()
    return [(int(user_id), str(role)) for user_id, role in rows]


def _may_read(viewer: Viewer, thing: Followed) -> bool:
    if thing.private:
        return can(viewer, Action.READ_GROUP_PRIVATE, thing.group_id)
    return True
