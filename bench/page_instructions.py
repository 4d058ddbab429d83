"""Instructions per request of the signed-in consultation page and of the honest ceiling,
counted by valgrind's callgrind: a figure this shared machine cannot move.

Wall-clock and even CPU time on a 2-core guest with other guests beside it move by a
fifth from one minute to the next. The number of instructions a request executes does
not: two runs of the same commit agree to a fraction of a percent, so a change of a few
per cent is seen for what it is. It is not time (an instruction that waits on memory
costs more than one that does not, and our request copies 1.5 MB the ceiling copies
too), so the targets are still judged by `bench/page_cpu.py` and `bench/page.py`.

Seeds a 1,000-comment hub, then runs itself under `valgrind --tool=callgrind` once per
client: after a warm-up it zeroes the counters (`callgrind_control -z`), makes
`--requests` requests in-process and dumps them (`-d`).

    .venv/bin/python bench/page_instructions.py [--requests 30]

Needs Debian's `valgrind`. Takes about six minutes (Python runs some fifty times slower
under callgrind, start-up included).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

CHILD_ENV = "BENCH_INSTRUCTIONS_HUB"
CLIENTS = ("signed_in", "honest")


def callgrind(args: list[str], requests: int) -> int:
    """Instructions executed between the child's zeroing and its dump."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
        command += [sys.executable, __file__, "--child", *args, "--requests", str(requests)]
        subprocess.run(command, check=True, capture_output=True)
        dumps = [p for p in Path(scratch).iterdir() if p.name != out.name]
        totals = [
            int(line.split()[1])
            for dump in dumps
            for line in dump.read_text().splitlines()
            if line.startswith(("totals:", "summary:"))
        ]
        return totals[0]


async def child(name: str, requests: int) -> None:
    from profile_pages import Client, lifespan

    from sharedspace.app import create_app
    from workspace import auth

    hub = json.loads(os.environ[CHILD_ENV])
    ours = create_app()
    started = await lifespan(ours)
    path = f"/consultations/{hub['slug']}"
    client = Client(ours)
    if name == "signed_in":
        client.cookies[auth.SESSION_COOKIE] = hub["cookie"]
    else:
        import page

        visitor = Client(ours)
        assert await visitor.request("GET", path) == 200
        copy = Path(hub["directory"]) / "instructions-copy.html"
        copy.write_bytes(visitor.body)
        os.environ.update({page.PAGE_ENV: str(copy), page.DB_ENV: hub["database"]})
        os.environ[page.SLUG_ENV] = hub["slug"]
        client, path = Client(page.honest_app()), "/"
    for _ in range(3):
        assert await client.request("GET", path) == 200
    control("-z")
    for _ in range(requests):
        await client.request("GET", path)
    control("-d")
    await started[0].put({"type": "lifespan.shutdown"})
    await started[1]


def control(flag: str) -> None:
    """Ask callgrind (which checks for commands while this process runs) to act now."""
    waiting = subprocess.Popen(
        ["callgrind_control", flag, str(os.getpid())],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while waiting.poll() is None:
        sum(range(1000))  # keep running, so that callgrind sees the command


def seed() -> dict[str, Any]:
    from comments_common import make_hub, seed_thread, session_cookie

    hub = make_hub(worker_embedded="0")
    seed_thread(hub, 1000)
    hub.rt.indexer.drain()
    return {
        "directory": str(hub.directory),
        "database": str(hub.directory / "hub.db"),
        "slug": hub.consultation.slug,
        "cookie": session_cookie(hub, hub.world.users["member"]),
        "env": {
            "DATABASE_URL": f"sqlite:///{hub.directory / 'hub.db'}",
            "DATA_DIR": str(hub.directory),
            "SECRET_KEY": "bench-secret-key",
            "WORKER_EMBEDDED": "0",
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--child", choices=CLIENTS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args.child, args.requests))
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind): nothing measured")
        return 0
    hub = seed()
    os.environ.update(hub["env"])
    os.environ[CHILD_ENV] = json.dumps(hub)
    found = {name: callgrind([name], args.requests) // args.requests for name in CLIENTS}
    ratio = found["honest"] / found["signed_in"]
    print("consultation page, 1,000 comments; instructions per request (callgrind)")
    for name, count in found.items():
        print(f"  {name:<12}{count:>14,}")
    print(f"honest ceiling / signed in, instructions: {ratio:.2f}")
    result = {
        "benchmark": "page_instructions",
        **{f"{name}_instructions": count for name, count in found.items()},
        "honest_over_signed_in_instructions": round(ratio, 2),
        "target": "none: a steady figure to compare commits by (targets: page_cpu, page)",
        "met": None,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
