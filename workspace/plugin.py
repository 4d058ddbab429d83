"""The ground's own contribution, through the same hooks as every feature: its tables,
the page shell's templates (`base.html`, `macros.html`, errors, accounts), the account
pages, notifications and following, and its background jobs (search, mail, digests)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlmodel import SQLModel
from starlette.routing import BaseRoute, Mount

from workspace import language
from workspace import models as tables
from workspace.accounts import routes as accounts
from workspace.accounts import two_factor as twofactor
from workspace.files import models as file_tables
from workspace.hooks import Job, LiveRelay, LiveRoom, PeriodicJob, hookimpl, tables_in
from workspace.notifications import live
from workspace.notifications import models as notification_tables
from workspace.notifications import routes as notifications
from workspace.runtime import Runtime
from workspace.tokens import models as token_tables
from workspace.tokens import routes as tokens
from workspace.twofactor import models as twofactor_tables

HERE = Path(__file__).resolve().parent


@hookimpl
def models() -> Iterable[type[SQLModel]]:
    return tables_in(tables, file_tables, notification_tables, token_tables, twofactor_tables)


@hookimpl
def template_folders() -> Mapping[str, Path]:
    return {
        "": HERE / "templates",
        "notifications": HERE / "notifications" / "templates",
        "tokens": HERE / "tokens" / "templates",
        "twofactor": HERE / "twofactor" / "templates",
    }


@hookimpl
def routes() -> Iterable[BaseRoute]:
    return [
        Mount("/account", routes=accounts.routes),
        *language.routes,
        *notifications.routes,
        *tokens.routes,
        *twofactor.routes,
    ]


@hookimpl
def live_rooms() -> Iterable[LiveRoom]:
    return [live.room()]


@hookimpl
def live_relays() -> Iterable[LiveRelay]:
    return [live.relay()]


@hookimpl
def jobs(rt: Runtime) -> Iterable[Job | PeriodicJob]:
    return [
        rt.indexer.job,
        rt.indexer.sweep,
        rt.mailer.job,
        rt.mailer.sweep,
        *rt.notifications.jobs(),
    ]
