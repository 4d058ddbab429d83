"""The audit log in pages of 50 with the GOV.UK pagination (and only its events block
when htmx asks), its CSV with the byte-order mark, and dates as day, month and year."""

from __future__ import annotations

from collections.abc import Callable

from tests.client import HubClient, error_summary, soup
from tests.factories import World, make_group

Open = Callable[[str], HubClient]


def _rows(page) -> int:  # type: ignore[no-untyped-def]
    return len(page.select(".ss-audit tbody tr"))


def test_the_log_comes_in_pages_that_keep_the_filters(
    world: World,
    as_role: Open,
    rt,  # type: ignore[no-untyped-def]
) -> None:
    for n in range(60):
        make_group(rt, world.users["secretariat"], f"Group number {n}")
    admin = as_role("secretariat")
    first = admin.page("/audit")
    assert _rows(first) == 50
    nav = first.select_one("nav.govuk-pagination")
    assert nav is not None
    assert nav.select_one(".govuk-pagination__prev") is None
    next_link = nav.select_one(".govuk-pagination__next a")
    assert next_link is not None
    assert next_link["href"] == "/audit?page=2"
    second = admin.page(str(next_link["href"]))
    caption = second.select_one(".ss-audit caption")
    assert caption is not None
    assert caption.get_text(strip=True).startswith("Events 51 to ")
    assert second.select_one(".govuk-pagination__prev a")["href"] == "/audit?page=1"
    filtered = admin.page(f"/audit?person={world.users['chair'].id}")
    assert filtered.select_one(".govuk-pagination__next") is None
    # a nonsense page number is the first page, never an error
    assert _rows(admin.page("/audit?page=-4")) == 50
    assert _rows(admin.page("/audit?page=999999999999")) == 50


def test_htmx_paging_gets_only_the_events(world: World, as_role: Open) -> None:
    admin = as_role("secretariat")
    response = admin.get("/audit?page=1", headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = soup(response.text)
    assert fragment.select_one("form") is None
    assert fragment.select_one("table.ss-audit") is not None
    assert "HX-Request" in response.headers["vary"]


def test_the_csv_starts_with_the_byte_order_mark(world: World, as_role: Open) -> None:
    response = as_role("secretariat").get("/audit.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.text.lstrip("\ufeff").startswith("id,when_utc,actor")


def test_dates_are_day_month_and_year_with_errors_kept(world: World, as_role: Open) -> None:
    admin = as_role("secretariat")
    page = admin.page("/audit")
    fieldset = page.select_one("#from")
    assert fieldset is not None
    names = [i["name"] for i in page.select("input[name^='from-']")]
    assert names == ["from-day", "from-month", "from-year"]
    empty = admin.page(
        "/audit?from-day=1&from-month=1&from-year=2001&to-day=31&to-month=12&to-year=2001"
    )
    assert _rows(empty) == 0
    response = admin.get("/audit?from-day=31&from-month=2&from-year=2013")
    assert response.status_code == 400
    broken = soup(response.text)
    assert error_summary(broken) == ["The first day must be a real date, like 1 4 2016"]
    assert broken.select_one("#from-day")["value"] == "31"
    missing = soup(admin.get("/audit?to-day=3&to-year=2013").text)
    assert error_summary(missing) == ["The last day must include a month"]
