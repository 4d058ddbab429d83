"""Every kind of user finds their way (issue 14): each role's first minute from the home
page, by link and button names only, on the demo. axe audits every page on the way
(e2e/hub.py); e2e/test_phone_widths.py crawls every page each role can reach."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import DEMO_PASSWORD, _serve
from e2e.hub import Hub
from e2e.mailbox import confirm_by_mail

_people = itertools.count(1)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's own demo: the member records the position The Climate Group owes,
    which other modules' tests on the shared demo expect to find still missing."""
    with _serve(tmp_path_factory.mktemp("wayfinding"), ["demo"]) as url:
        yield url


def _hub(browser: Browser, base_url: str, **options: object) -> Hub:
    context = browser.new_context(base_url=base_url, **options)  # type: ignore[arg-type]
    return Hub(context.new_page(), base_url)


def _click(hub: Hub, role: str, name: str | re.Pattern[str], **kwargs: object) -> Page:
    """Follow a link or press a button by its accessible name, then audit the new page."""
    with hub.page.expect_navigation():
        hub.page.get_by_role(role, name=name, **kwargs).first.click()  # type: ignore[arg-type]
    hub.audit()
    return hub.page


def _sign_in_from_home(hub: Hub, key: str) -> None:
    hub.goto("/")
    _click(hub, "link", "Sign in", exact=True)
    hub.page.get_by_label("Email address").fill(f"{key}@demo.sharedspace.test")
    hub.page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    _click(hub, "button", "Sign in", exact=True)
    assert urlparse(hub.page.url).path == "/"


def test_the_public_register_respond_and_find_their_response_again(
    browser: Browser, demo_server: str
) -> None:
    hub = _hub(browser, demo_server)
    hub.goto("/")
    _click(hub, "link", "Register", exact=True)
    page = hub.page
    email = f"walker{next(_people)}@example.org"
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Your name").fill("Pat Walker")
    page.get_by_label("Password", exact=True).fill("a good long password")
    _click(hub, "button", "Create account")
    # Registration never says whether the address had an account: try to sign in from
    # there, which is refused until the address is confirmed, then confirm it by mail.
    assert page.locator("h1").inner_text() == "Check your email"
    _click(hub, "link", "Go to sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill("a good long password")
    _click(hub, "button", "Sign in")
    assert "confirm your email address" in page.locator(".govuk-error-summary").inner_text()
    confirm_by_mail(hub, email)
    assert urlparse(page.url).path == "/"  # home, not an empty "My groups"
    assert (
        "Your email address is confirmed" in page.locator(".govuk-notification-banner").inner_text()
    )

    open_list = page.get_by_role("list", name="Open consultations")
    open_list.get_by_role("link").first.click()
    page.wait_for_load_state()
    hub.audit()
    title = page.locator("h1").inner_text()
    _click(hub, "link", "Respond to this consultation")
    page.get_by_role("group", name=re.compile("^1\\. ")).get_by_label("Agree", exact=True).check()
    page.get_by_label("11 kgCO2/m²/yr").check()
    page.get_by_label("As an individual").check()
    page.get_by_label("Yes, but without my name").check()
    expect(
        page.locator("form").get_by_role("link", name="privacy notice", exact=True)
    ).to_have_count(1)
    _click(hub, "button", "Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your response before sending it"
    )
    _click(hub, "button", "Send response")

    _click(hub, "link", "Home", exact=True)
    mine = page.get_by_role("list", name="My responses")
    expect(mine).to_contain_text("Can still be changed")
    with page.expect_navigation():
        mine.get_by_role("link", name=re.compile("^Your response to ")).first.click()
    hub.audit()
    assert "11 kgCO2/m²/yr" in page.locator("main").inner_text()
    assert title.split(" ")[0] in page.locator("main").inner_text()
    hub.assert_no_console_errors()


def test_the_observer_reaches_the_dashboard_in_one_click(
    browser: Browser, demo_server: str
) -> None:
    hub = _hub(browser, demo_server)
    _sign_in_from_home(hub, "observer")
    _click(hub, "button", "Open your observer dashboard")
    assert urlparse(hub.page.url).path == "/dashboard"
    # and from any page, through the menu
    hub.goto("/consultations/")
    _click(hub, "link", "Dashboard", exact=True)
    assert urlparse(hub.page.url).path == "/dashboard"
    hub.assert_no_console_errors()


def test_a_member_finds_the_position_they_owe_and_records_it(
    browser: Browser, demo_server: str
) -> None:
    hub = _hub(browser, demo_server)
    _sign_in_from_home(hub, "climate")
    page = hub.page
    owed = re.compile("^Record The Climate Group's position on ")
    needs = page.get_by_role("list", name="Needs you")
    expect(needs.get_by_role("link", name=owed)).to_have_count(1)
    with page.expect_navigation():
        needs.get_by_role("link", name=owed).click()
    hub.audit()
    expect(page.locator("#signoff-summary")).to_contain_text("The Climate Group outstanding")
    page.get_by_role("group", name=re.compile("^Position on revision")).get_by_label(
        "Support", exact=True
    ).check()
    page.evaluate("() => { window.ssSamePage = true; }")
    _click(hub, "button", "Record position")
    row = page.locator("tr[data-organisation='The Climate Group']")
    expect(row).to_contain_text("Support")
    # recorded in place (htmx): the page was not reloaded, and the notice shows
    assert page.evaluate("() => window.ssSamePage === true")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("position has been recorded")
    _click(hub, "link", "Home", exact=True)
    expect(page.get_by_role("link", name=owed)).to_have_count(0)
    hub.assert_no_console_errors()
