"""Live delivery: how long a new comment takes to reach 1,000 Socket.IO clients in one
consultation room, against a bare python-socketio broadcast measured in the same run.

(a) bare: a minimal `socketio.AsyncServer` under uvicorn; latency from the moment the
    server calls `emit` to each client's receipt.
(b) ours: the real app under uvicorn as `sharedspace serve` runs it
    (`sharedspace.app:serve_app`); latency from the moment the comment is POSTed over
    HTTP (form post with CSRF, one transaction, stored fragment, EventBus after commit,
    emit to `consultation:<id>`) to each client's receipt.

Both servers run at once, each with its own 1,000 clients; rounds alternate (ours, then
bare with the same payload) so drift on the machine hits both alike. Clients are minimal
Engine.IO/Socket.IO v4 websocket clients on one aiohttp session in this process (the
python-socketio client would spend more CPU per message than the servers under test),
and timestamps are wall-clock `time.time()` on one machine.

    .venv/bin/python bench/live_delivery.py [--clients 1000] [--rounds 20]
    .venv/bin/python bench/live_delivery.py --clients 5000   # many idle readers (issue 19)

Each server's resident memory is read from /proc before the clients connect and once
they have all joined, so the run also gives memory per connection, ours against bare.

Target (issue 4): ours p99 <= 1.5 x bare p99.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROOM = "bench"
TARGET_RATIO = 1.5


# -- the bare server (run by uvicorn in its own process) -----------------------------------


def bare_app() -> Any:
    """uvicorn factory: python-socketio and nothing else, plus POST /emit to trigger."""
    import socketio

    sio = socketio.AsyncServer(async_mode="asgi", max_http_buffer_size=16_000)

    async def join(sid: str, _data: Any) -> dict[str, Any]:
        await sio.enter_room(sid, ROOM)
        return {"ok": True, "room": ROOM}

    sio.on("join", join)

    async def trigger(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            for phase in ("startup", "shutdown"):
                await receive()
                await send({"type": f"lifespan.{phase}.complete"})
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        payload = json.loads(body or b"{}")
        payload["t0"] = time.time()
        await sio.emit("comment", payload, room=ROOM)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"sent"})

    app = socketio.ASGIApp(sio, other_asgi_app=trigger)
    # The same start-up tuning as `sharedspace.app:serve_app`, so the baseline is no easier.
    gc.collect()
    gc.freeze()
    return app


# -- servers -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(target: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                target,
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{target} exited:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{target} did not start:\n{log.read_text()}")


@dataclass
class Hub:
    env: dict[str, str]
    slug: str
    token: str


def prepare_hub(data: Path) -> Hub:
    """A migrated SQLite hub with one group, one open consultation and one poster."""
    from consultations.lifecycle import service as consultations
    from consultations.lifecycle.forms import ConsultationInput
    from sharedspace import migrate
    from sharedspace.app import build_runtime
    from taskgroups.groups import service as groups
    from taskgroups.groups.forms import GroupDraft
    from workspace import auth
    from workspace.accounts.service import Registration, do_register
    from workspace.db import utcnow
    from workspace.permissions import Viewer
    from workspace.settings import Settings

    env = {
        "DATABASE_URL": f"sqlite:///{data / 'hub.db'}",
        "DATA_DIR": str(data),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ARGON2_FAST": "1",
        "COMMENT_LIMIT_PER_PERSON": "1000000",
        "LOG_LEVEL": "WARNING",
    }
    rt = build_runtime(Settings.from_env(env))
    migrate.upgrade(rt.db)
    admin = do_register(
        rt,
        Registration("admin@bench.example", "Bench Admin", "x" * 12),
        secretariat=True,
        confirmed=True,
    )
    poster = do_register(
        rt, Registration("poster@bench.example", "Pat Poster", "x" * 12), confirmed=True
    )
    assert admin is not None
    assert poster is not None
    assert poster.id is not None
    actor = Viewer(user_id=admin.id, display_name=admin.display_name, is_secretariat=True)
    group = groups.do_create_group(rt, actor, GroupDraft("Bench group", ""))
    now = utcnow()
    consultation = consultations.do_create(
        rt,
        actor,
        group,
        ConsultationInput(
            title="Live delivery bench",
            summary="",
            body="",
            source="",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=1),
            moderation="post",
        ),
    )
    with rt.db.write() as unit:
        token = auth.start_session(unit, poster.id, 1, "bench")
    rt.db.dispose()
    return Hub(env=os.environ | env, slug=consultation.slug, token=token)


# -- clients -------------------------------------------------------------------------------


@dataclass
class Room:
    """The clients of one server and what each received, with receipt times."""

    name: str
    clients: int
    inbox: list[list[tuple[float, str]]] = field(default_factory=list)
    joined: int = 0
    count: int = 0
    target: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def expect(self, total_per_client: int) -> None:
        self.target = total_per_client * self.clients
        self.done.clear()
        if self.count >= self.target:
            self.done.set()

    def received(self, index: int, raw: str) -> None:
        self.inbox[index].append((time.time(), raw))
        self.count += 1
        if self.count >= self.target:
            self.done.set()


async def client(
    http: aiohttp.ClientSession,
    url: str,
    join: dict[str, Any],
    room: Room,
    index: int,
    ready: asyncio.Semaphore,
) -> None:
    """One Socket.IO v4 client over a websocket: connect, join, then record every event."""
    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with ready:
        ws = await http.ws_connect(ws_url, max_msg_size=0, autoping=True)
        opened = await ws.receive_str()
        assert opened.startswith("0"), opened
        await ws.send_str("40")
        connected = await ws.receive_str()
        assert connected.startswith("40"), connected
        await ws.send_str("420" + json.dumps(["join", join]))
        while not (ack := await ws.receive_str()).startswith("430"):
            pass
        assert json.loads(ack[3:])[0]["ok"] is True, ack
        room.joined += 1
    async for message in ws:
        if message.type != aiohttp.WSMsgType.TEXT:
            break
        data = message.data
        if data == "2":  # Engine.IO ping
            await ws.send_str("3")
        elif data.startswith("42"):
            room.received(index, data)


async def connect_all(
    http: aiohttp.ClientSession, url: str, join: dict[str, Any], room: Room
) -> list[asyncio.Task[None]]:
    room.inbox = [[] for _ in range(room.clients)]
    room.expect(0)
    ready = asyncio.Semaphore(50)  # connect 50 at a time
    tasks = [
        asyncio.create_task(client(http, url, join, room, i, ready)) for i in range(room.clients)
    ]
    while room.joined < room.clients:
        failed = [t for t in tasks if t.done()]
        if failed:
            failed[0].result()  # raises what went wrong
            raise RuntimeError("a client stopped before the others had joined")
        await asyncio.sleep(0.05)
    return tasks


# -- one round each ------------------------------------------------------------------------


async def post_comment(
    http: aiohttp.ClientSession, url: str, hub: Hub, csrf: str, n: int
) -> tuple[float, int]:
    t0 = time.time()
    async with http.post(
        f"{url}/consultations/{hub.slug}/comments",
        data={"csrf_token": csrf, "comment": f"Comment {n}: *live* delivery."},
        allow_redirects=False,
    ) as response:
        assert response.status == 303, (response.status, await response.text())
        location = response.headers["location"]
    match = re.search(r"#comment-(\d+)$", location)
    assert match, location
    return t0, int(match.group(1))


async def csrf_token(http: aiohttp.ClientSession, url: str, slug: str) -> str:
    async with http.get(f"{url}/consultations/{slug}") as response:
        assert response.status == 200, response.status
        page = await response.text()
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert match, "no CSRF token on the consultation page"
    return match.group(1)


def latencies(room: Room, rounds: range, starts: dict[int, float], key: str) -> list[float]:
    """Milliseconds from each round's start to each client's receipt."""
    found: list[float] = []
    for inbox in room.inbox:
        for at, raw in (inbox[r] for r in rounds if r < len(inbox)):
            payload = json.loads(raw[2:])[1]
            start = payload["t0"] if key == "t0" else starts[payload["comment_id"]]
            found.append((at - start) * 1000)
    return found


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(clients: int, rounds: int, warmup: int) -> int:
    with tempfile.TemporaryDirectory(prefix="live-bench-") as tmp:
        data = Path(tmp)
        hub = prepare_hub(data)
        # As `sharedspace serve` runs it (sharedspace.app:serve_app).
        ours_proc, ours_url = _start("sharedspace.app:serve_app", hub.env, data / "ours.log")
        bare_proc, bare_url = _start("bench.live_delivery:bare_app", hub.env, data / "bare.log")
        try:
            pids = {"ours": ours_proc.pid, "bare": bare_proc.pid}
            return await _measure(hub, ours_url, bare_url, clients, rounds, warmup, pids)
        finally:
            for process in (ours_proc, bare_proc):
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:  # thousands of sockets to close: do not wait
                    process.kill()
                    process.wait(timeout=10)


def rss_kb(pid: int) -> int:
    """Resident memory of a process, in KB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _measure(
    hub: Hub,
    ours_url: str,
    bare_url: str,
    clients: int,
    rounds: int,
    warmup: int,
    pids: dict[str, int],
) -> int:
    connector = aiohttp.TCPConnector(limit=0)
    async with (
        aiohttp.ClientSession(connector=connector) as http,
        aiohttp.ClientSession(
            cookies={"ss_session": hub.token},
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # keep cookies set by 127.0.0.1
        ) as poster,
    ):
        ours, bare = Room("ours", clients), Room("bare", clients)
        started = time.monotonic()
        before = {name: rss_kb(pid) for name, pid in pids.items()}
        tasks = await connect_all(http, ours_url, {"consultation": hub.slug}, ours)
        tasks += await connect_all(http, bare_url, {"room": ROOM}, bare)
        await asyncio.sleep(1)
        memory = {name: (rss_kb(pid) - before[name]) * 1024 / clients for name, pid in pids.items()}
        print(
            f"{2 * clients} clients connected and joined in {time.monotonic() - started:.1f} s",
            flush=True,
        )
        csrf = await csrf_token(poster, ours_url, hub.slug)
        starts: dict[int, float] = {}
        # The measuring side must not pause: no garbage collection in this process
        # while rounds run (the servers under test collect as usual).
        gc.collect()
        gc.freeze()
        gc.disable()
        for n in range(warmup + rounds):
            ours.expect(n + 1)
            t0, comment_id = await post_comment(poster, ours_url, hub, csrf, n)
            starts[comment_id] = t0
            await asyncio.wait_for(ours.done.wait(), 30 + clients / 100)
            last = ours.inbox[0][n][1]
            payload = json.loads(last[2:])[1]
            bare.expect(n + 1)
            async with poster.post(f"{bare_url}/emit", data=json.dumps(payload)) as response:
                assert response.status == 200
            await asyncio.wait_for(bare.done.wait(), 30 + clients / 100)
            await asyncio.sleep(0.2)  # let both servers settle between rounds
        gc.enable()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    measured = range(warmup, warmup + rounds)
    ours_ms = latencies(ours, measured, starts, "comment_id")
    bare_ms = latencies(bare, measured, starts, "t0")
    size = len(json.loads(ours.inbox[0][warmup][1][2:])[1]["html"])
    return report(clients, rounds, size, bare_ms, ours_ms, memory)


def report(
    clients: int,
    rounds: int,
    size: int,
    bare_ms: list[float],
    ours_ms: list[float],
    memory: dict[str, float],
) -> int:
    print(
        f"\nLive delivery to {clients:,} clients in one room, {rounds} rounds each "
        f"({len(ours_ms):,} deliveries; fragment {size:,} characters)"
    )
    print(f"{'':<44}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    rows = [
        ("(a) bare python-socketio broadcast", bare_ms),
        ("(b) ours: HTTP post -> commit -> bus -> emit", ours_ms),
    ]
    for label, values in rows:
        print(
            f"{label:<44}{statistics.median(values):>9.1f}{percentile(values, 99):>9.1f}"
            f"{max(values):>9.1f}"
        )
    print(
        f"memory per connection (RSS growth / clients): ours {memory['ours'] / 1024:.1f} KB, "
        f"bare {memory['bare'] / 1024:.1f} KB"
    )
    ratio = percentile(ours_ms, 99) / percentile(bare_ms, 99)
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"p99 ratio ours / bare: {ratio:.2f} ({verdict} the target of <= {TARGET_RATIO})")
    result = {
        "benchmark": "fan_out",
        "clients": clients,
        "ours_p99_ms": round(percentile(ours_ms, 99), 1),
        "bare_p99_ms": round(percentile(bare_ms, 99), 1),
        "ratio": round(ratio, 2),
        "ours_kb_per_connection": round(memory["ours"] / 1024, 1),
        "bare_kb_per_connection": round(memory["bare"] / 1024, 1),
        "target": f"p99 ratio <= {TARGET_RATIO}",
        "met": ratio <= TARGET_RATIO,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0 if ratio <= TARGET_RATIO else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    return asyncio.run(run(args.clients, args.rounds, args.warmup))


if __name__ == "__main__":
    sys.exit(main())
