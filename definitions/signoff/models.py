"""Sign-off: each member organisation's position on a proposed version, and the disputes
an objection opens until the chair answers them.

The subject signed off is named by kind and id ("definition" 3, "report" 1), without a
foreign key, because reports live in a higher package (see `subject.py`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow
from workspace.i18n import lazy_gettext as _


class Stance(StrEnum):
    SUPPORT = "support"
    RESERVATIONS = "reservations"
    OBJECT = "object"

    @property
    def label(self) -> str:
        return str(STANCE_LABELS[self])

    @property
    def logged(self) -> str:
        """How the activity log words it: the log is stored, so it stays in English."""
        return {"support": "support", "reservations": "support with reservations"}.get(
            self.value, self.value
        )


class DisputeStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"  # changed in a later revision
    NOT_ACCEPTED = "not_accepted"
    WITHDRAWN = "withdrawn"  # by the organisation that objected


class Position(SQLModel, table=True):
    """One organisation's stance on one version, as recorded by one of its members.
    The latest row per organisation and version counts; earlier ones are history."""

    __table_args__ = (
        Index("ix_position_subject_revision", "subject_kind", "subject_id", "revision_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_kind: str = Field(default="definition", max_length=20)
    subject_id: int
    revision_number: int
    organisation_id: int = Field(foreign_key="organisation.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")
    stance: str = Field(max_length=20)
    comment: str = Field(default="", max_length=5000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Dispute(SQLModel, table=True):
    __table_args__ = (Index("ix_dispute_subject", "subject_kind", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_kind: str = Field(default="definition", max_length=20)
    subject_id: int
    position_id: int = Field(foreign_key="position.id", unique=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    revision_number: int
    status: str = Field(default=DisputeStatus.OPEN, max_length=20)
    answer: str = Field(default="", max_length=5000)
    resolved_in: int | None = None
    answered_by: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


STANCE_LABELS = {
    Stance.SUPPORT: _("Support"),
    Stance.RESERVATIONS: _("Support with reservations"),
    Stance.OBJECT: _("Object"),
}
