"""Comments as CSV and JSON, streamed in batches so a long thread exports in bounded memory.

Two views. **Public** (anyone who can read the consultation): published comments with
their text; hidden and deleted ones keep their place in the thread without their text
(a hidden one keeps the moderator's reason, which the page shows too); comments waiting
for a moderator are left out. **Full** (the group's chairs and the secretariat): every
comment in every state, with its text, author id, flags and moderation reason.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from sqlmodel import col, select
from starlette.responses import StreamingResponse

from consultations.comments.models import Comment, CommentState
from consultations.lifecycle.models import Consultation
from workspace.db import Database

BATCH = 500
PUBLIC_COLUMNS = [
    "id",
    "parent_id",
    "depth",
    "created_at",
    "edited_at",
    "author_name",
    "author_badge",
    "anchor",
    "state",
    "removal_reason",
    "text",
]
FULL_COLUMNS = [*PUBLIC_COLUMNS, "author_id", "is_observer", "open_flags"]


def _batches(db: Database, consultation_id: int, full: bool) -> Iterator[list[Comment]]:
    """Comments in thread order, a batch per short read (keyset on the path)."""
    after = ""
    while True:
        query = (
            select(Comment)
            .where(Comment.consultation_id == consultation_id, col(Comment.path) > after)
            .order_by(col(Comment.path))
            .limit(BATCH)
        )
        if not full:
            query = query.where(col(Comment.state) != CommentState.PENDING)
        with db.read() as session:
            batch = list(session.exec(query).all())
        if not batch:
            return
        yield batch
        after = batch[-1].path


def _row(comment: Comment, full: bool) -> dict[str, Any]:
    shows_text = full or comment.state == CommentState.PUBLISHED
    row: dict[str, Any] = {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
        "author_name": comment.author_name if shows_text else "",
        "author_badge": comment.author_badge if shows_text else "",
        "anchor": comment.anchor,
        "state": comment.state,
        "removal_reason": comment.moderation_reason if comment.state == CommentState.HIDDEN else "",
        "text": comment.body if shows_text else "",
    }
    if full:
        row |= {
            "author_id": comment.author_id,
            "is_observer": comment.is_observer,
            "open_flags": comment.flag_count,
        }
    return row


def _csv(db: Database, consultation_id: int, full: bool) -> Iterator[str]:
    columns = FULL_COLUMNS if full else PUBLIC_COLUMNS
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    buffer.write("\ufeff")  # spreadsheet programs read UTF-8 only with the mark
    writer.writeheader()
    for batch in _batches(db, consultation_id, full):
        for comment in batch:
            row = _row(comment, full)
            writer.writerow({k: _cell(v) for k, v in row.items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _json(db: Database, consultation: Consultation, full: bool) -> Iterator[str]:
    head = {
        "schema": "sharedspace.comments.v1",
        "view": "full" if full else "public",
        "consultation": {
            "id": consultation.id,
            "slug": consultation.slug,
            "title": consultation.title,
        },
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "comments": ['
    first = True
    for batch in _batches(db, consultation.id or 0, full):
        items = ",\n".join(json.dumps(_row(c, full), ensure_ascii=False) for c in batch)
        yield ("\n" if first else ",\n") + items
        first = False
    yield "\n]}\n"


def response(db: Database, consultation: Consultation, fmt: str, full: bool) -> StreamingResponse:
    view = "full" if full else "public"
    name = f"{consultation.slug}-comments-{view}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if fmt == "csv":
        return StreamingResponse(
            _csv(db, consultation.id or 0, full),
            media_type="text/csv; charset=utf-8",
            headers=headers,
        )
    return StreamingResponse(
        _json(db, consultation, full), media_type="application/json", headers=headers
    )
