"""Shared definitions in a real browser: two members from two organisations edit the
same revision at once (different tiers merge, the same tier goes to the merge page with
their text kept), every definitions page passes axe, and sign-off works end to end.
The edit, save and merge path also runs with JavaScript off."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser

from e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, DEMO_PASSWORD
from e2e.hub import Hub
from e2e.test_foundation import register
from workspace.text import slugify

PASSWORD = "a good long password"
GROUP = "Fabric and carbon task group"
SLUG = slugify(GROUP)


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    organisation: str
    sector: str
    role: str


CHAIR = Person(
    "helen@hbf.defs.example", "Helen Barnes", "Home Builders Federation", "Industry", "Chair"
)
RAJ = Person("raj@nhbc.defs.example", "Raj Patel", "NHBC", "Professional body", "Member")
PRIYA = Person("priya@eon.defs.example", "Priya Shah", "E.ON Energy", "Energy supply", "Member")

PYRAMID = [
    (
        "Energy efficiency",
        "Good building fabric performance",
        "Insulation and airtightness keep heat demand low.",
        ("<=", "39", "kWh/m²/yr"),
    ),
    (
        "Carbon compliance",
        "Carbon cut on site",
        "Regulated emissions stay within a limit per square metre.",
        ("<=", "10", "kgCO₂/m²/yr"),
    ),
    (
        "Allowable solutions",
        "Off-site measures for the remainder",
        "Remaining emissions are abated away from the site.",
        None,
    ),
]


@pytest.fixture(scope="module")
def group(browser: Browser, server: str) -> Iterator[str]:
    """A task group with a chair and two members from three organisations, set up
    through the pages as the people and the secretariat would."""
    hubs: list[Hub] = []
    contexts = []
    for person in (CHAIR, RAJ, PRIYA, None):
        context = browser.new_context(base_url=server)
        contexts.append(context)
        hub = Hub(context.new_page(), server)
        hubs.append(hub)
        if person is not None:
            register(hub, person.email, person.name, PASSWORD)
    admin = hubs[-1]
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    for person in (CHAIR, RAJ, PRIYA):
        admin.goto("/organisations")
        if person.organisation in admin.page.locator("main").inner_text():
            continue  # another test module added it already
        admin.goto("/organisations/new")
        admin.page.get_by_label("Name").fill(person.organisation)
        admin.page.get_by_label(person.sector, exact=True).check()
        admin.click_and_wait("form button[type=submit]:has-text('Add organisation')")
    admin.goto("/groups/new")
    admin.page.get_by_label("Name").fill(GROUP)
    admin.page.get_by_label("Remit").fill("Agree the fabric and carbon tiers.")
    admin.click_and_wait("form button[type=submit]:has-text('Create task group')")
    for person in (CHAIR, RAJ, PRIYA):
        admin.page.locator("#email").fill(person.email)
        admin.page.get_by_label("Organisation they represent").select_option(
            label=f"{person.organisation} ({person.sector})"
        )
        admin.page.get_by_label(person.role, exact=True).check()
        admin.click_and_wait("form button[type=submit]:has-text('Seat member')")
    members = admin.page.locator("table[aria-labelledby=members-heading]")
    for person in (CHAIR, RAJ, PRIYA):
        assert person.name in members.inner_text()
    yield SLUG
    for hub in hubs:
        hub.assert_no_console_errors()
    for context in contexts:
        context.close()


def signed_in(new_hub: Callable[..., Hub], person: Person, *, javascript: bool = True) -> Hub:
    hub = new_hub(javascript=javascript)
    hub.sign_in(person.email, PASSWORD)
    return hub


def banner(hub: Hub) -> str:
    return hub.page.locator(".govuk-notification-banner").inner_text()


def fill_new_tier(
    hub: Hub, name: str, summary: str, requirement: str, metric: tuple[str, str, str] | None
) -> None:
    page = hub.page
    page.locator("#tier-new-name").fill(name)
    page.locator("#tier-new-summary").fill(summary)
    page.locator("#tier-new-requirement").fill(requirement)
    if metric:
        page.locator("#tier-new-comparator").select_option(metric[0])
        page.locator("#tier-new-value").fill(metric[1])
        page.locator("#tier-new-unit").fill(metric[2])


def create_pyramid(hub: Hub, title: str) -> str:
    """Start a definition with the base tier, then add the others one save at a time,
    as the form asks. Returns the definition's URL (head: revision 3)."""
    hub.goto(f"/groups/{SLUG}/definitions/new")
    hub.page.get_by_label("Title").fill(title)
    hub.page.get_by_label("Purpose").fill("What a zero carbon home must achieve.")
    fill_new_tier(hub, *PYRAMID[0])
    hub.click_and_wait("form button:has-text('Create definition')")
    url = f"/groups/{SLUG}/definitions/{slugify(title)}"
    assert hub.page.url.endswith(url)
    assert "revision 1" in banner(hub)
    for tier in PYRAMID[1:]:
        hub.goto(url + "/edit")
        fill_new_tier(hub, *tier)
        hub.page.get_by_label("What did you change? (optional)").fill(f"Added {tier[0]}")
        hub.click_and_wait("form button:has-text('Save a new revision')")
    assert "Saved as revision 3" in banner(hub)
    return url


def save(hub: Hub, note: str) -> None:
    hub.page.get_by_label("What did you change? (optional)").fill(note)
    hub.click_and_wait("form button:has-text('Save a new revision')")


def tier_text(hub: Hub, name: str) -> str:
    heading = hub.page.locator("h2", has_text=name)
    return hub.page.locator("section.ss-tier-text", has=heading).inner_text()


def concurrent_edits(new_hub: Callable[..., Hub], *, javascript: bool, title: str) -> None:
    chair = signed_in(new_hub, CHAIR)
    url = create_pyramid(chair, title)
    raj = signed_in(new_hub, RAJ, javascript=javascript)
    priya = signed_in(new_hub, PRIYA, javascript=javascript)

    # Both open revision 3; Raj changes the base tier, Priya the top one.
    raj.goto(url + "/edit")
    priya.goto(url + "/edit")
    for hub in (raj, priya):
        assert "You are editing revision 3" in hub.page.locator("main").inner_text()
    raj.page.locator("#tier-0-requirement").fill(
        "Insulation, airtightness and glazing keep heat demand low."
    )
    priya.page.locator("#tier-2-summary").fill("Near-site and off-site measures")
    save(raj, "Glazing is part of the fabric")
    assert "Saved as revision 4" in banner(raj)
    save(priya, "Allowable solutions may be near the site")
    notice = banner(priya)
    assert "merged into revision 5" in notice
    assert "Someone else saved" in notice
    # Both changes are in the new head.
    assert "airtightness and glazing" in tier_text(priya, "Energy efficiency")
    assert "Near-site and off-site measures" in tier_text(priya, "Allowable solutions")
    assert "Merged with revision 4" in priya.page.locator("main").inner_text()

    # Both open revision 5 and change the same tier.
    raj.goto(url + "/edit")
    priya.goto(url + "/edit")
    raj.page.locator("#tier-1-requirement").fill("Theirs: at most 10 kgCO₂/m²/yr on site.")
    priya.page.locator("#tier-1-requirement").fill("Mine: on-site generation counts.")
    save(raj, "Carbon limit in the text")
    assert "Saved as revision 6" in banner(raj)
    save(priya, "Generation counts")
    page = priya.page
    assert page.locator("h1").inner_text() == "Your changes clash with someone else's"
    clash = page.locator(".ss-conflict")
    assert clash.count() == 1
    assert "Their version (revision 6)" in clash.inner_text()
    assert "Theirs: at most 10 kgCO₂/m²/yr on site." in clash.inner_text()
    assert page.locator("#tier-1-requirement").input_value() == "Mine: on-site generation counts."
    assert page.get_by_label("What did you change? (optional)").input_value() == "Generation counts"
    # Untouched tiers already carry the other edits.
    assert page.locator("#tier-0-requirement").input_value().startswith("Insulation, airtightness")
    page.locator("#tier-1-requirement").fill(
        "At most 10 kgCO₂/m²/yr on site; on-site generation counts."
    )
    priya.click_and_wait("form button:has-text('Save the merged revision')")
    assert "Saved as revision 7" in banner(priya)
    assert "on-site generation counts" in tier_text(priya, "Carbon compliance")
    assert "airtightness and glazing" in tier_text(priya, "Energy efficiency")


def test_two_members_edit_at_once_and_nothing_is_lost(
    new_hub: Callable[..., Hub], group: str
) -> None:
    concurrent_edits(new_hub, javascript=True, title="Zero carbon homes")
    reader = signed_in(new_hub, RAJ)
    url = f"/groups/{group}/definitions/zero-carbon-homes"

    reader.goto(url + "/history")
    history = reader.page.locator("table").inner_text()
    assert "7 revisions" in history
    assert "merged with revision 4" in history
    assert "Priya Shah" in history
    assert "Raj Patel" in history
    assert "Helen Barnes" in history

    reader.click_and_wait("a:has-text('with 6')")  # compare revision 7 with 6
    assert "/compare?from=6&to=7" in reader.page.url
    changed = reader.page.locator("section.ss-compare-tier", has_text="Carbon compliance")
    assert changed.locator("ins").count() >= 1
    assert changed.locator("del").count() >= 1
    assert any("generation counts" in text for text in changed.locator("ins").all_inner_texts())

    reader.goto(url + "/compare?from=1&to=7")
    assert reader.page.locator(".ss-diff ins").count() >= 2
    reader.goto(url + "/revisions/2")
    assert "the latest is revision 7" in reader.page.locator("main").inner_text()
    assert reader.page.locator("svg").first.is_visible()


def test_edit_save_and_merge_without_javascript(new_hub: Callable[..., Hub], group: str) -> None:
    concurrent_edits(new_hub, javascript=False, title="Zero carbon homes without scripts")


def test_chair_proposes_and_members_record_positions(
    new_hub: Callable[..., Hub], group: str
) -> None:
    chair = signed_in(new_hub, CHAIR)
    url = create_pyramid(chair, "Zero carbon homes for sign-off")
    chair.click_and_wait("nav.ss-subnav a:has-text('Sign-off')")
    assert "This definition is a draft" in chair.page.locator("main").inner_text()
    chair.click_and_wait("form button:has-text('Propose revision 3')")
    assert "Revision 3 is proposed" in banner(chair)

    raj = signed_in(new_hub, RAJ)
    raj.goto(url + "/sign-off")
    raj.page.get_by_label("Support with reservations").check()
    raj.page.get_by_label("Comment").fill("Review the fabric figure against as-built data.")
    raj.click_and_wait("form button:has-text('Record position')")
    assert "position has been recorded" in banner(raj)
    row = raj.page.locator("tr[data-organisation='NHBC']")
    assert "Support with reservations" in row.inner_text()
    assert "as-built data" in row.inner_text()

    priya = signed_in(new_hub, PRIYA)
    priya.goto(url + "/sign-off")
    priya.page.get_by_label("Object", exact=True).check()
    priya.click_and_wait("form button:has-text('Record position')")  # no reason: refused
    assert (
        "Give the reason for your objection"
        in priya.page.locator(".govuk-error-summary").inner_text()
    )
    priya.page.get_by_label("Comment").fill("Heat networks need a connection standard.")
    priya.click_and_wait("form button:has-text('Record position')")
    dispute = priya.page.locator(".ss-dispute")
    assert "E.ON Energy objected to revision 3" in dispute.inner_text()
    assert "Open" in dispute.inner_text()

    # The chair cannot declare agreement yet; they answer the objection and record
    # their own organisation's support, then can.
    chair.goto(url + "/sign-off")
    chair.click_and_wait("form button:has-text('Declare agreed')")
    assert (
        "Every member organisation must record a position first"
        in chair.page.locator(".govuk-error-summary").inner_text()
    )
    chair.page.get_by_label("Not accepted", exact=True).check()
    chair.page.get_by_label("Answer (required if not accepted)").fill(
        "A connection standard is for the 2013 review, not this definition."
    )
    chair.click_and_wait("form button:has-text('Answer objection')")
    assert "Not accepted" in chair.page.locator(".ss-dispute").inner_text()
    chair.page.get_by_label("Support", exact=True).check()
    chair.click_and_wait("form button:has-text('Record position')")
    chair.click_and_wait("form button:has-text('Declare agreed')")
    assert "is agreed at revision 3" in banner(chair)
    assert "Agreed" in chair.page.locator("h1").inner_text()

    # The record is kept and shown to the group.
    raj.goto(url + "/sign-off")
    record = raj.page.locator("ul.ss-activity").inner_text()
    assert "NHBC: Support with reservations on revision 3" in record
    assert "E.ON Energy: Object on revision 3" in record
    assert "Home Builders Federation: Support on revision 3" in record


def test_the_demo_definition_reads_as_a_real_history(browser: Browser, demo_server: str) -> None:
    """The Zero Carbon Hub demo: every definitions page in its final state passes axe,
    and the last organisation's position lets the chair declare agreement."""
    hubs: list[Hub] = []
    for key in ("climate", "chair"):
        hub = Hub(browser.new_context(base_url=demo_server).new_page(), demo_server)
        hub.sign_in(f"{key}@demo.sharedspace.test", DEMO_PASSWORD)
        hubs.append(hub)
    climate, chair = hubs
    url = "/groups/zero-carbon-homes-definition/definitions/zero-carbon-homes"

    climate.goto("/groups/zero-carbon-homes-definition")
    climate.click_and_wait(
        "section[aria-labelledby=definitions-heading] a:text-is('Zero carbon homes')"
    )
    assert "Proposed for agreement" in climate.page.locator("h1").inner_text()
    assert "≤ 39 kWh/m²/yr" in tier_text(climate, "Energy efficiency")
    assert "≤ 10 kgCO₂/m²/yr" in tier_text(climate, "Carbon compliance")
    climate.goto(url + "/history")
    history = climate.page.locator("table").inner_text()
    assert "5 revisions" in history
    assert "merged with revision 3" in history
    climate.goto(url + "/compare?from=1&to=5")
    assert climate.page.locator(".ss-diff ins").count() >= 3
    climate.goto(url + "/revisions/5/print")

    chair.goto(url + "/sign-off")
    main = chair.page.locator("main").inner_text()
    assert "Resolved in revision 5" in main
    assert "Waiting for: The Climate Group." in main
    assert "Support with reservations" in main
    assert "Object on revision 4" in main

    climate.goto(url + "/sign-off")
    climate.page.get_by_label("Support", exact=True).check()
    climate.click_and_wait("form button:has-text('Record position')")
    assert (
        "Support" in climate.page.locator("tr[data-organisation='The Climate Group']").inner_text()
    )

    chair.goto(url + "/sign-off")
    chair.click_and_wait("form button:has-text('Declare agreed at revision 5')")
    assert "is agreed at revision 5" in banner(chair)
    for hub in hubs:
        hub.assert_no_console_errors()
        hub.page.context.close()
