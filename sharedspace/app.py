"""The application factory: the list of feature plugins, and the app built from them.

Everything is built here from settings, nothing at import. A feature joins the
workspace by adding its `plugin.py` to `PLUGINS` (docs/architecture.md, "Adding a
feature").
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from sqlmodel import SQLModel
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

import consultations.plugin
import definitions.plugin
import reports.plugin
import sharedspace.api.plugin
import sharedspace.plugin
import sharedspace.rights.plugin
import taskgroups.plugin
import workspace.plugin
from sharedspace.routing import grouped
from workspace import errors, hooks
from workspace.middleware import RequestContext, SecurityHeaders
from workspace.notifications import live as notification_live
from workspace.realtime import Realtime
from workspace.runtime import Runtime
from workspace.runtime import build_runtime as build_ground
from workspace.settings import Settings

# The ground first, then the features from the bottom layer up, then the roof's pages.
PLUGINS: tuple[object, ...] = (
    workspace.plugin,
    taskgroups.plugin,
    definitions.plugin,
    consultations.plugin,
    reports.plugin,
    sharedspace.plugin,
    sharedspace.api.plugin,
    sharedspace.rights.plugin,
)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def build_runtime(settings: Settings, plugins: Sequence[object] = PLUGINS) -> Runtime:
    """The runtime of the workspace with every plugin: the app's, the CLI's and the demo's."""
    return build_ground(settings, plugins)


def load_models() -> type[SQLModel]:
    """Make SQLModel's metadata know every plugin's tables (for Alembic and tests)."""
    manager = hooks.plugin_manager(PLUGINS)
    hooks.collect(manager)
    return SQLModel


def ordered_routes(routes: Iterable[BaseRoute]) -> list[BaseRoute]:
    """Plain routes first, then mounts, deepest first. A Mount claims every path under
    its prefix, so `/groups/{slug}/definitions` must be tried before `/groups`; plain
    routes match whole paths only and can never shadow a mount's pages."""
    found = list(routes)
    plain = [r for r in found if not isinstance(r, Mount)]
    mounts = [r for r in found if isinstance(r, Mount)]
    mounts.sort(key=lambda m: m.path.count("/"), reverse=True)
    return [*plain, *mounts]


def create_app(settings: Settings | None = None, plugins: Sequence[object] = PLUGINS) -> Starlette:
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level)
    rt = build_runtime(settings, plugins)
    live = Realtime(rt)
    if not settings.redis_url:
        # Every socket is in this process: a fan-out to 10,000 people counts and sends
        # unread totals only to those with a page open.
        rt.notifications.fanout.listening = partial(live.occupied, notification_live.KIND)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        live.bind_loop()
        if settings.worker_embedded:
            # The background worker (workspace/worker.py): mail, notifications, digests,
            # the consultation clock and search indexing, off the request path.
            await run_in_threadpool(rt.worker.start_embedded)
        yield
        await run_in_threadpool(rt.worker.close)
        await live.shutdown()
        rt.db.dispose()

    app = Starlette(
        routes=grouped(
            [
                *ordered_routes(hooks.flat(rt.hook.routes())),
                Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
            ]
        ),
        middleware=[
            Middleware(SecurityHeaders),
            # Socket.IO in front of the routes (`/socket.io/`): it reads the session
            # cookie itself on connect, and its polling POSTs carry no CSRF form token.
            Middleware(live.middleware),
            Middleware(RequestContext, runtime=rt),
        ],
        exception_handlers=errors.HANDLERS,
        lifespan=lifespan,
    )
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
