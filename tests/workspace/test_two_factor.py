"""Two-factor sign-in (workspace/twofactor): set-up, the sign-in challenge, recovery
codes, refused replays, the secretariat requirement and the command-line reset."""

from __future__ import annotations

import time
from dataclasses import replace

import pyotp
import pytest
from sqlmodel import select

from sharedspace import cli
from sharedspace.app import create_app
from tests.client import HubClient, error_summary, soup
from tests.factories import PASSWORD, make_user
from workspace.models import ActivityEvent, User, UserSession
from workspace.runtime import Runtime
from workspace.settings import Settings
from workspace.twofactor import service as twofactor
from workspace.twofactor.models import PendingSignIn, RecoveryCode, TwoFactor

CHALLENGE = "/account/sign-in/two-factor"


def set_up(client: HubClient) -> tuple[pyotp.TOTP, list[str]]:
    """Turn on a second factor for the signed-in client's person, as they would."""
    page = client.page("/account/two-factor")
    secret = page.select_one("[data-secret]").get_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    # The page's own token: a secretariat member being made to set up sees no other page.
    token = page.select_one("input[name=csrf_token]")["value"]
    done = client.post("/account/two-factor", data={"code": totp.now(), "csrf_token": token})
    assert done.status_code == 200, done.text
    codes = [c.get_text() for c in soup(done.text).select("[data-recovery-codes] code")]
    return totp, codes


def next_code(totp: pyotp.TOTP) -> str:
    """The next step's code: accepted (clocks drift) and newer than any used yet."""
    return totp.at(time.time() + 30)


def password_step(client: HubClient, user: User, next_url: str = "/account/"):  # type: ignore[no-untyped-def]
    return client.submit(
        "/account/sign-in", {"email": user.email, "password": PASSWORD, "next": next_url}
    )


@pytest.fixture
def person(rt: Runtime) -> User:
    return make_user(rt, "Raj Patel")


@pytest.fixture
def enrolled(app, person: User) -> tuple[User, pyotp.TOTP, list[str]]:  # type: ignore[no-untyped-def]
    with HubClient(app) as c:
        c.sign_in_as(person)
        totp, codes = set_up(c)
    return person, totp, codes


def test_set_up_shows_qr_and_secret_and_needs_a_correct_code(
    client: HubClient, rt: Runtime, person: User
) -> None:
    client.sign_in_as(person)
    page = client.page("/account/two-factor")
    assert page.select_one("h1").get_text(strip=True) == "Set up two-factor sign-in"
    assert page.select_one("img.ss-qr-code")["src"] == "/account/two-factor/qr.svg"
    secret = page.select_one("[data-secret]").get_text().replace(" ", "")
    assert len(secret) == 32
    assert client.get("/account/two-factor").headers["cache-control"].endswith("no-store")
    # Reloading keeps the same secret: a QR code already scanned stays good.
    again = client.page("/account/two-factor").select_one("[data-secret]").get_text()
    assert again.replace(" ", "") == secret
    qr = client.get("/account/two-factor/qr.svg")
    assert qr.status_code == 200
    assert qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.headers["cache-control"].endswith("no-store")
    assert b"<svg" in qr.content
    assert b"<script" not in qr.content

    totp = pyotp.TOTP(secret)
    wrong = f"{(int(totp.now()) + 1) % 1_000_000:06d}"
    refused = client.submit("/account/two-factor", {"code": wrong})
    assert refused.status_code == 400
    shown = soup(refused.text)
    assert error_summary(shown)[0].startswith("The code is not correct")
    assert shown.select_one("title").get_text().startswith("Error:")
    assert shown.select_one("[data-secret]").get_text().replace(" ", "") == secret
    empty = client.submit("/account/two-factor", {"code": ""})
    assert error_summary(soup(empty.text)) == ["Enter the 6-digit code from your authenticator app"]
    with rt.db.read() as session:
        assert session.exec(select(TwoFactor)).one().confirmed_at is None

    done = client.submit("/account/two-factor", {"code": totp.now()})
    assert done.status_code == 200
    assert done.headers["cache-control"].endswith("no-store")
    codes = [c.get_text() for c in soup(done.text).select("[data-recovery-codes] code")]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    with rt.db.read() as session:
        stored = session.exec(select(RecoveryCode)).all()
        assert session.exec(select(TwoFactor)).one().confirmed_at is not None
    assert len(stored) == 10
    assert all(r.code_hash.startswith("$argon2") for r in stored)
    assert not {r.code_hash for r in stored} & set(codes)
    # Once on, the page manages it and the QR code is gone.
    assert client.page("/account/two-factor").select_one("h1").get_text() == "Two-factor sign-in"
    assert client.get("/account/two-factor/qr.svg").status_code == 404


def test_sign_in_asks_for_the_code_before_any_session(
    client: HubClient, rt: Runtime, enrolled: tuple[User, pyotp.TOTP, list[str]]
) -> None:
    user, totp, _codes = enrolled
    with rt.db.read() as session:
        sessions_before = len(session.exec(select(UserSession)).all())
    first = password_step(client, user)
    assert first.status_code == 303
    assert first.headers["location"] == CHALLENGE
    assert "ss_session" not in first.headers.get("set-cookie", "")
    assert "ss_pending" in client.cookies
    with rt.db.read() as session:
        assert len(session.exec(select(UserSession)).all()) == sessions_before
        assert len(session.exec(select(PendingSignIn)).all()) == 1
    assert client.get("/account/").status_code == 303  # not signed in yet

    page = client.page(CHALLENGE)
    assert page.select_one("h1").get_text(strip=True) == "Enter your sign-in code"
    wrong = client.submit(CHALLENGE, {"code": "12345"})
    assert wrong.status_code == 400
    assert error_summary(soup(wrong.text))[0].startswith("The code is not correct")
    assert soup(wrong.text).select_one("title").get_text().startswith("Error:")
    empty = client.submit(CHALLENGE, {"code": ""})
    assert empty.status_code == 400

    signed = client.submit(CHALLENGE, {"code": next_code(totp)})
    assert signed.status_code == 303
    assert signed.headers["location"] == "/account/"
    assert "ss_session" in client.cookies
    assert "Raj Patel" in client.page("/account/").get_text()
    with rt.db.read() as session:
        assert session.exec(select(PendingSignIn)).all() == []
    # The pending record is spent: the challenge now sends people back to sign in.
    assert client.get(CHALLENGE).headers["location"] == "/account/sign-in"


def test_a_code_is_refused_the_second_time(
    app,
    rt: Runtime,
    enrolled: tuple[User, pyotp.TOTP, list[str]],  # type: ignore[no-untyped-def]
) -> None:
    user, totp, _codes = enrolled
    code = next_code(totp)
    with HubClient(app) as first:
        password_step(first, user)
        assert first.submit(CHALLENGE, {"code": code}).status_code == 303
    with HubClient(app) as second:
        password_step(second, user)
        replay = second.submit(CHALLENGE, {"code": code})
        assert replay.status_code == 400
        assert "used already" in error_summary(soup(replay.text))[0]
        assert "ss_session" not in second.cookies
        # The code used to turn it on is spent too.
        assert second.submit(CHALLENGE, {"code": totp.now()}).status_code == 400


def test_a_recovery_code_signs_in_once(
    app,
    rt: Runtime,
    enrolled: tuple[User, pyotp.TOTP, list[str]],  # type: ignore[no-untyped-def]
) -> None:
    user, _totp, codes = enrolled
    with HubClient(app) as c:
        password_step(c, user)
        used = c.submit(CHALLENGE, {"code": codes[3].upper().replace("-", " ")})
        assert used.status_code == 303
        assert "ss_session" in c.cookies
    with HubClient(app) as c:
        password_step(c, user)
        again = c.submit(CHALLENGE, {"code": codes[3]})
        assert again.status_code == 400
        assert c.submit(CHALLENGE, {"code": codes[4]}).status_code == 303
    with rt.db.read() as session:
        left = session.exec(select(RecoveryCode).where(RecoveryCode.used_at == None)).all()  # noqa: E711
    assert len(left) == 8


def test_challenge_needs_a_genuine_pending_sign_in(
    client: HubClient, enrolled: tuple[User, pyotp.TOTP, list[str]]
) -> None:
    _user, totp, _codes = enrolled
    assert client.get(CHALLENGE).headers["location"] == "/account/sign-in"
    client.cookies.set("ss_pending", "made-up.0000", path="/account")
    forged = client.submit(CHALLENGE, {"code": next_code(totp)})
    assert forged.status_code == 303
    assert forged.headers["location"] == "/account/sign-in"
    assert "ss_session" not in client.cookies


def test_wrong_codes_are_rate_limited(
    client: HubClient, rt: Runtime, enrolled: tuple[User, pyotp.TOTP, list[str]]
) -> None:
    user, totp, _codes = enrolled
    password_step(client, user)
    for _ in range(rt.settings.signin_limit_per_account):
        assert client.submit(CHALLENGE, {"code": "000000x"}).status_code == 400
    limited = client.submit(CHALLENGE, {"code": next_code(totp)})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert error_summary(soup(limited.text))[0].startswith("Too many sign-in attempts")


def test_turn_off_and_new_recovery_codes_need_the_password(
    client: HubClient, rt: Runtime, person: User
) -> None:
    client.sign_in_as(person)
    _totp, codes = set_up(client)
    wrong = client.submit("/account/two-factor/recovery-codes", {"password": "not it at all"})
    assert wrong.status_code == 400
    assert error_summary(soup(wrong.text)) == ["The password is not correct"]
    fresh = client.submit("/account/two-factor/recovery-codes", {"password": PASSWORD})
    assert fresh.status_code == 200
    new_codes = [c.get_text() for c in soup(fresh.text).select("[data-recovery-codes] code")]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(codes)

    assert client.submit("/account/two-factor/off", {"password": ""}).status_code == 400
    off = client.submit("/account/two-factor/off", {"password": PASSWORD})
    assert off.status_code == 303
    with rt.db.read() as session:
        assert session.exec(select(TwoFactor)).all() == []
        assert session.exec(select(RecoveryCode)).all() == []
    with HubClient(client.app) as again:
        assert password_step(again, person).headers["location"] == "/account/"


@pytest.fixture
def strict_app(settings: Settings):  # type: ignore[no-untyped-def]
    """An app whose settings require a second factor of the secretariat."""
    application = create_app(replace(settings, two_factor_required=True))
    yield application
    application.state.runtime.worker.close()
    application.state.runtime.db.dispose()


def test_secretariat_is_sent_to_set_up_before_any_other_page(strict_app) -> None:  # type: ignore[no-untyped-def]
    strict: Runtime = strict_app.state.runtime
    admin = make_user(strict, "Sam Secretariat", secretariat=True)
    member = make_user(strict, "Pat Member")
    with HubClient(strict_app) as c:
        c.sign_in_as(member)  # optional for everyone else
        assert c.get("/account/").status_code == 200
    with HubClient(strict_app) as c:
        c.sign_in_as(admin)
        for path in ("/", "/account/", "/groups", "/account/tokens"):
            response = c.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"] == "/account/two-factor"
        page = c.page("/account/two-factor")
        token = page.select_one("input[name=csrf_token]")["value"]
        blocked = c.post(
            "/account/tokens", data={"name": "x", "scope": "read", "csrf_token": token}
        )
        assert blocked.headers["location"] == "/account/two-factor"
        assert "Secretariat accounts must sign in with a second factor" in page.get_text()
        assert c.get("/account/two-factor/qr.svg").status_code == 200
        set_up(c)
        assert c.get("/account/").status_code == 200
    with HubClient(strict_app) as c:
        c.sign_in_as(admin)
        assert c.submit("/account/sign-out").status_code == 303  # sign-out is allowed
    with HubClient(strict_app) as c:
        c.sign_in_as(make_user(strict, "New Secretariat", secretariat=True))
        token = c.page("/account/two-factor").select_one("input[name=csrf_token]")["value"]
        out = c.post("/account/sign-out", data={"csrf_token": token})
        assert out.headers["location"] == "/"
    with HubClient(strict_app) as c:
        # Signing in with the password alone now asks for the code.
        assert password_step(c, admin).headers["location"] == CHALLENGE


def test_live_connections_of_a_secretariat_without_it_are_anonymous(strict_app) -> None:  # type: ignore[no-untyped-def]
    strict: Runtime = strict_app.state.runtime
    admin = make_user(strict, "Sam Secretariat", secretariat=True)
    with HubClient(strict_app) as c:
        c.sign_in_as(admin)
        token = c.cookies["ss_session"]
        assert not twofactor.live_viewer(strict, token).signed_in
        set_up(c)
    assert twofactor.live_viewer(strict, token).user_id == admin.id


def test_demo_mode_and_the_setting_turn_the_requirement_off() -> None:
    assert Settings().two_factor_enforced
    assert not Settings(demo_mode=True).two_factor_enforced
    assert not Settings(two_factor_required=False).two_factor_enforced


def test_cli_reset_removes_the_second_factor_and_is_logged(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    settings: Settings,
    rt: Runtime,
    enrolled: tuple[User, pyotp.TOTP, list[str]],
) -> None:
    user, _totp, _codes = enrolled
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DATA_DIR", settings.data_dir)
    monkeypatch.setenv("ARGON2_FAST", "1")
    monkeypatch.setenv("SECRET_KEY", settings.secret_key)
    assert cli.main(["two-factor-reset", user.email.upper()]) == 0
    assert "Removed the second factor" in capsys.readouterr().out
    with rt.db.read() as session:
        assert session.exec(select(TwoFactor)).all() == []
        assert session.exec(select(RecoveryCode)).all() == []
        event = session.exec(
            select(ActivityEvent).where(ActivityEvent.verb == "account.two_factor_off")
        ).one()
    assert event.actor_id is None
    assert event.object_id == user.id
    assert "two-factor-reset" in event.summary
    assert cli.main(["two-factor-reset", user.email]) == 0
    assert "nothing to reset" in capsys.readouterr().out
    assert cli.main(["two-factor-reset", "nobody@example.org"]) == 2


def test_closing_an_account_forgets_its_second_factor() -> None:
    """Closing an account (sharedspace/rights/close.py) deletes the person's rows of
    these tables: the secret, the recovery codes and any pending sign-in."""
    from sharedspace.rights.close import PERSONAL_TABLES

    assert {"two_factor", "recovery_code", "pending_sign_in"} <= set(PERSONAL_TABLES)
