"""A consultation's life: drafted by a chair, opened and closed by the clock (or now),
its frozen draft, the events each transition publishes once, and the published outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from consultations.lifecycle import service
from consultations.lifecycle.models import Consultation
from consultations.lifecycle.status import by_slug
from definitions import service as definitions
from definitions.tiers import Tier
from tests.client import error_summary, soup
from tests.consultations.factories import Clock
from tests.definitions.factories import viewer_for
from tests.factories import World
from workspace.events import (
    ConsultationClosed,
    ConsultationOpened,
    ConsultationOutcomePublished,
)
from workspace.runtime import Runtime

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(rt: Runtime) -> Clock:
    """Before the consultations these tests draft open (10 March 2026)."""
    clock = Clock(START)
    rt.clock = clock
    return clock


def draft_form(**changes: str) -> dict[str, str]:
    """Opens 10 March 2026 09:00 UK time (GMT), closes 1 June 2026 17:00 (BST)."""
    form = {
        "title": "Zero carbon homes: the definition",
        "summary": "Tell us what you think.",
        "body": "We propose **three tiers**.",
        "source": "",
        "opens_date": "2026-03-10",
        "opens_time": "09:00",
        "closes_date": "2026-06-01",
        "closes_time": "17:00",
        "moderation": "post",
    }
    form.update(changes)
    return form


def create(as_role: Any, world: World, **changes: str) -> Consultation:
    chair = as_role("chair")
    response = chair.submit(f"/consultations/new?group={world.group.slug}", draft_form(**changes))
    assert response.status_code == 303, response.text
    slug = response.headers["location"].rsplit("/", 1)[1]
    with chair.app.state.runtime.db.read() as session:
        found = by_slug(session, slug)
    assert found is not None
    return found


def test_dates_are_entered_in_uk_time_and_stored_in_utc(
    as_role: Any, world: World, clock: Clock
) -> None:
    consultation = create(as_role, world)
    assert consultation.opens_at == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert consultation.closes_at == datetime(2026, 6, 1, 16, 0, tzinfo=UTC)  # BST


def test_invalid_form_keeps_the_text_and_names_each_problem(
    as_role: Any, world: World, clock: Clock
) -> None:
    chair = as_role("chair")
    response = chair.submit(
        f"/consultations/new?group={world.group.slug}",
        draft_form(
            title="",
            closes_date="2026-03-01",
            opens_time="9am",
            source="999:1",
            body="Keep **this** text",
        ),
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == [
        "Enter a title",
        "Select a definition revision from the list, or none",
        "Enter a time like 09:00 or 17:30",
    ]
    assert page.select_one("textarea#body").text.strip() == "Keep **this** text"


def test_the_draft_is_the_groups_until_it_opens(as_role: Any, world: World, clock: Clock) -> None:
    consultation = create(as_role, world)
    path = f"/consultations/{consultation.slug}"
    for role in ("visitor", "public", "outsider"):
        assert as_role(role).get(path).status_code == 404, role
    for role in ("member", "chair", "observer", "secretariat"):
        page = as_role(role).page(path)
        assert page.select_one(".govuk-tag").text.strip() == "Not yet open"
    clock.now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    page = as_role("visitor").page(path)
    assert page.select_one(".govuk-tag").text.strip() == "Open"
    clock.now = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    assert as_role("visitor").page(path).select_one(".govuk-tag").text.strip() == "Closed"


def test_only_chairs_and_the_secretariat_create_and_manage(
    as_role: Any, world: World, clock: Clock
) -> None:
    path = f"/consultations/new?group={world.group.slug}"
    for role in ("public", "member", "observer", "outsider"):
        assert as_role(role).submit(path, draft_form()).status_code == 403, role
    assert as_role("visitor").get(path).status_code == 303
    consultation = create(as_role, world)
    for role in ("member", "observer", "public"):
        response = as_role(role).submit(f"/consultations/{consultation.slug}/open")
        assert response.status_code in (403, 404), role


def test_editing_stops_when_it_opens(as_role: Any, world: World, clock: Clock) -> None:
    consultation = create(as_role, world)
    chair = as_role("chair")
    edit = f"/consultations/{consultation.slug}/edit"
    assert chair.submit(edit, draft_form(summary="Clearer summary")).status_code == 303
    assert chair.submit(f"/consultations/{consultation.slug}/open").status_code == 303
    response = chair.submit(edit, draft_form(summary="Too late"))
    assert response.status_code == 409
    assert "is open" in soup(response.text).select_one("main").text


def test_open_now_and_close_now_publish_each_event_once(
    rt: Runtime, as_role: Any, world: World, clock: Clock
) -> None:
    seen: list[tuple[str, int]] = []
    for kind in (ConsultationOpened, ConsultationClosed, ConsultationOutcomePublished):
        rt.events.subscribe(kind, lambda event: seen.append((event.name, event.consultation_id)))
    consultation = create(as_role, world)
    chair = as_role("chair")
    assert chair.submit(f"/consultations/{consultation.slug}/open").status_code == 303
    chair.get(f"/consultations/{consultation.slug}")  # a read notices nothing new
    assert service.announce_transitions(rt) == 0
    assert chair.submit(f"/consultations/{consultation.slug}/close").status_code == 303
    assert seen == [
        (ConsultationOpened.name, consultation.id),
        (ConsultationClosed.name, consultation.id),
    ]


def test_the_clock_opens_and_closes_without_anyone_acting(
    rt: Runtime, as_role: Any, world: World, clock: Clock
) -> None:
    seen: list[str] = []
    rt.events.subscribe(ConsultationOpened, lambda _event: seen.append("opened"))
    rt.events.subscribe(ConsultationClosed, lambda _event: seen.append("closed"))
    create(as_role, world)
    assert service.announce_transitions(rt) == 0
    clock.now = datetime(2026, 4, 1, tzinfo=UTC)
    assert service.announce_transitions(rt) == 1
    clock.now = datetime(2026, 7, 1, tzinfo=UTC)
    as_role("visitor").get("/consultations/")
    assert service.announce_transitions(rt) == 1
    assert seen == ["opened", "closed"]


def test_the_frozen_draft_does_not_change_with_later_revisions(
    rt: Runtime, as_role: Any, world: World, clock: Clock
) -> None:
    member = viewer_for(rt, world.users["member"])
    tiers = [
        Tier(
            key="fee",
            name="Fabric energy efficiency",
            summary="Good fabric",
            requirement="Build **well**.",
        )
    ]
    definition = definitions.do_create(rt, member, world.group, "Zero carbon homes", "", tiers)
    consultation = create(as_role, world, source=f"{definition.id}:1")
    definitions.do_save(
        rt,
        member,
        world.group,
        definition.id or 0,
        base_number=1,
        mine=[Tier(key="fee", name="Renamed later", summary="", requirement="x")],
        note="later change",
    )
    assert as_role("visitor").get(f"/consultations/{consultation.slug}").status_code == 404
    page = as_role("member").page(f"/consultations/{consultation.slug}")
    heading = page.select_one("#tier-fee-heading").text
    assert heading == "Tier 1: Fabric energy efficiency"
    assert page.select_one("#tier-fee strong").text == "well"
    assert page.select_one("svg.ss-pyramid title").text.endswith("revision 1")


def test_outcome_is_published_after_closing_and_links_the_revision(
    rt: Runtime, as_role: Any, world: World, clock: Clock
) -> None:
    consultation = create(as_role, world)
    chair = as_role("chair")
    edit = f"/consultations/{consultation.slug}/outcome/edit"
    assert chair.get(edit).status_code == 409  # still a draft
    clock.now = datetime(2026, 7, 1, tzinfo=UTC)
    assert as_role("member").get(edit).status_code == 403
    bad = chair.submit(
        edit,
        {
            "summary": "Thank you",
            "row_count": "3",
            "row-0-theme": "Raise the fabric standard",
            "row-0-disposition": "not_accepted",
        },
    )
    assert bad.status_code == 400
    page = soup(bad.text)
    assert error_summary(page) == ["Give the reason line 1 was not accepted"]
    assert page.select_one("#row-0-theme")["value"] == "Raise the fabric standard"
    ok = chair.submit(
        edit,
        {
            "summary": "Thank you **all**",
            "row_count": "3",
            "row-0-theme": "Raise the fabric standard",
            "row-0-disposition": "not_accepted",
            "row-0-reason": "Costs too much for small builders",
            "row-1-theme": "Define allowable solutions",
            "row-1-disposition": "noted",
        },
    )
    assert ok.status_code == 303
    outcome = as_role("visitor").page(f"/consultations/{consultation.slug}/outcome")
    cells = [
        [td.text.split("\n")[0].strip() for td in tr.select("td")]
        for tr in outcome.select("tbody tr")
    ]
    assert cells == [
        ["Raise the fabric standard", "Not accepted"],
        ["Define allowable solutions", "Noted"],
    ]
    assert outcome.select_one(".ss-prose strong").text == "all"
    consultation_page = as_role("visitor").page(f"/consultations/{consultation.slug}")
    assert consultation_page.select_one(".govuk-tag").text.strip() == "Outcome published"


def test_group_page_and_list_show_consultations_by_status(
    as_role: Any, world: World, clock: Clock
) -> None:
    consultation = create(as_role, world)
    group_page = as_role("member").page(f"/groups/{world.group.slug}")
    links = [a.text for a in group_page.select("section[aria-labelledby=consultations-heading] a")]
    assert consultation.title in links
    assert as_role("public").page("/consultations/").select_one(".ss-card") is None
    clock.now = START + timedelta(days=30)
    listing = as_role("public").page("/consultations/")
    assert listing.select_one("#open-heading").text == "Open now"
    assert [a.text for a in listing.select(".ss-card h3 a")] == [consultation.title]
