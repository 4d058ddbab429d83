"""Every migration path works on both engines: empty -> head, each revision in turn,
from every earlier revision to head, and all the way down again. PostgreSQL runs on a
scratch database of its own (tests/workspace/pg_scratch.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from sharedspace import migrate
from sharedspace.app import load_models
from tests.workspace.pg_scratch import scratch_database
from workspace.db import Database


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url: str | None = f"sqlite:///{tmp_path / 'paths.db'}"
    else:
        url = scratch_database("migrations")
        if url is None:
            pytest.skip("PostgreSQL does not answer")
    assert url is not None
    db = Database(url)
    yield db
    db.dispose()


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [s.revision for s in reversed(list(script.walk_revisions()))]  # base first


def _step(db: Database, direction: str, revision: str) -> None:
    config = migrate.alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)


def _current(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _drift(db: Database) -> list[object]:
    load_models()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=migrate.COMPARE_OPTIONS)
        return list(compare_metadata(context, SQLModel.metadata))


def test_every_migration_path(empty_db: Database) -> None:
    revisions = _revisions()
    assert len(revisions) >= 2
    # One revision at a time, from an empty database.
    for revision in revisions:
        _step(empty_db, "upgrade", revision)
        assert _current(empty_db) == revision
    assert _drift(empty_db) == []
    # From every earlier revision to head (down to it first: downgrades must work too).
    for revision in reversed(revisions[:-1]):
        _step(empty_db, "downgrade", revision)
        assert _current(empty_db) == revision
        _step(empty_db, "upgrade", "head")
        assert _current(empty_db) == revisions[-1]
        _step(empty_db, "downgrade", revision)
    # All the way down leaves nothing but Alembic's own table; then empty -> head at once.
    _step(empty_db, "downgrade", "base")
    assert set(inspect(empty_db.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_db)
    assert _current(empty_db) == revisions[-1]
    assert _drift(empty_db) == []
