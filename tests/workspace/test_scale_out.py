"""Beyond one process: two uvicorn processes (as `sharedspace serve --workers 2` runs
them) on two ports, sharing ONE PostgreSQL database and ONE Redis. What one worker
writes or signs, the other honours; what one emits, clients of both hear once.

Skipped when PostgreSQL or Redis does not answer, unless REQUIRE_SCALE_OUT=1 (set by
`.ci/run`), where a missing service is a failure: CI must prove this, not skip it.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from consultations.lifecycle.models import Consultation
from sharedspace import cli, migrate
from sharedspace.app import build_runtime
from tests.client import soup
from tests.factories import World, build_world
from tests.workspace.pg_scratch import scratch_database, unavailable
from tests.workspace.realtime_harness import (
    REDIS_URL,
    listen,
    make_consultation,
    post_comment,
    redis_up,
    run,
    session_token,
    start_worker,
)
from workspace import auth, search
from workspace.runtime import Runtime
from workspace.settings import Settings


@dataclass
class Cluster:
    rt: Runtime
    world: World
    consultation: Consultation
    a: str
    b: str
    logs: list[Path]


def _cluster(
    tmp_path_factory: pytest.TempPathFactory, name: str, search_backend: str
) -> Iterator[Cluster]:
    if not redis_up():
        unavailable("Redis does not answer on 127.0.0.1:6379")
    url = scratch_database(name)
    if url is None:
        unavailable("PostgreSQL does not answer")
    assert url is not None
    directory = tmp_path_factory.mktemp(name)
    # Its own key, so its own Redis channel: parallel runs never hear each other.
    secret = secrets.token_urlsafe(32)
    settings = Settings(
        database_url=url,
        data_dir=str(directory),
        secret_key=secret,
        argon2_fast=True,
        search_backend=search_backend,
    )
    rt = build_runtime(settings)
    migrate.upgrade(rt.db)
    world = build_world(rt)
    consultation = make_consultation(rt, world, opens_in=timedelta(hours=-1))
    env = os.environ | {
        "DATABASE_URL": url,
        "DATA_DIR": str(directory),  # one machine: both workers share it, as in production
        "SECRET_KEY": secret,
        "REDIS_URL": REDIS_URL,
        "ARGON2_FAST": "1",
        "LOG_LEVEL": "WARNING",
        "SEARCH_BACKEND": search_backend,
    }
    logs = [directory / "a.log", directory / "b.log"]
    workers: list[subprocess.Popen[bytes]] = []
    try:
        urls = []
        for log in logs:
            if search_backend == "postgres":
                # Two machines: nothing shared but the database and Redis.
                env = env | {"DATA_DIR": str(directory / log.stem)}
            process, address = start_worker(env, log)
            workers.append(process)
            urls.append(address)
        yield Cluster(rt, world, consultation, urls[0], urls[1], logs)
    finally:
        for process in workers:
            process.terminate()
            process.wait(timeout=10)
        rt.db.dispose()
    for log in logs:
        assert "Traceback" not in log.read_text(), log.read_text()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    yield from _cluster(tmp_path_factory, "scale_out", "whoosh")


@pytest.fixture(scope="module")
def machines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two workers as on two machines (a DATA_DIR each), searching with PostgreSQL."""
    yield from _cluster(tmp_path_factory, "scale_out_pg", "postgres")


def test_a_comment_posted_on_b_reaches_clients_of_both_live_exactly_once(
    cluster: Cluster,
) -> None:
    slug = cluster.consultation.slug
    text = f"Posted through worker B ({secrets.token_hex(4)})."

    async def scenario() -> None:
        on_a = await listen(cluster.a)
        on_b = await listen(cluster.b)
        assert (await on_a.join(consultation=slug))["ok"]
        assert (await on_b.join(consultation=slug))["ok"]
        await asyncio.sleep(0.3)  # each Redis listener subscribes on its first connection
        token = session_token(cluster.rt, "public", cluster.world)
        feed = await post_comment(cluster.b, slug, token, text)
        got = await on_a.next_comment()
        assert text in got["html"]
        assert (await on_b.next_comment())["comment_id"] == got["comment_id"]
        await asyncio.sleep(1.0)  # time enough for a duplicate to show up, if one would
        assert [c["comment_id"] for c in on_a.received] == [got["comment_id"]]
        assert [c["comment_id"] for c in on_b.received] == [got["comment_id"]]
        assert feed["changes"][-1]["comment_id"] == got["comment_id"]
        await on_a.client.disconnect()
        await on_b.client.disconnect()

    run(scenario)


def test_a_session_and_csrf_token_from_one_worker_work_on_the_other(cluster: Cluster) -> None:
    """Sessions live in the database and CSRF tokens are HMACs of the shared key: no
    sticky sessions needed behind a load balancer."""
    slug = cluster.consultation.slug
    token = session_token(cluster.rt, "public", cluster.world)
    text = f"Form from A, posted to B ({secrets.token_hex(4)})."

    async def scenario() -> None:
        async with aiohttp.ClientSession(
            cookies={auth.SESSION_COOKIE: token},
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # keep cookies set by 127.0.0.1
        ) as http:
            async with http.get(f"{cluster.a}/consultations/{slug}") as response:
                assert response.status == 200
                meta = soup(await response.text()).find("meta", attrs={"name": "csrf-token"})
            assert meta is not None
            form = {"csrf_token": str(meta["content"]), "comment": text}
            async with http.post(
                f"{cluster.b}/consultations/{slug}/comments", data=form, allow_redirects=False
            ) as response:
                assert response.status == 303
            forged = form | {"csrf_token": "forged"}
            async with http.post(
                f"{cluster.b}/consultations/{slug}/comments", data=forged, allow_redirects=False
            ) as response:
                assert response.status == 403
            async with http.get(f"{cluster.a}/consultations/{slug}/comments?after=0") as response:
                feed: dict[str, Any] = await response.json()
        assert any(text in change["html"] for change in feed["changes"])

    run(scenario)


def test_several_workers_without_redis_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda *_a, **kw: served.append(kw))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert cli.main(["serve", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "--workers 2 needs REDIS_URL" in err
    assert served == []
    assert not (tmp_path / "hub.db").exists()  # refused before touching anything

    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    assert cli.main(["serve", "--workers", "2"]) == 0
    assert served[0]["workers"] == 2
    monkeypatch.delenv("REDIS_URL")
    assert cli.main(["serve"]) == 0  # one worker needs no Redis
    assert served[1]["workers"] == 1


@pytest.mark.parametrize("shape", ["cluster", "machines"])
def test_search_on_a_finds_a_comment_posted_on_b(
    request: pytest.FixtureRequest, shape: str
) -> None:
    """The index is fed after commit, whichever worker took the post: a Whoosh directory
    the workers of one machine share, or PostgreSQL for workers on several machines."""
    cluster: Cluster = request.getfixturevalue(shape)
    word = "zq" + secrets.token_hex(5)  # a term no other comment holds
    token = session_token(cluster.rt, "public", cluster.world)

    async def scenario() -> None:
        await post_comment(cluster.b, cluster.consultation.slug, token, f"About {word} here.")
        async with aiohttp.ClientSession() as http:
            deadline = asyncio.get_running_loop().time() + 10
            while True:
                async with http.get(f"{cluster.a}/search", params={"q": word}) as response:
                    assert response.status == 200
                    page = soup(await response.text())
                # Only the hits count: the page echoes the query in its title and count.
                hits = [li.get_text() for li in page.select("li.ss-search-result")]
                if any(word in hit for hit in hits):
                    return
                assert asyncio.get_running_loop().time() < deadline, "not found on A within 10 s"
                await asyncio.sleep(0.25)

    run(scenario)
    if shape == "machines":  # in the shared database, not in a worker's directory
        service = cluster.rt.search
        assert service is not None
        assert service.backend.query(search.SearchQuery(word, None, cluster.rt.clock())).total == 1
