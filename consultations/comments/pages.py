"""The pagination of the thread page: the GOV.UK pagination component's parameters.

The thread page shows `audience.PAGE_SIZE` top-level comments a page, each with all its
replies (consultations/comments/audience.py `shown_page`); the consultation page keeps
the whole thread.
"""

from __future__ import annotations

from typing import Any

from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation
from workspace.i18n import gettext as _


def thread_pages(consultation: Consultation, page: int, pages: int) -> dict[str, Any] | None:
    """The GOV.UK pagination component's parameters for the thread page (None when the
    thread fits on one page)."""
    if pages <= 1:
        return None
    base = f"{lifecycle.url(consultation)}/comments?page="
    found: dict[str, Any] = {"landmarkLabel": _("Pages of comments")}
    if page > 1:
        found["previous"] = {
            "href": f"{base}{page - 1}",
            "text": _("Previous"),
            "labelText": _("Page %(number)d", number=page - 1),
        }
    if page < pages:
        found["next"] = {
            "href": f"{base}{page + 1}",
            "text": _("Next"),
            "labelText": _("Page %(number)d", number=page + 1),
        }
    found["items"] = [
        {"ellipsis": True}
        if n is None
        else {"number": n, "href": f"{base}{n}", "current": n == page}
        for n in _page_numbers(page, pages)
    ]
    return found


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """First, last, and the pages around this one; gaps as None (an ellipsis)."""
    wanted = sorted({1, pages, *range(max(1, page - 1), min(pages, page + 1) + 1)})
    numbers: list[int | None] = []
    for n in wanted:
        if numbers and n - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers
