"""A consultation with 1,000 threaded comments, rendered by the real server.

Seeds a fresh SQLite hub through the real services, starts `sharedspace serve` on a free
port and makes sequential GETs (one keep-alive connection, whole body read) of the
consultation page and of its comments page, as a visitor and as a signed-in member.
Prints median and p95 in milliseconds, and checks every comment is on the page.

    .venv/bin/python bench/comments_render.py [--comments 1000] [--requests 200]

Target (issue 4): 40 ms median or less for the consultation page.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comments_common import make_hub, percentile, seed_thread, serve, session_cookie

TARGET_MS = 40.0


def measure(url: str, path: str, requests: int, cookie: str = "") -> tuple[list[float], str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    headers = {"Cookie": f"ss_session={cookie}"} if cookie else {}
    times: list[float] = []
    body = ""
    for n in range(requests + 10):
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}")
        if n >= 10:  # the first few warm caches
            times.append(elapsed)
        body = data.decode()
    conn.close()
    return times, body


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    hub = make_hub()
    started = time.perf_counter()
    seed_thread(hub, args.comments)
    print(
        f"seeded {args.comments} comments in {time.perf_counter() - started:.1f} s "
        f"(posted through the service, one transaction each)"
    )
    member = session_cookie(hub, hub.world.users["member"])
    slug = hub.consultation.slug
    pages = [
        ("consultation page", f"/consultations/{slug}"),
        ("comments page", f"/consultations/{slug}/comments"),
    ]
    print(f"{'page':<20} {'viewer':<9} {'median ms':>10} {'p95 ms':>8} {'KB':>6} {'comments':>9}")
    results = {}
    with serve(hub) as (url, log):
        for label, path in pages:
            for viewer, cookie in (("visitor", ""), ("member", member)):
                times, body = measure(url, path, args.requests, cookie)
                shown = len(re.findall(r'<article id="comment-\d+"', body))
                median, p95 = statistics.median(times), percentile(times, 95)
                results[(label, viewer)] = (median, shown)
                print(
                    f"{label:<20} {viewer:<9} {median:>10.1f} {p95:>8.1f} "
                    f"{len(body.encode()) / 1024:>6.0f} {shown:>9}"
                )
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
    median, shown = results[("consultation page", "visitor")]
    if shown < args.comments:
        print(
            f"note: the consultation page shows {shown} of {args.comments} comments; "
            "the comments page is the thread's own page"
        )
    print(
        f"target: consultation page median <= {TARGET_MS:.0f} ms; "
        f"server errors in log: {len(errors)}"
    )
    result = {
        "benchmark": "comments_render",
        "comments": args.comments,
        "page_median_ms": round(median, 1),
        "comments_shown": shown,
        "server_errors": len(errors),
        "target": f"consultation page median <= {TARGET_MS:.0f} ms",
        "met": median <= TARGET_MS and not errors,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
