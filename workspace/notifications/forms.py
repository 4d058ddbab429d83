"""Reading the preferences and follow forms."""

from __future__ import annotations

from collections.abc import Iterable

from workspace.forms import FormInput
from workspace.hooks import NotificationKind
from workspace.i18n import gettext as _
from workspace.notifications.models import Channel
from workspace.notifications.service import DEFAULT, Preferences, valid_timezone
from workspace.numbers import parse_int

CHOICES = {DEFAULT, *(c.value for c in Channel)}


def field_name(kind: NotificationKind) -> str:
    return f"kind-{kind.key}"


def read_preferences(
    form: FormInput, kinds: Iterable[NotificationKind]
) -> tuple[dict[str, str], Preferences]:
    """The chosen channel per kind and the digest time; errors recorded on the form."""
    choices: dict[str, str] = {}
    for kind in kinds:
        name = field_name(kind)
        value = form.get(name, DEFAULT) or DEFAULT
        if value not in CHOICES:
            form.error(name, _("Select how you hear about %(kind)s", kind=str(kind.label).lower()))
        choices[kind.key] = value
    zone = form.get("timezone").strip()
    if not valid_timezone(zone):
        form.error("timezone", _("Enter a time zone like Europe/London"))
    hour = parse_int(form.get("digest_hour"), low=0, high=23)
    if hour is None:
        form.error("digest_hour", _("Select the hour your digests arrive"))
    weekday = parse_int(form.get("digest_weekday"), low=0, high=6)
    if weekday is None:
        form.error("digest_weekday", _("Select the day of your weekly digest"))
    when = Preferences(
        choices=[],
        timezone=zone,
        digest_hour=hour or 0,
        digest_weekday=weekday or 0,
        emails_off=form.get("emails_off") == "yes",
    )
    return choices, when
