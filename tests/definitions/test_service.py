"""Saving definitions through the real service and through the edit form: new revisions,
automatic merges, the merge page, validation, and the read-only pages around them
(history, compare, exports)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import col, select

from definitions import service
from definitions.merge import DELETE_EDIT, EDIT_DELETE, EDIT_EDIT
from definitions.models import Definition, Revision, TierRow
from definitions.tiers import Metric, Tier
from tests.client import HubClient, error_summary, soup
from tests.definitions.factories import (
    D,
    G,
    edit,
    edit_form,
    head_tiers,
    make_definition,
    new_tier,
    notice,
    open_editor,
    tier_index,
    viewer_for,
)
from tests.factories import World
from workspace.db import utcnow
from workspace.models import ActivityEvent
from workspace.runtime import Runtime

Opener = Callable[[str], HubClient]


@pytest.fixture
def definition(rt: Runtime, world: World) -> Definition:
    return make_definition(rt, world)


@pytest.fixture
def base(rt: Runtime, definition: Definition) -> list[Tier]:
    """Revision 1's tiers: energy efficiency, carbon compliance, allowable solutions."""
    number, tiers = head_tiers(rt, definition)
    assert number == 1
    return tiers


def chair_saves(
    rt: Runtime,
    world: World,
    definition: Definition,
    base_number: int,
    tiers: list[Tier],
    note: str = "Chair's edit",
) -> service.SaveResult:
    """Someone else saving while the user has the form open."""
    chair = viewer_for(rt, world.users["chair"])
    return service.do_save(rt, chair, world.group, definition.id or 0, base_number, tiers, note)


def revision(rt: Runtime, definition: Definition, number: int) -> Revision:
    with rt.db.read() as session:
        found = service.get_revision(session, definition.id or 0, number)
    assert found is not None
    return found


def tiers_at(rt: Runtime, definition: Definition, number: int) -> list[Tier]:
    with rt.db.read() as session:
        return service.tiers_of(session, definition.id or 0, number)


def summary_list(block: BeautifulSoup) -> dict[str, str]:
    return {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
        for row in block.select(".govuk-summary-list__row")
    }


# -- a save on the head -----------------------------------------------------------------


def test_a_save_on_the_head_makes_a_new_immutable_revision(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    first = revision(rt, definition, 1)
    member = as_role("member")
    fields = open_editor(member)
    assert fields["base_number"] == "1"
    i = tier_index(fields, base[1].key)
    fields[f"tier-{i}-requirement"] = "Cut regulated emissions on site by **70%**."
    fields["change_note"] = "Set the on-site target"
    started = utcnow()

    response = member.submit(f"{D}/edit", fields)

    assert response.status_code == 303
    assert response.headers["location"] == D
    page = member.page(D)
    assert notice(page) == "Saved as revision 2."
    byline = page.select_one("main p.govuk-body").get_text(" ", strip=True)
    assert "Revision 2," in byline
    assert "by Raj Member (UK Green Building Council)" in byline
    assert "“Set the on-site target”" in byline
    rendered = page.select_one(f"#tier-section-{base[1].key} .ss-prose strong")
    assert rendered.get_text() == "70%"

    second = revision(rt, definition, 2)
    assert second.author_id == world.users["member"].id
    assert second.organisation_id == world.orgs["green"].id
    assert second.change_note == "Set the on-site target"
    assert (second.base_number, second.merged_with) == (1, None)
    assert started - timedelta(seconds=1) <= second.created_at <= utcnow()
    assert tiers_at(rt, definition, 2) == edit(
        base, base[1].key, requirement="Cut regulated emissions on site by **70%**."
    )
    # Revision 1 is untouched: same row, same tiers.
    assert revision(rt, definition, 1) == first
    assert tiers_at(rt, definition, 1) == base
    with rt.db.read() as session:
        events = session.exec(
            select(ActivityEvent).where(ActivityEvent.verb == "definition.revised")
        ).all()
    assert [(e.actor_id, e.object_id, e.group_id) for e in events] == [
        (world.users["member"].id, definition.id, world.group.id)
    ]

    # Saving the form again unchanged makes nothing new.
    assert member.submit(f"{D}/edit", open_editor(member)).status_code == 303
    assert notice(member.page(D)) == "Nothing had changed, so no new revision was made."
    assert head_tiers(rt, definition)[0] == 2

    # The service says what it did: a plain save on the head, not a merge.
    mine = [*tiers_at(rt, definition, 2), new_tier("Energy supply")]
    result = chair_saves(rt, world, definition, 2, mine, "Add a tier")
    assert (result.saved, result.number, result.merged, result.conflict) == (True, 3, False, None)
    assert result.head_tiers == mine
    assert head_tiers(rt, definition) == (3, mine)


# -- the head moved on: automatic merges --------------------------------------------------


def test_edits_to_different_tiers_merge_into_a_new_revision(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    member = as_role("member")
    fields = open_editor(member)  # based on revision 1
    theirs = edit(base, base[0].key, summary="Fabric first, always")
    assert chair_saves(rt, world, definition, 1, theirs).number == 2
    i = tier_index(fields, base[2].key)
    fields[f"tier-{i}-name"] = "Allowable solutions (off site)"
    fields["change_note"] = "Say where"

    response = member.submit(f"{D}/edit", fields)

    assert response.status_code == 303
    assert notice(member.page(D)) == (
        "Someone else saved while you were editing. Their changes were to other tiers, "
        "so both were merged into revision 3."
    )
    assert tiers_at(rt, definition, 3) == edit(
        theirs, base[2].key, name="Allowable solutions (off site)"
    )
    third = revision(rt, definition, 3)
    assert (third.base_number, third.merged_with) == (1, 2)
    rows = member.page(f"{D}/history").select("tbody tr")
    change = rows[0].select("td")[3].get_text(" ", strip=True)
    assert change == "Say where merged with revision 2"


def test_the_same_change_made_twice_is_not_saved_again(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    member = as_role("member")
    fields = open_editor(member)
    assert (
        chair_saves(
            rt, world, definition, 1, edit(base, base[1].key, summary="Seventy percent")
        ).number
        == 2
    )
    fields[f"tier-{tier_index(fields, base[1].key)}-summary"] = "Seventy percent"
    assert member.submit(f"{D}/edit", fields).status_code == 303
    assert notice(member.page(D)) == (
        "Someone else had already made the same change. Nothing new to save."
    )
    assert head_tiers(rt, definition)[0] == 2


def test_reorder_against_edit_keeps_both(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    member = as_role("member")
    # They reorder, I edit.
    fields = open_editor(member)
    reordered = [base[1], base[0], base[2]]
    chair_saves(rt, world, definition, 1, reordered, "Carbon first")
    fields[f"tier-{tier_index(fields, base[0].key)}-requirement"] = "Fabric to FEES."

    assert member.submit(f"{D}/edit", fields).status_code == 303

    assert "merged into revision 3" in notice(member.page(D))
    mine = edit(reordered, base[0].key, requirement="Fabric to FEES.")
    assert tiers_at(rt, definition, 3) == mine

    # They edit, I reorder through the form's position boxes (allowable solutions to
    # the base of the pyramid).
    fields = open_editor(member)
    theirs = edit(mine, base[1].key, requirement="Seventy percent on site.")
    chair_saves(rt, world, definition, 3, theirs)
    fields[f"tier-{tier_index(fields, base[2].key)}-position"] = "1"

    assert member.submit(f"{D}/edit", fields).status_code == 303

    assert tiers_at(rt, definition, 5) == [theirs[2], theirs[0], theirs[1]]
    assert revision(rt, definition, 5).merged_with == 4


def test_two_different_reorders_go_to_the_merge_page_in_my_order(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    member = as_role("member")
    fields = open_editor(member)
    chair_saves(rt, world, definition, 1, [base[1], base[0], base[2]])
    fields[f"tier-{tier_index(fields, base[2].key)}-position"] = "1"

    response = member.submit(f"{D}/edit", fields)

    assert response.status_code == 409
    page = soup(response.text)
    paragraphs = [p.get_text(" ", strip=True) for p in page.select("main p.govuk-body")]
    assert any(p.startswith("You both reordered the tiers differently") for p in paragraphs)
    merged = edit_form(page)
    order = [merged[f"tier-{i}-key"] for i in range(int(merged["tier_count"]))]
    assert order == [base[2].key, base[0].key, base[1].key]
    assert head_tiers(rt, definition)[0] == 2  # nothing written


def test_their_delete_and_my_edit_of_another_tier_merge(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    member = as_role("member")
    fields = open_editor(member)
    chair_saves(rt, world, definition, 1, [base[0], base[1]], "Drop allowable solutions")
    fields[f"tier-{tier_index(fields, base[0].key)}-summary"] = "FEES"

    assert member.submit(f"{D}/edit", fields).status_code == 303

    assert tiers_at(rt, definition, 3) == [edit(base, base[0].key, summary="FEES")[0], base[1]]


# -- the head moved on: clashes go to the merge page ------------------------------------


def test_the_same_tier_changed_on_both_sides_shows_the_merge_page(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    car, eff = base[1].key, base[0].key
    member = as_role("member")
    fields = open_editor(member)
    theirs = edit(base, car, requirement="Theirs: 60% on site.", metric=Metric(">=", "60", "%"))
    theirs = edit(theirs, eff, summary="Fabric first")  # and a tier only they changed
    chair_saves(rt, world, definition, 1, theirs)
    i = tier_index(fields, car)
    fields[f"tier-{i}-summary"] = "Mine: on-site reduction"
    fields[f"tier-{i}-requirement"] = "Mine: 70% on site."
    fields["change_note"] = "Raise the bar"

    response = member.submit(f"{D}/edit", fields)

    assert response.status_code == 409
    page = soup(response.text)
    assert page.select_one("h1").get_text(strip=True) == "Your changes clash with someone else's"
    assert [a["href"] for a in page.select("main ul.govuk-list a")] == [f"#conflict-{car}"]
    clash = page.select_one(f"#conflict-{car}")
    assert summary_list(clash.select_one(".ss-conflict__theirs")) == {
        "Name": "Carbon compliance",
        "Summary": "On-site carbon reduction",
        "Requirement": "Theirs: 60% on site.",
        "Metric": "≥ 60 %",
    }
    # The user's own text is in the fields inside the clash, as typed.
    assert clash.select_one(f"#tier-{i}-requirement").get_text().strip() == "Mine: 70% on site."
    assert clash.select_one(f"#tier-{i}-summary")["value"] == "Mine: on-site reduction"
    merged = edit_form(page)
    assert merged["base_number"] == "2"  # saving from here follows their revision
    assert merged["change_note"] == "Raise the bar"
    assert merged[f"tier-{tier_index(merged, eff)}-summary"] == "Fabric first"
    assert page.select_one(f"#conflict-{eff}") is None
    assert head_tiers(rt, definition)[0] == 2  # nothing was saved

    # Resolve: combine both versions, keep their metric, save.
    j = tier_index(merged, car)
    merged[f"tier-{j}-requirement"] = "Combined: 70% on site, measured."
    merged |= {f"tier-{j}-comparator": ">=", f"tier-{j}-value": "60", f"tier-{j}-unit": "%"}
    response = member.submit(f"{D}/edit", merged)

    assert response.status_code == 303
    assert notice(member.page(D)) == "Saved as revision 3."
    assert tiers_at(rt, definition, 3) == edit(
        theirs,
        car,
        summary="Mine: on-site reduction",
        requirement="Combined: 70% on site, measured.",
    )
    third = revision(rt, definition, 3)
    assert (third.base_number, third.merged_with, third.change_note) == (2, None, "Raise the bar")


def test_the_service_reports_a_clash_and_writes_nothing(
    rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    member = viewer_for(rt, world.users["member"])
    chair_saves(rt, world, definition, 1, edit(base, base[1].key, name="Carbon (on site)"))
    mine = edit(base, base[1].key, name="Carbon compliance (70%)")

    result = service.do_save(rt, member, world.group, definition.id or 0, 1, mine, "Mine")

    assert not result.saved
    assert result.conflict is not None
    assert [(c.key, c.kind) for c in result.conflict.conflicts] == [(base[1].key, EDIT_EDIT)]
    assert result.head_number == 2
    draft, removed = service.conflict_draft(result.conflict, mine)
    assert (draft, removed) == (mine, set())
    with rt.db.read() as session:
        numbers = session.exec(
            select(Revision.number).where(Revision.definition_id == definition.id)
        ).all()
    assert sorted(numbers) == [1, 2]


def test_my_edit_of_a_tier_they_deleted_is_a_clash(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    alo = base[2].key
    member = as_role("member")
    fields = open_editor(member)
    chair_saves(rt, world, definition, 1, base[:2], "Allowable solutions are out of scope")
    i = tier_index(fields, alo)
    fields[f"tier-{i}-requirement"] = "Offset the rest, verified."

    response = member.submit(f"{D}/edit", fields)

    assert response.status_code == 409
    page = soup(response.text)
    clash = page.select_one(f"#conflict-{alo}")
    texts = [p.get_text(" ", strip=True) for p in clash.select("p")]
    assert texts[0].startswith("They removed this tier.")
    assert clash.select_one(".ss-conflict__theirs") is None
    merged = edit_form(page)
    j = tier_index(merged, alo)
    assert merged[f"tier-{j}-requirement"] == "Offset the rest, verified."
    assert f"tier-{j}-remove" not in merged  # kept unless the user agrees to remove it

    # Keeping it restores the tier with the user's edit after their revision.
    assert member.submit(f"{D}/edit", merged).status_code == 303
    assert tiers_at(rt, definition, 3) == edit(base, alo, requirement="Offset the rest, verified.")


@pytest.mark.parametrize(("they_remove", "kind"), [(True, DELETE_EDIT), (False, EDIT_DELETE)])
def test_the_service_reports_delete_against_edit_as_a_clash(
    rt: Runtime,
    world: World,
    definition: Definition,
    base: list[Tier],
    they_remove: bool,
    kind: str,
) -> None:
    alo = base[2].key
    edited_by_them = edit(base, alo, summary="Theirs")
    edited_by_me = edit(base, alo, summary="Mine")
    theirs, mine = (base[:2], edited_by_me) if they_remove else (edited_by_them, base[:2])
    chair_saves(rt, world, definition, 1, theirs)
    member = viewer_for(rt, world.users["member"])

    result = service.do_save(rt, member, world.group, definition.id or 0, 1, mine, "")

    assert result.conflict is not None
    assert [(c.key, c.kind) for c in result.conflict.conflicts] == [(alo, kind)]
    # The merge page starts from the edited version either way, marked for removal
    # only when removing was the user's own intent.
    draft, removed = service.conflict_draft(result.conflict, mine)
    if they_remove:
        assert (draft, removed) == (edited_by_me, set())
    else:
        assert (draft, removed) == (edited_by_them, {alo})
    assert head_tiers(rt, definition) == (2, theirs)


def test_my_removal_of_a_tier_they_edited_is_a_clash(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    alo = base[2].key
    member = as_role("member")
    fields = open_editor(member)
    theirs = edit(base, alo, requirement="Offset through a community fund.")
    chair_saves(rt, world, definition, 1, theirs)
    fields[f"tier-{tier_index(fields, alo)}-remove"] = "yes"

    response = member.submit(f"{D}/edit", fields)

    assert response.status_code == 409
    page = soup(response.text)
    clash = page.select_one(f"#conflict-{alo}")
    texts = [p.get_text(" ", strip=True) for p in clash.select("p")]
    assert any(t.startswith("You removed this tier, but they edited it.") for t in texts)
    merged = edit_form(page)
    j = tier_index(merged, alo)
    # Their version is in the fields, ticked for removal as the user intended.
    assert merged[f"tier-{j}-requirement"] == "Offset through a community fund."
    assert merged[f"tier-{j}-remove"] == "yes"

    # Unticking keeps their edit: nothing of theirs is lost.
    del merged[f"tier-{j}-remove"]
    assert member.submit(f"{D}/edit", merged).status_code == 303
    assert notice(member.page(D)) == "Nothing had changed, so no new revision was made."
    assert head_tiers(rt, definition) == (2, theirs)

    # Or confirm the removal from the same merge page.
    response = member.submit(f"{D}/edit", fields)  # the stale form again
    merged = edit_form(soup(response.text))
    assert member.submit(f"{D}/edit", merged).status_code == 303
    assert head_tiers(rt, definition) == (3, base[:2])


# -- validation: the page again, with the text kept ---------------------------------------


def _post_invalid(client: HubClient, fields: dict[str, str]) -> BeautifulSoup:
    response = client.submit(f"{D}/edit", fields)
    assert response.status_code == 400
    page = soup(response.text)
    assert page.select_one("title").get_text(strip=True).startswith("Error:")
    return page


def test_a_ninth_tier_is_refused_with_the_text_kept(
    as_role: Opener, rt: Runtime, world: World
) -> None:
    eight = [new_tier(f"Tier {n}") for n in range(1, 9)]
    definition = make_definition(rt, world, eight)
    member = as_role("member")
    page = member.page(f"{D}/edit")
    assert page.select_one("#tier-new-name") is None  # no room to add on the page
    fields = edit_form(page)
    fields |= {
        "tier-new-name": "Ninth",
        "tier-new-summary": "One too many",
        "tier-new-position": "9",
    }

    page = _post_invalid(member, fields)

    assert error_summary(page) == ["A definition can have at most 8 tiers"]
    link = page.select_one(".govuk-error-summary__list a")["href"]
    assert page.select_one(link) is not None
    kept = edit_form(page)
    assert (kept["tier-new-name"], kept["tier-new-summary"]) == ("Ninth", "One too many")
    assert [kept[f"tier-{n}-name"] for n in range(8)] == [t.name for t in eight]
    assert head_tiers(rt, definition)[0] == 1


def test_invalid_edits_show_the_form_again_with_the_text_kept(
    as_role: Opener, rt: Runtime, definition: Definition, base: list[Tier]
) -> None:
    member = as_role("member")
    fields = open_editor(member)
    eff, car = (tier_index(fields, t.key) for t in base[:2])
    cases = [
        # (what the person sent, the error summary, fields that must come back as sent)
        (
            {f"tier-{car}-name": "  ", f"tier-{car}-requirement": "My careful wording."},
            ["Enter a name for tier 2"],
            [f"tier-{car}-requirement"],
        ),
        (
            {f"tier-{eff}-value": "about 39", f"tier-{eff}-summary": "Tighter fabric"},
            ["Enter the metric as a number, like 39"],
            [f"tier-{eff}-value", f"tier-{eff}-comparator", f"tier-{eff}-summary"],
        ),
        (
            {"base_number": "", f"tier-{eff}-summary": "Kept"},
            ["This form is out of date. Reload the page and try again."],
            [f"tier-{eff}-summary"],
        ),
        (
            {"base_number": "7", f"tier-{eff}-summary": "Kept"},
            ["This form is out of date. Reload the page and try again."],
            [f"tier-{eff}-summary"],
        ),
        (  # a tampered tier count: an error page, never a server error
            {
                "tier_count": "lots",
                "tier-new-name": "Fourth",
                "tier-new-comparator": "<",
                "tier-new-value": "x",
            },
            ["Enter the metric as a number, like 39"],
            ["tier-new-name", "tier-new-value"],
        ),
    ]
    for sent, summary, kept in cases:
        data = fields | sent | {"change_note": "Careful"}
        response = member.submit(f"{D}/edit", data)

        assert response.status_code == 400, sent
        page = soup(response.text)
        assert page.select_one("title").get_text(strip=True).startswith("Error:")
        assert error_summary(page) == summary
        link = page.select_one(".govuk-error-summary__list a")["href"]
        assert page.select_one(link) is not None  # the summary links to the field
        assert page.select_one(f"{link}-error") is not None  # which shows the error too
        again = edit_form(page)
        assert {name: again[name] for name in kept} == {name: data[name] for name in kept}
        assert again["change_note"] == "Careful"
    too_many = member.submit(f"{D}/edit", fields | {"tier_count": "99999"})
    assert too_many.status_code == 400
    assert len(soup(too_many.text).select("fieldset.ss-tier-fieldset")) <= 10
    assert head_tiers(rt, definition)[0] == 1


def test_creating_with_errors_keeps_the_text(as_role: Opener, rt: Runtime, world: World) -> None:
    member = as_role("member")
    fields = edit_form(member.page(f"{G}/definitions/new"))
    fields |= {
        "title": "",
        "purpose": "Why we need it",
        "tier-new-name": "Fabric",
        "tier-new-requirement": "Build well.",
        "tier-new-value": "x",
        "tier-new-comparator": "<=",
    }

    response = member.submit(f"{G}/definitions/new", fields)

    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == ["Enter a title", "Enter the metric as a number, like 39"]
    kept = edit_form(page)
    assert (kept["purpose"], kept["tier-new-name"], kept["tier-new-requirement"]) == (
        "Why we need it",
        "Fabric",
        "Build well.",
    )
    with rt.db.read() as session:
        assert session.exec(select(Definition)).all() == []


def test_creating_through_the_form_makes_revision_one(
    as_role: Opener, rt: Runtime, world: World
) -> None:
    member = as_role("member")
    fields = edit_form(member.page(f"{G}/definitions/new"))
    fields |= {
        "title": "Zero carbon homes",
        "purpose": "Why",
        "tier-new-name": "Fabric",
        "tier-new-requirement": "Build well.",
        "tier-new-comparator": "<=",
        "tier-new-value": "39",
        "tier-new-unit": "kWh",
    }

    response = member.submit(f"{G}/definitions/new", fields)

    assert response.status_code == 303
    assert response.headers["location"] == D
    assert notice(member.page(D)) == "Zero carbon homes has been created as revision 1."
    with rt.db.read() as session:
        created = session.exec(select(Definition)).one()
    number, tiers = head_tiers(rt, created)
    assert number == 1
    assert [(t.name, t.requirement, t.metric) for t in tiers] == [
        ("Fabric", "Build well.", Metric("<=", "39", "kWh"))
    ]
    # Same title again: refused, not a 500.
    again = member.submit(f"{G}/definitions/new", fields)
    assert again.status_code == 400
    assert error_summary(soup(again.text)) == [
        "This group already has a definition with this title"
    ]


# -- reading: history, compare, exports ---------------------------------------------------


def _three_revisions(
    rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> list[list[Tier]]:
    second = edit(base, base[1].key, requirement="Cut regulated carbon emissions on site by 70%.")
    second = edit(second, base[2].key, name="Allowable measures")
    chair_saves(rt, world, definition, 1, second, "Tighten carbon")
    member = viewer_for(rt, world.users["member"])
    third = [*second, new_tier("Energy supply")]
    service.do_save(rt, member, world.group, definition.id or 0, 2, third, "")
    return [base, second, third]


def test_history_lists_every_revision(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    with rt.db.read() as session:
        before = session.exec(select(TierRow).order_by(col(TierRow.id))).all()
    _three_revisions(rt, world, definition, base)
    with rt.db.read() as session:
        after = session.exec(select(TierRow).order_by(col(TierRow.id))).all()
    # Rows once written are never rewritten: later revisions only add rows.
    assert after[: len(before)] == before
    assert len(after) == 3 + 3 + 4
    page = as_role("observer").page(f"{D}/history")
    assert page.select_one("caption").get_text(strip=True) == "3 revisions"
    rows = [
        [cell.get_text(" ", strip=True) for cell in tr.select("td")]
        for tr in page.select("tbody tr")
    ]
    assert [row[0] for row in rows] == ["Revision 3", "Revision 2", "Revision 1"]
    assert [row[2] for row in rows] == ["Raj Member", "Helen Chair", "Helen Chair"]
    assert [row[3] for row in rows] == ["—", "Tighten carbon", "First draft"]
    links = [a["href"] for a in page.select("tbody a")]
    assert f"{D}/revisions/1" in links
    assert f"{D}/compare?from=2&to=3" in links


def test_compare_marks_inserted_and_deleted_words(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    _three_revisions(rt, world, definition, base)
    page = as_role("member").page(f"{D}/compare?from=1&to=2")
    sections = {
        s["aria-labelledby"].removeprefix("cmp-"): s for s in page.select("section.ss-compare-tier")
    }
    assert list(sections) == [t.key for t in base]

    def tag(key: str) -> str:
        return sections[key].select_one("h2 .govuk-tag").get_text(strip=True)

    def row(key: str, field: str) -> BeautifulSoup:
        for tr in sections[key].select("tbody tr"):
            if tr.select_one("th").get_text(strip=True) == field:
                return tr
        raise AssertionError(field)

    assert [tag(t.key) for t in base] == ["Unchanged", "Changed", "Changed"]
    assert sections[base[0].key].select("ins, del") == []
    requirement = row(base[1].key, "Requirement")
    assert [i.get_text() for i in requirement.select("ins")] == [" carbon", " by 70%"]
    assert requirement.select("del") == []
    assert requirement.select("td")[0].get_text() == "Cut regulated emissions on site."
    name = row(base[2].key, "Name")
    assert [d.get_text() for d in name.select("del")] == ["solutions"]
    assert [i.get_text() for i in name.select("ins")] == ["measures"]

    added = as_role("member").page(f"{D}/compare?from=2&to=3")
    tags = [
        s.select_one("h2 .govuk-tag").get_text(strip=True)
        for s in added.select("section.ss-compare-tier")
    ]
    assert tags == ["Unchanged", "Unchanged", "Unchanged", "Added"]


def test_exports_of_a_revision(
    as_role: Opener, rt: Runtime, world: World, definition: Definition, base: list[Tier]
) -> None:
    _three_revisions(rt, world, definition, base)
    member = as_role("member")

    response = member.get(f"{D}/revisions/1/export.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert 'filename="zero-carbon-homes-r1.json"' in response.headers["content-disposition"]
    data = json.loads(response.text)
    assert data["schema"] == "sharedspace.definition.v1"
    assert data["definition"]["slug"] == "zero-carbon-homes"
    assert data["revision"]["number"] == 1
    assert data["revision"]["author"] == "Helen Chair (Home Builders Federation)"
    assert [(t["position"], t["key"], t["name"]) for t in data["tiers"]] == [
        (n + 1, t.key, t.name) for n, t in enumerate(base)
    ]
    assert data["tiers"][0]["metric"] == {"comparator": "<=", "value": "39", "unit": "kWh/m²/yr"}
    assert data["tiers"][1]["metric"] is None
    assert data["tiers"][0]["requirement_markdown"] == base[0].requirement

    response = member.get(f"{D}/revisions/2/export.md")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    lines = response.text.splitlines()
    assert lines[0] == "# Zero carbon homes"
    assert [line for line in lines if line.startswith("## ")] == [
        "## Tier 1: Energy efficiency",
        "## Tier 2: Carbon compliance",
        "## Tier 3: Allowable measures",
    ]
    assert "Metric: <= 39 kWh/m²/yr" in lines
    assert "Cut regulated carbon emissions on site by 70%." in lines
    assert any(line.startswith("Revision 2, ") and "by Helen Chair" in line for line in lines)


NOT_FOUND = [
    f"{G}/definitions/no-such-definition",
    f"{G}/definitions/no-such-definition/edit",
    f"{G}/definitions/no-such-definition/history",
    f"{G}/definitions/no-such-definition/compare",
    f"{G}/definitions/no-such-definition/sign-off",
    f"{G}/definitions/no-such-definition/revisions/1",
    f"{G}/definitions/no-such-definition/revisions/1/export.json",
    "/groups/no-such-group/definitions/zero-carbon-homes",
    "/groups/no-such-group/definitions/new",
    f"{D}/revisions/0",
    f"{D}/revisions/2",
    f"{D}/revisions/99999999",
    f"{D}/revisions/one",
    f"{D}/revisions/-1",
    f"{D}/revisions/2/print",
    f"{D}/revisions/2/export.json",
    f"{D}/revisions/2/export.md",
    f"{D}/revisions/1/export.xml",
    f"{D}/compare?from=1&to=9",
    f"{D}/compare?from=x",
]


def test_unknown_definitions_and_revisions_are_not_found(
    as_role: Opener, definition: Definition
) -> None:
    for client in (as_role("member"), as_role("secretariat")):
        for path in NOT_FOUND:
            page = client.page(path, status=404)
            assert page.select_one("h1").get_text(strip=True) == "Page not found", path
    member = as_role("member")
    fields = open_editor(member)
    for action in ("edit", "positions", "propose", "agree", "disputes/1/answer"):
        response = member.submit(f"{G}/definitions/nothing-here/{action}", fields)
        assert response.status_code == 404, action
