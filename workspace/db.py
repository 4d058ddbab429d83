"""Database engine, time columns and transactions.

Reads and writes go through `Database.read()` and `Database.write()`. On SQLite a write
starts with `BEGIN IMMEDIATE`, so two writers queue on the lock at the start instead of
failing half-way with "database is locked" when one tries to upgrade a read lock.
Callbacks registered with `WriteUnit.after_commit` run only once the data is durable:
real-time events, mail and search must never announce something that rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every engine.

    SQLite has no time zone type, so values are stored as naive UTC and given their
    zone back on the way out; PostgreSQL stores `timestamptz`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def make_engine(url: str, pool_size: int = 10, max_overflow: int = 10) -> Engine:
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    # pre_ping: a connection dropped by a PostgreSQL restart or failover is replaced on
    # checkout instead of failing the request that drew it from the pool.
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow)


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        # Straight to the driver: through `exec_driver_sql` the BEGIN cost as much as a
        # query, and every read pays it (issue 19).
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


class WriteUnit:
    """One write transaction and the work to do once it has committed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._after: list[Callable[[], None]] = []
        self._once: set[str] = set()

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after.append(callback)

    def after_commit_once(self, key: str, callback: Callable[[], None]) -> None:
        """`after_commit`, but only the first callback registered under `key` in this
        transaction (one wake-up of a background job however many rows asked for it)."""
        if key not in self._once:
            self._once.add(key)
            self._after.append(callback)

    def run_after_commit(self) -> None:
        for callback in self._after:
            try:
                callback()
            except Exception:
                # The write is already durable; a failed side effect must not turn
                # into an error page for a change that did happen.
                log.exception("after-commit callback failed")


class Database:
    def __init__(self, url: str, pool_size: int = 10, max_overflow: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size, max_overflow)
        self._write_engine = (
            self.engine.execution_options(sqlite_immediate=True)
            if url.startswith("sqlite")
            else self.engine
        )
        # Commits made through this object: caches of rendered pages compare it to
        # know whether anything changed since they rendered (see workspace/pagecache.py).
        self.generation = 0

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[WriteUnit]:
        with Session(self._write_engine, expire_on_commit=False) as session:
            unit = WriteUnit(session)
            try:
                yield unit
                session.commit()
                self.generation += 1
            except BaseException:
                session.rollback()
                raise
        unit.run_after_commit()

    def dispose(self) -> None:
        self.engine.dispose()
