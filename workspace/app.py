"""The application factory: every part is built here from settings, nothing at import."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from definitions import routes as definition_routes
from taskgroups import roles as taskgroup_roles
from taskgroups import routes as taskgroup_routes
from workspace import auth, errors
from workspace.accounts import routes as account_routes
from workspace.admin import routes as admin_routes
from workspace.db import Database
from workspace.events import EventBus
from workspace.hub import routes as hub_routes
from workspace.mail import Mailer
from workspace.middleware import RequestContext, SecurityHeaders
from workspace.ratelimit import RateLimiter
from workspace.runtime import Runtime
from workspace.settings import Settings
from workspace.templating import make_environment

MODEL_MODULES = ["workspace.models", "taskgroups.models", "definitions.models"]
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TEMPLATE_PACKAGES = ["workspace", "taskgroups", "definitions"]


def load_models() -> None:
    """Import every package's tables so SQLModel's metadata knows them all."""
    for module in MODEL_MODULES:
        importlib.import_module(module)


def build_runtime(settings: Settings) -> Runtime:
    settings = settings.with_secret()
    db = Database(settings.database_url)
    hasher = auth.make_hasher(settings.argon2_fast)
    return Runtime(
        settings=settings,
        db=db,
        templates=make_environment(TEMPLATE_PACKAGES, settings.timezone),
        events=EventBus(),
        mailer=Mailer(settings, db),
        limiter=RateLimiter(db, settings.rate_window_seconds),
        hasher=hasher,
        role_loader=taskgroup_roles.group_roles,
        dummy_hash=hasher.hash("not anyone's password"),
    )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level)
    rt = build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        rt.db.dispose()

    app = Starlette(
        routes=[
            *hub_routes.routes,
            *admin_routes.routes,
            Mount("/account", routes=account_routes.routes),
            # Before /groups, whose mount would otherwise claim these paths and 404.
            Mount("/groups/{slug}/definitions", routes=definition_routes.routes),
            Mount("/groups", routes=taskgroup_routes.routes),
            Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(RequestContext, runtime=rt),
        ],
        exception_handlers=errors.HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
    rt.group_sections.append(definition_routes.group_section)
    app.state.runtime = rt
    return app
