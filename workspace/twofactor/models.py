"""Tables of two-factor sign-in: each person's TOTP secret, their recovery codes (only
argon2 hashes, as for passwords) and pending sign-ins (only a hash of their token)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow


class TwoFactor(SQLModel, table=True):
    """A person's TOTP secret. Until `confirmed_at` is set the secret is only being set
    up (shown with its QR code) and sign-in does not ask for a code. `last_step` is the
    30-second step of the last code accepted, so a code cannot be used twice."""

    __tablename__ = "two_factor"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True, index=True, ondelete="CASCADE")
    secret: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_step: int = 0


class RecoveryCode(SQLModel, table=True):
    """A one-use code for signing in without the phone; only its argon2 hash is kept."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=200)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PendingSignIn(SQLModel, table=True):
    """A correct password waiting for its second factor: not a session, it grants
    nothing but the challenge page, and lasts minutes."""

    __tablename__ = "pending_sign_in"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    next_url: str = Field(default="/", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
