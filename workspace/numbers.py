"""The one parser for numbers and ids that come from a request (paths, query strings, form
fields). Only ASCII digits count (`str.isdigit()` also accepts "²" and other Unicode digits,
which `int()` then refuses), and every value is bounded to what the database column holds,
so a hostile value gives a "not found" or a form error, never a server error.
"""

from __future__ import annotations

import re

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
