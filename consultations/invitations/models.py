"""An invitation to an invited consultation: a person by email (with or without an
account) or an organisation (all its people, or a named contact)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow
from workspace.i18n import lazy_gettext


class Publication(StrEnum):
    """What of an invited consultation becomes public once it closes (the chair's choice)."""

    NOTHING = "nothing"
    SUMMARY = "summary"
    RESPONSES = "responses"  # the summary and the responses (each respondent's consent applies)

    @property
    def label(self) -> str:
        return str(PUBLICATION_LABELS[self.value])


# Lazy: translated into the reader's language each time they are shown.
PUBLICATION_LABELS = {
    Publication.NOTHING.value: lazy_gettext(
        "Nothing: the summary and responses stay with the group"
    ),
    Publication.SUMMARY.value: lazy_gettext("The summary only"),
    Publication.RESPONSES.value: lazy_gettext(
        "The summary and the responses, as each respondent consented"
    ),
}


class Invitation(SQLModel, table=True):
    __tablename__ = "consultation_invitation"

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    email: str = Field(default="", max_length=320, index=True)  # the person or named contact
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    # An organisation's invitation reaches all its people (those seated for it in any
    # group) as well as its contact; otherwise only the contact.
    whole_organisation: bool = False
    # The account it belongs to: set at once when the address has one, else when the
    # link is used to register or sign in.
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    # sha256 of the single-use link's token: the token itself is only ever in the email.
    token_hash: str = Field(default="", max_length=64, index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminders: int = 0
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delegated_from: int | None = Field(default=None, foreign_key="consultation_invitation.id")
    invited_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
