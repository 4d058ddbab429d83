"""Socket.IO against a real server: the app served by uvicorn on a free port, real
python-socketio clients over websockets. Who may join which room, and what reaches it."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from tests.client import soup
from tests.factories import World
from tests.workspace.realtime_harness import (
    REDIS_URL,
    WAIT,
    comment_event,
    listen,
    make_consultation,
    post_comment,
    redis_up,
    run,
    serve,
    session_cookie,
    session_token,
    start_worker,
    stop,
)
from workspace import auth
from workspace.runtime import Runtime
from workspace.settings import Settings


@pytest.fixture
def live_url(app: Any) -> Iterator[str]:
    served = serve(app)
    yield served.url
    stop(served)


def test_the_public_joins_an_open_consultation_by_slug_or_id(
    rt: Runtime, world: World, live_url: str
) -> None:
    consultation = make_consultation(rt, world, opens_in=timedelta(hours=-1))

    async def scenario() -> None:
        visitor = await listen(live_url)
        assert await visitor.join(consultation=consultation.slug) == {
            "ok": True,
            "room": f"consultation:{consultation.id}",
        }
        assert (await visitor.join(consultation=consultation.id))["ok"] is True
        await visitor.client.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("visitor", False),
        ("public", False),
        ("outsider", False),
        ("member", True),
        ("observer", True),
        ("chair", True),
        ("secretariat", True),
    ],
)
def test_a_draft_room_is_its_groups_only(
    rt: Runtime, world: World, live_url: str, role: str, allowed: bool
) -> None:
    draft = make_consultation(rt, world, opens_in=timedelta(days=2))
    headers = {} if role == "visitor" else session_cookie(rt, role, world)

    async def scenario() -> None:
        person = await listen(live_url, headers)
        by_slug = await person.join(consultation=draft.slug)
        by_id = await person.join(consultation=draft.id)
        await person.client.disconnect()
        assert by_slug["ok"] is allowed
        assert by_id["ok"] is allowed
        if not allowed:  # a refusal does not tell a draft from nothing at all
            assert by_slug == by_id == {"ok": False, "error": "Not found."}

    run(scenario)


def test_unknown_rooms_and_malformed_joins_are_refused(
    rt: Runtime, world: World, live_url: str
) -> None:
    make_consultation(rt, world, opens_in=timedelta(hours=-1))

    async def scenario() -> None:
        visitor = await listen(live_url)
        assert (await visitor.join(consultation="no-such-thing"))["ok"] is False
        assert (await visitor.join(consultation=999_999))["ok"] is False
        for bad in (
            {},
            {"group": "x"},
            {"consultation": True},
            {"consultation": ["x"]},
            {"consultation": "x" * 500},
            {"consultation": 1, "group": 1},
        ):
            answer: dict[str, Any] = await visitor.client.call("join", bad, timeout=WAIT)
            assert answer["ok"] is False, bad
        answer = await visitor.client.call("join", "consultation", timeout=WAIT)
        assert answer["ok"] is False
        await visitor.client.disconnect()

    run(scenario)


def test_an_expired_or_forged_session_is_treated_as_the_public(
    rt: Runtime, world: World, live_url: str
) -> None:
    draft = make_consultation(rt, world, opens_in=timedelta(days=2))

    async def scenario() -> None:
        forged = await listen(live_url, {"Cookie": f"{auth.SESSION_COOKIE}=not-a-token"})
        assert (await forged.join(consultation=draft.slug))["ok"] is False
        await forged.client.disconnect()

    run(scenario)


def test_a_socket_from_another_site_is_refused(rt: Runtime, world: World, live_url: str) -> None:
    member = session_cookie(rt, "member", world)

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            client = socketio.AsyncClient(reconnection=False, http_session=http)
            with pytest.raises(socketio.exceptions.ConnectionError):
                await client.connect(
                    live_url,
                    transports=["websocket"],
                    wait_timeout=WAIT,
                    headers=member | {"Origin": "https://evil.example"},
                )

    run(scenario)


def test_a_committed_comment_reaches_its_room_and_no_other(
    rt: Runtime, world: World, live_url: str
) -> None:
    open_one = make_consultation(rt, world, opens_in=timedelta(hours=-1))
    other = make_consultation(rt, world, opens_in=timedelta(hours=-1))

    async def scenario() -> None:
        here = await listen(live_url)
        elsewhere = await listen(live_url)
        assert (await here.join(consultation=open_one.slug))["ok"]
        assert (await elsewhere.join(consultation=other.slug))["ok"]
        # Published from this (non-server) thread, as a service in a worker thread would.
        await asyncio.to_thread(rt.events.publish, comment_event(open_one, 41, 7))
        got = await here.next_comment()
        assert got == {
            "comment_id": 41,
            "parent_id": None,
            "seq": 7,
            "state": "published",
            "author_name": "Alex Public",
            "html": comment_event(open_one, 41, 7).html,
            "html_localised": {},  # the English fragment only: made without other languages
        }
        assert "consultation_id" not in got
        await asyncio.sleep(0.2)
        assert elsewhere.received == []
        await here.client.disconnect()
        await elsewhere.client.disconnect()

    run(scenario)


def test_a_comment_posted_over_http_reaches_the_room(
    rt: Runtime, world: World, live_url: str
) -> None:
    """The whole path: form post -> one transaction -> EventBus after commit -> emit."""
    consultation = make_consultation(rt, world, opens_in=timedelta(hours=-1))

    async def scenario() -> None:
        reader = await listen(live_url)
        assert (await reader.join(consultation=consultation.slug))["ok"]
        token = session_token(rt, "public", world)
        feed = await post_comment(live_url, consultation.slug, token, "Hello **everyone**.")
        got = await reader.next_comment()
        assert got["state"] == "published"
        assert got["parent_id"] is None
        assert got["author_name"] == "Alex Public"
        fragment = soup(got["html"]).find("article")
        assert fragment is not None
        assert fragment["id"] == f"comment-{got['comment_id']}"
        assert fragment["data-seq"] == str(got["seq"])
        assert fragment.select_one(".ss-comment__body strong").get_text() == "everyone"
        # What the room heard is what the catch-up feed serves.
        assert feed["seq"] == got["seq"]
        assert [(c["comment_id"], c["seq"], c["html"]) for c in feed["changes"]] == [
            (got["comment_id"], got["seq"], got["html"])
        ]
        await reader.client.disconnect()

    run(scenario)


def test_emits_leave_in_the_order_they_were_published(
    rt: Runtime, world: World, live_url: str
) -> None:
    consultation = make_consultation(rt, world, opens_in=timedelta(hours=-1))

    async def scenario() -> None:
        reader = await listen(live_url)
        assert (await reader.join(consultation=consultation.slug))["ok"]

        def publish_many() -> None:
            for seq in range(1, 51):
                rt.events.publish(comment_event(consultation, seq, seq))

        await asyncio.to_thread(publish_many)
        assert [c["seq"] for c in await reader.until(50)] == list(range(1, 51))
        await reader.client.disconnect()

    run(scenario)


def test_pending_comments_are_never_sent(rt: Runtime, world: World, live_url: str) -> None:
    consultation = make_consultation(rt, world, opens_in=timedelta(hours=-1))

    async def scenario() -> None:
        reader = await listen(live_url)
        assert (await reader.join(consultation=consultation.slug))["ok"]
        rt.events.publish(comment_event(consultation, 5, 1, "pending"))
        rt.events.publish(comment_event(consultation, 6, 2))
        assert (await reader.next_comment())["comment_id"] == 6
        assert [c["comment_id"] for c in reader.received] == [6]
        await reader.client.disconnect()

    run(scenario)


def test_publishing_with_no_server_running_is_harmless(rt: Runtime, world: World) -> None:
    consultation = make_consultation(rt, world, opens_in=timedelta(hours=-1))
    # No server has started (a CLI command, the demo loader): nothing to send, no error.
    rt.events.publish(comment_event(consultation, 1, 1))


@pytest.mark.skipif(not redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_two_workers_fan_out_through_redis(
    settings: Settings, world: World, rt: Runtime, tmp_path: Path
) -> None:
    """Two uvicorn processes on one database and one Redis: a comment posted on A
    reaches a client connected to B."""
    consultation = make_consultation(rt, world, opens_in=timedelta(hours=-1))
    env = os.environ | {
        "DATABASE_URL": settings.database_url,
        "DATA_DIR": str(tmp_path / "workers"),
        # Its own key, so its own Redis channel: parallel runs never hear each other.
        "SECRET_KEY": secrets.token_urlsafe(32),
        "REDIS_URL": REDIS_URL,
        "ARGON2_FAST": "1",
        "LOG_LEVEL": "WARNING",
    }
    workers = [start_worker(env, tmp_path / f"{name}.log") for name in ("a", "b")]

    async def scenario() -> None:
        on_b = await listen(workers[1][1])
        assert (await on_b.join(consultation=consultation.slug))["ok"]
        await asyncio.sleep(0.3)  # B's Redis listener subscribes on its first connection
        token = session_token(rt, "public", world)
        await post_comment(workers[0][1], consultation.slug, token, "Posted on worker A.")
        got = await on_b.next_comment()
        assert "Posted on worker A." in got["html"]
        await on_b.client.disconnect()

    try:
        run(scenario)
    finally:
        for process, _url in workers:
            process.terminate()
            process.wait(timeout=10)
    for name in ("a", "b"):
        assert "Traceback" not in (tmp_path / f"{name}.log").read_text()
