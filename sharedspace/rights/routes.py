"""Your data: download it, close your account."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sharedspace.rights import close, export
from workspace import auth
from workspace.failures import Forbidden
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.permissions import Action, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render

CONFIRM = "confirm"


async def data_page(request: Request) -> Response:
    require(viewer(request), Action.SIGNED_IN)
    return render(request, "rights/data.html", {"form": FormInput()})


async def download(request: Request) -> Response:
    who = viewer(request)
    require(who, Action.SIGNED_IN)
    assert who.user_id is not None
    rt = runtime(request)
    data = await run_in_threadpool(export.collect, rt, who.user_id)
    body = export.build_zip(data)
    stamp = rt.clock().strftime("%Y-%m-%d")
    return Response(
        body,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="shared-space-my-data-{stamp}.zip"',
            "Cache-Control": "no-store",
        },
    )


async def close_account(request: Request) -> Response:
    who = viewer(request)
    require(who, Action.SIGNED_IN)
    rt = runtime(request)
    form = await read_form(request)
    if form.get(CONFIRM) != "yes":
        form.error(CONFIRM, _("Confirm that you want to close your account"))
    user = None
    if form.ok:
        try:
            user = await run_in_threadpool(close.check_close, rt, who, form.get("password"))
        except Forbidden as refusal:
            form.error("password", refusal.message)
    if user is None:
        form.values.pop("password", None)
        return render(request, "rights/data.html", {"form": form}, status_code=400)
    await run_in_threadpool(close.do_close, rt, user)
    response = redirect("/", _("Your account has been closed. Thank you for taking part."))
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


routes = [
    Route("/account/data", data_page, methods=["GET"]),
    Route("/account/data/download", download, methods=["GET"]),
    Route("/account/close", close_account, methods=["POST"]),
]
