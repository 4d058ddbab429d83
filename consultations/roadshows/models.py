"""A road-show event of a consultation, who said they will come, and who may enter the
responses gathered there."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow
from workspace.i18n import lazy_gettext


class Channel(StrEnum):
    """How a response reached the group."""

    ONLINE = "online"
    EVENT = "event"
    LETTER = "letter"
    EMAIL = "email"

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self.value])


# Lazy: translated into the reader's language each time they are shown.
CHANNEL_LABELS = {
    Channel.ONLINE.value: lazy_gettext("Online"),
    Channel.EVENT.value: lazy_gettext("At an event"),
    Channel.LETTER.value: lazy_gettext("By letter"),
    Channel.EMAIL.value: lazy_gettext("By email"),
}


class RoadShow(SQLModel, table=True):
    __tablename__ = "road_show"

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    title: str = Field(max_length=200)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    address: str = Field(default="", max_length=500)
    where: str = Field(default="", max_length=300)  # free text: "Room 2, up the stairs"
    host_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    capacity: int | None = None  # None: no sign-up limit
    # Recorded after the event: how many came, and the organisations present (one a line).
    attendance: int | None = None
    organisations_present: str = ""
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RoadShowSignup(SQLModel, table=True):
    """Someone who said they will attend; beyond the capacity they wait, in order."""

    __tablename__ = "road_show_signup"
    __table_args__ = (UniqueConstraint("road_show_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    road_show_id: int = Field(foreign_key="road_show.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    waiting: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RoadShowFacilitator(SQLModel, table=True):
    """A member the chair appointed to enter the responses gathered at this event."""

    __tablename__ = "road_show_facilitator"
    __table_args__ = (UniqueConstraint("road_show_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    road_show_id: int = Field(foreign_key="road_show.id", index=True)
    user_id: int = Field(foreign_key="user.id")
