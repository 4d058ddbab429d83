"""Run Alembic from code, so `sharedspace db upgrade` works wherever the package is."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config

from workspace.db import Database

# Made by a migration on PostgreSQL only and left out of the models on purpose: the search
# backend's generated tsvector column and its GIN index (workspace/search/postgres/backend.py).
UNMODELLED = {("search_document", "tsv"), ("search_document", "ix_search_document_tsv")}
QUEUE_TABLE_PREFIX = "huey_"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "sharedspace:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def make_revision(url: str, message: str) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's filter for comparing the database with the models (autogenerate and the
    drift tests): the objects in UNMODELLED are the database's, not the models'."""
    if type_ in ("column", "index") and reflected and compare_to is None:
        return (getattr(obj.table, "name", None), name) not in UNMODELLED
    if type_ == "table" and reflected and compare_to is None:
        # huey's own tables, when QUEUE_URL names this database (workspace/worker.py).
        return not (name or "").startswith(QUEUE_TABLE_PREFIX)
    return True


# What autogenerate and the drift tests compare with (the same as migrations/env.py).
COMPARE_OPTIONS: dict[str, Any] = {"compare_type": True, "include_object": include_object}
