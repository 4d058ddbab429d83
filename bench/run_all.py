"""Run every benchmark in bench/ in turn, show what each prints, and keep their figures.

    make bench                     # all of them
    .venv/bin/python bench/run_all.py comments_render live_delivery   # some

A benchmark is any script here with a `__main__` block; each ends by printing one or
more `RESULT {json}` lines (its figures, its target and whether it met it). Those are
collected into bench/results/latest.json and a markdown table, bench/results/latest.md,
which docs/performance.md quotes.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
# Known ones first, in this order; any other script found in bench/ runs after them.
BENCHMARKS = [
    "page",  # 1,000-comment page: visitor, signed in, honest ceiling, static copy; CPU in-process
    "comments_render",  # 1,000-comment consultation page, median over HTTP (target <= 40 ms)
    "comments_concurrent",  # 16 posters x 1,000 comments on SQLite: stored, zero 5xx
    "live_delivery",  # 1,000 Socket.IO clients: p99 vs a bare broadcast (target <= 1.5x)
    "consultation_export",  # 50,000 responses streamed: rows/s and bounded memory
    "scale_out",  # 50 people, 60 s: 1 worker SQLite (worker inside, then apart), 2 on PG
    "search",  # 100,000 comments: HTTP p99 rare < 100 ms, frequent < 250 ms; FTS5 beside
    "uploads",  # a 25 MB file up and down: MB/s vs a bare Starlette app, server peak RSS
    "notifications",  # 10,000 followers: post p99 vs none, fan-out <= 10 s; 10,000 digests
]
MARKER = "RESULT "
# Run only when named: too long for `make bench` (see the Makefile's own targets for them).
ON_REQUEST = {
    "profile_pages",
    "hub_size",
    "open_loop",
    "page_cpu",
    "page_instructions",
    "api",
    "thread_page",
}


def discover() -> list[str]:
    scripts = sorted(
        path.stem
        for path in HERE.glob("*.py")
        if path.stem != "run_all"
        and path.stem not in ON_REQUEST
        and 'if __name__ == "__main__"' in path.read_text()
    )
    return [n for n in BENCHMARKS if n in scripts] + [n for n in scripts if n not in BENCHMARKS]


def run_one(name: str) -> dict[str, Any]:
    """Run one script, echoing its output as it comes, and collect its RESULT lines."""
    started = time.monotonic()
    results: list[dict[str, Any]] = []
    process = subprocess.Popen(
        [sys.executable, "-u", str(HERE / f"{name}.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    for line in process.stdout:
        print(line, end="", flush=True)
        if line.startswith(MARKER):
            try:
                results.append(json.loads(line[len(MARKER) :]))
            except json.JSONDecodeError:
                print(f"(unreadable RESULT line from {name})", flush=True)
    code = process.wait()
    return {
        "name": name,
        "exit_code": code,
        "seconds": round(time.monotonic() - started, 1),
        "results": results,
    }


def _figures(result: dict[str, Any]) -> str:
    skip = {"benchmark", "target", "met"}
    parts = [
        f"{key} {value:,}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else f"{key} {value}"
        for key, value in result.items()
        if key not in skip and not isinstance(value, dict | list)
    ]
    return ", ".join(parts)


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Benchmarks run {report['started']} on {report['machine']['cpus']} CPUs "
        f"(Python {report['machine']['python']}), {report['total_seconds']:.0f} s in all.",
        "",
        "| benchmark | figures | target | met | time |",
        "|---|---|---|---|---|",
    ]
    for bench in report["benchmarks"]:
        rows = bench["results"] or [{"target": "(no RESULT line)", "met": None}]
        for result in rows:
            met = {True: "yes", False: "**no**", None: "-"}[result.get("met")]
            name = result.get("benchmark", bench["name"])
            if bench["exit_code"]:
                name += f" (exit {bench['exit_code']})"
            lines.append(
                f"| {name} | {_figures(result)} | {result.get('target', '')} | {met} "
                f"| {bench['seconds']:.0f} s |"
            )
    return "\n".join(lines) + "\n"


def main(names: list[str]) -> int:
    started = datetime.now(UTC)
    clock = time.monotonic()
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "benchmarks": [],
    }
    for name in names or discover():
        print(f"\n=== {name} ===", flush=True)
        report["benchmarks"].append(run_one(name))
    report["total_seconds"] = round(time.monotonic() - clock, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    (RESULTS / "latest.md").write_text(table)
    print("\n" + table)
    print(f"written: {RESULTS / 'latest.json'}, {RESULTS / 'latest.md'}")
    failed = [b["name"] for b in report["benchmarks"] if b["exit_code"]]
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
