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


# An answer belongs to its question (removing a draft's question removes its answers); the
# response it is part of is in `consultations.responses`.
class Answer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    value: str = ""  # free text, scale point or chosen label; JSON list for multiple choice
