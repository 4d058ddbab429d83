"""Progress toward the target date: the programme and its milestones, with slippage.

A milestone's deliverable is stored as (kind, target id) without a foreign key: the
definitions and consultations it may point at live in higher packages.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow
from workspace.i18n import gettext as _


class DeliverableKind(StrEnum):
    DEFINITION_AGREED = "definition_agreed"
    OUTCOME_PUBLISHED = "outcome_published"
    MEETING_HELD = "meeting_held"
    RESPONSE_PUBLISHED = "response_published"  # the government's response to a report

    @property
    def label(self) -> str:
        # Stored with the milestone (deliverable_label), so it stays in English.
        return {
            "definition_agreed": "Definition agreed",
            "outcome_published": "Consultation outcome published",
            "meeting_held": "Meeting held",
            "response_published": "Government response published",
        }[self.value]


class MilestoneStatus(StrEnum):
    DONE = "done"
    OVERDUE = "overdue"
    AT_RISK = "at_risk"
    ON_TRACK = "on_track"

    @property
    def label(self) -> str:
        return {
            "done": _("Done"),
            "overdue": _("Overdue"),
            "at_risk": _("At risk"),
            "on_track": _("On track"),
        }[self.value]


class Programme(SQLModel, table=True):
    """One row at most: the goal and its dates. Without it, the settings say."""

    id: int | None = Field(default=None, primary_key=True)
    goal: str = Field(max_length=200)
    starts_on: date
    target_on: date
    updated_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Milestone(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # None: a hub-wide milestone, managed by the secretariat.
    group_id: int | None = Field(
        default=None, foreign_key="task_group.id", index=True, ondelete="CASCADE"
    )
    title: str = Field(max_length=200)
    description: str = ""
    description_html: str = ""
    due_on: date = Field(index=True)
    deliverable_kind: str = Field(default="", max_length=30)
    deliverable_id: int | None = None
    deliverable_label: str = Field(default="", max_length=300)
    deliverable_url: str = Field(default="", max_length=300)
    # When the deliverable was proposed (a definition) or opened (a consultation).
    deliverable_started_on: date | None = None
    completed_on: date | None = None
    completed_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    completion_note: str = Field(default="", max_length=1000)
    completion_url: str = Field(default="", max_length=300)
    created_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MilestoneSlip(SQLModel, table=True):
    """A change of due date, kept: the slippage is part of the record."""

    __tablename__ = "milestone_slip"

    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id", index=True, ondelete="CASCADE")
    from_on: date
    to_on: date
    reason: str = Field(max_length=1000)
    changed_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
