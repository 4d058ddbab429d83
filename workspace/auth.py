"""Passwords, sign-in sessions and the viewer behind each request."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete

from workspace.db import Database, WriteUnit, utcnow
from workspace.models import User, UserSession
from workspace.permissions import ANONYMOUS, Role, Viewer

SESSION_COOKIE = "ss_session"
# Only bump last_seen this often, so reading pages does not turn into a write each time.
TOUCH_INTERVAL = timedelta(minutes=10)

# Feature packages tell the core which groups a user sits in; the core cannot import them.
RoleLoader = Callable[[Session, int], tuple[dict[int, Role], frozenset[int]]]
# ...and which invited consultations (by id) they are invited to.
InvitedLoader = Callable[[Session, int], frozenset[int]]


def make_hasher(fast: bool) -> PasswordHasher:
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def verify_password(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash of a password nobody has, checked when the account does not exist, so that
# answering "wrong password" and "no such account" take the same time.
def dummy_verify(hasher: PasswordHasher, dummy_hash: str, password: str) -> None:
    verify_password(hasher, dummy_hash, password)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def start_session(unit: WriteUnit, user_id: int, days: int, user_agent: str) -> str:
    token = new_token()
    now = utcnow()
    unit.session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=days),
            user_agent=user_agent[:300],
        )
    )
    return token


def end_session(unit: WriteUnit, token: str) -> None:
    unit.session.exec(delete(UserSession).where(col(UserSession.token_hash) == hash_token(token)))


def end_all_sessions(unit: WriteUnit, user_id: int) -> None:
    unit.session.exec(delete(UserSession).where(col(UserSession.user_id) == user_id))


# The session lookup runs on every signed-in request: built once (a Core statement with
# a bound token), so a request pays neither building the query nor loading ORM objects.
_SESSIONS = UserSession.__table__  # type: ignore[attr-defined]
_USERS = User.__table__  # type: ignore[attr-defined]
SESSION_LOOKUP = (
    sa_select(
        _SESSIONS.c.id,
        _SESSIONS.c.created_at,
        _SESSIONS.c.last_seen_at,
        _SESSIONS.c.expires_at,
        _USERS.c.id.label("user_id"),
        _USERS.c.display_name,
        _USERS.c.email,
        _USERS.c.is_secretariat,
        _USERS.c.is_active,
        _USERS.c.language,
    )
    .join(_USERS, _USERS.c.id == _SESSIONS.c.user_id)
    .where(_SESSIONS.c.token_hash == bindparam("token_hash"))
)


def load_viewer(
    db: Database,
    token: str | None,
    days: int,
    roles: RoleLoader,
    invited: InvitedLoader | None = None,
    max_days: int = 0,
) -> Viewer:
    """The viewer a session token stands for: anonymous when the token is unknown, idle
    longer than `days`, older than `max_days` (0: no absolute limit) or its user inactive.
    The session, the person and their seats are read in one transaction."""
    if not token:
        return ANONYMOUS
    now = utcnow()
    with db.read() as session:
        row = (
            session.connection().execute(SESSION_LOOKUP, {"token_hash": hash_token(token)}).first()
        )
        if row is None:
            return ANONYMOUS
        ends = row.created_at + timedelta(days=max_days) if max_days else None
        if row.expires_at <= now or not row.is_active or (ends and ends <= now):
            return ANONYMOUS
        viewer = _seated(session, row, row.user_id, roles, invited)
    if now - row.last_seen_at > TOUCH_INTERVAL:
        _touch(db, row.id, days, ends)
    return viewer


def viewer_of(
    session: Session, user: User, roles: RoleLoader, invited: InvitedLoader | None = None
) -> Viewer:
    """The Viewer a request by this user gets, seats included: also how the demo and
    the tests act as someone without a request."""
    assert user.id is not None
    return _seated(session, user, user.id, roles, invited)


def _seated(
    session: Session,
    person: Any,
    user_id: int,
    roles: RoleLoader,
    invited: InvitedLoader | None,
) -> Viewer:
    """The Viewer of a person (a User, or the session lookup's row: both carry the
    name, email, secretariat flag and language) with their seats and invitations."""
    member_roles, observed = roles(session, user_id)
    return Viewer(
        user_id=user_id,
        display_name=person.display_name,
        email=person.email,
        is_secretariat=person.is_secretariat,
        member_roles=member_roles,
        observed_groups=observed,
        invited_to=invited(session, user_id) if invited is not None else frozenset(),
        language=person.language,
    )


def _touch(db: Database, session_id: int | None, days: int, ends: datetime | None) -> None:
    now = utcnow()
    with db.write() as unit:
        row = unit.session.get(UserSession, session_id)
        if row is not None:
            row.last_seen_at = now
            idle_end = now + timedelta(days=days)
            row.expires_at = min(idle_end, ends) if ends else idle_end
            unit.session.add(row)


def no_roles(_session: Session, _user_id: int) -> tuple[dict[int, Role], frozenset[int]]:
    return {}, frozenset()
