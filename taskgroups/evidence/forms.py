"""Reading the evidence form into a draft; the user's input is kept on every error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from taskgroups.evidence.models import KIND_LABELS, Evidence, Visibility
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.i18n import lazy_gettext

# Read in the page's language when shown (a Labels table).
KINDS = KIND_LABELS
VISIBILITIES = {
    Visibility.GROUP.value: lazy_gettext(
        "The task group only (members, observers and the secretariat)"
    ),
    Visibility.PUBLIC.value: lazy_gettext("Everyone: it is listed and served publicly"),
}


@dataclass
class EvidenceDraft:
    title: str = ""
    authors: str = ""
    published_on: date | None = None
    kind: str = "other"
    summary: str = ""
    url: str = ""
    visibility: str = Visibility.GROUP.value


def check_evidence(form: FormInput, *, has_file: bool, had_file: bool = False) -> EvidenceDraft:
    draft = EvidenceDraft(
        title=form.required("title", _("a title")),
        authors=form.optional("authors", _("authors or source"), max_length=300),
        published_on=form.date("published_on", _("the date"), required=False),
        kind=form.choice("kind", _("what kind of evidence this is"), set(KINDS)),
        summary=form.optional("summary", _("the summary"), max_length=20_000, multiline=True),
        url=form.optional("url", _("the link"), max_length=500),
        visibility=form.choice("visibility", _("who can see it"), set(VISIBILITIES)),
    )
    if draft.url and not _web_address(draft.url):
        form.error("url", _("Enter a web address starting with https:// or http://"))
    if not (has_file or had_file or draft.url):
        form.error("file", _("Choose a file to upload, or give a link to the document"))
    return draft


def _web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def form_values(evidence: Evidence) -> dict[str, Any]:
    return {
        "title": evidence.title,
        "authors": evidence.authors,
        "published_on": evidence.published_on.isoformat() if evidence.published_on else "",
        "kind": evidence.kind,
        "summary": evidence.summary,
        "url": evidence.url,
        "visibility": evidence.visibility,
    }
