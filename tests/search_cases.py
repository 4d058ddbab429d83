"""Fixtures that run a search test once per backend: Whoosh on SQLite, and, when CI's
PostgreSQL is there, Whoosh and PostgreSQL full-text search on PostgreSQL. A test module
imports them (`from tests.search_cases import database_url, search_case, settings`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, fresh_database
from workspace.settings import Settings

# (database, SEARCH_BACKEND): the PostgreSQL backend needs a PostgreSQL database.
SEARCH_CASES = [("sqlite", "whoosh")] + (
    [("postgres", "whoosh"), ("postgres", "postgres")] if POSTGRES_URL else []
)


@pytest.fixture(params=SEARCH_CASES, ids=["-".join(case) for case in SEARCH_CASES])
def search_case(request: pytest.FixtureRequest) -> tuple[str, str]:
    case: tuple[str, str] = request.param
    return case


@pytest.fixture
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, search_case: tuple[str, str]
) -> str:
    return fresh_database(request, tmp_path, search_case[0])


@pytest.fixture
def settings(settings: Settings, search_case: tuple[str, str]) -> Settings:
    return replace(settings, search_backend=search_case[1])
