from __future__ import annotations

import io
import sys

import pytest
from sqlmodel import col, select

from consultations.comments.models import Comment
from sharedspace import cli
from tests.client import soup
from tests.consultations.factories import make_consultation, post_comment
from tests.factories import World
from workspace.models import User
from workspace.runtime import Runtime
from workspace.settings import Settings


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DATA_DIR", settings.data_dir)
    monkeypatch.setenv("ARGON2_FAST", "1")
    monkeypatch.setenv("SECRET_KEY", "cli-test")
    return settings


def test_create_admin_and_list_users(
    env: Settings, rt: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a strong password\n"))
    assert cli.main(["create-admin", "Admin@Hub.example", "Ada Admin", "--password-stdin"]) == 0
    assert cli.main(["users"]) == 0
    out = capsys.readouterr().out
    assert "admin@hub.example" in out
    assert "secretariat" in out
    assert _unconfirmed(rt) == []  # the operator typed the address: nothing to prove


def _unconfirmed(rt: Runtime) -> list[str]:
    with rt.db.read() as session:
        rows = session.exec(select(User.email).where(col(User.email_confirmed_at).is_(None)))
        return list(rows.all())


def test_create_admin_refuses_a_weak_password(
    env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert cli.main(["create-admin", "a@hub.example", "A", "--password-stdin"]) == 2
    assert "10 characters" in capsys.readouterr().err


def test_demo_loads_once_and_prints_accounts(
    env: Settings, rt: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "demo password 1")
    assert cli.main(["demo"]) == 0
    first = capsys.readouterr().out
    assert "Loaded the Zero Carbon Hub demo" in first
    assert "chair@demo.sharedspace.test" in first
    assert "demo password 1" in first
    assert cli.main(["demo"]) == 0
    assert "Loaded" not in capsys.readouterr().out
    assert _unconfirmed(rt) == []  # demo people sign in with the printed password


def test_rerender_renders_every_stored_comment_again(
    env: Settings, rt: Runtime, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "First")
    with rt.db.write() as unit:  # a stale fragment, as after a template change
        stale = unit.session.get(Comment, first.id)
        assert stale is not None
        stale.html = "<p>old fragment</p>"
        unit.session.add(stale)
    assert cli.main(["rerender", consultation.slug]) == 0
    assert "Rendered 1 comment(s) again in 1 consultation(s)." in capsys.readouterr().out
    with rt.db.read() as session:
        fresh = session.get(Comment, first.id)
        assert fresh is not None
        article = soup(fresh.html).select_one("article")
    assert article is not None
    assert article["id"] == f"comment-{first.id}"
    assert fresh.seq == 2  # a change like any other: live pages and the feed pick it up
    assert cli.main(["rerender", "no-such-consultation"]) == 2
    assert "no consultation no-such-consultation" in capsys.readouterr().err


def test_serve_links_to_the_address_it_listens_on() -> None:
    """Feed links and iCal UIDs followed port 8000 whatever port was served (issue 14)."""
    from sharedspace.cli import served_address

    assert served_address("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert served_address("0.0.0.0", 8000) == "http://localhost:8000"  # noqa: S104
    assert served_address("::1", 9000) == "http://[::1]:9000"
