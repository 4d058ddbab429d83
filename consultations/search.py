"""What consultations put in the search index: consultations and published comments.

A consultation's status comes from the clock, so opening is not a write the outbox could
see. It is indexed as its group's (group:N) with `public_from = opens_at`, and the query
lets everyone see it once that moment has passed (docs/search.md). Comments exist only on
consultations that have opened, so a published comment is public; pending, hidden and
deleted comments are not returned, which removes them from the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, select

from consultations.comments.models import Comment, CommentState
from consultations.comments.service import permalink
from consultations.lifecycle.models import Consultation
from consultations.lifecycle.status import is_invited, url
from workspace.i18n import N_
from workspace.markdown import plain_text
from workspace.search import (
    PUBLIC,
    DocumentProvider,
    SearchDocument,
    group_visibility,
    place_visibility,
)

CONSULTATION = "consultation"
COMMENT = "comment"


def _consultations(session: Session, ids: Sequence[int]) -> dict[int, list[SearchDocument]]:
    rows = session.exec(select(Consultation).where(col(Consultation.id).in_(ids))).all()
    found = {}
    for c in rows:
        body = "\n".join(
            p for p in (c.summary, plain_text(c.body), plain_text(c.outcome_summary)) if p
        )
        found[c.id or 0] = [
            SearchDocument(
                kind=CONSULTATION,
                object_id=c.id or 0,
                title=c.title,
                body=body,
                url=url(c),
                date=c.opens_at,
                visibility=place_visibility(c.id or 0)
                if is_invited(c)
                else group_visibility(c.group_id),
                group_id=c.group_id,
                public_from=None if is_invited(c) else c.opens_at,
                label="Outcome published" if c.outcome_published_at else "",
            )
        ]
    return found


def _comments(session: Session, ids: Sequence[int]) -> dict[int, list[SearchDocument]]:
    rows = session.exec(
        select(Comment, Consultation)
        .join(Consultation, col(Consultation.id) == Comment.consultation_id)
        .where(col(Comment.id).in_(ids))
        .where(Comment.state == CommentState.PUBLISHED)
    ).all()
    return {
        comment.id or 0: [
            SearchDocument(
                kind=COMMENT,
                object_id=comment.id or 0,
                title=f"{comment.author_name} on {consultation.title}",
                body=plain_text(comment.body),
                url=permalink(consultation, comment),
                date=comment.edited_at or comment.created_at,
                visibility=place_visibility(consultation.id or 0)
                if is_invited(consultation)
                else PUBLIC,
                group_id=consultation.group_id,
            )
        ]
        for comment, consultation in rows
    }


def _consultation_ids(session: Session) -> Iterable[int]:
    query = select(Consultation.id).order_by(col(Consultation.id))
    return [i for i in session.exec(query) if i is not None]


def _comment_ids(session: Session) -> Iterable[int]:
    query = (
        select(Comment.id).where(Comment.state == CommentState.PUBLISHED).order_by(col(Comment.id))
    )
    return [i for i in session.exec(query) if i is not None]


PROVIDERS = [
    DocumentProvider(CONSULTATION, N_("Consultations"), _consultations, _consultation_ids),
    DocumentProvider(COMMENT, N_("Comments"), _comments, _comment_ids),
]
