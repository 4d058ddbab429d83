"""Parsing the chair's consultation form: dates in UK time in, UTC out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from consultations.lifecycle.models import ModerationMode
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.i18n import lazy_gettext

MODERATION_CHOICES = {
    ModerationMode.POST.value: lazy_gettext(
        "Post-moderation: comments appear at once, moderators can hide them"
    ),
    ModerationMode.PRE.value: lazy_gettext(
        "Pre-moderation: comments appear once a moderator approves them"
    ),
}


@dataclass(frozen=True)
class ConsultationInput:
    title: str
    summary: str
    body: str
    source: str  # "" or "<definition id>:<revision number>"
    opens_at: datetime
    closes_at: datetime
    moderation: str


def check_consultation(
    form: FormInput, zone: ZoneInfo, sources: set[str]
) -> ConsultationInput | None:
    """Validate the form; on any error return None with the errors on `form`."""
    title = form.required("title", _("a title"), max_length=200)
    summary = form.optional("summary", _("Summary"), max_length=1000, multiline=True)
    body = form.optional("body", _("Body"), max_length=50_000, multiline=True)
    source = form.get("source")
    if source and source not in sources:
        form.error("source", _("Select a definition revision from the list, or none"))
    opens_at = _moment(form, "opens", _("the opening date"), zone)
    closes_at = _moment(form, "closes", _("the closing date"), zone)
    if opens_at and closes_at and closes_at <= opens_at:
        form.error("closes_date", _("The closing date must be after the opening date"))
    moderation = form.choice("moderation", _("how comments are moderated"), set(MODERATION_CHOICES))
    if not form.ok or opens_at is None or closes_at is None:
        return None
    return ConsultationInput(title, summary, body, source, opens_at, closes_at, moderation)


def _moment(form: FormInput, prefix: str, label: str, zone: ZoneInfo) -> datetime | None:
    day = form.date(f"{prefix}_date", label)
    at = form.time(f"{prefix}_time", _("Enter a time like 09:00 or 17:30"), default="09:00")
    if day is None or at is None:
        return None
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def local_parts(moment: datetime, zone: ZoneInfo) -> tuple[str, str]:
    local = moment.astimezone(zone)
    return local.date().isoformat(), local.strftime("%H:%M")


def default_dates(now: datetime, zone: ZoneInfo) -> dict[str, str]:
    """A fortnight from tomorrow: a sensible starting point for the chair to change."""
    start = date.fromordinal(now.astimezone(zone).date().toordinal() + 1)
    end = date.fromordinal(start.toordinal() + 84)
    return {
        "opens_date": start.isoformat(),
        "opens_time": "09:00",
        "closes_date": end.isoformat(),
        "closes_time": "17:00",
    }
