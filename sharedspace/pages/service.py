"""Reading and writing the public-service pages. Each has a title, a default text in
markdown (in `defaults/`, shipped with the code) and, once the secretariat edits it,
a stored text that replaces the default. Markdown is rendered once, when written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from sharedspace.pages.models import ServicePage
from workspace import activity
from workspace.db import utcnow
from workspace.i18n import N_, current_locale, gettext
from workspace.markdown import render_markdown
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime

DEFAULTS = Path(__file__).resolve().parent / "defaults"
MAX_BODY = 50_000


@dataclass(frozen=True)
class PageKind:
    slug: str
    title: str  # English, as the activity log records it

    @property
    def label(self) -> str:
        """The title in the reader's language."""
        return gettext(self.title)


PAGES = {
    p.slug: p
    for p in (
        PageKind("help", N_("Help")),
        PageKind("accessibility", N_("Accessibility statement")),
        PageKind("privacy", N_("Privacy notice")),
        PageKind("cookies", N_("Cookies")),
    )
}


@dataclass(frozen=True)
class ShownPage:
    kind: PageKind
    body: str
    html: str
    edited: ServicePage | None


def default_text(slug: str, language: str = "en") -> str:
    """The page's default text in `language` (defaults/cy/ for Welsh), else in English.
    The secretariat's edited text is one text, shown in every language."""
    translated = DEFAULTS / language / f"{slug}.md"
    if language != "en" and translated.is_file():
        return translated.read_text(encoding="utf-8")
    return (DEFAULTS / f"{slug}.md").read_text(encoding="utf-8")


def page(session: Session, slug: str) -> ShownPage:
    kind = PAGES[slug]
    stored = session.get(ServicePage, slug)
    if stored is not None:
        return ShownPage(kind, stored.body, stored.body_html, stored)
    text = default_text(slug, current_locale())
    return ShownPage(kind, text, render_markdown(text), None)


def do_save(rt: Runtime, actor: Viewer, slug: str, body: str) -> None:
    """Store the secretariat's text; an empty one puts the default text back."""
    require(actor, Action.ADMINISTER)
    kind = PAGES[slug]
    with rt.db.write() as unit:
        stored = unit.session.get(ServicePage, slug)
        if not body.strip():
            if stored is not None:
                unit.session.delete(stored)
            summary = f"{kind.title} page set back to its default text"
        else:
            stored = stored or ServicePage(slug=slug)
            stored.body, stored.body_html = body, render_markdown(body)
            stored.updated_by, stored.updated_at = actor.user_id, utcnow()
            unit.session.add(stored)
            summary = f"{kind.title} page edited"
        activity.record(
            unit,
            actor_id=actor.user_id,
            verb="service_page_edited",
            object_type="service_page",
            object_id=None,
            summary=summary,
            url=f"/{slug}",
        )
