"""Form reading and validation shared by every feature.

A form's values are kept as the user typed them so an invalid form can be shown again
with nothing lost; errors are keyed by field id for the GOV.UK error summary links.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from starlette.datastructures import FormData
from starlette.requests import Request

from workspace.formats import number
from workspace.i18n import N_
from workspace.i18n import gettext as _
from workspace.numbers import (
    FIRST_YEAR,
    LAST_YEAR,
    parse_date,
    parse_date_unbounded,
    parse_id,
    parse_int,
    parse_time,
)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE_PARTS = ("day", "month", "year")
_Date = date  # inside FormInput, `date` names the method
# What a date typed in three boxes lacks, said whole so each language can word it.
MISSING_PARTS = {
    ("day",): N_("%(label)s must include a day"),
    ("month",): N_("%(label)s must include a month"),
    ("year",): N_("%(label)s must include a year"),
    ("day", "month"): N_("%(label)s must include a day and a month"),
    ("day", "year"): N_("%(label)s must include a day and a year"),
    ("month", "year"): N_("%(label)s must include a month and a year"),
}


@dataclass
class FormInput:
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def getlist(self, name: str) -> list[str]:
        return self.lists.get(name, [])

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> list[dict[str, str]]:
        """The error list in the shape govukErrorSummary expects."""
        return [{"text": text, "href": f"#{name}"} for name, text in self.errors.items()]

    def message(self, name: str) -> dict[str, str] | None:
        """The inline error in the shape GOV.UK form macros expect."""
        text = self.errors.get(name)
        # GOV.UK's hidden prefix read out before the message ("Error:") is English unless told.
        return {"text": text, "visuallyHiddenText": _("Error")} if text else None

    # -- validators: each records an error and returns the cleaned value --------------

    def required(
        self, name: str, label: str, max_length: int = 200, *, multiline: bool = False
    ) -> str:
        """A text a person must give: one line unless `multiline` (a textarea)."""
        value = self._text(name, label, multiline)
        if not value:
            self.error(name, _("Enter %(label)s", label=label))
        elif len(value) > max_length:
            self.error(name, _too_long(label, max_length))
        return value

    def optional(
        self, name: str, label: str, max_length: int = 20_000, *, multiline: bool = False
    ) -> str:
        """A text a person may leave out: one line unless `multiline` (a textarea)."""
        value = self._text(name, label, multiline)
        if len(value) > max_length:
            self.error(name, _too_long(label, max_length))
        return value

    def _text(self, name: str, label: str, multiline: bool) -> str:
        """The field's text: a textarea keeps line breaks (and tabs) and loses other control
        characters; a one-line field with any of them is an error, its text kept as typed."""
        raw = self.get(name)
        if multiline:
            return strip_controls(raw).strip()
        if has_controls(raw):
            self.error(
                name,
                _(
                    "Enter %(label)s on one line, without line breaks or control characters",
                    label=label,
                ),
            )
        return raw.strip()

    def email(self, name: str = "email") -> str:
        value = normalise_email(self.get(name))
        if not value:
            self.error(name, _("Enter your email address"))
        elif len(value) > 254 or not EMAIL_RE.match(value):
            self.error(
                name, _("Enter an email address in the correct format, like name@example.com")
            )
        return value

    def choice(self, name: str, label: str, choices: set[str] | dict[str, str]) -> str:
        value = self.get(name)
        if value not in choices:
            self.error(name, _("Select %(label)s", label=label))
        return value

    def date(self, name: str, label: str, *, required: bool = True) -> date | None:
        """A date from the GOV.UK date input (`name-day`, `name-month`, `name-year`), or
        from one ISO field `name` (older forms, tests and scripts)."""
        if any(f"{name}-{part}" in self.values for part in DATE_PARTS):
            return self._date_from_parts(name, label, required=required)
        value = self.get(name).strip()
        if not value:
            if required:
                self.error(name, _("Enter %(label)s", label=label))
            return None
        found = parse_date(value)
        text = _capital(label)
        if found is None and parse_date_unbounded(value) is not None:
            self.error(
                name,
                _(
                    "%(label)s must be between %(first)d and %(last)d",
                    label=text,
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                ),
            )
        elif found is None:
            self.error(name, _("%(label)s must be a real date, like 2016-04-01", label=text))
        return found

    def time(self, name: str, message: str, *, default: str = "") -> dt.time | None:
        """A 24-hour time like 14:30 (`default` when left empty); `message` when not."""
        found = parse_time(self.get(name).strip() or default)
        if found is None:
            self.error(name, message)
        return found

    def _date_from_parts(self, name: str, label: str, *, required: bool) -> _Date | None:
        raw = {part: self.get(f"{name}-{part}").strip() for part in DATE_PARTS}
        if not any(raw.values()):
            if required:
                self.error(name, _("Enter %(label)s", label=label))
            return None
        missing = tuple(part for part in DATE_PARTS if not raw[part])
        title = _capital(label)
        if missing:
            self.error(name, _(MISSING_PARTS[missing], label=title))
            return None
        day = parse_int(raw["day"], low=1, high=31)
        month = parse_int(raw["month"], low=1, high=12)
        year = parse_int(raw["year"], low=FIRST_YEAR, high=LAST_YEAR)
        if day is None or month is None or year is None:
            self.error(name, _("%(label)s must be a real date, like 1 4 2016", label=title))
            return None
        try:
            return _Date(year, month, day)
        except ValueError:
            self.error(name, _("%(label)s must be a real date, like 1 4 2016", label=title))
            return None

    def integer(self, name: str, label: str) -> int | None:
        value = parse_id(self.get(name))
        if value is None:
            self.error(name, _("Select %(label)s", label=label))
        return value


def _capital(label: str) -> str:
    return f"{label[0].upper()}{label[1:]}" if label else label


def _too_long(label: str, limit: int) -> str:
    return _(
        "%(label)s must be %(limit)s characters or fewer",
        label=_capital(label),
        limit=number(limit),
    )


def has_controls(value: str) -> bool:
    """Whether `value` holds a control character or a line or paragraph separator."""
    return any(_is_control(ch) for ch in value)


def strip_controls(value: str) -> str:
    """`value` without control characters, except line breaks and tabs."""
    return "".join(ch for ch in value if ch in "\n\t" or not _is_control(ch))


def one_line(value: str) -> str:
    """`value` for a place that holds one line (a calendar's name, a header): every run of
    control characters and line breaks becomes one space."""
    return " ".join("".join(" " if _is_control(ch) else ch for ch in value).split())


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def normalise_email(value: str) -> str:
    """Trim and lower-case. Lower-casing the local part is not strictly correct by the
    RFC, but every mail provider people use treats it so, and it stops duplicates."""
    return value.strip().lower()


def safe_next(value: str) -> str:
    """Only ever send people on to a page of this site."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


async def read_form(request: Request) -> FormInput:
    form: FormData = await request.form(max_files=0, max_fields=500)
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for key, raw in form.multi_items():
        if not isinstance(raw, str):
            continue
        # NUL cannot be stored in PostgreSQL text and has no business in a form.
        value = raw.replace("\x00", "").replace("\r\n", "\n")
        values.setdefault(key, value)
        lists.setdefault(key, []).append(value)
    return FormInput(values=values, lists=lists)
