"""Personal API tokens: only a hash of each token is stored, as for sign-in sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow
from workspace.i18n import gettext as _


class TokenScope(StrEnum):
    READ = "read"
    READ_WRITE = "read-write"

    @property
    def label(self) -> str:
        return _("Read only") if self is TokenScope.READ else _("Read and write")


class ApiToken(SQLModel, table=True):
    """A bearer token a person made on their account page. `prefix` (the first characters
    of the token) lets them tell their tokens apart; the token itself is shown once."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=12)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    scope: str = Field(default=TokenScope.READ, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
