"""Seating someone who has no account yet, in Chromium: the secretariat invites an
observer by email from the seating page, the newcomer follows the link in the mail the
server sent (read from the server's mail folder), registers and lands in the group; the
seating page then lists them among the observers, not the members. axe audits every page
on the way (e2e/hub.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from e2e.hub import Hub
from e2e.test_small_groups import _body, _mail_to, mail_dirs  # noqa: F401 (a fixture)

NEWCOMER = "rowan.newcomer@example.org"


def test_an_invited_observer_registers_from_the_email_and_takes_the_seat(
    new_hub: Callable[..., Hub],
    mail_dirs: list[Path],  # noqa: F811
) -> None:
    admin = new_hub()
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.goto("/groups/new")
    admin.page.get_by_label("Name").fill("Task group on heat networks")
    admin.click_and_wait("form button[type=submit]:has-text('Create task group')")
    found = re.search(r"/groups/([^/#?]+)", admin.page.url)
    assert found is not None, admin.page.url
    people = f"/groups/{found.group(1)}/people"
    admin.goto(people)
    page = admin.page
    page.get_by_label("Their name").fill("Rowan Newcomer")
    page.get_by_label("Email address to send the invitation to").fill(NEWCOMER)
    page.get_by_label("A government observer").check()
    page.get_by_label("The observer's government department").fill("HM Treasury")
    admin.click_and_wait("button:text-is('Send invitation')")
    waiting = page.locator(".ss-seat-invitations li")
    expect(waiting).to_have_count(1)
    expect(waiting.first).to_contain_text("Observer for HM Treasury")

    link = re.search(r"https?://\S+/join/\S+", _body(_mail_to(mail_dirs, NEWCOMER)))
    assert link is not None
    newcomer = new_hub()
    newcomer.goto(link.group(0))
    expect(newcomer.page.get_by_label("Your name")).to_have_value("Rowan Newcomer")
    newcomer.page.get_by_label("Password", exact=True).fill("a good long password")
    newcomer.click_and_wait("button:text-is('Create account and take your seat')")
    assert newcomer.page.url.endswith(f"/groups/{found.group(1)}")
    expect(newcomer.page.locator(".govuk-notification-banner")).to_contain_text(
        "You now have a seat"
    )

    admin.goto(people)
    observers = page.get_by_role("table", name="Government observers")
    expect(observers).to_contain_text("Rowan Newcomer")
    expect(page.get_by_role("table", name="Members")).to_have_count(0)  # no members yet
    expect(page.locator(".ss-seat-invitations li")).to_have_count(0)
    used = newcomer.page.goto(link.group(0))  # used once: the link now says so
    assert used is not None
    assert used.status == 404
    expect(newcomer.page.locator("h1")).to_have_text("This invitation link cannot be used")
    newcomer.audit()
