"""Definitions: an append-only chain of revisions, each holding ordered tiers. The record of
sign-off (positions and disputes) is in `definitions.signoff.models`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow


class DefinitionStatus(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    AGREED = "agreed"
    SUPERSEDED = "superseded"


class Definition(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("group_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="task_group.id", index=True)
    title: str = Field(max_length=200)
    slug: str = Field(max_length=200)
    purpose: str = ""
    status: str = Field(default=DefinitionStatus.DRAFT, max_length=20)
    head_number: int = 0
    proposed_number: int | None = None
    agreed_number: int | None = None
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Revision(SQLModel, table=True):
    """Immutable once written. `base_number` is the revision the author started from;
    `merged_with` is the head their change was merged onto, when it had moved on."""

    __table_args__ = (UniqueConstraint("definition_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    definition_id: int = Field(foreign_key="definition.id", index=True)
    number: int
    author_id: int | None = Field(default=None, foreign_key="user.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    change_note: str = Field(default="", max_length=500)
    base_number: int | None = None
    merged_with: int | None = None


class TierRow(SQLModel, table=True):
    __tablename__ = "tier"
    __table_args__ = (UniqueConstraint("revision_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    revision_id: int = Field(foreign_key="revision.id", index=True)
    position: int  # 0 is the base of the pyramid
    key: str = Field(max_length=32)
    name: str = Field(max_length=120)
    summary: str = Field(default="", max_length=500)
    requirement: str = ""
    requirement_html: str = ""
    metric_comparator: str = Field(default="", max_length=2)
    metric_value: str = Field(default="", max_length=20)
    metric_unit: str = Field(default="", max_length=40)
