"""Live updates over Socket.IO: rooms joined only by those who may read them, and domain
events relayed to those rooms after they commit.

One `Realtime` per app, built by `create_app` and kept on `app.state.realtime`; nothing
lives in module globals. The core knows no features: a feature's plugin returns

- **room kinds** (`live_rooms` hook, `hooks.LiveRoom`) with an authoriser, where
  `authorise(viewer, ref)` returns the canonical key of the room (`"12"` for
  `consultation:12`) or None when this viewer may not read it; and
- **relays** (`live_relays` hook, `hooks.LiveRelay`): a domain event class, subscribed
  on the app's `EventBus`, whose events are emitted to one room each.

Event handlers are synchronous and run wherever the publisher's transaction committed:
on the server's event loop (an async route calling a service) or in a worker thread.
Emits are therefore handed to the loop with `call_soon_threadsafe` and chained, so they
leave in the order they were published. With `REDIS_URL` set the server uses
`AsyncRedisManager`, so an emit on one worker reaches clients connected to any worker.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import socketio
from starlette.requests import cookie_parser
from starlette.types import ASGIApp

from workspace import auth, hooks
from workspace.events import AccessChanged, DomainEvent
from workspace.hooks import LiveRelay, LiveRoom
from workspace.live_access import AccessRedisManager, LiveAccess, person_room
from workspace.permissions import ANONYMOUS, Viewer
from workspace.twofactor import service as twofactor

if TYPE_CHECKING:
    from workspace.runtime import Runtime

log = logging.getLogger(__name__)

SOCKETIO_PATH = "socket.io"
# A page joins one room; a little headroom for several tabs' worth of panels.
MAX_ROOMS_PER_CONNECTION = 8
MAX_REF_LENGTH = 200


def room_name(kind: str, key: object) -> str:
    return f"{kind}:{key}"


def redis_channel(rt: Runtime) -> str:
    """The Redis pub/sub channel of this hub. Every worker of a hub shares its secret key
    (CSRF needs it), so deriving the channel from it puts them on one channel while two
    hubs sharing one Redis (staging and live, or parallel test runs) never hear each other."""
    digest = hashlib.sha256(b"socketio-channel:" + rt.settings.secret_key.encode()).hexdigest()
    return f"sharedspace-{digest[:16]}"


class Realtime:
    """The Socket.IO server of one app, its room kinds and its relays."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        manager = (
            AccessRedisManager(rt.settings.redis_url, channel=redis_channel(rt))
            if rt.settings.redis_url
            else None
        )
        # Same-origin only (the default): the session cookie authenticates the socket,
        # so another site must not be able to open one in a visitor's name.
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=manager,
            max_http_buffer_size=16_000,
            logger=False,
            engineio_logger=False,
        )
        self._kinds: dict[str, LiveRoom] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_emit: asyncio.Future[None] | None = None
        self._pending: set[asyncio.Future[None]] = set()
        self.sio.on("connect", self._on_connect)
        self.sio.on("join", self._on_join)
        for room in hooks.flat(rt.hook.live_rooms(rt=rt)):
            self._room_kind(room)
        for relay in hooks.flat(rt.hook.live_relays(rt=rt)):
            self._subscribe(relay)
        self.access = LiveAccess(self)
        rt.events.subscribe(AccessChanged, self._access_changed)

    # --- registration (at app build time) -------------------------------------------

    def _room_kind(self, room: LiveRoom) -> None:
        if room.kind in self._kinds:
            raise ValueError(f"room kind {room.kind!r} is already registered")
        self._kinds[room.kind] = room

    def _subscribe(self, relay: LiveRelay) -> None:
        self.rt.events.subscribe(relay.event, lambda event: self._relay(relay, event))

    # --- serving --------------------------------------------------------------------

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """Put Socket.IO in front of `app`: `/socket.io/` goes to the server, the rest
        (and the lifespan) to `app`. Used as a Starlette `Middleware` factory."""
        wrapped: ASGIApp = socketio.ASGIApp(
            self.sio, other_asgi_app=app, socketio_path=SOCKETIO_PATH
        )
        return wrapped

    def bind_loop(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Remember the loop the server runs on (called at startup). The first running
        loop stays: tests may start extra in-process clients on one app, each with a
        loop of its own, and the sockets live on the server's."""
        loop = loop or asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop and self._loop.is_running():
            log.debug("Socket.IO already runs on another loop; keeping it")
            return
        self._loop = loop

    async def shutdown(self) -> None:
        if self._loop is not asyncio.get_running_loop():
            return  # another server's loop (tests run several clients on one app)
        pending = list(self._pending)
        if pending:
            await asyncio.wait(pending, timeout=5)
        await self.sio.shutdown()
        await _close_queue(self.sio.manager)
        self._loop = None

    async def emit(self, event: str, data: dict[str, Any], room: str) -> None:
        await self.sio.emit(event, data, room=room)

    # --- Socket.IO handlers ---------------------------------------------------------

    async def _on_connect(self, sid: str, environ: dict[str, Any], _auth: Any = None) -> bool:
        if self._loop is None:  # served without a lifespan: learn the loop here
            self.bind_loop()
        cookies = cookie_parser(environ.get("HTTP_COOKIE", ""))
        token = cookies.get(auth.SESSION_COOKIE)
        viewer = (
            await asyncio.to_thread(twofactor.live_viewer, self.rt, token) if token else ANONYMOUS
        )
        # The token, not the viewer: every join and re-check asks who the session is now.
        session = {"token": token if viewer.signed_in else None, "user_id": viewer.user_id}
        await self.sio.save_session(sid, session | {"rooms": {}})
        if viewer.user_id is not None:
            await self.sio.enter_room(sid, person_room(viewer.user_id))
        # Anyone may connect (the public reads open consultations); rooms are checked on join.
        return True

    async def _on_join(self, sid: str, data: Any) -> dict[str, Any]:
        request = _parse_join(data, self._kinds)
        if request is None:
            return {"ok": False, "error": 'Name one room, like {"consultation": "slug"}.'}
        kind, ref = request
        joined = [r for r in self.sio.rooms(sid) if r != sid]
        if len(joined) >= MAX_ROOMS_PER_CONNECTION:
            return {"ok": False, "error": "Too many rooms on one connection."}
        session = await self.sio.get_session(sid)
        viewer = await self.access.viewer(sid)
        if session.get("user_id") is not None and viewer.user_id != session["user_id"]:
            # Signed out since: the socket goes, once this answer has reached it.
            self.sio.start_background_task(self._disconnect_soon, sid)
            return {"ok": False, "error": "Signed out."}
        key = await asyncio.to_thread(self.authorise, kind, viewer, ref)
        if key is None:
            # The same answer for "does not exist" and "not yours": drafts stay unadvertised.
            return {"ok": False, "error": "Not found."}
        room = room_name(kind, key)
        try:
            await self.sio.enter_room(sid, room)
            session = await self.sio.get_session(sid)
            session.setdefault("rooms", {})[room] = (kind, ref)
            await self.sio.save_session(sid, session)
        except (KeyError, ValueError):
            # The page went away while its room was being checked (someone clicking on
            # quickly): python-socketio no longer knows the sid. Nothing to join, and
            # nothing wrong with the server.
            return {"ok": False, "error": "Not connected."}
        return {"ok": True, "room": room}

    async def _disconnect_soon(self, sid: str) -> None:
        await self.sio.sleep(0.1)
        await self.sio.disconnect(sid)

    def authorise(self, kind: str, viewer: Viewer, ref: str | int) -> str | None:
        """The room key when `viewer` may hear this room of `kind` now, else None."""
        return self._kinds[kind].authorise(viewer, ref)

    def _access_changed(self, event: AccessChanged) -> None:
        """From any thread, after commit: have the person's sockets re-check their rooms."""
        loop = self._loop
        if loop is None or loop.is_closed() or not loop.is_running():
            return
        loop.call_soon_threadsafe(self._start_recheck, event.user_id)

    def _start_recheck(self, user_id: int) -> None:
        task = asyncio.ensure_future(self.access.request(user_id=user_id))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # --- relaying bus events --------------------------------------------------------

    def _relay(self, relay: LiveRelay, event: DomainEvent) -> None:
        if relay.when is not None and not relay.when(event):
            return
        room = relay.room(event)
        if not self.rt.settings.redis_url and not self._occupied(room):
            # One process holds every socket: nobody is listening, so nothing to send.
            # (A fan-out to 10,000 people's rooms would otherwise queue 10,000 emits.)
            return
        self.schedule(relay.emit, relay.message(event), room)

    def occupied(self, kind: str, keys: list[int]) -> list[int] | None:
        """Which of these rooms of `kind` have a socket in this process; None when other
        processes may hold sockets too (with Redis), so nobody can be left out."""
        if self.rt.settings.redis_url:
            return None
        return [key for key in keys if self._occupied(room_name(kind, key))]

    def _occupied(self, room: str) -> bool:
        rooms = getattr(self.sio.manager, "rooms", {}).get("/", {})
        return bool(rooms.get(room))

    def schedule(self, event: str, data: dict[str, Any], room: str) -> None:
        """Emit from synchronous code on any thread, in publication order."""
        loop = self._loop
        if loop is None or loop.is_closed() or not loop.is_running():
            log.debug("no running Socket.IO server: %s to %s not sent", event, room)
            return
        # The coroutine is created on the loop itself, so if the loop stops first
        # nothing is left un-awaited.
        loop.call_soon_threadsafe(self._start_emit, event, data, room)

    def _start_emit(self, event: str, data: dict[str, Any], room: str) -> None:
        previous = self._last_emit
        task = asyncio.ensure_future(self._emit_after(previous, event, data, room))
        self._last_emit = task
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _emit_after(
        self, previous: asyncio.Future[None] | None, event: str, data: dict[str, Any], room: str
    ) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        try:
            await self.emit(event, data, room)
        except Exception:
            log.exception("emitting %s to %s failed", event, room)


def relay_through_redis(rt: Runtime) -> bool:
    """In a process with no Socket.IO server of its own (`sharedspace worker`), send the
    relays' emits through Redis, where every server process delivers them to its own
    sockets. Without `REDIS_URL` nothing is relayed: pages are right when next loaded."""
    if not rt.settings.redis_url:
        return False
    manager = socketio.RedisManager(
        rt.settings.redis_url, channel=redis_channel(rt), write_only=True, logger=log
    )

    def subscribe(relay: LiveRelay) -> None:
        def emit(event: DomainEvent) -> None:
            if relay.when is None or relay.when(event):
                manager.emit(
                    relay.emit, relay.message(event), namespace="/", room=relay.room(event)
                )

        rt.events.subscribe(relay.event, emit)

    for relay in hooks.flat(rt.hook.live_relays(rt=rt)):
        subscribe(relay)
    return True


async def _close_queue(manager: Any) -> None:
    """Stop a Redis manager's listener and close its connections. python-socketio has no
    public call for this; without it each worker leaks its Redis sockets at shutdown."""
    listener = getattr(manager, "thread", None)
    if isinstance(listener, asyncio.Task) and not listener.done():
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
    for name in ("pubsub", "redis"):
        connection = getattr(manager, name, None)
        if connection is not None and hasattr(connection, "aclose"):
            try:
                await connection.aclose()
            except Exception:  # already broken: nothing left to close
                log.debug("closing the Redis %s failed", name, exc_info=True)


def _parse_join(data: Any, kinds: Mapping[str, LiveRoom]) -> tuple[str, str | int] | None:
    """A join names exactly one registered room kind and a slug (str) or an id (int)."""
    if not isinstance(data, dict) or len(data) != 1:
        return None
    ((kind, ref),) = data.items()
    if kind not in kinds:
        return None
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int) and ref > 0:
        return kind, ref
    if isinstance(ref, str) and 0 < len(ref) <= MAX_REF_LENGTH:
        return kind, ref
    return None
