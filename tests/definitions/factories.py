"""Factories for definition tests: viewers with real seats, a three-tier definition, and
a one-line way to change one tier of a list."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bs4 import BeautifulSoup, Tag

from definitions import service
from definitions.models import Definition
from definitions.tiers import Metric, Tier, new_tier_key
from tests.client import HubClient
from tests.factories import World
from workspace.auth import viewer_of
from workspace.models import User
from workspace.permissions import Viewer
from workspace.runtime import Runtime


def viewer_for(rt: Runtime, user: User) -> Viewer:
    """The Viewer a signed-in request by this user would get, seats included."""
    with rt.db.read() as session:
        return viewer_of(session, user, rt.group_roles, rt.invited_to)


def demo_tiers() -> list[Tier]:
    """The zero carbon homes pyramid, base first, with fresh keys."""
    return [
        Tier(
            key=new_tier_key(),
            name="Energy efficiency",
            summary="Fabric energy efficiency standard",
            requirement="Homes must meet the **fabric** standard.",
            metric=Metric("<=", "39", "kWh/m²/yr"),
        ),
        Tier(
            key=new_tier_key(),
            name="Carbon compliance",
            summary="On-site carbon reduction",
            requirement="Cut regulated emissions on site.",
        ),
        Tier(
            key=new_tier_key(),
            name="Allowable solutions",
            summary="Off-site measures for the remainder",
            requirement="Offset what remains through allowable solutions.",
        ),
    ]


def make_definition(
    rt: Runtime, world: World, tiers: list[Tier] | None = None, title: str = "Zero carbon homes"
) -> Definition:
    """A definition created by the group's chair; revision 1 holds `tiers`."""
    chair = viewer_for(rt, world.users["chair"])
    return service.do_create(
        rt,
        chair,
        world.group,
        title,
        "What a zero carbon home must achieve.",
        demo_tiers() if tiers is None else tiers,
    )


def edit(tiers: list[Tier], key: str, **changes: Any) -> list[Tier]:
    """A copy of `tiers` with the tier `key` changed."""
    assert any(t.key == key for t in tiers), f"no tier {key!r}"
    return [replace(t, **changes) if t.key == key else t for t in tiers]


def new_tier(name: str, summary: str = "") -> Tier:
    return Tier(
        key=new_tier_key(),
        name=name,
        summary=summary or f"{name} summary",
        requirement=f"{name} requirement",
    )


# -- driving the pages like a browser ---------------------------------------------------

G = "/groups/zero-carbon-homes-definition"
D = f"{G}/definitions/zero-carbon-homes"


def form_fields(form: Tag) -> dict[str, str]:
    """What a browser would submit from a parsed <form>: ticked boxes only, the selected
    option of each select, textarea text (less the one leading newline browsers drop)."""
    data: dict[str, str] = {}
    for element in form.select("input[name], textarea[name], select[name]"):
        name = str(element["name"])
        if element.name == "textarea":
            value = element.get_text()
            value = value[1:] if value.startswith("\n") else value
        elif element.name == "select":
            chosen = element.select_one("option[selected]") or element.select_one("option")
            value = str(chosen.get("value", chosen.get_text())) if chosen else ""
        else:
            kind = element.get("type", "text")
            if kind in ("checkbox", "radio") and not element.has_attr("checked"):
                continue
            if kind in ("submit", "button", "image"):
                continue
            value = str(element.get("value", "on"))
        data[name] = value
    return data


def edit_form(page: BeautifulSoup) -> dict[str, str]:
    """The fields of the tier editor on an edit, new or merge page."""
    form = page.select_one("form[method=post]:has(input[name=tier_count])")
    assert form is not None, "no tier editor on the page"
    return form_fields(form)


def open_editor(client: HubClient, url: str = D) -> dict[str, str]:
    """GET the edit page and return its form as a browser would submit it."""
    return edit_form(client.page(f"{url}/edit"))


def tier_index(fields: dict[str, str], key: str) -> str:
    """The form prefix index ("0", "1", ...) of the tier with this key."""
    for name, value in fields.items():
        if name.endswith("-key") and value == key:
            return name.split("-")[1]
    raise AssertionError(f"tier {key} is not in the form")


def notice(page: BeautifulSoup) -> str:
    """The one-time notice (flash) shown after a redirect, or ''."""
    banner = page.select_one(".govuk-notification-banner__content")
    return banner.get_text(" ", strip=True) if banner else ""


def head_tiers(rt: Runtime, definition: Definition) -> tuple[int, list[Tier]]:
    """The definition's current head number and its tiers, read afresh."""
    with rt.db.read() as session:
        fresh = session.get(Definition, definition.id)
        assert fresh is not None
        return fresh.head_number, service.tiers_of(session, fresh.id or 0, fresh.head_number)
