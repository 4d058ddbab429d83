"""Core tables: people, organisations, sign-in sessions and the plumbing around them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow
from workspace.i18n import N_, Labels


class Sector(StrEnum):
    INDUSTRY = "industry"
    ENERGY_SUPPLY = "energy_supply"
    LOCAL_GOVERNMENT = "local_government"
    ENVIRONMENTAL = "environmental"
    PROFESSIONAL_BODY = "professional_body"
    ACADEMIC = "academic"
    GOVERNMENT = "government"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self]


SECTOR_LABELS = Labels(
    {
        Sector.INDUSTRY: N_("Industry"),
        Sector.ENERGY_SUPPLY: N_("Energy supply"),
        Sector.LOCAL_GOVERNMENT: N_("Local government"),
        Sector.ENVIRONMENTAL: N_("Environmental"),
        Sector.PROFESSIONAL_BODY: N_("Professional body"),
        Sector.ACADEMIC: N_("Academic"),
        Sector.GOVERNMENT: N_("Government"),
        Sector.OTHER: N_("Other"),
    }
)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=100)
    password_hash: str = Field(max_length=200)
    is_secretariat: bool = False
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Chosen with the header's switcher ("en", "cy"); "" until then. Mail follows it.
    language: str = Field(default="", max_length=8)
    # When the person followed the emailed link (or a trusted path proved the address).
    # None: they cannot sign in, and the retention job deletes the account in time.
    email_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=150, unique=True)
    slug: str = Field(max_length=150, unique=True, index=True)
    sector: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def sector_label(self) -> str:
        return SECTOR_LABELS.get(Sector(self.sector), self.sector)


class UserSession(SQLModel, table=True):
    """A server-side sign-in. The cookie holds a random token; only its hash is stored,
    so a copy of the database cannot be replayed as a cookie."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=300)


class PasswordResetToken(SQLModel, table=True):
    __tablename__ = "password_reset_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EmailConfirmation(SQLModel, table=True):
    """A single-use link that proves the person reads the address they registered with.
    Only the token's hash is kept; the token itself is only ever in the email."""

    __tablename__ = "email_confirmation"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RateLimitCounter(SQLModel, table=True):
    """Fixed-window counters kept in the database so every worker sees the same count."""

    __tablename__ = "rate_limit_counter"
    __table_args__ = (UniqueConstraint("key", "window_start"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    window_start: int
    count: int = 0


class OutboxEmail(SQLModel, table=True):
    """A message to send, kept after sending as the record of it. `state` moves queued ->
    sending (claimed, the attempt counted, committed before sending) -> sent, or back to
    queued with `next_attempt_at` after a failure, or to failed / uncertain (workspace/mail.py)."""

    __tablename__ = "outbox_email"
    __table_args__ = (Index("ix_outbox_email_state_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str
    html_body: str = ""
    headers: str = ""  # JSON object of extra headers (List-Unsubscribe, ...)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    state: str = Field(default="queued", max_length=20)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str = ""


class ActivityEvent(SQLModel, table=True):
    """The attributable record of every write.

    `group_id` deliberately has no foreign key: the record of what happened must outlive
    the thing it happened to, and the core cannot name feature tables.
    """

    __tablename__ = "activity_event"
    __table_args__ = (Index("ix_activity_group_created", "group_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    verb: str = Field(max_length=60, index=True)
    object_type: str = Field(max_length=40)
    object_id: int | None = None
    group_id: int | None = None
    visibility: str = Field(default="public", max_length=20)
    summary: str = Field(max_length=300)
    url: str = Field(default="", max_length=300)
    # The hash chain (workspace/auditchain.py): the previous event's hash, and this one's.
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)


class SearchOutbox(SQLModel, table=True):
    """A change the search index has yet to take in, written in the same transaction as
    the change itself (so a commit is never lost to a crash before indexing) and deleted
    only once the index has committed it. `kind` names a document provider; the indexer
    reads the object's current state, so `op` only short-cuts deletions."""

    __tablename__ = "search_outbox"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    object_id: int
    op: str = Field(default="upsert", max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SearchIndexEntry(SQLModel, table=True):
    """One document of the PostgreSQL search backend (`workspace/search/postgres/backend.py`), the
    columns of `workspace.search.SearchDocument`. On PostgreSQL the migration adds a
    generated `tsv` column (title weight A, body weight B) with a GIN index, which the
    models do not describe (`migrate.include_object`). On SQLite the table stays empty."""

    __tablename__ = "search_document"

    id: int | None = Field(default=None, primary_key=True)
    doc_id: str = Field(max_length=200, unique=True)
    key: str = Field(max_length=120, index=True)
    kind: str = Field(max_length=30)
    group_id: int | None = None
    visibility: str = Field(max_length=40)
    public_from: datetime | None = Field(default=None, sa_type=UTCDateTime)
    title: str
    body: str
    url: str
    label: str
    date: datetime = Field(sa_type=UTCDateTime)
    indexed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
