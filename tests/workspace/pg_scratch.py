"""Scratch PostgreSQL databases of the tests' own, beside (never inside) the database the
in-process tests share: `<TEST_DATABASE_URL's name>_<suffix>` on the same server, so two
runs pointed at two databases never collide either."""

from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tests.conftest import PG_DEFAULT, POSTGRES_URL


def unavailable(reason: str) -> None:
    """A service these tests need does not answer: fail where it must be there (CI sets
    REQUIRE_SCALE_OUT=1, so a missing PostgreSQL or Redis cannot pass as a skip), skip
    on a developer's machine without it."""
    if os.environ.get("REQUIRE_SCALE_OUT") == "1":
        pytest.fail(f"REQUIRE_SCALE_OUT=1 but {reason}")
    pytest.skip(reason)


def base_url() -> str:
    return POSTGRES_URL or PG_DEFAULT


def scratch_database(suffix: str) -> str | None:
    """The URL of a fresh, empty database named after the test database, or None when
    no PostgreSQL answers. Dropped and created anew each time it is asked for."""
    try:
        base = make_url(base_url())
    except ArgumentError:
        return None
    name = f"{base.database or 'test'}_{suffix}"
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=2) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    return base.set(database=name).render_as_string(hide_password=False)
