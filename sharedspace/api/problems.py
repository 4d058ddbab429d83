"""RFC 9457 problem responses: every error the API gives has this shape."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

from workspace.errors import TITLES

MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    """One thing wrong with the request body: where (a JSON Pointer) and what."""

    pointer: str = Field(description="JSON Pointer to the member of the body at fault")
    detail: str


class Problem(BaseModel):
    """An error, as RFC 9457 describes it."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[FieldProblem] | None = Field(
        default=None, description="For 422: each member of the body at fault"
    )


class ApiError(Exception):
    """A refusal the API answers with a problem response."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        errors: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem(
    status: int,
    detail: str = "",
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        title=str(TITLES.get(status, "There is a problem")),
        status=status,
        detail=detail,
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )
