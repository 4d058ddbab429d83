"""A new definition starts with all its tiers in one revision (issue 14): "Add another
tier" keeps what was typed and saves nothing."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import select

from definitions import service
from definitions.models import Definition, Revision
from tests.client import HubClient, soup
from tests.factories import World
from workspace.runtime import Runtime

NEW = "/groups/zero-carbon-homes-definition/definitions/new"


def test_three_tiers_in_one_revision(
    rt: Runtime, world: World, as_role: Callable[[str], HubClient]
) -> None:
    member = as_role("member")
    form = {"title": "Zero carbon homes", "purpose": "One definition", "tier_count": "0"}
    names = ["Energy efficiency", "Carbon compliance", "Allowable solutions"]
    for name in names[:2]:
        response = member.submit(
            NEW,
            form | {"tier-new-name": name, "tier-new-requirement": f"{name}.", "add_tier": "yes"},
        )
        assert response.status_code == 200
        page = soup(response.text)
        form = {
            i["name"]: i.get("value", "")
            for i in page.select("main form input")
            if i.get("name")
            and (i.get("type") not in ("checkbox", "radio") or i.has_attr("checked"))
        } | {t["name"]: t.get_text() for t in page.select("main form textarea")}
        form.pop("csrf_token", None)
        assert page.select_one("#title")["value"] == "Zero carbon homes"
    with rt.db.read() as session:
        assert session.exec(select(Definition)).all() == []
    created = member.submit(
        NEW, form | {"tier-new-name": names[2], "tier-new-requirement": "Offset."}
    )
    assert created.status_code == 303
    with rt.db.read() as session:
        definition = session.exec(select(Definition)).one()
        assert len(session.exec(select(Revision)).all()) == 1
        tiers = service.tiers_of(session, definition.id or 0, 1)
    assert [t.name for t in tiers] == names
