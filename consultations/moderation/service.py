"""Moderating comments: readers flag, moderators (the group's chairs and the secretariat)
hide with a reason shown in place, restore, approve in pre-moderation and dismiss flags.

Every decision is kept as a `ModerationAction` and an activity event, in the same
transaction as the change. Changes people can see (hide, restore, approve) go through
`comments.mark_changed`, so they reach the change feed and live pages like any other.
Moderation stays possible after a consultation closes: a closed thread must still be
cleanable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import update
from sqlmodel import Session, col, select

from consultations.comments.models import Comment, CommentFlag, CommentState, ModerationAction
from consultations.comments.service import (
    CommentRefused,
    comment_in,
    lock_consultation,
    log_comment,
    mark_changed,
)
from consultations.lifecycle.models import Consultation
from workspace import activity, formats
from workspace.db import WriteUnit
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.models import User
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime

MAX_REASON = 500
HIDE, RESTORE, APPROVE, DISMISS = "hide", "restore", "approve", "dismiss"


def check_reason(form: FormInput, what: str) -> str | None:
    reason = form.get("reason").strip()
    if not reason:
        form.error("reason", _("Enter %(what)s", what=what))
    elif len(reason) > MAX_REASON:
        form.error(
            "reason",
            _(
                "The reason must be %(most)s characters or fewer. It has %(count)s characters.",
                most=formats.number(MAX_REASON),
                count=formats.number(len(reason)),
            ),
        )
    return reason if form.ok else None


# -- readers -------------------------------------------------------------------------------


def do_flag(
    rt: Runtime, actor: Viewer, consultation_id: int, comment_id: int, reason: str
) -> CommentFlag:
    """Ask the moderators to look at a published comment. One flag per person per
    comment; the flagger's name is seen by moderators only."""
    require(actor, Action.SIGNED_IN)
    now = rt.clock()
    with rt.db.write() as unit:
        consultation = lock_consultation(unit.session, consultation_id)
        comment = comment_in(unit.session, consultation_id, comment_id)
        if comment.state != CommentState.PUBLISHED:
            raise CommentRefused(_("Only published comments can be flagged."))
        if comment.author_id == actor.user_id:
            raise CommentRefused(
                _("You cannot flag your own comment. You can edit or delete it instead.")
            )
        if (
            unit.session.exec(
                select(CommentFlag.id).where(
                    CommentFlag.comment_id == comment_id, CommentFlag.user_id == actor.user_id
                )
            ).first()
            is not None
        ):
            raise CommentRefused(
                _("You have already flagged this comment. A moderator will look at it.")
            )
        flag = CommentFlag(
            comment_id=comment_id,
            user_id=actor.user_id,  # type: ignore[arg-type]
            reason=reason,
            created_at=now,
        )
        comment.flag_count += 1
        unit.session.add(flag)
        unit.session.add(comment)
        log_comment(
            unit,
            actor,
            "comment.flagged",
            consultation,
            comment,
            f"{actor.display_name} flagged a comment by {comment.author_name}",
            activity.SECRETARIAT,
        )
    return flag


# -- moderators ----------------------------------------------------------------------------


def do_hide(
    rt: Runtime, actor: Viewer, consultation_id: int, comment_id: int, reason: str
) -> Comment:
    with rt.db.write() as unit:
        consultation, comment = _moderated(unit, actor, consultation_id, comment_id)
        if comment.state not in (CommentState.PUBLISHED, CommentState.PENDING):
            raise CommentRefused(_("Only published or waiting comments can be hidden."))
        comment.state, comment.moderation_reason = CommentState.HIDDEN, reason
        _handle_flags(unit, rt, comment)
        _act(unit, rt, actor, comment, HIDE, reason)
        mark_changed(rt, unit, consultation, comment, "hidden")
        log_comment(
            unit,
            actor,
            "comment.hidden",
            consultation,
            comment,
            f"{actor.display_name} removed a comment by {comment.author_name}: {reason}",
        )
    return comment


def do_restore(rt: Runtime, actor: Viewer, consultation_id: int, comment_id: int) -> Comment:
    with rt.db.write() as unit:
        consultation, comment = _moderated(unit, actor, consultation_id, comment_id)
        if comment.state != CommentState.HIDDEN:
            raise CommentRefused(_("Only hidden comments can be restored."))
        comment.state, comment.moderation_reason = CommentState.PUBLISHED, ""
        _act(unit, rt, actor, comment, RESTORE, "")
        mark_changed(rt, unit, consultation, comment, "restored")
        log_comment(
            unit,
            actor,
            "comment.restored",
            consultation,
            comment,
            f"{actor.display_name} restored a comment by {comment.author_name}",
        )
    return comment


def do_approve(rt: Runtime, actor: Viewer, consultation_id: int, comment_id: int) -> Comment:
    with rt.db.write() as unit:
        consultation, comment = _moderated(unit, actor, consultation_id, comment_id)
        if comment.state != CommentState.PENDING:
            raise CommentRefused(_("Only comments waiting for a moderator can be approved."))
        comment.state = CommentState.PUBLISHED
        _act(unit, rt, actor, comment, APPROVE, "")
        mark_changed(rt, unit, consultation, comment, "approved")
        log_comment(
            unit,
            actor,
            "comment.approved",
            consultation,
            comment,
            f"{actor.display_name} approved a comment by {comment.author_name}",
        )
    return comment


def do_dismiss_flags(rt: Runtime, actor: Viewer, consultation_id: int, comment_id: int) -> Comment:
    """The flags were looked at and the comment stays as it is."""
    with rt.db.write() as unit:
        consultation, comment = _moderated(unit, actor, consultation_id, comment_id)
        if comment.flag_count == 0:
            raise CommentRefused(_("This comment has no open flags."))
        _handle_flags(unit, rt, comment)
        _act(unit, rt, actor, comment, DISMISS, "")
        log_comment(
            unit,
            actor,
            "comment.flags_dismissed",
            consultation,
            comment,
            f"{actor.display_name} kept a flagged comment by {comment.author_name}",
            activity.SECRETARIAT,
        )
    return comment


def _moderated(
    unit: WriteUnit, actor: Viewer, consultation_id: int, comment_id: int
) -> tuple[Consultation, Comment]:
    consultation = lock_consultation(unit.session, consultation_id)
    require(actor, Action.MODERATE, consultation.group_id)
    return consultation, comment_in(unit.session, consultation_id, comment_id)


def _handle_flags(unit: WriteUnit, rt: Runtime, comment: Comment) -> None:
    unit.session.execute(
        update(CommentFlag)
        .where(col(CommentFlag.comment_id) == comment.id, col(CommentFlag.handled_at).is_(None))
        .values(handled_at=rt.clock())
    )
    comment.flag_count = 0


def _act(
    unit: WriteUnit, rt: Runtime, actor: Viewer, comment: Comment, action: str, reason: str
) -> None:
    unit.session.add(
        ModerationAction(
            comment_id=comment.id or 0,
            moderator_id=actor.user_id,
            action=action,
            reason=reason,
            created_at=rt.clock(),
        )
    )


# -- the queue -----------------------------------------------------------------------------


@dataclass
class Flagged:
    comment: Comment
    flags: list[tuple[CommentFlag, str]] = field(default_factory=list)  # (flag, flagger)


@dataclass
class Queue:
    pending: list[Comment]
    flagged: list[Flagged]
    hidden: list[Comment]

    @property
    def empty(self) -> bool:
        return not (self.pending or self.flagged or self.hidden)


def queue(session: Session, consultation_id: int, hidden_limit: int = 50) -> Queue:
    """What needs a moderator: comments waiting for approval (oldest first), comments
    with open flags (most flagged first) and the latest hidden ones, to restore."""
    pending = list(
        session.exec(
            select(Comment)
            .where(
                Comment.consultation_id == consultation_id, Comment.state == CommentState.PENDING
            )
            .order_by(col(Comment.created_at), col(Comment.id))
        ).all()
    )
    flag_rows = session.exec(
        select(CommentFlag, Comment, User.display_name)
        .join(Comment, col(Comment.id) == CommentFlag.comment_id)
        .join(User, col(User.id) == CommentFlag.user_id)
        .where(Comment.consultation_id == consultation_id, col(CommentFlag.handled_at).is_(None))
        .order_by(col(CommentFlag.created_at), col(CommentFlag.id))
    ).all()
    flagged: dict[int, Flagged] = {}
    for flag, comment, name in flag_rows:
        flagged.setdefault(comment.id or 0, Flagged(comment)).flags.append((flag, name))
    hidden = list(
        session.exec(
            select(Comment)
            .where(Comment.consultation_id == consultation_id, Comment.state == CommentState.HIDDEN)
            .order_by(col(Comment.seq).desc())
            .limit(hidden_limit)
        ).all()
    )
    ordered = sorted(flagged.values(), key=lambda f: (-len(f.flags), f.comment.id or 0))
    return Queue(pending=pending, flagged=ordered, hidden=hidden)
