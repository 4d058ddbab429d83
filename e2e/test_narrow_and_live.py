"""Issue 14 in the browser: the response form checks an answer as the person leaves it
(htmx, the full submit's own checks, nothing sent); and on a phone the charts and the
timeline give way to their data tables, with nothing wider than the screen. axe audits
every page and state on the way (e2e/hub.py)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import DEMO_PASSWORD
from e2e.hub import Hub

OPEN = "/consultations/zero-carbon-homes-the-proposed-definition"
CLOSED = "/consultations/allowable-solutions-what-should-count"
PHONE = {"width": 320, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def _hub(browser: Browser, base_url: str, viewport: dict[str, int]) -> Hub:
    context = browser.new_context(base_url=base_url, viewport=viewport)  # type: ignore[arg-type]
    return Hub(context.new_page(), base_url)


def _page_width(page: Page) -> int:
    return int(
        page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        )
    )


def test_an_answer_is_checked_as_the_person_leaves_it(browser: Browser, demo_server: str) -> None:
    hub = _hub(browser, demo_server, DESKTOP)
    hub.sign_in("resident3@demo.sharedspace.test", DEMO_PASSWORD)
    page = hub.goto(f"{OPEN}/respond")
    box = page.get_by_label(
        "3. What should the task group weigh before it proposes the definition?"
    )
    field_id = box.get_attribute("id")
    error = page.locator(f"#{field_id}-error")
    expect(error).to_have_count(0)
    box.fill("x" * 10_001)
    box.press("Tab")
    expect(error).to_have_text(
        "Error: Your answer to question 3 must be 10,000 characters or fewer"
    )
    expect(box).to_have_value("x" * 10_001)  # what was typed stays
    assert page.locator(".govuk-error-summary").count() == 0  # nothing was submitted
    hub.audit()
    page.get_by_label(
        "3. What should the task group weigh before it proposes the definition?"
    ).fill("The cost of the fabric standard for small builders.")
    page.keyboard.press("Tab")
    expect(error).to_have_count(0)
    hub.audit()
    hub.assert_no_console_errors()


def test_on_a_phone_charts_give_way_to_their_tables(browser: Browser, demo_server: str) -> None:
    phone = _hub(browser, demo_server, PHONE)
    page = phone.goto("/timeline")
    expect(page.locator("figure.ss-timeline")).to_be_hidden()
    expect(page.locator("table.ss-milestones")).to_be_visible()
    assert _page_width(page) <= PHONE["width"]
    page = phone.goto(f"{CLOSED}/summary")
    charts = page.locator("figure.ss-chart__figure")
    assert charts.count() >= 2
    for i in range(charts.count()):
        expect(charts.nth(i)).to_be_hidden()
    expect(page.locator("table.ss-summary-table").first).to_be_visible()
    assert _page_width(page) <= PHONE["width"]

    desktop = _hub(browser, demo_server, DESKTOP)
    page = desktop.goto("/timeline")
    expect(page.locator("figure.ss-timeline")).to_be_visible()
    page = desktop.goto(f"{CLOSED}/summary")
    expect(page.locator("figure.ss-chart__figure").first).to_be_visible()
