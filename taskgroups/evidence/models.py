"""Evidence: one document or link in a group's library, and what it is linked to.

A link names its target by kind and id (and a key inside it: a tier of a definition),
without a foreign key, because the targets (tiers, consultations, recommendations) live
in higher packages; they describe themselves through the `evidence_targets` hook.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow
from workspace.i18n import N_, Labels


class EvidenceKind(StrEnum):
    RESEARCH = "research"
    COST_MODEL = "cost_model"
    POSITION_PAPER = "position_paper"
    MINUTES = "minutes"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


# The kinds in English, as the search index stores them: it is built once for every
# reader, so what it holds is not in anyone's language in particular.
KIND_NAMES: dict[str, str] = {
    EvidenceKind.RESEARCH: N_("Research"),
    EvidenceKind.COST_MODEL: N_("Cost model"),
    EvidenceKind.POSITION_PAPER: N_("Position paper"),
    EvidenceKind.MINUTES: N_("Minutes and meeting papers"),
    EvidenceKind.OTHER: N_("Other"),
}
# The kinds as people read them, in their language.
KIND_LABELS = Labels(KIND_NAMES)


class Visibility(StrEnum):
    GROUP = "group"  # the group's members, observers and the secretariat
    PUBLIC = "public"


class Evidence(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="task_group.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    authors: str = Field(default="", max_length=300)  # authors, or the source
    published_on: date | None = None
    kind: str = Field(default=EvidenceKind.OTHER, max_length=20)
    summary: str = ""
    summary_html: str = ""
    # A file, or a link to a document held elsewhere, or both.
    file_id: int | None = Field(default=None, foreign_key="stored_file.id", index=True)
    file_name: str = Field(default="", max_length=200)
    url: str = Field(default="", max_length=500)
    visibility: str = Field(default=Visibility.GROUP, max_length=10)
    created_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Withdrawn: the file is no longer served, the record stays and says why.
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    withdrawn_reason: str = Field(default="", max_length=500)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class EvidenceLink(SQLModel, table=True):
    __tablename__ = "evidence_link"
    __table_args__ = (
        UniqueConstraint("evidence_id", "target_kind", "target_id", "target_key"),
        Index("ix_evidence_link_target", "target_kind", "target_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True, ondelete="CASCADE")
    target_kind: str = Field(max_length=30)  # "tier", "consultation", "meeting", ...
    target_id: int
    target_key: str = Field(default="", max_length=40)  # a tier's key within its definition
    created_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
