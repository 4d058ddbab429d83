"""Live access follows real access: a socket hears a room only while its session may read it.

Each socket remembers its session token (never the viewer it had when it connected) and
the rooms it joined with the reference it joined by. Every join loads the viewer again
from the token, so a join after sign-out or after a seat ended is refused like the page.
When access narrows (`events.AccessChanged`: sign-out, sign-out everywhere, a password
reset, an ended seat or membership) or a consultation changes state, the sockets concerned
re-check every room: a socket whose session has ended is disconnected; one that may no
longer read a room leaves it.

Across workers the re-check travels as a Socket.IO emit to a room no client can join
(`ACCESS_ROOM`), which `AccessRedisManager` turns back into a local re-check on every
server process instead of sending it to clients.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import socketio

from workspace.permissions import ANONYMOUS, Viewer
from workspace.twofactor import service as twofactor

if TYPE_CHECKING:
    from workspace.realtime import Realtime

log = logging.getLogger(__name__)

RECHECK_EVENT = "sharedspace:recheck"
ACCESS_ROOM = "sharedspace:access"  # no room kind has a colon-free prefix like this one
Recheck = Callable[[dict[str, Any]], Awaitable[None]]


def person_room(user_id: int) -> str:
    """The private room every socket of a signed-in person is put in at connect. Clients
    cannot join it: `join` only accepts registered room kinds."""
    return f"sharedspace:person:{user_id}"


class AccessRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """The Redis manager, with re-checks run on each server process rather than emitted.

    python-socketio hands every emit (local and from other processes) to `_handle_emit`;
    the re-check is intercepted there. Pinned with python-socketio 5.x (requirements.lock);
    tests/workspace/test_live_access.py runs it across two processes."""

    on_recheck: Recheck | None = None

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") == RECHECK_EVENT:
            if self.on_recheck is not None:
                data = message.get("data") or [{}]
                await self.on_recheck(data[0] if isinstance(data, list) else data)
            return
        await super()._handle_emit(message)


class LiveAccess:
    """The re-checks of one Realtime server."""

    def __init__(self, live: Realtime) -> None:
        self.live = live
        if isinstance(live.sio.manager, AccessRedisManager):
            live.sio.manager.on_recheck = self.recheck_here

    async def viewer(self, sid: str) -> Viewer:
        session = await self.live.sio.get_session(sid)
        token = session.get("token")
        if not token:
            return ANONYMOUS
        return await asyncio.to_thread(twofactor.live_viewer, self.live.rt, token)

    async def request(self, *, user_id: int | None = None, room: str | None = None) -> None:
        """Re-check the sockets of `user_id`, or those in `room`, on every server."""
        data = {"user_id": user_id, "room": room}
        if isinstance(self.live.sio.manager, AccessRedisManager):
            await self.live.sio.emit(RECHECK_EVENT, data, room=ACCESS_ROOM)
        else:
            await self.recheck_here(data)

    async def recheck_here(self, data: dict[str, Any]) -> None:
        user_id, room = data.get("user_id"), data.get("room")
        if isinstance(user_id, int):
            room = person_room(user_id)
        if not isinstance(room, str):
            return
        manager = self.live.sio.manager
        sids = [sid for sid, _eio in manager.get_participants("/", room)]
        for sid in sids:
            try:
                await self._recheck_socket(sid)
            except Exception:
                log.exception("re-checking socket %s failed; disconnecting it", sid)
                await self.live.sio.disconnect(sid)

    async def _recheck_socket(self, sid: str) -> None:
        sio = self.live.sio
        session = await sio.get_session(sid)
        viewer = await self.viewer(sid)
        if session.get("user_id") is not None and viewer.user_id != session["user_id"]:
            await sio.disconnect(sid)  # the session it was opened with has ended
            return
        joined: dict[str, tuple[str, str | int]] = session.get("rooms", {})
        for room, (kind, ref) in list(joined.items()):
            key = await asyncio.to_thread(self.live.authorise, kind, viewer, ref)
            if key is None:
                await sio.leave_room(sid, room)
                joined.pop(room, None)
        await sio.save_session(sid, session)
