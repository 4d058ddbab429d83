"""The JSON API's list endpoints on a consultation with 10,000 comments, beside the HTML
page of the same comments, in the same run on the same server.

Seeds a fresh SQLite hub through the real services, starts `sharedspace serve` on a free
port and makes sequential GETs (one keep-alive connection, whole body read) as a visitor:

- the comments API, first page and a page deep in the thread (`limit=100`, by cursor),
  and a walk of every page (all 10,000 comments, 100 requests);
- the consultations and groups lists;
- the HTML comments page (`/consultations/<slug>/comments`, the whole thread).

Prints p50 and p99 in milliseconds. On a loaded machine, compare the rows with each
other, not with other runs.

    .venv/bin/python bench/api.py [--comments 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comments_common import make_hub, percentile, seed_thread, serve

from sharedspace.api.kit import encode_cursor


def timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    data = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {data[:200]!r}")
    return elapsed, data


def measure(conn: http.client.HTTPConnection, path: str, requests: int) -> tuple[list[float], int]:
    times: list[float] = []
    size = 0
    for n in range(requests + 5):
        elapsed, data = timed_get(conn, path)
        if n >= 5:  # the first few warm caches
            times.append(elapsed)
        size = len(data)
    return times, size


def walk(conn: http.client.HTTPConnection, slug: str) -> tuple[float, list[float], int]:
    """Every comment through the API, 100 at a time: total ms, per-page ms, comments read."""
    cursor, pages, seen = "", [], 0
    started = time.perf_counter()
    while True:
        path = f"/api/v1/consultations/{slug}/comments?limit=100" + (
            f"&cursor={cursor}" if cursor else ""
        )
        elapsed, data = timed_get(conn, path)
        body = json.loads(data)
        pages.append(elapsed)
        seen += len(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return (time.perf_counter() - started) * 1000, pages, seen


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    hub = make_hub(api_limit_per_ip=10**9)
    started = time.perf_counter()
    seed_thread(hub, args.comments)
    print(f"seeded {args.comments} comments in {time.perf_counter() - started:.1f} s")
    slug = hub.consultation.slug
    rows: dict[str, tuple[float, float, int]] = {}
    with serve(hub) as (url, log):
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        walk(conn, slug)  # warm the server
        deep_cursor = encode_cursor(9000)  # comment ids run from 1 in this fresh hub
        paths = [
            ("API comments, first 100", f"/api/v1/consultations/{slug}/comments?limit=100"),
            (
                "API comments, 100 after 9,000",
                f"/api/v1/consultations/{slug}/comments?limit=100&cursor={deep_cursor}",
            ),
            ("API consultations", "/api/v1/consultations"),
            ("API groups", "/api/v1/groups"),
        ]
        for label, path in paths:
            times, size = measure(conn, path, args.requests)
            rows[label] = (statistics.median(times), percentile(times, 99), size)
        html_times, html_size = measure(
            conn, f"/consultations/{slug}/comments", max(20, args.requests // 5)
        )
        rows["HTML comments page (whole thread)"] = (
            statistics.median(html_times),
            percentile(html_times, 99),
            html_size,
        )
        walks = [walk(conn, slug) for _ in range(5)]
        conn.close()
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
    totals = [w[0] for w in walks]
    rows[f"API all {walks[0][2]:,} comments (100 pages)"] = (
        statistics.median(totals),
        max(totals),
        0,
    )
    print(f"{'what':<40} {'p50 ms':>9} {'p99 ms':>9} {'KB':>8}")
    for label, (p50, p99, size) in rows.items():
        print(f"{label:<40} {p50:>9.1f} {p99:>9.1f} {size / 1024:>8.0f}")
    print(f"server errors in log: {len(errors)} (p99 of the walk row is the slowest of 5 walks)")
    page = rows["HTML comments page (whole thread)"][0]
    first = rows["API comments, first 100"][0]
    result = {
        "benchmark": "api",
        "comments": args.comments,
        "api_first_page_p50_ms": round(first, 1),
        "api_first_page_p99_ms": round(rows["API comments, first 100"][1], 1),
        "api_deep_page_p50_ms": round(rows["API comments, 100 after 9,000"][0], 1),
        "html_page_p50_ms": round(page, 1),
        "html_page_p99_ms": round(rows["HTML comments page (whole thread)"][1], 1),
        "api_walk_all_p50_ms": round(statistics.median(totals), 1),
        "server_errors": len(errors),
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
