"""In-process test harness: a real database per test (SQLite, and PostgreSQL when one
answers), the real app, and clients that behave like a browser (cookies, CSRF)."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from sharedspace import migrate
from sharedspace.app import create_app, load_models
from tests.client import HubClient
from tests.factories import World
from tests.snapshots import world_for
from workspace.db import Database
from workspace.runtime import Runtime
from workspace.settings import Settings

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return PG_DEFAULT
    except OSError:
        return None


def _per_worker(url: str | None) -> str | None:
    """Under pytest-xdist (`make test` runs two workers) each worker empties and refills
    the tables before every test, so each needs a database of its own:
    `<name>_<worker>` beside the one named, created when missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url is None or not worker:
        return url
    base = make_url(url)
    name = f"{base.database or 'test'}_{worker}"
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True, connect_timeout=2) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _per_worker(_postgres_url())
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test: migrating once is much faster."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_ready() -> Iterator[str]:
    assert POSTGRES_URL is not None
    db = Database(POSTGRES_URL)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(db)
    db.dispose()
    yield POSTGRES_URL
    for engine in _PG_ENGINES.values():
        engine.dispose()


_PG_ENGINES: dict[str, Database] = {}


def _truncate_postgres(url: str) -> None:
    """Empty every table and restart its ids. DELETE, not TRUNCATE: on tables this small
    TRUNCATE's new files cost about half a second per test, DELETE a few milliseconds.
    All of it is sent as one script: a statement each was most of the time it took."""
    db = _PG_ENGINES.get(url) or _PG_ENGINES.setdefault(url, Database(url))
    with db.engine.begin() as conn:
        conn.exec_driver_sql(_purge_script())


_PURGE: list[str] = []


def _purge_script() -> str:
    if not _PURGE:
        load_models()
        _PURGE.append(
            ";\n".join(
                # The activity log refuses DELETE (workspace/auditchain.py) except to this.
                ["SET LOCAL sharedspace.allow_purge = 'on'"]
                + [
                    f'DELETE FROM "{t.name}"'  # noqa: S608 - our own table names
                    for t in reversed(SQLModel.metadata.sorted_tables)
                ]
                # Only the sequences a test moved, in one statement: an ALTER SEQUENCE
                # took about a millisecond each, most of the purge.
                + [
                    "SELECT setval(quote_ident(sequencename)::regclass, 1, false) "
                    "FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
                ]
            )
        )
    return _PURGE[0]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path, request.param)


def fresh_database(request: pytest.FixtureRequest, tmp_path: Path, engine: str) -> str:
    """An empty, migrated database on `engine` ("sqlite" or "postgres") for one test."""
    if engine == "sqlite":
        path = tmp_path / "hub.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_ready")
    _truncate_postgres(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=str(tmp_path / "data"),
        secret_key="test-secret-key",
        argon2_fast=True,
        # Tests run the queue by hand (`rt.worker.run_pending()`): no consumer threads.
        worker_embedded=False,
        # Secretariat accounts need a second factor only in the tests of that
        # (tests/workspace/test_two_factor.py); everywhere else they sign in as before.
        two_factor_required=False,
    )


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    application = create_app(settings)
    yield application
    application.state.runtime.worker.close()
    application.state.runtime.db.dispose()


@pytest.fixture
def rt(app) -> Runtime:  # type: ignore[no-untyped-def]
    runtime: Runtime = app.state.runtime
    return runtime


@pytest.fixture
def client(app) -> Iterator[HubClient]:  # type: ignore[no-untyped-def]
    with HubClient(app) as c:
        yield c


@pytest.fixture
def world(rt: Runtime) -> World:
    """A hub with one group and one person in every role (see factories.build_world),
    built once per engine and copied into each test's database (tests/snapshots.py)."""
    return world_for(rt)


@pytest.fixture
def as_role(app, world: World):  # type: ignore[no-untyped-def]
    """Open a client signed in as the world's person in a role ("visitor" = nobody)."""
    opened: list[HubClient] = []

    def open_as(role: str) -> HubClient:
        c = HubClient(app).__enter__()
        opened.append(c)
        if role != "visitor":
            c.sign_in_as(world.users[role])
        return c

    yield open_as
    for c in opened:
        c.__exit__(None, None, None)
