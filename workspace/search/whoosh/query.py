"""How the Whoosh backend answers a parsed query quickly (see docs/search.md, Performance).

Phrases use word pairs. `title_pairs` and `body_pairs` index every two neighbouring
words of `title` and `body` (same analyzer - stop words dropped, Snowball stems - then
Whoosh's `ShingleFilter`), with positions. `rewrite` turns a two-word phrase into one
lookup of its pair, and a longer phrase into a phrase of pairs, whose postings are short
for a rare phrase. The word fields themselves keep no positions: nothing needs them.

Queries made of words, pairs and phrases joined by AND and OR are then scored a term at
a time (`search`): each term's postings are read a block at a time and scored with the
same BM25F formula, statistics and field lengths Whoosh uses, instead of Whoosh's
document-at-a-time matcher tree, which costs several Python calls per matching document
and term. Anything else (NOT, wildcards) returns None and goes through Whoosh's own
collector. This leans on Whoosh 2.7's block format (`W3LeafMatcher`, the length
columns); it falls back to the public per-posting calls for anything else, and a test
checks that both rank alike.
"""

from __future__ import annotations

import warnings
from itertools import accumulate, pairwise
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from whoosh import query as wq
    from whoosh import scoring
    from whoosh.analysis import Analyzer, ShingleFilter
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
    from whoosh.matching.wrappers import FilterMatcher
    from whoosh.util.numeric import byte_to_length, length_to_byte

PAIR_SEPARATOR = " "  # never inside a token: the tokenizer splits on it
PAIRED_FIELDS = ("title", "body")


def pairs_field(fieldname: str) -> str:
    return f"{fieldname}_pairs"


def pair_analyzer(words: Analyzer) -> Analyzer:
    """The word analyzer followed by pairs of neighbouring words. Stop words were removed
    before the pairs are made, as in a phrase's words, so "cost of heat" holds the pair
    "cost heat" and the phrase "cost of heat" looks up exactly that."""
    return words | ShingleFilter(size=2, sep=PAIR_SEPARATOR)


def pairs_of(words: list[str]) -> list[str]:
    return [f"{a}{PAIR_SEPARATOR}{b}" for a, b in pairwise(words)]


# -- rewriting --------------------------------------------------------------------------


class NoProximity(ValueError):
    """A phrase with slop (`"a b"~3`): the word fields keep no positions to check it."""


def rewrite(q: Any, schema: Any) -> Any:
    """The same query with phrases on a paired field answered from its pairs: two words
    are one pair, a longer phrase is a phrase of pairs ("a b c" is "a b" followed by
    "b c", so the words stand in a row: holding "a b" and "b c" apart is not enough). A
    field without pairs (an index built before they existed) keeps Whoosh's Phrase."""
    if isinstance(q, wq.Phrase):
        words = [w for w in q.words if w]
        pf = pairs_field(q.fieldname)
        if pf not in schema or len(words) < 2:
            return q
        if q.slop != 1:
            raise NoProximity(q.slop)
        pairs = pairs_of(words)
        if len(pairs) == 1:
            return wq.Term(pf, pairs[0], boost=q.boost)
        return wq.Phrase(pf, pairs, boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(lambda sub: rewrite(sub, schema))


# -- term-at-a-time scoring -------------------------------------------------------------


class Unsupported(Exception):
    """The query holds something `search` does not score: use Whoosh's collector."""


def supported(q: Any) -> bool:
    if type(q) in (wq.Term, wq.Phrase):
        return True
    if type(q) is wq.Or:
        return not q.minmatch and not q.scale and all(supported(s) for s in q.subqueries)
    if type(q) is wq.And:
        return all(supported(s) for s in q.subqueries)
    return False


def search(
    searcher: Any,
    q: Any,
    allow: set[int] | None,
    deny: set[int] | None,
    limit: int,
    lengths: dict[Any, bytes],
) -> tuple[list[tuple[float, int]], int] | None:
    """(top `limit` (score, docnum), number of matches) of what passes allow/deny, ranked
    as Whoosh ranks (score, then lower document number first); None when `q` is not
    supported. `lengths` caches each segment's field lengths (keep it per searcher)."""
    if not supported(q):
        return None
    scores: dict[int, float] = {}
    try:
        for sub, offset in searcher.leaf_searchers():
            local = _scores(sub, q, lengths)
            if not offset and not scores:
                scores = local
            else:
                scores.update((d + offset, s) for d, s in local.items())
    except Unsupported:
        return None
    if deny:
        if len(deny) < len(scores):
            for d in deny:
                scores.pop(d, None)
        else:
            scores = {d: s for d, s in scores.items() if d not in deny}
    if allow is not None:
        scores = {d: s for d, s in scores.items() if d in allow}
    return _top(scores, limit), len(scores)


def _top(scores: dict[int, float], limit: int) -> list[tuple[float, int]]:
    """The `limit` best (score, docnum), ties to the lower document number, as Whoosh's
    collector orders them. The cut-off score comes from a sort of the bare floats (C
    speed); only the documents at or above it are sorted with their numbers."""
    if len(scores) > limit:
        cut = sorted(scores.values(), reverse=True)[limit - 1]
        best = [(-s, d) for d, s in scores.items() if s >= cut]
    else:
        best = [(-s, d) for d, s in scores.items()]
    best.sort()
    return [(-s, d) for s, d in best[:limit]]


def _scores(searcher: Any, q: Any, lengths: dict[Any, bytes]) -> dict[int, float]:
    """{document number in this segment: score} for a supported query."""
    if isinstance(q, wq.Term):
        found = _term_scores(searcher, q.fieldname, q.text, lengths)
    elif isinstance(q, wq.Phrase):
        # Whoosh's own phrase matcher (pairs in a row, or words where there are no
        # pairs): its candidates are the documents holding every pair, few for a rare
        # phrase, and it reads positions for those only.
        m = q.matcher(searcher)
        found = {}
        while m.is_active():
            found[m.id()] = m.score()
            m.next()
        return found  # the matcher applied the boost
    elif type(q) is wq.And:
        parts = [_scores(searcher, s, lengths) for s in q.subqueries]
        parts.sort(key=len)
        found = parts[0] if parts else {}
        for part in parts[1:]:
            found = {d: s + part[d] for d, s in found.items() if d in part}
    else:  # Or: every dict here is new, so the largest takes in the others
        found = {}
        for part in (_scores(searcher, s, lengths) for s in q.subqueries):
            if len(part) > len(found):
                found, part = part, found
            for d, s in part.items():
                found[d] = found[d] + s if d in found else s
    if q.boost != 1.0:
        boost = q.boost
        found = {d: s * boost for d, s in found.items()}
    return found


def _term_scores(
    searcher: Any, fieldname: str, text: str, lengths: dict[Any, bytes]
) -> dict[int, float]:
    schema = searcher.schema
    if fieldname not in schema:
        return {}
    field = schema[fieldname]
    try:
        btext = field.to_bytes(text)
    except ValueError:
        return {}
    reader = searcher.reader()
    if (fieldname, btext) not in reader:
        return {}
    scorer = searcher.weighting.scorer(searcher, fieldname, btext)
    if type(scorer) is not scoring.BM25FScorer:
        raise Unsupported(fieldname)
    m = reader.postings(fieldname, btext)
    deleted: frozenset[int] = frozenset()
    if isinstance(m, FilterMatcher):
        deleted, m = m._ids, m.child
    ids, weights = _postings(m)
    lens = _lengths(reader, fieldname, lengths)
    # bm25() of whoosh.scoring, term for term, with the length part looked up per
    # length byte: the same floats as Whoosh's scorer gives.
    idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    norms = [k1 * ((1 - b) + b * byte_to_length(n) / avgfl) for n in range(256)]
    k1p1 = k1 + 1
    found = {
        d: idf * ((w * k1p1) / (w + norms[lens[d]])) for d, w in zip(ids, weights, strict=True)
    }
    for d in deleted:
        found.pop(d, None)
    return found


def _postings(m: Any) -> tuple[list[int], list[float]]:
    ids: list[int] = []
    weights: list[float] = []
    if type(m) is W3LeafMatcher and not m._byteids:
        # A block at a time: the arrays Whoosh itself reads one item at a time (document
        # numbers are stored as gaps; `accumulate` undoes them as its `delta_decode`).
        while m.is_active():
            m._read_data()
            m._read_weights()
            ids.extend(accumulate(m._data[0]))
            weights.extend(m._weights)
            m._next_block()
    else:
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
    return ids, weights


def _lengths(reader: Any, fieldname: str, cache: dict[Any, bytes]) -> bytes:
    """Every document's length byte for the field in this segment (what Whoosh's
    `doc_field_length` decodes one document at a time)."""
    key = (reader.segment().segment_id(), fieldname)
    found = cache.get(key)
    if found is None:
        count = reader.doc_count_all()
        try:
            column = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
            raw = b"" if column is None else column._dbfile.get(column._basepos, column._count)
            found = bytes(raw[:count]) + bytes(max(0, count - len(raw)))
        except AttributeError:  # another codec: the public, slower way
            found = bytes(
                length_to_byte(reader.doc_field_length(d, fieldname, 0)) for d in range(count)
            )
        cache[key] = found
    return found
