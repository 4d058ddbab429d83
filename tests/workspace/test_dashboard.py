"""The observer's dashboard: observed groups with definitions and sign-off, consultations
and responses, milestones, the next meeting and activity since the last visit; read-only."""

from __future__ import annotations

from datetime import timedelta

from definitions.signoff import service as signoff
from tests.consultations.factories import make_consultation
from tests.definitions.factories import make_definition, viewer_for
from tests.factories import World
from workspace.runtime import Runtime

G = "/groups/zero-carbon-homes-definition"


def test_observer_dashboard_shows_observed_groups_read_only(
    as_role, rt: Runtime, world: World
) -> None:  # type: ignore[no-untyped-def]
    definition = make_definition(rt, world)
    signoff.do_propose(rt, viewer_for(rt, world.users["chair"]), world.group, definition.id or 0)
    make_consultation(rt, world)
    chair = as_role("chair")
    chair.submit(f"{G}/milestones/new", {"title": "Fabric agreed", "due_on": "2099-01-01"})
    later = (rt.clock() + timedelta(days=10)).date().isoformat()
    chair.submit(f"{G}/meetings/new", {"title": "Next meeting", "day": later, "time": "10:00"})
    observer = as_role("observer")
    page = observer.page("/dashboard")
    sections = page.select("section.ss-dashboard-group")
    assert [s["data-group"] for s in sections] == ["zero-carbon-homes-definition"]
    box = sections[0]
    cells = [td.get_text(" ", strip=True) for td in box.select(".ss-dash-definitions td")]
    assert cells == [
        "Zero carbon homes",
        "Proposed for agreement",
        "0 of 2 organisations have taken a position",
    ]
    assert (
        box.select_one(".ss-dash-consultations li").get_text(" ", strip=True)
        == "Zero carbon homes: the draft : Open, 0 responses"
    )
    assert "Fabric agreed" in box.select_one(".ss-dash-milestones").get_text()
    assert "Next meeting" in box.select_one(".ss-dash-next-meeting").get_text()
    assert box.select(".ss-dash-activity li")
    main = page.select_one("main")
    assert main.select("form") == []
    assert main.select("button") == []
    # Second visit: only what happened since.
    again = observer.page("/dashboard")
    assert again.select(".ss-dash-activity li") == []
    chair.submit(f"{G}/milestones/new", {"title": "Outcome published", "due_on": "2099-02-01"})
    third = observer.page("/dashboard")
    items = [li.get_text(" ", strip=True) for li in third.select(".ss-dash-activity li")]
    assert len(items) == 1
    assert "Outcome published" in items[0]


def test_dashboard_needs_sign_in_and_shows_only_readable_groups(as_role) -> None:  # type: ignore[no-untyped-def]
    assert as_role("visitor").get("/dashboard").status_code == 303
    public = as_role("public").page("/dashboard")
    assert public.select("section.ss-dashboard-group") == []
    admin = as_role("secretariat").page("/dashboard")
    assert len(admin.select("section.ss-dashboard-group")) == 2
