"""Readers' flags on comments and the record of every moderator's decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow


class CommentFlag(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    reason: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ModerationAction(SQLModel, table=True):
    """Every moderation decision, kept: hide, restore, approve, dismiss flags."""

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    moderator_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=20)
    reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
