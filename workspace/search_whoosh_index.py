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
    from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
    from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
    from whoosh.writing import IndexWriter, LockError

from workspace.search import SearchDocument
from workspace.search_whoosh_query import PAIRED_FIELDS, pair_analyzer, pairs_field

# Version 2 added `title_pairs` and `body_pairs` and dropped the words' positions.
# Version 1 used Whoosh's default index name; an index named in OLDER_INDEXES is rebuilt
# into INDEX_NAME.
SCHEMA_VERSION = 2
INDEX_NAME = f"v{SCHEMA_VERSION}"
OLDER_INDEXES = ("MAIN",)
log = logging.getLogger(__name__)
# Posting lists this short are kept in the term table instead of a block of their own.
# Most word pairs occur in a handful of documents: measured on 10,000 comments, 8 made
# the commit of a rebuild 27% faster and the index 12% smaller.
INLINE_POSTINGS = 8


class _InliningPostingsWriter(W3PostingsWriter):  # type: ignore[misc]
    """Whoosh 3's postings writer, inlining short lists as its `inlinelimit` intends.
    Whoosh 2.7.4 never inlines with the default limit of 1 (it tests `len < 1`) and
    fails with any other (it calls `set_inline`; the term info has `set_inlined`).
    Reading inlined postings is Whoosh's own code (`W3Codec.postings_reader`)."""

    def finish_postings(self) -> Any:
        if self.written() or len(self) > self._inlinelimit:
            return super().finish_postings()
        terminfo: Any = self._terminfo  # type: ignore[has-type]  # Whoosh is untyped
        terminfo.add_block(self)
        terminfo.set_inlined(self._ids, self._weights, self._values)
        self._terminfo = None
        return terminfo


class Codec(W3Codec):  # type: ignore[misc]
    """Whoosh 3's codec with short posting lists inlined. Segments remember their codec
    (pickled into the table of contents), so this class must stay importable under this
    name; indexes written before it read as they always did."""

    def __init__(self) -> None:
        super().__init__(inlinelimit=INLINE_POSTINGS)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return _InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


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
    def __init__(self, writer: IndexWriter, *, fresh: bool = False) -> None:
        self.writer = writer
        self.fresh = fresh  # an empty index being rebuilt: nothing to delete first
        self._searcher: Any = None

    def _delete(self, key: str) -> None:
        # One searcher for the whole batch: `delete_by_term` opens a new one per call,
        # which on 100,000 documents made a 1,000-comment burst take 40 s to index.
        if self._searcher is None:
            self._searcher = self.writer.searcher()
        self.writer.delete_by_query(wq.Term("key", key), searcher=self._searcher)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()

    def index_documents(self, key: str, documents: Sequence[SearchDocument]) -> None:
        if not self.fresh:
            self._delete(key)
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

    def delete(self, key: str) -> None:
        self._delete(key)


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
