"""What the comment benchmarks share: a fresh SQLite hub seeded through the real services,
and the real server (`sharedspace serve`) started on it on a free port."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consultations.lifecycle.models import Consultation
from sharedspace import migrate
from sharedspace.app import build_runtime
from tests.consultations.factories import make_consultation, post_comment
from tests.factories import World, build_world, make_user
from workspace import auth
from workspace.models import User
from workspace.runtime import Runtime
from workspace.settings import Settings

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
    "per",
    "square",
    "metre",
    "per",
    "year",
    "transition",
    "2016",
]


@dataclass
class Hub:
    directory: Path
    env: dict[str, str]
    rt: Runtime
    world: World
    consultation: Consultation


def make_hub(**settings: Any) -> Hub:
    directory = Path(tempfile.mkdtemp(prefix="sharedspace-bench-"))
    env = {
        "DATABASE_URL": f"sqlite:///{directory / 'hub.db'}",
        "DATA_DIR": str(directory),
        "ARGON2_FAST": "1",
        "SECRET_KEY": "bench-secret-key",
        **{k.upper(): str(v) for k, v in settings.items()},
    }
    rt = build_runtime(Settings.from_env(env))
    rt.settings = replace(rt.settings, comment_limit_per_person=10**9)
    migrate.upgrade(rt.db)
    world = build_world(rt)
    consultation = make_consultation(
        rt, world, title="Zero carbon homes: the definition", with_definition=True
    )
    return Hub(directory, env, rt, world, consultation)


def sentence(rnd: random.Random, words: int) -> str:
    text = " ".join(rnd.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def seed_thread(hub: Hub, count: int, seed: int = 4) -> None:
    """`count` comments in threads: a quarter start threads, the rest reply to a random
    earlier comment (recent ones more often, so some chains run past five levels)."""
    rnd = random.Random(seed)
    people = [hub.world.users[k] for k in ("public", "member", "chair", "observer")]
    people += [make_user(hub.rt, f"Respondent {n}") for n in range(12)]
    made: list[Any] = []
    for n in range(count):
        parent = None
        if made and rnd.random() > 0.25:
            parent = (
                made[-rnd.randint(1, min(len(made), 8))] if rnd.random() < 0.5 else rnd.choice(made)
            )
        body = " ".join(sentence(rnd, rnd.randint(8, 20)) for _ in range(rnd.randint(1, 4)))
        if n % 7 == 0:
            body += "\n\n- **" + sentence(rnd, 3) + f"**\n- [source](https://example.org/r{n})"
        made.append(post_comment(hub.rt, hub.consultation, rnd.choice(people), body, parent))


def session_cookie(hub: Hub, user: User) -> str:
    assert user.id is not None
    with hub.rt.db.write() as unit:
        return auth.start_session(unit, user.id, 1, "bench")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(hub: Hub) -> Iterator[tuple[str, Path]]:
    """`sharedspace serve` on the hub's database; yields (base URL, log file)."""
    hub.rt.db.dispose()
    port = free_port()
    env = os.environ | hub.env | {"BASE_URL": f"http://127.0.0.1:{port}"}
    log = hub.directory / "server.log"
    with log.open("wb") as out:
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
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(log.read_text())
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start:\n" + log.read_text()) from None
                time.sleep(0.2)
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=10)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
