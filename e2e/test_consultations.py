"""The demo's consultations in Chromium: a member of the public responds (an invalid
answer first, kept), the chair reads the summary and the moderation queue, everyone
reads the outcome. axe audits every page on the way (e2e/hub.py)."""

from __future__ import annotations

from playwright.sync_api import Browser

from e2e.conftest import DEMO_PASSWORD
from e2e.hub import Hub

OPEN = "/consultations/zero-carbon-homes-the-proposed-definition"
CLOSED = "/consultations/allowable-solutions-what-should-count"


def signed_in(browser: Browser, base_url: str, key: str, *, javascript: bool = True) -> Hub:
    context = browser.new_context(base_url=base_url, java_script_enabled=javascript)
    hub = Hub(context.new_page(), base_url, audit=javascript)
    hub.sign_in(f"{key}@demo.sharedspace.test", DEMO_PASSWORD)
    return hub


def test_a_resident_responds_and_keeps_what_they_typed(browser: Browser, demo_server: str) -> None:
    hub = signed_in(browser, demo_server, "resident2")
    hub.goto(OPEN)
    assert (
        hub.page.locator("#comments .ss-comment__badge", has_text="Government observer").count()
        == 1
    )
    assert (hub.page.locator("svg.ss-pyramid title").first.text_content() or "").endswith(
        "revision 5"
    )
    hub.click_and_wait("a:text-is('Respond to this consultation')")

    page = hub.page
    page.get_by_role("group", name="1. Do you agree with the three-tier approach?").get_by_label(
        "Agree", exact=True
    ).check()
    page.get_by_label("As an individual").check()
    hub.click_and_wait("button:text-is('Continue')")  # question 2 and consent missing
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select an answer to question 2" in summary
    assert (
        page.get_by_role("group", name="1. Do you agree with the three-tier approach?")
        .get_by_label("Agree", exact=True)
        .is_checked()
    )

    page.get_by_label("11 kgCO2/m²/yr").check()
    page.get_by_label("Yes, but without my name").check()
    hub.click_and_wait("button:text-is('Continue')")
    assert "11 kgCO2/m²/yr" in page.locator(".govuk-summary-list").first.inner_text()
    hub.click_and_wait("button:text-is('Send response')")  # from "check your response"
    assert "11 kgCO2/m²/yr" in page.locator("main").inner_text()
    hub.goto(OPEN)
    assert page.locator("a:text-is('Change your response')").count() == 1


def test_the_chair_reads_the_summary_moderation_and_outcome(
    browser: Browser, demo_server: str
) -> None:
    chair = signed_in(browser, demo_server, "chair")
    chair.goto(f"{CLOSED}/summary")
    campaigns = (
        chair.page.locator("section, main")
        .filter(has=chair.page.locator("#campaigns-heading"))
        .first.inner_text()
    )
    assert "3" in campaigns  # the three residents' identical letters, counted as a group
    assert chair.page.locator("svg[role=img]").count() >= 2
    assert chair.page.locator("table.govuk-table").count() >= 2  # the charts' tables

    chair.goto(f"{OPEN}/moderation")
    hidden = chair.page.locator("#hidden").inner_text()
    assert "(1)" in hidden
    chair.goto(f"{CLOSED}/outcome/edit")

    visitor = Hub(browser.new_context(base_url=demo_server).new_page(), demo_server)
    visitor.goto(CLOSED)
    visitor.click_and_wait("a:has-text('you said, we did')")
    rows = visitor.page.locator("tbody tr")
    assert rows.count() == 3
    assert "changed in revision" in rows.first.inner_text()
    assert "Removed by moderator" in visitor.goto(OPEN).locator("#comments").inner_text()


def test_observers_comment_but_never_respond(browser: Browser, demo_server: str) -> None:
    observer = signed_in(browser, demo_server, "observer")
    observer.goto(OPEN)
    panel = observer.page.locator("#respond").inner_text()
    assert "Government observers follow the consultation but do not respond" in panel
    response = observer.page.goto(f"{OPEN}/respond")
    assert response is not None
    assert response.status == 403
