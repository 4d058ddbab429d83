"""Reading the chair's meeting forms: scheduling (a time in the hub's time zone) and the
record (attendance of members and observers, apart, and new action items)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from taskgroups.meetings.models import Meeting
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.numbers import parse_id
from workspace.runtime import Runtime

PRESENT, APOLOGIES, ABSENT = "present", "apologies", "absent"
NEW_ACTION_ROWS = 3  # blank action rows each time a meeting is recorded


@dataclass
class MeetingDraft:
    title: str
    starts_at: datetime | None
    place: str
    agenda: str


def check_meeting(rt: Runtime, form: FormInput) -> MeetingDraft:
    title = form.required("title", _("a title for the meeting"))
    day = form.date("day", _("the date of the meeting"))
    at = form.time("time", _("Enter the time the meeting starts, like 14:30"))
    starts = None
    if day and at:
        local = datetime.combine(day, at, tzinfo=ZoneInfo(rt.settings.timezone))
        starts = local.astimezone(UTC)
    return MeetingDraft(
        title,
        starts,
        form.optional("place", _("the place or link"), 300),
        form.optional("agenda", _("the agenda"), 20_000, multiline=True),
    )


def form_values(rt: Runtime, meeting: Meeting) -> dict[str, str]:
    local = meeting.starts_at.astimezone(ZoneInfo(rt.settings.timezone))
    return {
        "title": meeting.title,
        "day": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "place": meeting.place,
        "agenda": meeting.agenda,
    }


@dataclass
class Invitee:
    user_id: int
    name: str
    where: str  # organisation (members) or department (observers)
    organisation_id: int | None = None


@dataclass
class Invitees:
    members: list[Invitee]
    observers: list[Invitee]


@dataclass
class NewAction:
    text: str
    owner_id: int | None
    due_on: date | None


@dataclass
class RecordDraft:
    minutes: str
    decisions: str
    publish: bool
    members: dict[int, str] = field(default_factory=dict)
    observers: dict[int, str] = field(default_factory=dict)
    actions: list[NewAction] = field(default_factory=list)


def check_record(form: FormInput, people: Invitees) -> RecordDraft:
    draft = RecordDraft(
        minutes=form.optional("minutes", _("the minutes"), 50_000, multiline=True),
        decisions=form.optional("decisions", _("the decisions"), 20_000, multiline=True),
        publish=form.get("publish") == "yes",
    )
    choices = {PRESENT, APOLOGIES, ABSENT}
    for kind, found, into in (
        ("member", people.members, draft.members),
        ("observer", people.observers, draft.observers),
    ):
        for person in found:
            status = form.get(f"{kind}-{person.user_id}", ABSENT)
            if status not in choices:
                form.error(
                    f"{kind}-{person.user_id}",
                    _("Select whether %(name)s attended", name=person.name),
                )
            into[person.user_id] = status
    owners = {p.user_id for p in people.members + people.observers}
    for n in range(NEW_ACTION_ROWS):
        text = form.optional(f"action-{n}", _("the action"), 500)
        owner = form.get(f"action-{n}-owner")
        due = form.date(f"action-{n}-due", _("the action's due date"), required=False)
        if not text:
            continue
        owner_id = parse_id(owner)
        owner_id = owner_id if owner_id in owners else None
        if owner and owner_id is None:
            form.error(f"action-{n}-owner", _("Select who owns the action"))
        draft.actions.append(NewAction(text, owner_id, due))
    return draft
