"""Search: permissions for every role, the outbox's durability, stemming, phrases and
malformed queries, through the real services and the real page. Every test runs on each
search backend its database allows: Whoosh on SQLite; Whoosh and PostgreSQL full-text
search on PostgreSQL (see `search_case`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from consultations.comments.models import Comment
from consultations.moderation import service as moderation
from tests import search_cases
from tests.client import HubClient
from tests.consultations.factories import make_consultation, post_comment
from tests.definitions.factories import make_definition, viewer_for
from tests.factories import World
from workspace import search
from workspace.models import SearchOutbox
from workspace.runtime import Runtime
from workspace.search.outbox import backlog

# Each test runs once per search backend (tests/search_cases.py).
search_case, database_url, settings = (
    search_cases.search_case,
    search_cases.database_url,
    search_cases.settings,
)

ROLES_WITH_GROUP = ["member", "chair", "observer", "secretariat"]
ROLES_WITHOUT = ["visitor", "public", "outsider"]


def test_the_runtime_searches_with_the_chosen_backend(rt: Runtime) -> None:
    service = rt.search
    assert service is not None
    expected = {"whoosh": "WhooshBackend", "postgres": "PostgresBackend"}
    assert type(service.backend).__name__ == expected[rt.settings.search_backend]


def drain(rt: Runtime) -> int:
    """Index everything waiting, as the worker's indexing job does (tests run no
    consumer); wait until the outbox is empty (rows go only after the index has
    committed them)."""
    taken = rt.indexer.drain()
    deadline = time.monotonic() + 10
    while backlog(rt.db) and time.monotonic() < deadline:
        time.sleep(0.02)
        taken += rt.indexer.drain()
    return taken


def results(client: HubClient, q: str, **params: str) -> BeautifulSoup:
    response = client.get("/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def titles(page: BeautifulSoup) -> list[str]:
    return [a.get_text(strip=True) for a in page.select(".ss-search-result h2 a")]


def count(page: BeautifulSoup) -> int:
    found = page.select_one("#search-count")
    return int(found.get_text().split()[0]) if found else 0


@pytest.fixture
def client_as(app, world: World) -> Callable[[str], HubClient]:  # type: ignore[no-untyped-def]
    opened: list[HubClient] = []

    def open_as(role: str) -> HubClient:
        c = HubClient(app).__enter__()
        opened.append(c)
        if role != "visitor":
            c.sign_in_as(world.users[role])
        return c

    yield open_as  # type: ignore[misc]
    for c in opened:
        c.__exit__(None, None, None)


# -- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_WITH_GROUP + ROLES_WITHOUT)
def test_a_draft_definition_is_found_only_by_its_group(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient], role: str
) -> None:
    make_definition(rt, world)  # revision 1, a draft: the group's only
    drain(rt)
    page = results(client_as(role), "fabric")
    if role in ROLES_WITH_GROUP:
        assert count(page) == 1
        assert titles(page) == ["Zero carbon homes: Energy efficiency"]
        assert page.select_one(".ss-snippet mark").get_text().lower() == "fabric"  # type: ignore[union-attr]
    else:
        assert count(page) == 0
        assert titles(page) == []
        # Nothing of the draft leaks, in a snippet or anywhere else on the page.
        assert "fabric" not in page.select_one("#search-results").get_text(" ").replace(  # type: ignore[union-attr]
            "“fabric”", ""
        )


@pytest.mark.parametrize("role", ROLES_WITH_GROUP + ROLES_WITHOUT)
def test_a_consultation_is_its_groups_until_it_opens(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient], role: str
) -> None:
    now = rt.clock()
    make_consultation(
        rt,
        world,
        title="Allowable solutions fund",
        body="How should the **offsetting** fund work?",
        opens_at=now + timedelta(days=2),
        closes_at=now + timedelta(days=30),
    )
    drain(rt)
    client = client_as(role)
    assert count(results(client, "offsetting")) == (1 if role in ROLES_WITH_GROUP else 0)
    # Opening is a moment, not a write: the same index answers differently once it passes.
    rt.clock = lambda: now + timedelta(days=3)
    assert count(results(client, "offsetting")) == 1


def test_group_filter_cannot_widen_what_is_readable(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    make_definition(rt, world)
    drain(rt)
    outsider = client_as("outsider")  # chairs the other group
    assert count(results(outsider, "fabric", group=str(world.group.id))) == 0
    assert count(results(outsider, "fabric visibility:public")) == 0
    member = client_as("member")
    assert count(results(member, "fabric", group=str(world.group.id))) == 1
    assert count(results(member, "fabric", group=str(world.other_group.id))) == 0
    assert count(results(member, "fabric", kind="comment")) == 0
    assert count(results(member, "fabric", kind="definition")) == 1


def test_the_group_filter_offers_every_group_by_name(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    page = client_as("member").page(f"/search?q=fabric&group={world.other_group.id}")
    options = page.select("select[name=group] option")
    offered = {str(o.get("value")): o.get_text(strip=True) for o in options}
    assert offered == {
        "": "All task groups",
        str(world.group.id): world.group.name,
        str(world.other_group.id): world.other_group.name,
    }
    [chosen] = [o for o in options if o.has_attr("selected")]
    assert chosen.get("value") == str(world.other_group.id)


# -- comments: published in, hidden / deleted / pending out ------------------------------


def test_hidden_and_deleted_comments_leave_the_index(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    kept = post_comment(rt, consultation, world.users["public"], "Photovoltaic panels on roofs.")
    hidden = post_comment(rt, consultation, world.users["member"], "Photovoltaic spam, buy now.")
    deleted = post_comment(rt, consultation, world.users["chair"], "Photovoltaic, said twice.")
    drain(rt)
    visitor = client_as("visitor")
    assert count(results(visitor, "photovoltaic")) == 3
    chair = viewer_for(rt, world.users["chair"])
    moderation.do_hide(rt, chair, consultation.id or 0, hidden.id or 0, "Advertising")
    from consultations.comments import service as comments

    comments.do_delete(rt, chair, consultation.id or 0, deleted.id or 0)
    drain(rt)
    page = results(visitor, "photovoltaic")
    assert count(page) == 1
    assert [a["href"] for a in page.select(".ss-search-result h2 a")] == [
        f"/consultations/{consultation.slug}/comments/{kept.id}"
    ]
    assert count(results(client_as("secretariat"), "spam")) == 0


def test_a_pending_comment_is_not_searchable_until_approved(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world, moderation="pre")
    comment = post_comment(rt, consultation, world.users["public"], "Heat pumps everywhere.")
    drain(rt)
    assert count(results(client_as("secretariat"), "heat pumps")) == 0
    moderation.do_approve(
        rt, viewer_for(rt, world.users["chair"]), consultation.id or 0, comment.id or 0
    )
    drain(rt)
    assert count(results(client_as("visitor"), "heat pumps")) == 1


def test_snippets_escape_what_people_wrote(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["public"], "<script>alert(1)</script> insulation")
    drain(rt)
    response = client_as("visitor").get("/search", params={"q": "insulation"})
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select(".ss-snippet script") == []
    assert "&lt;/script&gt;" in response.text
    assert page.select_one(".ss-snippet mark").get_text() == "insulation"  # type: ignore[union-attr]


def test_snippets_show_what_readers_see_not_markdown(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    text = "Put **airtightness** first: see [the study](https://example.org/tracker-9)."
    post_comment(rt, consultation, world.users["public"], text)
    drain(rt)
    snippet = results(client_as("visitor"), "airtightness").select_one(".ss-snippet")
    assert snippet is not None
    assert "airtightness first: see the study" in snippet.get_text(" ", strip=True)
    assert "**" not in snippet.get_text()
    assert "example.org" not in snippet.get_text()
    # A link's target is not something the reader sees, so it is not found either.
    assert count(results(client_as("visitor"), "tracker")) == 0


# -- durability --------------------------------------------------------------------------


def test_rows_survive_a_crash_between_commit_and_indexing(
    rt: Runtime,
    world: World,
    client_as: Callable[[str], HubClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["public"], "Triple glazing matters.")
    # The process "died" after the commit: nothing drained, the rows are in the database.
    assert backlog(rt.db) >= 2
    visitor = client_as("visitor")
    indexer = rt.indexer  # the tests' app runs no worker: the indexer is driven by hand
    assert count(results(visitor, "glazing")) == 0
    # The index commit itself fails: the rows stay.
    service = rt.search
    assert service is not None
    real = service.backend.writing

    def broken():  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(service.backend, "writing", broken)
    with pytest.raises(OSError, match="disk full"):
        indexer.drain()
    assert backlog(rt.db) >= 2
    monkeypatch.setattr(service.backend, "writing", real)
    assert indexer.drain() >= 2
    assert backlog(rt.db) == 0
    assert count(results(visitor, "glazing")) == 1


def test_a_crash_after_the_index_commit_indexes_again_without_duplicates(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["public"], "Ventilation heat recovery.")
    drain(rt)
    # As if the rows had not been deleted after the index committed.
    with rt.db.write() as unit:
        unit.session.add(SearchOutbox(kind="comment", object_id=comment.id or 0))
    drain(rt)
    assert count(results(client_as("visitor"), "ventilation")) == 1


def test_another_process_holding_the_writer_leaves_rows_for_it(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["public"], "Airtightness testing.")
    service = rt.search
    assert service is not None
    indexer = rt.indexer
    with service.backend.writing() as holder:  # the other worker
        assert holder is not None
        assert indexer.drain() == 0
        assert backlog(rt.db) >= 1
    assert indexer.drain() >= 1
    assert count(results(client_as("visitor"), "airtightness")) == 1


def test_reindex_rebuilds_everything_from_the_database(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["public"], "Thermal bridging details.")
    written = rt.indexer.reindex()  # never drained: reindex alone suffices
    assert written >= 4  # two groups, a consultation, a comment
    assert backlog(rt.db) == 0
    assert count(results(client_as("visitor"), "bridging")) == 1


def test_a_commit_enqueues_one_indexing_job_on_the_worker(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    rt.worker.run_pending()
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["public"], "Solar thermal collectors.")
    assert backlog(rt.db) >= 1
    assert rt.worker.run_pending() >= 1  # the queued indexing job (and nothing lost)
    assert backlog(rt.db) == 0
    assert count(results(client_as("visitor"), "collectors")) == 1


def test_the_worker_sweep_takes_rows_whose_wake_up_was_lost(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["public"], "Ground source heat pumps.")
    rt.worker.huey.flush()  # as if the process died before its job reached the queue
    assert backlog(rt.db) >= 1
    rt.worker.run_periodic()
    assert backlog(rt.db) == 0
    assert count(results(client_as("visitor"), "pumps")) == 1


# -- queries -----------------------------------------------------------------------------


def test_stemming_finds_other_forms(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["public"], "Running costs fall with insulation.")
    drain(rt)
    visitor = client_as("visitor")
    assert count(results(visitor, "run")) == 1
    assert count(results(visitor, "cost")) == 1


def test_phrases_match_words_in_order(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["public"], "Carbon compliance is the middle tier.")
    post_comment(rt, consultation, world.users["member"], "Compliance with carbon budgets.")
    drain(rt)
    visitor = client_as("visitor")
    assert count(results(visitor, "carbon compliance")) == 2
    assert count(results(visitor, '"carbon compliance"')) == 1


def test_phrases_need_their_words_adjacent_and_in_order(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    for body in [
        "Heat loss ratings are published yearly.",
        # Holds "heat loss" and "loss ratings", but not "heat loss ratings": Whoosh
        # finds phrases from word pairs, and must still check the order.
        "Heat loss is high; loss ratings differ.",
        "Ratings of heat loss in winter.",
        "Heat and ventilation loss.",
    ]:
        post_comment(rt, consultation, world.users["public"], body)
    drain(rt)
    visitor = client_as("visitor")
    page = results(visitor, '"heat loss ratings"')
    assert count(page) == 1
    assert "published yearly" in page.select_one(".ss-snippet").get_text()  # type: ignore[union-attr]
    assert count(results(visitor, '"heat loss"')) == 3
    assert count(results(visitor, '"loss heat"')) == 0
    assert count(results(visitor, '"ratings loss heat"')) == 0
    assert count(results(visitor, '"ventilation heat"')) == 0
    assert count(results(visitor, "heat loss ratings")) == 3  # words, in any order


def test_phrases_are_stemmed_and_skip_stop_words(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["public"], "Heating losses add to running costs.")
    post_comment(rt, consultation, world.users["member"], "The cost of heat pumps is falling.")
    drain(rt)
    visitor = client_as("visitor")
    assert count(results(visitor, '"heat loss"')) == 1  # "Heating losses"
    assert count(results(visitor, '"heated lossing"')) == 1
    assert count(results(visitor, '"run cost"')) == 1
    assert count(results(visitor, '"costs running"')) == 0
    assert count(results(visitor, '"cost of heat"')) == 1
    assert count(results(visitor, '"the cost of heat pumps"')) == 1
    assert count(results(visitor, '"cost of heat pumps is falling"')) == 1
    assert count(results(visitor, '"heat of cost"')) == 0


def test_title_phrases(rt: Runtime, world: World, client_as: Callable[[str], HubClient]) -> None:
    make_consultation(rt, world, title="Allowable solutions fund", body="How should it work?")
    make_consultation(rt, world, title="Fund for allowable solutions", body="A second idea.")
    drain(rt)
    visitor = client_as("visitor")
    assert titles(results(visitor, 'title:"allowable solutions fund"')) == [
        "Allowable solutions fund"
    ]
    assert titles(results(visitor, 'title:"solutions fund"')) == ["Allowable solutions fund"]
    assert count(results(visitor, 'title:"solutions allowable"')) == 0
    assert count(results(visitor, "title:fund title:allowable")) == 2


def test_snippets_highlight_the_words_of_a_phrase(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    post_comment(
        rt, consultation, world.users["public"], "We think carbon compliance should be 44%."
    )
    post_comment(
        rt, consultation, world.users["member"], "Allowable solutions fund money must stay local."
    )
    drain(rt)
    visitor = client_as("visitor")
    page = results(visitor, '"carbon compliance"')
    marks = [m.get_text() for m in page.select(".ss-snippet mark")]
    assert [m.lower() for m in marks] == ["carbon", "compliance"]
    page = results(visitor, '"allowable solutions fund"')
    assert [m.get_text().lower() for m in page.select(".ss-snippet mark")] == [
        "allowable",
        "solutions",
        "fund",
    ]


# -- Whoosh: term-at-a-time scoring and the schema upgrade -------------------------------


def test_whoosh_term_at_a_time_ranks_and_counts_as_its_collector(tmp_path: Path) -> None:
    """The fast path reads Whoosh's postings block by block: it must give the same
    documents, scores and order as Whoosh's own collector scoring every match, and the
    exact total, over several segments with deleted documents and a deny set. (Whoosh's
    collector with a limit undercounts: it drops a field's postings, title:heat say, once
    they cannot reach the page, and stops counting the documents only they match.)"""
    import random
    from datetime import UTC, datetime

    from workspace.search.whoosh.backend import WhooshBackend
    from workspace.search.whoosh.query import search as search_terms

    rnd = random.Random(7)
    words = ["heat", "loss", "pump", "carbon", "compliance", "fund", "solar", "roof", "cost"]
    backend = WhooshBackend(tmp_path / "ix")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for start in range(0, 600, 200):  # three commits: three segments
        with backend.writing() as writer:
            assert writer is not None
            for n in range(start, start + 200):
                body = " ".join(rnd.choices(words, k=rnd.randint(3, 30)))
                title = " ".join(rnd.choices(words, k=3)) if n % 5 == 0 else "Comment"
                writer.index_documents(
                    f"comment:{n}",
                    [search.SearchDocument("comment", n, title, body, "/c", now, "public")],
                )
    with backend.writing() as writer:
        assert writer is not None
        for n in range(0, 600, 13):
            writer.delete(f"comment:{n}")
    searcher = backend._searcher()
    assert len(searcher.reader().leaf_readers()) > 1
    queries = [
        "heat",
        "heat loss",
        "heat^2 OR roof",
        '"heat loss"',
        '"heat loss pump"',
        'title:"carbon compliance" OR fund',
        "title:solar cost",
    ]
    _assert_fast_path_matches_collector(backend, queries, deny=set(range(0, 600, 7)))
    # Not for the fast path: left to Whoosh.
    assert search_terms(searcher, backend._parse("heat NOT loss"), None, None, 20, {}) is None


def test_whoosh_answers_stay_exact_as_small_segments_merge(tmp_path: Path) -> None:
    """The indexer commits many small batches, and Whoosh merges small segments at each
    commit: every batch must commit, and every word and phrase must then find exactly
    the documents that hold it, rare or common, after deletions. (An inlining codec once
    passed a query test and broke here: merges failed and the index stopped updating.)"""
    import random
    from datetime import UTC, datetime

    from workspace.search.whoosh.backend import WhooshBackend
    from workspace.search.whoosh.query import rewrite

    rnd = random.Random(11)
    common = ["heat", "loss", "pump"]
    rare = [f"w{n}x" for n in range(300)]  # each in a few documents
    backend = WhooshBackend(tmp_path / "ix")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    bodies: dict[int, list[str]] = {}
    for batch in range(12):
        with backend.writing() as writer:
            assert writer is not None
            for n in range(batch * 20, batch * 20 + 20):
                words = rnd.choices(rare, k=6) + rnd.choices(common, k=2)
                rnd.shuffle(words)
                bodies[n] = words
                doc = search.SearchDocument(
                    "comment", n, "Comment", " ".join(words), "/c", now, "public"
                )
                writer.index_documents(f"comment:{n}", [doc])
            for n in rnd.sample(sorted(bodies), 3):
                writer.delete(f"comment:{n}")
                del bodies[n]
    searcher = backend._searcher()
    assert searcher.doc_count() == len(bodies)

    def stored_ids(text: str) -> set[int]:
        q = rewrite(backend._parse(text), searcher.schema)
        return {
            int(searcher.stored_fields(d)["key"].split(":")[1]) for d in searcher.docs_for_query(q)
        }

    first, second = bodies[next(iter(bodies))][:2]
    for word in ("w7x", "heat", first):
        assert stored_ids(word) == {n for n, words in bodies.items() if word in words}, word
    pair = {
        n
        for n, words in bodies.items()
        if any(words[i : i + 2] == [first, second] for i in range(7))
    }
    assert stored_ids(f'"{first} {second}"') == pair
    _assert_fast_path_matches_collector(
        backend, ["w7x", f"w7x OR w8x OR {first}", f'"{first} {second}"', "heat"], deny={3, 5}
    )


def _assert_fast_path_matches_collector(
    backend: object, queries: list[str], deny: set[int]
) -> None:
    """Term-at-a-time scoring gives the documents, scores, order and exact total that
    Whoosh's own collector gives when it scores every match."""
    from whoosh import collectors

    from workspace.search.whoosh.query import rewrite
    from workspace.search.whoosh.query import search as search_terms

    searcher = backend._searcher()  # type: ignore[attr-defined]
    for text in queries:
        q = rewrite(backend._parse(text), searcher.schema)  # type: ignore[attr-defined]
        found = search_terms(searcher, q, None, deny, 20, {})
        assert found is not None, text
        collector = collectors.FilterCollector(searcher.collector(limit=None), None, deny)
        searcher.search_with_collector(q, collector)
        assert found[0] == collector.results().top_n[:20], text
        assert found[1] == len(set(searcher.docs_for_query(q)) - deny) > 0, text


def _write_version_1_index(directory: Path, documents: list[search.SearchDocument]) -> None:
    """An index as version 1 wrote it: words with positions, no pair fields, Whoosh's
    default index name."""
    from whoosh import index
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import TEXT

    from workspace.search.whoosh.index import make_schema

    schema = make_schema()
    for name in ("title", "body", "title_pairs", "body_pairs"):
        schema.remove(name)
    schema.add("title", TEXT(stored=True, analyzer=LanguageAnalyzer("en"), field_boost=2.0))
    schema.add("body", TEXT(stored=True, analyzer=LanguageAnalyzer("en")))
    directory.mkdir(parents=True)
    ix = index.create_in(str(directory), schema)
    with ix.writer() as writer:
        for doc in documents:
            writer.add_document(
                doc_id=doc.doc_id,
                key=doc.key,
                kind=doc.kind,
                group_id="",
                visibility=doc.visibility,
                title=doc.title,
                body=doc.body,
                url=doc.url,
                label="",
                date=doc.date.replace(tzinfo=None),
            )
    ix.close()


@pytest.mark.parametrize("search_case", [("sqlite", "whoosh")], indirect=True)
def test_an_index_of_the_older_schema_answers_until_the_indexer_rebuilds_it(
    rt: Runtime,
    world: World,
    client_as: Callable[[str], HubClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workspace.search.whoosh.backend import WhooshBackend
    from workspace.search.whoosh.index import INDEX_NAME

    consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "Heat loss ratings, yearly.")
    post_comment(rt, consultation, world.users["member"], "Heat loss is high; loss ratings vary.")
    visitor = client_as("visitor")
    indexer = rt.indexer  # driven by hand: the tests' app runs no worker
    # The data directory as the previous release left it: its index knows only the first
    # comment (the second is waiting in the outbox).
    directory = Path(rt.settings.data_dir) / "search-upgrade"
    old = search.SearchDocument(
        "comment", first.id or 0, "Old", "Heat loss ratings, yearly.", "/old", rt.clock(), "public"
    )
    _write_version_1_index(directory, [old])
    backend = WhooshBackend(directory)
    service = rt.search
    assert service is not None
    monkeypatch.setattr(service, "backend", backend)
    assert backend.needs_rebuild()
    # It answers from the old index meanwhile, phrases included (Whoosh's Phrase there).
    assert count(results(visitor, '"heat loss ratings"')) == 1
    assert count(results(visitor, "heat")) == 1
    assert list(directory.glob("_MAIN_*.toc"))

    drain(rt)  # the indexer's first turn rebuilds from the database (taking the outbox)
    assert backlog(rt.db) == 0
    assert not backend.needs_rebuild()
    assert not [p.name for p in directory.iterdir() if p.name.startswith(("MAIN", "_MAIN"))]
    assert list(directory.glob(f"_{INDEX_NAME}_*.toc"))
    assert "body_pairs" in backend._searcher().schema
    assert count(results(visitor, '"heat loss ratings"')) == 1
    assert count(results(visitor, '"heat loss"')) == 2
    assert count(results(visitor, "heat")) == 2
    assert indexer.upgrade() is None  # nothing left to do
    # Opening the directory again finds the current index, nothing older.
    assert not WhooshBackend(directory).needs_rebuild()


def test_sharedspace_reindex_replaces_an_index_of_the_older_schema(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from workspace.search.whoosh.backend import WhooshBackend

    now = datetime(2026, 1, 1, tzinfo=UTC)
    directory = tmp_path / "search"
    _write_version_1_index(
        directory, [search.SearchDocument("comment", 1, "Old", "Old text", "/c/1", now, "public")]
    )
    backend = WhooshBackend(directory)
    assert backend.needs_rebuild()
    with backend.rebuilding() as writer:
        writer.index_documents(
            "comment:2",
            [
                search.SearchDocument(
                    "comment", 2, "New", "Carbon compliance", "/c/2", now, "public"
                )
            ],
        )
    assert not backend.needs_rebuild()
    found = backend.query(search.SearchQuery('"carbon compliance"', None, now))
    assert [h.url for h in found.hits] == ["/c/2"]
    assert backend.query(search.SearchQuery("old", None, now)).total == 0


def test_counts_and_pages(rt: Runtime, world: World, client_as: Callable[[str], HubClient]) -> None:
    consultation = make_consultation(rt, world)
    for n in range(23):
        post_comment(rt, consultation, world.users["public"], f"Daylight point {n}.")
    drain(rt)
    visitor = client_as("visitor")
    first = results(visitor, "daylight")
    assert count(first) == 23
    assert len(titles(first)) == 10
    last = results(visitor, "daylight", page="3")
    assert len(titles(last)) == 3
    assert last.select_one(".govuk-pagination__prev a") is not None
    assert last.select_one(".govuk-pagination__next") is None
    assert len(titles(results(visitor, "daylight", page="999"))) == 3  # past the end: the last


@pytest.mark.parametrize(
    "q",
    [
        '"carbon compliance',
        "(carbon OR",
        "AND",
        "OR OR NOT",
        "title:",
        "body:(",
        "*",
        "?",
        "[a TO",
        "a" * 600,
        "ünïcödé ✓",
        "carbon^^",
        "~",
        '""',
        "date:[2000 TO]",
        "\x00",
    ],
)
def test_malformed_queries_get_a_message_never_a_500(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient], q: str
) -> None:
    response = client_as("visitor").get("/search", params={"q": q})
    # No address of ours holds a NUL: the middleware answers 400 before search runs.
    assert response.status_code == (400 if "\x00" in q else 200)
    page = BeautifulSoup(response.text, "html.parser")
    assert (
        page.select_one("#search-count")
        or page.select_one(".govuk-error-summary")
        or (response.status_code == 400 and page.find("h1") is not None)
    )


def test_proximity_search_is_explained(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    page = results(client_as("visitor"), '"carbon compliance"~3')
    assert error_summary(page) == search.NO_PROXIMITY


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ('"carbon compliance', search.UNCLOSED_QUOTE),
        ('fabric "carbon" "', search.UNCLOSED_QUOTE),
        ("(carbon OR fabric", search.UNBALANCED),
        ("carbon) (fabric", search.UNBALANCED),
        ("a" * 600, search.TOO_LONG),
    ],
)
def test_an_unfinished_query_is_explained_not_guessed(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient], q: str, message: str
) -> None:
    response = client_as("visitor").get("/search", params={"q": q})
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert error_summary(page) == message
    assert page.title is not None
    assert page.title.get_text().startswith("Error:")
    # The person's text stays in the box to be corrected.
    box = page.select_one("form.ss-search-form input[name=q]")  # not the header's box
    assert box is not None
    assert box.get("value") == q


def test_brackets_inside_a_phrase_are_words(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    page = results(client_as("visitor"), '"carbon (compliance"')
    assert page.select_one(".govuk-error-summary") is None
    assert page.select_one("#search-count") is not None


def error_summary(page: BeautifulSoup) -> str:
    """The message in the error summary's list (what the person is told to change)."""
    item = page.select_one(".govuk-error-summary__list li")
    assert item is not None, page.select_one("main")
    return item.get_text(" ", strip=True)


def test_htmx_gets_only_the_results(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    response = client_as("visitor").get(
        "/search", params={"q": "zero"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in response.text
    assert 'id="search-count"' in response.text
    assert "HX-Request" in response.headers["Vary"]


# -- health ------------------------------------------------------------------------------


def test_healthz_reports_the_backlog(rt: Runtime, world: World, client: HubClient) -> None:
    waiting = backlog(rt.db)
    assert waiting > 0  # the world's groups, not yet drained
    assert client.get("/healthz").json()["search_backlog"] == waiting
    drain(rt)
    assert client.get("/healthz").json()["search_backlog"] == 0


@pytest.mark.parametrize("role", ["secretariat", "member", "visitor"])
def test_only_the_secretariat_sees_index_health(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient], role: str
) -> None:
    drain(rt)
    health = client_as(role).page("/search").select_one("#search-health")
    assert (health is not None) == (role == "secretariat")
    if health is not None:
        assert "Last indexed" in health.get_text()


def test_outbox_rows_are_written_in_the_same_transaction(rt: Runtime, world: World) -> None:
    drain(rt)
    consultation = make_consultation(rt, world)
    with rt.db.read() as session:
        rows = session.exec(select(SearchOutbox)).all()
    assert [(r.kind, r.object_id) for r in rows] == [("consultation", consultation.id)]
    with rt.db.read() as session:
        assert session.exec(select(Comment)).all() == []


def test_sharedspace_reindex(
    rt: Runtime,
    world: World,
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sharedspace import cli

    monkeypatch.setenv("DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("DATA_DIR", rt.settings.data_dir)
    monkeypatch.setenv("SEARCH_BACKEND", rt.settings.search_backend)
    monkeypatch.setenv("SECRET_KEY", "cli-test")
    assert cli.main(["reindex"]) == 0
    assert "Search index rebuilt: 2 documents." in capsys.readouterr().out  # the two groups
    assert backlog(rt.db) == 0
    service = rt.search
    assert service is not None
    assert service.backend.stats().documents == 2  # rebuilt where this runtime searches
