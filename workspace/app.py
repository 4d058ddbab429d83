"""The application factory: every part is built here from settings, nothing at import."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from consultations import comment_routes as consultation_comment_routes
from consultations import live as consultation_live
from consultations import response_routes as consultation_response_routes
from consultations import routes as consultation_routes
from consultations import service as consultation_service
from definitions import routes as definition_routes
from taskgroups import meeting_routes as taskgroup_meeting_routes
from taskgroups import milestones as taskgroup_milestones
from taskgroups import progress_routes as taskgroup_progress_routes
from taskgroups import roles as taskgroup_roles
from taskgroups import routes as taskgroup_routes
from workspace import auth, errors
from workspace.accounts import routes as account_routes
from workspace.admin import routes as admin_routes
from workspace.db import Database
from workspace.events import EventBus
from workspace.hub import audit as hub_audit
from workspace.hub import dashboard as hub_dashboard
from workspace.hub import feeds as hub_feeds
from workspace.hub import progress_sources
from workspace.hub import routes as hub_routes
from workspace.hub import search_routes as hub_search
from workspace.mail import Mailer
from workspace.middleware import RequestContext, SecurityHeaders
from workspace.ratelimit import RateLimiter
from workspace.realtime import Realtime
from workspace.runtime import Runtime
from workspace.settings import Settings
from workspace.templating import make_environment

MODEL_MODULES = [
    "workspace.models",
    "taskgroups.models",
    "definitions.models",
    "consultations.models",
    "taskgroups.models_progress",
]
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TEMPLATE_PACKAGES = ["workspace", "taskgroups", "definitions", "consultations"]


def load_models() -> None:
    """Import every package's tables so SQLModel's metadata knows them all."""
    for module in MODEL_MODULES:
        importlib.import_module(module)


def build_runtime(settings: Settings) -> Runtime:
    settings = settings.check().with_secret()
    db = Database(
        settings.database_url, settings.database_pool_size, settings.database_max_overflow
    )
    hasher = auth.make_hasher(settings.argon2_fast)
    rt = Runtime(
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
    # Subscriptions and providers belong to every runtime, the CLI's (demo) included.
    taskgroup_milestones.install(rt)
    progress_sources.install(rt)
    hub_search.install(rt)
    return rt


async def _watch_the_clock(rt: Runtime) -> None:
    """Announce what the clock changes (a consultation opening or closing at its time),
    so subscribers hear of it even when no one is looking at the page. Every read and
    write checks status itself; this only makes the events timely."""
    while True:
        await asyncio.sleep(rt.settings.clock_watch_seconds)
        try:
            await run_in_threadpool(consultation_service.announce_transitions, rt)
        except Exception:
            logging.getLogger(__name__).exception("announcing consultation transitions failed")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level)
    rt = build_runtime(settings)
    live = Realtime(rt)
    consultation_live.install(live, rt)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        live.bind_loop()
        watch = asyncio.create_task(_watch_the_clock(rt))
        # Drains the search outbox after each commit and once a second (docs/search.md).
        hub_search.indexer(rt).start()
        yield
        watch.cancel()
        await run_in_threadpool(hub_search.indexer(rt).stop)
        await live.shutdown()
        rt.db.dispose()

    app = Starlette(
        routes=[
            *hub_routes.routes,
            *admin_routes.routes,
            Mount("/account", routes=account_routes.routes),
            # Before /groups, whose mount would otherwise claim these paths and 404.
            Mount("/groups/{slug}/definitions", routes=definition_routes.routes),
            # Progress (milestones, timelines, meetings) also before the /groups mount.
            *taskgroup_progress_routes.routes,
            *taskgroup_meeting_routes.routes,
            *hub_dashboard.routes,
            *hub_feeds.routes,
            *hub_audit.routes,
            *hub_search.routes,
            Mount("/groups", routes=taskgroup_routes.routes),
            Mount(
                "/consultations",
                routes=[
                    *consultation_routes.routes,
                    *consultation_response_routes.routes,
                    *consultation_comment_routes.routes,
                ],
            ),
            Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            # Socket.IO in front of the routes (`/socket.io/`): it reads the session
            # cookie itself on connect, and its polling POSTs carry no CSRF form token.
            Middleware(live.middleware),
            Middleware(RequestContext, runtime=rt),
        ],
        exception_handlers=errors.HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
    rt.group_sections.append(definition_routes.group_section)
    rt.group_sections.append(consultation_routes.group_section(rt))
    rt.group_sections.append(taskgroup_progress_routes.group_section(rt))
    app.state.runtime = rt
    app.state.realtime = live
    return app


def serve_app() -> Starlette:
    """The app as `sharedspace serve` runs it (a uvicorn factory, called in each worker).

    Everything built until now (imported modules, templates, SQLAlchemy metadata) lives
    as long as the process, so it is moved out of the garbage collector's sight: each
    full collection then walks only what serving creates. With 1,000 sockets open this
    cuts those pauses (which set the tail of live delivery) from 200-280 ms to about a
    bare python-socketio server's 130-160 ms (bench/live_delivery.py)."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app
