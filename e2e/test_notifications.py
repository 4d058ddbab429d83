"""Notifications in Chromium: a reply posted in one browser raises the unread count in the
other's header without a reload; opening the notification goes to the reply and marks
it read; following and unfollowing a consultation; the centre, the following page and
the preferences pass axe. Stored state is checked over HTTP after each action."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from e2e.hub import Hub
from e2e.steps import open_consultation, post_comment, register
from e2e.test_live_comments import post_reply

LIVE_COUNT = "#unread-count[data-live=on]"


@pytest.fixture(scope="module")
def consultation(browser, server: str) -> str:  # type: ignore[no-untyped-def]
    return open_consultation(browser, server, "Notifications group", "Zero carbon homes: notices")


def _unread(hub: Hub) -> int:
    response = hub.page.request.get("/notifications/unread")
    assert response.ok, response.status
    return int(response.json()["unread"])


def test_a_reply_raises_the_unread_count_live_and_opening_it_reads_it(
    new_hub: Callable[..., Hub], consultation: str
) -> None:
    author, replier = new_hub(), new_hub()
    register(author, "Ann Author")
    register(replier, "Rob Replier")
    first = post_comment(author, consultation, "Fabric first, then carbon compliance.")
    author.goto("/")
    expect(author.page.locator(LIVE_COUNT)).to_have_count(1)  # joined its own room
    expect(author.page.locator("#unread-count")).to_have_text("0")

    post_reply(replier, consultation, first, "Why fabric before carbon?")
    expect(author.page.locator("#unread-count")).to_have_text("1", timeout=15_000)
    expect(author.page.locator("#unread-announcer")).to_have_text("1 unread notification")
    assert _unread(author) == 1

    author.click_and_wait("#notifications-link")
    item = author.page.locator(".ss-notification--unread")
    expect(item).to_contain_text("Rob Replier replied to your comment")
    expect(item).to_contain_text("You wrote the comment they answered")
    author.click_and_wait(".ss-notification--unread button")
    assert "/comments/" in author.page.url
    expect(author.page.locator("h1")).to_contain_text("Rob Replier")
    assert _unread(author) == 0
    expect(author.page.locator("#unread-count")).to_have_text("0")


def test_following_and_unfollowing_a_consultation(
    new_hub: Callable[..., Hub], consultation: str
) -> None:
    reader = new_hub()
    register(reader, "Fay Follower")
    reader.goto(consultation)
    button = reader.page.locator("form.ss-follow button")
    expect(button).to_have_attribute("aria-pressed", "false")
    reader.click_and_wait("form.ss-follow button")
    expect(reader.page.locator(".govuk-notification-banner")).to_contain_text("You are following")
    expect(reader.page.locator("form.ss-follow button")).to_have_attribute("aria-pressed", "true")
    reader.goto("/following")
    row = reader.page.locator("tr", has_text="Zero carbon homes: notices")
    expect(row).to_have_count(1)
    reader.click_and_wait("tr:has-text('Zero carbon homes: notices') button:has-text('Unfollow')")
    expect(reader.page.locator("tr", has_text="Zero carbon homes: notices")).to_have_count(0)
    reader.goto(consultation)
    expect(reader.page.locator("form.ss-follow button")).to_have_attribute("aria-pressed", "false")


def test_preferences_are_saved_and_errors_keep_the_input(new_hub: Callable[..., Hub]) -> None:
    person = new_hub()
    register(person, "Pat Preferences")
    person.goto("/notifications/preferences")
    person.page.locator("#kind-comment_reply-4").check()  # "Never by email"
    person.page.get_by_label("Your time zone").fill("Nowhere/Special")
    person.click_and_wait("form button[type=submit]:has-text('Save choices')")
    expect(person.page.locator(".govuk-error-summary")).to_contain_text("Enter a time zone")
    expect(person.page.get_by_label("Your time zone")).to_have_value("Nowhere/Special")
    expect(person.page.locator("#kind-comment_reply-4")).to_be_checked()
    person.page.get_by_label("Your time zone").fill("Europe/Brussels")
    person.click_and_wait("form button[type=submit]:has-text('Save choices')")
    expect(person.page.locator(".govuk-notification-banner")).to_contain_text("saved")
    expect(person.page.get_by_label("Your time zone")).to_have_value("Europe/Brussels")
    expect(person.page.locator("#kind-comment_reply-4")).to_be_checked()


def test_the_count_is_right_without_javascript(
    new_hub: Callable[..., Hub], consultation: str
) -> None:
    author, replier = new_hub(javascript=False), new_hub()
    register(author, "Nia NoScript")
    register(replier, "Ray Replier")
    first = post_comment(author, consultation, "Without scripts, please.")
    post_reply(replier, consultation, first, "Answered.")
    deadline_pages = 0
    while deadline_pages < 30:  # the worker fans out within moments
        author.goto("/")
        if author.page.locator("#unread-count").inner_text() == "1":
            break
        author.page.wait_for_timeout(300)
        deadline_pages += 1
    expect(author.page.locator("#unread-count")).to_have_text("1")
    author.goto("/notifications")
    author.click_and_wait(".ss-notification--unread button")
    assert "/comments/" in author.page.url
