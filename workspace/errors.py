"""Error pages in the site's own design, and JSON problems for the API."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from workspace.failures import Conflict, DomainError, Forbidden, Invalid, NotFound
from workspace.i18n import LazyString, lazy_gettext
from workspace.permissions import SignInRequired

log = logging.getLogger(__name__)

TITLES: dict[int, LazyString] = {
    400: lazy_gettext("There is a problem with your request"),
    403: lazy_gettext("You cannot do this"),
    404: lazy_gettext("Page not found"),
    405: lazy_gettext("This page cannot be used that way"),
    409: lazy_gettext("Someone else changed this"),
    413: lazy_gettext("What you sent is too large"),
    429: lazy_gettext("Too many attempts"),
    500: lazy_gettext("Sorry, there is a problem with the service"),
    401: lazy_gettext("Authentication needed"),
    415: lazy_gettext("Unsupported media type"),
    422: lazy_gettext("The request could not be processed"),
}
DEFAULT_MESSAGES: dict[int, LazyString] = {
    404: lazy_gettext(
        "If you typed the web address, check it is correct. If you pasted it, check you "
        "copied the entire address."
    ),
    405: lazy_gettext("Go back and use the links and buttons on the page."),
    500: lazy_gettext("Try again later. What you were doing has not been lost if you go back."),
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.headers.get("accept", "").startswith(
        "application/json"
    )


def error_response(request: Request, status: int, message: str = "") -> Response:
    title = str(TITLES.get(status, lazy_gettext("There is a problem")))
    detail = message or str(DEFAULT_MESSAGES.get(status, ""))
    if wants_json(request):
        return JSONResponse(
            {"type": "about:blank", "title": title, "status": status, "detail": detail},
            status_code=status,
            media_type="application/problem+json",
        )
    from workspace.templating import render  # templating needs the runtime; import late

    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "message": detail},
        status_code=status,
    )


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail and exc.detail != _phrase(exc.status_code) else ""
    response = error_response(request, exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


STATUS_OF: dict[type[DomainError], int] = {
    Invalid: 400,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
}


async def domain_error(request: Request, exc: Exception) -> Response:
    """A service's refusal, shown as the page (or JSON problem) of its status."""
    assert isinstance(exc, DomainError)
    status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
    return error_response(request, status, exc.message)


async def sign_in_required(request: Request, _exc: Exception) -> Response:
    # After signing in, come back to the page (a POST's page is its own path).
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    url = f"/account/sign-in?next={quote(target, safe='/')}"
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500)


def _phrase(status: int) -> str:
    return HTTPStatus(status).phrase


HANDLERS = {
    HTTPException: http_exception,
    DomainError: domain_error,
    SignInRequired: sign_in_required,
    500: server_error,
}
