"""Each defect class of issue 13 ("no input reaches a 500"), reproduced as it was found:
Unicode digits, ids beyond what a column holds, dates at the edge of the calendar and line
breaks in one-line fields. Each answers a 4xx page (or a form error), never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from icalendar import Calendar

from tests.client import HubClient, error_summary, soup
from tests.factories import World
from tests.test_permissions_matrix import C, D, G, with_definition  # noqa: F401 - fixture
from workspace.runtime import Runtime

pytestmark = pytest.mark.usefixtures("with_definition")

HUGE = "99999999999999999999"
BEYOND_INTEGER = str(2**31)


# Each test below tries every case of its kind on one hub (building it is most of a
# test's time) and names every case that failed, not only the first.


def test_comment_feed_refuses_odd_after_with_a_problem(client: HubClient) -> None:
    wrong = []
    for after in ["²", "١٢", HUGE, "-1"]:
        response = client.get(f"{C}/comments", params={"after": after})
        problem = response.headers["content-type"].startswith("application/problem+json")
        if response.status_code != 400 or not problem or response.json()["status"] != 400:
            wrong.append((after, response.status_code))
    assert wrong == []


def test_revision_numbers_in_urls_are_parsed_once(as_role: Callable[[str], HubClient]) -> None:
    member = as_role("member")
    paths = [
        f"{D}/revisions/²",
        f"{D}/revisions/²/print",
        f"{D}/revisions/²/export.json",
        f"{D}/revisions/{HUGE}/export.json",
        f"{D}/compare?from=²",
        f"{D}/compare?to=¹",
    ]
    assert {p: member.get(p).status_code for p in paths} == dict.fromkeys(paths, 404)


def test_path_ids_beyond_the_column_are_not_found(as_role: Callable[[str], HubClient]) -> None:
    chair = as_role("chair")
    paths = [
        f"/milestones/{HUGE}",
        f"/milestones/{BEYOND_INTEGER}",
        f"/milestones/{HUGE}/edit",
        f"{G}/meetings/{HUGE}",
        f"{G}/meetings/{BEYOND_INTEGER}/record",
        f"{C}/comments/{HUGE}",
        f"{C}/comments/{BEYOND_INTEGER}/history",
    ]
    assert {p: chair.get(p).status_code for p in paths} == dict.fromkeys(paths, 404)


def test_posted_path_ids_beyond_the_column_are_not_found(
    as_role: Callable[[str], HubClient],
) -> None:
    secretariat = as_role("secretariat")
    paths = [
        f"{G}/members/²/remove",
        f"{G}/observers/²/end",
        f"{G}/members/{HUGE}/remove",
        f"/milestones/{HUGE}/delete",
        f"{G}/meetings/1/actions/{HUGE}/done",
        "/feeds/private/99999999999999999999/revoke",
    ]
    answers = {p: secretariat.submit(p, {}).status_code for p in paths}
    assert answers == dict.fromkeys(paths, 404)


AUDIT_QUERIES = [
    {"group": "²"},
    {"person": "³"},
    {"group": HUGE},
    {"from": "9999-12-31"},
    {"to": "9999-12-31"},
    {"from": "0001-01-01"},
    {"from": "2016-02-30"},
]


def test_audit_filter_refuses_odd_values_with_an_error_summary(
    as_role: Callable[[str], HubClient],
) -> None:
    secretariat = as_role("secretariat")
    for query in AUDIT_QUERIES:
        _audit_filter_refuses(secretariat, query)


def _audit_filter_refuses(secretariat: HubClient, query: dict[str, str]) -> None:
    for path in ("/audit", "/audit.csv"):
        response = secretariat.get(path, params=query)
        assert response.status_code == 400, (path, query)
    page = soup(secretariat.get("/audit", params=query).text)
    assert len(error_summary(page)) == 1, query
    field = next(iter(query))
    if field in ("from", "to"):  # dates are typed in: kept as typed; people are chosen
        year, month, day = query[field].split("-")
        kept = {part: page.select_one(f"#{field}-{part}") for part in ("year", "month", "day")}
        assert {part: box["value"] for part, box in kept.items() if box} == {
            "year": year,
            "month": month,
            "day": day,
        }


def test_query_numbers_fall_back_without_error(as_role: Callable[[str], HubClient]) -> None:
    secretariat = as_role("secretariat")
    cases = [
        ("/search", {"q": "zero", "group": "²"}),
        ("/search", {"q": "zero", "page": "²"}),
        ("/search", {"q": "zero", "page": HUGE}),
        ("/people", {"page": "²"}),
        ("/organisations", {"page": "²"}),
        ("/notifications", {"page": "²"}),
    ]
    answers = [
        (path, query, secretariat.get(path, params=query).status_code) for path, query in cases
    ]
    assert answers == [(path, query, 200) for path, query in cases]


def test_definition_form_numbers_refuse_unicode_digits(as_role: Callable[[str], HubClient]) -> None:
    member = as_role("member")
    page = member.page(f"{D}/edit")
    form = {
        str(field["name"]): str(field.get("value", ""))
        for field in page.select("form input[name]")
        if field.get("type") != "checkbox"
    }
    for name in ("tier_count", "base_number", "tier-0-position"):
        response = member.submit(f"{D}/edit", form | {name: "²"})
        assert response.status_code in (303, 400, 409), name


def test_meeting_action_owner_refuses_unicode_digits(as_role: Callable[[str], HubClient]) -> None:
    response = as_role("chair").submit(
        f"{G}/meetings/1/record",
        {"minutes": "Agreed.", "action-0": "Send the minutes", "action-0-owner": "²"},
    )
    assert response.status_code == 400
    assert error_summary(soup(response.text)) == ["Select who owns the action"]


def test_one_line_fields_refuse_control_characters(as_role: Callable[[str], HubClient]) -> None:
    secretariat = as_role("secretariat")
    for name in ["Zero carbon\nhomes", "Zero carbon\rhomes", "Tab\tname", "Bell\x07"]:
        _one_line_name_refused(secretariat, name)


def _one_line_name_refused(secretariat: HubClient, name: str) -> None:
    response = secretariat.submit("/groups/new", {"name": name, "remit": "First line\nsecond line"})
    assert response.status_code == 400, repr(name)
    page = soup(response.text)
    assert error_summary(page) == [
        "Enter a name for the task group on one line, without line breaks or control characters"
    ], repr(name)
    assert page.select_one("#name")["value"] in (name, name.replace("\r", "\n"))


def test_calendar_feed_survives_a_name_with_a_line_break(
    client: HubClient, rt: Runtime, world: World
) -> None:
    """A name stored before one-line fields were checked (or by another route) must not
    break the feed for everybody."""
    from sqlalchemy import text

    with rt.db.write() as unit:
        unit.session.execute(
            text("UPDATE task_group SET name = :name WHERE id = :id"),
            {"name": "Zero carbon\r\nhomes;\x07 definition", "id": world.group.id},
        )
    for path in (f"{G}/calendar.ics", "/feeds/calendar.ics", f"{G}/activity.atom"):
        response = client.get(path)
        assert response.status_code == 200, path
    feed = Calendar.from_ical(client.get(f"{G}/calendar.ics").content)
    assert str(feed["X-WR-CALNAME"]) == "Zero carbon homes; definition"
    summaries = [str(event["SUMMARY"]) for event in feed.walk("VEVENT")]
    assert "Zero carbon homes; definition: Fourth meeting" in summaries


def test_nul_in_an_address_is_a_400_page_on_every_engine(client: HubClient) -> None:
    """Found by the fuzz test on PostgreSQL, which refuses to compare text holding NUL."""
    for path in [f"{G}/timeline%00", "/search?q=%00", f"{G}%00/people"]:
        response = client.get(path)
        assert response.status_code == 400, path
        assert soup(response.text).select_one("h1").get_text(strip=True) != "", path


def test_a_forged_signature_or_token_with_unicode_is_refused_not_a_500(client: HubClient) -> None:
    """Found by `make fuzz`: hmac.compare_digest raises on str holding non-ASCII."""
    assert client.get("/notifications/unsubscribe/1/all/²").status_code == 404
    client.csrf_token()  # sets the CSRF cookie
    response = client.post("/account/sign-in", data={"csrf_token": "²", "email": "a@b.c"})
    assert response.status_code == 403
