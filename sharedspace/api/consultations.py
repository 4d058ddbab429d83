"""Consultations: the list, one with its questions and outcome, its comments and the
responses published with their authors' consent."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_, true
from sqlmodel import Session, col, select

from consultations.comments import service as comments
from consultations.comments.models import Comment, CommentState
from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.questions.models import Answer, Question, QuestionKind
from consultations.questions.service import choices_of, for_consultation
from consultations.responses import service as responses
from consultations.responses.models import Consent, Response
from sharedspace.api import schemas as s
from sharedspace.api.kit import PAGED, Call, Endpoint, Param, next_cursor
from taskgroups.groups.models import TaskGroup
from workspace.failures import NotFound
from workspace.i18n import gettext as _
from workspace.models import User
from workspace.permissions import Viewer

SLUG = Param(
    "slug",
    "The consultation's slug",
    {"type": "string", "maxLength": 200, "examples": ["zero-carbon-homes-the-draft"]},
    "path",
    True,
)
GONE = {CommentState.HIDDEN.value, CommentState.DELETED.value}


def readable_consultation(call: Call, session: Session) -> Consultation:
    return lifecycle.get_readable(session, call.viewer, call.path["slug"], call.rt.clock())


def _summary(c: Consultation, group_slug: str, status: ConsultationStatus) -> dict[str, Any]:
    return {
        "id": c.id or 0,
        "slug": c.slug,
        "title": c.title,
        "summary": c.summary,
        "status": status.value,
        "group": group_slug,
        "url": lifecycle.url(c),
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
    }


def list_consultations(call: Call) -> BaseModel:
    after, limit = call.page()
    now = call.rt.clock()
    with call.rt.db.read() as session:
        rows = session.exec(
            select(Consultation, TaskGroup.slug)
            .join(TaskGroup, col(TaskGroup.id) == Consultation.group_id)
            .where(col(Consultation.id) > after)
            .order_by(col(Consultation.id))
        ).all()
    found = [(c, g) for c, g in rows if lifecycle.readable(call.viewer, c, now)][: limit + 1]
    items = [
        s.ConsultationSummary(**_summary(c, g, lifecycle.status_of(c, now)))
        for c, g in found[:limit]
    ]
    return s.ConsultationPage(
        items=items, next_cursor=next_cursor([c.id for c, _g in found], limit)
    )


def one_consultation(call: Call) -> s.Consultation:
    now = call.rt.clock()
    with call.rt.db.read() as session:
        c = readable_consultation(call, session)
        group = session.get(TaskGroup, c.group_id)
        questions = for_consultation(session, c.id or 0)
    status = lifecycle.status_of(c, now)
    published = status is ConsultationStatus.OUTCOME_PUBLISHED
    return s.Consultation(
        **_summary(c, group.slug if group else "", status),
        body_html=c.body_html,
        definition_revision=c.revision_number,
        questions=[_question(q) for q in questions],
        outcome_html=c.outcome_html if published else None,
        outcome_published_at=c.outcome_published_at if published else None,
    )


def _question(q: Question) -> s.Question:
    return s.Question(
        id=q.id or 0,
        position=q.position,
        kind=q.kind,
        prompt=q.prompt,
        hint=q.hint,
        required=q.required,
        choices=choices_of(q),
    )


def visible_clause(who: Viewer, consultation: Consultation) -> Any:
    """Pending comments are seen by their author and the moderators only."""
    if comments.is_moderator(who, consultation):
        return true()
    pending = col(Comment.state) == CommentState.PENDING.value
    if who.signed_in:
        return or_(~pending, col(Comment.author_id) == who.user_id)
    return ~pending


def list_comments(call: Call) -> BaseModel:
    """In thread order (a comment, then its replies), as the page reads, by the stored
    path and its index: keyset paging from the last comment's path, so a page deep in a
    10,000-comment thread costs what the first does. The cursor names that comment."""
    after, limit = call.page()
    with call.rt.db.read() as session:
        c = readable_consultation(call, session)
        query = select(Comment).where(
            Comment.consultation_id == c.id, visible_clause(call.viewer, c)
        )
        if after:
            last = select(Comment.path).where(Comment.id == after, Comment.consultation_id == c.id)
            query = query.where(col(Comment.path) > last.scalar_subquery())
        found = session.exec(query.order_by(col(Comment.path)).limit(limit + 1)).all()
    items = [comment_out(x) for x in found[:limit]]
    return s.CommentPage(items=items, next_cursor=next_cursor([x.id for x in found], limit))


def comment_out(x: Comment) -> s.Comment:
    gone = x.state in GONE
    return s.Comment(
        id=x.id or 0,
        parent_id=x.parent_id,
        depth=x.depth,
        seq=x.seq,
        state=x.state,
        author=None if gone else x.author_name,
        badge="" if gone else x.author_badge,
        anchor=x.anchor,
        body=None if gone else x.body,
        body_html=None if gone else x.body_html,
        created_at=x.created_at,
        edited_at=x.edited_at,
    )


def list_responses(call: Call) -> BaseModel:
    after, limit = call.page()
    now = call.rt.clock()
    with call.rt.db.read() as session:
        c = readable_consultation(call, session)
        if not responses.responses_published(call.viewer, c, now):
            raise NotFound(_("Responses are published once the consultation has closed."))
        rows = session.exec(
            select(Response, User.display_name)
            .join(User, col(User.id) == Response.user_id)
            .where(
                Response.consultation_id == c.id,
                col(Response.consent) != Consent.WITHHELD.value,
                # Commercially confidential: counted in the summary, never published.
                col(Response.confidential).is_(False),
                col(Response.id) > after,
            )
            .order_by(col(Response.id))
            .limit(limit + 1)
        ).all()
        ids = [r.id or 0 for r, _n in rows[:limit]]
        kinds = {q.id: q.kind for q in for_consultation(session, c.id or 0)}
        answers = session.exec(
            select(Answer).where(col(Answer.response_id).in_(ids)).order_by(col(Answer.id))
        ).all()
    by_response: dict[int, list[s.AnswerValue]] = {}
    for a in answers:
        value: str | list[str] = a.value
        if kinds.get(a.question_id) == QuestionKind.MULTIPLE:
            value = json.loads(a.value or "[]")
        by_response.setdefault(a.response_id, []).append(
            s.AnswerValue(question_id=a.question_id, value=value)
        )
    items = [_response(r, name, by_response.get(r.id or 0, [])) for r, name in rows[:limit]]
    return s.ResponsePage(items=items, next_cursor=next_cursor([r.id for r, _n in rows], limit))


def _response(r: Response, name: str, answers: list[s.AnswerValue]) -> s.PublicResponse:
    respondent = None
    if r.consent == Consent.NAMED:
        respondent = s.Respondent(
            name=name,
            type="organisation" if r.on_behalf_of else "individual",
            organisation=r.on_behalf_of or None,
            sector=r.sector,
        )
    return s.PublicResponse(
        id=r.id or 0,
        submitted_at=r.submitted_at,
        consent=r.consent,  # type: ignore[arg-type]
        respondent=respondent,
        answers=answers,
    )


C = "/consultations/{slug}"
ENDPOINTS = [
    Endpoint(
        "GET",
        "/consultations",
        "Consultations this viewer may read",
        list_consultations,
        s.ConsultationPage,
        "consultations",
        params=PAGED,
        errors=(400,),
    ),
    Endpoint(
        "GET",
        C,
        "A consultation with its questions and published outcome",
        one_consultation,
        s.Consultation,
        "consultations",
        params=(SLUG,),
    ),
    Endpoint(
        "GET",
        C + "/comments",
        "A consultation's comments in thread order (each followed by its replies)",
        list_comments,
        s.CommentPage,
        "consultations",
        params=(SLUG, *PAGED),
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        C + "/responses",
        "Responses published with their authors' consent, once the consultation has closed",
        list_responses,
        s.ResponsePage,
        "consultations",
        params=(SLUG, *PAGED),
        errors=(400, 404),
    ),
]
