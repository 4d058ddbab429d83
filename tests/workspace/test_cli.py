from __future__ import annotations

import io
import sys

import pytest

from sharedspace import cli
from workspace.settings import Settings


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DATA_DIR", settings.data_dir)
    monkeypatch.setenv("ARGON2_FAST", "1")
    monkeypatch.setenv("SECRET_KEY", "cli-test")
    return settings


def test_create_admin_and_list_users(
    env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a strong password\n"))
    assert cli.main(["create-admin", "Admin@Hub.example", "Ada Admin", "--password-stdin"]) == 0
    assert cli.main(["users"]) == 0
    out = capsys.readouterr().out
    assert "admin@hub.example" in out
    assert "secretariat" in out


def test_create_admin_refuses_a_weak_password(
    env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert cli.main(["create-admin", "a@hub.example", "A", "--password-stdin"]) == 2
    assert "10 characters" in capsys.readouterr().err


def test_demo_loads_once_and_prints_accounts(
    env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "demo password 1")
    assert cli.main(["demo"]) == 0
    first = capsys.readouterr().out
    assert "Loaded the Zero Carbon Hub demo" in first
    assert "chair@demo.sharedspace.test" in first
    assert "demo password 1" in first
    assert cli.main(["demo"]) == 0
    assert "Loaded" not in capsys.readouterr().out
