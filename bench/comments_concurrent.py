"""16 people posting comments and replies at once over HTTP, on SQLite, until 1,000 are
accepted; then the stored thread is checked.

Each poster is a signed-in person with their own keep-alive connection, posting the
plain HTML form (with its CSRF token) either as a new comment or as a reply to a comment
someone has already posted. The per-person rate limit is raised for the run
(COMMENT_LIMIT_PER_PERSON). Afterwards: every accepted comment is stored, no 5xx, every
parent exists, depths and paths agree with the parents, and each change has its own seq.

    .venv/bin/python bench/comments_concurrent.py [--posters 16] [--total 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comments_common import make_hub, percentile, serve, session_cookie

from tests.factories import make_user

LOCATION = re.compile(r"#comment-(\d+)$")


class Tally:
    def __init__(self, total: int) -> None:
        self.total = total
        self.lock = threading.Lock()
        self.reserved = 0
        self.accepted: list[int] = []
        self.statuses: Counter[int] = Counter()
        self.failures: Counter[str] = Counter()
        self.latencies: list[float] = []

    def reserve(self) -> bool:
        with self.lock:
            if self.reserved >= self.total:
                return False
            self.reserved += 1
            return True

    def release(self) -> None:
        with self.lock:
            self.reserved -= 1

    def parent(self, rnd: random.Random) -> int | None:
        with self.lock:
            if not self.accepted or rnd.random() < 0.3:
                return None
            return rnd.choice(self.accepted[-50:])


def poster(url: str, slug: str, cookie: str, tally: Tally, seed: int) -> None:
    rnd = random.Random(seed)
    with httpx2.Client(
        base_url=url, cookies={"ss_session": cookie}, timeout=60, follow_redirects=False
    ) as client:
        page = client.get(f"/consultations/{slug}/comments")
        token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert token is not None
        while tally.reserve():
            parent = tally.parent(rnd)
            path = f"/consultations/{slug}/comments"
            if parent is not None:
                path += f"/{parent}/reply"
            start = time.perf_counter()
            try:
                response = client.post(
                    path,
                    data={
                        "csrf_token": token.group(1),
                        "comment": f"Point {rnd.randint(1, 10**6)} on **fabric** first.",
                    },
                )
            except httpx2.HTTPError as exc:
                tally.release()
                with tally.lock:
                    tally.failures[type(exc).__name__] += 1
                continue
            elapsed = (time.perf_counter() - start) * 1000
            match = LOCATION.search(response.headers.get("location", ""))
            with tally.lock:
                tally.statuses[response.status_code] += 1
                tally.latencies.append(elapsed)
                if response.status_code == 303 and match:
                    tally.accepted.append(int(match.group(1)))
                else:
                    tally.reserved -= 1


def check_tree(db_path: Path, consultation_id: int, accepted: list[int]) -> tuple[int, list[str]]:
    """(how many accepted comments are stored, what is wrong with the stored tree)."""
    problems: list[str] = []
    with sqlite3.connect(db_path) as conn:
        rows = {
            r[0]: r
            for r in conn.execute(
                "SELECT id, parent_id, path, depth, seq FROM comment WHERE consultation_id = ?",
                (consultation_id,),
            )
        }
        (current,) = conn.execute(
            "SELECT comment_seq FROM consultation WHERE id = ?", (consultation_id,)
        ).fetchone()
    missing = set(accepted) - set(rows)
    if missing:
        problems.append(f"{len(missing)} accepted comments not stored")
    if len(rows) != len(accepted):
        problems.append(f"{len(rows)} stored but {len(accepted)} accepted")
    for cid, parent_id, path, depth, _seq in rows.values():
        own = f"{cid:010d}"
        if parent_id is None:
            if path != own or depth != 0:
                problems.append(f"comment {cid}: bad root path/depth")
            continue
        parent = rows.get(parent_id)
        if parent is None:
            problems.append(f"comment {cid}: parent {parent_id} missing")
            continue
        expected = "/".join([*parent[2].split("/")[:5], own])
        if path != expected or depth != parent[3] + 1:
            problems.append(f"comment {cid}: path or depth inconsistent with its parent")
    seqs = sorted(r[4] for r in rows.values())
    if seqs != list(range(1, current + 1)):
        problems.append("seqs are not exactly 1..comment_seq")
    return len(set(accepted) & set(rows)), problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posters", type=int, default=16)
    parser.add_argument("--total", type=int, default=1000)
    args = parser.parse_args()

    hub = make_hub(comment_limit_per_person=10**9)
    people = [make_user(hub.rt, f"Poster {n}") for n in range(args.posters)]
    cookies = [session_cookie(hub, person) for person in people]
    consultation_id = hub.consultation.id or 0
    tally = Tally(args.total)
    with serve(hub) as (url, log):
        threads = [
            threading.Thread(target=poster, args=(url, hub.consultation.slug, cookie, tally, n))
            for n, cookie in enumerate(cookies)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        tracebacks = sum("Traceback" in line for line in log.read_text().splitlines())
    five_xx = sum(n for status, n in tally.statuses.items() if status >= 500)
    stored, problems = check_tree(hub.directory / "hub.db", consultation_id, tally.accepted)
    print(f"posters: {args.posters}, target accepted: {args.total}, SQLite, one uvicorn worker")
    print(
        f"accepted: {len(tally.accepted)}  stored: {stored}  5xx: {five_xx}  "
        f"statuses: {dict(tally.statuses)}  client errors: {dict(tally.failures)}"
    )
    print(
        f"time: {elapsed:.1f} s ({len(tally.accepted) / elapsed:.0f} comments/s); "
        f"POST latency median {percentile(tally.latencies, 50):.0f} ms, "
        f"p95 {percentile(tally.latencies, 95):.0f} ms, "
        f"p99 {percentile(tally.latencies, 99):.0f} ms"
    )
    print(
        f"tree integrity: {'ok' if not problems else problems[:10]}; "
        f"tracebacks in server log: {tracebacks}"
    )
    lost = len(tally.accepted) - stored
    result = {
        "benchmark": "comments",
        "posters": args.posters,
        "accepted": len(tally.accepted),
        "comments_per_s": round(len(tally.accepted) / elapsed, 1),
        "p99_ms": round(percentile(tally.latencies, 99), 1),
        "five_xx": five_xx,
        "lost": lost,
        "target": "5xx 0, lost 0",
        "met": five_xx == 0 and lost == 0 and not problems,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0 if not problems and five_xx == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
