"""Two-factor sign-in in a browser: set it up from the account page (reading the key
from the page, as a person types it into their app), sign out, and sign in with a code;
axe runs on the set-up and challenge pages, with and without their errors."""

from __future__ import annotations

import time
from collections.abc import Callable

import pyotp
from playwright.sync_api import expect

from e2e.hub import Hub
from e2e.mailbox import confirm_by_mail

EMAIL = "tess.twofactor@example.org"
PASSWORD = "a good long password"
CODE_LABEL = "Code from your authenticator app"


def test_set_up_a_second_factor_and_sign_in_with_it(new_hub: Callable[..., Hub]) -> None:
    hub = new_hub()
    hub.goto("/account/register")
    hub.page.get_by_label("Email address").fill(EMAIL)
    hub.page.get_by_label("Your name").fill("Tess Twofactor")
    hub.page.get_by_label("Password", exact=True).fill(PASSWORD)
    hub.click_and_wait("form button[type=submit]:has-text('Create account')")
    hub.sign_in(EMAIL, PASSWORD)  # refused until the address is confirmed
    expect(hub.page.locator(".govuk-error-summary")).to_contain_text(
        "You need to confirm your email address before you can sign in"
    )
    confirm_by_mail(hub, EMAIL)

    hub.goto("/account/")
    hub.click_and_wait("a:has-text('Manage two-factor sign-in')")  # axe: the set-up page
    expect(hub.page.locator("h1")).to_have_text("Set up two-factor sign-in")
    qr = hub.page.locator("img.ss-qr-code")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = hub.page.locator("[data-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)

    hub.page.get_by_label(CODE_LABEL).fill("000000x")
    hub.click_and_wait("form button:has-text('Turn on two-factor sign-in')")  # axe, errors
    expect(hub.page.locator(".govuk-error-summary")).to_contain_text("The code is not correct")
    hub.page.get_by_label(CODE_LABEL).fill(totp.now())
    hub.click_and_wait("form button:has-text('Turn on two-factor sign-in')")
    expect(hub.page.locator(".govuk-panel__title")).to_have_text("Two-factor sign-in is on")
    expect(hub.page.locator("[data-recovery-codes] code")).to_have_count(10)

    hub.click_and_wait("form[action='/account/sign-out'] button")
    hub.sign_in(EMAIL, PASSWORD)  # axe: the challenge page
    expect(hub.page.locator("h1")).to_have_text("Enter your sign-in code")
    hub.page.get_by_label(CODE_LABEL).fill("123")
    hub.click_and_wait("main form button:has-text('Sign in')")  # axe, with its error summary
    expect(hub.page.locator(".govuk-error-summary")).to_be_visible()
    # The next step's code: newer than the one that turned it on, which is spent.
    hub.page.get_by_label(CODE_LABEL).fill(totp.at(time.time() + 30))
    hub.click_and_wait("main form button:has-text('Sign in')")
    hub.goto("/account/")
    expect(hub.page.locator(".govuk-summary-list")).to_contain_text("Tess Twofactor")
    audited = {url.removeprefix(hub.base_url) for url in hub.audited}
    assert {"/account/two-factor", "/account/sign-in/two-factor"} <= audited
