from __future__ import annotations

import email
import email.policy
from pathlib import Path

from sqlmodel import select

from tests.client import HubClient, error_summary, soup
from tests.factories import PASSWORD, make_user
from tests.mailbox import sent_mail
from workspace.models import User
from workspace.runtime import Runtime


def register(client: HubClient, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "email": "Fiona@Example.org ",
        "display_name": "Fiona Walsh",
        "password": "a long enough password",
    } | fields
    return client.submit("/account/register", data)


def test_register_normalises_email_and_says_check_your_email(
    client: HubClient, rt: Runtime
) -> None:
    response = register(client)
    assert response.status_code == 200
    assert soup(response.text).select_one("h1").get_text(strip=True) == "Check your email"
    with rt.db.read() as session:
        user = session.exec(select(User)).one()
    assert user.email == "fiona@example.org"
    assert user.password_hash.startswith("$argon2")
    [mail] = sent_mail(rt)
    assert client.submit(mail.link("/account/confirm/")).status_code == 303  # signs in
    signed_in = client.submit(
        "/account/sign-in", {"email": "fiona@example.org", "password": "a long enough password"}
    )
    assert signed_in.status_code == 303
    page = client.page("/my-groups")
    assert page.select_one("h1").get_text(strip=True) == "My groups"


def test_register_errors_keep_what_was_typed(client: HubClient) -> None:
    response = register(client, display_name="", password="short")
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == ["Enter your name", "Password must be 10 characters or more"]
    assert page.select_one("#email")["value"] == "Fiona@Example.org "  # exactly as typed
    assert page.select_one("title").get_text().startswith("Error:")
    assert page.select_one("#password").get("value") in (None, "")


def test_register_with_a_taken_email_answers_the_same(client: HubClient, rt: Runtime) -> None:
    make_user(rt, email="fiona@example.org")
    taken = register(client, email="FIONA@example.org")
    fresh = register(client, email="someone.new@example.org")
    assert taken.status_code == fresh.status_code == 200
    assert (
        taken.headers.get("set-cookie") is None or "ss_session" not in taken.headers["set-cookie"]
    )
    main = [soup(r.text).select_one("main").get_text(" ", strip=True) for r in (taken, fresh)]
    assert main[0].replace("fiona@example.org", "X") == main[1].replace(
        "someone.new@example.org", "X"
    )


def test_sign_in_and_out(client: HubClient, rt: Runtime) -> None:
    user = make_user(rt, "Raj Patel")
    response = client.submit(
        "/account/sign-in", {"email": user.email.upper(), "password": PASSWORD, "next": "/account/"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    page = client.page("/account/")
    assert "Raj Patel" in page.select_one(".govuk-summary-list").get_text()
    client.submit("/account/sign-out")
    assert client.get("/account/").status_code == 303


def test_sign_in_never_redirects_off_site(client: HubClient, rt: Runtime) -> None:
    user = make_user(rt)
    response = client.submit(
        "/account/sign-in", {"email": user.email, "password": PASSWORD, "next": "//evil.example/"}
    )
    assert response.headers["location"] == "/"


def test_wrong_password_is_refused_with_email_kept(client: HubClient, rt: Runtime) -> None:
    user = make_user(rt)
    response = client.submit("/account/sign-in", {"email": user.email, "password": "nope"})
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == ["Enter a correct email address and password"]
    assert page.select_one("#email")["value"] == user.email


def test_sign_in_rate_limited_per_account(client: HubClient, rt: Runtime) -> None:
    user = make_user(rt)
    limit = rt.settings.signin_limit_per_account
    for _ in range(limit):
        client.submit("/account/sign-in", {"email": user.email, "password": "wrong"})
    response = client.submit("/account/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in error_summary(soup(response.text))[0]


def test_sign_in_rate_limited_per_ip(client: HubClient, rt: Runtime) -> None:
    for n in range(rt.settings.signin_limit_per_ip):
        client.submit("/account/sign-in", {"email": f"x{n}@example.org", "password": "wrong"})
    response = client.submit("/account/sign-in", {"email": "new@example.org", "password": "x"})
    assert response.status_code == 429


def test_registration_rate_limited_per_ip(client: HubClient, rt: Runtime) -> None:
    for n in range(rt.settings.register_limit_per_ip):
        assert register(client, email=f"p{n}@example.org").status_code == 200
    response = register(client, email="one-more@example.org")
    assert response.status_code == 429
    assert "Too many accounts" in error_summary(soup(response.text))[0]
    assert 1 <= int(response.headers["retry-after"]) <= rt.settings.rate_window_seconds


def test_sign_out_everywhere_ends_other_sessions(app, rt: Runtime) -> None:  # type: ignore[no-untyped-def]
    user = make_user(rt)
    with HubClient(app) as laptop, HubClient(app) as phone:
        laptop.sign_in_as(user)
        phone.sign_in_as(user)
        assert phone.get("/account/").status_code == 200
        assert laptop.submit("/account/sign-out-everywhere").status_code == 303
        assert phone.get("/account/").status_code == 303
        assert laptop.get("/account/").status_code == 303


def test_password_reset_by_emailed_link(client: HubClient, rt: Runtime) -> None:
    user = make_user(rt)
    response = client.submit("/account/password-reset", {"email": user.email})
    assert response.status_code == 200
    mail = list((Path(rt.settings.data_dir) / "mail").glob("*.eml"))
    assert len(mail) == 1
    body = email.message_from_bytes(mail[0].read_bytes(), policy=email.policy.default)
    text = body.get_body().get_content()  # type: ignore[union-attr]
    link = next(line for line in text.splitlines() if "/password-reset/" in line)
    path = link.split("127.0.0.1:8000", 1)[1].strip()
    mismatch = client.submit(path, {"password": "new password 123", "password_confirm": "other"})
    assert error_summary(soup(mismatch.text)) == ["Passwords do not match"]
    done = client.submit(
        path, {"password": "new password 123", "password_confirm": "new password 123"}
    )
    assert done.status_code == 303
    assert client.get(path).status_code == 404  # used once only
    signed_in = client.submit(
        "/account/sign-in", {"email": user.email, "password": "new password 123"}
    )
    assert signed_in.status_code == 303


def test_password_reset_for_unknown_email_says_the_same(client: HubClient, rt: Runtime) -> None:
    response = client.submit("/account/password-reset", {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "If an account uses" in soup(response.text).select_one("main").get_text()
    assert not (Path(rt.settings.data_dir) / "mail").exists()
