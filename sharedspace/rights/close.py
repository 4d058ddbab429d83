"""Close my account. The rule (docs/privacy.md), in one transaction:

- the person's name, email address and sign-in go: the account row stays (so the record
  keeps its shape) as "Former participant", with an address that cannot receive mail and
  no password; their sessions, reset and confirmation links and API tokens are deleted;
- what was theirs alone goes: notifications, preferences, follows, digests, queued and
  sent mail to them, their seats in task groups (observer seats end today and stay as
  the record of who observed when, under "Former participant");
- what they wrote in public stays, under "Former participant" (comments, responses as
  published with consent); positions stay, because they were recorded for their
  organisation and are the organisation's;
- the activity log keeps the fact, not the person: their events lose their actor;
- finally every text column of every table is searched for the name and the address,
  and each mention is replaced (someone replying "as Helen said" included), so nothing
  of either stays anywhere in the database. Search documents are rebuilt from the
  scrubbed rows.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import Column, String, Table, delete, func, or_, select, update
from sqlmodel import SQLModel

from consultations.comments import service as comment_service
from workspace import activity, auth, search
from workspace.db import WriteUnit
from workspace.failures import Forbidden
from workspace.i18n import gettext as _
from workspace.models import User
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime

FORMER = "Former participant"
REMOVED_EMAIL = "[address removed]"
# Deleted outright: rows that exist only for the person.
PERSONAL_TABLES = (
    "user_session",
    "password_reset_token",
    "email_confirmation",
    "api_token",
    "follow",
    "notification",
    "notification_preference",
    "notification_settings",
    "digest_run",
    "membership",
    "feed_token",
    "dashboard_visit",
    "two_factor",
    "recovery_code",
    "pending_sign_in",
)
CLOSED_HASH = "!closed"  # matches no password: argon2 hashes start with $
# A one-word name ("Green") is also a word of other things ("UK Green Building Council"):
# only full names are searched for everywhere; a one-word name goes from the person's own
# fields (the account, their comments' author) only.
WORDS_IN_A_FULL_NAME = 2
# Other people's accounts are never rewritten: "ann@x.org" must not touch "joann@x.org".
NOT_SCRUBBED = frozenset({"user"})


def check_close(rt: Runtime, actor: Viewer, password: str) -> User:
    require(actor, Action.SIGNED_IN)
    with rt.db.read() as session:
        user = session.get(User, actor.user_id)
    if user is None or not auth.verify_password(rt.hasher, user.password_hash, password):
        raise Forbidden(_("Enter your current password to close your account."))
    return user


def do_close(rt: Runtime, user: User) -> None:
    assert user.id is not None
    name, email = user.display_name, user.email
    comment_ids: list[int] = []
    consultation_ids: list[int] = []
    with rt.db.write() as unit:
        tables = SQLModel.metadata.tables
        _forget_personal(unit, tables, user.id, email)
        comments = tables["comment"]
        comment_ids = list(
            unit.session.execute(
                select(comments.c.id).where(comments.c.author_id == user.id)
            ).scalars()
        )
        unit.session.execute(
            update(comments).where(comments.c.author_id == user.id).values(author_name=FORMER)
        )
        seats = tables["observer_seat"]
        yesterday = rt.clock().date() - timedelta(days=1)
        unit.session.execute(
            update(seats)
            .where(
                seats.c.user_id == user.id,
                or_(seats.c.ends_on.is_(None), seats.c.ends_on > yesterday),
            )
            .values(ends_on=yesterday)
        )
        # The activity log is sealed (workspace/auditchain.py): its events keep their
        # actor's number, which from now on names only "Former participant" below; the
        # unsealed summaries lose the name in `scrub`.
        row = unit.session.get(User, user.id)
        assert row is not None
        row.display_name = FORMER
        row.email = f"closed-{user.id}@closed.invalid"
        row.password_hash = CLOSED_HASH
        row.is_active = False
        row.is_secretariat = False
        unit.session.add(row)
        unit.session.flush()
        scrub(unit, tables.values(), name, email)
        activity.record(
            unit,
            actor_id=None,
            verb="account.closed",
            object_type="user",
            object_id=user.id,
            summary="A participant closed their account",
            visibility=activity.SECRETARIAT,
        )
        for comment_id in comment_ids:
            search.enqueue(rt, unit, "comment", comment_id)
        consultation_ids = sorted(
            set(
                unit.session.execute(
                    select(comments.c.consultation_id).where(comments.c.id.in_(comment_ids))
                ).scalars()
            )
        )
    # The stored fragments show the author (and, deep in a thread, whom a reply answers):
    # drawn again from the rows, so a one-word name the scrub left alone goes too.
    for consultation_id in consultation_ids:
        comment_service.do_rerender(rt, consultation_id)


def _forget_personal(unit: WriteUnit, tables: dict[str, Table], user_id: int, email: str) -> None:
    for name in PERSONAL_TABLES:
        table = tables[name]
        unit.session.execute(delete(table).where(table.c.user_id == user_id))
    outbox = tables["outbox_email"]
    unit.session.execute(delete(outbox).where(func.lower(outbox.c.to_address) == email.lower()))


def is_text(column: Column[object]) -> bool:
    """A column holding text (SQLModel's AutoString wraps String rather than extending it)."""
    kind = column.type
    return isinstance(kind, String) or isinstance(getattr(kind, "impl", None), String)


def scrub(unit: WriteUnit, tables: object, name: str, email: str) -> int:
    """Replace every mention of `name` and `email`, in any text column of any table.
    Returns how many rows changed."""
    # Whole words and whole addresses only: "ann@x.org" is not inside "joann@x.org".
    needles = [
        (email, re.compile(rf"(?<![\w.+-]){re.escape(email)}(?![\w-])", re.I), REMOVED_EMAIL)
    ]
    if len(name.split()) >= WORDS_IN_A_FULL_NAME:
        needles.append((name, re.compile(rf"\b{re.escape(name)}\b", re.I), FORMER))
    changed = 0
    for table in tables:  # type: ignore[attr-defined]
        assert isinstance(table, Table)
        key = next(iter(table.primary_key.columns), None)
        texts = [c for c in table.columns if is_text(c) and c is not key]
        if key is None or not texts or table.name in NOT_SCRUBBED:
            continue
        for needle, pattern, replacement in needles:
            lowered = needle.lower()
            for column in texts:
                hits = unit.session.execute(
                    select(key, column).where(func.lower(column).contains(lowered, autoescape=True))
                ).all()
                for row_key, value in hits:
                    replaced = pattern.sub(replacement, value)
                    if replaced != value:
                        unit.session.execute(
                            update(table).where(key == row_key).values({column.name: replaced})
                        )
                        changed += 1
    return changed
