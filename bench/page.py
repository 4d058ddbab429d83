"""The consultation page with 200 comments under load, against its ceiling in the same run:
a bare Starlette + Jinja2 app serving a page of the same bytes.

Seeds a fresh SQLite hub through the real services, starts `sharedspace serve` (one
worker), takes one copy of the page as a visitor sees it, and serves that copy from a
bare Starlette app rendering it through a Jinja2 template (uvicorn, same flags). Then
loads each in turn with `wrk` (16 connections, 15 s) — or, without wrk, with a Python
load generator at the same concurrency — and prints requests/s, p50, p99 and the ratio.
Ours is loaded twice: as an anonymous visitor (the many readers of a national
consultation, served from the page cache while nothing is written; see
workspace/pagecache.py) and signed in (rendered on every request), so both the figure
people get and the cost of rendering are on record.

    .venv/bin/python bench/page.py [--comments 200] [--connections 16] [--seconds 15]

Target (issue 7): ours / bare requests per second >= 0.5.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comments_common import (
    ROOT,
    free_port,
    make_hub,
    percentile,
    seed_thread,
    serve,
    session_cookie,
)

from workspace import auth

TARGET_RATIO = 0.5
PAGE_ENV = "BENCH_PAGE_HTML"


def bare_app() -> Any:
    """uvicorn factory: Starlette, one route, one Jinja2 template holding the page."""
    from jinja2 import DictLoader, Environment
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import Route
    from starlette.templating import Jinja2Templates

    html = Path(os.environ[PAGE_ENV]).read_text()
    env = Environment(
        loader=DictLoader({"page.html": "{% raw %}" + html + "{% endraw %}"}), autoescape=True
    )
    templates = Jinja2Templates(env=env)

    async def page(request: Request) -> Any:
        return templates.TemplateResponse(request, "page.html", {})

    return Starlette(routes=[Route("/", page)])


def start_bare(html: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "page:bare_app", "--factory"),
                *("--app-dir", str(Path(__file__).parent), "--port", str(port), "--proxy-headers"),
            ],
            env=os.environ | {PAGE_ENV: str(html)},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/", timeout=1):
                return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("bare server did not start:\n" + log.read_text()) from None
            time.sleep(0.2)


# -- load generators -----------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert match, text
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(url: str, connections: int, seconds: int, cookie: str = "") -> dict[str, float]:
    # One wrk thread: it is C and keeps up easily, leaving the second core to the server.
    extra = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    assert rps, out
    assert set(latency) == {"50", "99"}, out
    return {
        "rps": float(rps.group(1)),
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "errors": float(non_2xx.group(1) if non_2xx else 0) + (1 if errors else 0),
    }


def run_python(url: str, connections: int, seconds: int, cookie: str = "") -> dict[str, float]:
    """The same measurement without wrk: `connections` keep-alive clients in a loop."""
    import aiohttp

    async def measure() -> dict[str, float]:
        times: list[float] = []
        errors = 0
        stop = time.monotonic() + seconds

        async def one(session: aiohttp.ClientSession) -> None:
            nonlocal errors
            while time.monotonic() < stop:
                start = time.perf_counter()
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    errors += response.status != 200
                times.append((time.perf_counter() - start) * 1000)

        headers = {"Cookie": cookie} if cookie else {}
        connector = aiohttp.TCPConnector(limit=connections)
        async with aiohttp.ClientSession(connector=connector) as session:
            started = time.monotonic()
            await asyncio.gather(*(one(session) for _ in range(connections)))
            elapsed = time.monotonic() - started
        return {
            "rps": len(times) / elapsed,
            "p50_ms": percentile(times, 50),
            "p99_ms": percentile(times, 99),
            "errors": float(errors),
        }

    return asyncio.run(measure())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=200)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    load = run_wrk if shutil.which("wrk") else run_python
    generator = "wrk" if load is run_wrk else "Python (aiohttp) load generator"

    hub = make_hub()
    seed_thread(hub, args.comments)
    path = f"/consultations/{hub.consultation.slug}"
    # A signed-in reader is never served from the page cache: their figure is the cost of
    # rendering the page every time.
    signed_in = f"{auth.SESSION_COOKIE}={session_cookie(hub, hub.world.users['public'])}"
    figures: dict[str, dict[str, float]] = {}
    with serve(hub) as (url, log):
        with urllib.request.urlopen(url + path) as response:
            html = response.read().decode()
        shown = len(re.findall(r'<article id="comment-\d+"', html))
        copy = hub.directory / "page.html"
        copy.write_text(html)
        bare, bare_url = start_bare(copy, hub.directory / "bare.log")
        try:
            with urllib.request.urlopen(bare_url + "/") as response:
                bare_bytes = len(response.read())
            figures["ours"] = load(url + path, args.connections, args.seconds)
            figures["signed_in"] = load(url + path, args.connections, args.seconds, signed_in)
            figures["bare"] = load(bare_url + "/", args.connections, args.seconds)
        finally:
            bare.terminate()
            bare.wait(timeout=10)
        tracebacks = log.read_text().count("Traceback")
    ratio = figures["ours"]["rps"] / figures["bare"]["rps"]
    rendered_ratio = figures["signed_in"]["rps"] / figures["bare"]["rps"]
    print(
        f"Consultation page, {shown} comments shown, {len(html.encode()):,} bytes "
        f"(bare copy {bare_bytes:,} bytes); {generator}, {args.connections} connections, "
        f"{args.seconds} s each, one uvicorn worker each"
    )
    print(f"{'':<38}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    rows = (
        ("bare Starlette + Jinja2 (ceiling)", "bare"),
        ("ours, visitor", "ours"),
        ("ours, signed in (rendered each time)", "signed_in"),
    )
    for label, key in rows:
        f = figures[key]
        print(
            f"{label:<38}{f['rps']:>9.0f}{f['p50_ms']:>9.1f}{f['p99_ms']:>9.1f}{f['errors']:>8.0f}"
        )
    met = ratio >= TARGET_RATIO
    verdict = "meets" if met else "MISSES"
    print(f"ratio ours / bare: {ratio:.2f} ({verdict} the target of >= {TARGET_RATIO})")
    print(f"ratio signed in / bare: {rendered_ratio:.2f} (rendered on every request; no target)")
    print(f"tracebacks in server log: {tracebacks}")
    result = {
        "benchmark": "page",
        "ours_rps": round(figures["ours"]["rps"], 1),
        "ours_p50_ms": round(figures["ours"]["p50_ms"], 2),
        "ours_p99_ms": round(figures["ours"]["p99_ms"], 2),
        "bare_rps": round(figures["bare"]["rps"], 1),
        "bare_p50_ms": round(figures["bare"]["p50_ms"], 2),
        "bare_p99_ms": round(figures["bare"]["p99_ms"], 2),
        "signed_in_rps": round(figures["signed_in"]["rps"], 1),
        "signed_in_p50_ms": round(figures["signed_in"]["p50_ms"], 2),
        "signed_in_p99_ms": round(figures["signed_in"]["p99_ms"], 2),
        "signed_in_ratio": round(rendered_ratio, 3),
        "errors": figures["ours"]["errors"] + figures["signed_in"]["errors"],
        "ratio": round(ratio, 3),
        "target": f"ratio >= {TARGET_RATIO}",
        "met": met,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
