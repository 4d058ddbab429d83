"""Comments on a consultation: post, reply, edit (history kept), delete (placeholder kept),
the thread as a page reads it, and the change feed.

Every change is one transaction that locks the consultation's row, bumps its
`comment_seq`, stamps the comment with that `seq`, writes its path and depth, renders
its public fragment and records the activity event. Only after the commit is
`CommentChanged` published (docs/realtime.md). Because the lock is held until commit,
sequence numbers become visible in order, so "every change after seq N" is exact.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import or_, true
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from consultations.comments import audience, pages, thread
from consultations.comments.forms import Draft, rate_key
from consultations.comments.models import Comment, CommentEdit, CommentState
from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation, ConsultationStatus, ModerationMode
from taskgroups.groups.models import Membership
from workspace import activity, search
from workspace.db import WriteUnit
from workspace.events import CommentChanged
from workspace.failures import Conflict, Forbidden
from workspace.forms import FormInput
from workspace.fragments import FragmentCache
from workspace.i18n import ENGLISH, LANGUAGES, current_locale
from workspace.i18n import gettext as _
from workspace.markdown import render_markdown
from workspace.models import Organisation
from workspace.notifications.following import auto_follow
from workspace.permissions import Action, Role, Viewer, can, can_in, require, require_in
from workspace.runtime import Runtime

log = logging.getLogger(__name__)

OBSERVER_BADGE = "Government observer"
THREAD = "thread"  # what following a comment thread is called (workspace/notifications)


class CommentRefused(Conflict):
    """A change the comment's state does not allow (replying to a removed comment, ...)."""


def is_moderator(viewer: Viewer, consultation: Consultation) -> bool:
    return can(viewer, Action.MODERATE, consultation.group_id)


def visible_to(viewer: Viewer, consultation: Consultation, comment: Comment) -> bool:
    """Pending comments are seen by their author and the moderators only."""
    if comment.state != CommentState.PENDING:
        return True
    return (viewer.signed_in and comment.author_id == viewer.user_id) or is_moderator(
        viewer, consultation
    )


# -- writing -------------------------------------------------------------------------------


def lock_consultation(session: Session, consultation_id: int) -> Consultation:
    """The consultation, locked until commit (PostgreSQL row lock; on SQLite the write
    transaction already holds the database's write lock)."""
    consultation = session.exec(
        select(Consultation)
        .where(Consultation.id == consultation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if consultation is None:
        raise LookupError(consultation_id)
    return consultation


def comment_in(session: Session, consultation_id: int, comment_id: int) -> Comment:
    comment = session.exec(
        select(Comment)
        .where(Comment.id == comment_id, Comment.consultation_id == consultation_id)
        .execution_options(populate_existing=True)
    ).first()
    if comment is None:
        raise LookupError(comment_id)
    return comment


def mark_changed(
    rt: Runtime, unit: WriteUnit, consultation: Consultation, comment: Comment, change: str
) -> None:
    """Bump the consultation's sequence, stamp and re-render the comment, and publish
    `CommentChanged` once the transaction has committed. Call with the row locked."""
    consultation.comment_seq += 1
    comment.seq = consultation.comment_seq
    reply_to = ""
    if thread.shown_flat(comment) and comment.parent_id is not None:
        parent = unit.session.get(Comment, comment.parent_id)
        reply_to = parent.author_name if parent else ""
    # Stored in English, the source language, whoever's request changed it: readers in
    # another language get it rendered again in theirs (thread.localised).
    with rt.catalogues.use(ENGLISH):
        comment.html = thread.render_fragment(rt.templates, consultation, comment, reply_to)
    unit.session.add(consultation)
    unit.session.add(comment)
    pending = comment.state == CommentState.PENDING
    event = CommentChanged(
        consultation_id=consultation.id or 0,
        comment_id=comment.id or 0,
        parent_id=comment.parent_id,
        seq=comment.seq,
        state=comment.state,
        # Nothing of a pending comment leaves the server: it is not public yet.
        html="" if pending else comment.html,
        author_name="" if pending else comment.author_name,
        change=change,
        html_localised={} if pending else _other_languages(rt, consultation, comment, reply_to),
    )
    unit.after_commit(lambda: rt.events.publish(event))
    # Every comment change passes here: the indexer reads its state (only published
    # comments are indexed, so hiding, deleting or holding one removes it).
    search.enqueue(rt, unit, "comment", comment.id)


def _other_languages(
    rt: Runtime, consultation: Consultation, comment: Comment, reply_to: str
) -> dict[str, str]:
    """The comment's fragment in every language but the stored English, for live readers."""
    found: dict[str, str] = {}
    for code in LANGUAGES:
        if code != ENGLISH:
            with rt.catalogues.use(code):
                found[code] = thread.render_fragment(rt.templates, consultation, comment, reply_to)
    return found


def do_post(
    rt: Runtime, actor: Viewer, consultation_id: int, draft: Draft, parent_id: int | None = None
) -> Comment:
    """Post a comment, or a reply to `parent_id`. Raises WrongStatus when the
    consultation is not open, CommentRefused when the parent cannot be answered."""
    body_html = render_markdown(draft.text)  # before the write lock is taken
    now = rt.clock()
    with rt.db.write() as unit:
        session = unit.session
        consultation = lock_consultation(session, consultation_id)
        require_in(actor, Action.COMMENT, lifecycle.place_of(consultation))
        lifecycle.require_open(consultation, now)
        parent = None
        if parent_id is not None:
            try:
                parent = comment_in(session, consultation_id, parent_id)
            except LookupError:
                raise CommentRefused(_("The comment you replied to no longer exists.")) from None
            if parent.state != CommentState.PUBLISHED:
                raise CommentRefused(cannot_reply(parent))
        moderator = is_moderator(actor, consultation)
        pre = consultation.moderation == ModerationMode.PRE and not moderator
        badge, observer = _badge(session, actor, consultation.group_id)
        comment = Comment(
            consultation_id=consultation_id,
            parent_id=parent_id,
            path="",
            seq=0,
            depth=parent.depth + 1 if parent else 0,
            author_id=actor.user_id,
            author_name=actor.display_name[:120],
            author_badge=badge,
            is_observer=observer,
            anchor=draft.anchor,
            body=draft.text,
            body_html=body_html,
            state=CommentState.PENDING if pre else CommentState.PUBLISHED,
            created_at=now,
        )
        session.add(comment)
        session.flush()
        assert comment.id is not None
        comment.path = thread.path_for(parent, comment.id)
        # Authors hear of replies in the thread they wrote in (workspace/notifications).
        auto_follow(unit, [actor.user_id], THREAD, thread.root_of(comment.path), role="author")
        mark_changed(rt, unit, consultation, comment, "posted")
        what = "replied to a comment" if parent else "commented"
        log_comment(
            unit,
            actor,
            "comment.posted",
            consultation,
            comment,
            f"{actor.display_name} {what} on {consultation.title}"
            + (" (waiting for a moderator)" if pre else ""),
            visibility=activity.GROUP if pre else activity.PUBLIC,
        )
    try:
        rt.limiter.hit(rate_key(actor))
    except Exception:  # the comment is stored; a missed count must not become an error
        log.exception("could not count a comment against the rate limit")
    return comment


def do_edit(
    rt: Runtime, actor: Viewer, consultation_id: int, comment_id: int, draft: Draft
) -> Comment:
    """The author changes their comment; the text it had is kept as history."""
    body_html = render_markdown(draft.text)  # before the write lock is taken
    now = rt.clock()
    with rt.db.write() as unit:
        consultation = lock_consultation(unit.session, consultation_id)
        comment = comment_in(unit.session, consultation_id, comment_id)
        _require_author(actor, comment)
        lifecycle.require_open(consultation, now)
        if comment.state not in (CommentState.PUBLISHED, CommentState.PENDING):
            raise CommentRefused(cannot_change(comment))
        if draft.text == comment.body and draft.anchor == comment.anchor:
            return comment
        if draft.text != comment.body:
            unit.session.add(CommentEdit(comment_id=comment_id, body=comment.body, replaced_at=now))
            comment.body, comment.body_html = draft.text, body_html
            comment.edited_at = now
        comment.anchor = draft.anchor
        mark_changed(rt, unit, consultation, comment, "edited")
        log_comment(
            unit,
            actor,
            "comment.edited",
            consultation,
            comment,
            f"{actor.display_name} edited their comment on {consultation.title}",
            visibility=_visibility(comment),
        )
    return comment


def do_delete(rt: Runtime, actor: Viewer, consultation_id: int, comment_id: int) -> Comment:
    """The author removes their comment; a placeholder keeps the replies in place."""
    now = rt.clock()
    with rt.db.write() as unit:
        consultation = lock_consultation(unit.session, consultation_id)
        comment = comment_in(unit.session, consultation_id, comment_id)
        _require_author(actor, comment)
        lifecycle.require_open(consultation, now)
        if comment.state not in (CommentState.PUBLISHED, CommentState.PENDING):
            raise CommentRefused(cannot_change(comment))
        visibility = _visibility(comment)
        comment.state = CommentState.DELETED
        mark_changed(rt, unit, consultation, comment, "deleted")
        log_comment(
            unit,
            actor,
            "comment.deleted",
            consultation,
            comment,
            f"{actor.display_name} deleted their comment on {consultation.title}",
            visibility=visibility,
        )
    return comment


def _require_author(actor: Viewer, comment: Comment) -> None:
    require(actor, Action.SIGNED_IN)
    if comment.author_id is None or comment.author_id != actor.user_id:
        raise Forbidden(_("Only the person who wrote a comment can change it."))


def _badge(session: Session, actor: Viewer, group_id: int) -> tuple[str, bool]:
    """(badge, is_observer): observers are marked as government; the group's members by
    their organisation; the secretariat as such."""
    role = actor.role_in(group_id)
    if role is Role.OBSERVER or (role is Role.PUBLIC and actor.observed_groups):
        return OBSERVER_BADGE, True
    if role is Role.SECRETARIAT:
        return "Hub secretariat", False
    if role in (Role.MEMBER, Role.CHAIR):
        org = session.exec(
            select(Organisation.name)
            .join(Membership, col(Membership.organisation_id) == Organisation.id)
            .where(Membership.group_id == group_id, Membership.user_id == actor.user_id)
        ).first()
        prefix = "Chair" if role is Role.CHAIR else ""
        return ", ".join(p for p in (prefix, org or "") if p)[:200], False
    return "", False


def cannot_reply(parent: Comment) -> str:
    if parent.state == CommentState.PENDING:
        return _("You can reply to this comment once a moderator has approved it.")
    return _("This comment has been removed, so it can no longer be replied to.")


def cannot_change(comment: Comment) -> str:
    if comment.state == CommentState.HIDDEN:
        return _("A moderator has removed this comment, so it can no longer be changed.")
    return _("This comment has been deleted, so it can no longer be changed.")


def _visibility(comment: Comment) -> str:
    return activity.GROUP if comment.state == CommentState.PENDING else activity.PUBLIC


def permalink(consultation: Consultation, comment: Comment | int) -> str:
    comment_id = comment if isinstance(comment, int) else comment.id
    return f"{lifecycle.url(consultation)}/comments/{comment_id}"


def log_comment(
    unit: WriteUnit,
    actor: Viewer,
    verb: str,
    consultation: Consultation,
    comment: Comment,
    summary: str,
    visibility: str = activity.PUBLIC,
) -> None:
    activity.record(
        unit,
        actor_id=actor.user_id,
        verb=verb,
        object_type="comment",
        object_id=comment.id,
        group_id=consultation.group_id,
        summary=summary,
        visibility=lifecycle.activity_visibility(consultation, visibility),
        url=permalink(consultation, comment),
    )


# -- reading -------------------------------------------------------------------------------


def _visible_clause(viewer: Viewer, consultation: Consultation) -> Any:
    if is_moderator(viewer, consultation):
        return true()
    if viewer.signed_in:
        return or_(
            col(Comment.state) != CommentState.PENDING, col(Comment.author_id) == viewer.user_id
        )
    return col(Comment.state) != CommentState.PENDING


@dataclass
class ThreadView:
    """What `_comments.html` shows; built by `thread_context`."""

    consultation: Consultation
    html: Markup
    count: int
    seq: int
    status: ConsultationStatus
    signed_in: bool
    can_comment: bool
    moderator: bool
    pending: int
    anchors: list[thread.Anchor]
    form: FormInput = field(default_factory=FormInput)
    encoded: bytes = b""  # the thread's items as UTF-8, for a page that fills a hole
    form_html: Markup | None = None  # the empty form, already rendered (the page's own)
    # The thread page shows the thread in pages (audience.PAGE_SIZE top-level comments):
    # the GOV.UK pagination component's parameters, and whether new top-level comments
    # belong on this page (the last), so the live script adds them only there.
    pagination: dict[str, Any] | None = None
    last_page: bool = True

    @property
    def is_open(self) -> bool:
        return self.status is ConsultationStatus.OPEN

    @property
    def base(self) -> str:
        return lifecycle.url(self.consultation)

    @property
    def pre_moderated(self) -> bool:
        return self.consultation.moderation == ModerationMode.PRE


def thread_context(
    session: Session,
    viewer: Viewer,
    consultation: Consultation,
    now: datetime,
    form: FormInput | None = None,
    cache: FragmentCache = audience.NO_CACHE,
    hole: str = "",
    page: int | None = None,
    templates: Environment | None = None,
) -> dict[str, Any]:
    """Context for `{% include "consultations/comments/_comments.html" %}`: one key,
    `comment_thread`. The thread itself is the viewer's audience's, shared through
    `cache` (consultations/comments/audience.py); the rest is this viewer's. With a
    `hole` (workspace/fragments.py) the page shows that marker where the thread goes
    and the caller fills it with `comment_thread.encoded`. With a `page`, only that page
    of the thread (audience.shown_page), with its pagination. With `templates` the thread
    is in the reader's language, else in the stored English."""
    moderator = is_moderator(viewer, consultation)
    status = lifecycle.status_of(consultation, now)
    who = audience.audience_of(session, cache, consultation, viewer.user_id, moderator)
    paging: dict[str, Any] = {}
    if page is None:
        shown: audience.Shown = audience.shown_thread(session, cache, consultation, who, templates)
    else:
        part = audience.shown_page(session, cache, consultation, who, page, templates)
        shown = part
        paging = {
            "pagination": pages.thread_pages(consultation, part.page, part.pages),
            "last_page": part.page == part.pages,
        }
    view = ThreadView(
        consultation=consultation,
        html=Markup(hole) if hole else shown.html,  # noqa: S704 - our own marker
        encoded=shown.encoded,
        count=shown.published,
        seq=consultation.comment_seq,  # what the thread was built for: the feed goes on
        status=status,
        signed_in=viewer.signed_in,
        can_comment=can_in(viewer, Action.COMMENT, lifecycle.place_of(consultation))
        and status is ConsultationStatus.OPEN,
        moderator=moderator,
        pending=shown.pending if moderator else 0,
        anchors=thread.anchors_of(consultation),
        form=form or FormInput(),
        **paging,
    )
    return {"comment_thread": view}


def changes_after(
    session: Session,
    viewer: Viewer,
    consultation: Consultation,
    after: int,
    templates: Environment | None = None,
) -> dict[str, Any]:
    """The change feed: every comment this viewer may read that changed after `after`,
    each once, in its latest state, oldest change first."""
    after = min(after, 2**31 - 1)  # an INTEGER column: PostgreSQL refuses larger numbers
    current = session.exec(
        select(Consultation.comment_seq).where(Consultation.id == consultation.id)
    ).one()
    rows = session.execute(
        core_select(  # type: ignore[call-overload]
            Comment.id, Comment.parent_id, Comment.seq, Comment.state, Comment.html
        )
        .where(Comment.consultation_id == consultation.id, col(Comment.seq) > after)
        .where(_visible_clause(viewer, consultation))
        .order_by(col(Comment.seq))
    ).all()
    html = {r[0]: r[4] for r in rows}
    if templates is not None and rows and current_locale() != ENGLISH:
        found = session.exec(select(Comment).where(Comment.consultation_id == consultation.id))
        html |= thread.localised(templates, consultation, [c for c in found if c.id in html])
    changes = [
        {"comment_id": r[0], "parent_id": r[1], "seq": r[2], "state": r[3], "html": html[r[0]]}
        for r in rows
    ]
    top = max([current, *(c["seq"] for c in changes)])
    return {"seq": top, "changes": changes}


def history_of(session: Session, comment_id: int) -> list[CommentEdit]:
    return list(
        session.exec(
            select(CommentEdit)
            .where(CommentEdit.comment_id == comment_id)
            .order_by(col(CommentEdit.replaced_at).desc(), col(CommentEdit.id).desc())
        ).all()
    )


def do_rerender(rt: Runtime, consultation_id: int) -> int:
    """Render every stored fragment of a consultation again (`sharedspace rerender`, after
    the fragment template changes). Each is a change, so live pages and the feed pick it
    up."""
    with rt.db.write() as unit:
        consultation = lock_consultation(unit.session, consultation_id)
        comments = unit.session.exec(
            select(Comment)
            .where(Comment.consultation_id == consultation_id)
            .order_by(col(Comment.path))
        ).all()
        for comment in comments:
            mark_changed(rt, unit, consultation, comment, "rerendered")
    return len(comments)
