"""Retention: what is deleted after a set time, by a periodic job of the background
worker (settings `RETENTION_*`, docs/privacy.md). Deleting what is already gone is a
no-op, so several consumers running it at once do no harm.

- sign-in sessions that ended (expired) more than `RETENTION_SESSION_DAYS` ago, with the
  browser description they hold; used or expired password-reset links after a day;
- rate-limit counters (their keys hold IP addresses, the only place the workspace keeps
  one) after `RETENTION_RATE_LIMIT_DAYS`;
- revoked API tokens after `RETENTION_TOKEN_DAYS`;
- accounts whose email address was never confirmed, `RETENTION_UNCONFIRMED_DAYS` after
  registration, with their confirmation links. Such an account could never sign in, so
  it wrote nothing, and `account.registered` is logged only at confirmation, so the
  sealed activity log holds no trace of it. Should another row name it all the same (an
  invitation sent to its address, say), deleting it would break that row: it is closed
  instead, by the close-account rule (close.py), which keeps the row anonymised.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select

from sharedspace.rights.close import do_close
from workspace.hooks import PeriodicJob
from workspace.models import (
    EmailConfirmation,
    PasswordResetToken,
    RateLimitCounter,
    User,
    UserSession,
)
from workspace.runtime import Runtime
from workspace.tokens.models import ApiToken


@dataclass(frozen=True)
class Swept:
    sessions: int
    reset_links: int
    rate_limits: int
    tokens: int
    unconfirmed: int = 0


def sweep(rt: Runtime) -> Swept:
    s = rt.settings
    now = rt.clock()
    oldest_window = int(time.time()) - s.retention_rate_limit_days * 86400
    with rt.db.write() as unit:
        run = unit.session.exec
        sessions = run(
            delete(UserSession).where(
                col(UserSession.expires_at) < now - timedelta(days=s.retention_session_days)
            )
        )
        links = run(
            delete(PasswordResetToken).where(
                col(PasswordResetToken.expires_at) < now - timedelta(days=1)
            )
        )
        limits = run(
            delete(RateLimitCounter).where(col(RateLimitCounter.window_start) < oldest_window)
        )
        tokens = run(
            delete(ApiToken).where(
                col(ApiToken.revoked_at) < now - timedelta(days=s.retention_token_days)
            )
        )
    return Swept(
        sessions.rowcount,
        links.rowcount,
        limits.rowcount,
        tokens.rowcount,
        sweep_unconfirmed(rt),
    )


def sweep_unconfirmed(rt: Runtime) -> int:
    """Delete the accounts never confirmed in time; the number deleted or closed."""
    cutoff = rt.clock() - timedelta(days=rt.settings.retention_unconfirmed_days)
    with rt.db.read() as session:
        stale = session.exec(
            select(User).where(
                col(User.email_confirmed_at).is_(None),
                col(User.is_active).is_(True),
                col(User.created_at) < cutoff,
            )
        ).all()
    for user in stale:
        if not _delete_account(rt, user) and _still_unconfirmed(rt, user):
            do_close(rt, user)
    return len(stale)


def _still_unconfirmed(rt: Runtime, user: User) -> bool:
    with rt.db.read() as session:
        row = session.get(User, user.id)
    return row is not None and row.email_confirmed_at is None


def _delete_account(rt: Runtime, user: User) -> bool:
    """False when another row still names the account (a foreign key refuses)."""
    try:
        with rt.db.write() as unit:
            run = unit.session.exec
            run(delete(EmailConfirmation).where(col(EmailConfirmation.user_id) == user.id))
            run(delete(PasswordResetToken).where(col(PasswordResetToken.user_id) == user.id))
            # Only if still unconfirmed: the link may have been followed since the read.
            run(delete(User).where(col(User.id) == user.id, col(User.email_confirmed_at).is_(None)))
    except IntegrityError:
        return False
    return True


def job(rt: Runtime) -> PeriodicJob:
    return PeriodicJob("retention", lambda: sweep(rt), minutes=60)
