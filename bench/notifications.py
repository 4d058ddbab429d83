"""Notifications at scale: a consultation with 10,000 followers, and weekly digests for
10,000 people.

1. Posting. The real server (`sharedspace serve`, with `sharedspace worker` beside it,
   the several-process shape; then again with the worker embedded, the one-process
   default) on SQLite. One signed-in person posts comments over HTTP at a steady pace,
   first on a consultation nobody follows (the ceiling: the same app doing the same
   write with nothing to fan out), then on one 10,000 people follow. Figures: each
   p99, their ratio (target <= 1.2: the fan-out is off the request path), the seconds
   from a post's answer until all 10,000 notifications of it exist (target <= 10 s),
   and the worker's resident memory after each post (target: flat, within 15 %).
2. Weekly digests. 10,000 people with five weekly notifications each; the digest job,
   run in-process at the slot: seconds, then (a second run) peak memory (tracemalloc).

    .venv/bin/python bench/notifications.py [--followers 10000] [--posts 50]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comments_common import Hub, make_hub, percentile, serve, session_cookie
from sqlalchemy import func, insert, select

from consultations.lifecycle.models import Consultation
from tests.consultations.factories import Clock, make_consultation
from workspace.models import User
from workspace.notifications.models import EmailState, Follow, Notification

TARGET_RATIO = 1.2
TARGET_FANOUT_S = 10.0
TARGET_MEMORY_GROWTH = 0.15
CADENCE = 1.0  # seconds between posts


def add_people(hub: Hub, count: int, prefix: str) -> list[int]:
    """`count` accounts in bulk (seeding, not measured)."""
    password_hash = hub.rt.hasher.hash("not used")
    now = datetime.now(UTC)
    with hub.rt.db.write() as unit:
        unit.session.execute(
            insert(User),
            [
                {
                    "email": f"{prefix}{n}@example.org",
                    "display_name": f"Follower {n}",
                    "password_hash": password_hash,
                    "is_secretariat": False,
                    "is_active": True,
                    "created_at": now,
                }
                for n in range(count)
            ],
        )
        ids = unit.session.execute(
            select(User.id).where(User.email.startswith(prefix))  # type: ignore[union-attr]
        ).scalars()
        return list(ids)


def follow(hub: Hub, user_ids: list[int], consultation_id: int) -> None:
    earlier = datetime.now(UTC) - timedelta(days=1)
    with hub.rt.db.write() as unit:
        unit.session.execute(
            insert(Follow),
            [
                {
                    "user_id": uid,
                    "target_kind": "consultation",
                    "target_id": consultation_id,
                    "active": True,
                    "automatic": False,
                    "role": "",
                    "created_at": earlier,
                }
                for uid in user_ids
            ],
        )


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def notifications_for(hub: Hub, comment_id: int) -> int:
    with hub.rt.db.read() as session:
        return int(
            session.execute(
                select(func.count())
                .select_from(Notification)
                .where(Notification.key == f"comment:{comment_id}:new")
            ).scalar_one()
        )


def post_series(
    client: httpx2.Client, token: str, slug: str, posts: int, pace: float
) -> tuple[list[float], list[int]]:
    latencies, ids = [], []
    for n in range(posts):
        started = time.perf_counter()
        response = client.post(
            f"/consultations/{slug}/comments",
            data={"csrf_token": token, "comment": f"Point {n}: **fabric** first."},
        )
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 303, response.status_code
        found = re.search(r"#comment-(\d+)$", response.headers["location"])
        assert found is not None
        ids.append(int(found.group(1)))
        time.sleep(max(0.0, pace - latencies[-1] / 1000))
    return latencies, ids


def measure_posting(followers: int, posts: int, embedded: bool) -> dict[str, float]:
    hub = make_hub(
        worker_embedded="true" if embedded else "false",
        worker_poll_seconds="0.05",
        comment_limit_per_person=10**9,
    )
    quiet = hub.consultation
    busy: Consultation = make_consultation(hub.rt, hub.world, title="Zero carbon homes: followed")
    follow(hub, add_people(hub, followers, "follower"), busy.id or 0)
    cookie = session_cookie(hub, hub.world.users["public"])
    hub.rt.worker.run_pending()
    worker = None
    if not embedded:
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "sharedspace"), "worker", "--threads", "2"],
            env=os.environ | hub.env | {"WORKER_POLL_SECONDS": "0.05", "LOG_LEVEL": "WARNING"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
    try:
        with (
            serve(hub) as (url, _log),
            httpx2.Client(
                base_url=url, cookies={"ss_session": cookie}, timeout=60, follow_redirects=False
            ) as client,
        ):
            page = client.get(f"/consultations/{quiet.slug}")
            token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
            assert token is not None
            post_series(client, token.group(1), quiet.slug, 5, 0.1)  # warm up
            quiet_ms, _ = post_series(client, token.group(1), quiet.slug, posts, CADENCE)
            pid = worker.pid if worker else _server_pid(url)
            memory: list[int] = []
            busy_ms: list[float] = []
            waits: list[float] = []
            for _n in range(posts):
                started = time.monotonic()
                latency, (comment_id,) = post_series(client, token.group(1), busy.slug, 1, 0)
                answered = time.monotonic()
                busy_ms += latency
                while notifications_for(hub, comment_id) < followers:
                    if time.monotonic() - answered > 60:
                        raise RuntimeError("fan-out did not finish in 60 s")
                    time.sleep(0.1)
                waits.append(time.monotonic() - answered)
                memory.append(rss_kb(pid))
                # The same pace as the quiet posts: one a second, while fan-outs run.
                time.sleep(max(0.0, CADENCE - (time.monotonic() - started)))
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=20)
    settled = memory[len(memory) // 4 :]  # after the first posts have warmed caches
    return {
        "quiet_p99_ms": percentile(quiet_ms, 99),
        "busy_p99_ms": percentile(busy_ms, 99),
        "quiet_p50_ms": percentile(quiet_ms, 50),
        "busy_p50_ms": percentile(busy_ms, 50),
        "fanout_max_s": max(waits),
        "fanout_p50_s": percentile(waits, 50),
        "worker_rss_first_mb": settled[0] / 1024,
        "worker_rss_last_mb": settled[-1] / 1024,
        "worker_rss_growth": (max(settled) - settled[0]) / settled[0],
    }


def _server_pid(url: str) -> int:
    port = url.rsplit(":", 1)[1]
    out = subprocess.run(["ss", "-ltnp", f"sport = :{port}"], capture_output=True, text=True)
    found = re.search(r"pid=(\d+)", out.stdout)
    assert found is not None, out.stdout
    return int(found.group(1))


def measure_digests(people: int, per_person: int, traced: bool) -> dict[str, float]:
    """One run of the digest job over `people`: seconds, or (traced) peak Python memory,
    which tracemalloc slows down too much to time in the same run."""
    hub = make_hub()
    ids = add_people(hub, people, "reader")
    created = datetime(2016, 7, 6, 9, 0, tzinfo=UTC)
    with hub.rt.db.write() as unit:
        unit.session.execute(
            insert(Notification),
            [
                {
                    "user_id": uid,
                    "kind": "definition_progress",
                    "key": f"bench:{n}",
                    "title": f"Revision {n} of Zero carbon homes was proposed for agreement",
                    "summary": "",
                    "reason": "You follow the task group Zero carbon homes definition",
                    "url": "/groups/zero-carbon-homes-definition/definitions/zero-carbon-homes",
                    "created_at": created,
                    "email_state": EmailState.WEEKLY,
                }
                for uid in ids
                for n in range(per_person)
            ],
        )
    hub.rt.clock = Clock(datetime(2016, 7, 11, 7, 5, tzinfo=UTC))  # Monday 08:05 in London
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    sent = hub.rt.notifications.digests.send_due()
    seconds = time.perf_counter() - started
    assert sent == people, sent
    if not traced:
        return {"digest_seconds": seconds, "digests": sent}
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"digest_peak_mb": peak / 2**20}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--digest-people", type=int, default=10_000)
    args = parser.parse_args()

    results: dict[str, object] = {"benchmark": "notifications", "followers": args.followers}
    for shape, embedded in (("separate", False), ("embedded", True)):
        figures = measure_posting(args.followers, args.posts, embedded)
        ratio = figures["busy_p99_ms"] / figures["quiet_p99_ms"]
        print(
            f"[{shape} worker] post p99: {figures['busy_p99_ms']:.1f} ms with "
            f"{args.followers:,} followers, {figures['quiet_p99_ms']:.1f} ms with none "
            f"(ratio {ratio:.2f}); p50 {figures['busy_p50_ms']:.1f} / "
            f"{figures['quiet_p50_ms']:.1f} ms"
        )
        print(
            f"[{shape} worker] all {args.followers:,} notifications exist "
            f"{figures['fanout_p50_s']:.2f} s after the post (median), "
            f"{figures['fanout_max_s']:.2f} s at most"
        )
        print(
            f"[{shape} worker] worker memory {figures['worker_rss_first_mb']:.0f} MB -> "
            f"{figures['worker_rss_last_mb']:.0f} MB (growth {figures['worker_rss_growth']:.1%})"
        )
        results |= {f"{shape}_{k}": round(v, 3) for k, v in figures.items()}
        results[f"{shape}_ratio"] = round(ratio, 3)

    digests = measure_digests(args.digest_people, 5, traced=False)
    digests |= measure_digests(args.digest_people, 5, traced=True)
    print(
        f"weekly digests for {digests['digests']:,} people (5 items each): "
        f"{digests['digest_seconds']:.1f} s, peak {digests['digest_peak_mb']:.1f} MB"
    )
    results |= {k: round(v, 3) for k, v in digests.items()}
    met = (
        results["separate_ratio"] <= TARGET_RATIO  # type: ignore[operator]
        and results["separate_fanout_max_s"] <= TARGET_FANOUT_S  # type: ignore[operator]
        and results["separate_worker_rss_growth"] <= TARGET_MEMORY_GROWTH  # type: ignore[operator]
    )
    results["target"] = (
        f"separate worker: p99 ratio <= {TARGET_RATIO}, fan-out <= {TARGET_FANOUT_S:.0f} s, "
        f"memory growth <= {TARGET_MEMORY_GROWTH:.0%}"
    )
    results["met"] = met
    print("RESULT " + json.dumps(results), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
