"""Finding the person to seat by name, email or organisation, without JavaScript (a GET
form) and with htmx (only the matches), and distinct labels on the two seat forms."""

from __future__ import annotations

from collections.abc import Callable

from tests.client import HubClient, soup
from tests.factories import World

G = "/groups/zero-carbon-homes-definition"


def _found(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        li.select_one("strong").get_text(strip=True) for li in page.select(".ss-people-matches li")
    ]


def test_people_are_found_by_name_email_or_organisation(
    world: World, as_role: Callable[[str], HubClient]
) -> None:
    admin = as_role("secretariat")
    assert _found(admin.page(f"{G}/people?find=raj")) == ["Raj Member"]
    email = world.users["observer"].email
    assert _found(admin.page(f"{G}/people?find={email}")) == ["David Observer"]
    # the organisation they represent (in any group)
    assert set(_found(admin.page(f"{G}/people?find=green+building"))) == {
        "Raj Member",
        "Olive OtherGroup",
    }
    # wildcards are taken literally
    assert _found(admin.page(f"{G}/people?find=%25%25")) == []
    nobody = admin.page(f"{G}/people?find=zzzz")
    # nobody with an account: the page points to inviting them by email
    invite = nobody.find("a", string="invite them by email")
    assert invite is not None
    assert invite["href"] == "#invite-heading"
    assert nobody.select_one("#invite-heading") is not None


def test_a_match_fills_the_seat_form(world: World, as_role: Callable[[str], HubClient]) -> None:
    admin = as_role("secretariat")
    page = admin.page(f"{G}/people?find=alex")
    link = page.find("a", string="Seat Alex Public as an observer")
    assert link is not None
    filled = admin.page(str(link["href"]).split("#")[0])
    observer_email = filled.select_one("#observer_email")
    assert observer_email is not None
    assert observer_email["value"] == world.users["public"].email
    labels = {lab["for"]: lab.get_text(strip=True) for lab in filled.select("label.govuk-label")}
    assert labels["email"] == "Email address of the member's account"
    assert labels["observer_email"] == "Email address of the observer's account"


def test_htmx_asks_for_the_matches_only(world: World, as_role: Callable[[str], HubClient]) -> None:
    response = as_role("secretariat").get(f"{G}/people?find=raj", headers={"HX-Request": "true"})
    fragment = soup(response.text)
    assert fragment.select_one("form") is None
    assert _found(fragment) == ["Raj Member"]
