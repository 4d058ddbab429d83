"""Group meetings and their record: attendance of members and of observers in separate
tables, and action items."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="task_group.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    place: str = Field(default="", max_length=300)
    agenda: str = ""
    agenda_html: str = ""
    minutes: str = ""
    minutes_html: str = ""
    decisions: str = ""
    decisions_html: str = ""
    minutes_published: bool = False
    # Set when the chair records what happened: the meeting has been held.
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MemberAttendance(SQLModel, table=True):
    """A member at a meeting, with the organisation they spoke for."""

    __tablename__ = "meeting_member_attendance"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id")
    status: str = Field(max_length=20)  # present | apologies


class ObserverAttendance(SQLModel, table=True):
    """A government observer at a meeting, with their department: never a member row."""

    __tablename__ = "meeting_observer_attendance"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    department: str = Field(max_length=150)
    status: str = Field(max_length=20)  # present | apologies


class ActionItem(SQLModel, table=True):
    __tablename__ = "meeting_action"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=500)
    owner_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    due_on: date | None = None
    done_on: date | None = None
