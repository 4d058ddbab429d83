"""The harness for the Socket.IO tests: the app served by uvicorn on a free port (in a
thread, or as worker processes), python-socketio clients that record what they hear,
and the fixtures' people and consultations."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import socketio
import uvicorn

from consultations.lifecycle import service as consultations
from consultations.lifecycle.forms import ConsultationInput
from consultations.lifecycle.models import Consultation
from tests.client import soup
from tests.factories import World, admin_viewer
from workspace import auth
from workspace.db import utcnow
from workspace.events import CommentChanged
from workspace.runtime import Runtime

REDIS_URL = "redis://127.0.0.1:6379/0"
WAIT = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Served:
    url: str
    server: uvicorn.Server
    thread: threading.Thread


def serve(app: Any) -> Served:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "server stopped while starting"
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    return Served(f"http://127.0.0.1:{port}", server, thread)


def stop(served: Served) -> None:
    served.server.should_exit = True
    served.thread.join(timeout=10)


def make_consultation(rt: Runtime, world: World, *, opens_in: timedelta) -> Consultation:
    now = utcnow()
    data = ConsultationInput(
        title="Zero carbon homes",
        summary="",
        body="",
        source="",
        opens_at=now + opens_in,
        closes_at=now + timedelta(days=30),
        moderation="post",
    )
    return consultations.do_create(rt, admin_viewer(world.users["secretariat"]), world.group, data)


def session_token(rt: Runtime, role: str, world: World) -> str:
    user_id = world.users[role].id
    assert user_id is not None
    with rt.db.write() as unit:
        return auth.start_session(unit, user_id, 1, "tests")


def session_cookie(rt: Runtime, role: str, world: World) -> dict[str, str]:
    return {"Cookie": f"{auth.SESSION_COOKIE}={session_token(rt, role, world)}"}


@dataclass
class Listener:
    """A connected client and the `comment` events it has received."""

    client: socketio.AsyncClient
    received: list[dict[str, Any]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def join(self, **room: Any) -> dict[str, Any]:
        answer: dict[str, Any] = await self.client.call("join", room, timeout=WAIT)
        return answer

    async def next_comment(self) -> dict[str, Any]:
        await asyncio.wait_for(self.arrived.wait(), WAIT)
        self.arrived.clear()
        return self.received[-1]

    async def until(self, count: int) -> list[dict[str, Any]]:
        while len(self.received) < count:
            await asyncio.wait_for(self.arrived.wait(), WAIT)
            self.arrived.clear()
        return self.received


async def listen(url: str, headers: dict[str, str] | None = None) -> Listener:
    client = socketio.AsyncClient(reconnection=False)
    listener = Listener(client)

    async def on_comment(data: dict[str, Any]) -> None:
        listener.received.append(data)
        listener.arrived.set()

    client.on("comment", on_comment)
    await client.connect(url, headers=headers or {}, transports=["websocket"], wait_timeout=WAIT)
    return listener


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


def comment_event(
    consultation: Consultation, comment_id: int, seq: int, state: str = "published"
) -> CommentChanged:
    return CommentChanged(
        consultation_id=consultation.id or 0,
        comment_id=comment_id,
        parent_id=None,
        seq=seq,
        state=state,
        author_name="Alex Public",
        html=f'<article id="comment-{comment_id}" data-seq="{seq}" data-parent="">'
        "<p>Hello</p></article>",
        change="posted",
    )


async def post_comment(base_url: str, slug: str, token: str, text: str) -> dict[str, Any]:
    """Post a comment the way a browser does (page, CSRF token, form post); then read
    the change feed from the start."""
    page_url = f"{base_url}/consultations/{slug}"
    async with aiohttp.ClientSession(
        cookies={auth.SESSION_COOKIE: token},
        cookie_jar=aiohttp.CookieJar(unsafe=True),  # keep cookies set by 127.0.0.1
    ) as http:
        async with http.get(page_url) as response:
            meta = soup(await response.text()).find("meta", attrs={"name": "csrf-token"})
        assert meta is not None
        async with http.post(
            f"{page_url}/comments",
            data={"csrf_token": str(meta["content"]), "comment": text},
            allow_redirects=False,
        ) as response:
            assert response.status == 303
        async with http.get(f"{page_url}/comments?after=0") as response:
            feed: dict[str, Any] = await response.json()
    return feed


def start_worker(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`uvicorn sharedspace.app:serve_app` (what `sharedspace serve` runs) in a process."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "sharedspace.app:serve_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60  # a loaded machine starts two workers slowly
    while True:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
