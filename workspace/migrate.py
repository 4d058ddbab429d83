"""Run Alembic from code, so `sharedspace db upgrade` works wherever the package is."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from workspace.db import Database


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "workspace:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def make_revision(url: str, message: str) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)
