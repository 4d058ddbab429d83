"""Factories for definition tests: viewers with real seats, a three-tier definition, and
a one-line way to change one tier of a list."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from definitions import service
from definitions.models import Definition
from definitions.tiers import Metric, Tier, new_tier_key
from tests.factories import World
from workspace.models import User
from workspace.permissions import Viewer
from workspace.runtime import Runtime


def viewer_for(rt: Runtime, user: User) -> Viewer:
    """The Viewer a signed-in request by this user would get, seats included."""
    with rt.db.read() as session:
        roles, observed = rt.role_loader(session, user.id)  # type: ignore[arg-type]
    return Viewer(user_id=user.id, display_name=user.display_name, email=user.email,
                  is_secretariat=user.is_secretariat, member_roles=roles,
                  observed_groups=observed)


def demo_tiers() -> list[Tier]:
    """The zero carbon homes pyramid, base first, with fresh keys."""
    return [
        Tier(key=new_tier_key(), name="Energy efficiency",
             summary="Fabric energy efficiency standard",
             requirement="Homes must meet the **fabric** standard.",
             metric=Metric("<=", "39", "kWh/m²/yr")),
        Tier(key=new_tier_key(), name="Carbon compliance",
             summary="On-site carbon reduction",
             requirement="Cut regulated emissions on site."),
        Tier(key=new_tier_key(), name="Allowable solutions",
             summary="Off-site measures for the remainder",
             requirement="Offset what remains through allowable solutions."),
    ]


def make_definition(rt: Runtime, world: World, tiers: list[Tier] | None = None,
                    title: str = "Zero carbon homes") -> Definition:
    """A definition created by the group's chair; revision 1 holds `tiers`."""
    chair = viewer_for(rt, world.users["chair"])
    return service.do_create(rt, chair, world.group, title,
                             "What a zero carbon home must achieve.",
                             demo_tiers() if tiers is None else tiers)


def edit(tiers: list[Tier], key: str, **changes: Any) -> list[Tier]:
    """A copy of `tiers` with the tier `key` changed."""
    assert any(t.key == key for t in tiers), f"no tier {key!r}"
    return [replace(t, **changes) if t.key == key else t for t in tiers]


def new_tier(name: str, summary: str = "") -> Tier:
    return Tier(key=new_tier_key(), name=name, summary=summary or f"{name} summary",
                requirement=f"{name} requirement")
