"""Tables of following and notifications."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow
from workspace.i18n import N_, Labels


class Channel(StrEnum):
    """How a person hears of a kind of notification by email (always in the workspace)."""

    AT_ONCE = "at_once"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = Labels(
    {
        Channel.AT_ONCE: N_("By email at once"),
        Channel.DAILY: N_("In a daily email digest"),
        Channel.WEEKLY: N_("In a weekly email digest"),
        Channel.NEVER: N_("Never by email (in the workspace only)"),
    }
)


class EmailState(StrEnum):
    """Where a notification stands with email: due at once, waiting for a digest, done
    (its outbox message is `email_id`), or not to be emailed."""

    AT_ONCE = "at_once"
    DAILY = "daily"
    WEEKLY = "weekly"
    EMAILED = "emailed"
    NONE = "none"


class Follow(SQLModel, table=True):
    """A person follows a thing: a group, definition, consultation, comment thread or
    the programme (`target_id` 0). Unfollowing keeps the row with `active` false, so
    something followed automatically (a group one is seated in) is not followed again."""

    __table_args__ = (
        UniqueConstraint("user_id", "target_kind", "target_id"),
        Index("ix_follow_target", "target_kind", "target_id", "active"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    target_kind: str = Field(max_length=30)
    target_id: int
    active: bool = True
    automatic: bool = False
    role: str = Field(default="", max_length=20)  # member, chair, observer, author...
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Notification(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notification_key", "key"),
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
        Index("ix_notification_email", "email_state", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    kind: str = Field(max_length=40)
    key: str = Field(max_length=120)  # one notification per person per key
    title: str = Field(max_length=300)
    summary: str = Field(default="", max_length=500)
    reason: str = Field(max_length=300)  # why this person got it
    url: str = Field(max_length=300)  # the exact place
    group_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    email_state: str = Field(default=EmailState.NONE, max_length=10)
    email_id: int | None = Field(default=None, foreign_key="outbox_email.id", ondelete="SET NULL")


class NotificationPreference(SQLModel, table=True):
    """A person's choice for one kind; without a row, the default for their role."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    kind: str = Field(max_length=40)
    channel: str = Field(max_length=10)


class NotificationSettings(SQLModel, table=True):
    """When a person's digests come (their hour, in their time zone), and the switch that
    stops all email (what one-click unsubscribe from a digest sets)."""

    __tablename__ = "notification_settings"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    timezone: str = Field(default="Europe/London", max_length=60)
    digest_hour: int = 8
    digest_weekday: int = 0  # Monday
    emails_off: bool = False


class DigestRun(SQLModel, table=True):
    """One digest email per person per period slot: the claim that makes it once."""

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("user_id", "period", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    period: str = Field(max_length=10)
    slot: datetime = Field(sa_type=UTCDateTime)
    items: int = 0
    email_id: int | None = Field(default=None, foreign_key="outbox_email.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Announcement(SQLModel, table=True):
    """Something announced once only, by whichever worker claims its key first (a
    consultation closing soon, a milestone becoming overdue)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
