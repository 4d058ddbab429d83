"""Reports in Welsh: the report page, the government's response form and the public
tracker come from the catalogue; recommendations and statements stay as written
(docs/i18n.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bs4 import BeautifulSoup

from reports.drafting import service as report_service
from reports.drafting.models import Report
from tests.client import HubClient, error_summary, soup
from tests.factories import World
from tests.reports.factories import published_report
from workspace.runtime import Runtime

AsRole = Callable[[str], HubClient]


def in_welsh(client: HubClient) -> HubClient:
    """The language chosen with the header's switcher, remembered in a cookie."""
    client.cookies.set("lang", "cy")
    return client


def texts(page: BeautifulSoup, selector: str) -> list[str]:
    return [el.get_text(" ", strip=True) for el in page.select(selector)]


def _first_recommendation(rt: Runtime, report: Report) -> int:
    with rt.db.read() as session:
        return report_service.recommendations(session, report.id or 0)[0].id or 0


def test_tracker_in_welsh_keeps_recommendations_as_written(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    published_report(rt, world)
    page = in_welsh(as_role("visitor")).page("/recommendations")
    assert page.select_one("html")["lang"] == "cy"  # type: ignore[index]
    assert texts(page, "h1") == ["Argymhellion ac ymateb y llywodraeth"]
    assert texts(page, "#tracker-count") == ["2 argymhelliad"]
    assert set(texts(page, ".ss-tracker .govuk-tag")) == {"Yn aros am ymateb"}
    cells = texts(page, ".ss-tracker tbody td:first-child")
    assert any("Adopt the fabric energy efficiency standard in Part L 2013." in c for c in cells)


def test_report_page_in_welsh(rt: Runtime, world: World, as_role: AsRole) -> None:
    report = published_report(rt, world)
    page = in_welsh(as_role("visitor")).page(f"/groups/{world.group.slug}/reports/{report.slug}")
    assert texts(page, "h1 .govuk-tag") == ["Cyhoeddwyd"]
    assert texts(page, "#recommendations") == ["Argymhellion"]
    headings = texts(page, ".ss-recommendation h3")
    assert headings[0] == "Argymhelliad 1 At DCLG"


def test_response_errors_in_welsh_keep_the_statement(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    report = published_report(rt, world)
    first = _first_recommendation(rt, report)
    observer = in_welsh(as_role("observer"))
    bad = observer.submit(
        f"/recommendations/{first}/respond",
        {
            "statement": "Rydym yn ystyried.",
            "link": "ftp://x",
            "responded_on": date.today().isoformat(),
        },
    )
    assert bad.status_code == 400
    page = soup(bad.text)
    assert "Rhowch gyfeiriad gwe sy’n dechrau gyda https:// neu http://" in error_summary(page)
    assert page.select_one("#statement").get_text() == "Rydym yn ystyried."  # type: ignore[union-attr]
