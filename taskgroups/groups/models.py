"""Task groups, the members who draft in them and the observers who follow them.

Observer seats live in their own table, never as a membership with a flag: every list
of people, every attendance record and every permission check keeps them apart.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow


class GroupStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class MemberRole(StrEnum):
    MEMBER = "member"
    CHAIR = "chair"


class TaskGroup(SQLModel, table=True):
    __tablename__ = "task_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=150, unique=True)
    slug: str = Field(max_length=150, unique=True, index=True)
    remit_source: str = ""
    remit_html: str = ""
    status: str = Field(default=GroupStatus.ACTIVE, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="task_group.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    role: str = Field(default=MemberRole.MEMBER, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ObserverSeat(SQLModel, table=True):
    __tablename__ = "observer_seat"

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="task_group.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    department: str = Field(max_length=150)
    starts_on: date
    ends_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class SeatInvitation(SQLModel, table=True):
    """An email invitation to a seat for someone who may have no account yet: the
    secretariat names the person, the seat (member for an organisation with a role, or
    observer for a department) and the address; following the link registers or signs
    them in and seats them. Kept after use, with who took it, as part of the record."""

    __tablename__ = "seat_invitation"

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="task_group.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)  # "member" or "observer": never mixed (see above)
    name: str = Field(max_length=150)
    email: str = Field(max_length=320, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    role: str = Field(default="", max_length=20)  # a member's MemberRole
    department: str = Field(default="", max_length=150)  # an observer's
    # sha256 of the single-use link's token: the token itself is only ever in the email.
    token_hash: str = Field(max_length=64, index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    invited_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
