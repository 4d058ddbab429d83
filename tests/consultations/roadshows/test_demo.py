"""The demo's small-group consultation and road shows, as visitors and the chair see them."""

from __future__ import annotations

from sqlmodel import select

from consultations.lifecycle.models import Consultation
from sharedspace import demo
from sharedspace.demo.small_groups import OPEN_TITLE
from tests.client import HubClient
from workspace.models import User
from workspace.runtime import Runtime


def test_demo_small_group_and_road_shows(rt: Runtime, app) -> None:  # type: ignore[no-untyped-def]
    demo.load(rt, "demo password 1")
    with rt.db.read() as session:
        invited = session.exec(select(Consultation).where(Consultation.audience == "invited")).one()
        opened = session.exec(select(Consultation).where(Consultation.title == OPEN_TITLE)).one()
        chair = session.exec(select(User).where(User.display_name == "Helen Barnes")).one()
    with HubClient(app) as visitor:
        assert visitor.get(f"/consultations/{invited.slug}").status_code == 404
        listing = visitor.page("/consultations/").get_text()
        assert invited.title not in listing
        page = visitor.page(f"/consultations/{opened.slug}")
        shows = [a.get_text(strip=True) for a in page.select("#road-show-list a")]
        assert shows == ["Road show: Manchester", "Road show: Bristol"]
    with HubClient(app) as chair_client:
        chair_client.sign_in_as(chair)
        roster = chair_client.page(f"/consultations/{invited.slug}/invitations")
        states = [td.get_text(strip=True) for td in roster.select(".ss-invitation-state")]
        assert sorted(states) == ["Invited, not yet responded", "Responded", "Responded"]
        summary = chair_client.page(f"/consultations/{opened.slug}/summary")
        channels = {
            row["data-channel"]: row.select_one("td").get_text(strip=True)  # type: ignore[union-attr]
            for row in summary.select("#channel-table tbody tr")
        }
        assert channels == {"online": "3", "event": "3", "letter": "1"}
        events = [
            row.select_one("th").get_text(strip=True)  # type: ignore[union-attr]
            for row in summary.select("#event-table tbody tr")
        ]
        assert events == ["Road show: Manchester"]
        small = chair_client.page(f"/consultations/{invited.slug}/summary")
        total = small.select_one("#total-responses")
        assert total is not None
        assert total.get_text(strip=True) == "2 responses."
