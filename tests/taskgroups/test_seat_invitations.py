"""Inviting someone with no account yet to a seat (issue 14): the secretariat's form on
the seating page, the emailed single-use link (through the outbox, the worker and a real
SMTP server), registering or signing in from it, members and observers seated apart,
expiry, withdrawal, the wrong account, and the activity log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlmodel import select

from taskgroups.groups.models import Membership, ObserverSeat, SeatInvitation
from tests.client import HubClient, error_summary, soup
from tests.factories import World, make_user
from tests.mailserver import Sink, mailed_hub
from workspace.models import ActivityEvent, User
from workspace.runtime import Runtime
from workspace.settings import Settings

NEWCOMER = "nia.newcomer@example.org"


@pytest.fixture
def mailed(settings: Settings) -> Iterator[tuple[Any, Runtime, World, Sink]]:
    with mailed_hub(settings) as hub:
        yield hub


def _client(app: Any, user: User | None = None) -> HubClient:
    client = HubClient(app)
    if user is not None:
        client.sign_in_as(user)
    return client


def _invite(app: Any, world: World, **fields: str) -> Any:
    admin = _client(app, world.users["secretariat"])
    data = {
        "invite_name": "Nia Newcomer",
        "invite_email": NEWCOMER,
        "invite_kind": "member",
        "invite_organisation_id": str(world.orgs["green"].id),
        "invite_role": "member",
    } | fields
    return admin.submit(f"/groups/{world.group.slug}/seat-invitations", data)


def _link(rt: Runtime, sink: Sink, to: str = NEWCOMER) -> str:
    rt.worker.run_pending()
    message: EmailMessage = sink.to(to)[-1]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"https?://\S+(/groups/\S+/join/\S+)", str(body.get_content()))
    assert found is not None
    return found.group(1)


def _register(app: Any, link: str) -> Any:
    return _client(app).submit(
        link, {"display_name": "Nia Newcomer", "password": "a long password 1"}
    )


def test_a_newcomer_registers_from_the_link_and_is_seated_as_a_member(
    mailed: tuple[Any, Runtime, World, Sink],
) -> None:
    app, rt, world, sink = mailed
    assert _invite(app, world, invite_role="chair").status_code == 303
    page = _client(app, world.users["secretariat"]).page(f"/groups/{world.group.slug}/people")
    waiting = [li.get_text(" ", strip=True) for li in page.select(".ss-seat-invitations li")]
    assert len(waiting) == 1
    assert "Chair for UK Green Building Council" in waiting[0]
    link = _link(rt, sink)
    landing = _client(app).page(link)
    assert landing.select_one("h1").get_text(strip=True) == world.group.name
    assert landing.select_one("input#display_name")["value"] == "Nia Newcomer"
    done = _register(app, link)
    assert done.status_code == 303
    assert done.headers["location"] == f"/groups/{world.group.slug}"
    with rt.db.read() as session:
        user = session.exec(select(User).where(User.email == NEWCOMER)).one()
        seat = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
        assert (seat.group_id, seat.organisation_id, seat.role) == (
            world.group.id,
            world.orgs["green"].id,
            "chair",
        )
        assert session.exec(select(ObserverSeat).where(ObserverSeat.user_id == user.id)).all() == []
        verbs = session.exec(select(ActivityEvent.verb).order_by(ActivityEvent.id)).all()
    assert "seat_invitation.sent" in verbs
    assert verbs[-1] == "group.member_seated"
    # single use: the same link again is refused, plainly
    again = _client(app).get(link)
    assert again.status_code == 404
    assert soup(again.text).select_one("h1").get_text(strip=True) == (
        "This invitation link cannot be used"
    )
    assert _register(app, link).status_code == 404
    page = _client(app, world.users["secretariat"]).page(f"/groups/{world.group.slug}/people")
    assert page.select(".ss-seat-invitations li") == []


def test_an_observer_is_seated_apart_from_the_members(
    mailed: tuple[Any, Runtime, World, Sink],
) -> None:
    app, rt, world, sink = mailed
    made = _invite(app, world, invite_kind="observer", invite_department="HM Treasury")
    assert made.status_code == 303
    assert _register(app, _link(rt, sink)).status_code == 303
    with rt.db.read() as session:
        user = session.exec(select(User).where(User.email == NEWCOMER)).one()
        seat = session.exec(select(ObserverSeat).where(ObserverSeat.user_id == user.id)).one()
        assert (seat.group_id, seat.department, seat.ends_on) == (
            world.group.id,
            "HM Treasury",
            None,
        )
        assert session.exec(select(Membership).where(Membership.user_id == user.id)).all() == []


def test_an_expired_or_withdrawn_link_seats_nobody(
    mailed: tuple[Any, Runtime, World, Sink],
) -> None:
    app, rt, world, sink = mailed
    _invite(app, world)
    link = _link(rt, sink)
    real_clock = rt.clock
    rt.clock = lambda: real_clock() + timedelta(days=15)  # type: ignore[method-assign]
    assert _client(app).get(link).status_code == 404
    assert _register(app, link).status_code == 404
    rt.clock = real_clock  # type: ignore[method-assign]

    admin = _client(app, world.users["secretariat"])
    with rt.db.read() as session:
        invitation = session.exec(select(SeatInvitation)).one()
    withdrawn = admin.submit(
        f"/groups/{world.group.slug}/seat-invitations/{invitation.id}/withdraw"
    )
    assert withdrawn.status_code == 303
    assert _client(app).get(link).status_code == 404
    assert _register(app, link).status_code == 404
    with rt.db.read() as session:
        assert session.exec(select(User).where(User.email == NEWCOMER)).first() is None
        verbs = session.exec(select(ActivityEvent.verb)).all()
    assert "seat_invitation.withdrawn" in verbs
    # withdrawing what does not exist is a 404, never an error
    missing = f"/groups/{world.group.slug}/seat-invitations/99999999999/withdraw"
    assert admin.submit(missing).status_code == 404


def test_the_wrong_account_is_refused_and_the_right_one_signs_in_first(
    mailed: tuple[Any, Runtime, World, Sink],
) -> None:
    app, rt, world, sink = mailed
    existing = make_user(rt, "Nia Newcomer", email=NEWCOMER)
    _invite(app, world)
    link = _link(rt, sink)
    # someone else's account: a clear refusal, and the link still works for the right one
    other = _client(app, world.users["public"])
    refused = other.submit(link)
    assert refused.status_code == 409
    refusal = soup(refused.text).select_one(".ss-join-refusal")
    assert refusal is not None
    assert NEWCOMER in refusal.get_text()
    # signed out, an address with an account is asked to sign in, not to register
    landing = _client(app).page(link)
    assert landing.select_one("input#password") is None
    sign_in = landing.select_one("main a[href^='/account/sign-in']")
    assert sign_in is not None
    assert sign_in["href"].endswith(link)
    done = _client(app, existing).submit(link)
    assert done.status_code == 303
    with rt.db.read() as session:
        assert session.exec(select(Membership).where(Membership.user_id == existing.id)).one()


def test_the_form_keeps_what_was_typed_and_says_what_is_missing(
    mailed: tuple[Any, Runtime, World, Sink],
) -> None:
    app, _rt, world, _sink = mailed
    response = _invite(app, world, invite_name="", invite_kind="observer", invite_department="")
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == ["Enter their name", "Enter the government department"]
    assert page.select_one("#invite_email")["value"] == NEWCOMER
    _invite(app, world)
    twice = soup(_invite(app, world).text)
    assert error_summary(twice) == ["This address already has an invitation to this group waiting"]
    # only the secretariat invites
    chair = _client(app, world.users["chair"])
    data = {"invite_name": "X", "invite_email": "x@example.org", "invite_kind": "observer"}
    assert chair.submit(f"/groups/{world.group.slug}/seat-invitations", data).status_code == 403
