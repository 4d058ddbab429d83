"""Migration 9d194830bf23 moves sign-off from definitions to subjects without losing a
position or a dispute, on both engines, and back again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from sharedspace import migrate
from tests.workspace.pg_scratch import scratch_database
from workspace.db import Database

BEFORE = "b253b04da4d8"
ROWS = [
    'INSERT INTO "user" (id, email, display_name, password_hash, is_secretariat, is_active,'
    " created_at) VALUES (1, 'a@example.org', 'A', 'x', false, true, '2013-01-01')",
    "INSERT INTO organisation (id, name, slug, sector, created_at)"
    " VALUES (1, 'NHBC', 'nhbc', 'industry', '2013-01-01')",
    "INSERT INTO task_group (id, name, slug, remit_source, remit_html, status, created_at)"
    " VALUES (1, 'G', 'g', '', '', 'active', '2013-01-01')",
    "INSERT INTO definition (id, group_id, title, slug, purpose, status, head_number,"
    " created_at, updated_at) VALUES (7, 1, 'D', 'd', '', 'proposed', 2, '2013-01-01',"
    " '2013-01-01')",
    "INSERT INTO position (id, definition_id, revision_number, organisation_id, user_id,"
    " stance, comment, created_at) VALUES (3, 7, 2, 1, 1, 'object', 'No.', '2013-01-01')",
    "INSERT INTO dispute (id, definition_id, position_id, organisation_id, revision_number,"
    " status, answer) VALUES (5, 7, 3, 1, 2, 'open', '')",
]


@pytest.fixture(params=["sqlite", "postgres"])
def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'old.db'}" if request.param == "sqlite" else None
    if url is None:
        url = scratch_database("signoff")
        assert url is not None, "PostgreSQL does not answer"
    db = Database(url)
    migrate.upgrade(db, BEFORE)
    with db.engine.begin() as conn:
        for row in ROWS:
            conn.execute(text(row))
    yield db
    db.dispose()


def test_positions_and_disputes_become_the_definitions_and_come_back(old_db: Database) -> None:
    migrate.upgrade(old_db)
    with old_db.engine.begin() as conn:
        position = conn.execute(
            text("SELECT subject_kind, subject_id, revision_number, stance FROM position")
        ).all()
        dispute = conn.execute(
            text("SELECT subject_kind, subject_id, position_id, status FROM dispute")
        ).all()
    assert position == [("definition", 7, 2, "object")]
    assert dispute == [("definition", 7, 3, "open")]
    config = migrate.alembic_config(old_db.url)
    with old_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, BEFORE)
    with old_db.engine.begin() as conn:
        assert conn.execute(text("SELECT definition_id FROM position")).all() == [(7,)]
        assert conn.execute(text("SELECT definition_id, position_id FROM dispute")).all() == [
            (7, 3)
        ]
