"""`sharedspace backup` / `restore`: a SQLite round trip through the real commands, the
refusals, and the PostgreSQL commands printed instead of run; and pool settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlmodel import col, select

from sharedspace import cli, migrate
from sharedspace.app import build_runtime
from tests.factories import build_world
from workspace.db import Database
from workspace.models import User
from workspace.settings import Settings


def _point_at(monkeypatch: pytest.MonkeyPatch, url: str, data_dir: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.setenv("SECRET_KEY", "backup-test")
    monkeypatch.setenv("ARGON2_FAST", "1")


def _emails(url: str) -> list[str]:
    db = Database(url)
    try:
        with db.read() as session:
            return list(session.exec(select(User.email).order_by(col(User.email))).all())
    finally:
        db.dispose()


def _copy_of(sqlite_template: Path, path: Path) -> str:
    path.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{path}"


def test_sqlite_round_trip(
    tmp_path: Path,
    sqlite_template: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = _copy_of(sqlite_template, tmp_path / "live.db")
    rt = build_runtime(Settings(database_url=url, data_dir=str(tmp_path), argon2_fast=True))
    build_world(rt)  # written through the services; still in the WAL, not the main file
    rt.db.dispose()
    written = _emails(url)
    assert len(written) > 3

    _point_at(monkeypatch, url, tmp_path)
    archive = tmp_path / "backups" / "hub.sqlite3"
    assert cli.main(["backup", str(archive)]) == 0
    assert f"to {archive}" in capsys.readouterr().out
    assert not archive.with_name("hub.sqlite3.partial").exists()

    # A new machine: a fresh, empty (but migrated) database takes the backup.
    fresh = _copy_of(sqlite_template, tmp_path / "restored.db")
    _point_at(monkeypatch, fresh, tmp_path)
    assert cli.main(["restore", str(archive)]) == 0
    assert _emails(fresh) == written
    with sqlite3.connect(tmp_path / "restored.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # ... and the schema is the migrated one, so serving it needs nothing more.
    db = Database(fresh)
    migrate.upgrade(db)
    db.dispose()


def test_restore_into_a_database_in_use_needs_force(
    tmp_path: Path,
    sqlite_template: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    empty = _copy_of(sqlite_template, tmp_path / "empty.db")
    _point_at(monkeypatch, empty, tmp_path)
    archive = tmp_path / "empty-backup.db"
    assert cli.main(["backup", str(archive)]) == 0

    used = _copy_of(sqlite_template, tmp_path / "used.db")
    rt = build_runtime(Settings(database_url=used, data_dir=str(tmp_path), argon2_fast=True))
    build_world(rt)
    rt.db.dispose()
    _point_at(monkeypatch, used, tmp_path)
    capsys.readouterr()
    assert cli.main(["restore", str(archive)]) == 2
    err = capsys.readouterr().err
    assert "already holds data" in err
    assert "--force" in err
    assert _emails(used) != []  # untouched

    assert cli.main(["restore", str(archive), "--force"]) == 0
    assert _emails(used) == []


def test_restore_refuses_a_missing_or_foreign_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _point_at(monkeypatch, f"sqlite:///{tmp_path / 'hub.db'}", tmp_path)
    assert cli.main(["restore", str(tmp_path / "nothing-here.db")]) == 2
    sqlite3.connect(tmp_path / "blank.db").close()
    assert cli.main(["restore", str(tmp_path / "blank.db")]) == 2
    assert "not a Shared Space backup" in capsys.readouterr().err
    assert not (tmp_path / "hub.db").exists()


def test_postgres_prints_the_commands_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://hub:s3cret@db.internal:5432/sharedspace"
    _point_at(monkeypatch, url, tmp_path)
    assert cli.main(["backup", str(tmp_path / "hub.dump")]) == 0
    out = capsys.readouterr().out
    assert "pg_dump --format=custom" in out
    assert "postgresql://hub@db.internal:5432/sharedspace" in out
    assert cli.main(["restore", str(tmp_path / "hub.dump")]) == 0
    out += capsys.readouterr().out
    assert "pg_restore --clean --if-exists" in out
    assert "s3cret" not in out
    assert not (tmp_path / "hub.dump").exists()  # printed, not run


def test_pool_settings_reach_the_postgres_engine() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/none",
            "DATABASE_POOL_SIZE": "4",
            "DATABASE_MAX_OVERFLOW": "2",
        }
    )
    db = Database(
        settings.database_url, settings.database_pool_size, settings.database_max_overflow
    )
    pool = db.engine.pool
    assert (pool.size(), pool._max_overflow) == (4, 2)  # type: ignore[attr-defined]
    db.dispose()  # never connected: creating an engine opens nothing
