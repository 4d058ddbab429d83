"""Structured responses to a consultation's questions, each with its publication consent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow


class Consent(StrEnum):
    NAMED = "named"  # publish with my name
    ANONYMOUS = "anonymous"  # publish without my name
    WITHHELD = "withheld"  # do not publish


class Response(SQLModel, table=True):
    """One person's answers to one consultation; editable until it closes."""

    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    # None for a response gathered away from the site (a letter, an event's paper form):
    # `respondent_name` names the respondent and `entered_by` the facilitator.
    user_id: int | None = Field(default=None, foreign_key="user.id")
    on_behalf_of: str = Field(default="", max_length=200)  # organisation name, or "" = individual
    sector: str = Field(default="individual", max_length=30)
    consent: str = Field(default=Consent.NAMED, max_length=20)
    # Normalised text fingerprints for campaign (identical / near-identical) detection.
    fingerprint: str = Field(default="", max_length=64, index=True)
    simhash: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Marked commercially confidential by the respondent: counted in the summary, never in
    # a public export or the public summary's quoted text, whatever the consent says.
    confidential: bool = False
    # How it reached the group (consultations.roadshows.models.Channel) and, for one
    # gathered at a road show, which.
    channel: str = Field(default="online", max_length=10)
    road_show_id: int | None = Field(default=None, foreign_key="road_show.id", index=True)
    entered_by: int | None = Field(default=None, foreign_key="user.id")
    respondent_name: str = Field(default="", max_length=200)
