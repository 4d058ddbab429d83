"""Invited consultations: the audience every role gets, single-use expiring links,
registering straight into an invitation, reminders, delegation, and that no outsider
learns an invited consultation's title from search, feeds or the live room."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from sqlmodel import col, select

from consultations.comments import live
from consultations.invitations import service as invitations
from consultations.invitations.models import Invitation
from consultations.lifecycle.models import Consultation
from tests.client import HubClient, error_summary, soup
from tests.consultations.invitations.factories import invite, make_invited
from tests.definitions.factories import viewer_for
from tests.factories import ROLES, World, make_user
from workspace.models import OutboxEmail
from workspace.notifications.models import Notification
from workspace.permissions import ANONYMOUS
from workspace.runtime import Runtime
from workspace.search.outbox import backlog


@pytest.fixture
def invited_a(rt: Runtime, world: World) -> Consultation:
    """Invited consultation A, with the "public" person invited by email."""
    consultation = make_invited(rt, world, "Fabric standard: small group A")
    invite(rt, world, consultation, world.users["public"].email)
    return consultation


@pytest.fixture
def invited_b(rt: Runtime, world: World) -> Consultation:
    """Invited consultation B: nobody outside the group invited."""
    return make_invited(rt, world, "Allowable solutions: small group B")


def _url(c: Consultation, tail: str = "") -> str:
    return f"/consultations/{c.slug}{tail}"


# What each role gets on invited consultation A (public is A's invitee) and on B.
READ_A = dict.fromkeys(ROLES, 200) | {"visitor": 404}
READ_B = dict.fromkeys(ROLES, 200) | {"visitor": 404, "public": 404}
RESPOND_A = {
    "visitor": 404,
    "public": 200,
    "member": 403,  # a member who was not invited does not answer for their organisation
    "chair": 200,
    "observer": 403,
    "secretariat": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_and_answers_invited_consultations_as_the_policy_says(
    as_role: Callable[[str], HubClient],
    invited_a: Consultation,
    invited_b: Consultation,
    role: str,
) -> None:
    client = as_role(role)
    assert client.get(_url(invited_a)).status_code == READ_A[role]
    assert client.get(_url(invited_b)).status_code == READ_B[role]
    assert client.get(_url(invited_a, "/respond")).status_code == RESPOND_A[role]
    assert client.get(_url(invited_a, "/comments")).status_code == READ_A[role]
    # invitee of A never reads B, nor its comments or response form
    if role == "public":
        assert client.get(_url(invited_b, "/comments")).status_code == 404
        assert client.get(_url(invited_b, "/respond")).status_code == 404
    managed = {"chair": 200, "secretariat": 200, "visitor": 404}
    assert client.get(_url(invited_a, "/invitations")).status_code == managed.get(role, 403)


def test_an_outsider_never_learns_the_title_from_lists_feeds_search_or_the_live_room(
    rt: Runtime,
    world: World,
    as_role: Callable[[str], HubClient],
    invited_b: Consultation,
) -> None:
    _drain(rt)
    title_word = "Allowable"
    for role in ("visitor", "public"):
        client = as_role(role)
        listing = client.page("/consultations/")
        assert invited_b.title not in listing.get_text()
        found = _search_titles(client, title_word)
        assert invited_b.title not in found
        atom = ElementTree.fromstring(client.get("/feeds/activity.atom").content)  # noqa: S314
        texts = [t.text or "" for t in atom.iter()]
        assert not any(invited_b.title in t for t in texts)
        group_atom = client.get(f"/groups/{world.group.slug}/activity.atom")
        group_feed = ElementTree.fromstring(group_atom.content)  # noqa: S314 (our own feed)
        texts = [t.text or "" for t in group_feed.iter()]
        assert any("Zero carbon homes definition" in t for t in texts)  # the feed is not empty
        assert not any(invited_b.title in t for t in texts)
    assert live.authorise(rt, ANONYMOUS, invited_b.id or 0) is None
    assert live.authorise(rt, viewer_for(rt, world.users["public"]), invited_b.slug) is None
    # the group's people do find it
    assert invited_b.title in _search_titles(as_role("member"), title_word)
    assert live.authorise(rt, viewer_for(rt, world.users["observer"]), invited_b.id or 0)


def test_the_invitee_finds_their_consultation_in_search(
    rt: Runtime, as_role: Callable[[str], HubClient], invited_a: Consultation
) -> None:
    _drain(rt)
    assert invited_a.title in _search_titles(as_role("public"), "Fabric small group")
    assert invited_a.title not in _search_titles(as_role("visitor"), "Fabric small group")


def test_links_are_hashed_single_use_and_expire(rt: Runtime, world: World) -> None:
    consultation = make_invited(rt, world)
    invite(rt, world, consultation, "newcomer@example.org")
    token = _token_from_mail(rt, "newcomer@example.org")
    with rt.db.read() as session:
        stored = session.exec(select(Invitation)).all()
        assert all(token not in (i.token_hash, i.email) for i in stored)
        assert invitations.find_live(session, token, rt.clock()) is not None
    newcomer = make_user(rt, email="newcomer-account@example.org")
    assert invitations.do_accept(rt, token, newcomer.id or 0) is not None
    assert invitations.do_accept(rt, token, newcomer.id or 0) is None  # used once
    with rt.db.read() as session:
        assert consultation.id in invitations.invited_to(session, newcomer.id or 0)
    # a second link, left to expire
    invite(rt, world, consultation, "late@example.org")
    late = _token_from_mail(rt, "late@example.org")
    start = rt.clock()
    rt.clock = lambda: start + timedelta(days=invitations.INVITATION_DAYS, minutes=1)
    assert invitations.do_accept(rt, late, newcomer.id or 0) is None


def test_a_revoked_invitation_no_longer_reads_and_resending_gives_a_new_link(
    rt: Runtime, world: World, as_role: Callable[[str], HubClient], invited_a: Consultation
) -> None:
    chair = as_role("chair")
    with rt.db.read() as session:
        row = session.exec(
            select(Invitation).where(Invitation.consultation_id == invited_a.id)
        ).one()
    assert chair.submit(_url(invited_a, f"/invitations/{row.id}/revoke")).status_code == 303
    assert as_role("public").get(_url(invited_a)).status_code == 404
    first = _token_from_mail(rt, world.users["public"].email)
    assert chair.submit(_url(invited_a, f"/invitations/{row.id}/resend")).status_code == 303
    second = _token_from_mail(rt, world.users["public"].email)
    assert first != second
    with rt.db.read() as session:
        assert invitations.find_live(session, first, rt.clock()) is None
        assert invitations.find_live(session, second, rt.clock()) is not None
    assert as_role("public").get(_url(invited_a)).status_code == 200


def test_a_person_without_an_account_registers_straight_into_the_invitation(
    app, rt: Runtime, world: World, invited_b: Consultation
) -> None:  # type: ignore[no-untyped-def]
    chair = HubClient(app).__enter__()
    chair.sign_in_as(world.users["chair"])
    made = chair.submit(
        _url(invited_b, "/invitations/new"), {"kind": "person", "email": "pat@example.org"}
    )
    assert made.status_code == 303
    token = _token_from_mail(rt, "pat@example.org")
    with HubClient(app) as pat:
        page = pat.page(f"/invitations/{token}")
        assert page.select_one("h1").get_text(strip=True) == invited_b.title
        assert page.select_one("#email")["value"] == "pat@example.org"
        bad = pat.submit(
            f"/invitations/{token}",
            {"email": "pat@example.org", "display_name": "Pat Newcomer", "password": "short"},
        )
        assert bad.status_code == 400
        kept = pat.page(f"/invitations/{token}")  # still usable after a mistake
        assert kept.select_one("h1") is not None
        assert error_summary(soup(bad.text))
        done = pat.submit(
            f"/invitations/{token}",
            {
                "email": "pat@example.org",
                "display_name": "Pat Newcomer",
                "password": "a long enough one",
            },
        )
        assert done.status_code == 303
        assert done.headers["location"] == _url(invited_b)
        assert pat.get(_url(invited_b)).status_code == 200
        assert pat.get(_url(invited_b, "/respond")).status_code == 200
        assert pat.get(f"/invitations/{token}").status_code == 404  # single use
    chair.__exit__(None, None, None)


def test_invite_form_errors_keep_the_input(
    as_role: Callable[[str], HubClient], invited_b: Consultation
) -> None:
    chair = as_role("chair")
    response = chair.submit(
        _url(invited_b, "/invitations/new"), {"kind": "person", "email": "not an address"}
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page)
    assert page.select_one("#email")["value"] == "not an address"


def test_reminders_go_once_a_day_at_most_twice_and_not_to_respondents(
    rt: Runtime, world: World, invited_b: Consultation
) -> None:
    invite(rt, world, invited_b, "a@example.org")
    invite(rt, world, invited_b, "b@example.org")
    chair = viewer_for(rt, world.users["chair"])
    assert invitations.do_remind(rt, chair, invited_b.id or 0) == 2
    assert invitations.do_remind(rt, chair, invited_b.id or 0) == 0  # not twice in a day
    start = rt.clock()
    rt.clock = lambda: start + timedelta(days=1, minutes=1)
    assert invitations.do_remind(rt, chair, invited_b.id or 0) == 2
    rt.clock = lambda: start + timedelta(days=3)
    assert invitations.do_remind(rt, chair, invited_b.id or 0) == 0  # limit reached
    with rt.db.read() as session:
        sent = session.exec(
            select(OutboxEmail).where(col(OutboxEmail.subject).startswith("Reminder"))
        ).all()
    assert sorted(m.to_address for m in sent) == ["a@example.org"] * 2 + ["b@example.org"] * 2


def test_an_organisations_invitee_delegates_to_a_colleague(
    rt: Runtime, world: World, as_role: Callable[[str], HubClient], invited_b: Consultation
) -> None:
    org = world.orgs["builders"]
    invite(rt, world, invited_b, world.users["public"].email, org.id)
    public = as_role("public")
    refused = public.submit(_url(invited_b, "/delegate"), {"email": "nope"})
    assert refused.status_code == 400
    assert (
        public.submit(_url(invited_b, "/delegate"), {"email": "colleague@example.org"}).status_code
        == 303
    )
    with rt.db.read() as session:
        passed = session.exec(
            select(Invitation).where(Invitation.email == "colleague@example.org")
        ).one()
    assert passed.organisation_id == org.id
    assert passed.delegated_from is not None
    assert _token_from_mail(rt, "colleague@example.org")


def test_someone_invited_on_their_own_cannot_pass_it_on(
    as_role: Callable[[str], HubClient], invited_a: Consultation
) -> None:
    public = as_role("public")
    refused = public.submit(_url(invited_a, "/delegate"), {"email": "colleague@example.org"})
    assert refused.status_code == 400
    assert error_summary(soup(refused.text))


def test_an_organisation_invited_with_all_its_people_reaches_its_seated_members(
    rt: Runtime, world: World, as_role: Callable[[str], HubClient]
) -> None:
    consultation = make_invited(rt, world, "Other group's people")
    # the outsider is seated for UK Green Building Council in the other group
    assert as_role("outsider").get(_url(consultation)).status_code == 404
    invite(rt, world, consultation, "", world.orgs["green"].id, whole=True)
    assert as_role("outsider").get(_url(consultation)).status_code == 200


# -- helpers --------------------------------------------------------------------------------


def _search_titles(client: HubClient, q: str) -> list[str]:
    page = client.page(f"/search?q={q}")
    return [a.get_text(strip=True) for a in page.select(".ss-search-result h2 a")]


def _drain(rt: Runtime) -> None:
    rt.indexer.drain()
    deadline = time.monotonic() + 10
    while backlog(rt.db) and time.monotonic() < deadline:
        time.sleep(0.02)
        rt.indexer.drain()


def _token_from_mail(rt: Runtime, to: str) -> str:
    """The newest invitation link mailed to `to`, read from the mail outbox."""
    with rt.db.read() as session:
        message = session.exec(
            select(OutboxEmail)
            .where(OutboxEmail.to_address == to, col(OutboxEmail.subject).startswith("You are"))
            .order_by(col(OutboxEmail.id).desc())
        ).first()
    assert message is not None
    found = re.search(r"/invitations/([A-Za-z0-9_-]+)", message.body)
    assert found is not None
    return found.group(1)


def test_followers_of_the_group_outside_the_audience_are_not_told_it_opened(
    rt: Runtime, world: World, as_role: Callable[[str], HubClient]
) -> None:
    follower = as_role("public")
    followed = follower.submit(
        "/following/set",
        {"kind": "group", "target_id": str(world.group.id), "action": "follow"},
    )
    assert followed.status_code == 303
    invited = make_invited(rt, world, "Allowable solutions: quiet group")
    rt.worker.run_pending()
    with rt.db.read() as session:
        told = session.exec(
            select(Notification.user_id, Notification.title).where(
                col(Notification.title).contains(invited.title)
            )
        ).all()
    people = {user_id for user_id, _title in told}
    assert world.users["public"].id not in people
    assert world.users["member"].id in people  # the group's own people still hear of it
