"""Docs that cannot drift: every setting is documented in docs/settings.md."""

from __future__ import annotations

from pathlib import Path

from workspace.settings import Settings, documented_settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text()
    missing = [name for name, _default, _help in documented_settings() if f"`{name}`" not in text]
    assert missing == []


def test_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "sqlite:///x.db", "SESSION_DAYS": "3", "ARGON2_FAST": "yes"}
    )
    assert settings.database_url == "sqlite:///x.db"
    assert settings.session_days == 3
    assert settings.argon2_fast is True
    assert Settings.from_env({}).database_url == "sqlite:///var/sharedspace.db"
