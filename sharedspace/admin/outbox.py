"""The mail outbox, readable by the secretariat in demo mode: someone trying the
workspace sees the emails it sends (docs/notifications.md). Never on a live hub, where
mail is private to its recipient: without `DEMO_MODE` these pages do not exist."""

from __future__ import annotations

from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from workspace.models import OutboxEmail
from workspace.numbers import parse_id
from workspace.permissions import Action, require
from workspace.runtime import runtime, viewer
from workspace.templating import render

SHOWN = 200
# The HTML part is shown in a frame of its own, with nothing allowed but its styles.
HTML_PART_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; sandbox"


def _demo_secretariat(request: Request) -> None:
    require(viewer(request), Action.ADMINISTER)
    if not runtime(request).settings.demo_mode:
        raise HTTPException(404)


def _message(request: Request) -> OutboxEmail:
    message_id = parse_id(request.path_params["message_id"])
    with runtime(request).db.read() as session:
        message = session.get(OutboxEmail, message_id) if message_id else None
    if message is None:
        raise HTTPException(404)
    return message


async def outbox(request: Request) -> Response:
    _demo_secretariat(request)
    with runtime(request).db.read() as session:
        messages = session.exec(
            select(OutboxEmail).order_by(col(OutboxEmail.id).desc()).limit(SHOWN)
        ).all()
    return render(request, "admin/outbox.html", {"messages": messages})


async def message(request: Request) -> Response:
    _demo_secretariat(request)
    return render(request, "admin/outbox_message.html", {"message": _message(request)})


async def message_html(request: Request) -> Response:
    _demo_secretariat(request)
    found = _message(request)
    if not found.html_body:
        raise HTTPException(404)
    return HTMLResponse(
        found.html_body,
        headers={"Content-Security-Policy": HTML_PART_POLICY, "Cache-Control": "no-store"},
    )


routes = [
    Route("/outbox", outbox),
    Route("/outbox/{message_id}", message),
    Route("/outbox/{message_id}/html", message_html),
]
