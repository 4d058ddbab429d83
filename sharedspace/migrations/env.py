"""Alembic environment: migrations for every package's tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from sharedspace.app import load_models
from sharedspace.migrate import COMPARE_OPTIONS
from workspace.db import make_engine

load_models()
target_metadata = SQLModel.metadata
config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        **COMPARE_OPTIONS,  # compare_type, and what the models leave out on purpose
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
