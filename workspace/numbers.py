"""The one parser for numbers and ids that come from a request (paths, query strings, form
fields). Only ASCII digits count (`str.isdigit()` also accepts "²" and other Unicode digits,
which `int()` then refuses), and every value is bounded to what the database column holds,
so a hostile value gives a "not found" or a form error, never a server error.
"""

from __future__ import annotations

import re
from datetime import date, time

from starlette.convertors import Convertor, register_url_convertor

# The largest id an `integer` column holds on PostgreSQL (and the most SQLite is asked to
# compare): a larger one cannot exist.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,12}")  # 12 digits bound the work before the range check


def parse_int(raw: str | None, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """`raw` as an integer within [low, high], or None when it is missing, is not plain
    ASCII digits (an optional leading minus only when `low` is negative) or is out of range."""
    if raw is None:
        return None
    text = raw.strip()
    negative = text.startswith("-") and low < 0
    digits = text[1:] if negative else text
    if not _DIGITS.fullmatch(digits):
        return None
    value = -int(digits) if negative else int(digits)
    return value if low <= value <= high else None


def parse_id(raw: str | None) -> int | None:
    """A row id from a request: 1 to MAX_ID, or None."""
    return parse_int(raw, low=1)


def _bounded_digits(limit: int) -> str:
    """A regular expression matching exactly the decimal numbers 1..limit (no leading
    zero), so a router refuses a larger one before any code runs."""
    text = str(limit)
    parts = [f"[1-9][0-9]{{0,{len(text) - 2}}}"] if len(text) > 1 else []
    for i, ch in enumerate(text):
        rest = len(text) - i - 1
        low = "1" if i == 0 else "0"
        if ch > low:
            top = chr(ord(ch) - 1)
            span = f"[{low}-{top}]" if top != low else low
            parts.append(f"{text[:i]}{span}[0-9]{{{rest}}}")
    parts.append(text)
    return "(?:" + "|".join(parts) + ")"


class IdConvertor(Convertor[int]):
    """`{name:id}` in a route: 1 to MAX_ID in ASCII digits; anything else does not match
    the route, so it is a 404 page, never an overflow in the database."""

    regex = _bounded_digits(MAX_ID)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        if not 1 <= value <= MAX_ID:
            raise ValueError(f"{value} is not an id")
        return str(value)


register_url_convertor("id", IdConvertor())

# Dates people give: years a policy programme can mean. Python's own limits (year 1 and
# 9999) overflow as soon as a day is added or a time zone applied.
FIRST_YEAR = 1900
LAST_YEAR = 2200


def parse_date(raw: str | None) -> date | None:
    """An ISO date (YYYY-MM-DD, ASCII digits) within FIRST_YEAR..LAST_YEAR, or None."""
    return bounded_date(parse_date_unbounded(raw))


def parse_date_unbounded(raw: str | None) -> date | None:
    """A real ISO date (YYYY-MM-DD, ASCII digits), whatever its year, or None: only to tell
    "not a date" from "out of range" in a message."""
    text = (raw or "").strip()
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def bounded_date(value: date | None) -> date | None:
    """`value` when its year is one the workspace can mean, else None."""
    if value is None or not FIRST_YEAR <= value.year <= LAST_YEAR:
        return None
    return value


def parse_time(raw: str | None) -> time | None:
    """A 24-hour time HH:MM (or HH:MM:SS), ASCII digits only, or None."""
    text = (raw or "").strip()
    if not _TIME.fullmatch(text):
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        return None


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}(?::[0-9]{2})?")
