"""The summary with channels and events, against a bare ceiling.

A fresh SQLite hub gets one consultation with a scale and a multiple-choice question, two
road shows, and N responses bulk-inserted across every channel (online, event, letter,
email; a fifth of them entered by a facilitator with no account). Then, in process, the
median of several runs of:

- `summary`: what the summary page builds: the sector tally (`consultations.summary.tally`)
  and the channel and event breakdown (`consultations.summary.channels`);
- `sectors only`: the tally alone, as before road shows existed;
- `bare`: the ceiling, one hand-written GROUP BY over the same rows on the raw sqlite3
  connection (question, value, sector, channel, event), with nothing built from it.

Reports milliseconds and the ratios summary/bare and summary/sectors-only. Figures are
printed, never asserted; on a shared, loaded machine compare the ratios, not the times.

    .venv/bin/python bench/small_groups.py [--sizes 5000 50000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert

from consultations.questions.models import Answer
from consultations.responses.models import Response
from consultations.roadshows.models import RoadShow
from consultations.summary import channels, tally
from sharedspace import migrate
from sharedspace.app import build_runtime
from tests.consultations.factories import add_question, make_consultation
from tests.factories import build_world
from workspace.settings import Settings

SECTORS = ["industry", "energy_supply", "local_government", "environmental", "individual"]
SCALE = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]
CHOICES = ["Builder", "Council", "Resident", "Designer"]
CHANNELS = ["online", "online", "online", "event", "letter", "email"]
CHUNK = 5_000
BARE_SQL = (
    "SELECT a.question_id, a.value, r.sector, r.channel, r.road_show_id, count(*) "
    "FROM answer a JOIN response r ON r.id = a.response_id "
    "WHERE r.consultation_id = ? "
    "GROUP BY a.question_id, a.value, r.sector, r.channel, r.road_show_id"
)


def seed(size: int) -> tuple[Path, object, int]:
    directory = Path(tempfile.mkdtemp(prefix="sharedspace-small-groups-bench-"))
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
        rt, world, opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=1)
    )
    cid = consultation.id or 0
    scale = add_question(rt, consultation, "Do you agree?", "scale")
    multiple = add_question(rt, consultation, "Which describe you?", "multiple", choices=CHOICES)
    rnd = random.Random(2016)
    with rt.db.engine.begin() as conn:
        shows = []
        for n, town in enumerate(("Manchester", "Bristol")):
            result = conn.execute(
                insert(RoadShow).values(
                    consultation_id=cid,
                    title=f"Road show: {town}",
                    starts_at=now - timedelta(days=30 - n),
                    ends_at=now - timedelta(days=30 - n, hours=-2),
                    address=town,
                    where="",
                    organisations_present="",
                )
            )
            shows.append(result.inserted_primary_key[0])
        for low in range(0, size, CHUNK):
            responses, answers = [], []
            for i in range(low, min(size, low + CHUNK)):
                channel = rnd.choice(CHANNELS)
                responses.append(
                    {
                        "id": i + 1,
                        "consultation_id": cid,
                        "user_id": None,
                        "on_behalf_of": "",
                        "sector": rnd.choice(SECTORS),
                        "consent": "named",
                        "fingerprint": "",
                        "simhash": 0,
                        "confidential": False,
                        "channel": channel,
                        "road_show_id": rnd.choice(shows) if channel == "event" else None,
                        "entered_by": None,
                        "respondent_name": f"Respondent {i}",
                        "submitted_at": now,
                        "updated_at": now,
                    }
                )
                answers.append(
                    {"response_id": i + 1, "question_id": scale.id, "value": rnd.choice(SCALE)}
                )
                picked = [c for c in CHOICES if rnd.random() < 0.4] or [CHOICES[0]]
                answers.append(
                    {"response_id": i + 1, "question_id": multiple.id, "value": json.dumps(picked)}
                )
            conn.execute(insert(Response), responses)
            conn.execute(insert(Answer), answers)
    return directory, rt, cid


def median_ms(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(size: int, runs: int) -> dict[str, float]:
    directory, rt, cid = seed(size)
    try:
        db = rt.db  # type: ignore[attr-defined]

        def summary() -> None:
            with db.read() as session:
                tally.build(session, cid, public=False)
                channels.build(session, cid)

        def sectors_only() -> None:
            with db.read() as session:
                tally.build(session, cid, public=False)

        raw = sqlite3.connect(directory / "hub.db")

        def bare() -> None:
            raw.execute(BARE_SQL, (cid,)).fetchall()

        summary()  # warm the page cache once for all three
        figures = {
            "summary_ms": median_ms(summary, runs),
            "sectors_only_ms": median_ms(sectors_only, runs),
            "bare_ms": median_ms(bare, runs),
        }
        raw.close()
        db.dispose()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return figures | {
        "summary_vs_bare": figures["summary_ms"] / figures["bare_ms"],
        "summary_vs_sectors_only": figures["summary_ms"] / figures["sectors_only_ms"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for size in args.sizes:
        figures = measure(size, args.runs)
        print(
            f"{size:,} responses: summary {figures['summary_ms']:.1f} ms, sectors only "
            f"{figures['sectors_only_ms']:.1f} ms, bare GROUP BY {figures['bare_ms']:.1f} ms "
            f"(summary/bare {figures['summary_vs_bare']:.2f}x, "
            f"summary/sectors only {figures['summary_vs_sectors_only']:.2f}x)",
            flush=True,
        )
        result = {"benchmark": f"small_groups_{size}", "responses": size, **figures}
        print("RESULT " + json.dumps(result | {"target": "figures only"}), flush=True)


if __name__ == "__main__":
    main()
