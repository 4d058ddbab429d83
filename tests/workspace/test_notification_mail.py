"""Notifications by email, received by a real SMTP server (aiosmtpd): headers, both parts,
the footer's why, one-click unsubscribe without signing in, digests at each person's hour
in their time zone against a fixed clock, retries with back-off."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from consultations.comments.models import Comment
from sharedspace.app import create_app
from tests.consultations.factories import Clock, make_consultation, post_comment
from tests.definitions.factories import make_definition, viewer_for
from tests.factories import World, build_world
from tests.mailserver import Sink, parts, smtp_server
from workspace.models import OutboxEmail
from workspace.notifications.emails import last_slot
from workspace.notifications.models import (
    EmailState,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from workspace.runtime import Runtime
from workspace.settings import Settings

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def mailed(settings: Settings) -> Iterator[tuple[Runtime, World, Sink]]:
    """An app whose mail goes to a real SMTP server, its world, and what the server got."""
    with smtp_server() as (sink, url):
        app = create_app(replace(settings, smtp_url=url))
        rt: Runtime = app.state.runtime
        try:
            yield rt, build_world(rt), sink
        finally:
            rt.worker.close()
            rt.db.dispose()


def _reply(rt: Runtime, world: World) -> Comment:
    consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "Fabric first, please.")
    rt.worker.run_pending()
    return post_comment(rt, consultation, world.users["member"], "Why fabric?", parent=first)


def test_a_reply_is_emailed_at_once_as_text_and_html(
    mailed: tuple[Runtime, World, Sink],
) -> None:
    rt, world, sink = mailed
    reply = _reply(rt, world)
    rt.worker.run_pending()
    [message] = sink.to(world.users["public"].email)
    assert message["Subject"].startswith("Raj Member replied to your comment")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"]
    link = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(message)
    assert f"/comments/{reply.id}" in text
    assert f"/comments/{reply.id}" in html
    assert "Why you got this: You wrote the comment they answered." in text
    assert "Change what we email you" in text
    assert "/notifications/preferences" in html
    assert "&lt;" not in text  # the text part is not HTML-escaped
    assert link.startswith(rt.settings.base_url)


def _one_click(app: object, link: str) -> int:
    """The mail program's RFC 8058 POST: no cookie, no CSRF token."""
    path = urlsplit(link).path
    with TestClient(app, base_url="http://testserver") as anonymous:  # type: ignore[arg-type]
        response = anonymous.post(
            path,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    return response.status_code


def test_one_click_unsubscribe_needs_no_sign_in_and_a_get_changes_nothing(
    settings: Settings,
) -> None:
    with smtp_server() as (sink, url):
        app = create_app(replace(settings, smtp_url=url))
        rt: Runtime = app.state.runtime
        world = build_world(rt)
        _reply(rt, world)
        rt.worker.run_pending()
        [message] = sink.to(world.users["public"].email)
        link = message["List-Unsubscribe"].strip("<>")
        with TestClient(app) as scanner:  # a link checker fetching the link
            page = scanner.get(urlsplit(link).path)
        assert page.status_code == 200
        assert "Stop these emails?" in page.text
        assert _preference(rt, world, "comment_reply") is None
        assert _one_click(app, link) == 200
        assert _preference(rt, world, "comment_reply") == "never"
        forged = link[:-4] + "0000"
        assert _one_click(app, forged) == 404
        rt.worker.close()
        rt.db.dispose()


def _preference(rt: Runtime, world: World, kind: str) -> str | None:
    with rt.db.read() as session:
        row = session.exec(
            select(NotificationPreference).where(
                NotificationPreference.user_id == world.users["public"].id,
                NotificationPreference.kind == kind,
            )
        ).first()
    return row.channel if row else None


def test_a_refused_message_is_retried_after_back_off(mailed: tuple[Runtime, World, Sink]) -> None:
    rt, world, sink = mailed
    _reply(rt, world)
    sink.refuse_next = 1
    rt.worker.run_pending()
    assert sink.to(world.users["public"].email) == []
    with rt.db.read() as session:
        row = session.exec(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()  # type: ignore[union-attr]
    assert row is not None
    assert row.state == "queued"
    assert row.attempts == 1
    assert row.next_attempt_at is not None
    assert "451" in row.last_error
    rt.mailer.send_due()  # not due yet: nothing happens
    assert sink.to(world.users["public"].email) == []
    with rt.db.write() as unit:
        stored = unit.session.get(OutboxEmail, row.id)
        assert stored is not None
        stored.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
        unit.session.add(stored)
    rt.worker.run_periodic()  # the sweep sends what is due
    assert len(sink.to(world.users["public"].email)) == 1


# -- digests ---------------------------------------------------------------------------


def test_the_last_slot_follows_each_time_zone_and_summer_time() -> None:
    # 1 July 2016, 07:30 UTC is 08:30 in London (BST) and 09:30 in Brussels.
    now = datetime(2016, 7, 1, 7, 30, tzinfo=UTC)
    assert last_slot(now, LONDON, 8, None) == datetime(2016, 7, 1, 8, tzinfo=LONDON)
    brussels = ZoneInfo("Europe/Brussels")
    assert last_slot(now, brussels, 10, None) == datetime(2016, 6, 30, 10, tzinfo=brussels)
    # Friday 1 July: the last Monday-at-eight was 27 June.
    assert last_slot(now, LONDON, 8, 0) == datetime(2016, 6, 27, 8, tzinfo=LONDON)
    winter = datetime(2016, 1, 4, 8, 0, tzinfo=UTC)  # GMT: 08:00 London exactly
    assert last_slot(winter, LONDON, 8, 0) == datetime(2016, 1, 4, 8, tzinfo=LONDON)


def _propose(rt: Runtime, world: World) -> None:
    from definitions.signoff import service as signoff

    definition = make_definition(rt, world)
    signoff.do_propose(rt, viewer_for(rt, world.users["chair"]), world.group, definition.id or 0)
    rt.worker.run_pending()


def test_observers_get_a_weekly_progress_digest_at_their_hour(
    mailed: tuple[Runtime, World, Sink],
) -> None:
    rt, world, sink = mailed
    # Wednesday 6 July 2016, 10:00 in London.
    clock = Clock(datetime(2016, 7, 6, 9, 0, tzinfo=UTC))
    rt.clock = clock
    _propose(rt, world)
    observer = world.users["observer"]
    assert rt.notifications.digests.send_due() == 0  # last Monday's slot came before it
    clock.now = datetime(2016, 7, 11, 6, 59, tzinfo=UTC)  # Monday 07:59 BST
    assert rt.notifications.digests.send_due() == 0
    clock.now = datetime(2016, 7, 11, 7, 0, tzinfo=UTC)  # Monday 08:00 BST: the slot
    assert rt.notifications.digests.send_due() == 1
    assert rt.notifications.digests.send_due() == 0  # once only
    rt.worker.run_pending()
    [digest] = sink.to(observer.email)
    assert digest["Subject"] == "Your weekly Shared Space digest: 1 update"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(digest)
    assert "DEFINITIONS" in text
    assert "<h2" in html
    assert "Definitions" in html
    assert "proposed for agreement" in text
    assert "You follow the task group Zero carbon homes definition" in text
    assert "Stop all email from Shared Space" in text
    with rt.db.read() as session:
        states = session.exec(
            select(Notification.email_state).where(Notification.user_id == observer.id)
        ).all()
    assert states == [EmailState.EMAILED]


def test_a_daily_digest_in_another_time_zone(mailed: tuple[Runtime, World, Sink]) -> None:
    rt, world, sink = mailed
    observer = world.users["observer"]
    with rt.db.write() as unit:
        unit.session.add(
            NotificationSettings(user_id=observer.id or 0, timezone="Asia/Tokyo", digest_hour=9)
        )
        unit.session.add(
            NotificationPreference(
                user_id=observer.id or 0, kind="definition_progress", channel="daily"
            )
        )
    clock = Clock(datetime(2016, 7, 6, 12, 0, tzinfo=UTC))  # 21:00 in Tokyo
    rt.clock = clock
    _propose(rt, world)
    clock.now = datetime(2016, 7, 6, 23, 59, tzinfo=UTC)  # 08:59 in Tokyo
    assert rt.notifications.digests.send_due() == 0
    clock.now = datetime(2016, 7, 7, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
    assert rt.notifications.digests.send_due() == 1
    rt.worker.run_pending()
    [digest] = sink.to(observer.email)
    assert digest["Subject"].startswith("Your daily Shared Space digest")


def test_two_workers_never_send_one_digest_twice(mailed: tuple[Runtime, World, Sink]) -> None:
    rt, world, sink = mailed
    clock = Clock(datetime(2016, 7, 6, 9, 0, tzinfo=UTC))
    rt.clock = clock
    _propose(rt, world)
    clock.now = datetime(2016, 7, 11, 7, 5, tzinfo=UTC)
    plans = rt.notifications.digests.plans(clock.now)
    with rt.db.write() as first:
        assert rt.notifications.digests.send_batch(first, plans) == 1
    with rt.db.write() as second:  # the other worker, with the plan it made before
        assert rt.notifications.digests.send_batch(second, plans) == 0
    rt.worker.run_pending()
    assert len(sink.to(world.users["observer"].email)) == 1


def _all(sink: Sink) -> list[EmailMessage]:
    return list(sink.messages)
