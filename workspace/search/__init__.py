"""Search: the backend-neutral interface, the outbox call services make, and the registry
of document providers.

Feature packages describe their documents with a `DocumentProvider` (kind -> "turn these
ids into documents"), returned from their plugin's `search_providers` hook;
`workspace.search.setup` builds the backend and the service from them. Services call
`enqueue(rt, unit, kind, id)` inside their write transaction; the indexer
(`workspace.search.outbox`) drains the outbox after commit.

A backend (Whoosh in `search/whoosh/`, the default; PostgreSQL full-text search in
`search/postgres/`, chosen with SEARCH_BACKEND=postgres) only stores documents and
answers queries; it never reads the application's tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from sqlmodel import Session

from workspace.db import WriteUnit
from workspace.i18n import lazy_gettext
from workspace.models import SearchOutbox

if TYPE_CHECKING:
    from workspace.runtime import Runtime

PUBLIC = "public"
UPSERT = "upsert"
DELETE = "delete"


def group_visibility(group_id: int) -> str:
    return f"group:{group_id}"


def place_visibility(place_id: int) -> str:
    """The visibility of a place with its own audience (an invited consultation): read
    only by those whose query names it in `readable_places`, and by the secretariat."""
    return f"place:{place_id}"


@dataclass(frozen=True)
class SearchDocument:
    """One searchable thing. Several documents may share a `key` (one per tier of a
    definition revision): the key is what the outbox names and what gets replaced."""

    kind: str
    object_id: int
    title: str
    body: str
    url: str
    date: datetime
    visibility: str  # PUBLIC or group_visibility(n)
    group_id: int | None = None
    part: str = ""  # tells apart documents of one object ("r3-t0")
    label: str = ""  # shown beside the title ("Draft, revision 3")
    # Visible to everyone from this moment, whatever `visibility` says: a consultation is
    # its group's draft until it opens, and opening is a time, not a write (see
    # docs/search.md), so the query compares it with the clock.
    public_from: datetime | None = None

    @property
    def key(self) -> str:
        return doc_key(self.kind, self.object_id)

    @property
    def doc_id(self) -> str:
        return f"{self.key}:{self.part}" if self.part else self.key


def doc_key(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


FetchFn = Callable[[Session, Sequence[int]], dict[int, list[SearchDocument]]]
AllIdsFn = Callable[[Session], Iterable[int]]


@dataclass(frozen=True)
class DocumentProvider:
    kind: str
    label: str  # plural, for the kind filter ("Comments")
    fetch: FetchFn  # ids -> their current documents; a missing id means "not indexed"
    all_ids: AllIdsFn  # every id, for `sharedspace reindex`


@dataclass(frozen=True)
class SearchQuery:
    text: str
    # Groups whose private documents the asker may read; None = every group (secretariat).
    readable_groups: frozenset[int] | None
    now: datetime
    kinds: frozenset[str] = frozenset()
    group_id: int | None = None
    page: int = 1
    per_page: int = 10
    # Places with their own audience (permissions.Place ids) the asker may read.
    readable_places: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    url: str
    date: datetime | None
    group_id: int | None
    label: str
    # Snippet as (text, is_match) runs: templates escape every run and wrap matches in
    # <mark>, so no indexed text is ever trusted as markup.
    snippet: list[list[tuple[str, bool]]]


SNIPPET_CHARS = 240  # the most text a snippet shows


def opening_snippet(body: str) -> list[list[tuple[str, bool]]]:
    """The snippet when only the title matched: the body's opening, unmarked."""
    cut = body[:SNIPPET_CHARS]
    return [[(cut + ("…" if len(body) > SNIPPET_CHARS else ""), False)]] if cut else []


@dataclass(frozen=True)
class SearchResults:
    total: int
    page: int
    pages: int
    hits: list[Hit] = field(default_factory=list)


@dataclass(frozen=True)
class IndexStats:
    documents: int
    size_bytes: int
    last_indexed_at: datetime | None


class QueryError(ValueError):
    """The query could not be understood; the message is for the person who typed it."""


# What every backend says to the person searching, so both answer alike.
MAX_QUERY_CHARS = 500
TOO_LONG = lazy_gettext("Search for at most %(max)d characters.", max=MAX_QUERY_CHARS)
UNCLOSED_QUOTE = lazy_gettext(
    'Close the quotation marks around a phrase, as in "carbon compliance".'
)
UNBALANCED = lazy_gettext("Match every opening bracket with a closing one.")
NO_WORDS = lazy_gettext("Your search has no words we can look for. Try plain words.")
NOT_UNDERSTOOD = lazy_gettext(
    'We could not understand that search. Use plain words, "quoted phrases", AND, OR and NOT.'
)
# A phrase with slop: neither backend keeps the positions to check it.
NO_PROXIMITY = (
    'Searching for words near each other ("…"~N) is not supported: '
    "use a quoted phrase or plain words."
)


def check_query_text(text: str) -> None:
    """Refuse, with a message, what no backend can search: too long, an unclosed quote,
    unbalanced brackets (outside quotes). Each backend calls this before its parser, so
    neither quietly guesses what an unfinished query meant."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(TOO_LONG)
    if text.count('"') % 2:
        raise QueryError(UNCLOSED_QUOTE)
    depth = 0
    for char in re.sub(r'"[^"]*"', " ", text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError(UNBALANCED)
    if depth:
        raise QueryError(UNBALANCED)


class IndexSession(Protocol):
    def index_documents(self, key: str, documents: Sequence[SearchDocument]) -> None:
        """Replace every document stored under `key` with these (none: remove them)."""

    def delete(self, key: str) -> None: ...


class SearchBackend(Protocol):
    def writing(self) -> AbstractContextManager[IndexSession | None]:
        """A batch of changes committed together on leaving the block, or None when
        another process holds the writer (its holder will drain the outbox instead)."""

    def rebuilding(self) -> AbstractContextManager[IndexSession]:
        """An empty index that replaces the current one when the block ends."""

    def query(self, query: SearchQuery) -> SearchResults:
        """Only documents the asker may read, filtered inside the engine, so totals and
        pages count what is shown. Raises QueryError for text it cannot parse."""

    def stats(self) -> IndexStats: ...

    def close(self) -> None: ...


@runtime_checkable
class UpgradableBackend(Protocol):
    """A backend whose stored index can be of an older format than its code writes (a
    Whoosh index from before a schema change)."""

    def upgrading(self) -> AbstractContextManager[IndexSession | None]:
        """A full rebuild replacing an index of an older format, or None when there is
        none (or another process is already rebuilding it)."""


class SearchService:
    """What a runtime holds for search: providers, the backend, and a way to wake the
    indexer (the runtime sets it to enqueue the indexing job on the worker)."""

    def __init__(self, backend: SearchBackend, providers: Iterable[DocumentProvider]) -> None:
        self.backend = backend
        self.providers: dict[str, DocumentProvider] = {}
        for provider in providers:
            if provider.kind in self.providers:
                raise ValueError(f"two search providers for {provider.kind!r}")
            self.providers[provider.kind] = provider
        self.wake: Callable[[], None] = lambda: None

    def kinds(self) -> list[tuple[str, str]]:
        return [(p.kind, p.label) for p in self.providers.values()]


def enqueue(
    rt: Runtime, unit: WriteUnit, kind: str, object_id: int | None, op: str = UPSERT
) -> None:
    """Note in this transaction that an object's documents changed, and wake the indexer
    once it has committed. Cheap: one small insert, no index work on the request path."""
    if object_id is None:
        return
    unit.session.add(SearchOutbox(kind=kind, object_id=object_id, op=op))
    unit.after_commit_once("search.wake", lambda: rt.search.wake())


def chunks(ids: Iterable[int], size: int = 500) -> Iterator[list[int]]:
    batch: list[int] = []
    for object_id in ids:
        batch.append(object_id)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
