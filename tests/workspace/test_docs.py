"""Docs that cannot drift: every setting is documented in docs/settings.md, every
command of `sharedspace` in the README."""

from __future__ import annotations

import argparse
from pathlib import Path

from sharedspace import cli
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


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    """Every command line the parser accepts ("serve", "db upgrade", ...)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, f"{prefix}{name} ") or [f"{prefix}{name}"]
    return found


def test_every_command_is_in_the_readme() -> None:
    text = (ROOT / "README.md").read_text()
    commands = _commands(cli._parser())
    assert "reindex" in commands
    missing = [command for command in commands if f"`{command}" not in text]
    assert missing == []
