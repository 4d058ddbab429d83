"""The demo's evidence library and report: documents made by the demo (PDFs and a
spreadsheet) with their text searchable, and a published report with four
recommendations to DCLG, two answered and two awaiting."""

from __future__ import annotations

from sharedspace import demo
from tests.client import HubClient
from workspace.runtime import Runtime


def test_demo_library_and_report_to_government(rt: Runtime, client: HubClient) -> None:
    demo.load(rt, "demo password 1")
    rt.indexer.drain()
    group = "/groups/zero-carbon-homes-definition"
    library = client.page(f"{group}/evidence")
    titles = [a.get_text(strip=True) for a in library.select(".ss-evidence-list td a")]
    assert sorted(titles) == [
        "Cost analysis: meeting the zero carbon standard",
        "Cost model by home type",
        "Fabric energy efficiency standard study",
    ]  # the meeting papers are the group's only
    types = library.get_text(" ", strip=True)
    assert "An Excel spreadsheet" in types
    assert "A PDF" in types
    found = client.page("/search?q=airtightness").select(".ss-search-result a")
    assert [a.get_text(strip=True) for a in found] == ["Fabric energy efficiency standard study"]
    tracker = client.page("/recommendations")
    statuses = [
        r.select_one(".govuk-tag").get_text() for r in tracker.select("tr[data-recommendation]")
    ]
    assert statuses == ["Accepted", "Accepted in part", "Awaiting response", "Awaiting response"]
    assert {td.get_text(strip=True) for td in tracker.select("tr td:nth-of-type(2)")} == {
        "Department for Communities and Local Government"
    }
