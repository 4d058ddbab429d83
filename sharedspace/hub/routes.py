"""Hub pages that gather from every feature: home, my groups, health."""

from __future__ import annotations

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sharedspace.hub import home as home_parts
from taskgroups.groups import service as groups
from taskgroups.milestones import service as milestones
from workspace.files import service as files
from workspace.permissions import Action, can, require
from workspace.runtime import runtime, viewer
from workspace.search import outbox as search_outbox
from workspace.templating import render


async def home(request: Request) -> Response:
    """One home for every kind of visitor: see `sharedspace.hub.home`."""
    rt, who = runtime(request), viewer(request)
    backlog = search_outbox.backlog(rt.db) if can(who, Action.ADMINISTER) else 0
    with rt.db.read() as session:
        listing = groups.list_groups(session)
        programme = milestones.programme(rt, session)
        context = {
            "groups": listing,
            "programme": programme,
            "today": milestones.today(rt),
            "needs_you": home_parts.needs_you(rt, session, who),
            "panels": home_parts.panels(rt, session, who),
            "health": home_parts.hub_health(rt, session, backlog)
            if can(who, Action.ADMINISTER)
            else None,
        }
    return render(request, "hub/home.html", context)


async def my_groups(request: Request) -> Response:
    who = viewer(request)
    require(who, Action.SIGNED_IN)
    assert who.user_id is not None
    with runtime(request).db.read() as session:
        memberships, seats = groups.my_seats(session, who.user_id)
    return render(request, "hub/my_groups.html", {"memberships": memberships, "seats": seats})


async def healthz(request: Request) -> Response:
    rt = runtime(request)
    try:
        with rt.db.read() as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
            stored = files.usage(session, rt.settings)
    except Exception as error:  # report, do not raise: this is what monitors poll
        return JSONResponse({"status": "error", "database": str(error)[:200]}, status_code=503)
    # Changes committed but not yet searchable: a growing number means the indexer is stuck.
    return JSONResponse(
        {
            "status": "ok",
            "database": "ok",
            "search_backlog": search_outbox.backlog(rt.db),
            # Uploaded files under DATA_DIR/files, and the room left on that volume.
            "files": {
                "count": stored.files,
                "bytes": stored.bytes,
                "free_bytes": stored.free_bytes,
                "text_waiting": stored.pending_text,
            },
        }
    )


async def health(request: Request) -> Response:
    """The secretariat's view of the service: database, search and file storage."""
    rt = runtime(request)
    require(viewer(request), Action.ADMINISTER)
    with rt.db.read() as session:
        stored = files.usage(session, rt.settings)
    stats = await run_in_threadpool(rt.search.backend.stats)
    return render(
        request,
        "hub/health.html",
        {
            "stored": stored,
            "stats": stats,
            "backlog": await run_in_threadpool(search_outbox.backlog, rt.db),
            "data_dir": rt.settings.data_dir,
        },
    )


routes = [
    Route("/", home),
    Route("/my-groups", my_groups),
    Route("/healthz", healthz),
    Route("/health", health),
]
