"""Meetings: scheduled by the chair, recorded afterwards with members and observers kept
apart, read by the group, and by the public only as a date and published minutes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from taskgroups.meetings.models import ActionItem, Meeting, MemberAttendance, ObserverAttendance
from taskgroups.milestones.models import Milestone
from tests.client import error_summary, soup
from tests.factories import World
from workspace.runtime import Runtime

G = "/groups/zero-carbon-homes-definition"


def _schedule(client, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "title": "Fourth meeting",
        "day": "2013-02-05",
        "time": "14:30",
        "place": "NHBC, Milton Keynes",
        "agenda": "1. **Fabric** standard",
    } | fields
    return client.submit(f"{G}/meetings/new", data)


def _meeting(rt: Runtime) -> Meeting:
    with rt.db.read() as session:
        return session.exec(select(Meeting)).one()


def _record(client, meeting: Meeting, world: World, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        f"member-{world.users['chair'].id}": "present",
        f"member-{world.users['member'].id}": "apologies",
        f"observer-{world.users['observer'].id}": "present",
        "minutes": "We reviewed the *fabric* standard.",
        "decisions": "- Adopt 39 kWh",
        "action-0": "Circulate the cost model",
        "action-0-owner": str(world.users["member"].id),
        "action-0-due": "2013-03-01",
    } | fields
    return client.submit(f"{G}/meetings/{meeting.id}/record", data)


def test_chair_schedules_and_times_are_london(as_role, rt: Runtime) -> None:  # type: ignore[no-untyped-def]
    chair = as_role("chair")
    response = _schedule(chair, day="2013-06-05")
    assert response.status_code == 303
    meeting = _meeting(rt)
    assert meeting.starts_at == datetime(2013, 6, 5, 13, 30, tzinfo=UTC)  # BST
    page = as_role("member").page(response.headers["location"])
    assert page.select_one("time").get_text() == "Wednesday 5 June 2013 at 14:30"
    assert page.select_one(".ss-prose strong").get_text() == "Fabric"


def test_schedule_errors_keep_input(as_role) -> None:  # type: ignore[no-untyped-def]
    response = _schedule(as_role("chair"), day="2013-02-31", time="25:00", title="")
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == [
        "Enter a title for the meeting",
        "The date of the meeting must be a real date, like 2016-04-01",
        "Enter the time the meeting starts, like 14:30",
    ]
    assert page.select_one("#place")["value"] == "NHBC, Milton Keynes"


@pytest.mark.parametrize(
    ("role", "status"), [("visitor", 303), ("public", 403), ("member", 403), ("observer", 403)]
)
def test_only_chairs_and_secretariat_write(
    as_role, rt: Runtime, world: World, role: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    _schedule(as_role("chair"))
    meeting = _meeting(rt)
    _record(as_role("chair"), meeting, world)
    with rt.db.read() as session:
        action = session.exec(select(ActionItem)).one()
    client = as_role(role)
    assert _schedule(client).status_code == status
    assert client.submit(f"{G}/meetings/{meeting.id}/edit", {"title": "x"}).status_code == status
    assert _record(client, meeting, world, minutes="Hijacked").status_code == status
    assert (
        client.submit(f"{G}/meetings/{meeting.id}/actions/{action.id}/done").status_code == status
    )
    assert client.get(f"{G}/meetings/{meeting.id}/record").status_code == status
    assert _meeting(rt).minutes == "We reviewed the *fabric* standard."


def test_attendance_keeps_members_and_observers_apart(as_role, rt: Runtime, world: World) -> None:  # type: ignore[no-untyped-def]
    _schedule(as_role("chair"))
    meeting = _meeting(rt)
    form = as_role("chair").page(f"{G}/meetings/{meeting.id}/record")
    legends = [lg.get_text(strip=True) for lg in form.select("legend")]
    assert "David Observer, DCLG" in legends
    assert "Raj Member, UK Green Building Council" in legends
    assert _record(as_role("chair"), meeting, world).status_code == 303
    with rt.db.read() as session:
        members = session.exec(select(MemberAttendance)).all()
        observers = session.exec(select(ObserverAttendance)).all()
    assert {(a.user_id, a.status) for a in members} == {
        (world.users["chair"].id, "present"),
        (world.users["member"].id, "apologies"),
    }
    assert [(o.user_id, o.department) for o in observers] == [(world.users["observer"].id, "DCLG")]
    page = as_role("observer").page(f"{G}/meetings/{meeting.id}")

    def texts(selector: str) -> list[str]:
        return [li.get_text(strip=True) for li in page.select(f"{selector} li")]

    assert texts(".ss-members-present") == ["Helen Chair, Home Builders Federation"]
    assert texts(".ss-members-apologies") == ["Raj Member, UK Green Building Council"]
    assert texts(".ss-observers-present") == ["David Observer, DCLG"]
    assert texts(".ss-observers-apologies") == ["None"]
    members_section = page.select_one("section[aria-labelledby=members-attending]")
    assert "David Observer" not in members_section.get_text()
    row = page.select_one(".ss-actions tbody tr").select("td")
    assert [td.get_text(" ", strip=True) for td in row[:3]] == [
        "Circulate the cost model",
        "Raj Member",
        "1 March 2013",
    ]


def test_public_sees_date_and_only_published_minutes(as_role, rt: Runtime, world: World) -> None:  # type: ignore[no-untyped-def]
    _schedule(as_role("chair"))
    meeting = _meeting(rt)
    _record(as_role("chair"), meeting, world)
    path = f"{G}/meetings/{meeting.id}"
    public = as_role("public").page(path)
    assert public.select_one("time").get_text() == "Tuesday 5 February 2013 at 14:30"
    assert public.select_one("#minutes") is None
    assert public.select_one(".ss-actions") is None
    assert "Milton Keynes" not in public.get_text()
    assert "Fabric" not in public.get_text()
    member = as_role("member").page(path)
    assert member.select_one("#minutes em").get_text() == "fabric"
    _record(as_role("chair"), meeting, world, publish="yes", **{"action-0": ""})
    public = as_role("visitor").page(path)
    assert public.select_one("#minutes em").get_text() == "fabric"
    assert public.select_one("#decisions li").get_text() == "Adopt 39 kWh"
    assert public.select_one(".ss-members-present") is None
    listing = as_role("visitor").page(f"{G}/meetings")
    assert [td.get_text(strip=True) for td in listing.select("tbody td")][2] == "Published"


def test_recording_a_meeting_completes_its_milestone_and_actions_toggle(
    as_role, rt: Runtime, world: World
) -> None:  # type: ignore[no-untyped-def]
    chair = as_role("chair")
    _schedule(chair)
    meeting = _meeting(rt)
    assert (
        chair.submit(
            f"{G}/milestones/new",
            {
                "title": "Fourth meeting held",
                "due_on": "2013-02-10",
                "deliverable": f"meeting_held:{meeting.id}",
            },
        ).status_code
        == 303
    )
    _record(chair, meeting, world)
    with rt.db.read() as session:
        milestone = session.exec(select(Milestone)).one()
        action = session.exec(select(ActionItem)).one()
    assert milestone.completed_on is not None
    assert milestone.completion_url == f"{G}/meetings/{meeting.id}"
    assert chair.submit(f"{G}/meetings/{meeting.id}/actions/{action.id}/done").status_code == 303
    with rt.db.read() as session:
        assert session.get(ActionItem, action.id).done_on is not None
    assert chair.submit(f"{G}/meetings/{meeting.id}/actions/999/done").status_code == 404


def test_bad_attendance_value_is_an_error_not_a_crash(as_role, rt: Runtime, world: World) -> None:  # type: ignore[no-untyped-def]
    _schedule(as_role("chair"))
    meeting = _meeting(rt)
    response = _record(
        as_role("chair"),
        meeting,
        world,
        **{f"member-{world.users['member'].id}": "asleep", "action-0-owner": "99999"},
    )
    assert response.status_code == 400
    assert error_summary(soup(response.text)) == [
        "Select whether Raj Member attended",
        "Select who owns the action",
    ]
