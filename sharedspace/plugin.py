"""The roof's own pages, through the same hooks as the features: home and "my groups",
health, the observer dashboard, feeds, the audit log, search and the secretariat's
registers of organisations and people."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlmodel import SQLModel
from starlette.routing import BaseRoute

from sharedspace.admin import outbox
from sharedspace.admin import routes as admin
from sharedspace.hub import audit, dashboard, feeds, search
from sharedspace.hub import models as hub_tables
from sharedspace.hub import routes as hub
from sharedspace.pages import models as page_tables
from sharedspace.pages import routes as service_pages
from workspace.hooks import hookimpl, tables_in

HERE = Path(__file__).resolve().parent


@hookimpl
def models() -> Iterable[type[SQLModel]]:
    return tables_in(hub_tables, page_tables)


@hookimpl
def template_folders() -> Mapping[str, Path]:
    return {
        "hub": HERE / "hub" / "templates",
        "admin": HERE / "admin" / "templates",
        "pages": HERE / "pages" / "templates",
    }


@hookimpl
def routes() -> Iterable[BaseRoute]:
    return [
        *hub.routes,
        *admin.routes,
        *outbox.routes,
        *dashboard.routes,
        *feeds.routes,
        *audit.routes,
        *search.routes,
        *service_pages.routes,
    ]
