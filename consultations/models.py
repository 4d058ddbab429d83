"""Consultations: a frozen draft put to the public, structured responses to its questions,
threaded comments, their moderation, and the published outcome.

Status is never stored: it is derived from the clock (`opens_at`, `closes_at`) and from
whether the outcome is published, so a consultation opens and closes on time with no job
running, and every write checks it again (see `consultations.lifecycle`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow


class ConsultationStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    OUTCOME_PUBLISHED = "outcome_published"

    @property
    def label(self) -> str:
        return {
            "draft": "Not yet open",
            "open": "Open",
            "closed": "Closed",
            "outcome_published": "Outcome published",
        }[self.value]


class ModerationMode(StrEnum):
    POST = "post"  # comments appear at once; moderators hide afterwards
    PRE = "pre"  # comments wait for a moderator's approval


class QuestionKind(StrEnum):
    FREE_TEXT = "free_text"
    SCALE = "scale"  # agree/disagree, five points
    SINGLE = "single"
    MULTIPLE = "multiple"


class Consent(StrEnum):
    NAMED = "named"  # publish with my name
    ANONYMOUS = "anonymous"  # publish without my name
    WITHHELD = "withheld"  # do not publish


class CommentState(StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # pre-moderation: waiting for approval
    HIDDEN = "hidden"  # hidden by a moderator, reason shown in place
    DELETED = "deleted"  # removed by its author, placeholder keeps the thread's shape


class Disposition(StrEnum):
    ACCEPTED = "accepted"  # accepted and changed in revision N
    NOTED = "noted"
    NOT_ACCEPTED = "not_accepted"  # with a reason


class Consultation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="task_group.id", index=True)
    slug: str = Field(max_length=200, unique=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=1000)
    body: str = ""
    body_html: str = ""
    # The definition revision consulted on, frozen as JSON (the export format) when the
    # consultation is created, so later revisions never change what respondents saw.
    definition_id: int | None = Field(default=None, foreign_key="definition.id")
    revision_number: int | None = None
    frozen_definition: str = ""
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    moderation: str = Field(default=ModerationMode.POST, max_length=10)
    # The last status announced as an event (consultation.opened, .closed): a transition
    # the clock made is published once, by whichever process notices it first.
    announced: str = Field(default=ConsultationStatus.DRAFT, max_length=20)
    # Bumped in the same transaction as every comment change: the change feed's cursor.
    comment_seq: int = 0
    outcome_summary: str = ""
    outcome_html: str = ""
    outcome_published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Question(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("consultation_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    position: int
    kind: str = Field(max_length=20)
    prompt: str = Field(max_length=500)
    hint: str = Field(default="", max_length=500)
    required: bool = False
    choices: str = "[]"  # JSON list of labels, for single and multiple choice


class Response(SQLModel, table=True):
    """One person's answers to one consultation; editable until it closes."""

    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    on_behalf_of: str = Field(default="", max_length=200)  # organisation name, or "" = individual
    sector: str = Field(default="individual", max_length=30)
    consent: str = Field(default=Consent.NAMED, max_length=20)
    # Normalised text fingerprints for campaign (identical / near-identical) detection.
    fingerprint: str = Field(default="", max_length=64, index=True)
    simhash: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Answer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    value: str = ""  # free text, scale point or chosen label; JSON list for multiple choice


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


class OutcomeItem(SQLModel, table=True):
    """One line of "You said, we did": a theme from responses or comments, and what the
    group did about it."""

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    position: int = 0
    theme: str = Field(max_length=500)
    comment_id: int | None = Field(default=None, foreign_key="comment.id")
    question_id: int | None = Field(default=None, foreign_key="question.id")
    disposition: str = Field(max_length=20)
    revision_number: int | None = None  # for ACCEPTED: the definition revision that changed
    reason: str = Field(default="", max_length=2000)
