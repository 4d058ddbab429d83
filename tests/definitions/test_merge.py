"""Tier-level three-way merge."""

from __future__ import annotations

from dataclasses import replace

import pytest

from definitions.merge import (
    DELETE_EDIT,
    EDIT_DELETE,
    EDIT_EDIT,
    ORDER,
    merge_tiers,
    resolve,
)
from definitions.tiers import Metric, Tier


def tier(key: str, name: str | None = None, **kw: object) -> Tier:
    fields: dict[str, object] = {"summary": f"{key} summary", "requirement": f"{key} req"}
    fields.update(kw)
    return Tier(key=key, name=name or key.title(), **fields)  # type: ignore[arg-type]


BASE = [
    tier("eff", "Energy efficiency"),
    tier("car", "Carbon compliance"),
    tier("all", "Allowable solutions"),
]


def keys(tiers: list[Tier]) -> list[str]:
    return [t.key for t in tiers]


def edit(tiers: list[Tier], key: str, **changes: object) -> list[Tier]:
    return [replace(t, **changes) if t.key == key else t for t in tiers]  # type: ignore[arg-type]


def test_no_changes_is_clean_and_not_auto_merged() -> None:
    result = merge_tiers(BASE, list(BASE), list(BASE))
    assert result.clean
    assert not result.auto_merged
    assert result.tiers == BASE


def test_only_mine_changed_takes_mine() -> None:
    mine = edit(BASE, "car", name="Carbon")
    result = merge_tiers(BASE, list(BASE), mine)
    assert result.tiers == mine
    assert result.clean
    assert not result.auto_merged


def test_different_tiers_edited_merge_cleanly() -> None:
    theirs = edit(BASE, "eff", summary="Fabric first")
    mine = edit(BASE, "all", metric=Metric("<=", "11", "kgCO2/m²/yr"))
    result = merge_tiers(BASE, theirs, mine)
    assert result.clean
    assert result.auto_merged
    assert result.tiers == [theirs[0], BASE[1], mine[2]]


def test_same_tier_edited_differently_conflicts() -> None:
    theirs = edit(BASE, "car", name="Carbon (theirs)")
    mine = edit(BASE, "car", name="Carbon (mine)")
    result = merge_tiers(BASE, theirs, mine)
    assert not result.clean
    assert not result.auto_merged
    [conflict] = result.conflicts
    assert conflict.kind == EDIT_EDIT
    assert conflict.key == "car"
    assert (conflict.base, conflict.theirs, conflict.mine) == (BASE[1], theirs[1], mine[1])
    assert result.tiers == theirs  # provisionally theirs


def test_same_edit_on_both_sides_is_clean() -> None:
    theirs = edit(BASE, "car", requirement="New text")
    result = merge_tiers(BASE, theirs, list(theirs))
    assert result.clean
    assert result.tiers == theirs


def test_reorder_on_one_side_and_edit_on_other() -> None:
    theirs = [BASE[1], BASE[0], BASE[2]]
    mine = edit(BASE, "all", name="Offsets")
    result = merge_tiers(BASE, theirs, mine)
    assert result.clean
    assert result.auto_merged
    assert keys(result.tiers) == ["car", "eff", "all"]
    assert result.tiers[2].name == "Offsets"


def test_delete_vs_edit_conflicts_both_ways() -> None:
    deleted = [BASE[0], BASE[2]]
    edited = edit(BASE, "car", name="Carbon!")

    result = merge_tiers(BASE, deleted, edited)
    [conflict] = result.conflicts
    assert conflict.kind == DELETE_EDIT
    assert conflict.theirs is None
    assert conflict.mine == edited[1]
    assert keys(result.tiers) == ["eff", "all"]  # provisionally theirs: deleted

    result = merge_tiers(BASE, edited, deleted)
    [conflict] = result.conflicts
    assert conflict.kind == EDIT_DELETE
    assert keys(result.tiers) == ["eff", "car", "all"]


def test_delete_vs_untouched_deletes() -> None:
    result = merge_tiers(BASE, list(BASE), [BASE[0], BASE[2]])
    assert result.clean
    assert keys(result.tiers) == ["eff", "all"]
    assert "car" not in result.slots


def test_both_add_tiers_keeps_both_in_place() -> None:
    theirs = [BASE[0], tier("t1"), BASE[1], BASE[2]]
    mine = [BASE[0], BASE[1], BASE[2], tier("m1")]
    result = merge_tiers(BASE, theirs, mine)
    assert result.clean
    assert result.auto_merged
    assert keys(result.tiers) == ["eff", "t1", "car", "all", "m1"]


def test_both_add_at_same_spot_puts_head_first() -> None:
    theirs = [tier("t1"), *BASE]
    mine = [tier("m1"), tier("m2"), *BASE]
    result = merge_tiers(BASE, theirs, mine)
    assert keys(result.tiers) == ["t1", "m1", "m2", "eff", "car", "all"]


def test_addition_anchors_to_neighbour_after_other_side_reorders() -> None:
    theirs = [BASE[2], BASE[1], BASE[0]]
    mine = [BASE[0], tier("new"), BASE[1], BASE[2]]
    result = merge_tiers(BASE, theirs, mine)
    assert result.clean
    assert keys(result.tiers) == ["all", "car", "eff", "new"]


def test_both_reorder_differently_conflicts_on_order() -> None:
    theirs = [BASE[1], BASE[0], BASE[2]]
    mine = [BASE[0], BASE[2], BASE[1]]
    result = merge_tiers(BASE, theirs, mine)
    [conflict] = result.conflicts
    assert conflict.kind == ORDER
    assert conflict.theirs_order == ("car", "eff", "all")
    assert conflict.mine_order == ("eff", "all", "car")
    assert keys(result.tiers) == ["car", "eff", "all"]


def test_both_reorder_identically_is_clean() -> None:
    reordered = [BASE[2], BASE[0], BASE[1]]
    result = merge_tiers(BASE, reordered, list(reordered))
    assert result.clean
    assert keys(result.tiers) == ["all", "eff", "car"]


def test_resolve_applies_choices_and_order() -> None:
    theirs = edit([BASE[1], BASE[0]], "car", name="Carbon T")  # reorder, edit, delete "all"
    mine = edit(edit([BASE[0], BASE[2], BASE[1]], "car", name="Carbon M"), "all", name="Allow")
    result = merge_tiers(BASE, theirs, mine)
    kinds = {c.kind for c in result.conflicts}
    assert kinds == {EDIT_EDIT, DELETE_EDIT}  # only theirs reordered eff/car: its order wins

    resolved = resolve(result, {"car": mine[2], "all": mine[1]})
    assert [t.name for t in resolved] == ["Carbon M", "Energy efficiency", "Allow"]

    resolved = resolve(result, {"car": None}, order=["all", "eff"])
    assert keys(resolved) == ["eff"]  # "all" stays deleted (theirs); ordering ignores it


def test_resolve_order_conflict_uses_given_order() -> None:
    result = merge_tiers(BASE, [BASE[1], BASE[0], BASE[2]], [BASE[0], BASE[2], BASE[1]])
    assert keys(resolve(result, {})) == ["car", "eff", "all"]
    assert keys(resolve(result, {}, order=["eff", "all", "car"])) == ["eff", "all", "car"]
    assert keys(resolve(result, {}, order=["all"])) == ["all", "car", "eff"]


def test_resolve_rejects_bad_choices() -> None:
    theirs = edit(BASE, "car", name="A")
    result = merge_tiers(BASE, theirs, edit(BASE, "car", name="B"))
    with pytest.raises(ValueError, match="no conflict"):
        resolve(result, {"eff": None})
    with pytest.raises(ValueError, match="carries key"):
        resolve(result, {"car": BASE[0]})


def test_duplicate_keys_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        merge_tiers(BASE, [BASE[0], BASE[0]], BASE)
