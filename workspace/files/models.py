"""The record of one stored file: its content's hash, size, detected type and text."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from workspace.db import UTCDateTime, utcnow


class TextStatus(StrEnum):
    PENDING = "pending"  # waiting for extraction (after the upload committed)
    DONE = "done"
    FAILED = "failed"  # the reader could not read it; the file is still served
    NONE = "none"  # a type with no text (images)


class StoredFile(SQLModel, table=True):
    """One content, whoever uploaded it and however often: uploads of the same bytes
    share the row and the file on disk (`DATA_DIR/files/ab/cd/<sha256>`)."""

    __tablename__ = "stored_file"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    type_name: str = Field(max_length=20)  # a key of workspace.files.types.TYPES
    media_type: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    text: str = ""
    text_status: str = Field(default=TextStatus.PENDING, max_length=10)
    # The bytes were deleted from disk because nothing current uses them any more.
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
