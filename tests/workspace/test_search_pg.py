"""The PostgreSQL search backend's own parts: query translation and snippets (pure, no
database), the refusal to start on another database, and - on PostgreSQL - the writer's
advisory lock, rebuilds that readers never see half-done, and field restrictions.
Everything the page does with either backend is in test_search.py, run on both."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sharedspace import cli
from sharedspace.app import build_runtime
from tests.conftest import POSTGRES_URL, fresh_database
from tests.workspace.pg_scratch import unavailable
from workspace.db import Database
from workspace.search import (
    NO_WORDS,
    PUBLIC,
    TOO_LONG,
    UNBALANCED,
    UNCLOSED_QUOTE,
    QueryError,
    SearchDocument,
    SearchQuery,
    group_visibility,
)
from workspace.search.postgres.backend import FRAGMENT, LT, START, STOP, PostgresBackend, _snippet
from workspace.search.postgres.query import Node, Unit, parse, translate
from workspace.settings import Settings, SettingsError

# -- query translation (no database) -----------------------------------------------------


def test_words_side_by_side_must_all_match() -> None:
    assert parse("heat pumps") == Node("AND", (Unit("heat"), Unit("pumps")))
    assert parse("heat") == Unit("heat")


def test_operators_bind_as_whooshs_do() -> None:
    # Explicit operators bind tighter than words side by side; AND tighter than OR.
    assert parse("heat OR pump boiler") == Node(
        "AND", (Node("OR", (Unit("heat"), Unit("pump"))), Unit("boiler"))
    )
    assert parse("heat OR pump AND boiler") == Node(
        "OR", (Unit("heat"), Node("AND", (Unit("pump"), Unit("boiler"))))
    )
    assert parse("NOT heat pump") == Node("AND", (Node("NOT", (Unit("heat"),)), Unit("pump")))
    assert parse("(heat OR pump) NOT boiler") == Node(
        "AND", (Node("OR", (Unit("heat"), Unit("pump"))), Node("NOT", (Unit("boiler"),)))
    )
    # Lower case is a word (PostgreSQL drops it as a stop word), not an operator.
    assert parse("heat or pump") == Node("AND", (Unit("heat"), Unit("or"), Unit("pump")))


def test_dangling_operators_are_ignored() -> None:
    assert parse("heat AND") == Unit("heat")
    assert parse("OR heat") == Unit("heat")
    assert parse("heat AND AND pump") == Node("AND", (Unit("heat"), Unit("pump")))


def test_phrases_and_field_prefixes() -> None:
    assert parse('"carbon compliance" fabric') == Node(
        "AND", (Unit("carbon compliance", phrase=True), Unit("fabric"))
    )
    assert parse('title:"carbon compliance"') == Unit(
        "carbon compliance", phrase=True, field="title"
    )
    assert parse("title:(heat pump) body:boiler") == Node(
        "AND",
        (
            Node("AND", (Unit("heat", field="title"), Unit("pump", field="title"))),
            Unit("boiler", field="body"),
        ),
    )
    # Only the text fields can be named; anything else, or a bare prefix, is words.
    assert parse("visibility:public") == Unit("visibility:public")
    assert parse("title: heat") == Node("AND", (Unit("title:"), Unit("heat")))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"carbon compliance', UNCLOSED_QUOTE),
        ('fabric "', UNCLOSED_QUOTE),
        ("(carbon OR", UNBALANCED),
        ("carbon)", UNBALANCED),
        (") carbon (", UNBALANCED),
        ("body:(", UNBALANCED),
        ("a" * 501, TOO_LONG),
        ("AND", NO_WORDS),
        ("OR OR NOT", NO_WORDS),
        ('""', NO_WORDS),
        ("()", NO_WORDS),
        ("\x00", NO_WORDS),
        ("", NO_WORDS),
    ],
)
def test_malformed_queries_are_explained(text: str, message: str) -> None:
    with pytest.raises(QueryError) as raised:
        translate(text)
    assert str(raised.value) == message


def test_what_people_type_is_bound_never_pasted_into_sql() -> None:
    word = "x';DROP--&|!<->:*\\"
    phrase = "x'); DROP TABLE search_document; -- & | ! <-> :* \\"
    found = translate(f'{word} OR title:"{phrase}"')
    assert "DROP" not in found.sql
    assert "'x" not in found.sql
    assert found.sql == (
        "(plainto_tsquery('english', :t0) || "
        "CAST(regexp_replace(CAST(phraseto_tsquery('english', :t1) AS text), :lexeme, :wA, 'g')"
        " AS tsquery))"
    )
    assert (found.params["t0"], found.params["t1"]) == (word, phrase)
    not_ = translate("heat NOT pump")
    assert not_.sql == "(plainto_tsquery('english', :t0) && (!! plainto_tsquery('english', :t1)))"


# -- snippets (no database) ----------------------------------------------------------------


def test_headline_markers_become_runs_and_the_text_stays_text() -> None:
    headline = f"Use {START}fabric{STOP} first {LT}b> ok{FRAGMENT}then {START}Fabric{STOP}"
    assert _snippet(headline, "ignored") == [
        [("Use ", False), ("fabric", True), (" first <b> ok", False)],
        [("then ", False), ("Fabric", True)],
    ]


def test_a_body_without_matches_shows_its_start() -> None:
    assert _snippet("no marks", "x" * 300) == [[("x" * 240 + "…", False)]]
    assert _snippet("no marks", "short") == [[("short", False)]]
    assert _snippet("", "") == []


# -- settings ------------------------------------------------------------------------------


def test_postgres_search_on_sqlite_is_refused_at_start(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'hub.db'}",
        data_dir=str(tmp_path),
        search_backend="postgres",
    )
    with pytest.raises(SettingsError, match=r"SEARCH_BACKEND=postgres .* not a PostgreSQL"):
        build_runtime(settings)
    with pytest.raises(SettingsError, match="'elastic' is not one of whoosh, postgres"):
        Settings(search_backend="elastic").check()
    Settings(database_url="postgresql+psycopg://u@h/db", search_backend="postgres").check()


def test_the_cli_says_what_to_change_and_touches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("uvicorn.run", lambda *_a, **_kw: pytest.fail("served"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SEARCH_BACKEND", "postgres")
    for command in (["serve"], ["reindex"]):
        assert cli.main(command) == 2
        assert "error: SEARCH_BACKEND=postgres" in capsys.readouterr().err
    assert not (tmp_path / "hub.db").exists()


# -- on PostgreSQL -------------------------------------------------------------------------


@pytest.fixture
def pg(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if POSTGRES_URL is None:
        unavailable("PostgreSQL does not answer")
    db = Database(fresh_database(request, tmp_path, "postgres"))
    yield db
    db.dispose()


NOW = datetime(2016, 3, 1, tzinfo=UTC)


def doc(object_id: int, title: str, body: str, visibility: str = PUBLIC) -> SearchDocument:
    return SearchDocument(
        kind="comment",
        object_id=object_id,
        title=title,
        body=body,
        url=f"/c/{object_id}",
        date=NOW,
        visibility=visibility,
        group_id=None if visibility == PUBLIC else 1,
    )


def ask(
    backend: PostgresBackend, text: str, groups: frozenset[int] | None = frozenset()
) -> list[str]:
    found = backend.query(SearchQuery(text=text, readable_groups=groups, now=NOW, per_page=50))
    return sorted(hit.url for hit in found.hits)


def test_one_writer_at_a_time_across_processes(pg: Database) -> None:
    ours, theirs = PostgresBackend(pg), PostgresBackend(Database(pg.url))  # two "machines"
    try:
        with ours.writing() as writer:
            assert writer is not None
            writer.index_documents("comment:1", [doc(1, "One", "Heat pumps")])
            with theirs.writing() as other:
                assert other is None  # its indexer leaves the outbox rows to us
        with theirs.writing() as other:
            assert other is not None  # released by our commit
        assert ask(theirs, "heat") == ["/c/1"]

        # A rebuild waits for the writer instead of giving up.
        finished = threading.Event()

        def rebuild() -> None:
            with theirs.rebuilding() as fresh:
                fresh.index_documents("comment:2", [doc(2, "Two", "Solar gain")])
            finished.set()

        with ours.writing() as writer:
            assert writer is not None
            thread = threading.Thread(target=rebuild)
            thread.start()
            time.sleep(0.3)
            assert not finished.is_set()
        thread.join(timeout=10)
        assert finished.is_set()
        assert ask(ours, "heat") == []
        assert ask(ours, "solar") == ["/c/2"]
    finally:
        theirs.db.dispose()


def test_searches_see_the_old_documents_until_a_rebuild_commits(pg: Database) -> None:
    backend = PostgresBackend(pg)
    with backend.writing() as writer:
        assert writer is not None
        writer.index_documents("comment:1", [doc(1, "Old", "Ventilation")])
    with backend.rebuilding() as fresh:
        fresh.index_documents("comment:2", [doc(2, "New", "Airtightness")])
        fresh.flush()  # written in the rebuild's transaction, not yet committed
        assert ask(backend, "ventilation") == ["/c/1"]
        assert ask(backend, "airtightness") == []
    assert ask(backend, "ventilation") == []
    assert ask(backend, "airtightness") == ["/c/2"]
    stats = backend.stats()
    assert stats.documents == 1
    assert stats.size_bytes > 0
    assert stats.last_indexed_at is not None


def test_query_syntax_on_the_real_engine(pg: Database) -> None:
    backend = PostgresBackend(pg)
    with backend.writing() as writer:
        assert writer is not None
        writer.index_documents("comment:1", [doc(1, "Heat pumps", "Running costs of boilers")])
        writer.index_documents("comment:2", [doc(2, "Boilers", "Heat from the ground")])
        writer.index_documents("comment:3", [doc(3, "Solar", "Carbon compliance, not heat")])
        writer.index_documents("comment:4", [doc(4, "Heat", "Draft", group_visibility(1))])
    assert ask(backend, "run") == ["/c/1"]  # stemmed: "Running"
    assert ask(backend, "title:heat") == ["/c/1"]
    assert ask(backend, "body:heat") == ["/c/2", "/c/3"]
    assert ask(backend, "title:boiler OR title:solar") == ["/c/2", "/c/3"]
    assert ask(backend, "heat NOT boiler") == ["/c/3"]
    assert ask(backend, '"compliance carbon"') == []
    assert ask(backend, 'body:"carbon compliance"') == ["/c/3"]
    assert ask(backend, "x'; DROP TABLE search_document; -- & | ! <-> :* heat") == []
    assert ask(backend, "heat", groups=frozenset({1})) == ["/c/1", "/c/2", "/c/3", "/c/4"]
    with pytest.raises(QueryError, match="no words"):
        ask(backend, "the of it")
    # Markers in what people wrote are not taken for highlights.
    with backend.writing() as writer:
        assert writer is not None
        writer.index_documents("comment:5", [doc(5, "Marks", f"{START}fake{STOP} insulation")])
    [hit] = backend.query(SearchQuery("insulation", None, NOW)).hits
    assert [text for fragment in hit.snippet for text, match in fragment if match] == ["insulation"]
    assert backend.query(SearchQuery("insulation", frozenset(), NOW - timedelta(1))).total == 1
