"""The mixed workload on one machine's shapes, each run as `sharedspace serve`: 1 worker
on SQLite with the background worker inside it (the default), the same with the
background work in a `sharedspace worker` process of its own (`WORKER_EMBEDDED=false`,
docs/deployment.md), and 2 workers on PostgreSQL + Redis.

50 simulated people, each signed in with a keep-alive connection of their own, loop
without pause for 60 s over: the consultation page (50 %), the comment change feed
(30 %) and posting a comment through the HTML form with its CSRF token (20 %); and,
when the server answers `/search` (issue 6), a search (taking 10 % from the page).
Prints requests/s, p50 and p99 per shape, and errors (5xx, refused connections,
unexpected statuses), which must be 0. The load generator shares the machine's cores
with the servers.

    .venv/bin/python bench/scale_out.py [--users 50] [--seconds 60] [--comments 100]

PostgreSQL: BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/
sharedspace_bench; dropped and created anew), Redis: BENCH_REDIS_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comments_common import ROOT, Hub, free_port, make_hub, percentile, seed_thread, session_cookie

from tests.factories import make_user

PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/sharedspace_bench"
)
SHAPE_KEYS = ("1w_sqlite", "1w_sqlite_queue_apart", "2w_postgres")  # in the RESULT line
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TERMS = ["carbon", "fabric", "heat loss", "viability", '"on-site generation"']


def fresh_postgres(url: str) -> None:
    base = make_url(url)
    admin = base.set(drivername="postgresql", database="postgres")
    with psycopg.connect(
        admin.render_as_string(hide_password=False), autocommit=True, connect_timeout=3
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{base.database}"')


@contextmanager
def serve(hub: Hub, workers: int, queue_apart: bool = False) -> Iterator[tuple[str, Path]]:
    """`sharedspace serve`; with `queue_apart`, the background work (notifications, mail,
    indexing) in a `sharedspace worker` process of its own instead of a thread of each
    server process (docs/deployment.md), so it never holds a serving process's GIL."""
    hub.rt.db.dispose()
    port = free_port()
    env = os.environ | hub.env | {"BASE_URL": f"http://127.0.0.1:{port}"}
    if queue_apart:
        env["WORKER_EMBEDDED"] = "false"
    log = hub.directory / f"server-{workers}.log"
    program = str(Path(sys.executable).parent / "sharedspace")
    command = [program, "serve", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        queue = (
            subprocess.Popen(
                [program, "worker"], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
            )
            if queue_apart
            else None
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(log.read_text())
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start:\n" + log.read_text()) from None
                time.sleep(0.2)
        time.sleep(1 if workers > 1 else 0)  # let every worker finish starting
        yield url, log
    finally:
        for running in (process, queue):
            if running is not None:
                running.terminate()
                running.wait(timeout=20)


class Tally:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.statuses: Counter[str] = Counter()
        self.errors = 0

    def record(self, kind: str, status: int, expected: int, ms: float) -> None:
        self.latencies.setdefault(kind, []).append(ms)
        self.statuses[f"{kind} {status}"] += 1
        if status != expected:
            self.errors += 1


def serves_search(url: str) -> bool:
    """Search joins the mix once the server has it (issue 6): probed, not assumed."""
    try:
        with urllib.request.urlopen(url + "/search?q=carbon", timeout=10) as response:
            return bool(response.status == 200)
    except OSError:
        return False


async def person(
    url: str, slug: str, cookie: str, stop: float, tally: Tally, seed: int, search: bool
) -> None:
    rnd = random.Random(seed)
    page = f"{url}/consultations/{slug}"
    async with aiohttp.ClientSession(
        cookies={"ss_session": cookie}, cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as http:
        async with http.get(page) as response:
            token = re.search(r'name="csrf-token" content="([^"]+)"', await response.text())
        assert token is not None, "no CSRF token on the page"
        while time.monotonic() < stop:
            roll = rnd.random()
            start = time.perf_counter()
            try:
                if roll < 0.2:
                    form = {"csrf_token": token.group(1), "comment": f"Point {seed}-{start}."}
                    async with http.post(f"{page}/comments", data=form, allow_redirects=False) as r:
                        await r.read()
                    kind, status, expected = "comment", r.status, 303
                elif roll < 0.5:
                    async with http.get(f"{page}/comments?after=0") as r:
                        await r.read()
                    kind, status, expected = "feed", r.status, 200
                elif search and roll < 0.6:
                    params = {"q": rnd.choice(TERMS)}
                    async with http.get(f"{url}/search", params=params) as r:
                        await r.read()
                    kind, status, expected = "search", r.status, 200
                else:
                    async with http.get(page) as r:
                        await r.read()
                    kind, status, expected = "page", r.status, 200
            except aiohttp.ClientError:
                tally.errors += 1
                continue
            tally.record(kind, status, expected, (time.perf_counter() - start) * 1000)


async def load(
    url: str, slug: str, cookies: list[str], seconds: int, search: bool
) -> tuple[Tally, float]:
    tally = Tally()
    started = time.monotonic()
    stop = started + seconds
    await asyncio.gather(
        *(person(url, slug, cookie, stop, tally, n, search) for n, cookie in enumerate(cookies))
    )
    return tally, time.monotonic() - started


def shape(
    label: str, hub: Hub, workers: int, args: argparse.Namespace, queue_apart: bool = False
) -> dict[str, Any]:
    seed_thread(hub, args.comments)
    people = [make_user(hub.rt, f"Person {n}") for n in range(args.users)]
    cookies = [session_cookie(hub, p) for p in people]
    with serve(hub, workers, queue_apart) as (url, log):
        search = serves_search(url)
        slug = hub.consultation.slug
        tally, elapsed = asyncio.run(load(url, slug, cookies, args.seconds, search))
        tracebacks = log.read_text().count("Traceback")
    every = [ms for values in tally.latencies.values() for ms in values]
    row = {
        "shape": label,
        "rps": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 50), 1),
        "p99_ms": round(percentile(every, 99), 1),
        "errors": tally.errors,
        "search": search,
        "tracebacks": tracebacks,
        "by_kind": {
            kind: {"count": len(v), "p99_ms": round(percentile(v, 99), 1)}
            for kind, v in sorted(tally.latencies.items())
        },
    }
    print(
        f"{label:<30}{row['rps']:>9.0f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
        f"{row['errors']:>8}   "
        + ", ".join(f"{k} {v['count']} (p99 {v['p99_ms']:.0f})" for k, v in row["by_kind"].items()),
        flush=True,
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--comments", type=int, default=100, help="comments seeded first")
    args = parser.parse_args()
    limits = {"comment_limit_per_person": 10**9}
    print(f"{args.users} people, {args.seconds} s per shape, no think time")
    print(f"{'':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}   requests by kind")
    rows = [shape("1 worker, SQLite", make_hub(**limits), 1, args)]
    apart = make_hub(redis_url=REDIS_URL, **limits)
    rows.append(shape("1 worker, SQLite, queue apart", apart, 1, args, queue_apart=True))
    fresh_postgres(PG_URL)
    hub = make_hub(database_url=PG_URL, redis_url=REDIS_URL, **limits)
    rows.append(shape("2 workers, PostgreSQL + Redis", hub, 2, args))
    errors = sum(r["errors"] + r["tracebacks"] for r in rows)
    print(f"errors: {errors} (target 0)")
    result = {
        "benchmark": "scale_out",
        "users": args.users,
        "seconds": args.seconds,
        **{
            f"{key}_{short}": r[key]
            for r, short in zip(rows, SHAPE_KEYS, strict=True)
            for key in ("rps", "p99_ms", "errors", "tracebacks", "search")
        },
        "shapes": rows,
        "target": "errors 0",
        "met": errors == 0,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
