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


@pytest.mark.parametrize("after", ["²", "١٢", HUGE, "-1"])
def test_comment_feed_refuses_odd_after_with_a_problem(client: HubClient, after: str) -> None:
    response = client.get(f"{C}/comments", params={"after": after})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 400


@pytest.mark.parametrize(
    "path",
    [
        f"{D}/revisions/²",
        f"{D}/revisions/²/print",
        f"{D}/revisions/²/export.json",
        f"{D}/revisions/{HUGE}/export.json",
        f"{D}/compare?from=²",
        f"{D}/compare?to=¹",
    ],
)
def test_revision_numbers_in_urls_are_parsed_once(
    as_role: Callable[[str], HubClient], path: str
) -> None:
    assert as_role("member").get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/milestones/{HUGE}",
        f"/milestones/{BEYOND_INTEGER}",
        f"/milestones/{HUGE}/edit",
        f"{G}/meetings/{HUGE}",
        f"{G}/meetings/{BEYOND_INTEGER}/record",
        f"{C}/comments/{HUGE}",
        f"{C}/comments/{BEYOND_INTEGER}/history",
    ],
)
def test_path_ids_beyond_the_column_are_not_found(
    as_role: Callable[[str], HubClient], path: str
) -> None:
    assert as_role("chair").get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"{G}/members/²/remove",
        f"{G}/observers/²/end",
        f"{G}/members/{HUGE}/remove",
        f"/milestones/{HUGE}/delete",
        f"{G}/meetings/1/actions/{HUGE}/done",
        "/feeds/private/99999999999999999999/revoke",
    ],
)
def test_posted_path_ids_beyond_the_column_are_not_found(
    as_role: Callable[[str], HubClient], path: str
) -> None:
    assert as_role("secretariat").submit(path, {}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"group": "²"},
        {"person": "³"},
        {"group": HUGE},
        {"from": "9999-12-31"},
        {"to": "9999-12-31"},
        {"from": "0001-01-01"},
        {"from": "2016-02-30"},
    ],
)
def test_audit_filter_refuses_odd_values_with_an_error_summary(
    as_role: Callable[[str], HubClient], query: dict[str, str]
) -> None:
    secretariat = as_role("secretariat")
    for path in ("/audit", "/audit.csv"):
        response = secretariat.get(path, params=query)
        assert response.status_code == 400, (path, query)
    page = soup(secretariat.get("/audit", params=query).text)
    assert len(error_summary(page)) == 1
    field = next(iter(query))
    if field in ("from", "to"):  # dates are typed in: kept as typed; people are chosen
        year, month, day = query[field].split("-")
        kept = {part: page.select_one(f"#{field}-{part}") for part in ("year", "month", "day")}
        assert {part: box["value"] for part, box in kept.items() if box} == {
            "year": year,
            "month": month,
            "day": day,
        }


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/search", {"q": "zero", "group": "²"}),
        ("/search", {"q": "zero", "page": "²"}),
        ("/search", {"q": "zero", "page": HUGE}),
        ("/people", {"page": "²"}),
        ("/organisations", {"page": "²"}),
        ("/notifications", {"page": "²"}),
    ],
)
def test_query_numbers_fall_back_without_error(
    as_role: Callable[[str], HubClient], path: str, query: dict[str, str]
) -> None:
    assert as_role("secretariat").get(path, params=query).status_code == 200


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


@pytest.mark.parametrize(
    "name", ["Zero carbon\nhomes", "Zero carbon\rhomes", "Tab\tname", "Bell\x07"]
)
def test_one_line_fields_refuse_control_characters(
    as_role: Callable[[str], HubClient], name: str
) -> None:
    response = as_role("secretariat").submit(
        "/groups/new", {"name": name, "remit": "First line\nsecond line"}
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == [
        "Enter a name for the task group on one line, without line breaks or control characters"
    ]
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


@pytest.mark.parametrize("path", [f"{G}/timeline%00", "/search?q=%00", f"{G}%00/people"])
def test_nul_in_an_address_is_a_400_page_on_every_engine(client: HubClient, path: str) -> None:
    """Found by the fuzz test on PostgreSQL, which refuses to compare text holding NUL."""
    response = client.get(path)
    assert response.status_code == 400
    assert soup(response.text).select_one("h1").get_text(strip=True) != ""


def test_a_forged_signature_or_token_with_unicode_is_refused_not_a_500(client: HubClient) -> None:
    """Found by `make fuzz`: hmac.compare_digest raises on str holding non-ASCII."""
    assert client.get("/notifications/unsubscribe/1/all/²").status_code == 404
    client.csrf_token()  # sets the CSRF cookie
    response = client.post("/account/sign-in", data={"csrf_token": "²", "email": "a@b.c"})
    assert response.status_code == 403
