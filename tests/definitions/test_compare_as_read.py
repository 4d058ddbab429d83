"""Compare shows the text as it reads, with word-level changes marked (the markdown
source on request), and its selects name each revision's author and date (issue 14)."""

from __future__ import annotations

from collections.abc import Callable

from definitions import service
from tests.client import HubClient
from tests.definitions.factories import edit, head_tiers, make_definition, viewer_for
from tests.factories import World
from workspace.runtime import Runtime

D = "/groups/zero-carbon-homes-definition/definitions/zero-carbon-homes"


def test_compare_reads_as_text_and_offers_the_source(
    as_role: Callable[[str], HubClient], rt: Runtime, world: World
) -> None:
    definition = make_definition(rt, world)
    _number, tiers = head_tiers(rt, definition)
    changed = edit(
        tiers, tiers[0].key, requirement="Homes must meet the **strict fabric** standard."
    )
    member = viewer_for(rt, world.users["member"])
    service.do_save(rt, member, world.group, definition.id or 0, 1, changed, "Stricter")

    page = as_role("member").page(f"{D}/compare?from=1&to=2")
    section = page.select_one(f"section[aria-labelledby='cmp-{tiers[0].key}']")
    assert section is not None
    cells = [td.get_text() for td in section.select("tbody tr td")]
    assert "Homes must meet the fabric standard." in cells
    assert not any("**" in cell for cell in cells)
    assert [i.get_text() for i in section.select("ins")] == ["strict "]

    source_link = page.find("a", string="Compare the markdown source instead")
    assert source_link is not None
    source = as_role("member").page(str(source_link["href"]))
    raw = source.select_one(f"section[aria-labelledby='cmp-{tiers[0].key}']")
    assert raw is not None
    assert "Homes must meet the **fabric** standard." in [td.get_text() for td in raw.select("td")]

    options = [o.get_text(strip=True) for o in page.select("select#from option")]
    assert options[0].startswith("Revision 2 – Raj Member, ")
    assert options[1].startswith("Revision 1 – Helen Chair, ")
