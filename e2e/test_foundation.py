"""A newcomer registers; the secretariat creates a group and seats a member and an
observer; everyone sees them listed apart. With and without JavaScript."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable

from e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from e2e.hub import Hub
from e2e.mailbox import confirm_by_mail


def register(hub: Hub, email: str, name: str, password: str = "a good long password") -> None:
    hub.goto("/account/register")
    hub.page.get_by_label("Email address").fill(email)
    hub.page.get_by_label("Your name").fill(name)
    hub.page.get_by_label("Password", exact=True).fill(password)
    hub.click_and_wait("form button[type=submit]:has-text('Create account')")
    # The page never says whether the address had an account: confirm it from the mail
    # as a person would, which signs them in.
    assert hub.page.locator("h1").inner_text() == "Check your email"
    hub.audit()
    confirm_by_mail(hub, email)


def test_register_create_group_seat_member_and_observer(
    new_hub: Callable[..., Hub], server: str
) -> None:
    member, observer, admin = new_hub(), new_hub(), new_hub()
    register(member, "fiona@ukgbc.example", "Fiona Walsh")
    assert member.page.locator("h1").inner_text() == "Zero carbon new homes"  # home
    register(observer, "david@dclg.example", "David Crane")

    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.goto("/organisations/new")
    admin.page.get_by_label("Name").fill("UK Green Building Council")
    admin.page.get_by_label("Environmental").check()
    admin.click_and_wait("form button[type=submit]:has-text('Add organisation')")
    assert "UK Green Building Council" in admin.page.locator("table").inner_text()

    admin.goto("/groups/new")
    admin.click_and_wait("form button[type=submit]:has-text('Create task group')")
    assert admin.page.locator(".govuk-error-summary").is_visible()  # empty name refused

    admin.page.get_by_label("Name").fill("Zero carbon homes definition")
    admin.page.get_by_label("Remit").fill("Agree **one** definition by 2016.")
    admin.click_and_wait("form button[type=submit]:has-text('Create task group')")
    assert admin.page.url.endswith("/groups/zero-carbon-homes-definition/people")

    admin.page.locator("#email").fill("fiona@ukgbc.example")
    admin.page.get_by_label("Organisation they represent").select_option(
        label="UK Green Building Council (Environmental)"
    )
    admin.page.get_by_label("Chair", exact=True).check()
    admin.click_and_wait("form button[type=submit]:has-text('Seat member')")
    admin.page.locator("#observer_email").fill("david@dclg.example")
    admin.page.get_by_label("Government department", exact=True).fill("DCLG")
    admin.click_and_wait("form button[type=submit]:has-text('Seat observer')")

    for hub in (member, observer, new_hub()):
        hub.goto("/groups/zero-carbon-homes-definition")
        members = hub.page.locator("section[aria-labelledby=members-heading]").inner_text()
        observers = hub.page.locator("section[aria-labelledby=observers-heading]").inner_text()
        assert "Fiona Walsh" in members
        assert "Chair" in members
        assert "David Crane" not in members
        assert "David Crane, DCLG" in observers
        assert "Fiona Walsh" not in observers

    # The stored state, read back through HTTP rather than the page just seen.
    with urllib.request.urlopen(server + "/healthz") as response:  # noqa: S310
        assert json.load(response)["status"] == "ok"


def test_works_without_javascript(new_hub: Callable[..., Hub]) -> None:
    hub = new_hub(javascript=False)
    register(hub, "nojs@example.org", "No Script")
    assert hub.page.locator("h1").inner_text() == "Zero carbon new homes"  # home
    hub.goto("/account/")
    hub.click_and_wait("form button:has-text('Sign out everywhere')")
    assert hub.page.locator(".govuk-notification-banner").inner_text().find("every device") > 0
    hub.sign_in("nojs@example.org", "a good long password")
    assert "Signed in as No Script" in hub.page.locator(".govuk-notification-banner").inner_text()


def test_error_pages_share_the_design(new_hub: Callable[..., Hub]) -> None:
    hub = new_hub()
    response = hub.page.goto("/groups/not-a-group")
    assert response is not None
    assert response.status == 404
    hub.audit()
    assert hub.page.locator("h1").inner_text() == "Page not found"
    assert hub.page.locator("a.ss-header__brand").is_visible()
