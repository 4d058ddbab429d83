"""The thread as one audience sees it, joined once per change and shared by its readers.

A consultation's thread is the same for everyone in an audience:

- `everyone`: every published, deleted or hidden comment (visitors and most people
  signed in);
- `moderators`: those and the comments waiting for a moderator (the group's chairs and
  the secretariat);
- `author:<id>`: what everyone sees plus that person's own waiting comments (only
  people with a comment waiting; everyone else signed in reads the `everyone` thread).

Each audience's joined HTML is kept in the runtime's fragment cache
(workspace/fragments.py) under the consultation's `comment_seq` as read in this
request. Every change to a comment (post, reply, edit, delete, hide, restore, approve,
re-render) bumps that number in the same transaction, so the first request of any
worker that reads the new number builds the thread again; nothing is kept past a change.
The number is read before the rows, so a thread built from rows newer than its number
is possible (it is replaced at the next number) and an older one is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from sqlmodel import Session, col, func, select

from consultations.comments import thread
from consultations.comments.models import Comment, CommentState
from consultations.lifecycle.models import Consultation
from workspace.fragments import FragmentCache
from workspace.i18n import ENGLISH, current_locale

EVERYONE = "everyone"
MODERATORS = "moderators"
# Top-level comments on a page of the thread page, each with all its replies.
PAGE_SIZE = 50
NO_CACHE = FragmentCache(0)
# Ids named in one query at most: beyond it a thread is read by consultation (SQLite
# refuses very long lists of parameters).
MAX_LISTED = 500


@dataclass(frozen=True)
class Shown:
    """One audience's thread: the joined items (UTF-8, ready to go into a page; see
    workspace/fragments.py `fill`) and what the page says about them."""

    encoded: bytes
    published: int
    pending: int

    @property
    def html(self) -> Markup:
        return Markup(self.encoded.decode())  # noqa: S704 - fragments we rendered and escaped


@dataclass(frozen=True)
class ShownPage(Shown):
    """A page of the thread: which of its pages this is, of how many, and the ids of the
    top-level comments on it (to find the page a comment is on)."""

    page: int = 1
    pages: int = 1
    roots: frozenset[int] = frozenset()


def audience_of(
    session: Session,
    cache: FragmentCache,
    consultation: Consultation,
    user_id: int | None,
    moderator: bool,
) -> str:
    if moderator:
        return MODERATORS
    if user_id is None:
        return EVERYONE
    if not cache.enabled:  # nothing shared: one query of what this person may see
        return f"author:{user_id}"
    waiting = cache.fetch(
        ("comment-pending-authors", consultation.id),
        consultation.comment_seq,
        lambda: _pending_authors(session, consultation.id or 0),
    )
    return f"author:{user_id}" if user_id in waiting else EVERYONE


def shown_thread(
    session: Session,
    cache: FragmentCache,
    consultation: Consultation,
    audience: str,
    templates: Environment | None = None,
) -> Shown:
    """The audience's thread in the reader's language (the cache keeps one per language);
    without `templates` always the stored English fragments."""
    return cache.fetch(
        ("comment-thread", consultation.id, audience),
        consultation.comment_seq,
        lambda: _build(session, consultation, audience, templates),
    )


def shown_page(
    session: Session,
    cache: FragmentCache,
    consultation: Consultation,
    audience: str,
    page: int,
    templates: Environment | None = None,
) -> ShownPage:
    """One page of the thread (`PAGE_SIZE` top-level comments with all their replies),
    shared like the whole thread and kept under the same version (and language)."""
    return cache.fetch(
        ("comment-thread-page", consultation.id, audience, page),
        consultation.comment_seq,
        lambda: _build_page(session, consultation, audience, page, templates),
    )


def page_of(session: Session, consultation_id: int, audience: str, path: str) -> int:
    """The page of the thread page holding the comment with this path: its top-level
    comment's place among those this audience sees."""
    earlier = _visible(
        select(Comment.id).where(
            col(Comment.consultation_id) == consultation_id,
            col(Comment.parent_id).is_(None),
            col(Comment.id) < thread.root_of(path),
        ),
        audience,
    )
    before = session.connection().execute(select(func.count()).select_from(earlier.subquery()))
    return int(before.scalar() or 0) // PAGE_SIZE + 1


def _visible(query: Any, audience: str) -> Any:
    if audience.startswith("author:"):
        author = int(audience.removeprefix("author:"))
        return query.where(
            (col(Comment.state) != CommentState.PENDING) | (col(Comment.author_id) == author)
        )
    if audience != MODERATORS:
        return query.where(col(Comment.state) != CommentState.PENDING)
    return query


def _build(
    session: Session, consultation: Consultation, audience: str, templates: Environment | None
) -> Shown:
    query = (
        select(Comment.id, Comment.path, Comment.html, Comment.state)
        .where(Comment.consultation_id == consultation.id)
        .order_by(col(Comment.path))
    )
    # Core rows straight off the connection: no ORM objects for a thousand comments.
    rows: Sequence[Any] = session.connection().execute(_visible(query, audience)).all()
    rows = _in_reader_language(session, consultation, templates, rows)
    states = [r[3] for r in rows]
    return Shown(
        encoded=thread.thread_html(rows).encode(),
        published=states.count(CommentState.PUBLISHED.value),
        pending=states.count(CommentState.PENDING.value),
    )


def _build_page(
    session: Session,
    consultation: Consultation,
    audience: str,
    page: int,
    templates: Environment | None,
) -> ShownPage:
    mine = col(Comment.consultation_id) == consultation.id
    connection = session.connection()
    counts = dict(
        connection.execute(
            _visible(select(Comment.state, func.count()).where(mine), audience).group_by(
                col(Comment.state)
            )
        ).all()
    )
    top_level = _visible(select(Comment.id).where(mine, col(Comment.parent_id).is_(None)), audience)
    roots = connection.execute(select(func.count()).select_from(top_level.subquery())).scalar()
    pages = max(1, -(-int(roots or 0) // PAGE_SIZE))
    page = min(page, pages)
    ids = connection.execute(
        top_level.order_by(col(Comment.id)).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).scalars()
    first_last = list(ids)
    rows: list[Any] = []
    if first_last:
        # A comment's path starts with its top-level comment's padded id, so one range of
        # the (consultation_id, path) index holds these threads and all their replies.
        query = (
            select(Comment.id, Comment.path, Comment.html, Comment.state)
            .where(mine)
            .where(col(Comment.path) >= thread.pad(first_last[0]))
            .where(col(Comment.path) < thread.pad(first_last[-1] + 1))
            .order_by(col(Comment.path))
        )
        rows = list(connection.execute(_visible(query, audience)).all())
        rows = _in_reader_language(session, consultation, templates, rows)
    return ShownPage(
        encoded=thread.thread_html(rows).encode(),
        published=int(counts.get(CommentState.PUBLISHED.value, 0)),
        pending=int(counts.get(CommentState.PENDING.value, 0)),
        page=page,
        pages=pages,
        roots=frozenset(first_last),
    )


def _pending_authors(session: Session, consultation_id: int) -> frozenset[int]:
    rows = session.exec(
        select(Comment.author_id)
        .where(Comment.consultation_id == consultation_id)
        .where(Comment.state == CommentState.PENDING)
        .distinct()
    ).all()
    return frozenset(r for r in rows if r is not None)


def _in_reader_language(
    session: Session,
    consultation: Consultation,
    templates: Environment | None,
    rows: Sequence[Any],
) -> list[Any]:
    """The rows as they are for English readers (the stored fragments are English), else
    with each fragment rendered again in the reader's language."""
    if templates is None or current_locale() == ENGLISH or not rows:
        return list(rows)
    wanted = [r[0] for r in rows]
    query = select(Comment).where(Comment.consultation_id == consultation.id)
    if len(wanted) <= MAX_LISTED:
        query = query.where(col(Comment.id).in_(wanted))
    found = [c for c in session.exec(query).all() if c.id in set(wanted)]
    html = thread.localised(templates, consultation, found)
    return [(r[0], r[1], html.get(r[0], r[2]), r[3]) for r in rows]
