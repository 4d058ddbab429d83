"""Progress in a real browser: a chair links a milestone to a consultation's outcome,
publishes the outcome through the pages, and the milestone shows done on the timeline
with no other step. Meetings, the dashboard, feeds and audit pages all pass axe."""

from __future__ import annotations

from collections.abc import Callable

from e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from e2e.hub import Hub
from e2e.test_foundation import register
from workspace.text import slugify

PASSWORD = "a good long password"
GROUP = "Progress task group"
SLUG = slugify(GROUP)
CHAIR_EMAIL, CHAIR_NAME = "helen@progress.example", "Helen Progress"
ORG, SECTOR = "Progress Homes Ltd", "Industry"
CONSULTATION = "Allowable solutions: the list"


def _setup(new_hub: Callable[..., Hub]) -> tuple[Hub, Hub]:
    chair, admin = new_hub(), new_hub()
    register(chair, CHAIR_EMAIL, CHAIR_NAME, PASSWORD)
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.goto("/organisations/new")
    admin.page.get_by_label("Name").fill(ORG)
    admin.page.get_by_label(SECTOR, exact=True).check()
    admin.click_and_wait("form button[type=submit]:has-text('Add organisation')")
    admin.goto("/groups/new")
    admin.page.get_by_label("Name").fill(GROUP)
    admin.page.get_by_label("Remit").fill("Agree the allowable solutions.")
    admin.click_and_wait("form button[type=submit]:has-text('Create task group')")
    admin.page.locator("#email").fill(CHAIR_EMAIL)
    admin.page.get_by_label("Organisation they represent").select_option(label=f"{ORG} ({SECTOR})")
    admin.page.get_by_label("Chair", exact=True).check()
    admin.click_and_wait("form button[type=submit]:has-text('Seat member')")
    return chair, admin


def _status(hub: Hub, title: str) -> str:
    row = hub.page.locator("table.ss-milestones tbody tr", has_text=title)
    return str(row.locator(".ss-milestone-status").get_attribute("data-status"))


def test_publishing_the_outcome_completes_the_milestone(new_hub: Callable[..., Hub]) -> None:
    chair, admin = _setup(new_hub)
    page = chair.page
    # The chair drafts a consultation, then a milestone waiting for its outcome.
    chair.goto(f"/consultations/new?group={SLUG}")
    page.get_by_label("Title").fill(CONSULTATION)
    page.get_by_label("Summary").fill("Which measures count.")
    page.get_by_label("What you are consulting on").fill("The list of **allowable solutions**.")
    chair.click_and_wait("main form button[type=submit]")
    consultation_url = page.url
    chair.goto(f"/groups/{SLUG}/milestones/new")
    page.get_by_label("Title").fill("Allowable solutions outcome published")
    fill_date(page, "Due date", 1, 6, 2030)
    page.get_by_label("Deliverable (optional)").select_option(
        label=f"Consultation outcome published: {CONSULTATION}"
    )
    chair.click_and_wait("main form button[type=submit]:has-text('Save milestone')")
    chair.goto(f"/groups/{SLUG}/timeline")
    assert _status(chair, "Allowable solutions outcome published") == "on_track"
    # Open, close and publish the outcome, as the chair would.
    chair.goto(consultation_url)
    chair.click_and_wait("main button:has-text('Open now')")
    chair.click_and_wait("main button:has-text('Close now')")
    chair.click_and_wait("main a:has-text('Publish the outcome')")
    page.get_by_label("Summary of the outcome").fill("We kept four measures.")
    page.get_by_label("You said (the theme)").first.fill("Keep retrofit on the list")
    page.get_by_label("We did").first.select_option(label="Noted")
    chair.click_and_wait("main form button[type=submit]:has-text('Publish the outcome')")
    # No other step: the timeline already shows it done, with a link to the outcome.
    chair.goto(f"/groups/{SLUG}/timeline")
    assert _status(chair, "Allowable solutions outcome published") == "done"
    row = page.locator("table.ss-milestones tbody tr", has_text="Allowable solutions outcome")
    assert (
        row.locator("a:has-text('see the deliverable')").get_attribute("href")
        == consultation_url.split(chair.base_url, 1)[1]
    )
    assert page.locator("svg[role=img] g.ss-timeline__mark[data-status=circle]").count() == 1
    chair.goto("/timeline")
    assert _status(chair, "Allowable solutions outcome published") == "done"
    # The same through HTTP, as the public would read it.
    response = page.request.get(f"{chair.base_url}/groups/{SLUG}/calendar.ics")
    assert "Allowable solutions outcome published (done)" in response.text()

    # A meeting, scheduled and recorded through the pages.
    chair.goto(f"/groups/{SLUG}/meetings/new")
    page.get_by_label("Title").fill("First meeting")
    fill_date(page, "Date", 5, 2, 2030)
    page.get_by_label("Start time").fill("14:30")
    chair.click_and_wait("main form button[type=submit]:has-text('Save meeting')")
    chair.click_and_wait("main a:has-text('Record minutes')")
    page.locator("fieldset", has_text=f"{CHAIR_NAME}, {ORG}").get_by_label("Present").check()
    page.get_by_label("Minutes", exact=True).fill("We met.")
    page.get_by_label("Publish the minutes and decisions to everyone").check()
    chair.click_and_wait("main form button[type=submit]:has-text('Save the record')")
    assert page.locator(".ss-members-present li").inner_text() == f"{CHAIR_NAME}, {ORG}"
    chair.goto(f"/groups/{SLUG}/meetings")
    chair.goto(f"/groups/{SLUG}")

    # The secretariat's pages.
    for path in ("/dashboard", "/audit", "/feeds/private", "/programme", "/"):
        admin.goto(path)
    admin.goto("/dashboard")
    assert admin.page.locator(f"section[data-group='{SLUG}']").count() == 1


def fill_date(page, legend: str, day: int, month: int, year: int) -> None:  # type: ignore[no-untyped-def]
    """A GOV.UK date input: three boxes in a fieldset named by its legend."""
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))
