"""Threaded comments on a consultation: each comment, the kept history of its edits, the
flags readers raised on it and every moderator's decision about it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow


class CommentState(StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # pre-moderation: waiting for approval
    HIDDEN = "hidden"  # hidden by a moderator, reason shown in place
    DELETED = "deleted"  # removed by its author, placeholder keeps the thread's shape


class Comment(SQLModel, table=True):
    __table_args__ = (
        Index("ix_comment_consultation_seq", "consultation_id", "seq"),
        Index("ix_comment_consultation_path", "consultation_id", "path"),
    )

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id")
    parent_id: int | None = Field(default=None, foreign_key="comment.id")
    # Materialised path of zero-padded ids ("0000000012/0000000045"): one ORDER BY gives
    # the whole thread in reading order, written in the same transaction as the comment.
    path: str = Field(max_length=2000)
    depth: int = 0
    seq: int  # the consultation's comment_seq at this comment's latest change
    author_id: int | None = Field(default=None, foreign_key="user.id")
    author_name: str = Field(max_length=120)
    author_badge: str = Field(default="", max_length=200)  # "Government observer", organisation
    is_observer: bool = False
    anchor: str = Field(default="", max_length=64)  # a tier key or section id, or ""
    body: str = Field(max_length=5000)
    body_html: str = ""
    # The whole public <article> fragment for the comment's current state, rendered in the
    # same transaction as each change: the thread page and the live feed only concatenate.
    html: str = ""
    state: str = Field(default=CommentState.PUBLISHED, max_length=20)
    moderation_reason: str = Field(default="", max_length=500)
    flag_count: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CommentEdit(SQLModel, table=True):
    """The text a comment had before each edit: the edit history."""

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    body: str = Field(max_length=5000)
    replaced_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# A comment's flags and moderation decisions are part of its record, read on its own page;
# the moderation sub-package writes them.
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
