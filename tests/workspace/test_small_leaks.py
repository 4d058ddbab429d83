"""Issue 13's small leaks: registration never says whether an address has an account,
every 429 says when to try again, signed-in pages are never stored, and an https site
sends HSTS and Secure cookies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event

from sharedspace.app import create_app
from tests.client import HubClient, error_summary, soup
from tests.factories import PASSWORD, make_user
from tests.mailserver import Sink, smtp_server
from workspace.runtime import Runtime
from workspace.settings import Settings

FORM = {"display_name": "Fiona Walsh", "password": "a long enough password"}


@pytest.fixture
def mailed(settings: Settings) -> Iterator[tuple[HubClient, Runtime, Sink]]:
    """The app with its mail going to a real SMTP server (aiosmtpd)."""
    with smtp_server() as (sink, url):
        app = create_app(replace(settings, smtp_url=url))
        rt: Runtime = app.state.runtime
        try:
            with HubClient(app) as client:
                yield client, rt, sink
        finally:
            rt.worker.close()
            rt.db.dispose()


def _links(text: str) -> list[str]:
    return [m.split("127.0.0.1:8000", 1)[1] for m in re.findall(r"http://\S+", text)]


def test_registering_a_taken_address_mails_its_owner_a_sign_in_and_reset_link(
    mailed: tuple[HubClient, Runtime, Sink],
) -> None:
    client, rt, sink = mailed
    owner = make_user(rt, "Fiona Walsh", email="fiona@example.org")
    response = client.submit("/account/register", FORM | {"email": "Fiona@Example.org"})
    assert response.status_code == 200
    assert soup(response.text).select_one("h1").get_text(strip=True) == "Check your email"
    rt.worker.run_pending()
    [message] = sink.to(owner.email)
    assert message["Subject"] == "Someone tried to create a Shared Space account with your address"
    body = str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    sign_in, reset = _links(body)
    assert sign_in == "/account/sign-in"
    assert client.get(reset).status_code == 200  # a working reset link
    changed = client.submit(
        reset, {"password": "another long password", "password_confirm": "another long password"}
    )
    assert changed.status_code == 303
    # The attempt changed nothing else: the old password stayed until the owner chose.
    assert (
        client.submit("/account/sign-in", {"email": owner.email, "password": PASSWORD}).status_code
        == 400
    )


def test_registering_a_new_address_mails_the_link_that_confirms_it(
    mailed: tuple[HubClient, Runtime, Sink],
) -> None:
    client, rt, sink = mailed
    response = client.submit("/account/register", FORM | {"email": "new@example.org"})
    assert response.status_code == 200
    assert "ss_session" not in response.headers.get("set-cookie", "")
    rt.worker.run_pending()
    [message] = sink.to("new@example.org")
    assert message["Subject"] == "Confirm your email address for Shared Space"
    body = str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    [link] = _links(body)
    assert link.startswith("/account/confirm/")
    assert client.submit(link).status_code == 303  # confirmed over SMTP as well


def test_every_429_says_when_in_a_header_and_on_the_page(client: HubClient, rt: Runtime) -> None:
    user = make_user(rt)
    for _ in range(rt.settings.signin_limit_per_account):
        client.submit("/account/sign-in", {"email": user.email, "password": "wrong"})
    response = client.submit("/account/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    seconds = int(response.headers["retry-after"])
    assert 1 <= seconds <= rt.settings.rate_window_seconds
    minutes = -(-seconds // 60)
    [message] = error_summary(soup(response.text))
    assert f"Try again in {minutes} minute" in message


def test_signed_in_pages_are_private_and_never_stored(client: HubClient, rt: Runtime) -> None:
    assert "no-store" not in client.get("/").headers.get("cache-control", "")
    client.sign_in_as(make_user(rt))
    for path in ("/", "/account/", "/my-groups", "/nowhere"):
        assert client.get(path).headers["cache-control"] == "private, no-store", path


def test_static_files_do_not_look_up_who_asks(client: HubClient, rt: Runtime) -> None:
    """A page's stylesheets and scripts are the same for everyone: a signed-in browser
    checking them on every page costs no query, and they may be stored."""
    client.sign_in_as(make_user(rt))
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/static/css/app.css")
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")
    assert statements == []
    # The page itself still knows who is looking.
    assert client.get("/account/").headers["cache-control"] == "private, no-store"


def test_plain_http_sends_no_hsts_and_no_secure_cookie(client: HubClient, rt: Runtime) -> None:
    response = client.get("/")
    assert "strict-transport-security" not in response.headers
    assert "secure" not in response.headers["set-cookie"].lower()


def test_an_https_base_url_sends_hsts_and_secure_cookies(settings: Settings) -> None:
    app = create_app(replace(settings, base_url="https://hub.example.org"))
    rt: Runtime = app.state.runtime
    try:
        user = make_user(rt)
        with HubClient(app) as client:
            client.base_url = "https://testserver"  # type: ignore[assignment] # Secure cookies return
            page = client.get("/")
            assert (
                page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
            )
            assert "; Secure" in page.headers["set-cookie"]  # the CSRF cookie
            signed = client.submit("/account/sign-in", {"email": user.email, "password": PASSWORD})
            assert signed.status_code == 303
            session_cookie = [
                c for c in signed.headers.get_list("set-cookie") if c.startswith("ss_session=")
            ]
            assert len(session_cookie) == 1
            assert "secure" in session_cookie[0].lower()
    finally:
        rt.worker.close()
        rt.db.dispose()


def test_a_session_ends_after_its_absolute_lifetime_however_active(
    client: HubClient, rt: Runtime
) -> None:
    from datetime import timedelta

    from sqlmodel import update

    from workspace.db import utcnow
    from workspace.models import UserSession

    client.sign_in_as(make_user(rt))
    assert client.get("/account/").status_code == 200
    lifetime = timedelta(days=rt.settings.session_max_days)
    with rt.db.write() as unit:  # active a minute ago, but signed in longer ago than allowed
        unit.session.exec(
            update(UserSession).values(
                created_at=utcnow() - lifetime - timedelta(minutes=1),
                last_seen_at=utcnow() - timedelta(minutes=1),
            )
        )
    assert client.get("/account/").status_code == 303  # to sign in
