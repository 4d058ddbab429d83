"""Road shows: the chair's form, public event pages and feeds, sign-up with a cap and a
waiting list, facilitators entering the responses gathered there (counted in the summary
by channel and by event, campaigns detected across channels), and attendance."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from icalendar import Calendar
from sqlmodel import select

from consultations.lifecycle.models import Consultation
from consultations.responses.models import Response
from consultations.roadshows.models import RoadShow
from tests.client import HubClient, error_summary, soup
from tests.consultations.factories import add_question, make_consultation, respond
from tests.consultations.invitations.factories import make_invited
from tests.factories import ROLES, World
from workspace.runtime import Runtime

EVENT = {
    "title": "Road show: Manchester",
    "day": "2026-12-10",
    "start": "14:00",
    "end": "16:30",
    "address": "1 Piccadilly, Manchester",
    "where": "Room 2, first floor",
    "capacity": "1",
}


@pytest.fixture
def open_consultation(rt: Runtime, world: World) -> Consultation:
    return make_consultation(rt, world, title="Zero carbon homes: road shows")


def _add_event(client: HubClient, c: Consultation, **changes: str) -> int:
    made = client.submit(f"/consultations/{c.slug}/events/new", {**EVENT, **changes})
    assert made.status_code == 303, made.text
    return int(made.headers["location"].rsplit("/", 1)[1])


def test_the_chair_adds_an_event_and_everyone_sees_it(
    rt: Runtime,
    world: World,
    as_role: Callable[[str], HubClient],
    open_consultation: Consultation,
) -> None:
    chair = as_role("chair")
    bad = chair.submit(
        f"/consultations/{open_consultation.slug}/events/new", {**EVENT, "end": "13:00"}
    )
    assert bad.status_code == 400
    page = soup(bad.text)
    assert error_summary(page) == ["The end time must be after the start time"]
    assert page.select_one("#title")["value"] == EVENT["title"]  # type: ignore[index]
    show_id = _add_event(chair, open_consultation)
    visitor = as_role("visitor")
    event = visitor.page(f"/consultations/{open_consultation.slug}/events/{show_id}")
    details = event.select_one("#event-details")
    assert details is not None
    text = details.get_text(" ", strip=True)
    assert "10 December 2026 14:00 to 16:30" in text
    assert "Room 2, first floor" in text
    assert event.select_one("#places").get_text(strip=True) == "1 of 1 left"  # type: ignore[union-attr]
    listed = visitor.page(f"/consultations/{open_consultation.slug}")
    links = [a.get_text(strip=True) for a in listed.select("#road-show-list a")]
    assert links == [EVENT["title"]]
    for path in ("/feeds/calendar.ics", f"/groups/{world.group.slug}/calendar.ics"):
        cal = Calendar.from_ical(visitor.get(path).content)
        summaries = [str(e["summary"]) for e in cal.walk("VEVENT")]
        assert f"Road show: {EVENT['title']} ({open_consultation.title})" in summaries


def test_an_invited_consultations_events_stay_out_of_public_feeds(
    rt: Runtime, world: World, as_role: Callable[[str], HubClient]
) -> None:
    invited = make_invited(rt, world, "Quiet small group")
    show_id = _add_event(as_role("chair"), invited, title="Private briefing")
    visitor = as_role("visitor")
    assert "Private briefing" not in visitor.get("/feeds/calendar.ics").text
    assert visitor.get(f"/consultations/{invited.slug}/events/{show_id}").status_code == 404
    member_cal = as_role("member").get(f"/groups/{world.group.slug}/calendar.ics")
    assert member_cal.status_code == 200


def test_sign_up_is_capped_with_a_waiting_list_that_moves_up(
    as_role: Callable[[str], HubClient], open_consultation: Consultation
) -> None:
    show_id = _add_event(as_role("chair"), open_consultation)
    base = f"/consultations/{open_consultation.slug}/events/{show_id}"
    public, member = as_role("public"), as_role("member")
    assert public.submit(f"{base}/attend").status_code == 303
    assert public.page(base).select_one("#my-place").get_text(strip=True) == "You have a place."  # type: ignore[union-attr]
    assert member.submit(f"{base}/attend").status_code == 303
    mine = member.page(base).select_one("#my-place")
    assert mine is not None
    assert mine.get_text(strip=True) == "You are on the waiting list."
    assert as_role("visitor").submit(f"{base}/attend").status_code == 303  # to sign in
    assert public.submit(f"{base}/withdraw").status_code == 303
    promoted = member.page(base).select_one("#my-place")
    assert promoted is not None
    assert promoted.get_text(strip=True) == "You have a place."


ENTER = {
    "channel": "event",
    "respondent_name": "Pat Paper",
    "respondent_type": "organisation",
    "organisation": "Northern Builders",
    "sector": "industry",
    "consent": "anonymous",
}


def test_a_facilitator_enters_a_paper_response_that_the_summary_counts_under_its_event(
    rt: Runtime,
    world: World,
    as_role: Callable[[str], HubClient],
    open_consultation: Consultation,
) -> None:
    question = add_question(rt, open_consultation, "Do you agree?", "scale")
    why = add_question(rt, open_consultation, "Why?", "free_text")
    chair = as_role("chair")
    show_id = _add_event(chair, open_consultation)
    enter = f"/consultations/{open_consultation.slug}/responses/enter?event={show_id}"
    member = as_role("member")
    assert member.get(enter).status_code == 403  # not yet appointed
    appointed = chair.submit(
        f"/consultations/{open_consultation.slug}/events/{show_id}/facilitators",
        {"user_id": str(world.users["member"].id)},
    )
    assert appointed.status_code == 303
    assert as_role("observer").get(enter).status_code == 403
    form = member.page(enter)
    assert form.select_one("#road_show_id option[selected]")["value"] == str(show_id)  # type: ignore[index]
    words = "Fabric first, then on-site renewables, please."
    answers = {f"q-{question.id}": "Agree", f"q-{why.id}": words}
    missing = member.submit(enter, {**ENTER, "road_show_id": str(show_id), "channel": ""})
    assert missing.status_code == 400
    assert soup(missing.text).select_one("#respondent_name")["value"] == "Pat Paper"  # type: ignore[index]
    done = member.submit(enter, {**ENTER, **answers, "road_show_id": str(show_id)})
    assert done.status_code == 303
    # the same words typed online by someone else: one campaign across channels
    respond(
        rt,
        open_consultation,
        world.users["public"],
        {question.id or 0: "Agree", why.id or 0: words},
    )
    with rt.db.read() as session:
        stored = session.exec(select(Response).where(Response.channel == "event")).one()
    assert stored.user_id is None
    assert stored.entered_by == world.users["member"].id
    assert stored.road_show_id == show_id
    assert stored.consent == "anonymous"
    summary = chair.page(f"/consultations/{open_consultation.slug}/summary")
    channels = {
        row["data-channel"]: row.select_one("td").get_text(strip=True)  # type: ignore[union-attr]
        for row in summary.select("#channel-table tbody tr")
    }
    assert channels == {"online": "1", "event": "1"}
    events = [
        (row.select_one("th").get_text(strip=True), row.select_one("td").get_text(strip=True))  # type: ignore[union-attr]
        for row in summary.select("#event-table tbody tr")
    ]
    assert events == [(EVENT["title"], "1")]
    agree_row = next(
        r
        for r in summary.select(f"#question-{question.id}-channels tbody tr")
        if r.select_one("th").get_text(strip=True) == "Agree"  # type: ignore[union-attr]
    )
    per_column = {td["data-column"]: td.get_text(strip=True) for td in agree_row.select("td")}
    assert per_column == {"channel:online": "1", "channel:event": "1", f"event:{show_id}": "1"}
    campaigns = summary.select("#campaign-groups li")
    assert [c["data-count"] for c in campaigns] == ["2"]


def test_attendance_is_recorded_by_the_facilitator(
    rt: Runtime,
    world: World,
    as_role: Callable[[str], HubClient],
    open_consultation: Consultation,
) -> None:
    chair = as_role("chair")
    show_id = _add_event(chair, open_consultation)
    base = f"/consultations/{open_consultation.slug}/events/{show_id}"
    assert as_role("member").get(f"{base}/attendance").status_code == 403
    bad = chair.submit(f"{base}/attendance", {"attendance": "lots"})
    assert bad.status_code == 400
    assert soup(bad.text).select_one("#attendance")["value"] == "lots"  # type: ignore[index]
    saved = chair.submit(
        f"{base}/attendance",
        {"attendance": "34", "organisations_present": "NHBC\n\nLocal Government Association\n"},
    )
    assert saved.status_code == 303
    shown = as_role("visitor").page(base).select_one("#attendance")
    assert shown is not None
    assert shown.get_text(strip=True) == "34, from NHBC, Local Government Association"
    with rt.db.read() as session:
        show = session.get(RoadShow, show_id)
    assert show is not None
    assert show.organisations_present == "NHBC\nLocal Government Association"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_enter_responses_for_an_event(
    rt: Runtime,
    world: World,
    as_role: Callable[[str], HubClient],
    open_consultation: Consultation,
    role: str,
) -> None:
    show_id = _add_event(as_role("chair"), open_consultation)
    expected = {
        "visitor": 303,
        "public": 403,
        "member": 403,
        "chair": 200,
        "observer": 403,
        "secretariat": 200,
    }
    path = f"/consultations/{open_consultation.slug}/responses/enter?event={show_id}"
    assert as_role(role).get(path).status_code == expected[role]


def test_an_invitees_private_calendar_holds_their_consultations_road_shows(
    rt: Runtime, world: World, as_role: Callable[[str], HubClient]
) -> None:
    from tests.consultations.invitations.factories import invite

    invited = make_invited(rt, world, "Small group with a briefing")
    invite(rt, world, invited, world.users["public"].email)
    _add_event(as_role("chair"), invited, title="Invitees' briefing")
    made = as_role("public").submit("/feeds/private")
    url = soup(made.text).select_one("#new-feed-url")
    assert url is not None
    path = "/feeds/private/" + url.get_text().split("/feeds/private/", 1)[1]
    mine = Calendar.from_ical(as_role("visitor").get(path).content)
    summaries = [str(e["summary"]) for e in mine.walk("VEVENT")]
    assert f"Road show: Invitees' briefing ({invited.title})" in summaries
    public = as_role("visitor").get("/feeds/calendar.ics").text
    assert "Invitees' briefing" not in public
