"""Word diffs and revision comparison."""

from __future__ import annotations

from dataclasses import replace

from markupsafe import Markup

from definitions.diff import compare_tiers, diff_words, tokenise
from definitions.tiers import Metric, Tier

EFF = Tier(
    "eff", "Energy efficiency", "Fabric first", "Build **well**", Metric("<=", "39", "kWh/m²/yr")
)
CAR = Tier("car", "Carbon compliance", "On-site", "Use renewables")
ALL = Tier("all", "Allowable solutions", "Off-site", "Pay into a fund")


def test_tokenise_round_trips() -> None:
    text = "Energy  use ≤ 39 kWh/m²/yr,\nthen more."
    assert "".join(tokenise(text)) == text


def test_unchanged_text_has_no_markup() -> None:
    html = diff_words("same words here", "same words here")
    assert isinstance(html, Markup)
    assert html == "same words here"


def test_changed_word_wrapped_in_del_and_ins() -> None:
    html = diff_words("at most 39 kWh", "at most 46 kWh")
    assert html == "at most <del>39</del><ins>46</ins> kWh"


def test_adjacent_changes_merge_into_one_element() -> None:
    html = diff_words("keep a b c keep", "keep x y z keep")
    assert html == "keep <del>a b c</del><ins>x y z</ins> keep"
    assert html.count("<del>") == 1
    assert html.count("<ins>") == 1


def test_pure_insert_and_delete() -> None:
    assert diff_words("", "new") == "<ins>new</ins>"
    assert diff_words("old", "") == "<del>old</del>"
    html = diff_words("one two three", "one three")
    assert "<ins>" not in html
    assert html.count("<del>") == 1
    assert html.striptags() == "one two three"  # deleted words stay visible


def test_everything_is_escaped() -> None:
    html = diff_words("<script>alert(1)</script> & co", "<script>alert(2)</script> & co")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp; co" in html
    assert "<del>1</del><ins>2</ins>" in html
    assert diff_words("a", "<b>") == "<del>a</del><ins>&lt;b&gt;</ins>"


def test_markup_input_is_not_double_escaped_or_trusted() -> None:
    # Markup input is still treated as text: the diff is of the source characters.
    html = diff_words(Markup("<i>x</i>"), "<i>x</i>")
    assert "<i>" not in html


def by_key(comparisons: list) -> dict:  # type: ignore[type-arg]
    return {c.key: c for c in comparisons}


def test_rename_is_changed_with_name_diff() -> None:
    new = [EFF, replace(CAR, name="Carbon target"), ALL]
    result = compare_tiers([EFF, CAR, ALL], new)
    assert [c.status for c in result] == ["unchanged", "changed", "unchanged"]
    car = by_key(result)["car"]
    name = next(f for f in car.fields if f.field == "name")
    assert name.changed
    assert name.html == "Carbon <del>compliance</del><ins>target</ins>"
    assert not any(f.changed for f in car.fields if f.field != "name")
    assert not car.moved


def test_added_and_removed_tiers() -> None:
    new_tier = Tier("new", "Zero carbon", "Top", "Net zero", Metric(">=", "100", "%"))
    result = compare_tiers([EFF, CAR, ALL], [EFF, ALL, new_tier])
    assert [(c.key, c.status) for c in result] == [
        ("eff", "unchanged"),
        ("car", "removed"),
        ("all", "unchanged"),
        ("new", "added"),
    ]
    added = by_key(result)["new"]
    assert added.added
    assert added.old is None
    assert added.new_index == 2
    metric = next(f for f in added.fields if f.field == "metric")
    assert metric.html == "<ins>≥ 100 %</ins>"
    removed = by_key(result)["car"]
    assert removed.removed
    assert removed.new is None
    assert removed.old_index == 1
    name = next(f for f in removed.fields if f.field == "name")
    assert name.html == "<del>Carbon compliance</del>"


def test_removed_base_tier_listed_first() -> None:
    result = compare_tiers([EFF, CAR, ALL], [CAR, ALL])
    assert [c.key for c in result] == ["eff", "car", "all"]


def test_moved_flags_only_the_moved_tier_and_combines_with_changed() -> None:
    new = [CAR, ALL, replace(EFF, metric=Metric("<=", "46", "kWh/m²/yr"))]
    result = by_key(compare_tiers([EFF, CAR, ALL], new))
    assert result["eff"].moved
    assert result["eff"].changed
    assert result["eff"].status == "changed"
    assert not result["car"].moved
    assert not result["all"].moved
    metric = next(f for f in result["eff"].fields if f.field == "metric")
    assert metric.html == "≤ <del>39</del><ins>46</ins> kWh/m²/yr"


def test_pure_move_status() -> None:
    result = by_key(compare_tiers([EFF, CAR, ALL], [EFF, ALL, CAR]))
    assert sum(c.moved for c in result.values()) == 1
    assert {c.status for c in result.values()} == {"unchanged", "moved"}


def test_escaping_in_field_diffs() -> None:
    evil = replace(CAR, summary="<img src=x onerror=alert(1)>")
    car = by_key(compare_tiers([CAR], [evil]))["car"]
    html = next(f.html for f in car.fields if f.field == "summary")
    assert "<img" not in html
    assert "&lt;img" in html
