"""The one background worker model: everything off the request path runs as a huey task.

Features contribute work through the `jobs` hook (`workspace/hooks.py`): a `Job` is a task
something enqueues (`rt.worker.enqueue(job, *args)`: notification fan-out, sending mail,
draining the search outbox), a `PeriodicJob` runs every few minutes (the consultation
clock, digests, retries). huey does the queueing, the scheduling and the consumer; the
queue lives where `QUEUE_URL` says:

- empty (the default): a SQLite file in `DATA_DIR`, shared by every process on one machine;
- `redis://...`: Redis, for several machines;
- `postgresql://...`: PostgreSQL (huey's own tables), for several machines without Redis.

`sharedspace serve` runs one consumer inside each server process (`Worker.start_embedded`,
a thread per `WORKER_THREADS` plus huey's scheduler); `sharedspace worker` runs consumers
on their own. Jobs must be idempotent: with several consumers a periodic job is enqueued
by each of them, and a task may run again after a crash. Tests run the queue by hand
(`run_pending`, `run_periodic`) against the same real storage, with no consumer.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from huey import Huey, PostgresHuey, RedisHuey, crontab
from huey.api import PeriodicTask, Task, TaskWrapper
from huey.consumer import Consumer
from huey.storage import SqliteStorage

from workspace.hooks import Job, PeriodicJob
from workspace.settings import Settings

log = logging.getLogger(__name__)

QUEUE_NAME = "sharedspace"
QUEUE_FILE = "queue.sqlite3"


class LocalQueue(SqliteStorage):  # type: ignore[misc]
    """huey's SQLite storage with the app database's durability: WAL with
    synchronous=NORMAL survives a crashed process (not a power cut) without an fsync per
    enqueue, which would otherwise sit on every write's path."""

    def _create_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection = super()._create_connection()
        conn.execute("pragma synchronous=1")
        return conn


def make_huey(settings: Settings) -> Huey:
    url = settings.queue_url
    common: dict[str, Any] = {"results": False, "utc": True}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, **common)
    if url.startswith("postgresql"):
        # psycopg takes the plain libpq URL, not SQLAlchemy's "+driver" form.
        dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
        return PostgresHuey(QUEUE_NAME, dsn=dsn, **common)
    if url:
        raise ValueError(f"QUEUE_URL={url!r}: expected redis://, postgresql:// or empty")
    folder = Path(settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return Huey(QUEUE_NAME, storage_class=LocalQueue, filename=str(folder / QUEUE_FILE), **common)


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A consumer inside the web server: the server owns the process's signals."""

    def _set_signal_handlers(self) -> None:
        return


class Worker:
    """The queue of one runtime and the jobs registered on it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.huey = make_huey(settings)
        self._tasks: dict[str, TaskWrapper] = {}
        self._embedded: Consumer | None = None

    # -- registration ---------------------------------------------------------------------

    def add(self, job: Job | PeriodicJob) -> None:
        if job.name in self._tasks:
            raise ValueError(f"two jobs are named {job.name!r}")
        run = job.run

        def execute(*args: Any) -> None:
            run(*args)

        # huey finds a task by module and name in every process: give it the job's name.
        execute.__name__ = execute.__qualname__ = job.name
        if isinstance(job, PeriodicJob):
            schedule = crontab(minute=f"*/{job.minutes}")
            wrapper = self.huey.periodic_task(schedule, name=job.name)(execute)
        else:
            wrapper = self.huey.task(
                name=job.name, retries=job.retries, retry_delay=job.retry_delay
            )(execute)
        self._tasks[job.name] = wrapper

    def add_all(self, jobs: Iterable[Job | PeriodicJob]) -> None:
        for job in jobs:
            self.add(job)

    # -- enqueueing -----------------------------------------------------------------------

    def enqueue(self, job: Job, *args: Any) -> None:
        """Put `job(*args)` on the queue; a consumer (in this process or another) runs it.
        Arguments are pickled: ids and frozen event dataclasses, never rows or sessions."""
        self._tasks[job.name](*args)

    # -- running by hand (tests, `sharedspace worker --once`) ------------------------------

    def run_pending(self, limit: int = 100_000) -> int:
        """Run every task waiting in the queue, in this thread, including those the tasks
        enqueue; the number run."""
        ran = 0
        while ran < limit:
            task: Task | None = self.huey.dequeue()
            if task is None:
                break
            self.huey.execute(task)
            ran += 1
        return ran

    def run_periodic(self, when: datetime | None = None) -> int:
        """Run the periodic jobs due at `when` (every one when None), then what they
        enqueued; the number of periodic jobs run."""
        due = (
            [wrapper.s() for wrapper in self._tasks.values() if _is_periodic(wrapper)]
            if when is None
            else self.huey.read_periodic(when)
        )
        for task in due:
            self.huey.execute(task)
        self.run_pending()
        return len(due)

    def backlog(self) -> int:
        return int(self.huey.pending_count())

    # -- consumers ------------------------------------------------------------------------

    def consumer(self, threads: int, embedded: bool = False) -> Consumer:
        kind: Callable[..., Consumer] = EmbeddedConsumer if embedded else Consumer
        return kind(
            self.huey,
            workers=threads,
            periodic=True,
            # SQLite is polled: start fast after work, never sleep more than the ceiling.
            initial_delay=0.05,
            backoff=1.5,
            max_delay=self.settings.worker_poll_seconds,
            shutdown_timeout=10,
        )

    def start_embedded(self) -> None:
        if self._embedded is not None:
            return
        self._embedded = self.consumer(self.settings.worker_threads, embedded=True)
        self._embedded.start()
        log.info("embedded worker started with %d thread(s)", self.settings.worker_threads)

    def stop_embedded(self) -> None:
        consumer, self._embedded = self._embedded, None
        if consumer is not None:
            consumer.stop(graceful=True)

    def close(self) -> None:
        self.stop_embedded()
        storage = self.huey.storage
        if hasattr(storage, "close"):
            storage.close()


def _is_periodic(wrapper: TaskWrapper) -> bool:
    return issubclass(wrapper.task_class, PeriodicTask)
