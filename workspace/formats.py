"""Dates, times and numbers in the current language (workspace/i18n.py), through Babel's
CLDR data, so a Welsh page says "1 Rhagfyr 2026" and "dydd Mawrth".

Templates keep their `strftime`-style formats (`london("%-d %B %Y")`); they are turned
into CLDR patterns here. The word joining a date to its time ("at", "am") is a message
like any other.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from workspace.i18n import current_babel_locale, gettext

DEFAULT_WHEN = "%-d %B %Y %H:%M"
# strftime directives the templates use, as CLDR pattern letters.
_DIRECTIVES = {
    "%-d": "d",
    "%d": "dd",
    "%B": "MMMM",
    "%b": "MMM",
    "%Y": "yyyy",
    "%H": "HH",
    "%M": "mm",
    "%S": "ss",
    "%A": "EEEE",
    "%a": "EEE",
    "%m": "MM",
}
_TOKEN = re.compile(r"%-?[a-zA-Z]")
_AT = " at "


def when(value: datetime | None, fmt: str = DEFAULT_WHEN, zone: ZoneInfo | None = None) -> str:
    """A moment in `zone` (the hub's), written with a strftime-style `fmt`."""
    if value is None:
        return ""
    local = value.astimezone(zone) if zone is not None else value
    locale = current_babel_locale()
    date_part, found, time_part = fmt.partition(_AT)
    if found:
        return gettext(
            "%(date)s at %(time)s",
            date=format_datetime(local, _pattern(date_part), locale=locale),
            time=format_datetime(local, _pattern(time_part), locale=locale),
        )
    return format_datetime(local, _pattern(fmt), locale=locale)


def day(value: date | datetime | None, zone: ZoneInfo | None = None) -> str:
    """A day, as "1 December 2026" / "1 Rhagfyr 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(zone).date() if zone is not None else value.date()
    return format_date(value, "d MMMM yyyy", locale=current_babel_locale())


def number(value: int | float | None) -> str:
    """A number with the language's grouping: 12,345."""
    if value is None:
        return ""
    return format_decimal(value, locale=current_babel_locale())


@lru_cache(maxsize=64)
def _pattern(fmt: str) -> str:
    """A strftime format as a CLDR pattern, literal text quoted."""
    pieces: list[str] = []
    position = 0
    for match in _TOKEN.finditer(fmt):
        pieces.append(_literal(fmt[position : match.start()]))
        pieces.append(_DIRECTIVES.get(match.group(), _literal(match.group())))
        position = match.end()
    pieces.append(_literal(fmt[position:]))
    return "".join(pieces)


def _literal(text: str) -> str:
    if not text:
        return ""
    if not re.search(r"[A-Za-z']", text):
        return text
    return "'" + text.replace("'", "''") + "'"
