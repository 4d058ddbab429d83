"""Where a request's time goes: cProfile over the pages of a mixed workload, in-process.

Seeds a fresh SQLite hub (one consultation with `--comments` threaded comments), then
drives the real app's ASGI callable on this thread's event loop (no network, no load
generator, no thread hand-off, so cProfile sees our code) with a mixed workload: the
consultation page signed in and as a visitor, the change feed, search, the group,
timeline and dashboard pages, and a comment every fourth round. Prints the top functions
by cumulative and by own time, and the mean time per request of each kind.

    .venv/bin/python bench/profile_pages.py [--comments 1000] [--rounds 40] [--top 25]

No target: the figures go into docs/performance.md ("Where the time goes").
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comments_common import make_hub, seed_thread, session_cookie

from sharedspace.app import create_app
from workspace import auth


class Client:
    """Just enough of a browser to drive the ASGI app: a cookie jar and the CSRF token."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str, form: dict[str, str] | None = None) -> int:
        body = urlencode(form or {}).encode()
        path, _, query = path.partition("?")
        headers = [(b"host", b"testserver"), (b"cookie", self._cookie_header())]
        if form is not None:
            headers.append((b"content-type", b"application/x-www-form-urlencoded"))
            headers.append((b"content-length", str(len(body)).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "root_path": "",
            "state": {},
        }
        sent = False
        status = 0
        self.body = b""

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message["headers"]:
                    if name.lower() == b"set-cookie":
                        pair = value.decode().split(";", 1)[0]
                        key, _, val = pair.partition("=")
                        self.cookies[key.strip()] = val.strip().strip('"')
            elif message["type"] == "http.response.body":
                self.body += message.get("body", b"")

        await self.app(scope, receive, send)
        return status

    def _cookie_header(self) -> bytes:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v).encode()

    def csrf_token(self) -> str:
        match = re.search(rb'name="csrf-token" content="([^"]+)"', self.body)
        assert match, "no CSRF token on the last page"
        return match.group(1).decode()


async def lifespan(app: Any) -> tuple[asyncio.Queue[dict[str, Any]], asyncio.Task[Any]]:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    started = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()

    await queue.put({"type": "lifespan.startup"})
    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, queue.get, send)
    )
    await started.wait()
    return queue, task


async def run(args: argparse.Namespace, hub: Any, app: Any) -> dict[str, list[float]]:
    slug = hub.consultation.slug
    group = hub.world.group.slug
    paths = {
        "consultation, signed in": f"/consultations/{slug}",
        "consultation, visitor": f"/consultations/{slug}",
        "comment feed": f"/consultations/{slug}/comments?after={args.comments - 5}",
        "search": "/search?q=fabric+energy",
        "group": f"/groups/{group}",
        "timeline": "/timeline",
        "dashboard": "/dashboard",
    }
    queue, task = await lifespan(app)
    visitor, member = Client(app), Client(app)
    member.cookies[auth.SESSION_COOKIE] = session_cookie(hub, hub.world.users["member"])
    for kind, path in paths.items():  # warm up: templates compiled, caches filled
        await (visitor if kind.endswith("visitor") else member).request("GET", path)
    timings: dict[str, list[float]] = defaultdict(list)
    for n in range(args.rounds):
        for kind, path in paths.items():
            client = visitor if kind.endswith("visitor") else member
            profiled = args.only in (None, kind)
            start = time.perf_counter()
            if profiled:
                PROFILE.enable()
            status = await client.request("GET", path)
            if profiled:
                PROFILE.disable()
            timings[kind].append((time.perf_counter() - start) * 1000)
            assert status == 200, (path, status)
        if n % 4 == 0:
            await member.request("GET", f"/consultations/{slug}")
            form = {"csrf_token": member.csrf_token(), "comment": f"Profiled comment {n}."}
            profiled = args.only in (None, "post a comment")
            start = time.perf_counter()
            if profiled:
                PROFILE.enable()
            status = await member.request("POST", f"/consultations/{slug}/comments", form)
            if profiled:
                PROFILE.disable()
            timings["post a comment"].append((time.perf_counter() - start) * 1000)
            assert status in (200, 303), status
    await queue.put({"type": "lifespan.shutdown"})
    await task
    return timings


PROFILE = cProfile.Profile()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--only", help='profile one kind of request, e.g. "consultation, signed in"'
    )
    args = parser.parse_args()

    hub = make_hub(worker_embedded="0")
    seed_thread(hub, args.comments)
    hub.rt.indexer.drain()
    app = create_app(hub.rt.settings)
    timings = asyncio.run(run(args, hub, app))
    out = io.StringIO()
    stats = pstats.Stats(PROFILE, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    print(f"{'request':<28}{'n':>5}{'mean ms':>10}")
    means = {}
    for kind, values in timings.items():
        means[kind] = round(sum(values) / len(values), 2)
        print(f"{kind:<28}{len(values):>5}{means[kind]:>10.2f}")
    print("RESULT " + json.dumps({"benchmark": "profile_pages", "mean_ms": means}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
