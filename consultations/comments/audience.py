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
from sqlmodel import Session, col, select

from consultations.comments import thread
from consultations.comments.models import Comment, CommentState
from consultations.lifecycle.models import Consultation
from workspace.fragments import FragmentCache
from workspace.i18n import ENGLISH, current_locale

EVERYONE = "everyone"
MODERATORS = "moderators"
NO_CACHE = FragmentCache(0)


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


def _build(
    session: Session, consultation: Consultation, audience: str, templates: Environment | None
) -> Shown:
    query = (
        select(Comment.id, Comment.path, Comment.html, Comment.state)
        .where(Comment.consultation_id == consultation.id)
        .order_by(col(Comment.path))
    )
    if audience.startswith("author:"):
        author = int(audience.removeprefix("author:"))
        query = query.where(
            (col(Comment.state) != CommentState.PENDING) | (col(Comment.author_id) == author)
        )
    elif audience != MODERATORS:
        query = query.where(col(Comment.state) != CommentState.PENDING)
    # Core rows straight off the connection: no ORM objects for a thousand comments.
    rows: Sequence[Any] = session.connection().execute(query).all()
    if templates is not None and current_locale() != ENGLISH:
        rows = _in_reader_language(session, consultation, templates, rows)
    states = [r[3] for r in rows]
    return Shown(
        encoded=thread.thread_html(rows).encode(),
        published=states.count(CommentState.PUBLISHED.value),
        pending=states.count(CommentState.PENDING.value),
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
    session: Session, consultation: Consultation, templates: Environment, rows: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """The rows with each fragment rendered again in the reader's language."""
    # By consultation, not by a list of ids: a large thread would pass SQLite's limit.
    wanted = {r[0] for r in rows}
    found = session.exec(select(Comment).where(Comment.consultation_id == consultation.id)).all()
    html = thread.localised(templates, consultation, [c for c in found if c.id in wanted])
    return [(r[0], r[1], html.get(r[0], r[2]), r[3]) for r in rows]
