"""Building search for a runtime: the backend the settings choose, and the service that
knows every plugin's document providers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workspace.db import Database
from workspace.search import DocumentProvider, SearchBackend, SearchService
from workspace.search.postgres.backend import PostgresBackend
from workspace.search.whoosh.backend import WhooshBackend
from workspace.settings import Settings


def make_backend(settings: Settings, db: Database) -> SearchBackend:
    """SEARCH_BACKEND: Whoosh in DATA_DIR (one machine), or PostgreSQL full-text search
    in the shared database (several machines). Settings.check refused "postgres" on any
    other database before this runs."""
    if settings.search_backend == "postgres":
        return PostgresBackend(db)
    return WhooshBackend(Path(settings.data_dir) / "search")


def make_search(
    settings: Settings, db: Database, providers: Iterable[DocumentProvider]
) -> SearchService:
    return SearchService(make_backend(settings, db), providers)
