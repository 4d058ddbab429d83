"""Retention: what is deleted after a set time, by a periodic job of the background
worker (settings `RETENTION_*`, docs/privacy.md). Deleting what is already gone is a
no-op, so several consumers running it at once do no harm.

- sign-in sessions that ended (expired) more than `RETENTION_SESSION_DAYS` ago, with the
  browser description they hold; used or expired password-reset links after a day;
- rate-limit counters (their keys hold IP addresses, the only place the workspace keeps
  one) after `RETENTION_RATE_LIMIT_DAYS`;
- revoked API tokens after `RETENTION_TOKEN_DAYS`.

The workspace has no unverified accounts (registration signs the person in at once and
sends no confirmation), so there is nothing of that kind to expire.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, delete

from workspace.hooks import PeriodicJob
from workspace.models import PasswordResetToken, RateLimitCounter, UserSession
from workspace.runtime import Runtime
from workspace.tokens.models import ApiToken


@dataclass(frozen=True)
class Swept:
    sessions: int
    reset_links: int
    rate_limits: int
    tokens: int


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
    )


def job(rt: Runtime) -> PeriodicJob:
    return PeriodicJob("retention", lambda: sweep(rt), minutes=60)
