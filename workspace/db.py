"""Database engine, time columns and transactions.

Reads and writes go through `Database.read()` and `Database.write()`. On SQLite a write
starts with `BEGIN IMMEDIATE`, so two writers queue on the lock at the start instead of
failing half-way with "database is locked" when one tries to upgrade a read lock.
Callbacks registered with `WriteUnit.after_commit` run only once the data is durable:
real-time events, mail and search must never announce something that rolled back.

Inside `Database.request_reads()` (a page request, until its response starts) the
`read()` blocks that run one after the other without the request pausing share one
session and transaction instead of opening one each: the viewer's lookup and the page's
reads cost one BEGIN and one ROLLBACK between them. The connection goes back to the pool
as soon as the request pauses (awaits something that lets other requests run), or at
once when half the pool is out: held across pauses, fifty requests each holding one
would empty the pool, and the event loop would wait on it forever. Each block still
hands back detached objects, as before; a write in the request ends the shared
transaction, so the reads after it see what it wrote.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool
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


class RequestReads:
    """The one read session of a request's `read()` blocks (see the module's docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.open = True  # False once the response starts: a streamed body reads alone
        self.busy = False  # a block is using it: a read() nested in it gets its own
        self._stale = False
        self._session: Session | None = None
        # Only the request's own thread shares it (the event loop's): a block run in the
        # thread pool reads alone, as the loop may end the session meanwhile.
        self._thread = threading.get_ident()
        self._loop = _running_loop()
        self._release_scheduled = False

    def takes(self, db: Database) -> bool:
        return (
            self.db is db and self.open and not self.busy and threading.get_ident() == self._thread
        )

    @contextmanager
    def block(self) -> Iterator[Session]:
        if self._session is None:
            self._session = Session(self.db.engine, expire_on_commit=False)
        session = self._session
        self.busy = True
        failed = False
        try:
            yield session
        except BaseException:
            failed = True
            raise
        finally:
            self.busy = False
            if failed or self._stale or session.new or session.dirty or session.deleted:
                # A failed statement can leave the transaction unusable (PostgreSQL), a
                # write inside the block needs a new one, and changes made on a read
                # session are dropped as its close would: the next block starts afresh.
                self.end()
            else:
                # Detached like a closed session's: they may go on to another session.
                session.expunge_all()
                self._release_at_pause()

    def _release_at_pause(self) -> None:
        """End the transaction when the request next pauses: the loop runs callbacks
        only between tasks' steps, so reads that follow at once still share it. Other
        requests' steps already waiting run before that callback, each perhaps holding a
        connection of its own the same way: past half the pool, give it back now, so
        that the loop never waits on a pool its own paused requests have emptied."""
        if self._loop is None:
            return  # synchronous code cannot pause
        if not self._room_to_hold():
            self.end()
        elif not self._release_scheduled:
            self._release_scheduled = True
            self._loop.call_soon(self._released)

    def _room_to_hold(self) -> bool:
        pool = self.db.engine.pool
        return isinstance(pool, QueuePool) and pool.checkedout() <= pool.size() // 2

    def _released(self) -> None:
        self._release_scheduled = False
        self.end()

    def end(self) -> None:
        if self.busy:
            self._stale = True  # the block still using it closes it when it ends
            return
        self._stale = False
        if self._session is not None:
            self._session.close()
            self._session = None

    def finish(self) -> None:
        self.open = False
        self.end()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None  # called from synchronous code: nothing can pause it


_REQUEST_READS: ContextVar[RequestReads | None] = ContextVar("request_reads", default=None)


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
        shared = _REQUEST_READS.get()
        if shared is not None and shared.takes(self):
            with shared.block() as session:
                yield session
            return
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def request_reads(self) -> Iterator[RequestReads]:
        """The `read()` blocks inside share one transaction (a page request's)."""
        shared = RequestReads(self)
        token = _REQUEST_READS.set(shared)
        try:
            yield shared
        finally:
            _REQUEST_READS.reset(token)
            shared.end()

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
            finally:
                self._end_shared_reads()
        unit.run_after_commit()

    def _end_shared_reads(self) -> None:
        """The request's later reads must see this write: a new transaction for them."""
        shared = _REQUEST_READS.get()
        if shared is not None and shared.db is self:
            shared.end()

    def dispose(self) -> None:
        self.engine.dispose()
