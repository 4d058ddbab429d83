"""The Whoosh implementation of `workspace.search.SearchBackend`.

One index directory under DATA_DIR (schema, versions and writing: `search_whoosh_index`).
Writers take Whoosh's own lock file without waiting (`timeout=0`): with several workers
exactly one indexes at a time and the others leave the outbox rows for it. Searchers are
kept per thread and refreshed (cheap when nothing changed) instead of being reopened for
every query. How queries are answered quickly (word pairs for phrases, term-at-a-time
scoring) is in `search_whoosh_query`.

An index an older release wrote (another schema version) keeps answering queries until
the indexer has rebuilt the current one from the database (`upgrading`, run by the
indexer before it drains); then its files are removed.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # Whoosh 2.7.4 compiles regexes with invalid escapes: DeprecationWarnings at import.
    warnings.simplefilter("ignore")
    from whoosh import collectors, highlight, qparser
    from whoosh import query as wq
    from whoosh.searching import Results, Searcher
    from whoosh.writing import CLEAR, IndexWriter, LockError

from workspace.search import (
    NO_PROXIMITY,
    NO_WORDS,
    NOT_UNDERSTOOD,
    PUBLIC,
    SNIPPET_CHARS,
    Hit,
    IndexStats,
    QueryError,
    SearchQuery,
    SearchResults,
    check_query_text,
    group_visibility,
    opening_snippet,
    place_visibility,
)
from workspace.search.whoosh.index import (
    Writer,
    make_schema,
    naive,
    open_older,
    open_or_create,
    remove_older,
)
from workspace.search.whoosh.query import NoProximity, rewrite
from workspace.search.whoosh.query import search as search_terms

_CACHED_RESTRICTIONS = 8  # (groups, kinds, group) keys kept per thread and generation


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
        self._ix: Any = open_or_create(directory, self.schema)
        # An index of an older schema: it answers queries until the current one has
        # been rebuilt (the indexer does that first, see `upgrading`).
        self._older: Any = open_older(directory)

    def _older_index(self) -> Any:
        """The older index while it is still on disk (another process may have
        finished the rebuild and removed it)."""
        older: Any = self._older
        if older is not None and older.latest_generation() < 0:
            self._older = None
            return None
        return older

    def _serving(self) -> Any:
        older = self._older_index()
        return self._ix if older is None else older

    def needs_rebuild(self) -> bool:
        return self._older_index() is not None

    # -- writing ------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Writer | None]:
        try:
            writer = self._ix.writer(timeout=0.0, limitmb=128)
        except LockError:
            yield None
            return
        batch = Writer(writer)
        try:
            yield batch
            batch.flush()
        except BaseException:
            batch.close()
            writer.cancel()
            raise
        batch.close()
        # Merging small segments keeps queries fast; Whoosh's default policy does it in
        # proportion, so most commits stay small.
        writer.commit()

    @contextmanager
    def rebuilding(self) -> Iterator[Writer]:
        """Writes every document into the live index with the writer lock held (drains
        wait), then commits with CLEAR, which drops all older segments: searches keep
        answering from the old documents until the new set is complete."""
        writer = self._ix.writer(timeout=120.0, delay=0.25, limitmb=256)
        with self._rebuild(writer) as batch:
            yield batch

    @contextmanager
    def upgrading(self) -> Iterator[Writer | None]:
        """A rebuild when an index of an older schema is still here; None when there is
        none, or another process holds the writer (it is rebuilding, or will)."""
        if self._older_index() is None:
            yield None
            return
        try:
            writer = self._ix.writer(timeout=0.0, limitmb=256)
        except LockError:
            yield None
            return
        if self._older_index() is None:  # another process finished it meanwhile
            writer.cancel()
            yield None
            return
        with self._rebuild(writer) as batch:
            yield batch

    @contextmanager
    def _rebuild(self, writer: IndexWriter) -> Iterator[Writer]:
        try:
            yield Writer(writer, fresh=True)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)
        remove_older(self.directory)
        self._older = None

    def _searcher(self) -> Searcher:
        """This thread's searcher, reopened when the index has a new generation. Not
        `Searcher.refresh()`: it reuses segment readers by segment id, so deletions
        committed into an unchanged segment (a hidden comment) would stay visible."""
        ix: Any = self._serving()
        searcher: Searcher | None = getattr(self._local, "searcher", None)
        if searcher is not None and (
            ix.latest_generation() != searcher.reader().generation()
            or getattr(self._local, "ix", None) is not ix
        ):
            searcher.close()
            searcher = None
        if searcher is None:
            searcher = ix.searcher()
            self._local.ix = ix
            self._local.searcher = searcher
            # Field lengths are per segment, and segments never change them: keep those
            # of the segments still in use.
            live = {
                r.segment().segment_id()
                for r, _ in searcher.reader().leaf_readers()
                if r.segment() is not None
            }
            lengths = getattr(self._local, "lengths", {})
            self._local.lengths = {k: v for k, v in lengths.items() if k[0] in live}
        return searcher

    def _parse(self, text: str) -> Any:
        check_query_text(text)
        parser = qparser.MultifieldParser(["title", "body"], self.schema)
        # Only the text fields may be named: filters are ours to set, not the query's.
        parser.remove_plugin_class(qparser.FieldsPlugin)
        parser.add_plugin(qparser.FieldsPlugin(expr=r"(?P<text>title|body):"))
        try:
            parsed = parser.parse(text)
        except Exception as error:  # Whoosh raises many kinds for odd input
            raise QueryError(NOT_UNDERSTOOD) from error
        if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
            raise QueryError(NO_WORDS)
        return parsed

    def query(self, query: SearchQuery) -> SearchResults:
        parsed = self._parse(query.text)
        searcher = self._searcher()
        try:
            q = rewrite(parsed, searcher.schema)
        except NoProximity as error:
            raise QueryError(NO_PROXIMITY) from error
        allow, deny = self._restriction(searcher, query)
        if allow is not None and not allow:
            # Nothing readable passes (Whoosh treats an empty `allow` as "no filter").
            return SearchResults(total=0, page=1, pages=1, hits=[])
        try:
            results, total = self._run(searcher, q, allow, deny, query)
        except QueryError:
            raise
        except Exception as error:
            raise QueryError(NOT_UNDERSTOOD) from error
        pages = max(1, -(-total // query.per_page))
        # A page past the end answers the last page, as Whoosh's `search_page` did.
        pagenum = min(max(1, query.page), pages)
        if pagenum != max(1, query.page):
            return self.query(replace(query, page=pagenum))
        # Snippets highlight the words of the query as typed (a phrase's words, not the
        # pairs it was answered from).
        results.q = parsed
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

    def _run(
        self,
        searcher: Searcher,
        q: Any,
        allow: set[int] | None,
        deny: set[int] | None,
        query: SearchQuery,
    ) -> tuple[Results, int]:
        """(results holding at least the asked page, exact total) for the rewritten
        query. The restriction is a set of document numbers applied before anything is
        ranked or counted, never a clause of the scored query, so totals count only what
        this person may read."""
        limit = max(1, query.page) * query.per_page
        # Words, pairs and phrases joined by AND / OR: scored a term at a time.
        found = search_terms(searcher, q, allow, deny, limit, self._local.lengths)
        if found is not None:
            top, total = found
            return Results(searcher, q, top), total
        # Anything else (NOT, wildcards...) goes through Whoosh's collector. Block-max
        # skipping (`optimize`) pays only for a single term: Whoosh skips posting blocks
        # that cannot reach the page and the total is counted after, unscored.
        # Intersections claim block quality but skip almost nothing, so they are scored
        # in one pass that also counts.
        collector = searcher.collector(limit=limit, optimize=_skips_well(q))
        if allow is not None or deny is not None:
            collector = collectors.FilterCollector(collector, allow, deny)
        searcher.search_with_collector(q, collector)
        results = collector.results()
        if collector.computes_count():
            return results, collector.count()
        return results, _count(searcher, q, allow, deny)

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
        key = (query.readable_groups, query.kinds, query.group_id, query.readable_places)
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
        opened = _docset(searcher, wq.DateRange("public_from", None, naive(query.now)))
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
            snippet = opening_snippet(body)
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
        with self._serving().searcher() as searcher:
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
        if self._older is not None:
            self._older.close()
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
        allowed += [place_visibility(p) for p in sorted(query.readable_places)]
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
