"""What consultations tell people: opened, closing soon, closed (with the number of
responses), the outcome published; a reply to your comment; new comments in threads and
consultations you follow; your comment hidden (with the reason) or approved. And what can
be followed here: consultations and comment threads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from consultations.comments import thread
from consultations.comments.models import Comment, CommentState
from consultations.comments.service import THREAD, permalink
from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.lifecycle.status import FOLLOW_KIND as CONSULTATION
from consultations.lifecycle.status import is_invited, status_of, url
from consultations.responses.models import Response
from taskgroups.groups.models import TaskGroup
from taskgroups.groups.service import GROUP
from workspace.events import (
    CommentChanged,
    ConsultationChange,
    ConsultationClosed,
    ConsultationClosingSoon,
    ConsultationOpened,
    ConsultationOutcomePublished,
)
from workspace.hooks import (
    Audience,
    Followed,
    Followers,
    FollowTarget,
    Notice,
    NotificationKind,
    NotificationSource,
    People,
)
from workspace.i18n import N_
from workspace.notifications.following import PROGRAMME
from workspace.runtime import Runtime

PROGRESS = "consultation_progress"
OUTCOME = "consultation_outcome"
REPLY = "comment_reply"
NEW_COMMENTS = "new_comments"
MODERATED = "comment_moderated"

# Collected once at start-up: marked for the catalogue (N_) and translated where the
# notifications pages show them. What a notice says is stored, so it stays in English.
KINDS = (
    NotificationKind(
        PROGRESS,
        N_("Consultations opening, closing soon or closed"),
        N_(
            "A consultation you follow, or of a group you follow, opens, nears or reaches"
            " its close."
        ),
        N_("Consultations"),
        order=40,
    ),
    NotificationKind(
        OUTCOME,
        N_("Consultation outcomes"),
        N_('The "you said, we did" of a consultation you answered or follow is published.'),
        N_("Consultations"),
        order=41,
    ),
    NotificationKind(
        REPLY,
        N_("Replies to your comments"),
        N_("Someone answers a comment you wrote."),
        N_("Comments"),
        needs_you=True,
        order=50,
    ),
    NotificationKind(
        NEW_COMMENTS,
        N_("New comments where you follow"),
        N_("Someone comments in a thread or on a consultation you follow."),
        N_("Comments"),
        order=51,
    ),
    NotificationKind(
        MODERATED,
        N_("Your comments hidden or approved"),
        N_("A moderator hides one of your comments (saying why) or approves it."),
        N_("Comments"),
        needs_you=True,
        order=52,
    ),
)

_WORDS = {
    ConsultationOpened: "Consultation opened",
    ConsultationClosingSoon: "Consultation closing soon",
    ConsultationClosed: "Consultation closed",
    ConsultationOutcomePublished: "Outcome published",
}


def _audiences(session: Session, event: ConsultationChange) -> tuple[Audience, ...]:
    group = session.get(TaskGroup, event.group_id)
    found: list[Audience] = [Followers(CONSULTATION, event.consultation_id, "You follow it")]
    if group is not None:
        found.append(Followers(GROUP, group.id or 0, f"You follow the task group {group.name}"))
    found.append(Followers(PROGRAMME, 0, "You follow the programme"))
    return tuple(found)


def lifecycle_source(rt: Runtime, event_class: type[ConsultationChange]) -> NotificationSource:
    zone = ZoneInfo(rt.settings.timezone)

    def notices(session: Session, event: ConsultationChange) -> Iterable[Notice]:
        consultation = session.get(Consultation, event.consultation_id)
        if consultation is None:
            return []
        summary = _summary(session, consultation, type(event), zone)
        kind = OUTCOME if isinstance(event, ConsultationOutcomePublished) else PROGRESS
        page = event.url + ("/outcome" if kind == OUTCOME else "")
        return [
            Notice(
                kind=kind,
                key=f"consultation:{consultation.id}:{event_class.__name__}:{consultation.closes_at:%Y%m%d}",
                title=f"{_WORDS[event_class]}: {consultation.title}",
                url=page,
                audiences=_audiences(session, event),
                group_id=consultation.group_id,
                summary=summary,
                # An invited consultation's news never reaches the group's or programme's
                # followers outside its audience: only the group's people are told.
                private=is_invited(consultation),
            )
        ]

    return NotificationSource(f"consultations.{event_class.__name__}", event_class, notices)


def _summary(
    session: Session, consultation: Consultation, kind: type[ConsultationChange], zone: ZoneInfo
) -> str:
    closes = consultation.closes_at.astimezone(zone)
    if kind in (ConsultationOpened, ConsultationClosingSoon):
        return f"It closes on {closes.day} {closes:%B %Y at %H:%M}."
    responses = session.exec(
        select(func.count())
        .select_from(Response)
        .where(Response.consultation_id == consultation.id)
    ).one()
    return f"{responses} response{'' if responses == 1 else 's'}."


def comment_source() -> NotificationSource:
    def notices(session: Session, event: CommentChanged) -> Iterable[Notice]:
        comment = session.get(Comment, event.comment_id)
        consultation = session.get(Consultation, event.consultation_id)
        if comment is None or consultation is None:
            return []
        if event.change == "hidden":
            return [_moderated(consultation, comment, hidden=True)]
        if event.change == "approved":
            return [
                _moderated(consultation, comment, hidden=False),
                *_posted(session, consultation, comment),
            ]
        if event.change == "posted" and comment.state == CommentState.PUBLISHED:
            return _posted(session, consultation, comment)
        return []

    return NotificationSource("consultations.comments", CommentChanged, notices)


def _posted(session: Session, consultation: Consultation, comment: Comment) -> list[Notice]:
    found: list[Notice] = []
    parent = session.get(Comment, comment.parent_id) if comment.parent_id else None
    replied_to = parent.author_id if parent is not None else None
    where = permalink(consultation, comment)
    if replied_to and replied_to != comment.author_id:
        found.append(
            Notice(
                kind=REPLY,
                key=f"comment:{comment.id}:reply",
                title=f"{comment.author_name} replied to your comment on {consultation.title}",
                url=where,
                audiences=(People((replied_to,), "You wrote the comment they answered", "author"),),
                actor_id=comment.author_id,
                summary=_excerpt(comment.body),
            )
        )
    found.append(
        Notice(
            kind=NEW_COMMENTS,
            key=f"comment:{comment.id}:new",
            title=f"{comment.author_name} commented on {consultation.title}",
            url=where,
            audiences=(
                Followers(THREAD, thread.root_of(comment.path), "You follow this comment thread"),
                Followers(CONSULTATION, consultation.id or 0, "You follow this consultation"),
            ),
            actor_id=comment.author_id,
            summary=_excerpt(comment.body),
            exclude=(replied_to,) if replied_to else (),
        )
    )
    return found


def _moderated(consultation: Consultation, comment: Comment, hidden: bool) -> Notice:
    reason = comment.moderation_reason
    return Notice(
        kind=MODERATED,
        key=f"comment:{comment.id}:{'hidden' if hidden else 'approved'}",
        title=(
            f"A moderator removed your comment on {consultation.title}"
            if hidden
            else f"Your comment on {consultation.title} was approved and is now public"
        ),
        url=permalink(consultation, comment),
        audiences=(
            People((comment.author_id,) if comment.author_id else (), "You wrote it", "author"),
        ),
        summary=f"The reason given: {reason}" if hidden and reason else "",
    )


def _excerpt(text: str, length: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def sources(rt: Runtime) -> list[NotificationSource]:
    return [
        *(
            lifecycle_source(rt, kind)
            for kind in (
                ConsultationOpened,
                ConsultationClosingSoon,
                ConsultationClosed,
                ConsultationOutcomePublished,
            )
        ),
        comment_source(),
    ]


# -- following -------------------------------------------------------------------------


def describer(rt: Runtime) -> FollowTarget:
    def describe(session: Session, ids: list[int]) -> Mapping[int, Followed]:
        found = session.exec(select(Consultation).where(col(Consultation.id).in_(ids))).all()
        now = rt.clock()
        return {
            c.id or 0: Followed(
                c.title,
                url(c),
                c.group_id,
                private=status_of(c, now) is ConsultationStatus.DRAFT or is_invited(c),
            )
            for c in found
        }

    return FollowTarget(CONSULTATION, N_("consultation"), describe)


def _describe_threads(session: Session, ids: list[int]) -> Mapping[int, Followed]:
    rows = session.exec(
        select(Comment, Consultation)
        .join(Consultation, col(Consultation.id) == Comment.consultation_id)
        .where(col(Comment.id).in_(ids))
    ).all()
    return {
        comment.id or 0: Followed(
            f"{comment.author_name}’s thread on {consultation.title}",
            permalink(consultation, comment),
            consultation.group_id,
            private=is_invited(consultation),
        )
        for comment, consultation in rows
    }


THREADS = FollowTarget(THREAD, N_("comment thread"), _describe_threads)
