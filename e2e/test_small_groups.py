"""Small groups and road shows in Chromium. An invited person without an account follows
the link in the invitation email (read from the mail the server wrote), registers,
responds and comments, and the chair sees the comment arrive live. A facilitator enters a
paper response from a road show and finds it in the summary under that event. axe audits
every page on the way (e2e/hub.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from e2e.hub import Hub
from e2e.steps import article
from e2e.test_consultations import OPEN, signed_in

INVITEE = "pat.invitee@example.org"
COMMENT = "Our members could deliver allowable solutions through a local fund."


def _mail_to(mail_dirs: list[Path], to: str, timeout: float = 15) -> Message:
    """The newest message the server wrote for `to` (DATA_DIR/mail, no SMTP_URL set);
    the background worker sends it, so wait for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [
            message_from_bytes(path.read_bytes())
            for folder in mail_dirs
            for path in sorted(folder.glob("*.eml"))
        ]
        mine = [m for m in found if m["To"] == to]
        if mine:
            return mine[-1]
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to}")


def _body(message: Message) -> str:
    part = message.get_body(preferencelist=("plain",)) if hasattr(message, "get_body") else None
    payload = (part or message).get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


@pytest.fixture
def mail_dirs(tmp_path_factory: pytest.TempPathFactory, server: str) -> list[Path]:
    return [p / "mail" for p in tmp_path_factory.getbasetemp().glob("server*")]


def _invited_consultation(admin: Hub, title: str) -> str:
    """A group and a draft consultation made by invitation, with one question, through
    the pages; its path."""
    admin.goto("/groups/new")
    admin.page.get_by_label("Name").fill("Small group on allowable solutions")
    admin.click_and_wait("form button[type=submit]:has-text('Create task group')")
    group = re.search(r"/groups/([^/]+)/", admin.page.url)
    assert group is not None, admin.page.url
    admin.goto(f"/consultations/new?group={group.group(1)}")
    admin.page.get_by_label("Title").fill(title)
    admin.page.get_by_label("What you are consulting on").fill("How would you deliver them?")
    admin.click_and_wait("form button[type=submit]:has-text('Save draft consultation')")
    path = admin.page.url.removeprefix(admin.base_url).split("#")[0]
    admin.goto(f"{path}/questions")
    admin.page.get_by_label("Question", exact=True).fill("Could you deliver them at £46 a tonne?")
    admin.page.get_by_label("Agree or disagree (five points)").check()
    admin.click_and_wait("form button[type=submit]:has-text('Add question')")
    admin.goto(f"{path}/invitations")
    admin.page.get_by_label("By invitation: only those invited and the task group").check()
    admin.click_and_wait("button:text-is('Save audience')")
    admin.page.get_by_label("A person, by email").check()
    admin.page.get_by_label("Email address").fill(INVITEE)
    admin.click_and_wait("button:text-is('Send the invitation')")
    expect(admin.page.locator("#invitees")).to_contain_text(INVITEE)
    admin.goto(path)
    admin.click_and_wait("form button[type=submit]:has-text('Open now')")
    return path


def test_an_invited_newcomer_registers_from_the_email_responds_and_comments_live(
    browser: Browser, new_hub: Callable[..., Hub], mail_dirs: list[Path]
) -> None:
    admin = new_hub()
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    path = _invited_consultation(admin, "Allowable solutions: small group")
    visitor = new_hub()
    hidden = visitor.page.goto(path)
    assert hidden is not None
    assert hidden.status == 404  # not even its title for those not invited

    link = re.search(r"https?://\S+/invitations/\S+", _body(_mail_to(mail_dirs, INVITEE)))
    assert link is not None
    newcomer = new_hub()
    newcomer.goto(link.group(0))
    expect(newcomer.page.get_by_label("Email address")).to_have_value(INVITEE)
    newcomer.page.get_by_label("Your name").fill("Pat Invitee")
    newcomer.page.get_by_label("Password", exact=True).fill("a good long password")
    newcomer.click_and_wait("button:text-is('Create account and accept')")
    assert newcomer.page.url.endswith(path)
    expect(newcomer.page.locator("#audience")).to_contain_text("By invitation")

    newcomer.click_and_wait("a:text-is('Respond to this consultation')")
    newcomer.page.get_by_label("Agree", exact=True).check()
    newcomer.page.get_by_label("As an individual").check()
    newcomer.page.get_by_label("Yes, publish it with my name").check()
    newcomer.page.get_by_label("Yes, it is commercially confidential").check()
    newcomer.click_and_wait("button:text-is('Continue')")
    newcomer.click_and_wait("button:text-is('Send response')")  # from "check your response"

    admin.goto(path)
    expect(admin.page.locator("#comments[data-live=connected]")).to_have_count(1)
    newcomer.goto(path)
    newcomer.page.get_by_label("Add a comment").fill(COMMENT)
    newcomer.click_and_wait("form.ss-comment-form button[type=submit]:has-text('Post comment')")
    expect(article(admin.page, COMMENT)).to_have_count(1)  # arrived live, no reload

    admin.goto(f"{path}/invitations")
    expect(admin.page.locator(".ss-invitation-state")).to_have_text(["Responded"])
    again = new_hub()
    response = again.page.goto(link.group(0))
    assert response is not None
    assert response.status == 404  # the link works once
    again.audit()  # the page that says so
    newcomer.goto(f"{path}/delegate")  # invited on their own: told they cannot pass it on
    expect(newcomer.page.locator("main")).to_contain_text(
        "Only someone invited for an organisation"
    )


def test_a_facilitator_enters_a_paper_response_and_finds_it_under_the_event(
    browser: Browser, demo_server: str
) -> None:
    chair = signed_in(browser, demo_server, "chair")
    chair.goto(f"{OPEN}/summary")
    before = _event_count(chair, "Road show: Manchester")

    facilitator = signed_in(browser, demo_server, "nhbc")
    facilitator.goto(f"{OPEN}/events")
    facilitator.click_and_wait("a:text-is('Road show: Manchester')")
    expect(facilitator.page.locator("#attendance")).to_contain_text("28")
    facilitator.click_and_wait("a:text-is('Enter a response gathered at this event')")
    page = facilitator.page
    page.get_by_label("At an event").check()
    page.get_by_label("Respondent's name (optional)").fill("Joan Paper")
    page.get_by_role("group", name="1. Do you agree with the three-tier approach?").get_by_label(
        "Strongly disagree", exact=True
    ).check()
    page.get_by_label("14 kgCO2/m²/yr").check()
    page.get_by_label("As an individual").check()
    page.get_by_label("No, do not publish my response").check()
    facilitator.click_and_wait("button:text-is('Enter the response')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The response has been entered"
    )

    chair.goto(f"{OPEN}/summary")
    assert _event_count(chair, "Road show: Manchester") == before + 1
    # the chair's other road-show pages, audited too
    chair.goto(f"{OPEN}/events")
    chair.goto(f"{OPEN}/events/new")
    chair.click_and_wait("button:text-is('Add the event')")  # empty: errors, input kept
    assert chair.page.locator(".govuk-error-summary").count() == 1
    facilitator.goto(f"{OPEN}/events")
    facilitator.click_and_wait("a:text-is('Road show: Manchester')")
    facilitator.click_and_wait("a:text-is('Record attendance')")
    expect(facilitator.page.get_by_label("How many attended")).to_have_value("28")


def _event_count(hub: Hub, title: str) -> int:
    row = hub.page.locator("#event-table tbody tr", has_text=title)
    return int(row.locator("td").inner_text())
