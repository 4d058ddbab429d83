"""The published outcome: each theme raised and what the group did about it."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Field, SQLModel


class Disposition(StrEnum):
    ACCEPTED = "accepted"  # accepted and changed in revision N
    NOTED = "noted"
    NOT_ACCEPTED = "not_accepted"  # with a reason


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
