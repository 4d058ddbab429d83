"""The ground's own contribution, through the same hooks as every feature: its tables,
the page shell's templates (`base.html`, `macros.html`, errors, accounts) and the
account pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlmodel import SQLModel
from starlette.routing import BaseRoute, Mount

from workspace import models as tables
from workspace.accounts import routes as accounts
from workspace.files import models as file_tables
from workspace.hooks import hookimpl, tables_in

HERE = Path(__file__).resolve().parent


@hookimpl
def models() -> Iterable[type[SQLModel]]:
    return tables_in(tables, file_tables)


@hookimpl
def template_folders() -> Mapping[str, Path]:
    return {"": HERE / "templates"}


@hookimpl
def routes() -> Iterable[BaseRoute]:
    return [Mount("/account", routes=accounts.routes)]
