"""The consultation page with 1,000 comments under load, against two ceilings in the
same run: an honest one that renders the page from the database on every request, and
a static copy of the same bytes.

Seeds a fresh SQLite hub through the real services, starts `sharedspace serve` (one
worker) and takes one copy of the page as a visitor sees it. Two bare Starlette + Jinja2
apps (uvicorn, same flags) then serve the same bytes:

- **honest ceiling**: reads the consultation and its comments (the same rows, same
  query, same SQLite file) on every request and renders the thread through a Jinja2
  template around the page's shell; it checks its page is byte for byte ours;
- **static copy**: the copy itself, from memory, through a Jinja2 template.

Ours is loaded as an anonymous visitor (served from the page cache while nothing is
written; workspace/pagecache.py) and signed in (the shell rendered per request around
the thread shared by every viewer; workspace/fragments.py). Each with `wrk` (16
connections) or, without wrk, a Python load generator at the same concurrency.

    .venv/bin/python bench/page.py [--comments 1000] [--connections 16] [--seconds 10]

Targets: visitor / static copy requests per second >= 0.5 (issue 7); signed in: median
at most 2x the visitor's, and at least 5x the honest ceiling's requests per second
(issue 19).
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

import page_cpu
from comments_common import (
    ROOT,
    free_port,
    make_hub,
    percentile,
    seed_thread,
    serve,
    session_cookie,
)
from markupsafe import escape

from workspace import auth

TARGET_RATIO = 0.5  # visitor / static copy, requests per second (issue 7)
TARGET_MEDIAN = 2.0  # signed in / visitor, median (issue 19)
TARGET_OVER_HONEST = 5.0  # signed in / honest ceiling, requests per second (issue 19)
PAGE_ENV = "BENCH_PAGE_HTML"
DB_ENV = "BENCH_PAGE_DB"
SLUG_ENV = "BENCH_PAGE_SLUG"
THREAD_OPEN = '<ol class="ss-thread" id="comment-thread" aria-label="Comments">'
THREAD_QUERY = (
    "SELECT id, path, html, state FROM comment "
    "WHERE consultation_id = ? AND state != 'pending' ORDER BY path"
)
ITEMS = (
    "{% macro items(nodes) %}{% for n in nodes %}"
    '<li class="ss-thread__item" id="item-{{ n.id }}">{{ n.html | safe }}'
    '{% if n.children %}<ol class="ss-thread__replies" id="replies-{{ n.id }}">'
    "{{ items(n.children) }}</ol>{% endif %}</li>{% endfor %}{% endmacro %}"
)


def bare_app() -> Any:
    """uvicorn factory: the static copy. Starlette, one route, one Jinja2 template
    holding the page's bytes."""
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


def _raw(text: str) -> str:
    return "{% raw %}" + text + "{% endraw %}"


def honest_template(html: str, title: str, seq: int, count: int, thread: str) -> str:
    """The page as a Jinja2 template: its shell verbatim, the figures that come from the
    database as expressions, and the thread as a recursive macro over the rows."""
    start = html.index(THREAD_OPEN) + len(THREAD_OPEN)
    assert html[start : start + len(thread)] == thread, "the thread is not where expected"
    shell, rest = html[:start], html[start + len(thread) :]
    holes = [
        ('<h1 class="govuk-heading-l">', str(escape(title)), "</h1>", "{{ title }}"),
        ('data-seq="', str(seq), '"', "{{ seq }}"),
        ('<p class="govuk-body">', str(count), " comments.", "{{ count }}"),
    ]
    out = [ITEMS]
    for left, value, right, expression in holes:
        before, found, after = shell.partition(left + value + right)
        assert found, f"not on the page: {left + value + right}"
        out.append(_raw(before + left) + expression)
        shell = right + after
    return "".join(out) + _raw(shell) + "{{ items(tree) }}" + _raw(rest)


def thread_tree(rows: list[tuple[int, str, str, str]]) -> list[dict[str, Any]]:
    """Rows in path order -> nested nodes; a row whose parent is absent is left out."""
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for comment_id, path, html, _state in rows:
        node = {"id": comment_id, "html": html, "children": []}
        parent_path, _, _own = path.rpartition("/")
        if not parent_path:
            roots.append(node)
        elif parent_path in nodes:
            nodes[parent_path]["children"].append(node)
        else:
            continue
        nodes[path] = node
    return roots


def honest_app() -> Any:
    """uvicorn factory: the honest ceiling. Starlette and Jinja2 reading the same rows
    from the same SQLite file on every request and rendering the same HTML."""
    import sqlite3

    from jinja2 import DictLoader, Environment
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import Route
    from starlette.templating import Jinja2Templates

    db = sqlite3.connect(os.environ[DB_ENV], check_same_thread=False)
    slug = os.environ[SLUG_ENV]

    def read() -> dict[str, Any]:
        cid, title, seq = db.execute(
            "SELECT id, title, comment_seq FROM consultation WHERE slug = ?", (slug,)
        ).fetchone()
        rows = db.execute(THREAD_QUERY, (cid,)).fetchall()
        count = sum(1 for r in rows if r[3] == "published")
        return {"title": title, "seq": seq, "count": count, "tree": thread_tree(rows)}

    first = read()
    html = Path(os.environ[PAGE_ENV]).read_text()
    env = Environment(autoescape=True)
    thread = str(env.from_string(ITEMS + "{{ items(tree) }}").render(tree=first["tree"]))
    source = honest_template(html, first["title"], first["seq"], first["count"], thread)
    templates = Jinja2Templates(
        env=Environment(loader=DictLoader({"page.html": source}), autoescape=True)
    )

    async def page(request: Request) -> Any:
        return templates.TemplateResponse(request, "page.html", read())

    return Starlette(routes=[Route("/", page)])


def start_bare(
    html: Path, log: Path, factory: str = "bare_app", extra: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", f"page:{factory}", "--factory"),
                *("--app-dir", str(Path(__file__).parent), "--port", str(port), "--proxy-headers"),
            ],
            env=os.environ | {PAGE_ENV: str(html)} | (extra or {}),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a loaded machine starts slowly
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
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
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
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--cpu-requests", type=int, default=100)
    args = parser.parse_args()
    load = run_wrk if shutil.which("wrk") else run_python
    generator = "wrk" if load is run_wrk else "Python (aiohttp) load generator"

    hub = make_hub()
    seed_thread(hub, args.comments)
    hub.rt.indexer.drain()  # index now: the server's indexer writing would empty the page cache
    path = f"/consultations/{hub.consultation.slug}"
    signed_in = f"{auth.SESSION_COOKIE}={session_cookie(hub, hub.world.users['public'])}"
    figures: dict[str, dict[str, float]] = {}
    with serve(hub) as (url, log):
        with urllib.request.urlopen(url + path) as response:
            html = response.read().decode()
        shown = len(re.findall(r'<article id="comment-\d+"', html))
        copy = hub.directory / "page.html"
        copy.write_text(html)
        db = {DB_ENV: str(hub.directory / "hub.db"), SLUG_ENV: hub.consultation.slug}
        bare, bare_url = start_bare(copy, hub.directory / "bare.log")
        honest, honest_url = start_bare(copy, hub.directory / "honest.log", "honest_app", db)
        try:
            same = {}
            for name, u in (("static", bare_url), ("honest", honest_url)):
                with urllib.request.urlopen(u + "/") as response:
                    same[name] = response.read().decode() == html
            figures["ours"] = load(url + path, args.connections, args.seconds)
            figures["signed_in"] = load(url + path, args.connections, args.seconds, signed_in)
            figures["honest"] = load(honest_url + "/", args.connections, args.seconds)
            figures["bare"] = load(bare_url + "/", args.connections, args.seconds)
        finally:
            for process in (bare, honest):
                process.terminate()
                process.wait(timeout=10)
        tracebacks = log.read_text().count("Traceback")
    cpu = page_cpu.measure(hub, args.cpu_requests)
    return report(args, figures, html, shown, same, tracebacks, generator, cpu)


def report(
    args: argparse.Namespace,
    figures: dict[str, dict[str, float]],
    html: str,
    shown: int,
    same: dict[str, bool],
    tracebacks: int,
    generator: str,
    cpu: dict[str, Any],
) -> int:
    ratio = figures["ours"]["rps"] / figures["bare"]["rps"]
    over_honest = figures["signed_in"]["rps"] / figures["honest"]["rps"]
    median_ratio = figures["signed_in"]["p50_ms"] / figures["ours"]["p50_ms"]
    print(
        f"Consultation page, {shown} comments shown, {len(html.encode()):,} bytes "
        f"(same bytes from the static copy: {same['static']}, from the honest ceiling: "
        f"{same['honest']}); {generator}, {args.connections} connections, "
        f"{args.seconds} s each, one uvicorn worker each"
    )
    print(f"{'':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    rows = (
        ("static copy (Starlette + Jinja2, no database)", "bare"),
        ("honest ceiling (renders from the database)", "honest"),
        ("ours, visitor (page cache)", "ours"),
        ("ours, signed in (shell per request)", "signed_in"),
    )
    for label, key in rows:
        f = figures[key]
        print(
            f"{label:<44}{f['rps']:>9.0f}{f['p50_ms']:>9.1f}{f['p99_ms']:>9.1f}{f['errors']:>8.0f}"
        )
    met = (
        ratio >= TARGET_RATIO
        and median_ratio <= TARGET_MEDIAN
        and over_honest >= TARGET_OVER_HONEST
        and all(same.values())
    )
    print(f"visitor / static copy, req/s: {ratio:.2f} (target >= {TARGET_RATIO})")
    print(f"signed in / visitor, median: {median_ratio:.2f} (target <= {TARGET_MEDIAN})")
    print(f"signed in / honest ceiling, req/s: {over_honest:.2f} (target >= {TARGET_OVER_HONEST})")
    over_static = figures["signed_in"]["rps"] / figures["bare"]["rps"]
    print(f"signed in / static copy, req/s: {over_static:.3f}")
    print(f"tracebacks in server log: {tracebacks}")
    result: dict[str, Any] = {"benchmark": "page", "comments": shown, "bytes": len(html.encode())}
    for key in ("ours", "signed_in", "honest", "bare"):
        for figure in ("rps", "p50_ms", "p99_ms"):
            result[f"{key}_{figure}"] = round(figures[key][figure], 2)
    result |= {
        "errors": sum(f["errors"] for f in figures.values()),
        "ratio": round(ratio, 3),
        "signed_in_median_over_visitor": round(median_ratio, 2),
        "signed_in_rps_over_honest": round(over_honest, 2),
        "same_bytes": all(same.values()),
        "tracebacks": tracebacks,
        **cpu,
        "target": f"visitor/static >= {TARGET_RATIO}; signed-in median <= {TARGET_MEDIAN}x "
        f"visitor; signed-in req/s >= {TARGET_OVER_HONEST}x honest",
        "met": met,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
