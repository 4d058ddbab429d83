"""What the comment and moderation pages share: loading the consultation and comment
named in the path (404 for what the viewer may not see) and one comment page's context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request

from consultations.comments import service as comments
from consultations.comments import thread
from consultations.comments.models import Comment, CommentFlag, CommentState, ModerationAction
from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation
from consultations.lifecycle.status import WrongStatus
from workspace.forms import FormInput
from workspace.models import User
from workspace.permissions import Action, Viewer, can_in
from workspace.runtime import Runtime, runtime, viewer

MAX_ID = 2**31 - 1  # larger ids cannot exist, and PostgreSQL would refuse to compare them


def load(request: Request) -> tuple[Runtime, Viewer, Consultation, datetime]:
    rt, who = runtime(request), viewer(request)
    now = rt.clock()
    with rt.db.read() as session:
        consultation = lifecycle.get_readable(session, who, request.path_params["slug"], now)
    return rt, who, consultation, now


def comment_for(
    session: Session, who: Viewer, consultation: Consultation, comment_id: int
) -> Comment:
    """The comment, or 404 if it is not in this consultation or not visible to `who`."""
    if not 0 < comment_id <= MAX_ID:
        raise HTTPException(404)
    try:
        comment = comments.comment_in(session, consultation.id or 0, comment_id)
    except LookupError:
        raise HTTPException(404) from None
    if not comments.visible_to(who, consultation, comment):
        raise HTTPException(404)
    return comment


def load_comment(request: Request) -> tuple[Runtime, Viewer, Consultation, Comment]:
    rt, who, consultation, _now = load(request)
    with rt.db.read() as session:
        comment = comment_for(session, who, consultation, request.path_params["comment_id"])
    return rt, who, consultation, comment


def closed_message(consultation: Consultation, now: datetime) -> str | None:
    try:
        lifecycle.require_open(consultation, now)
    except WrongStatus as exc:
        return exc.message
    return None


def comment_context(
    session: Session, who: Viewer, consultation: Consultation, comment: Comment, now: datetime
) -> dict[str, Any]:
    """One comment's page: what this viewer may do with it, and for moderators its flags
    and the decisions taken on it."""
    moderator = comments.is_moderator(who, consultation)
    is_open = lifecycle.is_open(consultation, now)
    parent = session.get(Comment, comment.parent_id) if comment.parent_id else None
    if parent is not None and not comments.visible_to(who, consultation, parent):
        parent = None
    flags, actions = moderation_record(session, comment.id or 0) if moderator else ([], [])
    mine = who.signed_in and comment.author_id == who.user_id
    changeable = comment.state in (CommentState.PUBLISHED, CommentState.PENDING)
    return {
        "consultation": consultation,
        "comment": comment,
        "parent": parent,
        "moderator": moderator,
        "is_open": is_open,
        "closed_message": closed_message(consultation, now),
        "mine": mine,
        "can_change": mine and changeable and is_open,
        "can_reply": is_open
        and comment.state == CommentState.PUBLISHED
        and can_in(who, Action.COMMENT, lifecycle.place_of(consultation)),
        "can_flag": who.signed_in and not mine and comment.state == CommentState.PUBLISHED,
        "flags": flags,
        "actions": actions,
        "anchors": thread.anchors_of(consultation),
        "base": comments.permalink(consultation, comment),
        "reply_form": FormInput(),
    }


def moderation_record(
    session: Session, comment_id: int
) -> tuple[list[tuple[CommentFlag, str]], list[tuple[ModerationAction, str | None]]]:
    """A comment's flags (with who flagged) and moderation decisions (with who decided),
    for the moderators' view of one comment."""
    flags = [
        (f, n)
        for f, n in session.exec(
            select(CommentFlag, User.display_name)
            .join(User, col(User.id) == CommentFlag.user_id)
            .where(CommentFlag.comment_id == comment_id)
            .order_by(col(CommentFlag.created_at), col(CommentFlag.id))
        ).all()
    ]
    actions: list[tuple[ModerationAction, str | None]] = [
        (a, n)
        for a, n in session.exec(
            select(ModerationAction, User.display_name)
            .join(User, col(User.id) == ModerationAction.moderator_id, isouter=True)
            .where(ModerationAction.comment_id == comment_id)
            .order_by(col(ModerationAction.created_at), col(ModerationAction.id))
        ).all()
    ]
    return flags, actions
