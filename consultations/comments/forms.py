"""The comment form: its text (5,000 characters at most) and optional anchor, and the
per-person posting limit (COMMENT_LIMIT_PER_PERSON per RATE_WINDOW_SECONDS)."""

from __future__ import annotations

from dataclasses import dataclass

from consultations.comments import thread
from consultations.lifecycle.models import Consultation
from workspace import formats
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.permissions import Viewer
from workspace.runtime import Runtime

MAX_LENGTH = 5000


@dataclass(frozen=True)
class Draft:
    text: str
    anchor: str


def check_draft(form: FormInput, consultation: Consultation) -> Draft | None:
    """The comment form's text and anchor, or None with the problems recorded on `form`
    (the text stays in the form either way)."""
    text = form.get("comment").strip()
    if not text:
        form.error("comment", _("Enter your comment"))
    elif len(text) > MAX_LENGTH:
        form.error(
            "comment",
            _(
                "Your comment must be %(most)s characters or fewer. It has %(count)s characters.",
                most=formats.number(MAX_LENGTH),
                count=formats.number(len(text)),
            ),
        )
    anchor = form.get("comment_anchor")
    if anchor and thread.anchor_named(consultation, anchor) is None:
        form.error(
            "comment_anchor",
            _("Select a part of the consultation from the list, or the consultation as a whole"),
        )
    return Draft(text, anchor) if form.ok else None


def rate_key(actor: Viewer) -> str:
    return f"comment:{actor.user_id}"


def check_rate(rt: Runtime, actor: Viewer) -> str | None:
    """A message when this person has posted as many comments as a window allows."""
    limit = rt.settings.comment_limit_per_person
    if rt.limiter.exceeded(rate_key(actor), limit):
        return _(
            "You have posted %(limit)s comments in the last %(minutes)s minutes, which is as"
            " many as we accept in that time. Your comment has not been posted yet: keep it"
            " and try again %(when)s.",
            limit=formats.number(limit),
            minutes=rt.limiter.minutes,
            when=rt.limiter.wait(),
        )
    return None
