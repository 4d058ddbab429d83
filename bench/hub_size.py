"""Does one consultation get slower as the rest of the hub grows? p50 and p99 of its page
(signed in), its change feed, its comments export and a search, at a small hub and again
after growing the hub around it, in the same run; and the database's size per 1,000
comments.

Seeds a fresh SQLite hub through the real services (the measured consultation, with
`--comments` threaded comments), measures, then grows the hub with bulk SQL to
`--scale` times 1,000 groups, 100,000 people, 2,000 consultations, 1,000,000 comments
and 100,000 responses (rows copied from ones the services made, so every column is as
the app writes it), and measures again. The measured consultation is the same at both
sizes. Sequential requests over one keep-alive connection to `sharedspace serve`.

    .venv/bin/python bench/hub_size.py [--scale 1.0] [--requests 100]
    make bench-large                     # the full size (not part of `make bench`)

The search index is not grown (the copied comments go into the database only: a
1,000,000-comment Whoosh build takes about half an hour here), so the search figure
says whether the query path grows with the database, not with the index.

Target (issue 19): the large hub within 1.25x the small hub's p99 for the same page.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Table, bindparam, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comments_common import Hub, make_hub, percentile, seed_thread, serve, session_cookie

from consultations.comments.models import Comment
from consultations.lifecycle.models import Consultation
from consultations.responses.models import Response
from taskgroups.groups.models import TaskGroup
from workspace.models import User

TARGET = 1.25
FULL = {"groups": 1000, "people": 100_000, "consultations": 2000, "comments": 1_000_000}
RESPONSES = 100_000
BATCH = 5000


def clone(hub: Hub, table: Table, template_id: int, rows: list[dict[str, Any]]) -> None:
    """Insert copies of one row, with the columns named in `rows` replaced."""
    if not rows:
        return
    replaced = set(rows[0])
    columns = [c.name for c in table.columns if c.name != "id" or "id" in replaced]
    chosen = [
        bindparam(name, type_=table.c[name].type) if name in replaced else table.c[name]
        for name in columns
    ]
    statement = insert(table).from_select(columns, select(*chosen).where(table.c.id == template_id))
    with hub.rt.db.engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            conn.execute(statement, rows[start : start + BATCH])


def grow(hub: Hub, scale: float) -> dict[str, int]:
    """Grow the hub around the measured consultation; returns what was added."""
    size = {k: max(1, int(v * scale)) for k, v in FULL.items()}
    world = hub.world
    with hub.rt.db.engine.connect() as conn:
        comment_id, comment_max = conn.execute(
            select(func.min(Comment.id), func.max(Comment.id))  # type: ignore[arg-type]
        ).one()
        user_max = conn.execute(select(func.max(User.id))).scalar_one()  # type: ignore[arg-type]
    groups_table = TaskGroup.__table__  # type: ignore[attr-defined]
    clone(
        hub,
        groups_table,
        world.other_group.id or 0,
        [{"name": f"Grown group {n}", "slug": f"grown-group-{n}"} for n in range(size["groups"])],
    )
    clone(
        hub,
        User.__table__,  # type: ignore[attr-defined]
        world.users["public"].id or 0,
        [
            {"email": f"grown{n}@hub-size.example", "display_name": f"Grown {n}"}
            for n in range(size["people"])
        ],
    )
    with hub.rt.db.engine.connect() as conn:
        group_ids = (
            conn.execute(
                select(TaskGroup.id).where(TaskGroup.slug.startswith("grown-group-"))  # type: ignore[attr-defined]
            )
            .scalars()
            .all()
        )
    clone(
        hub,
        Consultation.__table__,  # type: ignore[attr-defined]
        hub.consultation.id or 0,
        [
            {"slug": f"grown-consultation-{n}", "group_id": group_ids[n % len(group_ids)]}
            for n in range(size["consultations"])
        ],
    )
    with hub.rt.db.engine.connect() as conn:
        others = (
            conn.execute(
                select(Consultation.id).where(Consultation.slug.startswith("grown-consultation-"))  # type: ignore[attr-defined]
            )
            .scalars()
            .all()
        )
    comments = Comment.__table__  # type: ignore[attr-defined]
    before = database_bytes(hub)
    next_id = comment_max + 1
    for start in range(0, size["comments"], 50_000):
        rows = []
        for n in range(start, min(start + 50_000, size["comments"])):
            cid = next_id + n
            rows.append(
                {
                    "id": cid,
                    "consultation_id": others[n % len(others)],
                    "path": f"{cid:010d}",
                    "seq": n // len(others) + 1,
                }
            )
        clone(hub, comments, comment_id, rows)
    comment_bytes = database_bytes(hub) - before
    responses = max(1, int(RESPONSES * scale))
    with hub.rt.db.engine.begin() as conn:
        for start in range(0, responses, BATCH):
            conn.execute(
                insert(Response.__table__),  # type: ignore[attr-defined]
                [
                    {
                        "consultation_id": others[n % len(others)],
                        "user_id": user_max + 1 + n // len(others) % size["people"],
                        "sector": "individual",
                        "consent": "named",
                        "simhash": 0,
                        "fingerprint": "",
                        "on_behalf_of": "",
                        "submitted_at": hub.rt.clock(),
                        "updated_at": hub.rt.clock(),
                    }
                    for n in range(start, min(start + BATCH, responses))
                ],
            )
    return {**size, "responses": responses, "comment_bytes": comment_bytes}


def database_bytes(hub: Hub) -> int:
    with hub.rt.db.engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()
        free = conn.execute(text("PRAGMA freelist_count")).scalar_one()
        size = conn.execute(text("PRAGMA page_size")).scalar_one()
    return int((pages - free) * size)


def timed(url: str, path: str, requests: int, cookie: str) -> list[float]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    headers = {"Cookie": f"ss_session={cookie}"} if cookie else {}
    times = []
    for n in range(requests + 5):
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
        if n >= 5:
            times.append((time.perf_counter() - start) * 1000)
    conn.close()
    return times


def measure(hub: Hub, requests: int, cookie: str, comments: int) -> dict[str, dict[str, float]]:
    slug = hub.consultation.slug
    paths = {
        "page": f"/consultations/{slug}",
        "feed": f"/consultations/{slug}/comments?after={comments - 10}",
        "export": f"/consultations/{slug}/export/comments.csv",
        "search": "/search?q=fabric",
    }
    found = {}
    with serve(hub) as (url, _log):
        for kind, path in paths.items():
            values = timed(url, path, requests, cookie)
            found[kind] = {
                "p50_ms": round(statistics.median(values), 2),
                "p99_ms": round(percentile(values, 99), 2),
            }
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    hub = make_hub(worker_embedded="0")
    seed_thread(hub, args.comments)
    hub.rt.indexer.drain()
    cookie = session_cookie(hub, hub.world.users["member"])
    small = measure(hub, args.requests, cookie, args.comments)
    started = time.monotonic()
    added = grow(hub, args.scale)
    seeded_s = time.monotonic() - started
    large = measure(hub, args.requests, cookie, args.comments)
    per_thousand = added["comment_bytes"] / (added["comments"] / 1000)
    print(
        f"grew by {added['groups']:,} groups, {added['people']:,} people, "
        f"{added['consultations']:,} consultations, {added['comments']:,} comments, "
        f"{added['responses']:,} responses in {seeded_s:.0f} s; "
        f"database {database_bytes(hub) / 1e6:,.0f} MB, {per_thousand / 1e6:.2f} MB "
        "per 1,000 comments (fragments stored with them)"
    )
    print(f"{'':<10}{'small p50':>11}{'p99':>9}{'large p50':>11}{'p99':>9}{'p99 ratio':>11}")
    ratios = {}
    for kind in small:
        ratios[kind] = large[kind]["p99_ms"] / small[kind]["p99_ms"]
        print(
            f"{kind:<10}{small[kind]['p50_ms']:>11.1f}{small[kind]['p99_ms']:>9.1f}"
            f"{large[kind]['p50_ms']:>11.1f}{large[kind]['p99_ms']:>9.1f}{ratios[kind]:>11.2f}"
        )
    met = ratios["page"] <= TARGET
    result = {
        "benchmark": "hub_size",
        "scale": args.scale,
        "added": added,
        "small": small,
        "large": large,
        "p99_ratio": {k: round(v, 2) for k, v in ratios.items()},
        "mb_per_1000_comments": round(per_thousand / 1e6, 3),
        "target": f"page p99 large <= {TARGET}x small",
        "met": met,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
