"""A page request's reads share one transaction (workspace/db.py `request_reads`, issue
19), and nothing else about reading changes: each block hands back detached objects, a
write is seen by the reads after it, a failed statement or a nested block never spoils
another block, and a streamed body reads on its own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import func, select

from tests.client import HubClient
from tests.factories import World, make_user
from workspace.db import Database
from workspace.middleware import _finishing_reads
from workspace.models import User
from workspace.runtime import Runtime


@pytest.fixture
def begins(rt: Runtime) -> Iterator[list[int]]:
    """The transactions begun on the read engine, counted as they start."""
    found: list[int] = []

    def count(_conn: Any) -> None:
        found.append(1)

    event.listen(rt.db.engine, "begin", count)
    yield found
    event.remove(rt.db.engine, "begin", count)


def people(db: Database) -> int:
    with db.read() as session:
        return int(session.exec(select(func.count()).select_from(User)).one())


def test_blocks_share_one_transaction_and_return_detached_objects(
    rt: Runtime, world: World, begins: list[int]
) -> None:
    with rt.db.request_reads():
        with rt.db.read() as session:
            first = session.exec(select(User).order_by(User.id)).first()  # type: ignore[arg-type]
        with rt.db.read() as again:
            assert again is session
        assert people(rt.db) == len(world.users)
    assert len(begins) == 1
    assert first is not None
    assert inspect(first).detached
    assert first.display_name  # loaded before the block ended, usable after


def test_a_write_ends_the_shared_transaction_and_is_seen_after(
    rt: Runtime, world: World, begins: list[int]
) -> None:
    with rt.db.request_reads():
        before = people(rt.db)
        make_user(rt, "Written in the request")
        assert people(rt.db) == before + 1
    # The reads before, the write's own, and the reads after it.
    assert len(begins) == 3


def test_a_write_inside_a_read_block_leaves_that_block_its_session(
    rt: Runtime, world: World
) -> None:
    first = select(User).order_by(User.id)  # type: ignore[arg-type]
    with rt.db.request_reads():
        with rt.db.read() as outer:
            user = outer.exec(first).first()
            make_user(rt, "Written mid-block")
            assert outer.exec(first).first() is user  # still the block's session
            assert not inspect(user).detached
        # The next block starts a transaction that sees the write.
        assert people(rt.db) == len(world.users) + 1


def test_a_nested_block_gets_a_session_of_its_own(rt: Runtime, world: World) -> None:
    with rt.db.request_reads(), rt.db.read() as outer:
        user = outer.exec(select(User)).first()
        with rt.db.read() as inner:
            assert inner is not outer
            inner.exec(select(User)).all()
        assert user is not None
        assert not inspect(user).detached  # the inner block did not detach the outer's


def test_a_failed_statement_does_not_spoil_the_next_block(rt: Runtime, world: World) -> None:
    with rt.db.request_reads():
        with pytest.raises(SQLAlchemyError), rt.db.read() as session:
            session.exec(text("SELECT * FROM no_such_table"))  # type: ignore[call-overload]
        assert people(rt.db) == len(world.users)


def test_after_the_response_starts_each_block_reads_alone(
    rt: Runtime, world: World, begins: list[int]
) -> None:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with rt.db.request_reads() as reads:
        people(rt.db)
        asyncio.run(_finishing_reads(send, reads)({"type": "http.response.start"}))
        with rt.db.read() as one:
            one.exec(select(User)).first()
        with rt.db.read() as two:
            assert two is not one
            two.exec(select(User)).first()
    assert sent == [{"type": "http.response.start"}]
    assert len(begins) == 3


def test_a_signed_in_page_reads_in_one_transaction(
    client: HubClient, rt: Runtime, begins: list[int]
) -> None:
    client.sign_in_as(make_user(rt))
    client.get("/")  # the session's first use may record when it was last seen
    begins.clear()
    page = client.get("/")
    assert page.status_code == 200
    assert len(begins) == 1  # the viewer's session, seats and invitations, and the page


def test_a_pausing_request_gives_its_connection_back(rt: Runtime, world: World) -> None:
    """Forty requests that pause between their reads (awaiting a thread, the network),
    more than the pool holds: each gives its connection back when it pauses, so none
    waits on the pool while holding the connection another needs."""
    assert rt.db.engine.pool.size() < 40  # type: ignore[attr-defined]

    async def request() -> int:
        with rt.db.request_reads():
            before = people(rt.db)
            await asyncio.sleep(0.01)
            return people(rt.db) - before

    async def all_at_once() -> list[int]:
        return await asyncio.gather(*(request() for _ in range(40)))

    assert asyncio.run(all_at_once()) == [0] * 40


def test_reads_that_follow_without_a_pause_share_one_transaction(
    rt: Runtime, world: World, begins: list[int]
) -> None:
    async def request() -> None:
        with rt.db.request_reads():
            people(rt.db)
            people(rt.db)  # at once: the same transaction
            await asyncio.sleep(0)
            people(rt.db)  # after a pause: a new one

    asyncio.run(request())
    assert len(begins) == 2
