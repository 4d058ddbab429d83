"""Search: permissions for every role, the outbox's durability, stemming, phrases and
malformed queries, through the real services and the real page."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from consultations import moderation
from consultations.models import Comment
from tests.client import HubClient
from tests.consultations.factories import make_consultation, post_comment
from tests.definitions.factories import make_definition, viewer_for
from tests.factories import World
from workspace import search
from workspace.hub import search_routes
from workspace.models import SearchOutbox
from workspace.runtime import Runtime
from workspace.search_outbox import backlog

ROLES_WITH_GROUP = ["member", "chair", "observer", "secretariat"]
ROLES_WITHOUT = ["visitor", "public", "outsider"]


def drain(rt: Runtime) -> int:
    """Index everything waiting. A client opened as a context manager runs the app's
    lifespan, whose indexer thread may hold the writer: wait until the outbox is empty
    (rows go only after the index has committed them)."""
    taken = search_routes.indexer(rt).drain()
    deadline = time.monotonic() + 10
    while backlog(rt.db) and time.monotonic() < deadline:
        time.sleep(0.02)
        taken += search_routes.indexer(rt).drain()
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
    from consultations import comments

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
    assert "**" not in snippet.get_text() and "example.org" not in snippet.get_text()
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
    indexer = search_routes.indexer(rt)
    indexer.stop()  # this test drives the indexer by hand: no background thread
    assert count(results(visitor, "glazing")) == 0
    # The index commit itself fails: the rows stay.
    service = search.service(rt)
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
    service = search.service(rt)
    assert service is not None
    indexer = search_routes.indexer(rt)
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
    written = search_routes.indexer(rt).reindex()  # never drained: reindex alone suffices
    assert written >= 4  # two groups, a consultation, a comment
    assert backlog(rt.db) == 0
    assert count(results(client_as("visitor"), "bridging")) == 1


def test_the_indexer_thread_drains_after_commit(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    indexer = search_routes.indexer(rt)
    indexer.start()
    try:
        consultation = make_consultation(rt, world)
        post_comment(rt, consultation, world.users["public"], "Solar thermal collectors.")
        deadline = time.monotonic() + 5
        while backlog(rt.db) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        indexer.stop()
    assert count(results(client_as("visitor"), "collectors")) == 1


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
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#search-count") or page.select_one(".govuk-error-summary")


def test_an_unclosed_phrase_is_explained(
    rt: Runtime, world: World, client_as: Callable[[str], HubClient]
) -> None:
    response = client_as("visitor").get("/search", params={"q": "a" * 600})
    page = BeautifulSoup(response.text, "html.parser")
    assert "at most 500" in page.select_one(".govuk-error-summary").get_text()  # type: ignore[union-attr]
    assert page.title is not None
    assert page.title.get_text().startswith("Error:")


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
    from workspace import cli

    monkeypatch.setenv("DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("DATA_DIR", rt.settings.data_dir)
    monkeypatch.setenv("SECRET_KEY", "cli-test")
    assert cli.main(["reindex"]) == 0
    assert "Search index rebuilt: 2 documents." in capsys.readouterr().out  # the two groups
    assert backlog(rt.db) == 0
