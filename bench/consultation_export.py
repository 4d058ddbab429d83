"""Streamed response exports at 5,000 and 50,000 responses: rows per second and memory.

For each size, a fresh SQLite hub gets one consultation with three questions (scale,
multiple choice, free text) and N responses bulk-inserted (Core executemany, so seeding
takes seconds). Then:

1. in process: the export generators the route uses (`consultations.exports`) are
   drained as a client would read them: rows/s, and the tracemalloc peak while draining;
2. over HTTP: `sharedspace serve` (one uvicorn worker) is started on the database and
   the full CSV and JSON exports are downloaded by a chair, streaming, chunk by chunk:
   rows/s, and the server process's peak RSS (VmHWM) before and after.

Bounded memory shows as a tracemalloc peak and an RSS growth that stay flat from 5,000 to
50,000 responses. Figures are printed, never asserted.

    .venv/bin/python bench/consultation_export.py [--sizes 5000 50000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select

from consultations.lifecycle.models import Consultation
from consultations.questions.models import Answer
from consultations.questions.service import for_consultation
from consultations.responses import campaign
from consultations.responses import export as exports
from consultations.responses.models import Response
from sharedspace import migrate
from sharedspace.app import build_runtime
from taskgroups.groups.models import TaskGroup
from tests.consultations.factories import add_question, make_consultation
from tests.factories import build_world
from workspace import auth
from workspace.models import User
from workspace.runtime import Runtime
from workspace.settings import Settings

SECTORS = [
    "industry",
    "energy_supply",
    "local_government",
    "environmental",
    "professional_body",
    "academic",
    "other",
    "individual",
]
CONSENTS = ["named", "named", "anonymous", "withheld"]
SCALE = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]
WORDS = [
    "fabric",
    "energy",
    "efficiency",
    "carbon",
    "compliance",
    "allowable",
    "solutions",
    "on-site",
    "generation",
    "heat",
    "loss",
    "airtightness",
    "thermal",
    "bridging",
    "cost",
    "per",
    "home",
    "viability",
    "builders",
    "councils",
    "emissions",
    "target",
    "metric",
    "kWh",
    "square",
    "metre",
    "year",
    "transition",
    "2016",
    "warm",
    "bills",
]
CHUNK = 5_000  # rows per executemany


@dataclass
class Hub:
    directory: Path
    env: dict[str, str]
    rt: Runtime
    consultation: Consultation
    chair: User


def make_hub(size: int) -> Hub:
    directory = Path(tempfile.mkdtemp(prefix="sharedspace-export-bench-"))
    env = {
        "DATABASE_URL": f"sqlite:///{directory / 'hub.db'}",
        "DATA_DIR": str(directory),
        "ARGON2_FAST": "1",
        "SECRET_KEY": "bench-secret-key",
        "LOG_LEVEL": "WARNING",
    }
    rt = build_runtime(Settings.from_env(env))
    migrate.upgrade(rt.db)
    world = build_world(rt)
    now = datetime.now(UTC)
    consultation = make_consultation(
        rt,
        world,
        title="Zero carbon homes: the definition",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
    )
    started = time.perf_counter()
    seed(rt, consultation, size)
    print(f"  seeded {size:,} responses in {time.perf_counter() - started:.1f} s")
    return Hub(directory, env, rt, consultation, world.users["chair"])


def texts(rnd: random.Random, count: int) -> list[tuple[str, campaign.Signature]]:
    """A pool of free-text answers with their signatures (computing a simhash per row
    would dominate seeding); one is a campaign letter many people send."""
    pool = []
    for n in range(count):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(15, 80))]
        text = " ".join(words).capitalize() + f". Reference {n}."
        pool.append((text, campaign.text_signature([text])))
    return pool


def seed(rt: Runtime, consultation: Consultation, size: int) -> None:
    scale = add_question(
        rt, consultation, "Do you agree with the three tiers?", "scale", required=True
    )
    multiple = add_question(
        rt,
        consultation,
        "Which describe you?",
        "multiple",
        choices=["Builder", "Council", "Resident", "Designer"],
    )
    why = add_question(rt, consultation, "Why?", "free_text")
    rnd = random.Random(2016)
    pool = texts(rnd, 500)
    start = consultation.opens_at
    with rt.db.engine.begin() as conn:
        first_user = (conn.execute(select(User.id).order_by(User.id.desc())).scalar() or 0) + 1
        for low in range(0, size, CHUNK):
            ids = range(low, min(size, low + CHUNK))
            conn.execute(
                insert(User),
                [
                    {
                        "id": first_user + i,
                        "email": f"respondent{i}@example.org",
                        "display_name": f"Respondent {i}",
                        "password_hash": "x",
                        "is_secretariat": False,
                        "is_active": True,
                        "created_at": start,
                    }
                    for i in ids
                ],
            )
            responses, answers = [], []
            for i in ids:
                text, signature = pool[0] if rnd.random() < 0.1 else rnd.choice(pool)
                organisation = "" if rnd.random() < 0.5 else f"Organisation {i % 700}"
                moment = start + timedelta(seconds=i)
                responses.append(
                    {
                        "id": i + 1,
                        "consultation_id": consultation.id,
                        "user_id": first_user + i,
                        "on_behalf_of": organisation,
                        "sector": rnd.choice(SECTORS[:-1]) if organisation else "individual",
                        "consent": rnd.choice(CONSENTS),
                        "fingerprint": signature.fingerprint,
                        "simhash": signature.simhash,
                        "submitted_at": moment,
                        "updated_at": moment,
                    }
                )
                picked = [
                    c for c in ("Builder", "Council", "Resident", "Designer") if rnd.random() < 0.4
                ]
                answers.append(
                    {"response_id": i + 1, "question_id": scale.id, "value": rnd.choice(SCALE)}
                )
                if picked:
                    answers.append(
                        {
                            "response_id": i + 1,
                            "question_id": multiple.id,
                            "value": json.dumps(picked),
                        }
                    )
                answers.append({"response_id": i + 1, "question_id": why.id, "value": text})
            conn.execute(insert(Response), responses)
            conn.execute(insert(Answer), answers)


# -- in process ----------------------------------------------------------------------------


def drain(chunks: Iterator[str]) -> int:
    size = 0
    for chunk in chunks:
        size += len(chunk)
    return size


def in_process(hub: Hub, size: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    rt = hub.rt
    with rt.db.read() as session:
        group = session.get(TaskGroup, hub.consultation.group_id)
        questions = for_consultation(session, hub.consultation.id or 0)
    assert group is not None
    for fmt, writer in (("csv", exports.csv_chunks), ("json", exports.json_chunks)):

        def dataset() -> exports.Dataset:
            return exports.responses_dataset(
                rt.db, hub.consultation, group, questions, exports.FULL, datetime.now(UTC)
            )

        started = time.perf_counter()
        length = drain(writer(dataset()))
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        drain(writer(dataset()))
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures[f"in_process_{fmt}_rows_per_s"] = round(size / elapsed)
        figures[f"in_process_{fmt}_peak_mb"] = round(peak / 1e6, 2)
        print(
            f"  in process  {fmt:4}  {size / elapsed:>9,.0f} rows/s  "
            f"{length / 1e6:6.1f} MB out  tracemalloc peak {peak / 1e6:5.2f} MB"
        )
    return figures


# -- over HTTP -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def serve(hub: Hub) -> Iterator[tuple[str, int]]:
    hub.rt.db.dispose()
    port = free_port()
    env = os.environ | hub.env | {"BASE_URL": f"http://127.0.0.1:{port}"}
    log = (hub.directory / "server.log").open("wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "sharedspace"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError((hub.directory / "server.log").read_text())
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def over_http(hub: Hub, size: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    with hub.rt.db.write() as unit:
        token = auth.start_session(unit, hub.chair.id or 0, 1, "bench")
    slug = hub.consultation.slug
    with serve(hub) as (url, pid):
        before = peak_rss_mb(pid)
        for fmt in ("csv", "json"):
            request = urllib.request.Request(
                f"{url}/consultations/{slug}/export/responses.{fmt}?scope=full",
                headers={"Cookie": f"{auth.SESSION_COOKIE}={token}"},
            )
            started = time.perf_counter()
            length = 0
            with urllib.request.urlopen(request, timeout=600) as response:
                assert response.status == 200, response.status
                while chunk := response.read(64 * 1024):
                    length += len(chunk)
            elapsed = time.perf_counter() - started
            figures[f"http_{fmt}_rows_per_s"] = round(size / elapsed)
            figures["server_peak_rss_mb"] = round(peak_rss_mb(pid), 1)
            print(
                f"  over HTTP   {fmt:4}  {size / elapsed:>9,.0f} rows/s  "
                f"{length / 1e6:6.1f} MB out  server peak RSS {peak_rss_mb(pid):6.1f} MB "
                f"(before exports {before:.1f} MB)"
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    args = parser.parse_args()
    for size in args.sizes:
        print(f"{size:,} responses")
        hub = make_hub(size)
        try:
            figures = {"responses": size} | in_process(hub, size) | over_http(hub, size)
            result = {"benchmark": f"consultation_export_{size}", **figures}
            print("RESULT " + json.dumps(result | {"target": "figures only"}), flush=True)
        finally:
            hub.rt.db.dispose()
            if not args.keep:
                shutil.rmtree(hub.directory, ignore_errors=True)


if __name__ == "__main__":
    main()
