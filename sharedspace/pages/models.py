"""The public-service pages (accessibility, privacy, cookies, help) as the secretariat
has written them. A page with no row shows its default text from `defaults/`."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow


class ServicePage(SQLModel, table=True):
    __tablename__ = "service_page"

    slug: str = Field(primary_key=True, max_length=40)
    body: str = ""
    body_html: str = ""
    updated_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
