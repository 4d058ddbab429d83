"""Pages of a long list: the page number read from a request (bounded, through
`workspace.numbers`) and the GOV.UK pagination component's parameters. The audit log and
the answers to a consultation question page the same way."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from workspace.i18n import gettext as _
from workspace.numbers import parse_int

MAX_PAGE = 10_000  # a bound on the offset any list is asked for


def page_number(request: Request) -> int:
    """The `page` query parameter, 1 when it is missing, not a number or out of bounds."""
    return parse_int(request.query_params.get("page"), low=1, high=MAX_PAGE) or 1


def pagination(
    number: int, more: bool, path: str, filters: dict[str, str], label: str
) -> dict[str, Any]:
    """The GOV.UK pagination component's parameters: previous and next, keeping the
    filters in the links; `label` names the landmark ("Pages of events")."""

    def href(n: int) -> str:
        return f"{path}?{urlencode(filters | {'page': str(n)})}"

    found: dict[str, Any] = {"landmarkLabel": label}
    if number > 1:
        found["previous"] = {
            "href": href(number - 1),
            "text": _("Previous"),
            "labelText": _("Page %(page)d", page=number - 1),
        }
    if more:
        found["next"] = {
            "href": href(number + 1),
            "text": _("Next"),
            "labelText": _("Page %(page)d", page=number + 1),
        }
    return found
