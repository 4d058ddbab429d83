"""ASGI middleware: security headers, body limits, CSRF and the viewer of each request.

Written as plain ASGI (not BaseHTTPMiddleware) so the body can be checked once and
replayed to the route untouched, and streaming responses are never buffered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workspace import auth, csrf, i18n
from workspace.errors import error_response
from workspace.files.upload import FORM_OVERHEAD
from workspace.formats import number
from workspace.i18n import gettext as _
from workspace.i18n import lazy_gettext
from workspace.permissions import ANONYMOUS
from workspace.tokens import service as tokens
from workspace.twofactor import service as twofactor

if TYPE_CHECKING:
    from workspace.db import RequestReads
    from workspace.runtime import Runtime

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
READING_METHODS = {"GET", "HEAD"}
# Posts that come from mail programs, not from our pages, and carry no cookie: RFC 8058
# one-click unsubscribe. The signed link in the path is their authority instead.
CSRF_EXEMPT_PREFIXES = ("/notifications/unsubscribe/",)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestContext:
    """Loads the viewer, guards unsafe requests and caps body size."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in READING_METHODS or _is_static(scope):
            await self._serve(scope, receive, send)
            return
        # A page's reads, the viewer's lookup included, in one transaction until the
        # request first pauses or its response starts (workspace/db.py): one BEGIN and
        # ROLLBACK for reads that follow one another (issue 19).
        with self.runtime.db.request_reads() as reads:
            await self._serve(scope, receive, _finishing_reads(send, reads))

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        cookies = _cookies(scope)
        state = scope.setdefault("state", {})
        new_csrf = None if cookies.get(csrf.COOKIE) else csrf.new_cookie_value()
        state["csrf_cookie"] = cookies.get(csrf.COOKIE) or new_csrf
        state["viewer"] = (
            ANONYMOUS
            if _is_static(scope)
            else self.runtime.load_viewer(cookies.get(auth.SESSION_COOKIE))
        )
        send = _with_csrf_cookie(send, new_csrf, self.runtime.settings.secure_cookies)
        # The language of everything this request renders, error pages included.
        state["locale"] = self.runtime.catalogues.activate(_locale(scope, state, cookies)).locale
        bearer = _bearer(scope)
        if bearer is not None:
            # A token replaces the cookie entirely: the request speaks for the token's
            # owner or for nobody, and a bad token is refused rather than ignored.
            found = tokens.authenticate(self.runtime, bearer)
            if found is None:
                response = error_response(Request(scope, receive), 401, str(NOT_ACCEPTED))
                response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
                await response(scope, receive, send)
                return
            state["viewer"], state["api_token"] = found.viewer, found
        send = _with_policy_headers(send, self.runtime, scope, signed_in=state["viewer"].signed_in)
        if _has_nul(scope):
            # No address of ours holds a NUL, and PostgreSQL cannot even compare one.
            response = error_response(Request(scope, receive), 400, str(NUL_MESSAGE))
            await response(scope, receive, send)
            return

        who = state["viewer"]
        if (
            bearer is None
            and not str(scope.get("path", "")).startswith(SET_UP_ALLOWED)
            and twofactor.must_set_up(self.runtime, who.user_id, who.is_secretariat)
        ):
            # TWO_FACTOR_REQUIRED: a secretariat member without a second factor may set it
            # up or sign out, and nothing else, until it is on (docs/security.md).
            response = RedirectResponse(SET_UP_PAGE, status_code=303)
            await response(scope, receive, send)
            return

        if scope["method"] in UNSAFE_METHODS:
            problem, receive = await self._check_unsafe(scope, receive, cookies, bearer is None)
            if problem is not None:
                status, message = problem
                response = error_response(Request(scope, receive), status, message)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _check_unsafe(
        self, scope: Scope, receive: Receive, cookies: dict[str, str], needs_csrf: bool = True
    ) -> tuple[tuple[int, str] | None, Receive]:
        limit = self.runtime.settings.max_body_bytes
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"0")
        if self._is_upload(scope, headers):
            # Streamed by the route itself (workspace/files/upload.py), which checks the
            # CSRF token and the file's size as the body arrives; a body declared larger
            # than any allowed upload is refused before a byte of it is read.
            upload_limit = self.runtime.settings.max_upload_bytes + FORM_OVERHEAD
            if declared.isdigit() and int(declared) > upload_limit:
                return (413, _too_large_file(self.runtime.settings.max_upload_bytes)), receive
            return None, receive
        if declared.isdigit() and int(declared) > limit:
            return (413, _too_large(limit)), receive
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return (400, _("The request was interrupted.")), receive
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                return (413, _too_large(limit)), receive
        replay = _replay(body)
        token = headers.get(csrf.HEADER.encode(), b"").decode("latin-1")
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        if content_type.startswith("application/x-www-form-urlencoded"):
            try:
                fields = parse_qsl(
                    body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict"
                )
            except UnicodeDecodeError:
                return (400, _("The form contained text that is not valid UTF-8.")), replay
            token = token or next((v for k, v in fields if k == csrf.FIELD), "")
        secret = self.runtime.settings.secret_key
        # A bearer token is never sent by a browser on its own, so a request carrying one
        # cannot be forged from another site: it needs no CSRF token. A cookie can.
        exempt = not needs_csrf or str(scope.get("path", "")).startswith(CSRF_EXEMPT_PREFIXES)
        if not exempt and not csrf.valid(secret, cookies.get(csrf.COOKIE), token):
            return (
                403,
                _(
                    "This form has expired or came from another site. "
                    "Go back, reload the page and try again."
                ),
            ), replay
        return None, replay

    def _is_upload(self, scope: Scope, headers: dict[bytes, bytes]) -> bool:
        content_type = headers.get(b"content-type", b"")
        return content_type.startswith(b"multipart/form-data") and any(
            pattern.fullmatch(scope["path"]) for pattern in self.runtime.upload_paths
        )


SET_UP_PAGE = "/account/two-factor"
SET_UP_ALLOWED = (SET_UP_PAGE, "/account/sign-out", "/static/", "/healthz")

NUL_MESSAGE = lazy_gettext(
    "The address contains a character that no page uses. Check it and try again."
)


STATIC_PREFIX = "/static/"


def _finishing_reads(send: Send, reads: RequestReads) -> Send:
    """Once the response starts, a streamed body's reads (an export's batches) go back
    to a transaction each: one held for the whole download would keep SQLite's log
    from being checkpointed."""

    async def send_finishing(message: Message) -> None:
        if message["type"] == "http.response.start":
            reads.finish()
        await send(message)

    return send_finishing


def _is_static(scope: Scope) -> bool:
    """A stylesheet, script or image: the same for everyone, so who asks is not looked
    up. A browser asks again for each of a page's files on every page it opens (to
    check they are unchanged), and reading the session, seats and invitations for each
    cost a signed-in person more queries than the page itself (issue 19). A missing
    file's 404 page is therefore shown as to a visitor."""
    return scope["method"] in ("GET", "HEAD") and str(scope.get("path", "")).startswith(
        STATIC_PREFIX
    )


def _has_nul(scope: Scope) -> bool:
    query = bytes(scope.get("query_string", b"")).lower()
    return "\x00" in str(scope.get("path", "")) or b"%00" in query or b"\x00" in query


HSTS = "max-age=31536000; includeSubDomains"
PRIVATE = "private, no-store"


def _with_policy_headers(send: Send, runtime: Runtime, scope: Scope, *, signed_in: bool) -> Send:
    """Headers that depend on who asks and how the site is served: signed-in pages are
    never stored by a browser or proxy (a shared computer's back button shows nothing);
    with an https `BASE_URL`, HSTS; every 429 says when to try again (`Retry-After`)."""
    private = signed_in and not str(scope.get("path", "")).startswith(STATIC_PREFIX)
    secure = runtime.settings.secure_cookies

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            if private:
                headers["Cache-Control"] = PRIVATE
            if secure:
                headers.setdefault("Strict-Transport-Security", HSTS)
            if message["status"] == 429:
                headers.setdefault("Retry-After", str(runtime.limiter.retry_after()))
        await send(message)

    return wrapped


def _too_large_file(limit: int) -> str:
    return _(
        "The file is too large. Files can be up to %(limit)s MB. "
        "Go back and choose a smaller file.",
        limit=number(round(limit / 1048576)),
    )


def _too_large(limit: int) -> str:
    return _("What you sent is too large. The limit is %(limit)s kB.", limit=number(limit // 1000))


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _with_csrf_cookie(send: Send, value: str | None, secure: bool) -> Send:
    if value is None:
        return send

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            cookie = f"{csrf.COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax"
            headers.append("Set-Cookie", cookie + ("; Secure" if secure else ""))
        await send(message)

    return wrapped


def _locale(scope: Scope, state: dict[str, object], cookies: dict[str, str]) -> str:
    """`?lang=` (a link to a page in one language: the `hreflang` alternates), else the
    person's saved choice, else the `lang` cookie, else `Accept-Language`."""
    asked = next((v for k, v in parse_qsl(_query(scope)) if k == i18n.COOKIE), None)
    if asked in i18n.LANGUAGES:
        return str(asked)
    saved = getattr(state.get("viewer"), "language", "")
    accept = next((v for k, v in scope["headers"] if k == b"accept-language"), b"")
    return i18n.choose(saved, cookies.get(i18n.COOKIE), accept.decode("latin-1"))


def _query(scope: Scope) -> str:
    return bytes(scope.get("query_string", b"")).decode("latin-1")


def _cookies(scope: Scope) -> dict[str, str]:
    raw = next((v for k, v in scope["headers"] if k == b"cookie"), b"")
    return cookie_parser(raw.decode("latin-1"))


# Personal API tokens (workspace/tokens) are accepted on the JSON API only.
API_PREFIX = "/api/"
NOT_ACCEPTED = lazy_gettext(
    "The API token is not valid: it is unknown, revoked, or its owner closed their account."
)


def _bearer(scope: Scope) -> str | None:
    """The bearer token of an API request, or None when it sends none. A malformed
    Authorization header counts as a bad token ("")."""
    if not str(scope.get("path", "")).startswith(API_PREFIX):
        return None
    raw = next((v for k, v in scope["headers"] if k == b"authorization"), None)
    if raw is None:
        return None
    kind, _, value = raw.decode("latin-1").partition(" ")
    return value.strip() if kind.lower() == "bearer" else ""
