"""How an API endpoint is declared and served.

An `Endpoint` names its path, method, response model and (for writes) request model; the
same declaration builds the Starlette route and the OpenAPI document (`openapi.py`), so
the two cannot drift apart. Every call passes the same gate: the per-token (or per-IP)
rate limit, the token's scope, then the handler, whose refusals come from
`workspace.permissions` like the HTML pages'. Errors are RFC 9457 problems.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from sharedspace.api.problems import ApiError, FieldProblem, problem
from workspace.failures import Conflict, DomainError, Forbidden, Invalid, NotFound
from workspace.numbers import parse_id, parse_int
from workspace.permissions import SignInRequired, Viewer, require_token_scope
from workspace.runtime import Runtime, runtime, viewer
from workspace.tokens.service import Bearer

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
MAX_LIMIT = 100
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict[str, Any]
    where: str = "query"
    required: bool = False


LIMIT = Param(
    "limit",
    f"Items per page, 1 to {MAX_LIMIT}",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
)
CURSOR = Param(
    "cursor", "The `next_cursor` of the previous page", {"type": "string", "maxLength": 40}
)
PAGED = (LIMIT, CURSOR)


@dataclass
class Call:
    """One request as a handler sees it."""

    rt: Runtime
    viewer: Viewer
    token: Bearer | None
    path: dict[str, Any]
    query: QueryParams
    raw_body: bytes = b""
    content_type: str = ""

    def payload(self, model: type[M]) -> M:
        """The JSON body as `model`: 415 unless it is JSON, 422 with each fault."""
        if not self.content_type.startswith("application/json"):
            raise ApiError(415, "Send the request body as JSON (Content-Type: application/json).")
        try:
            return model.model_validate_json(self.raw_body or b"null")
        except ValidationError as error:
            raise ApiError(422, "The request body is not valid.", _faults(error)) from None

    def page(self) -> tuple[int, int]:
        """(id after which to start, page size) from `cursor` and `limit`."""
        limit = parse_int(self.query.get("limit", str(DEFAULT_LIMIT)), low=1, high=MAX_LIMIT)
        if limit is None:
            raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}.")
        return decode_cursor(self.query.get("cursor", "")), limit


Handler = Callable[[Call], BaseModel]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # below /api/v1, Starlette syntax: "/groups/{slug}"
    summary: str
    handler: Handler
    response: type[BaseModel]
    tag: str
    body: type[BaseModel] | None = None
    params: Sequence[Param] = ()
    status: int = 200
    description: str = ""
    errors: Sequence[int] = field(default=(404,))

    @property
    def writes(self) -> bool:
        return self.method != "GET"


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    found = parse_id(text[3:]) if text.startswith("v1:") else None
    if found is None:
        raise ApiError(400, "The cursor is not one this API gave out. Start again without it.")
    return found


def next_cursor(ids: Sequence[int | None], limit: int) -> str | None:
    """Handlers fetch `limit + 1` rows; an extra row means there is a next page."""
    if len(ids) <= limit:
        return None
    return encode_cursor(ids[limit - 1] or 0)


def serve(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def route(request: Request) -> Response:
        rt = runtime(request)
        token: Bearer | None = getattr(request.state, "api_token", None)
        call = Call(
            rt=rt,
            viewer=viewer(request),
            token=token,
            path=dict(request.path_params),
            query=request.query_params,
            content_type=request.headers.get("content-type", ""),
        )
        try:
            _rate_limit(rt, call, request)
            if endpoint.writes:
                require_token_scope(token.scope if token else None, writes=True)
                call.raw_body = await request.body()
            result = await run_in_threadpool(endpoint.handler, call)
        except Exception as error:
            return _problem_for(error)
        return _respond(request, result, endpoint.status)

    return route


def _rate_limit(rt: Runtime, call: Call, request: Request) -> None:
    if call.token is not None:
        key, limit = f"api:token:{call.token.token_id}", rt.settings.api_limit_per_token
    elif call.viewer.signed_in:
        key, limit = f"api:user:{call.viewer.user_id}", rt.settings.api_limit_per_token
    else:
        ip = request.client.host if request.client else "unknown"
        key, limit = f"api:ip:{ip}", rt.settings.api_limit_per_ip
    if rt.limiter.exceeded(key, limit):
        window = rt.limiter.window
        wait = window - int(time.time()) % window
        raise ApiError(
            429,
            f"Too many requests: {limit:,} are allowed every {window // 60} minutes.",
            headers={"Retry-After": str(wait)},
        )
    rt.limiter.hit(key)


STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    Invalid: 422,
}


def _problem_for(error: Exception) -> Response:
    if isinstance(error, ApiError):
        return problem(error.status, error.detail, error.errors, error.headers)
    if isinstance(error, SignInRequired):
        return problem(
            401,
            "Send a personal API token (Authorization: Bearer ...) to do this.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if isinstance(error, DomainError):
        status = next((s for kind, s in STATUS_OF.items() if isinstance(error, kind)), 400)
        return problem(status, error.message)
    if isinstance(error, HTTPException):
        return problem(error.status_code, "" if error.detail == "Not Found" else str(error.detail))
    if isinstance(error, LookupError):
        return problem(404)
    log.exception("API failure", exc_info=error)
    return problem(500, "Try again later.")


def _respond(request: Request, result: BaseModel, status: int) -> Response:
    body = result.model_dump_json().encode()
    etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": "private, no-cache",
        "Vary": "Authorization, Cookie",
    }
    if request.method == "GET" and etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _etags(header: str) -> set[str]:
    found = {tag.strip() for tag in header.split(",") if tag.strip()}
    # Weak comparison (RFC 9110 8.8.3.2): W/"x" and "x" name the same representation.
    return found | {f"W/{tag}" for tag in found if not tag.startswith("W/")}


def _faults(error: ValidationError) -> list[FieldProblem]:
    return [
        FieldProblem(
            pointer="/" + "/".join(str(part) for part in fault["loc"]),
            detail=fault["msg"],
        )
        for fault in error.errors()
    ]


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
