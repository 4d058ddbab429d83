"""Issue 18 item 5: a new account confirms its address before it can sign in, and the
retention job deletes accounts never confirmed."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select, update

from consultations.invitations.models import Invitation
from sharedspace.rights import retention
from tests.client import HubClient, error_summary, soup
from tests.consultations.factories import make_consultation
from tests.factories import World, make_user
from tests.mailbox import sent_mail
from workspace.db import utcnow
from workspace.models import ActivityEvent, EmailConfirmation, User
from workspace.runtime import Runtime

EMAIL, PASSWORD = "fiona@example.org", "a long enough password"
CONFIRM = "/account/confirm/"


def register(client: HubClient, email: str = EMAIL) -> None:
    response = client.submit(
        "/account/register",
        {"email": email, "display_name": "Fiona Walsh", "password": PASSWORD},
    )
    assert response.status_code == 200


def sign_in(client: HubClient) -> object:
    return client.submit("/account/sign-in", {"email": EMAIL, "password": PASSWORD})


def account(rt: Runtime, email: str = EMAIL) -> User:
    with rt.db.read() as session:
        return session.exec(select(User).where(User.email == email)).one()


def confirm_links(rt: Runtime) -> list[str]:
    return [m.link(CONFIRM) for m in sent_mail(rt) if CONFIRM in m.text]


def test_sign_in_is_refused_until_the_address_is_confirmed(client: HubClient, rt: Runtime) -> None:
    register(client)
    assert account(rt).email_confirmed_at is None
    assert [m.subject for m in sent_mail(rt)] == ["Confirm your email address for Shared Space"]
    refused = sign_in(client)
    assert refused.status_code == 400
    assert "ss_session" not in refused.headers.get("set-cookie", "")
    [message] = error_summary(soup(refused.text))
    assert message.startswith("You need to confirm your email address before you can sign in")
    assert "We have sent a new link to fiona@example.org" in message
    assert len(confirm_links(rt)) == 2  # the new link went out
    assert client.get("/account/").status_code == 303  # still signed out


def test_the_link_confirms_and_signs_in_once(client: HubClient, rt: Runtime) -> None:
    register(client)
    [path] = confirm_links(rt)
    page = client.page(path)  # showing the page spends nothing (mail scanners fetch links)
    assert page.select_one("h1").get_text(strip=True) == "Confirm your email address"
    assert account(rt).email_confirmed_at is None
    done = client.submit(path)
    assert done.status_code == 303
    assert done.headers["location"] == "/"
    home = client.page("/")
    banner = home.select_one(".govuk-notification-banner")
    assert banner is not None
    assert "Your email address is confirmed" in banner.get_text(" ", strip=True)
    assert client.get("/account/").status_code == 200  # signed in
    assert account(rt).email_confirmed_at is not None
    with rt.db.read() as session:
        verbs = session.exec(
            select(ActivityEvent.verb).where(ActivityEvent.object_id == account(rt).id)
        ).all()
    assert "account.registered" in verbs
    with HubClient(client.app) as other:
        used = other.get(path)
        assert used.status_code == 404
        heading = soup(used.text).select_one("h1").get_text(strip=True)
        assert heading == "This link has expired or has been used"
        assert other.submit(path).status_code == 404
        assert other.get("/account/").status_code == 303
    client.submit("/account/sign-out")
    assert sign_in(client).status_code == 303


def test_an_expired_link_offers_a_new_one(client: HubClient, rt: Runtime) -> None:
    register(client)
    [path] = confirm_links(rt)
    with rt.db.write() as unit:
        unit.session.exec(
            update(EmailConfirmation).values(expires_at=utcnow() - timedelta(minutes=1))
        )
    expired = client.get(path)
    assert expired.status_code == 404
    form = soup(expired.text).select_one("form[action='/account/confirm']")
    assert form is not None
    assert form.select_one("input#email") is not None
    assert client.submit(path).status_code == 404
    assert account(rt).email_confirmed_at is None
    again = client.submit("/account/confirm", {"email": "Fiona@Example.org"})
    assert again.status_code == 200
    assert soup(again.text).select_one("h1").get_text(strip=True) == "Check your email"
    links = confirm_links(rt)
    assert len(links) == 2
    assert client.submit(links[-1]).status_code == 303
    assert account(rt).email_confirmed_at is not None


def test_asking_for_a_link_for_an_unknown_address_says_the_same(
    client: HubClient, rt: Runtime
) -> None:
    register(client)
    known = client.submit("/account/confirm", {"email": EMAIL})
    unknown = client.submit("/account/confirm", {"email": "nobody@example.org"})
    texts = [soup(r.text).select_one("main").get_text(" ", strip=True) for r in (known, unknown)]
    assert texts[0].replace(EMAIL, "X") == texts[1].replace("nobody@example.org", "X")
    assert [m.to for m in sent_mail(rt)] == [EMAIL, EMAIL]
    empty = client.submit("/account/confirm", {"email": ""})
    assert empty.status_code == 400
    assert error_summary(soup(empty.text)) == ["Enter your email address"]


def test_registering_an_unconfirmed_address_again_resends_and_reveals_nothing(
    client: HubClient, rt: Runtime
) -> None:
    register(client)
    first_page = client.submit(
        "/account/register",
        {"email": "new@example.org", "display_name": "New", "password": PASSWORD},
    )
    again = client.submit(
        "/account/register",
        {"email": EMAIL, "display_name": "Someone Else", "password": "another password"},
    )
    assert again.status_code == first_page.status_code == 200
    texts = [soup(r.text).select_one("main").get_text(" ", strip=True) for r in (first_page, again)]
    assert texts[0].replace("new@example.org", "X") == texts[1].replace(EMAIL, "X")
    to_fiona = [m for m in sent_mail(rt) if m.to == EMAIL]
    assert [m.subject for m in to_fiona] == ["Confirm your email address for Shared Space"] * 2
    assert account(rt).display_name == "Fiona Walsh"  # the second form changed nothing


def test_new_links_are_rate_limited(client: HubClient, rt: Runtime) -> None:
    register(client)
    for _ in range(5):
        sign_in(client)
    assert len(confirm_links(rt)) == 4  # the first, then three more in the window
    [message] = error_summary(soup(sign_in(client).text))
    assert "We sent links to fiona@example.org recently" in message


def test_retention_deletes_only_old_unconfirmed_accounts(client: HubClient, rt: Runtime) -> None:
    register(client, "old@example.org")
    register(client, "new@example.org")
    confirmed_long_ago = make_user(rt, email="member@example.org")
    long_ago = utcnow() - timedelta(days=rt.settings.retention_unconfirmed_days + 1)
    with rt.db.write() as unit:
        unit.session.exec(
            update(User)
            .where(col(User.email).in_(["old@example.org", "member@example.org"]))
            .values(created_at=long_ago)
        )
    old_id = account(rt, "old@example.org").id
    swept = retention.sweep(rt)
    assert swept.unconfirmed == 1
    with rt.db.read() as session:
        emails = set(session.exec(select(User.email)).all())
        links = session.exec(select(EmailConfirmation.user_id)).all()
        trace = session.exec(
            select(ActivityEvent).where(
                ActivityEvent.object_type == "user", ActivityEvent.object_id == old_id
            )
        ).all()
    assert emails == {"new@example.org", "member@example.org"}
    assert links == [account(rt, "new@example.org").id]
    assert trace == []
    assert confirmed_long_ago.email in emails
    assert retention.sweep(rt).unconfirmed == 0


def test_password_reset_by_link_also_confirms_the_address(client: HubClient, rt: Runtime) -> None:
    register(client)
    client.submit("/account/password-reset", {"email": EMAIL})
    [reset] = [m.link("/password-reset/") for m in sent_mail(rt) if "/password-reset/" in m.text]
    new = "a brand new password"
    assert client.submit(reset, {"password": new, "password_confirm": new}).status_code == 303
    assert account(rt).email_confirmed_at is not None


def test_trusted_paths_are_confirmed_at_creation(rt: Runtime) -> None:
    assert make_user(rt).email_confirmed_at is not None


def test_an_unconfirmed_account_another_row_names_is_closed_not_deleted(
    client: HubClient, rt: Runtime, world: World
) -> None:
    """A secretariat invitation to the address names the account before anyone confirmed
    it: deleting the row would break the invitation, so the close-account rule applies."""
    register(client)
    consultation = make_consultation(rt, world)
    unconfirmed = account(rt)
    with rt.db.write() as unit:
        unit.session.add(
            Invitation(
                consultation_id=consultation.id or 0,
                email=EMAIL,
                user_id=unconfirmed.id,
                expires_at=utcnow() + timedelta(days=14),
            )
        )
        unit.session.exec(
            update(User)
            .where(col(User.id) == unconfirmed.id)
            .values(created_at=utcnow() - timedelta(days=30))
        )
    assert retention.sweep(rt).unconfirmed == 1
    with rt.db.read() as session:
        closed = session.get(User, unconfirmed.id)
        links = session.exec(select(EmailConfirmation)).all()
    assert closed is not None
    assert closed.email == f"closed-{unconfirmed.id}@closed.invalid"
    assert closed.display_name == "Former participant"
    assert not closed.is_active
    assert links == []
    assert retention.sweep(rt).unconfirmed == 0  # closed accounts are not swept again
