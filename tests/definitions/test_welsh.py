"""Definitions in Welsh: the pages, their plural forms and dates, and the error messages
come from the catalogue, while what people wrote (titles, tiers, comments) stays as
written (docs/i18n.md)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from babel.dates import format_date

from definitions.models import Definition
from definitions.signoff import service as signoff
from tests.client import HubClient, error_summary, soup
from tests.definitions.factories import D, G, make_definition, notice, open_editor, viewer_for
from tests.factories import World
from workspace.runtime import Runtime

Opener = Callable[[str], HubClient]


def in_welsh(client: HubClient) -> HubClient:
    """The language a person chose with the header's switcher, remembered in a cookie."""
    client.cookies.set("lang", "cy")
    return client


@pytest.fixture
def definition(rt: Runtime, world: World) -> Definition:
    return make_definition(rt, world)


def texts(page: object, selector: str) -> list[str]:
    return [el.get_text(" ", strip=True) for el in page.select(selector)]  # type: ignore[attr-defined]


def test_definition_page_reads_in_welsh_with_the_tiers_as_written(
    as_role: Opener, definition: Definition
) -> None:
    page = in_welsh(as_role("chair")).page(D)
    html = page.find("html")
    assert html is not None
    assert html["lang"] == "cy"
    assert texts(page, "nav.ss-subnav a") == [
        "Testun cyfredol",
        "Hanes",
        "Cymharu",
        "Cymeradwyo",
        "Golygu",
    ]
    assert page.select_one("nav.ss-subnav")["aria-label"] == "Y diffiniad hwn"  # type: ignore[index]
    headings = texts(page, "section.ss-tier-text h2")
    # Top tier first, numbered from the base; the tier names are the group's words.
    assert headings == [
        "Haen 3: Allowable solutions",
        "Haen 2: Carbon compliance",
        "Haen 1: Energy efficiency",
    ]
    assert page.select_one("h1 .govuk-tag").get_text(strip=True) == "Drafft"  # type: ignore[union-attr]
    description = page.select_one("figure.ss-pyramid__figure desc")
    assert description is not None
    assert description.get_text().startswith("Pyramid o 3 haen, o’r gwaelod i’r brig.")
    assert "Haen 1 (gwaelod): Energy efficiency, ar y mwyaf 39 kWh/m²/yr." in description.get_text()


def test_history_counts_revisions_and_dates_them_in_welsh(
    as_role: Opener, definition: Definition
) -> None:
    page = in_welsh(as_role("chair")).page(f"{D}/history")
    assert texts(page, "caption") == ["1 diwygiad"]
    saved = page.select_one("tbody time")
    assert saved is not None
    day = format_date(definition.created_at, "MMMM yyyy", locale="cy")
    assert day in saved.get_text()


def test_sign_off_summary_and_errors_are_welsh(
    rt: Runtime, world: World, as_role: Opener, definition: Definition
) -> None:
    signoff.do_propose(rt, viewer_for(rt, world.users["chair"]), world.group, definition.id or 0)
    member = in_welsh(as_role("member"))
    page = member.page(f"{D}/sign-off")
    summary = page.select_one("#signoff-summary")
    assert summary is not None
    assert summary.get_text(" ", strip=True).startswith("0 o 2 sefydliad wedi cofnodi safbwynt")
    # An objection without a reason: the error in Welsh, the choice kept.
    response = member.submit(f"{D}/positions", {"stance": "object", "comment": ""})
    assert response.status_code == 400
    errors = error_summary(soup(response.text))
    assert errors == ["Rhowch y rheswm dros eich gwrthwynebiad"]


def test_saving_says_so_in_welsh_and_keeps_the_note_as_written(
    as_role: Opener, definition: Definition
) -> None:
    chair = in_welsh(as_role("chair"))
    fields = open_editor(chair)
    fields["change_note"] = "Tightened the fabric standard"
    fields["tier-0-summary"] = "Fabric standard, tighter"
    done = chair.submit(f"{D}/edit", fields)
    assert done.status_code == 303
    page = chair.page(done.headers["location"])
    assert notice(page) == "Wedi’i gadw fel diwygiad 2."
    assert "“Tightened the fabric standard”" in page.select_one("main p.govuk-body").get_text()  # type: ignore[union-attr]


def test_new_definition_errors_in_welsh_keep_what_was_typed(as_role: Opener) -> None:
    chair = in_welsh(as_role("chair"))
    response = chair.submit(
        f"{G}/definitions/new",
        {
            "title": "Diffiniad newydd",
            "purpose": "",
            "tier_count": "0",
            "tier-new-summary": "Heb enw",
        },
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert "Rhowch enw ar gyfer yr haen newydd" in error_summary(page)
    title = page.select_one("input#title")
    assert title is not None
    assert title["value"] == "Diffiniad newydd"
