"""Fixed-window rate limits kept in the database, so all workers count together."""

from __future__ import annotations

import time

from sqlmodel import col, delete, select

from workspace.db import Database
from workspace.i18n import ngettext
from workspace.models import RateLimitCounter


class RateLimiter:
    def __init__(self, db: Database, window_seconds: int) -> None:
        self.db = db
        self.window = window_seconds

    def _window_start(self) -> int:
        now = int(time.time())
        return now - now % self.window

    def exceeded(self, key: str, limit: int) -> bool:
        """True when `key` has already used `limit` hits in this window."""
        with self.db.read() as session:
            row = session.exec(
                select(RateLimitCounter).where(
                    RateLimitCounter.key == key,
                    RateLimitCounter.window_start == self._window_start(),
                )
            ).first()
        return row is not None and row.count >= limit

    def hit(self, key: str) -> None:
        start = self._window_start()
        with self.db.write() as unit:
            row = unit.session.exec(
                select(RateLimitCounter).where(
                    RateLimitCounter.key == key, RateLimitCounter.window_start == start
                )
            ).first()
            if row is None:
                row = RateLimitCounter(key=key, window_start=start, count=0)
                # Old windows are of no use; clearing them here keeps the table small.
                unit.session.exec(
                    delete(RateLimitCounter).where(
                        col(RateLimitCounter.window_start) < start - self.window
                    )
                )
            row.count += 1
            unit.session.add(row)

    def reset(self, key: str) -> None:
        with self.db.write() as unit:
            unit.session.exec(delete(RateLimitCounter).where(col(RateLimitCounter.key) == key))

    @property
    def minutes(self) -> int:
        return max(1, self.window // 60)

    def retry_after(self) -> int:
        """Seconds until the current window ends, when every count starts again: the
        `Retry-After` of a 429."""
        return max(1, self._window_start() + self.window - int(time.time()))

    def wait(self) -> str:
        """When to try again, for people: "in 7 minutes", "in 1 minute"."""
        minutes = -(-self.retry_after() // 60)
        return ngettext("in %(num)d minute", "in %(num)d minutes", minutes)
