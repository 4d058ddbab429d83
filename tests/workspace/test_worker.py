"""The one background worker model (workspace/worker.py): huey queues on SQLite, Redis and
PostgreSQL, jobs from the plugins, the embedded consumer, and `sharedspace worker`."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import pytest
import redis

from sharedspace import cli
from sharedspace.app import create_app
from tests.workspace.pg_scratch import scratch_database, unavailable
from workspace.hooks import Job, PeriodicJob
from workspace.runtime import Runtime
from workspace.settings import Settings
from workspace.worker import Worker, make_huey


def test_the_plugins_jobs_are_registered(rt: Runtime) -> None:
    names = set(rt.worker._tasks)
    assert {"search.index", "search.sweep", "consultations.clock"} <= names


def test_two_jobs_of_one_name_are_refused(rt: Runtime) -> None:
    with pytest.raises(ValueError, match="two jobs"):
        rt.worker.add(Job("search.index", lambda: None))


def test_enqueued_work_waits_until_run_and_runs_once(rt: Runtime) -> None:
    seen: list[int] = []
    job = Job("test.record", seen.append)
    rt.worker.add(job)
    rt.worker.run_pending()
    rt.worker.enqueue(job, 7)
    rt.worker.enqueue(job, 8)
    assert seen == []  # on the queue, not run on the caller's thread
    assert rt.worker.backlog() == 2
    assert rt.worker.run_pending() == 2
    assert seen == [7, 8]
    assert rt.worker.run_pending() == 0


def test_periodic_jobs_run_at_their_minutes(rt: Runtime) -> None:
    ran: list[str] = []
    rt.worker.add(PeriodicJob("test.every_five", lambda: ran.append("five"), minutes=5))
    rt.worker.run_periodic(datetime(2016, 3, 1, 9, 3))
    assert "five" not in ran
    rt.worker.run_periodic(datetime(2016, 3, 1, 9, 5))
    assert ran == ["five"]


def test_the_embedded_consumer_runs_jobs_in_the_background(settings: Settings) -> None:
    app = create_app(replace(settings, worker_embedded=True, worker_poll_seconds=0.1))
    rt: Runtime = app.state.runtime
    done = threading.Event()
    job = Job("test.signal", lambda: done.set())
    rt.worker.add(job)
    rt.worker.start_embedded()
    try:
        rt.worker.enqueue(job)
        assert done.wait(5), "the embedded worker did not run the job"
    finally:
        rt.worker.close()
        rt.db.dispose()


def test_serve_starts_the_embedded_worker_with_the_app(settings: Settings) -> None:
    from starlette.testclient import TestClient

    app = create_app(replace(settings, worker_embedded=True, worker_poll_seconds=0.1))
    rt: Runtime = app.state.runtime
    done = threading.Event()
    job = Job("test.signal", lambda: done.set())
    rt.worker.add(job)
    with TestClient(app):
        rt.worker.enqueue(job)
        assert done.wait(5)
    assert rt.worker._embedded is None  # stopped with the app
    rt.db.dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    # A Redis database of each pytest-xdist worker's own (15, 14, ...; 14 without xdist):
    # the test flushes it, and two workers' round trips must not take each other's jobs.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = f"redis://127.0.0.1:6379/{15 - int(worker[2:]) if worker else 14}"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        unavailable("no Redis on 127.0.0.1:6379")
    yield url
    redis.Redis.from_url(url).flushdb()


def _round_trip(settings: Settings) -> None:
    worker = Worker(settings)
    seen: list[str] = []
    job = Job("test.shared", seen.append)
    worker.add(job)
    worker.huey.flush()
    other = Worker(settings)  # another machine's worker, on the same queue
    other.add(Job("test.shared", seen.append))
    worker.enqueue(job, "across machines")
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        other.run_pending()
    assert seen == ["across machines"]
    worker.close()
    other.close()


def test_a_redis_queue_is_shared_across_processes(settings: Settings, redis_url: str) -> None:
    _round_trip(replace(settings, queue_url=redis_url))


def test_a_postgresql_queue_is_shared_across_processes(settings: Settings) -> None:
    url = scratch_database("queue")
    if url is None:
        unavailable("no PostgreSQL answers")
        return
    _round_trip(replace(settings, queue_url=url))


def test_an_unknown_queue_url_is_refused(settings: Settings) -> None:
    with pytest.raises(ValueError, match="QUEUE_URL"):
        make_huey(replace(settings, queue_url="amqp://broker"))


def test_the_worker_command_runs_once(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DATA_DIR", settings.data_dir)
    monkeypatch.setenv("SECRET_KEY", "worker-test")
    assert cli.main(["worker", "--once"]) == 0
    assert "Ran" in capsys.readouterr().out
