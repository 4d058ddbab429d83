"""The Whoosh implementation of `workspace.search.SearchBackend`.

One index directory under DATA_DIR. Writers take Whoosh's own lock file without waiting
(`timeout=0`): with several workers exactly one indexes at a time and the others leave
the outbox rows for it. Searchers are kept per thread and refreshed (cheap when nothing
changed) instead of being reopened for every query.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # Whoosh 2.7.4 compiles regexes with invalid escapes: DeprecationWarnings at import.
    warnings.simplefilter("ignore")
    from whoosh import collectors, highlight, index, qparser
    from whoosh import query as wq
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
    from whoosh.searching import Searcher
    from whoosh.writing import CLEAR, IndexWriter, LockError

from workspace.search import (
    PUBLIC,
    Hit,
    IndexStats,
    QueryError,
    SearchDocument,
    SearchQuery,
    SearchResults,
    group_visibility,
)

MAX_QUERY_CHARS = 500
_CACHED_RESTRICTIONS = 8  # (groups, kinds, group) keys kept per thread and generation
SNIPPET_CHARS = 240


def make_schema() -> Schema:
    # LanguageAnalyzer("en") stems with Snowball English (porter2): "run" finds "Running",
    # which Whoosh's StemmingAnalyzer (porter, "runn") misses.
    text = LanguageAnalyzer("en")
    return Schema(
        doc_id=ID(stored=True, unique=True),
        key=ID(stored=True),
        kind=ID(stored=True),
        group_id=ID(stored=True),
        visibility=ID,
        public_from=DATETIME,
        title=TEXT(stored=True, analyzer=text, field_boost=2.0),
        body=TEXT(stored=True, analyzer=text),
        url=STORED,
        label=STORED,
        date=DATETIME(stored=True),
    )


def _naive(value: datetime) -> datetime:
    """Whoosh stores naive datetimes: ours are UTC."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


class _Writer:
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
                "date": _naive(doc.date),
            }
            if doc.public_from is not None:
                fields["public_from"] = _naive(doc.public_from)
            self.writer.add_document(**fields)

    def delete(self, key: str) -> None:
        self._delete(key)


class _SnippetFormatter(highlight.Formatter):  # type: ignore[misc]
    """Returns fragments as (text, is_match) runs instead of a markup string."""

    def format(self, fragments: Any, replace: bool = False) -> list[list[tuple[str, bool]]]:
        out = []
        for fragment in fragments:
            runs: list[tuple[str, bool]] = []
            index_, text = fragment.startchar, fragment.text
            for token in fragment.matches:
                if token.startchar is None or token.startchar < index_:
                    continue
                if token.startchar > index_:
                    runs.append((text[index_ : token.startchar], False))
                runs.append((text[token.startchar : token.endchar], True))
                index_ = token.endchar
            runs.append((text[index_ : fragment.endchar], False))
            out.append(runs)
        return out


class WhooshBackend:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.schema = make_schema()
        self._local = threading.local()
        self._ix: Any = self._open_or_create()

    def _open_or_create(self) -> Any:
        self.directory.mkdir(parents=True, exist_ok=True)
        if index.exists_in(str(self.directory)):
            return index.open_dir(str(self.directory))
        try:
            return index.create_in(str(self.directory), self.schema)
        except LockError:  # another worker is creating it at this moment
            return index.open_dir(str(self.directory))

    # -- writing ------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[_Writer | None]:
        try:
            writer = self._ix.writer(timeout=0.0, limitmb=128)
        except LockError:
            yield None
            return
        batch = _Writer(writer)
        try:
            yield batch
        except BaseException:
            batch.close()
            writer.cancel()
            raise
        batch.close()
        # Merging small segments keeps queries fast; Whoosh's default policy does it in
        # proportion, so most commits stay small.
        writer.commit()

    @contextmanager
    def rebuilding(self) -> Iterator[_Writer]:
        """Writes every document into the live index with the writer lock held (drains
        wait), then commits with CLEAR, which drops all older segments: searches keep
        answering from the old documents until the new set is complete."""
        writer = self._ix.writer(timeout=120.0, delay=0.25, limitmb=256)
        try:
            yield _Writer(writer, fresh=True)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)

    # -- reading ------------------------------------------------------------------------

    def _searcher(self) -> Searcher:
        """This thread's searcher, reopened when the index has a new generation. Not
        `Searcher.refresh()`: it reuses segment readers by segment id, so deletions
        committed into an unchanged segment (a hidden comment) would stay visible."""
        ix: Any = self._ix
        searcher: Searcher | None = getattr(self._local, "searcher", None)
        generation = ix.latest_generation()
        if searcher is not None and (
            getattr(self._local, "ix", None) is not ix
            or generation != searcher.reader().generation()
        ):
            searcher.close()
            searcher = None
        if searcher is None:
            searcher = self._ix.searcher()
            self._local.ix = self._ix
            self._local.searcher = searcher
        return searcher

    def _parse(self, text: str) -> Any:
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"Search for at most {MAX_QUERY_CHARS} characters.")
        parser = qparser.MultifieldParser(["title", "body"], self.schema)
        # Only the text fields may be named: filters are ours to set, not the query's.
        parser.remove_plugin_class(qparser.FieldsPlugin)
        parser.add_plugin(qparser.FieldsPlugin(expr=r"(?P<text>title|body):"))
        try:
            parsed = parser.parse(text)
        except Exception as error:  # Whoosh raises many kinds for odd input
            raise QueryError(_explain(text)) from error
        if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
            raise QueryError("Your search has no words we can look for. Try plain words.")
        return parsed

    def query(self, query: SearchQuery) -> SearchResults:
        parsed = self._parse(query.text)
        searcher = self._searcher()
        allow, deny = self._restriction(searcher, query)
        if allow is not None and not allow:
            # Nothing readable passes (Whoosh treats an empty `allow` as "no filter").
            return SearchResults(total=0, page=1, pages=1, hits=[])
        # The restriction is a set of document numbers handed to Whoosh as a filter, not
        # a clause And-ed into the query: the scored query stays the reader's own, and
        # the filter drops what this person may not read before anything is collected
        # or counted. Block-max skipping (`optimize`) pays only for a single word: Whoosh
        # skips posting blocks that cannot reach the page and the total is counted after
        # without scoring. Intersections and phrases claim block quality but skip almost
        # nothing, and the checks plus a second pass to count made them 2-3x slower, so
        # they are scored in one pass that also counts.
        collector = searcher.collector(
            limit=max(1, query.page) * query.per_page, optimize=_skips_well(parsed)
        )
        if allow is not None or deny is not None:
            collector = collectors.FilterCollector(collector, allow, deny)
        try:
            searcher.search_with_collector(parsed, collector)
            results = collector.results()
            # Exact, and only over what this person may read: hidden documents are in
            # `deny` (or missing from `allow`), deleted ones are never matched.
            if collector.computes_count():
                total = collector.count()
            else:
                total = _count(searcher, parsed, allow, deny)
        except QueryError:
            raise
        except Exception as error:
            raise QueryError(_explain(query.text)) from error
        pages = max(1, -(-total // query.per_page))
        # A page past the end answers the last page, as Whoosh's `search_page` did.
        pagenum = min(max(1, query.page), pages)
        if pagenum != max(1, query.page):
            return self.query(replace(query, page=pagenum))
        results.highlighter = highlight.Highlighter(
            fragmenter=highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60),
            formatter=_SnippetFormatter(),
        )
        start = (pagenum - 1) * query.per_page
        hits = [
            self._hit(results[i])
            for i in range(start, min(start + query.per_page, len(results.top_n)))
        ]
        return SearchResults(total=total, page=pagenum, pages=pages, hits=hits)

    def _restriction(
        self, searcher: Searcher, query: SearchQuery
    ) -> tuple[set[int] | None, set[int] | None]:
        """(allow, deny) document numbers for this query's reader and filters; at most one
        is set, whichever is smaller. The expensive part depends only on the index
        generation and the filters, so it is cached with this thread's searcher; only
        "opened since" (`public_from` before now) is worked out per query."""
        if query.readable_groups is None and not query.kinds and query.group_id is None:
            return None, None
        cache: dict[Any, Any] = self._local.__dict__.setdefault("restrictions", {})
        if cache.get("searcher") is not searcher:
            cache.clear()
            cache["searcher"] = searcher
        key = (query.readable_groups, query.kinds, query.group_id)
        found = cache.get(key)
        if found is None:
            found = _restriction_sets(searcher, query)
            if len(cache) > _CACHED_RESTRICTIONS:
                cache.clear()
                cache["searcher"] = searcher
            cache[key] = found
        allow, deny, restricted = found
        if query.readable_groups is None:
            return allow, deny
        opened = _docset(searcher, wq.DateRange("public_from", None, _naive(query.now)))
        # Documents opened to everyone still obey the kind and group filters.
        opened -= restricted
        if not opened:
            return allow, deny
        if allow is not None:
            return allow | opened, None
        return None, deny - opened

    def _hit(self, hit: Any) -> Hit:
        snippet = hit.highlights("body", top=2) or []
        if not snippet:
            body = hit.get("body", "")
            cut = body[:SNIPPET_CHARS]
            snippet = [[(cut + ("…" if len(body) > SNIPPET_CHARS else ""), False)]] if cut else []
        date = hit.get("date")
        group = hit.get("group_id") or ""
        return Hit(
            kind=hit["kind"],
            title=hit.get("title", ""),
            url=hit.get("url", ""),
            date=date.replace(tzinfo=UTC) if date else None,
            group_id=int(group) if group else None,
            label=hit.get("label", ""),
            snippet=snippet,
        )

    def stats(self) -> IndexStats:
        files = [p for p in self.directory.iterdir() if p.is_file()]
        tocs = [p.stat().st_mtime for p in files if p.suffix == ".toc"]
        with self._ix.searcher() as searcher:
            documents = searcher.doc_count()
        return IndexStats(
            documents=documents,
            size_bytes=sum(p.stat().st_size for p in files),
            last_indexed_at=datetime.fromtimestamp(max(tocs), UTC) if tocs else None,
        )

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
        self._ix.close()


def _restriction_sets(searcher: Searcher, query: SearchQuery) -> tuple[Any, Any, set[int]]:
    """(allow, deny, filtered_out): allow or deny is the smaller representation of the
    documents that pass every filter except the clock; filtered_out are the documents
    the kind and group filters remove (opened documents must still pass those)."""
    everything = set(range(searcher.doc_count_all()))
    passing = set(everything)
    if query.kinds:
        passing &= _docset(searcher, wq.Or([wq.Term("kind", k) for k in sorted(query.kinds)]))
    if query.group_id is not None:
        passing &= _docset(searcher, wq.Term("group_id", str(query.group_id)))
    filtered_out = everything - passing
    if query.readable_groups is not None:
        allowed = [PUBLIC, *(group_visibility(g) for g in sorted(query.readable_groups))]
        passing &= _docset(searcher, wq.Or([wq.Term("visibility", v) for v in allowed]))
    if len(passing) * 2 > len(everything):
        return None, everything - passing, filtered_out
    return passing, None, filtered_out


def _skips_well(q: Any) -> bool:
    """A word, or the same word in several fields: a union of plain term postings."""
    if isinstance(q, wq.Term):
        return True
    return type(q) is wq.Or and all(_skips_well(sub) for sub in q.subqueries)


def _docset(searcher: Searcher, q: Any) -> set[int]:
    """Matching document numbers, unscored, deleted documents excluded."""
    return set(searcher.docs_for_query(q))


def _count(searcher: Searcher, q: Any, allow: set[int] | None, deny: set[int] | None) -> int:
    docs = searcher.docs_for_query(q)
    if allow is not None:
        return sum(1 for d in docs if d in allow)
    if deny is not None:
        return sum(1 for d in docs if d not in deny)
    return sum(1 for _ in docs)


def _explain(text: str) -> str:
    if text.count('"') % 2:
        return 'Close the quotation marks around a phrase, as in "carbon compliance".'
    if text.count("(") != text.count(")"):
        return "Match every opening bracket with a closing one."
    return (
        'We could not understand that search. Use plain words, "quoted phrases", AND, OR and NOT.'
    )
