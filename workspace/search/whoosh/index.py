"""The Whoosh index on disk: its schema, its version, and how documents are written.

The index is named after its schema version (`INDEX_NAME`, Whoosh's `indexname`), so an
index an older release wrote in the same directory is told apart from the current one.
`WhooshBackend` keeps answering from the older index until the indexer has rebuilt the
current one from the database, then `remove_older` deletes its files.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # Whoosh 2.7.4 compiles regexes with invalid escapes: DeprecationWarnings at import.
    warnings.simplefilter("ignore")
    from whoosh import index
    from whoosh import query as wq
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
    from whoosh.writing import IndexWriter, LockError

from workspace.search import SearchDocument
from workspace.search.whoosh.query import PAIRED_FIELDS, pair_analyzer, pairs_field

# Version 2 added `title_pairs` and `body_pairs` and dropped the words' positions.
# Version 1 used Whoosh's default index name; an index named in OLDER_INDEXES is rebuilt
# into INDEX_NAME.
SCHEMA_VERSION = 2
INDEX_NAME = f"v{SCHEMA_VERSION}"
OLDER_INDEXES = ("MAIN",)
log = logging.getLogger(__name__)


def make_schema() -> Schema:
    # LanguageAnalyzer("en") stems with Snowball English (porter2): "run" finds "Running",
    # which Whoosh's StemmingAnalyzer (porter, "runn") misses.
    text = LanguageAnalyzer("en")
    pairs = pair_analyzer(text)
    return Schema(
        doc_id=ID(stored=True, unique=True),
        key=ID(stored=True),
        kind=ID(stored=True),
        group_id=ID(stored=True),
        visibility=ID,
        public_from=DATETIME,
        # Words without positions (a third of the size, read three times faster):
        # phrases are answered from the pairs of neighbouring words, which keep them.
        title=TEXT(stored=True, analyzer=text, field_boost=2.0, phrase=False),
        body=TEXT(stored=True, analyzer=text, phrase=False),
        title_pairs=TEXT(analyzer=pairs, field_boost=2.0),
        body_pairs=TEXT(analyzer=pairs),
        url=STORED,
        label=STORED,
        date=DATETIME(stored=True),
    )


def naive(value: datetime) -> datetime:
    """Whoosh stores naive datetimes: ours are UTC."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


class Writer:
    """One batch of index changes. Whoosh deletes only from committed segments, so a key
    written twice in one batch would keep both versions: changes are kept by key until
    `flush` (the last one for a key wins, as with the PostgreSQL backend), then each key
    is deleted once and its documents added. A rebuild (`fresh`) writes at once: the
    index is empty and every key comes once."""

    def __init__(self, writer: IndexWriter, *, fresh: bool = False) -> None:
        self.writer = writer
        self.fresh = fresh
        self.pending: dict[str, Sequence[SearchDocument]] = {}
        self._searcher: Any = None

    def index_documents(self, key: str, documents: Sequence[SearchDocument]) -> None:
        if self.fresh:
            self._add(documents)
            return
        self.pending.pop(key, None)  # keep the order of the last change
        self.pending[key] = documents

    def delete(self, key: str) -> None:
        self.index_documents(key, [])

    def flush(self) -> None:
        for key, documents in self.pending.items():
            self._delete(key)
            self._add(documents)
        self.pending.clear()

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()

    def _delete(self, key: str) -> None:
        # One searcher for the whole batch: `delete_by_term` opens a new one per call,
        # which on 100,000 documents made a 1,000-comment burst take 40 s to index.
        if self._searcher is None:
            self._searcher = self.writer.searcher()
        self.writer.delete_by_query(wq.Term("key", key), searcher=self._searcher)

    def _add(self, documents: Sequence[SearchDocument]) -> None:
        for doc in documents:
            fields: dict[str, Any] = {
                "doc_id": doc.doc_id,
                "key": doc.key,
                "kind": doc.kind,
                "group_id": str(doc.group_id) if doc.group_id is not None else "",
                "visibility": doc.visibility,
                "title": doc.title,
                "body": doc.body,
                "url": doc.url,
                "label": doc.label,
                "date": naive(doc.date),
            }
            for name in PAIRED_FIELDS:
                fields[pairs_field(name)] = fields[name]
            if doc.public_from is not None:
                fields["public_from"] = naive(doc.public_from)
            self.writer.add_document(**fields)


def open_or_create(directory: Path, schema: Schema) -> Any:
    directory.mkdir(parents=True, exist_ok=True)
    where = str(directory)
    if index.exists_in(where, indexname=INDEX_NAME):
        return index.open_dir(where, indexname=INDEX_NAME)
    try:
        return index.create_in(where, schema, indexname=INDEX_NAME)
    except LockError:  # another worker is creating it at this moment
        return index.open_dir(where, indexname=INDEX_NAME)


def open_older(directory: Path) -> Any:
    """An index of an older schema in the directory, or None."""
    for name in OLDER_INDEXES:
        if index.exists_in(str(directory), indexname=name):
            log.warning(
                "search index %r has an older schema: it answers queries until the "
                "indexer has rebuilt the index from the database",
                name,
            )
            return index.open_dir(str(directory), indexname=name)
    return None


def remove_older(directory: Path) -> None:
    """Deletes the files of older-schema indexes, table of contents first (which is what
    other processes look at). Searchers already open keep reading their files."""
    for name in OLDER_INDEXES:
        files = sorted(
            (p for p in directory.iterdir() if p.name.startswith((f"_{name}_", f"{name}_"))),
            key=lambda p: not p.name.startswith("_"),
        )
        for path in files:
            path.unlink(missing_ok=True)
