"""Uploading and downloading a 25 MB evidence file: throughput, and the server's peak memory.

A fresh SQLite hub with one group and a member is served by `sharedspace serve` (one
uvicorn worker). The member uploads a 25 MB PDF through the evidence form (multipart,
streamed from the client in 1 MB pieces, CSRF token and all) and downloads it again,
`--runs` times each. The ceiling is a bare Starlette app on the same uvicorn doing the
same work with nothing else: streaming the request body to a file and serving that file
with FileResponse. Both servers' peak RSS (VmHWM) is read from /proc before and after:
streaming shows as a peak that grows by a few MB, not by the 25 MB of the file.

Figures are printed, never asserted.

    .venv/bin/python bench/uploads.py [--runs 5] [--megabytes 25]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consultation_export import free_port, peak_rss_mb  # the same helpers, one copy

from sharedspace import migrate
from sharedspace.app import build_runtime
from tests.factories import build_world
from workspace import auth, csrf
from workspace.db import Database
from workspace.settings import Settings

MB = 1_000_000
PIECE = 1024 * 1024
BOUNDARY = "bench-boundary-7d1f"
SECRET = secrets.token_urlsafe(32)


def wait_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    host, port = url.removeprefix("http://").split(":")
    while True:
        if process.poll() is not None:
            raise RuntimeError(log.read_text())
        try:
            conn = http.client.HTTPConnection(host, int(port), timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start") from None
            time.sleep(0.2)


@contextmanager
def started(command: list[str], env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            env=os.environ | env | {"BASE_URL": f"http://127.0.0.1:{port}"},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_up(url, process, log)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def multipart(fields: dict[str, str], path: Path) -> tuple[int, Iterator[bytes]]:
    """The body of the evidence form, streamed: its length and its pieces."""
    head = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{path.name}"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def pieces() -> Iterator[bytes]:
        yield head
        with path.open("rb") as handle:
            while piece := handle.read(PIECE):
                yield piece
        yield tail

    return len(head) + path.stat().st_size + len(tail), pieces()


def post(
    url: str, target: str, headers: dict[str, str], length: int, body: Iterator[bytes]
) -> tuple[int, str, float]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    began = time.perf_counter()
    conn.putrequest("POST", target)
    for name, value in (headers | {"Content-Length": str(length)}).items():
        conn.putheader(name, value)
    conn.endheaders()
    for piece in body:
        conn.send(piece)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - began
    return response.status, response.getheader("location") or "", elapsed


def get(url: str, target: str, headers: dict[str, str]) -> tuple[int, int, float]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    began = time.perf_counter()
    conn.request("GET", target, headers=headers)
    response = conn.getresponse()
    size = 0
    while chunk := response.read(64 * 1024):
        size += len(chunk)
    return response.status, size, time.perf_counter() - began


def make_file(directory: Path, megabytes: int) -> Path:
    """A PDF-signed file of random bytes: the type check passes, extraction gives up fast."""
    path = directory / "cost-model-appendix.pdf"
    with path.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        left = megabytes * MB - 9
        while left > 0:
            piece = min(left, PIECE)
            out.write(os.urandom(piece))
            left -= piece
    return path


def ours(directory: Path, upload: Path, runs: int) -> dict[str, float]:
    env = {
        "DATABASE_URL": f"sqlite:///{directory / 'hub.db'}",
        "DATA_DIR": str(directory / "data"),
        "SECRET_KEY": SECRET,
        "ARGON2_FAST": "1",
        "LOG_LEVEL": "WARNING",
    }
    settings = Settings.from_env(env)
    db = Database(settings.database_url)
    migrate.upgrade(db)
    db.dispose()
    rt = build_runtime(settings)
    world = build_world(rt)
    with rt.db.write() as unit:
        session_token = auth.start_session(unit, world.users["member"].id or 0, 1, "bench")
    rt.db.dispose()
    cookie_value = secrets.token_urlsafe(32)
    headers = {
        "Cookie": f"{auth.SESSION_COOKIE}={session_token}; {csrf.COOKIE}={cookie_value}",
    }
    fields = {
        csrf.FIELD: csrf.sign(SECRET, cookie_value),
        "title": "Cost model appendix",
        "kind": "cost_model",
        "visibility": "group",
    }
    command = [str(Path(sys.executable).parent / "sharedspace"), "serve", "--host", "127.0.0.1"]
    with started(command, env, directory / "server.log") as (url, pid):
        return measure(url, pid, runs, upload, "ours", headers, fields, world.group.slug)


def bare(directory: Path, upload: Path, runs: int) -> dict[str, float]:
    command = [sys.executable, str(Path(__file__).resolve()), "--bare-server", str(directory)]
    with started(command, {}, directory / "bare.log") as (url, pid):
        return measure(url, pid, runs, upload, "bare", {}, {"title": "x"}, "")


def measure(
    url: str,
    pid: int,
    runs: int,
    upload: Path,
    name: str,
    headers: dict[str, str],
    fields: dict[str, str],
    slug: str,
) -> dict[str, float]:
    before = peak_rss_mb(pid)
    size_mb = upload.stat().st_size / MB
    ups, downs = [], []
    target = f"/groups/{slug}/evidence/new" if slug else "/upload"
    for _ in range(runs):
        length, body = multipart(fields, upload)
        form = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        status, location, elapsed = post(url, target, headers | form, length, body)
        assert status in (200, 303), (name, status)
        ups.append(size_mb / elapsed)
        where = location + "/file" if slug else "/file"
        status, size, elapsed = get(url, where, headers)
        assert status == 200, (name, status)
        assert size >= upload.stat().st_size, (name, size)  # the bare one keeps the framing
        downs.append(size_mb / elapsed)
    after = peak_rss_mb(pid)
    figures = {
        f"{name}_upload_mb_per_s": round(statistics.median(ups), 1),
        f"{name}_download_mb_per_s": round(statistics.median(downs), 1),
        f"{name}_rss_before_mb": round(before, 1),
        f"{name}_peak_rss_mb": round(after, 1),
    }
    print(
        f"  {name:5} upload {figures[f'{name}_upload_mb_per_s']:7.1f} MB/s   download "
        f"{figures[f'{name}_download_mb_per_s']:7.1f} MB/s   server peak RSS {after:6.1f} MB "
        f"(before {before:.1f} MB)",
        flush=True,
    )
    return figures


def bare_server(directory: str, port: int) -> None:
    """The ceiling: the same uvicorn, streaming the body to a file and serving it back."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, PlainTextResponse, Response
    from starlette.routing import Route

    stored = Path(directory) / "bare-upload"

    async def upload(request: Request) -> Response:
        with stored.open("wb") as out:
            async for chunk in request.stream():
                out.write(chunk)
        return PlainTextResponse("ok")

    async def download(_request: Request) -> Response:
        return FileResponse(stored, media_type="application/pdf", filename="x.pdf")

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[
            Route("/upload", upload, methods=["POST"]),
            Route("/file", download),
            Route("/healthz", health),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--megabytes", type=int, default=25)
    parser.add_argument("--bare-server", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        bare_server(args.bare_server, args.port)
        return
    directory = Path(tempfile.mkdtemp(prefix="sharedspace-upload-bench-"))
    try:
        upload = make_file(directory, args.megabytes)
        print(f"{args.megabytes} MB file, {args.runs} uploads and downloads each (median)")
        figures = ours(directory, upload, args.runs) | bare(directory, upload, args.runs)
        figures["upload_vs_bare"] = round(
            figures["ours_upload_mb_per_s"] / figures["bare_upload_mb_per_s"], 2
        )
        figures["download_vs_bare"] = round(
            figures["ours_download_mb_per_s"] / figures["bare_download_mb_per_s"], 2
        )
        growth = figures["ours_peak_rss_mb"] - figures["ours_rss_before_mb"]
        print(
            f"  against the bare app: upload {figures['upload_vs_bare']:.2f}x, download "
            f"{figures['download_vs_bare']:.2f}x; our server's peak grew {growth:.1f} MB "
            f"for a {args.megabytes} MB file"
        )
        result = {"benchmark": "uploads", "megabytes": args.megabytes, **figures}
        print("RESULT " + json.dumps(result | {"target": "figures only"}), flush=True)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
