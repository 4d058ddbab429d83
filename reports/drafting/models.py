"""A report and its recommendations.

`head_number` counts the saves (versions) of a report; sign-off records positions against
`proposed_number`, exactly as for a definition's revisions. A published report is frozen.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow
from workspace.i18n import gettext as _


class ReportStatus(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    AGREED = "agreed"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return {
            "draft": _("Draft"),
            "proposed": _("Proposed for agreement"),
            "agreed": _("Agreed, not yet published"),
            "published": _("Published"),
        }[self.value]


class Report(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("group_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="task_group.id", index=True)
    title: str = Field(max_length=200)
    slug: str = Field(max_length=200)
    body: str = ""
    body_html: str = ""
    # The agreed definition revision the report rests on, if any.
    definition_id: int | None = Field(default=None, foreign_key="definition.id")
    definition_number: int | None = None
    status: str = Field(default=ReportStatus.DRAFT, max_length=20)
    head_number: int = 1
    proposed_number: int | None = None
    agreed_number: int | None = None
    created_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")

    @property
    def published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED


class Recommendation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True, ondelete="CASCADE")
    number: int
    text: str = Field(max_length=5000)
    text_html: str = ""
    addressed_to: str = Field(max_length=150, index=True)  # a body: "DCLG"
