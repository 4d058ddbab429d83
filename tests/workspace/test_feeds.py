"""Feeds parsed back by real parsers: icalendar for .ics, xml.etree for Atom."""

from __future__ import annotations

from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET

from icalendar import Calendar

from tests.client import soup
from tests.factories import World
from workspace.runtime import Runtime

G = "/groups/zero-carbon-homes-definition"
A = "{http://www.w3.org/2005/Atom}"


def _setup(as_role) -> None:  # type: ignore[no-untyped-def]
    chair = as_role("chair")
    assert (
        chair.submit(
            f"{G}/milestones/new", {"title": "Fabric standard agreed", "due_on": "2030-06-01"}
        ).status_code
        == 303
    )
    assert (
        as_role("secretariat")
        .submit("/milestones/new", {"title": "Zero carbon homes", "due_on": "2031-04-01"})
        .status_code
        == 303
    )
    assert (
        chair.submit(
            f"{G}/meetings/new",
            {
                "title": "Fourth meeting",
                "day": "2030-02-05",
                "time": "14:30",
                "place": "Secret room 4",
                "agenda": "Private agenda",
            },
        ).status_code
        == 303
    )


def _calendar(client, path: str) -> Calendar:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _events(cal: Calendar) -> dict[str, object]:
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def test_hub_and_group_calendars(as_role, world: World) -> None:  # type: ignore[no-untyped-def]
    _setup(as_role)
    visitor = as_role("visitor")
    cal = _calendar(visitor, "/feeds/calendar.ics")
    assert str(cal["version"]) == "2.0"
    events = _events(cal)
    assert set(events) == {
        "Milestone: Fabric standard agreed (on track)",
        "Milestone: Zero carbon homes (on track)",
        "Zero carbon homes definition: Fourth meeting",
    }
    fabric = events["Milestone: Fabric standard agreed (on track)"]
    assert fabric.decoded("dtstart") == date(2030, 6, 1)  # type: ignore[attr-defined]
    assert str(fabric["uid"]).startswith("milestone-")  # type: ignore[index]
    meeting = events["Zero carbon homes definition: Fourth meeting"]
    assert meeting.decoded("dtstart") == datetime(2030, 2, 5, 14, 30, tzinfo=UTC)  # type: ignore[attr-defined]
    assert "location" not in meeting  # type: ignore[operator]
    assert "Private agenda" not in visitor.get("/feeds/calendar.ics").text
    group = _events(_calendar(visitor, f"{G}/calendar.ics"))
    assert set(group) == {
        "Milestone: Fabric standard agreed (on track)",
        "Zero carbon homes definition: Fourth meeting",
    }
    assert visitor.get("/groups/nope/calendar.ics").status_code == 404


def test_atom_feeds_of_public_activity(as_role, rt: Runtime, world: World) -> None:  # type: ignore[no-untyped-def]
    _setup(as_role)
    response = as_role("visitor").get("/feeds/activity.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    assert feed.tag == f"{A}feed"
    assert feed.find(f"{A}title").text == "Shared Space: activity"  # type: ignore[union-attr]
    titles = [e.find(f"{A}title").text for e in feed.findall(f"{A}entry")]  # type: ignore[union-attr]
    assert "Milestone Zero carbon homes set for 1 April 2031" in titles
    assert any(t and t.startswith("Zero carbon homes definition meets on") for t in titles)
    entry = feed.find(f"{A}entry")
    assert entry.find(f"{A}link").get("href").startswith("http")  # type: ignore[union-attr]
    group_body = as_role("visitor").get(f"{G}/activity.atom").content
    group_feed = ET.fromstring(group_body)  # noqa: S314 (our own feed)
    group_titles = [e.find(f"{A}title").text for e in group_feed.findall(f"{A}entry")]  # type: ignore[union-attr]
    assert "Milestone Zero carbon homes set for 1 April 2031" not in group_titles
    assert "Milestone Fabric standard agreed set for 1 June 2030" in group_titles


def test_private_feed_with_revocable_token(as_role, world: World) -> None:  # type: ignore[no-untyped-def]
    _setup(as_role)
    observer = as_role("observer")
    page = observer.page("/feeds/private")
    assert page.select_one("#new-feed-url") is None
    response = observer.submit("/feeds/private")

    url = soup(response.text).select_one("#new-feed-url").get_text()
    path = "/feeds/private/" + url.split("/feeds/private/", 1)[1]
    visitor = as_role("visitor")
    meeting = _events(_calendar(visitor, path))["Zero carbon homes definition: Fourth meeting"]
    assert str(meeting["location"]) == "Secret room 4"  # type: ignore[index]
    assert str(meeting["description"]) == "Private agenda"  # type: ignore[index]
    # A public person's private feed shows no more than the public one.
    public_url = (
        soup(as_role("public").submit("/feeds/private").text)
        .select_one("#new-feed-url")
        .get_text()
        .split("8000", 1)[1]
    )
    assert (
        "location"
        not in _events(_calendar(visitor, public_url))[
            "Zero carbon homes definition: Fourth meeting"
        ]
    )  # type: ignore[operator]
    revoke = soup(observer.get("/feeds/private").text).select_one("form[action$='/revoke']")
    # Someone else cannot revoke it.
    assert as_role("public").submit(revoke["action"]).status_code == 404
    assert observer.submit(revoke["action"]).status_code == 303
    assert visitor.get(path).status_code == 404
    assert visitor.get("/feeds/private/not-a-token.ics").status_code == 404
    assert visitor.get("/feeds/private").status_code == 303
