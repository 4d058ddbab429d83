"""The account's API tokens page: make a token (shown once), see when each was last
used, revoke one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.permissions import Action, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render
from workspace.tokens import service
from workspace.tokens.models import TokenScope


def _page(request: Request, form: FormInput, status: int = 200, made: str = "") -> Response:
    who = viewer(request)
    assert who.user_id is not None
    context = {
        "form": form,
        "tokens": service.tokens_of(runtime(request), who.user_id),
        "scopes": list(TokenScope),
        "made": made,
    }
    return render(request, "tokens/tokens.html", context, status_code=status)


async def tokens(request: Request) -> Response:
    who = viewer(request)
    require(who, Action.SIGNED_IN)
    assert who.user_id is not None
    if request.method == "GET":
        return _page(request, FormInput(values={"scope": TokenScope.READ.value}))
    rt = runtime(request)
    form = await read_form(request)
    draft = service.check_token(form, service.active_count(rt, who.user_id))
    if not form.ok:
        return _page(request, form, status=400)
    made = service.do_create(rt, who, draft)
    # Shown on this response only, never stored or sent again: no redirect to lose it in.
    response = _page(request, FormInput(values={"scope": TokenScope.READ.value}), 201, made)
    response.headers["Cache-Control"] = "no-store"
    return response


async def revoke(request: Request) -> Response:
    who = viewer(request)
    require(who, Action.SIGNED_IN)
    row = service.do_revoke(runtime(request), who, request.path_params["token_id"])
    return redirect("/account/tokens", _("The token “%(name)s” has been revoked.", name=row.name))


routes = [
    Route("/account/tokens", tokens, methods=["GET", "POST"]),
    Route("/account/tokens/{token_id:id}/revoke", revoke, methods=["POST"]),
]
