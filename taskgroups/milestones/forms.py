"""Reading the programme and milestone forms. A due date that moves needs a reason, kept
as the milestone's slippage history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from taskgroups.milestones.models import (
    Milestone,
)
from workspace.forms import FormInput
from workspace.hooks import DeliverableOption
from workspace.i18n import gettext as _


@dataclass(frozen=True)
class ProgrammeView:
    goal: str
    starts_on: date
    target_on: date

    def days_left(self, on: date) -> int:
        return (self.target_on - on).days


def check_programme(form: FormInput) -> ProgrammeView | None:
    goal = form.required("goal", _("the programme's goal"))
    starts = form.date("starts_on", _("the start date"))
    target = form.date("target_on", _("the target date"))
    if starts and target and target <= starts:
        form.error("target_on", _("The target date must be after the start date"))
    if not form.ok or starts is None or target is None:
        return None
    return ProgrammeView(goal, starts, target)


@dataclass
class MilestoneDraft:
    title: str
    description: str
    due_on: date | None
    deliverable: DeliverableOption | None
    reason: str = ""


def check_milestone(
    form: FormInput, options: list[DeliverableOption], current: Milestone | None = None
) -> MilestoneDraft:
    draft = MilestoneDraft(
        title=form.required("title", _("a title for the milestone")),
        description=form.optional("description", _("the description"), 5000, multiline=True),
        due_on=form.date("due_on", _("the due date")),
        deliverable=None,
    )
    chosen = form.get("deliverable")
    if chosen:
        draft.deliverable = next((o for o in options if o.value == chosen), None)
        keep = (
            current is not None and chosen == f"{current.deliverable_kind}:{current.deliverable_id}"
        )
        if draft.deliverable is None and not keep:
            form.error("deliverable", _("Select a deliverable from the list"))
    if current is not None and draft.due_on and draft.due_on != current.due_on:
        draft.reason = form.required(
            "reason", _("why the due date has moved"), 1000, multiline=True
        )
    return draft
