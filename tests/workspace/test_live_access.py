"""Live access follows real access (issue 13): a real uvicorn server, real python-socketio
clients. A socket opened while someone could read a draft loses it the moment they do:
sign-out, sign-out everywhere, a password reset, an ended seat or membership; and every
join asks the session as it is now. Across two workers through Redis too."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlmodel import delete, select

from taskgroups.groups import service as groups
from taskgroups.groups.models import Membership, ObserverSeat
from tests.client import soup
from tests.factories import World, admin_viewer
from tests.workspace.realtime_harness import (
    WAIT,
    Listener,
    comment_event,
    listen,
    make_consultation,
    run,
    serve,
    session_token,
    stop,
)
from tests.workspace.test_scale_out import Cluster, _cluster
from workspace import auth
from workspace.accounts import service as accounts
from workspace.models import PasswordResetToken, UserSession
from workspace.runtime import Runtime


@pytest.fixture
def live_url(app: Any) -> Iterator[str]:
    served = serve(app)
    yield served.url
    stop(served)


async def _disconnected(listener: Listener) -> bool:
    """Whether the server ends the connection within WAIT seconds."""
    try:
        await asyncio.wait_for(listener.client.wait(), WAIT)
    except TimeoutError:
        return False
    return not listener.client.connected


def _end_membership(rt: Runtime, world: World, role: str) -> None:
    admin = admin_viewer(world.users["secretariat"])
    user_id = world.users[role].id
    with rt.db.read() as session:
        if role == "observer":
            seat = session.exec(select(ObserverSeat).where(ObserverSeat.user_id == user_id)).one()
            seat_id = seat.id or 0
        else:
            member = session.exec(select(Membership).where(Membership.user_id == user_id)).one()
            seat_id = member.id or 0
    if role == "observer":
        assert groups.do_end_observer_seat(rt, admin, world.group, seat_id)
    else:
        assert groups.do_remove_member(rt, admin, world.group, seat_id)


@pytest.mark.parametrize("role", ["member", "observer"])
def test_an_ended_seat_leaves_the_drafts_room_at_once(
    rt: Runtime, world: World, live_url: str, role: str
) -> None:
    draft = make_consultation(rt, world, opens_in=timedelta(days=3))  # group only until then
    chair_cookie = {"Cookie": f"{auth.SESSION_COOKIE}={session_token(rt, 'chair', world)}"}
    cookie = {"Cookie": f"{auth.SESSION_COOKIE}={session_token(rt, role, world)}"}

    async def scenario() -> None:
        chair, seated = await listen(live_url, chair_cookie), await listen(live_url, cookie)
        assert (await seated.join(consultation=draft.slug))["ok"] is True
        assert (await chair.join(consultation=draft.slug))["ok"] is True
        await asyncio.to_thread(_end_membership, rt, world, role)
        await asyncio.sleep(0.3)  # the re-check runs on the server's loop after commit
        rt.events.publish(comment_event(draft, comment_id=41, seq=1))
        assert (await chair.next_comment())["comment_id"] == 41
        await asyncio.sleep(0.3)
        assert seated.received == []  # no longer in the room
        assert (await seated.join(consultation=draft.slug))["ok"] is False
        for listener in (chair, seated):
            await listener.client.disconnect()

    run(scenario)


def _reset_password(rt: Runtime, world: World, _token: str) -> None:
    user = world.users["member"]
    accounts.do_request_reset(rt, user.email)
    with rt.db.write() as unit:  # a known token in place of the one mailed
        row = unit.session.exec(
            select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)
        ).one()
        row.token_hash = auth.hash_token("known-reset-token")
        unit.session.add(row)
    assert accounts.do_reset_password(rt, "known-reset-token", "a brand new password")


ENDINGS: dict[str, Callable[[Runtime, World, str], None]] = {
    "sign out": lambda rt, _world, token: accounts.do_sign_out(rt, token),
    "sign out everywhere": lambda rt, world, _token: accounts.do_sign_out_everywhere(
        rt, world.users["member"].id or 0
    ),
    "password reset": _reset_password,
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_an_ended_session_disconnects_its_sockets(
    rt: Runtime, world: World, live_url: str, ending: str
) -> None:
    draft = make_consultation(rt, world, opens_in=timedelta(days=3))
    token = session_token(rt, "member", world)

    async def scenario() -> None:
        member = await listen(live_url, {"Cookie": f"{auth.SESSION_COOKIE}={token}"})
        assert (await member.join(consultation=draft.slug))["ok"] is True
        await asyncio.to_thread(ENDINGS[ending], rt, world, token)
        assert await _disconnected(member)

    run(scenario)


def test_every_join_asks_the_session_as_it_is_now(rt: Runtime, world: World, live_url: str) -> None:
    """A session that ends with no event (expired, or deleted by hand) is still refused."""
    draft = make_consultation(rt, world, opens_in=timedelta(days=3))
    token = session_token(rt, "member", world)

    async def scenario() -> None:
        member = await listen(live_url, {"Cookie": f"{auth.SESSION_COOKIE}={token}"})
        with rt.db.write() as unit:
            unit.session.exec(delete(UserSession))  # type: ignore[call-overload]
        answer = await member.join(consultation=draft.slug)
        assert answer["ok"] is False
        assert await _disconnected(member)

    run(scenario)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    yield from _cluster(tmp_path_factory, "live_access", "whoosh")


def test_signing_out_on_one_worker_disconnects_the_socket_on_the_other(
    cluster: Cluster,
) -> None:
    token = session_token(cluster.rt, "member", cluster.world)
    draft = make_consultation(cluster.rt, cluster.world, opens_in=timedelta(days=3))

    async def scenario() -> None:
        member = await listen(cluster.a, {"Cookie": f"{auth.SESSION_COOKIE}={token}"})
        assert (await member.join(consultation=draft.slug))["ok"] is True
        async with aiohttp.ClientSession(
            cookies={auth.SESSION_COOKIE: token}, cookie_jar=aiohttp.CookieJar(unsafe=True)
        ) as http:
            async with http.get(f"{cluster.b}/account/") as response:
                meta = soup(await response.text()).find("meta", attrs={"name": "csrf-token"})
            assert meta is not None
            async with http.post(
                f"{cluster.b}/account/sign-out",
                data={"csrf_token": str(meta["content"])},
                allow_redirects=False,
            ) as response:
                assert response.status == 303
        assert await _disconnected(member)

    run(scenario)
