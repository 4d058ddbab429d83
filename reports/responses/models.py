"""A department's response to a recommendation. Append-only: a later response (from
"under consideration" to "accepted") is a new row, and the rows are the history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow
from workspace.i18n import N_, Labels


class ResponseStatus(StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_IN_PART = "accepted_in_part"
    NOT_ACCEPTED = "not_accepted"
    UNDER_CONSIDERATION = "under_consideration"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.value]

    @property
    def final(self) -> bool:
        return self is not ResponseStatus.UNDER_CONSIDERATION


AWAITING = "awaiting"  # no response yet: a status of the tracker, never stored
# The statuses in English, as the CSV, JSON and Atom exports give them: one file for
# everyone, like the rest of what is stored or exported (docs/i18n.md).
STATUS_NAMES = {
    "accepted": N_("Accepted"),
    "accepted_in_part": N_("Accepted in part"),
    "not_accepted": N_("Not accepted"),
    "under_consideration": N_("Under consideration"),
    AWAITING: N_("Awaiting response"),
}
# The same in the reader's language, for the pages.
STATUS_LABELS = Labels(STATUS_NAMES)


class GovernmentResponse(SQLModel, table=True):
    __tablename__ = "government_response"

    id: int | None = Field(default=None, primary_key=True)
    recommendation_id: int = Field(foreign_key="recommendation.id", index=True, ondelete="CASCADE")
    # Whose response it is: the department addressed, not the person who typed it.
    department: str = Field(max_length=150)
    status: str = Field(max_length=30)
    statement: str = Field(max_length=20_000)
    statement_html: str = ""
    responded_on: date
    link: str = Field(default="", max_length=500)
    # Who recorded it, kept for the audit; shown as the department's response.
    recorded_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
