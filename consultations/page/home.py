"""Consultations on the home page: what is open and what was decided, for everyone; a
signed-in person's own responses and comments with their state; and what a chair has
to do (a consultation closing soon, an outcome to publish, comments to moderate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, and_, col, func, or_, select

from consultations.comments.models import Comment, CommentState
from consultations.lifecycle import service as lifecycle
from consultations.lifecycle import status as clock_status
from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.responses.models import Response
from taskgroups.groups.models import TaskGroup
from workspace.hooks import GroupSection, NeedsYou
from workspace.i18n import gettext as _
from workspace.i18n import lazy_gettext, ngettext
from workspace.permissions import Action, Viewer, can
from workspace.runtime import Runtime

CLOSING_SOON = timedelta(days=14)
RECENT_OUTCOMES = 3
MY_ITEMS = 10


@dataclass(frozen=True)
class Mine:
    """One of my responses or comments, with the consultation it is on and its state."""

    consultation: Consultation
    status: ConsultationStatus
    url: str
    state: str
    when: datetime


def home_panel(rt: Runtime, session: Session, viewer: Viewer) -> GroupSection:
    now = rt.clock()
    listed = [
        (c, g, clock_status.status_of(c, now))
        for c, g in lifecycle.listing(session)
        if clock_status.readable(viewer, c, now)
    ]
    open_now = sorted(
        [(c, g) for c, g, s in listed if s is ConsultationStatus.OPEN],
        key=lambda row: row[0].closes_at,
    )
    outcomes = sorted(
        [(c, g) for c, g, s in listed if s is ConsultationStatus.OUTCOME_PUBLISHED],
        key=lambda row: row[0].outcome_published_at or now,
        reverse=True,
    )[:RECENT_OUTCOMES]
    context = {
        "open_now": open_now,
        "outcomes": outcomes,
        "responses": _my_responses(session, viewer, now),
        "comments": _my_comments(session, viewer, now),
    }
    return GroupSection("consultations/page/_home_panel.html", context, order=20)


def _my_responses(session: Session, viewer: Viewer, now: datetime) -> list[Mine]:
    if viewer.user_id is None:
        return []
    rows = session.exec(
        select(Response, Consultation)
        .join(Consultation, Consultation.id == Response.consultation_id)  # type: ignore[arg-type]
        .where(Response.user_id == viewer.user_id)
        .order_by(col(Response.updated_at).desc())
        .limit(MY_ITEMS)
    ).all()
    mine = []
    for response, consultation in rows:
        status = clock_status.status_of(consultation, now)
        state = (
            _("Can still be changed")
            if status is ConsultationStatus.OPEN
            else _("Submitted; the consultation has closed")
        )
        url = f"/consultations/{consultation.slug}/response"
        mine.append(Mine(consultation, status, url, state, response.updated_at))
    return mine


_COMMENT_STATES = {
    CommentState.PUBLISHED: lazy_gettext("Published"),
    CommentState.PENDING: lazy_gettext("Waiting for a moderator"),
    CommentState.HIDDEN: lazy_gettext("Hidden by a moderator"),
    CommentState.DELETED: lazy_gettext("Deleted by you"),
}


def _my_comments(session: Session, viewer: Viewer, now: datetime) -> list[Mine]:
    if viewer.user_id is None:
        return []
    rows = session.exec(
        select(Comment, Consultation)
        .join(Consultation, Consultation.id == Comment.consultation_id)  # type: ignore[arg-type]
        .where(Comment.author_id == viewer.user_id)
        .order_by(col(Comment.created_at).desc())
        .limit(MY_ITEMS)
    ).all()
    return [
        Mine(
            consultation,
            clock_status.status_of(consultation, now),
            f"/consultations/{consultation.slug}/comments/{comment.id}",
            str(_COMMENT_STATES.get(CommentState(comment.state), comment.state)),
            comment.created_at,
        )
        for comment, consultation in rows
    ]


def needs_you(rt: Runtime, session: Session, viewer: Viewer) -> list[NeedsYou]:
    """For chairs: consultations closing within two weeks, closed ones still without
    an outcome, and comments waiting in the moderation queue."""
    chaired = [g for g in viewer.member_roles if can(viewer, Action.MANAGE_PROCESS, g)]
    if not chaired:
        return []
    now = rt.clock()
    rows = session.exec(
        select(Consultation, TaskGroup)
        .join(TaskGroup, TaskGroup.id == Consultation.group_id)  # type: ignore[arg-type]
        .where(col(Consultation.group_id).in_(chaired))
        .order_by(col(Consultation.closes_at))
    ).all()
    waiting = _moderation_counts(session, [c.id for c, _g in rows if c.id is not None])
    found: list[NeedsYou] = []
    for consultation, group in rows:
        found.extend(_chair_items(consultation, group, now, waiting.get(consultation.id or 0, 0)))
    return found


def _chair_items(
    consultation: Consultation, group: TaskGroup, now: datetime, waiting: int
) -> list[NeedsYou]:
    base = f"/consultations/{consultation.slug}"
    status = clock_status.status_of(consultation, now)
    items = []
    if status is ConsultationStatus.OPEN and consultation.closes_at - now <= CLOSING_SOON:
        title = _("%(title)s closes soon", title=consultation.title)
        items.append(NeedsYou(title, base, group.name, order=40))
    if status is ConsultationStatus.CLOSED:
        items.append(
            NeedsYou(
                _("Publish the outcome of %(title)s", title=consultation.title),
                f"{base}/outcome/edit",
                group.name,
                order=30,
            )
        )
    if waiting:
        items.append(
            NeedsYou(
                ngettext(
                    "%(num)d comment on %(title)s waiting for moderation",
                    "%(num)d comments on %(title)s waiting for moderation",
                    waiting,
                    num=waiting,
                    title=consultation.title,
                ),
                f"{base}/moderation",
                group.name,
                order=25,
            )
        )
    return items


def _moderation_counts(session: Session, consultation_ids: list[int]) -> dict[int, int]:
    """Comments pending approval or flagged and still published, per consultation."""
    if not consultation_ids:
        return {}
    rows = session.exec(
        select(Comment.consultation_id, func.count())
        .where(col(Comment.consultation_id).in_(consultation_ids))
        .where(
            or_(
                col(Comment.state) == CommentState.PENDING,
                and_(col(Comment.state) == CommentState.PUBLISHED, col(Comment.flag_count) > 0),
            )
        )
        .group_by(col(Comment.consultation_id))
    ).all()
    return dict(rows)
