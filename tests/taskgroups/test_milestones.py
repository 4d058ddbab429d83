"""Milestones: derived status by a fixed clock, slippage kept, completion by each
deliverable's event (through the real services), by hand, and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from consultations.lifecycle import service as consultation_service
from consultations.outcome import service as outcome
from definitions.signoff import service as signoff
from taskgroups.milestones import service as milestones
from taskgroups.milestones.models import DeliverableKind, Milestone, MilestoneStatus
from tests.client import error_summary, soup
from tests.consultations.factories import Clock, make_consultation
from tests.definitions.factories import make_definition, viewer_for
from tests.factories import World
from workspace.events import ConsultationOutcomePublished, DefinitionAgreed
from workspace.models import ActivityEvent
from workspace.runtime import Runtime

G = "/groups/zero-carbon-homes-definition"
NOW = datetime(2013, 1, 10, 12, tzinfo=UTC)


@pytest.fixture
def clock(rt: Runtime) -> Clock:
    fixed = Clock(NOW)
    rt.clock = fixed
    return fixed


def _m(
    due: date, *, done: date | None = None, kind: str = "", started: date | None = None
) -> Milestone:
    return Milestone(
        title="x",
        due_on=due,
        completed_on=done,
        deliverable_kind=kind,
        deliverable_started_on=started,
    )


def test_status_rules() -> None:
    today = date(2013, 1, 10)
    assert (
        milestones.status_of(_m(date(2012, 1, 1), done=date(2012, 2, 1)), today, 60)
        is MilestoneStatus.DONE
    )
    assert milestones.status_of(_m(date(2013, 1, 9)), today, 60) is MilestoneStatus.OVERDUE
    assert milestones.status_of(_m(date(2013, 1, 10)), today, 60) is MilestoneStatus.AT_RISK
    assert milestones.status_of(_m(date(2013, 3, 11)), today, 60) is MilestoneStatus.AT_RISK
    assert milestones.status_of(_m(date(2013, 3, 12)), today, 60) is MilestoneStatus.ON_TRACK
    # Within the window, but its deliverable has been proposed or opened: on track.
    started = _m(date(2013, 2, 1), kind="definition_agreed", started=date(2013, 1, 1))
    assert milestones.status_of(started, today, 60) is MilestoneStatus.ON_TRACK
    waiting = _m(date(2013, 2, 1), kind="definition_agreed")
    assert milestones.status_of(waiting, today, 60) is MilestoneStatus.AT_RISK
    assert milestones.status_of(waiting, today, 10) is MilestoneStatus.ON_TRACK


def _create(client, path: str, **fields: str):  # type: ignore[no-untyped-def]
    data = {"title": "Fabric standard agreed", "due_on": "2013-06-01"} | fields
    return client.submit(path, data)


def _only_milestone(rt: Runtime) -> Milestone:
    with rt.db.read() as session:
        return session.exec(select(Milestone)).one()


def test_chair_adds_a_milestone_shown_on_both_timelines(
    as_role, rt: Runtime, clock: Clock, world: World
) -> None:  # type: ignore[no-untyped-def]
    chair = as_role("chair")
    response = _create(chair, f"{G}/milestones/new")
    assert response.status_code == 303
    m = _only_milestone(rt)
    assert m.group_id == world.group.id
    for path in ("/timeline", f"{G}/timeline", G):
        page = as_role("visitor").page(path)
        row = page.select_one(f"table.ss-milestones tr[data-milestone-id='{m.id}']")
        assert row is not None, path
        assert row.select_one(".ss-milestone-status")["data-status"] == "on_track"
        svg = page.select_one("svg[role=img]")
        assert svg.select_one("title").get_text() == "Timeline of milestones to the target date"
        assert "Today is 10 January 2013" in svg.select_one("desc").get_text()
        assert svg.select_one("g.ss-timeline__today") is not None
        assert svg.select("g.ss-timeline__mark")[0]["data-status"] == "square"


def test_form_errors_keep_input(as_role, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    response = _create(
        as_role("chair"),
        f"{G}/milestones/new",
        title="Kept title",
        due_on="2013-02-30",
        deliverable="definition_agreed:999",
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == [
        "The due date must be a real date, like 2016-04-01",
        "Select a deliverable from the list",
    ]
    assert page.select_one("#title")["value"] == "Kept title"
    assert page.title.get_text().startswith("Error:")


@pytest.mark.parametrize(
    ("role", "status"), [("visitor", 303), ("public", 403), ("member", 403), ("observer", 403)]
)
def test_only_chairs_and_secretariat_manage_milestones(
    as_role, rt: Runtime, clock: Clock, role: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    assert _create(as_role("chair"), f"{G}/milestones/new").status_code == 303
    m = _only_milestone(rt)
    client = as_role(role)
    assert _create(client, f"{G}/milestones/new").status_code == status
    assert _create(client, "/milestones/new").status_code == status
    assert client.submit(f"/milestones/{m.id}/edit", {"title": "x"}).status_code == status
    assert client.submit(f"/milestones/{m.id}/complete", {"note": "x"}).status_code == status
    assert client.submit(f"/milestones/{m.id}/delete").status_code == status
    assert _only_milestone(rt).completed_on is None


def test_hub_wide_milestones_are_for_the_secretariat(
    as_role, rt: Runtime, clock: Clock, world: World
) -> None:  # type: ignore[no-untyped-def]
    assert _create(as_role("chair"), "/milestones/new").status_code == 403
    assert (
        _create(as_role("secretariat"), "/milestones/new", title="Zero carbon homes").status_code
        == 303
    )
    assert _only_milestone(rt).group_id is None
    # A chair of another group cannot touch this group's milestones.
    assert _create(as_role("chair"), f"{G}/milestones/new").status_code == 303
    with rt.db.read() as session:
        mine = session.exec(select(Milestone).where(Milestone.group_id == world.group.id)).one()
    outsider = as_role("visitor")
    outsider.sign_in_as(world.users["outsider"])
    assert outsider.submit(f"/milestones/{mine.id}/complete", {"note": "x"}).status_code == 403


def test_moving_the_due_date_keeps_the_slippage(as_role, rt: Runtime, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    chair = as_role("chair")
    _create(chair, f"{G}/milestones/new", due_on="2013-03-01")
    m = _only_milestone(rt)
    response = chair.submit(f"/milestones/{m.id}/edit", {"title": m.title, "due_on": "2013-06-01"})
    assert error_summary(soup(response.text)) == ["Enter why the due date has moved"]
    assert (
        chair.submit(
            f"/milestones/{m.id}/edit",
            {
                "title": m.title,
                "due_on": "2013-06-01",
                "reason": "Waiting for the cost review",
            },
        ).status_code
        == 303
    )
    page = as_role("visitor").page(f"/milestones/{m.id}")
    slips = [li.get_text(" ", strip=True) for li in page.select(".ss-slippage li")]
    assert len(slips) == 1
    assert slips[0].startswith(
        "Moved from 1 March 2013 to 1 June 2013: Waiting for the cost review"
    )
    table = as_role("visitor").page("/timeline").select_one(".ss-slip").get_text(" ", strip=True)
    assert table == "Moved from 1 March 2013 to 1 June 2013: Waiting for the cost review"
    assert _only_milestone(rt).due_on == date(2013, 6, 1)


def test_chair_completes_by_hand_with_a_note(as_role, rt: Runtime, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    chair = as_role("chair")
    _create(chair, f"{G}/milestones/new", due_on="2012-12-01")
    m = _only_milestone(rt)
    page = as_role("visitor").page(f"/milestones/{m.id}")
    assert page.select_one(".ss-milestone-status")["data-status"] == "overdue"
    response = chair.submit(f"/milestones/{m.id}/complete", {"note": ""})
    assert error_summary(soup(response.text)) == ["Enter a note on how the milestone was met"]
    assert (
        chair.submit(f"/milestones/{m.id}/complete", {"note": "Report sent to DCLG"}).status_code
        == 303
    )
    page = as_role("visitor").page(f"/milestones/{m.id}")
    assert page.select_one(".ss-milestone-status")["data-status"] == "done"
    assert (
        page.select_one("#completion").get_text(" ", strip=True)
        == "10 January 2013: Report sent to DCLG"
    )


def _linked(as_role, rt: Runtime, value: str) -> Milestone:  # type: ignore[no-untyped-def]
    chair = as_role("chair")
    form = chair.page(f"{G}/milestones/new")
    assert value in [o["value"] for o in form.select("#deliverable option")]
    assert _create(chair, f"{G}/milestones/new", deliverable=value).status_code == 303
    m = _only_milestone(rt)
    assert m.completed_on is None
    return m


def test_agreeing_the_definition_completes_its_milestone(
    as_role, rt: Runtime, clock: Clock, world: World
) -> None:  # type: ignore[no-untyped-def]
    definition = make_definition(rt, world)
    m = _linked(as_role, rt, f"definition_agreed:{definition.id}")
    chair, member = (viewer_for(rt, world.users[k]) for k in ("chair", "member"))
    assert milestones.status_of(m, date(2013, 5, 1), 60) is MilestoneStatus.AT_RISK
    signoff.do_propose(rt, chair, world.group, definition.id or 0)
    assert _only_milestone(rt).deliverable_started_on == date(2013, 1, 10)
    for who in (chair, member):
        signoff.do_record_position(rt, who, world.group, definition.id or 0, "support", "")
    clock.now += timedelta(days=3)
    signoff.do_agree(rt, chair, world.group, definition.id or 0)
    done = _only_milestone(rt)
    assert done.completed_on == date(2013, 1, 13)
    assert done.completion_url == f"{G}/definitions/{definition.slug}"
    row = as_role("visitor").page("/timeline").select_one(f"tr[data-milestone-id='{m.id}']")
    assert row.select_one(".ss-milestone-status")["data-status"] == "done"
    assert row.select_one(f"a[href='{done.completion_url}']") is not None
    with rt.db.read() as session:
        verbs = session.exec(
            select(ActivityEvent.verb).where(ActivityEvent.object_type == "milestone")
        ).all()
    assert verbs == ["milestone.created", "milestone.completed"]


def test_publishing_an_outcome_completes_its_milestone(
    as_role, rt: Runtime, clock: Clock, world: World
) -> None:  # type: ignore[no-untyped-def]
    consultation = make_consultation(
        rt, world, opens_at=NOW + timedelta(days=1), closes_at=NOW + timedelta(days=20)
    )
    m = _linked(as_role, rt, f"outcome_published:{consultation.id}")
    assert _only_milestone(rt).deliverable_started_on is None
    clock.now += timedelta(days=2)
    consultation_service.announce_transitions(rt)
    assert _only_milestone(rt).deliverable_started_on == date(2013, 1, 12)
    clock.now += timedelta(days=30)
    chair = viewer_for(rt, world.users["chair"])
    outcome.do_publish_outcome(rt, chair, consultation.id or 0, "We listened.", [])
    done = _only_milestone(rt)
    assert done.id == m.id
    assert done.completed_on == date(2013, 2, 11)
    assert done.completion_url == f"/consultations/{consultation.slug}"


def test_other_deliverables_do_not_complete_it(
    rt: Runtime, clock: Clock, world: World, as_role
) -> None:  # type: ignore[no-untyped-def]
    definition = make_definition(rt, world)
    _linked(as_role, rt, f"definition_agreed:{definition.id}")
    rt.events.publish(DefinitionAgreed((definition.id or 0) + 1, world.group.id or 0, 1))
    rt.events.publish(
        ConsultationOutcomePublished(
            consultation_id=definition.id or 0,
            group_id=world.group.id or 0,
            slug="",
            title="",
            url="",
            definition_id=None,
        )
    )
    assert _only_milestone(rt).completed_on is None
    assert (
        milestones.complete_by_deliverable(
            rt, DeliverableKind.DEFINITION_AGREED, definition.id or 0
        )
        == 1
    )


def test_programme_is_set_by_the_secretariat(as_role, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    page = as_role("visitor").page("/timeline")
    assert "1,177 days to the target date, 1 April 2016" in page.select_one(
        ".ss-countdown"
    ).get_text(" ", strip=True).replace("  ", " ")
    admin = as_role("secretariat")
    response = admin.submit(
        "/programme", {"goal": "", "starts_on": "2010-01-01", "target_on": "2009-01-01"}
    )
    assert error_summary(soup(response.text)) == [
        "Enter the programme's goal",
        "The target date must be after the start date",
    ]
    assert (
        admin.submit(
            "/programme",
            {"goal": "Zero carbon", "starts_on": "2010-01-01", "target_on": "2013-01-20"},
        ).status_code
        == 303
    )
    page = as_role("visitor").page("/timeline")
    assert page.select_one(".ss-countdown__days").get_text() == "10 days"
    assert as_role("chair").submit("/programme", {"goal": "x"}).status_code == 403
