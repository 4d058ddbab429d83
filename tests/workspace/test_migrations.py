"""Migrations and models never drift: an autogenerate against the migrated database
finds nothing to do, on every backend the suite runs on."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from sharedspace import migrate
from sharedspace.app import load_models
from workspace.runtime import Runtime


def test_migrations_match_the_models(rt: Runtime) -> None:
    load_models()
    with rt.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=migrate.COMPARE_OPTIONS)
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(rt: Runtime) -> None:
    if not rt.settings.is_sqlite:
        return
    with rt.db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
