"""A consultation's questions: free text, an agree/disagree scale, or a choice."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class QuestionKind(StrEnum):
    FREE_TEXT = "free_text"
    SCALE = "scale"  # agree/disagree, five points
    SINGLE = "single"
    MULTIPLE = "multiple"


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
