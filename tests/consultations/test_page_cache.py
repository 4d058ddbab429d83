"""The consultation page as anonymous visitors see it is served from memory while nothing
changes: never to someone signed in, never stale after a write in this process, never
past the moment the clock changes the consultation's status, and always with the
visitor's own CSRF token."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import col, update

from consultations.lifecycle import service
from consultations.lifecycle.models import Consultation
from tests.client import HubClient
from tests.consultations.conftest import CLOSES
from tests.consultations.factories import Clock, post_comment
from tests.factories import World
from workspace import auth, csrf, pagecache
from workspace.db import Database
from workspace.pagecache import PageCache
from workspace.runtime import Runtime
from workspace.search.outbox import backlog
from workspace.templating import FLASH_COOKIE


@pytest.fixture
def visitor(app) -> Iterator[HubClient]:  # type: ignore[no-untyped-def]
    with HubClient(app) as c:
        yield c


def settle(rt: Runtime) -> None:
    """Do now the writes a first visit or the indexer thread would do on their own
    (announcing that the consultation opened, indexing new comments): any write drops
    the cached page, which is what these tests are not about."""
    service.announce_transitions(rt)
    rt.indexer.drain()
    deadline = time.monotonic() + 10
    while backlog(rt.db) and time.monotonic() < deadline:
        time.sleep(0.02)


def path_of(consultation: Consultation) -> str:
    return f"/consultations/{consultation.slug}"


def comment_ids(page: BeautifulSoup) -> list[str]:
    return [a["id"] for a in page.select("article.ss-comment")]


def heading(page: BeautifulSoup) -> str:
    h1 = page.select_one("h1")
    assert h1 is not None
    return h1.get_text(strip=True)


def status_tag(page: BeautifulSoup) -> str:
    tag = page.select_one("strong.govuk-tag")
    assert tag is not None
    return tag.get_text(strip=True)


def test_a_second_visit_is_served_from_memory(
    rt: Runtime, world: World, consultation: Consultation, visitor: HubClient
) -> None:
    post_comment(rt, consultation, world.users["public"], "Fabric first, please.")
    settle(rt)
    cache = rt.page_cache
    first = visitor.page(path_of(consultation))
    second = visitor.page(path_of(consultation))
    assert (cache.misses, cache.hits) == (1, 1)
    assert comment_ids(second) == comment_ids(first) == ["comment-1"]
    assert second.select_one("h1") is not None


def test_each_visitor_gets_their_own_csrf_token(
    app,  # type: ignore[no-untyped-def]
    rt: Runtime,
    consultation: Consultation,
) -> None:
    settle(rt)
    tokens = []
    for _ in range(2):
        with HubClient(app) as c:
            page = c.page(path_of(consultation))
            meta = page.find("meta", attrs={"name": "csrf-token"})
            assert meta is not None
            own = csrf.sign(rt.settings.secret_key, c.cookies[csrf.COOKIE])
            assert meta["content"] == own
            tokens.append(own)
    assert tokens[0] != tokens[1]
    assert rt.page_cache.hits == 1


def test_a_new_comment_shows_on_the_next_visit(
    rt: Runtime, world: World, consultation: Consultation, visitor: HubClient
) -> None:
    assert comment_ids(visitor.page(path_of(consultation))) == []
    post_comment(rt, consultation, world.users["public"], "Allowable solutions need a price.")
    page = visitor.page(path_of(consultation))
    assert comment_ids(page) == ["comment-1"]
    assert rt.page_cache.hits == 0


def test_signed_in_people_always_get_a_fresh_page(
    rt: Runtime, world: World, consultation: Consultation, visitor: HubClient
) -> None:
    visitor.sign_in_as(world.users["member"])
    for _ in range(2):
        page = visitor.page(path_of(consultation))
        assert page.select_one("textarea") is not None  # the comment form is theirs
    assert (rt.page_cache.hits, rt.page_cache.misses) == (0, 0)


def test_an_expired_session_or_a_notice_is_not_served_from_memory(
    rt: Runtime, consultation: Consultation, visitor: HubClient
) -> None:
    visitor.cookies.set(auth.SESSION_COOKIE, "no-such-session")
    visitor.page(path_of(consultation))
    visitor.page(path_of(consultation))
    visitor.cookies.delete(auth.SESSION_COOKIE)
    visitor.cookies.set(FLASH_COOKIE, "Signed out")
    visitor.page(path_of(consultation))
    assert (rt.page_cache.hits, rt.page_cache.misses) == (0, 0)


def test_htmx_requests_are_rendered(
    rt: Runtime, consultation: Consultation, visitor: HubClient
) -> None:
    for _ in range(2):
        response = visitor.get(path_of(consultation), headers={"HX-Request": "true"})
        assert response.status_code == 200
    assert rt.page_cache.hits == 0


def test_the_page_does_not_outlive_the_status_it_shows(
    rt: Runtime, consultation: Consultation, clock: Clock, visitor: HubClient
) -> None:
    clock.now = CLOSES - timedelta(seconds=1)
    assert status_tag(visitor.page(path_of(consultation))) == "Open"
    clock.now = CLOSES
    assert status_tag(visitor.page(path_of(consultation))) == "Closed"
    assert rt.page_cache.hits == 0


def test_another_workers_write_shows_within_the_cache_lifetime(
    rt: Runtime, world: World, consultation: Consultation, clock: Clock, visitor: HubClient
) -> None:
    """A write through another connection pool (as another worker's would be) does not
    drop this process's copy: the page is at most PAGE_CACHE_SECONDS old."""
    settle(rt)
    visitor.page(path_of(consultation))
    other_worker = Database(rt.settings.database_url)
    try:
        with other_worker.write() as unit:
            unit.session.execute(
                update(Consultation)
                .where(col(Consultation.id) == consultation.id)
                .values(title="Renamed by another worker")
            )
    finally:
        other_worker.dispose()
    assert heading(visitor.page(path_of(consultation))) == consultation.title
    clock.now += timedelta(seconds=rt.settings.page_cache_seconds)
    assert heading(visitor.page(path_of(consultation))) == "Renamed by another worker"


def test_a_lifetime_of_zero_turns_the_cache_off(
    rt: Runtime, consultation: Consultation, visitor: HubClient
) -> None:
    rt.settings = replace(rt.settings, page_cache_seconds=0)
    rt.page_cache = PageCache(0)
    visitor.page(path_of(consultation))
    visitor.page(path_of(consultation))
    assert (rt.page_cache.hits, rt.page_cache.misses) == (0, 0)


def test_the_cache_keeps_within_its_bounds() -> None:
    cache = PageCache(5)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    body = b"x" * (pagecache.MAX_BYTES // 8)
    for n in range(20):
        entry = pagecache._Entry(body, (), b"", 0, now + timedelta(seconds=5))
        cache.put(f"/page/{n}", entry)
    assert cache._bytes <= pagecache.MAX_BYTES
    assert cache.get("/page/0", 0, now) is None
    assert cache.get("/page/19", 0, now) is not None
    assert cache.get("/page/19", 1, now) is None  # a write since: dropped
