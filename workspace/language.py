"""The header's language switcher: a small POST form (no JavaScript needed) that
remembers the choice in the `lang` cookie for everyone and, for a signed-in person, on
their account, so mail and their other devices follow it (docs/i18n.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workspace import i18n
from workspace.errors import error_response
from workspace.forms import read_form, safe_next
from workspace.models import User
from workspace.runtime import Runtime, runtime, viewer
from workspace.templating import redirect

COOKIE_DAYS = 365


async def choose_language(request: Request) -> Response:
    form = await read_form(request)
    language = form.get("lang", "")
    if language not in i18n.LANGUAGES:
        return error_response(request, 400, i18n.gettext("Choose English or Cymraeg."))
    who = viewer(request)
    rt = runtime(request)
    if who.user_id is not None:
        save_language(rt, who.user_id, language)
    response = redirect(safe_next(form.get("next", "/")))
    response.set_cookie(
        i18n.COOKIE,
        language,
        max_age=COOKIE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=rt.settings.secure_cookies,
        path="/",
    )
    return response


def save_language(rt: Runtime, user_id: int, language: str) -> None:
    with rt.db.write() as unit:
        user = unit.session.get(User, user_id)
        if user is not None and user.language != language:
            user.language = language
            unit.session.add(user)


routes = [Route("/language", choose_language, methods=["POST"])]
