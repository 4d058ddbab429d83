"""English and Welsh: message catalogues, the request's language, and the functions that
translate (docs/i18n.md).

English is the source language: every msgid is the English text, so English needs no
catalogue. Each top-level package keeps its Welsh catalogue in
`<package>/locale/cy/LC_MESSAGES/messages.po`; they are read and merged once per process
(compiled in memory, no `.mo` files). The language of what is being rendered lives in a
context variable: the middleware sets it for each request, a mail job sets it to the
recipient's, and outside both it is English.

    from workspace.i18n import gettext as _
    _("Closes on %(date)s", date=closes)

Placeholders are always `%(name)s`, as in Jinja's newstyle gettext, and the text is always
formatted, so a literal percent sign is written `%%`.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import importlib.util
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ENGLISH = "en"
WELSH = "cy"
DEFAULT = ENGLISH
# The languages offered, in the order the switcher shows them, each named in itself.
LANGUAGES: dict[str, str] = {ENGLISH: "English", WELSH: "Cymraeg"}
COOKIE = "lang"
DOMAIN = "messages"
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Active:
    """The language things are being rendered in, and its merged catalogue."""

    locale: str
    translations: stdlib_gettext.NullTranslations

    @property
    def babel(self) -> Locale:
        return _babel_locale(self.locale)


ENGLISH_ACTIVE = Active(ENGLISH, stdlib_gettext.NullTranslations())
_active: ContextVar[Active] = ContextVar("language", default=ENGLISH_ACTIVE)


def current_locale() -> str:
    return _active.get().locale


def current_babel_locale() -> Locale:
    return _active.get().babel


def active() -> Active:
    """The language being rendered in with its catalogue (hashable: a cache key)."""
    return _active.get()


@lru_cache(maxsize=4)
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def gettext(message: str, **variables: Any) -> str:
    """`message` in the current language, with `%(name)s` placeholders filled."""
    return _active.get().translations.gettext(message) % variables


_ = gettext


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it here: a table of messages
    chosen from later, then passed to `gettext`."""
    return message


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """The form for `n` (Welsh has six), with `%(num)d` set to `n` unless given."""
    variables.setdefault("num", n)
    return _active.get().translations.ngettext(singular, plural, n) % variables


class LazyString:
    """A message translated when it is shown, for module-level constants (labels, titles)
    made at import time, long before anyone's language is known."""

    __slots__ = ("_args", "_plural")

    def __init__(self, args: tuple[Any, ...], plural: bool) -> None:
        self._args = args
        self._plural = plural

    def __str__(self) -> str:
        if self._plural:
            singular, plural, n, variables = self._args
            return ngettext(singular, plural, n, **variables)
        message, variables = self._args
        return gettext(message, **variables)

    def __html__(self) -> str:
        # Jinja escapes it like any other text.
        from markupsafe import escape

        return str(escape(str(self)))

    def __repr__(self) -> str:
        return f"LazyString({self._args[0]!r})"

    @property
    def args(self) -> tuple[Any, ...]:
        """(message, variables), or (singular, plural, n, variables) for a plural."""
        return self._args

    @property
    def plural(self) -> bool:
        return self._plural

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self._args[0])

    def __len__(self) -> int:
        return len(str(self))

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)

    def __mod__(self, other: Any) -> str:
        formatted: str = str(self) % other
        return formatted

    def format(self, *args: Any, **kwargs: Any) -> str:
        return str(self).format(*args, **kwargs)


def lazy_gettext(message: str, **variables: Any) -> LazyString:
    return LazyString((message, variables), plural=False)


def lazy_ngettext(singular: str, plural: str, n: int, **variables: Any) -> LazyString:
    return LazyString((singular, plural, n, variables), plural=True)


class Labels(Mapping[K, str]):
    """A table of labels made at import time (sectors, channels), each read in the
    language of the moment: `Labels({Sector.INDUSTRY: N_("Industry")})`. It is a plain
    `Mapping[key, str]` to its readers."""

    def __init__(self, messages: Mapping[K, str]) -> None:
        self._messages = dict(messages)

    def __getitem__(self, key: K) -> str:
        return gettext(self._messages[key])

    def __iter__(self) -> Iterator[K]:
        return iter(self._messages)

    def __len__(self) -> int:
        return len(self._messages)


class Catalogues:
    """Every package's Welsh catalogue, merged: one per process, built at start-up."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self.folders = tuple(folders)
        self._by_locale: dict[str, stdlib_gettext.NullTranslations] = {
            ENGLISH: stdlib_gettext.NullTranslations()
        }
        for code in LANGUAGES:
            if code != ENGLISH:
                self._by_locale[code] = _merged(code, self.folders)

    def active(self, locale: str) -> Active:
        code = locale if locale in self._by_locale else DEFAULT
        return Active(code, self._by_locale[code])

    @contextmanager
    def use(self, locale: str) -> Iterator[Active]:
        """Render in `locale` inside the block (a mail job writing to a Welsh speaker)."""
        active = self.active(locale)
        token = _active.set(active)
        try:
            yield active
        finally:
            _active.reset(token)

    def activate(self, locale: str) -> Active:
        """Set the language for the rest of this context (one request's task)."""
        active = self.active(locale)
        _active.set(active)
        return active


def _merged(code: str, folders: tuple[Path, ...]) -> stdlib_gettext.NullTranslations:
    merged: stdlib_gettext.NullTranslations | None = None
    for folder in folders:
        path = folder / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.is_file():
            continue
        compiled = _compile(path, path.stat().st_mtime_ns)
        if merged is None:
            merged = _copy(compiled)
        else:
            # Later packages never override a translation an earlier one gives.
            merged._catalog = {**compiled._catalog, **merged._catalog}  # type: ignore[attr-defined]
    return merged or stdlib_gettext.NullTranslations()


@lru_cache(maxsize=64)
def _compile(path: Path, _mtime: int) -> stdlib_gettext.GNUTranslations:
    """A `.po` file compiled in memory (fuzzy entries left out, as msgfmt does)."""
    with path.open("rb") as source:
        catalogue = read_po(source, locale=path.parent.parent.name)
    buffer = BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return stdlib_gettext.GNUTranslations(buffer)


def _copy(found: stdlib_gettext.GNUTranslations) -> stdlib_gettext.GNUTranslations:
    buffer = stdlib_gettext.GNUTranslations()
    buffer.__dict__.update(found.__dict__)
    buffer._catalog = dict(found._catalog)  # type: ignore[attr-defined]
    return buffer


def locale_folder(package: str) -> Path | None:
    """`<package>/locale`, found without importing the package (the ground never imports
    the features above it)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "locale"


def choose(chosen: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language for a request: the signed-in person's saved choice, else the `lang`
    cookie (anyone's choice on this browser), else the browser's preferences, else
    English."""
    for candidate in (chosen, cookie):
        if candidate in LANGUAGES:
            return candidate
    return best_accepted(accept_language or "")


def best_accepted(header: str) -> str:
    """The offered language the `Accept-Language` header ranks highest (`cy-GB` counts as
    `cy`); English when it names none of them."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT


def gettext_raw(message: str) -> str:
    """The translation alone, unformatted: Jinja's newstyle gettext formats it itself."""
    return _active.get().translations.gettext(message)


def ngettext_raw(singular: str, plural: str, n: int) -> str:
    return _active.get().translations.ngettext(singular, plural, n)
