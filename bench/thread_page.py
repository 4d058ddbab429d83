"""The comment thread page of a large consultation, in-process: time and size per request.

Seeds a SQLite hub with one consultation of `--comments` threaded comments (through the
comment service, which takes minutes for 10,000 on a busy machine; `--hub DIR` keeps the
hub there and reuses it on the next run, so that two versions of the code can be measured
on the same rows), then drives the real app's ASGI callable on this thread (no network)
and reports the median and p99 wall time and the size of `/consultations/<slug>/comments`
as a visitor and signed in: the first page, the last page, and `?comment=<id>` (the
redirect to the page holding a comment).

    .venv/bin/python bench/thread_page.py [--comments 10000] [--requests 20] [--hub DIR]

No target: the figures go into docs/performance.md (issue 19, the thread page).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comments_common import make_hub, seed_thread
from profile_pages import Client, lifespan
from sqlmodel import select

from consultations.lifecycle.models import Consultation
from sharedspace.app import build_runtime, create_app
from workspace import auth
from workspace.models import User
from workspace.settings import Settings


def prepare(comments: int, keep: Path | None) -> tuple[Settings, str, int]:
    """The hub's settings, the consultation's slug and a signed-in person's user id."""
    if keep is not None and (keep / "hub.json").exists():
        found = json.loads((keep / "hub.json").read_text())
        return Settings.from_env(found["env"]), found["slug"], found["user_id"]
    hub = make_hub(worker_embedded="0")
    started = time.perf_counter()
    seed_thread(hub, comments)
    print(f"seeded {comments} comments in {time.perf_counter() - started:.0f} s", flush=True)
    slug, user_id = hub.consultation.slug, hub.world.users["member"].id or 0
    if keep is not None:  # the hub stays in its own directory; `keep` says where
        keep.mkdir(parents=True, exist_ok=True)
        found = {"env": hub.env, "slug": slug, "user_id": user_id}
        (keep / "hub.json").write_text(json.dumps(found))
    return hub.rt.settings, slug, user_id


def cookie_for(settings: Settings, user_id: int) -> str:
    rt = build_runtime(settings)
    with rt.db.write() as unit:
        assert unit.session.get(User, user_id) is not None
        return auth.start_session(unit, user_id, 1, "bench")


def some_comment(settings: Settings, slug: str) -> int:
    """A comment from near the end of the thread (its page is the last or near it)."""
    from consultations.comments.models import Comment

    rt = build_runtime(settings)
    with rt.db.read() as session:
        cid = session.exec(select(Consultation.id).where(Consultation.slug == slug)).one()
        ids = session.exec(select(Comment.id).where(Comment.consultation_id == cid)).all()
    known = sorted(i for i in ids if i is not None)
    return known[-len(known) // 10]


async def timed(client: Client, path: str, requests: int) -> dict[str, Any]:
    status = await client.request("GET", path)  # warm: templates, shared pieces
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        status = await client.request("GET", path)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "status": status,
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1),
        "bytes": len(client.body),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    settings, slug, user_id = prepare(args.comments, args.hub)
    app = create_app(settings)
    comment_id = some_comment(settings, slug)
    queue, task = await lifespan(app)
    visitor, member = Client(app), Client(app)
    member.cookies[auth.SESSION_COOKIE] = cookie_for(settings, user_id)
    base = f"/consultations/{slug}/comments"
    found: dict[str, Any] = {}
    for who, client in (("visitor", visitor), ("signed in", member)):
        for name, path in (("first page", base), ("page 20", f"{base}?page=20")):
            found[f"{who}, {name}"] = await timed(client, path, args.requests)
    found["comment link"] = await timed(visitor, f"{base}?comment={comment_id}", args.requests)
    await queue.put({"type": "lifespan.shutdown"})
    await task
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--hub", type=Path, help="keep the seeded hub here and reuse it")
    args = parser.parse_args()
    found = asyncio.run(run(args))
    print(f"{'request':<28}{'status':>7}{'p50 ms':>9}{'p99 ms':>9}{'bytes':>12}")
    for name, row in found.items():
        print(
            f"{name:<28}{row['status']:>7}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
            f"{row['bytes']:>12,}"
        )
    result = {"benchmark": "thread_page", "comments": args.comments, "requests": found}
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
