"""The secretariat's audit view: filters and CSV export; nobody else may see it."""

from __future__ import annotations

import csv
import io

import pytest

from tests.client import error_summary, soup
from tests.factories import World

G = "/groups/zero-carbon-homes-definition"


def _verbs(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.select("td")[2].get_text(strip=True) for row in page.select(".ss-audit tbody tr")]


def test_filters_and_csv(as_role, world: World) -> None:  # type: ignore[no-untyped-def]
    as_role("chair").submit(f"{G}/milestones/new", {"title": "=cmd()", "due_on": "2099-01-01"})
    admin = as_role("secretariat")
    everything = _verbs(admin.page("/audit"))
    assert "group.created" in everything
    assert "milestone.created" in everything
    chair_id = world.users["chair"].id
    assert _verbs(admin.page(f"/audit?person={chair_id}")) == [
        "milestone.created",
        "account.registered",
    ]
    assert set(_verbs(admin.page(f"/audit?group={world.other_group.id}"))) == {
        "group.created",
        "group.member_seated",
    }
    assert set(_verbs(admin.page("/audit?kind=group.observer_seated"))) == {"group.observer_seated"}
    assert _verbs(admin.page("/audit?from=2001-01-01&to=2001-12-31")) == []
    page = admin.page(f"/audit?person={chair_id}&kind=milestone.created")
    link = page.select_one("a[href^='/audit.csv']")["href"]
    response = admin.get(link)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["verb"] for r in rows] == ["milestone.created"]
    assert rows[0]["actor"] == "Helen Chair"
    assert rows[0]["summary"].startswith("Milestone =cmd()")
    assert rows[0]["group"] == "Zero carbon homes definition"


def test_bad_filters_are_errors_not_crashes(as_role) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("secretariat")
    response = admin.get("/audit?group=abc&from=2013-02-31&to=")
    assert response.status_code == 400
    assert error_summary(soup(response.text)) == [
        "Select a group from the list",
        "The first day must be a real date, like 2016-04-01",
    ]
    assert admin.get("/audit.csv?from=nope").status_code == 400


@pytest.mark.parametrize(
    ("role", "status"),
    [("visitor", 303), ("public", 403), ("member", 403), ("chair", 403), ("observer", 403)],
)
def test_only_the_secretariat_audits(as_role, role: str, status: int) -> None:  # type: ignore[no-untyped-def]
    client = as_role(role)
    assert client.get("/audit").status_code == status
    assert client.get("/audit.csv").status_code == status
