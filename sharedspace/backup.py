"""`sharedspace backup` and `sharedspace restore`.

SQLite is copied with its online backup API, page by page under SQLite's own locking,
so a running server may keep writing while a backup is taken and the copy is still one
consistent snapshot (copying the file would not be: the WAL holds the newest pages).
PostgreSQL has its own tools, which know roles, large objects and versions better than
any copy we could write: for it the commands print the `pg_dump` / `pg_restore` line to
run instead of running anything.
"""

from __future__ import annotations

import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

# Tables that exist in a freshly migrated database before anyone has used it.
_BOOKKEEPING = {"alembic_version"}


class RestoreRefused(Exception):
    """The restore would overwrite data (or read something that is not a backup)."""


@dataclass(frozen=True)
class Outcome:
    """What a command did (`done`) or what the operator should run (`command`)."""

    done: bool
    message: str


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValueError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq tools read it: no `+psycopg`, no password (give that
    through PGPASSWORD or ~/.pgpass, so it does not land in shell history)."""
    parsed = make_url(url)
    # (`URL.set(password=None)` means "leave it", so the URL is rebuilt without one.)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return plain.render_as_string()


def backup(url: str, target: Path) -> Outcome:
    if not is_sqlite(url):
        command = [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--file",
            str(target),
            libpq_url(url),
        ]
        return Outcome(False, "Run: " + shlex.join(command))
    source = sqlite_path(url)
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # Into a side file first: a backup interrupted half-way never looks like a good one.
    with _connect(source) as src, _connect(partial) as dst:
        src.backup(dst)
    partial.replace(target)
    return Outcome(True, f"Backed up {source} to {target}.")


def restore(url: str, source: Path, *, force: bool = False) -> Outcome:
    if not is_sqlite(url):
        command = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--dbname",
            libpq_url(url),
            str(source),
        ]
        return Outcome(False, "Stop the workers, then run: " + shlex.join(command))
    if not source.exists():
        raise FileNotFoundError(f"no backup at {source}")
    with _connect(source) as backup_db:
        if not _tables(backup_db):
            raise RestoreRefused(f"{source} is not a Shared Space backup (no tables)")
    target = sqlite_path(url)
    if target.exists() and not force:
        with _connect(target) as existing:
            used = _tables_with_rows(existing)
        if used:
            raise RestoreRefused(
                f"{target} already holds data (in {', '.join(sorted(used)[:5])}); "
                "pass --force to replace it"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    # The backup API writes through SQLite's locks, so a server left running sees either
    # the old database or the restored one, never a torn file; WAL readers are reset too.
    with _connect(source) as src, _connect(target) as dst:
        src.backup(dst)
    return Outcome(True, f"Restored {target} from {source}.")


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    # (sqlite3's own context manager commits but never closes the connection.)
    # timeout: wait for a running server's write to finish instead of failing at once.
    connection = sqlite3.connect(path, timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def _tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [str(name) for (name,) in rows]


def _tables_with_rows(connection: sqlite3.Connection) -> list[str]:
    used = []
    for name in _tables(connection):
        if name in _BOOKKEEPING:
            continue
        quoted = '"' + name.replace('"', '""') + '"'
        if connection.execute(f"SELECT 1 FROM {quoted} LIMIT 1").fetchone():  # noqa: S608
            used.append(name)
    return used
