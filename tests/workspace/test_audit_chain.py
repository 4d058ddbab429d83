"""The activity log is append-only and tamper-evident (issue 13): a hash chain sealed in
the writing transaction, safe under concurrent writers on both engines, database
triggers that refuse DELETE and changes to sealed fields, and `sharedspace audit verify`
naming the first broken link."""

from __future__ import annotations

import itertools
import threading
from collections import Counter

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from sharedspace import cli
from tests.factories import World
from workspace import activity, auditchain
from workspace.models import ActivityEvent
from workspace.runtime import Runtime
from workspace.settings import Settings


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DATA_DIR", settings.data_dir)
    monkeypatch.setenv("SECRET_KEY", "cli-test")
    return settings


def _ids(rt: Runtime) -> list[int]:
    with rt.db.read() as session:
        return [
            e or 0 for e in session.exec(select(ActivityEvent.id).order_by(col(ActivityEvent.id)))
        ]


def test_every_event_chains_onto_the_one_before(rt: Runtime, world: World) -> None:
    with rt.db.read() as session:
        events = session.exec(select(ActivityEvent).order_by(col(ActivityEvent.id))).all()
        assert len(events) > 5
        assert events[0].prev_hash == auditchain.GENESIS
        for before, after in itertools.pairwise(events):
            assert after.prev_hash == before.hash
        assert auditchain.verify(session).ok


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM activity_event WHERE id = :id",
        "UPDATE activity_event SET verb = 'group.deleted' WHERE id = :id",
        "UPDATE activity_event SET created_at = created_at WHERE id = :id AND 1 = 0",
        "UPDATE activity_event SET hash = '' WHERE id = :id",
    ],
)
def test_the_database_refuses_to_change_the_log(rt: Runtime, world: World, statement: str) -> None:
    target = _ids(rt)[2]
    if "1 = 0" in statement:  # touches no row: allowed, and proves the trigger is per row
        with rt.db.write() as unit:
            unit.session.execute(text(statement), {"id": target})
        return
    with pytest.raises(DBAPIError, match="append-only"), rt.db.write() as unit:
        unit.session.execute(text(statement), {"id": target})


def test_erasing_a_name_from_a_summary_keeps_the_chain(rt: Runtime, world: World) -> None:
    with rt.db.write() as unit:
        unit.session.execute(
            text("UPDATE activity_event SET summary = 'A former participant joined the hub'")
        )
    with rt.db.read() as session:
        assert auditchain.verify(session).ok


def _tamper(rt: Runtime, statement: str, params: dict[str, object]) -> None:
    """What someone with the database's owner rights could still do: lift the triggers."""
    with rt.db.write() as unit:
        if rt.settings.is_postgres:
            unit.session.execute(text("SET LOCAL sharedspace.allow_purge = 'on'"))
        else:
            unit.session.execute(text("DROP TRIGGER activity_event_no_update"))
            unit.session.execute(text("DROP TRIGGER activity_event_no_delete"))
        unit.session.execute(text(statement), params)


@pytest.mark.parametrize(
    ("statement", "broken"),
    [
        ("UPDATE activity_event SET verb = 'group.deleted' WHERE id = :id", 0),
        ("DELETE FROM activity_event WHERE id = :id", 1),
    ],
)
def test_audit_verify_names_the_first_broken_link(
    env: Settings,
    rt: Runtime,
    world: World,
    capsys: pytest.CaptureFixture[str],
    statement: str,
    broken: int,
) -> None:
    ids = _ids(rt)
    assert cli.main(["audit", "verify"]) == 0
    assert f"{len(ids)} event(s) checked" in capsys.readouterr().out
    _tamper(rt, statement, {"id": ids[3]})
    assert cli.main(["audit", "verify"]) == 1
    expected = ids[3 + broken]  # a changed event breaks itself; a deleted one, its successor
    assert f"the chain breaks at event {expected}" in capsys.readouterr().err


def test_concurrent_writers_never_fork_the_chain(rt: Runtime, world: World) -> None:
    def write(n: int) -> None:
        for i in range(8):
            with rt.db.write() as unit:
                activity.record(
                    unit,
                    actor_id=None,
                    verb="test.concurrent",
                    object_type="test",
                    object_id=n * 100 + i,
                    summary=f"writer {n}, event {i}",
                )

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with rt.db.read() as session:
        links = Counter(session.exec(select(ActivityEvent.prev_hash)).all())
        assert links.most_common(1)[0][1] == 1  # no event has two successors
        verdict = auditchain.verify(session)
    assert verdict.ok
    assert verdict.checked >= 48
