"""How a comment thread is laid out: paths, anchors, the stored fragment and the page.

Shape. A comment's `path` is the zero-padded ids of its ancestors and itself, so one
`ORDER BY path` reads a whole consultation's comments in reading order. Nesting shows
five levels (depths 0-4); a reply to a comment at the fifth level or deeper is stored
with the fifth-level comment as its last ancestor in the path, so every deeper reply
sits flat, in time order, in the list under that fifth-level comment, and its fragment
says "In reply to <name>". Paths therefore never grow past six segments.

Rendering. Each comment's public `<article>` is rendered once, when it changes, and kept
in `Comment.html`; it depends on nothing about the viewer, so the same HTML is stored,
served in the page, returned by the change feed and broadcast live. Building a page is
one query and a string join (`thread_html`), with no template run per comment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from consultations.comments.models import Comment
from consultations.lifecycle.models import Consultation
from workspace.i18n import ENGLISH, current_locale
from workspace.i18n import gettext as _

MAX_LEVELS = 5  # nested levels shown; deeper replies are listed flat under the fifth
ROOT_LIST = "comment-thread"  # id of the page's top-level <ol>
FRAGMENT_TEMPLATE = "consultations/comments/_comment.html"
_PAD = 10


def pad(comment_id: int) -> str:
    return f"{comment_id:0{_PAD}d}"


def path_for(parent: Comment | None, comment_id: int) -> str:
    """The path of a new comment: its parent's, cut to five levels, plus its own id."""
    if parent is None:
        return pad(comment_id)
    return "/".join([*parent.path.split("/")[:MAX_LEVELS], pad(comment_id)])


def root_of(path: str) -> int:
    """The id of the thread's first comment: the first id of the path."""
    return int(path.split("/", 1)[0])


def list_id(path: str) -> str:
    """Id of the <ol> whose item holds the comment with this path."""
    parts = path.split("/")
    if len(parts) == 1:
        return ROOT_LIST
    return f"replies-{int(parts[-2])}"


def shown_flat(comment: Comment) -> bool:
    """True for replies deeper than the nesting shows: they name whom they answer."""
    return comment.depth >= MAX_LEVELS


# -- anchors: a tier of the frozen definition or a section of the consultation -----------


@dataclass(frozen=True)
class Anchor:
    value: str  # stored in Comment.anchor: "tier:<key>" or "section:<slug>"
    label: str
    href: str  # a fragment on the consultation page, or "" when there is none to link


def anchors_of(consultation: Consultation) -> list[Anchor]:
    """What a comment can be about: each tier of the frozen definition, then each
    second-level heading ("## ...") of the consultation's text."""
    found: list[Anchor] = []
    if consultation.frozen_definition:
        try:
            frozen: dict[str, Any] = json.loads(consultation.frozen_definition)
        except ValueError:
            frozen = {}
        for position, tier in enumerate(frozen.get("tiers", []), start=1):
            key = str(tier.get("key", ""))[:50]
            if key:
                found.append(
                    Anchor(
                        f"tier:{key}",
                        _(
                            "Tier %(position)s: %(name)s",
                            position=position,
                            name=tier.get("name", ""),
                        ),
                        f"#tier-{key}",
                    )
                )
    seen: set[str] = set()
    for heading in re.findall(r"^##[ \t]+(.+?)[ \t#]*$", consultation.body, flags=re.M):
        slug = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")[:50]
        if slug and slug not in seen:
            seen.add(slug)
            found.append(Anchor(f"section:{slug}", heading.strip()[:120], ""))
    return found


def anchor_named(consultation: Consultation, value: str) -> Anchor | None:
    if not value:
        return None
    return next((a for a in anchors_of(consultation) if a.value == value), None)


# -- the stored fragment -------------------------------------------------------------------


def render_fragment(
    templates: Environment, consultation: Consultation, comment: Comment, reply_to: str = ""
) -> str:
    """The comment's public <article>, for its current state. `reply_to` is the name of
    the parent's author, shown for replies listed flat under the fifth level."""
    return templates.get_template(FRAGMENT_TEMPLATE).render(
        c=comment,
        slug=consultation.slug,
        list_id=list_id(comment.path),
        reply_to=reply_to if shown_flat(comment) else "",
        anchor=anchor_named(consultation, comment.anchor),
    )


def localised(
    templates: Environment, consultation: Consultation, comments: Sequence[Comment]
) -> dict[int, str]:
    """Each comment's fragment in the reader's language. The stored `Comment.html` is
    English (see `consultations.comments.service.mark_changed`); readers in another
    language get theirs rendered from the rows, once per change (audience.py caches
    the joined thread per language)."""
    names = {c.id: c.author_name for c in comments}
    return {
        c.id or 0: render_fragment(
            templates, consultation, c, names.get(c.parent_id, "") if c.parent_id else ""
        )
        for c in comments
    }


def for_reader(templates: Environment, consultation: Consultation, comment: Comment) -> Markup:
    """One comment's fragment for its own pages: the stored one for English readers,
    rendered again in another reader's language."""
    if current_locale() == ENGLISH:
        return Markup(comment.html)  # noqa: S704 - rendered and escaped when stored
    return Markup(render_fragment(templates, consultation, comment))  # noqa: S704 - escaped


# -- the page ------------------------------------------------------------------------------


def thread_html(rows: Iterable[Sequence[Any]]) -> Markup:
    """Nested <li> items for rows of (id, path, html, ...) in path order.

    Items go straight into the page's `<ol id="comment-thread">`; each item's replies go
    in an `<ol id="replies-<id>">` inside it. A row whose parent is not among the rows
    (a reply to something this viewer cannot see) is left out rather than misplaced.
    """
    parts: list[str] = []
    stack: list[list[int]] = []  # open items: [id, replies list opened (0/1)]
    for comment_id, path, html, *_rest in rows:
        level = path.count("/")
        if level > len(stack):
            continue
        while len(stack) > level:
            _closed, opened = stack.pop()
            parts.append("</ol></li>" if opened else "</li>")
        if level:
            parent = stack[-1]
            if parent[0] != int(path[-2 * _PAD - 1 : -_PAD - 1]):
                continue
            if not parent[1]:
                parts.append(f'<ol class="ss-thread__replies" id="replies-{parent[0]}">')
                parent[1] = 1
        parts.append(f'<li class="ss-thread__item" id="item-{comment_id}">')
        parts.append(html)
        stack.append([comment_id, 0])
    while stack:
        _closed, opened = stack.pop()
        parts.append("</ol></li>" if opened else "</li>")
    return Markup("".join(parts))  # noqa: S704 - joins fragments we rendered and escaped
