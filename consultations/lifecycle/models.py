"""A consultation: a frozen draft put to the public between two times.

Status is never stored: it is derived from the clock (`opens_at`, `closes_at`) and from
whether the outcome is published, so a consultation opens and closes on time with no job
running, and every write checks it again (see `consultations.lifecycle.status`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow
from workspace.i18n import gettext as _


class ConsultationStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    OUTCOME_PUBLISHED = "outcome_published"

    @property
    def label(self) -> str:
        """The status in the reader's language (translated when read, never stored)."""
        return {
            "draft": _("Not yet open"),
            "open": _("Open"),
            "closed": _("Closed"),
            "outcome_published": _("Outcome published"),
        }[self.value]


class ModerationMode(StrEnum):
    POST = "post"  # comments appear at once; moderators hide afterwards
    PRE = "pre"  # comments wait for a moderator's approval


class Consultation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="task_group.id", index=True)
    slug: str = Field(max_length=200, unique=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=1000)
    body: str = ""
    body_html: str = ""
    # The definition revision consulted on, frozen as JSON (the export format) when the
    # consultation is created, so later revisions never change what respondents saw.
    definition_id: int | None = Field(default=None, foreign_key="definition.id")
    revision_number: int | None = None
    frozen_definition: str = ""
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    moderation: str = Field(default=ModerationMode.POST, max_length=10)
    # The last status announced as an event (ConsultationOpened, ConsultationClosed): a transition
    # the clock made is published once, by whichever process notices it first.
    announced: str = Field(default=ConsultationStatus.DRAFT, max_length=20)
    # Bumped in the same transaction as every comment change: the change feed's cursor.
    comment_seq: int = 0
    outcome_summary: str = ""
    outcome_html: str = ""
    outcome_published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Open to everyone, or by invitation (workspace.permissions.Audience): an invited
    # consultation is read by its invitees and the group only (consultations/invitations).
    audience: str = Field(default="open", max_length=10)
    # What becomes public after an invited consultation closes (consultations/invitations
    # `Publication`): nothing, the summary only, or the summary and the responses.
    publication: str = Field(default="responses", max_length=20)
