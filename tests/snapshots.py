"""The world most tests start from (tests/factories.py `build_world`), built through the
services once per engine and test process, then copied into each test's empty database.

Building it (six registrations, two groups, four seats, each sealed into the activity
log) cost about a fifth of a second per test and was most of a test's set-up; copying
its rows costs a few milliseconds. The copy is exact: every row of every table as the
services wrote it, the sequences where they stood, and the jobs the build left on the
queue (search indexing, mail), so a test sees what a freshly built world would give it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlmodel
from sqlalchemy import MetaData, Table, insert, select, text
from sqlalchemy.engine import Connection

from taskgroups.groups.models import TaskGroup
from tests.factories import World, build_world
from workspace.models import Organisation, User
from workspace.runtime import Runtime


@dataclass
class Snapshot:
    tables: list[Table]
    rows: dict[str, list[dict[str, Any]]]
    sequences: list[tuple[str, int]]
    queued: list[bytes]
    ids: dict[str, int] = field(default_factory=dict)


_snapshots: dict[str, Snapshot] = {}


def world_for(rt: Runtime) -> World:
    """A built world in `rt`'s database: built the first time on each engine, copied
    after that."""
    engine = rt.db.engine.dialect.name
    if not _empty(rt):
        # A fixture wrote people or groups first: their ids are taken, so build as ever,
        # and never keep a world with someone else's rows in it.
        return build_world(rt)
    snapshot = _snapshots.get(engine)
    if snapshot is None:
        world = build_world(rt)
        _snapshots[engine] = _capture(rt, world)
        return world
    _restore(rt, snapshot)
    return _reload(rt, snapshot)


def _empty(rt: Runtime) -> bool:
    with rt.db.read() as session:
        return all(
            session.exec(sqlmodel.select(model).limit(1)).first() is None
            for model in (User, Organisation, TaskGroup)
        )


def _capture(rt: Runtime, world: World) -> Snapshot:
    metadata = MetaData()
    metadata.reflect(rt.db.engine)
    tables = [t for t in metadata.sorted_tables if t.name != "alembic_version"]
    with rt.db.engine.connect() as conn:
        rows = {
            t.name: [dict(r._mapping) for r in conn.execute(select(*_written(t)))] for t in tables
        }
        sequences = _sequences(conn)
    ids = {f"user:{key}": user.id or 0 for key, user in world.users.items()}
    ids |= {f"org:{key}": org.id or 0 for key, org in world.orgs.items()}
    ids |= {"group": world.group.id or 0, "other_group": world.other_group.id or 0}
    queued = list(rt.worker.huey.storage.enqueued_items())
    return Snapshot(tables, {k: v for k, v in rows.items() if v}, sequences, queued, ids)


def _written(table: Table) -> list[Any]:
    """The columns a row is written with: a generated column is the database's own."""
    return [c for c in table.columns if c.computed is None]


def _sequences(conn: Connection) -> list[tuple[str, int]]:
    if conn.dialect.name == "postgresql":
        query = (
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = 'public' AND last_value IS NOT NULL"
        )
    else:
        has = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
        ).first()
        if not has:
            return []
        query = "SELECT name, seq FROM sqlite_sequence"
    return [(str(name), int(value)) for name, value in conn.execute(text(query))]


def _restore(rt: Runtime, snapshot: Snapshot) -> None:
    with rt.db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Rows go in as they were written: no trigger needs to check them again.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table in snapshot.tables:
            rows = snapshot.rows.get(table.name)
            if rows:
                conn.execute(insert(table), rows)
        for name, value in snapshot.sequences:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT setval(:name, :value)"), {"name": name, "value": value})
            else:
                conn.execute(
                    text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :value)"),
                    {"name": name, "value": value},
                )
    for message in snapshot.queued:
        rt.worker.huey.storage.enqueue(message)


def _reload(rt: Runtime, snapshot: Snapshot) -> World:
    """The world's rows as detached objects, as build_world returns them."""
    ids = snapshot.ids
    with rt.db.read() as session:

        def get(model: Any, key: str) -> Any:
            found = session.get(model, ids[key])
            assert found is not None, key
            return found

        users = {k.split(":")[1]: get(User, k) for k in ids if k.startswith("user:")}
        orgs = {k.split(":")[1]: get(Organisation, k) for k in ids if k.startswith("org:")}
        return World(
            group=get(TaskGroup, "group"),
            other_group=get(TaskGroup, "other_group"),
            users=users,
            orgs=orgs,
        )
