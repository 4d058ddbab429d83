"""Reading the secretariat's forms: a group's name and remit, and seating a member or an
observer. What needs the database (does the account exist?) is checked in `service`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workspace.forms import FormInput
from workspace.i18n import gettext as _


@dataclass
class GroupDraft:
    name: str
    remit: str


def check_group(form: FormInput) -> GroupDraft:
    return GroupDraft(
        name=form.required("name", _("a name for the task group"), max_length=150),
        remit=form.optional("remit", _("the remit"), max_length=20_000, multiline=True),
    )


@dataclass
class MemberSeatDraft:
    email: str
    organisation_id: int | None
    role: str


@dataclass
class ObserverSeatDraft:
    email: str
    department: str
    starts_on: date | None
    ends_on: date | None
