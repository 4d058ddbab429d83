"""Search in Chromium: a comment posted by one person is found by another, in a separate
browser context, within two seconds; the live results follow typing (htmx) and the plain
form works without JavaScript."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from e2e.hub import Hub
from e2e.steps import open_consultation, post_comment, register

WORD = "zorblaxian"  # in no dictionary: only the new comment can match


@pytest.fixture(scope="module")
def consultation(browser, server: str) -> str:  # type: ignore[no-untyped-def]
    return open_consultation(
        browser, server, "Search group", "Zero carbon homes: searchable thread"
    )


def test_a_posted_comment_is_found_by_someone_else_within_two_seconds(
    new_hub: Callable[..., Hub], consultation: str
) -> None:
    writer, reader = new_hub(), new_hub()
    register(writer, "Searchable Writer")
    reader.goto("/search")
    post_comment(writer, consultation, f"The {WORD} heat pumps are running quietly.")
    posted = time.monotonic()
    found = False
    while time.monotonic() - posted < 2.0:
        response = reader.page.request.get(f"/search?q={WORD}")
        assert response.ok
        if 'id="search-count">1 result' in response.text():
            found = True
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - posted
    assert found, f"not findable after {elapsed:.2f} s"
    # And through the page as a person uses it: typing updates the results in place.
    reader.page.get_by_label(re.compile("^Search definitions")).fill(WORD)
    result = reader.page.locator(".ss-search-result a", has_text="Searchable Writer on")
    expect(result).to_have_count(1)
    expect(reader.page.locator(".ss-snippet mark").first).to_have_text(WORD)
    assert f"q={WORD}" in reader.page.url  # the address follows, so the result can be shared
    reader.audit()
    # Stemming through the whole stack: "run" finds "running".
    reader.goto(f"/search?q={WORD}+run")
    expect(reader.page.locator(".ss-search-result")).to_have_count(1)


def test_search_works_without_javascript(new_hub: Callable[..., Hub], consultation: str) -> None:
    hub = new_hub(javascript=False)
    hub.goto("/search")
    hub.goto("/search?q=" + "a" * 501)
    expect(hub.page.locator(".govuk-error-summary")).to_contain_text("at most 500")
    hub.page.get_by_label(re.compile("^Search definitions")).fill('"three tiers"')
    hub.click_and_wait("form.ss-search-form button[type=submit]")
    expect(hub.page.locator(".ss-search-result a", has_text="searchable thread")).to_have_count(1)
