"""The hub pages' own records: private calendar feed tokens and dashboard visits."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow


class FeedToken(SQLModel, table=True):
    """A private calendar URL. Only the token's hash is kept; revoking keeps the row."""

    __tablename__ = "feed_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DashboardVisit(SQLModel, table=True):
    __tablename__ = "dashboard_visit"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    seen_at: datetime = Field(sa_type=UTCDateTime)
