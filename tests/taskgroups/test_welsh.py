"""Task groups in Welsh: the group page, the evidence library, meetings and the timeline
come from the catalogue, with Welsh plural forms, numbers and dates, while titles and
names stay as people wrote them (docs/i18n.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bs4 import BeautifulSoup

from tests.client import HubClient, error_summary, soup
from tests.consultations.factories import Clock
from tests.definitions.factories import viewer_for
from tests.factories import World
from tests.taskgroups.factories import add_evidence
from workspace.runtime import Runtime

AsRole = Callable[[str], HubClient]
G = "/groups/zero-carbon-homes-definition"


def in_welsh(client: HubClient) -> HubClient:
    """The language chosen with the header's switcher, remembered in a cookie."""
    client.cookies.set("lang", "cy")
    return client


def texts(page: BeautifulSoup, selector: str) -> list[str]:
    return [el.get_text(" ", strip=True) for el in page.select(selector)]


def test_group_page_in_welsh_lists_members_and_observers_apart(as_role: AsRole) -> None:
    page = in_welsh(as_role("member")).page(G)
    assert page.select_one("html")["lang"] == "cy"  # type: ignore[index]
    assert page.select_one(".govuk-caption-l").get_text(strip=True) == "Grŵp gorchwyl"  # type: ignore[union-attr]
    assert page.select_one("#members-heading").get_text(strip=True) == "Aelodau"  # type: ignore[union-attr]
    assert page.select_one("#observers-heading").get_text(strip=True) == "Arsylwyr y llywodraeth"  # type: ignore[union-attr]


def test_evidence_library_counts_documents_in_welsh_and_keeps_their_titles(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    member = viewer_for(rt, world.users["member"])
    add_evidence(rt, member, world.group, "Cost review", url="https://example.org/a")
    add_evidence(rt, member, world.group, "Fabric study", url="https://example.org/b")
    page = in_welsh(as_role("member")).page(f"{G}/evidence")
    assert texts(page, ".ss-evidence-list caption") == ["2 dogfen"]
    assert texts(page, ".ss-evidence-list thead th") == [
        "Teitl",
        "Math",
        "Dyddiad",
        "Pwy sy’n ei gweld",
    ]
    assert sorted(texts(page, ".ss-evidence-list td a")) == ["Cost review", "Fabric study"]
    assert set(texts(page, ".ss-evidence-list .govuk-tag")) == {"Y grŵp yn unig"}


def test_evidence_form_errors_in_welsh(rt: Runtime, world: World, as_role: AsRole) -> None:
    member = viewer_for(rt, world.users["member"])
    item = add_evidence(rt, member, world.group, "Cost review", url="https://example.org/a")
    client = in_welsh(as_role("member"))
    response = client.submit(
        f"{G}/evidence/{item.id}/edit",
        {"title": "Astudiaeth", "kind": "research", "visibility": "group", "url": "ftp://x"},
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == ["Rhowch gyfeiriad gwe sy’n dechrau gyda https:// neu http://"]
    assert page.select_one("input#title")["value"] == "Astudiaeth"  # type: ignore[index]
    assert page.select_one("h1").get_text(strip=True) == "Golygu Cost review"  # type: ignore[union-attr]


def test_timeline_counts_down_in_welsh(rt: Runtime, as_role: AsRole) -> None:
    rt.clock = Clock(datetime(2013, 1, 10, 12, tzinfo=UTC))
    page = in_welsh(as_role("visitor")).page("/timeline")
    countdown = page.select_one(".ss-countdown")
    assert countdown is not None
    assert " ".join(countdown.get_text(" ", strip=True).split()) == (
        "1,177 diwrnod tan y dyddiad targed, 1 Ebrill 2016."
    )
    title = page.select_one("svg.ss-timeline__svg title")
    assert title is not None
    assert title.get_text() == "Llinell amser y cerrig milltir hyd at y dyddiad targed"


def test_meeting_page_dates_in_welsh(rt: Runtime, world: World, as_role: AsRole) -> None:
    chair = in_welsh(as_role("chair"))
    done = chair.submit(
        f"{G}/meetings/new",
        {
            "title": "Steering meeting",
            "day-day": "3",
            "day-month": "3",
            "day-year": "2031",
            "time": "14:30",
        },
    )
    assert done.status_code == 303, done.text
    page = chair.page(done.headers["location"])
    assert page.select_one("h1").get_text(strip=True) == "Steering meeting"  # type: ignore[union-attr]
    when = page.select_one("main .govuk-body-l time")
    assert when is not None
    assert when.get_text() == "Dydd Llun 3 Mawrth 2031 am 14:30"


def test_seat_invitations_in_welsh_name_the_seat_and_keep_the_name(
    world: World, as_role: AsRole
) -> None:
    admin = in_welsh(as_role("secretariat"))
    sent = admin.submit(
        f"{G}/seat-invitations",
        {
            "invite_name": "Nia Newcomer",
            "invite_email": "nia.newcomer@example.org",
            "invite_kind": "member",
            "invite_organisation_id": str(world.orgs["green"].id),
            "invite_role": "member",
        },
    )
    assert sent.status_code == 303
    page = admin.page(sent.headers["location"].split("#")[0])
    pending = page.select_one(".ss-seat-invitations li p")
    assert pending is not None
    words = " ".join(pending.get_text(" ", strip=True).split())
    # The name and the organisation as written; the seat and the expiry in Welsh.
    assert words.startswith(
        "Nia Newcomer (nia.newcomer@example.org): Aelod ar ran UK Green Building Council. "
        "Mae’r ddolen yn gweithio tan "
    )
    assert texts(page, "#pending-heading") == ["Gwahoddiadau’n aros"]


def test_a_link_that_cannot_be_used_says_so_in_welsh(as_role: AsRole) -> None:
    response = in_welsh(as_role("visitor")).get(f"{G}/join/not-a-real-token")
    assert response.status_code == 404
    page = soup(response.text)
    assert texts(page, "h1") == ["Does dim modd defnyddio’r ddolen wahoddiad hon"]


def test_notification_choices_name_every_kind_in_welsh(as_role: AsRole) -> None:
    """The kinds the features register (labels marked with N_) are translated where
    they are shown: the legends and hints of the notification choices."""
    page = in_welsh(as_role("member")).page("/notifications/preferences")
    legends = texts(page, "legend")
    assert "Cyfarfodydd wedi’u trefnu" in legends
    assert "Mae angen safbwynt eich sefydliad" in legends
    assert "Meetings scheduled" not in legends
    hints = texts(page, ".govuk-hint")
    assert "Mae grŵp rydych yn ei ddilyn yn rhoi cyfarfod yn y dyddiadur." in hints
