"""The few sentences the browser scripts in `static/js/` say (announcements, hints), in
the page's language: rendered into `<body data-messages>` as JSON, read by
`static/js/messages.js`. A plural message carries one text per CLDR plural category of
the language ("one", "two", "few", ...), which the script picks with `Intl.PluralRules`."""

from __future__ import annotations

from functools import lru_cache

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from workspace.i18n import (
    Active,
    LazyString,
    active,
    current_babel_locale,
    gettext_raw,
    lazy_gettext,
    lazy_ngettext,
    ngettext_raw,
)

MESSAGES: dict[str, LazyString] = {
    "scrollHint": lazy_gettext("Scroll sideways to see the whole table."),
    "unread": lazy_ngettext("%(num)d unread notification", "%(num)d unread notifications", 0),
    "newComment": lazy_gettext("New comment."),
    "newCommentFrom": lazy_gettext("New comment from %(name)s."),
    "newComments": lazy_ngettext("%(num)d new comment.", "%(num)d new comments.", 0),
    "newCommentsLatest": lazy_ngettext(
        "%(num)d new comment, the latest from %(name)s.",
        "%(num)d new comments, the latest from %(name)s.",
        0,
    ),
}
# Enough numbers to meet every plural category of English and Welsh.
SAMPLES = (*range(0, 21), 100, 1000)


def messages() -> dict[str, str | dict[str, str]]:
    """Every message in the current language, placeholders left for the script."""
    return {key: _raw(message) for key, message in MESSAGES.items()}


def messages_json() -> Markup:
    """`messages()` as JSON safe inside an HTML attribute, for `<body data-messages>`."""
    return _json_in(active())


# Keyed by the language and its catalogue, which are fixed once loaded: building the
# plural tables took half a millisecond of every page (profiled, issue 19).
@lru_cache(maxsize=16)
def _json_in(language: Active) -> Markup:
    return htmlsafe_json_dumps(messages())


def _raw(message: LazyString) -> str | dict[str, str]:
    args = message.args
    if not message.plural:
        return gettext_raw(args[0])
    singular, plural = args[0], args[1]
    locale = current_babel_locale()
    table: dict[str, str] = {}
    for n in SAMPLES:
        table.setdefault(locale.plural_form(n), ngettext_raw(singular, plural, n))
    return table
