"""Steps the browser tests share: done through the pages, as a person would."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from e2e.hub import Hub
from e2e.mailbox import confirm_by_mail

_people = itertools.count(1)


def register(hub: Hub, name: str) -> None:
    email = f"live{next(_people)}-{name.split()[0].lower()}@example.org"
    hub.goto("/account/register")
    hub.page.get_by_label("Email address").fill(email)
    hub.page.get_by_label("Your name").fill(name)
    hub.page.get_by_label("Password", exact=True).fill("a good long password")
    hub.click_and_wait("form button[type=submit]:has-text('Create account')")
    # The page never says whether the address had an account: confirm it from the mail
    # as a person would, which signs them in.
    assert hub.page.locator("h1").inner_text() == "Check your email"
    confirm_by_mail(hub, email)


def open_consultation(browser: Browser, server: str, group_name: str, title: str) -> str:
    """Create a group and an open consultation in it as the secretariat; its path."""
    context = browser.new_context(base_url=server)
    admin = Hub(context.new_page(), server)
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.goto("/groups/new")
    admin.page.get_by_label("Name").fill(group_name)
    admin.click_and_wait("form button[type=submit]:has-text('Create task group')")
    group = re.search(r"/groups/([^/]+)/", admin.page.url)
    assert group is not None, admin.page.url
    admin.goto(f"/consultations/new?group={group.group(1)}")
    admin.page.get_by_label("Title").fill(title)
    admin.page.get_by_label("What you are consulting on").fill("We propose **three tiers**.")
    admin.click_and_wait("form button[type=submit]:has-text('Save draft consultation')")
    admin.click_and_wait("form button[type=submit]:has-text('Open now')")
    path = admin.page.url.removeprefix(server).split("#")[0]
    assert path.startswith("/consultations/"), path
    admin.assert_no_console_errors()
    context.close()
    return path


def article(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.locator("article.ss-comment", has_text=text)


def post_comment(hub: Hub, path: str, text: str) -> str:
    """Post a top-level comment through the page's form; the new comment's element id."""
    hub.goto(path)
    hub.page.get_by_label("Add a comment").fill(text)
    hub.click_and_wait("form.ss-comment-form button[type=submit]:has-text('Post comment')")
    posted = article(hub.page, text)
    expect(posted).to_have_count(1)
    return str(posted.get_attribute("id"))
