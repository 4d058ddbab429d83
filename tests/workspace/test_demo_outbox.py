"""Demo mode: the secretariat reads the mail outbox in the browser; nobody else, and
nobody at all outside demo mode."""

from __future__ import annotations

from dataclasses import replace

from sharedspace.app import create_app
from tests.client import HubClient
from tests.factories import build_world
from workspace.runtime import Runtime
from workspace.settings import Settings


def test_the_secretariat_reads_the_outbox_in_demo_mode(settings: Settings) -> None:
    app = create_app(replace(settings, demo_mode=True))
    rt: Runtime = app.state.runtime
    world = build_world(rt)
    with rt.db.write() as unit:
        rt.mailer.queue(
            unit, "someone@example.org", "Hello <there>", "Plain words.", html="<p>Rich</p>"
        )
    with HubClient(app) as admin, HubClient(app) as member:
        admin.sign_in_as(world.users["secretariat"])
        member.sign_in_as(world.users["member"])
        page = admin.page("/outbox")
        assert "Hello <there>" in page.select_one("table").get_text()
        assert page.select_one("a[href='/outbox']") is not None  # in the navigation
        one = admin.page("/outbox/1")
        assert "Plain words." in one.select_one("pre").get_text()
        html = admin.get("/outbox/1/html")
        assert html.text == "<p>Rich</p>"
        assert "sandbox" in html.headers["content-security-policy"]
        assert admin.get("/outbox/2").status_code == 404
        assert admin.get("/outbox/99999999999999").status_code == 404
        assert member.get("/outbox").status_code == 403
    rt.worker.close()
    rt.db.dispose()


def test_the_demos_people_have_notifications_waiting(rt: Runtime) -> None:
    from sqlmodel import func, select

    from sharedspace import demo
    from sharedspace.demo.context import demo_email
    from workspace.models import User
    from workspace.notifications.models import Notification

    demo.load(rt, "demo password 1")
    with rt.db.read() as session:
        counts = dict(
            session.execute(
                select(User.email, func.count())
                .join(Notification, Notification.user_id == User.id)
                .group_by(User.email)
            ).all()
        )
    for who in ("chair", "observer", "public"):
        assert counts.get(demo_email(who), 0) > 0, who
    assert rt.worker.backlog() == 0
